#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    // The bodies' `TARGETS` tables (http/core ones included) spell the tuple type out.
    clippy::type_complexity,
    dead_code
)]
//! Replays every fuzz target's seeds on stable: each file of `fuzz/corpus/<target>/` and of
//! `fuzz/regressions/<target>/` (minimised findings) goes through the target's body, the same
//! function the libFuzzer binary calls (`fuzz/src/`).
//!
//! The seeds that our own encoder writes are (re)generated with
//! `CWMP_WRITE_SEEDS=1 cargo test -p cwmp-core --test fuzz_seeds`; without the variable the
//! test checks that the committed ones are still what the generator gives.

#[path = "../../fuzz/src/lib.rs"]
mod bodies;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    v.sort();
    v
}

/// Is `p` a regression of an issue still open (`open-*`: reported, not fixed yet)?
fn is_open(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("open-"))
}

/// Every seed and every fixed regression passes; every `open-*` regression still fails (when it
/// passes, its issue is fixed: drop the `open-` prefix so it guards the fix from then on).
#[test]
fn every_seed_and_regression_passes_its_target() {
    // Here the bodies are strict: known issues are findings too (see `TOLERATE_OPEN_ISSUES`).
    bodies::codec::TOLERATE_OPEN_ISSUES.store(false, std::sync::atomic::Ordering::Relaxed);
    let root = fuzz_dir();
    let mut failures = Vec::new();
    let mut open = Vec::new();
    let mut counts = BTreeMap::new();
    for (name, body) in bodies::targets() {
        let seeds = files(&root.join("corpus").join(name));
        assert!(!seeds.is_empty(), "fuzz/corpus/{name}/ has no seeds");
        let regressions = files(&root.join("regressions").join(name));
        for p in seeds.iter().chain(&regressions) {
            let data = std::fs::read(p).unwrap();
            // The panic message goes to stderr; go on and report every failing file.
            let failed = catch_unwind(AssertUnwindSafe(|| body(&data))).is_err();
            match (failed, is_open(p)) {
                (true, false) => failures.push(format!("{name}: {}", p.display())),
                (false, true) => failures.push(format!(
                    "{name}: {} passes now: its issue looks fixed, drop the `open-` prefix",
                    p.display()
                )),
                (true, true) => open.push(format!("{name}: {}", p.display())),
                (false, false) => {}
            }
        }
        counts.insert(name, (seeds.len(), regressions.len()));
    }
    for (name, (s, r)) in &counts {
        println!("{name}: {s} seeds, {r} regressions replayed");
    }
    for o in &open {
        println!("open issue, still failing as expected: {o}");
    }
    assert!(
        failures.is_empty(),
        "{} inputs fail their target:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The generated seeds: written when `CWMP_WRITE_SEEDS=1`, otherwise compared with the files.
#[test]
fn generated_seeds_are_current() {
    let root = fuzz_dir().join("corpus");
    let mut all: Vec<(&str, String, Vec<u8>)> = Vec::new();
    for (n, b) in bodies::codec::seed_envelopes() {
        all.push(("envelope_decode", format!("{n}.xml"), b));
    }
    for (n, b) in bodies::codec::seed_round_trip() {
        all.push(("round_trip", n.clone(), b.clone()));
        all.push(("round_trip_all", n, b));
    }
    let write = std::env::var_os("CWMP_WRITE_SEEDS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (target, file, bytes) in &all {
        let path = root.join(target).join(file);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            stale.push(path.display().to_string());
        }
    }
    if write {
        println!("wrote {} seeds under {}", all.len(), root.display());
    }
    assert!(
        stale.is_empty(),
        "generated seeds missing or stale (run `CWMP_WRITE_SEEDS=1 cargo test -p cwmp-core \
         --test fuzz_seeds`):\n{}",
        stale.join("\n")
    );
}
