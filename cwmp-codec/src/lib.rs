//! cwmp-codec: the CWMP wire format.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod datetime;
pub mod error;
pub mod event;
pub mod limits;
pub mod version;
pub mod xml;

pub use datetime::DateTime;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use event::EventCode;
pub use xml::XmlStr;
