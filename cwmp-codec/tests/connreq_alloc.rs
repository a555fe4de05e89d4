//! A counting global allocator proves that the connection-request codecs (UDP CR, STUN, XMPP,
//! Lightweight Notification) decode, verify and encode without touching the heap. The counter
//! is per thread, so the harness's allocations on other threads do not count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_codec::connreq::lwn::{LwnDigest, LwnMessage, LwnNotification, LwnParam};
use cwmp_codec::connreq::stun::{classify_datagram, BindingRequest, StunMessage};
use cwmp_codec::connreq::udp::{UdpConnectionRequest, UdpCrMessage, UdpReplayGuard, UdpVerdict};
use cwmp_codec::connreq::xmpp::{encode_reply, XmppConnectionRequest, XmppReply};
use cwmp_codec::http::auth::Credentials;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::Value;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const STANZA: &[u8] = br#"<iq from="acs@example.com/cr" to="cpe@example.com/dev" id="c&amp;1" type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username>u&#115;er</username><password>pw</password></connectionRequest></iq>"#;

#[test]
fn connreq_codecs_allocate_nothing() {
    let creds = Credentials {
        username: "user",
        password: "pw",
    };
    let ((), n) = allocations(|| {
        // UDP: encode, decode, verify.
        let m = UdpCrMessage {
            authority: HostHeader {
                host: "10.1.1.1",
                port: Some(8080),
            },
            ts: 1_120_673_700,
            id: 1234,
            username: "user",
            cnonce: "c n%",
        };
        let mut buf = [0u8; 256];
        let mut w: &mut [u8] = &mut buf;
        m.encode(b"pw", &mut w).unwrap();
        let len = 256 - w.len();
        assert_eq!(len, m.encoded_len());
        assert_eq!(
            classify_datagram(&buf[..len]),
            cwmp_codec::connreq::stun::DatagramKind::ConnectionRequest
        );
        let r = UdpConnectionRequest::decode(&buf[..len]).unwrap();
        let mut g = UdpReplayGuard::new();
        assert_eq!(g.verify(&r, &creds), UdpVerdict::Accepted);
        assert!(UdpConnectionRequest::decode(b"GET http://h?ts=1 HTTP/1.1\r\n\r\n").is_err());

        // STUN.
        let req = BindingRequest {
            binding_change: true,
            username: Some(b"stun"),
            message_integrity: Some(b"stun-password"),
            ..BindingRequest::new([3; 16])
        };
        let mut sbuf = [0u8; 128];
        let sl = req.encode(&mut sbuf).unwrap();
        let sm = StunMessage::decode(&sbuf[..sl]).unwrap();
        assert!(sm.connection_request_binding() && sm.binding_change());
        assert_eq!(sm.attributes().count(), 4);
        assert!(sm.verify_message_integrity(b"stun-password"));

        // XMPP: decode (escaped values), check, reply.
        let x = XmppConnectionRequest::decode(STANZA).unwrap();
        assert_eq!(x.check(&creds, &["acs@example.com"]), Ok(()));
        let mut rbuf = [0u8; 256];
        let mut w: &mut [u8] = &mut rbuf;
        encode_reply(&x.iq, XmppReply::NotAuthorized, &mut w).unwrap();
        let mut w: &mut [u8] = &mut rbuf;
        x.encode(&mut w).unwrap();

        // LWN: encode, decode, verify, iterate.
        let params = [
            LwnParam::new("Device.A.B", Value::Boolean(true)),
            LwnParam::new("Device.A.C", Value::string("x&y")),
        ];
        let note = LwnNotification {
            host: HostHeader::new("acs"),
            ts: 1,
            username: "u",
            cnonce: "c",
            oui: "00D09E",
            product_class: "PC",
            serial_number: "SN",
        };
        let mut lbuf = [0u8; 1024];
        let ll = note
            .encode(&params[..], b"k", LwnDigest::Sha256, &mut lbuf)
            .unwrap();
        let lm = LwnMessage::decode(&lbuf[..ll]).unwrap();
        assert!(lm.verify(b"k", LwnDigest::Sha256));
        assert_eq!(lm.params().count(), 2);
        assert!(note
            .encode(&params[..], b"k", LwnDigest::Sha1, &mut lbuf[..100])
            .is_err());
    });
    assert_eq!(n, 0, "heap allocations in the connection-request codecs");
}
