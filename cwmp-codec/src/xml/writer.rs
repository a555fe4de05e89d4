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
    /// Small writes (tags are 5–40 bytes) gather here and reach the real writer a stage at a
    /// time: one indirect call per [`STAGE`] bytes rather than per tag (issue 12: encode Ir
    /// −12 % on the Inform, −10 % on a GetParameterValuesResponse).
    stage: [u8; STAGE],
    /// Bytes in `stage`.
    staged: usize,
}

/// The staging buffer's size, on the encoder's stack (256 would save another 5 % of encode
/// instructions for 128 more bytes of stack).
const STAGE: usize = 128;

impl Erased<'_> {
    /// A write that does not fit in the stage: flush it, then stage `buf` or, when larger than
    /// the stage, pass it straight through (`raw_bytes` writes what the sink leaves).
    #[cold]
    #[inline(never)]
    fn write_slow(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        self.flush_stage()?;
        if let Some(dst) = self.stage.get_mut(..buf.len()) {
            dst.copy_from_slice(buf);
            self.staged = buf.len();
            return Ok(buf.len());
        }
        match &mut self.sink {
            Some(s) => s.write(buf),
            None => Ok(buf.len()),
        }
    }

    /// Hands the staged bytes to the real writer (all of them, or the error).
    fn flush_stage(&mut self) -> Result<(), Failed> {
        let Some(sink) = &mut self.sink else {
            return Ok(());
        };
        let mut done = 0usize;
        while done < self.staged {
            let rest = self.stage.get(done..self.staged).unwrap_or_default();
            match sink.write(rest)? {
                // A writer that takes nothing: `with_erased` reports `WriteZero`.
                0 => return Err(Failed),
                n => done = done.saturating_add(n),
            }
        }
        self.staged = 0;
        Ok(())
    }
}

impl ErrorType for Erased<'_> {
    type Error = Failed;
}

impl Write for Erased<'_> {
    // Inlined into every `raw_bytes`: counting, or a copy into the stage.
    #[inline(always)]
    fn write(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        if self.sink.is_none() {
            self.count = self.count.saturating_add(buf.len());
            return Ok(buf.len());
        }
        let end = self.staged.saturating_add(buf.len());
        if let Some(dst) = self.stage.get_mut(self.staged..end) {
            dst.copy_from_slice(buf);
            self.staged = end;
            return Ok(buf.len());
        }
        self.write_slow(buf)
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
        stage: [0; STAGE],
        staged: 0,
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
        stage: [0; STAGE],
        staged: 0,
    };
    // The last stage reaches the writer only when the encoding is complete: a failed encoding
    // leaves the writer with a prefix, as before, only a shorter one.
    let r = f(&mut XmlWriter::new(&mut erased))
        .and_then(|()| erased.flush_stage().map_err(EncodeError::Write));
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

    /// Escaped text (element content or attribute value). White space at either end is
    /// written as character references: the decoder trims typed and structural fields
    /// (INTEROP V4) of their raw white space only, so a value whose content starts or ends with
    /// white space (it came from a reference, or from after a comment or PI) encodes to text
    /// that decodes to the same value (found by `envelope_decode`, finding 15).
    pub(crate) fn text(&mut self, s: &str) -> WResult<W> {
        let b = s.as_bytes();
        if !b.first().is_some_and(is_xml_ws) && !b.last().is_some_and(is_xml_ws) {
            return self.text_inner(s);
        }
        let lead = b.iter().take_while(|c| is_xml_ws(c)).count();
        let trail = b.iter().rev().take_while(|c| is_xml_ws(c)).count();
        self.text_piece(s, 0, lead, b.len().saturating_sub(trail))
    }

    /// `piece`, which starts at byte `pos` of a value's text: its bytes before `lead` (the
    /// value's leading white space) and from `trail` on (its trailing white space) as
    /// references, the rest through [`XmlWriter::text_inner`]. White space is ASCII, so the
    /// splits fall on character boundaries.
    #[cold]
    #[inline(never)]
    fn text_piece(&mut self, piece: &str, pos: usize, lead: usize, trail: usize) -> WResult<W> {
        let reference = |c: u8| match c {
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            _ => "&#32;",
        };
        let b = piece.as_bytes();
        let end = pos.saturating_add(b.len());
        // The piece's own offsets of the middle part.
        let from = lead.clamp(pos, end).saturating_sub(pos);
        let to = trail.clamp(pos, end).saturating_sub(pos).max(from);
        for &c in b.get(..from).unwrap_or_default() {
            self.raw(reference(c))?;
        }
        self.text_inner(piece.get(from..to).unwrap_or_default())?;
        for &c in b.get(to..).unwrap_or_default() {
            self.raw(reference(c))?;
        }
        Ok(())
    }

    fn text_inner(&mut self, s: &str) -> WResult<W> {
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
        // Where the character data after the last kept reference or markup starts: a `]]>`
        // inside it is written `]]&gt;` (XML 1.0 §2.4), but the `]]>` that closes a kept CDATA
        // section is its own.
        let mut data_from = 0usize;
        while let Some(&c) = b.get(i) {
            let replacement = match c {
                b'&' => match super::reader::parse_reference(b.get(i..).unwrap_or_default()) {
                    Some((_, len)) => {
                        i = i.saturating_add(len);
                        data_from = i;
                        continue;
                    }
                    None => "&amp;",
                },
                b'<' => match super::reader::content_markup_len(b.get(i..).unwrap_or_default()) {
                    Some(len) => {
                        i = i.saturating_add(len);
                        data_from = i;
                        continue;
                    }
                    None => "&lt;",
                },
                b'>' if i >= data_from.saturating_add(2)
                    && b.get(i.saturating_sub(2)..i) == Some(b"]]") =>
                {
                    "&gt;"
                }
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
        // The value's leading and trailing white space, across its pieces (a first pass).
        let (mut len, mut lead, mut run, mut in_lead) = (0usize, 0usize, 0usize, true);
        for c in s.chunks() {
            let mut tmp = [0u8; 4];
            let t = match c {
                Chunk::Str(t) => t,
                Chunk::Char(ch) => ch.encode_utf8(&mut tmp),
            };
            for b in t.bytes() {
                if is_xml_ws(&b) {
                    run = run.saturating_add(1);
                    if in_lead {
                        lead = lead.saturating_add(1);
                    }
                } else {
                    run = 0;
                    in_lead = false;
                }
            }
            len = len.saturating_add(t.len());
        }
        let trail = len.saturating_sub(run);
        let mut pos = 0usize;
        for c in s.chunks() {
            let mut tmp = [0u8; 4];
            let t = match c {
                Chunk::Str(t) => t,
                Chunk::Char(ch) => ch.encode_utf8(&mut tmp),
            };
            let end = pos.saturating_add(t.len());
            if pos >= lead && end <= trail {
                self.text_inner(t)?;
            } else {
                self.text_piece(t, pos, lead, trail)?;
            }
            pos = end;
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

/// XML white space (space, tab, LF, CR).
fn is_xml_ws(c: &u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
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

/// The bytes of `x` that may need escaping, as the high bit of each (SWAR, eight bytes in a
/// few ALU operations): those ≥ 0x7F, below 0x20, `<`, `>`, `"` and `&`. Tab and LF are
/// flagged too (below 0x20) though written as themselves; the caller checks the flagged bytes
/// exactly. No carry crosses a byte: every per-byte sum stays below 0x100.
fn may_need_escape(x: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = !HI;
    let x7 = x & LOW7;
    // (b & 0x7F) + 1 reaches 0x80 only for 0x7F; `| x` adds every byte ≥ 0x80.
    let ge_7f = (x7.wrapping_add(LO) | x) & HI;
    // (b & 0x7F) + 0x60 stays below 0x80 only for b & 0x7F < 0x20.
    let lt_20 = !x7.wrapping_add(LO.wrapping_mul(0x60)) & HI;
    // A zero byte of `y` has neither its low seven bits nor its high bit set.
    let zero = |y: u64| !((y & LOW7).wrapping_add(LOW7) | y) & HI;
    // 0x3C `<` and 0x3E `>` are the bytes that OR 0x02 makes 0x3E; 0x22 `"` and 0x26 `&` the
    // ones that OR 0x04 makes 0x26.
    let lt_gt = zero((x | LO.wrapping_mul(0x02)) ^ LO.wrapping_mul(0x3E));
    let quot_amp = zero((x | LO.wrapping_mul(0x04)) ^ LO.wrapping_mul(0x26));
    ge_7f | lt_20 | lt_gt | quot_amp
}

/// The index of the first byte of `s` that [`needs_escape`]: eight bytes a step through
/// [`may_need_escape`], then the exact byte in a step that flags one.
fn first_to_escape(s: &[u8]) -> Option<usize> {
    let mut chunks = s.chunks_exact(8);
    let mut base = 0usize;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if may_need_escape(u64::from_le_bytes(w)) != 0 {
            if let Some(i) = c.iter().position(|&x| needs_escape(x)) {
                return Some(base.saturating_add(i));
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
        // Every byte value, at every position of a step and in the tail, among fillers that
        // are the flagged bytes' neighbours (and tab/LF, flagged but not escaped).
        for filler in [
            b'a', b'=', b'?', b'\'', b'#', b'%', b'~', b' ', b'\t', b'\n',
        ] {
            for special in 0..=255u8 {
                for len in 0..19usize {
                    for at in 0..=len {
                        let mut s = vec![filler; len];
                        if at < len {
                            s[at] = special;
                        }
                        let plain = s.iter().position(|&c| needs_escape(c));
                        assert_eq!(
                            first_to_escape(&s),
                            plain,
                            "{special:#x} at {at} of {len} in {filler:#x}"
                        );
                    }
                }
            }
        }
        // The flags never miss a byte that needs escaping, in any of the eight lanes.
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut w = [b'a'; 8];
                w[lane] = b;
                let flagged = may_need_escape(u64::from_le_bytes(w)) & (0x80 << (8 * lane)) != 0;
                assert!(flagged || !needs_escape(b), "{b:#x} in lane {lane}");
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
