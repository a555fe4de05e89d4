//! Replays the committed seed corpus of the CPE session fuzz target (`fuzz/corpus/cpe_session`)
//! through its body in `fuzz/src/cpe.rs`, on stable, plus a quick deterministic sweep of
//! pseudo-random inputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../fuzz/src/cpe.rs"]
#[allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
mod cpe_targets;

use std::path::PathBuf;

use cwmp_core::rng::{Rng, SplitMix64};

#[test]
fn replay_cpe_seed_corpus() {
    for (name, body) in cpe_targets::TARGETS {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus")
            .join(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            body(&data);
            n += 1;
        }
        assert!(n > 0, "no seeds in {}", dir.display());
    }
}

#[test]
fn pseudo_random_inputs_do_not_panic() {
    let mut rng = SplitMix64::new(0xf022);
    for _ in 0..2000 {
        let len = (rng.next_u32() % 200) as usize;
        let mut data = vec![0u8; len];
        rng.fill_bytes(&mut data);
        cpe_targets::session(&data);
    }
}
