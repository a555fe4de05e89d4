//! Size limits of the HTTP layer, named once.
//!
//! Figures in **bold** in the docs come from TR-069 Issue 1 Amendment 6; the others are
//! implementation caps where the specification says nothing (marked *impl*).

/// Consecutive redirects a CPE follows in one Session: **5** (TR-069 §3.4.2). The sixth
/// consecutive redirect is an error ([`crate::http::redirect::RedirectError::TooMany`]).
pub const MAX_REDIRECTS: u8 = 5;

/// Cookie storage a CPE MUST offer: **at least 512 bytes**, multiple cookies (TR-069 §3.4.2).
pub const MIN_COOKIE_STORAGE: usize = 512;

/// Default byte capacity of a [`crate::http::cookie::CookieJar`] (*impl*, twice the minimum).
pub const DEFAULT_COOKIE_STORAGE: usize = 1024;

/// Incoming SOAP envelope size a CPE or ACS MUST accept: **at least 32768 bytes** (TR-069 §3.5).
/// A body buffer handed to the body decoder should be at least this large.
pub const MIN_ENVELOPE_SIZE: usize = 32768;

/// Longest URL kept by [`crate::http::redirect::Redirects`] (*impl*). The ACS URL parameter is a
/// string(256) in the data model, a `Location` target may be longer; TR-069 T44 uses 1024.
pub const MAX_URL_LEN: usize = 1024;

/// Longest chunk extension list accepted on one chunk-size line (*impl*, RFC 9112 §7.1.1 lets
/// a recipient limit it).
pub const MAX_CHUNK_EXTENSION_LEN: usize = 1024;

/// Longest trailer section accepted after the last chunk, all fields together (*impl*).
pub const MAX_TRAILER_LEN: usize = 4096;

/// Most hexadecimal digits in a chunk size (a `u64`), leading zeros excepted (*impl*).
pub const MAX_CHUNK_SIZE_DIGITS: u8 = 16;

/// Longest `realm` kept by the client authentication state (*impl*).
pub const MAX_REALM_LEN: usize = 128;

/// Longest `nonce` kept by the client authentication state (*impl*; RFC 7616 leaves it open,
/// real ACSs send 32 to 64 characters).
pub const MAX_NONCE_LEN: usize = 128;

/// Longest `opaque` kept by the client authentication state (*impl*).
pub const MAX_OPAQUE_LEN: usize = 128;

/// Capacity of an `Authorization` header value built by the client (*impl*). Covers a Digest
/// value with the longest realm, nonce and opaque above, a 256-byte username and a 256-byte URI.
pub const MAX_AUTHORIZATION_LEN: usize = 1280;

/// Capacity of a `WWW-Authenticate` value written by [`crate::http::auth::DigestChallenge`]
/// into a heapless string (*impl*).
pub const MAX_CHALLENGE_LEN: usize = 512;

/// Longest CPE username for the §3.4.4 form with ASCII fields (*impl*): 6 + 1 + 64·3 + 1 + 64·3.
/// Non-ASCII fields can need up to 6 + 1 + 768 + 1 + 768 bytes (DIGEST §16); use
/// [`crate::http::username::cpe_username_len`] to size a buffer exactly.
pub const MAX_USERNAME_LEN: usize = 392;

/// Length of the hexadecimal server nonce made by [`crate::http::auth::server_nonce`]:
/// 16 digits of time and 32 of randomness.
pub const SERVER_NONCE_LEN: usize = 48;
