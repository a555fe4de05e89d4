//! (Internal.) Streaming XML output: escaping (TR-069 §3.4.1) and the counting writer that gives the
//! exact encoded length from the same code path (DESIGN.md §2).

use core::convert::Infallible;

use embedded_io::{ErrorType, Write};

use super::text::{Chunk, XmlStr};
use crate::error::EncodeError;

/// A writer that only counts bytes: `encoded_len` runs the encoder into it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    /// Bytes written so far.
    pub count: usize,
}

impl ErrorType for Counter {
    type Error = Infallible;
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.count = self.count.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// The error of [`Erased`]: the real writer failed, and its error is kept by the
/// [`with_erased`] call that made the `Erased`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failed;

impl core::fmt::Display for Failed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the writer failed")
    }
}

impl core::error::Error for Failed {}

impl embedded_io::Error for Failed {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

/// A writer seen through `dyn`, keeping the first error of the real writer.
trait ErasedWrite {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Failed>;
}

struct Keep<'w, W: Write> {
    w: &'w mut W,
    error: Option<W::Error>,
}

impl<W: Write> ErasedWrite for Keep<'_, W> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        self.w.write(buf).map_err(|e| {
            self.error = Some(e);
            Failed
        })
    }
}

/// The one writer type the message encoders are compiled for: `encode` into any writer and
/// `encoded_len` (into a [`Counter`]) run the same machine code, one copy in flash rather
/// than one per writer type (DESIGN.md §2, "from the same code path"). Made by [`with_erased`].
pub(crate) struct Erased<'s> {
    /// The real writer; `None` for counting only (`encoded_len`: no indirect call per write).
    sink: Option<&'s mut dyn ErasedWrite>,
    /// Bytes counted so far (without a real writer).
    count: usize,
}

impl ErrorType for Erased<'_> {
    type Error = Failed;
}

impl Write for Erased<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        match &mut self.sink {
            Some(s) => s.write(buf),
            None => {
                self.count = self.count.saturating_add(buf.len());
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> Result<(), Failed> {
        Ok(())
    }
}

/// Runs `f` with an [`XmlWriter`] over an [`Erased`] that only counts; returns the count.
pub(crate) fn count_erased(
    f: impl FnOnce(&mut XmlWriter<'_, Erased<'_>>) -> WResult<Erased<'static>>,
) -> Result<usize, EncodeError<Infallible>> {
    let mut erased = Erased {
        sink: None,
        count: 0,
    };
    f(&mut XmlWriter::new(&mut erased)).map_err(|e| match e {
        // A counting sink never fails.
        EncodeError::Write(Failed) | EncodeError::WriteZero => EncodeError::WriteZero,
        EncodeError::InvalidValue => EncodeError::InvalidValue,
        EncodeError::NotInThisBuild => EncodeError::NotInThisBuild,
    })?;
    Ok(erased.count)
}

/// Runs `f` with an [`XmlWriter`] over `w` seen as an [`Erased`]; the real writer's error
/// comes back as [`EncodeError::Write`].
pub(crate) fn with_erased<W: Write>(
    w: &mut W,
    f: impl FnOnce(&mut XmlWriter<'_, Erased<'_>>) -> WResult<Erased<'static>>,
) -> Result<(), EncodeError<W::Error>> {
    let mut keep = Keep { w, error: None };
    let mut erased = Erased {
        sink: Some(&mut keep),
        count: 0,
    };
    let r = f(&mut XmlWriter::new(&mut erased));
    r.map_err(|e| match e {
        // `Failed` is only returned with the error kept.
        EncodeError::Write(Failed) => keep
            .error
            .take()
            .map_or(EncodeError::WriteZero, EncodeError::Write),
        EncodeError::InvalidValue => EncodeError::InvalidValue,
        EncodeError::WriteZero => EncodeError::WriteZero,
        EncodeError::NotInThisBuild => EncodeError::NotInThisBuild,
    })
}

/// An element name with both its tags spelt out at compile time (`element_name!`): each tag
/// is then one `write` to the sink, which pays per call (a `Vec`, a socket, a TLS record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementName {
    /// `<name>`
    pub(crate) open: &'static str,
    /// `</name>`
    pub(crate) close: &'static str,
}

impl ElementName {
    /// `<name`, for a start tag that carries attributes.
    fn open_without_gt(&self) -> &'static str {
        self.open
            .get(..self.open.len().saturating_sub(1))
            .unwrap_or_default()
    }
}

/// The [`ElementName`] of a literal name.
macro_rules! element_name {
    ($name:expr) => {
        &$crate::xml::writer::ElementName {
            open: concat!("<", $name, ">"),
            close: concat!("</", $name, ">"),
        }
    };
}
pub(crate) use element_name;

/// The low-level XML writer the message encoders share.
pub struct XmlWriter<'w, W: Write> {
    w: &'w mut W,
}

pub type WResult<W> = Result<(), EncodeError<<W as ErrorType>::Error>>;

impl<'w, W: Write> XmlWriter<'w, W> {
    pub(crate) fn new(w: &'w mut W) -> Self {
        XmlWriter { w }
    }

    /// Writes all of `buf`; a writer that accepts nothing is an error, not a hang or a panic.
    pub(crate) fn raw_bytes(&mut self, mut buf: &[u8]) -> WResult<W> {
        while !buf.is_empty() {
            match self.w.write(buf)? {
                0 => return Err(EncodeError::WriteZero),
                n => buf = buf.get(n..).unwrap_or_default(),
            }
        }
        Ok(())
    }

    pub(crate) fn raw(&mut self, s: &str) -> WResult<W> {
        self.raw_bytes(s.as_bytes())
    }

    /// `<name>`, one write.
    pub(crate) fn open(&mut self, name: &'static ElementName) -> WResult<W> {
        self.raw(name.open)
    }

    /// `</name>`, one write.
    pub(crate) fn close(&mut self, name: &'static ElementName) -> WResult<W> {
        self.raw(name.close)
    }

    /// `<name/>`
    pub(crate) fn empty_element(&mut self, name: &'static ElementName) -> WResult<W> {
        self.raw(name.open_without_gt())?;
        self.raw("/>")
    }

    /// `<name` of a start tag whose attributes the caller writes next.
    pub(crate) fn open_with_attributes(&mut self, name: &'static ElementName) -> WResult<W> {
        self.raw(name.open_without_gt())
    }

    /// Escaped text (element content or attribute value).
    pub(crate) fn text(&mut self, s: &str) -> WResult<W> {
        let b = s.as_bytes();
        let mut run = 0usize;
        loop {
            // The next byte that is not written as itself: one table lookup a byte.
            let Some(at) = b
                .get(run..)
                .and_then(first_to_escape)
                .map(|n| run.saturating_add(n))
            else {
                return self.raw_bytes(b.get(run..).unwrap_or_default());
            };
            self.raw_bytes(b.get(run..at).unwrap_or_default())?;
            let c = b.get(at).copied().unwrap_or_default();
            let replacement = match c {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => {
                    // A character outside 9–10 and 32–126 (§3.4.1): a character reference.
                    let ch = s
                        .get(at..)
                        .and_then(|r| r.chars().next())
                        .ok_or(EncodeError::InvalidValue)?;
                    let cp = u32::from(ch);
                    // XML 1.0 `Char` excludes the C0 controls but CR, and U+FFFE/U+FFFF: no
                    // character reference may name them (the decoder rejects `&#65534;`).
                    if (cp < 0x20 && cp != 0x0D) || cp == 0xFFFE || cp == 0xFFFF {
                        return Err(EncodeError::InvalidValue);
                    }
                    self.raw("&#")?;
                    self.u64(u64::from(cp))?;
                    self.raw(";")?;
                    run = at.saturating_add(ch.len_utf8());
                    continue;
                }
            };
            self.raw(replacement)?;
            run = at.saturating_add(1);
        }
    }

    /// Text enumerations (event codes, file types, …) are written with the least escaping: a
    /// well-formed reference already in `s` (`&gt;`, `&#233;`) as it is, and so a comment,
    /// CDATA section or processing instruction the decoder accepts (the reader's own rule,
    /// `reader::misc_markup`; found by `envelope_decode`: a `FileType` holding `<?xl …?>` came
    /// back as `&lt;?xl …`, another value), a bare `&` as `&amp;`, any other `<` as `&lt;`, and
    /// every other character as itself (non-ASCII as UTF-8). An enum borrows its text as sent
    /// (it cannot hold an unescaped copy), so this is what makes decode → encode → decode a
    /// fixed point for them; §3.4.1's SHOULD on escaping non-ASCII yields to that here
    /// (enumeration values are ASCII in practice).
    pub(crate) fn text_keeping_refs(&mut self, s: &str) -> WResult<W> {
        // Not XML characters: the decoder would refuse them.
        if s.contains(['\u{FFFE}', '\u{FFFF}']) {
            return Err(EncodeError::InvalidValue);
        }
        let b = s.as_bytes();
        let mut run = 0usize;
        let mut i = 0usize;
        while let Some(&c) = b.get(i) {
            let replacement = match c {
                b'&' => match super::reader::parse_reference(b.get(i..).unwrap_or_default()) {
                    Some((_, len)) => {
                        i = i.saturating_add(len);
                        continue;
                    }
                    None => "&amp;",
                },
                b'<' => match super::reader::content_markup_len(b.get(i..).unwrap_or_default()) {
                    Some(len) => {
                        i = i.saturating_add(len);
                        continue;
                    }
                    None => "&lt;",
                },
                b'\t' | b'\n' | b'\r' => {
                    i = i.saturating_add(1);
                    continue;
                }
                c if c < 0x20 => return Err(EncodeError::InvalidValue),
                _ => {
                    i = i.saturating_add(1);
                    continue;
                }
            };
            self.raw_bytes(b.get(run..i).unwrap_or_default())?;
            self.raw(replacement)?;
            i = i.saturating_add(1);
            run = i;
        }
        self.raw_bytes(b.get(run..).unwrap_or_default())
    }

    /// [`XmlWriter::display`] through [`XmlWriter::text_keeping_refs`].
    pub(crate) fn display_keeping_refs<T: core::fmt::Display + ?Sized>(
        &mut self,
        v: &T,
    ) -> WResult<W> {
        self.display_through(v, Self::text_keeping_refs)
    }

    /// An [`XmlStr`], re-escaped canonically.
    pub(crate) fn xml_str(&mut self, s: &XmlStr<'_>) -> WResult<W> {
        if let Some(t) = s.as_str() {
            return self.text(t);
        }
        for c in s.chunks() {
            match c {
                Chunk::Str(t) => self.text(t)?,
                Chunk::Char(ch) => {
                    let mut tmp = [0u8; 4];
                    self.text(ch.encode_utf8(&mut tmp))?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn u64(&mut self, v: u64) -> WResult<W> {
        let mut buf = [0u8; 20];
        self.raw_bytes(fmt_u64(v, &mut buf))
    }

    pub(crate) fn i64(&mut self, v: i64) -> WResult<W> {
        if v < 0 {
            self.raw("-")?;
        }
        self.u64(v.unsigned_abs())
    }

    /// Formats `v` straight into `write`, keeping the writer's error.
    fn display_through<T: core::fmt::Display + ?Sized>(
        &mut self,
        v: &T,
        write: fn(&mut Self, &str) -> WResult<W>,
    ) -> WResult<W> {
        struct Adapter<'x, 'w, W: Write> {
            w: &'x mut XmlWriter<'w, W>,
            write: fn(&mut XmlWriter<'w, W>, &str) -> WResult<W>,
            err: Option<EncodeError<W::Error>>,
        }
        impl<W: Write> core::fmt::Write for Adapter<'_, '_, W> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                (self.write)(self.w, s).map_err(|e| {
                    self.err = Some(e);
                    core::fmt::Error
                })
            }
        }
        let mut a = Adapter {
            w: self,
            write,
            err: None,
        };
        match core::fmt::write(&mut a, format_args!("{v}")) {
            Ok(()) => Ok(()),
            Err(_) => Err(a.err.unwrap_or(EncodeError::InvalidValue)),
        }
    }
}

/// Bytes [`XmlWriter::text`] does not write as themselves: `&`, `<`, `>`, `"`, and everything
/// outside tab, LF and 32–126 (TR-069 §3.4.1: non-ASCII and other controls become character
/// references).
// Evaluated at compile time: an out-of-range index would fail the build, not panic.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
static ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0usize;
    while i < 256 {
        let c = i as u8;
        t[i] = !matches!(c, 0x20..=0x7E | b'\t' | b'\n') || matches!(c, b'&' | b'<' | b'>' | b'"');
        i += 1;
    }
    t
};

fn needs_escape(c: u8) -> bool {
    ESCAPED.get(usize::from(c)).copied().unwrap_or(true)
}

/// The index of the first byte of `s` that [`needs_escape`]: eight table lookups OR-ed
/// together per step (no branch a byte), then the exact byte in the step that has one.
fn first_to_escape(s: &[u8]) -> Option<usize> {
    let mut chunks = s.chunks_exact(8);
    let mut base = 0usize;
    for c in &mut chunks {
        if let [a, b, c2, d, e, f, g, h] = *c {
            let any = needs_escape(a)
                | needs_escape(b)
                | needs_escape(c2)
                | needs_escape(d)
                | needs_escape(e)
                | needs_escape(f)
                | needs_escape(g)
                | needs_escape(h);
            if any {
                return c
                    .iter()
                    .position(|&x| needs_escape(x))
                    .map(|i| base.saturating_add(i));
            }
        }
        base = base.saturating_add(8);
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| needs_escape(x))
        .map(|i| base.saturating_add(i))
}

/// Formats `v` in decimal into `buf`; returns the digits (ASCII).
pub(crate) fn fmt_u64(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i = i.saturating_sub(1);
        if let Some(slot) = buf.get_mut(i) {
            // v % 10 < 10, so the addition cannot overflow.
            *slot = b'0'.saturating_add((v % 10) as u8);
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;

    use super::*;

    /// The eight-at-a-time scan finds the same byte as a plain scan, at every position of a
    /// step and in the tail, for every kind of byte that is escaped.
    #[test]
    fn first_to_escape_agrees_with_a_plain_scan() {
        for special in [
            b'&', b'<', b'>', b'"', 0x00, 0x0D, 0x1F, 0x7F, 0x80, 0xC3, 0xFF,
        ] {
            for len in 0..27usize {
                for at in 0..=len {
                    let mut s = vec![b'a'; len];
                    if at < len {
                        s[at] = special;
                    }
                    let plain = s.iter().position(|&c| needs_escape(c));
                    assert_eq!(first_to_escape(&s), plain, "{special:#x} at {at} of {len}");
                }
            }
        }
        assert!(!needs_escape(b'\t') && !needs_escape(b'\n') && !needs_escape(b' '));
        assert!(needs_escape(b'\r'), "CR is written as a reference (§3.4.1)");
    }

    /// Characters XML 1.0 cannot carry are refused, not written as references the decoder
    /// (rightly) rejects: U+FFFE/U+FFFF as well as C0 controls.
    #[test]
    fn encode_refuses_non_xml_characters() {
        for s in ["a\u{0}", "\u{1F}", "\u{FFFE}", "x\u{FFFF}y"] {
            let mut c = Counter::default();
            let mut w = XmlWriter::new(&mut c);
            assert_eq!(w.text(s), Err(EncodeError::InvalidValue), "{s:?}");
        }
        let mut c = Counter::default();
        let mut w = XmlWriter::new(&mut c);
        assert_eq!(w.text("\r\u{FFFD}\u{10FFFF}"), Ok(()));
    }
}
