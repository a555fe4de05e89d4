//! The ACS's HTTP connection request (TR-069 §3.2.2.2): a `GET` to the CPE's
//! ConnectionRequestURL with HTTP Digest, sans-IO.
//!
//! ```text
//! write_request ──► CPE ──► handle_response ─┬─ Done(Accepted)      200 or 204
//!       ▲                                    ├─ Done(Busy)          503 (rate-limited, or in a Session)
//!       └──── Retry (401 + challenge) ◄──────┼─ Done(AuthFailed)    401 again after credentials
//!                                            └─ Done(Refused(..))   any other status
//! ```
//!
//! After a [`CrStep::Retry`] the authenticated request goes on the same connection, unless the
//! CPE asked to close it (§3.4.2 applies the same rule to the CPE's own requests).

use core::fmt;

use embedded_io::Write;
use heapless::String;

use cwmp_codec::http::auth::{AuthError, ClientAuth, Credentials};
use cwmp_codec::http::body::Framing;
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::url::{Scheme, Url};
use cwmp_codec::http::{Status, EMPTY_HEADER};

/// Longest request-target kept (*impl*; ConnectionRequestURL is a string(256) in TR-181).
const MAX_TARGET_LEN: usize = 1024;

/// How a connection request ended (§3.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CrOutcome {
    /// `200` or `204`: the CPE will open a Session with `6 CONNECTION REQUEST` within 30 s.
    Accepted {
        /// The status code.
        status: u16,
    },
    /// `503`: rate-limited, or the CPE is in a Session (it may start one afterwards).
    Busy,
    /// The CPE challenged again after credentials were sent: wrong username or password.
    AuthFailed,
    /// Any other status (e.g. 404 for a wrong path), or a challenge this client cannot answer.
    Refused {
        /// The status code.
        status: u16,
    },
}

/// What to do after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CrStep {
    /// The response head is incomplete: read more and call again with everything received.
    NeedMore,
    /// Challenged: skip the response (`response_len` bytes when known), then
    /// [`write_request`](ConnectionRequest::write_request) again; on a new connection when
    /// `close` is set.
    Retry {
        /// Head plus body length of the 401, when it has a `Content-Length` (or none).
        response_len: Option<usize>,
        /// The CPE closes the connection after the 401.
        close: bool,
    },
    /// Finished.
    Done(CrOutcome),
}

/// Caller errors of [`ConnectionRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CrError {
    /// The URL is not a valid `http` URL (§3.2.2.2: http only, never https), or is too long.
    InvalidUrl,
    /// The response head is not valid HTTP.
    BadResponse,
    /// Building the `Authorization` value failed (a username with a control character, ...).
    Auth(AuthError),
    /// The writer failed (for `&mut [u8]`: buffer too small).
    Write,
}

impl fmt::Display for CrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl => f.write_str("invalid connection request URL (http only)"),
            Self::BadResponse => f.write_str("invalid HTTP response"),
            Self::Auth(e) => write!(f, "authorization: {e}"),
            Self::Write => f.write_str("write failed"),
        }
    }
}

impl core::error::Error for CrError {}

/// One HTTP connection request to a CPE (§3.2.2.2), with Digest authentication (§3.4.5).
#[derive(Debug, Clone)]
pub struct ConnectionRequest<'a> {
    url: Url<'a>,
    target: String<MAX_TARGET_LEN>,
    credentials: Credentials<'a>,
    auth: ClientAuth,
}

#[cfg(feature = "defmt")]
impl defmt::Format for ConnectionRequest<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "ConnectionRequest({=str})", self.url.as_str());
    }
}

impl<'a> ConnectionRequest<'a> {
    /// A request to `url` (the CPE's `ManagementServer.ConnectionRequestURL`) with the CPE's
    /// `ConnectionRequestUsername` and `ConnectionRequestPassword`.
    ///
    /// # Errors
    /// [`CrError::InvalidUrl`] for anything but an `http` URL.
    pub fn new(url: &'a str, username: &'a str, password: &'a str) -> Result<Self, CrError> {
        let url = Url::parse(url).map_err(|_| CrError::InvalidUrl)?;
        if url.scheme() != Scheme::Http {
            return Err(CrError::InvalidUrl);
        }
        let mut target = String::new();
        let t = url.request_target();
        if !t.starts_with('/') {
            target.push('/').map_err(|_| CrError::InvalidUrl)?;
        }
        target.push_str(t).map_err(|_| CrError::InvalidUrl)?;
        Ok(Self {
            url,
            target,
            credentials: Credentials { username, password },
            auth: ClientAuth::new(),
        })
    }

    /// The host and port to connect to.
    pub fn host_port(&self) -> (&'a str, u16) {
        (self.url.host_bare(), self.url.port())
    }

    /// Writes the `GET` request (with `Authorization` after a challenge). `cnonce_random` comes
    /// from the caller's RNG. Returns the bytes written.
    ///
    /// # Errors
    /// [`CrError::Write`]; [`CrError::Auth`]. Never panics.
    pub fn write_request<W: Write>(
        &mut self,
        w: &mut W,
        cnonce_random: &[u8; 16],
    ) -> Result<usize, CrError> {
        let authorization = self
            .auth
            .authorization(&self.credentials, "GET", &self.target, cnonce_random)
            .map_err(CrError::Auth)?;
        let mut c = Counted { w, n: 0 };
        c.put(b"GET ")?;
        c.put(self.target.as_bytes())?;
        c.put(b" HTTP/1.1\r\nHost: ")?;
        let host = self.url.host_header();
        c.put(host.host.as_bytes())?;
        if let Some(p) = host.port {
            let mut digits = [0u8; 5];
            let mut n = p;
            let mut i = digits.len();
            loop {
                i = i.saturating_sub(1);
                if let Some(d) = digits.get_mut(i) {
                    *d = b'0'.saturating_add((n % 10) as u8);
                }
                n /= 10;
                if n == 0 || i == 0 {
                    break;
                }
            }
            c.put(b":")?;
            c.put(digits.get(i..).unwrap_or(&[]))?;
        }
        c.put(b"\r\n")?;
        if let Some(a) = authorization {
            c.put(b"Authorization: ")?;
            c.put(a.as_bytes())?;
            c.put(b"\r\n")?;
        }
        c.put(b"Content-Length: 0\r\n\r\n")?;
        Ok(c.n)
    }

    /// Reads the response head in `rx` (everything received so far) and says what follows.
    ///
    /// # Errors
    /// [`CrError::BadResponse`] for a response that is not HTTP. Never panics.
    pub fn handle_response(&mut self, rx: &[u8]) -> Result<CrStep, CrError> {
        let mut headers = [EMPTY_HEADER; 24];
        let head = match ResponseHead::parse(rx, &mut headers) {
            Ok(Status::Complete(h)) => h,
            Ok(Status::Partial) => return Ok(CrStep::NeedMore),
            Err(_) => return Err(CrError::BadResponse),
        };
        Ok(match head.status {
            200 | 204 => CrStep::Done(CrOutcome::Accepted {
                status: head.status,
            }),
            503 => CrStep::Done(CrOutcome::Busy),
            401 => match self.auth.handle_challenges(head.www_authenticate()) {
                Ok(_) => CrStep::Retry {
                    response_len: match head.framing() {
                        Framing::Empty => Some(head.head_len),
                        Framing::Length(n) => usize::try_from(n)
                            .ok()
                            .and_then(|n| n.checked_add(head.head_len)),
                        _ => None,
                    },
                    close: head.connection_close(),
                },
                Err(AuthError::Rejected) => CrStep::Done(CrOutcome::AuthFailed),
                Err(_) => CrStep::Done(CrOutcome::Refused { status: 401 }),
            },
            status => CrStep::Done(CrOutcome::Refused { status }),
        })
    }
}

struct Counted<'w, W> {
    w: &'w mut W,
    n: usize,
}

impl<W: Write> Counted<'_, W> {
    fn put(&mut self, b: &[u8]) -> Result<(), CrError> {
        self.w.write_all(b).map_err(|_| CrError::Write)?;
        self.n = self.n.saturating_add(b.len());
        Ok(())
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
    use cwmp_codec::http::auth::{DigestResponse, ServerChallenge, Verification};
    use cwmp_codec::http::request::RequestHead;

    fn written(cr: &mut ConnectionRequest<'_>) -> std::string::String {
        let mut buf = [0u8; 1024];
        let mut w: &mut [u8] = &mut buf;
        let n = cr.write_request(&mut w, &[3u8; 16]).unwrap();
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn challenge_then_success() {
        let mut cr =
            ConnectionRequest::new("http://192.0.2.1:7547/cr/abc?x=1", "acs", "pw").unwrap();
        assert_eq!(cr.host_port(), ("192.0.2.1", 7547));
        let first = written(&mut cr);
        assert_eq!(
            first,
            "GET /cr/abc?x=1 HTTP/1.1\r\nHost: 192.0.2.1:7547\r\nContent-Length: 0\r\n\r\n"
        );
        assert_eq!(
            cr.handle_response(b"HTTP/1.1 401 Unauthorized\r\nWWW-Auth")
                .unwrap(),
            CrStep::NeedMore
        );
        let challenge = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"cr\", qop=\"auth\", nonce=\"n1\"\r\nContent-Length: 3\r\n\r\nabc";
        let step = cr.handle_response(challenge).unwrap();
        assert_eq!(
            step,
            CrStep::Retry {
                response_len: Some(challenge.len()),
                close: false
            }
        );
        let second = written(&mut cr);
        // The CPE side verifies it.
        let mut h = [EMPTY_HEADER; 8];
        let Status::Complete(req) = RequestHead::parse(second.as_bytes(), &mut h).unwrap() else {
            panic!()
        };
        let d = DigestResponse::parse(req.authorization().unwrap()).unwrap();
        let v = d.verify(&ServerChallenge::new("cr", "n1"), "GET", req.target, b"pw");
        assert!(matches!(v, Verification::Valid { .. }), "{v:?}");
        assert_eq!(
            cr.handle_response(b"HTTP/1.1 204 No Content\r\n\r\n")
                .unwrap(),
            CrStep::Done(CrOutcome::Accepted { status: 204 })
        );
    }

    #[test]
    fn busy_rejected_and_refused() {
        let mut cr = ConnectionRequest::new("http://cpe/", "u", "p").unwrap();
        assert_eq!(
            cr.handle_response(b"HTTP/1.1 503 Service Unavailable\r\n\r\n")
                .unwrap(),
            CrStep::Done(CrOutcome::Busy)
        );
        let ch = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nConnection: close\r\n\r\n";
        assert!(matches!(
            cr.handle_response(ch).unwrap(),
            CrStep::Retry { close: true, .. }
        ));
        let _ = written(&mut cr);
        assert_eq!(
            cr.handle_response(ch).unwrap(),
            CrStep::Done(CrOutcome::AuthFailed)
        );
        assert_eq!(
            cr.handle_response(b"HTTP/1.1 404 Not Found\r\n\r\n")
                .unwrap(),
            CrStep::Done(CrOutcome::Refused { status: 404 })
        );
        assert_eq!(
            cr.handle_response(b"garbage\r\n\r\n"),
            Err(CrError::BadResponse)
        );
        assert_eq!(
            ConnectionRequest::new("https://cpe/", "u", "p").unwrap_err(),
            CrError::InvalidUrl
        );
    }
}
