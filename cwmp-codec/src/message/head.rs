//! [`decode_header`]: an envelope's SOAP header and the name of its method, without decoding
//! the method's content, so a receiver can still answer a request whose arguments do not
//! decode (TR-069 §3.5: a fault echoing the request's cwmp:ID; §A.5.1, Table 87: 9003 Invalid
//! arguments).

use super::envelope::{read_envelope, Header, MessageKind};
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};

/// What [`decode_header`] reads: the header elements and the Body's method element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EnvelopeHead<'a> {
    /// The header elements (Table 4), decoded as [`decode`](super::decode) decodes them.
    pub header: Header<'a>,
    /// The Body's one element; `None` for an empty Body.
    pub method: Option<MethodElement<'a>>,
}

/// The Body's element, by name only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MethodElement<'a> {
    /// Its local name (`SetParameterAttributes`, `Fault`, or a method this codec does not
    /// know).
    pub name: &'a str,
    /// The offset of its start tag: an error of [`decode`](super::decode) at or after it (and
    /// before the Body's end) lies in the method's content.
    pub offset: usize,
    /// A request (unknown methods included), a response, or a SOAP Fault; never
    /// [`MessageKind::Empty`].
    pub kind: MessageKind,
}

/// Reads the envelope's structure and header like [`decode`](super::decode), and of the Body
/// only its method element's name: the method's content is checked for well-formedness
/// (characters, references, matching tags, depth) but not decoded, so a number that does not
/// parse or a missing required argument there is no error. Where `decode` fails and this
/// succeeds, the failure lies inside the method element.
///
/// # Errors
/// As [`decode`](super::decode) for anything outside the method's content. Never panics.
pub fn decode_header(input: &[u8]) -> Result<EnvelopeHead<'_>, DecodeError> {
    let mut header = Header::default();
    let mut method = None;
    read_envelope(input, &mut header, |r, tag| {
        method = method_element(r, tag)?;
        Ok(())
    })?;
    Ok(EnvelopeHead { header, method })
}

/// The Body's element, named and skipped, with the checks `decode_body` makes around it.
fn method_element<'a>(
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
) -> Result<Option<MethodElement<'a>>, DecodeError> {
    let in_scope = r.cwmp_in_scope();
    let Some(method) = r.next_child()? else {
        in_scope.ok_or(DecodeError::new(K::EmptyBody, tag.offset))?;
        return Ok(None);
    };
    let kind = match method.ns {
        Ns::SoapEnv if method.local == "Fault" => MessageKind::Fault,
        Ns::Cwmp(_) => kind_of(method.local),
        Ns::None if in_scope.is_some() => kind_of(method.local),
        _ => return Err(DecodeError::new(K::NotCwmp, method.offset)),
    };
    r.skip()?;
    if let Some(extra) = r.next_child()? {
        return Err(DecodeError::new(K::InvalidEnvelope, extra.offset));
    }
    Ok(Some(MethodElement {
        name: method.local,
        offset: method.offset,
        kind,
    }))
}

/// As `Body::kind` names it: `…Response` is a response, anything else a request.
fn kind_of(name: &str) -> MessageKind {
    if name.ends_with("Response") {
        MessageKind::Response
    } else {
        MessageKind::Request
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::decode;

    fn env(header: &str, body: &str) -> std::string::String {
        std::format!(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">{header}<s:Body>{body}</s:Body></s:Envelope>"
        )
    }

    const ID: &str = "<s:Header><cwmp:ID s:mustUnderstand=\"1\">42</cwmp:ID></s:Header>";

    #[test]
    fn a_request_with_a_bad_number_has_a_readable_head() {
        let doc = env(
            ID,
            "<cwmp:ScheduleInform><DelaySeconds>9010x</DelaySeconds><CommandKey/></cwmp:ScheduleInform>",
        );
        let err = decode(doc.as_bytes()).unwrap_err();
        assert_eq!(err.kind, K::InvalidValue);
        let head = decode_header(doc.as_bytes()).unwrap();
        assert!(head.header.id.unwrap().eq_str("42"));
        let m = head.method.unwrap();
        assert_eq!(
            (m.name, m.offset, m.kind),
            (
                "ScheduleInform",
                doc.find("<cwmp:ScheduleInform").unwrap(),
                MessageKind::Request
            )
        );
        assert!(err.offset > m.offset);
    }

    #[test]
    fn it_agrees_with_decode_on_everything_outside_the_method() {
        let ok = env(ID, "<cwmp:GetRPCMethods/>");
        let head = decode_header(ok.as_bytes()).unwrap();
        let full = decode(ok.as_bytes()).unwrap();
        assert_eq!(head.header, full.header);
        assert_eq!(head.method.unwrap().name, full.body.method_name());
        let fault = env("", "<s:Fault><faultcode>Client</faultcode></s:Fault>");
        assert_eq!(
            decode_header(fault.as_bytes())
                .unwrap()
                .method
                .unwrap()
                .kind,
            MessageKind::Fault
        );
        assert_eq!(decode_header(env("", "").as_bytes()).unwrap().method, None);
        for bad in [
            // Not well-formed inside the method, and after it.
            env(ID, "<cwmp:Reboot><CommandKey>a</Command></cwmp:Reboot>"),
            env(
                ID,
                "<cwmp:Reboot><CommandKey>&bogus;</CommandKey></cwmp:Reboot>",
            ),
            env(ID, "<cwmp:Reboot/><cwmp:Reboot/>"),
            env(
                "<s:Header><cwmp:HoldRequests>x</cwmp:HoldRequests></s:Header>",
                "<cwmp:Reboot/>",
            ),
            env(ID, "<x:Reboot xmlns:x=\"urn:other\"/>"),
            env(ID, "<cwmp:Reboot/>").replace("</s:Envelope>", ""),
            std::format!("{}<x/>", env(ID, "<cwmp:Reboot/>")),
        ] {
            let a = decode(bad.as_bytes()).unwrap_err();
            let b = decode_header(bad.as_bytes()).unwrap_err();
            assert_eq!((a.kind, a.offset), (b.kind, b.offset), "{bad}");
        }
    }
}
