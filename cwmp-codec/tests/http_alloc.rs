//! Proves the HTTP layer makes zero heap allocations: a counting global allocator wraps the
//! system one, and parse + write + auth + body + cookie + redirect operations run between two
//! readings of the counter. The counter is per thread, so the harness's threads do not count.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_codec::http::{
    auth::{BasicCredentials, ClientAuth, Credentials, DigestResponse, ServerChallenge},
    body::{BodyDecoder, Framing},
    cookie::CookieJar,
    redirect::Redirects,
    request::{PostHead, PostKind, RequestHead},
    response::{ResponseHead, ServerResponseHead},
    url::Url,
    username::cpe_username,
    Status, EMPTY_HEADER,
};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocation_count as allocations;

#[test]
fn http_layer_does_not_allocate() {
    // Inputs prepared before counting.
    let response = *b"HTTP/1.1 401 Unauthorized\r\nSet-Cookie: s=1; Path=/, t=2\r\nWWW-Authenticate: Basic realm=\"r\", Digest realm=\"r\", nonce=\"abc\", qop=\"auth,auth-int\", opaque=\"o\", algorithm=SHA-256\r\nContent-Length: 0\r\n\r\n";
    let mut chunked = *b"5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nT: x\r\n\r\n";
    let mut tx = [0u8; 2048];
    let mut scratch = [0u8; 64];
    let mut url_buf = [0u8; 256];

    let before = allocations();

    let url = Url::parse("http://acs.example.com:7547/cwmp?x=1").unwrap();
    let _ = url.resolve("../other?y", &mut url_buf).unwrap();
    let mut jar: CookieJar = CookieJar::new();
    let mut auth = ClientAuth::new();
    let mut headers = [EMPTY_HEADER; 16];
    let Status::Complete(head) = ResponseHead::parse(&response, &mut headers).unwrap() else {
        panic!()
    };
    for c in head.set_cookies() {
        jar.store_set_cookie(c).unwrap();
    }
    auth.on_response(&head).unwrap();
    let creds = Credentials {
        username: "00D09E-STB-1",
        password: "pw",
    };
    let value = auth
        .authorization(&creds, "POST", url.request_target(), &[3; 16])
        .unwrap()
        .unwrap();
    let post = PostHead {
        cookie: jar.header_value(),
        authorization: Some(value.as_str()),
        ..PostHead::new(
            url.host_header(),
            url.request_target(),
            PostKind::SoapRequest,
            16,
        )
    };
    let mut w: &mut [u8] = &mut tx;
    post.write(&mut w).unwrap();
    let n = post.encoded_len();
    let mut req_headers = [EMPTY_HEADER; 16];
    let Status::Complete(req) = RequestHead::parse(&tx[..n], &mut req_headers).unwrap() else {
        panic!()
    };
    let d = DigestResponse::parse(req.authorization().unwrap()).unwrap();
    let server = ServerChallenge {
        opaque: Some("o"),
        algorithm: cwmp_codec::http::auth::Algorithm::Sha256,
        ..ServerChallenge::new("r", "abc")
    };
    assert!(matches!(
        d.verify(&server, req.method, req.target, b"pw"),
        cwmp_codec::http::auth::Verification::Valid { .. }
    ));
    let _ch = server.to_value::<256>().unwrap();
    let _nonce = cwmp_codec::http::auth::server_nonce(5, &[1; 16]);
    let mut basic = ClientAuth::preemptive_basic();
    let b = basic
        .authorization(&creds, "POST", "/", &[0; 16])
        .unwrap()
        .unwrap();
    let bc = BasicCredentials::parse(b.as_bytes(), &mut scratch).unwrap();
    assert!(bc.verify(b"00D09E-STB-1", b"pw"));
    let mut dec = BodyDecoder::new(Framing::Chunked);
    let len = chunked.len();
    let _ = dec.feed(&mut chunked, len).unwrap();
    let mut redirects = Redirects::new();
    let _ = redirects.follow(&url, "https://acs2/").unwrap();
    let resp = ServerResponseHead::envelope(100);
    let mut w: &mut [u8] = &mut tx;
    resp.write(&mut w).unwrap();
    let mut ubuf = [0u8; 64];
    let _ = cpe_username(&mut ubuf, "00D09E", "Set-Top-Box", "S\u{e9}1").unwrap();

    let after = allocations();
    assert_eq!(after - before, 0, "heap allocations in the HTTP layer");
    assert_eq!(&chunked[..11], b"hello world");
}
