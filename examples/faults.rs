//! Fault injection over real sockets: `cargo run --example faults -- [SESSIONS] [SEED]
//! [SHARDS]` runs SESSIONS seeded Sessions (default 10,000) of a CPE through a
//! fault-injecting proxy to the ACS server, with reboots and torn record writes, and prints the
//! figures (`cwmp_examples::faults`). Exits 1 if anything was lost or sent again beyond
//! Table 8.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cwmp_examples::faults::{run_sharded, Plan};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: faults [SESSIONS (10000)] [SEED (1)] [SHARDS (4)]");
        return;
    }
    let arg = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|a| a.parse().expect("a number"))
            .unwrap_or(default)
    };
    let plan = Plan::new(arg(0, 10_000) as usize, arg(1, 1));
    let shards = arg(2, 4) as usize;
    let started = std::time::Instant::now();
    let report = run_sharded(&plan, shards);
    println!(
        "fault injection: {} Sessions requested, seed {}, {shards} shards, {:.0} s\n{report}",
        plan.sessions,
        plan.seed,
        started.elapsed().as_secs_f64()
    );
    if !report.clean() {
        eprintln!("FAILED: events lost or sent again beyond Table 8");
        std::process::exit(1);
    }
}
