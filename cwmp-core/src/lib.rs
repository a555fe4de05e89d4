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
//! * `driver` (features `blocking`, `async`): the run loops around [`Cpe`].
//!
//! # Running a device: the async driver
//!
//! The machine is sans-IO (DESIGN §3); the run loop around it is the crate's too, so no
//! firmware copies it. With the `async` feature, `driver::asynch::run` is the whole loop, on
//! any executor (embassy-executor on a device): the firmware gives it a **platform** (clock,
//! a wait until a deadline or a wake-up such as a Connection Request, flash, reboot), a
//! **connector** (TCP, with TLS for `https`: embassy-net and embedded-tls) and an
//! **application** (the data model that answers the ACS and gives the Inform's ParameterList).
//! The loop drains the machine in its documented order ([`cpe`]'s "driver's loop"), writes the
//! record on `PersistChanged` into the next of two flash pages ([`persist::slot`]: a write
//! torn by a power cut never loses the last committed record), reconnects when the ACS
//! closes, and reboots on `Reboot`; it allocates nothing. `examples/embassy` runs it over embassy-net with TLS 1.3.
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # mod example {
//! use cwmp_core::codec::message::{GetParameterValuesResponse, ParameterValueStruct, SoapFault};
//! use cwmp_core::codec::{Array, Body, Value};
//! use cwmp_core::cpe::{AcsRequest, Config, Cpe, Transmit};
//! use cwmp_core::driver::asynch::{self, Connector, Platform};
//! use cwmp_core::driver::{self, Application, Buffers, Exit, TxError};
//! use cwmp_core::Instant;
//!
//! /// The data model (the agent's, in a real device).
//! struct Model {
//!     values: [ParameterValueStruct<'static>; 1],
//! }
//!
//! impl Application for Model {
//!     fn inform_parameters(&mut self, _: &Cpe, _: Instant) -> Array<'_, ParameterValueStruct<'_>> {
//!         Array::new(&self.values)
//!     }
//!
//!     fn respond(
//!         &mut self,
//!         cpe: &mut Cpe,
//!         now: Instant,
//!         request: &AcsRequest<'_>,
//!         tx: &mut [u8],
//!     ) -> Result<Transmit, TxError> {
//!         // Big arrays stream from `Array::from_source`.
//!         let reply: Body<'_> = match request.body() {
//!             Body::GetParameterValues(_) => {
//!                 GetParameterValuesResponse { parameter_list: Array::new(&self.values) }.into()
//!             }
//!             _ => Body::Fault(SoapFault::new(9000, "Method not supported")),
//!         };
//!         let mut w: &mut [u8] = tx;
//!         cpe.respond(now, reply, &mut w)
//!     }
//! }
//!
//! /// The device task: `platform` and `net` are the firmware's.
//! pub async fn device(platform: &mut impl Platform, net: &mut impl Connector) -> Exit {
//!     let config = Config::new("https://acs.example.com/cwmp", "Acme", "00D09E", "STB", "SN1");
//!     let mut model = Model {
//!         values: [ParameterValueStruct::new(
//!             "Device.DeviceInfo.SoftwareVersion",
//!             Value::string("1.0.0"),
//!         )],
//!     };
//!     let mut tx = [0u8; 2048];
//!     let mut rx = [0u8; 8192];
//!     // One record slot (flash page); `rx` also holds page B at power-up.
//!     let mut page = [0u8; driver::page_len::<64, 3, 3>(0)];
//!     loop {
//!         // Every power-up: a fresh machine, which `run` boots from the newest valid slot.
//!         let mut cpe: Cpe = Cpe::new(&config, platform.now(), 0x5eed).expect("config fits");
//!         let buffers = Buffers { tx: &mut tx, rx: &mut rx, page: &mut page };
//!         let exit = asynch::run(&mut cpe, platform, net, &mut model, buffers).await;
//!         match exit.expect("the page buffer fits") {
//!             // On a device `reboot` does not return; a hosted platform's does.
//!             Exit::Reboot | Exit::FactoryReset => continue,
//!             other => return other,
//!         }
//!     }
//! }
//! # }
//! ```
//!
//! # The blocking driver
//!
//! With the `blocking` feature, `driver::blocking::run` is the same loop over `embedded_io`
//! connections (give them a read timeout that returns `ErrorKind::TimedOut`, so the response
//! timeout is checked while a read blocks). The same application serves both:
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # mod example {
//! use cwmp_core::cpe::{Config, Cpe};
//! use cwmp_core::driver::blocking::{self, Connector, Platform};
//! use cwmp_core::driver::{self, Application, Buffers, Exit};
//!
//! pub fn device(platform: &mut impl Platform, net: &mut impl Connector, app: &mut impl Application) -> ! {
//!     let config = Config::new("http://acs.example.com:7547/cwmp", "Acme", "00D09E", "STB", "SN1");
//!     let mut tx = [0u8; 2048];
//!     let mut rx = [0u8; 8192];
//!     let mut page = [0u8; driver::page_len::<64, 3, 3>(0)];
//!     loop {
//!         let mut cpe: Cpe = Cpe::new(&config, platform.now(), 0x5eed).expect("config fits");
//!         let buffers = Buffers { tx: &mut tx, rx: &mut rx, page: &mut page };
//!         // Returns after a reboot (hosted platforms) or a stop; boot again either way.
//!         let _: Exit = blocking::run(&mut cpe, platform, net, app, buffers).expect("page fits");
//!     }
//! }
//! # }
//! ```
//!
//! Without the drivers, the machine is driven by hand: after every input, drain
//! [`Cpe::poll_event`] until `None`, then [`Cpe::poll_transmit`] (and any POST that
//! [`Cpe::respond`] wrote), then wait until [`Cpe::poll_timeout`] (the [`cpe`] module doc).
//! Responses go to [`Cpe::handle_response`], the peer's close (a read of 0 bytes) to
//! [`Cpe::handle_connection_closed`], and the record to flash through the A/B slots of
//! [`persist::slot`], so that a write torn by a power cut never loses the last committed record.
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
#[cfg(any(feature = "blocking", feature = "async"))]
pub mod driver;
pub mod events;
pub mod limits;
pub mod persist;
pub mod retry;
pub mod rng;
pub mod schedule;
pub mod stun;
pub mod time;
pub mod transfer;

pub use cpe::{
    AcsRequest, ApiMisuse, Config, Cpe, Event, Incoming, RequestKind, SendError, SessionError,
    SessionOutcome, Transmit, TransmitKind, TransportError,
};
pub use rng::{Rng, SplitMix64};
pub use time::{Duration, Instant};
