//! The `inspect` text format: stable lines for a vector, the error line for bad input, and
//! `--reencode` giving canonical XML that decodes to the same message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_examples::inspect::inspect;

const INFORM: &str = r#"<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:e="http://schemas.xmlsoap.org/soap/encoding/">
 <s:Header><c:ID s:mustUnderstand="1">inform</c:ID></s:Header>
 <s:Body><c:Inform>
  <DeviceId><Manufacturer>Acme</Manufacturer><OUI>00D09E</OUI><ProductClass/><SerialNumber>42</SerialNumber></DeviceId>
  <Event e:arrayType="c:EventStruct[0002]">
   <EventStruct><EventCode>0 BOOTSTRAP</EventCode><CommandKey/></EventStruct>
   <EventStruct><EventCode>M Reboot</EventCode><CommandKey>r1</CommandKey></EventStruct>
  </Event>
  <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>0001-01-01T00:00:00Z</CurrentTime><RetryCount> 3 </RetryCount>
  <ParameterList e:arrayType="c:ParameterValueStruct[1]">
   <ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">1.0&amp;2</Value></ParameterValueStruct>
  </ParameterList>
 </c:Inform></s:Body></s:Envelope>"#;

fn run(input: &[u8], reencode: bool) -> (Result<(), String>, String) {
    let mut out = Vec::new();
    let r = inspect(input, reencode, &mut out);
    (r, String::from_utf8(out).unwrap())
}

#[test]
fn prints_stable_lines() {
    let (r, text) = run(INFORM.as_bytes(), false);
    r.unwrap();
    let want = "method: Inform
cwmp-ns: 1.0 (urn:dslforum-org:cwmp-1-0)
Header.ID = inform
Inform.DeviceId.Manufacturer = Acme
Inform.DeviceId.OUI = 00D09E
Inform.DeviceId.ProductClass = 
Inform.DeviceId.SerialNumber = 42
Inform.Event[0].EventCode = 0 BOOTSTRAP
Inform.Event[0].CommandKey = 
Inform.Event[1].EventCode = M Reboot
Inform.Event[1].CommandKey = r1
Inform.MaxEnvelopes = 1
Inform.CurrentTime = 0001-01-01T00:00:00Z
Inform.RetryCount = 3
Inform.ParameterList[0].Name = Device.DeviceInfo.SoftwareVersion
Inform.ParameterList[0].Value = 1.0&2
";
    assert_eq!(text, want);
}

#[test]
fn reads_the_body_of_an_http_message() {
    let http = format!(
        "POST /acs HTTP/1.1\r\nHost: acs\r\nContent-Length: {}\r\n\r\n{INFORM}",
        INFORM.len()
    );
    let (r, text) = run(http.as_bytes(), false);
    r.unwrap();
    assert!(text.starts_with("method: Inform\n"));
}

#[test]
fn reads_a_chunked_http_body() {
    let (a, b) = INFORM.split_at(100);
    let http = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x};ext=1\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let (r, text) = run(http.as_bytes(), false);
    r.unwrap();
    let (_, plain) = run(INFORM.as_bytes(), false);
    assert_eq!(text, plain);
}

#[test]
fn bad_input_gives_the_kind_and_offset() {
    let (r, _) = run(
        b"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>",
        false,
    );
    assert_eq!(r.unwrap_err(), "error: UnexpectedEof at byte 72");
    let (r, _) = run(b"<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", false);
    assert_eq!(r.unwrap_err(), "error: DoctypeNotAllowed at byte 0");
}

#[test]
fn reencode_prints_canonical_xml() {
    let (r, text) = run(INFORM.as_bytes(), true);
    r.unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope"));
    assert!(text.contains("<RetryCount>3</RetryCount>"));
    assert!(text.contains("soap-enc:arrayType=\"cwmp:EventStruct[2]\""));
    let (r, again) = run(text.as_bytes(), false);
    r.unwrap();
    let (_, first) = run(INFORM.as_bytes(), false);
    assert_eq!(again, first);
}

#[test]
fn every_raw_http_capture_in_the_corpus_inspects() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/perl-cwmp/http-raw");
    if !dir.is_dir() {
        println!("skipping: ../shared/vectors is absent");
        return;
    }
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let (r, text) = run(&bytes, false);
        r.unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(text.starts_with("method: "), "{}", p.display());
        n += 1;
    }
    assert!(n >= 16, "{n} captures");
}
