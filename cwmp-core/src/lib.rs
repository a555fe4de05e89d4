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
//! * [`persist`]: the versioned, checksummed record of what must survive a reboot;
//! * [`connreq`]: the Connection Request server (HTTP, UDP, XMPP; §3.2.2, Annex G, Annex K);
//! * [`cpe`]: the CPE session machine, [`Cpe`], that drives them all (§3.7.1).
//! * [`acs`]: the ACS side of a Session (§3.7.2) and the ACS's HTTP connection request (§3.2.2.2).
//!
//! # The run loop of a CPE over a blocking socket
//!
//! The machine is sans-IO (DESIGN §3): the driver owns the socket, the clock, the flash and the
//! buffers. After every input, drain in this order: [`Cpe::poll_event`] until `None` (connect,
//! close, reboot, persist…), then [`Cpe::poll_transmit`] (and any POST that [`Cpe::respond`]
//! wrote), then wait until [`Cpe::poll_timeout`]. Here with any `embedded_io` connection:
//!
//! ```no_run
//! use cwmp_core::codec::message::{GetParameterValuesResponse, SoapFault};
//! use cwmp_core::codec::{Array, Body};
//! use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, TransportError};
//! use cwmp_core::persist::Record;
//! use cwmp_core::Instant;
//! use embedded_io::{Read, Write};
//!
//! /// What the firmware provides: a clock, TCP/TLS connections, flash.
//! trait Platform {
//!     type Conn: Read + Write;
//!     fn now(&self) -> Instant;
//!     fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Self::Conn>;
//!     /// Sleeps until `deadline` or until a connection request / local event arrives.
//!     fn wait(&mut self, deadline: Option<Instant>);
//!     fn read_flash(&mut self, buf: &mut [u8]) -> Option<usize>;
//!     fn write_flash(&mut self, bytes: &[u8]);
//!     fn reboot(&mut self) -> !;
//! }
//!
//! fn run<P: Platform>(p: &mut P) -> ! {
//!     let config = Config::new("https://acs.example.com/cwmp", "Acme", "00D09E", "STB", "SN1");
//!     let mut cpe: Cpe = Cpe::new(&config, p.now(), 0x5eed).expect("config fits");
//!     let mut flash = [0u8; Record::<64, 3, 3>::MAX_LEN];
//!     let record = p.read_flash(&mut flash);
//!     // A corrupt record is reported and not used; the machine still boots.
//!     let _ = cpe.boot(p.now(), record.map(|n| &flash[..n]));
//!
//!     let mut conn: Option<P::Conn> = None;
//!     let mut tx = [0u8; 1024];
//!     let mut rx = [0u8; 8192];
//!     let mut staged: Option<usize> = None; // a response written by `respond`
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
//!                     let n = cpe.export(p.now(), &mut flash).expect("MAX_LEN fits");
//!                     p.write_flash(&flash[..n]);
//!                 }
//!                 Event::Reboot | Event::FactoryReset => p.reboot(),
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
//!         // de-chunked in place, so read it whole before the call).
//!         let mut n = 0;
//!         let incoming = loop {
//!             match c.read(&mut rx[n..]) {
//!                 Ok(0) | Err(_) => break None,
//!                 Ok(k) => n += k,
//!             }
//!             match cpe.handle_response(p.now(), &mut rx, n) {
//!                 Err(ApiMisuse::IncompleteResponse) => continue,
//!                 other => break Some(other),
//!             }
//!         };
//!         match incoming {
//!             None => cpe.handle_transport_error(p.now(), TransportError::Receive),
//!             Some(Ok(Incoming::AcsRequest(request))) => {
//!                 // The application answers; big arrays stream from `Array::from_source`.
//!                 let reply: Body<'_> = match request.body() {
//!                     Body::GetParameterValues(_) => {
//!                         GetParameterValuesResponse { parameter_list: Array::empty() }.into()
//!                     }
//!                     _ => Body::Fault(SoapFault::new(9000, "Method not supported")),
//!                 };
//!                 let mut w: &mut [u8] = &mut tx;
//!                 if let Ok(t) = cpe.respond(p.now(), reply, &mut w) {
//!                     staged = Some(t.len); // sent after the events (a reconnect may come first)
//!                 }
//!             }
//!             Some(_) => {}
//!         }
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
pub mod connreq;
pub mod cpe;
mod crc32;
#[cfg(any(feature = "blocking", feature = "async"))]
pub mod driver;
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
