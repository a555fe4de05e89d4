//! Blocking std plumbing shared by the example programs: a clock for the sans-IO machines, an
//! [`embedded_io::Write`] adapter over [`std::io::Write`], and an HTTP reader that buffers one
//! complete request or response (head and body, `Content-Length` or chunked) from a socket.
//!
//! Nothing here knows CWMP: the ACS server ([`crate::acs_server`]) and, later, the CPE driver
//! and the demo use these pieces around their machines.

use std::io::{self, Read, Write};
use std::time::Duration as StdDuration;

use cwmp_codec::http::body::{BodyDecoder, BodyStatus, Framing};
use cwmp_codec::http::request::RequestHead;
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_core::{Duration, Instant};

/// Largest HTTP message the reader buffers (an envelope must be accepted up to at least 32 KiB,
/// TR-069 §3.5; real GetParameterNames responses reach a few MiB).
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// Maps `std::time::Instant` to the machines' [`Instant`] (milliseconds since the clock
/// started), plus an optional shared skew that a test moves forward to skip waits (the
/// fault-injection harness: retries and timeouts in virtual time over real sockets).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: std::time::Instant,
    skew: Option<&'static std::sync::atomic::AtomicU64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Self {
        Clock {
            start: std::time::Instant::now(),
            skew: None,
        }
    }

    /// A clock starting now, ahead of real time by `skew` milliseconds (moved by
    /// [`Clock::jump`], seen by every copy).
    pub fn with_skew(skew: &'static std::sync::atomic::AtomicU64) -> Self {
        Clock {
            start: std::time::Instant::now(),
            skew: Some(skew),
        }
    }

    /// Moves a skewed clock (and its copies) forward by `d`; a plain clock does not move.
    pub fn jump(&self, d: Duration) {
        if let Some(s) = self.skew {
            s.fetch_add(d.as_millis(), std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// The current time.
    pub fn now(&self) -> Instant {
        let skew = self
            .skew
            .map_or(0, |s| s.load(std::sync::atomic::Ordering::SeqCst));
        Instant::from_millis(self.start.elapsed().as_millis() as u64 + skew)
    }

    /// How long until `deadline` (zero when past), as a std duration for socket timeouts.
    pub fn until(&self, deadline: Instant) -> StdDuration {
        let d: Duration = deadline.saturating_duration_since(self.now());
        StdDuration::from_millis(d.as_millis().max(1))
    }
}

/// [`embedded_io::Write`] over any [`std::io::Write`].
#[derive(Debug)]
pub struct IoWriter<W>(pub W);

impl<W> embedded_io::ErrorType for IoWriter<W> {
    type Error = io::Error;
}

impl<W: Write> embedded_io::Write for IoWriter<W> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        self.0.flush()
    }
}

/// Which kind of HTTP message to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A request (a server reading POSTs or GETs).
    Request,
    /// A response (a client).
    Response,
}

/// Buffers HTTP messages read from a stream, one at a time.
#[derive(Debug)]
pub struct HttpReader {
    buf: Vec<u8>,
    filled: usize,
    /// `100 Continue` was already sent for the request being read.
    continued: bool,
    /// The peer closed the connection: the last message ended there (see
    /// [`peer_closed`](Self::peer_closed)).
    closed: bool,
}

impl Default for HttpReader {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a buffered message ends, if it is complete.
enum Scan {
    Partial,
    /// Complete after this many bytes; `expect_continue` when the head asked for
    /// `100 Continue`.
    Complete(usize),
    NeedsContinue,
}

impl HttpReader {
    /// An empty reader.
    pub fn new() -> Self {
        HttpReader {
            buf: vec![0; 64 * 1024],
            filled: 0,
            continued: false,
            closed: false,
        }
    }

    /// Reads until one complete message is buffered and returns its length; it is then at
    /// [`message_mut`](Self::message_mut)`(len)` until [`consume`](Self::consume). `Ok(None)`
    /// when the peer closed the connection before sending anything. A message whose head or
    /// framing is invalid is returned as it is (the machine answers it). Answers
    /// `Expect: 100-continue` on `stream` (INTEROP H4).
    ///
    /// # Errors
    /// The stream's errors (a read timeout is `WouldBlock` or `TimedOut`); `InvalidData` for a
    /// message over [`MAX_MESSAGE`]; `UnexpectedEof` when the peer closed mid-message.
    pub fn read<S: Read + Write>(
        &mut self,
        stream: &mut S,
        kind: MessageKind,
    ) -> io::Result<Option<usize>> {
        loop {
            if self.filled > 0 {
                match scan(&self.buf[..self.filled], kind) {
                    Scan::Complete(n) => return Ok(Some(n)),
                    Scan::NeedsContinue if !self.continued => {
                        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                        stream.flush()?;
                        self.continued = true;
                    }
                    Scan::NeedsContinue | Scan::Partial => {}
                }
            }
            if self.filled == self.buf.len() {
                if self.buf.len() >= MAX_MESSAGE {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "message too large",
                    ));
                }
                let len = (self.buf.len() * 2).min(MAX_MESSAGE);
                self.buf.resize(len, 0);
            }
            let n = stream.read(&mut self.buf[self.filled..])?;
            if n == 0 {
                self.closed = true;
                if self.filled == 0 {
                    return Ok(None);
                }
                if kind == MessageKind::Response {
                    // A response delimited by the connection closing.
                    return Ok(Some(self.filled));
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed mid-message",
                ));
            }
            self.filled += n;
        }
    }

    /// `true` once the peer closed the connection: the message [`read`](Self::read) returned
    /// ends at the close and may be truncated (give it to `Cpe::handle_connection_closed`).
    pub fn peer_closed(&self) -> bool {
        self.closed
    }

    /// The buffered message of `len` bytes, for the machine (which may de-chunk in place).
    pub fn message_mut(&mut self, len: usize) -> &mut [u8] {
        &mut self.buf[..len]
    }

    /// Drops the first `len` bytes (the message handled), keeping what followed.
    pub fn consume(&mut self, len: usize) {
        let len = len.min(self.filled);
        self.buf.copy_within(len..self.filled, 0);
        self.filled -= len;
        self.continued = false;
    }
}

/// Finds the end of the first message in `buf`, without changing it.
fn scan(buf: &[u8], kind: MessageKind) -> Scan {
    let mut headers = [EMPTY_HEADER; 64];
    let (head_len, framing, expects_continue) = match kind {
        MessageKind::Request => match RequestHead::parse(buf, &mut headers) {
            Ok(Status::Complete(h)) => (h.head_len, h.framing(), h.expects_continue()),
            Ok(Status::Partial) => return Scan::Partial,
            Err(_) => return Scan::Complete(buf.len()),
        },
        MessageKind::Response => match ResponseHead::parse(buf, &mut headers) {
            // Interim 1xx responses (RFC 9110 §15.2) belong to the final one that follows:
            // the machine skips them.
            Ok(Status::Complete(h)) if (100..200).contains(&h.status) && h.status != 101 => {
                let skip = h.head_len;
                return match scan(&buf[skip..], kind) {
                    Scan::Complete(n) => Scan::Complete(skip + n),
                    other => other,
                };
            }
            Ok(Status::Complete(h)) => (h.head_len, h.framing(), false),
            Ok(Status::Partial) => return Scan::Partial,
            Err(_) => return Scan::Complete(buf.len()),
        },
    };
    let body = &buf[head_len..];
    let complete = match framing {
        Framing::Empty => Some(head_len),
        Framing::Length(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            (body.len() >= n).then(|| head_len + n)
        }
        Framing::Chunked => {
            // De-chunk a copy to find where the raw body ends; the machine de-chunks the
            // original in place.
            let mut copy = body.to_vec();
            let len = copy.len();
            // Room past the received bytes, so that "more to come" is not "too large".
            copy.push(0);
            match BodyDecoder::new(Framing::Chunked).feed(&mut copy, len) {
                Ok(BodyStatus::Complete { excess, .. }) => Some(head_len + len - excess),
                Ok(BodyStatus::Partial) => None,
                Err(_) => Some(buf.len()),
            }
        }
        Framing::UntilClose => None,
    };
    match complete {
        Some(n) => Scan::Complete(n),
        None if expects_continue => Scan::NeedsContinue,
        None => Scan::Partial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that yields `input` in pieces of `step` and records what is written.
    struct Pieces {
        input: Vec<u8>,
        at: usize,
        step: usize,
        written: Vec<u8>,
    }

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.input.len() - self.at);
            buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Write for Pieces {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn reads_length_and_chunked_requests_in_pieces() {
        let a = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".to_vec();
        let b = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_vec();
        let c = b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n".to_vec();
        for step in [1, 7, 1000] {
            let mut s = Pieces {
                input: [a.clone(), b.clone(), c.clone()].concat(),
                at: 0,
                step,
                written: Vec::new(),
            };
            let mut r = HttpReader::new();
            for want in [&a, &b, &c] {
                let n = r.read(&mut s, MessageKind::Request).unwrap().unwrap();
                assert_eq!(r.message_mut(n), &want[..]);
                r.consume(n);
            }
            assert_eq!(r.read(&mut s, MessageKind::Request).unwrap(), None);
            // `100 Continue` only when the head came without its body.
            let want: &[u8] = if step < 1000 {
                b"HTTP/1.1 100 Continue\r\n\r\n"
            } else {
                b""
            };
            assert_eq!(s.written, want);
        }
    }

    #[test]
    fn eof_mid_request_is_an_error_and_responses_may_end_at_close() {
        let mut s = Pieces {
            input: b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhe".to_vec(),
            at: 0,
            step: 100,
            written: Vec::new(),
        };
        let e = HttpReader::new()
            .read(&mut s, MessageKind::Request)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let mut s = Pieces {
            input: b"HTTP/1.1 200 OK\r\n\r\nbody".to_vec(),
            at: 0,
            step: 100,
            written: Vec::new(),
        };
        let mut r = HttpReader::new();
        let n = r.read(&mut s, MessageKind::Response).unwrap().unwrap();
        assert_eq!(n, s.input.len());
        assert!(r.peer_closed());
    }

    #[test]
    fn interim_responses_are_read_with_the_final_one() {
        let whole = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec();
        for step in [1, 5, 1000] {
            let mut s = Pieces {
                input: whole.clone(),
                at: 0,
                step,
                written: Vec::new(),
            };
            let mut r = HttpReader::new();
            let n = r.read(&mut s, MessageKind::Response).unwrap().unwrap();
            assert_eq!(n, whole.len());
            assert!(!r.peer_closed());
        }
    }
}
