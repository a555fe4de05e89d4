#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `acs_tokio`: an ACS on tokio and hyper that serves many CPEs at once (see
//! `examples/src/acs_tokio.rs`), running the provisioning plan of `examples/src/provision.rs`
//! (GetParameterValues, SetParameterValues, GetParameterNames, GetParameterValues) in every
//! Session. It runs until Ctrl-C or SIGTERM, then prints what it counted as `name: value` lines.
//!
//! ```text
//! cargo run --release --example acs_tokio -- [--listen ADDR] [--password PW] [--shards N]
//!     [--threads N] [--close-every N] [--session-timeout SECS] [--delivered FILE]
//! ```
//!
//! * `--listen ADDR`: default `127.0.0.1:7547` (port 0: any free port; the first line printed
//!   says which).
//! * `--password PW`: HTTP Digest for every CPE with this password, any username (§3.4.4).
//! * `--shards N`: shard threads, each with 256 Sessions (default 2).
//! * `--threads N`: tokio worker threads for HTTP (default 2).
//! * `--close-every N`: close the connection after every N-th response of a live Session, so
//!   that Sessions continue over new connections by their cookie (§3.4.2).
//! * `--session-timeout SECS`: the §3.7.2.4 session timeout (at least 30, the default).
//! * `--delivered FILE`: at exit, write every (SerialNumber, event) pair received, one
//!   `SERIAL<TAB>EVENT` line each, sorted (the load test compares it with what its CPEs raised).

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use cwmp_core::acs::AcsSession;
use cwmp_examples::acs_tokio::{self, AcsOptions, SLOTS_PER_SHARD};
use cwmp_examples::loadtest::proc_status_kib;
use cwmp_examples::provision::{Provision, ProvisionStats};

struct Args {
    listen: String,
    threads: usize,
    delivered: Option<String>,
    options: AcsOptions,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        listen: "127.0.0.1:7547".into(),
        threads: 2,
        delivered: None,
        options: AcsOptions::default(),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--listen" => a.listen = value()?,
            "--password" => a.options.password = Some(value()?),
            "--shards" => a.options.shards = number(value()?)?.max(1) as usize,
            "--threads" => a.threads = number(value()?)?.max(1) as usize,
            "--close-every" => a.options.close_every = Some(number(value()?)? as u32),
            "--session-timeout" => {
                a.options.session_timeout = Duration::from_secs(number(value()?)?)
            }
            "--delivered" => a.delivered = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("acs_tokio: {e}\nusage: acs_tokio [--listen ADDR] [--password PW] [--shards N] [--threads N] [--close-every N] [--session-timeout SECS] [--delivered FILE]");
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

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(args: Args) -> ExitCode {
    let addr = match tokio::net::lookup_host(&args.listen)
        .await
        .map(|mut a| a.next())
    {
        Ok(Some(a)) => a,
        _ => {
            eprintln!("acs_tokio: cannot resolve {}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let listener = match acs_tokio::listen(addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("acs_tokio: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let stats = Arc::new(ProvisionStats::default());
    let shards = args.options.shards;
    let handle = match acs_tokio::start(listener, args.options, |_| Provision {
        stats: Arc::clone(&stats),
    }) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("acs_tokio: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("acs_tokio: listening on http://{}/", handle.local_addr());
    let idle_rss = proc_status_kib("VmRSS").unwrap_or(0);
    stop_signal().await;
    let peak = handle.peak_live();
    let connections = handle.connections();
    let _ = handle.shutdown().await;
    let failed = stats.failed.lock().map(|f| f.clone()).unwrap_or_default();
    let mut reasons: Vec<String> = failed.iter().map(|(k, v)| format!("{k} x{v}")).collect();
    reasons.sort();
    let (unique, total) = stats
        .delivered
        .lock()
        .map(|d| (d.unique.len(), d.total))
        .unwrap_or_default();
    println!(
        "acs_sessions_completed: {}",
        stats.completed.load(Ordering::Relaxed)
    );
    println!("acs_sessions_failed: {}", stats.failed_total());
    println!(
        "acs_failure_reasons: {}",
        if reasons.is_empty() {
            "-".to_string()
        } else {
            reasons.join(", ")
        }
    );
    println!("acs_rpcs_ok: {}", stats.rpcs_ok.load(Ordering::Relaxed));
    println!(
        "acs_check_failures: {}",
        stats.check_failures.load(Ordering::Relaxed)
    );
    println!("acs_events_delivered_unique: {unique}");
    println!("acs_events_delivered_total: {total}");
    println!("acs_peak_live_sessions: {peak}");
    println!("acs_connections: {connections}");
    println!("acs_slots: {}", shards * SLOTS_PER_SHARD);
    println!(
        "acs_session_machine_bytes: {}",
        std::mem::size_of::<AcsSession<'static>>()
    );
    println!("acs_rss_idle_kib: {idle_rss}");
    println!(
        "acs_rss_peak_kib: {}",
        proc_status_kib("VmHWM").unwrap_or(0)
    );
    if let Some(path) = args.delivered {
        let mut text = stats.delivered_lines().join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("acs_tokio: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
