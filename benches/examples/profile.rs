#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! One operation on one fixture, N times: the harness of the instruction-count bench
//! (`benches/callgrind.sh` runs it under `valgrind --tool=callgrind`; instruction counts are
//! repeatable on a shared machine, where criterion's timings are not).
//!
//! ```sh
//! cargo build --release -p cwmp-benches --example profile
//! valgrind --tool=callgrind target/release/examples/profile walk gpv_response_200 20
//! ```
//!
//! Operations on a fixture (`inform_10`, `gpv_response_200`, `spv_20`, `gpn_response_1000`):
//! - decoders: `decode` (`decode` alone), `walk` (`decode` + the benches' full visit),
//!   `quick-xml` (quick-xml tokenizing), `xmlparser` (xmlparser tokenizing), `cwmp-parse`
//!   (`cwmp::parse_bytes`);
//! - encoders: `encode` (into a reused `Vec`), `encode-slice` (into a fixed `&mut [u8]`, as
//!   the machine writes into its tx buffer), `len` (`encoded_len`), `fmt` (the plain
//!   `core::fmt::Write` baseline writing the same bytes into a fixed buffer), `cwmp-generate`
//!   (`cwmp::generate`);
//! - `session` (the fixture is ignored: one whole in-memory Session, CPE and ACS machines).

use std::hint::black_box;

use cwmp_benches::fmt_baseline::{write_envelope, FixedBuf};
use cwmp_benches::session::with_sessions;
use cwmp_benches::{with_envelope, CountingVisitor, Fixture, VecWriter};
use cwmp_codec::decode;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, fx, n) = match args.as_slice() {
        [_, op, fx, n] => (
            op.as_str(),
            fx.as_str(),
            n.parse::<usize>().expect("a count"),
        ),
        _ => {
            eprintln!("usage: profile OPERATION FIXTURE ITERATIONS (see the source's docs)");
            std::process::exit(2);
        }
    };
    if op == "agent_gpv" {
        // The agent answering GPV `Device.NAT.` over `fx` PortMapping instances (3 each).
        let mut rig = cwmp_benches::agent::Rig::new(fx.parse().expect("a count"));
        let req = cwmp_benches::agent::gpv_request("Device.NAT.");
        let mut total = 0usize;
        for _ in 0..n {
            total += rig.answer(black_box(&req));
        }
        println!("{} params, {total} bytes", rig.params());
        return;
    }
    let f = Fixture::ALL
        .into_iter()
        .find(|f| f.name() == fx)
        .unwrap_or(Fixture::Inform10);
    if op != "session" && f.name() != fx {
        panic!("fixtures: inform_10 gpv_response_200 spv_20 gpn_response_1000");
    }
    let bytes = f.bytes();
    let mut total = 0usize;
    match op {
        "decode" => {
            for _ in 0..n {
                total += usize::from(decode(black_box(&bytes)).is_ok());
            }
        }
        "walk" => {
            for _ in 0..n {
                let env = decode(black_box(&bytes)).unwrap();
                let mut c = CountingVisitor::default();
                env.visit(&mut c);
                total += c.seen;
            }
        }
        "quick-xml" => {
            for _ in 0..n {
                let mut r = quick_xml::Reader::from_reader(black_box(&bytes[..]));
                loop {
                    match r.read_event().unwrap() {
                        quick_xml::events::Event::Eof => break,
                        e => {
                            black_box(&e);
                            total += 1;
                        }
                    }
                }
            }
        }
        "xmlparser" => {
            let text = std::str::from_utf8(&bytes).unwrap();
            for _ in 0..n {
                for t in xmlparser::Tokenizer::from(black_box(text)) {
                    black_box(&t.unwrap());
                    total += 1;
                }
            }
        }
        "cwmp-parse" => {
            for _ in 0..n {
                total += usize::from(cwmp::parse_bytes(black_box(&bytes)).is_ok());
            }
        }
        "cwmp-generate" => {
            let theirs = cwmp::parse_bytes(&bytes).unwrap();
            for _ in 0..n {
                total += cwmp::generate(black_box(&theirs)).unwrap().len();
            }
        }
        "encode" | "encode-slice" | "len" | "fmt" => with_envelope(f, |env| {
            let mut buf = Vec::with_capacity(bytes.len());
            let mut fixed = vec![0u8; bytes.len()];
            for _ in 0..n {
                if op == "len" {
                    total += black_box(env).encoded_len().unwrap();
                } else if op == "fmt" {
                    let mut w = FixedBuf::new(&mut fixed);
                    write_envelope(&mut w, black_box(env)).unwrap();
                    total += w.written().len();
                } else if op == "encode-slice" {
                    let mut w: &mut [u8] = &mut fixed;
                    black_box(env).encode(&mut w).unwrap();
                    total += bytes.len() - w.len();
                } else {
                    buf.clear();
                    black_box(env).encode(&mut VecWriter(&mut buf)).unwrap();
                    total += buf.len();
                }
            }
        }),
        "session" => with_sessions(|one| {
            for _ in 0..n {
                total += black_box(one());
            }
        }),
        _ => panic!("unknown operation {op}"),
    }
    println!("{op} {fx} x{n}: {total}");
}
