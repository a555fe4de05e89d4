//! A blocking ACS around [`cwmp_core::acs::AcsSession`]: an accept loop on a
//! [`TcpListener`], one Session per TCP connection, and a blocking HTTP connection-request
//! sender (TR-069 §3.2.2.2).
//!
//! The application is an [`AcsHandler`]: it sees what each POST carried (and enqueues the
//! requests to send, or answers with a fault), every event, and every response written.
//! Connections are served one after the other, which is what a test ACS needs; Sessions are
//! kept in an [`AcsSessions`] table and found again by cookie, so a Session may go on over a
//! new connection (§3.4.2; and `curl` by hand opens one per command). When every slot holds a
//! live Session, a POST that would open another is answered 503 with `Retry-After` (the
//! seconds until the earliest Session deadline, when its slot frees; INTEROP C5) and the
//! connection is closed. The demo runs [`serve`] in a thread of its own and the CPE in another,
//! over 127.0.0.1.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use cwmp_codec::http::response::ServerResponseHead;
use cwmp_codec::http::WriteError;
use cwmp_core::acs::{
    AcsConfig, AcsSession, AcsSessions, ConnectionRequest, CrOutcome, CrStep, Event, Received,
    Transmit,
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
    fn transmitted(&mut self, _session: &AcsSession<'a>, _transmit: &Transmit) {}

    /// An event of the machine.
    fn event(&mut self, _session: &AcsSession<'a>, _event: Event) {}

    /// The connection closed.
    fn disconnected(&mut self, _peer: SocketAddr) {}
}

/// A seed for the machines' RNG (session cookie, Digest nonce) from std's per-process random
/// keys. Good enough for a test ACS; a production ACS uses a CSPRNG.
pub fn random_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// A connection [`Server::serve_connection`] serves: TCP, or TLS over TCP.
pub trait Conn: io::Read + Write {
    /// Sets the read timeout of the underlying socket.
    ///
    /// # Errors
    /// The socket's.
    fn set_read_timeout(&self, timeout: Option<StdDuration>) -> io::Result<()>;
}

impl Conn for TcpStream {
    fn set_read_timeout(&self, timeout: Option<StdDuration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// How many Sessions [`serve`] keeps at once (a test ACS; each slot is a few KiB).
pub const MAX_SESSIONS: usize = 16;

/// A connection with nothing to do is closed after this long.
const IDLE: StdDuration = StdDuration::from_secs(30);

/// The state [`serve`] keeps between connections: the Sessions, found again by their cookie
/// when a CPE continues a Session on a new connection (TR-069 §3.4.2).
pub struct Server<'a> {
    sessions: Box<AcsSessions<'a, MAX_SESSIONS>>,
    clock: Clock,
    rng: SplitMix64,
    ended: usize,
}

impl<'a> Server<'a> {
    /// A server whose Sessions all use `config`.
    pub fn new(config: AcsConfig<'a>) -> Self {
        Self::with_clock(config, Clock::new(), random_seed())
    }

    /// A server on `clock` (a skewed one in tests), its cookies and nonces from `seed`.
    pub fn with_clock(config: AcsConfig<'a>, clock: Clock, seed: u64) -> Self {
        Server {
            sessions: Box::new(AcsSessions::new(config)),
            clock,
            rng: SplitMix64::new(seed),
            ended: 0,
        }
    }

    /// Sessions that ended so far.
    pub fn ended(&self) -> usize {
        self.ended
    }

    /// Times out idle Sessions and reports their events.
    pub fn tick<H: AcsHandler<'a>>(&mut self, handler: &mut H) {
        let now = self.clock.now();
        self.sessions.handle_timeout(now);
        for (_, s) in self.sessions.iter_mut() {
            self.ended += drain(s, handler);
        }
    }

    /// Serves the POSTs of one connection until it closes, a response says to close it, or it
    /// stays idle, or `stop` is set. Each POST goes to the Session its cookie names (or a new one).
    ///
    /// # Errors
    /// Socket errors other than timeouts and the peer closing.
    pub fn serve_connection<H: AcsHandler<'a>, C: Conn>(
        &mut self,
        stream: &mut C,
        handler: &mut H,
        stop: &AtomicBool,
    ) -> io::Result<()> {
        let mut reader = HttpReader::new();
        let mut idle_since = self.clock.now();
        loop {
            let idle_deadline = idle_since
                .saturating_add(cwmp_core::Duration::from_millis(IDLE.as_millis() as u64));
            let deadline = self
                .sessions
                .poll_timeout()
                .map_or(idle_deadline, |d| d.min(idle_deadline));
            // Wake up now and then to see `stop`.
            let wait = self
                .clock
                .until(deadline)
                .min(StdDuration::from_millis(250));
            stream.set_read_timeout(Some(wait))?;
            match reader.read(stream, MessageKind::Request) {
                Ok(Some(n)) => {
                    idle_since = self.clock.now();
                    let close = self.one_request(stream, reader.message_mut(n), handler)?;
                    reader.consume(n);
                    if close {
                        return Ok(());
                    }
                }
                Ok(None) => return Ok(()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    self.tick(handler);
                    if self.clock.now() >= idle_deadline || stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// The `Retry-After` seconds of a 503 when every slot holds a live Session: until the
    /// earliest Session deadline, when [`tick`](Self::tick) frees that Session's slot (a slot
    /// may free sooner, when a Session ends). At least 1 s (RFC 9110 §10.2.3: delay-seconds).
    fn retry_after(&self, now: cwmp_core::Instant) -> u32 {
        let wait = self
            .sessions
            .poll_timeout()
            .map_or(0, |d| d.saturating_duration_since(now).as_millis());
        u32::try_from(wait.div_ceil(1000))
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// Handles one request; returns whether to close the connection.
    fn one_request<H: AcsHandler<'a>, C: Conn>(
        &mut self,
        stream: &mut C,
        request: &mut [u8],
        handler: &mut H,
    ) -> io::Result<bool> {
        let now = self.clock.now();
        let Some(slot) = self.sessions.route(now, request, &mut self.rng) else {
            // Every slot holds a live Session (INTEROP C5).
            let head = ServerResponseHead {
                retry_after: Some(self.retry_after(now)),
                connection_close: true,
                ..ServerResponseHead::new(503)
            };
            let mut w = IoWriter(stream);
            head.write(&mut w).map_err(|e| match e {
                WriteError::Io(e) => e,
                _ => io::Error::other("503 head"),
            })?;
            return Ok(true);
        };
        let Some(session) = self.sessions.get(slot) else {
            return Ok(true);
        };
        let received = session
            .handle_request(now, request)
            .map_err(io::Error::other)?;
        handler.received(session, received);
        let mut w = IoWriter(BufWriter::new(&mut *stream));
        let sent = session.poll_transmit(now, &mut w);
        let flushed = w.0.flush();
        let close = match sent {
            Ok(Some(t)) => {
                handler.transmitted(session, &t);
                t.close || session.is_ended()
            }
            Ok(None) => false,
            Err(_) => true,
        };
        self.ended += drain(session, handler);
        flushed?;
        Ok(close)
    }
}

fn drain<'a, H: AcsHandler<'a>>(session: &mut AcsSession<'a>, handler: &mut H) -> usize {
    let mut ended = 0;
    while let Some(e) = session.poll_event() {
        if matches!(e, Event::SessionEnded { .. }) {
            ended += 1;
        }
        handler.event(session, e);
    }
    ended
}

/// Accepts connections on `listener` and serves them in turn, until `sessions` Sessions have
/// ended (if given) or `stop` is set. Returns the number of Sessions that ended.
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
    Server::new(config).serve_with(listener, handler, sessions, stop, None)
}

/// [`serve`], over TLS when `tls` is given (https, TR-069 §3.3; [`crate::tls`]).
///
/// # Errors
/// Errors of the listener.
pub fn serve_with<'a, H: AcsHandler<'a>>(
    listener: &TcpListener,
    config: AcsConfig<'a>,
    handler: &mut H,
    sessions: Option<usize>,
    stop: &AtomicBool,
    tls: Option<&std::sync::Arc<rustls::ServerConfig>>,
) -> io::Result<usize> {
    Server::new(config).serve_with(listener, handler, sessions, stop, tls)
}

impl<'a> Server<'a> {
    /// [`serve`] with this server.
    ///
    /// # Errors
    /// Socket errors of the listener.
    pub fn serve<H: AcsHandler<'a>>(
        self,
        listener: &TcpListener,
        handler: &mut H,
        sessions: Option<usize>,
        stop: &AtomicBool,
    ) -> io::Result<usize> {
        self.serve_with(listener, handler, sessions, stop, None)
    }

    /// [`serve_with`] with this server: over TLS when `tls` is given.
    ///
    /// # Errors
    /// Socket errors of the listener.
    pub fn serve_with<H: AcsHandler<'a>>(
        mut self,
        listener: &TcpListener,
        handler: &mut H,
        sessions: Option<usize>,
        stop: &AtomicBool,
        tls: Option<&std::sync::Arc<rustls::ServerConfig>>,
    ) -> io::Result<usize> {
        let server = &mut self;
        listener.set_nonblocking(true)?;
        while sessions.is_none_or(|n| server.ended() < n) && !stop.load(Ordering::Relaxed) {
            server.tick(handler);
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
            // A failing connection ends its Session (by timeout), not the server.
            let _ = match tls {
                None => server.serve_connection(&mut { stream }, handler, stop),
                Some(cfg) => match crate::tls::accept(cfg, stream) {
                    Ok(mut s) => server.serve_connection(&mut s, handler, stop),
                    Err(e) => Err(e),
                },
            };
            handler.disconnected(peer);
        }
        Ok(server.ended())
    }
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
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "incomplete response",
                ))
            }
        }
    }
    Ok(CrOutcome::AuthFailed)
}

/// Sends a UDP Connection Request (TR-069 Annex G.2.2.3; OBSOLETED, but deployed) to a CPE's
/// `UDPConnectionRequestAddress` (`host:port`): one signed HTTP GET datagram, sent `copies`
/// times (the ACS sends identical copies, the CPE de-duplicates them by `id`). There is no
/// answer to wait for.
///
/// # Errors
/// An unresolvable address, or a socket error.
pub fn send_udp_connection_request(
    address: &str,
    username: &str,
    password: &str,
    id: u64,
    copies: usize,
) -> io::Result<usize> {
    use cwmp_codec::connreq::udp::UdpCrMessage;
    use cwmp_codec::http::url::HostHeader;

    let addr = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut nonce = RandomState::new().build_hasher();
    nonce.write_u64(id);
    let cnonce = format!("{:016X}", nonce.finish());
    let host = addr.ip().to_string();
    let host = if addr.is_ipv6() {
        format!("[{host}]")
    } else {
        host
    };
    let msg = UdpCrMessage {
        authority: HostHeader {
            host: &host,
            port: (addr.port() != 80).then_some(addr.port()),
        },
        ts,
        id,
        username,
        cnonce: &cnonce,
    };
    let mut datagram = Vec::with_capacity(msg.encoded_len());
    msg.encode(password.as_bytes(), &mut datagram)
        .map_err(|e| io::Error::other(format!("{e:?}")))?;
    let socket = std::net::UdpSocket::bind(if addr.is_ipv6() {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    })?;
    for _ in 0..copies.max(1) {
        socket.send_to(&datagram, addr)?;
    }
    Ok(datagram.len())
}
