//! The XML layer: a validating pull tokenizer with namespaces resolved by URI, borrowed text
//! views, and the escaping writer. Nothing here knows about CWMP.

pub mod ns;
#[doc(hidden)]
pub mod reader;
pub mod text;
#[doc(hidden)]
pub mod writer;

pub use ns::Ns;
pub use text::{BufferTooSmall, Chars, Chunk, Chunks, XmlStr};
pub use writer::Counter;
