//! The ACS-side UDP Connection Request sender against the CPE-side verifier (Annex G), over
//! a real UDP socket on 127.0.0.1: accepted once, copies de-duplicated, a wrong password
//! rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::UdpSocket;
use std::time::Duration;

use cwmp_codec::connreq::udp::{UdpConnectionRequest, UdpReplayGuard, UdpVerdict};
use cwmp_examples::acs_server::send_udp_connection_request;

#[test]
fn signed_datagrams_are_accepted_once_and_copies_ignored() {
    let cpe = UdpSocket::bind("127.0.0.1:0").unwrap();
    cpe.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let addr = cpe.local_addr().unwrap().to_string();
    send_udp_connection_request(&addr, "cpe-user", "cpe-pass", 7, 3).unwrap();
    let mut guard = UdpReplayGuard::new();
    let creds = cwmp_codec::http::auth::Credentials {
        username: "cpe-user",
        password: "cpe-pass",
    };
    let mut verdicts = Vec::new();
    let mut buf = [0u8; 1500];
    for _ in 0..3 {
        let (n, _) = cpe.recv_from(&mut buf).unwrap();
        let req = UdpConnectionRequest::decode(&buf[..n]).unwrap();
        assert_eq!(req.id, 7);
        verdicts.push(guard.verify(&req, &creds));
    }
    assert_eq!(verdicts[0], UdpVerdict::Accepted);
    assert!(
        verdicts[1..].iter().all(|v| *v == UdpVerdict::Duplicate),
        "{verdicts:?}"
    );

    // A datagram signed with another password is refused.
    send_udp_connection_request(&addr, "cpe-user", "wrong", 8, 1).unwrap();
    let (n, _) = cpe.recv_from(&mut buf).unwrap();
    let req = UdpConnectionRequest::decode(&buf[..n]).unwrap();
    assert!(matches!(
        guard.verify(&req, &creds),
        UdpVerdict::Rejected(_)
    ));
}
