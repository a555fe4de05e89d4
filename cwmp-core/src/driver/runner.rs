//! The loop of both drivers as a sans-IO step machine: [`Runner::next`] says which I/O to do
//! ([`Io`]), the driver does it and reports the result (`connected`, `sent`, `received`,
//! `read_failed`, `woke`). The blocking and the async driver are this machine with a
//! different way of calling the platform, so the loop exists once.

use cwmp_codec::http::body::{BodyDecoder, BodyStatus};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::SoapFault;
use cwmp_codec::Body;

use super::{Application, Buffers, Exit, Wake};
use crate::cpe::{ApiMisuse, Cpe, Event, Incoming, TransportError};
use crate::persist::slot::{self, NextWrite, SlotId, Slots};
use crate::persist::{BufferTooSmall, Record};
use crate::time::Instant;

/// Header fields read to find a response's framing: as many as the machine reads.
const MAX_HEADERS: usize = 32;

/// A slot's payload starts with the length of the machine's record (`u32`, little-endian);
/// the record follows, then the application's state ([`Application::export_state`]).
pub(crate) const LEN_PREFIX: usize = 4;

/// The shortest flash page (record slot) for the machine's longest record and no application
/// state.
pub(crate) const fn min_page<const E: usize, const T: usize, const S: usize>() -> usize {
    slot::slot_len(LEN_PREFIX.saturating_add(Record::<E, T, S>::MAX_LEN))
}

/// The I/O the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Io {
    /// Tell the platform about this event (the application already saw it).
    Event(Event),
    /// Drop any connection and open one to [`Runner::host`] at `port`, then
    /// [`Runner::connected`].
    Connect { port: u16, tls: bool },
    /// Drop the connection.
    Close,
    /// Write [`Runner::page`]`(len)` to the flash page of `slot`, then [`Runner::written`].
    WriteFlash { slot: SlotId, len: usize },
    /// Drop the connection and reboot; `run` returns if the platform's `reboot` does.
    Reboot { factory_reset: bool },
    /// Write [`Runner::tx`]`(len)` whole to the connection and flush, then [`Runner::sent`].
    Send { len: usize },
    /// Read into [`Runner::rx_free`], then [`Runner::received`] or [`Runner::read_failed`].
    Receive,
    /// Wait until the deadline or a wake-up, then [`Runner::woke`].
    Wait(Option<Instant>),
}

/// The response being read: `filled` bytes in `rx`; once the head is complete, its body's
/// framing is followed by `body`, which has seen `rx[..scanned]`.
#[derive(Debug, Clone, Copy)]
struct Reading {
    filled: usize,
    scanned: usize,
    body: Option<BodyDecoder>,
}

/// The loop's state around the machine.
pub(crate) struct Runner<'a, A, const E: usize, const T: usize, const S: usize> {
    cpe: &'a mut Cpe<E, T, S>,
    app: &'a mut A,
    tx: &'a mut [u8],
    rx: &'a mut [u8],
    /// The slot image written to flash (page A's at power-up).
    page: &'a mut [u8],
    /// Where the next slot image goes (never over the newest committed one).
    next_write: NextWrite,
    connected: bool,
    /// A POST written by the application (a response, a request), sent after the events.
    staged: Option<usize>,
    reading: Option<Reading>,
    /// The event reported to the platform, acted on at the next step.
    acting: Option<Event>,
    /// Reboot (`true`: factory reset) once the record is written.
    reboot: Option<bool>,
}

impl<'a, A, const E: usize, const T: usize, const S: usize> Runner<'a, A, E, T, S>
where
    A: Application<E, T, S>,
{
    /// # Errors
    ///
    /// `page` shorter than a slot for the machine's longest record, or `rx` shorter than
    /// `page` (page B is read into it at power-up).
    pub(crate) fn new(
        cpe: &'a mut Cpe<E, T, S>,
        app: &'a mut A,
        buffers: Buffers<'a>,
    ) -> Result<Self, BufferTooSmall> {
        let needed = min_page::<E, T, S>();
        if buffers.page.len() < needed {
            return Err(BufferTooSmall { needed });
        }
        if buffers.rx.len() < buffers.page.len() {
            return Err(BufferTooSmall {
                needed: buffers.page.len(),
            });
        }
        Ok(Runner {
            cpe,
            app,
            tx: buffers.tx,
            rx: buffers.rx,
            page: buffers.page,
            next_write: NextWrite::FIRST,
            connected: false,
            staged: None,
            reading: None,
            acting: None,
            reboot: None,
        })
    }

    /// Where power-up reads the two flash pages: page A into `page`, page B into the start
    /// of `rx` (as long as `page`; `rx` is idle until the first response).
    pub(crate) fn pages(&mut self) -> (&mut [u8], &mut [u8]) {
        let n = self.page.len();
        (&mut *self.page, self.rx.get_mut(..n).unwrap_or(&mut []))
    }

    /// Power-up with both pages read ([`Runner::pages`]): boots from the newest slot whose CRC
    /// holds (a write torn by a power cut is skipped, the committed state before it is used),
    /// gives the application its state, and aims the next write at the other slot. No valid
    /// slot: first installation (or after a factory reset), `0 BOOTSTRAP` and `1 BOOT`.
    pub(crate) fn power_up(&mut self, now: Instant, unix: Option<i64>) {
        if let Some(u) = unix {
            self.cpe.set_unix_time(now, u);
        }
        let n = self.page.len();
        let slots = Slots::scan(self.page, self.rx.get(..n).unwrap_or(&[]));
        self.next_write = slots.next_write();
        match slots.newest() {
            None => {
                self.cpe.bootstrap(now);
                let _ = self.cpe.boot(now, None);
                self.app.restore_state(self.cpe, now, &[]);
            }
            Some(c) => {
                let (record, state) = split_payload(c.payload);
                // A record that does not restore is not used; the machine still boots (1 BOOT).
                let _ = self.cpe.boot(now, Some(record));
                self.app.restore_state(self.cpe, now, state);
            }
        }
    }

    /// The machine, for the async driver's deadline.
    #[cfg(feature = "async")]
    pub(crate) fn cpe(&self) -> &Cpe<E, T, S> {
        self.cpe
    }

    /// The host of [`Io::Connect`].
    pub(crate) fn host(&self) -> &str {
        self.cpe.connect_host()
    }

    /// The slot image of [`Io::WriteFlash`].
    pub(crate) fn page(&self, len: usize) -> &[u8] {
        self.page.get(..len).unwrap_or(&[])
    }

    /// The write of [`Io::WriteFlash`] is complete: the next one goes to the other slot.
    pub(crate) fn written(&mut self) {
        self.next_write = self.next_write.committed();
    }

    /// The POST of [`Io::Send`].
    pub(crate) fn tx(&self, len: usize) -> &[u8] {
        self.tx.get(..len).unwrap_or(&[])
    }

    /// Where [`Io::Receive`] reads to (never empty: a full buffer is handed on first).
    pub(crate) fn rx_free(&mut self) -> &mut [u8] {
        let at = self.reading.map_or(0, |r| r.filled);
        self.rx.get_mut(at..).unwrap_or(&mut [])
    }

    /// The next I/O to do at `now`.
    pub(crate) fn next(&mut self, now: Instant) -> Io {
        let mut transmitted = false;
        loop {
            if let Some(event) = self.acting.take() {
                if let Some(io) = self.act(now, event) {
                    return io;
                }
                continue;
            }
            if let Some(factory_reset) = self.reboot.take() {
                self.connected = false;
                self.reading = None;
                return Io::Reboot { factory_reset };
            }
            // 1. Events, each to the application, then the platform, then acted on.
            if let Some(event) = self.cpe.poll_event() {
                self.app.on_event(self.cpe, now, event);
                self.acting = Some(event);
                return Io::Event(event);
            }
            if self.reading.is_some() {
                if self.connected {
                    return Io::Receive;
                }
                self.reading = None;
            }
            // 3. Nothing to send (after the events `poll_transmit` raised): wait.
            if transmitted {
                return Io::Wait(self.cpe.poll_timeout());
            }
            transmitted = true;
            // 2. The next POST.
            let len = match self.staged.take() {
                Some(len) => Some(len),
                None => {
                    let params = self.app.inform_parameters(self.cpe, now);
                    let mut w: &mut [u8] = self.tx;
                    match self.cpe.poll_transmit_with(now, &params, &mut w) {
                        Ok(t) => t.map(|t| t.len),
                        // `tx` is too small for it (or a parameter cannot be encoded): the
                        // Session cannot go on.
                        Err(_) => {
                            self.cpe.abort_session(now);
                            None
                        }
                    }
                }
            };
            if let (Some(len), true) = (len, self.connected) {
                self.reading = Some(Reading {
                    filled: 0,
                    scanned: 0,
                    body: None,
                });
                return Io::Send { len };
            }
        }
    }

    /// The driver's part of `event`.
    fn act(&mut self, now: Instant, event: Event) -> Option<Io> {
        match event {
            Event::Connect { port, tls } => {
                self.connected = false;
                self.reading = None;
                Some(Io::Connect { port, tls })
            }
            Event::Close => {
                self.connected = false;
                self.reading = None;
                Some(Io::Close)
            }
            Event::PersistChanged => self.export(now),
            Event::Reboot => {
                self.reboot = Some(false);
                self.export(now)
            }
            Event::FactoryReset => {
                self.reboot = Some(true);
                None
            }
            // The response just sent met a 401 or a redirect: the application writes the
            // same one again (§3.4.4, §3.4.5); if it cannot, the Session fails (and is retried).
            Event::ResendResponse => {
                match self.app.resend(self.cpe, now, self.tx) {
                    Ok(t) => self.staged = Some(t.len),
                    Err(_) => self.cpe.abort_session(now),
                }
                None
            }
            Event::RequestReady { kind } => {
                match self.app.request(self.cpe, now, kind, self.tx) {
                    Ok(t) => self.staged = Some(t.len),
                    Err(_) => self.cpe.abort_session(now),
                }
                None
            }
            _ => None,
        }
    }

    /// The slot image of the machine's record and the application's state, sealed for the
    /// next slot.
    fn export(&mut self, now: Instant) -> Option<Io> {
        let payload = slot::payload_mut(self.page);
        let (prefix, rest) = payload.split_at_mut_checked(LEN_PREFIX)?;
        // `page` holds the longest record (checked in `new`).
        let n = self.cpe.export(now, rest).ok()?;
        prefix.copy_from_slice(&u32::try_from(n).ok()?.to_le_bytes());
        // The application's state after it; if it does not fit, the machine's record is still
        // written (the events and transfer results it holds must not be lost).
        let state = rest.get_mut(n..).unwrap_or(&mut []);
        let m = self.app.export_state(state).unwrap_or(0);
        let payload_len = LEN_PREFIX.saturating_add(n).saturating_add(m);
        let len = slot::seal(self.page, self.next_write.sequence, payload_len).ok()?;
        Some(Io::WriteFlash {
            slot: self.next_write.slot,
            len,
        })
    }

    /// The connection of [`Io::Connect`] opened (`true`) or not.
    pub(crate) fn connected(&mut self, now: Instant, ok: bool) {
        if ok {
            self.connected = true;
            let _ = self.cpe.handle_connected(now);
        } else {
            self.cpe
                .handle_transport_error(now, TransportError::Connect);
        }
    }

    /// The POST of [`Io::Send`] went out (`true`) or the write failed.
    pub(crate) fn sent(&mut self, now: Instant, ok: bool) {
        if !ok {
            self.reading = None;
            self.cpe.handle_transport_error(now, TransportError::Send);
        }
    }

    /// A read of [`Io::Receive`] failed; `timed_out`: it only timed out (the connection is
    /// still good), so the machine checks its deadlines and the read goes on.
    pub(crate) fn read_failed(&mut self, now: Instant, timed_out: bool) {
        if timed_out {
            self.cpe.handle_timeout(now);
        } else {
            self.reading = None;
            self.cpe
                .handle_transport_error(now, TransportError::Receive);
        }
    }

    /// A read of [`Io::Receive`] gave `n` bytes at [`Runner::rx_free`].
    pub(crate) fn received(&mut self, now: Instant, n: usize) {
        let Some(r) = self.reading.as_mut() else {
            return;
        };
        if n == 0 {
            // The peer closed: the machine resolves what came at once (a close-delimited body
            // is complete, a truncated response or none fails the Session; §3.4.2).
            let filled = r.filled;
            self.reading = None;
            let incoming = self.cpe.handle_connection_closed(now, self.rx, filled);
            return answer(self.cpe, self.app, self.tx, &mut self.staged, now, incoming);
        }
        r.filled = r.filled.saturating_add(n).min(self.rx.len());
        let filled = r.filled;
        let full = filled >= self.rx.len();
        let data = self.rx.get(..filled).unwrap_or(&[]);
        if r.body.is_none() {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            match ResponseHead::parse(data, &mut headers) {
                Ok(Status::Partial) if !full => return,
                // A full buffer or a malformed head: the machine judges it.
                Ok(Status::Partial) | Err(_) => return self.complete(now, filled),
                Ok(Status::Complete(h)) => {
                    r.scanned = h.head_len;
                    r.body = Some(BodyDecoder::new(h.framing()));
                }
            }
        }
        let piece = data.get(r.scanned..).unwrap_or(&[]);
        r.scanned = filled;
        let status = match r.body.as_mut() {
            Some(body) => body.scan(piece),
            None => return,
        };
        match status {
            Ok(BodyStatus::Complete { excess, .. }) => {
                self.complete(now, filled.saturating_sub(excess));
            }
            Ok(BodyStatus::Partial) if !full => {}
            // Too large for `rx` or malformed framing: the machine judges it.
            Ok(BodyStatus::Partial) | Err(_) => self.complete(now, filled),
        }
    }

    /// The whole response is `rx[..len]`.
    fn complete(&mut self, now: Instant, len: usize) {
        self.reading = None;
        let incoming = self.cpe.handle_response(now, self.rx, len);
        answer(self.cpe, self.app, self.tx, &mut self.staged, now, incoming);
    }

    /// The wait of [`Io::Wait`] (or one racing a read) ended with `wake`. `Some`: stop.
    pub(crate) fn woke(&mut self, now: Instant, wake: Wake) -> Option<Exit> {
        match wake {
            Wake::Deadline => {}
            Wake::ConnectionRequest => self.cpe.handle_connection_request(now),
            Wake::Application => self.app.on_wake(self.cpe, now),
            Wake::Stop => return Some(Exit::Stopped),
        }
        self.cpe.handle_timeout(now);
        None
    }
}

/// What the machine made of a response (`incoming`): an ACS request goes to the application,
/// whose answer is staged in `tx`.
fn answer<A, const E: usize, const T: usize, const S: usize>(
    cpe: &mut Cpe<E, T, S>,
    app: &mut A,
    tx: &mut [u8],
    staged: &mut Option<usize>,
    now: Instant,
    incoming: Result<Incoming<'_>, ApiMisuse>,
) where
    A: Application<E, T, S>,
{
    match incoming {
        Ok(Incoming::AcsRequest(request)) => match app.respond(cpe, now, &request, tx) {
            Ok(t) => *staged = Some(t.len),
            Err(_) => {
                let fault = Body::Fault(SoapFault::new(9002, "Internal error"));
                let mut w: &mut [u8] = tx;
                match cpe.respond(now, fault, &mut w) {
                    Ok(t) => *staged = Some(t.len),
                    Err(_) => cpe.abort_session(now),
                }
            }
        },
        Ok(_) => {}
        // Incomplete at the end of `rx`, a body larger than it, or the peer's close.
        Err(_) => cpe.handle_transport_error(now, TransportError::Receive),
    }
}

/// A slot's payload: the machine's record and the application's state after it (empty
/// record if the prefix is malformed, which [`Cpe::boot`] reports).
fn split_payload(payload: &[u8]) -> (&[u8], &[u8]) {
    let len = payload
        .get(..LEN_PREFIX)
        .and_then(|b| <[u8; LEN_PREFIX]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok());
    let rest = payload.get(LEN_PREFIX..).unwrap_or(&[]);
    match len {
        Some(n) if n <= rest.len() => rest.split_at(n),
        _ => (&[], &[]),
    }
}
