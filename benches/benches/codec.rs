#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! Decode and encode throughput of cwmp-codec on the issue-3 messages, with the baselines
//! measured in the same run on the same bytes:
//!
//! - `decode/<impl>/<fixture>`: `cwmp-codec` = `decode` + a full walk (a `Visitor` over every
//!   field, so every lazy array is really parsed); `cwmp-codec-decode-only` = `decode` alone (the
//!   validating pass that yields the typed envelope, arrays left lazy); `quick-xml-tokenize` = quick-xml's borrowing
//!   `Reader` producing every event (no allocation per event, no attribute or namespace work);
//!   `cwmp-crate-parse` = `cwmp::parse_bytes` (crates.io `cwmp`).
//! - `encode/<impl>/<fixture>`: `cwmp-codec` = `Envelope::encode` of the built message (arrays
//!   borrowing slices) into a reused `Vec`; `cwmp-codec-encoded_len` = the counting pass alone;
//!   `cwmp-crate-generate` = `cwmp::generate` of the envelope `cwmp::parse_bytes` made of the same
//!   bytes.
//!
//! Every bench reports `Throughput::Bytes` of the fixture's encoded size, so all MB/s figures
//! are "bytes of this message per second" and compare directly. `benches/budgets.sh` turns
//! criterion's estimates into the budget table.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use cwmp_benches::{with_envelope, CountingVisitor, Fixture, VecWriter};
use cwmp_codec::decode;

fn decode_walk(bytes: &[u8]) -> usize {
    let env = decode(bytes).unwrap();
    let mut c = CountingVisitor::default();
    env.visit(&mut c);
    c.seen
}

fn quick_xml_tokenize(bytes: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut n = 0usize;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => return n,
            Ok(e) => {
                black_box(&e);
                n += 1;
            }
            Err(e) => panic!("quick-xml: {e}"),
        }
    }
}

fn bench_decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for f in Fixture::ALL {
        let bytes = f.bytes();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        // Sanity: each parser accepts the message.
        assert!(decode_walk(&bytes) > 0);
        assert!(quick_xml_tokenize(&bytes) > 0);
        let parsed = cwmp::parse_bytes(&bytes).expect("the cwmp crate parses the fixture");
        assert!(!parsed.body().is_empty(), "cwmp crate: empty body");

        g.bench_with_input(BenchmarkId::new("cwmp-codec", f.name()), &bytes, |b, x| {
            b.iter(|| decode_walk(black_box(x)))
        });
        g.bench_with_input(
            BenchmarkId::new("cwmp-codec-decode-only", f.name()),
            &bytes,
            |b, x| b.iter(|| decode(black_box(x)).unwrap()),
        );
        g.bench_with_input(
            BenchmarkId::new("quick-xml-tokenize", f.name()),
            &bytes,
            |b, x| b.iter(|| quick_xml_tokenize(black_box(x))),
        );
        g.bench_with_input(
            BenchmarkId::new("cwmp-crate-parse", f.name()),
            &bytes,
            |b, x| b.iter(|| cwmp::parse_bytes(black_box(x)).unwrap()),
        );
    }
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    for f in Fixture::ALL {
        let bytes = f.bytes();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        with_envelope(f, |env| {
            let mut buf = Vec::with_capacity(bytes.len());
            // Checked before measuring: a filtered run may skip the bench body.
            env.encode(&mut VecWriter(&mut buf)).unwrap();
            assert_eq!(buf, bytes);
            g.bench_function(BenchmarkId::new("cwmp-codec", f.name()), |b| {
                b.iter(|| {
                    buf.clear();
                    black_box(env).encode(&mut VecWriter(&mut buf)).unwrap();
                    buf.len()
                })
            });
            g.bench_function(BenchmarkId::new("cwmp-codec-encoded_len", f.name()), |b| {
                b.iter(|| black_box(env).encoded_len().unwrap())
            });
        });
        let theirs = cwmp::parse_bytes(&bytes).unwrap();
        let generated = cwmp::generate(&theirs).expect("the cwmp crate generates");
        assert!(!generated.is_empty());
        eprintln!(
            "{}: {} bytes (ours); cwmp::generate writes {} bytes for what cwmp::parse_bytes read",
            f.name(),
            bytes.len(),
            generated.len()
        );
        g.bench_with_input(
            BenchmarkId::new("cwmp-crate-generate", f.name()),
            &theirs,
            |b, e| b.iter(|| cwmp::generate(black_box(e)).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench_decode, bench_encode);
criterion_main!(benches);
