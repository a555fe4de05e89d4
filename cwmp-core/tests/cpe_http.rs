//! The CPE machine's HTTP reading (issue 13, items 1, 2, 6): interim 1xx responses skipped
//! (RFC 9110 §15.2), the peer's close resolved at once (`Cpe::handle_connection_closed`, at
//! every byte of a head and a body), 503 + `Retry-After` honoured (RFC 9110 §10.2.3), and a
//! response POST re-sent after a 401 (§3.4.4) or a redirect (§3.4.5).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::codec::event::EventCode;
use cwmp_core::cpe::{ApiMisuse, Event, Incoming, SessionError, SessionOutcome, TransportError};
use cwmp_core::{Duration, Instant};
use support::*;

fn failed(e: SessionError) -> Option<SessionOutcome> {
    Some(SessionOutcome::Failed(e))
}

fn bootstrapped() -> Pair {
    let mut p = Pair::new(new_cpe(7));
    p.cpe.bootstrap(p.now);
    p
}

/// The bytes a step would answer to `seen`.
fn bytes_of(step: Step, seen: &Seen) -> Vec<u8> {
    match step {
        Step::Reply(mut f) | Step::Closed(mut f) => f(seen),
        _ => panic!("not a reply"),
    }
}

fn bootstrap_pending(p: &Pair) -> bool {
    p.cpe
        .events()
        .iter()
        .any(|e| e.code() == EventCode::Bootstrap)
}

// --- 1xx (RFC 9110 §15.2) -------------------------------------------------------------------

#[test]
fn one_100_continue_before_the_inform_response_is_skipped() {
    let mut p = bootstrapped();
    p.script([
        after("HTTP/1.1 100 Continue\r\n\r\n", inform_response()),
        empty(),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", ""]);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn several_1xx_of_any_kind_are_skipped_before_every_response() {
    const INTERIM: &str = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n\
        HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n";
    let mut p = bootstrapped();
    p.script([
        after(INTERIM, inform_response()),
        after(INTERIM, request(GPV)),
        after(INTERIM, empty()),
    ]);
    p.run();
    assert_eq!(p.methods(), ["Inform", "", "GetParameterValuesResponse"]);
    assert_eq!(p.handled, ["GetParameterValues"]);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn a_1xx_alone_is_incomplete_at_every_split_and_101_is_final() {
    let mut p = bootstrapped();
    p.drain_events();
    let mut tx = vec![0u8; 4096];
    let mut w: &mut [u8] = &mut tx;
    p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
    let whole = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    for k in 0..whole.len() {
        let mut rx = whole[..k].to_vec();
        rx.resize(1024, 0);
        assert_eq!(
            p.cpe.handle_response(p.now, &mut rx, k),
            Err(ApiMisuse::IncompleteResponse),
            "at {k}"
        );
    }
    assert!(p.cpe.in_session());
    // 101 answers an Upgrade the CPE never asked for: final, and a failure.
    let mut rx = b"HTTP/1.1 101 Switching Protocols\r\n\r\n".to_vec();
    let n = rx.len();
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, n),
        Ok(Incoming::Nothing)
    );
    p.drain_events();
    assert_eq!(p.last_outcome(), failed(SessionError::HttpStatus(101)));
}

// --- The peer's close (handle_connection_closed) --------------------------------------------

/// The InformResponse as the ACS sends it, with `extra` header lines, for a first Inform.
fn inform_response_bytes(chunked: bool) -> Vec<u8> {
    let mut p = bootstrapped();
    p.drain_events();
    let mut tx = vec![0u8; 4096];
    let mut w: &mut [u8] = &mut tx;
    let t = p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
    let seen = parse_post(&tx[..t.len], 1);
    let bytes = bytes_of(inform_response(), &seen);
    if !chunked {
        return bytes;
    }
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let head: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("content-length"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let (a, b) = body.split_at(body.len() / 2);
    format!(
        "{head}Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    )
    .into_bytes()
}

#[test]
fn close_at_every_byte_of_a_head_and_a_body_fails_at_once_and_keeps_the_events() {
    for chunked in [false, true] {
        let whole = inform_response_bytes(chunked);
        for k in 0..whole.len() {
            let mut p = bootstrapped();
            p.script([if chunked {
                let bytes = whole[..k].to_vec();
                closing(move |_| bytes.clone())
            } else {
                cut(inform_response(), k)
            }]);
            p.run();
            let want = if k == 0 {
                TransportError::Closed
            } else {
                TransportError::Receive
            };
            assert_eq!(
                p.last_outcome(),
                failed(SessionError::Transport(want)),
                "chunked {chunked}, closed after {k} of {} bytes",
                whole.len()
            );
            // At once: no 30 s wait for the response timeout, and the retry policy applies.
            assert_eq!(p.now, Instant::from_secs(1));
            assert_eq!(p.retry_log.len(), 1);
            assert!(p.retry_log[0].1.is_some());
            assert!(bootstrap_pending(&p), "0 BOOTSTRAP lost at {k}");
            assert!(!p.cpe.in_session());
        }
        // The whole response, then the close: handled, the next POST on a new connection.
        let mut p = bootstrapped();
        let bytes = whole.clone();
        p.script([closing(move |_| bytes.clone()), empty()]);
        p.run();
        assert_eq!(p.methods(), ["Inform", ""]);
        assert_eq!(p.seen[1].connection, 2);
        assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    }
}

#[test]
fn a_close_delimited_body_is_accepted_only_at_the_close() {
    let whole = inform_response_bytes(false);
    let text = String::from_utf8(whole).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let head: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("content-length"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let until_close = format!("{head}\r\n{body}").into_bytes();

    let mut p = bootstrapped();
    p.drain_events();
    let mut tx = vec![0u8; 4096];
    let mut w: &mut [u8] = &mut tx;
    p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
    let n = until_close.len();
    let mut rx = until_close.clone();
    rx.resize(n + 1024, 0);
    // Without the close the body may go on: never complete.
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, n),
        Err(ApiMisuse::IncompleteResponse)
    );
    assert_eq!(
        p.cpe.handle_connection_closed(p.now, &mut rx, n),
        Ok(Incoming::Nothing)
    );
    p.drain_events();
    assert!(p.events.contains(&Event::SessionInitiated));
    assert!(p.events.contains(&Event::Close));
    // A close-delimited body that fills the buffer may be longer: the caller's buffer is small.
    let mut p = bootstrapped();
    p.drain_events();
    let mut w: &mut [u8] = &mut tx;
    p.cpe.poll_transmit(p.now, &mut w).unwrap().unwrap();
    let mut rx = until_close.clone();
    assert_eq!(
        p.cpe.handle_response(p.now, &mut rx, n),
        Err(ApiMisuse::BufferTooSmall)
    );
    assert!(p.cpe.in_session());
    // At the close it is complete, to the buffer's last byte.
    assert_eq!(
        p.cpe.handle_connection_closed(p.now, &mut rx, n),
        Ok(Incoming::Nothing)
    );
    p.drain_events();
    assert!(p.events.contains(&Event::SessionInitiated));
}

#[test]
fn a_close_between_round_trips_only_means_a_new_connection() {
    let mut p = bootstrapped();
    p.script([inform_response(), empty()]);
    // The InformResponse is handled; the peer closes before the next POST.
    p.step();
    let mut rx = vec![0u8; 64];
    assert_eq!(
        p.cpe.handle_connection_closed(p.now, &mut rx, 0),
        Ok(Incoming::Nothing)
    );
    assert!(p.cpe.in_session());
    p.run();
    assert_eq!(p.methods(), ["Inform", ""]);
    assert_eq!(p.seen[1].connection, 2);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    // Outside a Session: ignored.
    let mut q = Pair::new(new_cpe(1));
    assert_eq!(
        q.cpe.handle_connection_closed(q.now, &mut rx, 0),
        Ok(Incoming::Nothing)
    );
    assert_eq!(
        q.cpe.handle_connection_closed(q.now, &mut rx, 65),
        Err(ApiMisuse::LengthOutOfRange)
    );
}

// --- 503 + Retry-After (RFC 9110 §10.2.3) ---------------------------------------------------

fn busy(retry_after: &'static str, date: &'static str) -> Step {
    Step::Reply(Box::new(move |_| {
        let mut extra = format!("Retry-After: {retry_after}\r\n");
        if !date.is_empty() {
            extra.push_str(&format!("Date: {date}\r\n"));
        }
        http(503, &extra, "")
    }))
}

/// After a 503: the next Session starts exactly at `at`, not before, even when new events
/// (which bring a retry forward, §3.2.1.1) and a Connection Request come meanwhile.
fn assert_no_session_before(p: &mut Pair, at: Instant) {
    assert_eq!(p.last_outcome(), failed(SessionError::HttpStatus(503)));
    assert_eq!(p.cpe.poll_timeout(), Some(at));
    p.now = at - Duration::from_millis(1);
    p.cpe.handle_timeout(p.now);
    p.cpe.value_changed(p.now, true);
    p.cpe.handle_connection_request(p.now);
    p.drain_events();
    assert!(!p.cpe.in_session(), "a Session before Retry-After");
    assert_eq!(p.cpe.poll_timeout(), Some(at));
    p.now = at;
    p.cpe.handle_timeout(p.now);
    assert!(p.cpe.in_session());
    p.script([inform_response(), empty()]);
    p.run();
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    let inform = p.seen.iter().rev().find(|s| s.method == "Inform").unwrap();
    let codes = codes(inform);
    assert!(codes.contains(&"6 CONNECTION REQUEST") && codes.contains(&"0 BOOTSTRAP"));
}

#[test]
fn retry_after_delta_seconds_holds_every_session_back() {
    let mut p = bootstrapped();
    p.script([busy("600", "")]);
    p.run();
    let at = p.now + Duration::from_secs(600);
    assert_no_session_before(&mut p, at);
}

#[test]
fn retry_after_http_date_is_measured_from_the_response_date() {
    let mut p = bootstrapped();
    // No wall clock on the CPE: the response's own Date is the base.
    p.script([busy(
        "Sun, 06 Nov 1994 08:59:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT",
    )]);
    p.run();
    let at = p.now + Duration::from_secs(600);
    assert_no_session_before(&mut p, at);
}

#[test]
fn retry_after_http_date_without_date_uses_the_cpe_clock() {
    let mut p = bootstrapped();
    p.cpe.set_unix_time(p.now, 784_111_777); // 1994-11-06T08:49:37Z
    p.script([busy("Sunday, 06-Nov-94 08:51:37 GMT", "")]);
    p.run();
    let at = p.now + Duration::from_secs(120);
    assert_no_session_before(&mut p, at);
}

#[test]
fn retry_after_shorter_than_the_policy_or_unusable_leaves_the_policy_wait() {
    for (value, date) in [
        ("0", ""),
        ("1", ""),
        ("soon", ""),
        // A date without any clock to measure it against.
        ("Sun, 06 Nov 1994 08:59:37 GMT", ""),
        // A date in the past.
        (
            "Sun, 06 Nov 1994 08:39:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
    ] {
        let mut p = bootstrapped();
        p.script([busy(value, date)]);
        p.run();
        let policy = p.retry_log[0].1.unwrap();
        assert!(
            policy >= p.now + Duration::from_secs(5),
            "Table 3 #1: 5–10 s"
        );
        assert_eq!(p.cpe.poll_timeout(), Some(policy), "{value:?}");
    }
}

#[test]
fn retry_after_is_capped_at_a_day() {
    let mut p = bootstrapped();
    p.script([busy("99999999999", "")]);
    p.run();
    assert_eq!(
        p.cpe.poll_timeout(),
        Some(p.now + Duration::from_secs(cwmp_core::cpe::MAX_RETRY_AFTER))
    );
}

// --- Response replay after 401 and redirect (§3.4.4, §3.4.5) --------------------------------

#[test]
fn a_response_met_by_a_401_is_written_again_with_credentials() {
    for close in [false, true] {
        let mut p = bootstrapped();
        p.script([
            inform_response(),
            request(GPV),
            digest_challenge(close),
            empty(),
        ]);
        p.run();
        assert_eq!(
            p.methods(),
            [
                "Inform",
                "",
                "GetParameterValuesResponse",
                "GetParameterValuesResponse",
            ]
        );
        assert_eq!(p.handled, ["GetParameterValues"], "executed once");
        assert_eq!(p.resent_responses, 1);
        assert!(p.seen[2].authorization.is_none());
        assert!(p.seen[3]
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Digest ")));
        assert_eq!(p.seen[3].body, p.seen[2].body, "the same response");
        assert_eq!(p.seen[3].id, p.seen[2].id);
        assert_eq!(p.seen[3].connection, if close { 2 } else { 1 });
        assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    }
}

#[test]
fn a_response_met_by_a_redirect_goes_to_the_new_url() {
    let mut p = bootstrapped();
    p.script([
        inform_response(),
        request(GPV),
        redirect("http://other.example.com:8080/moved"),
        empty(),
    ]);
    p.run();
    assert_eq!(p.handled, ["GetParameterValues"]);
    assert_eq!(p.seen[3].method, "GetParameterValuesResponse");
    assert_eq!(p.seen[3].host, "other.example.com:8080");
    assert_eq!(p.seen[3].target, "/moved");
    assert_eq!(p.seen[3].body, p.seen[2].body);
    assert_eq!(p.seen[3].connection, 2);
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
}

#[test]
fn a_second_401_to_the_replayed_response_fails() {
    let mut p = bootstrapped();
    p.script([
        inform_response(),
        request(GPV),
        digest_challenge(false),
        digest_challenge(false),
    ]);
    p.run();
    assert_eq!(p.resent_responses, 1);
    assert_eq!(p.last_outcome(), failed(SessionError::Unauthorized));
}

#[test]
fn an_application_that_never_writes_the_response_again_times_out() {
    let mut p = bootstrapped();
    p.script([inform_response(), request(GPV), digest_challenge(false)]);
    // Step by hand, without acting on ResendResponse.
    for _ in 0..3 {
        p.step();
    }
    let mut ev = Vec::new();
    while let Some(e) = p.cpe.poll_event() {
        ev.push(e);
    }
    assert!(ev.contains(&Event::ResendResponse));
    let deadline = p.cpe.poll_timeout().unwrap();
    assert!(deadline >= p.now + Duration::from_secs(30));
    p.now = deadline;
    p.cpe.handle_timeout(p.now);
    p.drain_events();
    assert_eq!(p.last_outcome(), failed(SessionError::Timeout));
}
