//! Version negotiation of the CPE (TR-069 §3.7.1.1, Table 6, Table 11): every column of Table 11
//! as seen by a 1.4 CPE, and the fall back to 1.0 on retry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::codec::CwmpVersion;
use cwmp_core::cpe::{SessionError, SessionOutcome};
use support::*;

const NS11: &str = "urn:dslforum-org:cwmp-1-1";

/// Runs the Inform round trip with `reply`, checks the negotiated version, then an ACS request
/// in `ns` to see the namespace of the CPE's response.
fn negotiate(reply: Step, ns: &'static str) -> (Pair, Option<CwmpVersion>) {
    let mut p = Pair::new(new_cpe(11));
    p.cpe.bootstrap(p.now);
    p.script([reply]);
    p.step();
    let v = p.cpe.session_version();
    p.script([request_ns(ns, GPV), empty()]);
    p.run();
    (p, v)
}

#[test]
fn acs_1_4_with_use_cwmp_version_is_honoured() {
    for (v, want) in [
        ("1.4", CwmpVersion::V1_4),
        ("1.3", CwmpVersion::V1_3),
        ("1.2", CwmpVersion::V1_2),
    ] {
        let (p, got) = negotiate(inform_response_with(NS12, Some(v), None), NS12);
        assert_eq!(got, Some(want), "{v}");
        assert_eq!(
            p.seen[0].supported_versions.as_deref(),
            Some("1.0,1.1,1.2,1.3,1.4")
        );
        assert_eq!(p.seen[2].ns, NS12);
        assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    }
}

#[test]
fn use_cwmp_version_1_0_switches_to_the_1_0_namespace() {
    let (p, got) = negotiate(inform_response_with(NS12, Some("1.0"), None), NS10);
    assert_eq!(got, Some(CwmpVersion::V1_0));
    assert_eq!(p.seen[2].ns, NS10);
}

#[test]
fn use_cwmp_version_not_offered_aborts() {
    for v in ["1.5", "2.0", "x"] {
        let mut p = Pair::new(new_cpe(1));
        p.cpe.bootstrap(p.now);
        p.script([inform_response_with(NS12, Some(v), None)]);
        p.run();
        assert_eq!(
            p.last_outcome(),
            Some(SessionOutcome::Failed(SessionError::VersionNotOffered)),
            "{v}"
        );
        assert!(!p.connected, "TCP closed");
        assert_eq!(p.cpe.events().len(), 1, "BOOTSTRAP not delivered");
    }
}

#[test]
fn acs_1_1_to_1_3_without_use_cwmp_version_infers_from_the_namespace() {
    let (p, got) = negotiate(inform_response_with(NS12, None, None), NS12);
    assert_eq!(
        got,
        Some(CwmpVersion::V1_2),
        "cwmp-1-2 means 1.2 (1.3 cannot be told apart)"
    );
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    let (p, got) = negotiate(inform_response_with(NS11, None, None), NS11);
    assert_eq!(got, Some(CwmpVersion::V1_1));
    assert_eq!(
        p.seen[2].ns, NS11,
        "the rest of the Session in the 1.1 namespace"
    );
}

#[test]
fn acs_1_0_answering_in_the_1_0_namespace() {
    let (p, got) = negotiate(inform_response_with(NS10, None, None), NS10);
    assert_eq!(got, Some(CwmpVersion::V1_0));
    assert_eq!(p.seen[2].ns, NS10);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn acs_1_0_faulting_makes_the_retry_use_1_0() {
    let mut p = Pair::new(new_cpe(5));
    p.cpe.bootstrap(p.now);
    p.script([fault_in(NS10, 8000)]);
    p.run();
    assert_eq!(
        p.last_outcome(),
        Some(SessionOutcome::Failed(SessionError::InformFault(8000)))
    );
    assert!(p.cpe.is_v1_0_fallback());
    let at = p.cpe.poll_timeout().unwrap();
    p.script([inform_response_with(NS10, None, None), empty()]);
    p.run_until(at);
    let retry = &p.seen[1];
    assert_eq!(retry.method, "Inform");
    assert_eq!(retry.ns, NS10);
    assert_eq!(
        retry.supported_versions, None,
        "no 1.4 header in a 1.0 Inform"
    );
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn fault_8006_makes_the_retry_use_1_0_and_an_acs_change_forgets_it() {
    let mut c = config();
    c.session_timeout = Some(60);
    let mut p =
        Pair::new(cwmp_core::cpe::Cpe::new(&c, cwmp_core::Instant::from_secs(1), 2).unwrap());
    p.cpe.bootstrap(p.now);
    p.script([fault(8006)]);
    p.run();
    assert!(p.cpe.is_v1_0_fallback());
    let at = p.cpe.poll_timeout().unwrap();
    p.script([inform_response_with(NS10, None, None), empty()]);
    p.run_until(at);
    assert_eq!(p.seen[1].ns, NS10);
    assert_eq!(p.seen[1].session_timeout, None);
    p.cpe
        .set_acs_url(p.now, "http://other.example.com/")
        .unwrap();
    assert!(!p.cpe.is_v1_0_fallback());
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.seen[3].ns, NS12);
    assert_eq!(p.seen[3].session_timeout, Some(60));
}
