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
//! * [`persist`]: the versioned, checksummed record of what must survive a reboot.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cwmp_codec as codec;

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
