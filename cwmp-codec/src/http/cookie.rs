//! A fixed-capacity cookie jar for one CWMP Session (TR-069 §3.4.2, RFC 6265, INTEROP C1).
//!
//! TR-069 asks the CPE to return every cookie the ACS set in **every** later POST of the Session,
//! to hold several cookies and at least 512 bytes of them, and to expect old Netscape-style
//! cookies. Cookies need not outlive the Session: call [`CookieJar::clear`] when it ends.
//!
//! The jar keeps only `name=value` pairs, already serialised as the `Cookie` header value
//! (`a=1; b=2`), so [`CookieJar::header_value`] is a plain borrow. Attributes (`Path`, `Domain`,
//! `Expires`, `Secure`, `HttpOnly`, ...) are ignored: a CWMP Session talks to one ACS, cookies go
//! to a redirect target without domain checks (§3.4.2), and naive `Path` matching breaks real
//! ACSs (C1). `Max-Age` of zero or less deletes the cookie. `Expires` is not compared with a clock
//! (the CPE may have none); an ACS that deletes with an old `Expires` date alone is not honoured.
//!
//! One `Set-Cookie` field may carry several cookies separated by commas (seen in the field); a
//! comma starts a new cookie only when `name=` follows it, so `Expires=Wed, 21 Oct 2015 ...` stays
//! whole.

use core::fmt;

use super::fields::trim_ows;
use super::limits::DEFAULT_COOKIE_STORAGE;

/// Why a cookie could not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CookieError {
    /// The jar has no room for this cookie (the jar keeps what it had, minus an older cookie of
    /// the same name, which was replaced).
    Full,
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full => f.write_str("cookie jar full"),
        }
    }
}

impl core::error::Error for CookieError {}

/// A cookie jar holding up to `N` bytes of `name=value; ` text. `N` defaults to 1024 and should
/// be at least [`MIN_COOKIE_STORAGE`](super::limits::MIN_COOKIE_STORAGE) (TR-069 §3.4.2).
#[derive(Clone)]
pub struct CookieJar<const N: usize = DEFAULT_COOKIE_STORAGE> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> fmt::Debug for CookieJar<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieJar")
            .field("cookies", &self.header_value())
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for CookieJar<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "CookieJar({=usize} bytes)", self.len);
    }
}

impl<const N: usize> Default for CookieJar<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// True for an RFC 9110 token byte (cookie names are tokens, RFC 6265 §4.1.1).
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A cookie-value byte we can echo safely: visible ASCII or non-ASCII, no `;`, `,` kept only
/// inside the value when it does not start a new cookie, no whitespace or control bytes.
fn is_value_byte(b: u8) -> bool {
    b > 0x20 && b != 0x7f && b != b';'
}

impl<const N: usize> CookieJar<N> {
    /// An empty jar.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// The `Cookie` header value (`a=1; b=2`), or `None` when the jar is empty.
    pub fn header_value(&self) -> Option<&str> {
        let s = self
            .buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())?;
        (!s.is_empty()).then_some(s)
    }

    /// True when no cookie is stored.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes used (the length of the `Cookie` value).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Forgets every cookie (at the end of a Session).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The stored cookies as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header_value()
            .into_iter()
            .flat_map(|s| s.split("; "))
            .filter_map(|c| c.split_once('='))
    }

    /// The value of cookie `name`, if stored.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Removes cookie `name`; returns whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let Some((start, end)) = self.find(name.as_bytes()) else {
            return false;
        };
        // Remove "name=value" plus one "; " separator (after it, or before it if last).
        let (cut_start, cut_end) = if end < self.len {
            (start, end.saturating_add(2))
        } else {
            (start.saturating_sub(2), end)
        };
        let tail = self.len;
        if cut_end < tail {
            if let Some(region) = self.buf.get_mut(cut_start..tail) {
                region.copy_within(cut_end.saturating_sub(cut_start).., 0);
            }
        }
        self.len = tail.saturating_sub(cut_end.saturating_sub(cut_start));
        true
    }

    /// Byte range of `name=value` for cookie `name`.
    fn find(&self, name: &[u8]) -> Option<(usize, usize)> {
        let stored = self.buf.get(..self.len)?;
        let mut start = 0usize;
        for item in stored.split(|&b| b == b';') {
            // Items after the first start with the space of "; ".
            let lead = usize::from(start > 0);
            let body = item.get(lead..).unwrap_or(&[]);
            let item_start = start.saturating_add(lead);
            let item_end = start.saturating_add(item.len());
            if body.split(|&b| b == b'=').next() == Some(name) {
                return Some((item_start, item_end));
            }
            start = item_end.saturating_add(1);
        }
        None
    }

    /// Stores `name=value`, replacing a cookie of the same name (RFC 6265 §5.3 step 11).
    ///
    /// Invalid names (not a token) or values (whitespace, `;`, control bytes) are ignored as
    /// RFC 6265 §5.2 tells a user agent to ignore such a `Set-Cookie`; the result is `Ok(false)`.
    ///
    /// # Errors
    /// [`CookieError::Full`] when it does not fit; an older cookie of that name is gone then.
    pub fn insert(&mut self, name: &str, value: &str) -> Result<bool, CookieError> {
        self.insert_bytes(name.as_bytes(), value.as_bytes())
    }

    fn insert_bytes(&mut self, name: &[u8], value: &[u8]) -> Result<bool, CookieError> {
        if name.is_empty()
            || !name.iter().all(|&b| is_tchar(b))
            || !value.iter().all(|&b| is_value_byte(b))
        {
            return Ok(false);
        }
        if core::str::from_utf8(value).is_err() {
            return Ok(false);
        }
        if let Ok(n) = core::str::from_utf8(name) {
            self.remove(n);
        }
        let sep: &[u8] = if self.len == 0 { b"" } else { b"; " };
        let need = sep
            .len()
            .saturating_add(name.len())
            .saturating_add(1)
            .saturating_add(value.len());
        let end = self
            .len
            .checked_add(need)
            .filter(|&e| e <= N)
            .ok_or(CookieError::Full)?;
        let mut at = self.len;
        for part in [sep, name, b"=", value] {
            let next = at.saturating_add(part.len());
            if let Some(dst) = self.buf.get_mut(at..next) {
                dst.copy_from_slice(part);
            }
            at = next;
        }
        self.len = end;
        Ok(true)
    }

    /// Processes one `Set-Cookie` field value: stores or deletes each cookie it carries.
    /// Returns how many cookies were stored.
    ///
    /// # Errors
    /// [`CookieError::Full`] when a cookie does not fit (cookies before it in the field are kept).
    pub fn store_set_cookie(&mut self, field_value: &[u8]) -> Result<usize, CookieError> {
        let mut stored = 0usize;
        for cookie in SetCookies::new(field_value) {
            match cookie.max_age_expired {
                true => {
                    if let Ok(n) = core::str::from_utf8(cookie.name) {
                        self.remove(n);
                    }
                }
                false => {
                    if self.insert_bytes(cookie.name, cookie.value)? {
                        stored = stored.saturating_add(1);
                    }
                }
            }
        }
        Ok(stored)
    }
}

/// One cookie from a `Set-Cookie` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SetCookie<'a> {
    /// The cookie name, trimmed.
    pub name: &'a [u8],
    /// The cookie value, trimmed (quotes kept, RFC 6265 §4.1.1).
    pub value: &'a [u8],
    /// `Max-Age` was zero or negative: the cookie is to be deleted.
    pub max_age_expired: bool,
}

/// Iterator over the cookies of one `Set-Cookie` field value, splitting on commas that start a
/// new `name=value` (Netscape-style folding), never inside `Expires=Wed, 21 Oct ...`.
/// Items without `=` are skipped (RFC 6265 §5.2 step 2).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SetCookies<'a> {
    rest: &'a [u8],
}

impl<'a> SetCookies<'a> {
    /// Iterates the cookies in `field_value`.
    pub const fn new(field_value: &'a [u8]) -> Self {
        Self { rest: field_value }
    }
}

/// True when `s` (just after a comma) begins with OWS, a token and `=`.
fn starts_cookie(s: &[u8]) -> bool {
    let s = trim_ows(s);
    let n = s.iter().take_while(|&&b| is_tchar(b)).count();
    n > 0 && s.get(n) == Some(&b'=')
}

impl<'a> Iterator for SetCookies<'a> {
    type Item = SetCookie<'a>;

    fn next(&mut self) -> Option<SetCookie<'a>> {
        loop {
            if trim_ows(self.rest).is_empty() {
                return None;
            }
            // The end of this cookie string: a comma followed by "token=".
            let mut end = self.rest.len();
            let mut i = 0usize;
            while let Some(p) = self
                .rest
                .get(i..)
                .and_then(|r| r.iter().position(|&b| b == b','))
            {
                let comma = i.saturating_add(p);
                let after = self.rest.get(comma.saturating_add(1)..).unwrap_or(&[]);
                if starts_cookie(after) {
                    end = comma;
                    break;
                }
                i = comma.saturating_add(1);
            }
            let (this, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, &[]));
            self.rest = rest.get(1..).unwrap_or(&[]);
            let mut parts = this.split(|&b| b == b';');
            let pair = parts.next().unwrap_or(&[]);
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            let (name, value) = pair.split_at_checked(eq).unwrap_or((pair, &[]));
            let name = trim_ows(name);
            let value = trim_ows(value.get(1..).unwrap_or(&[]));
            if name.is_empty() {
                continue;
            }
            let mut max_age_expired = false;
            for attr in parts {
                let (k, v) = match attr.iter().position(|&b| b == b'=') {
                    Some(e) => (
                        attr.get(..e).unwrap_or(&[]),
                        attr.get(e.saturating_add(1)..).unwrap_or(&[]),
                    ),
                    None => (attr, &[][..]),
                };
                if trim_ows(k).eq_ignore_ascii_case(b"max-age") {
                    let v = trim_ows(v);
                    // RFC 6265 §5.2.2: a value <= 0 expires the cookie at once.
                    max_age_expired =
                        v.first() == Some(&b'-') || (!v.is_empty() && v.iter().all(|&b| b == b'0'));
                }
            }
            return Some(SetCookie {
                name,
                value,
                max_age_expired,
            });
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
    use super::*;

    #[test]
    fn store_replace_remove_clear() {
        let mut jar: CookieJar = CookieJar::new();
        assert_eq!(jar.header_value(), None);
        assert_eq!(
            jar.store_set_cookie(b"session=abc; Path=/; HttpOnly"),
            Ok(1)
        );
        assert_eq!(
            jar.store_set_cookie(b"lb=node2; Domain=.example.com; Secure"),
            Ok(1)
        );
        assert_eq!(jar.header_value(), Some("session=abc; lb=node2"));
        jar.store_set_cookie(b"session=def").unwrap();
        assert_eq!(jar.header_value(), Some("lb=node2; session=def"));
        assert_eq!(jar.get("session"), Some("def"));
        assert!(jar.remove("lb"));
        assert!(!jar.remove("lb"));
        assert_eq!(jar.header_value(), Some("session=def"));
        jar.store_set_cookie(b"a=1").unwrap();
        jar.store_set_cookie(b"b=2").unwrap();
        assert!(jar.remove("a"));
        assert_eq!(jar.header_value(), Some("session=def; b=2"));
        assert!(jar.remove("b"));
        assert_eq!(jar.header_value(), Some("session=def"));
        jar.clear();
        assert!(jar.is_empty());
        assert_eq!(jar.header_value(), None);
    }

    #[test]
    fn comma_separated_and_expires_with_comma() {
        let mut jar: CookieJar = CookieJar::new();
        let n = jar
            .store_set_cookie(
                b"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/, b=2, c=3;Max-Age=60",
            )
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(jar.header_value(), Some("a=1; b=2; c=3"));
        // Netscape style, expires with dashes and a comma.
        jar.store_set_cookie(
            b"JSESSIONID=0A1B; expires=Thursday, 01-Jan-2099 00:00:00 GMT; path=/",
        )
        .unwrap();
        assert_eq!(jar.get("JSESSIONID"), Some("0A1B"));
    }

    #[test]
    fn max_age_zero_deletes() {
        let mut jar: CookieJar = CookieJar::new();
        jar.store_set_cookie(b"s=1, t=2").unwrap();
        assert_eq!(jar.store_set_cookie(b"s=; Max-Age=0"), Ok(0));
        assert_eq!(jar.header_value(), Some("t=2"));
        jar.store_set_cookie(b"t=x; max-age=-1").unwrap();
        assert!(jar.is_empty());
    }

    #[test]
    fn invalid_cookies_ignored() {
        let mut jar: CookieJar = CookieJar::new();
        assert_eq!(jar.store_set_cookie(b"novalue; Path=/"), Ok(0));
        assert_eq!(jar.store_set_cookie(b"=x"), Ok(0));
        assert_eq!(jar.store_set_cookie(b"bad name=x"), Ok(0));
        assert_eq!(jar.store_set_cookie(b""), Ok(0));
        assert_eq!(jar.store_set_cookie(b"q=\"quoted\""), Ok(1));
        assert_eq!(jar.header_value(), Some("q=\"quoted\""));
        assert_eq!(jar.store_set_cookie(b"e="), Ok(1));
        assert_eq!(jar.header_value(), Some("q=\"quoted\"; e="));
    }

    #[test]
    fn full_is_an_error() {
        let mut jar: CookieJar<16> = CookieJar::new();
        jar.insert("a", "0123456789").unwrap();
        assert_eq!(jar.insert("b", "xyz"), Err(CookieError::Full));
        assert_eq!(jar.header_value(), Some("a=0123456789"));
        // 512 bytes of several cookies fit the default jar (TR-069 §3.4.2).
        let mut jar: CookieJar = CookieJar::new();
        let v = [b'v'; 120];
        let v = core::str::from_utf8(&v).unwrap();
        for name in ["c1", "c2", "c3", "c4"] {
            jar.insert(name, v).unwrap();
        }
        assert!(jar.len() >= 4 * 123);
    }
}
