//! cwmp-core: sans-IO CWMP session state machines (TR-069 §3.7).
//!
//! The building blocks of the CPE session machine, each a small sans-IO part that takes the current
//! [`Instant`] as input, never does I/O, and gets its randomness from the caller ([`Rng`]):
//!
//! * [`time`]: the crate's monotonic [`Instant`] and [`Duration`] (milliseconds);
//! * [`rng`]: the [`Rng`] trait and a small deterministic [`SplitMix64`];
//! * [`retry`]: the Session Retry Policy (§3.2.1.1, Table 3);
//! * [`events`]: the queue of undelivered Inform events (§3.7.1.5, Table 8);
//! * [`schedule`]: periodic Informs, the ScheduleInform queue and the HeartbeatPolicy timer
//!   (§3.2.1, §A.4.1.2, Annex O);
//! * [`transfer`]: queued transfers and results awaiting TransferComplete (§A.3.2.8, §A.3.3.2);
//! * [`persist`]: the versioned, checksummed record of what must survive a reboot, and the two
//!   alternating slots ([`persist::slot`]) that keep it safe from a power cut during a write;
//! * [`connreq`]: the Connection Request server (HTTP, UDP, XMPP; §3.2.2, Annex G, Annex K);
//! * [`cpe`]: the CPE session machine, [`Cpe`], that drives them all (§3.7.1).
//! * [`acs`]: the ACS side of a Session (§3.7.2) and the ACS's HTTP connection request (§3.2.2.2).
//! * [`agent`]: the CPE agent, every CPE RPC answered from a static data model with Annex A's
//!   semantics, notification and value change, `ManagementServer.` (the firmware author's guide
//!   is [`agent::guide`]).
//!
//! # The run loop of a CPE over a blocking socket
//!
//! The machine is sans-IO (DESIGN §3): the driver owns the socket, the clock, the flash and the
//! buffers. After every input, drain in this order: [`Cpe::poll_event`] until `None` (connect,
//! close, reboot, persist…), then [`Cpe::poll_transmit`] (and any POST that [`Cpe::respond`]
//! wrote), then wait until [`Cpe::poll_timeout`]. Responses go to [`Cpe::handle_response`], and
//! the peer's close (a read of 0 bytes) to [`Cpe::handle_connection_closed`]. Here with any
//! `embedded_io` connection:
//!
//! ```no_run
//! use cwmp_core::codec::message::{GetParameterValuesResponse, SoapFault};
//! use cwmp_core::codec::{Array, Body};
//! use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, TransportError};
//! use cwmp_core::persist::slot::{self, SlotId, Slots};
//! use cwmp_core::persist::Record;
//! use cwmp_core::Instant;
//! use embedded_io::{Read, Write};
//!
//! /// One flash page per record slot: the record and the slot's header and CRC.
//! const PAGE: usize = slot::slot_len(Record::<64, 3, 3>::MAX_LEN);
//!
//! /// What the firmware provides: a clock, TCP/TLS connections, flash.
//! trait Platform {
//!     type Conn: Read + Write;
//!     fn now(&self) -> Instant;
//!     fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Self::Conn>;
//!     /// Sleeps until `deadline` or until a connection request / local event arrives.
//!     fn wait(&mut self, deadline: Option<Instant>);
//!     fn read_page(&mut self, slot: SlotId, page: &mut [u8; PAGE]);
//!     /// Erases the page of `slot`, then programs `bytes` from its start.
//!     fn write_page(&mut self, slot: SlotId, bytes: &[u8]);
//!     fn reboot(&mut self) -> !;
//! }
//!
//! fn run<P: Platform>(p: &mut P) -> ! {
//!     let config = Config::new("https://acs.example.com/cwmp", "Acme", "00D09E", "STB", "SN1");
//!     let mut cpe: Cpe = Cpe::new(&config, p.now(), 0x5eed).expect("config fits");
//!     // Power-up: the newest slot whose CRC holds (a write torn by a power cut is skipped), and
//!     // where the next write goes (never over that one).
//!     let mut page = [0u8; PAGE];
//!     let mut other = [0u8; PAGE];
//!     p.read_page(SlotId::A, &mut page);
//!     p.read_page(SlotId::B, &mut other);
//!     let slots = Slots::scan(&page, &other);
//!     let mut next = slots.next_write();
//!     // A corrupt record is reported and not used; the machine still boots.
//!     let _ = cpe.boot(p.now(), slots.newest().map(|c| c.payload));
//!
//!     let mut conn: Option<P::Conn> = None;
//!     let mut tx = [0u8; 1024];
//!     let mut rx = [0u8; 8192];
//!     let mut staged: Option<usize> = None; // a response written by `respond`
//!     let mut answered_gpv = false; // what the last response was, to write it again
//!     loop {
//!         // 1. Events.
//!         while let Some(event) = cpe.poll_event() {
//!             match event {
//!                 Event::Connect { port, tls } => {
//!                     conn = p.connect(cpe.connect_host(), port, tls);
//!                     match conn {
//!                         Some(_) => cpe.handle_connected(p.now()).expect("asked for"),
//!                         None => cpe.handle_transport_error(p.now(), TransportError::Connect),
//!                     }
//!                 }
//!                 Event::Close => conn = None,
//!                 Event::PersistChanged => {
//!                     // The record (and any state of the application after it) goes into the
//!                     // slot's payload area; `seal` adds the sequence number and the CRC.
//!                     let n = cpe.export(p.now(), slot::payload_mut(&mut page)).expect("fits");
//!                     let len = slot::seal(&mut page, next.sequence, n).expect("PAGE fits");
//!                     p.write_page(next.slot, &page[..len]);
//!                     next = next.committed(); // the write is complete
//!                 }
//!                 Event::Reboot | Event::FactoryReset => p.reboot(),
//!                 // The last response met a 401 or a redirect: the same one again (the request
//!                 // is not executed twice). A `Connect` follows if a new connection is needed.
//!                 Event::ResendResponse => {
//!                     let mut w: &mut [u8] = &mut tx;
//!                     if let Ok(t) = cpe.respond(p.now(), reply(answered_gpv), &mut w) {
//!                         staged = Some(t.len);
//!                     }
//!                 }
//!                 _ => {}
//!             }
//!         }
//!         // 2. The next POST, if any: send it and read its response.
//!         let len = match staged.take() {
//!             Some(n) => Some(n),
//!             None => {
//!                 let mut w: &mut [u8] = &mut tx;
//!                 cpe.poll_transmit(p.now(), &mut w).ok().flatten().map(|t| t.len)
//!             }
//!         };
//!         let (Some(len), Some(c)) = (len, conn.as_mut()) else {
//!             // 3. Nothing to send: wait for the next deadline or input.
//!             p.wait(cpe.poll_timeout());
//!             cpe.handle_timeout(p.now());
//!             continue;
//!         };
//!         if c.write_all(&tx[..len]).is_err() {
//!             cpe.handle_transport_error(p.now(), TransportError::Send);
//!             continue;
//!         }
//!         // Read until the response is complete (Content-Length; a chunked body is
//!         // de-chunked in place, so read it whole before the call). A read of 0 bytes is the
//!         // peer's close: the machine resolves the response at once (a close-delimited body is
//!         // complete, a truncated one fails the Session).
//!         let mut n = 0;
//!         let incoming = loop {
//!             match c.read(&mut rx[n..]) {
//!                 Ok(0) => break cpe.handle_connection_closed(p.now(), &mut rx, n),
//!                 Err(_) => {
//!                     cpe.handle_transport_error(p.now(), TransportError::Receive);
//!                     break Ok(Incoming::Nothing);
//!                 }
//!                 Ok(k) => n += k,
//!             }
//!             match cpe.handle_response(p.now(), &mut rx, n) {
//!                 Err(ApiMisuse::IncompleteResponse) => continue,
//!                 other => break other,
//!             }
//!         };
//!         match incoming {
//!             Ok(Incoming::AcsRequest(request)) => {
//!                 // The application answers; big arrays stream from `Array::from_source`.
//!                 answered_gpv = matches!(request.body(), Body::GetParameterValues(_));
//!                 let mut w: &mut [u8] = &mut tx;
//!                 if let Ok(t) = cpe.respond(p.now(), reply(answered_gpv), &mut w) {
//!                     staged = Some(t.len); // sent after the events (a reconnect may come first)
//!                 }
//!             }
//!             // A buffer too small for the body: nothing more can be read of it.
//!             Err(_) => cpe.handle_transport_error(p.now(), TransportError::Receive),
//!             Ok(_) => {}
//!         }
//!     }
//! }
//!
//! fn reply<'a>(gpv: bool) -> Body<'a> {
//!     if gpv {
//!         GetParameterValuesResponse { parameter_list: Array::empty() }.into()
//!     } else {
//!         Body::Fault(SoapFault::new(9000, "Method not supported"))
//!     }
//! }
//! ```
//!
//! How the parts fit together for one event through one Session, without the machine:
//!
//! ```
//! use cwmp_core::codec::event::EventCode;
//! use cwmp_core::events::{EventQueue, SessionEnd};
//! use cwmp_core::persist::Record;
//! use cwmp_core::retry::{RetryPolicy, RetryState};
//! use cwmp_core::schedule::ScheduleInformQueue;
//! use cwmp_core::transfer::Transfers;
//! use cwmp_core::{Instant, SplitMix64};
//!
//! let mut events: EventQueue = EventQueue::new();
//! let transfers: Transfers = Transfers::new();
//! let schedule: ScheduleInformQueue = ScheduleInformQueue::new();
//! let mut retry = RetryState::new();
//! let mut rng = SplitMix64::new(0x5eed);
//! let now = Instant::from_secs(1);
//!
//! events.push(EventCode::Boot, "")?;
//! events.begin_session()?;
//! let inform: Vec<_> = events.in_flight().map(|e| e.code.as_str()).collect();
//! assert_eq!(inform, ["1 BOOT"]);
//! // The HTTP exchange fails before the InformResponse: retry later, keep the event.
//! events.end_session(SessionEnd::Failed);
//! let retry_at = retry.on_session_failed(now, &RetryPolicy::default(), &mut rng);
//! assert!(retry_at > now && retry.retry_count() == 1);
//!
//! // Persist what must survive a reboot.
//! let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
//! let record: Record = Record::capture(now, &events, &transfers, &schedule, &retry);
//! let n = record.export(&mut flash)?;
//! assert_eq!(Record::<64, 3, 3>::restore(&flash[..n])?, record);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cwmp_codec as codec;

pub mod acs;
pub mod agent;
pub mod connreq;
pub mod cpe;
mod crc32;
pub mod events;
pub mod limits;
pub mod persist;
pub mod retry;
pub mod rng;
pub mod schedule;
pub mod time;
pub mod transfer;

pub use cpe::{
    AcsRequest, ApiMisuse, Config, Cpe, Event, Incoming, RequestKind, SendError, SessionError,
    SessionOutcome, Transmit, TransmitKind, TransportError,
};
pub use rng::{Rng, SplitMix64};
pub use time::{Duration, Instant};
