//! Seeded randomized Sessions with injected faults (drops, timeouts, 5xx, 8005, malformed
//! responses, resets, the peer's close mid-response, 1xx, 503 + Retry-After, 401 and
//! redirects of any POST, responses included, reboots with persistence round trips), checking the delivery and retry
//! invariants of §3.7.1.5 and §3.2.1.1:
//!
//! * every event is delivered at least once: once the faults stop, the queue drains and every
//!   `M Download` CommandKey is reported;
//! * none is re-sent after confirmation (`0 BOOTSTRAP` after its InformResponse, `M Download`
//!   after its TransferCompleteResponse), across reboots too;
//! * none is lost across a reboot (the results and their events come back from flash);
//! * every retry wait lies in its Table 3 window;
//! * no Session is left open (the harness also checks the connection is closed at every end);
//! * a `14 HEARTBEAT` Inform carries no other event, and its Session no TransferComplete (Annex
//!   O.2.1); HEARTBEATs come alone, with other triggers, during Sessions and retries.
//!
//! `CPE_PROPTEST_CASES` sets the number of cases (default 10,000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::cpe::TransportError;
use cwmp_core::retry::RetryPolicy;
use cwmp_core::rng::{Rng, SplitMix64};
use cwmp_core::transfer::TransferKind;
use cwmp_core::Duration;
use support::*;

#[derive(Default)]
struct Acs {
    chaos: u32,
    /// M Download keys whose TransferComplete was answered.
    confirmed: BTreeSet<String>,
    bootstrap_confirmed: bool,
    /// The last Inform seen was a HEARTBEAT one.
    heartbeat_session: bool,
    violations: Vec<String>,
}

fn chance(rng: &mut SplitMix64, percent: u32) -> bool {
    rng.next_u32() % 100 < percent
}

fn responder(acs: Rc<RefCell<Acs>>, seed: u64) -> Box<dyn FnMut(&Seen) -> Step> {
    let mut rng = SplitMix64::new(seed ^ 0xac5);
    Box::new(move |seen| {
        let mut a = acs.borrow_mut();
        // Confirmed events must never come back.
        if seen.method == "Inform" {
            let heartbeat = seen.events.iter().any(|(c, _)| c == "14 HEARTBEAT");
            if heartbeat && seen.events.len() != 1 {
                a.violations
                    .push(format!("HEARTBEAT shares an Inform: {:?}", seen.events));
            }
            a.heartbeat_session = heartbeat;
            if a.bootstrap_confirmed && seen.events.iter().any(|(c, _)| c == "0 BOOTSTRAP") {
                a.violations
                    .push("BOOTSTRAP re-sent after confirmation".into());
            }
            for (c, k) in &seen.events {
                if c == "M Download" && a.confirmed.contains(k) {
                    a.violations
                        .push(format!("M Download {k} re-sent after confirmation"));
                }
            }
        }
        if let Some((k, _)) = &seen.transfer_complete {
            if a.heartbeat_session {
                a.violations
                    .push(format!("TransferComplete {k} in a HEARTBEAT Session"));
            }
            if a.confirmed.contains(k) {
                a.violations
                    .push(format!("TransferComplete {k} re-sent after confirmation"));
            }
        }
        if chance(&mut rng, a.chaos) {
            return match rng.next_u32() % 12 {
                0 => Step::Transport(TransportError::Receive),
                1 => Step::Transport(TransportError::Closed),
                2 => Step::Silence,
                3 => status(500),
                4 => status(503),
                5 => fault(8005),
                // Issue 13: the peer's close after any prefix of the answer, 1xx before it,
                // 503 + Retry-After, and a 401 or redirect (re-sent, a response included).
                6 => {
                    // Cut short (never whole), so the ACS takes nothing as confirmed.
                    let k = rng.next_u32() as usize;
                    let Step::Reply(mut f) = answer(seen, &mut Acs::default(), &mut rng) else {
                        unreachable!()
                    };
                    closing(move |seen| {
                        let mut v = f(seen);
                        v.truncate(k % v.len().max(1));
                        v
                    })
                }
                7 => after(
                    "HTTP/1.1 100 Continue\r\n\r\n",
                    answer(seen, &mut a, &mut rng),
                ),
                8 => Step::Reply(Box::new(|_| http(503, "Retry-After: 90\r\n", ""))),
                9 => digest_challenge(rng.next_u32() % 2 == 0),
                10 => redirect("http://acs2.example.com:7547/cwmp"),
                _ => raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n<bad>"),
            };
        }
        answer(seen, &mut a, &mut rng)
    })
}

/// The ACS's regular answer to `seen` (what it takes as confirmed is confirmed only when the
/// CPE gets it whole: a cut answer is not delivered, and the CPE sends it again).
fn answer(seen: &Seen, a: &mut Acs, rng: &mut SplitMix64) -> Step {
    match seen.method.as_str() {
        "Inform" => {
            if seen.events.iter().any(|(c, _)| c == "0 BOOTSTRAP") {
                a.bootstrap_confirmed = true;
            }
            inform_response()
        }
        "TransferComplete" => {
            let (k, _) = seen.transfer_complete.clone().unwrap();
            a.confirmed.insert(k);
            response("TransferCompleteResponse")
        }
        "" if chance(rng, 20) => request(GPV),
        _ => empty(),
    }
}

/// Fires timeouts (retries, transfers) until idle or `horizon` passes.
fn settle(p: &mut Pair, horizon: Duration) {
    let until = p.now + horizon;
    p.run();
    for _ in 0..200 {
        let Some(t) = p.cpe.poll_timeout() else { break };
        if t > until {
            break;
        }
        p.now = p.now.max(t);
        p.cpe.handle_timeout(p.now);
        p.run();
    }
}

#[derive(Default)]
struct Totals {
    failed: usize,
    sessions: usize,
    reboots: usize,
    transfers: usize,
}

fn case(seed: u64, totals: &mut Totals) {
    let mut rng = SplitMix64::new(seed);
    let acs = Rc::new(RefCell::new(Acs {
        chaos: 30,
        ..Acs::default()
    }));
    let mut p = Pair::new(new_cpe(seed));
    p.responder = Some(responder(acs.clone(), seed));
    p.cpe.bootstrap(p.now);
    let mut raised_keys = Vec::new();
    let rounds = 1 + rng.next_u32() % 5;
    for round in 0..rounds {
        p.drain_events();
        match rng.next_u32() % 6 {
            0 => p.cpe.handle_connection_request(p.now),
            1 => p.cpe.value_changed(p.now, true),
            2 => {
                let key = format!("k{seed}-{round}");
                if let Ok(id) = p.cpe.queue_transfer(
                    p.now,
                    TransferKind::Download,
                    &key,
                    "1 Firmware Upgrade Image",
                    0,
                ) {
                    p.cpe.handle_timeout(p.now);
                    p.drain_events();
                    let fault = if chance(&mut rng, 50) { 0 } else { 9010 };
                    p.cpe
                        .transfer_finished(
                            p.now,
                            id,
                            fault,
                            "",
                            DateTime::UNKNOWN,
                            DateTime::UNKNOWN,
                        )
                        .unwrap();
                    raised_keys.push(key);
                }
            }
            3 => {
                // Power cut at a random point of a Session.
                for _ in 0..rng.next_u32() % 3 {
                    if !p.step() {
                        break;
                    }
                }
                p.reboot(seed.wrapping_add(u64::from(round)));
                totals.reboots += 1;
            }
            4 => {
                let _ = p.cpe.heartbeat(p.now);
            }
            _ => {}
        }
        // A HEARTBEAT at the same moment as the action above (Annex O.2.2).
        if chance(&mut rng, 25) {
            let _ = p.cpe.heartbeat(p.now);
        }
        settle(
            &mut p,
            Duration::from_secs(u64::from(rng.next_u32() % 3000)),
        );
    }
    // The faults stop: everything must get through.
    acs.borrow_mut().chaos = 0;
    p.cpe.handle_connection_request(p.now);
    settle(&mut p, Duration::from_secs(20_000));

    let a = acs.borrow();
    assert!(a.violations.is_empty(), "seed {seed}: {:?}", a.violations);
    assert!(!p.cpe.in_session(), "seed {seed}: Session left open");
    assert!(!p.connected, "seed {seed}: connection left open");
    assert!(
        p.cpe.events().is_empty(),
        "seed {seed}: undelivered {:?}",
        p.cpe
            .events()
            .iter()
            .map(|e| e.code().as_str())
            .collect::<Vec<_>>()
    );
    assert!(
        a.bootstrap_confirmed,
        "seed {seed}: BOOTSTRAP never delivered"
    );
    for k in &raised_keys {
        assert!(a.confirmed.contains(k), "seed {seed}: transfer {k} lost");
    }
    assert_eq!(p.cpe.retry_state().retry_count(), 0);
    totals.sessions += p.outcomes.len();
    totals.failed += p.retry_log.len();
    totals.transfers += raised_keys.len();
    // Table 3 windows.
    let policy = RetryPolicy::default();
    for &(at, deadline, n) in &p.retry_log {
        let deadline = deadline.expect("a retry is scheduled after a failure");
        let (lo, hi) = policy.window_millis(n);
        let wait = (deadline - at).as_millis();
        assert!(
            wait >= lo && wait <= hi,
            "seed {seed}: wait {wait} ms outside #{n} window {lo}..={hi}"
        );
    }
}

#[test]
fn randomized_sessions_with_faults_and_reboots() {
    let cases: u64 = std::env::var("CPE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut totals = Totals::default();
    for seed in 0..cases {
        case(seed, &mut totals);
    }
    println!(
        "{cases} cases: {} Sessions, {} failed, {} reboots, {} transfers",
        totals.sessions, totals.failed, totals.reboots, totals.transfers
    );
    if cases >= 100 {
        assert!(totals.failed > 0 && totals.reboots > 0 && totals.transfers > 0);
    }
}
