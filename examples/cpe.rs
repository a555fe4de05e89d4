#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `cpe`: a CPE for Linux around the sans-IO `Cpe` and its agent (`cwmp_core::agent`, which
//! answers every RPC and owns Device.ManagementServer), with an in-memory TR-181 data model
//! (Device.DeviceInfo, Device.NAT.PortMapping.{i}) kept in a text file, HTTP Digest
//! credentials, a Digest-protected connection-request listener checking the credentials the
//! ACS set, a UDP Connection Request port with the STUN client (`--udp-cr`, Annex G),
//! periodic Informs and the persistence records in files.
//!
//! ```text
//! cargo run --example acs -- --listen 127.0.0.1:7547 --script examples/scripts/basic.acs &
//! cargo run --example cpe -- --acs http://127.0.0.1:7547/ --cr-listen 127.0.0.1:7548 \
//!     --periodic 300 --state cpe-state.txt --record cpe-record.bin
//! ```
//!
//! Options are in `examples/src/cpe_app.rs` (`cargo run --example cpe -- --help`). Without `--record FILE` (or when the
//! file does not exist) the CPE boots with `0 BOOTSTRAP`; with it, with `1 BOOT` and whatever
//! the record kept (undelivered events, transfer results; `FILE.agent`: what the ACS set in
//! ManagementServer, attributes, pending value changes). Ctrl-C stops it; the model and the
//! records are written after every Session.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::Parser as _;
use cwmp_examples::cpe_app::{run, Args, Cli};

fn main() -> ExitCode {
    // `--help` prints every flag and exits 0; a bad command line exits 2.
    let args = Args::from(Cli::parse());
    let start = std::time::Instant::now();
    let log = Arc::new(move |s: &str| {
        for (i, l) in s.lines().enumerate() {
            if i == 0 {
                println!("{:8.3}s {l}", start.elapsed().as_secs_f64());
            } else {
                println!("          {l}");
            }
        }
    });
    match run(&args, log, Arc::new(AtomicBool::new(false)), None) {
        Ok(n) => {
            println!("{n} session(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cpe: {e}");
            ExitCode::FAILURE
        }
    }
}
