#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! Whole CWMP Sessions per second: the CPE machine (`cwmp_core::cpe::Cpe`) against the ACS
//! machine (`cwmp_core::acs::AcsSession`), both of this project, over in-memory buffers (no
//! sockets, no threads): Inform → InformResponse, empty POST → GetParameterValues of 10
//! parameters → its response → 204. Every byte goes through the real HTTP writers and readers
//! and the real envelope codec on both sides.
//!
//! Also the HTTP layer alone: parsing a response head and writing a POST head.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cwmp_codec::http::request::{PostHead, PostKind};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::{GetParameterValues, GetParameterValuesResponse, ParameterValueStruct};
use cwmp_codec::{Array, Body, Value, XmlStr};
use cwmp_core::acs::{AcsConfig, AcsSession};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::{Instant, SplitMix64};

const NAMES: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.")];

/// One complete Session; returns the number of HTTP round trips.
fn session(
    cpe: &mut Cpe,
    now: Instant,
    tx: &mut [u8],
    rx: &mut [u8],
    answer: &[ParameterValueStruct<'_>],
) -> usize {
    let mut rng = SplitMix64::new(7);
    let mut acs: AcsSession<'_> = AcsSession::new(AcsConfig::default(), now, &mut rng);
    acs.enqueue(GetParameterValues {
        parameter_names: Array::new(&NAMES),
    })
    .unwrap();
    cpe.handle_connection_request(now);
    let mut staged: Option<usize> = None;
    let mut trips = 0;
    loop {
        let mut ended = false;
        while let Some(e) = cpe.poll_event() {
            match e {
                Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                Event::SessionEnded { .. } => ended = true,
                _ => {}
            }
        }
        if ended {
            return trips;
        }
        let len = match staged.take() {
            Some(n) => n,
            None => {
                let mut w: &mut [u8] = &mut tx[..];
                match cpe.poll_transmit(now, &mut w).unwrap() {
                    Some(t) => t.len,
                    None => panic!("the CPE stalled"),
                }
            }
        };
        acs.handle_request(now, &mut tx[..len]).unwrap();
        let mut w: &mut [u8] = &mut rx[..];
        let t = acs
            .poll_transmit(now, &mut w)
            .unwrap()
            .expect("the ACS answers every POST");
        trips += 1;
        while acs.poll_event().is_some() {}
        if let Incoming::AcsRequest(req) = cpe.handle_response(now, rx, t.len).unwrap() {
            let reply: Body<'_> = match req.body() {
                Body::GetParameterValues(_) => GetParameterValuesResponse {
                    parameter_list: Array::new(answer),
                }
                .into(),
                other => panic!("unexpected {}", other.method_name()),
            };
            let mut w: &mut [u8] = &mut tx[..];
            staged = Some(cpe.respond(now, reply, &mut w).unwrap().len);
        }
    }
}

fn sessions(c: &mut Criterion) {
    let config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    let now = Instant::from_secs(10);
    let mut cpe: Cpe = Cpe::new(&config, now, 1).unwrap();
    let names: Vec<String> = (0..10)
        .map(|i| format!("Device.DeviceInfo.X_ACME_Param{i}"))
        .collect();
    let answer: Vec<ParameterValueStruct<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| ParameterValueStruct::new(n, Value::UnsignedInt(i as u32)))
        .collect();
    let mut tx = vec![0u8; 16 * 1024];
    let mut rx = vec![0u8; 16 * 1024];
    // The first Session (BOOTSTRAP) is not measured.
    cpe.bootstrap(now);
    assert!(session(&mut cpe, now, &mut tx, &mut rx, &answer) >= 3);
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));
    g.bench_function("cpe-vs-acs-in-memory/gpv-10", |b| {
        b.iter(|| black_box(session(&mut cpe, now, &mut tx, &mut rx, &answer)))
    });
    g.finish();
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
