//! cwmp-core: sans-IO CWMP session state machines (TR-069 §3.7).
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cwmp_codec as codec;
