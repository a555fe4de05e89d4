//! HTTP authentication for CWMP (TR-069 §3.4.4, §3.4.5): Basic (RFC 7617) and Digest
//! (RFC 7616, with the RFC 2617 and RFC 2069 forms real peers still use, INTEROP C3).
//!
//! * Client (the CPE talking to the ACS, or downloading a file): [`ClientAuth`] keeps the
//!   challenge of the connection and produces `Authorization` values. `nc` counts requests on
//!   the same nonce; the cnonce comes from caller randomness.
//! * Server (the CPE's connection-request server, §3.2.2.2, or an ACS): [`ServerChallenge`]
//!   writes a `WWW-Authenticate` value, [`DigestResponse`] parses an `Authorization: Digest`
//!   value and verifies it in constant time, [`BasicCredentials`] does the same for Basic.
//!
//! Hashes come from RustCrypto (`md-5`, `sha2`), base64 from the `base64` crate, constant-time
//! comparison from `subtle`. Only lowercase hex is done by hand.
//!
//! Choice among several challenges: Digest over Basic, and among Digest challenges SHA-256
//! before MD5 (RFC 7616 §3.7), `-sess` variants after their plain form. Offered qop
//! `auth,auth-int` → `auth`; no qop → the RFC 2069 form. `userhash` and `username*` are not
//! used (the §3.4.4 username is ASCII).

use core::fmt;

use heapless::{String, Vec};

mod basic;
pub mod challenge;
mod digest;

pub use basic::{basic_challenge, BasicCredentials};
pub use challenge::{AuthParseError, AuthScheme, Challenge, Challenges, ParamValue};
pub use digest::{
    server_nonce, server_nonce_time, DigestChallenge, DigestResponse, InvalidReason,
    ServerChallenge, Verification, VerifyPolicy,
};

use super::limits::{MAX_AUTHORIZATION_LEN, MAX_NONCE_LEN, MAX_OPAQUE_LEN, MAX_REALM_LEN};
use super::response::ResponseHead;

/// An `Authorization` header value built by [`ClientAuth::authorization`].
pub type AuthorizationValue = String<MAX_AUTHORIZATION_LEN>;

/// Where the pieces of an `Authorization` value go: a string, a length count, or a writer.
pub(crate) trait Sink {
    fn push(&mut self, s: &str) -> Result<(), AuthError>;
}

impl<const N: usize> Sink for String<N> {
    fn push(&mut self, s: &str) -> Result<(), AuthError> {
        self.push_str(s).map_err(|_| AuthError::TooLong)
    }
}

/// Counts a value's length, refusing more than [`MAX_AUTHORIZATION_LEN`] (the limit an
/// [`AuthorizationValue`] has, so that both ways of sending a value accept the same ones).
struct Count(usize);

impl Sink for Count {
    fn push(&mut self, s: &str) -> Result<(), AuthError> {
        self.0 = self.0.saturating_add(s.len());
        if self.0 > MAX_AUTHORIZATION_LEN {
            return Err(AuthError::TooLong);
        }
        Ok(())
    }
}

/// Writes a value's pieces to `w`, keeping the writer's error (the value itself was checked
/// by [`ClientAuth::prepare`], so a failure here is the writer's).
struct ToWriter<'w, W: embedded_io::Write> {
    w: &'w mut W,
    error: Option<W::Error>,
}

impl<W: embedded_io::Write> Sink for ToWriter<'_, W> {
    fn push(&mut self, s: &str) -> Result<(), AuthError> {
        self.w.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            AuthError::TooLong
        })
    }
}

/// An `Authorization` value ready to be written (from [`ClientAuth::prepare`]): the Digest
/// `response` is computed and the value checked, but the text is not assembled. It is written
/// straight into the request head ([`PostHead::prepared_authorization`]), so no
/// [`AuthorizationValue`] (1,280 bytes) is built on the stack; [`to_value`](Self::to_value)
/// gives the text when one is wanted.
///
/// [`PostHead::prepared_authorization`]: super::request::PostHead::prepared_authorization
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Authorization<'s> {
    kind: Prepared<'s>,
    len: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prepared<'s> {
    Basic(Credentials<'s>),
    Digest {
        state: &'s DigestState,
        creds: Credentials<'s>,
        uri: &'s str,
        response: digest::Hex,
        nc: [u8; 8],
        cnonce: [u8; 32],
    },
}

impl fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value carries credentials (Basic) or a response derived from them.
        f.debug_struct("Authorization")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Authorization<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Authorization {{ len: {} }}", self.len)
    }
}

impl Authorization<'_> {
    fn render(&self, out: &mut dyn Sink) -> Result<(), AuthError> {
        match &self.kind {
            Prepared::Basic(creds) => basic::write_authorization(creds, out),
            Prepared::Digest {
                state,
                creds,
                uri,
                response,
                nc,
                cnonce,
            } => digest::write_authorization(state, creds, uri, response, nc, cnonce, out),
        }
    }

    /// The value's length in bytes (at most [`MAX_AUTHORIZATION_LEN`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: a value names its scheme.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes the value (without the field name or CRLF) to `w`.
    ///
    /// # Errors
    /// The writer's. Never panics.
    pub fn write<W: embedded_io::Write>(&self, w: &mut W) -> Result<(), W::Error> {
        let mut sink = ToWriter { w, error: None };
        match (self.render(&mut sink), sink.error) {
            (_, Some(e)) => Err(e),
            // Checked when prepared: rendering again cannot fail.
            (_, None) => Ok(()),
        }
    }

    /// The value as text.
    pub fn to_value(&self) -> AuthorizationValue {
        let mut v = AuthorizationValue::new();
        // Checked when prepared to fit an `AuthorizationValue`.
        let _ = self.render(&mut v);
        v
    }
}

/// Username and password (the §3.4.4 username, see [`crate::http::username`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// The username.
    pub username: &'a str,
    /// The password (shared secret).
    pub password: &'a str,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Credentials({=str}, ..)", self.username);
    }
}

/// Digest hash algorithm (RFC 7616 §3.3). MD5 and MD5-sess are MUST for a CPE (§3.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Algorithm {
    /// `MD5` (the default when `algorithm` is absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// Parses an `algorithm` value, case-insensitively; `None` for an unsupported one.
    pub fn parse(v: &[u8]) -> Option<Self> {
        [Self::Md5, Self::Md5Sess, Self::Sha256, Self::Sha256Sess]
            .into_iter()
            .find(|a| a.as_str().as_bytes().eq_ignore_ascii_case(v))
    }

    /// The token as written in headers.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    /// True for the `-sess` variants.
    pub const fn is_sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Preference rank when several challenges are offered (higher is better).
    const fn rank(self) -> u8 {
        match self {
            Self::Sha256 => 4,
            Self::Sha256Sess => 3,
            Self::Md5 => 2,
            Self::Md5Sess => 1,
        }
    }
}

/// Errors of the authentication layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AuthError {
    /// A malformed `WWW-Authenticate` or `Authorization` value.
    Parse(AuthParseError),
    /// A Digest challenge without `nonce`, or with a `realm`, `nonce` or `opaque` longer than
    /// the limits in [`crate::http::limits`].
    BadChallenge,
    /// No Basic challenge and no Digest challenge with a supported algorithm.
    NoSupportedChallenge,
    /// The server challenged again after credentials were sent for its last challenge, without
    /// `stale=true`: the credentials are wrong. Fail the Session rather than loop.
    Rejected,
    /// The username has a `:` (Basic) or a control character.
    InvalidCredentials,
    /// The value does not fit its buffer ([`MAX_AUTHORIZATION_LEN`] for the client).
    TooLong,
    /// The nonce count reached `ffffffff` on one nonce.
    NonceCountExhausted,
}

impl From<AuthParseError> for AuthError {
    fn from(e: AuthParseError) -> Self {
        Self::Parse(e)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => fmt::Display::fmt(e, f),
            Self::BadChallenge => {
                f.write_str("digest challenge without nonce or with oversized fields")
            }
            Self::NoSupportedChallenge => f.write_str("no supported authentication challenge"),
            Self::Rejected => f.write_str("credentials rejected"),
            Self::InvalidCredentials => {
                f.write_str("username or password not allowed in this scheme")
            }
            Self::TooLong => f.write_str("authentication value too long for its buffer"),
            Self::NonceCountExhausted => f.write_str("nonce count exhausted"),
        }
    }
}

impl core::error::Error for AuthError {}

/// What a challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ChallengeOutcome {
    /// Re-send the request with Basic credentials.
    Basic,
    /// Re-send the request with Digest credentials.
    Digest {
        /// The server said `stale=true`: the password was right, the nonce expired.
        stale: bool,
    },
}

/// The Digest state kept between requests: the challenge's fields and the nonce count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigestState {
    pub(crate) realm: Vec<u8, MAX_REALM_LEN>,
    pub(crate) nonce: Vec<u8, MAX_NONCE_LEN>,
    pub(crate) opaque: Option<Vec<u8, MAX_OPAQUE_LEN>>,
    pub(crate) algorithm: Algorithm,
    /// qop=auth offered (else the RFC 2069 form).
    pub(crate) qop_auth: bool,
    /// The challenge named its algorithm (echo it; RFC 2617 servers may not expect one).
    pub(crate) algorithm_explicit: bool,
    /// Requests sent with this nonce (the last `nc`).
    pub(crate) nc: u32,
}

// No heap to box into: the Digest state is a few hundred bytes, kept inline on purpose.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    None,
    Basic,
    Digest(DigestState),
}

/// The client's authentication state for one connection or Session (TR-069 §3.4.4).
///
/// Feed every response to [`on_response`](Self::on_response) (or a 401's challenges to
/// [`handle_challenges`](Self::handle_challenges)), and ask
/// [`authorization`](Self::authorization) for the value of each request: after a challenge the
/// CPE sends `Authorization` on every later request over that connection (§3.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    state: State,
    preemptive_basic: bool,
    /// Credentials were sent since the last challenge.
    sent: bool,
    /// A fresh (other nonce, not stale) challenge already followed sent credentials once since
    /// the last accepted request.
    retried: bool,
}

#[cfg(feature = "defmt")]
impl defmt::Format for ClientAuth {
    fn format(&self, f: defmt::Formatter<'_>) {
        let s = match &self.state {
            State::None => "none",
            State::Basic => "basic",
            State::Digest(_) => "digest",
        };
        defmt::write!(f, "ClientAuth({=str})", s);
    }
}

impl Default for ClientAuth {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientAuth {
    /// No credentials until challenged.
    pub const fn new() -> Self {
        Self {
            state: State::None,
            preemptive_basic: false,
            sent: false,
            retried: false,
        }
    }

    /// Sends Basic credentials on the first request, before any challenge: for use over TLS
    /// only (§3.4.4 SHOULD). A Digest challenge still switches to Digest.
    pub const fn preemptive_basic() -> Self {
        Self {
            state: State::Basic,
            preemptive_basic: true,
            sent: false,
            retried: false,
        }
    }

    /// Forgets the challenge (new Session). Pre-emptive Basic stays on.
    pub fn reset(&mut self) {
        self.state = if self.preemptive_basic {
            State::Basic
        } else {
            State::None
        };
        self.sent = false;
        self.retried = false;
    }

    /// The scheme in use, if any.
    pub fn scheme(&self) -> Option<AuthScheme> {
        match self.state {
            State::None => None,
            State::Basic => Some(AuthScheme::Basic),
            State::Digest(_) => Some(AuthScheme::Digest),
        }
    }

    /// The last nonce count sent (Digest), for tests and diagnostics.
    pub fn nonce_count(&self) -> Option<u32> {
        match &self.state {
            State::Digest(d) => Some(d.nc),
            _ => None,
        }
    }

    /// Handles a response: a 401 goes to [`handle_challenges`](Self::handle_challenges) and
    /// returns what to do; any other status means the credentials (if any) were accepted.
    ///
    /// # Errors
    /// See [`handle_challenges`](Self::handle_challenges).
    pub fn on_response(
        &mut self,
        head: &ResponseHead<'_, '_>,
    ) -> Result<Option<ChallengeOutcome>, AuthError> {
        if head.status == 401 {
            self.handle_challenges(head.www_authenticate()).map(Some)
        } else {
            self.sent = false;
            self.retried = false;
            Ok(None)
        }
    }

    /// Takes the challenges of a 401 (every `WWW-Authenticate` value) and picks one.
    ///
    /// # Errors
    /// [`AuthError::Parse`] for a malformed field; [`AuthError::NoSupportedChallenge`];
    /// [`AuthError::BadChallenge`]; [`AuthError::Rejected`] when credentials were sent and the
    /// server challenges again without `stale=true`: at once for Basic or for the same Digest
    /// nonce, at the second such challenge when the nonce changed (it may be a new connection's
    /// nonce, §3.4.5). On error the state is kept.
    pub fn handle_challenges<'v>(
        &mut self,
        values: impl Iterator<Item = &'v [u8]>,
    ) -> Result<ChallengeOutcome, AuthError> {
        let mut best_digest: Option<DigestChallenge<'v>> = None;
        let mut basic = false;
        let mut bad_digest = false;
        for v in values {
            for c in Challenges::new(v) {
                let c = c?;
                match c.scheme {
                    AuthScheme::Basic => basic = true,
                    AuthScheme::Digest => match DigestChallenge::from_challenge(&c) {
                        Ok(Some(d)) => {
                            if best_digest.is_none_or(|b| d.algorithm.rank() > b.algorithm.rank()) {
                                best_digest = Some(d);
                            }
                        }
                        Ok(None) => {}
                        Err(_) => bad_digest = true,
                    },
                    AuthScheme::Other => {}
                }
            }
        }
        if let Some(d) = best_digest {
            let stale = d.stale;
            if self.sent && !stale {
                // Same nonce again: the server refused the credentials. Another nonce may just be
                // a new connection's (§3.4.5: fresh nonce per TCP connection), so allow one more
                // try before giving up.
                let same_nonce =
                    matches!(&self.state, State::Digest(s) if d.nonce.eq_bytes(&s.nonce));
                if same_nonce || self.retried {
                    return Err(AuthError::Rejected);
                }
                self.retried = true;
            }
            self.state = State::Digest(d.to_state()?);
            self.sent = false;
            return Ok(ChallengeOutcome::Digest { stale });
        }
        if bad_digest {
            return Err(AuthError::BadChallenge);
        }
        if basic {
            if self.sent {
                return Err(AuthError::Rejected);
            }
            self.state = State::Basic;
            return Ok(ChallengeOutcome::Basic);
        }
        Err(AuthError::NoSupportedChallenge)
    }

    /// The `Authorization` value for the next request (`None` before any challenge, unless
    /// pre-emptive Basic is on). `method` and `uri` are those of the request line (`uri` is the
    /// request-target, e.g. `/cwmp?x=1`). `cnonce_random` comes from the caller's RNG and
    /// becomes a 32-digit hex cnonce; each call counts one request (`nc` + 1).
    ///
    /// The text of [`prepare`](Self::prepare)'s value; a request head can take that one as it
    /// is, without this 1,280-byte string.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`], [`AuthError::TooLong`],
    /// [`AuthError::NonceCountExhausted`]. Never panics.
    pub fn authorization(
        &mut self,
        creds: &Credentials<'_>,
        method: &str,
        uri: &str,
        cnonce_random: &[u8; 16],
    ) -> Result<Option<AuthorizationValue>, AuthError> {
        Ok(self
            .prepare(creds, method, uri, cnonce_random)?
            .map(|a| a.to_value()))
    }

    /// The `Authorization` value for the next request, as [`authorization`](Self::authorization)
    /// gives it, checked and ready to be written ([`Authorization::write`], or
    /// [`PostHead::prepared_authorization`](super::request::PostHead::prepared_authorization)).
    /// Counts the request (`nc` + 1) only when the value is good.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`], [`AuthError::TooLong`] (more than
    /// [`MAX_AUTHORIZATION_LEN`] bytes), [`AuthError::NonceCountExhausted`]; the state is
    /// unchanged. Never panics.
    pub fn prepare<'s>(
        &'s mut self,
        creds: &Credentials<'s>,
        method: &str,
        uri: &'s str,
        cnonce_random: &[u8; 16],
    ) -> Result<Option<Authorization<'s>>, AuthError> {
        let kind = match &mut self.state {
            State::None => return Ok(None),
            State::Basic => Prepared::Basic(*creds),
            State::Digest(d) => {
                let nc = d.nc.checked_add(1).ok_or(AuthError::NonceCountExhausted)?;
                let mut nc_hex = [0u8; 8];
                super::write::hex_lower(&nc.to_be_bytes(), &mut nc_hex);
                let mut cnonce = [0u8; 32];
                super::write::hex_lower(cnonce_random, &mut cnonce);
                let response = digest::response(d, creds, method, uri, &nc_hex, &cnonce);
                let mut count = Count(0);
                digest::write_authorization(
                    d, creds, uri, &response, &nc_hex, &cnonce, &mut count,
                )?;
                d.nc = nc;
                self.sent = true;
                let State::Digest(state) = &self.state else {
                    return Ok(None);
                };
                return Ok(Some(Authorization {
                    kind: Prepared::Digest {
                        state,
                        creds: *creds,
                        uri,
                        response,
                        nc: nc_hex,
                        cnonce,
                    },
                    len: count.0,
                }));
            }
        };
        let mut a = Authorization { kind, len: 0 };
        let mut count = Count(0);
        a.render(&mut count)?;
        a.len = count.0;
        self.sent = true;
        Ok(Some(a))
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
    fn algorithm_tokens() {
        assert_eq!(Algorithm::parse(b"md5"), Some(Algorithm::Md5));
        assert_eq!(Algorithm::parse(b"MD5-SESS"), Some(Algorithm::Md5Sess));
        assert_eq!(Algorithm::parse(b"sha-256"), Some(Algorithm::Sha256));
        assert_eq!(
            Algorithm::parse(b"SHA-256-sess"),
            Some(Algorithm::Sha256Sess)
        );
        assert_eq!(Algorithm::parse(b"SHA-512-256"), None);
    }

    fn creds() -> Credentials<'static> {
        Credentials {
            username: "cpe",
            password: "pw",
        }
    }

    #[test]
    fn picks_digest_sha256_over_md5_over_basic() {
        let mut a = ClientAuth::new();
        let v: [&[u8]; 2] = [
            b"Basic realm=\"r\", Digest realm=\"r\", nonce=\"n1\", algorithm=MD5",
            b"Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=auth, Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-512-256",
        ];
        assert_eq!(
            a.handle_challenges(v.into_iter()),
            Ok(ChallengeOutcome::Digest { stale: false })
        );
        let v = a
            .authorization(&creds(), "POST", "/", &[0; 16])
            .unwrap()
            .unwrap();
        assert!(
            v.contains("nonce=\"n2\"") && v.contains("algorithm=SHA-256"),
            "{v}"
        );
    }

    #[test]
    fn rejected_after_credentials_unless_stale() {
        let mut a = ClientAuth::new();
        let ch: &[u8] = b"Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"";
        a.handle_challenges([ch].into_iter()).unwrap();
        a.authorization(&creds(), "POST", "/", &[1; 16]).unwrap();
        assert_eq!(
            a.handle_challenges([ch].into_iter()),
            Err(AuthError::Rejected)
        );
        // Another nonce (a new connection's?) gets one more try, not two.
        let other: &[u8] = b"Digest realm=\"r\", nonce=\"n9\", qop=\"auth\"";
        assert!(a.handle_challenges([other].into_iter()).is_ok());
        a.authorization(&creds(), "POST", "/", &[1; 16]).unwrap();
        let third: &[u8] = b"Digest realm=\"r\", nonce=\"n10\", qop=\"auth\"";
        assert_eq!(
            a.handle_challenges([third].into_iter()),
            Err(AuthError::Rejected)
        );
        // An accepted request resets the allowance.
        let mut b = ClientAuth::new();
        b.handle_challenges([ch].into_iter()).unwrap();
        b.authorization(&creds(), "POST", "/", &[1; 16]).unwrap();
        assert!(b.handle_challenges([other].into_iter()).is_ok());

        let stale: &[u8] = b"Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=TRUE";
        assert_eq!(
            a.handle_challenges([stale].into_iter()),
            Ok(ChallengeOutcome::Digest { stale: true })
        );
        assert_eq!(a.nonce_count(), Some(0));
        let v = a
            .authorization(&creds(), "POST", "/", &[1; 16])
            .unwrap()
            .unwrap();
        assert!(v.contains("nonce=\"n2\"") && v.contains("nc=00000001"));
        // Basic rejected the same way.
        let mut b = ClientAuth::new();
        let basic: &[u8] = b"Basic realm=\"x\"";
        b.handle_challenges([basic].into_iter()).unwrap();
        b.authorization(&creds(), "POST", "/", &[0; 16]).unwrap();
        assert_eq!(
            b.handle_challenges([basic].into_iter()),
            Err(AuthError::Rejected)
        );
    }

    #[test]
    fn nc_increments_per_request() {
        let mut a = ClientAuth::new();
        let ch: &[u8] = b"Digest realm=r, nonce=n, qop=auth";
        a.handle_challenges([ch].into_iter()).unwrap();
        for i in 1..=17u32 {
            let v = a
                .authorization(&creds(), "POST", "/", &[2; 16])
                .unwrap()
                .unwrap();
            let want = std::format!("nc={i:08x}");
            assert!(v.contains(want.as_str()), "{v}");
        }
    }

    extern crate std;

    #[test]
    fn no_challenge_no_header_and_preemptive_basic() {
        let mut a = ClientAuth::new();
        assert_eq!(a.authorization(&creds(), "POST", "/", &[0; 16]), Ok(None));
        let mut b = ClientAuth::preemptive_basic();
        assert_eq!(
            b.authorization(&creds(), "POST", "/", &[0; 16])
                .unwrap()
                .unwrap()
                .as_str(),
            "Basic Y3BlOnB3"
        );
        let none: &[u8] = b"Bearer realm=x";
        assert_eq!(
            a.handle_challenges([none].into_iter()),
            Err(AuthError::NoSupportedChallenge)
        );
        let bad: &[u8] = b"Digest realm=x";
        assert_eq!(
            a.handle_challenges([bad].into_iter()),
            Err(AuthError::BadChallenge)
        );
        let malformed: &[u8] = b"Digest realm=\"x";
        assert!(matches!(
            a.handle_challenges([malformed].into_iter()),
            Err(AuthError::Parse(_))
        ));
    }

    /// A prepared value written into a request head gives the bytes of its text through
    /// `authorization` (Basic, Digest MD5 with qop, SHA-256-sess, the RFC 2069 form, quoted
    /// parts with `"` and `\`), the head's `encoded_len` counts it, and both at once are
    /// refused. A value that cannot be made changes nothing: `nc` stays.
    #[test]
    fn prepared_values_write_the_text_values_bytes() {
        use crate::http::request::{PostHead, PostKind};
        use crate::http::url::Url;
        use crate::http::WriteError;
        let url = Url::parse("http://acs.example:7547/cwmp?x=1").unwrap();
        let head = |a: Option<&str>, p: Option<&Authorization<'_>>| {
            let h = PostHead {
                authorization: a,
                prepared_authorization: p,
                ..PostHead::new(
                    url.host_header(),
                    url.request_target(),
                    PostKind::SoapRequest,
                    9,
                )
            };
            let mut buf = [0u8; 2048];
            let mut w: &mut [u8] = &mut buf;
            let r = h.write(&mut w);
            let n = 2048 - w.len();
            r.map(|()| (buf[..n].to_vec(), h.encoded_len()))
        };
        let quoted = Credentials {
            username: "a\"b\\c",
            password: "pw",
        };
        let challenges: [&[u8]; 4] = [
            b"Basic realm=\"r\"",
            b"Digest realm=\"r\\\"x\", nonce=\"n1\", qop=\"auth\", opaque=\"o\"",
            b"Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256-sess, qop=auth",
            b"Digest realm=\"r\", nonce=\"n3\"",
        ];
        for ch in challenges {
            for c in [creds(), quoted] {
                let mut text = ClientAuth::new();
                text.handle_challenges([ch].into_iter()).unwrap();
                let mut prepared = text.clone();
                let value = text
                    .authorization(&c, "POST", url.request_target(), &[7; 16])
                    .unwrap()
                    .unwrap();
                let p = prepared
                    .prepare(&c, "POST", url.request_target(), &[7; 16])
                    .unwrap()
                    .unwrap();
                assert_eq!(p.len(), value.len());
                assert_eq!(p.to_value(), value);
                let want = head(Some(value.as_str()), None).unwrap();
                let got = head(None, Some(&p)).unwrap();
                assert_eq!(got, want, "{}", std::str::from_utf8(&want.0).unwrap());
                assert_eq!(got.1, got.0.len());
                assert_eq!(
                    head(Some(value.as_str()), Some(&p)),
                    Err(WriteError::InvalidField)
                );
            }
        }
        // Too long: refused, and the request is not counted.
        let mut a = ClientAuth::new();
        let ch: &[u8] = b"Digest realm=r, nonce=n, qop=auth";
        a.handle_challenges([ch].into_iter()).unwrap();
        let long = "u".repeat(MAX_AUTHORIZATION_LEN);
        let c = Credentials {
            username: &long,
            password: "pw",
        };
        assert_eq!(
            a.prepare(&c, "POST", "/", &[0; 16])
                .map(|p| p.map(|p| p.len())),
            Err(AuthError::TooLong)
        );
        assert_eq!(a.nonce_count(), Some(0));
        let mut b = ClientAuth::preemptive_basic();
        assert_eq!(
            b.prepare(&c, "POST", "/", &[0; 16])
                .map(|p| p.map(|p| p.len())),
            Err(AuthError::TooLong)
        );
    }
}
