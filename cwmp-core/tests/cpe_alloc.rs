//! A full CPE Session allocates nothing (DESIGN §7): bootstrap, connect, Inform, a 401 with a
//! Digest challenge, the re-sent Inform, InformResponse, an ACS request answered through a
//! streamed response, the empty POST, the 204, and the persistent record; nor do timer-driven
//! HEARTBEAT and PERIODIC Sessions back to back (Annex O). Counting global
//! allocator, per-thread counter (the pattern of `cwmp-codec/tests/alloc.rs`). Nor do 1xx
//! interim responses, a response re-sent after a 401, a response read at the peer's close
//! and a 503 with `Retry-After`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::codec::message::{GetParameterValuesResponse, ParameterValueStruct};
use cwmp_core::codec::{Array, Body, ItemSource, Value, XmlStr};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming, SessionOutcome, TransmitKind};
use cwmp_core::persist::Record;
use cwmp_core::schedule::{HeartbeatPolicy, PeriodicInformConfig, PeriodicInformTime};
use cwmp_core::Instant;

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const ENV_OPEN: &str = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">";

/// 1,000 parameters produced on demand.
struct Many;
impl<'a> ItemSource<ParameterValueStruct<'a>> for Many {
    fn len(&self) -> usize {
        1000
    }
    fn get(&self, i: usize) -> Option<ParameterValueStruct<'a>> {
        (i < 1000).then(|| ParameterValueStruct::new("Device.X.Y", Value::UnsignedInt(i as u32)))
    }
}

fn respond_http(buf: &mut [u8], status: &str, extra: &str, body: &str) -> usize {
    use std::io::Write;
    let mut c = std::io::Cursor::new(buf);
    write!(
        c,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    )
    .unwrap();
    c.position() as usize
}

#[test]
fn a_full_session_allocates_nothing() {
    // Prepared outside the measurement: the ACS's bytes.
    let inform_response = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID><cwmp:UseCWMPVersion>1.4</cwmp:UseCWMPVersion></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>"
    );
    let gpv = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">x7</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.</string></ParameterNames></cwmp:GetParameterValues></soapenv:Body></soapenv:Envelope>"
    );
    let mut config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    config.username = "u";
    config.password = "p";
    let mut cpe: Cpe = Cpe::new(&config, Instant::from_secs(1), 42).unwrap();
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 4096];
    let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
    let now = Instant::from_secs(2);

    let ((outcome, sent), n) = allocations(|| {
        let mut sent = 0usize;
        let mut outcome = None;
        cpe.bootstrap(now);
        let mut pending: Option<usize> = None;
        for stage in 0..20 {
            while let Some(ev) = cpe.poll_event() {
                match ev {
                    Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                    Event::SessionEnded { outcome: o } => outcome = Some(o),
                    Event::PersistChanged => {
                        let _ = cpe.export(now, &mut flash).unwrap();
                    }
                    _ => {}
                }
            }
            let len = match pending.take() {
                Some(l) => l,
                None => {
                    let mut w: &mut [u8] = &mut tx;
                    match cpe.poll_transmit(now, &mut w).unwrap() {
                        Some(t) => t.len,
                        None => break,
                    }
                }
            };
            sent += len;
            let n = match stage {
                0 => respond_http(
                    &mut rx,
                    "401 Unauthorized",
                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\n",
                    "",
                ),
                1 => respond_http(&mut rx, "200 OK", "", &inform_response),
                2 => respond_http(&mut rx, "200 OK", "", &gpv),
                _ => respond_http(&mut rx, "204 No Content", "", ""),
            };
            if let Incoming::AcsRequest(req) = cpe.handle_response(now, &mut rx, n).unwrap() {
                assert!(matches!(req.body(), Body::GetParameterValues(_)));
                let reply = GetParameterValuesResponse {
                    parameter_list: Array::from_source(&Many),
                };
                // Streamed into a sink that counts: a 1,000-entry response through no buffer.
                let mut w = Sink(0);
                let t = cpe.respond(now, reply.into(), &mut w).unwrap();
                assert_eq!(t.len, w.0);
                pending = Some(0);
            }
        }
        let _ = XmlStr::new("");
        (outcome, sent)
    });
    assert_eq!(outcome, Some(SessionOutcome::Success));
    assert!(sent > 0);
    assert_eq!(n, 0, "heap allocations during a full Session");

    // Power-up from the last record (the streaming restore) allocates nothing either.
    let mut next: Cpe = Cpe::new(&config, now, 43).unwrap();
    let (booted, n) = allocations(|| next.boot(now, Some(&flash)));
    assert_eq!(booted, Ok(()));
    assert_eq!(n, 0, "heap allocations during Cpe::boot");
}

#[test]
fn heartbeat_then_periodic_sessions_allocate_nothing() {
    // HeartbeatPolicy and PeriodicInform both every 20 s: at 21 s they coincide, and the
    // HEARTBEAT Session goes first, the PERIODIC one right after (Annex O.2.2).
    let inform_response = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:UseCWMPVersion>1.4</cwmp:UseCWMPVersion></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>"
    );
    let mut config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    config.heartbeat = HeartbeatPolicy {
        enable: true,
        reporting_interval: 20,
        initiation_time: PeriodicInformTime::Unknown,
    };
    config.periodic = PeriodicInformConfig {
        enable: true,
        interval: 20,
        time: PeriodicInformTime::Unknown,
    };
    let mut cpe: Cpe = Cpe::new(&config, Instant::from_secs(1), 42).unwrap();
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 4096];
    let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
    let now = Instant::from_secs(21);

    let ((informs, heartbeat_sessions, successes), n) = allocations(|| {
        let mut informs = 0usize;
        let mut heartbeat_sessions = 0usize;
        let mut successes = 0usize;
        cpe.handle_timeout(now);
        for _ in 0..20 {
            while let Some(ev) = cpe.poll_event() {
                match ev {
                    Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                    Event::SessionEnded {
                        outcome: SessionOutcome::Success,
                    } => successes += 1,
                    Event::PersistChanged => {
                        let _ = cpe.export(now, &mut flash).unwrap();
                    }
                    _ => {}
                }
            }
            let heartbeat = cpe.in_heartbeat_session();
            let mut w: &mut [u8] = &mut tx;
            let Some(t) = cpe.poll_transmit(now, &mut w).unwrap() else {
                break;
            };
            let n = if t.kind == TransmitKind::Inform {
                informs += 1;
                if heartbeat {
                    heartbeat_sessions += 1;
                }
                respond_http(&mut rx, "200 OK", "", &inform_response)
            } else {
                respond_http(&mut rx, "204 No Content", "", "")
            };
            let _ = cpe.handle_response(now, &mut rx, n).unwrap();
        }
        (informs, heartbeat_sessions, successes)
    });
    assert_eq!((informs, heartbeat_sessions, successes), (2, 1, 2));
    assert!(cpe.events().is_empty());
    assert_eq!(
        n, 0,
        "heap allocations during HEARTBEAT and PERIODIC Sessions"
    );
}

struct Sink(usize);
impl embedded_io::ErrorType for Sink {
    type Error = core::convert::Infallible;
}
impl embedded_io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn cpe_size_is_within_budget() {
    let size = core::mem::size_of::<Cpe>();
    println!("size_of::<Cpe>() = {size}");
    assert!(size <= cwmp_core::cpe::CPE_SIZE_BUDGET);
}

#[test]
fn interim_close_replay_and_retry_after_allocate_nothing() {
    // Issue 13: 1xx skipped, a response met by a 401 written again (`ResendResponse`), the
    // last answer read at the peer's close, then a 503 with an HTTP-date `Retry-After`.
    let inform_response = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>"
    );
    let gpv = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">x7</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.</string></ParameterNames></cwmp:GetParameterValues></soapenv:Body></soapenv:Envelope>"
    );
    let mut config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    config.username = "u";
    config.password = "p";
    let mut cpe: Cpe = Cpe::new(&config, Instant::from_secs(1), 42).unwrap();
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 4096];
    let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
    let now = Instant::from_secs(2);

    let ((outcomes, resent), n) = allocations(|| {
        let mut outcomes = [None; 2];
        let mut ended = 0usize;
        let mut resent = 0usize;
        cpe.bootstrap(now);
        let mut pending: Option<usize> = None;
        for stage in 0..20 {
            if stage == 6 {
                cpe.handle_connection_request(now);
            }
            while let Some(ev) = cpe.poll_event() {
                match ev {
                    Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                    Event::SessionEnded { outcome: o } => {
                        if let Some(slot) = outcomes.get_mut(ended) {
                            *slot = Some(o);
                        }
                        ended += 1;
                    }
                    Event::PersistChanged => {
                        let _ = cpe.export(now, &mut flash).unwrap();
                    }
                    Event::ResendResponse => {
                        let mut w: &mut [u8] = &mut tx;
                        pending = Some(cpe.respond(now, empty_gpv_response(), &mut w).unwrap().len);
                        resent += 1;
                    }
                    _ => {}
                }
            }
            let len = match pending.take() {
                Some(l) => l,
                None => {
                    let mut w: &mut [u8] = &mut tx;
                    match cpe.poll_transmit(now, &mut w).unwrap() {
                        Some(t) => t.len,
                        None if stage < 6 => continue,
                        None => break,
                    }
                }
            };
            assert!(len > 0);
            let (n, closed) = match stage {
                0 => (
                    respond_http(
                        &mut rx,
                        "100 Continue\r\n\r\nHTTP/1.1 200 OK",
                        "",
                        &inform_response,
                    ),
                    false,
                ),
                1 => (respond_http(&mut rx, "200 OK", "", &gpv), false),
                2 => (
                    respond_http(
                        &mut rx,
                        "401 Unauthorized",
                        "WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\n",
                        "",
                    ),
                    false,
                ),
                3 => (respond_http(&mut rx, "204 No Content", "", ""), true),
                _ => (
                    respond_http(
                        &mut rx,
                        "503 Service Unavailable",
                        "Retry-After: Sun, 06 Nov 1994 08:59:37 GMT\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
                        "",
                    ),
                    false,
                ),
            };
            let incoming = if closed {
                cpe.handle_connection_closed(now, &mut rx, n).unwrap()
            } else {
                cpe.handle_response(now, &mut rx, n).unwrap()
            };
            if let Incoming::AcsRequest(req) = incoming {
                assert!(matches!(req.body(), Body::GetParameterValues(_)));
                let mut w: &mut [u8] = &mut tx;
                pending = Some(cpe.respond(now, empty_gpv_response(), &mut w).unwrap().len);
            }
        }
        (outcomes, resent)
    });
    assert_eq!(
        outcomes,
        [
            Some(SessionOutcome::Success),
            Some(SessionOutcome::Failed(
                cwmp_core::cpe::SessionError::HttpStatus(503)
            ))
        ]
    );
    assert_eq!(resent, 1);
    assert_eq!(
        cpe.poll_timeout(),
        Some(now + cwmp_core::Duration::from_secs(600))
    );
    assert_eq!(n, 0, "heap allocations");
}

fn empty_gpv_response<'a>() -> Body<'a> {
    GetParameterValuesResponse {
        parameter_list: Array::empty(),
    }
    .into()
}

/// An ACS request whose arguments do not decode (`DelaySeconds` `9010x`) is answered with the
/// machine's own fault 9003, and the Session ends cleanly, without allocating.
#[test]
fn a_fault_9003_to_an_undecodable_request_allocates_nothing() {
    let inform_response = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>"
    );
    let bad = format!(
        "{ENV_OPEN}<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">x8</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:ScheduleInform><DelaySeconds>9010x</DelaySeconds><CommandKey/></cwmp:ScheduleInform></soapenv:Body></soapenv:Envelope>"
    );
    let config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    let mut cpe: Cpe = Cpe::new(&config, Instant::from_secs(1), 42).unwrap();
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 4096];
    let now = Instant::from_secs(2);

    let ((outcome, kinds, fault_sent), n) = allocations(|| {
        let mut outcome = None;
        let mut kinds = [None; 8];
        let mut fault_sent = false;
        cpe.bootstrap(now);
        for (stage, kind) in kinds.iter_mut().enumerate() {
            while let Some(ev) = cpe.poll_event() {
                match ev {
                    Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                    Event::SessionEnded { outcome: o } => outcome = Some(o),
                    _ => {}
                }
            }
            let mut w: &mut [u8] = &mut tx;
            let Some(t) = cpe.poll_transmit(now, &mut w).unwrap() else {
                break;
            };
            *kind = Some(t.kind);
            let sent = &tx[..t.len];
            if t.kind == TransmitKind::Response {
                fault_sent = sent
                    .windows(b"<FaultCode>9003</FaultCode>".len())
                    .any(|w| w == b"<FaultCode>9003</FaultCode>")
                    && sent.windows(b">x8<".len()).any(|w| w == b">x8<");
            }
            let n = match stage {
                0 => respond_http(&mut rx, "200 OK", "", &inform_response),
                1 => respond_http(&mut rx, "200 OK", "", &bad),
                _ => respond_http(&mut rx, "204 No Content", "", ""),
            };
            let incoming = cpe.handle_response(now, &mut rx, n).unwrap();
            assert!(matches!(incoming, Incoming::Nothing));
        }
        (outcome, kinds, fault_sent)
    });
    assert_eq!(outcome, Some(SessionOutcome::Success));
    assert_eq!(
        kinds[..3],
        [
            Some(TransmitKind::Inform),
            Some(TransmitKind::Empty),
            Some(TransmitKind::Response)
        ]
    );
    assert!(fault_sent, "fault 9003 with the request's cwmp:ID");
    assert_eq!(n, 0, "heap allocations answering an undecodable request");
}
