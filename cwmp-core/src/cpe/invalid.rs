//! ACS requests whose arguments do not decode: the machine answers them itself with fault 9003
//! (Invalid arguments, §A.5.1, Table 87) echoing the request's cwmp:ID (§3.5, Table 4), and the
//! Session continues.
//!
//! [`decode`](cwmp_codec::decode) fails on, for example, a SetParameterAttributes whose
//! `Notification` is `9x`, a ScheduleInform whose `DelaySeconds` is empty or a Download whose
//! `DelaySeconds` overflows an unsignedInt (strict numbers, `cwmp_codec::field`). When
//! [`decode_header`] still reads the header and names a request method, the failure lies in
//! that method's arguments: nothing was executed, so the machine owes the ACS a fault, not a
//! failed Session. Anything else (XML that is not well-formed, a header that does not decode,
//! a bad response or Fault) still fails the Session with
//! [`SessionError::MalformedEnvelope`].
//!
//! The fault is written by [`Cpe::poll_transmit`](super::Cpe::poll_transmit), like the
//! machine's other POSTs, and written again after a 401 or a redirect (§3.4.4, §3.4.5) until
//! the next response arrives.

use core::fmt::Write as _;

use cwmp_codec::http::auth::Credentials;
use cwmp_codec::http::request::PostKind;
use cwmp_codec::message::{MessageKind, SoapFault};
use cwmp_codec::{decode_header, Body, DecodeError, Envelope, XmlStr};
use embedded_io::Write;

use super::session::{store_acs_id, LastSent, Phase};
use super::wire::{write_post, PostContext};
use super::{after_other_sent, Cpe, SendError, SessionError, Transmit, TransmitKind};
use crate::time::Instant;

/// Longest element name quoted in the FaultString; longer ones are left out.
const MAX_FIELD_LEN: usize = 32;

/// Longest FaultString the machine writes (the schema's FaultString is string(256)).
const MAX_FAULT_STRING_LEN: usize = 128;

/// The fault code for arguments that do not decode (§A.5.1, Table 87).
pub const INVALID_ARGUMENTS: u32 = 9003;

/// An ACS request owed fault 9003: why its arguments did not decode, and in which element.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct InvalidRequest {
    error: DecodeError,
    /// The local name of the element the error is in (empty if unknown).
    field: heapless::String<MAX_FIELD_LEN>,
}

impl InvalidRequest {
    /// `error` found by `decode` in `body`.
    fn new(error: DecodeError, body: &[u8]) -> Self {
        InvalidRequest {
            error,
            field: element_at(body, error.offset),
        }
    }

    /// `Invalid arguments: <what> in <element> at byte <n>`, at most
    /// [`MAX_FAULT_STRING_LEN`] bytes.
    fn fault_string(&self) -> heapless::String<MAX_FAULT_STRING_LEN> {
        let mut s = heapless::String::new();
        let k = self.error.kind;
        let at = self.error.offset;
        let written = if self.field.is_empty() {
            write!(s, "Invalid arguments: {k} at byte {at}")
        } else {
            write!(s, "Invalid arguments: {k} in {} at byte {at}", self.field)
        };
        if written.is_err() {
            s.clear();
            let _ = s.push_str("Invalid arguments");
        }
        s
    }
}

/// The local name of the element whose start tag is the last one before `offset`, or at it (a
/// value's text follows its element's start tag; a missing member is reported at its parent's):
/// ASCII name characters only, the prefix dropped, empty when there is none or it is too long.
fn element_at(body: &[u8], offset: usize) -> heapless::String<MAX_FIELD_LEN> {
    let mut out = heapless::String::new();
    // An error at a start tag (a missing member, at its parent) names that element; one at
    // an end tag (an empty value) the element it closes.
    let at_start_tag =
        body.get(offset) == Some(&b'<') && body.get(offset.saturating_add(1)) != Some(&b'/');
    let end = if at_start_tag {
        offset.saturating_add(1)
    } else {
        offset
    };
    let upto = body.get(..end).unwrap_or(body);
    let Some(lt) = upto.iter().rposition(|&b| b == b'<') else {
        return out;
    };
    let tail = body.get(lt.saturating_add(1)..).unwrap_or_default();
    let len = tail
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')))
        .unwrap_or(tail.len());
    let name = tail.get(..len).unwrap_or_default();
    let local = match name.iter().rposition(|&b| b == b':') {
        Some(i) => name.get(i.saturating_add(1)..).unwrap_or_default(),
        None => name,
    };
    // ASCII only, so this is UTF-8; a name longer than the bound is left out whole.
    if let Ok(text) = core::str::from_utf8(local) {
        if out.push_str(text).is_err() {
            out.clear();
        }
    }
    out
}

impl<const E: usize, const T: usize, const S: usize> Cpe<E, T, S> {
    /// `decode` failed with `error` on `body`: a request whose arguments are invalid is owed
    /// fault 9003 (true); anything else fails the Session (false: the caller fails it).
    pub(super) fn on_undecodable(&mut self, now: Instant, body: &[u8], error: DecodeError) -> bool {
        let Ok(head) = decode_header(body) else {
            return false;
        };
        let Some(method) = head.method else {
            return false;
        };
        if method.kind != MessageKind::Request || error.offset < method.offset {
            return false;
        }
        let Some(s) = self.session.as_mut() else {
            return false;
        };
        if !s.initiated {
            // A request before the InformResponse (§3.7.1.2), whatever its arguments.
            self.fail(now, SessionError::ProtocolViolation);
            return true;
        }
        if !store_acs_id(s, head.header.id) {
            self.fail(now, SessionError::ProtocolViolation);
            return true;
        }
        s.hold = head.header.hold_requests.unwrap_or(false);
        s.invalid_request = Some(InvalidRequest::new(error, body));
        s.phase = Phase::Ready;
        s.deadline = None;
        true
    }

    /// Writes the fault 9003 owed to an ACS request whose arguments did not decode, if one is
    /// (`None` otherwise).
    pub(super) fn write_invalid_arguments<W: Write>(
        &mut self,
        now: Instant,
        w: &mut W,
    ) -> Result<Option<Transmit>, SendError<W::Error>> {
        let Some(s) = self.session.as_ref() else {
            return Ok(None);
        };
        let Some(invalid) = s.invalid_request.as_ref() else {
            return Ok(None);
        };
        let fault_string = invalid.fault_string();
        let ns = s.ns;
        let mut env = Envelope::new(
            ns,
            Body::Fault(SoapFault::new(INVALID_ARGUMENTS, &fault_string)),
        );
        if s.acs_id_present {
            env.header.id = Some(XmlStr::new(&s.acs_id));
        }
        let len = write_post(
            PostContext {
                acs_url: &self.acs_url,
                redirects: &self.redirects,
                jar: &self.jar,
                auth: &mut self.auth,
                credentials: Credentials {
                    username: &self.username,
                    password: &self.password,
                },
                rng: &mut self.rng,
            },
            PostKind::SoapResponse,
            Some(&env),
            w,
        )?;
        drop(env);
        // Connected (`poll_transmit` writes only then): no Connect to emit.
        let _ = after_other_sent(
            &mut self.session,
            now,
            self.response_timeout,
            LastSent::InvalidArguments,
        );
        Ok(Some(Transmit {
            len,
            kind: TransmitKind::Response,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use cwmp_codec::DecodeErrorKind as K;

    #[test]
    fn the_element_is_named_from_the_offset() {
        let body = b"<cwmp:X><Notification> 9x</Notification></cwmp:X>";
        let at = 23; // the value's text
        assert_eq!(element_at(body, at).as_str(), "Notification");
        assert_eq!(element_at(body, 0).as_str(), "X");
        assert_eq!(element_at(b"no tags", 3).as_str(), "");
        assert_eq!(element_at(body, usize::MAX).as_str(), ""); // an end tag
        assert_eq!(element_at(b"<A><B></B></A>", 6).as_str(), "B"); // an empty value
        let long = [b"<".as_slice(), &[b'a'; 40], b">1"].concat();
        assert_eq!(element_at(&long, 41).as_str(), "");
        let r = InvalidRequest::new(
            DecodeError {
                kind: K::InvalidValue,
                offset: at,
            },
            body,
        );
        assert_eq!(
            r.fault_string().as_str(),
            "Invalid arguments: value does not match its schema type in Notification at byte 23"
        );
    }
}
