//! Fuzz bodies for the connection-request parsers (`cwmp_codec::connreq`) and the
//! Connection Request server (`cwmp_core::connreq`). Each must never panic, and checks the
//! invariants it can: offsets within the input, re-encode/decode round trips, replies that
//! parse back.

use cwmp_codec::connreq::lwn::{LwnDigest, LwnMessage};
use cwmp_codec::connreq::stun::{classify_datagram, BindingRequest, DatagramKind, StunMessage};
use cwmp_codec::connreq::udp::{UdpConnectionRequest, UdpCrMessage, UdpReplayGuard};
use cwmp_codec::connreq::xmpp::{encode_reply, IqHeader, XmppConnectionRequest, XmppReply};
use cwmp_codec::http::auth::Credentials;
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_core::connreq::{ConnectionRequestServer, CrConfig, CrOutcome, InSessionPolicy};
use cwmp_core::{Duration, Instant, SplitMix64};

/// Every connection-request fuzz target: `(corpus directory name, body)`.
#[allow(clippy::type_complexity)]
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("connreq_udp", udp),
    ("connreq_stun", stun),
    ("connreq_xmpp", xmpp),
    ("connreq_lwn", lwn),
    ("connreq_server", server),
];

const CREDS: Credentials<'static> = Credentials {
    username: "cr-user",
    password: "cr-pass",
};

/// `UdpConnectionRequest::decode`, the replay guard, and a re-encode round trip.
pub fn udp(data: &[u8]) {
    let _ = classify_datagram(data);
    match UdpConnectionRequest::decode(data) {
        Err(e) => assert!(e.offset <= data.len().max(1)),
        Ok(r) => {
            let mut g = UdpReplayGuard::new();
            let _ = g.verify(&r, &CREDS);
            let _ = g.verify(&r, &CREDS);
            let mut un = [0u8; 512];
            let mut cn = [0u8; 512];
            let (Some(un), Some(cn)) = (
                r.username.decode_into(&mut un),
                r.cnonce.decode_into(&mut cn),
            ) else {
                return;
            };
            let (Ok(un), Ok(cn)) = (core::str::from_utf8(un), core::str::from_utf8(cn)) else {
                return;
            };
            let m = UdpCrMessage {
                authority: HostHeader::new("h"),
                ts: r.ts,
                id: r.id,
                username: un,
                cnonce: cn,
            };
            let mut buf = [0u8; 4096];
            let mut w: &mut [u8] = &mut buf;
            if m.encode(b"k", &mut w).is_ok() {
                let n = 4096 - w.len();
                let back =
                    UdpConnectionRequest::decode(&buf[..n]).expect("re-encoded request decodes");
                assert_eq!((back.ts, back.id), (r.ts, r.id));
                assert!(
                    back.username.eq_bytes(un.as_bytes()) && back.cnonce.eq_bytes(cn.as_bytes())
                );
                assert!(back.signature_valid(b"k"));
            }
        }
    }
}

/// `StunMessage::decode` and every accessor.
pub fn stun(data: &[u8]) {
    match StunMessage::decode(data) {
        Err(e) => assert!(e.offset <= data.len().max(20)),
        Ok(m) => {
            assert!(data.first().is_some_and(|&b| b < 0x40));
            if matches!(data.first(), Some(0 | 1)) {
                assert_eq!(classify_datagram(data), DatagramKind::Stun);
            }
            let total: usize = m.attributes().map(|a| a.value.len()).sum();
            assert!(total <= data.len());
            let _ = (
                m.mapped_address(),
                m.xor_mapped_address(),
                m.public_address(),
            );
            let _ = (
                m.error_code(),
                m.username(),
                m.connection_request_binding(),
                m.binding_change(),
            );
            // MESSAGE-INTEGRITY (G.2.1.1): any attribute is checked without panicking, and
            // a request signed with the same id and key verifies.
            let _ = m.verify_message_integrity(b"stun-secret");
            let signed = BindingRequest {
                binding_change: m.binding_change(),
                username: m.username(),
                message_integrity: Some(b"stun-secret"),
                ..BindingRequest::new(m.transaction_id)
            };
            let mut buf = [0u8; 700];
            if let Ok(n) = signed.encode(&mut buf) {
                let back = StunMessage::decode(&buf[..n]).expect("our request decodes");
                assert!(back.verify_message_integrity(b"stun-secret"));
                assert!(!back.verify_message_integrity(b"stun-secreT"));
            }
        }
    }
}

/// `XmppConnectionRequest::decode`, `check`, and replies that decode back.
pub fn xmpp(data: &[u8]) {
    let header = IqHeader::decode(data);
    match XmppConnectionRequest::decode(data) {
        Err(e) => {
            assert!(e.offset <= data.len());
            if e.kind.reply().is_some() {
                assert!(header.is_ok());
            }
        }
        Ok(r) => {
            let _ = r.check(&CREDS, &[]);
            let _ = r.check(&CREDS, &["acs@example.com", "example.org/x"]);
            for reply in [
                XmppReply::Result,
                XmppReply::ServiceUnavailable,
                XmppReply::NotAuthorized,
                XmppReply::BadRequest,
            ] {
                let mut buf = [0u8; 8192];
                let mut w: &mut [u8] = &mut buf;
                if encode_reply(&r.iq, reply, &mut w).is_ok() {
                    let n = 8192 - w.len();
                    let back = IqHeader::decode(&buf[..n]).expect("reply decodes");
                    assert_eq!(back.id, r.iq.id);
                    assert_eq!(back.from, r.iq.to);
                }
            }
            let mut buf = [0u8; 8192];
            let mut w: &mut [u8] = &mut buf;
            if r.encode(&mut w).is_ok() {
                let n = 8192 - w.len();
                let back =
                    XmppConnectionRequest::decode(&buf[..n]).expect("re-encoded request decodes");
                assert_eq!(back.iq, r.iq);
                assert_eq!((back.username, back.password), (r.username, r.password));
            }
        }
    }
}

/// `LwnMessage::decode`, `verify` and the param iterator.
pub fn lwn(data: &[u8]) {
    match LwnMessage::decode(data) {
        Err(e) => assert!(e.offset <= data.len()),
        Ok(m) => {
            let _ = m.verify(b"k", LwnDigest::Sha1);
            let _ = m.verify(b"k", LwnDigest::Sha256);
            assert_eq!(m.params().count(), m.param_count);
        }
    }
}

/// The Connection Request server fed the input as an HTTP request, a UDP datagram and an
/// XMPP stanza, under both Session policies; every HTTP answer parses as a response.
pub fn server(data: &[u8]) {
    let mut rng = SplitMix64::new(u64::from(data.first().copied().unwrap_or(0)));
    for policy in [InSessionPolicy::Coalesce, InSessionPolicy::Reject503] {
        let config = CrConfig {
            in_session: policy,
            ..CrConfig::new("/cr", CREDS.username, CREDS.password)
        };
        let mut s: ConnectionRequestServer = ConnectionRequestServer::new();
        let mut now = Instant::from_secs(1);
        for round in 0..3 {
            if round == 1 {
                s.session_started(now);
            }
            let mut out = [0u8; 1024];
            let mut w: &mut [u8] = &mut out;
            if let Ok(o) = s.handle_request(now, &config, data, &mut rng, &mut w) {
                let n = 1024 - w.len();
                if o == CrOutcome::Incomplete {
                    assert_eq!(n, 0);
                } else {
                    let mut h = [EMPTY_HEADER; 8];
                    let parsed = ResponseHead::parse(&out[..n], &mut h).expect("response parses");
                    assert!(matches!(parsed, Status::Complete(_)));
                }
            }
            let _ = s.handle_udp(now, &config, data);
            let mut w: &mut [u8] = &mut out;
            let _ = s.handle_xmpp(now, &config, data, &mut w);
            now = now + Duration::from_secs(40);
        }
        let _ = s.session_ended(now);
    }
}
