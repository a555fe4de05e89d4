//! Each quirk of `../shared/INTEROP.md` (N*, V*, H5) that the decoder must tolerate, and the
//! hostile inputs it must reject with a typed error at the right offset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_codec::message::*;
use cwmp_codec::{decode, Body, CwmpNamespace, DecodeErrorKind as K, EventCode, Value};

const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn env(prefix: &str, cwmp_decl: &str, header: &str, body: &str) -> String {
    format!(
        "<{p}:Envelope xmlns:{p}=\"{SOAP}\" {cwmp_decl}><{p}:Header>{header}</{p}:Header><{p}:Body>{body}</{p}:Body></{p}:Envelope>",
        p = prefix
    )
}

fn inform_body(cwmp: &str) -> String {
    format!(
        "<{c}Inform><DeviceId><Manufacturer>M</Manufacturer><OUI>00D09E</OUI><ProductClass>P</ProductClass><SerialNumber>S</SerialNumber></DeviceId>\
         <Event><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event>\
         <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>\
         <ParameterList></ParameterList></{c}Inform>",
        c = cwmp
    )
}

fn ok(xml: &str) -> Envelope<'_> {
    let e = decode(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    e
}

#[test]
fn n1_arbitrary_prefixes() {
    for p in [
        "SOAP-ENV",
        "soap-env",
        "soap_env",
        "soap",
        "soapenv",
        "soap11env",
        "s",
    ] {
        let x = env(
            p,
            "xmlns:c=\"urn:dslforum-org:cwmp-1-0\"",
            "",
            &inform_body("c:"),
        );
        let e = ok(&x);
        assert!(matches!(e.body, Body::Inform(_)));
        assert_eq!(e.cwmp_ns, CwmpNamespace::V1_0);
        assert_eq!(e.schema_deviation, None);
    }
}

#[test]
fn n2_same_prefix_other_uri_and_single_quotes() {
    // `soap` is bound to the *encoding* URI; the envelope uses `soapenv`; single quotes.
    let x = "<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/' xmlns:soap='http://schemas.xmlsoap.org/soap/encoding/' xmlns:cwmp='urn:dslforum-org:cwmp-1-0'>\
      <soapenv:Body><cwmp:GetParameterValues><ParameterNames soap:arrayType='xsd:string[1]'><string>A.</string></ParameterNames></cwmp:GetParameterValues></soapenv:Body></soapenv:Envelope>";
    let e = ok(x);
    let Body::GetParameterValues(g) = &e.body else {
        panic!()
    };
    assert_eq!(g.parameter_names.iter().next().unwrap(), "A.");
}

#[test]
fn n3_declarations_on_inner_elements() {
    let x = format!(
        "<s:Envelope xmlns:s=\"{SOAP}\"><s:Header><cwmp:ID xmlns:cwmp=\"urn:dslforum-org:cwmp-1-1\" s:mustUnderstand=\"1\">x</cwmp:ID></s:Header>\
         <s:Body><w:Inform xmlns:w=\"urn:dslforum-org:cwmp-1-1\"><DeviceId><Manufacturer>M</Manufacturer><OUI>00D09E</OUI><ProductClass/><SerialNumber>S</SerialNumber></DeviceId>\
         <Event xmlns:e=\"http://schemas.xmlsoap.org/soap/encoding/\" e:arrayType=\"w:EventStruct[0]\"/><MaxEnvelopes>1</MaxEnvelopes>\
         <CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList/></w:Inform></s:Body></s:Envelope>"
    );
    let e = ok(&x);
    assert_eq!(e.header.id.unwrap(), "x");
    assert_eq!(e.cwmp_ns, CwmpNamespace::V1_1);
}

#[test]
fn n4_undeclared_xsi_and_xsd_in_attribute_values() {
    let x = env(
        "soap",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>A.B</Name><Value xsi:type=\"xsd:unsignedInt\">7</Value></ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>",
    );
    let e = ok(&x);
    let Body::SetParameterValues(s) = &e.body else {
        panic!()
    };
    assert_eq!(
        s.parameter_list.iter().next().unwrap().value,
        Some(Value::UnsignedInt(7))
    );
}

/// `xsi:type` is found whatever else the `Value` tag carries: alone, after or before another
/// `*:type` attribute of a foreign namespace, next to unrelated attributes, written with a
/// reference (then it is read as a string), or bound to another URI under the `xsi` prefix (then it is no type at all).
#[test]
fn xsi_type_among_other_type_attributes() {
    let cases = [
        (r#"xsi:type="xsd:int""#, "int"),
        (r#"v:type="x" xsi:type="xsd:int""#, "int"),
        (r#"xsi:type="xsd:int" v:type="x""#, "int"),
        (r#"id="1" xsi:type="xsd:int" other="2""#, "int"),
        // A type name spelt with a reference is not taken as a type (as before the cache).
        (r#"xsi:type="xsd&#58;int""#, "string"),
        (r#"type="xsd:int""#, "string"),
        (r#"v:type="xsd:int""#, "string"),
    ];
    let spv = |attrs: &str| {
        env(
            "soap",
            r#"xmlns:cwmp="urn:dslforum-org:cwmp-1-0" xmlns:v="urn:vendor""#,
            "",
            &format!("<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>A.B</Name><Value {attrs}>-5</Value></ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>"),
        )
    };
    let first_type = |x: &str| -> (String, String) {
        let e = ok(x);
        let Body::SetParameterValues(s) = &e.body else {
            panic!()
        };
        let v = s.parameter_list.iter().next().unwrap().value.unwrap();
        (v.type_name().to_string(), v.to_string())
    };
    for (attrs, want) in cases {
        assert_eq!(
            first_type(&spv(attrs)),
            (want.to_string(), "-5".to_string()),
            "{attrs}"
        );
    }
    // `xsi` rebound to a vendor URI on the element itself: not XML Schema instance.
    let x = spv(r#"xmlns:xsi="urn:other" xsi:type="xsd:int""#);
    assert_eq!(first_type(&x).0, "string");
}

#[test]
fn n5_default_namespace_and_empty_xmlns_on_children() {
    let x = env(
        "s",
        "",
        "",
        &inform_body("").replacen(
            "<Inform>",
            "<Inform xmlns=\"urn:dslforum-org:cwmp-1-0\">",
            1,
        ),
    );
    let e = ok(&x);
    assert!(matches!(e.body, Body::Inform(_)));
    let x = env(
        "s",
        "",
        "",
        "<Reboot xmlns=\"urn:dslforum-org:cwmp-1-2\"><CommandKey xmlns=\"\">k</CommandKey></Reboot>",
    );
    let e = ok(&x);
    let Body::Reboot(r) = &e.body else { panic!() };
    assert_eq!(r.command_key, "k");
}

#[test]
fn n6_non_standard_1_3_and_1_4_namespaces_are_reported() {
    for (uri, ns) in [
        ("urn:dslforum-org:cwmp-1-3", CwmpNamespace::V1_3NonStandard),
        ("urn:dslforum-org:cwmp-1-4", CwmpNamespace::V1_4NonStandard),
    ] {
        let x = env(
            "s",
            &format!("xmlns:cwmp=\"{uri}\""),
            "",
            &inform_body("cwmp:"),
        );
        assert_eq!(ok(&x).cwmp_ns, ns);
    }
}

#[test]
fn n7_header_names_any_case() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "<cwmp:sessionTimeout>60</cwmp:sessionTimeout><cwmp:holdRequests>true</cwmp:holdRequests>",
        &inform_body("cwmp:"),
    );
    let e = ok(&x);
    assert_eq!(e.header.session_timeout, Some(60));
    assert_eq!(e.header.hold_requests, Some(true));
}

#[test]
fn n8_must_understand_forms_and_opaque_ids() {
    for (mu, id) in [
        ("1", "inform"),
        ("true", "SAGEM_ID_7589"),
        ("0", "FREEACS-1551865082125"),
    ] {
        let x = env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
            &format!("<cwmp:ID s:mustUnderstand=\"{mu}\">{id}</cwmp:ID>"),
            &inform_body("cwmp:"),
        );
        assert_eq!(ok(&x).header.id.unwrap(), id);
    }
    // No ID, no Header at all.
    let x = format!("<s:Envelope xmlns:s=\"{SOAP}\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><s:Body>{}</s:Body></s:Envelope>", inform_body("cwmp:"));
    assert_eq!(ok(&x).header.id, None);
}

#[test]
fn v1_missing_or_other_prefix_xsi_type() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"",
        "",
        "<cwmp:GetParameterValuesResponse><ParameterList>\
         <ParameterValueStruct><Name>A</Name><Value>plain</Value></ParameterValueStruct>\
         <ParameterValueStruct><Name>B</Name><Value i:type=\"xs:boolean\">false</Value></ParameterValueStruct>\
         </ParameterList></cwmp:GetParameterValuesResponse>",
    );
    let e = ok(&x);
    let Body::GetParameterValuesResponse(r) = &e.body else {
        panic!()
    };
    let v: Vec<_> = r.parameter_list.iter().map(|p| p.value.unwrap()).collect();
    assert_eq!(v[0], Value::string("plain"));
    assert_eq!(v[1], Value::Boolean(false));
}

#[test]
fn v2_missing_value_is_recorded_not_fatal() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>A</Name></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>",
    );
    let e = ok(&x);
    let Body::GetParameterValuesResponse(r) = &e.body else {
        panic!()
    };
    assert_eq!(r.parameter_list.iter().next().unwrap().value, None);
}

#[test]
fn v3_array_type_variants_are_advisory() {
    for attrs in [
        "soap-enc:arrayType=\"cwmp:ParameterValueStruct[0008]\"",
        "soap-enc:arrayType=\"cwmp:ParameterValueStruct[0]\" xsi:type=\"soap-enc:Array\"",
        "soap-enc:arrayType=\"xsd:string[2]\"",
        "",
    ] {
        let x = env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\" xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
            "",
            &format!("<cwmp:GetParameterValuesResponse><ParameterList {attrs}>\n  <ParameterValueStruct><Name>A</Name><Value>1</Value></ParameterValueStruct>\n</ParameterList></cwmp:GetParameterValuesResponse>"),
        );
        let e = ok(&x);
        let Body::GetParameterValuesResponse(r) = &e.body else {
            panic!()
        };
        assert_eq!(r.parameter_list.len(), 1, "{attrs}");
    }
}

#[test]
fn v4_whitespace_trimmed_on_typed_fields_kept_on_strings() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"",
        "",
        "<cwmp:GetParameterNames>\n  <ParameterPath>  Device. </ParameterPath>\n  <NextLevel>\n 1 \n</NextLevel>\n</cwmp:GetParameterNames>",
    );
    let e = ok(&x);
    let Body::GetParameterNames(g) = &e.body else {
        panic!()
    };
    assert!(g.next_level);
    assert_eq!(g.parameter_path, "  Device. ");
    assert_eq!(g.parameter_path.trim(), "Device.");
}

#[test]
fn v5_empty_elements_both_forms() {
    for ck in ["<CommandKey/>", "<CommandKey></CommandKey>"] {
        let x = env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
            "",
            &format!("<cwmp:Reboot>{ck}</cwmp:Reboot>"),
        );
        let Body::Reboot(r) = ok(&x).body else {
            panic!()
        };
        assert!(r.command_key.is_empty());
    }
}

#[test]
fn v6_booleans_all_four_forms() {
    for (t, b) in [("0", false), ("1", true), ("true", true), ("false", false)] {
        let x = env("s", "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"", "", &format!("<cwmp:GetParameterNames><ParameterPath/><NextLevel>{t}</NextLevel></cwmp:GetParameterNames>"));
        let Body::GetParameterNames(g) = ok(&x).body else {
            panic!()
        };
        assert_eq!(g.next_level, b);
    }
}

#[test]
fn v7_malformed_times_are_kept_raw() {
    for t in [
        "2019-03-05T11:54::14",
        "0000-00-00T00:00:00",
        "0001-01-01T00:00:00Z",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+00:00",
    ] {
        let x = env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
            "",
            &inform_body("cwmp:").replace("2026-01-01T00:00:00Z", t),
        );
        let e = ok(&x);
        let Body::Inform(i) = &e.body else { panic!() };
        match cwmp_codec::DateTime::parse(t) {
            Ok(d) => assert_eq!(i.current_time.valid(), Some(d)),
            Err(_) => assert_eq!(
                i.current_time,
                cwmp_codec::DateTimeValue::Invalid(cwmp_codec::XmlStr::new(t))
            ),
        }
        assert_eq!(e.schema_deviation, None);
    }
}

#[test]
fn v8_control_characters_and_non_utf8_are_typed_errors() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:Reboot><CommandKey>a\u{1}b</CommandKey></cwmp:Reboot>",
    );
    let at = x.find('\u{1}').unwrap();
    let e = decode(x.as_bytes()).unwrap_err();
    assert_eq!((e.kind, e.offset), (K::InvalidCharacter, at));
    let mut latin1 = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:Reboot><CommandKey>caf_</CommandKey></cwmp:Reboot>",
    )
    .into_bytes();
    let at = latin1.iter().position(|&b| b == b'_').unwrap();
    latin1[at] = 0xE9;
    let e = decode(&latin1).unwrap_err();
    assert_eq!((e.kind, e.offset), (K::InvalidUtf8, at));
    let utf16 = [0xFFu8, 0xFE, b'<', 0];
    assert_eq!(decode(&utf16).unwrap_err().kind, K::UnsupportedEncoding);
}

#[test]
fn v9_cdata_accepted() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:Reboot><CommandKey><![CDATA[a<b]]>&amp;c</CommandKey></cwmp:Reboot>",
    );
    let Body::Reboot(r) = ok(&x).body else {
        panic!()
    };
    assert_eq!(r.command_key, "a<b&c");
    assert_eq!(r.command_key.to_string(), "a<b&c");
}

#[test]
fn v10_doctype_and_entities_rejected() {
    for x in [
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><s:Envelope/>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>",
    ] {
        let e = decode(x.as_bytes()).unwrap_err();
        assert_eq!(e.kind, K::DoctypeNotAllowed);
        assert_eq!(e.offset, x.find("<!DOCTYPE").unwrap());
    }
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>",
    );
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::InvalidReference);
}

#[test]
fn v11_any_order_of_struct_members() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:TransferComplete><CommandKey>k</CommandKey><StartTime>2026-01-01T00:00:00Z</StartTime><CompleteTime>2026-01-01T00:01:00Z</CompleteTime>\
         <FaultStruct><FaultString></FaultString><FaultCode>0</FaultCode></FaultStruct></cwmp:TransferComplete>",
    );
    let e = ok(&x);
    let Body::TransferComplete(t) = &e.body else {
        panic!()
    };
    assert_eq!(t.fault_struct.fault_code, 0.into());
    assert_eq!(e.schema_deviation, None);
}

#[test]
fn v12_lower_case_member_names() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        "<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><name>A.B</name><value>x</value></ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>",
    );
    let Body::SetParameterValues(s) = ok(&x).body else {
        panic!()
    };
    let p = s.parameter_list.iter().next().unwrap();
    assert_eq!(p.name, "A.B");
    assert_eq!(p.value, Some(Value::string("x")));
}

#[test]
fn h5_prologue_bom_and_trailing_whitespace() {
    let body = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        &inform_body("cwmp:"),
    );
    for x in [
        body.clone(),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n\n"),
        format!("\u{feff}<?xml version=\"1.0\"?><!-- hi -->{body}<!-- bye -->\r\n"),
    ] {
        ok(&x);
    }
    // XML 1.0 §2.5: no `--` inside a comment, and no `-` before its `-->` (finding 10 of
    // fuzz/README.md); `<!---->` is an empty comment.
    ok(&format!("<!---->{body}<!-- a - b -->"));
    for (comment, dashes) in [("<!-- a -- b -->", 7), ("<!-- a --->", 7), ("<!------>", 4)] {
        let x = format!("{comment}{body}");
        assert_eq!(
            decode(x.as_bytes()).unwrap_err(),
            cwmp_codec::DecodeError {
                kind: K::InvalidSyntax,
                offset: dashes
            },
            "{comment}"
        );
    }
    // XML 1.0 §2.4: character data holds no `]]>` (finding 12 of fuzz/README.md); `]]&gt;`,
    // and a `>` right after a CDATA section's own `]]>`, are fine.
    let with_id = |id: &str| {
        env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
            &format!("<cwmp:ID s:mustUnderstand=\"1\">{id}</cwmp:ID>"),
            &inform_body("cwmp:"),
        )
    };
    let x = with_id("a]]>b");
    assert_eq!(
        decode(x.as_bytes()).unwrap_err(),
        cwmp_codec::DecodeError {
            kind: K::InvalidSyntax,
            offset: x.find("]]>").unwrap()
        }
    );
    ok(&with_id("a]]&gt;b"));
    ok(&with_id("a<![CDATA[b]]>>c"));
    // The declaration may only open the document.
    let late = format!("  <?xml version=\"1.0\"?>{body}");
    assert_eq!(
        decode(late.as_bytes()).unwrap_err(),
        cwmp_codec::DecodeError {
            kind: K::InvalidSyntax,
            offset: 2
        }
    );
    let trailing = format!("{body}x");
    assert_eq!(
        decode(trailing.as_bytes()).unwrap_err().kind,
        K::TrailingContent
    );
}

#[test]
fn s1_fault_shapes() {
    for code in ["Client", "SOAP-ENV:Server", "s:Client"] {
        let x = env(
            "s",
            "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
            "",
            &format!("<s:Fault><faultcode>{code}</faultcode><faultstring>CWMP fault</faultstring><detail><x:Other xmlns:x=\"urn:x\"/><cwmp:Fault><FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault></detail></s:Fault>"),
        );
        let Body::Fault(f) = ok(&x).body else {
            panic!()
        };
        assert_eq!(f.code(), 8005);
        assert_eq!(f.faultcode, code);
    }
    let x = env(
        "s",
        "",
        "",
        "<s:Fault><faultcode>Server</faultcode><faultstring>oops</faultstring></s:Fault>",
    );
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::InvalidFault);
}

#[test]
fn event_codes_typed() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"",
        "",
        &inform_body("cwmp:").replace("1 BOOT", " M Download "),
    );
    let Body::Inform(i) = ok(&x).body else {
        panic!()
    };
    assert_eq!(
        i.event.iter().next().unwrap().event_code,
        EventCode::MDownload
    );
}

#[test]
fn unknown_methods_and_headers() {
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "<cwmp:X_ACME_Flag s:mustUnderstand=\"0\">1</cwmp:X_ACME_Flag>",
        "<cwmp:X_012345_MyMethod><A>1</A></cwmp:X_012345_MyMethod>",
    );
    let e = ok(&x);
    assert_eq!(
        e.body,
        Body::Unknown(UnknownMethod {
            name: "X_012345_MyMethod"
        })
    );
    assert_eq!(e.schema_deviation, None);
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "<cwmp:X_ACME_Flag s:mustUnderstand=\"1\">1</cwmp:X_ACME_Flag>",
        "<cwmp:GetRPCMethods/>",
    );
    let e = ok(&x);
    assert_eq!(e.schema_deviation.unwrap().kind, K::MustUnderstandHeader);
}

#[test]
fn hostile_structure_is_bounded() {
    // Depth.
    let mut x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        "<cwmp:X_Deep>@</cwmp:X_Deep>",
    );
    x = x.replace('@', &"<a>".repeat(40));
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::TooDeep);
    // Attributes.
    let attrs: String = (0..40).map(|i| format!(" a{i}=\"1\"")).collect();
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        &format!("<cwmp:GetRPCMethods{attrs}/>"),
    );
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::TooManyAttributes);
    // Bindings.
    let decls: String = (0..20)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let x = env(
        "s",
        &format!("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"{decls}"),
        "",
        "<cwmp:GetRPCMethods/>",
    );
    assert_eq!(
        decode(x.as_bytes()).unwrap_err().kind,
        K::TooManyNamespaceBindings
    );
    // Duplicate attribute, unbound element prefix, mismatched end tag, truncated input.
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        "<cwmp:GetRPCMethods a=\"1\" a=\"2\"/>",
    );
    assert_eq!(
        decode(x.as_bytes()).unwrap_err().kind,
        K::DuplicateAttribute
    );
    // Namespaces in XML 1.0 §6.3: two attributes with the same expanded name (finding 11 of
    // fuzz/README.md), whether their prefixes are bound on the tag itself or above it (`p`, on
    // the Envelope, to urn:x), and whatever the spelling of the namespace name; distinct
    // namespaces, or the same local part unprefixed, are fine.
    let decls = "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:p=\"urn:x\"";
    for (attrs, duplicate) in [
        (
            "xmlns:a=\"urn:x\" xmlns:b=\"urn:x\" a:k=\"1\" b:k=\"2\"",
            true,
        ),
        (
            "xmlns:a=\"urn:x\" xmlns:b=\"urn:&#x78;\" a:k=\"1\" b:k=\"2\"",
            true,
        ),
        ("xmlns:b=\"urn:x\" p:k=\"1\" b:k=\"2\"", true),
        (
            "xmlns:a=\"urn:x\" xmlns:b=\"urn:y\" a:k=\"1\" b:k=\"2\"",
            false,
        ),
        ("xmlns:b=\"urn:x\" k=\"1\" b:k=\"2\"", false),
    ] {
        let x = env("s", decls, "", &format!("<cwmp:GetRPCMethods {attrs}/>"));
        let r = decode(x.as_bytes());
        if duplicate {
            let e = r.unwrap_err();
            let at = x.find("b:k").unwrap();
            assert_eq!((e.kind, e.offset), (K::DuplicateAttribute, at), "{attrs}");
        } else {
            assert!(r.is_ok(), "{attrs}: {r:?}");
        }
    }
    // XML 1.0 §2.3 beyond ASCII (finding 13 of fuzz/README.md): `é`, `名` start a name, `·`
    // (U+B7) and U+0301 continue one but start none, `×` (U+D7) is in no name; a local part
    // starts like a name.
    let decls = "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:p=\"urn:x\"";
    for (attr, bad) in [
        ("é=\"1\"", None),
        ("名前=\"1\"", None),
        ("a·b=\"1\"", None),
        ("e\u{301}=\"1\"", None),
        ("p:é=\"1\"", None),
        ("a×=\"1\"", Some("×")),
        ("·a=\"1\"", Some("·")),
        ("\u{301}a=\"1\"", Some("\u{301}")),
        ("p:·a=\"1\"", Some("·")),
    ] {
        let x = env("s", decls, "", &format!("<cwmp:GetRPCMethods {attr}/>"));
        match bad {
            None => assert!(decode(x.as_bytes()).is_ok(), "{attr}"),
            Some(c) => {
                let e = decode(x.as_bytes()).unwrap_err();
                let at = x.find(&format!("<cwmp:GetRPCMethods {attr}")).unwrap()
                    + "<cwmp:GetRPCMethods ".len()
                    + attr.find(c).unwrap();
                assert_eq!((e.kind, e.offset), (K::InvalidName, at), "{attr}");
            }
        }
    }
    // And in a PI target, which is a name too: `é` may start one, `·` may not.
    let rpc = env("s", decls, "", "<cwmp:GetRPCMethods/>");
    assert!(decode(format!("<?é x?>{rpc}").as_bytes()).is_ok());
    let e = decode(format!("<?·x?>{rpc}").as_bytes()).unwrap_err();
    assert_eq!((e.kind, e.offset), (K::InvalidName, 2));
    // The first eight names are kept for the check, later ones scanned: a duplicate of any
    // earlier attribute is found at its own offset on either side of that line, and twelve
    // distinct names are not one.
    for (n, dup_of) in [(2, 0), (5, 0), (8, 3), (9, 0), (9, 8), (12, 10)] {
        let mut attrs: Vec<String> = (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect();
        attrs.push(format!(" a{dup_of}=\"again\""));
        let body = format!("<cwmp:GetRPCMethods{}/>", attrs.concat());
        let x = env("s", "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"", "", &body);
        let e = decode(x.as_bytes()).unwrap_err();
        let at = x.find(&format!(" a{dup_of}=\"again\"")).unwrap() + 1;
        assert_eq!(
            (e.kind, e.offset),
            (K::DuplicateAttribute, at),
            "{n} then a{dup_of}"
        );
    }
    let attrs: String = (0..12).map(|i| format!(" a{i}=\"{i}\"")).collect();
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        &format!("<cwmp:GetRPCMethods{attrs}/>"),
    );
    assert!(decode(x.as_bytes()).is_ok());
    let x = env("s", "", "", "<q:GetRPCMethods/>");
    let e = decode(x.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind, e.offset),
        (K::UnboundPrefix, x.find("q:Get").unwrap())
    );
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        "<cwmp:Reboot><CommandKey>k</Commandkey></cwmp:Reboot>",
    );
    let e = decode(x.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind, e.offset),
        (K::MismatchedEndTag, x.find("</Commandkey>").unwrap())
    );
    let x = env(
        "s",
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"",
        "",
        "<cwmp:GetRPCMethods/>",
    );
    for cut in 0..x.len() {
        assert!(
            decode(&x.as_bytes()[..cut]).is_err(),
            "prefix of {cut} bytes decoded"
        );
    }
}

#[test]
fn not_an_envelope() {
    assert_eq!(decode(b"<Envelope/>").unwrap_err().kind, K::NotAnEnvelope);
    let x = format!("<s:Envelope xmlns:s=\"{SOAP}\"><s:Header/></s:Envelope>");
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::InvalidEnvelope);
    let x = format!(
        "<s:Envelope xmlns:s=\"{SOAP}\"><s:Body><x:A xmlns:x=\"urn:other\"/></s:Body></s:Envelope>"
    );
    assert_eq!(decode(x.as_bytes()).unwrap_err().kind, K::NotCwmp);
    assert_eq!(decode(b"").unwrap_err().kind, K::UnexpectedEof);
}

/// H5 and XML 1.0 §2.8: the XML declaration is checked, not skipped as an opaque processing
/// instruction (found by the differential fuzz target against roxmltree: `version=\t1.0"` was
/// accepted). Processing instruction targets are Names (§2.6).
#[test]
fn h5_xml_declaration_is_well_formed_or_rejected() {
    let body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap:Body><cwmp:GetRPCMethods/></soap:Body></soap:Envelope>";
    for good in [
        "<?xml version=\"1.0\"?>",
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<?xml version = \"1.1\" encoding=\"utf-8\" standalone=\"yes\" ?>",
        "<?xml version=\"1.0\" standalone='no'?>\n",
    ] {
        assert!(decode(format!("{good}{body}").as_bytes()).is_ok(), "{good}");
    }
    for bad in [
        "<?xml version=\t1.0\" encoding=\"UTF-8\"?>",
        "<?xml?>",
        "<?xml encoding=\"UTF-8\"?>",
        "<?xml version=\"2.0\"?>",
        "<?xml version=\"1.\"?>",
        "<?xml version=\"1.0\"encoding=\"UTF-8\"?>",
        "<?xml version=\"1.0\" encoding=\"8bit\"?>",
        "<?xml version=\"1.0\" standalone=\"maybe\"?>",
        "<?xml version=\"1.0\" foo=\"bar\"?>",
        "<?xml version=\"1.0?>",
        "<?XML version=\"1.0\"?>",
        "<?123 data?>",
        "<?a/b?>",
    ] {
        let e = decode(format!("{bad}{body}").as_bytes()).unwrap_err();
        assert!(
            matches!(e.kind, K::InvalidSyntax | K::InvalidName),
            "{bad}: {e:?}"
        );
    }
    assert!(decode(format!("<?xml-stylesheet href=\"a\"?>{body}").as_bytes()).is_ok());
}
