//! What the [`Cpe`](super::Cpe) tells its driver: [`Event`]s drained with
//! [`Cpe::poll_event`](super::Cpe::poll_event), and how a Session ended ([`SessionOutcome`]).

use crate::transfer::TransferId;

/// Why a Session terminated unsuccessfully (§3.7.1.4). A peer failure is an outcome, never an
/// `Err` of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SessionError {
    /// No HTTP response (or no connection) within the response timeout (≥ 30 s, §3.7.1.4).
    Timeout,
    /// The driver reported a connect, send or receive failure (§3.4.2).
    Transport(TransportError),
    /// An HTTP 4xx or 5xx (or another status the CPE does not handle), with its code (§3.7.1.4).
    HttpStatus(u16),
    /// A second 401 after credentials were sent, or a challenge the CPE cannot answer (§3.7.1.4).
    Unauthorized,
    /// More than 5 consecutive redirects, or a bad `Location` (§3.4.2).
    Redirect,
    /// The response head or body could not be read as HTTP/1.1 (§3.4).
    MalformedHttp,
    /// XML not well-formed, invalid SOAP, or a fault not in the §3.5 form (§3.7.1.4). Not an
    /// ACS request whose header reads but whose arguments do not decode: that one is
    /// answered with fault 9003 and the Session continues (see the `cpe` module docs).
    MalformedEnvelope,
    /// A SOAP fault in reply to the Inform other than 8005, with its code (§3.7.1.4).
    InformFault(u32),
    /// Fault 8005 received more than 3 times in the Session (§3.7.1.6).
    RetryLimit,
    /// `UseCWMPVersion` named a version the CPE did not offer (§3.7.1.1).
    VersionNotOffered,
    /// Anything else the CPE deems a protocol violation (§3.7.1.4): a request before the
    /// InformResponse, a response to nothing, a wrong response type or cwmp:ID, an empty response
    /// while a CPE request is outstanding.
    ProtocolViolation,
    /// The application stopped the Session ([`Cpe::abort_session`](super::Cpe::abort_session)).
    Aborted,
}

/// What went wrong with the transport, as reported by the driver
/// ([`Cpe::handle_transport_error`](super::Cpe::handle_transport_error)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TransportError {
    /// The TCP (or TLS) connection could not be opened.
    Connect,
    /// Sending the request failed.
    Send,
    /// Receiving the response failed (reset, read error, truncated response).
    Receive,
    /// The peer closed the connection. Between round trips this is allowed (§3.4.2: the next
    /// request goes on a new connection); while a response is awaited it fails the Session.
    Closed,
}

/// How a Session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SessionOutcome {
    /// Terminated successfully (§3.7.1.4): all four conditions were met.
    Success,
    /// Terminated unsuccessfully; the Session will be retried (§3.2.1.1).
    Failed(SessionError),
}

/// Which CPE → ACS request the application supplies the body of
/// ([`Cpe::send_request`](super::Cpe::send_request)), §A.3.3, §A.4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestKind {
    /// `Kicked` (§A.4.2.2), with `5 KICKED`.
    Kicked,
    /// `RequestDownload` (§A.4.2.3), with `9 REQUEST DOWNLOAD`.
    RequestDownload,
    /// `AutonomousTransferComplete` (§A.4.2.1), with `10 AUTONOMOUS TRANSFER COMPLETE`.
    AutonomousTransferComplete,
    /// `DUStateChangeComplete` (§A.4.2.4), with `11 DU STATE CHANGE COMPLETE` and
    /// `M ChangeDUState`.
    DuStateChangeComplete,
    /// `AutonomousDUStateChangeComplete` (§A.4.2.5), with `12 AUTONOMOUS DU STATE CHANGE
    /// COMPLETE`.
    AutonomousDuStateChangeComplete,
}

impl RequestKind {
    /// The method name of the request.
    pub const fn method_name(self) -> &'static str {
        match self {
            RequestKind::Kicked => "Kicked",
            RequestKind::RequestDownload => "RequestDownload",
            RequestKind::AutonomousTransferComplete => "AutonomousTransferComplete",
            RequestKind::DuStateChangeComplete => "DUStateChangeComplete",
            RequestKind::AutonomousDuStateChangeComplete => "AutonomousDUStateChangeComplete",
        }
    }

    /// The method name of its response.
    pub const fn response_name(self) -> &'static str {
        match self {
            RequestKind::Kicked => "KickedResponse",
            RequestKind::RequestDownload => "RequestDownloadResponse",
            RequestKind::AutonomousTransferComplete => "AutonomousTransferCompleteResponse",
            RequestKind::DuStateChangeComplete => "DUStateChangeCompleteResponse",
            RequestKind::AutonomousDuStateChangeComplete => {
                "AutonomousDUStateChangeCompleteResponse"
            }
        }
    }
}

/// A small `Copy` notification from the machine, drained with
/// [`Cpe::poll_event`](super::Cpe::poll_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// Open a TCP (TLS if `tls`) connection to [`Cpe::connect_host`](super::Cpe::connect_host)
    /// at `port`, then call [`Cpe::handle_connected`](super::Cpe::handle_connected) (or
    /// `handle_transport_error`). Any previous connection is already closed.
    Connect {
        /// The port.
        port: u16,
        /// `https`: use TLS.
        tls: bool,
    },
    /// Close the connection (end of Session, `Connection: close`, redirect, §3.4.2).
    Close,
    /// A Session began (§3.7.1.1); the Inform comes next.
    SessionStarted,
    /// The InformResponse arrived: the Session is initiated (§3.7.1.1).
    SessionInitiated,
    /// The Session ended.
    SessionEnded {
        /// How.
        outcome: SessionOutcome,
    },
    /// The application's request of this kind may be sent now: call
    /// [`Cpe::send_request`](super::Cpe::send_request) with its body.
    RequestReady {
        /// Which request.
        kind: RequestKind,
    },
    /// The response POST just sent met a 401 challenge or a redirect (§3.4.4, §3.4.5): write
    /// the **same** response again with [`Cpe::respond`](super::Cpe::respond) (it now carries
    /// the credentials, or goes to the new URL; a [`Event::Connect`] follows `respond` when a
    /// new connection is needed). The ACS request it answers is not handed out again, and must
    /// not be executed again: keep the reply (or what re-writes it identically) until the
    /// next [`Cpe::handle_response`](super::Cpe::handle_response). Not answered within the
    /// response timeout, the Session fails ([`SessionError::Timeout`]).
    ResendResponse,
    /// A queued transfer's DelaySeconds have passed: start it (the machine marked it "In
    /// progress") and report with [`Cpe::transfer_finished`](super::Cpe::transfer_finished).
    StartTransfer {
        /// The transfer.
        id: TransferId,
    },
    /// Reboot now: the Session that asked for it ended cleanly (§3.7.1.4). Persist first.
    Reboot,
    /// Factory-reset now: the Session that asked for it ended cleanly (§3.7.1.4, §A.4.1.7).
    FactoryReset,
    /// Apply the changes answered with Status 1 now that the Session ended cleanly (§3.7.1.4).
    ApplyPendingChanges,
    /// The persistent state changed: export it ([`Cpe::export`](super::Cpe::export)) and write
    /// it to flash.
    PersistChanged,
}
