//! Scripted Sessions of the CPE machine against an in-memory ACS (TR-069 §3.7.1, Table 7,
//! §3.7.1.4 termination rules, §3.4.2 HTTP behaviour).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::cpe::{Event, SessionError, SessionOutcome, TransportError};
use cwmp_core::{Duration, Instant};
use support::*;

fn pair() -> Pair {
    Pair::new(new_cpe(7))
}

fn failed(e: SessionError) -> Option<SessionOutcome> {
    Some(SessionOutcome::Failed(e))
}

#[test]
fn bootstrap_session_inform_first_then_empty_post_then_204() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", ""]);
    let inform = &p.seen[0];
    assert_eq!(codes(inform), ["0 BOOTSTRAP"]);
    assert_eq!(
        inform.supported_versions.as_deref(),
        Some("1.0,1.1,1.2,1.3,1.4")
    );
    assert_eq!(inform.ns, NS12);
    assert_eq!(inform.retry_count, Some(0));
    assert_eq!(inform.soap_action.as_deref(), Some("\"\""));
    assert_eq!(inform.host, "acs.example.com:7547");
    assert!(
        p.seen[1].soap_action.is_none(),
        "empty POST without SOAPAction (INTEROP H2)"
    );
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert!(
        p.cpe.events().is_empty(),
        "BOOTSTRAP confirmed by the InformResponse"
    );
    assert_eq!(p.connections, 1);
    assert!(!p.cpe.in_session());
    assert!(p.events.contains(&Event::SessionInitiated));
    // Nothing more to do: no retry, no timer.
    assert_eq!(p.cpe.poll_timeout(), None);
}

#[test]
fn empty_200_also_ends_the_session() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty_200()]);
    p.run();
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn session_timeout_header_when_configured() {
    let mut c = config();
    c.session_timeout = Some(120);
    let mut p = Pair::new(cwmp_core::cpe::Cpe::new(&c, Instant::from_secs(1), 1).unwrap());
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.seen[0].session_timeout, Some(120));
}

// --- Table 7 ---------------------------------------------------------------------------------

/// A CPE with a result awaiting TransferComplete, outside a Session.
fn pair_with_pending_transfer_complete() -> Pair {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    let id = p
        .cpe
        .queue_transfer(
            p.now,
            cwmp_core::transfer::TransferKind::Download,
            "ck",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.run_until(p.now);
    let t = unknown_time();
    // The transfer finishes: a Session starts for it; let the test script it.
    p.cpe.transfer_finished(p.now, id, 0, "", t, t).unwrap();
    p
}

#[test]
fn table7_pending_request_hold_false_no_acs_request_sends_the_request() {
    let mut p = pair_with_pending_transfer_complete();
    p.script([
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods()[2..], ["Inform", "TransferComplete", ""]);
    assert_eq!(codes(&p.seen[2]), ["M Download", "7 TRANSFER COMPLETE"]);
    assert_eq!(p.seen[3].transfer_complete, Some(("ck".into(), 0)));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert!(p.cpe.events().is_empty());
    assert_eq!(p.cpe.transfers().results().count(), 0);
}

#[test]
fn table7_acs_request_outstanding_gets_the_response_even_with_requests_pending() {
    let mut p = pair_with_pending_transfer_complete();
    // The ACS answers the TransferComplete POST with a request of its own: the CPE answers it
    // (Response), then gets the TransferCompleteResponse.
    p.script([
        inform_response(),
        request(GPV),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(
        p.methods()[2..],
        [
            "Inform",
            "TransferComplete",
            "GetParameterValuesResponse",
            ""
        ]
    );
    assert_eq!(
        p.seen[4].id.as_deref(),
        Some("acs&amp;1"),
        "cwmp:ID echoed byte for byte"
    );
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn table7_hold_requests_true_gives_empty_post_and_requests_wait() {
    let mut p = pair_with_pending_transfer_complete();
    p.script([
        inform_response_with(NS12, Some("1.4"), Some(true)),
        // CPE requests pending, HoldRequests true, no ACS request: empty POST.
        request_with(GPV, Some(true)),
        // ACS request outstanding with HoldRequests true: the response.
        empty(),
        // HoldRequests false now (empty response), and the empty POST was sent while it was
        // true: the TransferComplete may go.
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(
        p.methods()[2..],
        [
            "Inform",
            "",
            "GetParameterValuesResponse",
            "TransferComplete",
            ""
        ]
    );
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn table7_no_requests_pending_acs_request_outstanding_response_then_empty() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(GPV), empty()]);
    // The ACS answers the empty POST with a request: answer it; the next empty response ends
    // the Session (the empty POST was already sent with HoldRequests false).
    p.run();
    assert_eq!(p.methods(), ["Inform", "", "GetParameterValuesResponse"]);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn no_request_after_empty_post_with_hold_false() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(GPV)]);
    p.step(); // Inform -> InformResponse
    p.step(); // empty POST (HoldRequests false) -> GetParameterValues, answered
              // A transfer finishes now, mid-Session: its TransferComplete must wait (§3.7.1.3 cond. 3).
    let id = p
        .cpe
        .queue_transfer(
            p.now,
            cwmp_core::transfer::TransferKind::Download,
            "late",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.cpe.handle_timeout(p.now);
    let t = unknown_time();
    p.cpe.transfer_finished(p.now, id, 0, "", t, t).unwrap();
    p.script([
        empty(),
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(
        p.methods(),
        [
            "Inform",
            "",
            "GetParameterValuesResponse",
            "Inform",
            "TransferComplete",
            ""
        ]
    );
    assert_eq!(
        p.outcomes,
        [SessionOutcome::Success, SessionOutcome::Success]
    );
}

#[test]
fn unknown_acs_method_answered_with_9000_and_session_continues() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(UNKNOWN_METHOD), empty()]);
    p.run();
    assert_eq!(p.seen[2].method, "Fault");
    assert_eq!(p.seen[2].fault_code, Some(9000));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

// --- Unsuccessful termination (§3.7.1.4) -----------------------------------------------------

fn bootstrapped_failing(step: Step) -> Pair {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([step]);
    p.run();
    p
}

#[test]
fn no_response_within_30_s_fails() {
    let p = bootstrapped_failing(Step::Silence);
    assert_eq!(p.last_outcome(), failed(SessionError::Timeout));
    assert!(p.cpe.retry_state().is_retrying());
}

#[test]
fn http_5xx_and_4xx_fail() {
    for code in [500u16, 503, 400, 404] {
        let p = bootstrapped_failing(status(code));
        assert_eq!(
            p.last_outcome(),
            failed(SessionError::HttpStatus(code)),
            "{code}"
        );
    }
}

#[test]
fn second_401_fails() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([digest_challenge(false), digest_challenge(false)]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Inform"]);
    assert_eq!(p.last_outcome(), failed(SessionError::Unauthorized));
}

#[test]
fn malformed_xml_fails() {
    let p = bootstrapped_failing(raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 12\r\n\r\n<soap:Envel>",
    ));
    assert_eq!(p.last_outcome(), failed(SessionError::MalformedEnvelope));
}

#[test]
fn fault_without_cwmp_detail_fails() {
    let body = envelope(
        NS12,
        "",
        "<soapenv:Fault><faultcode>Server</faultcode><faultstring>x</faultstring></soapenv:Fault>",
    );
    let bytes: &'static [u8] = Box::leak(http(200, "", &body).into_boxed_slice());
    let p = bootstrapped_failing(raw(bytes));
    assert_eq!(p.last_outcome(), failed(SessionError::MalformedEnvelope));
}

#[test]
fn malformed_http_head_fails() {
    let p = bootstrapped_failing(raw(b"HTTP/1.1 abc\r\n\r\n"));
    assert_eq!(p.last_outcome(), failed(SessionError::MalformedHttp));
}

#[test]
fn fault_to_inform_other_than_8005_fails() {
    let p = bootstrapped_failing(fault(8003));
    assert_eq!(p.last_outcome(), failed(SessionError::InformFault(8003)));
    assert!(!p.cpe.is_v1_0_fallback());
    assert_eq!(p.cpe.events().len(), 1, "BOOTSTRAP kept for the retry");
}

#[test]
fn acs_request_before_inform_response_is_a_protocol_violation() {
    let p = bootstrapped_failing(request(GPV));
    assert_eq!(p.last_outcome(), failed(SessionError::ProtocolViolation));
}

#[test]
fn empty_response_to_the_inform_is_a_protocol_violation() {
    let p = bootstrapped_failing(empty());
    assert_eq!(p.last_outcome(), failed(SessionError::ProtocolViolation));
}

#[test]
fn wrong_response_method_or_id_is_a_protocol_violation() {
    let p = bootstrapped_failing(response("TransferCompleteResponse"));
    assert_eq!(p.last_outcome(), failed(SessionError::ProtocolViolation));
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([Step::Reply(Box::new(|_| {
        http(
            200,
            "",
            &envelope(
                NS12,
                "<cwmp:ID soapenv:mustUnderstand=\"1\">other</cwmp:ID>",
                "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
            ),
        )
    }))]);
    p.run();
    assert_eq!(p.last_outcome(), failed(SessionError::ProtocolViolation));
}

#[test]
fn transport_errors_fail_while_awaiting_a_response() {
    for kind in [
        TransportError::Receive,
        TransportError::Send,
        TransportError::Closed,
    ] {
        let p = bootstrapped_failing(Step::Transport(kind));
        assert_eq!(p.last_outcome(), failed(SessionError::Transport(kind)));
    }
}

#[test]
fn connect_failure_fails_the_session() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    let Some(Event::SessionStarted) = p.cpe.poll_event() else {
        panic!()
    };
    let Some(Event::Connect {
        port: 7547,
        tls: false,
    }) = p.cpe.poll_event()
    else {
        panic!()
    };
    p.cpe.handle_transport_error(p.now, TransportError::Connect);
    p.drain_events();
    assert_eq!(
        p.last_outcome(),
        failed(SessionError::Transport(TransportError::Connect))
    );
}

#[test]
fn connect_timeout_fails_the_session() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    assert_eq!(p.cpe.poll_event(), Some(Event::SessionStarted));
    assert!(matches!(p.cpe.poll_event(), Some(Event::Connect { .. })));
    let deadline = p.cpe.poll_timeout().unwrap();
    assert_eq!(deadline, p.now + Duration::from_secs(30));
    p.cpe.handle_timeout(deadline);
    p.drain_events();
    assert_eq!(p.last_outcome(), failed(SessionError::Timeout));
}

#[test]
fn peer_close_between_round_trips_reconnects() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response()]);
    p.step();
    // The ACS closed the connection after the InformResponse.
    p.cpe.handle_transport_error(p.now, TransportError::Closed);
    p.script([empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", ""]);
    assert_eq!(p.seen[1].connection, 2);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

// --- Authentication, cookies, connections (§3.4.2, §3.4.4) -----------------------------------

#[test]
fn unauthorized_then_success_on_the_same_connection() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([digest_challenge(false), inform_response(), empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Inform", ""]);
    assert!(p.seen[0].authorization.is_none());
    let auth = p.seen[1].authorization.as_deref().unwrap();
    assert!(
        auth.starts_with("Digest username=\"00D09E-STB-SN123\""),
        "{auth}"
    );
    assert!(auth.contains("nc=00000001"));
    assert!(
        p.seen[2]
            .authorization
            .as_deref()
            .unwrap()
            .contains("nc=00000002"),
        "nc counts on the kept-alive connection"
    );
    assert_eq!(
        p.seen[1].cookie.as_deref(),
        Some("session=abc"),
        "cookie from the 401 echoed"
    );
    assert_eq!(p.seen[2].cookie.as_deref(), Some("session=abc"));
    assert_eq!(
        p.seen[1].id, p.seen[0].id,
        "the re-sent Inform is the same request"
    );
    assert_eq!(p.connections, 1);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn unauthorized_with_connection_close_then_success_on_a_new_connection() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([digest_challenge(true), inform_response(), empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Inform", ""]);
    assert_eq!(p.seen[0].connection, 1);
    assert_eq!(p.seen[1].connection, 2);
    assert!(p.seen[1].authorization.is_some());
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn connection_close_on_a_response_moves_to_a_new_connection() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([with_close(inform_response()), empty()]);
    p.run();
    assert_eq!(p.seen[1].connection, 2);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

/// §3.4.2: the jar holds its 512 bytes; a `Set-Cookie` beyond them is counted, not lost
/// silently, and the cookies already held still go back.
#[test]
fn a_cookie_the_full_jar_cannot_take_is_counted() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    let big = "v".repeat(600);
    p.script([
        Step::Reply(Box::new(move |_| {
            let extra = format!(
                "WWW-Authenticate: Digest realm=\"cwmp\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5\r\nSet-Cookie: session=abc; Path=/\r\nSet-Cookie: big={big}\r\n"
            );
            http(401, &extra, "")
        })),
        inform_response(),
        empty(),
    ]);
    assert_eq!(p.cpe.cookies_dropped(), 0);
    p.run();
    assert_eq!(p.cpe.cookies_dropped(), 1);
    assert_eq!(p.seen[1].cookie.as_deref(), Some("session=abc"));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn cookies_are_cleared_between_sessions() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([digest_challenge(false), inform_response(), empty()]);
    p.run();
    p.cpe.handle_connection_request(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.seen[3].method, "Inform");
    assert!(p.seen[3].cookie.is_none());
    assert!(
        p.seen[3].authorization.is_none(),
        "a new Session starts without credentials"
    );
}

// --- Redirects (§3.4.2) ----------------------------------------------------------------------

#[test]
fn five_redirects_are_followed() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([
        redirect("http://r1.example.com/a"),
        redirect("http://r2.example.com:8080/b"),
        redirect("/c"),
        redirect("https://r4.example.com/d"),
        redirect("http://r5.example.com/e"),
        inform_response(),
        empty(),
    ]);
    p.run();
    assert_eq!(
        p.methods(),
        ["Inform"; 6]
            .iter()
            .copied()
            .chain([""])
            .collect::<Vec<_>>()
    );
    assert_eq!(p.seen[1].host, "r1.example.com");
    assert_eq!(p.seen[2].host, "r2.example.com:8080");
    assert_eq!(p.seen[3].host, "r2.example.com:8080");
    assert_eq!(p.seen[3].target, "/c");
    assert!(p.events.contains(&Event::Connect {
        port: 443,
        tls: true
    }));
    assert_eq!(
        p.seen[6].host, "r5.example.com",
        "rest of the Session at the target"
    );
    assert_eq!(p.connections, 6);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    // The target is not kept for the next Session.
    p.cpe.handle_connection_request(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.seen[7].host, "acs.example.com:7547");
}

#[test]
fn a_sixth_redirect_fails() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script((0..6).map(|_| redirect("http://loop.example.com/x")));
    p.run();
    assert_eq!(p.seen.len(), 6);
    assert_eq!(p.last_outcome(), failed(SessionError::Redirect));
}

// --- 8005 (§3.7.1.6) -------------------------------------------------------------------------

#[test]
fn retry_request_fault_three_times_then_success() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([
        fault(8005),
        fault(8005),
        fault(8005),
        inform_response(),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Inform", "Inform", "Inform", ""]);
    assert!(p.seen[..4]
        .iter()
        .all(|s| s.id == p.seen[0].id && s.events == p.seen[0].events));
    assert_eq!(p.seen[1].raw_len, p.seen[0].raw_len, "identical request");
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn retry_request_fault_a_fourth_time_fails() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([fault(8005), fault(8005), fault(8005), fault(8005)]);
    p.run();
    assert_eq!(p.seen.len(), 4);
    assert_eq!(p.last_outcome(), failed(SessionError::RetryLimit));
}

#[test]
fn fault_to_transfer_complete_continues_and_it_is_retried_next_session() {
    let mut p = pair_with_pending_transfer_complete();
    p.script([inform_response(), fault(8002), empty()]);
    p.run();
    assert_eq!(p.methods()[2..], ["Inform", "TransferComplete", ""]);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert_eq!(p.cpe.transfers().results().count(), 1, "result kept");
    assert_eq!(p.cpe.events().len(), 2, "7 and M Download kept");
    // Next Session: the same events and the TransferComplete again.
    p.cpe.handle_connection_request(p.now);
    p.script([
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(
        codes(&p.seen[5]),
        ["M Download", "7 TRANSFER COMPLETE", "6 CONNECTION REQUEST"]
    );
    assert!(p.cpe.events().is_empty());
}

// --- Retry policy (§3.2.1.1) -----------------------------------------------------------------

#[test]
fn failed_session_is_retried_within_the_table3_window_with_retry_count() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([status(500)]);
    p.run();
    let failed_at = p.now;
    let at = p.cpe.poll_timeout().unwrap();
    let wait = at - failed_at;
    assert!(
        wait >= Duration::from_secs(5) && wait <= Duration::from_secs(10),
        "{wait}"
    );
    p.script([status(500)]);
    p.run_until(at);
    assert_eq!(p.seen[1].retry_count, Some(1));
    assert_eq!(codes(&p.seen[1]), ["0 BOOTSTRAP"]);
    let at2 = p.cpe.poll_timeout().unwrap();
    let wait = at2 - at;
    assert!(
        wait >= Duration::from_secs(10) && wait <= Duration::from_secs(20),
        "{wait}"
    );
    p.script([inform_response(), empty()]);
    p.run_until(at2);
    assert_eq!(p.seen[2].retry_count, Some(2));
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert_eq!(p.cpe.retry_state().retry_count(), 0);
}

#[test]
fn new_event_brings_the_retry_forward() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([status(503)]);
    p.run();
    p.advance(Duration::from_secs(1));
    p.script([inform_response(), empty()]);
    p.cpe.handle_connection_request(p.now);
    p.run();
    assert_eq!(p.seen.len(), 3);
    assert_eq!(codes(&p.seen[1]), ["0 BOOTSTRAP", "6 CONNECTION REQUEST"]);
    assert_eq!(p.seen[1].retry_count, Some(1));
}

// --- Triggers --------------------------------------------------------------------------------

#[test]
fn passive_value_change_waits_active_starts() {
    let mut p = pair();
    p.cpe.value_changed(p.now, false);
    p.run();
    assert!(p.seen.is_empty() && !p.cpe.in_session());
    p.cpe.value_changed(p.now, true);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(codes(&p.seen[0]), ["4 VALUE CHANGE"]);
}

#[test]
fn connection_requests_during_a_session_coalesce_into_one_next_session() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response()]);
    p.step();
    p.cpe.handle_connection_request(p.now);
    p.cpe.handle_connection_request(p.now);
    p.script([empty(), inform_response(), empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "", "Inform", ""]);
    assert_eq!(codes(&p.seen[2]), ["6 CONNECTION REQUEST"]);
}

#[test]
fn periodic_inform_every_interval() {
    let mut c = config();
    c.periodic = cwmp_core::schedule::PeriodicInformConfig {
        enable: true,
        interval: 300,
        time: cwmp_core::schedule::PeriodicInformTime::Unknown,
    };
    let mut p = Pair::new(cwmp_core::cpe::Cpe::new(&c, Instant::from_secs(1), 3).unwrap());
    p.script([inform_response(), empty(), inform_response(), empty()]);
    p.run_until(Instant::from_secs(1 + 600));
    assert_eq!(p.methods(), ["Inform", "", "Inform", ""]);
    assert_eq!(codes(&p.seen[0]), ["2 PERIODIC"]);
}

#[test]
fn schedule_inform_fires_with_its_command_key() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([
        inform_response(),
        request(SCHEDULE_INFORM),
        empty(),
        empty(),
    ]);
    p.run();
    p.script([inform_response(), empty()]);
    p.run_until(p.now + Duration::from_secs(61));
    assert_eq!(
        p.seen[3].events,
        [
            ("3 SCHEDULED".to_string(), String::new()),
            ("M ScheduleInform".to_string(), "si-1".to_string())
        ]
    );
}

#[test]
fn diagnostics_complete_starts_a_session() {
    let mut p = pair();
    p.cpe.diagnostics_complete(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(codes(&p.seen[0]), ["8 DIAGNOSTICS COMPLETE"]);
}

#[test]
fn bootstrap_after_acs_url_change() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    p.cpe.value_changed(p.now, false);
    p.cpe
        .set_acs_url(p.now, "https://new-acs.example.net/tr069")
        .unwrap();
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(
        codes(&p.seen[2]),
        ["0 BOOTSTRAP"],
        "BOOTSTRAP discards the other events"
    );
    assert_eq!(p.seen[2].host, "new-acs.example.net");
    assert!(p.events.contains(&Event::Connect {
        port: 443,
        tls: true
    }));
}

// --- Reboot and factory reset only after a clean end (§3.7.1.4) ------------------------------

#[test]
fn reboot_only_after_a_clean_end_and_m_reboot_after_boot() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(REBOOT), empty()]);
    p.run();
    let ended = p
        .events
        .iter()
        .position(|e| matches!(e, Event::SessionEnded { .. }))
        .unwrap();
    let reboot = p.events.iter().position(|e| *e == Event::Reboot).unwrap();
    assert!(reboot > ended);
    p.reboot(9);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(
        p.seen[3].events,
        [
            ("M Reboot".to_string(), "rb-1".to_string()),
            ("1 BOOT".to_string(), String::new())
        ]
    );
}

#[test]
fn no_reboot_when_the_session_fails() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(REBOOT), status(500)]);
    p.run();
    assert!(!p.events.contains(&Event::Reboot));
    // The retry succeeds: now the reboot.
    p.script([inform_response(), empty()]);
    let at = p.cpe.poll_timeout().unwrap();
    p.run_until(at);
    assert!(p.events.contains(&Event::Reboot));
}

#[test]
fn factory_reset_after_a_clean_end() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), request(FACTORY_RESET), empty()]);
    p.run();
    assert_eq!(p.events.last(), Some(&Event::FactoryReset));
}

// --- Misuse -----------------------------------------------------------------------------------

#[test]
fn api_misuse_changes_nothing() {
    use cwmp_core::cpe::ApiMisuse;
    let mut p = pair();
    let mut rx = *b"HTTP/1.1 204 No Content\r\n\r\n";
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, 10),
        Err(ApiMisuse::NoRequestOutstanding)
    );
    assert_eq!(p.cpe.handle_connected(p.now), Err(ApiMisuse::NotConnecting));
    p.cpe.bootstrap(p.now);
    p.drain_events();
    let mut tx = [0u8; 16];
    let mut w: &mut [u8] = &mut tx;
    assert!(matches!(
        p.cpe.poll_transmit(p.now, &mut w),
        Err(cwmp_core::cpe::SendError::Write(_))
    ));
    // A bigger buffer works: nothing changed.
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    // Incomplete response.
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.drain_events();
    let mut tx = vec![0u8; 8192];
    let mut w: &mut [u8] = &mut tx;
    p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<soap";
    let n = head.len();
    let mut small = head.to_vec();
    assert_eq!(
        p.cpe.handle_response(p.now, &mut small, n),
        Err(ApiMisuse::BufferTooSmall)
    );
    let mut rx = vec![0u8; 512];
    rx[..n].copy_from_slice(head);
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, n),
        Err(ApiMisuse::IncompleteResponse)
    );
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, 513),
        Err(ApiMisuse::LengthOutOfRange)
    );
    assert!(p.cpe.in_session());
}

// --- The application's own requests (§A.4.2) ------------------------------------------------

#[test]
fn kicked_request_goes_after_the_inform_and_is_confirmed_by_its_response() {
    let mut p = pair();
    p.cpe
        .queue_request(p.now, cwmp_core::cpe::RequestKind::Kicked, "")
        .unwrap();
    p.script([inform_response(), response("KickedResponse"), empty()]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Kicked", ""]);
    assert_eq!(codes(&p.seen[0]), ["5 KICKED"]);
    assert!(p.cpe.events().is_empty());
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn kicked_faulted_with_8005_is_resent_identically() {
    let mut p = pair();
    p.cpe
        .queue_request(p.now, cwmp_core::cpe::RequestKind::Kicked, "")
        .unwrap();
    p.script([
        inform_response(),
        fault(8005),
        response("KickedResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "Kicked", "Kicked", ""]);
    assert_eq!(p.seen[1].id, p.seen[2].id);
    assert!(p.cpe.events().is_empty());
}

#[test]
fn response_timeout_is_configurable_but_never_below_30_s() {
    for (set, want) in [(10u64, 30u64), (90, 90)] {
        let mut c = config();
        c.response_timeout = Duration::from_secs(set);
        let mut p = Pair::new(cwmp_core::cpe::Cpe::new(&c, Instant::from_secs(1), 1).unwrap());
        p.cpe.bootstrap(p.now);
        p.drain_events();
        let mut tx = vec![0u8; 8192];
        let mut w: &mut [u8] = &mut tx;
        p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
        assert_eq!(
            p.cpe.poll_timeout(),
            Some(p.now + Duration::from_secs(want))
        );
    }
}

#[test]
fn retry_policy_from_the_acs_is_used_for_the_next_failure() {
    let mut p = pair();
    p.cpe.set_retry_policy(cwmp_core::retry::RetryPolicy {
        minimum_wait_interval: 10,
        interval_multiplier: 3000,
    });
    p.cpe.bootstrap(p.now);
    p.script([status(500)]);
    p.run();
    let wait = p.cpe.poll_timeout().unwrap() - p.now;
    assert!(
        wait >= Duration::from_secs(10) && wait <= Duration::from_secs(30),
        "{wait}"
    );
}

#[test]
fn passive_value_change_goes_with_the_next_session() {
    let mut p = pair();
    p.cpe.value_changed(p.now, false);
    p.cpe.handle_connection_request(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(
        codes(&p.seen[0]),
        ["4 VALUE CHANGE", "6 CONNECTION REQUEST"]
    );
    assert!(p.cpe.events().is_empty());
}

#[test]
fn du_state_change_complete_queues_its_events_with_the_command_key() {
    let mut p = pair();
    p.cpe
        .queue_request(
            p.now,
            cwmp_core::cpe::RequestKind::DuStateChangeComplete,
            "du-1",
        )
        .unwrap();
    let events: Vec<_> = p
        .cpe
        .events()
        .iter()
        .map(|e| (e.code().as_str().to_string(), e.command_key().to_string()))
        .collect();
    assert_eq!(
        events,
        [
            ("M ChangeDUState".to_string(), "du-1".to_string()),
            ("11 DU STATE CHANGE COMPLETE".to_string(), String::new())
        ]
    );
    assert!(p.cpe.in_session());
}

#[test]
fn apply_pending_changes_only_after_a_clean_end() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([inform_response()]);
    p.step();
    p.cpe.apply_after_session(p.now);
    p.script([empty()]);
    p.run();
    assert_eq!(p.events.last(), Some(&Event::ApplyPendingChanges));
}

#[test]
fn no_session_and_no_busy_deadline_without_a_usable_acs_url() {
    let mut p = pair();
    p.cpe.bootstrap(p.now);
    p.script([status(500)]);
    p.run();
    p.cpe.set_acs_url(p.now, "").unwrap();
    p.drain_events();
    assert!(!p.cpe.in_session());
    assert_eq!(p.cpe.poll_timeout(), None);
    p.cpe.set_acs_url(p.now, ACS_URL).unwrap();
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

/// The ACS URL is kept in TR-181's `Device.ManagementServer.URL` size, string(256): a longer
/// one is refused with `TooLong` at configuration and by `set_acs_url`, which then changes
/// nothing (the Cpe stays within its 6 KiB RAM budget, issue 12).
#[test]
fn the_acs_url_is_a_string_256() {
    use cwmp_core::cpe::{ApiMisuse, Cpe, ACS_URL_LEN};
    let long = format!("http://acs.example/{}", "a".repeat(ACS_URL_LEN - 18));
    assert_eq!(long.len(), ACS_URL_LEN + 1);
    let fits = &long[..ACS_URL_LEN];
    let mut c = config();
    c.acs_url = Box::leak(long.clone().into_boxed_str());
    assert!(matches!(
        Cpe::<64, 3, 3>::new(&c, Instant::from_secs(1), 1),
        Err(ApiMisuse::TooLong)
    ));
    c.acs_url = Box::leak(fits.to_string().into_boxed_str());
    let mut cpe = Cpe::<64, 3, 3>::new(&c, Instant::from_secs(1), 1).unwrap();
    assert!(matches!(
        cpe.set_acs_url(Instant::from_secs(2), &long),
        Err(ApiMisuse::TooLong)
    ));
    cpe.set_acs_url(Instant::from_secs(2), fits).unwrap();
    assert!(core::mem::size_of::<Cpe>() <= cwmp_core::cpe::CPE_SIZE_BUDGET);
}
