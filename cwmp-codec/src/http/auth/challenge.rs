//! Parsing `WWW-Authenticate` and `Authorization` field values (RFC 9110 §11.6.1, §11.4):
//! one or more challenges (or one set of credentials), each `scheme [ token68 / #auth-param ]`,
//! with values as tokens or quoted strings (INTEROP C3: unquoted values, unknown parameters,
//! several challenges in one field).
//!
//! Values stay borrowed as [`ParamValue`]; a quoted string is unescaped lazily.

use core::fmt;

use crate::http::cookie::is_tchar;

/// A malformed challenge or credentials field; `offset` is the byte offset in the field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct AuthParseError {
    /// Byte offset of the fault in the field value.
    pub offset: usize,
}

impl fmt::Display for AuthParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed authentication field at byte {}", self.offset)
    }
}

impl core::error::Error for AuthParseError {}

/// An auth-param value: a token, or a quoted string (kept with its escapes, without the quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParamValue<'a> {
    raw: &'a [u8],
    quoted: bool,
}

impl<'a> ParamValue<'a> {
    /// A plain (unquoted) value.
    pub const fn plain(raw: &'a [u8]) -> Self {
        Self { raw, quoted: false }
    }

    /// The value as it appears between the quotes (escapes not removed).
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// True when the value was a quoted string.
    pub const fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// The value as contiguous pieces with quoted-pair backslashes removed (RFC 9110 §5.6.4).
    pub fn pieces(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let quoted = self.quoted;
        let mut rest = self.raw;
        core::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            if !quoted {
                return Some(core::mem::take(&mut rest));
            }
            match rest.iter().position(|&b| b == b'\\') {
                Some(0) => {
                    // "\x" gives x.
                    let (piece, tail) = rest
                        .get(1..)
                        .unwrap_or(&[])
                        .split_at_checked(1)
                        .unwrap_or((&[], &[]));
                    rest = tail;
                    Some(piece)
                }
                Some(p) => {
                    let (piece, tail) = rest.split_at_checked(p).unwrap_or((rest, &[]));
                    rest = tail;
                    Some(piece)
                }
                None => Some(core::mem::take(&mut rest)),
            }
        })
    }

    /// The unescaped bytes.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.pieces().flat_map(|p| p.iter().copied())
    }

    /// Unescaped length.
    pub fn len(&self) -> usize {
        self.pieces()
            .map(<[u8]>::len)
            .fold(0, usize::saturating_add)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Exact comparison of the unescaped value with `other`.
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        self.len() == other.len() && self.bytes().zip(other.iter()).all(|(a, &b)| a == b)
    }

    /// ASCII case-insensitive comparison of the unescaped value with `other`.
    pub fn eq_ignore_ascii_case(&self, other: &[u8]) -> bool {
        self.len() == other.len()
            && self
                .bytes()
                .zip(other.iter())
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// Unescapes into `out`; `None` when it does not fit.
    pub fn unescape_into<'o>(&self, out: &'o mut [u8]) -> Option<&'o [u8]> {
        let mut n = 0usize;
        for p in self.pieces() {
            let end = n.checked_add(p.len())?;
            out.get_mut(n..end)?.copy_from_slice(p);
            n = end;
        }
        let out: &'o [u8] = out;
        out.get(..n)
    }
}

/// An authentication scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Basic` (RFC 7617).
    Basic,
    /// `Digest` (RFC 7616).
    Digest,
    /// Anything else (`Bearer`, `Negotiate`, ...): ignored by CWMP.
    Other,
}

/// One challenge (or one set of credentials): a scheme and its token68 or parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Challenge<'a> {
    /// The scheme.
    pub scheme: AuthScheme,
    /// The scheme name as sent.
    pub scheme_name: &'a [u8],
    /// A token68 (Basic credentials), if that form was used.
    pub token68: Option<&'a [u8]>,
    params: &'a [u8],
}

impl<'a> Challenge<'a> {
    /// The auth-params, in order (names as sent; compare case-insensitively).
    pub fn params(&self) -> Params<'a> {
        Params {
            input: self.params,
            pos: 0,
        }
    }

    /// The first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &[u8]) -> Option<ParamValue<'a>> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// Iterator over `name=value` pairs of a validated [`Challenge`].
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Params<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Params<'a> {
    type Item = (&'a [u8], ParamValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (s, e) = next_element(self.input, &mut self.pos).ok()??;
            let el = self.input.get(s..e).unwrap_or(&[]);
            if el.is_empty() {
                continue;
            }
            if let Ok(p) = parse_param(el, s) {
                return Some(p);
            }
        }
    }
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Next top-level comma-separated element of `input` from `*pos`, trimmed: `(start, end)`.
fn next_element(input: &[u8], pos: &mut usize) -> Result<Option<(usize, usize)>, AuthParseError> {
    if *pos > input.len() || (*pos == input.len() && !input.is_empty()) {
        return Ok(None);
    }
    if input.is_empty() {
        *pos = 1;
        return Ok(None);
    }
    let start = *pos;
    let mut i = start;
    let mut in_quotes = false;
    let mut quote_start = 0usize;
    while let Some(&b) = input.get(i) {
        if in_quotes {
            match b {
                b'\\' => i = i.saturating_add(1),
                b'"' => in_quotes = false,
                _ => {}
            }
        } else if b == b'"' {
            in_quotes = true;
            quote_start = i;
        } else if b == b',' {
            break;
        }
        i = i.saturating_add(1);
    }
    if in_quotes {
        return Err(AuthParseError {
            offset: quote_start,
        });
    }
    let end = i.min(input.len());
    *pos = end.saturating_add(1);
    let mut s = start;
    let mut e = end;
    while s < e && input.get(s).copied().is_some_and(is_ws) {
        s = s.saturating_add(1);
    }
    while e > s && input.get(e.saturating_sub(1)).copied().is_some_and(is_ws) {
        e = e.saturating_sub(1);
    }
    Ok(Some((s, e)))
}

/// Length of the token at the start of `b`.
fn token_len(b: &[u8]) -> usize {
    b.iter().take_while(|&&c| is_tchar(c)).count()
}

/// True when `el` is `token OWS "="` ... (an auth-param rather than a new challenge).
fn is_param(el: &[u8]) -> bool {
    let n = token_len(el);
    n > 0 && el.get(n..).unwrap_or(&[]).iter().find(|&&b| !is_ws(b)) == Some(&b'=')
}

/// Parses `name OWS = OWS value OWS`; `base` is the element's offset for errors.
fn parse_param(el: &[u8], base: usize) -> Result<(&[u8], ParamValue<'_>), AuthParseError> {
    let at = |o: usize| AuthParseError {
        offset: base.saturating_add(o),
    };
    let n = token_len(el);
    if n == 0 {
        return Err(at(0));
    }
    let name = el.get(..n).unwrap_or(&[]);
    let mut i = n;
    while el.get(i).copied().is_some_and(is_ws) {
        i = i.saturating_add(1);
    }
    if el.get(i) != Some(&b'=') {
        return Err(at(i));
    }
    i = i.saturating_add(1);
    while el.get(i).copied().is_some_and(is_ws) {
        i = i.saturating_add(1);
    }
    let rest = el.get(i..).unwrap_or(&[]);
    if rest.first() == Some(&b'"') {
        // Find the closing quote, honouring quoted-pairs.
        let mut j = 1usize;
        loop {
            match rest.get(j) {
                Some(b'\\') => j = j.saturating_add(2),
                Some(b'"') => break,
                Some(_) => j = j.saturating_add(1),
                None => return Err(at(i)),
            }
        }
        let inner = rest.get(1..j).unwrap_or(&[]);
        let after = rest.get(j.saturating_add(1)..).unwrap_or(&[]);
        if let Some(p) = after.iter().position(|&b| !is_ws(b)) {
            return Err(at(i.saturating_add(j).saturating_add(1).saturating_add(p)));
        }
        Ok((
            name,
            ParamValue {
                raw: inner,
                quoted: true,
            },
        ))
    } else {
        // Token (tolerating a few extra visible bytes real peers put unquoted, e.g. '/' in uri).
        let v_len = rest
            .iter()
            .take_while(|&&b| b > 0x20 && b != 0x7f && b != b'"' && b != b',')
            .count();
        let after = rest.get(v_len..).unwrap_or(&[]);
        if let Some(p) = after.iter().position(|&b| !is_ws(b)) {
            return Err(at(i.saturating_add(v_len).saturating_add(p)));
        }
        Ok((
            name,
            ParamValue {
                raw: rest.get(..v_len).unwrap_or(&[]),
                quoted: false,
            },
        ))
    }
}

fn is_token68(b: &[u8]) -> bool {
    let n = b
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || b"-._~+/".contains(&c))
        .count();
    n > 0 && b.get(n..).unwrap_or(&[]).iter().all(|&c| c == b'=')
}

/// Iterator over the challenges of one `WWW-Authenticate` field value (also parses the single
/// credentials of an `Authorization` value). Yields an error once and then stops.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Challenges<'a> {
    input: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Challenges<'a> {
    /// Iterates the challenges in `field_value`.
    pub const fn new(field_value: &'a [u8]) -> Self {
        Self {
            input: field_value,
            pos: 0,
            failed: false,
        }
    }

    fn next_challenge(&mut self) -> Result<Option<Challenge<'a>>, AuthParseError> {
        let (s, e) = loop {
            match next_element(self.input, &mut self.pos)? {
                None => return Ok(None),
                Some((s, e)) if s == e => continue,
                Some(r) => break r,
            }
        };
        let el = self.input.get(s..e).unwrap_or(&[]);
        let n = token_len(el);
        if n == 0 || is_param(el) {
            // A parameter with no scheme before it.
            return Err(AuthParseError { offset: s });
        }
        let scheme_name = el.get(..n).unwrap_or(&[]);
        let scheme = if scheme_name.eq_ignore_ascii_case(b"basic") {
            AuthScheme::Basic
        } else if scheme_name.eq_ignore_ascii_case(b"digest") {
            AuthScheme::Digest
        } else {
            AuthScheme::Other
        };
        let after = el.get(n..).unwrap_or(&[]);
        let ws = after.iter().take_while(|&&b| is_ws(b)).count();
        if ws == 0 && !after.is_empty() {
            return Err(AuthParseError {
                offset: s.saturating_add(n),
            });
        }
        let first_at = s.saturating_add(n).saturating_add(ws);
        let first = self.input.get(first_at..e).unwrap_or(&[]);
        if first.is_empty() {
            return Ok(Some(Challenge {
                scheme,
                scheme_name,
                token68: None,
                params: &[],
            }));
        }
        if is_token68(first) {
            return Ok(Some(Challenge {
                scheme,
                scheme_name,
                token68: Some(first),
                params: &[],
            }));
        }
        parse_param(first, first_at)?;
        // Take following elements while they are parameters.
        let mut end = e;
        loop {
            let save = self.pos;
            match next_element(self.input, &mut self.pos)? {
                Some((ps, pe)) if ps == pe => end = end.max(pe),
                Some((ps, pe)) => {
                    let pel = self.input.get(ps..pe).unwrap_or(&[]);
                    if is_param(pel) {
                        parse_param(pel, ps)?;
                        end = pe;
                    } else {
                        self.pos = save;
                        break;
                    }
                }
                None => break,
            }
        }
        let params = self.input.get(first_at..end).unwrap_or(&[]);
        Ok(Some(Challenge {
            scheme,
            scheme_name,
            token68: None,
            params,
        }))
    }
}

impl<'a> Iterator for Challenges<'a> {
    type Item = Result<Challenge<'a>, AuthParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_challenge() {
            Ok(c) => c.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn all(v: &[u8]) -> Result<Vec<Challenge<'_>>, AuthParseError> {
        Challenges::new(v).collect()
    }

    #[test]
    fn several_challenges_one_field() {
        let v = b"Basic realm=\"cwmp\", Digest realm=\"cwmp, inc\", nonce=abc123, qop=\"auth,auth-int\", charset=UTF-8, userhash=true, Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"";
        let cs = all(v).unwrap();
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[0].scheme, AuthScheme::Basic);
        assert!(cs[0].param(b"REALM").unwrap().eq_bytes(b"cwmp"));
        assert_eq!(cs[1].scheme, AuthScheme::Digest);
        assert!(cs[1].param(b"realm").unwrap().eq_bytes(b"cwmp, inc"));
        assert!(cs[1].param(b"nonce").unwrap().eq_bytes(b"abc123"));
        assert!(!cs[1].param(b"nonce").unwrap().is_quoted());
        assert!(cs[1].param(b"qop").unwrap().eq_bytes(b"auth,auth-int"));
        assert_eq!(cs[1].params().count(), 5);
        assert_eq!(cs[2].scheme, AuthScheme::Other);
        let title = cs[2].param(b"title").unwrap();
        assert!(title.eq_bytes(b"Login to \"apps\""));
        let mut buf = [0u8; 32];
        assert_eq!(title.unescape_into(&mut buf).unwrap(), b"Login to \"apps\"");
    }

    #[test]
    fn token68_and_bare_scheme() {
        let cs = all(b"Basic dXNlcjpwYXNz").unwrap();
        assert_eq!(cs[0].token68, Some(&b"dXNlcjpwYXNz"[..]));
        let cs = all(b"Basic YQ==").unwrap();
        assert_eq!(cs[0].token68, Some(&b"YQ=="[..]));
        let cs = all(b"Negotiate, Basic realm=x").unwrap();
        assert_eq!(cs.len(), 2);
        assert!(cs[1].param(b"realm").unwrap().eq_bytes(b"x"));
        assert!(all(b"").unwrap().is_empty());
        assert!(all(b" , ,").unwrap().is_empty());
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(all(b"realm=x").unwrap_err().offset, 0);
        assert_eq!(all(b"Digest realm=\"x").unwrap_err().offset, 13);
        assert_eq!(all(b"Digest realm=\"x\"y").unwrap_err().offset, 16);
        assert_eq!(all(b"Digest realm=a b").unwrap_err().offset, 15);
        assert_eq!(all(b"Digest realm=a, =b").unwrap_err().offset, 16);
        assert_eq!(
            all(b"Digest realm").unwrap()[0].token68,
            Some(&b"realm"[..])
        );
        assert_eq!(all(b"Digest\"x\"").unwrap_err().offset, 6);
    }
}
