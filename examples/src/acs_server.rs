//! A blocking ACS around [`cwmp_core::acs::AcsSession`]: an accept loop on a
//! [`TcpListener`], one Session per TCP connection, and a blocking HTTP connection-request
//! sender (TR-069 §3.2.2.2).
//!
//! The application is an [`AcsHandler`]: it sees what each POST carried (and enqueues the
//! requests to send, or answers with a fault), every event, and every response written.
//! Connections are served one after the other, which is what a test ACS needs; the demo runs
//! [`serve`] in a thread of its own and the CPE in another, over 127.0.0.1.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use cwmp_core::acs::{
    AcsConfig, AcsSession, ConnectionRequest, CrOutcome, CrStep, Event, Outcome, Received,
    SessionError, Transmit,
};
use cwmp_core::SplitMix64;

use crate::driver::{Clock, HttpReader, IoWriter, MessageKind};

/// What the ACS application does. `'a` is the lifetime of the requests it enqueues.
pub trait AcsHandler<'a> {
    /// A CPE connected.
    fn connected(&mut self, _peer: SocketAddr) {}

    /// A POST was read and handled: look at what it carried, and
    /// [`enqueue`](AcsSession::enqueue) requests or
    /// [`answer_fault`](AcsSession::answer_fault) before the response is written.
    fn received(&mut self, session: &mut AcsSession<'a>, received: Received<'_>);

    /// The response to the last POST was written.
    fn transmitted(&mut self, _transmit: &Transmit) {}

    /// An event of the machine.
    fn event(&mut self, _session: &AcsSession<'a>, _event: Event) {}

    /// The connection ended, with the Session's outcome.
    fn disconnected(&mut self, _outcome: Outcome) {}
}

/// A seed for the machines' RNG (session cookie, Digest nonce) from std's per-process random
/// keys. Good enough for a test ACS; a production ACS uses a CSPRNG.
pub fn random_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0));
    h.finish()
}

/// Serves one Session on `stream` until it ends, the peer closes, or the session timeout
/// passes; returns the outcome.
///
/// # Errors
/// Socket errors other than timeouts and the peer closing (those are outcomes).
pub fn serve_connection<'a, H: AcsHandler<'a>>(
    stream: &TcpStream,
    session: &mut AcsSession<'a>,
    handler: &mut H,
    clock: &Clock,
) -> io::Result<Outcome> {
    let mut reader = HttpReader::new();
    let mut io_stream = stream;
    loop {
        let Some(deadline) = session.poll_timeout() else {
            break;
        };
        stream.set_read_timeout(Some(clock.until(deadline)))?;
        match reader.read(&mut io_stream, MessageKind::Request) {
            Ok(Some(n)) => {
                let now = clock.now();
                let received = session
                    .handle_request(now, reader.message_mut(n))
                    .map_err(io::Error::other)?;
                handler.received(session, received);
                reader.consume(n);
                let mut w = IoWriter(BufWriter::new(stream));
                let sent = session.poll_transmit(now, &mut w);
                let flushed = w.0.flush();
                drain(session, handler);
                match sent {
                    Ok(Some(t)) => {
                        handler.transmitted(&t);
                        flushed?;
                        if t.close || session.is_ended() {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => return Err(io::Error::other(format!("{e:?}"))),
                }
            }
            Ok(None) => {
                session.handle_close(clock.now());
                drain(session, handler);
                break;
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                session.handle_timeout(clock.now());
                drain(session, handler);
            }
            Err(_) => {
                session.handle_close(clock.now());
                drain(session, handler);
                break;
            }
        }
    }
    let outcome = session
        .outcome()
        .unwrap_or(Outcome::Failed(SessionError::Transport));
    handler.disconnected(outcome);
    Ok(outcome)
}

fn drain<'a, H: AcsHandler<'a>>(session: &mut AcsSession<'a>, handler: &mut H) {
    while let Some(e) = session.poll_event() {
        handler.event(session, e);
    }
}

/// Accepts connections on `listener` and serves one Session on each, in turn, until `sessions`
/// Sessions were served (if given) or `stop` is set. Returns the number served.
///
/// # Errors
/// Errors of the listener.
pub fn serve<'a, H: AcsHandler<'a>>(
    listener: &TcpListener,
    config: AcsConfig<'a>,
    handler: &mut H,
    sessions: Option<usize>,
    stop: &AtomicBool,
) -> io::Result<usize> {
    let clock = Clock::new();
    let mut rng = SplitMix64::new(random_seed());
    let mut served = 0;
    listener.set_nonblocking(true)?;
    while sessions.is_none_or(|n| served < n) && !stop.load(Ordering::Relaxed) {
        let (stream, peer) = match listener.accept() {
            Ok(s) => s,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(StdDuration::from_millis(20));
                continue;
            }
            Err(e) => return Err(e),
        };
        stream.set_nonblocking(false)?;
        let _ = stream.set_nodelay(true);
        handler.connected(peer);
        let mut session = AcsSession::new(config, clock.now(), &mut rng);
        // A failed connection is the Session's outcome, not the server's end.
        let _ = serve_connection(&stream, &mut session, handler, &clock);
        served += 1;
    }
    Ok(served)
}

/// Sends an HTTP connection request (§3.2.2.2) to a CPE's ConnectionRequestURL with Digest
/// credentials, and returns how the CPE answered.
///
/// # Errors
/// An invalid URL, connection and socket errors, a response that is not HTTP.
pub fn send_connection_request(
    url: &str,
    username: &str,
    password: &str,
    timeout: StdDuration,
) -> io::Result<CrOutcome> {
    let mut cr = ConnectionRequest::new(url, username, password)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let (host, port) = cr.host_port();
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
    let mut rng = SplitMix64::new(random_seed());
    let mut stream: Option<TcpStream> = None;
    let mut reader = HttpReader::new();
    for _ in 0..4 {
        let s = match &stream {
            Some(s) => s,
            None => {
                let s = TcpStream::connect_timeout(&addr, timeout)?;
                s.set_read_timeout(Some(timeout))?;
                reader = HttpReader::new();
                stream.insert(s)
            }
        };
        let mut cnonce = [0u8; 16];
        cwmp_core::Rng::fill_bytes(&mut rng, &mut cnonce);
        let mut out = Vec::new();
        cr.write_request(&mut out, &cnonce)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut w: &TcpStream = s;
        w.write_all(&out)?;
        let mut rs: &TcpStream = s;
        let Some(n) = reader.read(&mut rs, MessageKind::Response)? else {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no response"));
        };
        let step = cr
            .handle_response(reader.message_mut(n))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        reader.consume(n);
        match step {
            CrStep::Done(outcome) => return Ok(outcome),
            CrStep::Retry { close, .. } => {
                if close {
                    stream = None;
                }
            }
            CrStep::NeedMore => {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "incomplete response"))
            }
        }
    }
    Ok(CrOutcome::AuthFailed)
}
