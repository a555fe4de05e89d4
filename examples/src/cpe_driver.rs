//! A blocking std driver for the sans-IO [`Cpe`]: the run loop of the `cwmp-core` crate doc
//! over [`TcpStream`], the [`DataModel`] answering the ACS, firmware Downloads fetched over
//! plain HTTP, and a Connection Request listener thread around
//! [`ConnectionRequestServer`]. Used by the `demo` and `cpe` examples.
//!
//! [`CpeDriver::run`] returns when the machine says reboot (or factory reset), when a firmware
//! image was installed (the device reboots into it, like real firmware), or when told to stop.
//! The caller then persists, drops the driver and builds a new one from the persisted record
//! ([`CpeDriver::new`] with `flash`): that is the reboot.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use cwmp_codec::datetime::{DateTime, Offset};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::ParameterValueStruct;
use cwmp_codec::{Array, Value};
use cwmp_core::connreq::{
    request_len, ConnectionRequestServer, CrConfig, CrOutcome, RateLimit, REQUEST_DEADLINE,
};
use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, SessionOutcome, TransportError};
use cwmp_core::persist::Record;
use cwmp_core::SplitMix64;

use crate::acs_server::random_seed;
use crate::data_model::{DataModel, Identity, Reply, ReplyStore, Ty};
use crate::driver::{Clock, HttpReader, MessageKind};

/// Something that wakes the driver up while it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// An accepted Connection Request that starts a Session.
    ConnectionRequest,
    /// Stop [`CpeDriver::run`].
    Stop,
}

/// Why [`CpeDriver::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Reboot: asked by the ACS, or to run a newly installed firmware image.
    Reboot,
    /// Factory reset.
    FactoryReset,
    /// [`Wake::Stop`] (or every sender dropped).
    Stopped,
}

/// A log line sink (the demo prefixes and records them; the `cpe` example prints them).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// What the device is: identity and ACS credentials.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Manufacturer, OUI, ProductClass, SerialNumber, factory SoftwareVersion.
    pub identity: Identity,
    /// ManagementServer.Username (empty: no authentication).
    pub username: String,
    /// ManagementServer.Password.
    pub password: String,
}

/// Called with the record and the model each time they are persisted.
pub type OnPersist = Box<dyn FnMut(&[u8], &DataModel) + Send>;

/// A fresh record buffer's size.
pub const RECORD_MAX: usize = Record::<64, 3, 3>::MAX_LEN;

/// The driver: the machine, the model, one connection at a time.
pub struct CpeDriver {
    /// The machine.
    pub cpe: Box<Cpe>,
    /// The data model.
    pub model: DataModel,
    /// The last persisted record (what survives a reboot).
    pub flash: Option<Vec<u8>>,
    clock: Clock,
    conn: Option<TcpStream>,
    reader: HttpReader,
    tx: Vec<u8>,
    rx_staged: Option<usize>,
    /// The last response written, kept until the next response arrives: after a 401 or a
    /// redirect the machine asks for it again (`Event::ResendResponse`).
    last_reply: Option<Reply>,
    wake: Receiver<Wake>,
    cr: Option<Arc<Mutex<ConnectionRequestServer>>>,
    log: Log,
    /// Called after every export of the record (the `cpe` example writes its files).
    pub on_persist: Option<OnPersist>,
    /// Log every ACS request and the answer (the `cpe` example; the demo's ACS logs them).
    pub verbose: bool,
    /// A firmware image was installed during a Session: reboot when it ends.
    reboot_after_session: bool,
    /// Sessions ended since power-up.
    pub sessions_ended: usize,
    /// [`CpeDriver::run`] returns [`Exit::Stopped`] once this many Sessions ended.
    pub stop_after: Option<usize>,
    /// The connection-request listener's live configuration (see [`CpeDriver::share_cr_listen`]).
    cr_listen: Option<SharedCrListen>,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl CpeDriver {
    /// Powers the device up: a machine configured from `setup` and `model`, restored from
    /// `flash` (`None`: first boot ever, `0 BOOTSTRAP`). `wake` is how the Connection Request
    /// listener (and the owner) reach the waiting driver; `cr` is the listener's server, told
    /// when Sessions start and end.
    ///
    /// # Errors
    /// A configuration the machine refuses (a bad ACS URL).
    pub fn new(
        setup: &Setup,
        mut model: DataModel,
        clock: Clock,
        flash: Option<Vec<u8>>,
        wake: Receiver<Wake>,
        cr: Option<Arc<Mutex<ConnectionRequestServer>>>,
        log: Log,
    ) -> Result<Self, String> {
        let now = clock.now();
        if let Some(v) = model.boot() {
            log(&format!(
                "booted into the new firmware: SoftwareVersion {v}"
            ));
        }
        let url = model.get("Device.ManagementServer.URL").unwrap_or_default();
        let id = &setup.identity;
        let mut config = Config::new(
            &url,
            &id.manufacturer,
            &id.oui,
            &id.product_class,
            &id.serial,
        );
        config.username = &setup.username;
        config.password = &setup.password;
        config.periodic = model.periodic();
        config.heartbeat = model.heartbeat();
        let mut cpe = Box::new(
            Cpe::new(&config, now, random_seed())
                .map_err(|e| format!("bad configuration: {e:?}"))?,
        );
        cpe.set_unix_time(now, unix_now());
        match &flash {
            None => {
                log("first boot: 0 BOOTSTRAP");
                cpe.bootstrap(now);
            }
            Some(record) => {
                if let Err(e) = cpe.boot(now, Some(record)) {
                    log(&format!(
                        "persisted record refused ({e:?}): starting without it"
                    ));
                } else {
                    log(&format!(
                        "booted from the persisted record ({} bytes)",
                        record.len()
                    ));
                }
            }
        }
        Ok(CpeDriver {
            cpe,
            model,
            flash,
            clock,
            conn: None,
            reader: HttpReader::new(),
            tx: vec![0; 1024 * 1024],
            rx_staged: None,
            last_reply: None,
            wake,
            cr,
            log,
            on_persist: None,
            verbose: false,
            reboot_after_session: false,
            sessions_ended: 0,
            stop_after: None,
            cr_listen: None,
        })
    }

    /// Keeps the listener's credentials equal to the model's
    /// `ConnectionRequestUsername`/`Password`: now, and after every ACS request.
    ///
    /// STOPGAP (issue 14 item 3, defect of issue 11): without it the listener kept checking
    /// its start-up credentials after the ACS set new ones (GenieACS's bootstrap provision
    /// does), so every connection request after bootstrap got 401. The agent of issue 11
    /// makes ManagementServer the library's own; take its version at merge.
    pub fn share_cr_listen(&mut self, listen: SharedCrListen) {
        self.cr_listen = Some(listen);
        self.sync_cr_credentials();
    }

    fn sync_cr_credentials(&self) {
        if let Some(l) = &self.cr_listen {
            let m = &self.model;
            let get = |n: &str| m.get(n).unwrap_or_default();
            l.set_credentials(
                &get("Device.ManagementServer.ConnectionRequestUsername"),
                &get("Device.ManagementServer.ConnectionRequestPassword"),
            );
        }
    }

    /// Powers off: gives back the wake-up channel for the next [`CpeDriver::new`].
    pub fn into_wake(self) -> Receiver<Wake> {
        self.wake
    }

    fn log(&self, s: &str) {
        (self.log)(s);
    }

    fn persist(&mut self) {
        let mut buf = vec![0u8; RECORD_MAX];
        if let Ok(n) = self.cpe.export(self.clock.now(), &mut buf) {
            buf.truncate(n);
            if let Some(f) = self.on_persist.as_mut() {
                f(&buf, &self.model);
            }
            self.flash = Some(buf);
        }
    }

    fn connect(&mut self, port: u16, tls: bool) {
        let now = self.clock.now();
        let host = self.cpe.connect_host().to_string();
        if tls {
            self.log("https is not supported by this example driver");
            self.cpe
                .handle_transport_error(now, TransportError::Connect);
            return;
        }
        let stream = (host.as_str(), port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .and_then(|a| TcpStream::connect_timeout(&a, StdDuration::from_secs(10)).ok());
        match stream {
            Some(s) => {
                let _ = s.set_nodelay(true);
                self.conn = Some(s);
                self.reader = HttpReader::new();
                let _ = self.cpe.handle_connected(self.clock.now());
            }
            None => {
                self.log(&format!("cannot connect to {host}:{port}"));
                self.cpe
                    .handle_transport_error(self.clock.now(), TransportError::Connect);
            }
        }
    }

    /// Fetches and "installs" the image of transfer `id`; returns true when the device must
    /// reboot into it.
    fn start_transfer(&mut self, id: cwmp_core::transfer::TransferId) -> bool {
        let key = match self.cpe.transfers().get(id) {
            Some(t) => t.command_key().to_string(),
            None => return false,
        };
        let dl = self
            .model
            .downloads
            .iter()
            .position(|d| d.command_key == key)
            .map(|i| self.model.downloads.remove(i));
        let start = DateTime::from_unix(unix_now(), Offset::Utc).unwrap_or(DateTime::UNKNOWN);
        let result = match &dl {
            None => Err("no URL for this transfer (lost in a reboot)".to_string()),
            Some(d) => {
                self.log(&format!("Download {key:?}: GET {}", d.url));
                http_get(&d.url).and_then(|body| {
                    let version = firmware_version(&body)
                        .ok_or_else(|| "not a firmware image of this device".to_string())?;
                    self.log(&format!(
                        "  got {} bytes: firmware image, version {version}; written to the inactive bank",
                        body.len()
                    ));
                    Ok(version)
                })
            }
        };
        let end = DateTime::from_unix(unix_now(), Offset::Utc).unwrap_or(DateTime::UNKNOWN);
        let now = self.clock.now();
        match result {
            Ok(version) => {
                self.model.pending_software_version = Some(version);
                let _ = self.cpe.transfer_finished(now, id, 0, "", start, end);
                true
            }
            Err(e) => {
                self.log(&format!("  download failed: {e}"));
                let _ = self
                    .cpe
                    .transfer_finished(now, id, 9010, "Download failure", start, end);
                false
            }
        }
    }

    /// Runs the device until it must reboot or is told to stop.
    pub fn run(&mut self) -> Exit {
        loop {
            // Wake-ups that arrived while busy.
            loop {
                match self.wake.try_recv() {
                    Ok(Wake::ConnectionRequest) => {
                        self.cpe.handle_connection_request(self.clock.now())
                    }
                    Ok(Wake::Stop) => return Exit::Stopped,
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => return Exit::Stopped,
                }
            }
            // 1. Events.
            while let Some(event) = self.cpe.poll_event() {
                match event {
                    Event::Connect { port, tls } => self.connect(port, tls),
                    Event::Close => self.conn = None,
                    Event::SessionStarted => {
                        let codes: Vec<&str> = self
                            .cpe
                            .events()
                            .iter()
                            .map(|e| e.code().as_str())
                            .collect();
                        self.log(&format!(
                            "session started (events {codes:?}): connecting to the ACS"
                        ));
                        if let Some(cr) = &self.cr {
                            cr.lock().unwrap().session_started(self.clock.now());
                        }
                    }
                    Event::SessionEnded { outcome } => {
                        match outcome {
                            SessionOutcome::Success => self.log("session ended: success"),
                            other => self.log(&format!("session ended: {other:?}")),
                        }
                        let owed = self
                            .cr
                            .as_ref()
                            .is_some_and(|cr| cr.lock().unwrap().session_ended(self.clock.now()));
                        if owed {
                            self.cpe.handle_connection_request(self.clock.now());
                        }
                        // The ACS may have changed the model: keep it with the record.
                        self.persist();
                        self.sessions_ended += 1;
                        if self.reboot_after_session {
                            self.log("rebooting to run the new image");
                            return Exit::Reboot;
                        }
                        if self.stop_after.is_some_and(|n| self.sessions_ended >= n) {
                            return Exit::Stopped;
                        }
                    }
                    Event::PersistChanged => self.persist(),
                    Event::ResendResponse => self.resend_response(),
                    Event::StartTransfer { id } => {
                        let in_session = self.cpe.in_session();
                        if self.start_transfer(id) {
                            // Like firmware: persist the result, then reboot into the image
                            // before the Session that reports it (the boot Session does);
                            // a Session under way is finished first.
                            if !in_session {
                                self.persist();
                                self.log("image installed: rebooting to run it");
                                return Exit::Reboot;
                            }
                            self.log("image installed: rebooting after this session");
                            self.reboot_after_session = true;
                        }
                    }
                    Event::Reboot => {
                        self.persist();
                        self.log("rebooting (asked by the ACS)");
                        return Exit::Reboot;
                    }
                    Event::FactoryReset => {
                        self.log("factory reset (asked by the ACS)");
                        return Exit::FactoryReset;
                    }
                    _ => {}
                }
            }
            // 2. The next POST.
            let now = self.clock.now();
            let len = match self.rx_staged.take() {
                Some(n) => Some(n),
                None => {
                    let params = self.model.inform_parameters();
                    let list: Vec<ParameterValueStruct<'_>> = params
                        .iter()
                        .map(|(n, v, ty)| {
                            let value = match ty {
                                Ty::UInt => Value::UnsignedInt(v.parse().unwrap_or(0)),
                                Ty::Bool => Value::Boolean(v == "1"),
                                Ty::Str => Value::string(v),
                            };
                            ParameterValueStruct::new(n, value)
                        })
                        .collect();
                    let mut w: &mut [u8] = &mut self.tx;
                    match self.cpe.poll_transmit_with(now, &Array::new(&list), &mut w) {
                        Ok(t) => t.map(|t| t.len),
                        Err(e) => {
                            self.log(&format!("cannot write the POST: {e:?}"));
                            None
                        }
                    }
                }
            };
            let (Some(len), Some(conn)) = (len, self.conn.as_ref()) else {
                // 3. Nothing to send: wait for the deadline or a wake-up.
                let deadline = self.cpe.poll_timeout();
                let got = match deadline {
                    Some(d) => self.wake.recv_timeout(self.clock.until(d)),
                    None => self.wake.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                match got {
                    Ok(Wake::ConnectionRequest) => {
                        self.cpe.handle_connection_request(self.clock.now())
                    }
                    Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return Exit::Stopped,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                self.cpe.handle_timeout(self.clock.now());
                continue;
            };
            let mut c: &TcpStream = conn;
            if c.write_all(&self.tx[..len])
                .and_then(|()| c.flush())
                .is_err()
            {
                self.cpe
                    .handle_transport_error(self.clock.now(), TransportError::Send);
                continue;
            }
            self.exchange();
        }
    }

    /// Writes the last response again (after a 401 or a redirect): the request is not executed
    /// twice.
    fn resend_response(&mut self) {
        let Some(reply) = self.last_reply.clone() else {
            self.log("asked to re-send a response, but none was kept");
            return;
        };
        let store = ReplyStore::new(&reply);
        let body = reply.body(&store);
        let mut w: &mut [u8] = &mut self.tx;
        match self.cpe.respond(self.clock.now(), body, &mut w) {
            Ok(t) => {
                self.log("re-sending the response (401 or redirect)");
                self.rx_staged = Some(t.len);
            }
            Err(e) => self.log(&format!("cannot write the response again: {e:?}")),
        }
    }

    /// Reads the response to the POST just sent and answers an ACS request.
    fn exchange(&mut self) {
        // Other deadlines (a transfer due, a periodic Inform) may pass while the response is
        // awaited: fire them and keep reading, until the response or the Session's end.
        let n = loop {
            let Some(conn) = self.conn.as_ref() else {
                return;
            };
            let deadline = self.cpe.poll_timeout();
            let wait = deadline
                .map_or(StdDuration::from_secs(30), |d| self.clock.until(d))
                .max(StdDuration::from_millis(10));
            let _ = conn.set_read_timeout(Some(wait));
            let mut s: &TcpStream = conn;
            let read = self
                .reader
                .read(&mut ReadWrite(&mut s), MessageKind::Response);
            match read {
                Ok(Some(n)) => break n,
                Ok(None) => {
                    // Closed before a byte of the response: the machine fails the Session.
                    let _ = self
                        .cpe
                        .handle_connection_closed(self.clock.now(), &mut [], 0);
                    return;
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    self.cpe.handle_timeout(self.clock.now());
                    if !self.cpe.in_session() || self.conn.is_none() {
                        return;
                    }
                }
                Err(_) => {
                    self.cpe
                        .handle_transport_error(self.clock.now(), TransportError::Receive);
                    return;
                }
            }
        };
        let now = self.clock.now();
        let closed = self.reader.peer_closed();
        let msg = self.reader.message_mut(n);
        // A message that ended at the close may be truncated or close-delimited: the machine
        // tells (and fails the Session at once if it is cut short).
        let incoming = if closed {
            self.cpe.handle_connection_closed(now, msg, n)
        } else {
            self.cpe.handle_response(now, msg, n)
        };
        if closed {
            self.conn = None;
        }
        match incoming {
            Ok(Incoming::AcsRequest(request)) => {
                let (reply, fx) = self.model.handle(&mut self.cpe, now, request.body());
                self.last_reply = Some(reply.clone());
                let store = ReplyStore::new(&reply);
                let body = reply.body(&store);
                if self.verbose {
                    (self.log)(&format!(
                        "<- {}\n-> {}",
                        crate::acs_script::summarize(request.body()),
                        crate::acs_script::summarize(&body)
                    ));
                }
                if fx.periodic_changed {
                    self.cpe.set_periodic(now, self.model.periodic());
                }
                if fx.heartbeat_changed {
                    self.cpe.set_heartbeat_policy(now, self.model.heartbeat());
                }
                if fx.acs_url_changed {
                    let url = self
                        .model
                        .get("Device.ManagementServer.URL")
                        .unwrap_or_default();
                    let _ = self.cpe.set_acs_url(now, &url);
                }
                let mut w: &mut [u8] = &mut self.tx;
                match self.cpe.respond(now, body, &mut w) {
                    Ok(t) => self.rx_staged = Some(t.len),
                    Err(e) => self.log(&format!("cannot write the response: {e:?}")),
                }
            }
            Ok(_) => {}
            // The reader returns only complete messages (or what came before the close).
            Err(e @ (ApiMisuse::IncompleteResponse | ApiMisuse::BufferTooSmall)) => {
                self.log(&format!("response not handled: {e:?}"));
                self.cpe
                    .handle_transport_error(now, TransportError::Receive);
            }
            Err(e) => self.log(&format!("response not handled: {e:?}")),
        }
        self.reader.consume(n);
        // The ACS may have set ConnectionRequestUsername/Password.
        self.sync_cr_credentials();
    }
}

/// `Read + Write` over `&mut &TcpStream` for [`HttpReader::read`].
struct ReadWrite<'a, 'b>(&'a mut &'b TcpStream);

impl Read for ReadWrite<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for ReadWrite<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The version a firmware image of this example device carries (`version=X` on a line).
pub fn firmware_version(image: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(image.get(..image.len().min(256))?).ok()?;
    if !text.starts_with("CWMP-RS EXAMPLE FIRMWARE\n") {
        return None;
    }
    text.lines()
        .find_map(|l| l.strip_prefix("version="))
        .map(|v| v.trim().to_string())
}

/// A fake firmware image of `len` bytes at least, for `version`.
pub fn firmware_image(version: &str, len: usize) -> Vec<u8> {
    let mut v = format!("CWMP-RS EXAMPLE FIRMWARE\nversion={version}\n").into_bytes();
    while v.len() < len {
        v.push(b'.');
    }
    v
}

/// GETs `url` (plain `http://host:port/path`), returns the body of a 200.
///
/// # Errors
/// A readable reason.
pub fn http_get(url: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("http://").ok_or("not an http:// URL")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = addr
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let mut s =
        TcpStream::connect_timeout(&addr, StdDuration::from_secs(10)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(StdDuration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut reader = HttpReader::new();
    let n = reader
        .read(&mut s, MessageKind::Response)
        .map_err(|e| e.to_string())?
        .ok_or("no response")?;
    let msg = reader.message_mut(n);
    let mut headers = [EMPTY_HEADER; 32];
    let Ok(Status::Complete(head)) = ResponseHead::parse(msg, &mut headers) else {
        return Err("malformed HTTP response".into());
    };
    if head.status != 200 {
        return Err(format!("HTTP {}", head.status));
    }
    let head_len = head.head_len;
    Ok(msg[head_len..].to_vec())
}

/// The Connection Request listener's configuration (owned).
#[derive(Debug, Clone)]
pub struct CrListen {
    /// The path of ConnectionRequestURL (`/cr/...`).
    pub path: String,
    /// ConnectionRequestUsername.
    pub username: String,
    /// ConnectionRequestPassword.
    pub password: String,
    /// The rate limit on authenticated requests (§3.2.2.1; [`RateLimit::DEFAULT`]: 6 a
    /// minute, bursts of 3).
    pub rate_limit: RateLimit,
}

/// A [`CrListen`] shared by the listener thread and the driver, which updates the
/// credentials when the ACS sets them ([`CpeDriver::share_cr_listen`]). Read for each
/// request, so a change applies to the next one.
#[derive(Debug, Clone)]
pub struct SharedCrListen(Arc<Mutex<CrListen>>);

impl From<CrListen> for SharedCrListen {
    fn from(c: CrListen) -> Self {
        SharedCrListen(Arc::new(Mutex::new(c)))
    }
}

impl SharedCrListen {
    /// Replaces ConnectionRequestUsername/Password.
    pub fn set_credentials(&self, username: &str, password: &str) {
        let mut c = self.0.lock().unwrap();
        c.username = username.to_string();
        c.password = password.to_string();
    }

    /// The configuration now.
    pub fn get(&self) -> CrListen {
        self.0.lock().unwrap().clone()
    }
}

/// At most this many Connection Request connections are served at once; one more is answered
/// 503 with `Retry-After: 1` at once and closed (issue 13: a bounded number of slow clients
/// cannot starve the listener, and cannot make it spawn without bound either).
pub const MAX_CR_CONNECTIONS: usize = 8;

/// Serves Connection Requests on `listener` in a thread until `stop`: each accepted request
/// that starts a Session sends [`Wake::ConnectionRequest`] on `wake`.
///
/// Connections are served concurrently, each on its own thread, at most
/// [`MAX_CR_CONNECTIONS`] at a time; each request has an absolute deadline
/// ([`REQUEST_DEADLINE`]) from the connection's start (or
/// the previous answer) to its complete head, so a client trickling bytes is dropped when it
/// passes; a request pipelined behind one answered on a kept connection (after a 401) is
/// answered in turn, and one behind an answer with `Connection: close` is refused by it.
pub fn spawn_cr_listener(
    listener: TcpListener,
    server: Arc<Mutex<ConnectionRequestServer>>,
    cfg: impl Into<SharedCrListen>,
    wake: Sender<Wake>,
    stop: Arc<AtomicBool>,
    log: Log,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let clock = Clock::new();
    let cfg: SharedCrListen = cfg.into();
    Ok(std::thread::spawn(move || {
        let seed = random_seed();
        let active = Arc::new(AtomicUsize::new(0));
        let mut accepted: u64 = 0;
        while !stop.load(Ordering::Relaxed) {
            let mut stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(StdDuration::from_millis(20));
                    continue;
                }
                Err(_) => return,
            };
            let _ = stream.set_nonblocking(false);
            if active.load(Ordering::SeqCst) >= MAX_CR_CONNECTIONS {
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                log("connection request: too many connections, 503 sent");
                continue;
            }
            active.fetch_add(1, Ordering::SeqCst);
            accepted = accepted.wrapping_add(1);
            let mut rng = SplitMix64::new(seed ^ accepted.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let (server, cfg, wake, log, active) = (
                server.clone(),
                cfg.clone(),
                wake.clone(),
                log.clone(),
                active.clone(),
            );
            std::thread::spawn(move || {
                serve_cr_connection(stream, &server, &cfg, &wake, &log, clock, &mut rng);
                active.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }))
}

/// One Connection Request connection: requests in turn (pipelined ones included), each within
/// its absolute deadline.
fn serve_cr_connection(
    mut stream: TcpStream,
    server: &Mutex<ConnectionRequestServer>,
    cfg: &SharedCrListen,
    wake: &Sender<Wake>,
    log: &Log,
    clock: Clock,
    rng: &mut SplitMix64,
) {
    let allowed = StdDuration::from_millis(REQUEST_DEADLINE.as_millis());
    let mut deadline = std::time::Instant::now() + allowed;
    let mut buf = [0u8; 4096];
    let mut len = 0;
    let mut need_read = true;
    loop {
        if need_read {
            let remaining = deadline.saturating_duration_since(std::time::Instant::now());
            if remaining.is_zero() {
                log("connection request: no complete request within the deadline, dropped");
                return;
            }
            let _ = stream.set_read_timeout(Some(remaining));
            match stream.read(&mut buf[len..]) {
                Ok(0) => return,
                Ok(n) => len += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    log("connection request: no complete request within the deadline, dropped");
                    return;
                }
                Err(_) => return,
            }
        }
        // The credentials now (the ACS may have changed them since the last request).
        let live = cfg.get();
        let mut config = CrConfig::new(&live.path, &live.username, &live.password);
        config.rate_limit = live.rate_limit;
        let mut out = [0u8; 1024];
        let mut w: &mut [u8] = &mut out;
        let outcome = {
            let mut srv = server.lock().unwrap();
            srv.handle_request(clock.now(), &config, &buf[..len], rng, &mut w)
        };
        let Ok(outcome) = outcome else { return };
        let written = 1024 - w.len();
        if outcome == CrOutcome::Incomplete {
            if len == buf.len() {
                return; // a head this large is hostile
            }
            need_read = true;
            continue;
        }
        if stream.write_all(&out[..written]).is_err() {
            return;
        }
        match outcome {
            CrOutcome::Challenged { .. } => log("connection request: 401 Digest challenge sent"),
            CrOutcome::Accepted { start_session, .. } => {
                log(&format!(
                    "connection request: authenticated, 200 OK{}",
                    if start_session {
                        ", starting a session"
                    } else {
                        ""
                    }
                ));
                if start_session {
                    let _ = wake.send(Wake::ConnectionRequest);
                }
            }
            other => log(&format!("connection request refused: {other:?}")),
        }
        if !outcome.keep_alive() {
            // `Connection: close` was sent: anything pipelined after it is refused by it.
            return;
        }
        // The next request may already be here (pipelining): handle it before reading.
        let used = request_len(&buf[..len]).unwrap_or(len).min(len);
        buf.copy_within(used..len, 0);
        len -= used;
        need_read = len == 0;
        deadline = std::time::Instant::now() + allowed;
    }
}
