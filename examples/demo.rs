#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `cargo run --example demo`: an ACS and a CPE on 127.0.0.1 go through a whole device life
//! (bootstrap, parameters, a table row, a firmware Download served by the demo itself, the
//! reboot, TransferComplete, a connection request, a periodic Inform), printing what each side
//! did. Exit code 0 when every step happened as expected. See `examples/src/demo.rs`.

use std::process::ExitCode;

use cwmp_examples::demo::{run, Options};

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!("usage: cargo run --example demo   (no arguments)");
        return ExitCode::from(2);
    }
    match run(&Options::default()) {
        Ok(r) if r.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}
