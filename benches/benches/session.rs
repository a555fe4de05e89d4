#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! Whole CWMP Sessions per second (`cwmp_benches::session`: the CPE machine against the ACS
//! machine of this project over in-memory buffers; every byte through the real HTTP and
//! envelope code on both sides).
//!
//! Also the HTTP layer alone: parsing a response head and writing a POST head.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cwmp_benches::session::with_sessions;
use cwmp_codec::http::request::{PostHead, PostKind};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::http::{Status, EMPTY_HEADER};

fn sessions(c: &mut Criterion) {
    with_sessions(|one| {
        let mut g = c.benchmark_group("session");
        g.throughput(Throughput::Elements(1));
        g.bench_function("cpe-vs-acs-in-memory/gpv-10", |b| {
            b.iter(|| black_box(one()))
        });
        g.finish();
    });
}

fn http(c: &mut Criterion) {
    let response = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: 1234\r\nSet-Cookie: cwmpsid=0123456789abcdef; Path=/\r\nConnection: keep-alive\r\nDate: Sat, 21 Nov 2026 10:00:00 GMT\r\n\r\n";
    let mut g = c.benchmark_group("http");
    g.throughput(Throughput::Bytes(response.len() as u64));
    g.bench_function("response-head-parse", |b| {
        b.iter(|| {
            let mut headers = [EMPTY_HEADER; 16];
            match ResponseHead::parse(black_box(&response[..]), &mut headers).unwrap() {
                Status::Complete(h) => black_box(h.status),
                Status::Partial => unreachable!(),
            }
        })
    });
    let head = PostHead {
        cookie: Some("cwmpsid=0123456789abcdef"),
        ..PostHead::new(
            HostHeader::new("acs.example.com:7547"),
            "/cwmp",
            PostKind::SoapRequest,
            2048,
        )
    };
    let mut buf = vec![0u8; 512];
    g.throughput(Throughput::Bytes(head.encoded_len() as u64));
    g.bench_function("post-head-write", |b| {
        b.iter(|| {
            let mut w: &mut [u8] = &mut buf[..];
            black_box(&head).write(&mut w).unwrap();
            black_box(w.len())
        })
    });
    g.finish();
}

criterion_group!(benches, sessions, http);
criterion_main!(benches);
