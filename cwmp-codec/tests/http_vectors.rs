//! Real raw HTTP requests captured from Thomson CPEs (perl-cwmp dumps in
//! `../shared/vectors/perl-cwmp/http-raw/`, one of them chunked): the request reader and the
//! body decoder must take every one. Skips with a notice when `../shared` is absent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::Path;

use cwmp_codec::http::{
    body::{BodyDecoder, BodyStatus, Framing},
    request::RequestHead,
    Status, EMPTY_HEADER,
};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/perl-cwmp/http-raw"
);

fn samples() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = Path::new(DIR);
    if !dir.is_dir() {
        println!("NOTICE: {DIR} not found; skipping the raw HTTP vector test");
        return None;
    }
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    Some(v)
}

/// Parses head and body of one sample, with the body arriving split at `split` (relative to the
/// body start). Returns the body.
fn decode(raw: &[u8], split: Option<usize>) -> (Framing, Vec<u8>, usize) {
    let mut h = [EMPTY_HEADER; 32];
    let Status::Complete(head) = RequestHead::parse(raw, &mut h).unwrap() else {
        panic!("partial head")
    };
    assert_eq!(head.method, "POST");
    assert!(
        head.header("soapaction").is_some(),
        "SOAPAction present on these CPE POSTs"
    );
    let (head_len, framing) = (head.head_len, head.framing());
    let body_raw = &raw[head_len..];
    let mut buf = vec![0u8; body_raw.len() + 1];
    let mut dec = BodyDecoder::new(framing);
    let cut = split.unwrap_or(body_raw.len()).min(body_raw.len());
    buf[..cut].copy_from_slice(&body_raw[..cut]);
    let mut st = dec.feed(&mut buf, cut).unwrap();
    if st == BodyStatus::Partial {
        let at = dec.write_position();
        let rest = &body_raw[cut..];
        buf[at..at + rest.len()].copy_from_slice(rest);
        st = dec.feed(&mut buf, rest.len()).unwrap();
    }
    let BodyStatus::Complete { len, excess } = st else {
        panic!("body incomplete")
    };
    (framing, buf[..len].to_vec(), excess)
}

#[test]
fn perl_cwmp_raw_requests() {
    let Some(samples) = samples() else { return };
    assert!(samples.len() >= 10, "expected the perl-cwmp dumps");
    let mut chunked = 0;
    for (name, raw) in &samples {
        let (framing, body, excess) = decode(raw, None);
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.trim_start().starts_with('<'),
            "{name}: body starts with markup"
        );
        assert!(
            text.trim_end().ends_with("Envelope>"),
            "{name}: whole envelope"
        );
        match framing {
            Framing::Chunked => {
                chunked += 1;
                assert_eq!(excess, 0, "{name}");
            }
            // The dumps end with one newline the CPE did not count in Content-Length.
            Framing::Length(_) => assert!(excess <= 1, "{name}: {excess} excess bytes"),
            f => panic!("{name}: unexpected framing {f:?}"),
        }
    }
    assert_eq!(chunked, 1, "one chunked sample");
}

#[test]
fn chunked_sample_split_everywhere() {
    let Some(samples) = samples() else { return };
    let (_, raw) = samples
        .iter()
        .find(|(n, _)| n.contains("chunked"))
        .expect("chunked sample");
    let (_, whole, _) = decode(raw, None);
    let mut h = [EMPTY_HEADER; 32];
    let Status::Complete(head) = RequestHead::parse(raw, &mut h).unwrap() else {
        panic!()
    };
    let body_len = raw.len() - head.head_len;
    for s in 0..=body_len {
        let (_, body, _) = decode(raw, Some(s));
        assert_eq!(body, whole, "split {s}");
    }
    // Every prefix of the head is Partial.
    for n in 0..head.head_len {
        let mut h = [EMPTY_HEADER; 32];
        assert!(RequestHead::parse(&raw[..n], &mut h).unwrap().is_partial());
    }
}
