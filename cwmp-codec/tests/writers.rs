//! `Envelope::encode` against writers that are not a `Vec`: ones that take a few bytes per call
//! (a socket, a TLS record layer), ones that fill up (`Ok(0)`, a fixed tx buffer) and ones that
//! fail. The encoder stages small writes before handing them on (`xml::writer`), so these
//! check what the staging must keep: the same bytes whatever the writer takes per call, the
//! writer's own error or `WriteZero` (never a panic, never a hang) at every point it can stop,
//! and a prefix of the message in the writer when it stops.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use cwmp_codec::{EncodeError, Envelope};
use embedded_io::{ErrorKind, ErrorType, Write};

/// Takes at most `per_call` bytes a call, up to `capacity` in all (then `Ok(0)`), or fails
/// with [`Broken`] once `fail_at` bytes went in.
struct Sink {
    out: Vec<u8>,
    per_call: usize,
    capacity: usize,
    fail_at: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("broken pipe")
    }
}

impl std::error::Error for Broken {}

impl embedded_io::Error for Broken {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BrokenPipe
    }
}

impl ErrorType for Sink {
    type Error = Broken;
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        if self.fail_at.is_some_and(|at| self.out.len() >= at) {
            return Err(Broken);
        }
        // Up to the failure point, then the error on the next call.
        let room = self.fail_at.unwrap_or(self.capacity).min(self.capacity) - self.out.len();
        let n = buf.len().min(self.per_call).min(room);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Broken> {
        Ok(())
    }
}

fn sink(per_call: usize, capacity: usize, fail_at: Option<usize>) -> Sink {
    Sink {
        out: Vec::new(),
        per_call,
        capacity,
        fail_at,
    }
}

fn reference(env: &Envelope<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    env.encode(&mut v).unwrap();
    assert_eq!(
        env.encoded_len().unwrap(),
        v.len(),
        "{}",
        env.body.method_name()
    );
    v
}

#[test]
fn short_writes_give_the_same_bytes() {
    for env in common::every_message() {
        let want = reference(&env);
        for per_call in [1, 2, 3, 7, 64, 127, 128, 129, 1000] {
            let mut w = sink(per_call, usize::MAX, None);
            env.encode(&mut w).unwrap();
            assert!(
                w.out == want,
                "{} with {per_call} bytes a call",
                env.body.method_name()
            );
        }
    }
}

#[test]
fn a_full_writer_is_write_zero_with_a_prefix_at_every_size() {
    for env in common::every_message() {
        let want = reference(&env);
        for capacity in 0..want.len() {
            for per_call in [5, 1000] {
                let mut w = sink(per_call, capacity, None);
                let r = env.encode(&mut w);
                assert_eq!(
                    r,
                    Err(EncodeError::WriteZero),
                    "{} into {capacity} bytes",
                    env.body.method_name()
                );
                assert!(want.starts_with(&w.out), "a prefix of the message");
            }
        }
        let mut exact = sink(1000, want.len(), None);
        env.encode(&mut exact).unwrap();
        assert_eq!(exact.out, want, "exactly its length fits");
    }
}

#[test]
fn the_writers_own_error_comes_back_at_every_point() {
    for env in common::every_message() {
        let want = reference(&env);
        for at in (0..want.len()).step_by(7) {
            let mut w = sink(13, usize::MAX, Some(at));
            assert_eq!(
                env.encode(&mut w),
                Err(EncodeError::Write(Broken)),
                "{} failing after {at} bytes",
                env.body.method_name()
            );
            assert!(want.starts_with(&w.out));
        }
    }
}
