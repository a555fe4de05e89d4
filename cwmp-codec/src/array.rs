//! Arrays without collecting: [`Array`] (SOAP-encoded arrays, TR-069 §3.5) and [`Repeated`]
//! (a struct member that may occur several times, e.g. `ChangeDUState/Operations`).
//!
//! Decoded, both are lazy views over input the decoder already validated: iterating re-reads
//! the members and cannot fail (DESIGN.md §2). Built for encoding, they borrow the caller's
//! items through [`ItemSource`], a slice or anything that can produce the i-th item on
//! demand, so a 10,000-entry `GetParameterValuesResponse` is written without ever being held
//! in RAM.
//!
//! Items whose text exists only for a moment (a name composed into a scratch buffer, a value
//! formatted on the fly) cannot be returned by value with the array's lifetime: a
//! [`LendingSource`] hands each one, borrowing for a short `'x`, to a callback instead
//! ([`Lend::At`] is the same type at that shorter lifetime). Encoding, `encoded_len` (the same
//! code through a counting writer) and visiting all go through that one callback path.

use core::fmt;

use embedded_io::Write;

use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError};
use crate::field::{member_ns, DecodeElement, EncodeElement, Field};
use crate::visit::Visitor;
use crate::xml::reader::NsContext;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::{ElementName, WResult, XmlWriter};

/// Implements [`Field`] for a single-occurrence generic container.
macro_rules! single_field_generic {
    ($ty:ident) => {
        impl<'a, T: ArrayItem<'a>> Field<'a> for $ty<'a, T> {
            const PLACEHOLDER: Self = $ty {
                inner: Inner::Slice(&[]),
            };
            fn accept(
                field: &mut Self,
                seen: &mut bool,
                r: &mut Reader<'a>,
                tag: &Tag<'a>,
            ) -> Result<(), DecodeError> {
                crate::field::accept_single(field, seen, r, tag)
            }
            fn finish(
                field: &mut Self,
                seen: bool,
                parent: usize,
                r: &mut Reader<'a>,
            ) -> Result<(), DecodeError> {
                crate::field::finish_single(field, seen, parent, r)
            }
            fn absent() -> Option<Self> {
                Some(Self::empty())
            }
            fn encode_field<W: Write>(
                &self,
                w: &mut XmlWriter<'_, W>,
                name: &'static ElementName,
            ) -> WResult<W> {
                self.encode_element(w, name)
            }
            fn visit_field(&self, v: &mut dyn Visitor) {
                self.visit(v)
            }
        }
    };
}

/// Items supplied by the caller for encoding: their number and the i-th of them.
///
/// Implemented for slices. Implement it on a view of your data model to stream a large
/// response: [`get`](ItemSource::get) is called in order, twice per encoding (once by
/// `encoded_len`, once by `encode`), so a cursor cached in a `Cell` makes sequential access
/// O(1).
pub trait ItemSource<T> {
    /// Number of items.
    fn len(&self) -> usize;
    /// The item at `index`, `None` past the end.
    fn get(&self, index: usize) -> Option<T>;
    /// Is the source empty?
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Clone> ItemSource<T> for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn get(&self, index: usize) -> Option<T> {
        <[T]>::get(self, index).cloned()
    }
}

/// A type seen at any lifetime: `Self::At<'x>` is the same struct borrowing for `'x`
/// (`ParameterValueStruct<'x>` for `ParameterValueStruct<'a>`), what a [`LendingSource`]
/// hands out.
pub trait Lend {
    /// The same type, borrowing for `'x`.
    type At<'x>: EncodeElement + 'x;
}

/// The callback a [`LendingSource`] hands each item to.
pub type LendFn<'f, T> = &'f mut (dyn for<'x> FnMut(&'x <T as Lend>::At<'x>) + 'f);

/// Items produced one at a time into a short-lived borrow, for encoding (the counterpart of
/// [`ItemSource`] for items that cannot outlive the call: names composed into a buffer,
/// values formatted into scratch).
///
/// [`lend`](LendingSource::lend) is called in index order, twice per encoding (once by
/// `encoded_len`, once by `encode`), and once per index by a visit; a cursor cached in a
/// `Cell` makes sequential access O(1). A decoded-style [`Array::iter`] of a lending array
/// yields nothing: its items exist only inside the callback.
///
/// ```
/// use core::fmt::Write as _;
/// use cwmp_codec::message::ParameterValueStruct;
/// use cwmp_codec::{LendFn, LendingSource, Value, XmlStr};
///
/// /// `Device.NAT.PortMapping.{i}.Enable`, the name composed for each call.
/// struct Mappings(usize);
/// impl<'a> LendingSource<ParameterValueStruct<'a>> for Mappings {
///     fn len(&self) -> usize {
///         self.0
///     }
///     fn lend<'f>(&self, i: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
///     where
///         ParameterValueStruct<'a>: 'f,
///     {
///         if i >= self.0 {
///             return false;
///         }
///         let mut name = heapless::String::<48>::new();
///         let _ = write!(name, "Device.NAT.PortMapping.{}.Enable", i + 1);
///         f(&ParameterValueStruct { name: XmlStr::new(&name), value: Some(Value::Boolean(true)) });
///         true
///     }
/// }
/// ```
pub trait LendingSource<T> {
    /// Number of items.
    fn len(&self) -> usize;
    /// Calls `f` once with the item at `index` and returns `true`; `false` (without calling
    /// `f`) past the end. The item may borrow from `self` or scratch only for the call.
    fn lend<'f>(&self, index: usize, f: LendFn<'f, T>) -> bool
    where
        T: Lend + 'f;
    /// Is the source empty?
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A member type of a SOAP array: its element name and its `arrayType` (TR-069 §3.5).
pub trait ArrayItem<'a>: DecodeElement<'a> + EncodeElement + Clone + Lend {
    /// Name of each member element (`ParameterValueStruct`, `string`).
    const MEMBER: &'static ElementName;
    /// The `soap-enc:arrayType` value without the count (`cwmp:ParameterValueStruct`).
    const ARRAY_TYPE: &'static str;
    /// The schema's `maxOccurs` for the members (64 EventStruct, …): a decoded array with more
    /// is reported in `schema_deviation` as [`K::TooManyItems`] at the first member too many
    /// (tolerant structure: the members are all there, lazily, in O(1) RAM).
    const MAX_OCCURS: u32 = u32::MAX;
}

/// Where a decoded array's members are, and the namespace context they are read in.
#[derive(Clone, Default)]
struct Lazy<'a> {
    src: &'a str,
    pos: u32,
    count: u32,
    ns: NsContext,
    /// For [`Repeated`]: the element name the members have among their siblings.
    name: &'a str,
}

#[derive(Clone)]
enum Inner<'a, T> {
    Slice(&'a [T]),
    /// Generated by `arbitrary` (feature-gated: needs `alloc`).
    #[cfg(feature = "arbitrary")]
    Owned(alloc::rc::Rc<[T]>),
    Items(&'a dyn ItemSource<T>),
    /// Items lent one at a time ([`LendingSource`]); encoding only.
    Lending(&'a dyn LendingSource<T>),
    Decoded(Lazy<'a>),
}

/// A SOAP-encoded array (`soap-enc:arrayType`), TR-069 §3.5.
///
/// The `arrayType` count is advisory on decode (INTEROP V3): the members present are what
/// counts. On encode it is the number of items.
#[derive(Clone)]
pub struct Array<'a, T> {
    inner: Inner<'a, T>,
}

/// A member element that may repeat among its siblings, without SOAP array encoding (XSD
/// `maxOccurs="unbounded"`: `ChangeDUState/Operations`, `DUStateChangeComplete/Results`,
/// `Fault/SetParameterValuesFault`).
#[derive(Clone)]
pub struct Repeated<'a, T> {
    inner: Inner<'a, T>,
}

impl<'a, T> Inner<'a, T> {
    fn len(&self) -> usize {
        match self {
            Inner::Slice(s) => s.len(),
            #[cfg(feature = "arbitrary")]
            Inner::Owned(s) => s.len(),
            Inner::Items(s) => s.len(),
            Inner::Lending(s) => s.len(),
            Inner::Decoded(l) => l.count as usize,
        }
    }
}

macro_rules! common {
    ($ty:ident) => {
        impl<'a, T> $ty<'a, T> {
            /// Items from the caller, for encoding.
            pub fn new(items: &'a [T]) -> Self
            where
                T: Clone,
            {
                $ty {
                    inner: Inner::Slice(items),
                }
            }

            /// Items owned by the array (for generated values).
            #[cfg(feature = "arbitrary")]
            pub(crate) fn owned(items: alloc::vec::Vec<T>) -> Self {
                $ty {
                    inner: Inner::Owned(items.into()),
                }
            }

            /// Items produced on demand by `source`, for encoding.
            pub fn from_source(source: &'a dyn ItemSource<T>) -> Self {
                $ty {
                    inner: Inner::Items(source),
                }
            }

            /// No items.
            pub fn empty() -> Self
            where
                T: Clone + 'a,
            {
                $ty {
                    inner: Inner::Slice(&[]),
                }
            }

            /// Number of items.
            pub fn len(&self) -> usize {
                self.inner.len()
            }

            /// Are there no items?
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }

        impl<'a, T: DecodeElement<'a> + Clone> $ty<'a, T> {
            /// The items, in order. Never fails: decoded arrays were validated by `decode`.
            pub fn iter(&self) -> Iter<'a, '_, T> {
                Iter::new(&self.inner)
            }
        }

        impl<'a, T: DecodeElement<'a> + Clone + PartialEq> PartialEq for $ty<'a, T> {
            fn eq(&self, other: &Self) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }

        impl<'a, T: DecodeElement<'a> + Clone + fmt::Debug> fmt::Debug for $ty<'a, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }

        impl<'a, T: Clone + 'a> Default for $ty<'a, T> {
            fn default() -> Self {
                Self::empty()
            }
        }

        impl<'a, T: Clone> From<&'a [T]> for $ty<'a, T> {
            fn from(items: &'a [T]) -> Self {
                Self::new(items)
            }
        }

        impl<'a, T: Clone, const N: usize> From<&'a [T; N]> for $ty<'a, T> {
            fn from(items: &'a [T; N]) -> Self {
                Self::new(items)
            }
        }

        #[cfg(feature = "defmt")]
        impl<T> defmt::Format for $ty<'_, T> {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "[{=usize} items]", self.len())
            }
        }
    };
}
common!(Array);
common!(Repeated);

impl<'a, T> Array<'a, T> {
    /// Items lent one at a time by `source` into a short-lived borrow, for encoding
    /// ([`LendingSource`]). [`Array::iter`] of such an array yields nothing; encoding,
    /// `encoded_len` and visiting see every item.
    pub fn from_lending(source: &'a dyn LendingSource<T>) -> Self {
        Array {
            inner: Inner::Lending(source),
        }
    }

    /// Calls `f` with the item at `index` of a lending array ([`Array::from_lending`]) and
    /// returns `true`; `false` for any other array or past the end. Lets an adaptor forward a
    /// lending array it wraps.
    pub fn lend<'f>(&self, index: usize, f: LendFn<'f, T>) -> bool
    where
        T: Lend + 'f,
    {
        match &self.inner {
            Inner::Lending(s) => s.lend(index, f),
            _ => false,
        }
    }

    /// Was this array built by [`Array::from_lending`]?
    pub fn is_lending(&self) -> bool {
        matches!(self.inner, Inner::Lending(_))
    }
}

/// Iterator over an [`Array`] or a [`Repeated`].
pub struct Iter<'a, 'r, T> {
    /// Inside a container element of a repeated field (see `DecodeElement::is_container`).
    in_container: bool,
    slice: Option<&'r [T]>,
    items: Option<&'r dyn ItemSource<T>>,
    /// A decoded array's reader: [`Reader::EMPTY`] until the first `next` resumes it at the
    /// array (a constant, so that `new` writes the iterator straight into its caller's place:
    /// a reader built by `new` was built aside and copied, 400 bytes of stack, issue 12).
    reader: Reader<'a>,
    /// The decoded array still to be resumed at; `None` once resumed, or for the other kinds.
    resume: Option<&'r Lazy<'a>>,
    /// For [`Repeated`]: the element name of the members among their siblings.
    name: &'a str,
    index: usize,
    len: usize,
}

impl<'a, 'r, T> Iter<'a, 'r, T> {
    fn new(inner: &'r Inner<'a, T>) -> Self {
        let (slice, items, resume, len) = match inner {
            #[cfg(feature = "arbitrary")]
            Inner::Owned(s) => (Some(&s[..]), None, None, s.len()),
            Inner::Slice(s) => (Some(*s), None, None, s.len()),
            Inner::Items(s) => (None, Some(*s), None, s.len()),
            // Lent items exist only inside `LendingSource::lend`'s callback.
            Inner::Lending(_) => (None, None, None, 0),
            Inner::Decoded(l) => (None, None, (l.count > 0).then_some(l), l.count as usize),
        };
        Iter {
            in_container: false,
            slice,
            items,
            reader: Reader::EMPTY,
            resume,
            name: "",
            index: 0,
            len,
        }
    }
}

impl<'a, T: DecodeElement<'a> + Clone> Iterator for Iter<'a, '_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.index >= self.len {
            return None;
        }
        self.index = self.index.saturating_add(1);
        if let Some(s) = self.slice {
            return s.get(self.index.saturating_sub(1)).cloned();
        }
        if let Some(s) = self.items {
            return s.get(self.index.saturating_sub(1));
        }
        if let Some(l) = self.resume.take() {
            self.name = l.name;
            self.reader.resume_at(l.src, l.pos as usize, l.ns);
        }
        let r = &mut self.reader;
        let name = self.name;
        loop {
            if self.in_container {
                match r.next_child().ok()? {
                    Some(c) => return T::decode_contained(r, &c).ok(),
                    None => {
                        self.in_container = false;
                        continue;
                    }
                }
            }
            let tag = r.next_child().ok()??;
            // Arrays take every member element; a repeated field only its own name.
            if name.is_empty() {
                return T::decode_element(r, &tag).ok();
            }
            if member_ns(tag.ns) && tag.local.eq_ignore_ascii_case(name) {
                if T::is_container(r, &tag) {
                    self.in_container = true;
                    continue;
                }
                return T::decode_element(r, &tag).ok();
            }
            r.skip().ok()?;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len.saturating_sub(self.index);
        (n, Some(n))
    }
}

impl<'a, T: DecodeElement<'a> + Clone> ExactSizeIterator for Iter<'a, '_, T> {}

// --- Decoding -----------------------------------------------------------------------------

impl<'a, T: ArrayItem<'a>> DecodeElement<'a> for Array<'a, T> {
    fn missing() -> Option<Self> {
        Some(Array::empty())
    }
    const PLACEHOLDER: Self = Array {
        inner: Inner::Slice(&[]),
    };

    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let (src, pos, ns) = r.context();
        let mut count: u32 = 0;
        while let Some(child) = r.next_child()? {
            if count == T::MAX_OCCURS {
                r.tolerate(K::TooManyItems, child.offset);
            }
            T::decode_element(r, &child)?;
            count = count
                .checked_add(1)
                .ok_or(DecodeError::new(K::InputTooLarge, child.offset))?;
        }
        Ok(Array {
            inner: Inner::Decoded(Lazy {
                src,
                pos: u32::try_from(pos).map_err(|_| DecodeError::new(K::InputTooLarge, pos))?,
                count,
                ns,
                name: "",
            }),
        })
    }
}

impl<'a, T: ArrayItem<'a>> EncodeElement for Array<'a, T> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        let n = self.len();
        w.open_with_attributes(name)?;
        w.raw(" soap-enc:arrayType=\"")?;
        w.raw(T::ARRAY_TYPE)?;
        w.raw("[")?;
        w.u64(n as u64)?;
        w.raw("]\">")?;
        encode_items(&self.inner, w, T::MEMBER, n)?;
        w.close(name)
    }

    fn visit(&self, v: &mut dyn Visitor) {
        visit_array_items(&self.inner, v)
    }
}

single_field_generic!(Array);

fn encode_items<'a, T: ArrayItem<'a>, W: Write>(
    inner: &Inner<'a, T>,
    w: &mut XmlWriter<'_, W>,
    member: &'static ElementName,
    n: usize,
) -> WResult<W> {
    let mut written = 0usize;
    if let Inner::Lending(s) = inner {
        while written < n {
            let mut result = Ok(());
            let lent = s.lend(written, &mut |item| {
                if result.is_ok() {
                    result = item.encode_element(w, member);
                }
            });
            result?;
            if !lent {
                break;
            }
            written = written.saturating_add(1);
        }
    }
    for item in Iter::new(inner) {
        item.encode_element(w, member)?;
        written = written.saturating_add(1);
    }
    // A source whose `get` ran dry before `len`: the count written in arrayType would lie.
    if written != n {
        return Err(EncodeError::InvalidValue);
    }
    Ok(())
}

fn visit_array_items<'a, T: ArrayItem<'a>>(inner: &Inner<'a, T>, v: &mut dyn Visitor) {
    if let Inner::Lending(s) = inner {
        for i in 0..s.len() {
            v.enter_index(i);
            let lent = s.lend(i, &mut |item| item.visit(v));
            v.leave();
            if !lent {
                break;
            }
        }
    }
    visit_items(inner, v)
}

fn visit_items<'a, T: DecodeElement<'a> + EncodeElement + Clone>(
    inner: &Inner<'a, T>,
    v: &mut dyn Visitor,
) {
    for (i, item) in Iter::new(inner).enumerate() {
        v.enter_index(i);
        item.visit(v);
        v.leave();
    }
}

impl<'a, T> Field<'a> for Repeated<'a, T>
where
    T: DecodeElement<'a> + EncodeElement + Clone + 'a,
{
    const PLACEHOLDER: Self = Repeated {
        inner: Inner::Slice(&[]),
    };

    /// Every occurrence is validated and counted; iteration restarts at the first one, in
    /// the parent's namespace context.
    fn accept(
        field: &mut Self,
        seen: &mut bool,
        r: &mut Reader<'a>,
        tag: &Tag<'a>,
    ) -> Result<(), DecodeError> {
        if !core::mem::replace(seen, true) {
            let (src, _, ns) = r.context_of_parent();
            field.inner = Inner::Decoded(Lazy {
                src,
                pos: u32::try_from(tag.offset)
                    .map_err(|_| DecodeError::new(K::InputTooLarge, tag.offset))?,
                count: 0,
                ns,
                name: tag.local,
            });
        }
        let mut n: u32 = 0;
        if T::is_container(r, tag) {
            while let Some(c) = r.next_child()? {
                T::decode_contained(r, &c)?;
                n = n.saturating_add(1);
            }
        } else {
            T::decode_element(r, tag)?;
            n = 1;
        }
        if let Inner::Decoded(l) = &mut field.inner {
            l.count = l
                .count
                .checked_add(n)
                .ok_or(DecodeError::new(K::InputTooLarge, tag.offset))?;
        }
        Ok(())
    }

    fn absent() -> Option<Self> {
        Some(Repeated::empty())
    }

    fn finish(
        field: &mut Self,
        seen: bool,
        _parent: usize,
        _r: &mut Reader<'a>,
    ) -> Result<(), DecodeError> {
        if !seen {
            *field = Repeated::empty();
        }
        Ok(())
    }

    fn encode_field<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        let n = self.len();
        let mut written = 0usize;
        for item in Iter::new(&self.inner) {
            item.encode_element(w, name)?;
            written = written.saturating_add(1);
        }
        if written != n {
            return Err(EncodeError::InvalidValue);
        }
        Ok(())
    }

    fn visit_field(&self, v: &mut dyn Visitor) {
        visit_items(&self.inner, v)
    }
}
