//! CPE-side HTTP flows of TR-069 §3.4 and the INTEROP quirks H1–H5, C1–C5, end to end through
//! the public API: write a POST, feed a response split at every byte, act on it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_codec::http::{
    auth::{
        AuthError, ChallengeOutcome, ClientAuth, Credentials, DigestResponse, ServerChallenge,
        Verification,
    },
    body::{BodyDecoder, BodyStatus, Framing},
    cookie::CookieJar,
    redirect::{RedirectError, Redirects},
    request::{PostHead, PostKind, RequestHead},
    response::{ResponseClass, ResponseHead, RetryAfter, ServerResponseHead},
    url::Url,
    Status, EMPTY_HEADER,
};

/// What the test client extracted from one response (owned copies).
#[derive(Debug, Default)]
struct Got {
    status: u16,
    class: Option<ResponseClass>,
    body: Vec<u8>,
    close: bool,
    location: Option<String>,
}

/// Feeds `raw` to a head parser and then a body decoder the way a CPE reading a socket would:
/// one receive buffer, pieces arriving split at `splits`. Cookies go to `jar`, 401 challenges
/// to `auth`.
fn receive(raw: &[u8], splits: &[usize], jar: &mut CookieJar, auth: &mut ClientAuth) -> Got {
    let mut buf = [0u8; 8192];
    let mut filled = 0usize;
    let mut got = Got::default();
    let mut pieces = splits.iter().copied().chain(std::iter::once(raw.len()));
    let mut last = 0usize;
    // Head.
    let (head_len, framing) = loop {
        let end = pieces.next().expect("head never completed");
        buf[filled..filled + (end - last)].copy_from_slice(&raw[last..end]);
        filled += end - last;
        last = end;
        let mut headers = [EMPTY_HEADER; 32];
        match ResponseHead::parse(&buf[..filled], &mut headers).unwrap() {
            Status::Partial => continue,
            Status::Complete(head) => {
                for c in head.set_cookies() {
                    jar.store_set_cookie(c).unwrap();
                }
                auth.on_response(&head).unwrap();
                got.status = head.status;
                got.close = head.connection_close();
                got.location = head.location().map(str::to_owned);
                break (head.head_len, head.framing());
            }
        }
    };
    // Body, in place after the head.
    let (_, body_buf) = buf.split_at_mut(head_len);
    let mut dec = BodyDecoder::new(framing);
    let mut status = dec.feed(body_buf, filled - head_len).unwrap();
    while status == BodyStatus::Partial {
        match pieces.next() {
            Some(end) => {
                let at = dec.write_position();
                body_buf[at..at + (end - last)].copy_from_slice(&raw[last..end]);
                status = dec.feed(body_buf, end - last).unwrap();
                last = end;
            }
            None => {
                let len = dec.eof().unwrap();
                status = BodyStatus::Complete { len, excess: 0 };
            }
        }
    }
    let BodyStatus::Complete { len, .. } = status else {
        unreachable!()
    };
    got.body = body_buf[..len].to_vec();
    // Re-parse the head (complete now) to classify with the body.
    let mut headers = [EMPTY_HEADER; 32];
    if let Status::Complete(head) = ResponseHead::parse(&buf[..head_len], &mut headers).unwrap() {
        got.class = Some(head.classify(&got.body));
    }
    got
}

fn post(url: &Url<'_>, kind: PostKind, body: &[u8], jar: &CookieJar, auth: Option<&str>) -> String {
    let head = PostHead {
        cookie: jar.header_value(),
        authorization: auth,
        ..PostHead::new(
            url.host_header(),
            url.request_target(),
            kind,
            body.len() as u64,
        )
    };
    let mut buf = vec![0u8; head.encoded_len() + body.len()];
    let mut w: &mut [u8] = &mut buf;
    head.write(&mut w).unwrap();
    embedded_io::Write::write_all(&mut w, body).unwrap();
    assert!(w.is_empty(), "encoded_len is exact");
    String::from_utf8(buf).unwrap()
}

const CHUNKED_ENVELOPE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\nSet-Cookie: step=2\r\n\r\n10;x=y\r\n<soap:Envelope/>\r\n1\r\n\n\r\n0\r\nX-Trailer: 1\r\n\r\n";

#[test]
fn chunked_envelope_every_split_point() {
    for s in 0..=CHUNKED_ENVELOPE.len() {
        let mut jar = CookieJar::new();
        let mut auth = ClientAuth::new();
        let got = receive(CHUNKED_ENVELOPE, &[s], &mut jar, &mut auth);
        assert_eq!(got.body, b"<soap:Envelope/>\n", "split {s}");
        assert_eq!(got.class, Some(ResponseClass::Envelope));
        assert_eq!(jar.header_value(), Some("step=2"));
    }
}

#[test]
fn chunked_envelope_byte_by_byte() {
    let splits: Vec<usize> = (1..CHUNKED_ENVELOPE.len()).collect();
    let mut jar = CookieJar::new();
    let got = receive(CHUNKED_ENVELOPE, &splits, &mut jar, &mut ClientAuth::new());
    assert_eq!(got.body, b"<soap:Envelope/>\n");
}

#[test]
fn content_length_every_split_point_and_until_close() {
    let raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 16\r\n\r\n<soap:Envelope/>";
    for s in 0..=raw.len() {
        let got = receive(raw, &[s], &mut CookieJar::new(), &mut ClientAuth::new());
        assert_eq!(got.body, b"<soap:Envelope/>");
    }
    let raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<soap:Envelope/>";
    let got = receive(
        raw,
        &[20, 50],
        &mut CookieJar::new(),
        &mut ClientAuth::new(),
    );
    assert_eq!(got.body, b"<soap:Envelope/>");
    assert!(got.close);
}

/// H1: 204 and an empty 200 both end the Session.
#[test]
fn h1_session_end_204_or_empty_200() {
    for raw in [
        &b"HTTP/1.1 204 No Content\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\r\n",
    ] {
        let got = receive(raw, &[], &mut CookieJar::new(), &mut ClientAuth::new());
        assert_eq!(
            got.class,
            Some(ResponseClass::NoMoreRequests),
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
}

/// H2, H3, H4: the empty POST carries no Content-Type and no SOAPAction; no POST is chunked or
/// asks for 100-continue; SOAPAction forms by kind (§3.4.1, DIGEST §17 item 3).
#[test]
fn h2_h3_h4_request_forms() {
    let url = Url::parse("http://acs.example.com/cwmp").unwrap();
    let jar = CookieJar::new();
    let empty = post(&url, PostKind::Empty, b"", &jar, None);
    assert_eq!(
        empty,
        "POST /cwmp HTTP/1.1\r\nHost: acs.example.com\r\nContent-Length: 0\r\n\r\n"
    );
    let inform = post(
        &url,
        PostKind::SoapRequest,
        b"<soap:Envelope/>\n",
        &jar,
        None,
    );
    assert!(inform.contains("\r\nSOAPAction: \"\"\r\n"));
    assert!(inform.contains("\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"));
    assert!(inform.contains("\r\nContent-Length: 17\r\n"));
    let resp = post(
        &url,
        PostKind::SoapResponse,
        b"<soap:Envelope/>",
        &jar,
        None,
    );
    assert!(resp.contains("\r\nSOAPAction:\r\n"));
    for s in [&empty, &inform, &resp] {
        assert!(!s.to_ascii_lowercase().contains("transfer-encoding"));
        assert!(!s.to_ascii_lowercase().contains("expect"));
        // A server reading it back sees the same framing.
        let mut h = [EMPTY_HEADER; 16];
        let Status::Complete(r) = RequestHead::parse(s.as_bytes(), &mut h).unwrap() else {
            panic!()
        };
        assert_eq!(r.head_len + r.framing_len(), s.len());
    }
}

trait FramingLen {
    fn framing_len(&self) -> usize;
}
impl FramingLen for RequestHead<'_, '_> {
    fn framing_len(&self) -> usize {
        match self.framing() {
            Framing::Empty => 0,
            Framing::Length(n) => n as usize,
            _ => panic!("requests are never chunked"),
        }
    }
}

/// H5: a trailing newline after the envelope (some ACSs need one) is part of the body and does
/// not make it "empty"; bytes past Content-Length are excess, not body.
#[test]
fn h5_trailing_bytes() {
    let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n<soap:Envelope/>\n";
    let got = receive(raw, &[], &mut CookieJar::new(), &mut ClientAuth::new());
    assert_eq!(got.body, b"<soap:Envelope/>\n");
    assert_eq!(got.class, Some(ResponseClass::Envelope));
}

/// C1 + C2 + C3: the ACS sets a cookie on the 401 Digest challenge (qop auth and auth-int
/// offered, unknown params, opaque); the CPE re-sends on the same connection with the cookie and
/// Authorization, and the ACS's verifier accepts it.
#[test]
fn c1_c2_c3_cookie_on_401_then_digest() {
    let url = Url::parse("http://acs.example.com:7547/acs").unwrap();
    let mut jar = CookieJar::new();
    let mut auth = ClientAuth::new();
    let creds = Credentials {
        username: "00D09E-STB-0123",
        password: "pw",
    };
    let body = b"<soap:Envelope/>";
    let first = post(&url, PostKind::SoapRequest, body, &jar, None);
    assert!(!first.contains("Cookie") && !first.contains("Authorization"));

    let server = ServerChallenge {
        opaque: Some("0pq"),
        ..ServerChallenge::new("cwmp", "n-1")
    };
    let challenge = server.to_value::<256>().unwrap();
    let raw = format!(
        "HTTP/1.1 401 Unauthorized\r\nSet-Cookie: session=s1; Path=/acs; HttpOnly\r\nWWW-Authenticate: Basic realm=\"cwmp\"\r\nWWW-Authenticate: {}, charset=UTF-8, userhash=false\r\nContent-Length: 0\r\n\r\n",
        challenge.as_str().replace("qop=\"auth\"", "qop=\"auth,auth-int\"")
    );
    let got = receive(raw.as_bytes(), &[], &mut jar, &mut auth);
    assert_eq!(got.class, Some(ResponseClass::Unauthorized));
    assert!(!got.close, "same connection (§3.4.2)");
    assert_eq!(
        auth.scheme(),
        Some(cwmp_codec::http::auth::AuthScheme::Digest)
    );

    let value = auth
        .authorization(&creds, "POST", url.request_target(), &[9; 16])
        .unwrap()
        .unwrap();
    let second = post(
        &url,
        PostKind::SoapRequest,
        body,
        &jar,
        Some(value.as_str()),
    );
    assert!(second.contains("\r\nCookie: session=s1\r\n"));
    // The ACS side parses the request and verifies.
    let mut h = [EMPTY_HEADER; 16];
    let Status::Complete(req) = RequestHead::parse(second.as_bytes(), &mut h).unwrap() else {
        panic!()
    };
    let resp = DigestResponse::parse(req.authorization().unwrap()).unwrap();
    assert!(resp.username.eq_bytes(b"00D09E-STB-0123"));
    assert_eq!(
        resp.verify(&server, req.method, req.target, b"pw"),
        Verification::Valid { nc: Some(1) }
    );

    // The next request on the connection carries nc=2.
    let value = auth
        .authorization(&creds, "POST", url.request_target(), &[10; 16])
        .unwrap()
        .unwrap();
    let resp = DigestResponse::parse(value.as_bytes()).unwrap();
    assert_eq!(
        resp.verify(&server, "POST", "/acs", b"pw"),
        Verification::Valid { nc: Some(2) }
    );

    // A second non-stale challenge right after sending credentials means they were wrong.
    let mut h = [EMPTY_HEADER; 16];
    let Status::Complete(again) = ResponseHead::parse(raw.as_bytes(), &mut h).unwrap() else {
        panic!()
    };
    assert_eq!(auth.on_response(&again), Err(AuthError::Rejected));
}

/// C2: `Connection: close` on the 401 is reported so the CPE reconnects.
#[test]
fn c2_connection_close_on_401() {
    let raw = b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\n";
    let mut auth = ClientAuth::new();
    let got = receive(raw, &[], &mut CookieJar::new(), &mut auth);
    assert!(got.close);
    assert_eq!(auth.nonce_count(), Some(0));
}

/// C3: stale=true with a new nonce keeps going (password was right).
#[test]
fn c3_stale_nonce() {
    let mut auth = ClientAuth::new();
    let c1: &[u8] = b"Digest realm=r, nonce=a, qop=auth, algorithm=MD5-sess";
    auth.handle_challenges([c1].into_iter()).unwrap();
    let creds = Credentials {
        username: "u",
        password: "p",
    };
    auth.authorization(&creds, "POST", "/", &[0; 16]).unwrap();
    let c2: &[u8] = b"Digest realm=r, nonce=b, qop=auth, algorithm=MD5-sess, stale=true";
    assert_eq!(
        auth.handle_challenges([c2].into_iter()),
        Ok(ChallengeOutcome::Digest { stale: true })
    );
    let v = auth
        .authorization(&creds, "POST", "/", &[0; 16])
        .unwrap()
        .unwrap();
    assert!(
        v.contains("nonce=\"b\"") && v.contains("nc=00000001") && v.contains("algorithm=MD5-sess")
    );
}

/// C4 + C1: a 302 to another host re-sends the same POST there with the Session's cookies
/// (no domain check); 5 consecutive redirects are followed, the sixth is an error.
#[test]
fn c4_redirects_with_cookies() {
    let acs = "http://acs.example.com/cwmp";
    let mut redirects = Redirects::new();
    let mut jar = CookieJar::new();
    let mut auth = ClientAuth::new();
    let body = b"<soap:Envelope/>";
    for i in 1..=6 {
        let target = redirects.current(acs).unwrap();
        let target_owned = target.as_str().to_owned();
        let sent = post(&target, PostKind::SoapRequest, body, &jar, None);
        if i > 1 {
            assert!(
                sent.contains("\r\nCookie: lb=1\r\n"),
                "cookie follows the redirect"
            );
            assert!(sent.contains(&format!("Host: acs{}.example.net:8080", i - 1)));
        }
        let raw = format!(
            "HTTP/1.1 {} Moved\r\nLocation: http://acs{i}.example.net:8080/cwmp{i}\r\nSet-Cookie: lb=1\r\nContent-Length: 0\r\n\r\n",
            [302, 307, 301, 302, 307, 302][i - 1]
        );
        let got = receive(raw.as_bytes(), &[], &mut jar, &mut auth);
        assert_eq!(got.class, Some(ResponseClass::Redirect));
        let current = Url::parse(&target_owned).unwrap();
        let r = redirects.follow(&current, got.location.as_deref().unwrap());
        if i <= 5 {
            let u = r.unwrap();
            assert_eq!(u.path(), format!("/cwmp{i}"));
        } else {
            assert_eq!(r.unwrap_err(), RedirectError::TooMany);
        }
    }
    // Never saved beyond the Session.
    redirects.end_session();
    jar.clear();
    assert_eq!(redirects.current(acs).unwrap().as_str(), acs);
    assert_eq!(jar.header_value(), None);
}

/// C5: 503 with Retry-After; a 400 "Invalid session" is a client error.
#[test]
fn c5_overload() {
    let mut h = [EMPTY_HEADER; 8];
    let Status::Complete(r) = ResponseHead::parse(
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n",
        &mut h,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(r.classify(b""), ResponseClass::ServiceUnavailable);
    assert_eq!(r.retry_after(), Some(RetryAfter::Seconds(30)));
    let got = receive(
        b"HTTP/1.1 400 Invalid session\r\nContent-Length: 0\r\n\r\n",
        &[],
        &mut CookieJar::new(),
        &mut ClientAuth::new(),
    );
    assert_eq!(got.class, Some(ResponseClass::ClientError));
}

/// The connection-request server of the CPE (§3.2.2.2): GET with Digest, 401 challenge, 200.
#[test]
fn connection_request_server_flow() {
    let nonce = cwmp_codec::http::auth::server_nonce(1000, &[0x5a; 16]);
    let challenge = ServerChallenge::new("cwmp-cr", nonce.as_str());
    let value = challenge.to_value::<256>().unwrap();
    let head = ServerResponseHead::connection_request_unauthorized(value.as_str());
    let mut out = [0u8; 512];
    let mut w: &mut [u8] = &mut out;
    head.write(&mut w).unwrap();
    let n = head.encoded_len();
    // The ACS (client) reads the 401 and answers.
    let mut auth = ClientAuth::new();
    let got = receive(&out[..n], &[], &mut CookieJar::new(), &mut auth);
    assert_eq!(got.status, 401);
    let creds = Credentials {
        username: "acs",
        password: "crpw",
    };
    let target = "/cr/1f2e?x=ignored";
    let a = auth
        .authorization(&creds, "GET", target, &[1; 16])
        .unwrap()
        .unwrap();
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: 192.0.2.7:7547\r\nAuthorization: {}\r\n\r\n",
        a.as_str()
    );
    let mut h = [EMPTY_HEADER; 8];
    let Status::Complete(r) = RequestHead::parse(req.as_bytes(), &mut h).unwrap() else {
        panic!()
    };
    assert_eq!((r.method, r.path()), ("GET", "/cr/1f2e"));
    let d = DigestResponse::parse(r.authorization().unwrap()).unwrap();
    assert_eq!(
        d.verify(&challenge, r.method, r.target, b"crpw"),
        Verification::Valid { nc: Some(1) }
    );
    assert_eq!(
        d.verify(&challenge, r.method, r.target, b"wrong"),
        Verification::Invalid(cwmp_codec::http::auth::InvalidReason::Response)
    );
    let ok = ServerResponseHead::connection_request_ok(false);
    let mut out = [0u8; 64];
    let mut w: &mut [u8] = &mut out;
    ok.write(&mut w).unwrap();
    assert_eq!(
        &out[..ok.encoded_len()],
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    );
}

/// Malformed inputs give typed errors, never panics.
#[test]
fn malformed_inputs_are_typed_errors() {
    let mut h = [EMPTY_HEADER; 4];
    assert!(ResponseHead::parse(b"HTTP/1.1 2000 OK\r\n\r\n", &mut h).is_err());
    let mut h = [EMPTY_HEADER; 4];
    assert!(ResponseHead::parse(b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", &mut h).is_err());
    let mut h = [EMPTY_HEADER; 4];
    assert!(ResponseHead::parse(b"\0\0\0", &mut h).is_err());
    let mut buf = *b"xyz\r\n";
    let e = BodyDecoder::new(Framing::Chunked)
        .feed(&mut buf, 5)
        .unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(Url::parse("http://[::1").is_err());
    let mut jar: CookieJar<512> = CookieJar::new();
    assert_eq!(jar.store_set_cookie(b";;;,,,=,=;"), Ok(0));
}
