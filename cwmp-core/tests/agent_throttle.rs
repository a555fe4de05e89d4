//! `ManagementServer.DefaultActiveNotificationThrottle` (TR-181): a Session opened only to
//! deliver an Active `4 VALUE CHANGE` waits until the end of the last Session plus the
//! throttle; a Session for any other reason is not delayed and carries the change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod agent_support;

use agent_support::*;
use cwmp_core::codec::Body;
use cwmp_core::{Duration, Instant};

const THROTTLE: &str = "Device.ManagementServer.DefaultActiveNotificationThrottle";
const HOSTNAME: &str = "Device.DeviceInfo.HostName";

fn event_codes(p: &Post) -> Vec<String> {
    let env = p.envelope();
    let Body::Inform(i) = &env.body else {
        panic!("not an Inform")
    };
    i.event
        .iter()
        .map(|e| e.event_code.as_str().to_string())
        .collect()
}

/// A Rig whose first Session set HostName Active and the throttle to `secs`, then ended at
/// the returned instant.
fn rig(secs: u32) -> (Rig, Instant) {
    rig_with(secs, &[])
}

fn rig_with(secs: u32, more: &[(&str, &str, &str)]) -> (Rig, Instant) {
    let mut r = Rig::new();
    r.open();
    assert!(r.rpc(&spa(HOSTNAME, 2)).fault_code().is_none());
    let v = secs.to_string();
    let mut list = vec![(THROTTLE, "unsignedInt", v.as_str())];
    list.extend_from_slice(more);
    let p = r.rpc(&spv(&list, "k"));
    assert!(p.fault_code().is_none(), "{}", p.text());
    r.close();
    assert!(!r.cpe.in_session());
    assert_eq!(r.cpe.notification_throttle(), secs);
    let end = r.now;
    (r, end)
}

fn change(r: &mut Rig, to: &str) {
    r.model.hostname = to.into();
    assert!(r.agent.changed(r.now, &mut r.cpe, &*r.model, HOSTNAME));
    r.drain();
}

fn advance(r: &mut Rig, to: Instant) {
    r.now = to;
    r.cpe.handle_timeout(r.now);
    r.drain();
}

#[test]
fn throttle_zero_starts_the_session_at_once() {
    let (mut r, _) = rig(0);
    change(&mut r, "now");
    assert!(r.cpe.in_session());
    let inform = r.open();
    assert!(event_codes(&inform).contains(&"4 VALUE CHANGE".to_string()));
}

#[test]
fn throttle_holds_the_value_change_session_until_end_plus_throttle() {
    let (mut r, end) = rig(60);
    advance(&mut r, end + Duration::from_secs(10));
    change(&mut r, "later");
    assert!(!r.cpe.in_session(), "delayed by the throttle");
    // The driver is told to wake at the end of the window, not before.
    assert_eq!(r.cpe.poll_timeout(), Some(end + Duration::from_secs(60)));
    advance(&mut r, end + Duration::from_millis(59_999));
    assert!(!r.cpe.in_session());
    advance(&mut r, end + Duration::from_secs(60));
    assert!(r.cpe.in_session(), "due at end + 60 s");
    let inform = r.open();
    assert_eq!(event_codes(&inform), ["4 VALUE CHANGE"]);
    assert!(values(&inform).contains(&(HOSTNAME.into(), "later".into())));
    r.close();
    // Delivered once: nothing else waits.
    assert!(r.agent.pending().is_empty());
    assert_eq!(r.cpe.poll_timeout(), None);
}

#[test]
fn a_change_after_the_window_is_not_delayed() {
    let (mut r, end) = rig(60);
    advance(&mut r, end + Duration::from_secs(61));
    change(&mut r, "late");
    assert!(r.cpe.in_session());
}

#[test]
fn a_connection_request_inside_the_window_is_not_delayed_and_carries_the_change() {
    let (mut r, end) = rig(60);
    advance(&mut r, end + Duration::from_secs(5));
    change(&mut r, "cr");
    assert!(!r.cpe.in_session());
    r.now = end + Duration::from_secs(20);
    r.cpe.handle_connection_request(r.now);
    r.drain();
    assert!(
        r.cpe.in_session(),
        "a Connection Request is never throttled"
    );
    let inform = r.open();
    let codes = event_codes(&inform);
    assert!(
        codes.contains(&"6 CONNECTION REQUEST".to_string()),
        "{codes:?}"
    );
    assert!(codes.contains(&"4 VALUE CHANGE".to_string()), "{codes:?}");
    assert!(values(&inform).contains(&(HOSTNAME.into(), "cr".into())));
    r.close();
    // The change was delivered: no throttled Session follows.
    advance(&mut r, end + Duration::from_secs(200));
    assert!(!r.cpe.in_session());
}

#[test]
fn a_periodic_session_inside_the_window_is_not_delayed_and_carries_the_change() {
    let (mut r, end2) = rig_with(
        600,
        &[
            (
                "Device.ManagementServer.PeriodicInformEnable",
                "boolean",
                "1",
            ),
            (
                "Device.ManagementServer.PeriodicInformInterval",
                "unsignedInt",
                "30",
            ),
        ],
    );
    advance(&mut r, end2 + Duration::from_secs(1));
    change(&mut r, "periodic");
    assert!(!r.cpe.in_session());
    let due = r.cpe.poll_timeout().unwrap();
    assert!(
        due <= end2 + Duration::from_secs(31),
        "the periodic Inform is first"
    );
    advance(&mut r, due);
    assert!(r.cpe.in_session(), "the periodic Session is not delayed");
    let inform = r.open();
    let codes = event_codes(&inform);
    assert!(codes.contains(&"2 PERIODIC".to_string()), "{codes:?}");
    assert!(codes.contains(&"4 VALUE CHANGE".to_string()), "{codes:?}");
}

#[test]
fn a_waiting_retry_is_not_delayed() {
    let (mut r, end) = rig(600);
    // A Connection Request whose Session fails: a retry waits.
    r.now = end + Duration::from_secs(1);
    r.cpe.handle_connection_request(r.now);
    r.drain();
    assert!(r.cpe.in_session());
    r.cpe.abort_session(r.now);
    r.drain();
    assert!(r.cpe.retry_state().poll_timeout().is_some());
    // The change brings the retry forward (§3.2.1.1), throttle or not.
    change(&mut r, "retry");
    assert!(r.cpe.in_session());
}

#[test]
fn the_throttle_reads_back_and_survives_a_reboot() {
    let (mut r, _) = rig(45);
    r.cpe.handle_connection_request(r.now);
    r.open();
    let v = values(&r.rpc(&gpv(&[THROTTLE])));
    assert_eq!(v, vec![(THROTTLE.to_string(), "45".to_string())]);
    r.close();
    r.reboot();
    assert_eq!(r.cpe.notification_throttle(), 45);
    r.open();
    let v = values(&r.rpc(&gpv(&[THROTTLE])));
    assert_eq!(v, vec![(THROTTLE.to_string(), "45".to_string())]);
    // Not an unsignedInt: refused (9003, with 9007 for the Parameter).
    let p = r.rpc(&spv(&[(THROTTLE, "unsignedInt", "-1")], "k"));
    assert_eq!(p.fault_code(), Some(9003));
}
