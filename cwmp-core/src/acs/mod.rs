//! The ACS side of a CWMP Session (TR-069 §3.7.2), sans-IO: one [`AcsSession`] per CPE Session,
//! and a small HTTP Digest client to send connection requests ([`ConnectionRequest`], §3.2.2).
//!
//! The machine has the shape of DESIGN.md §3 (quinn-proto, str0m): it never does I/O, every
//! input carries the current [`Instant`], and outputs are drained.
//!
//! * **Input:** [`handle_request`](AcsSession::handle_request) takes one complete HTTP POST
//!   (head and body, `Content-Length` or chunked, in the caller's buffer; a chunked body is
//!   de-chunked in place) and returns what it carried as a [`Received`] that borrows the
//!   buffer: the Inform, a CPE request, the response or fault to the outstanding ACS request,
//!   an empty POST, or nothing the application needs to see (a Digest challenge, a 400).
//!   [`handle_timeout`](AcsSession::handle_timeout) and
//!   [`handle_close`](AcsSession::handle_close) report time passing and the connection closing.
//! * **Application commands:** [`enqueue`](AcsSession::enqueue) queues an ACS request;
//!   [`answer_fault`](AcsSession::answer_fault) answers the Inform or a CPE request with a fault
//!   instead of the machine's default answer.
//! * **Outputs:** [`poll_transmit`](AcsSession::poll_transmit) writes the HTTP response to the
//!   last POST through any [`embedded_io::Write`]: the head with the exact `Content-Length`
//!   (from the encoder's length pass), then the envelope streamed; nothing is buffered.
//!   [`poll_event`](AcsSession::poll_event) drains small `Copy` [`Event`]s;
//!   [`poll_timeout`](AcsSession::poll_timeout) gives the deadline of the session timeout.
//!
//! **Order:** for each POST, `handle_request`, look at the [`Received`] (and `enqueue` or
//! `answer_fault`), then `poll_transmit`, then drain `poll_event`, then wait for the next POST
//! until `poll_timeout`.
//!
//! What the machine does by itself (§3.7.2):
//! * **Cookies** (§3.4.2): a random session cookie is set on the first response and repeated
//!   until the CPE echoes it; after the InformResponse every POST must carry it
//!   ([`AcsConfig::require_cookie`]), a foreign one is refused with 400 (INTEROP C1).
//! * **Digest** (§3.4.4, §3.4.5): with [`AcsConfig::credentials`] set, a POST without valid
//!   credentials gets 401 and a challenge (MD5, qop=auth, a nonce from the caller's RNG);
//!   a digest valid for another nonce gets `stale=true`; after
//!   [`AcsConfig::max_challenges`] 401s the Session fails. Once authenticated, the Session is
//!   bound to its cookie.
//! * **Version** (§3.7.2.1, Table 9, Table 11): with `SupportedCWMPVersions`, the version is
//!   chosen with [`acs_choose`] and sent back in `UseCWMPVersion`, or the
//!   Inform gets fault 8006 when nothing fits; without it, the version is inferred from the
//!   namespace (and `SessionTimeout`) and no `UseCWMPVersion` is sent.
//! * **Table 10:** a CPE request is answered in the next response; otherwise the next queued
//!   ACS request is sent (one at a time, with a `cwmp:ID` the response must match by method),
//!   or 204 when the queue is empty. The Session ends (204, [`Outcome::Completed`]) when the
//!   CPE sent an empty POST and nothing is queued or outstanding (§3.7.2.4).
//! * **Faults:** a CPE fault is reported with its code normalized (unknown 9000–9799 → 9001,
//!   §3.7.2.4) and the Session goes on; unknown methods called on the ACS get 8000.
//! * **Malformed input** (any [`DecodeError`](cwmp_codec::DecodeError), an invalid HTTP head
//!   or framing, a protocol violation) gets **400 with no SOAP** and the Session fails.
//! * **Timeout:** no POST for [`AcsConfig::session_timeout`] (at least 30 s) fails the Session.
//!
//! ```
//! use cwmp_core::acs::{AcsConfig, AcsSession, Received};
//! use cwmp_core::codec::message::GetParameterNames;
//! use cwmp_core::codec::XmlStr;
//! use cwmp_core::{Instant, SplitMix64};
//!
//! let inform = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap:Header><cwmp:ID soap:mustUnderstand="1">1</cwmp:ID></soap:Header><soap:Body><cwmp:Inform><DeviceId><Manufacturer>ACME</Manufacturer><OUI>00D09E</OUI><ProductClass>STB</ProductClass><SerialNumber>42</SerialNumber></DeviceId><Event/><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList/></cwmp:Inform></soap:Body></soap:Envelope>"#;
//! let mut rx = [0u8; 4096];
//! let head = format!("POST /acs HTTP/1.1\r\nHost: acs\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n", inform.len());
//! rx[..head.len()].copy_from_slice(head.as_bytes());
//! rx[head.len()..head.len() + inform.len()].copy_from_slice(inform);
//! let n = head.len() + inform.len();
//!
//! let mut acs: AcsSession = AcsSession::new(AcsConfig::default(), Instant::ZERO, &mut SplitMix64::new(1));
//! let now = Instant::from_secs(1);
//! match acs.handle_request(now, &mut rx[..n])? {
//!     Received::Inform(i) => assert_eq!(i.inform.device_id.serial_number, "42"),
//!     other => panic!("{other:?}"),
//! }
//! acs.enqueue(GetParameterNames { parameter_path: XmlStr::new("Device."), next_level: true })?;
//! let mut tx = [0u8; 2048];
//! let mut w: &mut [u8] = &mut tx;
//! let sent = acs.poll_transmit(now, &mut w).unwrap().unwrap();
//! assert_eq!(sent.status, 200);
//! let text = core::str::from_utf8(&tx[..sent.len]).unwrap();
//! assert!(text.contains("Set-Cookie: cwmpsid="));
//! assert!(text.contains("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>"));
//! # Ok::<(), cwmp_core::acs::ApiMisuse>(())
//! ```

mod config;
mod connection_request;
mod event;
mod many;

pub use config::{AcsConfig, AnyUser, CredentialStore, StaticCredentials, MIN_SESSION_TIMEOUT};
pub use connection_request::{ConnectionRequest, CrError, CrOutcome, CrStep};
pub use event::{
    ApiMisuse, AuthRefusal, Event, InformReceived, Outcome, Received, RequestId, SessionError,
    Transmit, TransmitError,
};
pub use many::{AcsSessions, SlotId};

use embedded_io::Write;
use heapless::{Deque, String};

use cwmp_codec::http::auth::{server_nonce, DigestResponse, ServerChallenge, Verification};
use cwmp_codec::http::body::{BodyDecoder, BodyStatus, Framing};
use cwmp_codec::http::limits::{MAX_CHALLENGE_LEN, MAX_USERNAME_LEN, SERVER_NONCE_LEN};
use cwmp_codec::http::request::RequestHead;
use cwmp_codec::http::response::ServerResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::{
    AutonomousDUStateChangeCompleteResponse, AutonomousTransferCompleteResponse,
    DUStateChangeCompleteResponse, GetRPCMethodsResponse, InformResponse, KickedResponse,
    MessageKind, RequestDownloadResponse, SoapFault, TransferCompleteResponse,
};
use cwmp_codec::version::acs_choose;
use cwmp_codec::{
    decode_into, Array, Body, CwmpNamespace, CwmpVersion, EncodeError, Envelope, FaultCode, Header,
    VersionList, XmlStr,
};

use crate::rng::Rng;
use crate::time::{Duration, Instant};

/// Longest `cwmp:ID` of a CPE request the machine echoes (*impl*: Table 4 leaves the ID
/// unbounded; real ones are a few characters). A longer ID is refused with 400.
pub const MAX_ID_LEN: usize = 128;

/// Longest Kicked `Next` argument echoed as `NextURL` (string(1024), Table 74).
pub const MAX_NEXT_URL_LEN: usize = 1024;

/// Header fields read from one POST.
const MAX_HEADERS: usize = 32;

/// Capacity of the `Copy` event queue.
const EVENT_CAPACITY: usize = 8;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "cwmpsid";

/// The methods this ACS implements, for GetRPCMethodsResponse (§A.3.1.1: must include Inform).
static ACS_METHODS: [XmlStr<'static>; 8] = [
    XmlStr::new("Inform"),
    XmlStr::new("GetRPCMethods"),
    XmlStr::new("TransferComplete"),
    XmlStr::new("AutonomousTransferComplete"),
    XmlStr::new("RequestDownload"),
    XmlStr::new("Kicked"),
    XmlStr::new("DUStateChangeComplete"),
    XmlStr::new("AutonomousDUStateChangeComplete"),
];

/// Wire IDs `00`..`99`, sliced so that each is a `&'static str`.
static WIRE_IDS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// The `cwmp:ID` written for request `id`.
pub fn wire_id(id: RequestId) -> &'static str {
    let at = (id.0 % 100) as usize;
    let start = at.saturating_mul(2);
    WIRE_IDS.get(start..start.saturating_add(2)).unwrap_or("00")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Phase {
    AwaitInform,
    Active,
    Ended(Outcome),
}

/// The default answer to a CPE request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Answer {
    TransferComplete,
    AutonomousTransferComplete,
    RequestDownload,
    DuStateChangeComplete,
    AutonomousDuStateChangeComplete,
    Kicked,
    GetRpcMethods,
    Fault(FaultCode),
}

/// What the next `poll_transmit` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Pending {
    None,
    Challenge { stale: bool },
    AuthFailed,
    BadRequest(SessionError),
    InformResponse,
    InformFault(FaultCode),
    Answer(Answer),
    Next,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outstanding<'a> {
    id: RequestId,
    method: &'a str,
}

/// What the head check decided.
enum HeadCheck {
    Accept { head_len: usize, framing: Framing },
    Refuse(Pending),
}

/// One CWMP Session seen from the ACS (TR-069 §3.7.2). See the [module docs](self) for the run
/// loop. `'a` is the lifetime of the configuration and of the queued requests; `Q` the capacity
/// of the request queue.
///
/// Never panics. Peer failures end the Session with an [`Outcome`]; `Err` is only for
/// [`ApiMisuse`] and writer errors.
pub struct AcsSession<'a, const Q: usize = 8> {
    config: AcsConfig<'a>,
    phase: Phase,
    pending: Pending,
    queue: Deque<(RequestId, Body<'a>), Q>,
    next_id: u32,
    outstanding: Option<Outstanding<'a>>,
    /// The CPE sent an empty POST (§3.7.2.4 condition 1).
    cpe_done: bool,
    namespace: CwmpNamespace,
    version: Option<CwmpVersion>,
    use_version: Option<CwmpVersion>,
    echo_id: Option<String<MAX_ID_LEN>>,
    kicked_next: String<MAX_NEXT_URL_LEN>,
    set_cookie: String<64>,
    cookie_seen: bool,
    nonce: String<SERVER_NONCE_LEN>,
    authenticated: bool,
    username: String<MAX_USERNAME_LEN>,
    challenges: u8,
    timeout: Duration,
    last_activity: Instant,
    events: Deque<Event, EVENT_CAPACITY>,
}

impl<const Q: usize> core::fmt::Debug for AcsSession<'_, Q> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AcsSession")
            .field("phase", &self.phase)
            .field("pending", &self.pending)
            .field("queued", &self.queue.len())
            .field("outstanding", &self.outstanding.map(|o| o.id))
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl<const Q: usize> defmt::Format for AcsSession<'_, Q> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "AcsSession({}, {}, queued={=usize})",
            self.phase,
            self.pending,
            self.queue.len()
        );
    }
}

fn hex_into<const N: usize>(bytes: &[u8], out: &mut String<N>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            let c = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            let _ = out.push(char::from(c));
        }
    }
}

/// The body of a complete request, de-chunked in place; `None` when the framing is invalid or
/// the body incomplete.
fn body_of(tail: &mut [u8], framing: Framing) -> Option<&[u8]> {
    if framing == Framing::UntilClose {
        return None;
    }
    let mut dec = BodyDecoder::new(framing);
    let n = tail.len();
    match dec.feed(tail, n) {
        Ok(BodyStatus::Complete { len, .. }) => {
            let tail: &[u8] = tail;
            tail.get(..len)
        }
        _ => None,
    }
}

/// The value of cookie `name` in the `Cookie` fields (`;` or `,` separated, INTEROP C1).
fn find_cookie<'b>(mut fields: impl Iterator<Item = &'b [u8]>, name: &[u8]) -> Option<&'b [u8]> {
    fields.find_map(|field| {
        field
            .split(|&b| b == b';' || b == b',')
            .filter_map(|pair| {
                let eq = pair.iter().position(|&b| b == b'=')?;
                let (k, v) = pair.split_at(eq);
                Some((k.trim_ascii(), v.get(1..).unwrap_or(&[]).trim_ascii()))
            })
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

fn reason_text(e: SessionError) -> &'static str {
    match e {
        SessionError::BadHttp => "Bad Request: invalid HTTP request\n",
        SessionError::Malformed => "Bad Request: malformed CWMP envelope\n",
        SessionError::ProtocolViolation => "Bad Request: CWMP protocol violation\n",
        SessionError::InvalidSession => "Bad Request: invalid session\n",
        _ => "Bad Request\n",
    }
}

impl<EW> From<EncodeError<EW>> for TransmitError<EW> {
    fn from(e: EncodeError<EW>) -> Self {
        match e {
            EncodeError::Write(e) => TransmitError::Io(e),
            // Lengths were checked by the length pass; a value that fails now is a source
            // that changed between the passes, and the response is already half written.
            _ => TransmitError::WriteZero,
        }
    }
}

impl<'a, const Q: usize> AcsSession<'a, Q> {
    /// A Session waiting for its first POST. The session cookie and the Digest nonce are made
    /// from `rng` (§3.4.5: a fresh nonce per connection); `now` starts the session timeout.
    pub fn new<R: Rng + ?Sized>(config: AcsConfig<'a>, now: Instant, rng: &mut R) -> Self {
        let mut random = [0u8; 16];
        rng.fill_bytes(&mut random);
        let mut set_cookie = String::new();
        let _ = set_cookie.push_str(COOKIE_NAME);
        let _ = set_cookie.push('=');
        hex_into(&random, &mut set_cookie);
        let _ = set_cookie.push_str("; Path=/");
        rng.fill_bytes(&mut random);
        let nonce = server_nonce(now.as_millis(), &random);
        let timeout = if config.session_timeout < MIN_SESSION_TIMEOUT {
            MIN_SESSION_TIMEOUT
        } else {
            config.session_timeout
        };
        Self {
            config,
            phase: Phase::AwaitInform,
            pending: Pending::None,
            queue: Deque::new(),
            next_id: 1,
            outstanding: None,
            cpe_done: false,
            namespace: CwmpNamespace::V1_2,
            version: None,
            use_version: None,
            echo_id: None,
            kicked_next: String::new(),
            set_cookie,
            cookie_seen: false,
            nonce,
            authenticated: config.credentials.is_none(),
            username: String::new(),
            challenges: 0,
            timeout,
            last_activity: now,
            events: Deque::new(),
        }
    }

    /// True when the `Cookie` header values `fields` carry this Session's cookie.
    pub fn owns_cookie<'c>(&self, fields: impl Iterator<Item = &'c [u8]>) -> bool {
        let ours = self.cookie().split_once('=').map_or("", |(_, v)| v);
        find_cookie(fields, COOKIE_NAME.as_bytes()) == Some(ours.as_bytes())
    }

    /// The cookie value (`cwmpsid=…`) this Session sets.
    pub fn cookie(&self) -> &str {
        self.set_cookie.as_str().split(';').next().unwrap_or("")
    }

    /// The version of the Session, once the Inform was accepted.
    pub fn version(&self) -> Option<CwmpVersion> {
        self.version
    }

    /// The username the CPE authenticated with (empty without authentication).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// True once the Session has ended (see [`outcome`](Self::outcome)).
    pub fn is_ended(&self) -> bool {
        matches!(self.phase, Phase::Ended(_))
    }

    /// How the Session ended, if it has.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.phase {
            Phase::Ended(o) => Some(o),
            _ => None,
        }
    }

    /// Requests queued and not yet sent.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The ACS request awaiting its response, if any.
    pub fn outstanding(&self) -> Option<RequestId> {
        self.outstanding.map(|o| o.id)
    }

    /// Queues an ACS request (any method of §A.3.2 or §A.4.1, or a vendor method the codec
    /// knows). It is sent when the CPE has no request outstanding (§3.7.2.3, Table 10), one
    /// per HTTP response, in order.
    ///
    /// # Errors
    /// [`ApiMisuse::QueueFull`]; [`ApiMisuse::SessionEnded`]; [`ApiMisuse::NotARequest`] for a
    /// response, fault or empty body. Nothing is queued then.
    pub fn enqueue(&mut self, request: impl Into<Body<'a>>) -> Result<RequestId, ApiMisuse> {
        if self.is_ended() {
            return Err(ApiMisuse::SessionEnded);
        }
        let body = request.into();
        if body.kind() != MessageKind::Request || matches!(body, Body::Unknown(_)) {
            return Err(ApiMisuse::NotARequest);
        }
        let id = RequestId(self.next_id);
        self.queue
            .push_back((id, body))
            .map_err(|_| ApiMisuse::QueueFull)?;
        self.next_id = self.next_id.wrapping_add(1);
        Ok(id)
    }

    /// Answers the Inform or the CPE request just received with a CWMP fault instead of the
    /// default answer: for the Inform (e.g. 8003 when the CPE never bootstrapped, §A.3.3.1) the
    /// Session then ends with [`SessionError::InformRejected`]; for a CPE request (e.g. 8001,
    /// 8005 "retry request") the Session goes on.
    ///
    /// # Errors
    /// [`ApiMisuse::NothingToAnswer`] when the last POST was not the Inform or a CPE request,
    /// or its answer was already transmitted.
    pub fn answer_fault(&mut self, code: FaultCode) -> Result<(), ApiMisuse> {
        match self.pending {
            Pending::InformResponse | Pending::InformFault(_) => {
                self.pending = Pending::InformFault(code);
                Ok(())
            }
            Pending::Answer(_) => {
                self.pending = Pending::Answer(Answer::Fault(code));
                Ok(())
            }
            _ => Err(ApiMisuse::NothingToAnswer),
        }
    }

    /// The next event, if any. Drain after each `handle_*` and `poll_transmit`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When the Session times out if no POST arrives (`None` once ended, or while a response
    /// is waiting to be transmitted). Call [`handle_timeout`](Self::handle_timeout) then.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.phase, self.pending) {
            (Phase::Ended(_), _) => None,
            (_, Pending::None) => Some(self.last_activity.saturating_add(self.timeout)),
            _ => None,
        }
    }

    /// Time passed: fails the Session with [`SessionError::TimedOut`] once the deadline of
    /// [`poll_timeout`](Self::poll_timeout) is reached (§3.7.2.4).
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(deadline) = self.poll_timeout() {
            if now >= deadline {
                self.end(Outcome::Failed(SessionError::TimedOut));
            }
        }
    }

    /// The connection closed (or could not be read). Fails the Session with
    /// [`SessionError::Transport`] unless it had already ended.
    pub fn handle_close(&mut self, _now: Instant) {
        if !self.is_ended() {
            self.pending = Pending::None;
            self.end(Outcome::Failed(SessionError::Transport));
        }
    }

    fn push_event(&mut self, e: Event) {
        if self.events.is_full() {
            let _ = self.events.pop_front();
        }
        let _ = self.events.push_back(e);
    }

    fn end(&mut self, outcome: Outcome) {
        if !self.is_ended() {
            self.phase = Phase::Ended(outcome);
            self.push_event(Event::SessionEnded { outcome });
        }
    }

    fn refuse<'b>(&mut self, e: SessionError) -> Received<'b> {
        self.pending = Pending::BadRequest(e);
        Received::Refused
    }

    /// Takes one complete HTTP request: the head and the whole body (`Content-Length` or
    /// chunked) in `rx`; a chunked body is de-chunked in place. Bytes after the body are
    /// ignored (a CPE must not pipeline, §3.4.6). Returns what the POST carried, borrowing `rx`;
    /// a response to it is then ready for [`poll_transmit`](Self::poll_transmit).
    ///
    /// An incomplete or invalid request is a peer failure: it is answered 400 and fails the
    /// Session, as is any [`DecodeError`](cwmp_codec::DecodeError) of the envelope (§3.7.2.4).
    ///
    /// # Errors
    /// [`ApiMisuse::ResponsePending`] when the response to the previous POST was not
    /// transmitted; [`ApiMisuse::SessionEnded`]. Never panics.
    pub fn handle_request<'b>(
        &mut self,
        now: Instant,
        rx: &'b mut [u8],
    ) -> Result<Received<'b>, ApiMisuse> {
        if self.is_ended() {
            return Err(ApiMisuse::SessionEnded);
        }
        if self.pending != Pending::None {
            return Err(ApiMisuse::ResponsePending);
        }
        self.last_activity = now;
        self.echo_id = None;
        let (head_len, framing) = match self.check_head(rx) {
            HeadCheck::Accept { head_len, framing } => (head_len, framing),
            HeadCheck::Refuse(p) => {
                self.pending = p;
                return Ok(Received::Refused);
            }
        };
        let Some(tail) = rx.get_mut(head_len..) else {
            return Ok(self.refuse(SessionError::BadHttp));
        };
        let Some(body) = body_of(tail, framing) else {
            return Ok(self.refuse(SessionError::BadHttp));
        };
        if body.trim_ascii().is_empty() {
            return Ok(self.on_empty_post());
        }
        // Into a slot of this frame (`decode` would add an envelope-sized copy of its own).
        let mut env = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
        if decode_into(body, &mut env).is_err() {
            return Ok(self.refuse(SessionError::Malformed));
        }
        Ok(self.dispatch(env))
    }

    /// Parses the head and applies the HTTP-level rules: POST only, the session cookie, Digest.
    fn check_head(&mut self, rx: &[u8]) -> HeadCheck {
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let head = match RequestHead::parse(rx, &mut headers) {
            Ok(Status::Complete(h)) => h,
            _ => return HeadCheck::Refuse(Pending::BadRequest(SessionError::BadHttp)),
        };
        if head.method != "POST" {
            return HeadCheck::Refuse(Pending::BadRequest(SessionError::BadHttp));
        }
        // Cookie (§3.4.2, INTEROP C1).
        let ours = self
            .cookie()
            .split_once('=')
            .map_or("", |(_, v)| v)
            .as_bytes();
        match find_cookie(head.cookies(), COOKIE_NAME.as_bytes()) {
            Some(v) if v == ours => self.cookie_seen = true,
            // Another Session's cookie: refused during a Session; on the Inform it is what a
            // CPE kept from its previous Session, and ignored.
            Some(_) if self.phase == Phase::Active => {
                return HeadCheck::Refuse(Pending::BadRequest(SessionError::InvalidSession))
            }
            Some(_) => {}
            None if self.phase == Phase::Active && self.config.require_cookie => {
                return HeadCheck::Refuse(Pending::BadRequest(SessionError::InvalidSession))
            }
            None => {}
        }
        // Digest (§3.4.4, §3.4.5).
        if !self.authenticated {
            if let Some(store) = self.config.credentials {
                let refusal = self.verify(&head, store);
                match refusal {
                    None => {
                        self.authenticated = true;
                        self.push_event(Event::Authenticated);
                    }
                    Some(reason) => {
                        self.challenges = self.challenges.saturating_add(1);
                        self.push_event(Event::Challenged { reason });
                        let pending = if self.challenges >= self.config.max_challenges.max(1) {
                            Pending::AuthFailed
                        } else {
                            Pending::Challenge {
                                stale: reason == AuthRefusal::Stale,
                            }
                        };
                        return HeadCheck::Refuse(pending);
                    }
                }
            }
        }
        HeadCheck::Accept {
            head_len: head.head_len,
            framing: head.framing(),
        }
    }

    /// Verifies the `Authorization` of `head`; `None` when valid.
    fn verify(
        &mut self,
        head: &RequestHead<'_, '_>,
        store: &dyn CredentialStore,
    ) -> Option<AuthRefusal> {
        let Some(value) = head.authorization() else {
            return Some(AuthRefusal::Missing);
        };
        let Ok(digest) = DigestResponse::parse(value) else {
            return Some(AuthRefusal::Unparsable);
        };
        let mut buf = [0u8; MAX_USERNAME_LEN];
        let Some(user) = digest
            .username
            .unescape_into(&mut buf)
            .and_then(|u| core::str::from_utf8(u).ok())
        else {
            return Some(AuthRefusal::UnknownUser);
        };
        let Some(password) = store.password(user) else {
            return Some(AuthRefusal::UnknownUser);
        };
        let challenge = ServerChallenge::new(self.config.realm, &self.nonce);
        match digest.verify(&challenge, head.method, head.target, password) {
            Verification::Valid { .. } => {
                self.username.clear();
                let _ = self.username.push_str(user);
                None
            }
            Verification::Stale { .. } => Some(AuthRefusal::Stale),
            _ => Some(AuthRefusal::Invalid),
        }
    }

    fn on_empty_post<'b>(&mut self) -> Received<'b> {
        if self.phase != Phase::Active || self.outstanding.is_some() {
            // No Session yet (the first POST must carry the Inform, §3.7), or the CPE owes
            // the response to an ACS request (§3.7.1.2).
            return self.refuse(SessionError::ProtocolViolation);
        }
        self.cpe_done = true;
        self.pending = Pending::Next;
        Received::EmptyPost
    }

    /// Copies the request's `cwmp:ID` for the answer; `false` when it is too long.
    fn keep_id(&mut self, header: &Header<'_>) -> bool {
        let Some(id) = header.id else {
            return true;
        };
        let mut buf = [0u8; MAX_ID_LEN];
        let Ok(text) = id.unescape_into(&mut buf) else {
            return false;
        };
        let mut s = String::new();
        if s.push_str(text).is_err() {
            return false;
        }
        self.echo_id = Some(s);
        true
    }

    fn dispatch<'b>(&mut self, env: Envelope<'b>) -> Received<'b> {
        let Envelope {
            cwmp_ns,
            header,
            body,
            ..
        } = env;
        if self.phase == Phase::AwaitInform {
            let Body::Inform(inform) = body else {
                return self.refuse(SessionError::ProtocolViolation);
            };
            if !self.keep_id(&header) {
                return self.refuse(SessionError::ProtocolViolation);
            }
            return self.on_inform(header, cwmp_ns, inform);
        }
        if let Some(out) = self.outstanding {
            return match body.kind() {
                MessageKind::Response
                    if body.method_name().strip_suffix("Response") == Some(out.method) =>
                {
                    self.outstanding = None;
                    self.pending = Pending::Next;
                    Received::Response { id: out.id, body }
                }
                MessageKind::Fault => {
                    self.outstanding = None;
                    self.pending = Pending::Next;
                    let Body::Fault(fault) = body else {
                        return self.refuse(SessionError::Malformed);
                    };
                    Received::CpeFault {
                        id: out.id,
                        code: FaultCode(fault.code()).normalized_for_acs(),
                        fault,
                    }
                }
                _ => self.refuse(SessionError::ProtocolViolation),
            };
        }
        match body.kind() {
            MessageKind::Empty => self.on_empty_post(),
            MessageKind::Request if !self.cpe_done && !matches!(body, Body::Inform(_)) => {
                if !self.keep_id(&header) {
                    return self.refuse(SessionError::ProtocolViolation);
                }
                let answer = self.default_answer(&body);
                self.pending = Pending::Answer(answer);
                Received::CpeRequest { body }
            }
            _ => self.refuse(SessionError::ProtocolViolation),
        }
    }

    fn default_answer(&mut self, body: &Body<'_>) -> Answer {
        match body {
            Body::TransferComplete(_) => Answer::TransferComplete,
            Body::AutonomousTransferComplete(_) => Answer::AutonomousTransferComplete,
            Body::RequestDownload(_) => Answer::RequestDownload,
            Body::DUStateChangeComplete(_) => Answer::DuStateChangeComplete,
            Body::AutonomousDUStateChangeComplete(_) => Answer::AutonomousDuStateChangeComplete,
            Body::GetRPCMethods(_) => Answer::GetRpcMethods,
            Body::Kicked(k) => {
                let mut buf = [0u8; MAX_NEXT_URL_LEN];
                self.kicked_next.clear();
                match k.next.unescape_into(&mut buf) {
                    Ok(next) if self.kicked_next.push_str(next).is_ok() => Answer::Kicked,
                    _ => Answer::Fault(FaultCode::ACS_INVALID_ARGUMENTS),
                }
            }
            // An unknown method, or an ACS→CPE method sent the wrong way (§3.5, fn20).
            _ => Answer::Fault(FaultCode::ACS_METHOD_NOT_SUPPORTED),
        }
    }

    fn on_inform<'b>(
        &mut self,
        header: Header<'b>,
        namespace: CwmpNamespace,
        inform: cwmp_codec::message::Inform<'b>,
    ) -> Received<'b> {
        let (version, use_cwmp_version) = match header.supported_cwmp_versions {
            Some(text) => {
                let mut scratch = [0u8; 64];
                let list = text
                    .to_str(&mut scratch)
                    .and_then(|s| VersionList::parse(s).ok())
                    .unwrap_or(VersionList::EMPTY);
                (acs_choose(list, self.config.versions), true)
            }
            None => (
                Some(namespace.implied_version_for_acs(header.session_timeout.is_some())),
                false,
            ),
        };
        if let Some(secs) = header.session_timeout {
            let suggested = Duration::from_secs(u64::from(secs));
            if suggested > self.timeout {
                self.timeout = suggested;
            }
        }
        self.phase = Phase::Active;
        self.version = version;
        match version {
            Some(v) => {
                self.use_version = use_cwmp_version.then_some(v);
                self.namespace = if use_cwmp_version {
                    v.namespace()
                } else {
                    namespace.encoding_namespace()
                };
                self.pending = Pending::InformResponse;
            }
            None => {
                self.namespace = namespace.encoding_namespace();
                self.pending = Pending::InformFault(FaultCode::ACS_VERSION_INCOMPATIBLE);
            }
        }
        Received::Inform(InformReceived {
            inform,
            header,
            namespace,
            version,
            use_cwmp_version: use_cwmp_version && version.is_some(),
        })
    }

    /// Writes the HTTP response to the last POST (head and body) into `w`, and returns what
    /// was written; `None` when nothing is owed (no POST since the last call, or the Session
    /// ended). The `Content-Length` is exact: the envelope's length comes from the encoder's
    /// length pass, and the envelope is then streamed, so `w` needs no room for it (a socket
    /// writer, or a buffer as large as the response).
    ///
    /// # Errors
    /// The writer's error ([`TransmitError`]); the Session then fails with
    /// [`SessionError::Transport`]. Never panics.
    pub fn poll_transmit<W: Write>(
        &mut self,
        now: Instant,
        w: &mut W,
    ) -> Result<Option<Transmit>, TransmitError<W::Error>> {
        let pending = core::mem::replace(&mut self.pending, Pending::None);
        self.last_activity = now;
        let result = self.transmit(pending, w);
        if result.is_err() {
            self.end(Outcome::Failed(SessionError::Transport));
        }
        result
    }

    fn transmit<W: Write>(
        &mut self,
        pending: Pending,
        w: &mut W,
    ) -> Result<Option<Transmit>, TransmitError<W::Error>> {
        match pending {
            Pending::None => Ok(None),
            Pending::Challenge { stale } => self.write_challenge(w, stale, false).map(Some),
            Pending::AuthFailed => {
                let t = self.write_challenge(w, false, true)?;
                self.end(Outcome::Failed(SessionError::AuthFailed));
                Ok(Some(t))
            }
            Pending::BadRequest(e) => {
                let text = reason_text(e);
                let head = ServerResponseHead {
                    content_length: text.len() as u64,
                    connection_close: true,
                    ..ServerResponseHead::new(400)
                };
                let len = self.write_head(w, head)?;
                w.write_all(text.as_bytes()).map_err(TransmitError::Io)?;
                self.end(Outcome::Failed(e));
                Ok(Some(Transmit {
                    status: 400,
                    len: len.saturating_add(text.len()),
                    close: true,
                }))
            }
            Pending::InformResponse => {
                let mut header = self.echo_header();
                header.use_cwmp_version = self.use_version.map(|v| XmlStr::new(v.as_str()));
                let body = Body::InformResponse(InformResponse { max_envelopes: 1 });
                let t = self.write_envelope(w, header, body, false)?;
                if let Some(version) = self.version {
                    self.push_event(Event::SessionStarted { version });
                }
                Ok(Some(t))
            }
            Pending::InformFault(code) => {
                let fault = SoapFault::new(code.get(), code.description());
                let header = self.echo_header();
                let t = self.write_envelope(w, header, Body::Fault(fault), true)?;
                let e = if code == FaultCode::ACS_VERSION_INCOMPATIBLE {
                    SessionError::VersionIncompatible
                } else {
                    SessionError::InformRejected(code)
                };
                self.end(Outcome::Failed(e));
                Ok(Some(t))
            }
            Pending::Answer(answer) => {
                let header = self.echo_header();
                let kicked = self.kicked_next.clone();
                let body = match answer {
                    Answer::TransferComplete => TransferCompleteResponse {}.into(),
                    Answer::AutonomousTransferComplete => {
                        AutonomousTransferCompleteResponse {}.into()
                    }
                    Answer::RequestDownload => RequestDownloadResponse {}.into(),
                    Answer::DuStateChangeComplete => DUStateChangeCompleteResponse {}.into(),
                    Answer::AutonomousDuStateChangeComplete => {
                        AutonomousDUStateChangeCompleteResponse {}.into()
                    }
                    Answer::GetRpcMethods => GetRPCMethodsResponse {
                        method_list: Array::new(&ACS_METHODS),
                    }
                    .into(),
                    Answer::Kicked => KickedResponse {
                        next_url: XmlStr::new(kicked.as_str()),
                    }
                    .into(),
                    Answer::Fault(code) => {
                        Body::Fault(SoapFault::new(code.get(), code.description()))
                    }
                };
                self.write_envelope(w, header, body, false).map(Some)
            }
            Pending::Next => self.write_next(w).map(Some),
        }
    }

    /// Sends the next queued request, or 204 (Table 10); ends the Session when the
    /// termination conditions of §3.7.2.4 hold.
    fn write_next<W: Write>(&mut self, w: &mut W) -> Result<Transmit, TransmitError<W::Error>> {
        while let Some((id, body)) = self.queue.pop_front() {
            let env = Envelope {
                cwmp_ns: self.namespace,
                header: Header {
                    id: Some(XmlStr::new(wire_id(id))),
                    ..Header::default()
                },
                body,
                schema_deviation: None,
                schema_deviation_count: 0,
                last_schema_deviation: None,
            };
            let Ok(len) = env.encoded_len() else {
                self.push_event(Event::RequestDropped { id });
                continue;
            };
            let head_len = self.write_head(w, ServerResponseHead::envelope(len as u64))?;
            env.encode(w)?;
            self.outstanding = Some(Outstanding {
                id,
                method: env.body.method_name(),
            });
            self.push_event(Event::RequestSent { id });
            return Ok(Transmit {
                status: 200,
                len: head_len.saturating_add(len),
                close: false,
            });
        }
        let len = self.write_head(w, ServerResponseHead::no_content())?;
        let close = self.cpe_done;
        if close {
            self.end(Outcome::Completed);
        }
        Ok(Transmit {
            status: 204,
            len,
            close,
        })
    }

    fn echo_header(&self) -> Header<'_> {
        Header {
            id: self.echo_id.as_ref().map(|s| XmlStr::new(s.as_str())),
            ..Header::default()
        }
    }

    fn write_envelope<'x, W: Write>(
        &self,
        w: &mut W,
        header: Header<'x>,
        body: Body<'x>,
        close: bool,
    ) -> Result<Transmit, TransmitError<W::Error>> {
        let env = Envelope {
            cwmp_ns: self.namespace,
            header,
            body,
            schema_deviation: None,
            schema_deviation_count: 0,
            last_schema_deviation: None,
        };
        // The machine's own messages hold only valid characters: a length error cannot occur,
        // but is handled as a zero-length write rather than a panic.
        let len = env.encoded_len().map_err(|_| TransmitError::WriteZero)?;
        let head = ServerResponseHead {
            connection_close: close,
            ..ServerResponseHead::envelope(len as u64)
        };
        let head_len = self.write_head(w, head)?;
        env.encode(w)?;
        Ok(Transmit {
            status: 200,
            len: head_len.saturating_add(len),
            close,
        })
    }

    /// Writes a head, adding the session cookie until the CPE echoed it.
    fn write_head<W: Write>(
        &self,
        w: &mut W,
        head: ServerResponseHead<'_>,
    ) -> Result<usize, TransmitError<W::Error>> {
        let cookies = [self.set_cookie.as_str()];
        let head = ServerResponseHead {
            set_cookie: if self.cookie_seen {
                head.set_cookie
            } else {
                &cookies
            },
            ..head
        };
        let len = head.encoded_len();
        head.write(w).map_err(|e| match e {
            cwmp_codec::http::WriteError::Io(e) => TransmitError::Io(e),
            _ => TransmitError::WriteZero,
        })?;
        Ok(len)
    }

    fn write_challenge<W: Write>(
        &self,
        w: &mut W,
        stale: bool,
        close: bool,
    ) -> Result<Transmit, TransmitError<W::Error>> {
        let challenge = ServerChallenge {
            stale,
            ..ServerChallenge::new(self.config.realm, &self.nonce)
        };
        let value: String<MAX_CHALLENGE_LEN> = challenge
            .to_value()
            .or_else(|_| ServerChallenge::new("cwmp", &self.nonce).to_value())
            .unwrap_or_default();
        let head = ServerResponseHead {
            www_authenticate: Some(value.as_str()),
            connection_close: close,
            ..ServerResponseHead::new(401)
        };
        let len = self.write_head(w, head)?;
        Ok(Transmit {
            status: 401,
            len,
            close,
        })
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    #[test]
    fn wire_ids_are_two_digits() {
        assert_eq!(wire_id(RequestId(0)), "00");
        assert_eq!(wire_id(RequestId(7)), "07");
        assert_eq!(wire_id(RequestId(99)), "99");
        assert_eq!(wire_id(RequestId(123)), "23");
        assert_eq!(wire_id(RequestId(u32::MAX)), "95");
    }

    #[test]
    fn cookies_split_on_semicolons_and_commas() {
        let fields: [&[u8]; 2] = [b"a=1; cwmpsid=abc", b"x=2"];
        assert_eq!(
            find_cookie(fields.iter().copied(), b"cwmpsid"),
            Some(&b"abc"[..])
        );
        let fields: [&[u8]; 1] = [b"a=1,cwmpsid = def ,b"];
        assert_eq!(
            find_cookie(fields.iter().copied(), b"cwmpsid"),
            Some(&b"def"[..])
        );
        assert_eq!(find_cookie(fields.iter().copied(), b"zz"), None);
    }
}
