//! cwmp-codec: the CWMP wire format.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod fault;
pub mod filetype;
pub mod path;
pub mod version;

pub use fault::{FaultCode, FaultType};
pub use filetype::{
    DownloadFileType, DuState, Notification, OperationPerformed, RequestDownloadFileType,
    TransferFileType, TransferState, UploadFileType, WindowMode,
};
pub use path::{PathError, PathName, Segment};
pub use version::{CwmpNamespace, CwmpVersion, VersionList};
