//! ACS requests whose arguments do not decode (issue 13 item 4, strict numbers): every numeric
//! and boolean field of every ACS → CPE request, set to `9010x`, an overflow and empty, is
//! answered with fault 9003 echoing the request's cwmp:ID, and the Session goes on to a clean
//! end (TR-069 §3.5, §A.2.2). XML that is not well-formed, an unreadable header and bad
//! responses still fail the Session.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../cwmp-codec/tests/common/mod.rs"]
mod common;
mod support;

use cwmp_codec::message::MessageKind;
use cwmp_codec::{decode, DecodeErrorKind as K, XmlStr};
use cwmp_core::cpe::{SessionError, SessionOutcome, INVALID_ARGUMENTS};
use support::*;

/// The CPE → ACS requests: not the CPE's to answer.
const CPE_TO_ACS: &[&str] = &[
    "Inform",
    "TransferComplete",
    "AutonomousTransferComplete",
    "Kicked",
    "RequestDownload",
    "DUStateChangeComplete",
    "AutonomousDUStateChangeComplete",
];

/// Every numeric or boolean element name of the ACS → CPE requests' schemas.
const FIELDS: &[&str] = &[
    "NextLevel",
    "NotificationChange",
    "Notification",
    "AccessListChange",
    "FileSize",
    "DelaySeconds",
    "WindowStart",
    "WindowEnd",
    "MaxRetries",
];

/// The ID, with a character that must be escaped when echoed.
const ID: &str = "bad&1";

/// The ACS → CPE requests of `common::every_message`, encoded with cwmp:ID [`ID`].
fn requests() -> Vec<(String, String)> {
    common::every_message()
        .into_iter()
        .filter(|e| {
            e.body.kind() == MessageKind::Request && !CPE_TO_ACS.contains(&e.body.method_name())
        })
        .map(|mut e| {
            e.header = cwmp_codec::Header {
                id: Some(XmlStr::new(ID)),
                ..Default::default()
            };
            let mut out = vec![0u8; e.encoded_len().unwrap()];
            e.encode(&mut out.as_mut_slice()).unwrap();
            (
                e.body.method_name().to_string(),
                String::from_utf8(out).unwrap(),
            )
        })
        .collect()
}

/// The text ranges of every `<name>` element (not self-closed) in `xml`.
fn occurrences(xml: &str, name: &str) -> Vec<(usize, usize)> {
    let open = format!("<{name}>");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let start = i + open.len();
            (start, start + xml[start..].find('<').unwrap())
        })
        .collect()
}

/// A CPE in a Session, handed `doc` as an ACS request after the InformResponse; the ACS ends
/// the Session with an empty response to whatever comes next.
fn session_with(doc: String) -> Pair {
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    let bytes = http(200, "", &doc);
    p.script([
        inform_response(),
        Step::Reply(Box::new(move |_| bytes.clone())),
        empty(),
    ]);
    p.run();
    p
}

#[test]
fn every_bad_number_in_every_acs_request_gets_fault_9003_and_the_session_goes_on() {
    let mut faulted = Vec::new();
    for (method, xml) in requests() {
        for name in FIELDS {
            for (start, end) in occurrences(&xml, name) {
                let overflow = if ["Notification", "MaxRetries"].contains(name) {
                    "2147483648"
                } else if ["NextLevel", "NotificationChange", "AccessListChange"].contains(name) {
                    "2"
                } else {
                    "4294967296"
                };
                for bad in ["9010x", overflow, ""] {
                    let doc = format!("{}{bad}{}", &xml[..start], &xml[end..]);
                    let what = format!("{method} {name} = {bad:?}");
                    match decode(doc.as_bytes()) {
                        // FileSize: an explicit invalid marker, the application's to fault.
                        Ok(env) => {
                            assert_eq!(*name, "FileSize", "{what}: decoded as {env:?}");
                            continue;
                        }
                        Err(e) => assert_eq!(e.kind, K::InvalidValue, "{what}"),
                    }
                    let p = session_with(doc);
                    assert_eq!(p.methods(), ["Inform", "", "Fault"], "{what}");
                    let fault = &p.seen[2];
                    assert_eq!(fault.fault_code, Some(INVALID_ARGUMENTS), "{what}");
                    assert_eq!(fault.id.as_deref(), Some("bad&amp;1"), "{what}");
                    let body = String::from_utf8_lossy(&fault.body).into_owned();
                    assert!(
                        body.contains(&format!("in {name} at byte {start}")),
                        "{what}: {body}"
                    );
                    assert!(p.handled.is_empty(), "{what}: handed to the application");
                    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success), "{what}");
                    faulted.push((method.clone(), *name));
                }
            }
        }
    }
    // Every field was exercised, in every request that has it.
    for name in FIELDS.iter().filter(|n| **n != "FileSize") {
        assert!(faulted.iter().any(|(_, n)| n == name), "{name} never tried");
    }
    for method in [
        "SetParameterAttributes",
        "Download",
        "ScheduleInform",
        "Upload",
        "ScheduleDownload",
        "GetParameterNames",
    ] {
        assert!(
            faulted.iter().any(|(m, _)| m == method),
            "{method} never tried"
        );
    }
}

#[test]
fn the_fault_is_written_again_after_a_401() {
    let (_, xml) = requests()
        .into_iter()
        .find(|(m, _)| m == "ScheduleInform")
        .unwrap();
    let (start, end) = occurrences(&xml, "DelaySeconds")[0];
    let doc = format!("{}9010x{}", &xml[..start], &xml[end..]);
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    let bytes = http(200, "", &doc);
    p.script([
        inform_response(),
        Step::Reply(Box::new(move |_| bytes.clone())),
        digest_challenge(false),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "", "Fault", "Fault"]);
    assert_eq!(p.seen[2].body, p.seen[3].body);
    assert!(p.seen[3].authorization.is_some());
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn the_fault_is_written_again_after_a_redirect_on_a_new_connection() {
    let (_, xml) = requests().into_iter().find(|(m, _)| m == "Upload").unwrap();
    let (start, end) = occurrences(&xml, "DelaySeconds")[0];
    let doc = format!("{}{}", &xml[..start], &xml[end..]);
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    let bytes = http(200, "", &doc);
    p.script([
        inform_response(),
        Step::Reply(Box::new(move |_| bytes.clone())),
        redirect("http://r1.example.com/a"),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "", "Fault", "Fault"]);
    assert_eq!(p.seen[3].host, "r1.example.com");
    assert_eq!(p.seen[3].connection, p.seen[2].connection + 1);
    assert_eq!(p.seen[3].fault_code, Some(9003));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

fn failed(e: SessionError) -> Option<SessionOutcome> {
    Some(SessionOutcome::Failed(e))
}

#[test]
fn malformed_xml_an_unreadable_header_or_a_bad_response_still_fail_the_session() {
    let (_, xml) = requests()
        .into_iter()
        .find(|(m, _)| m == "ScheduleInform")
        .unwrap();
    let (start, end) = occurrences(&xml, "DelaySeconds")[0];
    let bad = |s: &str| format!("{}{s}{}", &xml[..start], &xml[end..]);
    for doc in [
        // Not well-formed, besides the bad number.
        bad("9010x</Oops>"),
        bad("9010x").replace("</cwmp:ScheduleInform>", ""),
        bad("&bogus;"),
        // The header does not decode.
        bad("9010x").replace(
            "<soap-env:Header>",
            "<soap-env:Header><cwmp:HoldRequests>x</cwmp:HoldRequests>",
        ),
        // A second method element.
        bad("9010x").replace("</soap-env:Body>", "<cwmp:Reboot/></soap-env:Body>"),
    ] {
        assert!(decode(doc.as_bytes()).is_err());
        let mut p = Pair::new(new_cpe(7));
        p.cpe.bootstrap(p.now);
        let bytes = http(200, "", &doc);
        p.script([
            inform_response(),
            Step::Reply(Box::new(move |_| bytes.clone())),
        ]);
        p.run_until(p.now);
        assert_eq!(p.methods(), ["Inform", ""], "{doc}");
        assert_eq!(
            p.outcomes.first().copied(),
            failed(SessionError::MalformedEnvelope),
            "{doc}"
        );
    }
    // A response (to the Inform) with a bad number is no request to fault.
    let doc = envelope(
        NS12,
        "",
        "<cwmp:InformResponse><MaxEnvelopes>9010x</MaxEnvelopes></cwmp:InformResponse>",
    );
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    let bytes = http(200, "", &doc);
    p.script([Step::Reply(Box::new(move |_| bytes.clone()))]);
    p.run_until(p.now);
    assert_eq!(
        p.outcomes.first().copied(),
        failed(SessionError::MalformedEnvelope)
    );
}

#[test]
fn a_bad_request_before_the_inform_response_is_a_protocol_violation() {
    let (_, xml) = requests()
        .into_iter()
        .find(|(m, _)| m == "ScheduleInform")
        .unwrap();
    let (start, end) = occurrences(&xml, "DelaySeconds")[0];
    let doc = format!("{}9010x{}", &xml[..start], &xml[end..]);
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    let bytes = http(200, "", &doc);
    p.script([Step::Reply(Box::new(move |_| bytes.clone()))]);
    p.run_until(p.now);
    assert_eq!(
        p.outcomes.first().copied(),
        failed(SessionError::ProtocolViolation)
    );
}

/// An unknown method is still the application's to answer (9000), as before.
#[test]
fn an_unknown_method_is_still_handed_to_the_application() {
    let p = {
        let mut p = Pair::new(new_cpe(7));
        p.cpe.bootstrap(p.now);
        p.script([
            inform_response(),
            request("<cwmp:X_ACME_Do><Count>9010x</Count></cwmp:X_ACME_Do>"),
            empty(),
        ]);
        p.run();
        p
    };
    assert_eq!(p.handled, ["X_ACME_Do"]);
    assert_eq!(p.seen[2].fault_code, Some(9000));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}
