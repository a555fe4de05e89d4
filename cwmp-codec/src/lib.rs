//! cwmp-codec: the CWMP wire format.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
pub mod http;
