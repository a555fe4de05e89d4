//! What [`Cpe::handle_response`](super::Cpe::handle_response) hands back: an ACS request
//! borrowing the receive buffer, or nothing for the application to do.

use cwmp_codec::{Body, Envelope, XmlStr};

/// The result of one HTTP response.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // borrowed views, moved once; no heap to box into
pub enum Incoming<'r> {
    /// Nothing for the application: drain `poll_transmit`, `poll_event`, `poll_timeout`.
    Nothing,
    /// An ACS request to answer with [`Cpe::respond`](super::Cpe::respond) (§3.7.1.2), in the
    /// next HTTP POST.
    AcsRequest(AcsRequest<'r>),
}

/// An ACS → CPE request, decoded in place in the receive buffer (DESIGN §3).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AcsRequest<'r> {
    /// The whole envelope (headers included).
    pub envelope: Envelope<'r>,
}

impl<'r> AcsRequest<'r> {
    /// The request (`GetParameterValues`, …, or [`Body::Unknown`] for a method to answer with
    /// fault 9000).
    pub fn body(&self) -> &Body<'r> {
        &self.envelope.body
    }

    /// The cwmp:ID the response will echo (Table 4).
    pub fn id(&self) -> Option<XmlStr<'r>> {
        self.envelope.header.id
    }

    /// The method name.
    pub fn method_name(&self) -> &'r str {
        self.envelope.body.method_name()
    }
}
