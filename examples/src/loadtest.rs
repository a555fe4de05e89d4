//! The load test: many simulated CPEs ([`crate::sim_cpe`]) against an ACS, with a
//! bounded number running at once, and the figures of the run ([`LoadReport`]).
//!
//! Each CPE is a new device (`0 BOOTSTRAP`, `1 BOOT` and an active `4 VALUE CHANGE`), runs
//! until one Session succeeds, and records the events it raised. The ACS side
//! ([`crate::provision`]) records the events it received; an event is **lost** when
//! a CPE raised it and the ACS never got it ([`LoadReport::lost`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant as StdInstant;

use tokio::task::JoinSet;

use cwmp_core::retry::RetryPolicy;

use crate::sim_cpe::{self, SimOptions, SimResult};

/// How the load runs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The ACS URL.
    pub acs_url: String,
    /// Simulated CPEs, numbered from `first`.
    pub cpes: usize,
    /// The number of the first CPE (its SerialNumber is `LT` and six digits).
    pub first: usize,
    /// CPEs running at once.
    pub concurrency: usize,
    /// Chance, in 1/10,000, that a Session drops its connection mid-Session.
    pub drop_per_10k: u64,
    /// The ACS password (empty: no authentication).
    pub password: String,
    /// The CPEs' Session Retry Policy (§3.2.1.1).
    pub retry: RetryPolicy,
    /// Seed of every random choice.
    pub seed: u64,
}

/// The test's shortened Session Retry Policy: m = 1 s, k = 1.5, so the first retry comes
/// 1–1.5 s after a failure (factory default: 5–10 s, Table 3).
pub const SHORT_RETRY: RetryPolicy = RetryPolicy {
    minimum_wait_interval: 1,
    interval_multiplier: 1500,
};

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            acs_url: String::new(),
            cpes: 200,
            first: 0,
            concurrency: 64,
            drop_per_10k: 0,
            password: String::new(),
            retry: SHORT_RETRY,
            seed: 1,
        }
    }
}

/// What a load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Every CPE's result, by number.
    pub results: Vec<SimResult>,
    /// Wall time of the run, in seconds.
    pub elapsed_secs: f64,
    /// The most CPEs that were running at once.
    pub peak_concurrency: usize,
}

/// The `p`-quantile (0..=1) of `values`, nearest rank; 0 for none.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values
        .get(rank.clamp(1, values.len()) - 1)
        .copied()
        .unwrap_or(0.0)
}

impl LoadReport {
    /// Sessions that succeeded.
    pub fn sessions_ok(&self) -> usize {
        self.results.iter().map(|r| r.session_secs.len()).sum()
    }

    /// Sessions that failed (each dropped connection fails one; without drops this must be 0).
    pub fn failed_sessions(&self) -> usize {
        self.results.iter().map(|r| r.failures.len()).sum()
    }

    /// CPEs that never completed a Session.
    pub fn unfinished(&self) -> usize {
        self.results.iter().filter(|r| !r.succeeded).count()
    }

    /// CPEs whose model does not hold what the ACS set.
    pub fn unprovisioned(&self) -> usize {
        self.results.iter().filter(|r| !r.provisioned).count()
    }

    /// Connections dropped on purpose.
    pub fn dropped(&self) -> u64 {
        self.results.iter().map(|r| u64::from(r.dropped)).sum()
    }

    /// TCP connections the CPEs opened.
    pub fn connections(&self) -> u64 {
        self.results.iter().map(|r| u64::from(r.connections)).sum()
    }

    /// Successful Sessions per second of wall time.
    pub fn sessions_per_sec(&self) -> f64 {
        if self.elapsed_secs > 0.0 {
            self.sessions_ok() as f64 / self.elapsed_secs
        } else {
            0.0
        }
    }

    /// The `p`-quantile of the successful Sessions' durations, in seconds.
    pub fn session_quantile(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .results
            .iter()
            .flat_map(|r| r.session_secs.iter().copied())
            .collect();
        percentile(&mut v, p)
    }

    /// The `p`-quantile of the time from power-up to the first successful Session (retries
    /// included), in seconds.
    pub fn provisioned_quantile(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .results
            .iter()
            .filter_map(|r| r.provisioned_secs)
            .collect();
        percentile(&mut v, p)
    }

    /// Every raised event, `(SerialNumber, event)`.
    pub fn raised(&self) -> HashSet<(String, String)> {
        self.results
            .iter()
            .flat_map(|r| r.raised.iter().map(|e| (r.serial.clone(), e.clone())))
            .collect()
    }

    /// One line per raised event, `SERIAL<TAB>EVENT`, sorted.
    pub fn raised_lines(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .raised()
            .into_iter()
            .map(|(s, e)| format!("{s}\t{e}"))
            .collect();
        v.sort();
        v
    }

    /// Raised events the ACS never got.
    pub fn lost(&self, delivered: &HashSet<(String, String)>) -> usize {
        self.raised().difference(delivered).count()
    }

    /// The figures as `name: value` lines.
    pub fn summary(&self) -> String {
        let failures = {
            let mut all: Vec<&str> = self
                .results
                .iter()
                .flat_map(|r| r.failures.iter().map(String::as_str))
                .collect();
            all.sort_unstable();
            let mut out: Vec<String> = Vec::new();
            let mut i = 0;
            while let Some(&f) = all.get(i) {
                let n = all.iter().skip(i).take_while(|&&g| g == f).count();
                out.push(format!("{f} x{n}"));
                i += n;
            }
            out.join(", ")
        };
        format!(
            "cpes: {}\n\
             concurrency (peak): {}\n\
             elapsed_s: {:.2}\n\
             sessions_ok: {}\n\
             sessions_per_s: {:.1}\n\
             session_p50_ms: {:.1}\n\
             session_p99_ms: {:.1}\n\
             provisioned_p50_ms: {:.1}\n\
             provisioned_p99_ms: {:.1}\n\
             failed_sessions: {}\n\
             failure_reasons: {}\n\
             dropped_connections: {}\n\
             unfinished_cpes: {}\n\
             unprovisioned_cpes: {}\n\
             connections: {}\n\
             events_raised: {}\n",
            self.results.len(),
            self.peak_concurrency,
            self.elapsed_secs,
            self.sessions_ok(),
            self.sessions_per_sec(),
            self.session_quantile(0.5) * 1e3,
            self.session_quantile(0.99) * 1e3,
            self.provisioned_quantile(0.5) * 1e3,
            self.provisioned_quantile(0.99) * 1e3,
            self.failed_sessions(),
            if failures.is_empty() { "-" } else { &failures },
            self.dropped(),
            self.unfinished(),
            self.unprovisioned(),
            self.connections(),
            self.raised().len(),
        )
    }
}

/// Runs `options.cpes` simulated CPEs, at most `options.concurrency` at once, on the current
/// tokio runtime.
pub async fn run(options: &LoadOptions) -> LoadReport {
    let sim = Arc::new(SimOptions {
        acs_url: options.acs_url.clone(),
        password: options.password.clone(),
        retry: options.retry,
        drop_per_10k: options.drop_per_10k,
        seed: options.seed,
    });
    let start = StdInstant::now();
    let mut tasks = JoinSet::new();
    let mut results: Vec<(usize, SimResult)> = Vec::with_capacity(options.cpes);
    let mut next = options.first;
    let end = options.first.saturating_add(options.cpes);
    let mut peak = 0;
    loop {
        while next < end && tasks.len() < options.concurrency.max(1) {
            let sim = Arc::clone(&sim);
            let i = next;
            tasks.spawn(async move { (i, sim_cpe::run(i, &sim).await) });
            next += 1;
        }
        peak = peak.max(tasks.len());
        match tasks.join_next().await {
            Some(Ok(r)) => results.push(r),
            Some(Err(e)) => results.push((
                usize::MAX,
                SimResult {
                    failures: vec![format!("task: {e}")],
                    ..SimResult::default()
                },
            )),
            None => break,
        }
    }
    results.sort_by_key(|(i, _)| *i);
    LoadReport {
        results: results.into_iter().map(|(_, r)| r).collect(),
        elapsed_secs: start.elapsed().as_secs_f64(),
        peak_concurrency: peak,
    }
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`); `None` off Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
