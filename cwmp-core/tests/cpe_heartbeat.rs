//! HEARTBEAT Sessions of the CPE machine (TR-069 Annex O; Table 8 `14 HEARTBEAT`): the
//! HeartbeatPolicy timer, the Inform with nothing but `14 HEARTBEAT` (O.2.1), the ordering
//! against active and retried Sessions (O.2.2, O.2.3), the discard on reboot (Table 8).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::cpe::{Cpe, SessionError, SessionOutcome};
use cwmp_core::schedule::{
    HeartbeatPolicy, PeriodicInformConfig, PeriodicInformTime, MIN_HEARTBEAT_INTERVAL,
};
use cwmp_core::transfer::TransferKind;
use cwmp_core::{Duration, Instant};
use support::*;

const HB: &str = "14 HEARTBEAT";

fn policy(interval: u32, time: PeriodicInformTime) -> HeartbeatPolicy {
    HeartbeatPolicy {
        enable: true,
        reporting_interval: interval,
        initiation_time: time,
    }
}

/// A well-behaved ACS: InformResponse, then 204 to the empty POST.
fn ok_acs() -> Box<dyn FnMut(&Seen) -> Step> {
    Box::new(|seen| match seen.method.as_str() {
        "Inform" => inform_response(),
        "TransferComplete" => response("TransferCompleteResponse"),
        _ => empty(),
    })
}

fn pair_with(heartbeat: HeartbeatPolicy, periodic: Option<u32>) -> Pair {
    let mut c = config();
    c.heartbeat = heartbeat;
    if let Some(interval) = periodic {
        c.periodic = PeriodicInformConfig {
            enable: true,
            interval,
            time: PeriodicInformTime::Unknown,
        };
    }
    let mut p = Pair::new(Cpe::new(&c, Instant::from_secs(1), 5).unwrap());
    p.responder = Some(ok_acs());
    p
}

/// The event codes of every Inform seen, in order.
fn informs(p: &Pair) -> Vec<Vec<String>> {
    p.seen
        .iter()
        .filter(|s| s.method == "Inform")
        .map(|s| codes(s).iter().map(|c| c.to_string()).collect())
        .collect()
}

fn pending(p: &Pair) -> Vec<String> {
    p.cpe
        .events()
        .iter()
        .map(|e| e.code().as_str().to_string())
        .collect()
}

#[test]
fn fires_every_reporting_interval_without_initiation_time() {
    let mut p = pair_with(policy(30, PeriodicInformTime::Unknown), None);
    assert_eq!(
        p.cpe.heartbeat_policy(),
        policy(30, PeriodicInformTime::Unknown)
    );
    // Unknown Time: the CPE picks the phase, the moment of configuration.
    assert_eq!(p.cpe.poll_timeout(), Some(Instant::from_secs(31)));
    p.run_until(Instant::from_secs(30));
    assert!(p.seen.is_empty());
    p.run_until(Instant::from_secs(31));
    assert_eq!(informs(&p), [[HB]]);
    assert_eq!(p.methods(), ["Inform", ""]);
    assert_eq!(p.outcomes, [SessionOutcome::Success]);
    assert!(p.cpe.events().is_empty(), "confirmed by the InformResponse");
    assert_eq!(p.cpe.poll_timeout(), Some(Instant::from_secs(61)));
    p.run_until(Instant::from_secs(91));
    assert_eq!(informs(&p), [[HB], [HB], [HB]]);
}

#[test]
fn reporting_interval_has_a_minimum_and_can_be_set_at_run_time() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    assert_eq!(p.cpe.poll_timeout(), None);
    p.now = Instant::from_secs(10);
    // Below the data model's minimum (unsignedInt[20:]): 20 s is used.
    p.cpe
        .set_heartbeat_policy(p.now, policy(5, PeriodicInformTime::Unknown));
    assert_eq!(
        p.cpe.poll_timeout(),
        Some(Instant::from_secs(10 + u64::from(MIN_HEARTBEAT_INTERVAL)))
    );
    p.run_until(Instant::from_secs(50));
    assert_eq!(informs(&p), [[HB], [HB]]);
    // Disabled again: no more deadlines.
    p.cpe.set_heartbeat_policy(p.now, HeartbeatPolicy::DISABLED);
    assert_eq!(p.cpe.poll_timeout(), None);
}

#[test]
fn initiation_time_sets_the_phase() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    let unix = 1_700_000_000i64;
    p.cpe.set_unix_time(p.now, unix);
    // InitiationTime 15 s ahead: the first HEARTBEAT then, the next one interval later.
    p.cpe
        .set_heartbeat_policy(p.now, policy(60, PeriodicInformTime::Absolute(unix + 15)));
    let t0 = p.now;
    assert_eq!(p.cpe.poll_timeout(), Some(t0 + Duration::from_secs(15)));
    p.run_until(t0 + Duration::from_secs(15));
    assert_eq!(informs(&p), [[HB]]);
    assert_eq!(p.cpe.poll_timeout(), Some(t0 + Duration::from_secs(75)));
    // A reference in the past: InitiationTime ± k·interval.
    p.cpe
        .set_heartbeat_policy(p.now, policy(60, PeriodicInformTime::Absolute(unix - 50)));
    assert_eq!(p.cpe.poll_timeout(), Some(t0 + Duration::from_secs(70)));
}

#[test]
fn heartbeat_inform_carries_nothing_else_and_leaves_value_change_pending() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    // A passive change waits for the next Non-HEARTBEAT Inform (Table 8 `4`, fn17).
    p.cpe.value_changed(p.now, false);
    assert!(p.cpe.heartbeat(p.now));
    p.drain_events();
    assert!(p.cpe.in_heartbeat_session());
    p.run();
    assert_eq!(informs(&p), [[HB]]);
    assert_eq!(p.outcomes, [SessionOutcome::Success]);
    // The HEARTBEAT InformResponse does not deliver the VALUE CHANGE (T8, T25).
    assert_eq!(pending(&p), ["4 VALUE CHANGE"]);
    assert!(!p.cpe.in_session(), "a passive change starts no Session");
    // It rides in the next regular Inform.
    p.cpe.handle_connection_request(p.now);
    p.run();
    assert_eq!(
        informs(&p),
        [vec![HB], vec!["4 VALUE CHANGE", "6 CONNECTION REQUEST"]]
    );
}

#[test]
fn coinciding_with_periodic_heartbeat_goes_first_and_periodic_follows_at_once() {
    let mut p = pair_with(policy(30, PeriodicInformTime::Unknown), Some(30));
    p.run_until(Instant::from_secs(31));
    assert_eq!(informs(&p), [[HB], ["2 PERIODIC"]]);
    assert_eq!(p.methods(), ["Inform", "", "Inform", ""]);
    assert_eq!(
        p.outcomes,
        [SessionOutcome::Success, SessionOutcome::Success]
    );
    assert_eq!(p.now, Instant::from_secs(31), "no wait between the two");
    assert!(p.cpe.events().is_empty());
}

#[test]
fn coinciding_with_value_change_heartbeat_goes_first() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    // The active change opens a Session; the HEARTBEAT comes before its Inform is written.
    p.cpe.value_changed(p.now, true);
    assert!(!p.cpe.in_heartbeat_session());
    assert!(p.cpe.heartbeat(p.now));
    assert!(
        p.cpe.in_heartbeat_session(),
        "the HEARTBEAT takes the Session"
    );
    p.run();
    assert_eq!(informs(&p), [[HB], ["4 VALUE CHANGE"]]);
    assert_eq!(
        p.outcomes,
        [SessionOutcome::Success, SessionOutcome::Success]
    );
    assert!(p.cpe.events().is_empty());
}

#[test]
fn no_transfer_complete_in_a_heartbeat_session() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    let id = p
        .cpe
        .queue_transfer(
            p.now,
            TransferKind::Download,
            "dl-1",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.cpe.handle_timeout(p.now);
    p.drain_events();
    p.cpe
        .transfer_finished(p.now, id, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN)
        .unwrap();
    assert!(p.cpe.heartbeat(p.now));
    p.run();
    // O.2.1: the HEARTBEAT Session is Inform and empty POST only; the TransferComplete and its
    // events follow in the next Session.
    assert_eq!(
        p.methods(),
        ["Inform", "", "Inform", "TransferComplete", ""]
    );
    assert_eq!(
        informs(&p),
        [vec![HB], vec!["M Download", "7 TRANSFER COMPLETE"]]
    );
    assert!(p.cpe.events().is_empty());
}

#[test]
fn heartbeat_during_an_active_session_waits_for_its_end() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    p.cpe.bootstrap(p.now);
    assert!(p.step(), "the BOOTSTRAP Inform and its InformResponse");
    assert!(p.cpe.in_session());
    assert!(p.cpe.heartbeat(p.now));
    assert!(!p.cpe.in_heartbeat_session());
    assert_eq!(pending(&p), [HB]);
    p.run();
    assert_eq!(informs(&p), [["0 BOOTSTRAP"], [HB]]);
    assert_eq!(p.methods(), ["Inform", "", "Inform", ""]);
    assert_eq!(
        p.outcomes,
        [SessionOutcome::Success, SessionOutcome::Success]
    );
}

#[test]
fn heartbeat_waits_while_a_non_heartbeat_inform_is_retried() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    p.cpe.bootstrap(p.now);
    p.script([status(500)]);
    p.run();
    assert_eq!(
        p.outcomes,
        [SessionOutcome::Failed(SessionError::HttpStatus(500))]
    );
    let retry_at = p.cpe.retry_state().poll_timeout().expect("a retry");
    // The HEARTBEAT neither starts a Session nor brings the retry forward (O.2.3).
    assert!(p.cpe.heartbeat(p.now));
    p.run();
    assert!(!p.cpe.in_session());
    assert_eq!(p.cpe.poll_timeout(), Some(retry_at));
    p.run_until(retry_at);
    // The retried BOOTSTRAP Inform first, then the HEARTBEAT Session at once.
    assert_eq!(informs(&p), [["0 BOOTSTRAP"], ["0 BOOTSTRAP"], [HB]]);
    let retried: Vec<_> = p.seen.iter().filter(|s| s.method == "Inform").collect();
    assert_eq!(retried[1].retry_count, Some(1));
    assert_eq!(retried[2].retry_count, Some(0));
    assert!(p.cpe.events().is_empty());
}

#[test]
fn a_new_heartbeat_is_dropped_during_or_while_retrying_a_heartbeat_session() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    assert!(p.cpe.heartbeat(p.now));
    assert!(!p.cpe.heartbeat(p.now), "one waits already");
    p.script([inform_response()]);
    assert!(p.step());
    // In the HEARTBEAT Session, after its InformResponse: dropped (O.2.2).
    assert!(p.cpe.in_heartbeat_session());
    assert!(!p.cpe.heartbeat(p.now));
    p.run();
    assert_eq!(p.outcomes, [SessionOutcome::Success]);
    assert!(
        p.cpe.events().is_empty(),
        "nothing left for another Session"
    );
    assert_eq!(informs(&p), [[HB]]);

    // A HEARTBEAT Session that fails before its InformResponse is retried ...
    assert!(p.cpe.heartbeat(p.now));
    p.script([status(500)]);
    p.run();
    let retry_at = p.cpe.retry_state().poll_timeout().expect("a retry");
    assert_eq!(pending(&p), [HB]);
    // ... and a new HEARTBEAT meanwhile is discarded (O.2.3).
    assert!(!p.cpe.heartbeat(p.now));
    assert_eq!(pending(&p), [HB]);
    assert_eq!(p.cpe.poll_timeout(), Some(retry_at));
    p.run_until(retry_at + Duration::from_secs(1));
    assert_eq!(informs(&p), [[HB], [HB], [HB]]);
    assert!(p.cpe.events().is_empty());
}

#[test]
fn events_behind_a_failed_heartbeat_session_follow_its_retry() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    p.cpe.handle_connection_request(p.now);
    assert!(p.cpe.heartbeat(p.now));
    p.script([status(500)]);
    p.run();
    let retry_at = p.cpe.retry_state().poll_timeout().expect("a retry");
    p.run_until(retry_at);
    assert_eq!(informs(&p), [[HB], [HB], ["6 CONNECTION REQUEST"]]);
    assert!(p.cpe.events().is_empty());
}

#[test]
fn reboot_discards_a_pending_heartbeat() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    assert!(p.cpe.heartbeat(p.now));
    p.script([status(500)]);
    p.run();
    assert_eq!(pending(&p), [HB]);
    p.reboot(9);
    // Table 8: "Retry until reboot, then discard".
    assert_eq!(pending(&p), ["1 BOOT"]);
    p.run();
    assert_eq!(informs(&p), [vec![HB], vec!["1 BOOT"]]);
    assert!(p.cpe.events().is_empty());
}

#[test]
fn no_heartbeat_to_an_acs_that_speaks_only_cwmp_1_0() {
    let mut p = pair_with(HeartbeatPolicy::DISABLED, None);
    p.cpe.bootstrap(p.now);
    // Table 11: fault 8006 to the Inform, the CPE falls back to 1.0.
    p.script([fault(8006)]);
    p.run();
    assert!(p.cpe.is_v1_0_fallback());
    assert!(
        !p.cpe.heartbeat(p.now),
        "no `14` in the cwmp-1-0 event codes"
    );
    assert!(!pending(&p).iter().any(|c| c == HB));
}
