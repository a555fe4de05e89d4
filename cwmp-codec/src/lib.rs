//! cwmp-codec: the CWMP wire format.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod array;
pub mod datetime;
pub mod error;
pub mod event;
pub mod fault;
#[doc(hidden)]
pub mod field;
pub mod filetype;
pub mod limits;
pub mod message;
pub mod path;
pub mod value;
pub mod version;
pub mod visit;
pub mod xml;

pub use array::{Array, ItemSource, Repeated};
pub use datetime::DateTime;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use event::EventCode;
pub use fault::{FaultCode, FaultType};
pub use filetype::{
    DownloadFileType, DuState, Notification, OperationPerformed, RequestDownloadFileType,
    TransferFileType, TransferState, UploadFileType, WindowMode,
};
pub use message::{decode, Body, Envelope, Header};
pub use path::{PathError, PathName, Segment};
pub use value::{DateTimeValue, Value};
pub use version::{CwmpNamespace, CwmpVersion, VersionList};
pub use visit::Visitor;
pub use xml::XmlStr;
