#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Tests, and the `arbitrary` feature (for fuzzers and test tools on std targets: its derive
// names `std`), link std. The library itself uses only `core`.
#[cfg(any(test, feature = "arbitrary"))]
extern crate std;

#[cfg(feature = "arbitrary")]
extern crate alloc;

#[cfg(feature = "arbitrary")]
mod arbitrary_impls;

pub mod array;
pub mod connreq;
pub mod datetime;
pub mod error;
pub mod event;
pub mod fault;
#[doc(hidden)]
pub mod field;
pub mod filetype;
pub mod http;
pub mod limits;
pub mod message;
pub mod path;
pub mod value;
pub mod version;
pub mod visit;
pub mod xml;

pub use array::{Array, ItemSource, Lend, LendFn, LendingSource, Repeated};
pub use datetime::DateTime;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use event::EventCode;
pub use fault::{FaultCode, FaultType};
pub use filetype::{
    DownloadFileType, DuState, Notification, OperationPerformed, RequestDownloadFileType,
    TransferFileType, TransferState, UploadFileType, WindowMode,
};
pub use message::{decode, decode_header, decode_into, Body, Envelope, EnvelopeHead, Header};
pub use path::{PathError, PathName, Segment};
pub use value::{DateTimeValue, UnsignedIntValue, Value};
pub use version::{CwmpNamespace, CwmpVersion, VersionList};
pub use visit::Visitor;
pub use xml::XmlStr;
