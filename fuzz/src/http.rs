//! Fuzz bodies for `cwmp_codec::http`: one per parser entry point. Each must never panic, and
//! checks the invariants it can (lengths within the input, round trips, stable re-parses).

use cwmp_codec::http::{
    auth::{
        BasicCredentials, Challenges, ClientAuth, Credentials, DigestChallenge, DigestResponse,
        ServerChallenge, VerifyPolicy,
    },
    body::{BodyDecoder, BodyStatus, Framing},
    cookie::CookieJar,
    date::parse_http_date,
    limits::MAX_AUTHORIZATION_LEN,
    request::RequestHead,
    response::{ResponseHead, RetryAfter},
    url::Url,
    Status, EMPTY_HEADER,
};

/// Every HTTP fuzz target: `(corpus directory name, body)`.
// The shape the seed-replay harness expects (same as `crate::Target`).
#[allow(clippy::type_complexity)]
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("http_response_head", response_head),
    ("http_request_head", request_head),
    ("http_chunked_body", chunked_body),
    ("http_www_authenticate", www_authenticate),
    ("http_authorization", authorization),
    ("http_url", url),
    ("http_set_cookie", set_cookie),
];

const BUF: usize = 4096;

/// Decodes `raw` as a body under `framing` in one feed and in two (split at `split`), and checks
/// both agree and stay within the input.
fn body_both_ways(framing: Framing, raw: &[u8], split: usize) {
    let raw = &raw[..raw.len().min(BUF - 1)];
    let mut one = [0u8; BUF];
    one[..raw.len()].copy_from_slice(raw);
    let mut d1 = BodyDecoder::new(framing);
    let r1 = d1.feed(&mut one, raw.len());

    let split = split.min(raw.len());
    let mut two = [0u8; BUF];
    let mut d2 = BodyDecoder::new(framing);
    two[..split].copy_from_slice(&raw[..split]);
    let mut r2 = d2.feed(&mut two, split);
    if r2 == Ok(BodyStatus::Partial) {
        let at = d2.write_position();
        let rest = &raw[split..];
        two[at..at + rest.len()].copy_from_slice(rest);
        r2 = d2.feed(&mut two, rest.len());
    }
    match (r1, r2) {
        (
            Ok(BodyStatus::Complete {
                len: l1,
                excess: e1,
            }),
            Ok(BodyStatus::Complete {
                len: l2,
                excess: e2,
            }),
        ) => {
            assert!(l1 <= raw.len() && l1 + e1 <= raw.len());
            assert_eq!(l1, l2);
            assert_eq!(one[..l1], two[..l2]);
            // Excess bytes are moved right after the body in the one-shot case.
            assert_eq!(one[l1..l1 + e1], raw[raw.len() - e1..]);
            let _ = e2;
        }
        (Ok(BodyStatus::Partial), Ok(BodyStatus::Partial)) => {
            assert!(d1.len() <= raw.len());
            assert_eq!(d1.len(), d2.len());
            assert_eq!(one[..d1.len()], two[..d2.len()]);
            let _ = d1.eof();
        }
        (Err(e1), Err(e2)) => assert_eq!(e1.kind, e2.kind),
        (a, b) => panic!("one-shot {a:?} and split {b:?} disagree"),
    }
}

/// A response head (and its body, decoded, and its cookies and challenges, processed).
pub fn response_head(data: &[u8]) {
    let mut headers = [EMPTY_HEADER; 32];
    let Ok(Status::Complete(head)) = ResponseHead::parse(data, &mut headers) else {
        return;
    };
    assert!(head.head_len <= data.len());
    let body = &data[head.head_len..];
    let _ = head.classify(body);
    let _ = (
        head.connection_close(),
        head.location(),
        head.retry_after(),
        head.is_text_xml(),
    );
    // HTTP-dates (RFC 9110 §5.6.7) of `Retry-After` and `Date`, and of the raw input.
    if let Some(RetryAfter::Date(d)) = head.retry_after() {
        let _ = parse_http_date(d);
    }
    let _ = head.header("date").map(parse_http_date);
    let _ = parse_http_date(data);
    let _ = (
        head.content_encoding(),
        head.content_length(),
        head.is_chunked(),
    );
    let mut jar: CookieJar<512> = CookieJar::new();
    for c in head.set_cookies() {
        let _ = jar.store_set_cookie(c);
    }
    assert!(jar.len() <= 512);
    let mut auth = ClientAuth::new();
    if let Ok(Some(_)) = auth.on_response(&head) {
        let creds = Credentials {
            username: "00D09E-STB-1",
            password: "pw",
        };
        if let Ok(Some(v)) = auth.authorization(&creds, "POST", "/", &[0; 16]) {
            assert!(v.len() <= MAX_AUTHORIZATION_LEN);
        }
    }
    body_both_ways(head.framing(), body, body.len() / 2);
}

/// A request head (server side) and its body.
pub fn request_head(data: &[u8]) {
    let mut headers = [EMPTY_HEADER; 32];
    let Ok(Status::Complete(head)) = RequestHead::parse(data, &mut headers) else {
        return;
    };
    assert!(head.head_len <= data.len());
    assert_ne!(
        head.framing(),
        Framing::UntilClose,
        "requests are never delimited by close"
    );
    let _ = (
        head.path(),
        head.query(),
        head.soap_action(),
        head.is_text_xml(),
        head.is_empty_post(),
    );
    let _ = (
        head.connection_close(),
        head.expects_continue(),
        head.cookies().count(),
    );
    if let Some(a) = head.authorization() {
        authorization(a);
    }
    let body = &data[head.head_len..];
    body_both_ways(head.framing(), body, body.len() / 3);
}

/// A chunked body; the first byte chooses the split point.
pub fn chunked_body(data: &[u8]) {
    let Some((&split, raw)) = data.split_first() else {
        return;
    };
    body_both_ways(Framing::Chunked, raw, usize::from(split));
    // Every split point for short inputs.
    if raw.len() <= 64 {
        for s in 0..=raw.len() {
            body_both_ways(Framing::Chunked, raw, s);
        }
    }
}

/// A `WWW-Authenticate` value: challenges, Digest fields, the client's answer.
pub fn www_authenticate(data: &[u8]) {
    for c in Challenges::new(data) {
        let Ok(c) = c else { break };
        for (name, value) in c.params() {
            assert!(!name.is_empty());
            assert!(value.len() <= value.raw().len());
        }
        if let Ok(Some(d)) = DigestChallenge::from_challenge(&c) {
            let _ = d.nonce.len();
        }
    }
    let mut auth = ClientAuth::new();
    if auth.handle_challenges([data].into_iter()).is_ok() {
        let creds = Credentials {
            username: "u",
            password: "p",
        };
        for _ in 0..2 {
            match auth.authorization(&creds, "POST", "/cwmp", &[7; 16]) {
                Ok(Some(v)) => {
                    // What we write, a server can parse back.
                    if v.starts_with("Digest") {
                        assert!(DigestResponse::parse(v.as_bytes()).is_ok(), "{v}");
                    }
                }
                Ok(None) => panic!("challenged but no credentials"),
                Err(_) => break,
            }
        }
    }
}

/// An `Authorization` value (server side): Digest verification and Basic decoding.
pub fn authorization(data: &[u8]) {
    if let Ok(r) = DigestResponse::parse(data) {
        let ch = ServerChallenge::new("cwmp", "nonce");
        let _ = r.verify(&ch, "GET", "/", b"pw");
        let ch = ServerChallenge {
            qop_auth: false,
            opaque: Some("o"),
            ..ch
        };
        let _ = r.verify(&ch, "POST", "/cwmp", b"");
        let _ = r.verify_with(&ch, "GET", "/", b"pw", VerifyPolicy::LENIENT);
    }
    let mut scratch = [0u8; 512];
    if let Ok(b) = BasicCredentials::parse(data, &mut scratch) {
        let _ = b.verify(b"u", b"p");
    }
}

/// A URL (absolute), and the input as a reference resolved against a base.
pub fn url(data: &[u8]) {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(u) = Url::parse(s) {
        assert!(u.port() > 0);
        assert!(u.path().starts_with('/'));
        let _ = (
            u.host_bare(),
            u.query(),
            u.request_target(),
            u.host_header(),
        );
        // Re-parsing the parsed form gives the same URL.
        let again = Url::parse(u.as_str()).expect("re-parse");
        assert_eq!(again, u);
    }
    let base = Url::parse("http://acs.example.com:7547/a/b/c?q").expect("base");
    let mut out = [0u8; 1024];
    if let Ok(r) = base.resolve(s, &mut out) {
        assert!(r.as_str().len() <= 1024);
        assert!(r.path().starts_with('/'));
        assert!(
            !r.path().contains("/./") && !r.path().contains("/../"),
            "{}",
            r.as_str()
        );
    }
}

/// A `Set-Cookie` value into a small jar.
pub fn set_cookie(data: &[u8]) {
    let mut jar: CookieJar<512> = CookieJar::new();
    let _ = jar.store_set_cookie(data);
    let _ = jar.store_set_cookie(data);
    assert!(jar.len() <= 512);
    if let Some(v) = jar.header_value() {
        assert_eq!(v.len(), jar.len());
        assert!(!v.contains("\r") && !v.contains('\n'));
        // Names are unique after replacement.
        for (i, (n, _)) in jar.iter().enumerate() {
            assert!(
                jar.iter().skip(i + 1).all(|(m, _)| m != n),
                "duplicate cookie {n}"
            );
        }
    }
}
