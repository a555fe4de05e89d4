//! Replays the committed seed corpora of the cwmp-core fuzz targets (`fuzz/corpus/core_*`) through
//! their bodies in `fuzz/src/core.rs`, on stable, and checks that the seed records still restore
//! (a format change must come with new seeds and a new format version).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../fuzz/src/core.rs"]
#[allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod core_targets;

use std::path::PathBuf;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(name)
}

#[test]
fn replay_core_seed_corpora() {
    for (name, body) in core_targets::TARGETS {
        let dir = corpus(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            body(&data);
            n += 1;
        }
        assert!(n > 0, "no seeds in {}", dir.display());
    }
}

#[test]
fn seed_records_restore() {
    use cwmp_core::persist::Record;
    for seed in ["valid_record", "empty_record"] {
        let data = std::fs::read(corpus("core_persist_restore").join(seed)).unwrap();
        let r = Record::<64, 3, 3>::restore(&data).unwrap_or_else(|e| panic!("{seed}: {e}"));
        if seed == "valid_record" {
            assert!(!r.events.is_empty() && !r.transfers.is_empty());
        }
    }
}
