//! Following redirects within a Session (TR-069 §3.4.2, INTEROP C4).
//!
//! A CPE MUST follow 302 and 307 and MAY follow 301, re-sending the same POST (even an Inform)
//! to the new URL, at most [`MAX_REDIRECTS`] times in a row. The target holds for the rest of the
//! Session only: it is never saved (not even on 301) and not used for retries. Session cookies
//! go to the new target without domain checks; the [`CookieJar`](super::cookie::CookieJar)
//! ignores domains, so keep using the same jar.

use core::fmt;

use heapless::String;

use super::limits::{MAX_REDIRECTS, MAX_URL_LEN};
use super::url::{Url, UrlError};

/// Why a redirect cannot be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RedirectError {
    /// More than [`MAX_REDIRECTS`] consecutive redirects: the Session MAY be treated as failed.
    TooMany,
    /// The `Location` is not a usable `http`/`https` URL, or longer than [`MAX_URL_LEN`].
    Location(UrlError),
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooMany => f.write_str("too many consecutive redirects"),
            Self::Location(e) => write!(f, "bad redirect Location: {e}"),
        }
    }
}

impl core::error::Error for RedirectError {}

/// The redirect state of one Session: the current target and the count of consecutive
/// redirects.
#[derive(Debug, Clone, Default)]
pub struct Redirects {
    target: String<MAX_URL_LEN>,
    consecutive: u8,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Redirects {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Redirects({=u8}, {=str})",
            self.consecutive,
            self.target.as_str()
        );
    }
}

impl Redirects {
    /// No redirect yet: the Session uses the configured ACS URL.
    pub const fn new() -> Self {
        Self {
            target: String::new(),
            consecutive: 0,
        }
    }

    /// The URL to send the next request to: the redirect target if any, else `acs_url`.
    ///
    /// # Errors
    /// The parse error of `acs_url` when no redirect is in force.
    pub fn current<'a>(&'a self, acs_url: &'a str) -> Result<Url<'a>, UrlError> {
        if self.target.is_empty() {
            Url::parse(acs_url)
        } else {
            Url::parse(self.target.as_str())
        }
    }

    /// The redirect target in force, if any.
    pub fn target(&self) -> Option<&str> {
        (!self.target.is_empty()).then_some(self.target.as_str())
    }

    /// Consecutive redirects followed so far.
    pub const fn consecutive(&self) -> u8 {
        self.consecutive
    }

    /// Follows a redirect: resolves `location` against the URL the request went to (`current`,
    /// see [`current`](Self::current)), keeps it as the Session's target and returns it. Re-send
    /// the same POST there.
    ///
    /// # Errors
    /// [`RedirectError::TooMany`] for the sixth consecutive redirect (the state is unchanged);
    /// [`RedirectError::Location`] for a bad target. Never panics.
    pub fn follow(&mut self, current: &Url<'_>, location: &str) -> Result<Url<'_>, RedirectError> {
        if self.consecutive >= MAX_REDIRECTS {
            return Err(RedirectError::TooMany);
        }
        let mut buf = [0u8; MAX_URL_LEN];
        let resolved = current
            .resolve(location, &mut buf)
            .map_err(RedirectError::Location)?;
        self.set_target(resolved.as_str())
    }

    /// Keeps `resolved` as the target (copied in place: no second 1 KiB string on the stack)
    /// and counts the redirect. The state is unchanged when it does not fit.
    fn set_target(&mut self, resolved: &str) -> Result<Url<'_>, RedirectError> {
        if resolved.len() > MAX_URL_LEN {
            return Err(RedirectError::Location(UrlError {
                kind: super::url::UrlErrorKind::TooLong,
                offset: MAX_URL_LEN,
            }));
        }
        self.target.clear();
        let _ = self.target.push_str(resolved);
        self.consecutive = self.consecutive.saturating_add(1);
        Url::parse(self.target.as_str()).map_err(RedirectError::Location)
    }

    /// Follows a redirect from wherever the last request went: the redirect target in force, or
    /// `acs_url` when there is none. Same as [`follow`](Self::follow) without the caller having
    /// to keep a copy of the current URL.
    ///
    /// # Errors
    /// As [`follow`](Self::follow); also the parse error of `acs_url`.
    pub fn follow_location(
        &mut self,
        acs_url: &str,
        location: &str,
    ) -> Result<Url<'_>, RedirectError> {
        if self.consecutive >= MAX_REDIRECTS {
            return Err(RedirectError::TooMany);
        }
        // One buffer: the location is resolved against the current URL (borrowed from the
        // target itself) into it, then copied over the target.
        let mut buf = [0u8; MAX_URL_LEN];
        let src = if self.target.is_empty() {
            acs_url
        } else {
            self.target.as_str()
        };
        let current = Url::parse(src).map_err(RedirectError::Location)?;
        let resolved = current
            .resolve(location, &mut buf)
            .map_err(RedirectError::Location)?;
        self.set_target(resolved.as_str())
    }

    /// A response other than a redirect arrived: the next redirect counts from one again.
    pub fn reset_consecutive(&mut self) {
        self.consecutive = 0;
    }

    /// The Session ended: forget the target (§3.4.2: never saved) and the count.
    pub fn end_session(&mut self) {
        self.target.clear();
        self.consecutive = 0;
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
    use crate::http::url::UrlErrorKind;

    #[test]
    fn five_redirects_then_error() {
        let mut r = Redirects::new();
        let acs = "http://acs.example.com/cwmp";
        for i in 1..=5u8 {
            let mut tmp = [0u8; 256];
            let cur = r.current(acs).unwrap();
            // Copy: `follow` borrows self mutably.
            let n = cur.as_str().len();
            tmp[..n].copy_from_slice(cur.as_str().as_bytes());
            let cur = Url::parse(core::str::from_utf8(&tmp[..n]).unwrap()).unwrap();
            let next = r.follow(&cur, &format_loc(i)).unwrap();
            assert_eq!(next.path(), format_loc(i).as_str());
            assert_eq!(r.consecutive(), i);
        }
        let base = Url::parse(acs).unwrap();
        assert_eq!(r.follow(&base, "/six"), Err(RedirectError::TooMany));
        assert_eq!(r.target(), Some("http://acs.example.com/r5"));
        r.reset_consecutive();
        assert!(r.follow(&base, "/six").is_ok());
        r.end_session();
        assert_eq!(r.target(), None);
        assert_eq!(r.current(acs).unwrap().as_str(), acs);
    }

    extern crate std;
    fn format_loc(i: u8) -> std::string::String {
        std::format!("/r{i}")
    }

    #[test]
    fn follow_location_chains_relative_targets() {
        let mut r = Redirects::new();
        let acs = "http://acs.example.com/a/cwmp";
        assert_eq!(
            r.follow_location(acs, "b/x").unwrap().as_str(),
            "http://acs.example.com/a/b/x"
        );
        assert_eq!(
            r.follow_location(acs, "../y").unwrap().as_str(),
            "http://acs.example.com/a/y"
        );
        assert_eq!(
            r.follow_location(acs, "//h2:81/z").unwrap().as_str(),
            "http://h2:81/z"
        );
        assert_eq!(r.consecutive(), 3);
        assert_eq!(
            r.follow_location("nope", "w").unwrap().as_str(),
            "http://h2:81/w"
        );
        r.end_session();
        assert!(matches!(
            r.follow_location("nope", "x"),
            Err(RedirectError::Location(_))
        ));
    }

    #[test]
    fn absolute_https_target_and_bad_location() {
        let mut r = Redirects::new();
        let base = Url::parse("http://acs/cwmp").unwrap();
        let u = r.follow(&base, "https://acs2.example.com:8443/x").unwrap();
        assert_eq!(
            (u.scheme(), u.port()),
            (crate::http::url::Scheme::Https, 8443)
        );
        let e = r.follow(&base, "mailto:x@y").unwrap_err();
        assert!(matches!(
            e,
            RedirectError::Location(UrlError {
                kind: UrlErrorKind::Scheme,
                ..
            })
        ));
        // A failed follow keeps the previous target.
        assert_eq!(r.target(), Some("https://acs2.example.com:8443/x"));
    }
}
