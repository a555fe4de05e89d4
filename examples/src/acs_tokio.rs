//! An ACS on tokio and hyper (HTTP/1.1 server) that serves many CPEs at once around the sans-IO
//! [`AcsSessions`] table (TR-069 §3.7.2). Used by the `acs_tokio` example and the load test.
//!
//! # Shape
//!
//! * **hyper tasks** on a multi-thread tokio runtime accept connections and parse HTTP. Each
//!   complete POST is rebuilt as the raw HTTP/1.1 request the machine reads (request line,
//!   the headers as received, `Content-Length` of the de-chunked body) and handed to a shard.
//! * **Shards** are plain threads, each owning [`TABLES_PER_SHARD`] [`AcsSessions`] tables of
//!   [`SLOTS_PER_TABLE`] Sessions and the application's per-Session state. A shard runs the
//!   DESIGN §3 loop: `route`, `handle_request`, the application, `poll_transmit` into a
//!   buffer, drain `poll_event`, then wait for the next POST until `poll_timeout` (the
//!   §3.7.2.4 session timeout, at least 30 s) and `handle_timeout`. The machines never leave
//!   their thread: they are not `Send` (queued requests may borrow `dyn ItemSource` arrays),
//!   and need not be, since they do no I/O.
//! * **Cookie affinity** (§3.4.2, §1.6: a Session may span several TCP connections): a cookie
//!   index maps each live Session's cookie to its table, so a POST that comes on a new
//!   connection reaches the table that holds its Session, which finds it by cookie
//!   ([`AcsSessions::route`]). A POST without a known cookie opens a Session in the next
//!   table in turn (across shards), or the next one with room; when every table holds live
//!   Sessions the POST is answered 503 (INTEROP C5).
//! * **Digest** (§3.4.4, §3.4.5) is the machine's: with [`AcsOptions::password`] every CPE is
//!   challenged and verified against that password ([`AnyUser`]).
//! * **Connections:** the response's own `Connection: close` (a failed Session, the final
//!   204) closes the connection after it. [`AcsOptions::close_every`] makes the ACS also close
//!   the connection after every n-th response of a live Session, which TR-069 allows (§3.4.2:
//!   the CPE then sends its next POST on a new connection, with the cookie). A connection the
//!   *CPE* closes while its Session is live, which a CPE must not do (§3.4.2), ends that
//!   Session at once ([`AcsSession::handle_close`]) rather than after the session timeout.
//!   A request that arrived whole before the CPE closed is still served (hyper's
//!   `half_close`): the machine sees it, as a real ACS would, and the response is lost.
//!
//! The application is an [`AcsApp`]; one instance per shard, called on the shard's thread.
//! [`crate::provision`] is the one the example and the load test use.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use cwmp_core::acs::{
    AcsConfig, AcsSession, AcsSessions, AnyUser, CredentialStore, Event, Received, SlotId,
    COOKIE_NAME,
};
use cwmp_core::{Duration, SplitMix64};

use crate::acs_server::random_seed;
use crate::driver::Clock;

/// Sessions in one [`AcsSessions`] table (`route` scans them, so a table stays small).
pub const SLOTS_PER_TABLE: usize = 32;

/// Tables in one shard.
pub const TABLES_PER_SHARD: usize = 8;

/// Sessions one shard holds at once; the ACS holds `shards` times as many.
pub const SLOTS_PER_SHARD: usize = SLOTS_PER_TABLE * TABLES_PER_SHARD;

/// The largest POST body accepted (413 beyond).
pub const MAX_BODY: usize = 1 << 20;

/// Header fields copied from one response of the machine.
const MAX_RESPONSE_HEADERS: usize = 16;

/// What the ACS does with its Sessions. One instance per shard, moved to the shard's thread;
/// `State` is kept per Session (reset to `Default` when a Session starts in a slot).
pub trait AcsApp: Send + 'static {
    /// Per-Session state.
    type State: Default;

    /// A POST was handled by `session`: look at what it carried and
    /// [`enqueue`](AcsSession::enqueue) requests or [`answer_fault`](AcsSession::answer_fault)
    /// before the response is written.
    fn received<'a>(
        &mut self,
        state: &mut Self::State,
        session: &mut AcsSession<'a>,
        received: Received<'_>,
    );

    /// An event of `session` (drained after each POST, close and timeout).
    fn event(&mut self, _state: &mut Self::State, _session: &AcsSession<'_>, _event: Event) {}
}

/// How the ACS runs.
#[derive(Debug, Clone)]
pub struct AcsOptions {
    /// Shard threads (each with [`SLOTS_PER_SHARD`] Sessions). At least 1.
    pub shards: usize,
    /// Digest password for every CPE (`None`: no authentication).
    pub password: Option<String>,
    /// The Digest realm.
    pub realm: String,
    /// Session timeout (§3.7.2.4; raised to 30 s by the machine). Also how long a connection
    /// may wait for the head of its next request.
    pub session_timeout: StdDuration,
    /// Close the connection after every n-th response of a live Session (§3.4.2), to make
    /// Sessions span connections. `None`: keep it open.
    pub close_every: Option<u32>,
}

impl Default for AcsOptions {
    fn default() -> Self {
        AcsOptions {
            shards: 2,
            password: None,
            realm: "cwmp".into(),
            session_timeout: StdDuration::from_secs(30),
            close_every: None,
        }
    }
}

/// A POST for a shard, or a connection that ended under a live Session.
enum Job {
    Post {
        request: Vec<u8>,
        /// Which of the shard's tables.
        table: usize,
        /// The connection it came on.
        conn: u64,
        reply: oneshot::Sender<Answer>,
    },
    /// Connection `conn`, which sent its last POST to this shard, ended.
    Closed {
        conn: u64,
    },
    Stop,
}

/// What a shard answers to a POST.
struct Answer {
    /// The raw HTTP response the machine wrote.
    response: Vec<u8>,
    /// Close the connection after it.
    close: bool,
    /// Every table of the shard holds live Sessions: the request, given back to try another
    /// shard (the response is then a 503).
    full: Option<Vec<u8>>,
}

/// State shared by the hyper tasks and the shards.
struct Shared {
    shards: Vec<mpsc::Sender<Job>>,
    /// Cookie value → table (numbered across shards), for every live Session.
    index: Mutex<HashMap<String, usize>>,
    next_table: AtomicUsize,
    live: Vec<AtomicUsize>,
    peak_live: AtomicUsize,
    connections: AtomicU64,
    options: AcsOptions,
}

impl Shared {
    fn set_live(&self, shard: usize, n: usize) {
        if let Some(l) = self.live.get(shard) {
            l.store(n, Ordering::Relaxed);
        }
        let total = self.live.iter().map(|l| l.load(Ordering::Relaxed)).sum();
        self.peak_live.fetch_max(total, Ordering::Relaxed);
    }

    fn index(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running ACS: its address, its gauges, and [`AcsHandle::shutdown`].
pub struct AcsHandle<A> {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    accept: tokio::task::JoinHandle<()>,
    threads: Vec<JoinHandle<A>>,
}

impl<A: AcsApp> AcsHandle<A> {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sessions live now.
    pub fn live(&self) -> usize {
        self.shared
            .live
            .iter()
            .map(|l| l.load(Ordering::Relaxed))
            .sum()
    }

    /// The most Sessions live at once so far.
    pub fn peak_live(&self) -> usize {
        self.shared.peak_live.load(Ordering::Relaxed)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Stops accepting, stops the shards (Sessions still live are left as they are), and
    /// gives back each shard's application.
    pub async fn shutdown(self) -> Vec<A> {
        let _ = self.stop.send(true);
        let _ = self.accept.await;
        for s in &self.shared.shards {
            let _ = s.send(Job::Stop);
        }
        let threads = self.threads;
        tokio::task::spawn_blocking(move || {
            threads.into_iter().filter_map(|t| t.join().ok()).collect()
        })
        .await
        .unwrap_or_default()
    }
}

/// Backlog of the listening socket [`listen`] opens: a burst of CPEs connecting at once
/// beyond the backlog waits for a SYN retransmission (1 s on Linux) instead.
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket on `addr` with a [`LISTEN_BACKLOG`] (the kernel may cap it:
/// `net.core.somaxconn`).
///
/// # Errors
/// The socket's.
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv6() {
        tokio::net::TcpSocket::new_v6()?
    } else {
        tokio::net::TcpSocket::new_v4()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Starts the ACS on `listener`: one shard thread per [`AcsOptions::shards`], each with the
/// application `make_app(shard)`, and an accept loop on the current tokio runtime. Returns
/// once every shard has built its tables (a short blocking wait).
///
/// # Errors
/// A shard thread that cannot be spawned, or a listener without an address.
pub fn start<A, F>(
    listener: TcpListener,
    options: AcsOptions,
    make_app: F,
) -> io::Result<AcsHandle<A>>
where
    A: AcsApp,
    F: Fn(usize) -> A,
{
    let addr = listener.local_addr()?;
    let n = options.shards.max(1);
    let mut senders = Vec::with_capacity(n);
    let mut receivers = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx, rx) = mpsc::channel();
        senders.push(tx);
        receivers.push(rx);
    }
    let shared = Arc::new(Shared {
        shards: senders,
        index: Mutex::new(HashMap::new()),
        next_table: AtomicUsize::new(0),
        live: (0..n).map(|_| AtomicUsize::new(0)).collect(),
        peak_live: AtomicUsize::new(0),
        connections: AtomicU64::new(0),
        options,
    });
    // Each table is built on the shard's stack, then boxed (unoptimised builds copy it a few
    // times on the way): give it room.
    let stack = std::mem::size_of::<AcsSessions<'static, SLOTS_PER_TABLE>>()
        .saturating_mul(8)
        .saturating_add(1 << 20);
    let mut threads = Vec::with_capacity(n);
    let (ready_tx, ready) = mpsc::channel();
    for (i, rx) in receivers.into_iter().enumerate() {
        let app = make_app(i);
        let shared = Arc::clone(&shared);
        let ready = ready_tx.clone();
        let t = std::thread::Builder::new()
            .name(format!("acs-shard-{i}"))
            .stack_size(stack)
            .spawn(move || shard_loop(i, app, rx, &shared, &ready))?;
        threads.push(t);
    }
    // Every table is built before the first connection is accepted.
    drop(ready_tx);
    for _ in 0..n {
        let _ = ready.recv();
    }
    let (stop, stop_rx) = watch::channel(false);
    let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stop_rx));
    Ok(AcsHandle {
        addr,
        shared,
        stop,
        accept,
        threads,
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of file descriptors, most likely: let connections close first.
                tokio::time::sleep(StdDuration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let id = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // The shard of the connection's last POST (`usize::MAX`: none yet).
            let last_shard = Arc::new(AtomicUsize::new(usize::MAX));
            let service = {
                let shared = Arc::clone(&shared);
                let last_shard = Arc::clone(&last_shard);
                service_fn(move |req| handle(req, Arc::clone(&shared), id, Arc::clone(&last_shard)))
            };
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(shared.options.session_timeout)
                .half_close(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Some(s) = shared.shards.get(last_shard.load(Ordering::Relaxed)) {
                let _ = s.send(Job::Closed { conn: id });
            }
        });
    }
}

/// The `cwmpsid` value among the `Cookie` fields (`;` or `,` separated, INTEROP C1).
fn request_cookie(req: &Request<Incoming>) -> Option<String> {
    req.headers()
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([';', ',']))
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.trim() == COOKIE_NAME)
        .map(|(_, v)| v.trim().to_string())
}

fn plain(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    r
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    conn: u64,
    last_shard: Arc<AtomicUsize>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let cookie = request_cookie(&req);
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(plain(StatusCode::PAYLOAD_TOO_LARGE)),
    };
    // The raw request the machine reads: hyper has parsed and de-chunked it.
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = Vec::with_capacity(512 + body.len());
    request.extend_from_slice(parts.method.as_str().as_bytes());
    request.push(b' ');
    request.extend_from_slice(target.as_bytes());
    request.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in &parts.headers {
        if name == hyper::header::CONTENT_LENGTH || name == hyper::header::TRANSFER_ENCODING {
            continue;
        }
        request.extend_from_slice(name.as_str().as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    request.extend_from_slice(&body);

    let found = cookie
        .as_deref()
        .and_then(|c| shared.index().get(c).copied());
    let shards = shared.shards.len().max(1);
    let tables = shards * TABLES_PER_SHARD;
    let first = found.unwrap_or_else(|| shared.next_table.fetch_add(1, Ordering::Relaxed) % tables);
    // Tables are numbered round the shards (table g is table g / shards of shard g % shards),
    // so new Sessions take the shards in turn. A full shard gives the request back: a new
    // Session then tries the next shard.
    for attempt in 0..shards {
        let table = (first + attempt) % tables;
        let shard = table % shards;
        let (reply, answer) = oneshot::channel();
        last_shard.store(shard, Ordering::Relaxed);
        let sent = shared.shards.get(shard).is_some_and(|s| {
            s.send(Job::Post {
                request,
                table: table / shards,
                conn,
                reply,
            })
            .is_ok()
        });
        let answer = match (sent, answer.await) {
            (true, Ok(a)) => a,
            _ => return Ok(plain(StatusCode::SERVICE_UNAVAILABLE)),
        };
        match answer.full {
            Some(r) if attempt + 1 < shards => request = r,
            _ => return Ok(to_hyper(answer.response, answer.close)),
        }
    }
    Ok(plain(StatusCode::SERVICE_UNAVAILABLE))
}

/// The machine's raw response as a hyper response (hyper writes `Content-Length` itself).
fn to_hyper(raw: Vec<u8>, close: bool) -> Response<Full<Bytes>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let Ok(httparse::Status::Complete(head_len)) = head.parse(&raw) else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let status = head
        .code
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = Response::builder().status(status);
    let mut has_connection = false;
    for h in head.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        has_connection |= h.name.eq_ignore_ascii_case("connection");
        builder = builder.header(h.name, h.value);
    }
    if close && !has_connection {
        builder = builder.header(hyper::header::CONNECTION, "close");
    }
    let body = Bytes::from(raw).slice(head_len..);
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR))
}

/// An empty response with `status` that closes the connection (503: every slot of the shard
/// holds a live Session, INTEROP C5).
fn refusal(status: u16) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        cwmp_codec::http::response::reason_phrase(status)
    )
    .into_bytes()
}

/// The value part of a Session's `cwmpsid=…` cookie.
fn cookie_value(cookie: &str) -> &str {
    cookie.split_once('=').map_or(cookie, |(_, v)| v)
}

/// Per-slot bookkeeping of the shard itself.
#[derive(Default, Clone)]
struct SlotMeta {
    /// The cookie value of the Session the slot's state belongs to.
    cookie: String,
    /// The connection of the Session's last POST, unless the ACS closed it (0: none).
    conn: u64,
    /// 200 responses written in the Session (for [`AcsOptions::close_every`]).
    responses: u32,
}

/// One [`AcsSessions`] table with the application's state and the shard's bookkeeping of
/// each of its slots.
struct Table<'a, S> {
    sessions: Box<AcsSessions<'a, SLOTS_PER_TABLE>>,
    states: Vec<S>,
    meta: Vec<SlotMeta>,
}

/// One shard: its tables, the application, the loop.
struct Shard<'a, A: AcsApp> {
    id: usize,
    app: A,
    tables: Vec<Table<'a, A::State>>,
    rng: SplitMix64,
    clock: Clock,
}

fn shard_loop<A: AcsApp>(
    id: usize,
    app: A,
    rx: mpsc::Receiver<Job>,
    shared: &Shared,
    ready: &mpsc::Sender<()>,
) -> A {
    let store = shared.options.password.as_deref().map(AnyUser);
    let config = AcsConfig {
        credentials: store.as_ref().map(|s| s as &dyn CredentialStore),
        realm: &shared.options.realm,
        session_timeout: Duration::from_millis(
            u64::try_from(shared.options.session_timeout.as_millis()).unwrap_or(u64::MAX),
        ),
        ..AcsConfig::default()
    };
    let mut shard = Shard {
        id,
        app,
        tables: (0..TABLES_PER_SHARD)
            .map(|_| Table {
                sessions: Box::new(AcsSessions::new(config)),
                states: (0..SLOTS_PER_TABLE).map(|_| A::State::default()).collect(),
                meta: vec![SlotMeta::default(); SLOTS_PER_TABLE],
            })
            .collect(),
        rng: SplitMix64::new(random_seed() ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        clock: Clock::new(),
    };
    let _ = ready.send(());
    loop {
        let deadline = shard
            .tables
            .iter()
            .filter_map(|t| t.sessions.poll_timeout())
            .min();
        let job = match deadline {
            Some(deadline) => match rx.recv_timeout(shard.clock.until(deadline)) {
                Ok(job) => Some(job),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => Some(Job::Stop),
            },
            None => Some(rx.recv().unwrap_or(Job::Stop)),
        };
        match job {
            Some(Job::Post {
                mut request,
                table,
                conn,
                reply,
            }) => {
                let answer = shard.post(table, &mut request, conn, shared);
                let _ = reply.send(answer);
            }
            Some(Job::Closed { conn }) => shard.closed(conn, shared),
            Some(Job::Stop) => break,
            None => shard.timeouts(shared),
        }
        let live = shard.tables.iter().map(|t| t.sessions.live()).sum();
        shared.set_live(id, live);
    }
    shard.app
}

impl<A: AcsApp> Shard<'_, A> {
    /// Serves one POST in table `table` of this shard.
    fn post(&mut self, table: usize, request: &mut [u8], conn: u64, shared: &Shared) -> Answer {
        let now = self.clock.now();
        // The table the index or the turn chose; when it is full, a new Session goes in the
        // next table of the shard that has room (the index records where).
        let rng = &mut self.rng;
        let found = (0..TABLES_PER_SHARD)
            .map(|k| (table + k) % TABLES_PER_SHARD)
            .find_map(|i| {
                let t = self.tables.get_mut(i)?;
                t.sessions.route(now, request, rng).map(|slot| (i, slot))
            });
        let Some((table, slot)) = found else {
            return Answer {
                response: refusal(503),
                close: true,
                full: Some(request.to_vec()),
            };
        };
        let global = table
            .saturating_mul(shared.shards.len())
            .saturating_add(self.id);
        let Some(t) = self.tables.get_mut(table) else {
            return Answer {
                response: refusal(500),
                close: true,
                full: None,
            };
        };
        let (Some(session), Some(state), Some(meta)) = (
            t.sessions.get(slot),
            t.states.get_mut(slot.0),
            t.meta.get_mut(slot.0),
        ) else {
            return Answer {
                response: refusal(500),
                close: true,
                full: None,
            };
        };
        let cookie = cookie_value(session.cookie());
        if meta.cookie != cookie {
            // `route` opened a new Session in this slot.
            *state = A::State::default();
            *meta = SlotMeta {
                cookie: cookie.to_string(),
                conn: 0,
                responses: 0,
            };
            shared.index().insert(meta.cookie.clone(), global);
        }
        meta.conn = conn;
        let mut response = Vec::with_capacity(2048);
        let close = match session.handle_request(now, request) {
            Ok(received) => {
                self.app.received(state, session, received);
                match session.poll_transmit(now, &mut response) {
                    Ok(Some(t)) => {
                        let mut close = t.close;
                        if t.status == 200 && !session.is_ended() {
                            meta.responses = meta.responses.saturating_add(1);
                            if let Some(n) = shared.options.close_every {
                                close |= n > 0 && meta.responses % n == 0;
                            }
                        }
                        close
                    }
                    Ok(None) | Err(_) => {
                        response = refusal(500);
                        true
                    }
                }
            }
            // The previous response was not transmitted (cannot happen: each POST is answered
            // in turn), or the Session ended: refuse without touching it.
            Err(_) => {
                response = refusal(400);
                true
            }
        };
        if close || session.is_ended() {
            // Closed by the ACS (a live Session may go on over a new connection, §3.4.2), or
            // over: nothing for a close of this connection to end.
            meta.conn = 0;
        }
        drain(&mut self.app, state, session, shared);
        Answer {
            response,
            close,
            full: None,
        }
    }

    /// Connection `conn` ended. A live Session whose last POST came on it, and which the ACS
    /// did not close, was dropped by its CPE (which must not close it mid-Session, §3.4.2):
    /// it fails now rather than at the session timeout.
    fn closed(&mut self, conn: u64, shared: &Shared) {
        let now = self.clock.now();
        for t in &mut self.tables {
            let Some(slot) = t.meta.iter().position(|m| m.conn == conn) else {
                continue;
            };
            if let Some(m) = t.meta.get_mut(slot) {
                m.conn = 0;
            }
            if let (Some(session), Some(state)) =
                (t.sessions.get(SlotId(slot)), t.states.get_mut(slot))
            {
                if !session.is_ended() {
                    session.handle_close(now);
                    drain(&mut self.app, state, session, shared);
                }
            }
            return;
        }
    }

    fn timeouts(&mut self, shared: &Shared) {
        let now = self.clock.now();
        for t in &mut self.tables {
            t.sessions.handle_timeout(now);
            for (slot, session) in t.sessions.iter_mut() {
                if let Some(state) = t.states.get_mut(slot.0) {
                    drain(&mut self.app, state, session, shared);
                }
            }
        }
    }
}

fn drain<A: AcsApp>(
    app: &mut A,
    state: &mut A::State,
    session: &mut AcsSession<'_>,
    shared: &Shared,
) {
    while let Some(e) = session.poll_event() {
        if matches!(e, Event::SessionEnded { .. }) {
            shared.index().remove(cookie_value(session.cookie()));
        }
        app.event(state, session, e);
    }
}
