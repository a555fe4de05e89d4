#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
//! Every real-world message in `../shared/vectors` (PROVENANCE.md): the well-formed ones
//! decode, and decode → encode → decode gives the same message; the not-well-formed ones give
//! a typed error. Skips with a notice when `../shared` is absent (a fresh clone alone).

use std::path::{Path, PathBuf};

use cwmp_codec::{decode, DecodeError};

fn vectors_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    d.is_dir().then_some(d)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

/// The files PROVENANCE.md lists as not well-formed.
fn not_well_formed(dir: &Path) -> Vec<String> {
    let prov = std::fs::read_to_string(dir.join("PROVENANCE.md")).unwrap();
    prov.lines()
        .filter(|l| l.contains("not-well-formed"))
        .filter_map(|l| l.split('|').nth(1).map(|s| s.trim().to_string()))
        .collect()
}

#[test]
fn every_vector_decodes_and_round_trips() {
    let Some(dir) = vectors_dir() else {
        println!("skipping: ../shared/vectors is absent");
        return;
    };
    let bad = not_well_formed(&dir);
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    assert!(
        all.len() > 100,
        "expected the vector corpus, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    let mut decoded = 0;
    for p in &all {
        let rel = p.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(p).unwrap();
        let res = decode(&bytes);
        if bad.contains(&rel) {
            match res {
                Err(DecodeError { .. }) => {}
                Ok(_) => failures.push(format!("{rel}: not well-formed but decoded")),
            }
            continue;
        }
        let env = match res {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{rel}: {e}"));
                continue;
            }
        };
        decoded += 1;
        let mut out = Vec::new();
        env.encode(&mut out).unwrap();
        assert_eq!(env.encoded_len().unwrap(), out.len(), "{rel}: encoded_len");
        match decode(&out) {
            Ok(again) => {
                let want = (env.cwmp_ns.encoding_namespace(), &env.header, &env.body);
                if (again.cwmp_ns, &again.header, &again.body) != want {
                    failures.push(format!(
                        "{rel}: round trip differs\n{:?}\n{:?}",
                        want, again
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "{rel}: re-encoded form does not decode: {e}\n{}",
                String::from_utf8_lossy(&out)
            )),
        }
    }
    println!("{decoded} vectors decoded and round-tripped");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
