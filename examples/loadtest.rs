#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `loadtest`: simulated CPEs (the real `Cpe` machine on tokio tasks, see
//! `examples/src/sim_cpe.rs`) each completing a Session with the provisioning plan, against the
//! `acs_tokio` example (`--acs URL`) or an ACS started in this process. Prints the figures as
//! `name: value` lines; `benches/loadtest.sh` runs it.
//!
//! ```text
//! cargo run --release --example loadtest -- [--acs URL] [--cpes N] [--concurrency N]
//!     [--drop-percent P] [--password PW] [--seed S] [--threads N] [--raised FILE]
//!     [--shards N] [--close-every N]
//! ```
//!
//! * `--acs URL`: the ACS; without it one is started here (`--shards`, `--close-every` as
//!   for `acs_tokio`) and the events it received are compared with those raised.
//! * `--cpes N` (default 200), `--concurrency N` CPEs at once (default 64).
//! * `--drop-percent P`: the share of Sessions whose CPE drops its connection mid-Session,
//!   then retries (m = 1 s, k = 1.5, §3.2.1.1).
//! * `--password PW`: the Digest password (username `OUI-ProductClass-SerialNumber`).
//! * `--raised FILE`: write every raised (SerialNumber, event) pair, `SERIAL<TAB>EVENT` sorted.
//!
//! Exit status 1 when a CPE never completed a Session, or a Session failed without a drop
//! asked for, or (in-process ACS) an event was lost or an answer failed the ACS's checks.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use cwmp_examples::acs_tokio::{self, AcsOptions};
use cwmp_examples::loadtest::{self, proc_status_kib, LoadOptions};
use cwmp_examples::provision::{Provision, ProvisionStats};

struct Args {
    load: LoadOptions,
    acs: Option<String>,
    threads: usize,
    raised: Option<String>,
    acs_options: AcsOptions,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        load: LoadOptions::default(),
        acs: None,
        threads: 2,
        raised: None,
        acs_options: AcsOptions::default(),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--acs" => a.acs = Some(value()?),
            "--cpes" => a.load.cpes = number(value()?)? as usize,
            "--concurrency" => a.load.concurrency = number(value()?)?.max(1) as usize,
            "--drop-percent" => {
                let p: f64 = value()?
                    .parse()
                    .map_err(|_| "--drop-percent: not a number".to_string())?;
                a.load.drop_per_10k = (p * 100.0).round().clamp(0.0, 10_000.0) as u64;
            }
            "--password" => a.load.password = value()?,
            "--seed" => a.load.seed = number(value()?)?,
            "--threads" => a.threads = number(value()?)?.max(1) as usize,
            "--raised" => a.raised = Some(value()?),
            "--shards" => a.acs_options.shards = number(value()?)?.max(1) as usize,
            "--close-every" => a.acs_options.close_every = Some(number(value()?)? as u32),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadtest: {e}\nusage: loadtest [--acs URL] [--cpes N] [--concurrency N] [--drop-percent P] [--password PW] [--seed S] [--threads N] [--raised FILE] [--shards N] [--close-every N]");
            return ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(run(args))
}

async fn run(mut args: Args) -> ExitCode {
    let mut local = None;
    if args.acs.is_none() {
        let listener = acs_tokio::listen(([127, 0, 0, 1], 0).into()).expect("listen");
        if !args.load.password.is_empty() {
            args.acs_options.password = Some(args.load.password.clone());
        }
        let stats = Arc::new(ProvisionStats::default());
        let handle = acs_tokio::start(listener, args.acs_options.clone(), |_| Provision {
            stats: Arc::clone(&stats),
        })
        .expect("start the ACS");
        args.acs = Some(format!("http://{}/", handle.local_addr()));
        local = Some((handle, stats));
    }
    args.load.acs_url = args.acs.clone().unwrap_or_default();
    let report = loadtest::run(&args.load).await;
    print!("{}", report.summary());
    println!(
        "loadgen_rss_peak_kib: {}",
        proc_status_kib("VmHWM").unwrap_or(0)
    );
    let mut ok = report.unfinished() == 0
        && report.unprovisioned() == 0
        && (args.load.drop_per_10k > 0 || report.failed_sessions() == 0);
    if let Some((handle, stats)) = local {
        let peak = handle.peak_live();
        let _ = handle.shutdown().await;
        let (delivered, total): (HashSet<(String, String)>, u64) = stats
            .delivered
            .lock()
            .map(|d| (d.unique.clone(), d.total))
            .unwrap_or_default();
        let lost = report.lost(&delivered);
        let checks = stats.check_failures.load(Ordering::Relaxed);
        println!(
            "acs_sessions_completed: {}",
            stats.completed.load(Ordering::Relaxed)
        );
        println!("acs_sessions_failed: {}", stats.failed_total());
        println!("acs_check_failures: {checks}");
        println!("acs_peak_live_sessions: {peak}");
        println!("acs_events_delivered_unique: {}", delivered.len());
        println!("acs_events_delivered_total: {total}");
        println!("events_lost: {lost}");
        ok &= lost == 0 && checks == 0;
    }
    if let Some(path) = &args.raised {
        let mut text = report.raised_lines().join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("loadtest: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
