//! `cwmp_struct!`: each CWMP struct and RPC described once, as its fields in schema order.

/// Declares a CWMP struct: its fields in XSD sequence order with their element names, and
/// derives [`DecodeElement`](crate::field::DecodeElement),
/// [`EncodeElement`](crate::field::EncodeElement) and [`Field`](crate::field::Field) from
/// that one list.
macro_rules! cwmp_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $fty:ty = $xml:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name $(<$lt>)? {
            $(
                $(#[$fmeta])*
                #[doc = concat!("\n\nElement `", $xml, "`.")]
                pub $field: $fty,
            )*
        }

        impl<'a> $crate::field::DecodeElement<'a> for $name $(<$lt>)? {
            fn decode_element(
                r: &mut $crate::xml::reader::Reader<'a>,
                tag: &$crate::xml::reader::Tag<'a>,
            ) -> Result<Self, $crate::error::DecodeError> {
                let mut v = <Self as $crate::field::DecodeElement<'a>>::PLACEHOLDER;
                <Self as $crate::field::DecodeElement<'a>>::decode_in_place(r, tag, &mut v)?;
                Ok(v)
            }

            /// Each field is written into `out` as its element is read, with a `bool` per
            /// field for whether it occurred; then the absent ones are completed (a missing
            /// required member takes its default, recorded; an optional one is `None`).
            #[allow(unused_variables, unused_mut)]
            fn decode_in_place(
                r: &mut $crate::xml::reader::Reader<'a>,
                tag: &$crate::xml::reader::Tag<'a>,
                out: &mut Self,
            ) -> Result<(), $crate::error::DecodeError> {
                $( let mut $field = false; )*
                while let Some(child) = r.next_child()? {
                    if $crate::field::member_ns(child.ns) {
                        $(
                            if child.local.eq_ignore_ascii_case($xml) {
                                <$fty as $crate::field::Field<'a>>::accept(&mut out.$field, &mut $field, r, &child)?;
                                continue;
                            }
                        )*
                    }
                    // Unknown members are ignored (TR-069 §3.5).
                    r.skip()?;
                }
                $( <$fty as $crate::field::Field<'a>>::finish(&mut out.$field, $field, tag.offset, r)?; )*
                Ok(())
            }

            const PLACEHOLDER: Self = $name {
                $( $field: <$fty as $crate::field::Field<'a>>::PLACEHOLDER, )*
            };

            fn missing() -> Option<Self> {
                Some($name {
                    $( $field: <$fty as $crate::field::Field<'a>>::absent()?, )*
                })
            }
        }

        impl $(<$lt>)? $crate::message::Content for $name $(<$lt>)? {
            #[allow(unused_variables)]
            fn encode_content<W: embedded_io::Write>(
                &self,
                w: &mut $crate::xml::writer::XmlWriter<'_, W>,
            ) -> $crate::xml::writer::WResult<W> {
                $( $crate::field::Field::encode_field(&self.$field, w, $crate::xml::writer::element_name!($xml))?; )*
                Ok(())
            }

            #[allow(unused_variables)]
            fn visit_content(&self, v: &mut dyn $crate::visit::Visitor) {
                $(
                    v.enter($xml);
                    $crate::field::Field::visit_field(&self.$field, v);
                    v.leave();
                )*
            }
        }

        impl $(<$lt>)? $crate::field::EncodeElement for $name $(<$lt>)? {
            fn encode_element<W: embedded_io::Write>(
                &self,
                w: &mut $crate::xml::writer::XmlWriter<'_, W>,
                name: &'static $crate::xml::writer::ElementName,
            ) -> $crate::xml::writer::WResult<W> {
                w.open(name)?;
                $crate::message::Content::encode_content(self, w)?;
                w.close(name)
            }

            fn visit(&self, v: &mut dyn $crate::visit::Visitor) {
                $crate::message::Content::visit_content(self, v)
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> arbitrary::Arbitrary<'a> for $name $(<$lt>)? {
            #[allow(unused_variables)]
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                Ok($name { $( $field: u.arbitrary()?, )* })
            }
        }

        $crate::field::single_field!($name $(<$lt>)?);
    };
}
pub(crate) use cwmp_struct;

/// Declares that a struct is the member type of SOAP arrays.
macro_rules! array_item {
    ($($t:ident<'a> => $member:literal, $array_type:literal $(, max $max:literal)?;)*) => {$(
        impl<'a> $crate::array::ArrayItem<'a> for $t<'a> {
            const MEMBER: &'static $crate::xml::writer::ElementName = $crate::xml::writer::element_name!($member);
            const ARRAY_TYPE: &'static str = $array_type;
            $(const MAX_OCCURS: u32 = $max;)?
        }
        impl $crate::array::Lend for $t<'_> {
            type At<'x> = $t<'x>;
        }
    )*};
}
pub(crate) use array_item;
