//! A blocking std driver for the sans-IO [`Cpe`] and its [`Agent`]: the run loop of the
//! `cwmp-core` crate doc over [`TcpStream`], the agent answering every ACS request from the
//! [`Model`] (the guide's run loop, `cwmp_core::agent::guide`), firmware Downloads fetched over
//! plain HTTP, and a Connection Request listener thread around [`ConnectionRequestServer`]
//! that checks the credentials the ACS set. Used by the `demo` and `cpe` examples.
//!
//! [`CpeDriver::run`] returns when the machine says reboot (or factory reset), when a firmware
//! image was installed (the device reboots into it, like real firmware), or when told to stop.
//! The caller then persists, drops the driver and builds a new one from the persisted records
//! ([`CpeDriver::new`] with `flash`): that is the reboot.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use cwmp_codec::datetime::{DateTime, Offset};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::Array;
use cwmp_core::agent::Agent;
use cwmp_core::connreq::{
    request_len, ConnectionRequestServer, CrConfig, CrOutcome, RateLimit, REQUEST_DEADLINE,
};
use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, SessionOutcome, TransportError};
use cwmp_core::persist::Record;
use cwmp_core::schedule::{PeriodicInformConfig, PeriodicInformTime};
use cwmp_core::stun::StunOutcome;
use cwmp_core::SplitMix64;

use crate::acs_server::random_seed;
use crate::data_model::{Identity, Model};
use crate::driver::{Clock, HttpReader, MessageKind};

/// Something that wakes the driver up while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// An accepted Connection Request that starts a Session.
    ConnectionRequest,
    /// A STUN datagram received on the UDP Connection Request port (`udp_cr`), for the
    /// agent's STUN client (Annex G.2.1).
    Stun(Vec<u8>),
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

/// The agent of the std examples: 64 attributes, 32 pending value changes.
pub type StdAgent = Agent<64, 32>;

/// The agent, shared by the driver (which answers the ACS with it) and the Connection
/// Request listener (which reads the credentials the ACS set,
/// [`Agent::connection_request_credentials`], for each request). It lives across reboots;
/// [`CpeDriver::new`] replaces its contents at each power-up.
pub type SharedAgent = Arc<Mutex<StdAgent>>;

/// A new [`SharedAgent`] in the factory state of `setup` (so the listener checks the factory
/// Connection Request credentials until [`CpeDriver::new`] restores the agent's record).
pub fn shared_agent(setup: &Setup) -> SharedAgent {
    let mut agent = StdAgent::new(&setup.config());
    agent.set_connection_request(&setup.cr_url, &setup.cr_username, &setup.cr_password);
    Arc::new(Mutex::new(agent))
}

/// What the device is at the factory: identity, the ACS and its credentials, and the
/// Connection Request settings (`ManagementServer.` factory values; what the ACS sets wins,
/// kept in the agent's record).
#[derive(Debug, Clone)]
pub struct Setup {
    /// Manufacturer, OUI, ProductClass, SerialNumber, factory SoftwareVersion.
    pub identity: Identity,
    /// ManagementServer.URL.
    pub acs_url: String,
    /// ManagementServer.Username (empty: no authentication).
    pub username: String,
    /// ManagementServer.Password.
    pub password: String,
    /// PeriodicInformInterval with PeriodicInformEnable=1 (none: periodic Informs off).
    pub periodic: Option<u32>,
    /// ManagementServer.ConnectionRequestURL.
    pub cr_url: String,
    /// ConnectionRequestUsername at the factory.
    pub cr_username: String,
    /// ConnectionRequestPassword at the factory.
    pub cr_password: String,
}

/// What survives a power cycle: the machine's record and the agent's, written side by side.
#[derive(Debug, Clone, Default)]
pub struct Flash {
    /// [`Cpe::export`]'s record (`None`: first boot ever, `0 BOOTSTRAP`).
    pub record: Option<Vec<u8>>,
    /// [`Agent::export`]'s record (what the ACS set in ManagementServer, attributes, pending
    /// value changes).
    pub agent: Option<Vec<u8>>,
}

impl Setup {
    /// The factory configuration of the machine (and of the agent's `ManagementServer.`).
    pub fn config(&self) -> Config<'_> {
        let id = &self.identity;
        let mut config = Config::new(
            &self.acs_url,
            &id.manufacturer,
            &id.oui,
            &id.product_class,
            &id.serial,
        );
        config.username = &self.username;
        config.password = &self.password;
        if let Some(secs) = self.periodic {
            config.periodic = PeriodicInformConfig {
                enable: true,
                interval: secs,
                time: PeriodicInformTime::Unknown,
            };
        }
        config
    }
}

/// Called with the records and the model each time they are persisted.
pub type OnPersist = Box<dyn FnMut(&Flash, &Model) + Send>;

/// A fresh record buffer's size.
pub const RECORD_MAX: usize = Record::<64, 3, 3>::MAX_LEN;

/// The agent's record buffer size (64 attributes and 32 pending names of 256 bytes fit).
pub const AGENT_RECORD_MAX: usize = 64 * 1024;

/// The driver: the machine, the agent, the model, one connection at a time.
pub struct CpeDriver {
    /// The machine.
    pub cpe: Box<Cpe>,
    /// The agent (shared with the Connection Request listener).
    pub agent: SharedAgent,
    /// The data model.
    pub model: Model,
    /// The last persisted records (what survives a reboot).
    pub flash: Flash,
    clock: Clock,
    conn: Option<TcpStream>,
    reader: HttpReader,
    tx: Vec<u8>,
    rx_staged: Option<usize>,
    /// The SOAP envelope of the last response written, kept until the next response arrives:
    /// after a 401 or a redirect the machine asks for it again (`Event::ResendResponse`), and
    /// the request must not be executed twice.
    last_reply: Option<Vec<u8>>,
    wake: Receiver<Wake>,
    cr: Option<Arc<Mutex<ConnectionRequestServer>>>,
    /// The UDP Connection Request socket the STUN client sends from ([`CpeDriver::attach_udp`]).
    udp: Option<UdpSocket>,
    log: Log,
    /// Called after every export of the records (the `cpe` example writes its files).
    pub on_persist: Option<OnPersist>,
    /// Log every ACS request and the answer (the `cpe` example; the demo's ACS logs them).
    pub verbose: bool,
    /// A firmware image was installed during a Session: reboot when it ends.
    reboot_after_session: bool,
    /// Sessions ended since power-up.
    pub sessions_ended: usize,
    /// [`CpeDriver::run`] returns [`Exit::Stopped`] once this many Sessions ended.
    pub stop_after: Option<usize>,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The SOAP envelope of an HTTP message the machine wrote (after the head).
fn envelope_of(message: &[u8]) -> Option<&[u8]> {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n")?;
    message.get(end + 4..)
}

impl CpeDriver {
    /// Powers the device up, in the guide's order: the agent from `setup` and `flash.agent`,
    /// the machine configured with what the ACS set and restored from `flash.record` (`None`:
    /// first boot ever, `0 BOOTSTRAP`), then the agent booted. `agent` is the shared agent
    /// (its contents are replaced); `wake` is how the Connection Request listener (and the
    /// owner) reach the waiting driver; `cr` is the listener's server, told when Sessions
    /// start and end.
    ///
    /// # Errors
    /// A configuration the machine refuses (a bad ACS URL).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        setup: &Setup,
        mut model: Model,
        clock: Clock,
        flash: Flash,
        agent: SharedAgent,
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
        let factory = setup.config();
        // The agent first: its record holds what the ACS set in ManagementServer.
        let mut fresh = StdAgent::new(&factory);
        if let Some(bytes) = &flash.agent {
            match fresh.restore(bytes) {
                Ok(()) => log(&format!(
                    "agent restored from its record ({} bytes)",
                    bytes.len()
                )),
                Err(e) => log(&format!(
                    "agent record refused ({e:?}): ManagementServer at its factory values"
                )),
            }
        }
        let mut config = factory;
        fresh.configure(&mut config);
        let mut cpe = Box::new(
            Cpe::new(&config, now, random_seed())
                .map_err(|e| format!("bad configuration: {e:?}"))?,
        );
        cpe.set_unix_time(now, unix_now());
        match &flash.record {
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
        fresh.set_connection_request(&setup.cr_url, &setup.cr_username, &setup.cr_password);
        fresh.boot(now, &mut cpe, &model);
        *agent.lock().unwrap() = fresh;
        Ok(CpeDriver {
            cpe,
            agent,
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
            udp: None,
            log,
            on_persist: None,
            verbose: false,
            reboot_after_session: false,
            sessions_ended: 0,
            stop_after: None,
        })
    }

    /// Sends the STUN client's Binding Requests from `socket`, the UDP Connection Request
    /// socket (`udp_cr`; G.2.1.1: from the port the CPE listens on), and starts the client
    /// with its local address ([`Agent::stun_start`], after the agent's restore in
    /// [`CpeDriver::new`]). `UDPConnectionRequestAddress` is that address until a binding is
    /// learnt (G.2.1.3). Binding Requests go out only when `STUNEnable` is true.
    ///
    /// # Errors
    /// The socket has no local address.
    pub fn attach_udp(&mut self, socket: UdpSocket) -> io::Result<()> {
        let local = socket.local_addr()?;
        {
            let mut agent = self.agent.lock().unwrap();
            agent.set_udp_connection_request_address(&local.to_string());
            agent.stun_start(self.clock.now(), local, random_seed());
        }
        self.udp = Some(socket);
        Ok(())
    }

    /// Sends the Binding Requests due now to `STUNServerAddress:STUNServerPort`.
    fn poll_stun(&mut self) {
        let Some(socket) = &self.udp else { return };
        let mut buf = [0u8; 600];
        loop {
            let now = self.clock.now();
            let mut agent = self.agent.lock().unwrap();
            let Some(n) = agent.stun_poll_transmit(now, &mut self.cpe, &self.model, &mut buf)
            else {
                return;
            };
            let (host, port) = agent.management().stun_server();
            let target = (host, port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next());
            drop(agent);
            match target {
                Some(to) => {
                    if let Err(e) = socket.send_to(&buf[..n], to) {
                        self.log(&format!("stun: cannot send to {to}: {e}"));
                    }
                }
                None => self.log("stun: cannot resolve STUNServerAddress"),
            }
        }
    }

    /// A STUN datagram the UDP listener received.
    fn stun_received(&mut self, datagram: &[u8]) {
        let now = self.clock.now();
        let outcome =
            self.agent
                .lock()
                .unwrap()
                .stun_received(now, &mut self.cpe, &self.model, datagram);
        match outcome {
            StunOutcome::BindingChanged {
                public,
                nat_detected,
            } => self.log(&format!(
                "stun: binding {public} (NATDetected {nat_detected}): UDPConnectionRequestAddress updated"
            )),
            StunOutcome::Challenged => {
                self.log("stun: 401, sending the request again with MESSAGE-INTEGRITY")
            }
            StunOutcome::Unauthorized => self.log(
                "stun: 401, and no STUNUsername/STUNPassword to sign with or the signed request refused",
            ),
            StunOutcome::Error(code) => self.log(&format!("stun: error response {code}")),
            _ => {}
        }
        self.poll_stun();
    }

    /// Powers off: gives back the wake-up channel for the next [`CpeDriver::new`].
    pub fn into_wake(self) -> Receiver<Wake> {
        self.wake
    }

    fn log(&self, s: &str) {
        (self.log)(s);
    }

    /// Writes both records (the machine's and the agent's, side by side, guide §3).
    fn persist(&mut self) {
        let mut buf = vec![0u8; RECORD_MAX];
        let Ok(n) = self.cpe.export(self.clock.now(), &mut buf) else {
            self.log("cannot export the machine's record");
            return;
        };
        buf.truncate(n);
        let mut abuf = vec![0u8; AGENT_RECORD_MAX];
        let Ok(an) = self.agent.lock().unwrap().export(&mut abuf) else {
            self.log("cannot export the agent's record");
            return;
        };
        abuf.truncate(an);
        self.flash = Flash {
            record: Some(buf),
            agent: Some(abuf),
        };
        if let Some(f) = self.on_persist.as_mut() {
            f(&self.flash, &self.model);
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
                    Ok(Wake::Stun(d)) => self.stun_received(&d),
                    Ok(Wake::Stop) => return Exit::Stopped,
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => return Exit::Stopped,
                }
            }
            // 1. Events (each one to the agent too).
            while let Some(event) = self.cpe.poll_event() {
                self.agent.lock().unwrap().handle_event(&self.cpe, &event);
                match event {
                    Event::Connect { port, tls } => self.connect(port, tls),
                    Event::Close => self.conn = None,
                    Event::SessionStarted => {
                        // Changes of notified Parameters, seen by comparison before the Inform.
                        let changed = self.agent.lock().unwrap().check_values(
                            self.clock.now(),
                            &mut self.cpe,
                            &self.model,
                        );
                        let codes: Vec<&str> = self
                            .cpe
                            .events()
                            .iter()
                            .map(|e| e.code().as_str())
                            .collect();
                        self.log(&format!(
                            "session started (events {codes:?}{}): connecting to the ACS",
                            if changed > 0 {
                                format!(", {changed} value change(s)")
                            } else {
                                String::new()
                            }
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
                        // The ACS may have changed the model: keep it with the records.
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
            if self.agent.lock().unwrap().needs_persist() {
                self.persist();
            }
            self.poll_stun();
            // 2. The next POST: the Inform's ParameterList is the agent's (Forced Inform
            // Parameters and pending value changes, §A.3.3.1).
            let now = self.clock.now();
            let len = match self.rx_staged.take() {
                Some(n) => Some(n),
                None => {
                    let agent = self.agent.lock().unwrap();
                    let list = agent.inform_parameters(&self.cpe, &self.model);
                    let mut w: &mut [u8] = &mut self.tx;
                    match self
                        .cpe
                        .poll_transmit_with(now, &Array::from_lending(&list), &mut w)
                    {
                        Ok(t) => t.map(|t| t.len),
                        Err(e) => {
                            self.log(&format!("cannot write the POST: {e:?}"));
                            None
                        }
                    }
                }
            };
            let (Some(len), Some(conn)) = (len, self.conn.as_ref()) else {
                // 3. Nothing to send: wait for the deadline (the machine's, or the STUN
                // client's when a UDP socket is attached) or a wake-up.
                let stun = self
                    .udp
                    .as_ref()
                    .and(self.agent.lock().unwrap().stun_poll_timeout());
                let deadline = [self.cpe.poll_timeout(), stun].into_iter().flatten().min();
                let got = match deadline {
                    Some(d) => self.wake.recv_timeout(self.clock.until(d)),
                    None => self.wake.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                match got {
                    Ok(Wake::ConnectionRequest) => {
                        self.cpe.handle_connection_request(self.clock.now())
                    }
                    Ok(Wake::Stun(d)) => self.stun_received(&d),
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

    /// Writes the last response again (after a 401 or a redirect): the envelope kept is
    /// decoded and re-sent, so the request is not executed twice.
    fn resend_response(&mut self) {
        let Some(saved) = self.last_reply.take() else {
            self.log("asked to re-send a response, but none was kept");
            return;
        };
        let now = self.clock.now();
        let mut w: &mut [u8] = &mut self.tx;
        let written = match cwmp_codec::decode(&saved) {
            Ok(envelope) => self.cpe.respond(now, envelope.body, &mut w),
            Err(e) => {
                self.log(&format!("the kept response does not decode: {e:?}"));
                self.last_reply = Some(saved);
                return;
            }
        };
        match written {
            Ok(t) => {
                self.log("re-sending the response (401 or redirect)");
                self.rx_staged = Some(t.len);
            }
            Err(e) => self.log(&format!("cannot write the response again: {e:?}")),
        }
        self.last_reply = Some(saved);
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
                // Every RPC's semantics and faults are the agent's (Annex A).
                let mut agent = self.agent.lock().unwrap();
                let mut w: &mut [u8] = &mut self.tx;
                let answered = agent.answer(now, &mut self.cpe, &mut self.model, &request, &mut w);
                drop(agent);
                match answered {
                    Ok(t) => {
                        self.rx_staged = Some(t.len);
                        let envelope = envelope_of(&self.tx[..t.len]).map(<[u8]>::to_vec);
                        if self.verbose {
                            let answer = envelope
                                .as_deref()
                                .and_then(|e| cwmp_codec::decode(e).ok())
                                .map_or_else(
                                    || "?".to_string(),
                                    |e| crate::acs_script::summarize(&e.body),
                                );
                            (self.log)(&format!(
                                "<- {}\n-> {answer}",
                                crate::acs_script::summarize(request.body()),
                            ));
                        }
                        self.last_reply = envelope;
                    }
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

/// The Connection Request listener's configuration: where it serves and how often. The
/// credentials are not here: they are the agent's, read for each request.
#[derive(Debug, Clone)]
pub struct CrListen {
    /// The path of ConnectionRequestURL (`/cr/...`).
    pub path: String,
    /// The rate limit on authenticated requests (§3.2.2.1; [`RateLimit::DEFAULT`]: 6 a
    /// minute, bursts of 3).
    pub rate_limit: RateLimit,
}

/// At most this many Connection Request connections are served at once; one more is answered
/// 503 with `Retry-After: 1` at once and closed (issue 13: a bounded number of slow clients
/// cannot starve the listener, and cannot make it spawn without bound either).
pub const MAX_CR_CONNECTIONS: usize = 8;

/// Serves Connection Requests on `listener` in a thread until `stop`: each accepted request
/// that starts a Session sends [`Wake::ConnectionRequest`] on `wake`. Each request is checked
/// against the credentials in force, [`Agent::connection_request_credentials`] of `agent`
/// (§3.2.2: as the ACS last set them), so a change applies to the next request.
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
    cfg: CrListen,
    agent: SharedAgent,
    wake: Sender<Wake>,
    stop: Arc<AtomicBool>,
    log: Log,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let clock = Clock::new();
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
            let (server, cfg, agent, wake, log, active) = (
                server.clone(),
                cfg.clone(),
                agent.clone(),
                wake.clone(),
                log.clone(),
                active.clone(),
            );
            std::thread::spawn(move || {
                let shared = (&*server, &cfg, &agent);
                serve_cr_connection(stream, shared, &wake, &log, clock, &mut rng);
                active.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }))
}

/// One Connection Request connection: requests in turn (pipelined ones included), each within
/// its absolute deadline.
fn serve_cr_connection(
    mut stream: TcpStream,
    (server, cfg, agent): (&Mutex<ConnectionRequestServer>, &CrListen, &SharedAgent),
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
        let (username, password) = {
            let a = agent.lock().unwrap();
            let c = a.connection_request_credentials();
            (c.username.to_string(), c.password.to_string())
        };
        let mut config = CrConfig::new(&cfg.path, &username, &password);
        config.rate_limit = cfg.rate_limit;
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
