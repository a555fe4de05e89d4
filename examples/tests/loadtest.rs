//! The load test, small: 200 simulated CPEs (the real `Cpe` machine on tokio tasks) against the
//! tokio/hyper ACS over loopback TCP, with Digest and the ACS closing the connection every
//! third response (so every Session continues over new connections by its cookie). Without
//! drops no Session may fail; with 5 % of Sessions dropped by the CPE mid-Session, every CPE
//! must still get through (retrying, §3.2.1.1) and no event may be lost. Figures are not
//! asserted (benches/loadtest.sh measures them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use cwmp_examples::acs_tokio::{self, AcsOptions};
use cwmp_examples::loadtest::{self, LoadOptions, LoadReport};
use cwmp_examples::provision::{Provision, ProvisionStats, PLAN_LEN};

const CPES: usize = 200;

/// Runs `CPES` CPEs against a fresh ACS; returns the CPEs' report and the ACS's counters.
async fn run(drop_per_10k: u64) -> (LoadReport, Arc<ProvisionStats>, u64) {
    let listener = acs_tokio::listen(([127, 0, 0, 1], 0).into()).unwrap();
    let stats = Arc::new(ProvisionStats::default());
    let acs = acs_tokio::start(
        listener,
        AcsOptions {
            shards: 2,
            password: Some("load-secret".into()),
            close_every: Some(3),
            ..AcsOptions::default()
        },
        |_| Provision {
            stats: Arc::clone(&stats),
        },
    )
    .unwrap();
    let report = loadtest::run(&LoadOptions {
        acs_url: format!("http://{}/cwmp", acs.local_addr()),
        cpes: CPES,
        concurrency: 50,
        drop_per_10k,
        password: "load-secret".into(),
        seed: 14,
        ..LoadOptions::default()
    })
    .await;
    let connections = acs.connections();
    let apps = acs.shutdown().await;
    assert_eq!(apps.len(), 2, "every shard gave its application back");
    (report, stats, connections)
}

fn delivered(stats: &ProvisionStats) -> HashSet<(String, String)> {
    stats.delivered.lock().unwrap().unique.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_cpes_complete_their_sessions() {
    let (report, stats, connections) = run(0).await;
    assert_eq!(report.results.len(), CPES);
    assert_eq!(report.failed_sessions(), 0, "{}", report.summary());
    assert_eq!(report.unfinished(), 0);
    assert_eq!(
        report.unprovisioned(),
        0,
        "every CPE holds what the ACS set"
    );
    assert_eq!(report.sessions_ok(), CPES);
    // Each Session has 6 responses after the 401: the ACS closed after the 3rd and the 6th,
    // so the CPE opened a second connection and carried its cookie over.
    assert_eq!(report.connections(), 2 * CPES as u64);
    assert_eq!(connections, 2 * CPES as u64);
    assert_eq!(stats.completed.load(Ordering::Relaxed), CPES as u64);
    assert_eq!(stats.failed_total(), 0);
    assert_eq!(stats.check_failures.load(Ordering::Relaxed), 0);
    assert_eq!(
        stats.rpcs_ok.load(Ordering::Relaxed),
        (CPES * PLAN_LEN) as u64
    );
    // 0 BOOTSTRAP, 1 BOOT, 4 VALUE CHANGE from each, each delivered exactly once.
    let raised = report.raised();
    assert_eq!(raised.len(), 3 * CPES);
    assert_eq!(delivered(&stats), raised);
    assert_eq!(stats.delivered.lock().unwrap().total, 3 * CPES as u64);
    assert_eq!(report.lost(&delivered(&stats)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_lose_no_event() {
    let (report, stats, _) = run(500).await;
    assert!(report.dropped() > 0, "the seed drops some connections");
    // Each drop fails its Session and nothing else fails; the retry succeeds.
    assert_eq!(report.failed_sessions() as u64, report.dropped());
    assert_eq!(report.unfinished(), 0, "{}", report.summary());
    assert_eq!(report.unprovisioned(), 0);
    assert_eq!(stats.check_failures.load(Ordering::Relaxed), 0);
    assert_eq!(
        report.lost(&delivered(&stats)),
        0,
        "no raised event is lost"
    );
    // An event may be delivered twice (the drop came after the ACS answered the Inform), but
    // only events that were raised arrive.
    assert!(delivered(&stats).is_subset(&report.raised()));
    assert!(stats.completed.load(Ordering::Relaxed) >= CPES as u64);
}
