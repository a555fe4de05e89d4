//! The CWMP message model: every struct and RPC of TR-069 Annex A as types that borrow from
//! the input, decoded and encoded by one mechanism ([`crate::field`]).

mod envelope;
mod fault;
mod head;
pub(crate) mod macros;
mod methods;
mod operation;
mod structs;

pub use envelope::{decode, decode_into, Body, Envelope, Header, MessageKind, UnknownMethod};
pub use fault::{CwmpFault, SetParameterValuesFault, SoapFault};
pub use head::{decode_header, EnvelopeHead, MethodElement};
pub use methods::*;
pub use operation::Operation;
pub use structs::*;

/// The content of a struct or method element, between its tags (crate-internal).
#[doc(hidden)]
pub trait Content {
    /// Writes the members in schema order.
    fn encode_content<W: embedded_io::Write>(
        &self,
        w: &mut crate::xml::writer::XmlWriter<'_, W>,
    ) -> crate::xml::writer::WResult<W>;
    /// Shows the members to a visitor, each under its element name.
    fn visit_content(&self, v: &mut dyn crate::visit::Visitor);
}
