//! Paired encode/decode tests for every message type (DESIGN.md §7), the exact length from the
//! same code path, visiting, and the canonical form.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use cwmp_codec::{decode, Body, Visitor};

struct Lines(Vec<String>, Vec<String>);

impl Visitor for Lines {
    fn enter(&mut self, name: &str) {
        self.1.push(name.to_string());
    }
    fn enter_index(&mut self, index: usize) {
        let last = self.1.pop().unwrap_or_default();
        self.1.push(format!("{last}[{index}]"));
        self.1.push(String::new());
    }
    fn leave(&mut self) {
        if self.1.pop().is_some_and(|s| s.is_empty()) {
            // leaving an index: also restore the array name
            let last = self.1.pop().unwrap();
            let base = last.split('[').next().unwrap().to_string();
            self.1.push(base);
        }
    }
    fn value(&mut self, value: &dyn std::fmt::Display) {
        let path: Vec<&str> = self
            .1
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect();
        self.0.push(format!("{} = {}", path.join("."), value));
    }
}

#[test]
fn every_message_encodes_and_decodes_back() {
    let all = common::every_message();
    assert_eq!(
        all.len(),
        55,
        "27 methods with their responses, and the Fault"
    );
    for env in &all {
        let mut out = Vec::new();
        env.encode(&mut out).unwrap();
        assert_eq!(
            env.encoded_len().unwrap(),
            out.len(),
            "{}",
            env.body.method_name()
        );
        // The fixtures are `'static` and `Envelope` is invariant in its lifetime (arrays may
        // borrow `dyn ItemSource`s): give the decoded form the same lifetime.
        let out: &'static [u8] = Box::leak(out.into_boxed_slice());
        let text = std::str::from_utf8(out).unwrap();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope"));
        assert!(text.ends_with("</soap-env:Envelope>\n"));
        let back =
            decode(out).unwrap_or_else(|e| panic!("{}: {e}\n{text}", env.body.method_name()));
        assert_eq!(back, *env, "{}", env.body.method_name());
        assert_eq!(back.schema_deviation, None, "{}", env.body.method_name());
        // Canonical: encoding the decoded form gives the same bytes.
        let mut again = Vec::new();
        back.encode(&mut again).unwrap();
        assert_eq!(again, out);
    }
}

#[test]
fn visiting_reaches_every_leaf() {
    let all = common::every_message();
    let inform = all
        .iter()
        .find(|e| e.body.method_name() == "Inform")
        .unwrap();
    let mut out = Vec::new();
    inform.encode(&mut out).unwrap();
    let env = decode(&out).unwrap();
    let mut v = Lines(Vec::new(), Vec::new());
    env.visit(&mut v);
    let lines = v.0;
    assert_eq!(lines[0], "Header.ID = SAGEM_ID_7589");
    assert!(
        lines.contains(&"Inform.DeviceId.OUI = 00D09E".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Inform.Event[2].EventCode = M Download".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Inform.Event[2].CommandKey = fw-42".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Inform.ParameterList[0].Value = 4.2.1 & <beta>".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Inform.CurrentTime = 2026-11-21T12:30:00+01:00".to_string()),
        "{lines:#?}"
    );
}

#[test]
fn escaping_follows_section_3_4_1() {
    let all = common::every_message();
    let gpvr = all
        .iter()
        .find(|e| e.body.method_name() == "GetParameterValuesResponse")
        .unwrap();
    let mut out = Vec::new();
    gpvr.encode(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    // XML specials escaped; characters outside 9-10 and 32-126 as character references.
    assert!(text.contains("4.2.1 &amp; &lt;beta&gt;"), "{text}");
    assert!(text.contains("caf&#233; &#9731;"), "{text}");
    assert!(text.is_ascii());
    // Booleans 0/1 (INTEROP V6), xsi:type on every Value.
    assert!(
        text.contains("<Value xsi:type=\"xsd:boolean\">1</Value>"),
        "{text}"
    );
    assert!(
        text.contains("soap-enc:arrayType=\"cwmp:ParameterValueStruct[5]\""),
        "{text}"
    );
}

#[test]
fn namespaces_1_0_1_1_1_2_and_never_1_3_or_1_4() {
    use cwmp_codec::CwmpNamespace::*;
    let all = common::every_message();
    let inform = &all
        .iter()
        .find(|e| e.body.method_name() == "Inform")
        .unwrap();
    for (ns, uri) in [
        (V1_0, "urn:dslforum-org:cwmp-1-0"),
        (V1_1, "urn:dslforum-org:cwmp-1-1"),
        (V1_2, "urn:dslforum-org:cwmp-1-2"),
        (V1_3NonStandard, "urn:dslforum-org:cwmp-1-2"),
        (V1_4NonStandard, "urn:dslforum-org:cwmp-1-2"),
    ] {
        let mut e = (*inform).clone();
        e.cwmp_ns = ns;
        let mut out = Vec::new();
        e.encode(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(&format!("xmlns:cwmp=\"{uri}\"")), "{text}");
        assert_eq!(
            decode(text.as_bytes()).unwrap().cwmp_ns,
            ns.encoding_namespace()
        );
    }
}

#[test]
fn kinds() {
    use cwmp_codec::message::MessageKind;
    for env in common::every_message() {
        let name = env.body.method_name();
        let want = match &env.body {
            Body::Fault(_) => MessageKind::Fault,
            _ if name.ends_with("Response") => MessageKind::Response,
            _ => MessageKind::Request,
        };
        assert_eq!(env.body.kind(), want, "{name}");
    }
}

/// A text enumeration keeps its text as sent (it borrows), so a comment, CDATA section or
/// processing instruction inside it is written back verbatim: decode → encode → decode gives the
/// same value (fuzz finding 3 of session 5, `regressions/envelope_decode/pi-in-text-enumeration`).
/// `&` is an ordinary character inside such markup (XML 1.0 §2.5–§2.7; finding 5).
#[test]
fn text_enumeration_markup_round_trips() {
    for file_type in [
        "X 00D09EF@<?xl vin='9.0'?>ei",
        "X 1<!-- R&D --> y",
        "X 2<![CDATA[a&b<c]]>",
        "3 Vendor <?pi a & b?>Configuration File",
        "X &lt;4&#233;<!---->",
        "X 5<![CDATA[a]]>>b",
        "X 6]]&gt;",
    ] {
        let xml = format!(
            "<?xml version=\"1.0\"?><!-- Q&A --><?note a & b?><soap-env:Envelope \
             xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Body><!-- R&D -->\
             <cwmp:Download><FileType>{file_type}</FileType></cwmp:Download>\
             </soap-env:Body></soap-env:Envelope>"
        );
        let env = decode(xml.as_bytes()).unwrap_or_else(|e| panic!("{file_type}: {e:?}"));
        let Body::Download(d) = &env.body else {
            panic!("{file_type}: {:?}", env.body.method_name())
        };
        let mut out = Vec::new();
        env.encode(&mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains(file_type), "{file_type}: {text}");
        let again = decode(&out).unwrap();
        let Body::Download(d2) = &again.body else {
            panic!("{file_type}: {text}")
        };
        assert_eq!(d.file_type, d2.file_type, "{file_type}: {text}");
    }
    // Markup the reader refuses inside content is escaped instead: an `xml` PI target.
    let xml = "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
               xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Body><cwmp:Download>\
               <FileType>X</FileType></cwmp:Download></soap-env:Body></soap-env:Envelope>";
    let mut env = decode(xml.as_bytes()).unwrap();
    let Body::Download(d) = &mut env.body else {
        panic!("{xml}")
    };
    d.file_type = cwmp_codec::DownloadFileType::parse("X <?xml x?>");
    let mut w = Vec::new();
    env.encode(&mut w).unwrap();
    let text = String::from_utf8(w.clone()).unwrap();
    assert!(text.contains("X &lt;?xml x?>"), "{text}");
    assert!(decode(&w).is_ok(), "{text}");
    // And a `]]>` in character data, which the reader refuses (XML 1.0 §2.4).
    let Body::Download(d) = &mut env.body else {
        panic!("{xml}")
    };
    d.file_type = cwmp_codec::DownloadFileType::parse("X a]]>b");
    let mut w = Vec::new();
    env.encode(&mut w).unwrap();
    let text = String::from_utf8(w.clone()).unwrap();
    assert!(text.contains("X a]]&gt;b"), "{text}");
    assert!(decode(&w).is_ok(), "{text}");
}
