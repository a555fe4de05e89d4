//! The STUN client allocates nothing (DESIGN §7): Binding Requests, a `401` answered by a
//! request with MESSAGE-INTEGRITY (G.2.1.1), the signed response verified, keep-alives, a
//! transaction that fails after its nine transmissions, and garbage datagrams. Counting global
//! allocator, per-thread counter (the pattern of `cwmp-codec/tests/alloc.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::codec::connreq::stun::StunMessage;
use cwmp_core::stun::{StunClient, StunConfig, StunOutcome};
use cwmp_core::{Duration, Instant};
use hmac::{Hmac, KeyInit, Mac};

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const KEY: &[u8] = b"stun-secret";

/// A Binding Error Response with ERROR-CODE `code`, into `buf`.
fn error(id: &[u8; 16], code: u16, buf: &mut [u8; 128]) -> usize {
    buf[..4].copy_from_slice(&[0x01, 0x11, 0, 8]);
    buf[4..20].copy_from_slice(id);
    buf[20..28].copy_from_slice(&[0, 9, 0, 4, 0, 0, (code / 100) as u8, (code % 100) as u8]);
    28
}

/// A Binding Response with MAPPED-ADDRESS 203.0.113.5:40000, signed with `KEY` as RFC 3489
/// §11.2.8 does it when `sign`, into `buf`.
fn response(id: &[u8; 16], sign: bool, buf: &mut [u8; 128]) -> usize {
    buf[..4].copy_from_slice(&[0x01, 0x01, 0, if sign { 36 } else { 12 }]);
    buf[4..20].copy_from_slice(id);
    buf[20..32].copy_from_slice(&[0, 1, 0, 8, 0, 1, 0x9C, 0x40, 203, 0, 113, 5]);
    if !sign {
        return 32;
    }
    let mut text = [0u8; 64];
    text[..32].copy_from_slice(&buf[..32]);
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(KEY).unwrap();
    mac.update(&text);
    buf[32..36].copy_from_slice(&[0, 8, 0, 20]);
    buf[36..56].copy_from_slice(&mac.finalize().into_bytes());
    56
}

#[test]
fn the_stun_client_allocates_nothing() {
    let mut config = StunConfig {
        enable: true,
        minimum_keepalive: 20,
        maximum_keepalive: 40,
        ..StunConfig::disabled()
    };
    config.username.push_str("cpe01").unwrap();
    config.password.push_str("stun-secret").unwrap();
    let mut c = StunClient::new(config, 11);
    c.set_local_address("192.168.1.10:7547".parse().unwrap());
    let t0 = Instant::from_secs(100);

    let (outcomes, n) = allocations(|| {
        let mut out = [StunOutcome::Ignored; 6];
        let mut tx = [0u8; 600];
        let mut rx = [0u8; 128];
        let mut now = t0;
        c.start(now);
        // Unsigned request, 401, the signed one, its signed response.
        let len = c.poll_transmit(now, &mut tx).unwrap();
        let id = StunMessage::decode(&tx[..len]).unwrap().transaction_id;
        let e = error(&id, 401, &mut rx);
        out[0] = c.handle_datagram(now, &rx[..e]);
        let len = c.poll_transmit(now, &mut tx).unwrap();
        let m = StunMessage::decode(&tx[..len]).unwrap();
        assert!(m.verify_message_integrity(KEY));
        let id = m.transaction_id;
        let r = response(&id, false, &mut rx);
        out[1] = c.handle_datagram(now, &rx[..r]);
        let r = response(&id, true, &mut rx);
        out[2] = c.handle_datagram(now, &rx[..r]);
        // Keep-alives, unsigned, answered.
        for _ in 0..20 {
            now = c.poll_timeout().unwrap();
            let len = c.poll_transmit(now, &mut tx).unwrap();
            let id = StunMessage::decode(&tx[..len]).unwrap().transaction_id;
            let r = response(&id, false, &mut rx);
            out[3] = c.handle_datagram(now, &rx[..r]);
        }
        // One that is never answered: nine transmissions, then it fails.
        now = c.poll_timeout().unwrap();
        let mut sent = 0;
        while c.failures() == 0 {
            if c.poll_transmit(now, &mut tx).is_some() {
                sent += 1;
            }
            now = c.poll_timeout().unwrap();
        }
        assert_eq!(sent, 9);
        // Garbage, and an error of another kind.
        out[4] = c.handle_datagram(now, b"\x00\x01\x00\x04garbage that is not STUN");
        now = c.poll_timeout().unwrap();
        let len = c.poll_transmit(now, &mut tx).unwrap();
        let id = StunMessage::decode(&tx[..len]).unwrap().transaction_id;
        let e = error(&id, 500, &mut rx);
        out[5] = c.handle_datagram(now, &rx[..e]);
        out
    });
    assert_eq!(n, 0, "the STUN client allocated {n} times");
    assert_eq!(outcomes[0], StunOutcome::Challenged);
    assert_eq!(
        outcomes[1],
        StunOutcome::Ignored,
        "unsigned answer to a signed request"
    );
    assert!(matches!(
        outcomes[2],
        StunOutcome::BindingChanged {
            nat_detected: true,
            ..
        }
    ));
    assert_eq!(outcomes[3], StunOutcome::Refreshed);
    assert_eq!(outcomes[4], StunOutcome::Ignored);
    assert_eq!(outcomes[5], StunOutcome::Error(500));
    assert!(c.poll_timeout().unwrap() > t0 + Duration::from_secs(20));
}
