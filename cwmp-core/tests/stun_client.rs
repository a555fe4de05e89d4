//! The sans-IO STUN client (TR-069 Annex G.2.1, RFC 3489 §9.3): schedule, retransmissions,
//! NAT detection, BINDING-CHANGE, and robustness against any datagram.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::SocketAddr;

use cwmp_core::codec::connreq::stun::StunMessage;
use cwmp_core::stun::{StunClient, StunConfig, StunOutcome, MAX_TRANSMISSIONS};
use cwmp_core::{Duration, Instant};
use proptest::prelude::*;

const LOCAL: &str = "192.168.1.10:7547";

fn config(min: u32, max: i32) -> StunConfig {
    StunConfig {
        enable: true,
        username: heapless::String::new(),
        password: heapless::String::new(),
        minimum_keepalive: min,
        maximum_keepalive: max,
    }
}

fn client(min: u32, max: i32) -> StunClient {
    let mut c = StunClient::new(config(min, max), 1);
    c.set_local_address(LOCAL.parse().unwrap());
    c.start(Instant::from_secs(100));
    c
}

/// The request sent at `now`: (transaction id, BINDING-CHANGE?).
fn send(c: &mut StunClient, now: Instant) -> Option<([u8; 16], bool, Vec<u8>)> {
    let mut buf = [0u8; 600];
    let n = c.poll_transmit(now, &mut buf)?;
    let m = StunMessage::decode(&buf[..n]).unwrap();
    assert!(m.is_binding_request());
    assert!(
        m.connection_request_binding(),
        "Table 107: in every request"
    );
    Some((m.transaction_id, m.binding_change(), buf[..n].to_vec()))
}

/// A Binding Response with MAPPED-ADDRESS `addr` (IPv4).
fn response(id: [u8; 16], addr: &str) -> Vec<u8> {
    let a: SocketAddr = addr.parse().unwrap();
    let SocketAddr::V4(a) = a else { panic!() };
    let mut v = vec![0x01, 0x01, 0, 12];
    v.extend_from_slice(&id);
    v.extend_from_slice(&[0, 1, 0, 8, 0, 1]);
    v.extend_from_slice(&a.port().to_be_bytes());
    v.extend_from_slice(&a.ip().octets());
    v
}

fn error(id: [u8; 16], code: u16) -> Vec<u8> {
    let mut v = vec![0x01, 0x11, 0, 8];
    v.extend_from_slice(&id);
    v.extend_from_slice(&[0, 9, 0, 4, 0, 0, (code / 100) as u8, (code % 100) as u8]);
    v
}

#[test]
fn retransmissions_follow_rfc3489_then_the_transaction_fails() {
    let mut c = client(30, 30);
    let t0 = Instant::from_secs(100);
    assert_eq!(c.poll_timeout(), Some(t0));
    let (id, bc, _) = send(&mut c, t0).unwrap();
    assert!(bc, "the first binding carries BINDING-CHANGE");
    // 100, 200, 400, 800, 1600, 1600, 1600, 1600 ms between the 9 transmissions.
    let mut at = t0;
    for gap in [100u64, 200, 400, 800, 1600, 1600, 1600, 1600] {
        assert!(send(&mut c, at + Duration::from_millis(gap - 1)).is_none());
        at = at + Duration::from_millis(gap);
        assert_eq!(c.poll_timeout(), Some(at));
        let (again, _, _) = send(&mut c, at).unwrap();
        assert_eq!(again, id, "a retransmission keeps the transaction id");
    }
    // After the 9th, one more 1.6 s wait, then the transaction has failed.
    at = at + Duration::from_millis(1600);
    assert_eq!(c.poll_timeout(), Some(at));
    assert!(send(&mut c, at).is_none());
    assert_eq!(c.failures(), 1);
    assert_eq!(at - t0, Duration::from_millis(9500));
    // The next request waits for the keep-alive period, and still announces the binding.
    let next = c.poll_timeout().unwrap();
    assert_eq!(next, at + Duration::from_secs(30));
    let (id2, bc2, _) = send(&mut c, next).unwrap();
    assert_ne!(id2, id);
    assert!(bc2);
    assert_eq!(1 + 8, usize::from(MAX_TRANSMISSIONS));
}

#[test]
fn keepalive_spacing_lies_between_the_minimum_and_maximum_periods() {
    let mut c = client(20, 40);
    let mut now = Instant::from_secs(100);
    for i in 0..50 {
        let (id, _, _) = send(&mut c, now).unwrap();
        let r = c.handle_datagram(now, &response(id, "203.0.113.5:40000"));
        if i == 0 {
            assert!(matches!(r, StunOutcome::BindingChanged { .. }));
        } else {
            assert_eq!(r, StunOutcome::Refreshed);
        }
        let next = c.poll_timeout().unwrap();
        let gap = next - now;
        assert!(
            gap >= Duration::from_secs(20) && gap <= Duration::from_secs(40),
            "{gap:?}"
        );
        now = next;
    }
}

#[test]
fn nat_detected_when_the_mapped_address_is_not_the_local_one() {
    let mut c = client(30, 30);
    let now = Instant::from_secs(100);
    let (id, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &response(id, "203.0.113.5:40000")),
        StunOutcome::BindingChanged {
            public: "203.0.113.5:40000".parse().unwrap(),
            nat_detected: true
        }
    );
    assert!(c.nat_detected());

    let mut c = client(30, 30);
    let (id, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &response(id, LOCAL)),
        StunOutcome::BindingChanged {
            public: LOCAL.parse().unwrap(),
            nat_detected: false
        }
    );
    assert!(!c.nat_detected());
}

#[test]
fn an_address_change_is_reported_and_announced_with_binding_change() {
    let mut c = client(30, 30);
    let mut now = Instant::from_secs(100);
    let (id, bc, _) = send(&mut c, now).unwrap();
    assert!(bc);
    c.handle_datagram(now, &response(id, "203.0.113.5:40000"));
    // Announced by the first request itself: the keep-alive goes without BINDING-CHANGE.
    now = c.poll_timeout().unwrap();
    let (id, bc, _) = send(&mut c, now).unwrap();
    assert!(!bc);
    // The NAT moved the binding.
    let r = c.handle_datagram(now, &response(id, "203.0.113.5:40001"));
    assert_eq!(
        r,
        StunOutcome::BindingChanged {
            public: "203.0.113.5:40001".parse().unwrap(),
            nat_detected: true
        }
    );
    assert_eq!(
        c.public_address(),
        Some("203.0.113.5:40001".parse().unwrap())
    );
    // G.2.1.3: a request with BINDING-CHANGE follows at once.
    assert_eq!(c.poll_timeout(), Some(now));
    let (id, bc, _) = send(&mut c, now).unwrap();
    assert!(bc);
    assert_eq!(
        c.handle_datagram(now, &response(id, "203.0.113.5:40001")),
        StunOutcome::Refreshed
    );
    now = c.poll_timeout().unwrap();
    let (_, bc, _) = send(&mut c, now).unwrap();
    assert!(!bc, "announced once");
}

#[test]
fn a_response_to_another_transaction_is_ignored() {
    let mut c = client(30, 30);
    let now = Instant::from_secs(100);
    let (mut id, _, _) = send(&mut c, now).unwrap();
    id[15] ^= 1;
    assert_eq!(
        c.handle_datagram(now, &response(id, "203.0.113.5:40000")),
        StunOutcome::Ignored
    );
    assert_eq!(c.public_address(), None);
    // Still retransmitting.
    assert!(send(&mut c, now + Duration::from_millis(100)).is_some());
}

#[test]
fn error_responses() {
    let mut c = client(30, 60);
    let now = Instant::from_secs(100);
    let (id, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &error(id, 401)),
        StunOutcome::Unauthorized
    );
    // No STUNUsername/STUNPassword to sign with: the next try waits the maximum period.
    assert_eq!(c.poll_timeout(), Some(now + Duration::from_secs(60)));
    let now = now + Duration::from_secs(60);
    let (id, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &error(id, 500)),
        StunOutcome::Error(500)
    );
    let gap = c.poll_timeout().unwrap() - now;
    assert!(gap >= Duration::from_secs(30) && gap <= Duration::from_secs(60));
}

/// `response` signed as RFC 3489 §11.2.8 does it: MESSAGE-INTEGRITY last, HMAC-SHA1 keyed by
/// `key` over the message before it, zero-padded to a multiple of 64 bytes.
fn signed(mut v: Vec<u8>, key: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, KeyInit, Mac};
    let len = (v.len() - 20 + 24) as u16;
    v[2..4].copy_from_slice(&len.to_be_bytes());
    let mut text = v.clone();
    text.resize(v.len().div_ceil(64) * 64, 0);
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&text);
    v.extend_from_slice(&[0, 8, 0, 20]);
    v.extend_from_slice(&mac.finalize().into_bytes());
    v
}

fn with_credentials(min: u32, max: i32) -> StunClient {
    let mut cfg = config(min, max);
    cfg.username = heapless::String::try_from("cpe01").unwrap();
    cfg.password = heapless::String::try_from("stun-secret").unwrap();
    let mut c = StunClient::new(cfg, 7);
    c.set_local_address(LOCAL.parse().unwrap());
    c.start(Instant::from_secs(100));
    c
}

/// G.2.1.1: with STUNUsername and STUNPassword, a 401 is answered at once by a new request
/// with USERNAME and MESSAGE-INTEGRITY; its response counts only with a valid
/// MESSAGE-INTEGRITY; the next keep-alive is unsigned again.
#[test]
fn a_401_is_answered_by_a_signed_request_whose_response_must_be_signed() {
    let mut c = with_credentials(30, 60);
    let now = Instant::from_secs(100);
    let (id, bc, bytes) = send(&mut c, now).unwrap();
    let m = StunMessage::decode(&bytes).unwrap();
    assert!(m.attribute(0x0008).is_none(), "unsigned until a 401");
    assert_eq!(
        c.handle_datagram(now, &error(id, 401)),
        StunOutcome::Challenged
    );
    assert_eq!(
        c.poll_timeout(),
        Some(now),
        "the signed request is due at once"
    );
    let (id2, bc2, bytes) = send(&mut c, now).unwrap();
    assert_ne!(id2, id, "a new transaction");
    assert_eq!(bc2, bc, "still announcing the first binding");
    let m = StunMessage::decode(&bytes).unwrap();
    assert_eq!(m.username(), Some(&b"cpe01   "[..]));
    assert_eq!(
        m.attributes().last().unwrap().kind,
        0x0008,
        "MESSAGE-INTEGRITY last"
    );
    assert!(m.verify_message_integrity(b"stun-secret"));
    assert_eq!(
        bytes,
        signed(bytes[..bytes.len() - 24].to_vec(), b"stun-secret")
    );

    // Unsigned, or signed with another key: discarded, the request is retransmitted.
    let plain = response(id2, "203.0.113.5:40000");
    assert_eq!(c.handle_datagram(now, &plain), StunOutcome::Ignored);
    let forged = signed(plain.clone(), b"guess");
    assert_eq!(c.handle_datagram(now, &forged), StunOutcome::Ignored);
    assert_eq!(c.public_address(), None);
    let (again, _, retransmitted) = send(&mut c, now + Duration::from_millis(100)).unwrap();
    assert_eq!(again, id2);
    assert!(StunMessage::decode(&retransmitted)
        .unwrap()
        .verify_message_integrity(b"stun-secret"));
    // Signed with STUNPassword: the binding.
    assert_eq!(
        c.handle_datagram(now, &signed(plain, b"stun-secret")),
        StunOutcome::BindingChanged {
            public: "203.0.113.5:40000".parse().unwrap(),
            nat_detected: true
        }
    );
    // G.2.1.1: no request but the answer to a 401 is signed.
    let next = c.poll_timeout().unwrap();
    let (_, _, bytes) = send(&mut c, next).unwrap();
    assert!(StunMessage::decode(&bytes)
        .unwrap()
        .attribute(0x0008)
        .is_none());
}

#[test]
fn a_401_to_the_signed_request_waits_the_maximum_period() {
    let mut c = with_credentials(30, 60);
    let now = Instant::from_secs(100);
    let (id, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &error(id, 401)),
        StunOutcome::Challenged
    );
    let (id2, _, _) = send(&mut c, now).unwrap();
    assert_eq!(
        c.handle_datagram(now, &error(id2, 401)),
        StunOutcome::Unauthorized
    );
    assert_eq!(c.poll_timeout(), Some(now + Duration::from_secs(60)));
    // That next try is unsigned again, and a 401 to it is challenged again.
    let later = now + Duration::from_secs(60);
    let (id3, _, bytes) = send(&mut c, later).unwrap();
    assert!(StunMessage::decode(&bytes)
        .unwrap()
        .attribute(0x0008)
        .is_none());
    assert_eq!(
        c.handle_datagram(later, &error(id3, 401)),
        StunOutcome::Challenged
    );
}

#[test]
fn the_username_rides_when_set() {
    let mut cfg = config(30, 30);
    cfg.username = heapless::String::try_from("cpe01").unwrap();
    let mut c = StunClient::new(cfg, 3);
    c.start(Instant::ZERO);
    let (_, _, bytes) = send(&mut c, Instant::ZERO).unwrap();
    let m = StunMessage::decode(&bytes).unwrap();
    assert_eq!(m.username(), Some(&b"cpe01   "[..]));
}

#[test]
fn disabled_sends_nothing() {
    let mut c = StunClient::new(StunConfig::disabled(), 1);
    c.start(Instant::ZERO);
    assert_eq!(c.poll_timeout(), None);
    for s in 0..100 {
        assert!(send(&mut c, Instant::from_secs(s)).is_none());
    }
    // Enabled, then disabled again: stops, forgets the binding.
    let mut c = client(30, 30);
    let now = Instant::from_secs(100);
    let (id, _, _) = send(&mut c, now).unwrap();
    c.handle_datagram(now, &response(id, "203.0.113.5:40000"));
    c.configure(now, StunConfig::disabled());
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.public_address(), None);
    assert!(send(&mut c, now + Duration::from_secs(1000)).is_none());
}

proptest! {
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128), keep_id in any::<bool>()) {
        let mut c = client(30, 30);
        let now = Instant::from_secs(100);
        let (id, _, _) = send(&mut c, now).unwrap();
        let mut d = bytes;
        if keep_id && d.len() >= 20 {
            d[4..20].copy_from_slice(&id);
        }
        let _ = c.handle_datagram(now, &d);
        // Still usable.
        let _ = c.poll_timeout();
        let mut buf = [0u8; 600];
        let _ = c.poll_transmit(now + Duration::from_secs(100), &mut buf);
    }
}
