//! Namespaces in XML 1.0 §3 constraints the decoder enforces on declarations and attribute
//! names (found by the `envelope_xml_differential` fuzz target against roxmltree).

use cwmp_codec::{decode, DecodeErrorKind as K};

fn envelope(decl: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2" {decl}><soap:Body><cwmp:GetRPCMethods/></soap:Body></soap:Envelope>"#
    )
}

fn error_at(decl: &str) -> Option<(K, usize)> {
    let text = envelope(decl);
    decode(text.as_bytes()).err().map(|e| (e.kind, e.offset))
}

#[test]
fn the_xml_prefix_may_be_declared_only_with_its_own_uri() {
    assert_eq!(
        error_at(r#"xmlns:xml="http://www.w3.org/XML/1998/namespace""#),
        None
    );
    let decl = r#"xmlns:xml="http://www.w3.org/2001/XMLSchema-instance""#;
    let at = envelope(decl).find("xmlns:xml").unwrap();
    assert_eq!(error_at(decl), Some((K::ReservedNamespace, at)));
}

#[test]
fn xmlns_is_never_declared_and_reserved_uris_take_no_other_prefix() {
    for decl in [
        r#"xmlns:xmlns="http://www.w3.org/2000/xmlns/""#,
        r#"xmlns:p="http://www.w3.org/XML/1998/namespace""#,
        r#"xmlns:p="http://www.w3.org/2000/xmlns/""#,
        r#"xmlns:p="http://www.w3.org/XML/1998/n&#97;mespace""#,
    ] {
        let at = envelope(decl).find(decl).unwrap();
        assert_eq!(error_at(decl), Some((K::ReservedNamespace, at)), "{decl}");
    }
    assert_eq!(
        error_at(r#"xmlns:p="http://www.w3.org/XML/1998/namespaces""#),
        None
    );
}

#[test]
fn an_attribute_name_has_at_most_one_colon_between_a_prefix_and_a_local_part() {
    for decl in [
        r#"xmlns:ss:xsd="urn:x""#,
        r#"a:b:c="1""#,
        r#":a="1""#,
        r#"a:="1""#,
    ] {
        let at = envelope(decl).find(decl).unwrap();
        assert_eq!(error_at(decl), Some((K::InvalidName, at)), "{decl}");
    }
}
