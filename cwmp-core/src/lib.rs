//! cwmp-core: sans-IO CWMP session state machines (TR-069 §3.7).
//!
//! The building blocks of the CPE session machine, each a small sans-IO part that takes the current
//! [`Instant`] as input, never does I/O, and gets its randomness from the caller ([`Rng`]):
//!
//! * [`time`]: the crate's monotonic [`Instant`] and [`Duration`] (milliseconds);
//! * [`rng`]: the [`Rng`] trait and a small deterministic [`SplitMix64`];
//! * [`retry`]: the Session Retry Policy (§3.2.1.1, Table 3);
//! * [`events`]: the queue of undelivered Inform events (§3.7.1.5, Table 8);
//! * [`schedule`]: periodic Informs and the ScheduleInform queue (§3.2.1, §A.4.1.2);
//! * [`transfer`]: queued transfers and results awaiting TransferComplete (§A.3.2.8, §A.3.3.2);
//! * [`persist`]: the versioned, checksummed record of what must survive a reboot;
//! * [`connreq`]: the Connection Request server (HTTP, UDP, XMPP; §3.2.2, Annex G, Annex K);
//! * [`acs`]: the ACS side of a Session (§3.7.2) and the ACS's HTTP connection request (§3.2.2.2).
//!
//! The session machine that drives them comes later; meanwhile this is how the parts fit together
//! for one event through one Session:
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
mod crc32;
pub mod events;
pub mod limits;
pub mod persist;
pub mod retry;
pub mod rng;
pub mod schedule;
pub mod time;
pub mod transfer;

pub use rng::{Rng, SplitMix64};
pub use time::{Duration, Instant};
