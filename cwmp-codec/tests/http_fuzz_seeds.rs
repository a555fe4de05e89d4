//! Replays the committed seed corpora of the HTTP fuzz targets (`fuzz/corpus/http_*`) through
//! the same bodies `cargo fuzz` runs (`fuzz/src/http.rs`, included here), plus a bounded,
//! deterministic mutation pass over each seed, so the targets' invariants are exercised on
//! stable in `cargo test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../fuzz/src/http.rs"]
mod http;

use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus");

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

const INTERESTING: &[u8] = b"\r\n\"\\,;=:/?#[]% \t\x00\xff0aF";

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 if !v.is_empty() => {
                let end = (at + rng.below(8)).min(v.len());
                v.drain(at.min(end)..end);
            }
            2 => v.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            3 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = rng.next() as u8;
            }
            _ => {
                let from = rng.below(v.len() + 1);
                let end = (from + rng.below(16)).min(v.len());
                let piece = v[from..end].to_vec();
                v.splice(at..at, piece);
            }
        }
    }
    v
}

#[test]
fn replay_http_seed_corpora() {
    let mut ran = 0;
    for (name, body) in http::TARGETS {
        let dir = Path::new(CORPUS).join(name);
        let mut seeds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        seeds.sort();
        assert!(seeds.len() >= 3, "{name}: a few seeds");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // HTTP_FUZZ_ITERS raises the mutation count for a longer local run.
        let iters: usize = std::env::var("HTTP_FUZZ_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        for seed in &seeds {
            body(seed);
            for _ in 0..iters {
                body(&mutate(seed, &mut rng));
            }
            ran += 1;
        }
    }
    assert!(ran > 20);
}
