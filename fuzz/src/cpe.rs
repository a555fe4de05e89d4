//! Fuzz body for the CPE session machine: arbitrary sequences of HTTP responses (templates
//! mutated by the input, after 1xx interim responses or not, or raw bytes), the peer's close
//! after any prefix of a response (`handle_connection_closed`), transport errors, timeouts,
//! clock jumps, commands, replayed responses (`ResendResponse`) and reboots with persistence
//! round trips. Never panics; a few invariants are checked on the way
//! (a Session always ends with a `SessionEnded`, `Transmit::len` fits the buffer, the record
//! exported restores).

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::codec::message::{GetParameterValuesResponse, SoapFault};
use cwmp_core::codec::{Array, Body};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming, RequestKind, TransportError};
use cwmp_core::persist::Record;
use cwmp_core::schedule::HeartbeatPolicy;
use cwmp_core::transfer::TransferKind;
use cwmp_core::{Duration, Instant};

/// Every CPE fuzz target: `(corpus directory name, body)`.
#[allow(clippy::type_complexity)]
pub const TARGETS: &[(&str, fn(&[u8]))] = &[("cpe_session", session)];

/// Status line and fields (without `Content-Length`), and body, of the template responses.
const TEMPLATES: &[(&str, &str)] = &[
    ("200 OK\r\nContent-Type: text/xml\r\n", "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID><cwmp:UseCWMPVersion>1.4</cwmp:UseCWMPVersion></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>"),
    ("204 No Content\r\n", ""),
    ("200 OK\r\n", ""),
    ("401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"\r\n", ""),
    ("302 Found\r\nLocation: http://other.example.com/x\r\n", ""),
    ("503 Service Unavailable\r\nConnection: close\r\nRetry-After: 120\r\n", ""),
    ("503 Service Unavailable\r\nRetry-After: Sun, 06 Nov 1994 08:59:37 GMT\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n", ""),
    ("200 OK\r\nContent-Type: text/xml\r\n", "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID>a</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:GetParameterValues><ParameterNames><string>Device.</string></ParameterNames></cwmp:GetParameterValues></soapenv:Body></soapenv:Envelope>"),
    ("200 OK\r\nContent-Type: text/xml\r\n", "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soapenv:Body><soapenv:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>8005</FaultCode></cwmp:Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"),
];

/// `core::fmt::Write` into a slice.
struct SliceOut<'a>(&'a mut [u8], usize);

impl core::fmt::Write for SliceOut<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.1 + s.len();
        let dst = self.0.get_mut(self.1..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

/// Interim responses put before a template (RFC 9110 §15.2).
const INTERIM: &[&str] = &[
    "",
    "HTTP/1.1 100 Continue\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\n\r\n",
];

fn template(i: usize, interim: usize, rx: &mut [u8]) -> usize {
    use core::fmt::Write;
    let (head, body) = TEMPLATES[i % TEMPLATES.len()];
    let mut out = SliceOut(rx, 0);
    let _ = write!(
        out,
        "{}HTTP/1.1 {head}Content-Length: {}\r\n\r\n{body}",
        INTERIM[interim % INTERIM.len()],
        body.len()
    );
    out.1
}

fn gpv_response<'a>() -> Body<'a> {
    GetParameterValuesResponse {
        parameter_list: Array::empty(),
    }
    .into()
}

struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

fn new_cpe(now: Instant, seed: u64) -> Cpe {
    let mut c = Config::new(
        "http://acs.example.com:7547/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    c.username = "u";
    c.password = "p";
    c.session_timeout = Some(30);
    Cpe::new(&c, now, seed).expect("valid config")
}

/// Drains events like a driver: connects at once, exports the record when asked.
fn drain(cpe: &mut Cpe, now: Instant, flash: &mut [u8], flash_len: &mut usize, open: &mut bool) {
    while let Some(ev) = cpe.poll_event() {
        match ev {
            Event::Connect { .. } => {
                let _ = cpe.handle_connected(now);
            }
            Event::SessionStarted => *open = true,
            Event::SessionEnded { .. } => *open = false,
            Event::ResendResponse => {
                // The same reply again (this harness answers every request with a GPV
                // response or a fault; the fault is re-sent as a GPV response: the machine
                // cannot tell, and must not mind).
                let mut tx = [0u8; 2048];
                let mut w: &mut [u8] = &mut tx;
                let _ = cpe.respond(now, gpv_response(), &mut w);
            }
            Event::PersistChanged => {
                let n = cpe.export(now, flash).expect("MAX_LEN always fits");
                *flash_len = n;
                Record::<64, 3, 3>::restore(&flash[..n]).expect("exported record restores");
            }
            _ => {}
        }
    }
}

/// The CPE fed with arbitrary responses, errors, timeouts and commands.
pub fn session(data: &[u8]) {
    let mut input = Input(data);
    let mut now = Instant::from_secs(1);
    let mut cpe = new_cpe(now, 1);
    let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
    let mut flash_len = 0usize;
    let mut open = false;
    let mut tx = [0u8; 4096];
    let mut rx = [0u8; 2048];
    cpe.bootstrap(now);
    while let Some(op) = input.byte() {
        drain(&mut cpe, now, &mut flash, &mut flash_len, &mut open);
        let mut w: &mut [u8] = &mut tx;
        if let Ok(Some(t)) = cpe.poll_transmit(now, &mut w) {
            assert!(t.len <= tx.len());
        }
        drain(&mut cpe, now, &mut flash, &mut flash_len, &mut open);
        match op % 16 {
            0..=5 => {
                // A template response, with some bytes overwritten by the input.
                let interim = usize::from(input.byte().unwrap_or(0));
                let n = template(usize::from(op / 16), interim, &mut rx);
                let edits = input.byte().unwrap_or(0) % 4;
                for _ in 0..edits {
                    let at = usize::from(input.byte().unwrap_or(0)) * 2 % n.max(1);
                    rx[at] = input.byte().unwrap_or(b'x');
                }
                feed(&mut cpe, now, &mut rx, n, false);
            }
            6 => {
                // Raw bytes as the response.
                let len = usize::from(input.byte().unwrap_or(0));
                let raw = input.take(len);
                rx[..raw.len()].copy_from_slice(raw);
                feed(&mut cpe, now, &mut rx, raw.len(), op & 0x10 != 0);
            }
            7 => {
                let kind = match input.byte().unwrap_or(0) % 6 {
                    0 => TransportError::Connect,
                    1 => TransportError::Send,
                    2 => TransportError::Receive,
                    3 => TransportError::Closed,
                    4 => {
                        // The peer closes after a prefix of a template response.
                        let n = template(usize::from(op / 16), usize::from(op / 64), &mut rx);
                        let cut = usize::from(input.byte().unwrap_or(0)) * 2 % (n + 1);
                        feed(&mut cpe, now, &mut rx, cut, true);
                        continue;
                    }
                    _ => {
                        let _ = cpe.handle_connection_closed(now, &mut rx, 0);
                        continue;
                    }
                };
                cpe.handle_transport_error(now, kind);
            }
            8 => {
                now = cpe.poll_timeout().unwrap_or(now).max(now);
                cpe.handle_timeout(now);
            }
            9 => {
                now = now + Duration::from_secs(u64::from(input.byte().unwrap_or(1)));
                cpe.handle_timeout(now);
            }
            10 => cpe.handle_connection_request(now),
            11 => {
                if op & 0x20 != 0 {
                    // Annex O: a HEARTBEAT from the application, or its policy changed.
                    if op & 0x40 != 0 {
                        cpe.set_heartbeat_policy(
                            now,
                            HeartbeatPolicy {
                                enable: op & 0x80 != 0,
                                reporting_interval: u32::from(input.byte().unwrap_or(30)),
                                ..HeartbeatPolicy::DISABLED
                            },
                        );
                    } else {
                        let _ = cpe.heartbeat(now);
                    }
                } else {
                    cpe.value_changed(now, op & 0x10 != 0)
                }
            }
            12 => {
                if let Ok(id) = cpe.queue_transfer(
                    now,
                    TransferKind::Download,
                    "k",
                    "1 Firmware Upgrade Image",
                    0,
                ) {
                    cpe.handle_timeout(now);
                    let _ = cpe.transfer_finished(
                        now,
                        id,
                        u32::from(op),
                        "",
                        DateTime::UNKNOWN,
                        DateTime::UNKNOWN,
                    );
                }
            }
            13 => {
                let _ = cpe.queue_request(now, RequestKind::Kicked, "");
                let _ = cpe.schedule_inform(now, u32::from(op), "si");
            }
            14 => {
                // Reboot with the last record.
                now = now + Duration::from_secs(5);
                cpe = new_cpe(now, u64::from(op));
                open = false;
                let record = (flash_len > 0).then(|| &flash[..flash_len]);
                let _ = cpe.boot(now, record);
            }
            _ => {
                let _ = cpe.set_acs_url(
                    now,
                    if op & 0x10 != 0 {
                        "https://b.example.com/"
                    } else {
                        "not a url"
                    },
                );
                cpe.request_reboot(now, "r");
                cpe.apply_after_session(now);
            }
        }
    }
    // Whatever happened, the Session ends: time runs out.
    drain(&mut cpe, now, &mut flash, &mut flash_len, &mut open);
    for _ in 0..4 {
        if !cpe.in_session() {
            break;
        }
        now = now + Duration::from_secs(3600);
        cpe.handle_timeout(now);
        if cpe.in_session() {
            cpe.abort_session(now);
        }
    }
    drain(&mut cpe, now, &mut flash, &mut flash_len, &mut open);
    assert!(!cpe.in_session() || open);
}

fn feed(cpe: &mut Cpe, now: Instant, rx: &mut [u8], n: usize, closed: bool) {
    let incoming = if closed {
        cpe.handle_connection_closed(now, rx, n)
    } else {
        cpe.handle_response(now, rx, n)
    };
    if let Ok(Incoming::AcsRequest(req)) = incoming {
        let reply: Body<'_> = match req.body() {
            Body::GetParameterValues(_) => gpv_response(),
            _ => Body::Fault(SoapFault::new(9000, "unsupported")),
        };
        let mut tx = [0u8; 2048];
        let mut w: &mut [u8] = &mut tx;
        let _ = cpe.respond(now, reply, &mut w);
    }
}
