//! Run loops over the [`Cpe`] machine, so no firmware copies one (DESIGN §3: "blocking and async
//! drivers wrap the same API, like quinn over quinn-proto").
//!
//! * `blocking::run` (feature `blocking`) over `embedded-io` connections;
//! * `asynch::run` (feature `async`) over `embedded-io-async` connections, for an async
//!   executor such as embassy.
//!
//! Both are the same loop, built on one sans-IO step machine (`runner`, private): they only
//! differ in how they call the platform. No allocation, no panic, no `unsafe`; the buffers are
//! the caller's ([`Buffers`]).
//!
//! # What the firmware provides
//!
//! * a **platform** (`blocking::Platform`, `asynch::Platform`): the clock, a wait until a
//!   deadline or a wake-up ([`Wake`]: a Connection Request accepted by the firmware's listener,
//!   an input for the [`Application`], a stop), flash for the persistent record, and reboot;
//! * a **connector** (`blocking::Connector`, `asynch::Connector`): opens a TCP connection, with
//!   TLS when the ACS URL is `https` (§3.3), to the host and port the machine names;
//! * an **[`Application`]**: answers the ACS's requests through [`Cpe::respond`] and supplies
//!   the Inform's ParameterList (the data model, e.g. the agent's).
//!
//! # What the loop does
//!
//! At power-up it reads both record slots (flash pages A and B,
//! [`persist::slot`](crate::persist::slot)) and calls [`Cpe::boot`] with the newest whose CRC
//! holds (none: first installation, [`Cpe::bootstrap`] then `boot`). Every record write goes to
//! the other slot, sealed with the next sequence number, so a write torn by a power cut never
//! loses the last committed state. Then, forever, in the machine's documented
//! order (the [`cpe`](crate::cpe) module's "driver's loop"):
//!
//! 1. **events**: each [`Event`] goes to [`Application::on_event`] and to the platform, then
//!    the loop acts on it: [`Event::Connect`] opens a connection (any previous one is dropped)
//!    and reports it ([`Cpe::handle_connected`] or [`TransportError::Connect`]);
//!    [`Event::Close`] drops it; [`Event::ResendResponse`] asks [`Application::resend`] for
//!    the same response again; [`Event::PersistChanged`] exports the record
//!    ([`Cpe::export`]) with the application's state into the next record slot and writes it
//!    to flash; [`Event::Reboot`] writes the record, then
//!    reboots; [`Event::FactoryReset`] reboots with `factory_reset` (the platform erases the
//!    record and the configuration); [`Event::RequestReady`] asks
//!    [`Application::request`] for the body;
//! 2. **the next POST**: a response staged by [`Application::respond`], or
//!    [`Cpe::poll_transmit_with`] with [`Application::inform_parameters`]; it is written whole
//!    to the connection, then the response is read into `rx` until its framing says it is
//!    complete (`Content-Length`, chunked, found without changing the bytes with
//!    [`BodyDecoder::scan`](crate::codec::http::body::BodyDecoder::scan)) and handed to
//!    [`Cpe::handle_response`]; an ACS request goes to [`Application::respond`];
//! 3. **wait**: with nothing to send, until [`Cpe::poll_timeout`] or a [`Wake`], then
//!    [`Cpe::handle_timeout`].
//!
//! Failures are the machine's inputs: a connect, write or read error is a
//! [`TransportError`]; a read of 0 bytes (the peer closed) goes to
//! [`Cpe::handle_connection_closed`], which completes a close-delimited response and fails the
//! Session on a truncated one.
//! A POST that does not fit in `tx` aborts the Session ([`Cpe::abort_session`]; it is retried
//! per §3.2.1.1), an answer the application cannot write becomes fault 9002.
//!
//! # Limits (documented choices)
//!
//! * POSTs are written into `tx` first, then sent (a response staged while a reconnect is
//!   pending goes out on the new connection, [`Cpe::respond`]): `tx` must hold the largest
//!   POST, the application's largest response included. Responses of the ACS must fit in `rx`.
//! * One Session at a time, one connection at a time (§3.7.1).
//! * The blocking loop cannot interrupt a read: give the connection a read timeout and return
//!   [`ErrorKind::TimedOut`](embedded_io::ErrorKind::TimedOut) so the response timeout
//!   (§3.7.1.4) is checked. The async loop races each read with the platform's `wait` until the
//!   next deadline; when the wait wins the read future is dropped (embassy-net's TCP reads are
//!   cancel-safe; a TLS connection whose reads are not loses at most that connection, and
//!   a deadline only wins a read when a timer comes due during a round trip).

use cwmp_codec::message::ParameterValueStruct;
use cwmp_codec::Array;
use embedded_io::SliceWriteError;

use crate::cpe::{AcsRequest, ApiMisuse, Cpe, Event, RequestKind, SendError, Transmit};
use crate::limits::{MAX_INFORM_EVENTS, MIN_SCHEDULE_INFORM_QUEUE, MIN_TRANSFER_QUEUE};
use crate::persist::BufferTooSmall;
use crate::time::Instant;

#[cfg(feature = "async")]
pub mod asynch;
#[cfg(feature = "blocking")]
pub mod blocking;
mod runner;

#[cfg(doc)]
use crate::cpe::TransportError;

/// The error type of a POST written into `tx` (`embedded_io::Write` for `&mut [u8]`).
pub type TxError = SendError<SliceWriteError>;

/// What the device does with the ACS's requests: the data model side of the loop. The driver
/// owns the loop; the application only answers (one [`AcsRequest`] at a time), supplies the
/// Inform's ParameterList and reacts to [`Event`]s. The machine is passed in so the application
/// can act on it ([`Cpe::queue_transfer`], [`Cpe::request_reboot`], [`Cpe::value_changed`],
/// [`Cpe::transfer_finished`], …).
pub trait Application<
    const E: usize = MAX_INFORM_EVENTS,
    const T: usize = MIN_TRANSFER_QUEUE,
    const S: usize = MIN_SCHEDULE_INFORM_QUEUE,
>
{
    /// The Inform's ParameterList (§A.3.3.1: the Forced Inform Parameters and those whose
    /// change is reported; only the Forced ones in a HEARTBEAT Session,
    /// [`Cpe::in_heartbeat_session`], Annex O.1). Asked before every [`Cpe::poll_transmit_with`],
    /// so keep it a cheap view (an [`Array::from_source`] over the model).
    fn inform_parameters(
        &mut self,
        cpe: &Cpe<E, T, S>,
        now: Instant,
    ) -> Array<'_, ParameterValueStruct<'_>>;

    /// Answers `request` (§3.7.1.2, Annex A): builds the response or a `SoapFault` and writes
    /// it with [`Cpe::respond`] into `tx` (`let mut w: &mut [u8] = tx;`), returning its
    /// [`Transmit`].
    ///
    /// # Errors
    ///
    /// Those of [`Cpe::respond`]; the driver then answers fault 9002 (Internal error).
    fn respond(
        &mut self,
        cpe: &mut Cpe<E, T, S>,
        now: Instant,
        request: &AcsRequest<'_>,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError>;

    /// Every [`Event`] of the machine, before the driver acts on it: start a transfer on
    /// [`Event::StartTransfer`] (and report it with [`Cpe::transfer_finished`], now or after a
    /// [`Wake::Application`]), apply changes on [`Event::ApplyPendingChanges`], save the data
    /// model on [`Event::PersistChanged`] or before [`Event::Reboot`], count Sessions on
    /// [`Event::SessionEnded`]. Nothing by default.
    fn on_event(&mut self, cpe: &mut Cpe<E, T, S>, now: Instant, event: Event) {
        let _ = (cpe, now, event);
    }

    /// The response POST just sent met a 401 challenge or a redirect ([`Event::ResendResponse`],
    /// §3.4.4, §3.4.5): write the **same** response again with [`Cpe::respond`] into `tx` (it
    /// now carries the credentials, or goes to the new URL). The ACS request is not handed out
    /// again and must not be executed twice, so [`Application::respond`] keeps the reply (or
    /// what re-writes it identically) until the next response; `tx` itself cannot be re-sent,
    /// as the HTTP head changes.
    ///
    /// # Errors
    ///
    /// Those of [`Cpe::respond`]; the driver then aborts the Session ([`Cpe::abort_session`],
    /// retried per §3.2.1.1). The default, for applications that keep nothing, is
    /// [`ApiMisuse::NoAcsRequest`]: an ACS that challenges a response (rather than the
    /// Session's first POST) or redirects it then fails that Session cleanly, and nothing is
    /// executed twice.
    fn resend(
        &mut self,
        cpe: &mut Cpe<E, T, S>,
        now: Instant,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError> {
        let _ = (cpe, now, tx);
        Err(SendError::Misuse(ApiMisuse::NoAcsRequest))
    }

    /// The body of the request queued with [`Cpe::queue_request`], now that the machine asks
    /// for it ([`Event::RequestReady`]): write it with [`Cpe::send_request`] into `tx`.
    ///
    /// # Errors
    ///
    /// Those of [`Cpe::send_request`]; the driver then aborts the Session (retried later). The
    /// default, for applications that queue no request, is [`ApiMisuse::RequestNotReady`].
    fn request(
        &mut self,
        cpe: &mut Cpe<E, T, S>,
        now: Instant,
        kind: RequestKind,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError> {
        let _ = (cpe, now, kind, tx);
        Err(SendError::Misuse(ApiMisuse::RequestNotReady))
    }

    /// The application's own persistent state, written into `buf` after the machine's record in
    /// the same slot (so both are committed together, [`persist::slot`](crate::persist::slot)),
    /// at every record write; returns its length. Nothing by default.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`]: the slot is then written with the machine's record alone (size
    /// [`Buffers::page`] with [`page_len`]).
    fn export_state(&mut self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let _ = buf;
        Ok(0)
    }

    /// At power-up, after [`Cpe::boot`]: the state [`Application::export_state`] wrote in the
    /// slot the machine booted from (empty on a first installation). Nothing by default.
    fn restore_state(&mut self, cpe: &mut Cpe<E, T, S>, now: Instant, state: &[u8]) {
        let _ = (cpe, now, state);
    }

    /// The platform woke the loop with [`Wake::Application`]: feed the machine the
    /// application's inputs (a value change, a finished transfer, the time from NTP). Nothing by
    /// default.
    fn on_wake(&mut self, cpe: &mut Cpe<E, T, S>, now: Instant) {
        let _ = (cpe, now);
    }
}

/// The page (slot image) length for the machine's longest record and `state_max` bytes of
/// application state: [`Buffers::page`] and each of the platform's two flash pages hold at least
/// this (the slot header, a 4-byte record length, the record, the state, the CRC).
pub const fn page_len<const E: usize, const T: usize, const S: usize>(state_max: usize) -> usize {
    runner::min_page::<E, T, S>().saturating_add(state_max)
}

/// Why the platform's `wait` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Wake {
    /// The deadline passed (an early or spurious return is harmless).
    Deadline,
    /// The firmware's Connection Request listener accepted a request that starts a Session
    /// (`CrOutcome::Accepted { start_session: true, .. }`, §3.2.2): the driver calls
    /// [`Cpe::handle_connection_request`].
    ConnectionRequest,
    /// An input for the application: the driver calls [`Application::on_wake`].
    Application,
    /// Stop: `run` returns [`Exit::Stopped`].
    Stop,
}

/// Why `run` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Exit {
    /// The platform's `reboot` returned after [`Event::Reboot`] (the record was written): build
    /// a fresh [`Cpe`] and call `run` again, which boots from the record.
    Reboot,
    /// The platform's `reboot` returned after [`Event::FactoryReset`].
    FactoryReset,
    /// The platform's `wait` returned [`Wake::Stop`].
    Stopped,
}

/// The caller's buffers: `tx` for the POSTs, `rx` for the ACS's responses, `page` for the
/// record slot written to flash.
#[derive(Debug)]
pub struct Buffers<'b> {
    /// The largest POST (the Inform, the largest response of the application).
    pub tx: &'b mut [u8],
    /// The largest ACS response, head and body (§3.5: at least 32 KiB envelopes are legal;
    /// size it for what the ACS sends this device).
    pub rx: &'b mut [u8],
    /// One record slot (flash page) image: at least [`page_len`]`(0)` for the machine's
    /// capacities, plus the application's state ([`Application::export_state`]). `rx` must be
    /// at least as long: page B is read into it at power-up.
    pub page: &'b mut [u8],
}
