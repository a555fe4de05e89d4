//! The namespace context of lazily decoded arrays. A decoded array keeps only the offsets of
//! the start tags that declared the bindings in scope (up to three) and reads them again when
//! it is iterated; with more it reads the input from the start. These tests put the bindings
//! the items need on every element between the `Envelope` and the innermost array, shadow
//! them with decoys further out, and check that every item decodes as with the bindings all
//! on the `Envelope`, for one, two, ... six declaring elements (both ways of rebuilding).

#![allow(clippy::panic, clippy::unwrap_used)]

use cwmp_codec::{decode, Body};

const CWMP: &str = "urn:dslforum-org:cwmp-1-2";

/// The levels: 0 Envelope, 1 Body, 2 SetParameterAttributes, 3 ParameterList,
/// 4 SetParameterAttributesStruct, 5 AccessList.
struct Layout {
    /// Where `p` (the struct members' prefix) is bound to the CWMP namespace; a decoy binds it
    /// to a foreign namespace at level 0 when this is deeper.
    p: usize,
    /// Where `q` (the AccessList members' prefix) is bound.
    q: usize,
    /// Where the default namespace becomes CWMP's (for the unprefixed `Notification`); a
    /// foreign default is declared at level 0 when this is deeper.
    default: usize,
    /// Every level also declares a namespace of its own, so that all six declare something.
    fill: bool,
}

fn decls(l: &Layout, level: usize) -> String {
    let mut d = String::new();
    if l.fill {
        d += &format!(r#" xmlns:f{level}="urn:filler:{level}""#);
    }
    if level == l.p {
        d += &format!(r#" xmlns:p="{CWMP}""#);
    } else if level == 0 {
        d += r#" xmlns:p="urn:foreign""#;
    }
    if level == l.q {
        d += &format!(r#" xmlns:q="{CWMP}""#);
    }
    if level == l.default {
        d += &format!(r#" xmlns="{CWMP}""#);
    } else if level == 0 {
        d += r#" xmlns="urn:foreign""#;
    }
    d
}

fn envelope(l: &Layout) -> String {
    let item = |name: &str, n: u8, list: &[&str]| {
        let strings: String = list
            .iter()
            .map(|s| format!("<q:string>{s}</q:string>"))
            .collect();
        format!(
            r#"<p:SetParameterAttributesStruct{d4}><p:Name>{name}</p:Name><p:NotificationChange>1</p:NotificationChange><Notification>{n}</Notification><p:AccessListChange>1</p:AccessListChange><p:AccessList soap-enc:arrayType="xsd:string[{len}]"{d5}>{strings}</p:AccessList></p:SetParameterAttributesStruct>"#,
            d4 = decls(l, 4),
            d5 = decls(l, 5),
            len = list.len(),
        )
    };
    format!(
        r#"<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"{d0}><soap-env:Body{d1}><c:SetParameterAttributes xmlns:c="{CWMP}"{d2}><c:ParameterList soap-enc:arrayType="c:SetParameterAttributesStruct[2]"{d3}>{a}{b}</c:ParameterList><c:ParameterKey>k</c:ParameterKey></c:SetParameterAttributes></soap-env:Body></soap-env:Envelope>"#,
        d0 = decls(l, 0),
        d1 = decls(l, 1),
        d2 = decls(l, 2),
        d3 = decls(l, 3),
        a = item("Device.A.", 2, &["Subscriber"]),
        b = item("Device.B.", 1, &["x", "y"]),
    )
}

/// Every item's fields, and every AccessList member, as decoded.
fn walk(text: &str) -> Vec<String> {
    let env = decode(text.as_bytes()).unwrap_or_else(|e| panic!("{e:?} in {text}"));
    assert_eq!(env.schema_deviation, None, "{text}");
    let Body::SetParameterAttributes(m) = &env.body else {
        panic!("{:?}", env.body.method_name())
    };
    let mut out = Vec::new();
    for s in m.parameter_list.iter() {
        out.push(format!(
            "{} {} {} {}",
            s.name, s.notification_change, s.notification, s.access_list_change
        ));
        for a in s.access_list.iter() {
            out.push(format!("  {a}"));
        }
    }
    out
}

#[test]
fn arrays_read_their_items_in_the_namespace_context_they_were_decoded_in() {
    let want = vec![
        "Device.A. true 2 true",
        "  Subscriber",
        "Device.B. true 1 true",
        "  x",
        "  y",
    ];
    let mut checked = 0;
    for fill in [false, true] {
        for p in 0..=4 {
            for q in 0..=5 {
                for default in 0..=4 {
                    let l = Layout {
                        p,
                        q,
                        default,
                        fill,
                    };
                    let text = envelope(&l);
                    assert_eq!(
                        walk(&text),
                        want,
                        "p {p} q {q} default {default} fill {fill}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 5 * 6 * 5);
}

/// A decoy bound on an element that is closed before the array (a sibling's) is out of
/// scope for the array's items, also when the context is rebuilt from the start.
#[test]
fn bindings_of_closed_elements_stay_out_of_an_arrays_context() {
    for fill in [false, true] {
        let l = Layout {
            p: 4,
            q: 5,
            default: 4,
            fill,
        };
        let text = envelope(&l).replace(
            "<soap-env:Body",
            r#"<soap-env:Header xmlns:p="urn:other" xmlns:q="urn:other"><x:Y xmlns:x="urn:x" xmlns="urn:other"/></soap-env:Header><soap-env:Body"#,
        );
        assert_eq!(walk(&text).len(), 5, "fill {fill}");
    }
}

/// Declarations written with single quotes, white space around `=` and line breaks between
/// attributes are read back the same (the rebuild splits the validated tags itself).
#[test]
fn declarations_in_any_attribute_syntax_are_read_back() {
    let want = walk(&envelope(&Layout {
        p: 0,
        q: 0,
        default: 0,
        fill: false,
    }));
    for (p, q, default) in [(4, 5, 4), (2, 3, 1), (3, 5, 2)] {
        let text = envelope(&Layout {
            p,
            q,
            default,
            fill: false,
        })
        .replace(
            &format!(r#" xmlns:p="{CWMP}""#),
            &format!("\n\txmlns:p = '{CWMP}'"),
        )
        .replace(
            &format!(r#" xmlns:q="{CWMP}""#),
            &format!("\r\n xmlns:q\n=\"{CWMP}\" "),
        )
        .replace(
            &format!(r#" xmlns="{CWMP}""#),
            &format!(" xmlns\t='{CWMP}'"),
        );
        assert_eq!(walk(&text), want, "{text}");
    }
}
