//! [`XmlStr`]: a string borrowed from the input, raw until asked (DESIGN.md §2).

use core::fmt;

use super::reader::{find_close, parse_reference};

/// A piece of text borrowed from an envelope, or given by the caller for encoding.
///
/// Decoded text is kept exactly as it appeared in the input. When it holds no markup (no
/// entity or character reference, CDATA section or comment: nearly always) it is plain text
/// and [`XmlStr::as_str`] gives it without copying. Otherwise it is unescaped lazily:
/// compare it, iterate its [`chars`](XmlStr::chars) or [`chunks`](XmlStr::chunks), or
/// [`unescape_into`](XmlStr::unescape_into) a caller buffer. All of these are infallible:
/// the markup was validated when the envelope was decoded.
///
/// Equality compares the text, not the markup: `a&amp;b` equals `a&b`.
#[derive(Clone, Copy)]
pub struct XmlStr<'a> {
    raw: &'a str,
    markup: bool,
}

/// A piece of unescaped text produced by [`XmlStr::chunks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Chunk<'a> {
    /// A run of literal text.
    Str(&'a str),
    /// One character written as a reference.
    Char(char),
}

/// The caller's buffer is too small for the unescaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// Bytes needed.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: {} bytes needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

impl<'a> XmlStr<'a> {
    /// The empty string.
    pub const EMPTY: XmlStr<'static> = XmlStr {
        raw: "",
        markup: false,
    };

    /// Literal text, for encoding: it is escaped when written.
    pub const fn new(text: &'a str) -> Self {
        XmlStr {
            raw: text,
            markup: false,
        }
    }

    /// Text as found in validated input; `markup` when it holds references, CDATA or comments.
    pub(crate) const fn from_validated(raw: &'a str, markup: bool) -> Self {
        XmlStr { raw, markup }
    }

    /// The text without copying, when it holds no markup.
    pub fn as_str(&self) -> Option<&'a str> {
        (!self.markup).then_some(self.raw)
    }

    /// The text exactly as it appeared in the input (references and CDATA included).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Does the raw text hold references, CDATA sections or comments?
    pub fn has_markup(&self) -> bool {
        self.markup
    }

    /// The pieces of the unescaped text, in order.
    pub fn chunks(&self) -> Chunks<'a> {
        Chunks {
            rest: self.raw,
            markup: self.markup,
        }
    }

    /// The characters of the unescaped text.
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            chunks: self.chunks(),
            cur: "".chars(),
        }
    }

    /// Length of the unescaped text in bytes (UTF-8).
    pub fn len(&self) -> usize {
        if !self.markup {
            return self.raw.len();
        }
        self.chunks().fold(0usize, |n, c| {
            n.saturating_add(match c {
                Chunk::Str(s) => s.len(),
                Chunk::Char(c) => c.len_utf8(),
            })
        })
    }

    /// Is the unescaped text empty?
    pub fn is_empty(&self) -> bool {
        self.chunks().all(|c| matches!(c, Chunk::Str("")))
    }

    /// The text with XML whitespace (space, tab, newline, return) removed at both ends
    /// (INTEROP V4: typed and structural fields are trimmed; string values are kept raw).
    pub fn trim(&self) -> XmlStr<'a> {
        // Validated text holds no control characters but tab, newline and return, so ASCII
        // whitespace is exactly XML whitespace here.
        XmlStr {
            raw: self.raw.trim_ascii(),
            markup: self.markup,
        }
    }

    /// Unescapes the text into `buf`.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the length needed; `buf` is then left partly written.
    pub fn unescape_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, BufferTooSmall> {
        let needed = self.len();
        let out = buf.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
        let mut at = 0usize;
        for c in self.chunks() {
            let mut tmp = [0u8; 4];
            let piece: &[u8] = match c {
                Chunk::Str(s) => s.as_bytes(),
                Chunk::Char(ch) => ch.encode_utf8(&mut tmp).as_bytes(),
            };
            let end = at.saturating_add(piece.len());
            if let Some(dst) = out.get_mut(at..end) {
                dst.copy_from_slice(piece);
            }
            at = end;
        }
        core::str::from_utf8(out).map_err(|_| BufferTooSmall { needed })
    }

    /// The text as a `&str`: borrowed when plain, otherwise unescaped into `scratch`.
    /// `None` when `scratch` is too small.
    pub fn to_str<'b>(&self, scratch: &'b mut [u8]) -> Option<&'b str>
    where
        'a: 'b,
    {
        match self.as_str() {
            Some(s) => Some(s),
            None => self.unescape_into(scratch).ok(),
        }
    }

    /// Compares the unescaped text with `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        match self.as_str() {
            Some(t) => t == s,
            None => self.chars().eq(s.chars()),
        }
    }
}

impl<'a> From<&'a str> for XmlStr<'a> {
    fn from(s: &'a str) -> Self {
        XmlStr::new(s)
    }
}

impl Default for XmlStr<'_> {
    fn default() -> Self {
        XmlStr::EMPTY
    }
}

impl PartialEq for XmlStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_str(), other.as_str()) {
            (Some(a), Some(b)) => a == b,
            _ => self.chars().eq(other.chars()),
        }
    }
}

impl Eq for XmlStr<'_> {}

impl PartialEq<str> for XmlStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for XmlStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for XmlStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.chunks() {
            match c {
                Chunk::Str(s) => f.write_str(s)?,
                Chunk::Char(c) => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for XmlStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.chars() {
            for e in c.escape_debug() {
                fmt::Write::write_char(f, e)?;
            }
        }
        f.write_str("\"")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for XmlStr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.raw)
    }
}

/// Iterator over the [`Chunk`]s of an [`XmlStr`].
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    rest: &'a str,
    markup: bool,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Chunk<'a>;

    fn next(&mut self) -> Option<Chunk<'a>> {
        if !self.markup {
            if self.rest.is_empty() {
                return None;
            }
            let s = self.rest;
            self.rest = "";
            return Some(Chunk::Str(s));
        }
        loop {
            let b = self.rest.as_bytes();
            match b.first()? {
                b'&' => {
                    let (c, len) = parse_reference(b)?;
                    self.rest = self.rest.get(len..)?;
                    return Some(Chunk::Char(c));
                }
                b'<' => {
                    // `find_close`, not `str::find`: a two-way searcher costs 224 bytes of
                    // stack (and its code) for a 2- or 3-byte pattern.
                    let (skip_to, content) = if let Some(r) = self.rest.strip_prefix("<![CDATA[") {
                        let end = find_close(r.as_bytes(), b"]]>")?;
                        (end.checked_add(12)?, r.get(..end))
                    } else if let Some(r) = self.rest.strip_prefix("<!--") {
                        (find_close(r.as_bytes(), b"-->")?.checked_add(7)?, None)
                    } else if let Some(r) = self.rest.strip_prefix("<?") {
                        (find_close(r.as_bytes(), b"?>")?.checked_add(4)?, None)
                    } else {
                        return None;
                    };
                    self.rest = self.rest.get(skip_to..)?;
                    if let Some(c) = content {
                        return Some(Chunk::Str(c));
                    }
                }
                _ => {
                    let end = memchr::memchr2(b'&', b'<', b).unwrap_or(b.len());
                    let (s, rest) = self.rest.split_at_checked(end)?;
                    self.rest = rest;
                    return Some(Chunk::Str(s));
                }
            }
        }
    }
}

/// Iterator over the characters of an [`XmlStr`].
#[derive(Debug, Clone)]
pub struct Chars<'a> {
    chunks: Chunks<'a>,
    cur: core::str::Chars<'a>,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            if let Some(c) = self.cur.next() {
                return Some(c);
            }
            match self.chunks.next()? {
                Chunk::Str(s) => self.cur = s.chars(),
                Chunk::Char(c) => return Some(c),
            }
        }
    }
}
