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
use crate::persist::{BufferTooSmall, Record};
use crate::time::Instant;

/// Header fields read to find a response's framing: as many as the machine reads.
const MAX_HEADERS: usize = 32;

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
    /// Write [`Runner::record`]`(len)` to flash.
    WriteFlash { len: usize },
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
    record: &'a mut [u8],
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
    /// `record` shorter than the machine's longest record.
    pub(crate) fn new(
        cpe: &'a mut Cpe<E, T, S>,
        app: &'a mut A,
        buffers: Buffers<'a>,
    ) -> Result<Self, BufferTooSmall> {
        if buffers.record.len() < Record::<E, T, S>::MAX_LEN {
            return Err(BufferTooSmall {
                needed: Record::<E, T, S>::MAX_LEN,
            });
        }
        Ok(Runner {
            cpe,
            app,
            tx: buffers.tx,
            rx: buffers.rx,
            record: buffers.record,
            connected: false,
            staged: None,
            reading: None,
            acting: None,
            reboot: None,
        })
    }

    /// The buffer to read the record from flash into.
    pub(crate) fn record_buf(&mut self) -> &mut [u8] {
        self.record
    }

    /// Power-up with the record read from flash (`None`: none was ever written).
    pub(crate) fn power_up(&mut self, now: Instant, unix: Option<i64>, read: Option<usize>) {
        if let Some(u) = unix {
            self.cpe.set_unix_time(now, u);
        }
        match read {
            // First installation (or after a factory reset): 0 BOOTSTRAP, and 1 BOOT.
            None => {
                self.cpe.bootstrap(now);
                let _ = self.cpe.boot(now, None);
            }
            // A corrupt record is not used; the machine still boots (with 1 BOOT).
            Some(n) => {
                let _ = self.cpe.boot(now, self.record.get(..n));
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

    /// The record of [`Io::WriteFlash`].
    pub(crate) fn record(&self, len: usize) -> &[u8] {
        self.record.get(..len).unwrap_or(&[])
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

    fn export(&mut self, now: Instant) -> Option<Io> {
        // `record` holds the longest record (checked in `new`).
        let len = self.cpe.export(now, self.record).ok()?;
        Some(Io::WriteFlash { len })
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
