//! The CPE session machine (TR-069 §3.2.1, §3.4, §3.7.1; Tables 3, 7, 8, 11), sans-IO.
//!
//! [`Cpe`] decides when a Session starts, writes every HTTP request into the caller's buffer,
//! reads every HTTP response from the caller's buffer, and hands ACS requests to the
//! application, which answers through [`Cpe::respond`]. It never does I/O, never reads a clock
//! and never allocates: time comes in as `now`, randomness from a seed, sockets and flash stay
//! with the driver (DESIGN §3, the quinn-proto `Connection` shape).
//!
//! # The driver's loop
//!
//! (The crate's drivers, `driver::blocking` and `driver::asynch` behind the `blocking` and
//! `async` features, are this loop; what follows is for a driver of one's own.)
//!
//! * **Inputs** (`handle_*` and the commands) mutate the machine: [`Cpe::handle_timeout`],
//!   [`Cpe::handle_connected`], [`Cpe::handle_transport_error`], [`Cpe::handle_response`],
//!   [`Cpe::handle_connection_closed`] (a read returned 0 bytes: the peer closed),
//!   [`Cpe::handle_connection_request`], [`Cpe::value_changed`], [`Cpe::transfer_finished`], …
//! * **Outputs**, drained after every input, **in this order**: [`Cpe::poll_event`] until `None`
//!   (a [`Event::Connect`] must be acted on before anything is sent), then
//!   [`Cpe::poll_transmit`] (the next POST; also send any POST that [`Cpe::respond`] or
//!   [`Cpe::send_request`] wrote), then [`Cpe::poll_timeout`], and wait for the socket or the
//!   deadline, whichever comes first.
//!
//! Peer failures end the Session with a [`SessionOutcome`]; `Err` only means [`ApiMisuse`]
//! (nothing changed) or a writer failure (nothing changed but the Digest nonce count).
//!
//! # Session rules implemented
//!
//! * **Initiation** (§3.7.1.1): the Inform is the first POST and is sent once; it is re-sent,
//!   identical, after a 401, a redirect, or fault 8005. `SupportedCWMPVersions` is on every
//!   Inform, `SessionTimeout` when configured; `UseCWMPVersion` is honoured, a version the CPE
//!   did not offer aborts the Session ([`SessionError::VersionNotOffered`]); without it the
//!   version is inferred from the InformResponse namespace (Table 6).
//! * **Table 11 fallback**: an Inform answered with a fault in the `cwmp-1-0` namespace or with
//!   fault 8006 makes the CPE believe the ACS speaks only 1.0: the retry and later Sessions
//!   use the 1.0 namespace without version headers, until the ACS URL changes.
//! * **Table 7**: after an ACS request, the response; else a CPE request
//!   (TransferComplete first, then the application's) if HoldRequests is false and no empty
//!   POST was sent while it was false; else an empty POST.
//! * **Termination** (§3.7.1.4): success when the most recent response is empty, the CPE has
//!   sent its empty POST while HoldRequests was false, and no response is owed either way.
//!   Failure on: no response within the response timeout (≥ 30 s), a transport error while a
//!   response is awaited (the peer closing before the response is complete included: a
//!   truncated head or body fails at once, [`Cpe::handle_connection_closed`]), 4xx/5xx, a
//!   second 401, a malformed head, XML, SOAP envelope or fault (but see the next rule),
//!   a fault to the Inform other than 8005, more than 3 faults 8005 in the Session, more than
//!   5 consecutive redirects, or a protocol violation (a request before the InformResponse, a
//!   response to nothing, a wrong response method or cwmp:ID).
//! * **ACS requests whose arguments do not decode** (strict numbers: a SetParameterAttributes
//!   `Notification` of `9x`, a ScheduleInform `DelaySeconds` that is empty, a Download
//!   `DelaySeconds` of 4294967297, a required member the codec cannot do without): when
//!   [`decode_header`](cwmp_codec::decode_header) still reads the header and the Body names a
//!   request, the machine answers fault **9003** Invalid arguments itself (§A.5.1, Table 87),
//!   echoing the request's cwmp:ID (§3.5, Table 4), with a FaultString naming the error, the
//!   element and the byte offset; the Session continues. The application sees no
//!   [`AcsRequest`]: nothing was decoded to execute. XML that is not well-formed, a header that
//!   does not decode, a second Body element, or a response or Fault with bad content still fail
//!   the Session ([`SessionError::MalformedEnvelope`]); a request before the InformResponse is
//!   a protocol violation as always. A method the codec does not know still decodes (as
//!   [`Body::Unknown`]) and goes to the application, which answers 9000.
//! * A fault other than 8005 to any other CPE request continues the Session; that request is
//!   not sent again in the Session (§3.7.1.6) and is retried in the next one.
//! * **HTTP reading** (§3.4, RFC 9110, RFC 9112): any number of 1xx interim responses before the
//!   final one are skipped (§15.2; `101` answers an Upgrade never sent and fails the Session);
//!   the body is framed by `Content-Length`, chunked (de-chunked in place) or the close (complete
//!   only at [`Cpe::handle_connection_closed`]).
//! * **503 + `Retry-After`** (RFC 9110 §10.2.3, INTEROP C5): the Session fails and no Session
//!   starts before the time given (delta-seconds, or an HTTP-date measured from the response's
//!   `Date`, else from [`Cpe::set_unix_time`]'s clock), whatever comes meanwhile (new events,
//!   Connection Requests, HEARTBEATs); the Table 3 wait still applies when it is longer.
//! * **Re-sent after a 401 or a redirect** (§3.4.4, §3.4.5): the Inform, a TransferComplete and
//!   the application's requests by the machine; a *response* by the application, which writes
//!   it again through [`Cpe::respond`] when told by [`Event::ResendResponse`] (the ACS request
//!   is not handed out, nor executed, twice: keep the reply until the next response arrives).
//! * One envelope per POST (MaxEnvelopes 1, INTEROP S5); one Session at a time; cookies and
//!   redirect targets live for one Session; after `Connection: close` or a peer close between
//!   round trips the next POST goes on a new connection (§3.4.2); Digest `nc` counts on the
//!   kept-alive connection.
//! * **Reboot, factory reset and Status-1 changes** are announced ([`Event::Reboot`],
//!   [`Event::FactoryReset`], [`Event::ApplyPendingChanges`]) only after a clean end.
//!
//! # Events, triggers, retry, transfers, persistence
//!
//! Events live in [`EventQueue`] (Table 8 rules); a Session starts for every event except a
//! passive `4 VALUE CHANGE`, which waits for the next Session. A failed Session is retried per
//! [`RetryState`] (Table 3); a new event brings the retry forward without resetting the count.
//! Transfers live in [`Transfers`]: results go out as TransferComplete after the InformResponse
//! of a later Session. Everything that must survive a reboot is exported by [`Cpe::export`]
//! when [`Event::PersistChanged`] says so, and restored by [`Cpe::boot`].
//!
//! # HEARTBEAT (Annex O)
//!
//! The HeartbeatPolicy (`Enable`, `ReportingInterval` ≥ 20 s, `InitiationTime`; O.2.4) is set in
//! [`Config::heartbeat`] or with [`Cpe::set_heartbeat_policy`], and timed like periodic Informs
//! ([`HeartbeatTimer`]); [`Cpe::heartbeat`] raises one by hand. `14 HEARTBEAT` gets a
//! **HEARTBEAT Session** of its own ([`Cpe::in_heartbeat_session`]):
//!
//! * its Inform carries `14 HEARTBEAT` alone ([`EventQueue::begin_heartbeat_session`]), and the
//!   CPE sends no TransferComplete or request of its own in it (O.2.1). The ParameterList is the
//!   application's: it passes the Forced Inform Parameters only (O.1);
//! * it waits for the open Session to end (O.2.2), then starts at once;
//! * coinciding with other events it goes first (O.2.2); their Session starts right after it
//!   ends, also when the HEARTBEAT Session has to be retried first;
//! * a HEARTBEAT raised during a HEARTBEAT Session, or while one waits or is retried, is dropped
//!   (O.2.2, O.2.3);
//! * while a failed Non-HEARTBEAT Session is being retried the HEARTBEAT waits for that retry
//!   and its Session's end (O.2.3). It does not bring the retry forward (§3.2.1.1 "new event"):
//!   it cannot ride in that Inform, and frequent HEARTBEATs would defeat the Table 3 back-off;
//! * it is retried like any failed Session (§3.2.1.1) and discarded at reboot (Table 8 "Retry
//!   until reboot, then discard", [`EventQueue::on_reboot`]);
//! * `4 VALUE CHANGE` stays pending through it (Table 8: changes count from the last successful
//!   Non-HEARTBEAT Inform); the application keeps its passive-notification baseline too.
//!
//! **Versions.** Annex O is CWMP 1.4 (Amendment 6), but the Inform that carries the event is sent
//! before the version is negotiated (§3.7.1.1 restricts "the remainder of the CWMP session"), and
//! `14 HEARTBEAT` matches the `\d+( \S+)+` event-code pattern of the cwmp-1-1 and later schemas.
//! So HEARTBEATs go to any ACS, except under the Table 11 fallback: an ACS believed to speak only
//! CWMP 1.0 gets none (the cwmp-1-0 schema's event-code list is closed, 0–9 and four `M` codes).
//!
//! Every HEARTBEAT changes the event queue, so [`Event::PersistChanged`] follows it although
//! `14` never survives a reboot; an application that minds flash wear may rate-limit its writes.
//!
//! # Size
//!
//! With the default capacities `size_of::<Cpe>()` is 6,104 bytes on x86_64 and 5,960 on
//! thumbv7em (the 64-event queue is 808 B of it: 4-byte entries, CommandKeys and vendor codes in
//! shared pools); a compile-time check keeps it within [`CPE_SIZE_BUDGET`] (6 KiB). What makes
//! that: the ACS URL is kept in TR-181's string(256) ([`ACS_URL_LEN`]), the cookie jar holds the
//! 512 bytes §3.4.2 asks for ([`COOKIE_STORAGE`]), and the strings' lengths are `u8`/`u16`.
//! [`Cpe::export`] and [`Cpe::boot`] stream the persistent record straight from and into the
//! machine's parts, so neither holds a [`Record`](crate::persist::Record) (up to
//! [`Record::MAX_LEN`](crate::persist::Record::MAX_LEN) bytes) on the stack; the record bytes
//! themselves live in the caller's buffer.
//!
//! # Limitations (documented choices and departures)
//!
//! * **`Retry-After`** is honoured on 503 only (on a 3xx the redirect is followed at once),
//!   for at most [`MAX_RETRY_AFTER`] (a day), and not across a reboot (the boot Session starts
//!   at once: the deadline is in the machine's monotonic time, not in the record). An
//!   HTTP-date with neither a `Date` header nor a wall clock cannot be measured: the Table 3
//!   wait alone applies. A Connection Request does not lift it (the ACS said it is busy).
//! * **Fault 9003 to an undecodable request** is written by the machine, not by the
//!   application, and without an [`Event`] of its own: a driver that wants to log it sees a
//!   [`TransmitKind::Response`] it did not write through [`Cpe::respond`]. It lists no
//!   `SetParameterValuesFault` (those are SetParameterValues' per-Parameter errors, §A.3.2.1,
//!   and its values are never numbers the codec rejects: a `Value` that does not match its
//!   `xsi:type` is kept raw for the application). Values that decode but are out of range
//!   (`Notification` 7, `FileSize` junk kept as `UnsignedIntValue::Invalid`) are the
//!   application's to fault (the agent answers 9003).
//! * **415** fails the Session like any 4xx: there is no compression fallback to make, since
//!   the CPE never compresses its requests (§3.4.7).
//! * A close with nothing received while a response is awaited fails the Session, also when it
//!   is a kept-alive connection the ACS closed just as the POST went out (§3.4.2 race); the
//!   retry policy recovers.
//! * The application owes [`Cpe::respond`] without a deadline for a fresh ACS request (it may
//!   take long to execute); after [`Event::ResendResponse`] the response timeout runs.
//! * The application's own requests ([`RequestKind`]) are not part of the persistent record;
//!   their events are dropped at boot, and the application queues them again.
//! * The machine does not see parameter values: the application supplies the Inform's
//!   ParameterList, keeps the notification baselines and must leave them alone after a HEARTBEAT
//!   InformResponse (see [HEARTBEAT](#heartbeat-annex-o)).

mod config;
mod error;
mod event;
mod incoming;
mod invalid;
mod session;
mod wire;

pub use config::{Config, MIN_RESPONSE_TIMEOUT};
pub use error::{ApiMisuse, SendError};
pub use event::{Event, RequestKind, SessionError, SessionOutcome, TransportError};
pub use incoming::{AcsRequest, Incoming};
pub use invalid::INVALID_ARGUMENTS;
pub use session::MAX_ACS_ID_LEN;

use cwmp_codec::datetime::{DateTime, Offset};
use cwmp_codec::event::EventCode;
use cwmp_codec::http::auth::{ClientAuth, Credentials};
use cwmp_codec::http::body::{BodyDecoder, BodyErrorKind, BodyStatus, Framing};
use cwmp_codec::http::cookie::CookieJar;
use cwmp_codec::http::date::parse_http_date;
use cwmp_codec::http::limits::MIN_COOKIE_STORAGE;
use cwmp_codec::http::redirect::Redirects;
use cwmp_codec::http::request::PostKind;
use cwmp_codec::http::response::{ResponseClass, ResponseHead, RetryAfter};
use cwmp_codec::http::url::Scheme;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::{
    DeviceIdStruct, FaultStruct, Inform, MessageKind, ParameterValueStruct, TransferComplete,
};
use cwmp_codec::{
    decode_into, Array, Body, CwmpNamespace, CwmpVersion, DateTimeValue, Envelope, VersionList,
    XmlStr,
};
use embedded_io::Write;

use crate::events::{EventQueue, EventState, Pushed, SessionEnd};
use crate::limits::{CommandKey, MAX_INFORM_EVENTS, MIN_SCHEDULE_INFORM_QUEUE, MIN_TRANSFER_QUEUE};
use crate::persist::{self, BufferTooSmall, Generations, RestoreError};
use crate::retry::{RetryPolicy, RetryState};
use crate::rng::SplitMix64;
use crate::schedule::{
    HeartbeatPolicy, HeartbeatTimer, PeriodicInform, PeriodicInformConfig, ScheduleInformError,
    ScheduleInformQueue,
};
use crate::time::{Duration, Instant};
use crate::transfer::{
    CancelOutcome, TransferError, TransferId, TransferKind, TransferResult, Transfers,
};
use session::{store_acs_id, CpeRequest, LastSent, Phase, Session};
use wire::{u32_text, write_post, InformEvents, Parameters, PostContext};

/// The [`PostContext`] of a POST: a macro rather than a method, so that it borrows only these
/// fields of the machine and the envelope may borrow the others at the same time.
macro_rules! post_context {
    ($cpe:expr) => {
        PostContext {
            acs_url: &$cpe.acs_url,
            redirects: &$cpe.redirects,
            jar: &$cpe.jar,
            auth: &mut $cpe.auth,
            credentials: Credentials {
                username: &$cpe.username,
                password: &$cpe.password,
            },
            rng: &mut $cpe.rng,
        }
    };
}

/// The RAM budget of a [`Cpe`] with the default capacities, in bytes, checked at compile time.
pub const CPE_SIZE_BUDGET: usize = 6 * 1024;

const _: () = assert!(core::mem::size_of::<Cpe>() <= CPE_SIZE_BUDGET);

/// Longest ACS URL kept (`Device.ManagementServer.URL` is a string(256) in TR-181 and
/// TR-098). A redirect target (§3.4.5) may be longer: it lives in the redirect state, whose
/// bound is the codec's `MAX_URL_LEN`.
pub const ACS_URL_LEN: usize = 256;
/// Bytes of cookies kept for the Session: exactly the 512 that §3.4.2 requires a CPE to store
/// (a `Set-Cookie` that no longer fits is dropped and the jar keeps what it has).
pub const COOKIE_STORAGE: usize = MIN_COOKIE_STORAGE;

/// Longest username or password kept (§3.4.4 leaves them unbounded; 256 is TR-181's size).
pub const CREDENTIAL_LEN: usize = 256;
/// Events that can wait in [`Cpe::poll_event`]'s queue; drain after every input.
pub const EVENT_QUEUE_LEN: usize = 16;
/// Application requests ([`RequestKind`]) that can be queued at once.
pub const APP_REQUEST_LEN: usize = 4;
/// Most HTTP response header fields read.
const MAX_HEADERS: usize = 32;

/// Pass 1 of `read_response`: where the final head (after any 1xx) is.
enum FinalHead {
    /// Not all of it received.
    Partial,
    /// Not HTTP.
    Malformed,
    /// At `start`, `head_len` long, its body framed by `framing`.
    Complete {
        start: usize,
        head_len: usize,
        framing: Framing,
    },
}

/// Finds the final head in `data`, changing nothing. Out of line with its own header array
/// (see `Cpe::take_head`).
#[inline(never)]
fn final_head(data: &[u8]) -> FinalHead {
    let mut start = 0usize;
    loop {
        let rest = data.get(start..).unwrap_or(&[]);
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        match ResponseHead::parse(rest, &mut headers) {
            Ok(Status::Partial) => return FinalHead::Partial,
            Err(_) => return FinalHead::Malformed,
            // RFC 9110 §15.2: any number of interim responses, each a head alone. 101
            // answers an Upgrade this CPE never sends: it is final (and not handled).
            Ok(Status::Complete(h)) if (100..200).contains(&h.status) && h.status != 101 => {
                start = start.saturating_add(h.head_len);
            }
            Ok(Status::Complete(h)) => {
                return FinalHead::Complete {
                    start,
                    head_len: h.head_len,
                    framing: h.framing(),
                }
            }
        }
    }
}

/// What pass 2 of `read_response` learnt from the final head.
struct HeadFacts {
    class: ResponseClass,
    close: bool,
    /// For a 401: whether a usable challenge came.
    auth: Option<bool>,
    status: u16,
    retry_after: Option<u64>,
    /// For a redirect with a Location: whether it could be followed.
    redirect: Option<bool>,
}

/// One HTTP request written by [`Cpe::poll_transmit`], [`Cpe::respond`] or
/// [`Cpe::send_request`]: send the first `len` bytes of the buffer on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Transmit {
    /// Bytes written: the head and exactly `Content-Length` body bytes.
    pub len: usize,
    /// What the POST carries.
    pub kind: TransmitKind,
}

/// What a [`Transmit`] carries (§3.7.1.3, Table 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TransmitKind {
    /// The Inform.
    Inform,
    /// A TransferComplete.
    TransferComplete,
    /// An application request.
    Request(RequestKind),
    /// A response (or fault) to an ACS request.
    Response,
    /// An empty POST.
    Empty,
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct AppRequest {
    kind: RequestKind,
    command_key: CommandKey,
}

/// The CPE session machine. `E` events (default 64), `T` transfers (default 3), `S` scheduled
/// Informs (default 3): the capacities of its [`EventQueue`], [`Transfers`] and
/// [`ScheduleInformQueue`].
#[derive(Debug, Clone)]
pub struct Cpe<
    const E: usize = MAX_INFORM_EVENTS,
    const T: usize = MIN_TRANSFER_QUEUE,
    const S: usize = MIN_SCHEDULE_INFORM_QUEUE,
> {
    acs_url: heapless::String<ACS_URL_LEN, u16>,
    username: heapless::String<CREDENTIAL_LEN, u16>,
    password: heapless::String<CREDENTIAL_LEN, u16>,
    manufacturer: heapless::String<64, u8>,
    oui: heapless::String<6, u8>,
    product_class: heapless::String<64, u8>,
    serial_number: heapless::String<64, u8>,
    retry_policy: RetryPolicy,
    response_timeout: Duration,
    session_timeout: Option<u32>,

    events: EventQueue<E>,
    transfers: Transfers<T>,
    schedule: ScheduleInformQueue<S>,
    retry: RetryState,
    periodic: PeriodicInform,
    heartbeat: HeartbeatTimer,
    /// The failed Session being retried was a HEARTBEAT Session (Annex O.2.3).
    heartbeat_retry: bool,
    rng: SplitMix64,

    jar: CookieJar<COOKIE_STORAGE>,
    /// `Set-Cookie` values the full jar could not take ([`Cpe::cookies_dropped`]).
    cookies_dropped: u32,
    auth: ClientAuth,
    redirects: Redirects,
    session: Option<Session>,
    /// No Session starts before this: a 503's `Retry-After` (RFC 9110 §10.2.3).
    not_before: Option<Instant>,

    want_session: bool,
    /// An Active value change waits for its Session, held back by the notification throttle
    /// (TR-181 `DefaultActiveNotificationThrottle`) while nothing else wants one.
    want_notification: bool,
    /// `DefaultActiveNotificationThrottle`, in seconds.
    notification_throttle: u32,
    /// When the last Session ended (not kept across reboots: TR-181 does not require it).
    last_session_end: Option<Instant>,
    pending_reboot: bool,
    pending_factory_reset: bool,
    pending_apply: bool,
    v1_0_only: bool,
    app_requests: heapless::Vec<AppRequest, APP_REQUEST_LEN>,
    unix: Option<(Instant, i64)>,
    out: heapless::Deque<Event, EVENT_QUEUE_LEN>,
    id_text: heapless::String<MAX_ACS_ID_LEN>,
    persisted: Generations,
    next_id: u32,
    /// The ParameterKey, kept for the application (§A.3.2.1: stored iff the RPC succeeded).
    parameter_key: Option<crate::limits::ParameterKey>,
    /// The last accepted UDP Connection Request `ts` (Annex G.2.1.4: persistent).
    udp_timestamp: Option<u64>,
    /// Bumped when either of the two above changes, so `PersistChanged` is raised.
    app_generation: u32,
    app_persisted: u32,
}

#[cfg(feature = "defmt")]
impl<const E: usize, const T: usize, const S: usize> defmt::Format for Cpe<E, T, S> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Cpe {{ session: {=bool}, events: {=usize}, transfers: {=usize}, retry_count: {=u32} }}",
            self.session.is_some(),
            self.events.len(),
            self.transfers.len(),
            self.retry.retry_count()
        );
    }
}

fn copy<const N: usize, L: heapless::LenType>(
    s: &str,
) -> Result<heapless::String<N, L>, ApiMisuse> {
    let mut out = heapless::String::new();
    out.push_str(s).map_err(|_| ApiMisuse::TooLong)?;
    Ok(out)
}

impl<const E: usize, const T: usize, const S: usize> Cpe<E, T, S> {
    /// A CPE with no events and no Session, configured at `now`, with randomness (retry
    /// jitter, Digest cnonces) from `seed`. Call [`Cpe::bootstrap`] on first installation or
    /// [`Cpe::boot`] at every power-up next.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::TooLong`] if a string does not fit its capacity (URL 256, credentials
    /// 256, Manufacturer/ProductClass/SerialNumber 64, OUI 6 bytes). Never panics.
    pub fn new(config: &Config<'_>, now: Instant, seed: u64) -> Result<Self, ApiMisuse> {
        let mut response_timeout = config.response_timeout;
        if response_timeout < MIN_RESPONSE_TIMEOUT {
            response_timeout = MIN_RESPONSE_TIMEOUT;
        }
        Ok(Cpe {
            acs_url: copy(config.acs_url)?,
            username: copy(config.username)?,
            password: copy(config.password)?,
            manufacturer: copy(config.manufacturer)?,
            oui: copy(config.oui)?,
            product_class: copy(config.product_class)?,
            serial_number: copy(config.serial_number)?,
            retry_policy: config.retry,
            response_timeout,
            session_timeout: config.session_timeout,
            events: EventQueue::new(),
            transfers: Transfers::new(),
            schedule: ScheduleInformQueue::new(),
            retry: RetryState::new(),
            periodic: PeriodicInform::new(config.periodic, now, now, None),
            heartbeat: HeartbeatTimer::new(config.heartbeat, now, now, None),
            heartbeat_retry: false,
            rng: SplitMix64::new(seed),
            jar: CookieJar::new(),
            cookies_dropped: 0,
            auth: ClientAuth::new(),
            redirects: Redirects::new(),
            session: None,
            not_before: None,
            want_session: false,
            want_notification: false,
            notification_throttle: config.notification_throttle,
            last_session_end: None,
            pending_reboot: false,
            pending_factory_reset: false,
            pending_apply: false,
            v1_0_only: false,
            app_requests: heapless::Vec::new(),
            unix: None,
            out: heapless::Deque::new(),
            id_text: heapless::String::new(),
            persisted: Generations::default(),
            next_id: 0,
            parameter_key: None,
            udp_timestamp: None,
            app_generation: 0,
            app_persisted: 0,
        })
    }

    // ----------------------------------------------------------------------------------------
    // Accessors

    /// The undelivered events (§3.7.1.5).
    pub fn events(&self) -> &EventQueue<E> {
        &self.events
    }

    /// Queued transfers and results awaiting TransferComplete (GetQueuedTransfers,
    /// GetAllQueuedTransfers answer from [`Transfers::queued`]).
    pub fn transfers(&self) -> &Transfers<T> {
        &self.transfers
    }

    /// The session retry state (§3.2.1.1).
    pub fn retry_state(&self) -> &RetryState {
        &self.retry
    }

    /// The queued ScheduleInforms (§A.4.1.2).
    pub fn schedule(&self) -> &ScheduleInformQueue<S> {
        &self.schedule
    }

    /// How many `Set-Cookie` header values the cookie jar could not take since power-up, all
    /// or in part, because its [`COOKIE_STORAGE`] bytes were full (§3.4.2 asks for at least
    /// 512). The cookies already held are kept and returned as before; a Session that fails
    /// after this count grows points at an ACS whose cookies outgrow the jar. Saturates.
    pub fn cookies_dropped(&self) -> u32 {
        self.cookies_dropped
    }

    /// `true` while a Session is open.
    pub fn in_session(&self) -> bool {
        self.session.is_some()
    }

    /// `true` while the open Session is a HEARTBEAT Session (Annex O): its Inform carries
    /// `14 HEARTBEAT` alone, so pass only the Forced Inform Parameters to
    /// [`Cpe::poll_transmit_with`] (O.1), and do not take its InformResponse
    /// ([`Event::SessionInitiated`]) as the new baseline for passive notification and
    /// `4 VALUE CHANGE` (Table 8, §A.3.3.1: measured from the last successful Non-HEARTBEAT
    /// Inform).
    ///
    /// Until the Inform is first written this says what it will be: a HEARTBEAT that comes due
    /// before then takes the Session (O.2.2, "at the same time"), so ask when building the
    /// ParameterList.
    pub fn in_heartbeat_session(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| heartbeat_inform(s, &self.events))
    }

    /// The HeartbeatPolicy in force (Annex O.2.4).
    pub fn heartbeat_policy(&self) -> HeartbeatPolicy {
        self.heartbeat.policy()
    }

    /// The CWMP version negotiated for the open Session, once initiated (§3.7.1.1).
    pub fn session_version(&self) -> Option<CwmpVersion> {
        self.session.as_ref().and_then(|s| s.version)
    }

    /// `true` when the CPE believes the ACS speaks only CWMP 1.0 (Table 11 fallback).
    pub fn is_v1_0_fallback(&self) -> bool {
        self.v1_0_only
    }

    /// The host to connect to for [`Event::Connect`]: the ACS URL's, or the redirect target's
    /// during a redirected Session (§3.4.2). Empty if the URL does not parse.
    pub fn connect_host(&self) -> &str {
        self.redirects
            .current(&self.acs_url)
            .map(|u| u.host_bare())
            .unwrap_or("")
    }

    // ----------------------------------------------------------------------------------------
    // Outputs

    /// The next [`Event`], oldest first. Drain until `None` after every input.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.out.pop_front()
    }

    /// The next deadline: call [`Cpe::handle_timeout`] when it has passed. `None`: wait for
    /// input only.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let session = match &self.session {
            Some(s) => s.deadline,
            // A retry cannot start without a usable ACS URL: no deadline to spin on.
            None if self.redirects.current(&self.acs_url).is_ok() => {
                match (self.retry.poll_timeout(), self.not_before) {
                    (Some(t), Some(f)) => Some(t.max(f)),
                    (None, Some(f)) if self.want_session || self.events.has_pending_heartbeat() => {
                        Some(f)
                    }
                    // An Active value change held back by the throttle: its Session is due at
                    // the end of the window (or a 503's `Retry-After`, whichever is later).
                    (None, f) if self.want_notification => {
                        let t = self.throttle_end().unwrap_or(Instant::ZERO);
                        Some(f.map_or(t, |f| t.max(f)))
                    }
                    (t, _) => t,
                }
            }
            None => None,
        };
        [
            session,
            self.periodic.poll_timeout(),
            self.heartbeat.poll_timeout(),
            self.schedule.poll_timeout(),
            self.transfers.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Writes the next POST of the Session into `w`, if one is due: the Inform (with an empty
    /// ParameterList), a TransferComplete or an empty POST (§3.7.1.3, Table 7). Same as
    /// [`Cpe::poll_transmit_with`] with no Inform parameters.
    ///
    /// # Errors
    ///
    /// [`SendError`]; the machine is unchanged. Never panics.
    pub fn poll_transmit<W: Write>(
        &mut self,
        now: Instant,
        w: &mut W,
    ) -> Result<Option<Transmit>, SendError<W::Error>> {
        self.poll_transmit_with(now, &Array::empty(), w)
    }

    /// Writes the next POST of the Session into `w`, if one is due, with `parameters` as the
    /// Inform's ParameterList (§A.3.3.1: the Forced Inform parameters and the changed ones;
    /// use [`Array::from_source`] to produce them on demand). In a HEARTBEAT Session
    /// ([`Cpe::in_heartbeat_session`]) pass the Forced Inform Parameters only (Annex O.1): the
    /// machine cannot tell them apart, the list is the application's. Returns `None` when
    /// nothing is to be sent now.
    ///
    /// # Errors
    ///
    /// [`SendError::Write`] (buffer too small), [`SendError::Encode`]; the machine is
    /// unchanged. Never panics.
    pub fn poll_transmit_with<'p, W: Write>(
        &mut self,
        now: Instant,
        parameters: &Array<'p, ParameterValueStruct<'p>>,
        w: &mut W,
    ) -> Result<Option<Transmit>, SendError<W::Error>> {
        let Some(s) = self.session.as_ref() else {
            return Ok(None);
        };
        if s.phase != Phase::Ready || !s.connected {
            return Ok(None);
        }
        if s.invalid_request.is_some() {
            return self.write_invalid_arguments(now, w);
        }
        let next = if !s.initiated {
            Some(CpeRequest::Inform)
        } else if let (Some((r, _)), true) = (s.outstanding, s.resend) {
            Some(r)
        } else if s.may_send_request() {
            self.next_cpe_request(s)
        } else {
            None
        };
        match next {
            Some(CpeRequest::Inform) => self.write_inform(now, parameters, w).map(Some),
            Some(CpeRequest::TransferComplete(id)) => self.write_transfer_complete(now, id, w),
            Some(CpeRequest::App(kind)) => {
                if let Some(s) = self.session.as_mut() {
                    s.phase = Phase::AwaitingAppBody(kind);
                }
                self.emit(Event::RequestReady { kind });
                Ok(None)
            }
            None => self.write_empty(now, w).map(Some),
        }
    }

    fn next_cpe_request(&self, s: &Session) -> Option<CpeRequest> {
        // Annex O.2.1: nothing but the HEARTBEAT in its Session; TransferCompletes and the
        // application's requests (with their events) go in the next regular Session.
        if s.heartbeat {
            return None;
        }
        // A result whose `M` event is still pending finished during this Session: its
        // TransferComplete goes in a later Session, after the Inform that announces it
        // (§A.3.3.2; Table 8: confirmed only once announced).
        let announced = |r: &TransferResult| {
            !self.events.iter().any(|e| {
                e.state() == EventState::Pending
                    && e.code() == r.kind.event_code()
                    && e.command_key() == r.command_key.as_str()
            })
        };
        if let Some((id, _)) = self
            .transfers
            .results()
            .find(|(id, r)| !s.is_skipped(CpeRequest::TransferComplete(*id)) && announced(r))
        {
            return Some(CpeRequest::TransferComplete(id));
        }
        self.app_requests
            .iter()
            .map(|a| CpeRequest::App(a.kind))
            .find(|r| !s.is_skipped(*r))
    }

    fn unix_now(&self, now: Instant) -> Option<i64> {
        self.unix.map(|(at, u)| {
            let d = now.saturating_duration_since(at).as_secs();
            u.saturating_add(i64::try_from(d).unwrap_or(i64::MAX))
        })
    }

    fn write_inform<'p, W: Write>(
        &mut self,
        now: Instant,
        parameters: &Array<'p, ParameterValueStruct<'p>>,
        w: &mut W,
    ) -> Result<Transmit, SendError<W::Error>> {
        let Some(s) = self.session.as_ref() else {
            return Err(ApiMisuse::NoRequestOutstanding.into());
        };
        let id = match s.outstanding {
            Some((CpeRequest::Inform, id)) => id,
            _ => self.next_id.wrapping_add(1),
        };
        let time = s.inform_time.unwrap_or_else(|| {
            self.unix_now(now)
                .and_then(|u| DateTime::from_unix(u, Offset::Utc))
                .unwrap_or(DateTime::UNKNOWN)
        });
        let ns = s.ns;
        if !self.events.is_session_open() {
            let heartbeat = heartbeat_inform(s, &self.events)
                && self.events.begin_heartbeat_session() == Ok(true);
            if let Some(s) = self.session.as_mut() {
                s.heartbeat = heartbeat;
            }
            if !heartbeat {
                let _ = self.events.begin_session();
                // Every pending event rides in this Inform: triggers raised since the Session
                // started are served by it.
                self.want_session = false;
                self.want_notification = false;
            }
        }
        let source = InformEvents(&self.events);
        let params = Parameters(parameters);
        let inform = Inform {
            device_id: DeviceIdStruct {
                manufacturer: XmlStr::new(&self.manufacturer),
                oui: XmlStr::new(&self.oui),
                product_class: XmlStr::new(&self.product_class),
                serial_number: XmlStr::new(&self.serial_number),
            },
            event: Array::from_source(&source),
            max_envelopes: 1,
            current_time: DateTimeValue::Valid(time),
            retry_count: self.retry.retry_count().into(),
            parameter_list: if parameters.is_lending() {
                Array::from_lending(&params)
            } else {
                Array::from_source(&params)
            },
        };
        let mut idbuf = [0u8; 10];
        let mut env = Envelope::new(ns, inform);
        env.header.id = Some(XmlStr::new(u32_text(id, &mut idbuf)));
        if !self.v1_0_only {
            env.header.supported_cwmp_versions = Some(XmlStr::new(SUPPORTED_VERSIONS));
            env.header.session_timeout = self.session_timeout;
        }
        let len = write_post(post_context!(self), PostKind::SoapRequest, Some(&env), w)?;
        drop(env);
        if self.next_id != id {
            self.next_id = id;
        }
        let deadline = now.saturating_add(self.response_timeout);
        if let Some(s) = self.session.as_mut() {
            s.outstanding = Some((CpeRequest::Inform, id));
            s.inform_time = Some(time);
            s.resend = false;
            s.last_sent = LastSent::Request;
            s.phase = Phase::AwaitingResponse;
            s.deadline = Some(deadline);
        }
        Ok(Transmit {
            len,
            kind: TransmitKind::Inform,
        })
    }

    fn write_transfer_complete<W: Write>(
        &mut self,
        now: Instant,
        tid: TransferId,
        w: &mut W,
    ) -> Result<Option<Transmit>, SendError<W::Error>> {
        let Some(s) = self.session.as_ref() else {
            return Ok(None);
        };
        let Some((_, r)) = self.transfers.results().find(|(i, _)| *i == tid) else {
            return Ok(None);
        };
        let id = match s.outstanding {
            Some((CpeRequest::TransferComplete(t), id)) if t == tid => id,
            _ => self.next_id.wrapping_add(1),
        };
        let tc = TransferComplete {
            command_key: XmlStr::new(&r.command_key),
            fault_struct: FaultStruct {
                fault_code: r.fault_code.into(),
                fault_string: XmlStr::new(&r.fault_string),
            },
            start_time: DateTimeValue::Valid(r.start_time),
            complete_time: DateTimeValue::Valid(r.complete_time),
        };
        let mut idbuf = [0u8; 10];
        let mut env = Envelope::new(s.ns, tc);
        env.header.id = Some(XmlStr::new(u32_text(id, &mut idbuf)));
        let len = write_post(post_context!(self), PostKind::SoapRequest, Some(&env), w)?;
        drop(env);
        self.next_id = id;
        after_request_sent(
            &mut self.session,
            now,
            self.response_timeout,
            CpeRequest::TransferComplete(tid),
            id,
        );
        Ok(Some(Transmit {
            len,
            kind: TransmitKind::TransferComplete,
        }))
    }

    fn write_empty<W: Write>(
        &mut self,
        now: Instant,
        w: &mut W,
    ) -> Result<Transmit, SendError<W::Error>> {
        let len = write_post(post_context!(self), PostKind::Empty, None, w)?;
        let deadline = now.saturating_add(self.response_timeout);
        if let Some(s) = self.session.as_mut() {
            if !s.hold {
                s.no_more_requests = true;
            }
            s.last_sent = LastSent::Empty;
            s.phase = Phase::AwaitingResponse;
            s.deadline = Some(deadline);
        }
        Ok(Transmit {
            len,
            kind: TransmitKind::Empty,
        })
    }

    /// Answers the ACS request returned by [`Cpe::handle_response`] (§3.7.1.2): writes the POST
    /// with `reply` (a response, or [`Body::Fault`] built with `SoapFault::new`) in the
    /// Session's namespace, echoing the request's cwmp:ID. Arrays in `reply` are streamed
    /// ([`Array::from_source`]), so a response of any size goes through a small `w`. If the
    /// connection was closed meanwhile, an [`Event::Connect`] comes first: drain events before
    /// sending.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoAcsRequest`] out of turn; [`SendError::Write`], [`SendError::Encode`]
    /// (answer with a fault instead). The machine is then unchanged. Never panics.
    pub fn respond<'b, W: Write>(
        &'b mut self,
        now: Instant,
        reply: Body<'b>,
        w: &mut W,
    ) -> Result<Transmit, SendError<W::Error>> {
        let (ns, id_present) = match self.session.as_ref() {
            Some(s) if s.phase == Phase::AwaitingReply => (s.ns, s.acs_id_present),
            _ => return Err(ApiMisuse::NoAcsRequest.into()),
        };
        let timeout = self.response_timeout;
        let Cpe {
            acs_url,
            username,
            password,
            jar,
            auth,
            redirects,
            rng,
            session,
            id_text,
            out,
            ..
        } = self;
        id_text.clear();
        if let Some(s) = session.as_ref() {
            let _ = id_text.push_str(&s.acs_id);
        }
        let id_text: &'b str = id_text;
        let mut env = Envelope::new(ns, reply);
        if id_present {
            env.header.id = Some(XmlStr::new(id_text));
        }
        let len = write_post(
            PostContext {
                acs_url,
                redirects,
                jar,
                auth,
                credentials: Credentials { username, password },
                rng,
            },
            PostKind::SoapResponse,
            Some(&env),
            w,
        )?;
        if after_other_sent(session, now, timeout, LastSent::Response) {
            if let Some(ev) = connect_event(redirects, acs_url) {
                push_event(out, ev);
            }
        }
        Ok(Transmit {
            len,
            kind: TransmitKind::Response,
        })
    }

    /// Sends the application's request announced by [`Event::RequestReady`] (§3.7.1.3):
    /// `body` must be that request (`Kicked`, `RequestDownload`, …). Re-sent requests (after
    /// fault 8005, a 401 or a redirect) are asked for again with another `RequestReady`, and
    /// must be identical.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::RequestNotReady`] out of turn or for another method; [`SendError::Write`],
    /// [`SendError::Encode`]. The machine is then unchanged. Never panics.
    pub fn send_request<'b, W: Write>(
        &'b mut self,
        now: Instant,
        body: Body<'b>,
        w: &mut W,
    ) -> Result<Transmit, SendError<W::Error>> {
        let Some(s) = self.session.as_ref() else {
            return Err(ApiMisuse::RequestNotReady.into());
        };
        let Phase::AwaitingAppBody(kind) = s.phase else {
            return Err(ApiMisuse::RequestNotReady.into());
        };
        if body.method_name() != kind.method_name() {
            return Err(ApiMisuse::RequestNotReady.into());
        }
        let id = match s.outstanding {
            Some((CpeRequest::App(k), id)) if k == kind => id,
            _ => self.next_id.wrapping_add(1),
        };
        let ns = s.ns;
        let timeout = self.response_timeout;
        let Cpe {
            acs_url,
            username,
            password,
            jar,
            auth,
            redirects,
            rng,
            session,
            id_text,
            next_id,
            ..
        } = self;
        id_text.clear();
        let mut idbuf = [0u8; 10];
        let _ = id_text.push_str(u32_text(id, &mut idbuf));
        let id_text: &'b str = id_text;
        let mut env = Envelope::new(ns, body);
        env.header.id = Some(XmlStr::new(id_text));
        let len = write_post(
            PostContext {
                acs_url,
                redirects,
                jar,
                auth,
                credentials: Credentials { username, password },
                rng,
            },
            PostKind::SoapRequest,
            Some(&env),
            w,
        )?;
        *next_id = id;
        after_request_sent(session, now, timeout, CpeRequest::App(kind), id);
        Ok(Transmit {
            len,
            kind: TransmitKind::Request(kind),
        })
    }

    // ----------------------------------------------------------------------------------------
    // Transport inputs

    /// The connection asked for by [`Event::Connect`] is open.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NotConnecting`] if no connection was asked for.
    pub fn handle_connected(&mut self, now: Instant) -> Result<(), ApiMisuse> {
        let timeout = self.response_timeout;
        let Some(s) = self.session.as_mut() else {
            return Err(ApiMisuse::NotConnecting);
        };
        let Phase::Connecting { staged } = s.phase else {
            return Err(ApiMisuse::NotConnecting);
        };
        s.connected = true;
        if staged {
            s.phase = Phase::AwaitingResponse;
            s.deadline = Some(now.saturating_add(timeout));
        } else {
            s.phase = Phase::Ready;
            s.deadline = None;
        }
        self.after_input(now);
        Ok(())
    }

    /// The transport failed. While a connection or a response is awaited the Session fails
    /// (§3.4.2, §3.7.1.4); a peer close between round trips only means the next POST goes on
    /// a new connection. Ignored outside a Session. For the peer's close while reading a
    /// response, prefer [`Cpe::handle_connection_closed`]: it accepts a complete
    /// close-delimited response.
    pub fn handle_transport_error(&mut self, now: Instant, error: TransportError) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let between = matches!(
            s.phase,
            Phase::Ready | Phase::AwaitingReply | Phase::AwaitingAppBody(_)
        );
        if between && error == TransportError::Closed {
            s.connected = false;
            let reconnect = s.phase == Phase::Ready;
            if reconnect {
                s.phase = Phase::Connecting { staged: false };
                s.deadline = Some(now.saturating_add(self.response_timeout));
            }
            self.emit(Event::Close);
            if reconnect {
                self.emit_connect();
            }
        } else {
            self.end_session(now, SessionOutcome::Failed(SessionError::Transport(error)));
        }
        self.after_input(now);
    }

    /// A deadline from [`Cpe::poll_timeout`] passed (or any time: early calls do nothing):
    /// session timeouts, retries, periodic Informs, ScheduleInforms, transfers to start.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(s) = &self.session {
            if s.deadline.is_some_and(|d| d <= now) {
                self.end_session(now, SessionOutcome::Failed(SessionError::Timeout));
            }
        }
        let unix = self.unix_now(now);
        if self.periodic.handle_timeout(now, unix) {
            self.raise(now, EventCode::Periodic, "");
        }
        if self.heartbeat.handle_timeout(now, unix) {
            let _ = self.raise_heartbeat();
        }
        if let Ok(n) = self.schedule.fire_due(now, &mut self.events) {
            if n > 0 {
                self.trigger(now);
            }
        }
        while let Some(id) = self.transfers.next_due(now).map(|q| q.id()) {
            if self.transfers.start(id).is_err() {
                break;
            }
            self.emit(Event::StartTransfer { id });
        }
        self.after_input(now);
    }

    /// One complete HTTP response to the last POST is in `rx[..len]`: skips any 1xx interim
    /// responses before it (RFC 9110 §15.2), parses the head, de-chunks the body in place, and
    /// acts on it (§3.4, §3.7.1). Returns the ACS request to answer, borrowing `rx`, or
    /// [`Incoming::Nothing`]. Failures of the peer end the Session (see
    /// [`Event::SessionEnded`]) and return `Ok(Incoming::Nothing)`.
    ///
    /// A body delimited by the connection's close (no `Content-Length`, not chunked) is never
    /// complete here: when the peer closes, call [`Cpe::handle_connection_closed`] instead.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::NoRequestOutstanding`] out of turn, [`ApiMisuse::LengthOutOfRange`],
    /// [`ApiMisuse::IncompleteResponse`] (read more and call again with the same buffer; a
    /// chunked body must be complete since it is de-chunked in place; if the peer closes
    /// instead, call [`Cpe::handle_connection_closed`]), [`ApiMisuse::BufferTooSmall`] (the
    /// announced body does not fit in `rx`). The machine is then unchanged. Never panics.
    pub fn handle_response<'r>(
        &mut self,
        now: Instant,
        rx: &'r mut [u8],
        len: usize,
    ) -> Result<Incoming<'r>, ApiMisuse> {
        match &self.session {
            Some(s) if s.phase == Phase::AwaitingResponse => {}
            _ => return Err(ApiMisuse::NoRequestOutstanding),
        }
        self.read_response(now, rx, len, false)
    }

    /// The peer closed the connection (a read returned 0 bytes) after `rx[..len]` of the current
    /// response arrived (`len` 0 if none; the same buffer as for [`Cpe::handle_response`]).
    /// Resolves the response at once (§3.4.2, RFC 9112 §6.3, §8):
    ///
    /// * a complete response (a close-delimited body included) is handled exactly as by
    ///   [`Cpe::handle_response`], and the next POST goes on a new connection;
    /// * a truncated head or body, or nothing at all, while the response is awaited fails the
    ///   Session at once: [`SessionError::Transport`] with [`TransportError::Receive`] (some
    ///   bytes came) or [`TransportError::Closed`] (none), and the retry policy applies
    ///   (§3.2.1.1);
    /// * between round trips (no response awaited) it is the allowed close of §3.4.2, the same
    ///   as [`Cpe::handle_transport_error`] with [`TransportError::Closed`]: the next POST goes
    ///   on a new connection. Outside a Session it is ignored.
    ///
    /// `rx` needs no room past `len`: nothing more will be read.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::LengthOutOfRange`]; the machine is then unchanged. Never panics.
    pub fn handle_connection_closed<'r>(
        &mut self,
        now: Instant,
        rx: &'r mut [u8],
        len: usize,
    ) -> Result<Incoming<'r>, ApiMisuse> {
        if len > rx.len() {
            return Err(ApiMisuse::LengthOutOfRange);
        }
        match &self.session {
            Some(s) if s.phase == Phase::AwaitingResponse => {}
            _ => {
                self.handle_transport_error(now, TransportError::Closed);
                return Ok(Incoming::Nothing);
            }
        }
        if len == 0 {
            self.fail(now, SessionError::Transport(TransportError::Closed));
            self.after_input(now);
            return Ok(Incoming::Nothing);
        }
        self.read_response(now, rx, len, true)
    }

    /// The response in `rx[..len]`; `closed`: the peer closed after it, nothing more comes.
    fn read_response<'r>(
        &mut self,
        now: Instant,
        rx: &'r mut [u8],
        len: usize,
        closed: bool,
    ) -> Result<Incoming<'r>, ApiMisuse> {
        let data = rx.get(..len).ok_or(ApiMisuse::LengthOutOfRange)?;

        // Pass 1: the final head's Copy facts after any 1xx, nothing changed yet.
        let (start, head_len, framing) = match final_head(data) {
            FinalHead::Partial if closed => return Ok(self.truncated(now)),
            FinalHead::Partial => return Err(ApiMisuse::IncompleteResponse),
            FinalHead::Malformed => {
                self.fail(now, SessionError::MalformedHttp);
                self.after_input(now);
                return Ok(Incoming::Nothing);
            }
            FinalHead::Complete {
                start,
                head_len,
                framing,
            } => (start, head_len, framing),
        };

        // The body, de-chunked in place; the rest of `rx` is room for it.
        let final_len = len.saturating_sub(start);
        let rx: &'r mut [u8] = match rx.get_mut(start..) {
            Some(r) => r,
            None => return Err(ApiMisuse::LengthOutOfRange),
        };
        let (head_bytes, tail) = rx.split_at_mut(head_len.min(final_len));
        let received = final_len.saturating_sub(head_len);
        let mut decoder = BodyDecoder::new(framing);
        let fed = if closed && framing == Framing::UntilClose {
            // Everything received is the body, also when it fills `rx` to the last byte.
            Ok(BodyStatus::Complete {
                len: received,
                excess: 0,
            })
        } else {
            decoder.feed(tail, received)
        };
        let body_len = match fed {
            Ok(BodyStatus::Complete { len, .. }) => len,
            Ok(_) if closed => match decoder.eof() {
                Ok(n) => n,
                Err(_) => return Ok(self.truncated(now)),
            },
            Ok(_) => return Err(ApiMisuse::IncompleteResponse),
            // Announced longer than `rx` (so not all received), or a chunk cut short: the peer
            // is gone before sending it all.
            Err(e) if e.kind == BodyErrorKind::TooLarge && closed => {
                return Ok(self.truncated(now));
            }
            Err(e) if e.kind == BodyErrorKind::TooLarge => return Err(ApiMisuse::BufferTooSmall),
            Err(_) => {
                self.fail(now, SessionError::MalformedHttp);
                self.after_input(now);
                return Ok(Incoming::Nothing);
            }
        };
        let head_bytes: &'r [u8] = head_bytes;
        let tail: &'r [u8] = tail;
        let body: &'r [u8] = tail.get(..body_len).unwrap_or(&[]);

        // Pass 2: cookies, credentials, redirects.
        let Some(HeadFacts {
            class,
            close,
            auth,
            status,
            retry_after,
            redirect,
        }) = self.take_head(now, head_bytes, body, closed)
        else {
            self.fail(now, SessionError::MalformedHttp);
            self.after_input(now);
            return Ok(Incoming::Nothing);
        };

        if !matches!(class, ResponseClass::Unauthorized | ResponseClass::Redirect) {
            // A response arrived: the fault owed to an invalid request went through.
            if let Some(s) = self.session.as_mut() {
                s.invalid_request = None;
            }
        }
        let incoming = match class {
            ResponseClass::Unauthorized => {
                if auth == Some(true) {
                    self.resend_last(now, close, SessionError::Unauthorized);
                } else {
                    self.fail(now, SessionError::Unauthorized);
                }
                Incoming::Nothing
            }
            ResponseClass::Redirect => {
                if redirect == Some(true) {
                    self.resend_last(now, true, SessionError::Redirect);
                } else {
                    self.fail(now, SessionError::Redirect);
                }
                Incoming::Nothing
            }
            ResponseClass::NoMoreRequests => {
                self.on_empty_response(now);
                self.after_round_trip(now, close);
                Incoming::Nothing
            }
            ResponseClass::Envelope => {
                // Into a slot of this frame (`decode` would add an envelope-sized copy of
                // its own, issue 12).
                let mut env = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
                match decode_into(body, &mut env) {
                    Ok(()) => {
                        let inc = self.on_envelope(now, env);
                        self.after_round_trip(now, close);
                        inc
                    }
                    // Arguments that do not decode in a readable request: fault 9003, the
                    // Session goes on (`invalid`). Anything else is a malformed envelope.
                    Err(e) => {
                        if self.on_undecodable(now, body, e) {
                            self.after_round_trip(now, close);
                        } else {
                            self.fail(now, SessionError::MalformedEnvelope);
                        }
                        Incoming::Nothing
                    }
                }
            }
            _ => {
                self.fail(now, SessionError::HttpStatus(status));
                if let Some(secs) = retry_after {
                    // No retry before it (RFC 9110 §10.2.3, INTEROP C5); the retry policy's
                    // wait still applies when it is longer.
                    self.not_before = Some(now.saturating_add(Duration::from_secs(secs)));
                }
                Incoming::Nothing
            }
        };
        self.after_input(now);
        Ok(incoming)
    }

    /// Pass 2 of [`read_response`](Self::read_response) over the final head: stores its
    /// cookies, takes its challenges, follows its redirect, and returns what the rest needs.
    /// `None` when it does not parse. Out of line, with its own header array: inlined, the
    /// array and the redirect's URL stayed in `read_response`'s frame below the envelope's
    /// decode (issue 12, stack).
    #[inline(never)]
    fn take_head(
        &mut self,
        now: Instant,
        head_bytes: &[u8],
        body: &[u8],
        closed: bool,
    ) -> Option<HeadFacts> {
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let Ok(Status::Complete(h)) = ResponseHead::parse(head_bytes, &mut headers) else {
            return None;
        };
        let class = h.classify(body);
        let close = closed || h.connection_close();
        for c in h.set_cookies() {
            // A full jar keeps the cookies it has (≥ 512 bytes, §3.4.2), and counts the rest.
            if self.jar.store_set_cookie(c).is_err() {
                self.cookies_dropped = self.cookies_dropped.saturating_add(1);
            }
        }
        let auth = if h.status == 401 {
            Some(self.auth.handle_challenges(h.www_authenticate()).is_ok())
        } else {
            let _ = self.auth.on_response(&h);
            None
        };
        let retry_after = match class {
            ResponseClass::ServiceUnavailable => retry_after_secs(&h, self.unix_now(now)),
            _ => None,
        };
        let redirect = match (class, h.location()) {
            (ResponseClass::Redirect, Some(loc)) => {
                Some(self.redirects.follow_location(&self.acs_url, loc).is_ok())
            }
            _ => {
                self.redirects.reset_consecutive();
                None
            }
        };
        Some(HeadFacts {
            class,
            close,
            auth,
            status: h.status,
            retry_after,
            redirect,
        })
    }

    /// The peer closed in the middle of the response: the Session fails as a transport error.
    fn truncated<'r>(&mut self, now: Instant) -> Incoming<'r> {
        self.fail(now, SessionError::Transport(TransportError::Receive));
        self.after_input(now);
        Incoming::Nothing
    }

    /// A 401 with a usable challenge, or a redirect: the same POST again (§3.4.2, §3.4.4).
    fn resend_last(&mut self, now: Instant, reconnect: bool, err: SessionError) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.last_sent {
            LastSent::Request => s.resend = true,
            // The machine's fault 9003: `invalid_request` is kept, `poll_transmit` writes it
            // again.
            LastSent::InvalidArguments | LastSent::Empty => {}
            LastSent::Response => {
                // The body is the application's: it writes the same response again through
                // `respond` (`ResendResponse`), on a new connection if this one closes.
                s.phase = Phase::AwaitingReply;
                s.deadline = Some(now.saturating_add(self.response_timeout));
                if reconnect && s.connected {
                    s.connected = false;
                    self.emit(Event::Close);
                }
                self.emit(Event::ResendResponse);
                return;
            }
            LastSent::Nothing => {
                self.fail(now, err);
                return;
            }
        }
        s.phase = Phase::Ready;
        s.deadline = None;
        if reconnect && s.connected {
            s.connected = false;
            self.emit(Event::Close);
        }
        self.reconnect_if_needed(now);
    }

    fn reconnect_if_needed(&mut self, now: Instant) {
        let timeout = self.response_timeout;
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.phase == Phase::Ready && !s.connected {
            s.phase = Phase::Connecting { staged: false };
            s.deadline = Some(now.saturating_add(timeout));
            self.emit_connect();
        }
    }

    /// After a processed response: `Connection: close` means the next POST goes on a new
    /// connection (§3.4.2).
    fn after_round_trip(&mut self, now: Instant, close: bool) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if close && s.connected {
            s.connected = false;
            self.emit(Event::Close);
        }
        self.reconnect_if_needed(now);
    }

    fn on_empty_response(&mut self, now: Instant) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.outstanding.is_some() {
            // The ACS says it is done while it owes the CPE a response (or the InformResponse).
            self.fail(now, SessionError::ProtocolViolation);
            return;
        }
        s.hold = false;
        if s.no_more_requests {
            self.end_session(now, SessionOutcome::Success);
        } else {
            s.phase = Phase::Ready;
            s.deadline = None;
        }
    }

    fn on_envelope<'r>(&mut self, now: Instant, env: Envelope<'r>) -> Incoming<'r> {
        let Some(s) = self.session.as_mut() else {
            return Incoming::Nothing;
        };
        let hold = env.header.hold_requests.unwrap_or(false);
        match env.body.kind() {
            MessageKind::Empty => {
                self.on_empty_response(now);
                Incoming::Nothing
            }
            MessageKind::Request => {
                if !s.initiated {
                    self.fail(now, SessionError::ProtocolViolation);
                    return Incoming::Nothing;
                }
                if !store_acs_id(s, env.header.id) {
                    self.fail(now, SessionError::ProtocolViolation);
                    return Incoming::Nothing;
                }
                s.hold = hold;
                s.phase = Phase::AwaitingReply;
                s.deadline = None;
                Incoming::AcsRequest(AcsRequest { envelope: env })
            }
            MessageKind::Response | MessageKind::Fault => {
                let Some((req, id)) = s.outstanding else {
                    self.fail(now, SessionError::ProtocolViolation);
                    return Incoming::Nothing;
                };
                if let Some(got) = env.header.id {
                    let mut buf = [0u8; 10];
                    if !got.trim().eq_str(u32_text(id, &mut buf)) {
                        self.fail(now, SessionError::ProtocolViolation);
                        return Incoming::Nothing;
                    }
                }
                s.hold = hold;
                s.phase = Phase::Ready;
                s.deadline = None;
                match &env.body {
                    Body::Fault(f) => self.on_fault(now, req, f.code(), env.cwmp_ns),
                    body => self.on_cpe_response(now, req, body, &env),
                }
                Incoming::Nothing
            }
        }
    }

    fn on_fault(&mut self, now: Instant, req: CpeRequest, code: u32, ns: CwmpNamespace) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if code == 8005 {
            s.retries_8005 = s.retries_8005.saturating_add(1);
            if s.retries_8005 > 3 {
                self.fail(now, SessionError::RetryLimit);
            } else {
                s.resend = true;
            }
            return;
        }
        s.outstanding = None;
        match req {
            CpeRequest::Inform => {
                if ns == CwmpNamespace::V1_0 || code == 8006 {
                    self.v1_0_only = true;
                }
                self.fail(now, SessionError::InformFault(code));
            }
            other => {
                // §3.7.1.6: continue the Session; not sent again in it.
                let _ = s.skipped.push(other);
            }
        }
    }

    fn on_cpe_response(
        &mut self,
        now: Instant,
        req: CpeRequest,
        body: &Body<'_>,
        env: &Envelope<'_>,
    ) {
        match (req, body) {
            (CpeRequest::Inform, Body::InformResponse(_)) => {
                let offered = if self.v1_0_only {
                    VersionList::single(CwmpVersion::V1_0)
                } else {
                    VersionList::up_to(CwmpVersion::V1_4)
                };
                let version = match env.header.use_cwmp_version {
                    Some(v) => {
                        let mut scratch = [0u8; 16];
                        match v.to_str(&mut scratch).map(CwmpVersion::parse) {
                            Some(Ok(v)) if offered.contains(v) => Some(v),
                            _ => None,
                        }
                    }
                    None => Some(env.cwmp_ns.implied_version_for_cpe()),
                };
                let Some(version) = version else {
                    self.fail(now, SessionError::VersionNotOffered);
                    return;
                };
                self.events.on_inform_response();
                if let Some(s) = self.session.as_mut() {
                    s.version = Some(version);
                    s.ns = version.namespace();
                    s.initiated = true;
                    s.outstanding = None;
                }
                self.emit(Event::SessionInitiated);
            }
            (CpeRequest::TransferComplete(id), Body::TransferCompleteResponse(_)) => {
                let _ = self
                    .transfers
                    .on_transfer_complete_response(id, &mut self.events);
                if let Some(s) = self.session.as_mut() {
                    s.outstanding = None;
                }
            }
            (CpeRequest::App(kind), b) if b.method_name() == kind.response_name() => {
                if let Some(i) = self.app_requests.iter().position(|a| a.kind == kind) {
                    let a = self.app_requests.remove(i);
                    for code in kind_events(kind) {
                        self.events.confirm(code.confirmed_by(), &a.command_key);
                    }
                }
                if let Some(s) = self.session.as_mut() {
                    s.outstanding = None;
                }
            }
            _ => self.fail(now, SessionError::ProtocolViolation),
        }
    }

    // ----------------------------------------------------------------------------------------
    // Session start and end

    fn fail(&mut self, now: Instant, err: SessionError) {
        self.end_session(now, SessionOutcome::Failed(err));
    }

    fn emit(&mut self, ev: Event) {
        push_event(&mut self.out, ev);
    }

    fn emit_connect(&mut self) {
        if let Some(ev) = connect_event(&self.redirects, &self.acs_url) {
            self.emit(ev);
        }
    }

    fn end_session(&mut self, now: Instant, outcome: SessionOutcome) {
        let Some(s) = self.session.take() else {
            return;
        };
        let success = outcome == SessionOutcome::Success;
        let heartbeat = heartbeat_inform(&s, &self.events);
        // A Session that failed before its Inform was written still follows the Table 8 rules
        // for the events it was opened for (`6 CONNECTION REQUEST` is not retried).
        if !self.events.is_session_open() {
            let began = heartbeat && self.events.begin_heartbeat_session() == Ok(true);
            if !began {
                let _ = self.events.begin_session();
            }
        }
        self.events.end_session(if success {
            SessionEnd::Succeeded
        } else {
            SessionEnd::Failed
        });
        if success {
            self.retry.on_session_succeeded();
        } else {
            self.retry
                .on_session_failed(now, &self.retry_policy, &mut self.rng);
            // The retry, not the triggers seen meanwhile, decides when to try again. The events
            // that wait behind a HEARTBEAT Session keep their trigger: their Session follows the
            // retried HEARTBEAT one (Annex O.2.2).
            if !heartbeat {
                self.want_session = false;
                self.want_notification = false;
            }
        }
        self.last_session_end = Some(now);
        self.heartbeat_retry = !success && heartbeat;
        self.jar.clear();
        self.redirects.end_session();
        self.auth.reset();
        if s.connected || matches!(s.phase, Phase::Connecting { .. }) {
            self.emit(Event::Close);
        }
        self.emit(Event::SessionEnded { outcome });
        if success {
            if self.pending_apply {
                self.pending_apply = false;
                self.emit(Event::ApplyPendingChanges);
            }
            if self.pending_factory_reset {
                self.pending_factory_reset = false;
                self.pending_reboot = false;
                self.emit(Event::FactoryReset);
            } else if self.pending_reboot {
                self.pending_reboot = false;
                self.emit(Event::Reboot);
            }
        }
    }

    fn maybe_start(&mut self, now: Instant) {
        if self.session.is_some() || self.pending_reboot_announced() {
            return;
        }
        // A 503's `Retry-After` holds every Session back, retries and new triggers alike.
        if self.not_before.is_some_and(|t| t > now) {
            return;
        }
        let heartbeat_pending = self.events.has_pending_heartbeat();
        let retrying = self.retry.is_retrying() && self.retry.poll_timeout().is_some();
        let due = if retrying {
            self.retry.is_due(now)
        } else {
            self.want_session
                || heartbeat_pending
                || (self.want_notification && self.throttle_end().is_none_or(|t| t <= now))
        };
        if !due {
            return;
        }
        // Annex O.2.2: a HEARTBEAT Session goes before the other events' Session, which follows
        // it at once. O.2.3: while a Non-HEARTBEAT Inform is being retried, its Session goes
        // first; the HEARTBEAT waits for its end.
        let heartbeat_allowed = !retrying || self.heartbeat_retry;
        // No Session without a usable ACS URL (§3.1); the trigger waits for a valid one.
        if self.redirects.current(&self.acs_url).is_err() {
            return;
        }
        // The events go into flight when the Inform is first written, not here: an input
        // between the start and the first POST (`boot` right after `bootstrap` on a fresh
        // device) must still reach this Session's Inform.
        // `want_session` is cleared when a regular Inform is written: a HEARTBEAT may still take
        // this Session, and the other events then need the next one.
        self.retry.on_session_started();
        self.not_before = None;
        self.jar.clear();
        self.auth.reset();
        self.redirects.end_session();
        let ns = if self.v1_0_only {
            CwmpNamespace::V1_0
        } else {
            CwmpNamespace::V1_2
        };
        self.session = Some(Session::new(
            ns,
            now.saturating_add(self.response_timeout),
            heartbeat_allowed,
        ));
        self.emit(Event::SessionStarted);
        self.emit_connect();
    }

    /// A Reboot or FactoryReset event was handed out: no new Session until the application
    /// acts on it (it calls [`Cpe::boot`] on a new machine).
    fn pending_reboot_announced(&self) -> bool {
        self.out
            .iter()
            .any(|e| matches!(e, Event::Reboot | Event::FactoryReset))
    }

    /// The end of the notification throttle window: the last Session's end plus
    /// `DefaultActiveNotificationThrottle` (`None`: no Session yet since boot, or no throttle).
    fn throttle_end(&self) -> Option<Instant> {
        if self.notification_throttle == 0 {
            return None;
        }
        self.last_session_end
            .map(|e| e.saturating_add(Duration::from_secs(u64::from(self.notification_throttle))))
    }

    fn trigger(&mut self, now: Instant) {
        self.want_session = true;
        self.retry.on_new_event(now);
    }

    fn raise(&mut self, now: Instant, code: EventCode<'_>, key: &str) {
        if self.events.push(code, key).is_ok() {
            self.trigger(now);
        }
    }

    /// Queues `14 HEARTBEAT` (Annex O); `true` if it was queued. Dropped during a HEARTBEAT
    /// Session or while one waits or is retried (O.2.2, O.2.3), and while the CPE believes the
    /// ACS speaks only CWMP 1.0 (Table 11 fallback: the cwmp-1-0 schema's closed list of event
    /// codes has no `14`). Not a trigger of its own: it neither brings a retry forward
    /// (§3.2.1.1 wait kept, O.2.3) nor makes the other events' Session due.
    fn raise_heartbeat(&mut self) -> bool {
        if self.v1_0_only || self.in_heartbeat_session() {
            return false;
        }
        matches!(
            self.events.push(EventCode::Heartbeat, ""),
            Ok(Pushed::Added | Pushed::AddedDiscardingOldest)
        )
    }

    fn after_input(&mut self, now: Instant) {
        self.maybe_start(now);
        let g = Generations::of(&self.events, &self.transfers, &self.schedule, &self.retry);
        if g != self.persisted || self.app_generation != self.app_persisted {
            self.persisted = g;
            self.app_persisted = self.app_generation;
            if !self.out.iter().any(|e| *e == Event::PersistChanged) {
                self.emit(Event::PersistChanged);
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Application commands (triggers, §3.2.1)

    /// First installation or factory reset: `0 BOOTSTRAP` (Table 8; discards every other
    /// undelivered event) and a Session at once.
    pub fn bootstrap(&mut self, now: Instant) {
        self.raise(now, EventCode::Bootstrap, "");
        self.after_input(now);
    }

    /// Power-up: restores the persisted `record` (if any) into this fresh machine, applies the
    /// reboot rules (Table 8 discards, the retry window back to #1, §3.2.1.1), raises `1 BOOT`
    /// and starts a Session. Events of application requests ([`RequestKind`]) are dropped: the
    /// application queues those requests again.
    ///
    /// # Errors
    ///
    /// The [`RestoreError`] of a corrupt, truncated or foreign record, or of a machine that is
    /// not fresh. The record is then not used at all: the machine starts empty, still with
    /// `1 BOOT` (the caller may prefer [`Cpe::bootstrap`]). Never panics.
    pub fn boot(&mut self, now: Instant, record: Option<&[u8]>) -> Result<(), RestoreError> {
        let mut result = Ok(());
        if let Some(bytes) = record {
            let unix = self.unix_now(now);
            // Validated whole before anything is applied: no `Record` in RAM (persist.rs).
            let restored = persist::restore_parts(
                bytes,
                now,
                unix,
                &mut self.events,
                &mut self.transfers,
                &mut self.schedule,
            );
            match restored {
                Ok(r) => {
                    self.retry = r.retry;
                    self.parameter_key = r.parameter_key;
                    self.udp_timestamp = r.last_udp_timestamp;
                }
                Err(e) => {
                    self.parameter_key = None;
                    self.udp_timestamp = None;
                    self.events = EventQueue::new();
                    self.transfers = Transfers::new();
                    self.schedule = ScheduleInformQueue::new();
                    result = Err(e);
                }
            }
        }
        self.events.on_reboot();
        self.retry.on_reboot();
        for code in [
            EventCode::Kicked,
            EventCode::RequestDownload,
            EventCode::AutonomousTransferComplete,
            EventCode::DuStateChangeComplete,
            EventCode::MChangeDuState,
            EventCode::AutonomousDuStateChangeComplete,
        ] {
            self.events.discard(code);
        }
        self.raise(now, EventCode::Boot, "");
        self.after_input(now);
        result
    }

    /// Writes the persistent record (undelivered events, transfers and results, ScheduleInforms
    /// with an absolute deadline, RetryCount) into `buf`; returns its length. Call after
    /// [`Event::PersistChanged`], write the bytes to flash, give them to [`Cpe::boot`] at the
    /// next power-up. `buf` of [`Record::MAX_LEN`](crate::persist::Record::MAX_LEN) always
    /// suffices. The bytes are those of [`Record::export`](crate::persist::Record::export) of
    /// [`Record::capture`](crate::persist::Record::capture) with the ParameterKey and UDP `ts`,
    /// written without building the `Record`.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`]. Never panics.
    pub fn export(&self, now: Instant, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        // Written straight from the parts: no `Record` in RAM (persist.rs).
        persist::export_parts(
            &persist::Parts {
                now,
                events: &self.events,
                transfers: &self.transfers,
                schedule: &self.schedule,
                retry: &self.retry,
                parameter_key: self.parameter_key.as_deref(),
                last_udp_timestamp: self.udp_timestamp,
            },
            buf,
        )
    }

    /// Stores the ParameterKey after a SetParameterValues, AddObject or DeleteObject that
    /// succeeded (§A.3.2.1: stored if and only if the RPC succeeds); it is part of the
    /// persistent record, so a [`Event::PersistChanged`] follows when it changed.
    ///
    /// # Errors
    /// [`ApiMisuse::TooLong`] for a key longer than 32 bytes; nothing changes.
    pub fn set_parameter_key(&mut self, now: Instant, key: &str) -> Result<(), ApiMisuse> {
        let k = crate::limits::ParameterKey::try_from(key).map_err(|_| ApiMisuse::TooLong)?;
        if self.parameter_key.as_ref() != Some(&k) {
            self.parameter_key = Some(k);
            self.app_generation = self.app_generation.wrapping_add(1);
        }
        self.after_input(now);
        Ok(())
    }

    /// The ParameterKey restored from the record or last set.
    pub fn parameter_key(&self) -> Option<&str> {
        self.parameter_key.as_deref()
    }

    /// Records the `ts` of the last accepted UDP Connection Request (Annex G.2.1.4: persistent,
    /// so a replayed datagram is refused after a reboot too); see
    /// [`crate::connreq::ConnectionRequestServer::udp_last_accepted_ts`].
    pub fn set_udp_timestamp(&mut self, now: Instant, ts: u64) {
        if self.udp_timestamp != Some(ts) {
            self.udp_timestamp = Some(ts);
            self.app_generation = self.app_generation.wrapping_add(1);
        }
        self.after_input(now);
    }

    /// The last accepted UDP Connection Request `ts`, restored from the record or last set.
    pub fn udp_timestamp(&self) -> Option<u64> {
        self.udp_timestamp
    }

    /// An accepted Connection Request (§3.2.2): `6 CONNECTION REQUEST` and a Session at once,
    /// or right after the current one (several requests coalesce into one event).
    pub fn handle_connection_request(&mut self, now: Instant) {
        self.raise(now, EventCode::ConnectionRequest, "");
        self.after_input(now);
    }

    /// A parameter with Notification changed, not by the ACS (§3.2.1, Table 8 `4 VALUE
    /// CHANGE`): `active` starts a Session; a passive change waits for the next one. Never call
    /// it for changes the ACS made itself.
    ///
    /// An Active change opens its Session no sooner than `DefaultActiveNotificationThrottle`
    /// seconds after the end of the last one ([`Config::notification_throttle`], TR-181); a
    /// Session opened for any other reason (a retry, a periodic Inform, a Connection Request)
    /// is never delayed and carries the change. [`Cpe::poll_timeout`] includes the wait.
    pub fn value_changed(&mut self, now: Instant, active: bool) {
        if active {
            let throttled = self.throttle_end().is_some_and(|t| t > now);
            if !throttled {
                self.raise(now, EventCode::ValueChange, "");
            } else if self.events.push(EventCode::ValueChange, "").is_ok() {
                self.want_notification = true;
                // A waiting retry is a Session for another reason: it goes at once.
                self.retry.on_new_event(now);
            }
        } else {
            let _ = self.events.push(EventCode::ValueChange, "");
        }
        self.after_input(now);
    }

    /// A diagnostic test requested by the ACS completed: `8 DIAGNOSTICS COMPLETE` (Table 8).
    pub fn diagnostics_complete(&mut self, now: Instant) {
        self.raise(now, EventCode::DiagnosticsComplete, "");
        self.after_input(now);
    }

    /// The ACS asked for a ScheduleInform (§A.4.1.2): `3 SCHEDULED` and `M ScheduleInform`
    /// when due.
    ///
    /// # Errors
    ///
    /// [`ScheduleInformError`]: answer its fault code. Never panics.
    pub fn schedule_inform(
        &mut self,
        now: Instant,
        delay_seconds: u32,
        command_key: &str,
    ) -> Result<(), ScheduleInformError> {
        let unix = self.unix_now(now);
        let r = self
            .schedule
            .schedule(now, unix, delay_seconds, command_key);
        self.after_input(now);
        r
    }

    /// A Download, Upload or ScheduleDownload answered with Status 1 (§A.3.2.8): queue it.
    /// [`Event::StartTransfer`] says when its DelaySeconds have passed.
    ///
    /// # Errors
    ///
    /// [`TransferError`] (queue full: fault 9004). Never panics.
    pub fn queue_transfer(
        &mut self,
        now: Instant,
        kind: TransferKind,
        command_key: &str,
        file_type: &str,
        delay_seconds: u32,
    ) -> Result<TransferId, TransferError> {
        let unix = self.unix_now(now);
        let r = self
            .transfers
            .queue(now, unix, kind, command_key, file_type, delay_seconds);
        self.after_input(now);
        r
    }

    /// A queued transfer finished (FaultCode 0 on success): `7 TRANSFER COMPLETE` and its `M`
    /// event, and a TransferComplete in the next Session (§A.3.3.2). For a firmware image, call
    /// this, persist, then reboot to apply: the boot Session reports it.
    ///
    /// # Errors
    ///
    /// [`TransferError`]; nothing changed. Never panics.
    pub fn transfer_finished(
        &mut self,
        now: Instant,
        id: TransferId,
        fault_code: u32,
        fault_string: &str,
        start_time: DateTime,
        complete_time: DateTime,
    ) -> Result<(), TransferError> {
        let r = self.transfers.complete(
            id,
            fault_code,
            fault_string,
            start_time,
            complete_time,
            &mut self.events,
        );
        if r.is_ok() {
            self.trigger(now);
        }
        self.after_input(now);
        r
    }

    /// CancelTransfer (§A.4.1.9): cancels the not-yet-started transfers with `command_key`.
    pub fn cancel_transfer(&mut self, now: Instant, command_key: &str) -> CancelOutcome {
        let r = self.transfers.cancel(command_key);
        self.after_input(now);
        r
    }

    /// Queues an application request (`Kicked`, `RequestDownload`, `AutonomousTransferComplete`,
    /// `DUStateChangeComplete`, `AutonomousDUStateChangeComplete`) with its event (Table 8) and
    /// starts a Session; [`Event::RequestReady`] asks for its body. `command_key` is for
    /// `DUStateChangeComplete` (`M ChangeDUState`), empty otherwise.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::TooLong`] if the queue ([`APP_REQUEST_LEN`]) or the event queue is full or
    /// the key too long. Never panics.
    pub fn queue_request(
        &mut self,
        now: Instant,
        kind: RequestKind,
        command_key: &str,
    ) -> Result<(), ApiMisuse> {
        if self.app_requests.is_full() {
            return Err(ApiMisuse::TooLong);
        }
        let key: CommandKey = copy(command_key)?;
        for &code in kind_events(kind) {
            let k = if code.carries_command_key() {
                command_key
            } else {
                ""
            };
            self.events.push(code, k).map_err(|_| ApiMisuse::TooLong)?;
        }
        let _ = self.app_requests.push(AppRequest {
            kind,
            command_key: key,
        });
        self.trigger(now);
        self.after_input(now);
        Ok(())
    }

    /// The ACS called Reboot (§A.3.2.9): `M Reboot` with its CommandKey for the Inform after
    /// the reboot, and [`Event::Reboot`] once the Session ends cleanly.
    pub fn request_reboot(&mut self, now: Instant, command_key: &str) {
        let _ = self.events.push(EventCode::MReboot, command_key);
        self.pending_reboot = true;
        self.after_input(now);
    }

    /// The ACS called FactoryReset (§A.4.1.7): [`Event::FactoryReset`] once the Session ends
    /// cleanly.
    pub fn request_factory_reset(&mut self, now: Instant) {
        self.pending_factory_reset = true;
        self.after_input(now);
    }

    /// Changes answered with Status 1 wait for a clean end: [`Event::ApplyPendingChanges`].
    pub fn apply_after_session(&mut self, now: Instant) {
        self.pending_apply = true;
        self.after_input(now);
    }

    /// `ManagementServer.URL` changed (§3.2.1, Table 8): `0 BOOTSTRAP` and a Session with the
    /// new ACS; the Table 11 fallback is forgotten. Takes effect for the next Session.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::TooLong`] for a URL over [`ACS_URL_LEN`] (256) bytes; nothing changed.
    pub fn set_acs_url(&mut self, now: Instant, url: &str) -> Result<(), ApiMisuse> {
        self.acs_url = copy(url)?;
        self.v1_0_only = false;
        self.raise(now, EventCode::Bootstrap, "");
        self.after_input(now);
        Ok(())
    }

    /// New `ManagementServer.Username`/`Password` (§3.4.4), used from the next HTTP
    /// authentication on.
    ///
    /// # Errors
    ///
    /// [`ApiMisuse::TooLong`] over 256 bytes; nothing changed.
    pub fn set_acs_credentials(&mut self, username: &str, password: &str) -> Result<(), ApiMisuse> {
        let u = copy(username)?;
        let p = copy(password)?;
        self.username = u;
        self.password = p;
        Ok(())
    }

    /// New `PeriodicInformEnable`/`Interval`/`Time` (§3.2.1).
    pub fn set_periodic(&mut self, now: Instant, config: PeriodicInformConfig) {
        let unix = self.unix_now(now);
        self.periodic.set_config(config, now, unix);
        self.after_input(now);
    }

    /// New `HeartbeatPolicy.Enable`/`ReportingInterval`/`InitiationTime` (Annex O.2.4): the
    /// schedule restarts from them. A ReportingInterval below
    /// [`MIN_HEARTBEAT_INTERVAL`](crate::schedule::MIN_HEARTBEAT_INTERVAL) is used as that
    /// minimum.
    pub fn set_heartbeat_policy(&mut self, now: Instant, policy: HeartbeatPolicy) {
        let unix = self.unix_now(now);
        self.heartbeat.set_policy(policy, now, unix);
        self.after_input(now);
    }

    /// A HEARTBEAT now (Annex O), for applications that run the HeartbeatPolicy themselves
    /// (leave [`Config::heartbeat`] disabled then): `14 HEARTBEAT` and its own Session, at once
    /// or after the current one. Returns `false` if it was dropped: during a HEARTBEAT Session,
    /// while another HEARTBEAT waits or is being retried (O.2.2, O.2.3), or under the CWMP 1.0
    /// fallback (see [`Cpe::is_v1_0_fallback`]).
    pub fn heartbeat(&mut self, now: Instant) -> bool {
        let raised = self.raise_heartbeat();
        self.after_input(now);
        raised
    }

    /// A new `DefaultActiveNotificationThrottle`, in seconds (TR-181; see
    /// [`Cpe::value_changed`]).
    pub fn set_notification_throttle(&mut self, now: Instant, seconds: u32) {
        self.notification_throttle = seconds;
        self.after_input(now);
    }

    /// `DefaultActiveNotificationThrottle` in force, in seconds.
    pub fn notification_throttle(&self) -> u32 {
        self.notification_throttle
    }

    /// New `CWMPRetryMinimumWaitInterval` and `CWMPRetryIntervalMultiplier` (§3.2.1.1), used
    /// from the next failure on.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.retry_policy = policy;
    }

    /// The wall clock: `unix` seconds at `now` (NTP synchronised or jumped). Used for
    /// CurrentTime, absolute PeriodicInformTime and persistent deadlines.
    pub fn set_unix_time(&mut self, now: Instant, unix: i64) {
        self.unix = Some((now, unix));
        self.periodic.on_clock_change(now, Some(unix));
        self.heartbeat.on_clock_change(now, Some(unix));
        self.schedule.on_clock_change(now, Some(unix));
        self.transfers.on_clock_change(now, Some(unix));
        self.after_input(now);
    }

    /// Ends the open Session as failed ([`SessionError::Aborted`]), e.g. on shutdown.
    pub fn abort_session(&mut self, now: Instant) {
        self.fail(now, SessionError::Aborted);
        self.after_input(now);
    }
}

/// `true` if the Session's Inform carries (or, not yet written, will carry) `14 HEARTBEAT` alone
/// (Annex O.2.1, O.2.2).
fn heartbeat_inform<const E: usize>(s: &Session, events: &EventQueue<E>) -> bool {
    if events.is_session_open() {
        s.heartbeat
    } else {
        s.heartbeat_allowed && events.has_pending_heartbeat()
    }
}

/// `SupportedCWMPVersions` of this CPE (§3.7.1.1).
const SUPPORTED_VERSIONS: &str = "1.0,1.1,1.2,1.3,1.4";

/// The events queued with an application request, in push order (Table 8).
fn kind_events(kind: RequestKind) -> &'static [EventCode<'static>] {
    match kind {
        RequestKind::Kicked => &[EventCode::Kicked],
        RequestKind::RequestDownload => &[EventCode::RequestDownload],
        RequestKind::AutonomousTransferComplete => &[EventCode::AutonomousTransferComplete],
        RequestKind::DuStateChangeComplete => {
            &[EventCode::MChangeDuState, EventCode::DuStateChangeComplete]
        }
        RequestKind::AutonomousDuStateChangeComplete => {
            &[EventCode::AutonomousDuStateChangeComplete]
        }
    }
}

fn push_event(out: &mut heapless::Deque<Event, EVENT_QUEUE_LEN>, ev: Event) {
    if out.is_full() {
        let _ = out.pop_front();
    }
    let _ = out.push_back(ev);
}

fn connect_event(redirects: &Redirects, acs_url: &str) -> Option<Event> {
    redirects.current(acs_url).ok().map(|u| Event::Connect {
        port: u.port(),
        tls: u.scheme() == Scheme::Https,
    })
}

fn after_request_sent(
    session: &mut Option<Session>,
    now: Instant,
    timeout: Duration,
    req: CpeRequest,
    id: u32,
) {
    if let Some(s) = session.as_mut() {
        s.outstanding = Some((req, id));
        s.resend = false;
        s.last_sent = LastSent::Request;
        s.phase = Phase::AwaitingResponse;
        s.deadline = Some(now.saturating_add(timeout));
    }
}

/// A response was written; `true` if a connection must be opened first (the peer closed it
/// meanwhile, §3.4.2).
fn after_other_sent(
    session: &mut Option<Session>,
    now: Instant,
    timeout: Duration,
    what: LastSent,
) -> bool {
    let Some(s) = session.as_mut() else {
        return false;
    };
    s.last_sent = what;
    s.deadline = Some(now.saturating_add(timeout));
    if s.connected {
        s.phase = Phase::AwaitingResponse;
        false
    } else {
        s.phase = Phase::Connecting { staged: true };
        true
    }
}

/// The longest `Retry-After` honoured, in seconds (a day): a wrong or hostile value cannot
/// silence the CPE for longer (a documented departure, RFC 9110 §10.2.3 sets no bound).
pub const MAX_RETRY_AFTER: u64 = 86_400;

/// The wait a 503's `Retry-After` asks for, in seconds, at most [`MAX_RETRY_AFTER`]. An
/// HTTP-date is measured from the response's own `Date` when it has one (immune to the skew of
/// the CPE's clock), else from `unix_now`; without either it cannot be used (`None`).
fn retry_after_secs(h: &ResponseHead<'_, '_>, unix_now: Option<i64>) -> Option<u64> {
    let secs = match h.retry_after()? {
        RetryAfter::Seconds(s) => s,
        RetryAfter::Date(d) => {
            let at = parse_http_date(d)?;
            let base = h.header("date").and_then(parse_http_date).or(unix_now)?;
            u64::try_from(at.saturating_sub(base)).unwrap_or(0)
        }
    };
    Some(secs.min(MAX_RETRY_AFTER))
}
