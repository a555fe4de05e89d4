//! A counting global allocator proves that the Connection Request server (HTTP with Digest,
//! UDP, XMPP) allocates nothing. The counter is per thread.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::codec::connreq::udp::UdpCrMessage;
use cwmp_core::codec::http::auth::{ClientAuth, Credentials};
use cwmp_core::codec::http::response::ResponseHead;
use cwmp_core::codec::http::url::HostHeader;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::connreq::{ConnectionRequestServer, CrConfig, CrOutcome};
use cwmp_core::{Instant, SplitMix64};

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

/// Appends `Authorization: <value>\r\n\r\n` to a request line in a fixed buffer.
fn request(buf: &mut [u8; 1024], auth: Option<&str>) -> usize {
    let mut n = 0;
    let mut put = |b: &[u8]| {
        buf[n..n + b.len()].copy_from_slice(b);
        n += b.len();
    };
    put(b"GET /cr/x?y=1 HTTP/1.1\r\nHost: cpe\r\n");
    if let Some(a) = auth {
        put(b"Authorization: ");
        put(a.as_bytes());
        put(b"\r\n");
    }
    put(b"\r\n");
    n
}

#[test]
fn server_allocates_nothing() {
    let config = CrConfig::new("/cr/x", "u", "p");
    let creds = Credentials {
        username: "u",
        password: "p",
    };
    let mut server: ConnectionRequestServer = ConnectionRequestServer::new();
    let mut rng = SplitMix64::new(1);
    let now = Instant::from_secs(5);
    let ((), n) = allocations(|| {
        let mut req = [0u8; 1024];
        let mut out = [0u8; 512];
        let len = request(&mut req, None);
        let mut w: &mut [u8] = &mut out;
        let o = server
            .handle_request(now, &config, &req[..len], &mut rng, &mut w)
            .unwrap();
        assert_eq!(o, CrOutcome::Challenged { stale: false });
        let written = 512 - w.len();
        let mut h = [EMPTY_HEADER; 8];
        let Status::Complete(head) = ResponseHead::parse(&out[..written], &mut h).unwrap() else {
            panic!()
        };
        let mut client = ClientAuth::new();
        client.handle_challenges(head.www_authenticate()).unwrap();
        let a = client
            .authorization(&creds, "GET", "/cr/x?y=1", &[4; 16])
            .unwrap()
            .unwrap();
        let len = request(&mut req, Some(a.as_str()));
        let mut w: &mut [u8] = &mut out;
        let o = server
            .handle_request(now, &config, &req[..len], &mut rng, &mut w)
            .unwrap();
        assert!(o.start_session());

        // UDP.
        let m = UdpCrMessage {
            authority: HostHeader::new("h"),
            ts: 10,
            id: 1,
            username: "u",
            cnonce: "c",
        };
        let mut d = [0u8; 256];
        let mut w: &mut [u8] = &mut d;
        m.encode(b"p", &mut w).unwrap();
        let dl = 256 - w.len();
        assert!(matches!(
            server.handle_udp(now, &config, &d[..dl]),
            CrOutcome::Accepted { .. }
        ));

        // XMPP.
        let stanza = br#"<iq from="a@b" to="c@d/e" id="1" type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username>u</username><password>p</password></connectionRequest></iq>"#;
        let mut w: &mut [u8] = &mut out;
        let o = server.handle_xmpp(now, &config, stanza, &mut w).unwrap();
        assert!(matches!(o, CrOutcome::Accepted { .. }));
    });
    assert_eq!(n, 0, "heap allocations in the connection request server");
}
