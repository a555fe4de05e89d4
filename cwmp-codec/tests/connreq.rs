//! Connection Request wire formats: UDP Connection Request (Annex G), STUN (G.2.1), XMPP
//! Connection Request (Annex K, validated against the BBF XSD) and the UDP Lightweight
//! Notification (Annex M, validated against the BBF XSD).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cwmp_codec::connreq::lwn::{
    LwnDecodeErrorKind, LwnDigest, LwnEncodeError, LwnMessage, LwnNotification, LwnParam,
};
use cwmp_codec::connreq::stun::{
    classify_datagram, BindingRequest, DatagramKind, StunAddress, StunErrorKind, StunMessage,
    ATTR_MAPPED_ADDRESS, BINDING_ERROR_RESPONSE, BINDING_RESPONSE,
};
use cwmp_codec::connreq::udp::{
    signature, UdpConnectionRequest, UdpCrErrorKind, UdpCrMessage, UdpRejectReason, UdpReplayGuard,
    UdpVerdict,
};
use cwmp_codec::connreq::xmpp::{
    encode_reply, reply_len, IqHeader, IqType, XmppConnectionRequest, XmppErrorKind,
    XmppRejectReason, XmppReply,
};
use cwmp_codec::http::auth::Credentials;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::Value;

const ANNEX_G_URL: &str = "http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=3545F7B5820D76A3DF45A3A509DA8D8C38F13512";

fn datagram(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 10.1.1.1:8080\r\n\r\n").into_bytes()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

// ---------------------------------------------------------------- UDP Connection Request

#[test]
fn annex_g_example_url_decodes() {
    let d = datagram(ANNEX_G_URL);
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(r.authority, "10.1.1.1:8080");
    assert_eq!((r.ts, r.id), (1_120_673_700, 1234));
    assert!(r.username.eq_bytes(b"CPE57689"));
    assert!(r.cnonce.eq_bytes(b"XTGRWIPC6D3IPXS3"));
    assert_eq!(
        hex(&r.signature),
        "3545F7B5820D76A3DF45A3A509DA8D8C38F13512"
    );
    // The example's password is not given; "password" is not it.
    assert!(!r.signature_valid(b"password"));
    assert_eq!(
        hex(&r.expected_signature(b"password")),
        "F749EE6D9E3BC469FB709EAD2A75EE7535F58552"
    );
}

#[test]
fn digest_illustrative_vector_and_lowercase_sig() {
    let s = signature(
        b"1120673700",
        b"1234",
        b"CPE57689",
        b"XTGRWIPC6D3IPXS3",
        b"password",
    );
    assert_eq!(hex(&s), "F749EE6D9E3BC469FB709EAD2A75EE7535F58552");
    let url = "HTTP://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=f749ee6d9e3bc469fb709ead2a75ee7535f58552";
    let d = datagram(url);
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert!(r.signature_valid(b"password"));
    let mut g = UdpReplayGuard::new();
    let creds = Credentials {
        username: "CPE57689",
        password: "password",
    };
    assert_eq!(g.verify(&r, &creds), UdpVerdict::Accepted);
    assert_eq!(g.last_accepted_ts(), Some(1_120_673_700));
    // The ACS sends identical copies.
    assert_eq!(g.verify(&r, &creds), UdpVerdict::Duplicate);
    assert_eq!(g.verify(&r, &creds), UdpVerdict::Duplicate);
}

#[test]
fn encoder_round_trip_with_percent_encoding_and_extra_params() {
    let m = UdpCrMessage {
        authority: HostHeader {
            host: "192.0.2.7",
            port: Some(49152),
        },
        ts: 1_700_000_000,
        id: 42,
        username: "cpe user+1&x=y",
        cnonce: "n/o%nce",
    };
    let mut buf = [0u8; 512];
    let mut w: &mut [u8] = &mut buf;
    m.encode(b"s3cret", &mut w).unwrap();
    let n = 512 - w.len();
    assert_eq!(n, m.encoded_len());
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    assert!(
        text.starts_with("GET http://192.0.2.7:49152?ts=1700000000&id=42&un=cpe%20user%2B1%26x%3Dy&cn=n%2Fo%25nce&sig="),
        "{text}"
    );
    assert!(text.ends_with(" HTTP/1.1\r\nHost: 192.0.2.7:49152\r\n\r\n"));
    let r = UdpConnectionRequest::decode(&buf[..n]).unwrap();
    assert!(r.username.eq_bytes(b"cpe user+1&x=y"));
    assert!(r.signature_valid(b"s3cret"));
    assert!(!r.signature_valid(b"s3creT"));

    // Extra parameters anywhere, a trailing slash path, '+' for space, a body: all ignored.
    let target = format!(
        "http://192.0.2.7:49152/?x=1&ts=1700000000&foo&id=42&un=cpe+user%2B1%26x%3Dy&cn=n%2Fo%25nce&sig={}&zz=%%",
        hex(&m.signature(b"s3cret"))
    );
    let d = format!("GET {target} HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    let r = UdpConnectionRequest::decode(d.as_bytes()).unwrap();
    assert!(r.signature_valid(b"s3cret"));
}

#[test]
fn replay_guard_rules() {
    let creds = Credentials {
        username: "u",
        password: "p",
    };
    let mk = |ts: u64, id: u64, un: &str| {
        let m = UdpCrMessage {
            authority: HostHeader::new("h"),
            ts,
            id,
            username: un,
            cnonce: "c",
        };
        let mut v = Vec::new();
        m.encode(b"p", &mut v).unwrap();
        v
    };
    let mut g = UdpReplayGuard::restore(Some(100));
    let d = mk(100, 1, "u");
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(
        g.verify(&r, &creds),
        UdpVerdict::Rejected(UdpRejectReason::Timestamp)
    );
    let d = mk(101, 1, "u");
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(g.verify(&r, &creds), UdpVerdict::Accepted);
    let d = mk(102, 1, "u");
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(
        g.verify(&r, &creds),
        UdpVerdict::Rejected(UdpRejectReason::MessageId)
    );
    let d = mk(103, 2, "x");
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(
        g.verify(&r, &creds),
        UdpVerdict::Rejected(UdpRejectReason::Username)
    );
    let other = Credentials {
        username: "u",
        password: "q",
    };
    let d = mk(103, 2, "u");
    let r = UdpConnectionRequest::decode(&d).unwrap();
    assert_eq!(
        g.verify(&r, &other),
        UdpVerdict::Rejected(UdpRejectReason::Signature)
    );
    assert_eq!(g.last_accepted_ts(), Some(101));
    assert_eq!(g.verify(&r, &creds), UdpVerdict::Accepted);
    assert_eq!(g.last_accepted_id(), Some(2));
}

#[test]
fn malformed_udp_datagrams() {
    let sig = "3545F7B5820D76A3DF45A3A509DA8D8C38F13512";
    let ok_q = format!("ts=1&id=2&un=u&cn=c&sig={sig}");
    let cases: Vec<(Vec<u8>, UdpCrErrorKind)> = vec![
        (b"".to_vec(), UdpCrErrorKind::Truncated),
        (
            b"GET http://h?ts=1 HTTP/1.1\r\n".to_vec(),
            UdpCrErrorKind::Truncated,
        ),
        (
            format!("POST http://h?{ok_q} HTTP/1.1\r\n\r\n").into_bytes(),
            UdpCrErrorKind::Method,
        ),
        (
            format!("GET http://h?{ok_q} HTTP/1.0\r\n\r\n").into_bytes(),
            UdpCrErrorKind::Version,
        ),
        (datagram(&format!("/?{ok_q}")), UdpCrErrorKind::Target),
        (
            datagram(&format!("https://h?{ok_q}")),
            UdpCrErrorKind::Target,
        ),
        (
            datagram(&format!("http://h/cr?{ok_q}")),
            UdpCrErrorKind::Path,
        ),
        (datagram("http://h"), UdpCrErrorKind::MissingParameter),
        (
            datagram(&format!("http://h?ts=1&id=2&un=u&sig={sig}")),
            UdpCrErrorKind::MissingParameter,
        ),
        (
            datagram(&format!("http://h?{ok_q}&ts=3")),
            UdpCrErrorKind::DuplicateParameter,
        ),
        (
            datagram(&format!("http://h?ts=-1&id=2&un=u&cn=c&sig={sig}")),
            UdpCrErrorKind::Timestamp,
        ),
        (
            datagram(&format!(
                "http://h?ts=99999999999999999999&id=2&un=u&cn=c&sig={sig}"
            )),
            UdpCrErrorKind::Timestamp,
        ),
        (
            datagram(&format!("http://h?ts=1&id=x&un=u&cn=c&sig={sig}")),
            UdpCrErrorKind::MessageId,
        ),
        (
            datagram("http://h?ts=1&id=2&un=u&cn=c&sig=3545"),
            UdpCrErrorKind::Signature,
        ),
        (
            datagram(&format!(
                "http://h?ts=1&id=2&un=u&cn=c&sig={}",
                &sig.replace('F', "G")
            )),
            UdpCrErrorKind::Signature,
        ),
        (
            datagram(&format!("http://h?ts=1&id=2&un=%4&cn=c&sig={sig}")),
            UdpCrErrorKind::Query,
        ),
        (
            datagram(&format!("http://h?ts=1&id=2&un&cn=c&sig={sig}")),
            UdpCrErrorKind::Query,
        ),
        (
            b"\x00\x01\x00\x00garbage".to_vec(),
            UdpCrErrorKind::Head(cwmp_codec::http::HeadErrorKind::Token),
        ),
    ];
    for (d, kind) in cases {
        let e = UdpConnectionRequest::decode(&d).unwrap_err();
        assert_eq!(e.kind, kind, "{:?}", String::from_utf8_lossy(&d));
        assert!(e.offset <= d.len());
        assert!(!e.to_string().is_empty());
    }
    // Offsets point at the value at fault.
    let d = datagram(&format!("http://h?ts=1&id=x&un=u&cn=c&sig={sig}"));
    let e = UdpConnectionRequest::decode(&d).unwrap_err();
    assert_eq!(&d[e.offset..e.offset + 1], b"x");
}

// ---------------------------------------------------------------- STUN

#[test]
fn binding_request_bytes() {
    let r = BindingRequest::new([0xAA; 16]);
    let mut buf = [0u8; 64];
    let n = r.encode(&mut buf).unwrap();
    let mut want = vec![0x00, 0x01, 0x00, 0x18];
    want.extend_from_slice(&[0xAA; 16]);
    want.extend_from_slice(&[0xC0, 0x01, 0x00, 0x14]);
    want.extend_from_slice(b"dslforum.org/TR-111 ");
    assert_eq!(&buf[..n], &want[..]);

    let r = BindingRequest {
        binding_change: true,
        username: Some(b"stunuser"),
        ..BindingRequest::new([1; 16])
    };
    let n = r.encode(&mut buf).unwrap();
    assert_eq!(n, 20 + 24 + 4 + 12);
    assert_eq!(&buf[44..48], &[0xC0, 0x02, 0x00, 0x00]);
    assert_eq!(&buf[48..52], &[0x00, 0x06, 0x00, 0x08]);
    assert_eq!(&buf[52..60], b"stunuser");
    let m = StunMessage::decode(&buf[..n]).unwrap();
    assert!(m.is_binding_request() && m.connection_request_binding() && m.binding_change());
    assert_eq!(classify_datagram(&buf[..n]), DatagramKind::Stun);

    // BINDING-CHANGE only with CONNECTION-REQUEST-BINDING; too small a buffer.
    let bad = BindingRequest {
        connection_request_binding: false,
        binding_change: true,
        ..BindingRequest::new([0; 16])
    };
    assert_eq!(
        bad.encode(&mut buf).unwrap_err().kind,
        StunErrorKind::InvalidRequest
    );
    assert_eq!(
        BindingRequest::new([0; 16])
            .encode(&mut [0u8; 43])
            .unwrap_err()
            .kind,
        StunErrorKind::BufferTooSmall
    );
    // A plain keepalive from a secondary port: no attributes at all.
    let plain = BindingRequest {
        connection_request_binding: false,
        ..BindingRequest::new([0; 16])
    };
    assert_eq!(plain.encode(&mut buf).unwrap(), 20);
}

/// RFC 5769 §2.2, the Sample IPv4 Response: MESSAGE-INTEGRITY in the RFC 5389 form
/// (unpadded, FINGERPRINT after it) with the short-term password of the vectors. Our check
/// takes it, and refuses another password or a changed byte (G.2.1.1: a signed request's
/// response must carry a valid MESSAGE-INTEGRITY).
#[test]
fn message_integrity_of_the_rfc_5769_ipv4_response() {
    const RESPONSE: [u8; 80] = [
        0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6,
        0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76,
        0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1,
        0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
        0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00,
        0x04, 0xc0, 0x7d, 0x4c, 0x96,
    ];
    let m = StunMessage::decode(&RESPONSE).unwrap();
    assert!(m.is_binding_response());
    assert_eq!(
        m.public_address().unwrap().to_socket_addr(),
        "192.0.2.1:32853".parse().unwrap()
    );
    assert!(m.verify_message_integrity(b"VOkJxbRl1RmTxUk/WvJxBt"));
    assert!(!m.verify_message_integrity(b"VOkJxbRl1RmTxUk/WvJxBT"));
    let mut changed = RESPONSE;
    changed[47] ^= 1; // the mapped address
    assert!(!StunMessage::decode(&changed)
        .unwrap()
        .verify_message_integrity(b"VOkJxbRl1RmTxUk/WvJxBt"));
    // Without the attribute there is nothing to verify.
    let mut unsigned = RESPONSE[..48].to_vec();
    unsigned[3] = 28;
    assert!(!StunMessage::decode(&unsigned)
        .unwrap()
        .verify_message_integrity(b"VOkJxbRl1RmTxUk/WvJxBt"));
}

#[test]
fn binding_responses() {
    let tid = [0x5A; 16];
    // MAPPED-ADDRESS 203.0.113.9:40000
    let mut resp = vec![0x01, 0x01, 0x00, 0x0C];
    resp.extend_from_slice(&tid);
    resp.extend_from_slice(&[
        0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x9C, 0x40, 203, 0, 113, 9,
    ]);
    let m = StunMessage::decode(&resp).unwrap();
    assert_eq!(m.message_type, BINDING_RESPONSE);
    let want = StunAddress::V4 {
        ip: [203, 0, 113, 9],
        port: 40000,
    };
    assert_eq!(m.mapped_address(), Some(want));
    assert_eq!(m.public_address(), Some(want));
    assert_eq!(
        m.public_address().unwrap().to_socket_addr().to_string(),
        "203.0.113.9:40000"
    );
    assert_eq!(m.attribute(ATTR_MAPPED_ADDRESS).unwrap().len(), 8);

    // XOR-MAPPED-ADDRESS of the same address (RFC 5389 §15.2).
    let xport = 40000u16 ^ 0x2112;
    let xip = u32::from_be_bytes([203, 0, 113, 9]) ^ 0x2112_A442;
    let mut resp = vec![0x01, 0x01, 0x00, 0x0C];
    resp.extend_from_slice(&tid);
    resp.extend_from_slice(&[0x00, 0x20, 0x00, 0x08, 0x00, 0x01]);
    resp.extend_from_slice(&xport.to_be_bytes());
    resp.extend_from_slice(&xip.to_be_bytes());
    let m = StunMessage::decode(&resp).unwrap();
    assert_eq!(m.xor_mapped_address(), Some(want));
    assert_eq!(m.mapped_address(), None);

    // Binding Error Response 401 Unauthorized.
    let mut err = vec![0x01, 0x11, 0x00, 0x14];
    err.extend_from_slice(&tid);
    err.extend_from_slice(&[0x00, 0x09, 0x00, 0x10, 0, 0, 4, 1]);
    err.extend_from_slice(b"Unauthorized");
    let m = StunMessage::decode(&err).unwrap();
    assert_eq!(m.message_type, BINDING_ERROR_RESPONSE);
    let e = m.error_code().unwrap();
    assert_eq!(e.code, 401);
    assert_eq!(e.reason, b"Unauthorized");
}

#[test]
fn malformed_stun_and_demux() {
    let tid = [0u8; 16];
    let hdr = |t: u16, len: u16| {
        let mut v = t.to_be_bytes().to_vec();
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&tid);
        v
    };
    assert_eq!(
        StunMessage::decode(&[0, 1, 0]).unwrap_err().kind,
        StunErrorKind::TooShort
    );
    assert_eq!(
        StunMessage::decode(&hdr(0xC001, 0)).unwrap_err().kind,
        StunErrorKind::NotStun
    );
    assert_eq!(
        StunMessage::decode(&hdr(1, 4)).unwrap_err().kind,
        StunErrorKind::Length
    );
    let mut v = hdr(0x0101, 4);
    v.extend_from_slice(&[0, 1, 0, 8]);
    assert_eq!(
        StunMessage::decode(&v).unwrap_err().kind,
        StunErrorKind::AttributeLength
    );
    let mut v = hdr(0x0101, 8);
    v.extend_from_slice(&[0, 1, 0, 4, 0, 3, 0, 0]);
    let e = StunMessage::decode(&v).unwrap_err();
    assert_eq!((e.kind, e.offset), (StunErrorKind::AttributeValue, 20));
    let mut v = hdr(0x0111, 4);
    v.extend_from_slice(&[0, 9, 0, 0]);
    assert_eq!(
        StunMessage::decode(&v).unwrap_err().kind,
        StunErrorKind::AttributeValue
    );
    assert_eq!(
        classify_datagram(b"GET http://"),
        DatagramKind::ConnectionRequest
    );
    assert_eq!(classify_datagram(&[0x00, 0x01]), DatagramKind::Stun);
    assert_eq!(classify_datagram(&[0x01, 0x01]), DatagramKind::Stun);
    assert_eq!(classify_datagram(b""), DatagramKind::Unknown);
    assert_eq!(classify_datagram(b"\x16\x03"), DatagramKind::Unknown);
}

// ---------------------------------------------------------------- XMPP

const FIGURE_19: &str = r#"<iq from="acs@example.com/cr" to="cpe@example.com/dev" id="cr001" type="get">
  <connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0">
    <username>username</username>
    <password>password</password>
  </connectionRequest>
</iq>"#;

fn creds() -> Credentials<'static> {
    Credentials {
        username: "username",
        password: "password",
    }
}

fn reply(iq: &IqHeader<'_>, r: XmppReply) -> String {
    let mut v = Vec::new();
    encode_reply(iq, r, &mut v).unwrap();
    assert_eq!(v.len(), reply_len(iq, r));
    String::from_utf8(v).unwrap()
}

#[test]
fn xmpp_figure_19_and_replies() {
    let r = XmppConnectionRequest::decode(FIGURE_19.as_bytes()).unwrap();
    assert_eq!(r.iq.kind, IqType::Get);
    assert!(r.iq.id.eq_str("cr001"));
    assert!(r.username.eq_str("username") && r.password.eq_str("password"));
    assert_eq!(r.check(&creds(), &[]), Ok(()));
    assert_eq!(r.check(&creds(), &["acs@example.com"]), Ok(()));
    assert_eq!(r.check(&creds(), &["acs@EXAMPLE.com/cr", "x@y"]), Ok(()));
    assert_eq!(
        r.check(&creds(), &["acs@example.com/other"]),
        Err(XmppRejectReason::JidNotAllowed)
    );
    let wrong_pw = Credentials {
        username: "username",
        password: "passwore",
    };
    assert_eq!(r.check(&wrong_pw, &[]), Err(XmppRejectReason::Password));
    let wrong_user = Credentials {
        username: "user",
        password: "password",
    };
    assert_eq!(r.check(&wrong_user, &[]), Err(XmppRejectReason::Username));
    assert_eq!(
        reply(&r.iq, XmppReply::Result),
        r#"<iq from="cpe@example.com/dev" to="acs@example.com/cr" id="cr001" type="result"/>"#
    );
    assert_eq!(
        reply(&r.iq, XmppRejectReason::JidNotAllowed.reply()),
        r#"<iq from="cpe@example.com/dev" to="acs@example.com/cr" id="cr001" type="error"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    );
    assert_eq!(
        reply(&r.iq, XmppRejectReason::Password.reply()),
        r#"<iq from="cpe@example.com/dev" to="acs@example.com/cr" id="cr001" type="error"><error type="cancel"><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#
    );
}

#[test]
fn xmpp_tolerated_forms() {
    for s in [
        // jabber:client default namespace, prefixed connectionRequest with qualified children.
        r#"<iq xmlns="jabber:client" id="a1" type="get" from="acs@x"><c:connectionRequest xmlns:c="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><c:username>username</c:username><c:password>password</c:password></c:connectionRequest></iq>"#,
        // Unqualified children (prefix slip), reversed order, XML declaration.
        r#"<?xml version="1.0"?><iq id='a2' type='get'><c:connectionRequest xmlns:c="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><password>password</password><username>username</username></c:connectionRequest></iq>"#,
        // Escaped values.
        r#"<iq id="a&amp;3" type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username>user&#110;ame</username><password><![CDATA[password]]></password></connectionRequest></iq>"#,
    ] {
        let r = XmppConnectionRequest::decode(s.as_bytes()).unwrap_or_else(|e| panic!("{e}: {s}"));
        assert_eq!(r.check(&creds(), &[]), Ok(()), "{s}");
    }
    let r = XmppConnectionRequest::decode(
        br#"<iq id="a&amp;3" type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username>u</username><password>p</password></connectionRequest></iq>"#,
    )
    .unwrap();
    // No from/to: the reply carries neither; the id is re-escaped.
    assert_eq!(
        reply(&r.iq, XmppReply::Result),
        r#"<iq id="a&amp;3" type="result"/>"#
    );
    assert_eq!(
        r.check(&creds(), &["acs@x"]),
        Err(XmppRejectReason::JidNotAllowed)
    );
}

#[test]
fn xmpp_errors() {
    let ns = "urn:broadband-forum-org:cwmp:xmppConnReq-1-0";
    let cases: Vec<(String, XmppErrorKind)> = vec![
        (
            FIGURE_19.replace("type=\"get\"", "type=\"set\""),
            XmppErrorKind::NotGet,
        ),
        (
            FIGURE_19.replace("type=\"get\"", ""),
            XmppErrorKind::InvalidIq,
        ),
        (
            FIGURE_19.replace("id=\"cr001\"", ""),
            XmppErrorKind::InvalidIq,
        ),
        (
            r#"<iq id="1" type="get"><ping xmlns="urn:xmpp:ping"/></iq>"#.into(),
            XmppErrorKind::NotConnectionRequest,
        ),
        (
            r#"<iq id="1" type="get"/>"#.into(),
            XmppErrorKind::NotConnectionRequest,
        ),
        (
            r#"<message id="1"><body>hi</body></message>"#.into(),
            XmppErrorKind::NotIq,
        ),
        (
            FIGURE_19.replace(ns, "urn:broadband-forum-org:cwmp:xmppConnReq-2-0"),
            XmppErrorKind::UnsupportedNamespace,
        ),
        (
            FIGURE_19.replace("<password>password</password>", ""),
            XmppErrorKind::InvalidConnectionRequest,
        ),
        (
            FIGURE_19.replace("<password>", "<password>a</password><password>"),
            XmppErrorKind::InvalidConnectionRequest,
        ),
        (
            FIGURE_19.replace("<password>", "<extra/><password>"),
            XmppErrorKind::InvalidConnectionRequest,
        ),
        (
            FIGURE_19.replace("</connectionRequest>", "</connectionRequest><more/>"),
            XmppErrorKind::InvalidConnectionRequest,
        ),
        (
            FIGURE_19.replace("<username>username", "<username>user<b/>name"),
            XmppErrorKind::Xml(cwmp_codec::DecodeErrorKind::UnexpectedElement),
        ),
        (
            format!("<!DOCTYPE x [<!ENTITY a 'b'>]>{FIGURE_19}"),
            XmppErrorKind::Xml(cwmp_codec::DecodeErrorKind::DoctypeNotAllowed),
        ),
        (
            FIGURE_19.replace("</iq>", ""),
            XmppErrorKind::Xml(cwmp_codec::DecodeErrorKind::UnexpectedEof),
        ),
    ];
    for (s, kind) in cases {
        let e = XmppConnectionRequest::decode(s.as_bytes()).unwrap_err();
        assert_eq!(e.kind, kind, "{s}");
        assert!(e.offset <= s.len());
    }
    // The unsupported namespace still gets its service-unavailable reply.
    let s = FIGURE_19.replace(ns, "urn:other");
    let e = XmppConnectionRequest::decode(s.as_bytes()).unwrap_err();
    assert_eq!(e.kind.reply(), Some(XmppReply::ServiceUnavailable));
    let iq = IqHeader::decode(s.as_bytes()).unwrap();
    assert!(reply(&iq, XmppReply::ServiceUnavailable).contains("<service-unavailable "));
    assert_eq!(XmppErrorKind::NotGet.reply(), None);
}

fn xsd_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/xsd");
    if !d.join("cwmp-xmppConnReq-1-0.xsd").exists() {
        println!("skipping: ../shared/spec/xsd is absent");
        return None;
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("skipping: xmllint is not installed (Debian package libxml2-utils)");
        return None;
    }
    Some(d)
}

fn xmllint(dir: &Path, schema: &str, name: &str, xml: &[u8]) -> Result<(), String> {
    let tmp = std::env::temp_dir().join(format!("cwmp-connreq-{}-{name}.xml", std::process::id()));
    std::fs::write(&tmp, xml).unwrap();
    let out = Command::new("xmllint")
        .env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.join(schema))
        .arg(&tmp)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&tmp);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The `connectionRequest` element of a stanza.
fn payload(stanza: &str) -> &str {
    let s = stanza.find("<connectionRequest").unwrap();
    let e = stanza.rfind("</connectionRequest>").unwrap() + "</connectionRequest>".len();
    &stanza[s..e]
}

#[test]
fn xmpp_stanzas_valid_against_xsd() {
    let Some(dir) = xsd_dir() else { return };
    let schema = "cwmp-xmppConnReq-1-0.xsd";
    // Encoded (ACS side), with characters that need escaping, and decoded back.
    let req = XmppConnectionRequest::new(
        "cr-7",
        Some("acs@example.com/cr"),
        Some("cpe@example.com/dev"),
        "user<&>",
        "pa\"ss'",
    );
    let mut v = Vec::new();
    req.encode(&mut v).unwrap();
    assert_eq!(v.len(), req.encoded_len());
    let text = String::from_utf8(v).unwrap();
    xmllint(&dir, schema, "encoded", payload(&text).as_bytes()).unwrap();
    let back = XmppConnectionRequest::decode(text.as_bytes()).unwrap();
    assert!(back.username.eq_str("user<&>") && back.password.eq_str("pa\"ss'"));
    assert_eq!(back.iq, req.iq);
    // Figure 19 as received, and every tolerated-but-valid form the decoder accepts.
    xmllint(&dir, schema, "fig19", payload(FIGURE_19).as_bytes()).unwrap();
    // And the schema rejects what the decoder rejects.
    let bad = FIGURE_19.replace("<password>password</password>", "");
    assert!(XmppConnectionRequest::decode(bad.as_bytes()).is_err());
    assert!(xmllint(&dir, schema, "bad", payload(&bad).as_bytes()).is_err());
    let extra = FIGURE_19.replace("<password>", "<extra/><password>");
    assert!(xmllint(&dir, schema, "extra", payload(&extra).as_bytes()).is_err());
}

// ---------------------------------------------------------------- Lightweight Notification

fn m26() -> LwnNotification<'static> {
    LwnNotification {
        host: HostHeader::new("acs.server.com"),
        ts: 1_120_673_700,
        username: "ACS57689",
        cnonce: "XTGRWIPC6D3IPXS3",
        oui: "00D09E",
        product_class: "",
        serial_number: "134SS03013",
    }
}

fn m26_params() -> [LwnParam<'static>; 2] {
    [
        LwnParam::new(
            "Device.ManagementServer.PeriodicInformEnable",
            Value::Boolean(false),
        ),
        LwnParam::new(
            "Device.ManagementServer.PeriodicInformInterval",
            Value::UnsignedInt(60),
        ),
    ]
}

#[test]
fn lwn_encode_decode_verify() {
    let params = m26_params();
    for digest in [LwnDigest::Sha1, LwnDigest::Sha256] {
        let mut buf = [0u8; 1500];
        let n = m26()
            .encode(&params[..], b"acs-pw", digest, &mut buf)
            .unwrap();
        let d = &buf[..n];
        let text = std::str::from_utf8(d).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(lines[0], "POST / HTTP/1.1");
        assert_eq!(lines[1], "Host: acs.server.com");
        assert_eq!(lines[2], "Content-Type: text/xml; charset=utf-8");
        assert_eq!(lines[3], format!("Content-Length: {}", body.len()));
        let sig = lines[4].strip_prefix("Signature: ").unwrap();
        assert_eq!(sig.len(), digest.hex_len());
        assert_eq!(lines.len(), 5, "exactly four headers (M.2.3)");
        assert!(body.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><Notification xmlns="urn:broadband-forum-org:cwmp:lwnotif-1-0""#));
        assert!(body.contains("<TS>1120673700</TS><UN>ACS57689</UN><CN>XTGRWIPC6D3IPXS3</CN><OUI>00D09E</OUI><ProductClass></ProductClass><SerialNumber>134SS03013</SerialNumber>"));
        assert!(body.contains(r#"<Param><Name>Device.ManagementServer.PeriodicInformEnable</Name><Value xsi:type="xsd:boolean">0</Value></Param>"#));

        let m = LwnMessage::decode(d).unwrap();
        assert_eq!(m.ts, 1_120_673_700);
        assert!(m.username.eq_str("ACS57689") && m.oui.eq_str("00D09E"));
        assert_eq!(m.param_count, 2);
        let got: Vec<_> = m.params().collect();
        assert_eq!(got, params.to_vec());
        assert!(m.verify(b"acs-pw", digest));
        assert!(!m.verify(b"acs-pW", digest));
        let other = match digest {
            LwnDigest::Sha1 => LwnDigest::Sha256,
            LwnDigest::Sha256 => LwnDigest::Sha1,
        };
        assert!(!m.verify(b"acs-pw", other));
        // One flipped body byte breaks the signature.
        let mut t = d.to_vec();
        let at = m.body_offset() + body.find("60<").unwrap();
        t[at] = b'7';
        assert!(!LwnMessage::decode(&t).unwrap().verify(b"acs-pw", digest));
        // Lower-case signature is accepted (case-insensitive).
        let lower = text.replace(sig, &sig.to_ascii_lowercase());
        assert!(LwnMessage::decode(lower.as_bytes())
            .unwrap()
            .verify(b"acs-pw", digest));
    }
}

#[test]
fn lwn_buffer_too_small_says_how_many_fit() {
    let names: Vec<String> = (0..40)
        .map(|i| format!("Device.X_TEST.Counter.{i}.Value"))
        .collect();
    let params: Vec<LwnParam<'_>> = names
        .iter()
        .map(|n| LwnParam::new(n, Value::UnsignedLong(1234)))
        .collect();
    let mut small = [0u8; 1200];
    let Err(LwnEncodeError::BufferTooSmall {
        needed,
        params_that_fit,
    }) = m26().encode(&params[..], b"k", LwnDigest::Sha1, &mut small)
    else {
        panic!("expected BufferTooSmall");
    };
    assert!(needed > 1200 && params_that_fit > 0 && params_that_fit < 40);
    let n = m26()
        .encode(
            &params[..params_that_fit],
            b"k",
            LwnDigest::Sha1,
            &mut small,
        )
        .unwrap();
    assert!(n <= 1200);
    assert!(matches!(
        m26().encode(
            &params[..params_that_fit + 1],
            b"k",
            LwnDigest::Sha1,
            &mut small
        ),
        Err(LwnEncodeError::BufferTooSmall { .. })
    ));
    let m = LwnMessage::decode(&small[..n]).unwrap();
    assert_eq!(m.params().count(), params_that_fit);
    let mut big = vec![0u8; needed];
    assert_eq!(
        m26().encode(&params[..], b"k", LwnDigest::Sha1, &mut big),
        Ok(needed)
    );
    let none: [LwnParam<'_>; 0] = [];
    assert_eq!(
        m26().encode(&none[..], b"k", LwnDigest::Sha1, &mut big),
        Err(LwnEncodeError::NoParams)
    );
    assert_eq!(
        m26().encode(&params[..1], b"k", LwnDigest::Sha1, &mut [0u8; 10]),
        Err(LwnEncodeError::BufferTooSmall {
            needed: m26()
                .encode(&params[..1], b"k", LwnDigest::Sha1, &mut big)
                .unwrap(),
            params_that_fit: 0
        })
    );
    let bad_text = [LwnParam::new("a\u{1}b", Value::Boolean(true))];
    assert_eq!(
        m26().encode(&bad_text[..], b"k", LwnDigest::Sha1, &mut big),
        Err(LwnEncodeError::InvalidValue)
    );
}

#[test]
fn lwn_annex_m_example_decodes() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Notification xmlns="urn:broadband-forum-org:cwmp:lwnotif-1-0"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <TS>1120673700</TS>
    <UN>ACS57689</UN>
    <CN>XTGRWIPC6D3IPXS3</CN>
    <OUI>00D09E</OUI>
    <ProductClass></ProductClass>
    <SerialNumber>134SS03013</SerialNumber>
    <Param>
        <Name>Device.ManagementServer.PeriodicInformEnable</Name>
        <Value xsi:type="xs:boolean">false</Value>
    </Param>
    <Param>
        <Name>Device.ManagementServer.PeriodicInformInterval</Name>
        <Value xsi:type="xs:unsignedInt">60</Value>
    </Param>
</Notification>"#;
    let d = format!(
        "POST / HTTP/1.1\r\nHost: acs.server.com\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nSignature: 42A424FB0C4938BBF08259514C64ABFC1E74C61F\r\n\r\n{body}",
        body.len()
    );
    let m = LwnMessage::decode(d.as_bytes()).unwrap();
    assert_eq!(m.params().collect::<Vec<_>>(), m26_params().to_vec());
    assert_eq!(m.host, Some(&b"acs.server.com"[..]));
    if let Some(dir) = xsd_dir() {
        xmllint(
            &dir,
            "cwmp-UDPLightweightNotification-1-0.xsd",
            "annexm",
            body.as_bytes(),
        )
        .unwrap();
    }
}

#[test]
fn lwn_body_valid_against_xsd() {
    let Some(dir) = xsd_dir() else { return };
    let params = [
        LwnParam::new("Device.A", Value::string("x<&>\"y")),
        LwnParam::new("Device.B", Value::Boolean(true)),
        LwnParam::new("Device.C", Value::Int(-5)),
        LwnParam::new("Device.D", Value::UnsignedLong(u64::MAX)),
    ];
    let mut buf = [0u8; 2048];
    let n = m26()
        .encode(&params[..], b"k", LwnDigest::Sha256, &mut buf)
        .unwrap();
    let m = LwnMessage::decode(&buf[..n]).unwrap();
    xmllint(
        &dir,
        "cwmp-UDPLightweightNotification-1-0.xsd",
        "lwn",
        m.body,
    )
    .unwrap();
    // The schema catches a bad OUI; the writer does not police it.
    let bad = LwnNotification {
        oui: "00d09e",
        ..m26()
    };
    let n = bad
        .encode(&params[..], b"k", LwnDigest::Sha1, &mut buf)
        .unwrap();
    let m = LwnMessage::decode(&buf[..n]).unwrap();
    assert!(xmllint(
        &dir,
        "cwmp-UDPLightweightNotification-1-0.xsd",
        "badoui",
        m.body
    )
    .is_err());
}

#[test]
fn malformed_lwn_datagrams() {
    let params = m26_params();
    let mut buf = [0u8; 1500];
    let n = m26()
        .encode(&params[..], b"k", LwnDigest::Sha1, &mut buf)
        .unwrap();
    let good = std::str::from_utf8(&buf[..n]).unwrap().to_string();
    let body_at = good.find("\r\n\r\n").unwrap() + 4;
    let cases: Vec<(String, LwnDecodeErrorKind)> = vec![
        (
            good[..body_at - 2].to_string(),
            LwnDecodeErrorKind::Truncated,
        ),
        (good[..n - 1].to_string(), LwnDecodeErrorKind::Truncated),
        (
            good.replace("POST /", "GET /"),
            LwnDecodeErrorKind::RequestLine,
        ),
        (
            good.replace("POST /", "POST /x"),
            LwnDecodeErrorKind::RequestLine,
        ),
        (
            good.replace("Signature: ", "Signature: 0"),
            LwnDecodeErrorKind::Signature,
        ),
        (
            good.replace("Signature: ", "X-Sig: "),
            LwnDecodeErrorKind::Signature,
        ),
        (
            good.replace("Content-Length", "X-Length"),
            LwnDecodeErrorKind::ContentLength,
        ),
        (
            good.replace("<TS>1120673700", "<TS>-1"),
            LwnDecodeErrorKind::Timestamp,
        ),
        (
            good.replace("<UN>", "<XX>").replace("</UN>", "</XX>"),
            LwnDecodeErrorKind::Schema,
        ),
        (
            good.replace(
                "Notification xmlns=\"urn:broadband-forum-org:cwmp:lwnotif-1-0\"",
                "Notification xmlns=\"urn:x\"",
            ),
            LwnDecodeErrorKind::NotNotification,
        ),
        (
            good.replace("<Name>", "<Nom>").replace("</Name>", "</Nom>"),
            LwnDecodeErrorKind::Schema,
        ),
        (
            good.replace("</Notification>", "</Notificatio>"),
            LwnDecodeErrorKind::Xml(cwmp_codec::DecodeErrorKind::MismatchedEndTag),
        ),
    ];
    for (d, kind) in cases {
        // Keep Content-Length consistent when the body changed length.
        let d = match d.find("\r\n\r\n") {
            Some(at)
                if kind != LwnDecodeErrorKind::Truncated
                    && kind != LwnDecodeErrorKind::ContentLength =>
            {
                let (h, b) = d.split_at(at + 4);
                let old = h
                    .split("Content-Length: ")
                    .nth(1)
                    .and_then(|r| r.split("\r\n").next())
                    .unwrap_or("");
                h.replacen(
                    &format!("Content-Length: {old}"),
                    &format!("Content-Length: {}", b.len()),
                    1,
                ) + b
            }
            _ => d,
        };
        let e = LwnMessage::decode(d.as_bytes()).unwrap_err();
        assert_eq!(e.kind, kind, "{d}");
        assert!(e.offset <= d.len());
    }
    // No Param at all.
    let start = good.find("<Param>").unwrap();
    let end = good.rfind("</Param>").unwrap() + 8;
    let body = good[body_at..].replace(&good[start..end], "");
    let d = format!(
        "POST / HTTP/1.1\r\nContent-Length: {}\r\nSignature: {}\r\n\r\n{body}",
        body.len(),
        "0".repeat(40)
    );
    assert_eq!(
        LwnMessage::decode(d.as_bytes()).unwrap_err().kind,
        LwnDecodeErrorKind::Schema
    );
}
