//! The CPE's Connection Request server (TR-069 §3.2.2, §3.2.2.1, §3.2.2.2; Annex G; Annex K;
//! DIGEST §3), sans-IO.
//!
//! [`ConnectionRequestServer`] takes the bytes of a request and writes the bytes of the answer;
//! it never touches a socket. It keeps what must outlive one request: the Digest nonces it
//! issued (with the highest `nc` seen on each, to refuse replays), the rate limiter, whether a
//! Session is running or owed, and the UDP replay state. It returns a typed [`CrOutcome`] that
//! tells the caller whether to start a Session (with `6 CONNECTION REQUEST` in its Inform,
//! within 30 s, §3.2.2.1).
//!
//! **HTTP (§3.2.2.2).** GET only (other methods: 405 with `Allow: GET`), on the configured
//! path only (404), query and body ignored (INTEROP S7). Digest authentication (MD5 or
//! SHA-256, `qop=auth` or the RFC 2069 form, constant-time comparison): without credentials or
//! with wrong ones the answer is 401 with a fresh challenge (nonce = time ‖ caller randomness,
//! plus an `opaque`); a right answer on an expired or forgotten nonce gets 401 with
//! `stale=true`; a repeated `nc` on a nonce (or a second RFC 2069 response on one) is a replay
//! and gets 401. Accepted requests are rate-limited: 503, without `Retry-After` by default, as
//! §3.2.2.2 asks (the CPE SHOULD NOT include it, for a rate-limited request and for one refused
//! during a Session alike); [`CrConfig::retry_after`] adds it (when the limiter admits the next
//! request; during a Session under [`InSessionPolicy::Reject503`], [`BUSY_RETRY_AFTER_SECS`]).
//! Success is 200 (or 204, configurable) with an empty body, sent before the Session starts. The
//! status codes for failures other than 401/503 are not in TR-069 (DIGEST §17 item 19); these are
//! the HTTP ones.
//!
//! **Nonce table.** Nonces live in a table of `N` slots (default [`DEFAULT_NONCES`]); an
//! unauthenticated client gets a new nonce with every 401, so a flood of them can push out the
//! ACS's outstanding nonce. The ACS's answer then gets 401 `stale=true` and it retries with the
//! new nonce: no wrong acceptance, at worst a delay. Pick `N` larger on exposed links.
//!
//! **Session state** is told to the server ([`session_started`](ConnectionRequestServer::session_started),
//! [`session_ended`](ConnectionRequestServer::session_ended)) rather than passed with each
//! request, so that the coalesced Session of §3.2.2.2 (b) cannot be forgotten between calls.
//!
//! **One Session for many requests (§3.2.2.1).** The first accepted request returns
//! `start_session: true`; later ones, until [`session_started`](ConnectionRequestServer::session_started),
//! are answered 200 too but return `start_session: false` ([`Admission::AlreadyPending`]).
//! During a Session ([`session_started`](ConnectionRequestServer::session_started) to
//! [`session_ended`](ConnectionRequestServer::session_ended); count the Session as started when
//! you begin to connect to the ACS, §3.2.2.1 "including while the Session is being set up") the
//! [`InSessionPolicy`] decides: [`Reject503`](InSessionPolicy::Reject503) answers 503 to each
//! (§3.2.2.2 (a)); [`Coalesce`](InSessionPolicy::Coalesce) answers 200 and owes exactly one
//! Session after the current one, however many arrived (§3.2.2.2 (b)):
//! [`session_ended`](ConnectionRequestServer::session_ended) returns `true` when it must start.
//!
//! **UDP (Annex G)** and **XMPP (Annex K)** requests go through the same admission (rate limit,
//! Session policy) after their own authentication: [`handle_udp`](ConnectionRequestServer::handle_udp)
//! (no reply is ever sent) and [`handle_xmpp`](ConnectionRequestServer::handle_xmpp) (writes the
//! result or error IQ). The last accepted UDP `ts` must survive a reboot: copy
//! [`udp_last_accepted_ts`](ConnectionRequestServer::udp_last_accepted_ts) into
//! [`Record::last_udp_timestamp`](crate::persist::Record::last_udp_timestamp) and give it back
//! to [`restore_udp_ts`](ConnectionRequestServer::restore_udp_ts) at boot.
//!
//! # Wiring the HTTP listener
//!
//! Listen on the port of `ConnectionRequestURL` (dedicated to Connection Requests, §3.2.2.2;
//! close it when `HTTPConnectionRequestEnable` is false). For each connection, read into a
//! buffer and call [`handle_request`](ConnectionRequestServer::handle_request) after each read
//! until the outcome is not [`CrOutcome::Incomplete`]; send what it wrote; keep the connection
//! for the retry after [`CrOutcome::Challenged`] or a 401 ([`CrOutcome::keep_alive`]), close it
//! otherwise. A request that fills the buffer while still incomplete is hostile: close.
//!
//! **Slow and pipelining clients.** Give each request an absolute deadline
//! ([`REQUEST_DEADLINE`]) from its first byte, not a timeout that restarts with every read, and
//! serve several connections at once (a bounded number: past it, answer 503 at once and close),
//! so that a client trickling bytes cannot delay the ACS's request. A kept connection may
//! already hold the next request (pipelining): drop [`request_len`] bytes after each answer
//! and handle the rest before reading again. The std examples' `spawn_cr_listener` does all of
//! this.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use cwmp_core::connreq::{ConnectionRequestServer, CrConfig, CrOutcome};
//! use cwmp_core::{Instant, SplitMix64};
//!
//! let listener = std::net::TcpListener::bind("0.0.0.0:7547")?;
//! let mut server: ConnectionRequestServer = ConnectionRequestServer::new();
//! let config = CrConfig::new("/cr/5f1c9a2e", "cr-user", "cr-secret");
//! let mut rng = SplitMix64::new(0x5eed); // a TRNG in firmware
//! let start = std::time::Instant::now();
//! let now = || Instant::from_millis(start.elapsed().as_millis() as u64);
//! for stream in listener.incoming() {
//!     let mut stream = stream?;
//!     let mut buf = [0u8; 2048];
//!     let mut len = 0;
//!     loop {
//!         let n = stream.read(&mut buf[len..])?;
//!         if n == 0 { break; }
//!         len += n;
//!         let mut out = [0u8; 512];
//!         let mut w: &mut [u8] = &mut out;
//!         let outcome = server.handle_request(now(), &config, &buf[..len], &mut rng, &mut w)?;
//!         let written = 512 - w.len();
//!         if outcome == CrOutcome::Incomplete {
//!             if len == buf.len() { break; } // too large: hostile
//!             continue;
//!         }
//!         stream.write_all(&out[..written])?;
//!         if outcome.start_session() {
//!             // Queue "6 CONNECTION REQUEST" and connect to the ACS within 30 s; call
//!             // server.session_started(now) when connecting, session_ended(now) at the end.
//!         }
//!         if !outcome.keep_alive() { break; }
//!         len = 0;
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Wiring the UDP socket (Annex G)
//!
//! Bind the UDP Connection Request port (also the STUN client's source port, G.2.1.4) and
//! demultiplex each datagram with
//! [`classify_datagram`](cwmp_codec::connreq::stun::classify_datagram): STUN goes to your
//! STUN client ([`StunMessage::decode`](cwmp_codec::connreq::stun::StunMessage::decode)), a
//! Connection Request to [`handle_udp`](ConnectionRequestServer::handle_udp). Nothing is ever
//! sent back for a UDP Connection Request.

use core::fmt;

use cwmp_codec::connreq::udp::{UdpConnectionRequest, UdpRejectReason, UdpReplayGuard, UdpVerdict};
use cwmp_codec::connreq::xmpp::{
    encode_reply, IqHeader, XmppConnectionRequest, XmppErrorKind, XmppRejectReason, XmppReply,
};
use cwmp_codec::error::EncodeError;
use cwmp_codec::http::auth::{
    server_nonce, Algorithm, Credentials, DigestResponse, InvalidReason, ServerChallenge,
    Verification, VerifyPolicy,
};
use cwmp_codec::http::limits::{MAX_CHALLENGE_LEN, SERVER_NONCE_LEN};
use cwmp_codec::http::request::RequestHead;
use cwmp_codec::http::response::ServerResponseHead;
use cwmp_codec::http::{Status, WriteError, EMPTY_HEADER};
use embedded_io::Write;

use crate::rng::Rng;
use crate::time::{Duration, Instant};

/// Digest nonces kept by default (outstanding challenges).
pub const DEFAULT_NONCES: usize = 4;

/// Most header fields read from a request (*impl*); more is a 400.
pub const MAX_REQUEST_HEADERS: usize = 32;

/// What to do with a Connection Request that arrives during a Session (§3.2.2.2 (a)/(b)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum InSessionPolicy {
    /// (a) Answer 503 (XMPP: `service-unavailable`) to each.
    Reject503,
    /// (b) Answer 200 and start exactly one Session after the current one ends.
    #[default]
    Coalesce,
}

/// Rate limit on accepted (authenticated) Connection Requests (§3.2.2.1 SHOULD), as a token
/// bucket: `burst` requests at once, then one every `per / requests`. `requests == 0` turns it
/// off. Only authenticated requests count, so an attacker without credentials cannot use up
/// the ACS's allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RateLimit {
    /// Sustained rate: this many requests ...
    pub requests: u32,
    /// ... per this period.
    pub per: Duration,
    /// Requests accepted back to back before the sustained rate applies (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// No rate limit.
    pub const NONE: Self = Self {
        requests: 0,
        per: Duration::from_secs(1),
        burst: 1,
    };

    /// The default: 6 per minute, bursts of 3.
    pub const DEFAULT: Self = Self {
        requests: 6,
        per: Duration::from_secs(60),
        burst: 3,
    };

    fn interval(&self) -> Option<u64> {
        if self.requests == 0 {
            return None;
        }
        Some(
            self.per
                .as_millis()
                .checked_div(u64::from(self.requests))
                .unwrap_or(0),
        )
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The server's configuration: the ManagementServer Parameters and the policies. Passed to
/// each call, so a changed password applies at once.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CrConfig<'a> {
    /// The path of `ConnectionRequestURL` (random and unique per CPE, §3.2.2.2), with its
    /// leading `/`.
    pub path: &'a str,
    /// `ConnectionRequestUsername` and `ConnectionRequestPassword`.
    pub credentials: Credentials<'a>,
    /// The Digest realm.
    pub realm: &'a str,
    /// The Digest algorithm offered: MD5 (MUST, §3.4.5) or SHA-256 (or a `-sess` variant).
    pub algorithm: Algorithm,
    /// Accept Digest responses without `qop` (RFC 2069) although `qop="auth"` is offered
    /// (INTEROP S7). Each nonce then authenticates one such response only.
    pub allow_rfc2069: bool,
    /// How long an issued nonce is accepted; after that a right answer gets `stale=true`.
    pub nonce_lifetime: Duration,
    /// The rate limit.
    pub rate_limit: RateLimit,
    /// Requests during a Session.
    pub in_session: InSessionPolicy,
    /// Answer success with 204 instead of 200 (§3.2.2.2 allows both).
    pub success_204: bool,
    /// Put `Retry-After` on a 503 (rate limit, or a Session in progress). Off by default:
    /// §3.2.2.2 says the CPE SHOULD NOT include it; an ACS that backs off by it may want it on.
    pub retry_after: bool,
    /// `ConnReqAllowedJabberIDs` (XMPP, Annex K; empty allows all).
    pub allowed_jids: &'a [&'a str],
}

impl fmt::Debug for CrConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CrConfig")
            .field("path", &self.path)
            .field("credentials", &self.credentials)
            .field("realm", &self.realm)
            .field("algorithm", &self.algorithm)
            .field("rate_limit", &self.rate_limit)
            .field("in_session", &self.in_session)
            .finish_non_exhaustive()
    }
}

impl<'a> CrConfig<'a> {
    /// A configuration with defaults: realm `cwmp`, MD5, RFC 2069 accepted, nonces valid 60 s,
    /// [`RateLimit::DEFAULT`], [`InSessionPolicy::Coalesce`], 200, every JID allowed.
    pub const fn new(path: &'a str, username: &'a str, password: &'a str) -> Self {
        Self {
            path,
            credentials: Credentials { username, password },
            realm: "cwmp",
            algorithm: Algorithm::Md5,
            allow_rfc2069: true,
            nonce_lifetime: Duration::from_secs(60),
            rate_limit: RateLimit::DEFAULT,
            in_session: InSessionPolicy::Coalesce,
            success_204: false,
            retry_after: false,
            allowed_jids: &[],
        }
    }
}

/// How an accepted request relates to Sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Admission {
    /// Start a Session now (within 30 s, §3.2.2.1 item 3).
    StartSession,
    /// A Session is already owed and not yet started: no extra Session (§3.2.2.1 item 4).
    AlreadyPending,
    /// During a Session, coalesced: one Session follows the current one (§3.2.2.2 (b));
    /// [`ConnectionRequestServer::session_ended`] will say so.
    AfterCurrentSession,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CrRejectReason {
    /// Malformed HTTP head: 400.
    MalformedRequest,
    /// Not GET: 405.
    Method,
    /// Another path: 404.
    Path,
    /// A malformed `Authorization: Digest` value: 401.
    MalformedAuthorization,
    /// Another username: 401.
    Username,
    /// The Digest response is wrong (wrong password, realm, uri, ...): 401.
    Digest(InvalidReason),
    /// A replayed `nc` (or a second RFC 2069 response) on a nonce: 401.
    Replay,
    /// A UDP datagram that is not a valid Connection Request (ignored).
    UdpMalformed,
    /// A UDP Connection Request that failed verification (ignored).
    Udp(UdpRejectReason),
    /// An XMPP `connectionRequest` that failed validation or authentication (error IQ sent).
    Xmpp(XmppRejectReason),
    /// An XMPP `connectionRequest` in another namespace or not following the XSD (error IQ
    /// sent).
    XmppMalformed(XmppErrorKind),
}

impl fmt::Display for CrRejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MalformedRequest => "malformed request",
            Self::Method => "method not allowed",
            Self::Path => "wrong path",
            Self::MalformedAuthorization => "malformed Authorization",
            Self::Username => "wrong username",
            Self::Digest(_) => "wrong digest response",
            Self::Replay => "replayed nonce count",
            Self::UdpMalformed => "malformed UDP connection request",
            Self::Udp(_) => "UDP connection request refused",
            Self::Xmpp(_) => "XMPP connection request refused",
            Self::XmppMalformed(_) => "malformed XMPP connection request",
        })
    }
}

/// What happened to one request, and what the caller does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CrOutcome {
    /// Authenticated and answered with success (200/204, result IQ).
    Accepted {
        /// Start a Session now, with `6 CONNECTION REQUEST` in its Inform.
        start_session: bool,
        /// Why (or why not).
        admission: Admission,
    },
    /// Answered 401 with a challenge: no credentials yet, or `stale` ones (right password,
    /// expired nonce). Keep the connection for the retry.
    Challenged {
        /// The challenge carried `stale=true`.
        stale: bool,
    },
    /// Refused (a 4xx, an error IQ, or a UDP datagram ignored). Never starts a Session.
    Rejected(CrRejectReason),
    /// Authenticated but over the rate limit: 503 with `Retry-After` (XMPP:
    /// `service-unavailable`; UDP: ignored).
    RateLimited,
    /// Authenticated during a Session under [`InSessionPolicy::Reject503`]: 503.
    Busy,
    /// The request head is not complete: nothing written, read more.
    Incomplete,
    /// Not a Connection Request for this server (an XMPP IQ of another kind, a copy of the last
    /// UDP request): nothing written.
    Ignored,
}

impl CrOutcome {
    /// True when a Session must start now.
    pub const fn start_session(&self) -> bool {
        matches!(
            self,
            Self::Accepted {
                start_session: true,
                ..
            }
        )
    }

    /// True when the HTTP connection may stay open for another request (after a 401, or
    /// while incomplete).
    pub const fn keep_alive(&self) -> bool {
        matches!(
            self,
            Self::Challenged { .. }
                | Self::Incomplete
                | Self::Rejected(
                    CrRejectReason::MalformedAuthorization
                        | CrRejectReason::Username
                        | CrRejectReason::Digest(_)
                        | CrRejectReason::Replay
                )
        )
    }
}

/// A caller mistake or an output failure. The server's state is unchanged: retry with a larger
/// buffer or a fixed configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CrError<E> {
    /// The writer failed (for `&mut [u8]`: the buffer is too small).
    Io(E),
    /// The writer accepted zero bytes.
    WriteZero,
    /// The configuration cannot be written into a header (a realm with `"` or a control
    /// character).
    InvalidConfig,
}

impl<E: fmt::Debug> fmt::Display for CrError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Io(_) => "writer error",
            Self::WriteZero => "writer accepted zero bytes",
            Self::InvalidConfig => "configuration cannot be written",
        })
    }
}

impl<E: fmt::Debug> core::error::Error for CrError<E> {}

impl<E> From<WriteError<E>> for CrError<E> {
    fn from(e: WriteError<E>) -> Self {
        match e {
            WriteError::Io(e) => Self::Io(e),
            _ => Self::InvalidConfig,
        }
    }
}

impl<E> From<EncodeError<E>> for CrError<E> {
    fn from(e: EncodeError<E>) -> Self {
        match e {
            EncodeError::Write(e) => Self::Io(e),
            EncodeError::WriteZero => Self::WriteZero,
            _ => Self::InvalidConfig,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct NonceSlot {
    nonce: heapless::String<SERVER_NONCE_LEN>,
    issued: Instant,
    /// Highest `nc` accepted on this nonce.
    max_nc: Option<u32>,
    /// An RFC 2069 (no `nc`) response was accepted on it: it is used up.
    used_without_nc: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct State<const N: usize> {
    nonces: heapless::Vec<NonceSlot, N>,
    opaque: Option<heapless::String<16>>,
    /// Rate limiter: theoretical arrival time of the next request (GCRA).
    tat: Option<Instant>,
    in_session: bool,
    /// Accepted, Session not started yet.
    pending: bool,
    /// Accepted during a Session: one Session after it.
    deferred: bool,
    udp: UdpReplayGuard,
}

/// The Connection Request server (see the module docs). `N` is the number of outstanding
/// Digest nonces kept; the oldest is forgotten first (a right answer on it then gets
/// `stale=true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequestServer<const N: usize = DEFAULT_NONCES> {
    state: State<N>,
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for ConnectionRequestServer<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "ConnectionRequestServer(nonces {=usize}, in_session {=bool}, pending {=bool}, deferred {=bool})",
            self.state.nonces.len(),
            self.state.in_session,
            self.state.pending,
            self.state.deferred
        );
    }
}

impl<const N: usize> Default for ConnectionRequestServer<N> {
    fn default() -> Self {
        Self::new()
    }
}

fn hex16(bytes: &[u8; 8]) -> heapless::String<16> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = heapless::String::new();
    for &b in bytes {
        for nib in [b >> 4, b & 0xf] {
            let c = HEX.get(usize::from(nib)).copied().unwrap_or(b'0');
            let _ = s.push(char::from(c));
        }
    }
    s
}

/// `Retry-After` of a 503 answered during a Session under [`InSessionPolicy::Reject503`], in
/// seconds: a Session usually ends within it (*impl*; TR-069 gives no value).
pub const BUSY_RETRY_AFTER_SECS: u32 = 30;

/// The absolute deadline a listener should give each connection, from its first byte (or the
/// end of the previous response on it) to a complete request head, *however slowly the bytes
/// come*: a client past it is dropped (issue 13: a timeout that restarts on every byte let one
/// client sending a byte every 4 s hold the listener for as long as it liked). A genuine ACS
/// sends its GET in one segment. *impl*; TR-069 gives no value.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// Whole seconds, rounded up and at least 1, for `Retry-After`.
fn retry_after_secs(millis: u64) -> u32 {
    u32::try_from(millis.div_ceil(1000).max(1)).unwrap_or(u32::MAX)
}

/// The length of the first complete HTTP request head in `received` (a Connection Request is a
/// GET: its head is the whole request), or `None` while it is incomplete or malformed. After
/// answering a request whose outcome [`keeps the connection`](CrOutcome::keep_alive), drop this
/// many bytes and hand the rest (a pipelined request, RFC 9112 §9.3.2) to
/// [`handle_request`](ConnectionRequestServer::handle_request) before reading again. Every other
/// answer carries `Connection: close`, which refuses whatever was pipelined after the request
/// (the client sends it again, RFC 9112 §9.3.2). Never panics.
pub fn request_len(received: &[u8]) -> Option<usize> {
    let mut headers = [EMPTY_HEADER; MAX_REQUEST_HEADERS];
    match RequestHead::parse(received, &mut headers) {
        Ok(Status::Complete(h)) => Some(h.head_len),
        _ => None,
    }
}

/// Writes a fixed response with `Connection: close`.
fn write_status<W: Write>(w: &mut W, status: u16) -> Result<(), CrError<W::Error>> {
    let head = ServerResponseHead {
        connection_close: true,
        ..ServerResponseHead::new(status)
    };
    head.write(w)?;
    Ok(())
}

impl<const N: usize> ConnectionRequestServer<N> {
    /// A server with no nonce issued, no Session, nothing pending.
    pub const fn new() -> Self {
        Self {
            state: State {
                nonces: heapless::Vec::new(),
                opaque: None,
                tat: None,
                in_session: false,
                pending: false,
                deferred: false,
                udp: UdpReplayGuard::new(),
            },
        }
    }

    /// The CPE began a Session (call it when it starts connecting to the ACS). Clears the
    /// pending request: it is served by this Session.
    pub fn session_started(&mut self, _now: Instant) {
        self.state.in_session = true;
        self.state.pending = false;
    }

    /// The Session ended (whatever its outcome). Returns `true` when a Connection Request was
    /// coalesced during it: start exactly one new Session now, with `6 CONNECTION REQUEST`
    /// (§3.2.2.2 (b)). The server then counts that Session as pending until
    /// [`session_started`](Self::session_started).
    pub fn session_ended(&mut self, _now: Instant) -> bool {
        self.state.in_session = false;
        let start = core::mem::take(&mut self.state.deferred);
        if start {
            self.state.pending = true;
        }
        start
    }

    /// True between [`session_started`](Self::session_started) and
    /// [`session_ended`](Self::session_ended).
    pub const fn in_session(&self) -> bool {
        self.state.in_session
    }

    /// True when an accepted request still waits for its Session.
    pub const fn session_pending(&self) -> bool {
        self.state.pending || self.state.deferred
    }

    /// The last accepted UDP Connection Request `ts`, to persist
    /// ([`Record::last_udp_timestamp`](crate::persist::Record::last_udp_timestamp)).
    pub const fn udp_last_accepted_ts(&self) -> Option<u64> {
        self.state.udp.last_accepted_ts()
    }

    /// Restores the persisted last accepted UDP `ts` at boot (G.2.1.4).
    pub fn restore_udp_ts(&mut self, ts: Option<u64>) {
        self.state.udp = UdpReplayGuard::restore(ts);
    }

    /// Rate limit, then the Session policy, for an authenticated request (any transport).
    fn admit(s: &mut State<N>, now: Instant, config: &CrConfig<'_>) -> CrOutcome {
        if let Some(t) = config.rate_limit.interval() {
            let tau = t.saturating_mul(u64::from(config.rate_limit.burst.max(1).saturating_sub(1)));
            let tat = s.tat.unwrap_or(now).max(now);
            if tat.as_millis() > now.as_millis().saturating_add(tau) {
                return CrOutcome::RateLimited;
            }
            s.tat = Some(tat.saturating_add(Duration::from_millis(t)));
        }
        let admission = if s.in_session {
            match config.in_session {
                InSessionPolicy::Reject503 => return CrOutcome::Busy,
                InSessionPolicy::Coalesce => {
                    s.deferred = true;
                    Admission::AfterCurrentSession
                }
            }
        } else if s.pending {
            Admission::AlreadyPending
        } else {
            s.pending = true;
            Admission::StartSession
        };
        CrOutcome::Accepted {
            start_session: admission == Admission::StartSession,
            admission,
        }
    }

    /// The `Retry-After` of a 503 for `outcome`: when the rate limiter admits the next request
    /// (rounded up), or [`BUSY_RETRY_AFTER_SECS`] during a Session.
    fn retry_after(s: &State<N>, now: Instant, config: &CrConfig<'_>, outcome: CrOutcome) -> u32 {
        match (outcome, config.rate_limit.interval(), s.tat) {
            (CrOutcome::RateLimited, Some(t), Some(tat)) => {
                let tau =
                    t.saturating_mul(u64::from(config.rate_limit.burst.max(1).saturating_sub(1)));
                let allowed_from = now.as_millis().saturating_add(tau);
                retry_after_secs(tat.as_millis().saturating_sub(allowed_from))
            }
            _ => BUSY_RETRY_AFTER_SECS,
        }
    }

    /// Issues a nonce (evicting expired ones, then the oldest) and returns its index.
    fn issue_nonce<R: Rng + ?Sized>(
        s: &mut State<N>,
        now: Instant,
        config: &CrConfig<'_>,
        rng: &mut R,
    ) -> Option<usize> {
        if s.opaque.is_none() {
            let mut o = [0u8; 8];
            rng.fill_bytes(&mut o);
            s.opaque = Some(hex16(&o));
        }
        let mut random = [0u8; 16];
        rng.fill_bytes(&mut random);
        s.nonces
            .retain(|n| now.saturating_duration_since(n.issued) <= config.nonce_lifetime);
        if s.nonces.is_full() && !s.nonces.is_empty() {
            s.nonces.remove(0);
        }
        s.nonces
            .push(NonceSlot {
                nonce: server_nonce(now.as_millis(), &random),
                issued: now,
                max_nc: None,
                used_without_nc: false,
            })
            .ok()?;
        s.nonces.len().checked_sub(1)
    }

    /// Writes a 401 with a fresh challenge.
    fn challenge<W: Write, R: Rng + ?Sized>(
        s: &mut State<N>,
        now: Instant,
        config: &CrConfig<'_>,
        rng: &mut R,
        stale: bool,
        w: &mut W,
    ) -> Result<(), CrError<W::Error>> {
        let i = Self::issue_nonce(s, now, config, rng).ok_or(CrError::InvalidConfig)?;
        let nonce = s.nonces.get(i).ok_or(CrError::InvalidConfig)?;
        let ch = ServerChallenge {
            realm: config.realm,
            nonce: nonce.nonce.as_str(),
            opaque: s.opaque.as_deref(),
            algorithm: config.algorithm,
            qop_auth: true,
            stale,
        };
        let value = ch
            .to_value::<MAX_CHALLENGE_LEN>()
            .map_err(|_| CrError::InvalidConfig)?;
        ServerResponseHead::connection_request_unauthorized(&value).write(w)?;
        Ok(())
    }

    /// Handles the bytes received so far on an HTTP Connection Request connection and writes
    /// the whole response into `out` (nothing for [`CrOutcome::Incomplete`]). See the module
    /// docs for the checks and the answers.
    ///
    /// # Errors
    /// [`CrError`] when `out` fails or the configuration cannot be written; the state is then
    /// unchanged. Never panics, whatever the input.
    pub fn handle_request<W: Write, R: Rng + ?Sized>(
        &mut self,
        now: Instant,
        config: &CrConfig<'_>,
        request: &[u8],
        rng: &mut R,
        out: &mut W,
    ) -> Result<CrOutcome, CrError<W::Error>> {
        let mut next = self.state.clone();
        let outcome = Self::decide(&mut next, now, config, request, rng, out)?;
        self.state = next;
        Ok(outcome)
    }

    fn decide<W: Write, R: Rng + ?Sized>(
        s: &mut State<N>,
        now: Instant,
        config: &CrConfig<'_>,
        request: &[u8],
        rng: &mut R,
        out: &mut W,
    ) -> Result<CrOutcome, CrError<W::Error>> {
        let mut headers = [EMPTY_HEADER; MAX_REQUEST_HEADERS];
        let head = match RequestHead::parse(request, &mut headers) {
            Ok(Status::Complete(h)) => h,
            Ok(Status::Partial) => return Ok(CrOutcome::Incomplete),
            Err(_) => {
                write_status(out, 400)?;
                return Ok(CrOutcome::Rejected(CrRejectReason::MalformedRequest));
            }
        };
        if head.method != "GET" {
            out.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .map_err(CrError::Io)?;
            return Ok(CrOutcome::Rejected(CrRejectReason::Method));
        }
        // Query ignored (INTEROP S7); `http://host/path` absolute-form tolerated.
        let path = match head.path().strip_prefix("http://") {
            Some(rest) => rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"),
            None => head.path(),
        };
        if path != config.path {
            write_status(out, 404)?;
            return Ok(CrOutcome::Rejected(CrRejectReason::Path));
        }
        let Some(value) = head.authorization() else {
            Self::challenge(s, now, config, rng, false, out)?;
            return Ok(CrOutcome::Challenged { stale: false });
        };
        let is_digest = value
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"digest"));
        if !is_digest {
            // Basic or another scheme: Digest is required (§3.2.2.2).
            Self::challenge(s, now, config, rng, false, out)?;
            return Ok(CrOutcome::Challenged { stale: false });
        }
        let reject = |s: &mut State<N>, rng: &mut R, out: &mut W, r| {
            Self::challenge(s, now, config, rng, false, out)?;
            Ok(CrOutcome::Rejected(r))
        };
        let Ok(resp) = DigestResponse::parse(value) else {
            return reject(s, rng, out, CrRejectReason::MalformedAuthorization);
        };
        if !resp
            .username
            .eq_bytes(config.credentials.username.as_bytes())
        {
            return reject(s, rng, out, CrRejectReason::Username);
        }
        let policy = if config.allow_rfc2069 {
            VerifyPolicy::LENIENT
        } else {
            VerifyPolicy::STRICT
        };
        let slot = s
            .nonces
            .iter()
            .position(|n| resp.nonce.eq_bytes(n.nonce.as_bytes()));
        let fresh = slot
            .and_then(|i| s.nonces.get(i))
            .filter(|n| now.saturating_duration_since(n.issued) <= config.nonce_lifetime);
        // Against an unknown or expired nonce, verify with a nonce that cannot match: a right
        // digest then comes back `Stale`.
        let challenge_nonce = fresh.map_or("-", |n| n.nonce.as_str());
        let challenge = ServerChallenge {
            realm: config.realm,
            nonce: challenge_nonce,
            opaque: s.opaque.as_deref(),
            algorithm: config.algorithm,
            qop_auth: true,
            stale: false,
        };
        let verification = resp.verify_with(
            &challenge,
            "GET",
            head.target,
            config.credentials.password.as_bytes(),
            policy,
        );
        match verification {
            Verification::Valid { nc } => {
                let Some(n) = slot.and_then(|i| s.nonces.get_mut(i)) else {
                    return reject(s, rng, out, CrRejectReason::Replay);
                };
                let replay = match nc {
                    Some(nc) => n.max_nc.is_some_and(|m| nc <= m),
                    None => n.used_without_nc,
                };
                if replay {
                    return reject(s, rng, out, CrRejectReason::Replay);
                }
                match nc {
                    Some(nc) => n.max_nc = Some(nc),
                    None => n.used_without_nc = true,
                }
                let outcome = Self::admit(s, now, config);
                match outcome {
                    CrOutcome::Accepted { .. } => {
                        let head = ServerResponseHead {
                            connection_close: true,
                            ..ServerResponseHead::connection_request_ok(config.success_204)
                        };
                        head.write(out)?;
                    }
                    _ => {
                        let head = ServerResponseHead {
                            connection_close: true,
                            retry_after: config
                                .retry_after
                                .then(|| Self::retry_after(s, now, config, outcome)),
                            ..ServerResponseHead::new(503)
                        };
                        head.write(out)?;
                    }
                }
                Ok(outcome)
            }
            Verification::Stale { .. } => {
                Self::challenge(s, now, config, rng, true, out)?;
                Ok(CrOutcome::Challenged { stale: true })
            }
            Verification::Invalid(r) => reject(s, rng, out, CrRejectReason::Digest(r)),
            _ => reject(s, rng, out, CrRejectReason::MalformedAuthorization),
        }
    }

    /// Handles a UDP Connection Request datagram (Annex G; classify it first with
    /// [`classify_datagram`](cwmp_codec::connreq::stun::classify_datagram)). Nothing is ever
    /// sent back. Malformed, unauthenticated, replayed or rate-limited datagrams are ignored
    /// ([`CrOutcome::Rejected`], [`CrOutcome::RateLimited`], [`CrOutcome::Busy`]); an identical
    /// copy of the last accepted one is [`CrOutcome::Ignored`]. On acceptance persist
    /// [`udp_last_accepted_ts`](Self::udp_last_accepted_ts). Never panics.
    pub fn handle_udp(
        &mut self,
        now: Instant,
        config: &CrConfig<'_>,
        datagram: &[u8],
    ) -> CrOutcome {
        let Ok(req) = UdpConnectionRequest::decode(datagram) else {
            return CrOutcome::Rejected(CrRejectReason::UdpMalformed);
        };
        let mut next = self.state.clone();
        match next.udp.verify(&req, &config.credentials) {
            UdpVerdict::Accepted => {}
            UdpVerdict::Duplicate => return CrOutcome::Ignored,
            UdpVerdict::Rejected(r) => return CrOutcome::Rejected(CrRejectReason::Udp(r)),
            _ => return CrOutcome::Rejected(CrRejectReason::UdpMalformed),
        }
        // The ts is used up even if the request is then rate-limited: a replay stays a replay.
        let outcome = Self::admit(&mut next, now, config);
        self.state = next;
        outcome
    }

    /// Handles an XMPP `<iq>` stanza received by the caller's XMPP client (Annex K) and writes
    /// the reply stanza into `out` (nothing for [`CrOutcome::Ignored`]: an IQ that is not a
    /// Connection Request, for the caller's client to handle).
    ///
    /// # Errors
    /// [`CrError`] when `out` fails; the state is then unchanged. Never panics.
    pub fn handle_xmpp<W: Write>(
        &mut self,
        now: Instant,
        config: &CrConfig<'_>,
        stanza: &[u8],
        out: &mut W,
    ) -> Result<CrOutcome, CrError<W::Error>> {
        let req = match XmppConnectionRequest::decode(stanza) {
            Ok(r) => r,
            Err(e) => {
                let (Some(reply), Ok(iq)) = (e.kind.reply(), IqHeader::decode(stanza)) else {
                    return Ok(CrOutcome::Ignored);
                };
                encode_reply(&iq, reply, out)?;
                return Ok(CrOutcome::Rejected(CrRejectReason::XmppMalformed(e.kind)));
            }
        };
        if let Err(r) = req.check(&config.credentials, config.allowed_jids) {
            encode_reply(&req.iq, r.reply(), out)?;
            return Ok(CrOutcome::Rejected(CrRejectReason::Xmpp(r)));
        }
        let mut next = self.state.clone();
        let outcome = Self::admit(&mut next, now, config);
        let reply = match outcome {
            CrOutcome::Accepted { .. } => XmppReply::Result,
            _ => XmppReply::ServiceUnavailable,
        };
        encode_reply(&req.iq, reply, out)?;
        self.state = next;
        Ok(outcome)
    }
}
