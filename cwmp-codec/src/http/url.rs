//! Absolute `http`/`https` URLs (RFC 3986, RFC 9110 §4.2) as borrowed views, and resolution of
//! a `Location` reference against the current URL (RFC 3986 §5.2) into a caller buffer.
//!
//! The ACS URL (TR-069 §3.1) and redirect targets (§3.4.2) are `http` or `https`. Userinfo
//! (`user:pass@`) is rejected: credentials never travel in a CWMP URL. A fragment is dropped.

use core::fmt;

/// `http` or `https`; decides the default port and whether TLS is used (TR-069 §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    /// The default port: 80 or 443.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// What is wrong with a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UrlErrorKind {
    /// No `scheme://`, or a scheme other than `http`/`https`.
    Scheme,
    /// `user:pass@` before the host: not allowed in a CWMP URL.
    UserInfo,
    /// Empty or malformed host, or an unterminated IPv6 literal.
    Host,
    /// Port not a number in 1..=65535.
    Port,
    /// Space, control character or other byte that cannot appear in a URL.
    Character,
    /// The result does not fit in the output buffer.
    TooLong,
}

/// A URL error with the byte offset in the input where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct UrlError {
    /// What is wrong.
    pub kind: UrlErrorKind,
    /// Byte offset in the input (for `TooLong`: the output length reached).
    pub offset: usize,
}

impl UrlError {
    const fn new(kind: UrlErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            UrlErrorKind::Scheme => "not an http or https URL",
            UrlErrorKind::UserInfo => "userinfo in URL",
            UrlErrorKind::Host => "invalid host",
            UrlErrorKind::Port => "invalid port",
            UrlErrorKind::Character => "invalid character in URL",
            UrlErrorKind::TooLong => "URL too long for the buffer",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl core::error::Error for UrlError {}

/// A parsed absolute `http`/`https` URL, borrowing the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Url<'a> {
    scheme: Scheme,
    /// host as written, with brackets for IPv6 (`[::1]`).
    host: &'a str,
    port: Option<u16>,
    /// path + query, possibly empty (means `/`).
    target: &'a str,
    /// Length of the path within `target`.
    path_len: usize,
    /// Whole URL without fragment.
    as_str: &'a str,
}

fn is_url_byte(b: u8) -> bool {
    // Visible ASCII except the few never allowed; bytes >= 0x80 are tolerated (IRIs sent raw).
    b > 0x20
        && b != 0x7f
        && !matches!(
            b,
            b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
        )
}

impl<'a> Url<'a> {
    /// Parses an absolute URL. Scheme case-insensitive; leading and trailing spaces trimmed.
    ///
    /// # Errors
    /// [`UrlError`] with the offset of the fault. Never panics.
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let bytes = input.as_bytes();
        let lead = bytes
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let input = input
            .get(lead..)
            .unwrap_or("")
            .trim_end_matches([' ', '\t']);
        let err = |k, o: usize| UrlError::new(k, o.saturating_add(lead));
        let (scheme, rest_at) = if input
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            (Scheme::Http, 7)
        } else if input
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            (Scheme::Https, 8)
        } else {
            return Err(err(UrlErrorKind::Scheme, 0));
        };
        // Drop the fragment.
        let input = input.split('#').next().unwrap_or("");
        if let Some(p) = input.bytes().position(|b| !is_url_byte(b)) {
            return Err(err(UrlErrorKind::Character, p));
        }
        let rest = input.get(rest_at..).unwrap_or("");
        let auth_len = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at_checked(auth_len).unwrap_or((rest, ""));
        if let Some(p) = authority.find('@') {
            return Err(err(UrlErrorKind::UserInfo, rest_at.saturating_add(p)));
        }
        let (host, port_str) = if authority.starts_with('[') {
            let close = authority
                .find(']')
                .ok_or_else(|| err(UrlErrorKind::Host, rest_at))?;
            let (h, after) = authority
                .split_at_checked(close.saturating_add(1))
                .unwrap_or((authority, ""));
            let inner = h.get(1..close).unwrap_or("");
            if inner.is_empty()
                || !inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'))
                    && !inner.starts_with(['v', 'V'])
            {
                return Err(err(UrlErrorKind::Host, rest_at));
            }
            match after.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None if after.is_empty() => (h, None),
                None => {
                    return Err(err(
                        UrlErrorKind::Host,
                        rest_at.saturating_add(close).saturating_add(1),
                    ))
                }
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() || (!host.starts_with('[') && host.contains(['[', ']', ':'])) {
            return Err(err(UrlErrorKind::Host, rest_at));
        }
        let port = match port_str {
            None | Some("") => None,
            Some(p) => {
                let at = rest_at
                    .saturating_add(authority.len())
                    .saturating_sub(p.len());
                let n = super::fields::parse_u64(p.as_bytes())
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|&n| n != 0)
                    .ok_or_else(|| err(UrlErrorKind::Port, at))?;
                Some(n)
            }
        };
        let path_len = target.find('?').unwrap_or(target.len());
        Ok(Self {
            scheme,
            host,
            port,
            target,
            path_len,
            as_str: input,
        })
    }

    /// The scheme.
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as written in the URL; an IPv6 literal keeps its brackets (`[::1]`).
    pub const fn host(&self) -> &'a str {
        self.host
    }

    /// The host without IPv6 brackets, for name resolution or TLS SNI (TR-069 §3.3).
    pub fn host_bare(&self) -> &'a str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(self.host)
    }

    /// True for an IPv6 literal host.
    pub fn is_ipv6(&self) -> bool {
        self.host.starts_with('[')
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// The port if the URL names one.
    pub const fn explicit_port(&self) -> Option<u16> {
        self.port
    }

    /// The path; `/` when the URL has none.
    pub fn path(&self) -> &'a str {
        match self.target.get(..self.path_len) {
            Some("") | None => "/",
            Some(p) => p,
        }
    }

    /// The query without `?`, if any.
    pub fn query(&self) -> Option<&'a str> {
        self.target
            .get(self.path_len..)
            .and_then(|q| q.strip_prefix('?'))
    }

    /// The request-target for the request line (RFC 9112 §3.2.1, origin-form): path and query,
    /// `/` when the URL has neither. For the rare `http://host?query` form (a query but no path)
    /// it is `?query`: [`PostHead`](super::request::PostHead) and
    /// [`ClientAuth::authorization`](super::auth::ClientAuth::authorization) both write such a
    /// target with the missing `/` in front, so the request line and the Digest `uri` agree.
    pub fn request_target(&self) -> &'a str {
        if self.target.is_empty() {
            "/"
        } else {
            self.target
        }
    }

    /// Writes the origin-form request-target, adding the `/` a URL like `http://h?x` lacks.
    ///
    /// # Errors
    /// The writer's error.
    pub fn write_request_target<W: embedded_io::Write>(&self, w: &mut W) -> Result<(), W::Error> {
        if !self.target.starts_with('/') {
            w.write_all(b"/")?;
        }
        w.write_all(self.target.as_bytes())
    }

    /// The value of the `Host` header (RFC 9110 §7.2): host, and `:port` when not the default.
    pub fn host_header(&self) -> HostHeader<'a> {
        HostHeader {
            host: self.host,
            port: self.port.filter(|&p| p != self.scheme.default_port()),
        }
    }

    /// The URL as parsed (trimmed, without fragment).
    pub const fn as_str(&self) -> &'a str {
        self.as_str
    }

    /// Resolves `reference` (a `Location` value: absolute, `//host/p`, `/p` or relative `p`)
    /// against this URL (RFC 3986 §5.2, with §5.2.4 dot-segment removal), writing the absolute
    /// URL into `out`, and returns it parsed.
    ///
    /// # Errors
    /// [`UrlErrorKind::TooLong`] when `out` is too small; any error of [`Url::parse`] on the
    /// result (for instance a redirect to `ftp:`). Never panics.
    pub fn resolve<'o>(&self, reference: &str, out: &'o mut [u8]) -> Result<Url<'o>, UrlError> {
        let reference = reference.trim_matches([' ', '\t']);
        let reference = reference.split('#').next().unwrap_or("");
        let mut o = Out { buf: out, len: 0 };
        let has_scheme = reference.find(':').is_some_and(|c| {
            c > 0
                && reference.get(..c).is_some_and(|s| {
                    s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                        && !s.contains('/')
                })
        });
        if has_scheme || reference.starts_with("//") {
            if !has_scheme {
                o.push(self.scheme.as_str())?;
                o.push(":")?;
            }
            o.push(reference)?;
            // RFC 3986 §5.2.2: dot segments are removed from an absolute reference's path too.
            let written = o.buf.get(..o.len).unwrap_or(&[]);
            let after_scheme = written
                .windows(3)
                .position(|w| w == b"://")
                .map_or(0, |p| p.saturating_add(3));
            let path_start = written
                .get(after_scheme..)
                .and_then(|r| r.iter().position(|&b| b == b'/' || b == b'?'))
                .map_or(o.len, |p| after_scheme.saturating_add(p));
            o.remove_dot_segments(path_start);
        } else {
            o.push(self.scheme.as_str())?;
            o.push("://")?;
            o.push(self.host)?;
            if let Some(p) = self.port {
                o.push(":")?;
                let mut digits = [0u8; 5];
                let mut w: &mut [u8] = &mut digits;
                super::write::decimal(&mut w, u64::from(p))
                    .map_err(|_| UrlError::new(UrlErrorKind::TooLong, 0))?;
                let n = 5usize.saturating_sub(w.len());
                o.push_bytes(digits.get(..n).unwrap_or(&[]))?;
            }
            let path_start = o.len;
            if reference.is_empty() {
                o.push(self.request_target())?;
            } else if reference.starts_with('/') {
                o.push(reference)?;
            } else if reference.starts_with('?') {
                o.push(self.path())?;
                o.push(reference)?;
            } else {
                // Merge (RFC 3986 §5.2.3): base path up to its last '/', then the reference.
                let base = self.path();
                let dir = base
                    .rfind('/')
                    .map_or("/", |i| base.get(..=i).unwrap_or("/"));
                o.push(dir)?;
                o.push(reference)?;
            }
            o.remove_dot_segments(path_start);
        }
        let len = o.len;
        let buf: &'o [u8] = o.buf;
        let s = buf
            .get(..len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        Url::parse(s)
    }

    /// [`resolve`](Self::resolve) into a heapless string.
    ///
    /// # Errors
    /// As [`resolve`](Self::resolve); `TooLong` when it exceeds `N`.
    pub fn resolve_into<const N: usize>(
        &self,
        reference: &str,
        out: &mut heapless::String<N>,
    ) -> Result<(), UrlError> {
        let mut buf = [0u8; N];
        let u = self.resolve(reference, &mut buf)?;
        out.clear();
        out.push_str(u.as_str())
            .map_err(|_| UrlError::new(UrlErrorKind::TooLong, N))
    }
}

impl fmt::Display for Url<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str)
    }
}

/// The `Host` header value of a [`Url`]: `host` or `host:port`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HostHeader<'a> {
    /// Host as in the URL (IPv6 with brackets).
    pub host: &'a str,
    /// Port when it is not the scheme's default.
    pub port: Option<u16>,
}

impl<'a> HostHeader<'a> {
    /// A `Host` value from a host alone (default port).
    pub const fn new(host: &'a str) -> Self {
        Self { host, port: None }
    }

    /// Writes the value.
    ///
    /// # Errors
    /// The writer's error.
    pub fn write<W: embedded_io::Write>(&self, w: &mut W) -> Result<(), W::Error> {
        w.write_all(self.host.as_bytes())?;
        if let Some(p) = self.port {
            w.write_all(b":")?;
            super::write::decimal(w, u64::from(p))?;
        }
        Ok(())
    }
}

impl fmt::Display for HostHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

struct Out<'o> {
    buf: &'o mut [u8],
    len: usize,
}

impl Out<'_> {
    fn push(&mut self, s: &str) -> Result<(), UrlError> {
        self.push_bytes(s.as_bytes())
    }

    fn push_bytes(&mut self, s: &[u8]) -> Result<(), UrlError> {
        let end = self
            .len
            .checked_add(s.len())
            .filter(|&e| e <= self.buf.len());
        let dst = end.and_then(|e| self.buf.get_mut(self.len..e));
        match dst {
            Some(d) => {
                d.copy_from_slice(s);
                self.len = self.len.saturating_add(s.len());
                Ok(())
            }
            None => Err(UrlError::new(UrlErrorKind::TooLong, self.len)),
        }
    }

    /// RFC 3986 §5.2.4 on `buf[from..len]` (the path and query), in place: the output never
    /// grows, so a write index trailing the read index is enough.
    fn remove_dot_segments(&mut self, from: usize) {
        let Some(region) = self.buf.get_mut(from..self.len) else {
            return;
        };
        let path_end = region
            .iter()
            .position(|&b| b == b'?')
            .unwrap_or(region.len());
        let mut w = 0usize; // output length within region
        let mut r = 0usize;
        while r < path_end {
            // Input starts with "/" here (an absolute path after merge).
            let seg_end = region
                .get(r.saturating_add(1)..path_end)
                .and_then(|s| s.iter().position(|&b| b == b'/'))
                .map_or(path_end, |p| r.saturating_add(1).saturating_add(p));
            let seg = region.get(r..seg_end).unwrap_or(&[]);
            let last = seg_end == path_end;
            match seg {
                b"/." => {
                    if last {
                        if let Some(s) = region.get_mut(w) {
                            *s = b'/';
                        }
                        w = w.saturating_add(1);
                    }
                }
                b"/.." => {
                    // Pop the last output segment.
                    let out = region.get(..w).unwrap_or(&[]);
                    w = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
                    if last {
                        if let Some(s) = region.get_mut(w) {
                            *s = b'/';
                        }
                        w = w.saturating_add(1);
                    }
                }
                _ => {
                    let n = seg.len();
                    if w != r {
                        region.copy_within(r..seg_end, w);
                    }
                    w = w.saturating_add(n);
                }
            }
            r = seg_end;
        }
        // Keep the query (if any) right after the path.
        let total = region.len();
        if path_end < total && w != path_end {
            region.copy_within(path_end..total, w);
        }
        let removed = path_end.saturating_sub(w);
        self.len = self.len.saturating_sub(removed);
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
    fn parse_forms() {
        let u = Url::parse("HTTP://acs.example.com:7547/cwmp/x?a=1#frag").unwrap();
        assert_eq!(u.scheme(), Scheme::Http);
        assert_eq!(u.host(), "acs.example.com");
        assert_eq!(u.port(), 7547);
        assert_eq!(u.path(), "/cwmp/x");
        assert_eq!(u.query(), Some("a=1"));
        assert_eq!(u.request_target(), "/cwmp/x?a=1");
        assert_eq!(u.as_str(), "HTTP://acs.example.com:7547/cwmp/x?a=1");
        let u = Url::parse("https://acs").unwrap();
        assert_eq!(
            (u.port(), u.path(), u.request_target(), u.query()),
            (443, "/", "/", None)
        );
        assert_eq!(std::format!("{}", u.host_header()), "acs");
        let u = Url::parse("http://[::1]:8080/p").unwrap();
        assert_eq!(
            (u.host(), u.host_bare(), u.port(), u.is_ipv6()),
            ("[::1]", "::1", 8080, true)
        );
        assert_eq!(std::format!("{}", u.host_header()), "[::1]:8080");
        let u = Url::parse("http://h?x=1").unwrap();
        assert_eq!(
            (u.path(), u.query(), u.request_target()),
            ("/", Some("x=1"), "?x=1")
        );
        let u = Url::parse("http://h:80/").unwrap();
        assert_eq!(std::format!("{}", u.host_header()), "h");
        let u = Url::parse("  http://10.0.0.1:/a  ").unwrap();
        assert_eq!((u.host(), u.port()), ("10.0.0.1", 80));
    }

    extern crate std;

    #[test]
    fn parse_errors() {
        let k = |s| Url::parse(s).unwrap_err();
        assert_eq!(k("ftp://x/").kind, UrlErrorKind::Scheme);
        assert_eq!(k("acs.example.com/cwmp").kind, UrlErrorKind::Scheme);
        assert_eq!(k("http://user:pw@acs/").kind, UrlErrorKind::UserInfo);
        assert_eq!(k("http://user:pw@acs/").offset, 14);
        assert_eq!(k("http:///x").kind, UrlErrorKind::Host);
        assert_eq!(k("http://[::1/").kind, UrlErrorKind::Host);
        assert_eq!(k("http://[::1]x/").kind, UrlErrorKind::Host);
        assert_eq!(k("http://h:99999/").kind, UrlErrorKind::Port);
        assert_eq!(k("http://h:0/").kind, UrlErrorKind::Port);
        assert_eq!(k("http://h:8a/").kind, UrlErrorKind::Port);
        assert_eq!(k("http://h/a b").kind, UrlErrorKind::Character);
        assert_eq!(k("http://h/a b").offset, 10);
        assert_eq!(k("http://h/\r\nX: y").kind, UrlErrorKind::Character);
        assert_eq!(k("http://a:b:c/").kind, UrlErrorKind::Host);
    }

    #[test]
    fn resolve_references() {
        let base = Url::parse("http://acs.example.com:7547/a/b/c?q=1").unwrap();
        let cases = [
            ("https://other/x", "https://other/x"),
            ("//other:81/y", "http://other:81/y"),
            ("/abs/path?z", "http://acs.example.com:7547/abs/path?z"),
            ("d", "http://acs.example.com:7547/a/b/d"),
            ("./d/", "http://acs.example.com:7547/a/b/d/"),
            ("../d", "http://acs.example.com:7547/a/d"),
            ("../../../../d", "http://acs.example.com:7547/d"),
            ("..", "http://acs.example.com:7547/a/"),
            (".", "http://acs.example.com:7547/a/b/"),
            ("?y", "http://acs.example.com:7547/a/b/c?y"),
            ("", "http://acs.example.com:7547/a/b/c?q=1"),
            ("/a/./b/../c/./", "http://acs.example.com:7547/a/c/"),
            ("g?x=../y", "http://acs.example.com:7547/a/b/g?x=../y"),
            ("d#frag", "http://acs.example.com:7547/a/b/d"),
            ("http://x/a/./b/../c", "http://x/a/c"),
            ("//x/../y?z", "http://x/y?z"),
            ("HTTPS://x", "HTTPS://x"),
        ];
        for (r, want) in cases {
            let mut out = [0u8; 128];
            let u = base.resolve(r, &mut out).unwrap();
            assert_eq!(u.as_str(), want, "{r}");
        }
        let mut s: heapless::String<64> = heapless::String::new();
        base.resolve_into("x/y", &mut s).unwrap();
        assert_eq!(s.as_str(), "http://acs.example.com:7547/a/b/x/y");
        let mut tiny: heapless::String<8> = heapless::String::new();
        assert_eq!(
            base.resolve_into("x", &mut tiny).unwrap_err().kind,
            UrlErrorKind::TooLong
        );
        let mut small = [0u8; 10];
        assert_eq!(
            base.resolve("/long/path", &mut small).unwrap_err().kind,
            UrlErrorKind::TooLong
        );
        let mut out = [0u8; 64];
        assert_eq!(
            base.resolve("ftp://x/", &mut out).unwrap_err().kind,
            UrlErrorKind::Scheme
        );
        let v6 = Url::parse("http://[fe80::1]:7547/cwmp").unwrap();
        assert_eq!(
            v6.resolve("x", &mut out).unwrap().as_str(),
            "http://[fe80::1]:7547/x"
        );
    }
}
