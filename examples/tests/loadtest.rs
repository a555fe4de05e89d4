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

const INFORM: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap:Header><cwmp:ID soap:mustUnderstand="1">1</cwmp:ID></soap:Header><soap:Body><cwmp:Inform><DeviceId><Manufacturer>ACME</Manufacturer><OUI>00D09E</OUI><ProductClass>STB</ProductClass><SerialNumber>42</SerialNumber></DeviceId><Event><EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct></Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList/></cwmp:Inform></soap:Body></soap:Envelope>"#;

/// Sends one POST on `conn` and reads the whole response: (status, head, body).
async fn post(
    conn: &mut tokio::net::TcpStream,
    cookie: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    let req = format!(
        "POST /acs HTTP/1.1\r\nHost: acs\r\nContent-Type: text/xml\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut r = httparse::Response::new(&mut headers);
        if let Ok(httparse::Status::Complete(n)) = r.parse(&buf) {
            let len = r
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map_or(0, |h| {
                    std::str::from_utf8(h.value).unwrap().parse().unwrap()
                });
            if buf.len() >= n + len {
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let body = String::from_utf8_lossy(&buf[n..n + len]).into_owned();
                return (r.code.unwrap(), head, body);
            }
        }
        let mut chunk = [0u8; 4096];
        let got = conn.read(&mut chunk).await.unwrap();
        assert!(got > 0, "the ACS closed the connection");
        buf.extend_from_slice(&chunk[..got]);
    }
}

/// The `cwmpsid=…` pair of a response head's Set-Cookie.
fn set_cookie(head: &str) -> String {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a Set-Cookie");
    line[11..].trim().split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_follow_their_cookie_and_end_when_the_cpe_drops_them() {
    use tokio::net::TcpStream;
    let listener = acs_tokio::listen(([127, 0, 0, 1], 0).into()).unwrap();
    let stats = Arc::new(ProvisionStats::default());
    let acs = acs_tokio::start(
        listener,
        AcsOptions {
            shards: 2,
            ..AcsOptions::default()
        },
        |_| Provision {
            stats: Arc::clone(&stats),
        },
    )
    .unwrap();
    let addr = acs.local_addr();

    // Session A: the Inform on one connection, the empty POST on another (with the cookie):
    // it gets the plan's first request, not a 400 or a new Session. (The first connection
    // stays open meanwhile: a CPE closing the connection of its last POST would end the
    // Session, as B's does below.)
    let mut a1 = TcpStream::connect(addr).await.unwrap();
    let (status, head, body) = post(&mut a1, None, INFORM).await;
    assert_eq!(status, 200);
    assert!(body.contains("InformResponse"), "{body}");
    let cookie_a = set_cookie(&head);
    // Sessions B and C take the next tables in turn (B in the other shard), so A's next POST
    // must be routed by its cookie.
    let mut b = TcpStream::connect(addr).await.unwrap();
    let (_, head_b, _) = post(&mut b, None, INFORM).await;
    let mut c = TcpStream::connect(addr).await.unwrap();
    let _ = post(&mut c, None, INFORM).await;
    let mut a2 = TcpStream::connect(addr).await.unwrap();
    let (status, _, body) = post(&mut a2, Some(&cookie_a), "").await;
    assert_eq!(status, 200);
    assert!(body.contains("GetParameterValues>"), "{body}");
    assert!(body.contains("Device.DeviceInfo."), "{body}");
    // A's Session now lives on a2: closing a1 ends nothing.
    drop(a1);

    // B's CPE drops the connection of its last POST mid-Session: the ACS fails B at once (well
    // before the 30 s session timeout) and keeps A and C.
    drop(b);
    let mut waited = 0;
    while stats.failed_total() == 0 && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let failed = stats.failed.lock().unwrap().clone();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed.get("Transport"), Some(&1), "{failed:?}");
    assert_eq!(acs.live(), 2);
    assert_ne!(set_cookie(&head_b), cookie_a);
    // Every Session was started (InformResponse written), so its events were delivered.
    assert_eq!(stats.delivered.lock().unwrap().total, 3);
    drop(a2);
    drop(c);
    let _ = acs.shutdown().await;
}
