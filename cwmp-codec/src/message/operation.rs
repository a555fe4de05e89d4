//! `ChangeDUState/Operations` (§A.4.1.10): a repeated element of the abstract
//! `OperationStruct`, told apart by `xsi:type` (DIGEST §12.4, §17.13).

use embedded_io::Write;

use super::structs::{InstallOpStruct, UninstallOpStruct, UpdateOpStruct};
use super::Content;
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::field::{member_ns, single_field, DecodeElement, EncodeElement};
use crate::visit::Visitor;
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::{ElementName, WResult, XmlWriter};

/// One operation of a ChangeDUState.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Operation<'a> {
    /// `xsi:type="cwmp:InstallOpStruct"`.
    Install(InstallOpStruct<'a>),
    /// `xsi:type="cwmp:UpdateOpStruct"`.
    Update(UpdateOpStruct<'a>),
    /// `xsi:type="cwmp:UninstallOpStruct"`.
    Uninstall(UninstallOpStruct<'a>),
}

impl Operation<'_> {
    /// The operation struct's name, as written in `xsi:type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Operation::Install(_) => "InstallOpStruct",
            Operation::Update(_) => "UpdateOpStruct",
            Operation::Uninstall(_) => "UninstallOpStruct",
        }
    }
}

fn by_name<'a>(
    name: &str,
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
) -> Option<Result<Operation<'a>, DecodeError>> {
    Some(match name {
        "InstallOpStruct" => InstallOpStruct::decode_element(r, tag).map(Operation::Install),
        "UpdateOpStruct" => UpdateOpStruct::decode_element(r, tag).map(Operation::Update),
        "UninstallOpStruct" => UninstallOpStruct::decode_element(r, tag).map(Operation::Uninstall),
        _ => return None,
    })
}

impl<'a> DecodeElement<'a> for Operation<'a> {
    const PLACEHOLDER: Self = Operation::Uninstall(UninstallOpStruct::PLACEHOLDER);
    /// Dispatches on `xsi:type` (any prefix bound to a CWMP namespace, or none).
    fn decode_element(r: &mut Reader<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let ty = r
            .attr(tag, Ns::Xsi, "type")
            .ok_or(DecodeError::new(K::UnknownOperationType, tag.offset))?;
        let q = ty.value.as_str().unwrap_or_default();
        let (ns, local) = r.resolve_value_qname(q);
        if !matches!(ns, Ns::Cwmp(_) | Ns::None | Ns::Other) {
            return Err(DecodeError::new(K::UnknownOperationType, ty.value_offset));
        }
        by_name(local, r, tag).unwrap_or(Err(DecodeError::new(
            K::UnknownOperationType,
            ty.value_offset,
        )))
    }

    /// An `Operations` element without `xsi:type` is read as a container of operation structs
    /// named by their type, the form some implementations send
    /// (`<Operations><InstallOpStruct>…</InstallOpStruct><UpdateOpStruct>…</Operations>`).
    fn is_container(r: &Reader<'a>, tag: &Tag<'a>) -> bool {
        r.attr(tag, Ns::Xsi, "type").is_none()
    }

    fn decode_contained(r: &mut Reader<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        if !member_ns(tag.ns) {
            return Err(DecodeError::new(K::UnknownOperationType, tag.offset));
        }
        by_name(tag.local, r, tag)
            .unwrap_or(Err(DecodeError::new(K::UnknownOperationType, tag.offset)))
    }
}

impl EncodeElement for Operation<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        w.open_with_attributes(name)?;
        w.raw(" xsi:type=\"cwmp:")?;
        w.raw(self.type_name())?;
        w.raw("\">")?;
        match self {
            Operation::Install(o) => o.encode_content(w)?,
            Operation::Update(o) => o.encode_content(w)?,
            Operation::Uninstall(o) => o.encode_content(w)?,
        }
        w.close(name)
    }

    fn visit(&self, v: &mut dyn Visitor) {
        v.enter("xsi:type");
        v.value(&self.type_name());
        v.leave();
        match self {
            Operation::Install(o) => o.visit_content(v),
            Operation::Update(o) => o.visit_content(v),
            Operation::Uninstall(o) => o.visit_content(v),
        }
    }
}

single_field!(Operation<'a>);

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Operation<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0u8..=2)? {
            0 => Operation::Install(u.arbitrary()?),
            1 => Operation::Update(u.arbitrary()?),
            _ => Operation::Uninstall(u.arbitrary()?),
        })
    }
}
