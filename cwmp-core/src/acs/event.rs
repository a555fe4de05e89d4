//! What the ACS machine reports: the message a POST carried ([`Received`], borrowing the receive
//! buffer), small `Copy` [`Event`]s, the [`Outcome`] of a Session, and the errors of the API.

use core::fmt;

use cwmp_codec::message::{Inform, SoapFault};
use cwmp_codec::{Body, CwmpNamespace, CwmpVersion, FaultCode, Header};

/// The identifier the machine gives each ACS request the application enqueues. Its wire form
/// (the `cwmp:ID` header, TR-069 Table 4) is two decimal digits, `RequestId % 100`: only one
/// ACS request is outstanding at a time (§3.7.2.3, Table 10), so it is enough to match the
/// response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId(pub u32);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The Inform that opened the Session (TR-069 §3.7.2.1, §A.3.3.1), with what the machine
/// decided about the version.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InformReceived<'b> {
    /// The Inform itself, borrowing the receive buffer.
    pub inform: Inform<'b>,
    /// The SOAP header (ID, SessionTimeout, SupportedCWMPVersions).
    pub header: Header<'b>,
    /// The CWMP namespace the Inform came in (non-standard `-1-3`/`-1-4` included, INTEROP N6).
    pub namespace: CwmpNamespace,
    /// The version of the Session: chosen from `SupportedCWMPVersions` (then sent back in
    /// `UseCWMPVersion`), or inferred from the namespace (Table 9). `None` when the CPE's list
    /// and the ACS's have nothing in common: the InformResponse is replaced by fault 8006 and
    /// the Session ends.
    pub version: Option<CwmpVersion>,
    /// True when the InformResponse carries `UseCWMPVersion` (§3.7.2.1).
    pub use_cwmp_version: bool,
}

/// What one HTTP POST carried, as returned by
/// [`AcsSession::handle_request`](super::AcsSession::handle_request). It borrows the receive
/// buffer: look at it before reusing the buffer.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Received<'b> {
    /// The Inform (§3.7.2.1). The InformResponse (or fault 8006) is ready to transmit; the
    /// application may still refuse the Session with
    /// [`answer_fault`](super::AcsSession::answer_fault) (e.g. 8003 for a CPE never seen
    /// bootstrapping, §A.3.3.1).
    Inform(InformReceived<'b>),
    /// A CPE request (TransferComplete, AutonomousTransferComplete, RequestDownload, Kicked,
    /// DUStateChangeComplete, AutonomousDUStateChangeComplete, GetRPCMethods, or an unknown
    /// method). The machine answers it in the next response (§3.7.2.2): with the method's
    /// response (Kicked: `NextURL` = the CPE's `Next`; GetRPCMethods: the ACS's methods), with
    /// fault 8000 for a method the ACS does not implement, or with the fault the application
    /// sets through [`answer_fault`](super::AcsSession::answer_fault).
    ///
    /// A TransferComplete or AutonomousTransferComplete reports success only with a valid
    /// FaultCode 0 ([`FaultStruct::is_success`](cwmp_codec::message::FaultStruct::is_success)):
    /// a FaultCode that is not a number (`9010x`, `-9010`, `4294967296`, empty) is
    /// [`UnsignedIntValue::Invalid`](cwmp_codec::UnsignedIntValue::Invalid), a failed transfer,
    /// and the request is still answered (the CPE must not resend it forever).
    CpeRequest {
        /// The request.
        body: Body<'b>,
    },
    /// The successful response to the outstanding ACS request `id`.
    Response {
        /// Which request it answers.
        id: RequestId,
        /// The response (its method is the request's name plus `Response`).
        body: Body<'b>,
    },
    /// A SOAP Fault in reply to the outstanding ACS request `id`. The Session goes on
    /// (§3.7.2.4 option (c)).
    CpeFault {
        /// Which request it answers.
        id: RequestId,
        /// The fault code as the ACS must read it: unknown codes in 9000–9799 become 9001
        /// (§3.7.2.4, [`FaultCode::normalized_for_acs`]).
        code: FaultCode,
        /// The fault as sent (code not normalized, FaultString, SetParameterValuesFault).
        fault: SoapFault<'b>,
    },
    /// An empty POST (§3.4.1): the CPE has no more requests. The machine sends the next
    /// queued request, or 204 and ends the Session (§3.7.2.4).
    EmptyPost,
    /// The POST was answered at the HTTP level only: a Digest challenge (401), or a 400 for
    /// malformed input or a protocol violation. See [`poll_event`](super::AcsSession::poll_event).
    Refused,
}

/// Why a Session failed (TR-069 §3.7.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SessionError {
    /// The HTTP request head could not be parsed, was not a POST, or its body framing was
    /// invalid or incomplete: answered 400.
    BadHttp,
    /// The body is not a well-formed CWMP SOAP envelope, or holds a fault not in the §3.5 form
    /// (any [`DecodeError`](cwmp_codec::DecodeError)): answered 400 with no SOAP.
    Malformed,
    /// A message the Session rules do not allow at that point (§3.7: not an Inform first, a
    /// second Inform, a request instead of the owed response, a response or fault with no
    /// request outstanding, a response to another method, a request after the CPE's empty
    /// POST): answered 400.
    ProtocolViolation,
    /// A session cookie was required and missing, or it belongs to another Session: answered
    /// 400 (§3.4.2, INTEROP C1).
    InvalidSession,
    /// The CPE did not authenticate within the allowed number of challenges (§3.4.4).
    AuthFailed,
    /// No version in common: the Inform was answered with fault 8006 (§3.7.2.1).
    VersionIncompatible,
    /// The application answered the Inform with this fault (§A.3.3.1).
    InformRejected(FaultCode),
    /// No POST within the session timeout (§3.7.2.4, at least 30 s).
    TimedOut,
    /// The connection closed, or writing a response failed, before the Session ended.
    Transport,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHttp => f.write_str("invalid HTTP request"),
            Self::Malformed => f.write_str("malformed SOAP envelope"),
            Self::ProtocolViolation => f.write_str("CWMP protocol violation"),
            Self::InvalidSession => f.write_str("missing or foreign session cookie"),
            Self::AuthFailed => f.write_str("authentication failed"),
            Self::VersionIncompatible => f.write_str("no common CWMP version (fault 8006)"),
            Self::InformRejected(c) => write!(f, "Inform rejected with fault {}", c.get()),
            Self::TimedOut => f.write_str("session timed out"),
            Self::Transport => f.write_str("connection lost"),
        }
    }
}

/// How a Session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// Every termination condition of §3.7.2.4 held and the final 204 was written.
    Completed,
    /// The Session failed.
    Failed(SessionError),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Completed => f.write_str("completed"),
            Self::Failed(e) => write!(f, "failed: {e}"),
        }
    }
}

/// Why a Digest response was refused (TR-069 §3.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AuthRefusal {
    /// No `Authorization` header (the normal first request).
    Missing,
    /// An `Authorization` value that is not a parsable Digest response.
    Unparsable,
    /// The username is not known to the credential store.
    UnknownUser,
    /// The digest did not verify (wrong password, realm, uri, qop...).
    Invalid,
    /// The digest was right for an old nonce: challenged again with `stale=true`.
    Stale,
}

/// Small `Copy` events, drained with [`poll_event`](super::AcsSession::poll_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// A 401 with a Digest challenge was produced (§3.4.4).
    Challenged {
        /// Why the request was not accepted.
        reason: AuthRefusal,
    },
    /// The CPE authenticated (see [`username`](super::AcsSession::username)).
    Authenticated,
    /// The InformResponse was written: the Session is initiated (§3.7.1.1).
    SessionStarted {
        /// The version of the Session.
        version: CwmpVersion,
    },
    /// An ACS request was written (§3.7.2.3).
    RequestSent {
        /// Its identifier.
        id: RequestId,
    },
    /// A queued request could not be encoded (a string with a character XML cannot carry, an
    /// array source whose length changed) and was dropped.
    RequestDropped {
        /// Its identifier.
        id: RequestId,
    },
    /// The Session is over; the connection should be closed.
    SessionEnded {
        /// How.
        outcome: Outcome,
    },
}

/// What [`poll_transmit`](super::AcsSession::poll_transmit) wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transmit {
    /// The HTTP status code.
    pub status: u16,
    /// Bytes written (head and body).
    pub len: usize,
    /// Close the connection after sending this response (the Session is over, or failed).
    pub close: bool,
}

/// Mistakes in the use of the API (TR-069 has no part in them). The machine's state is
/// unchanged when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ApiMisuse {
    /// A response to the previous POST has not been transmitted yet: call
    /// [`poll_transmit`](super::AcsSession::poll_transmit) first (the CPE must not pipeline,
    /// §3.4.6).
    ResponsePending,
    /// The Session has ended: start a new machine for the next one.
    SessionEnded,
    /// The request queue is full.
    QueueFull,
    /// There is no CPE request or Inform to answer right now.
    NothingToAnswer,
    /// [`enqueue`](super::AcsSession::enqueue) was given a response, a fault or an empty body.
    NotARequest,
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ResponsePending => "a response is pending: call poll_transmit first",
            Self::SessionEnded => "the session has ended",
            Self::QueueFull => "the request queue is full",
            Self::NothingToAnswer => "no CPE request to answer",
            Self::NotARequest => "only requests can be queued",
        })
    }
}

impl core::error::Error for ApiMisuse {}

/// Errors of [`poll_transmit`](super::AcsSession::poll_transmit): the writer's. The Session is
/// then over ([`SessionError::Transport`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TransmitError<E> {
    /// The writer failed.
    Io(E),
    /// The writer accepted zero bytes.
    WriteZero,
}

impl<E: fmt::Debug> fmt::Display for TransmitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "write failed: {e:?}"),
            Self::WriteZero => f.write_str("writer accepted zero bytes"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for TransmitError<E> {}
