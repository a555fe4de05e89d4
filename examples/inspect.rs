#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `inspect`: decode CWMP messages and print them as stable, line-oriented text.
//!
//! ```text
//! cargo run --example inspect -- FILE...            # decoded fields, one `path = value` a line
//! cargo run --example inspect -- --reencode FILE... # the canonical XML instead
//! ```
//!
//! Each FILE is a bare SOAP envelope, or a whole HTTP message (request or response) whose body
//! is one. Output per file: `method: <Name>`, `cwmp-ns: <version>`, then the header elements
//! and every field as `path = value`, arrays indexed (`Inform.Event[0].EventCode = 1 BOOT`).
//! A file that does not decode prints `error: <kind> at byte <offset>` and the program exits 1.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use cwmp_examples::cli::InspectCli;
use cwmp_examples::inspect::inspect;

fn main() -> ExitCode {
    // `--help` exits 0; no FILE or an unknown flag exits 2.
    let InspectCli { reencode, files } = InspectCli::parse();
    let mut failed = false;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for f in &files {
        if files.len() > 1 {
            let _ = writeln!(out, "== {f}");
        }
        match std::fs::read(f) {
            Err(e) => {
                let _ = writeln!(out, "error: cannot read {f}: {e}");
                failed = true;
            }
            Ok(bytes) => {
                if let Err(msg) = inspect(&bytes, reencode, &mut out) {
                    let _ = writeln!(out, "{msg}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
