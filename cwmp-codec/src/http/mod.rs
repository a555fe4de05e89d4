//! HTTP/1.1 for CWMP (TR-069 §3.4), sans-IO and allocation-free.
//!
//! Nothing here opens a socket: the caller owns the buffers, the connection and the randomness.
//! The pieces follow the shape of `httparse` and `smoltcp`: borrowed views over the caller's
//! bytes, [`Status::Partial`] while input is short, small `Copy` errors with byte offsets.
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`request`] | the CPE's POST head writer; request head reader (ACS, connection-request server) | §3.4.1, §3.2.2.2 |
//! | [`response`] | response head reader and classifier (CPE); response head writer (ACS, CR server) | §3.4.1, §3.4.6 |
//! | [`body`] | body framing: `Content-Length`, chunked (de-chunked in place), until close | RFC 9112 §6, §7.1 |
//! | [`url`] | `http`/`https` URLs and `Location` resolution | RFC 3986 |
//! | [`cookie`] | a fixed-capacity cookie jar | §3.4.2, RFC 6265 |
//! | [`date`] | HTTP-dates (`Retry-After`, `Date`) to Unix seconds | RFC 9110 §5.6.7 |
//! | [`redirect`] | the 5-redirect tracker | §3.4.2 |
//! | [`auth`] | Basic and Digest, client and server | §3.4.4, §3.4.5, RFC 7617, RFC 7616, RFC 2617 |
//! | [`username`] | the `OUI-ProductClass-SerialNumber` username | §3.4.4 |
//! | `compression` | gzip and deflate decoding (feature `compression`) | §3.4.7 |
//! | [`limits`] | every size cap, named once | |
//!
//! **One receive buffer for head and body.** Read into one buffer and call
//! [`ResponseHead::parse`](response::ResponseHead::parse) until it is complete; take what you
//! need from the head (cookies into the jar, challenges into the auth state, `Location`, the
//! `Copy` [`Framing`](body::Framing) and `head_len`), drop it, then `split_at_mut(head_len)` and
//! give the tail to a [`BodyDecoder`](body::BodyDecoder): the body bytes already received are
//! fed as they are, later reads go to `tail[decoder.write_position()..]`, and a chunked body is
//! de-chunked in place there.
//!
//! What the CPE's side of a Session looks like, end to end (one round trip with a Digest
//! challenge):
//!
//! ```
//! use cwmp_codec::http::{
//!     auth::{ClientAuth, Credentials},
//!     body::{BodyDecoder, BodyStatus},
//!     cookie::CookieJar,
//!     request::{PostHead, PostKind},
//!     response::{ResponseClass, ResponseHead},
//!     url::Url,
//!     Status, EMPTY_HEADER,
//! };
//!
//! let acs = Url::parse("http://acs.example.com:7547/cwmp?id=1").unwrap();
//! let body = b"<soap:Envelope/>";
//! let mut jar: CookieJar = CookieJar::new();
//! let mut auth = ClientAuth::new();
//! let creds = Credentials { username: "00D09E-STB-123", password: "secret" };
//!
//! // 1. The Inform POST: head, then the body streamed after it (any embedded_io::Write).
//! let mut tx = [0u8; 512];
//! let head = PostHead::new(acs.host_header(), acs.request_target(), PostKind::SoapRequest, body.len() as u64);
//! let mut out: &mut [u8] = &mut tx;
//! head.write(&mut out).unwrap();
//! embedded_io::Write::write_all(&mut out, body).unwrap();
//! let sent = 512 - out.len();
//! assert_eq!(sent, head.encoded_len() + body.len());
//! assert!(tx.starts_with(b"POST /cwmp?id=1 HTTP/1.1\r\nHost: acs.example.com:7547\r\n"));
//!
//! // 2. The ACS answers with a Digest challenge (and a session cookie).
//! let rx: &[u8] = b"HTTP/1.1 401 Unauthorized\r\n\
//!     Set-Cookie: session=abc; Path=/\r\n\
//!     WWW-Authenticate: Digest realm=\"cwmp\", nonce=\"4f1a\", qop=\"auth,auth-int\", algorithm=MD5\r\n\
//!     Content-Length: 0\r\n\r\n";
//! let mut headers = [EMPTY_HEADER; 16];
//! let Status::Complete(resp) = ResponseHead::parse(rx, &mut headers).unwrap() else { panic!() };
//! for value in resp.set_cookies() {
//!     jar.store_set_cookie(value).unwrap();
//! }
//! assert_eq!(resp.classify(b""), ResponseClass::Unauthorized);
//! auth.handle_challenges(resp.www_authenticate()).unwrap();
//! let mut decoder = BodyDecoder::new(resp.framing());
//! assert_eq!(decoder.feed(&mut [], 0).unwrap(), BodyStatus::Complete { len: 0, excess: 0 });
//! // No `Connection: close`: the next request goes on the same connection (§3.4.2).
//! assert!(!resp.connection_close());
//!
//! // 3. Re-send the Inform with credentials and the cookie. The cnonce comes from the caller's RNG.
//! //    `prepare` computes and checks the value, and the head writes it without building the
//! //    text (`authorization` gives it as a string, for `PostHead::authorization`).
//! let authorization = auth
//!     .prepare(&creds, "POST", acs.request_target(), &[7u8; 16])
//!     .unwrap()
//!     .unwrap();
//! let head = PostHead {
//!     cookie: jar.header_value(),
//!     prepared_authorization: Some(&authorization),
//!     ..PostHead::new(acs.host_header(), acs.request_target(), PostKind::SoapRequest, body.len() as u64)
//! };
//! let mut out: &mut [u8] = &mut tx;
//! head.write(&mut out).unwrap();
//! let text = core::str::from_utf8(&tx[..head.encoded_len()]).unwrap();
//! assert!(text.contains("\r\nCookie: session=abc\r\n"));
//! assert!(text.contains("Authorization: Digest username=\"00D09E-STB-123\", realm=\"cwmp\", nonce=\"4f1a\", uri=\"/cwmp?id=1\""));
//! assert!(text.contains("qop=auth, nc=00000001, cnonce=\"07070707070707070707070707070707\""));
//! ```

pub mod auth;
pub mod body;
#[cfg(feature = "compression")]
pub mod compression;
pub mod cookie;
pub mod date;
pub mod limits;
pub mod redirect;
pub mod request;
pub mod response;
pub mod url;
pub mod username;

mod error;
mod fields;
mod write;

pub use error::{HeadError, HeadErrorKind, WriteError};
pub use httparse::{Header, Status, EMPTY_HEADER};
pub use write::Counter;
