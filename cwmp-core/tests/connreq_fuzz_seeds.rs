//! Replays the committed seed corpora of the connection-request fuzz targets
//! (`fuzz/corpus/connreq_*`) through their bodies in `fuzz/src/connreq.rs`, plus a bounded,
//! deterministic mutation pass over each seed, on stable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../fuzz/src/connreq.rs"]
#[allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
mod connreq;

use std::path::PathBuf;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = b"\r\n\"\\,;=:/?#&%+<>'\x00\xff0aF\x01\xc0";

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 if !v.is_empty() => {
                let end = (at + rng.below(8)).min(v.len());
                v.drain(at.min(end)..end);
            }
            2 => v.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            _ if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = rng.next() as u8;
            }
            _ => {}
        }
    }
    v
}

#[test]
fn replay_connreq_seed_corpora() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    // CONNREQ_FUZZ_ITERS raises the mutation count for a longer local run.
    let iters: usize = std::env::var("CONNREQ_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    for (name, body) in connreq::TARGETS {
        let dir = corpus.join(name);
        let mut seeds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        seeds.sort();
        assert!(seeds.len() >= 3, "{name}: a few seeds");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for seed in &seeds {
            body(seed);
            for _ in 0..iters {
                body(&mutate(seed, &mut rng));
            }
        }
    }
}

#[test]
fn seeds_decode_as_intended() {
    use cwmp_codec::connreq::lwn::{LwnDigest, LwnMessage};
    use cwmp_codec::connreq::udp::UdpConnectionRequest;
    use cwmp_codec::connreq::xmpp::XmppConnectionRequest;
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let read = |t: &str, n: &str| std::fs::read(corpus.join(t).join(n)).unwrap();
    let d = read("connreq_udp", "digest_vector_lower");
    assert!(UdpConnectionRequest::decode(&d)
        .unwrap()
        .signature_valid(b"password"));
    let d = read("connreq_udp", "extra_params_percent");
    assert!(UdpConnectionRequest::decode(&d)
        .unwrap()
        .signature_valid(b"cr-pass"));
    for digest in [
        ("m26_sha1", LwnDigest::Sha1),
        ("m26_sha256", LwnDigest::Sha256),
    ] {
        let d = read("connreq_lwn", digest.0);
        assert!(LwnMessage::decode(&d).unwrap().verify(b"k", digest.1));
    }
    for n in ["figure_19", "jabber_client_prefixed"] {
        XmppConnectionRequest::decode(&read("connreq_xmpp", n)).unwrap();
    }
}
