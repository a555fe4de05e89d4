//! The state of one Session (§3.7.1): where it is in its round trips, and the Table 7 inputs
//! (HoldRequests, the empty POST sent, outstanding requests on both sides).

use cwmp_codec::{CwmpNamespace, CwmpVersion, DateTime, XmlStr};

use super::event::RequestKind;
use super::invalid::InvalidRequest;
use crate::time::Instant;
use crate::transfer::TransferId;

/// Longest cwmp:ID of an ACS request the CPE can echo (Table 4 gives no bound; longer ones
/// fail the Session as a protocol violation).
pub const MAX_ACS_ID_LEN: usize = 64;

/// A CPE → ACS request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum CpeRequest {
    Inform,
    TransferComplete(TransferId),
    App(RequestKind),
}

/// Where the round trip is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum Phase {
    /// `Connect` emitted; `staged`: a written POST waits for the connection.
    Connecting { staged: bool },
    /// Connected; `poll_transmit` writes the next POST.
    Ready,
    /// A POST was written; its HTTP response is awaited.
    AwaitingResponse,
    /// An ACS request was handed out; `respond` is awaited.
    AwaitingReply,
    /// `RequestReady` emitted; `send_request` is awaited.
    AwaitingAppBody(RequestKind),
}

/// What the last POST carried (for re-sending after 401 or a redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum LastSent {
    Nothing,
    Request,
    Response,
    /// The machine's own fault 9003 to a request whose arguments did not decode.
    InvalidArguments,
    Empty,
}

/// One Session.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Session {
    pub(crate) phase: Phase,
    pub(crate) connected: bool,
    pub(crate) deadline: Option<Instant>,
    /// A successful InformResponse arrived (§3.7.1.1).
    pub(crate) initiated: bool,
    /// The namespace of this Session's messages.
    pub(crate) ns: CwmpNamespace,
    /// The negotiated version, once initiated.
    pub(crate) version: Option<CwmpVersion>,
    /// HoldRequests of the most recent response (§3.7.1.3 condition 2).
    pub(crate) hold: bool,
    /// An empty POST was sent while HoldRequests was false (§3.7.1.3 condition 3).
    pub(crate) no_more_requests: bool,
    /// The CPE request awaiting its response, with its cwmp:ID.
    pub(crate) outstanding: Option<(CpeRequest, u32)>,
    /// Re-send the outstanding request, identical, in the next POST (401, redirect, 8005).
    pub(crate) resend: bool,
    pub(crate) last_sent: LastSent,
    /// cwmp:ID of the ACS request awaiting its answer (unescaped).
    pub(crate) acs_id: heapless::String<MAX_ACS_ID_LEN>,
    pub(crate) acs_id_present: bool,
    /// The ACS request awaiting its answer did not decode: the machine owes it fault 9003
    /// (kept until the next response, to be written again after a 401 or a redirect).
    pub(crate) invalid_request: Option<InvalidRequest>,
    /// 8005 faults received this Session (§3.7.1.6: at most 3 retries).
    pub(crate) retries_8005: u8,
    /// Requests that got a non-8005 fault: not re-sent in this Session (§3.7.1.6).
    pub(crate) skipped: heapless::Vec<CpeRequest, 8>,
    /// CurrentTime of the first Inform, reused when it is re-sent identically.
    pub(crate) inform_time: Option<DateTime>,
    /// A HEARTBEAT Session (Annex O): its Inform carried `14 HEARTBEAT` alone and the CPE sends
    /// no request of its own in it (O.2.1). Decided when the Inform is first written.
    pub(crate) heartbeat: bool,
    /// A pending HEARTBEAT may take this Session (O.2.2); not while retrying a Non-HEARTBEAT
    /// Session (O.2.3).
    pub(crate) heartbeat_allowed: bool,
}

impl Session {
    pub(crate) fn new(ns: CwmpNamespace, deadline: Instant, heartbeat_allowed: bool) -> Self {
        Session {
            phase: Phase::Connecting { staged: false },
            connected: false,
            deadline: Some(deadline),
            initiated: false,
            ns,
            version: None,
            hold: false,
            no_more_requests: false,
            outstanding: None,
            resend: false,
            last_sent: LastSent::Nothing,
            acs_id: heapless::String::new(),
            acs_id_present: false,
            invalid_request: None,
            retries_8005: 0,
            skipped: heapless::Vec::new(),
            inform_time: None,
            heartbeat: false,
            heartbeat_allowed,
        }
    }

    /// §3.7.1.3: may the next POST carry a CPE request?
    pub(crate) fn may_send_request(&self) -> bool {
        self.initiated && !self.hold && !self.no_more_requests && self.outstanding.is_none()
    }

    pub(crate) fn is_skipped(&self, r: CpeRequest) -> bool {
        self.skipped.contains(&r)
    }
}

/// Keeps the cwmp:ID of an ACS request (unescaped) for the answer to echo (Table 4). False when
/// it is longer than [`MAX_ACS_ID_LEN`]: the caller fails the Session.
pub(crate) fn store_acs_id(s: &mut Session, id: Option<XmlStr<'_>>) -> bool {
    s.acs_id.clear();
    s.acs_id_present = false;
    let Some(id) = id else {
        return true;
    };
    let mut scratch = [0u8; MAX_ACS_ID_LEN];
    let ok = id
        .to_str(&mut scratch)
        .is_some_and(|t| s.acs_id.push_str(t).is_ok());
    s.acs_id_present = ok;
    ok
}
