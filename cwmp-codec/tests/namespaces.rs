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

/// Namespaces in XML 1.0 §3: the local part of a QName is an NCName, so it starts with a
/// NameStartChar; `xmlns:-soenapc` and `<a:1b>` are XML Names but not QNames (found by
/// `envelope_xml_differential`, `regressions/envelope_xml_differential/local-part-starts-with-hyphen`).
#[test]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
fn a_local_part_starts_with_a_name_start_character() {
    let env = |decl: &str, el: &str| {
        format!(
            "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" {decl}><soap-env:Body>{el}\
             </soap-env:Body></soap-env:Envelope>"
        )
    };
    let ok = "<cwmp:GetRPCMethods/>";
    let bad = env("xmlns:-soenapc=\"urn:x\"", ok);
    let e = cwmp_codec::decode(bad.as_bytes()).unwrap_err();
    assert_eq!(e.kind, cwmp_codec::DecodeErrorKind::InvalidName, "{bad}");
    assert_eq!(&bad[e.offset..e.offset + 1], "-", "{bad}");
    let bad = env("", "<cwmp:1GetRPCMethods/>");
    let e = cwmp_codec::decode(bad.as_bytes()).unwrap_err();
    assert_eq!(e.kind, cwmp_codec::DecodeErrorKind::InvalidName, "{bad}");
    for fine in [
        env("xmlns:_x=\"urn:x\"", ok),
        env("xmlns:s-1=\"urn:x\"", ok),
    ] {
        cwmp_codec::decode(fine.as_bytes()).unwrap_or_else(|e| panic!("{fine}: {e:?}"));
    }
}
