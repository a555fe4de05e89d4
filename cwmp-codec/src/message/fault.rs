//! The SOAP Fault carrying a CWMP Fault (TR-069 §3.5, DIGEST §6.2).

use embedded_io::Write;

use super::macros::cwmp_struct;
use super::Content;
use crate::array::Repeated;
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::field::DecodeElement;
use crate::version::CwmpNamespace;
use crate::visit::Visitor;
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::element_name;
use crate::xml::writer::{WResult, XmlWriter};
use crate::xml::XmlStr;

cwmp_struct! {
    /// One Parameter's fault inside a SetParameterValues fault (§A.5.1).
    pub struct SetParameterValuesFault<'a> {
        /// The Parameter in error.
        parameter_name: XmlStr<'a> = "ParameterName",
        /// 9005, 9006, 9007 or 9008 (or vendor).
        fault_code: u32 = "FaultCode",
        /// Optional text.
        fault_string: Option<XmlStr<'a>> = "FaultString",
    }
}

cwmp_struct! {
    /// The CWMP `Fault` element inside the SOAP Fault's `detail` (§3.5).
    pub struct CwmpFault<'a> {
        /// 9000–9899 from the CPE, 8000–8899 from the ACS.
        fault_code: u32 = "FaultCode",
        /// Optional text (unbounded in the schema).
        fault_string: Option<XmlStr<'a>> = "FaultString",
        /// Per-Parameter faults, SetParameterValues only.
        set_parameter_values_fault: Repeated<'a, SetParameterValuesFault<'a>> = "SetParameterValuesFault",
    }
}

/// A SOAP Fault in the §3.5 form: `faultcode`, `faultstring` (`CWMP fault`) and the CWMP
/// [`CwmpFault`] in `detail`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SoapFault<'a> {
    /// `Client` (the requester is at fault) or `Server`, possibly prefixed (INTEROP S1).
    pub faultcode: XmlStr<'a>,
    /// `CWMP fault`.
    pub faultstring: XmlStr<'a>,
    /// The CWMP fault.
    pub detail: CwmpFault<'a>,
}

impl<'a> SoapFault<'a> {
    /// A fault with `faultstring` `CWMP fault` and no per-Parameter faults; `faultcode` is
    /// `Client` for the codes Tables 87 and 88 type so (9003, 9005–9008, 9020, 9021, 8003)
    /// and `Server` otherwise.
    pub fn new(fault_code: u32, fault_string: &'a str) -> Self {
        let client = matches!(fault_code, 9003 | 9005..=9008 | 9020 | 9021 | 8003);
        SoapFault {
            faultcode: XmlStr::new(if client { "Client" } else { "Server" }),
            faultstring: XmlStr::new("CWMP fault"),
            detail: CwmpFault {
                fault_code,
                fault_string: Some(XmlStr::new(fault_string)),
                set_parameter_values_fault: Repeated::empty(),
            },
        }
    }

    /// The CWMP fault code.
    pub fn code(&self) -> u32 {
        self.detail.fault_code
    }

    /// Decodes the SOAP `Fault` element (the reader's current element). Returns the fault and
    /// the CWMP namespace of its `detail/Fault`.
    #[inline(never)]
    pub(crate) fn decode(
        r: &mut Reader<'a>,
        tag: &Tag<'a>,
    ) -> Result<(Self, CwmpNamespace), DecodeError> {
        let mut faultcode = None;
        let mut faultstring = None;
        let mut detail = None;
        while let Some(child) = r.next_child()? {
            // SOAP 1.1 Fault members are unqualified; some peers prefix them anyway.
            if !matches!(child.ns, Ns::None | Ns::SoapEnv) {
                r.skip()?;
                continue;
            }
            match child.local {
                "faultcode" if faultcode.is_none() => faultcode = Some(r.text()?.trim()),
                "faultstring" if faultstring.is_none() => faultstring = Some(r.text()?),
                "detail" if detail.is_none() => {
                    // `detail` may hold several entries (INTEROP S1): take the CWMP Fault.
                    while let Some(d) = r.next_child()? {
                        match d.ns {
                            Ns::Cwmp(ns) if d.local == "Fault" && detail.is_none() => {
                                detail = Some((CwmpFault::decode_element(r, &d)?, ns));
                            }
                            _ => r.skip()?,
                        }
                    }
                }
                "faultcode" | "faultstring" | "detail" => {
                    return Err(DecodeError::new(K::DuplicateElement, child.offset))
                }
                _ => r.skip()?,
            }
        }
        let (detail, ns) = detail.ok_or(DecodeError::new(K::InvalidFault, tag.offset))?;
        Ok((
            SoapFault {
                faultcode: faultcode.ok_or(DecodeError::new(K::InvalidFault, tag.offset))?,
                faultstring: faultstring.unwrap_or(XmlStr::EMPTY),
                detail,
            },
            ns,
        ))
    }

    pub(crate) fn encode<W: Write>(&self, w: &mut XmlWriter<'_, W>) -> WResult<W> {
        w.open(element_name!("soap-env:Fault"))?;
        w.open(element_name!("faultcode"))?;
        w.xml_str(&self.faultcode)?;
        w.close(element_name!("faultcode"))?;
        w.open(element_name!("faultstring"))?;
        w.xml_str(&self.faultstring)?;
        w.close(element_name!("faultstring"))?;
        w.open(element_name!("detail"))?;
        w.open(element_name!("cwmp:Fault"))?;
        self.detail.encode_content(w)?;
        w.close(element_name!("cwmp:Fault"))?;
        w.close(element_name!("detail"))?;
        w.close(element_name!("soap-env:Fault"))
    }

    pub(crate) fn visit(&self, v: &mut dyn Visitor) {
        v.enter("faultcode");
        v.value(&self.faultcode);
        v.leave();
        v.enter("faultstring");
        v.value(&self.faultstring);
        v.leave();
        v.enter("detail");
        v.enter("Fault");
        self.detail.visit_content(v);
        v.leave();
        v.leave();
    }
}
