//! HTTP Basic authentication (RFC 7617), both sides. Under TLS the CPE SHOULD send Basic
//! credentials pre-emptively (TR-069 §3.4.4); without TLS the ACS MUST use Digest instead.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::ConstantTimeEq;

use super::challenge::{AuthScheme, Challenges};
#[cfg(test)]
use super::AuthorizationValue;
use super::{AuthError, Credentials, Sink};

/// Appends `Basic base64(user:password)` to `out`.
pub(crate) fn write_authorization(
    creds: &Credentials<'_>,
    out: &mut dyn Sink,
) -> Result<(), AuthError> {
    // RFC 7617 §2: the user-id cannot contain a colon.
    if creds.username.contains(':')
        || creds
            .username
            .bytes()
            .chain(creds.password.bytes())
            .any(|b| b < 0x20 || b == 0x7f)
    {
        return Err(AuthError::InvalidCredentials);
    }
    out.push("Basic ")?;
    // Encode user ":" password in pieces of 3 bytes' multiples through a small buffer, so no
    // joined copy is needed: base64 works on 3-byte groups, keep carries between pieces.
    let mut group = [0u8; 3];
    let mut g = 0usize;
    let mut enc = [0u8; 4];
    for b in creds
        .username
        .bytes()
        .chain(core::iter::once(b':'))
        .chain(creds.password.bytes())
    {
        if let Some(slot) = group.get_mut(g) {
            *slot = b;
        }
        g = g.saturating_add(1);
        if g == 3 {
            push_b64(&group, &mut enc, out)?;
            g = 0;
        }
    }
    if g > 0 {
        push_b64(group.get(..g).unwrap_or(&[]), &mut enc, out)?;
    }
    Ok(())
}

fn push_b64(input: &[u8], enc: &mut [u8; 4], out: &mut dyn Sink) -> Result<(), AuthError> {
    let n = STANDARD
        .encode_slice(input, enc)
        .map_err(|_| AuthError::TooLong)?;
    let s = enc
        .get(..n)
        .and_then(|e| core::str::from_utf8(e).ok())
        .unwrap_or("");
    out.push(s)
}

/// Basic credentials received by a server, decoded into a caller buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BasicCredentials<'s> {
    /// The user-id.
    pub username: &'s [u8],
    /// The password.
    pub password: &'s [u8],
}

impl<'s> BasicCredentials<'s> {
    /// Parses an `Authorization: Basic <token68>` value, decoding into `scratch` (needs
    /// 3/4 of the token length).
    ///
    /// # Errors
    /// [`AuthError::Parse`] when the value is not Basic credentials or not valid base64 or has no
    /// colon; [`AuthError::TooLong`] when `scratch` is too small. Never panics.
    pub fn parse(value: &[u8], scratch: &'s mut [u8]) -> Result<Self, AuthError> {
        let c = Challenges::new(value)
            .next()
            .ok_or(AuthError::Parse(super::AuthParseError { offset: 0 }))??;
        let token = match (c.scheme, c.token68) {
            (AuthScheme::Basic, Some(t)) => t,
            _ => return Err(AuthError::Parse(super::AuthParseError { offset: 0 })),
        };
        let n = STANDARD.decode_slice(token, scratch).map_err(|e| match e {
            base64::DecodeSliceError::OutputSliceTooSmall => AuthError::TooLong,
            base64::DecodeSliceError::DecodeError(_) => AuthError::Parse(super::AuthParseError {
                offset: c.scheme_name.len().saturating_add(1),
            }),
        })?;
        let scratch: &'s [u8] = scratch;
        let decoded = scratch.get(..n).unwrap_or(&[]);
        let colon = decoded
            .iter()
            .position(|&b| b == b':')
            .ok_or(AuthError::Parse(super::AuthParseError {
                offset: c.scheme_name.len().saturating_add(1),
            }))?;
        let (username, rest) = decoded.split_at_checked(colon).unwrap_or((decoded, &[]));
        Ok(Self {
            username,
            password: rest.get(1..).unwrap_or(&[]),
        })
    }

    /// Constant-time check (per length) of both fields against the expected ones.
    pub fn verify(&self, username: &[u8], password: &[u8]) -> bool {
        let u = self.username.ct_eq(username);
        let p = self.password.ct_eq(password);
        bool::from(u & p)
    }
}

/// Writes a Basic challenge value `Basic realm="..."` (RFC 7617 §2) into `out`.
///
/// # Errors
/// [`AuthError::TooLong`] when it does not fit; [`AuthError::InvalidCredentials`] when the realm
/// has a `"`, `\` or control byte.
pub fn basic_challenge<const N: usize>(
    realm: &str,
    out: &mut heapless::String<N>,
) -> Result<(), AuthError> {
    if realm
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == b'"' || b == b'\\')
    {
        return Err(AuthError::InvalidCredentials);
    }
    for part in ["Basic realm=\"", realm, "\""] {
        out.push_str(part).map_err(|_| AuthError::TooLong)?;
    }
    Ok(())
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
    fn rfc7617_example() {
        // RFC 7617 §2: Aladdin / open sesame.
        let mut v = AuthorizationValue::new();
        write_authorization(
            &Credentials {
                username: "Aladdin",
                password: "open sesame",
            },
            &mut v,
        )
        .unwrap();
        assert_eq!(v.as_str(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        for (u, p, want) in [
            ("a", "", "Basic YTo="),
            ("ab", "c", "Basic YWI6Yw=="),
            ("", "", "Basic Og=="),
        ] {
            let mut v = AuthorizationValue::new();
            write_authorization(
                &Credentials {
                    username: u,
                    password: p,
                },
                &mut v,
            )
            .unwrap();
            assert_eq!(v.as_str(), want);
        }
        let mut v = AuthorizationValue::new();
        assert_eq!(
            write_authorization(
                &Credentials {
                    username: "a:b",
                    password: ""
                },
                &mut v
            ),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn server_side() {
        let mut scratch = [0u8; 64];
        let c =
            BasicCredentials::parse(b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", &mut scratch).unwrap();
        assert_eq!(
            (c.username, c.password),
            (&b"Aladdin"[..], &b"open sesame"[..])
        );
        assert!(c.verify(b"Aladdin", b"open sesame"));
        assert!(!c.verify(b"Aladdin", b"open sesame!"));
        assert!(!c.verify(b"aladdin", b"open sesame"));
        let mut scratch = [0u8; 64];
        assert!(matches!(
            BasicCredentials::parse(b"Basic !!!", &mut scratch),
            Err(AuthError::Parse(_))
        ));
        let mut scratch = [0u8; 64];
        assert!(matches!(
            BasicCredentials::parse(b"Basic YWJj", &mut scratch),
            Err(AuthError::Parse(_))
        ));
        let mut scratch = [0u8; 64];
        assert!(matches!(
            BasicCredentials::parse(b"Digest a=b", &mut scratch),
            Err(AuthError::Parse(_))
        ));
        let mut small = [0u8; 2];
        assert_eq!(
            BasicCredentials::parse(b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", &mut small),
            Err(AuthError::TooLong)
        );
        let mut s: heapless::String<64> = heapless::String::new();
        basic_challenge("cwmp", &mut s).unwrap();
        assert_eq!(s.as_str(), "Basic realm=\"cwmp\"");
    }
}
