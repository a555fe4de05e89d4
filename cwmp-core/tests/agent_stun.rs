//! `ManagementServer.STUN*`, `NATDetected` and `UDPConnectionRequestAddress` through the agent
//! (TR-069 Annex G.2.1, TR-181): GPV/SPV, persistence, and a binding change notified within
//! `UDPConnectionRequestAddressNotificationLimit`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod agent_support;

use std::net::SocketAddr;

use agent_support::*;
use cwmp_core::codec::connreq::stun::StunMessage;
use cwmp_core::codec::Body;
use cwmp_core::stun::StunOutcome;
use cwmp_core::{Duration, Instant};

const MS: &str = "Device.ManagementServer.";
const UDP: &str = "Device.ManagementServer.UDPConnectionRequestAddress";
const LOCAL: &str = "192.168.1.10:7547";

fn ms(name: &str) -> String {
    format!("{MS}{name}")
}

fn gpv1(r: &mut Rig, name: &str) -> String {
    let full = ms(name);
    let v = values(&r.rpc(&gpv(&[&full])));
    assert_eq!(v.len(), 1);
    v[0].1.clone()
}

fn response(id: [u8; 16], addr: &str) -> Vec<u8> {
    let SocketAddr::V4(a) = addr.parse().unwrap() else {
        panic!()
    };
    let mut v = vec![0x01, 0x01, 0, 12];
    v.extend_from_slice(&id);
    v.extend_from_slice(&[0, 1, 0, 8, 0, 1]);
    v.extend_from_slice(&a.port().to_be_bytes());
    v.extend_from_slice(&a.ip().octets());
    v
}

/// The Binding Request the agent sends at `r.now`: (transaction id, BINDING-CHANGE?).
fn request(r: &mut Rig) -> Option<([u8; 16], bool)> {
    let mut buf = [0u8; 600];
    let n = r
        .agent
        .stun_poll_transmit(r.now, &mut r.cpe, &*r.model, &mut buf)?;
    let m = StunMessage::decode(&buf[..n]).unwrap();
    Some((m.transaction_id, m.binding_change()))
}

fn receive(r: &mut Rig, id: [u8; 16], addr: &str) -> StunOutcome {
    let d = response(id, addr);
    let o = r.agent.stun_received(r.now, &mut r.cpe, &*r.model, &d);
    r.drain();
    o
}

fn enable(r: &mut Rig, limit: u32) {
    let l = limit.to_string();
    let list = [
        (ms("STUNEnable"), "boolean", "1"),
        (ms("STUNMinimumKeepAlivePeriod"), "unsignedInt", "30"),
        (ms("STUNMaximumKeepAlivePeriod"), "int", "30"),
        (
            ms("UDPConnectionRequestAddressNotificationLimit"),
            "unsignedInt",
            l.as_str(),
        ),
    ];
    let list: Vec<(&str, &str, &str)> = list.iter().map(|(a, b, c)| (a.as_str(), *b, *c)).collect();
    let p = r.rpc(&spv(&list, "stun"));
    assert!(p.fault_code().is_none(), "{}", p.text());
}

#[test]
fn stun_parameters_have_their_tr181_defaults() {
    let mut r = Rig::new();
    r.open();
    assert_eq!(gpv1(&mut r, "STUNEnable"), "0");
    assert_eq!(gpv1(&mut r, "STUNServerAddress"), "");
    assert_eq!(gpv1(&mut r, "STUNServerPort"), "3478");
    assert_eq!(gpv1(&mut r, "STUNUsername"), "");
    assert_eq!(gpv1(&mut r, "STUNPassword"), "");
    assert_eq!(gpv1(&mut r, "STUNMaximumKeepAlivePeriod"), "-1");
    assert_eq!(gpv1(&mut r, "STUNMinimumKeepAlivePeriod"), "0");
    assert_eq!(gpv1(&mut r, "NATDetected"), "0");
    assert_eq!(
        gpv1(&mut r, "UDPConnectionRequestAddressNotificationLimit"),
        "0"
    );
    // NATDetected is read-only (9008 inside 9003).
    let p = r.rpc(&spv(&[(&ms("NATDetected"), "boolean", "1")], ""));
    assert_eq!(p.fault_code(), Some(9003));
    // Disabled: nothing to send.
    r.agent.stun_start(r.now, LOCAL.parse().unwrap(), 5);
    assert_eq!(r.agent.stun_poll_timeout(), None);
    assert!(request(&mut r).is_none());
}

#[test]
fn spv_configures_the_client_and_survives_a_reboot() {
    let mut r = Rig::new();
    r.agent.stun_start(r.now, LOCAL.parse().unwrap(), 5);
    r.open();
    let list = [
        (ms("STUNEnable"), "boolean", "1"),
        (ms("STUNServerAddress"), "string", "stun.example.net"),
        (ms("STUNServerPort"), "unsignedInt", "3479"),
        (ms("STUNUsername"), "string", "cpe01"),
        (ms("STUNPassword"), "string", "secret"),
        (ms("STUNMaximumKeepAlivePeriod"), "int", "120"),
        (ms("STUNMinimumKeepAlivePeriod"), "unsignedInt", "60"),
    ];
    let list: Vec<(&str, &str, &str)> = list.iter().map(|(a, b, c)| (a.as_str(), *b, *c)).collect();
    let p = r.rpc(&spv(&list, "k"));
    assert!(p.fault_code().is_none(), "{}", p.text());
    assert_eq!(gpv1(&mut r, "STUNPassword"), "", "reads back empty");
    assert_eq!(gpv1(&mut r, "STUNMaximumKeepAlivePeriod"), "120");
    // Out of range: int[-1:].
    let p = r.rpc(&spv(
        &[(&ms("STUNMaximumKeepAlivePeriod"), "int", "-2")],
        "",
    ));
    assert_eq!(p.fault_code(), Some(9003));
    // The running client took the new values at once.
    assert_eq!(r.agent.stun_poll_timeout(), Some(r.now));
    let mut buf = [0u8; 600];
    let n = r
        .agent
        .stun_poll_transmit(r.now, &mut r.cpe, &*r.model, &mut buf)
        .unwrap();
    let m = StunMessage::decode(&buf[..n]).unwrap();
    assert_eq!(m.username(), Some(&b"cpe01   "[..]));
    // G.2.1.1: a 401 gets a request signed with the STUNPassword the ACS set.
    let mut e = vec![0x01, 0x11, 0, 8];
    e.extend_from_slice(&m.transaction_id);
    e.extend_from_slice(&[0, 9, 0, 4, 0, 0, 4, 1]);
    assert_eq!(
        r.agent.stun_received(r.now, &mut r.cpe, &*r.model, &e),
        StunOutcome::Challenged
    );
    let n = r
        .agent
        .stun_poll_transmit(r.now, &mut r.cpe, &*r.model, &mut buf)
        .unwrap();
    let m = StunMessage::decode(&buf[..n]).unwrap();
    assert!(m.verify_message_integrity(b"secret"));
    assert_eq!(
        r.agent.management().stun_server(),
        ("stun.example.net", 3479)
    );
    r.close();
    r.reboot();
    let c = r.agent.management().stun_config();
    assert!(c.enable);
    assert_eq!(c.username.as_str(), "cpe01");
    assert_eq!(
        c.password.as_str(),
        "secret",
        "kept, though it reads back empty"
    );
    assert_eq!((c.minimum_keepalive, c.maximum_keepalive), (60, 120));
    assert_eq!(
        r.agent.management().stun_server(),
        ("stun.example.net", 3479)
    );
    r.agent.stun_start(r.now, LOCAL.parse().unwrap(), 6);
    assert_eq!(r.agent.stun_poll_timeout(), Some(r.now));
    r.open();
    assert_eq!(gpv1(&mut r, "STUNUsername"), "cpe01");
    // An empty STUNServerAddress means the ACS URL's host.
    let p = r.rpc(&spv(&[(&ms("STUNServerAddress"), "string", "")], ""));
    assert!(p.fault_code().is_none());
    assert_eq!(
        r.agent.management().stun_server(),
        ("acs.example.com", 3479)
    );
}

fn event_codes(p: &Post) -> Vec<String> {
    let env = p.envelope();
    let Body::Inform(i) = &env.body else { panic!() };
    i.event
        .iter()
        .map(|e| e.event_code.as_str().to_string())
        .collect()
}

#[test]
fn a_binding_change_updates_the_udp_address_and_is_notified_within_the_limit() {
    let mut r = Rig::new();
    r.agent.stun_start(r.now, LOCAL.parse().unwrap(), 5);
    r.open();
    assert!(r.rpc(&spa(UDP, 2)).fault_code().is_none());
    enable(&mut r, 100);
    r.close();
    assert!(!r.cpe.in_session());
    let t0 = r.now;
    let (id, bc) = request(&mut r).unwrap();
    assert!(bc, "first binding: BINDING-CHANGE");
    assert!(matches!(
        receive(&mut r, id, "203.0.113.5:40000"),
        StunOutcome::BindingChanged {
            nat_detected: true,
            ..
        }
    ));
    assert!(r.agent.management().nat_detected());
    assert_eq!(
        r.agent.management().udp_connection_request_address(),
        "203.0.113.5:40000"
    );
    // Active: a Session with 4 VALUE CHANGE and the new address.
    let inform = r.open();
    assert!(event_codes(&inform).contains(&"4 VALUE CHANGE".to_string()));
    assert!(values(&inform).contains(&(UDP.into(), "203.0.113.5:40000".into())));
    assert_eq!(gpv1(&mut r, "NATDetected"), "1");
    r.close();
    // The binding moves 10 s later: updated at once, notified only at t0 + 100 s.
    r.now = t0 + Duration::from_secs(10);
    r.agent
        .stun_poll_transmit(r.now, &mut r.cpe, &*r.model, &mut [0u8; 600]);
    r.now = t0 + Duration::from_secs(30);
    let (id, bc) = request(&mut r).unwrap();
    assert!(!bc);
    receive(&mut r, id, "203.0.113.5:40001");
    assert_eq!(
        r.agent.management().udp_connection_request_address(),
        "203.0.113.5:40001"
    );
    assert!(!r.cpe.in_session(), "held back by the notification limit");
    // BINDING-CHANGE goes out at once.
    let (id, bc) = request(&mut r).unwrap();
    assert!(bc);
    assert_eq!(
        receive(&mut r, id, "203.0.113.5:40001"),
        StunOutcome::Refreshed
    );
    let due = t0 + Duration::from_secs(100);
    assert!(r.agent.stun_poll_timeout().unwrap() <= due);
    r.now = due - Duration::from_millis(1);
    let _ = request(&mut r);
    r.drain();
    assert!(!r.cpe.in_session());
    r.now = due;
    let _ = request(&mut r);
    r.drain();
    assert!(r.cpe.in_session(), "notified at the end of the limit");
    let inform = r.open();
    assert!(values(&inform).contains(&(UDP.into(), "203.0.113.5:40001".into())));
}

#[test]
fn no_nat_keeps_the_local_address() {
    let mut r = Rig::new();
    r.agent.stun_start(r.now, LOCAL.parse().unwrap(), 5);
    r.open();
    enable(&mut r, 0);
    r.close();
    let (id, _) = request(&mut r).unwrap();
    assert!(matches!(
        receive(&mut r, id, LOCAL),
        StunOutcome::BindingChanged {
            nat_detected: false,
            ..
        }
    ));
    assert!(!r.agent.management().nat_detected());
    assert_eq!(r.agent.management().udp_connection_request_address(), LOCAL);
    let _ = Instant::ZERO;
}
