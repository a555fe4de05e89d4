//! A counting global allocator proves that decoding, walking and encoding allocate nothing
//! (DESIGN.md §7). Everything measured runs on this test's thread; the counter is per
//! thread so the harness's own allocations on other threads do not count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use cwmp_codec::{decode, decode_into, Body, CwmpNamespace, Envelope, Visitor};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

struct Sink(usize);
impl Visitor for Sink {
    fn enter(&mut self, _: &str) {}
    fn enter_index(&mut self, _: usize) {}
    fn leave(&mut self) {}
    fn value(&mut self, v: &dyn std::fmt::Display) {
        use std::fmt::Write;
        struct Count<'a>(&'a mut usize);
        impl Write for Count<'_> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                *self.0 += s.len();
                Ok(())
            }
        }
        let _ = write!(Count(&mut self.0), "{v}");
    }
}

#[test]
fn decode_walk_and_encode_allocate_nothing() {
    let all = common::every_message();
    let mut bufs = Vec::new();
    for env in &all {
        let mut out = Vec::new();
        env.encode(&mut out).unwrap();
        bufs.push(out);
    }
    let mut scratch = vec![0u8; 64 * 1024];
    for bytes in &bufs {
        let ((), n) = allocations(|| {
            let env = decode(bytes).unwrap();
            // Walk everything, lazy arrays included.
            let mut sink = Sink(0);
            env.visit(&mut sink);
            assert!(
                sink.0 > 0
                    || matches!(env.body, Body::GetRPCMethods(_))
                    || env.body.method_name().ends_with("Response")
            );
            // Encode into a fixed buffer, and count the length.
            let len = env.encoded_len().unwrap();
            let mut w: &mut [u8] = &mut scratch[..];
            env.encode(&mut w).unwrap();
            assert_eq!(64 * 1024 - w.len(), len);
        });
        assert_eq!(
            n,
            0,
            "allocations while handling {}",
            String::from_utf8_lossy(&bytes[..200.min(bytes.len())])
        );
    }
}

/// `decode_into` a reused envelope slot allocates nothing either, message after message.
#[test]
fn decode_into_a_kept_slot_allocates_nothing() {
    let all = common::every_message();
    let bufs: Vec<Vec<u8>> = all
        .iter()
        .map(|env| {
            let mut out = Vec::new();
            env.encode(&mut out).unwrap();
            out
        })
        .collect();
    let ((), n) = allocations(|| {
        for bytes in &bufs {
            let mut env = Envelope::new(CwmpNamespace::V1_0, Body::Empty);
            decode_into(bytes, &mut env).unwrap();
            let mut sink = Sink(0);
            env.visit(&mut sink);
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn the_counter_sees_allocations() {
    let (_v, n) = allocations(|| vec![1u8; 16]);
    assert!(
        n >= 1,
        "the counting allocator must observe a Vec allocation"
    );
}
