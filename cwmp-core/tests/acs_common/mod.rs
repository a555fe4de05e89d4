//! Helpers for the ACS tests: raw HTTP POSTs built with the codec, a CPE-side view of the
//! responses.
#![allow(dead_code)]

use cwmp_codec::http::request::{PostHead, PostKind};
use cwmp_codec::http::url::HostHeader;

pub const TARGET: &str = "/acs";

/// An Inform envelope in namespace `ns` (e.g. `cwmp-1-2`), with optional header elements.
pub fn inform(ns: &str, supported: Option<&str>, session_timeout: Option<u32>) -> Vec<u8> {
    let mut header = String::from("<cwmp:ID soap:mustUnderstand=\"1\">inform-1</cwmp:ID>");
    if let Some(t) = session_timeout {
        header +=
            &format!("<cwmp:SessionTimeout soap:mustUnderstand=\"0\">{t}</cwmp:SessionTimeout>");
    }
    if let Some(s) = supported {
        header += &format!(
            "<cwmp:SupportedCWMPVersions soap:mustUnderstand=\"0\">{s}</cwmp:SupportedCWMPVersions>"
        );
    }
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:{ns}"><soap:Header>{header}</soap:Header><soap:Body><cwmp:Inform><DeviceId><Manufacturer>ACME</Manufacturer><OUI>00D09E</OUI><ProductClass>STB</ProductClass><SerialNumber>SN42</SerialNumber></DeviceId><Event soapenc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-21T10:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type="xsd:string">1.0</Value></ParameterValueStruct></ParameterList></cwmp:Inform></soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

/// Any body element in the 1-2 namespace, with a `cwmp:ID` when given.
pub fn envelope(id: Option<&str>, body: &str) -> Vec<u8> {
    let header = id
        .map(|i| {
            format!("<soap:Header><cwmp:ID soap:mustUnderstand=\"1\">{i}</cwmp:ID></soap:Header>")
        })
        .unwrap_or_default();
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">{header}<soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

/// A CWMP fault envelope answering request `id`.
pub fn fault(id: &str, code: u32) -> Vec<u8> {
    envelope(
        Some(id),
        &format!("<soap:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>{code}</FaultCode><FaultString>nope</FaultString></cwmp:Fault></detail></soap:Fault>"),
    )
}

pub fn transfer_complete(id: &str) -> Vec<u8> {
    envelope(
        Some(id),
        "<cwmp:TransferComplete><CommandKey>ck1</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString></FaultStruct><StartTime>2026-11-21T10:00:00Z</StartTime><CompleteTime>2026-11-21T10:01:00Z</CompleteTime></cwmp:TransferComplete>",
    )
}

/// A POST as the codec writes it (Content-Length framing).
pub fn post(
    body: &[u8],
    kind: PostKind,
    cookie: Option<&str>,
    authorization: Option<&str>,
) -> Vec<u8> {
    let head = PostHead {
        cookie,
        authorization,
        ..PostHead::new(
            HostHeader::new("acs.example"),
            TARGET,
            kind,
            body.len() as u64,
        )
    };
    let mut out = vec![0u8; head.encoded_len()];
    let mut w: &mut [u8] = &mut out;
    head.write(&mut w).unwrap();
    out.extend_from_slice(body);
    out
}

pub fn soap_post(body: &[u8], cookie: Option<&str>) -> Vec<u8> {
    post(body, PostKind::SoapRequest, cookie, None)
}

pub fn empty_post(cookie: Option<&str>) -> Vec<u8> {
    post(b"", PostKind::Empty, cookie, None)
}

/// The same POST with a chunked body split into pieces of `size`.
pub fn chunked_post(body: &[u8], size: usize, cookie: &str) -> Vec<u8> {
    let mut out = format!(
        "POST {TARGET} HTTP/1.1\r\nHost: acs.example\r\nContent-Type: text/xml\r\nSOAPAction:\r\nTransfer-Encoding: chunked\r\nCookie: {cookie}\r\n\r\n"
    )
    .into_bytes();
    for c in body.chunks(size) {
        out.extend_from_slice(format!("{:x};ext=1\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A written HTTP response, split.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Resp {
    pub fn parse(raw: &[u8]) -> Resp {
        let text = String::from_utf8(raw.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        let resp = Resp {
            status,
            head: head.to_string(),
            body: body.to_string(),
        };
        if let Some(cl) = resp.header("content-length") {
            assert_eq!(
                cl.parse::<usize>().unwrap(),
                resp.body.len(),
                "exact Content-Length"
            );
        } else {
            assert!(resp.body.is_empty());
        }
        resp
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The `name=value` of the Set-Cookie, if any.
    pub fn cookie(&self) -> Option<String> {
        self.header("set-cookie")
            .map(|v| v.split(';').next().unwrap().to_string())
    }
}
