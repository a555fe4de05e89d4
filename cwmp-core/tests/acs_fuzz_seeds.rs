#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
//! Replays the committed seed corpus of the ACS session fuzz target (`fuzz/corpus/acs_session`)
//! through its body in `fuzz/src/acs.rs`, on stable.

#[path = "../../fuzz/src/acs.rs"]
mod acs_target;

#[test]
fn replay_acs_seed_corpus() {
    for (name, body) in acs_target::TARGETS {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus")
            .join(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            body(&data);
            // Every prefix too: a cut anywhere must not panic.
            for cut in (0..data.len()).step_by(97) {
                body(&data[..cut]);
            }
            n += 1;
        }
        assert!(n >= 5, "seeds in {}", dir.display());
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap stand-in for the fuzzer on stable: pseudo-random mutations of the seeds.
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/acs_session");
    let mut state = 0x1234_5678_9abc_def0u64;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let seed = std::fs::read(entry.unwrap().path()).unwrap();
        for _ in 0..200 {
            let mut data = seed.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state as usize) % data.len().max(1);
                if let Some(b) = data.get_mut(at) {
                    *b = (state >> 32) as u8;
                }
            }
            acs_target::acs_session(&data);
        }
    }
}
