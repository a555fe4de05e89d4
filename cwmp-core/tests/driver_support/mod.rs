//! The world of the driver tests (`driver_blocking.rs`, `driver_async.rs`): a fake device
//! (clock, flash, wake-ups) implementing both drivers' `Platform`, an in-memory network whose
//! connections lead to a real `AcsSession` (with Digest, fault injection: a refused connect,
//! `Connection: close` mid-Session, a chunked response, responses read 7 bytes at a time), and
//! a small application. Nothing here allocates once built: the logs are heapless, the buffers
//! arrays, so the whole run can sit inside the counting allocator.
#![allow(dead_code)]

use cwmp_core::acs::{
    AcsConfig, AcsSession, Event as AcsEvent, Outcome, Received, StaticCredentials,
};
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::message::{
    GetParameterValues, GetParameterValuesResponse, ParameterValueStruct, Reboot, RebootResponse,
    SoapFault,
};
use cwmp_core::codec::{Array, Body, Value, XmlStr};
use cwmp_core::cpe::{AcsRequest, Config, Cpe, Event, SessionOutcome, Transmit};
use cwmp_core::driver::{Application, Exit, TxError, Wake};
use cwmp_core::persist::slot::SlotId;
use cwmp_core::{Duration, Instant, SplitMix64};
use heapless::{String, Vec};

/// One record slot (flash page) and the driver's page buffer.
pub const FLASH_LEN: usize = cwmp_core::driver::page_len::<64, 3, 3>(2048);
pub const ACS_URL: &str = "http://acs.example:7547/cwmp";
static CREDS: StaticCredentials<'static> = StaticCredentials {
    username: "00D09E-STB-SN1",
    password: "secret",
};
static NAMES: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.")];

pub fn config() -> Config<'static> {
    let mut c = Config::new(ACS_URL, "Acme", "00D09E", "STB", "SN1");
    c.username = CREDS.username;
    c.password = CREDS.password;
    c
}

// --- The device -----------------------------------------------------------------------------

/// Clock, flash and wake-ups: `wait` jumps the clock to the deadline; scripted wake-ups come
/// once enough Sessions ended; with nothing left to happen it says Stop.
pub struct Device {
    pub now: Instant,
    /// The two record pages (A, B), erased to 0xFF.
    pub pages: [[u8; FLASH_LEN]; 2],
    pub flash_writes: usize,
    /// The slot of every write, in order.
    pub written: Vec<SlotId, 64>,
    /// A power cut during the write of this number (0-based, counting all writes): only this
    /// many bytes of it reach the page, and no later write does (the device is off).
    pub tear: Option<(usize, usize)>,
    pub reboots: Vec<bool, 8>,
    /// (Sessions ended, wake-up): given by `wait` once that many Sessions ended.
    pub wakes: Vec<(usize, Wake), 8>,
    /// Every event the platform saw, in order.
    pub events: Vec<Event, 128>,
    pub outcomes: Vec<SessionOutcome, 16>,
    pub stop_after_sessions: usize,
    pub waits: usize,
}

impl Device {
    pub fn new(stop_after_sessions: usize) -> Self {
        Device {
            now: Instant::from_secs(1),
            pages: [[0xFF; FLASH_LEN]; 2],
            flash_writes: 0,
            written: Vec::new(),
            tear: None,
            reboots: Vec::new(),
            wakes: Vec::new(),
            events: Vec::new(),
            outcomes: Vec::new(),
            stop_after_sessions,
            waits: 0,
        }
    }

    pub fn now(&mut self) -> Instant {
        // Time passes a little with every look at the clock.
        self.now = self.now + Duration::from_millis(3);
        self.now
    }

    pub fn wait(&mut self, deadline: Option<Instant>) -> Wake {
        self.waits += 1;
        if self.outcomes.len() >= self.stop_after_sessions || self.waits > 1000 {
            return Wake::Stop;
        }
        if let Some(i) = self
            .wakes
            .iter()
            .position(|(n, _)| *n <= self.outcomes.len())
        {
            return self.wakes.remove(i).1;
        }
        match deadline {
            Some(d) => {
                if d > self.now {
                    self.now = d;
                }
                Wake::Deadline
            }
            None => Wake::Stop,
        }
    }

    pub fn read_page(&mut self, slot: SlotId, page: &mut [u8]) {
        let n = page.len().min(FLASH_LEN);
        page[..n].copy_from_slice(&self.pages[slot.index()][..n]);
    }

    pub fn write_page(&mut self, slot: SlotId, image: &[u8]) {
        let n = self.flash_writes;
        self.flash_writes += 1;
        let keep = match self.tear {
            Some((at, _)) if n > at => return, // powered off
            Some((at, bytes)) if n == at => bytes.min(image.len()),
            _ => image.len(),
        };
        let page = &mut self.pages[slot.index()];
        page.fill(0xFF); // erase, then program
        page[..keep].copy_from_slice(&image[..keep]);
        self.written.push(slot).unwrap();
    }

    pub fn reboot(&mut self, factory_reset: bool) {
        if factory_reset {
            self.pages = [[0xFF; FLASH_LEN]; 2];
        }
        self.reboots.push(factory_reset).unwrap();
    }

    pub fn on_event(&mut self, event: Event) {
        let _ = self.events.push(event);
        if let Event::SessionEnded { outcome } = event {
            self.outcomes.push(outcome).unwrap();
        }
    }
}

#[cfg(feature = "blocking")]
impl cwmp_core::driver::blocking::Platform for Device {
    fn now(&mut self) -> Instant {
        Device::now(self)
    }
    fn wait(&mut self, deadline: Option<Instant>) -> Wake {
        Device::wait(self, deadline)
    }
    fn read_page(&mut self, slot: SlotId, page: &mut [u8]) {
        Device::read_page(self, slot, page)
    }
    fn write_page(&mut self, slot: SlotId, image: &[u8]) {
        Device::write_page(self, slot, image)
    }
    fn reboot(&mut self, factory_reset: bool) {
        Device::reboot(self, factory_reset)
    }
    fn on_event(&mut self, event: Event) {
        Device::on_event(self, event)
    }
}

#[cfg(feature = "async")]
impl cwmp_core::driver::asynch::Platform for Device {
    fn now(&mut self) -> Instant {
        Device::now(self)
    }
    async fn wait(&mut self, deadline: Option<Instant>) -> Wake {
        Device::wait(self, deadline)
    }
    async fn read_page(&mut self, slot: SlotId, page: &mut [u8]) {
        Device::read_page(self, slot, page)
    }
    async fn write_page(&mut self, slot: SlotId, image: &[u8]) {
        Device::write_page(self, slot, image)
    }
    async fn reboot(&mut self, factory_reset: bool) {
        Device::reboot(self, factory_reset)
    }
    fn on_event(&mut self, event: Event) {
        Device::on_event(self, event)
    }
}

// --- The network and the ACS ----------------------------------------------------------------

/// What the ACS asks in a Session, by Session number (0-based, counting Informs it answered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    Gpv,
    Reboot(&'static str),
}

/// The in-memory network: connections lead to one ACS.
pub struct Net {
    pub acs: Acs,
    /// Connects refused before any succeeds.
    pub refuse_connects: usize,
    pub connects: Vec<(u16, bool), 16>,
}

pub struct Acs {
    rng: SplitMix64,
    now: Instant,
    session: Option<AcsSession<'static>>,
    /// What to ask in each Session.
    pub script: &'static [&'static [Ask]],
    /// The Inform events of each Session: "code/key" joined by spaces… kept as fixed strings.
    pub informs: Vec<String<128>, 8>,
    pub outcomes: Vec<Outcome, 8>,
    /// Methods of the CPE's responses, with the number of values of a GPV response.
    pub responses: Vec<(String<40>, usize), 16>,
    /// Number of the HTTP response (0-based, all Sessions) that gets `Connection: close`.
    pub close_after: Option<usize>,
    /// Number of the HTTP response sent with chunked framing.
    pub chunked: Option<usize>,
    pub responses_sent: usize,
    /// The status of every HTTP response.
    pub statuses: Vec<u16, 32>,
    /// Bytes handed to each read.
    pub piece: usize,
    /// Never answer: every read times out (`ErrorKind::TimedOut`).
    pub silent: bool,
    /// Number of the HTTP response sent without `Content-Length`, its body delimited by the
    /// close (reads return 0 after it).
    pub close_delimited: Option<usize>,
    /// The first POST whose body holds this (a response of the CPE) gets a Digest challenge
    /// (401, `stale=true`) instead of being served, once: the CPE must send it again.
    pub challenge: Option<&'static str>,
    /// The 401s sent for `challenge`.
    pub challenged: usize,
    inbuf: [u8; 16384],
    in_len: usize,
    outbuf: [u8; 16384],
    out_len: usize,
    out_pos: usize,
}

impl Acs {
    pub fn new(script: &'static [&'static [Ask]]) -> Self {
        Acs {
            rng: SplitMix64::new(7),
            now: Instant::from_secs(1),
            session: None,
            script,
            informs: Vec::new(),
            outcomes: Vec::new(),
            responses: Vec::new(),
            close_after: None,
            chunked: None,
            responses_sent: 0,
            statuses: Vec::new(),
            piece: 7,
            silent: false,
            close_delimited: None,
            challenge: None,
            challenged: 0,
            inbuf: [0; 16384],
            in_len: 0,
            outbuf: [0; 16384],
            out_len: 0,
            out_pos: 0,
        }
    }

    /// A complete POST is in `inbuf`: answer it into `outbuf`.
    fn serve(&mut self) {
        let mut headers = [EMPTY_HEADER; 32];
        let total = match RequestHead::parse(&self.inbuf[..self.in_len], &mut headers) {
            Ok(Status::Complete(h)) => match h.framing() {
                cwmp_core::codec::http::body::Framing::Length(n) => h.head_len + n as usize,
                _ => h.head_len,
            },
            _ => return,
        };
        if self.in_len < total {
            return;
        }
        if let Some(what) = self.challenge {
            if find(&self.inbuf[..total], what.as_bytes()).is_some() {
                // The Session's AcsSession never sees this POST; once authenticated it does
                // not check the credentials again, so the CPE's answer to this nonce is fine.
                let mut out = Out {
                    buf: &mut self.outbuf,
                    len: 0,
                };
                out.put(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"acs\", nonce=\"n2\", qop=\"auth\", stale=true\r\nContent-Length: 0\r\n\r\n");
                self.out_len = out.len;
                self.out_pos = 0;
                self.inbuf.copy_within(total..self.in_len, 0);
                self.in_len -= total;
                self.challenge = None;
                self.challenged += 1;
                return;
            }
        }
        self.now = self.now + Duration::from_secs(1);
        let now = self.now;
        if self.session.is_none() {
            let config = AcsConfig {
                credentials: Some(&CREDS),
                ..AcsConfig::default()
            };
            self.session = Some(AcsSession::new(config, now, &mut self.rng));
        }
        let acs = self.session.as_mut().unwrap();
        let n_session = self.outcomes.len();
        match acs.handle_request(now, &mut self.inbuf[..total]).unwrap() {
            Received::Inform(i) => {
                let mut s = String::new();
                for e in i.inform.event.iter() {
                    let _ = s.push_str(e.event_code.as_str());
                    if let Some(k) = e.command_key.as_str().filter(|k| !k.is_empty()) {
                        let _ = s.push('/');
                        let _ = s.push_str(k);
                    }
                    let _ = s.push(';');
                }
                self.informs.push(s).unwrap();
                for ask in self.script.get(n_session).copied().unwrap_or(&[]) {
                    match *ask {
                        Ask::Gpv => acs
                            .enqueue(GetParameterValues {
                                parameter_names: Array::new(&NAMES),
                            })
                            .unwrap(),
                        Ask::Reboot(key) => acs
                            .enqueue(Reboot {
                                command_key: XmlStr::new(key),
                            })
                            .unwrap(),
                    };
                }
            }
            Received::Response { body, .. } => {
                let values = match &body {
                    Body::GetParameterValuesResponse(r) => r.parameter_list.len(),
                    _ => 0,
                };
                let mut m = String::new();
                let _ = m.push_str(body.method_name());
                self.responses.push((m, values)).unwrap();
            }
            _ => {}
        }
        // The response, re-framed as asked.
        let mut raw = [0u8; 8192];
        let mut w: &mut [u8] = &mut raw;
        let t = acs.poll_transmit(now, &mut w).unwrap().unwrap();
        let raw = &raw[..t.len];
        self.statuses.push(t.status).unwrap();
        let nr = self.responses_sent;
        self.responses_sent += 1;
        let mut out = Out {
            buf: &mut self.outbuf,
            len: 0,
        };
        let head_end = find(raw, b"\r\n\r\n").unwrap() + 2;
        let (head, body) = (&raw[..head_end], &raw[head_end + 2..]);
        let chunked = self.chunked == Some(nr) && !body.is_empty();
        let close_delimited = self.close_delimited == Some(nr);
        for line in head.split_inclusive(|b| *b == b'\n') {
            let length = line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:");
            if chunked && length {
                out.put(b"Transfer-Encoding: chunked\r\n");
            } else if !(close_delimited && length) {
                out.put(line);
            }
            if (self.close_after == Some(nr) || close_delimited) && line.starts_with(b"HTTP/1.1") {
                out.put(b"Connection: close\r\n");
            }
        }
        out.put(b"\r\n");
        if chunked {
            for c in body.chunks(100) {
                let mut hex = [0u8; 8];
                let n = hex_len(c.len(), &mut hex);
                out.put(&hex[..n]);
                out.put(b";ext=1\r\n");
                out.put(c);
                out.put(b"\r\n");
            }
            out.put(b"0\r\n\r\n");
        } else {
            out.put(body);
        }
        self.out_len = out.len;
        self.out_pos = 0;
        self.inbuf.copy_within(total..self.in_len, 0);
        self.in_len -= total;
        while let Some(e) = acs.poll_event() {
            if let AcsEvent::SessionEnded { outcome } = e {
                self.outcomes.push(outcome).unwrap();
                self.session = None;
                break;
            }
        }
    }
}

struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Out<'_> {
    fn put(&mut self, b: &[u8]) {
        self.buf[self.len..self.len + b.len()].copy_from_slice(b);
        self.len += b.len();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn hex_len(mut n: usize, out: &mut [u8; 8]) -> usize {
    let mut tmp = [0u8; 8];
    let mut i = 0;
    loop {
        tmp[i] = b"0123456789abcdef"[n % 16];
        i += 1;
        n /= 16;
        if n == 0 {
            break;
        }
    }
    for j in 0..i {
        out[j] = tmp[i - 1 - j];
    }
    i
}

/// One connection to the ACS.
pub struct Pipe<'a> {
    acs: &'a mut Acs,
}

impl embedded_io::ErrorType for Pipe<'_> {
    type Error = embedded_io::ErrorKind;
}

impl Pipe<'_> {
    fn write_bytes(&mut self, buf: &[u8]) -> usize {
        let a = &mut *self.acs;
        a.inbuf[a.in_len..a.in_len + buf.len()].copy_from_slice(buf);
        a.in_len += buf.len();
        a.serve();
        buf.len()
    }

    fn read_bytes(&mut self, buf: &mut [u8]) -> Result<usize, embedded_io::ErrorKind> {
        let a = &mut *self.acs;
        if a.silent {
            return Err(embedded_io::ErrorKind::TimedOut);
        }
        let n = a.piece.min(buf.len()).min(a.out_len - a.out_pos);
        buf[..n].copy_from_slice(&a.outbuf[a.out_pos..a.out_pos + n]);
        a.out_pos += n;
        Ok(n)
    }
}

impl embedded_io::Read for Pipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.read_bytes(buf)
    }
}

impl embedded_io::Write for Pipe<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(self.write_bytes(buf))
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for Pipe<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.read_bytes(buf)
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for Pipe<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(self.write_bytes(buf))
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl Net {
    pub fn new(acs: Acs) -> Self {
        Net {
            acs,
            refuse_connects: 0,
            connects: Vec::new(),
        }
    }

    fn open(&mut self, host: &str, port: u16, tls: bool) -> Option<Pipe<'_>> {
        assert_eq!(host, "acs.example");
        self.connects.push((port, tls)).unwrap();
        if self.refuse_connects > 0 {
            self.refuse_connects -= 1;
            return None;
        }
        // A new connection: nothing half-read from the last one.
        self.acs.in_len = 0;
        self.acs.out_len = 0;
        self.acs.out_pos = 0;
        Some(Pipe { acs: &mut self.acs })
    }
}

#[cfg(feature = "blocking")]
impl cwmp_core::driver::blocking::Connector for Net {
    type Connection<'a> = Pipe<'a>;
    fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Pipe<'_>> {
        self.open(host, port, tls)
    }
}

#[cfg(feature = "async")]
impl cwmp_core::driver::asynch::Connector for Net {
    type Connection<'a> = Pipe<'a>;
    async fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Pipe<'_>> {
        self.open(host, port, tls)
    }
}

// --- The application --------------------------------------------------------------------

pub struct App {
    params: [ParameterValueStruct<'static>; 2],
    gpv: [ParameterValueStruct<'static>; 3],
    pub starts: usize,
    /// The reply of the last `respond` (0 GPV, 1 Reboot, 2 fault), kept for `resend`.
    last: u8,
    /// Responses written again by `resend`.
    pub resends: usize,
    /// The application state given at the last power-up (`starts` as it was written).
    pub restored: Option<u32>,
}

impl App {
    pub fn new() -> Self {
        App {
            params: [
                ParameterValueStruct::new(
                    "Device.DeviceInfo.SoftwareVersion",
                    Value::string("1.0"),
                ),
                ParameterValueStruct::new(
                    "Device.ManagementServer.ParameterKey",
                    Value::string(""),
                ),
            ],
            gpv: [
                ParameterValueStruct::new("Device.DeviceInfo.Manufacturer", Value::string("Acme")),
                ParameterValueStruct::new(
                    "Device.DeviceInfo.SoftwareVersion",
                    Value::string("1.0"),
                ),
                ParameterValueStruct::new("Device.DeviceInfo.UpTime", Value::UnsignedInt(42)),
            ],
            starts: 0,
            last: 2,
            resends: 0,
            restored: None,
        }
    }
}

impl App {
    /// Writes the reply `respond` chose (the request's effects are not repeated).
    fn reply(&self, cpe: &mut Cpe, now: Instant, tx: &mut [u8]) -> Result<Transmit, TxError> {
        let mut w: &mut [u8] = tx;
        let body: Body<'_> = match self.last {
            0 => GetParameterValuesResponse {
                parameter_list: Array::new(&self.gpv),
            }
            .into(),
            1 => RebootResponse {}.into(),
            _ => Body::Fault(SoapFault::new(9000, "Method not supported")),
        };
        cpe.respond(now, body, &mut w)
    }
}

impl Application for App {
    fn inform_parameters(&mut self, _: &Cpe, _: Instant) -> Array<'_, ParameterValueStruct<'_>> {
        Array::new(&self.params)
    }

    fn respond(
        &mut self,
        cpe: &mut Cpe,
        now: Instant,
        request: &AcsRequest<'_>,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError> {
        self.last = match request.body() {
            Body::GetParameterValues(_) => 0,
            Body::Reboot(r) => {
                let key = r.command_key.as_str().unwrap_or("");
                cpe.request_reboot(now, key);
                1
            }
            _ => 2,
        };
        self.reply(cpe, now, tx)
    }

    fn resend(&mut self, cpe: &mut Cpe, now: Instant, tx: &mut [u8]) -> Result<Transmit, TxError> {
        self.resends += 1;
        self.reply(cpe, now, tx)
    }

    /// The application's state in the record slot: the Sessions it saw start.
    fn export_state(
        &mut self,
        buf: &mut [u8],
    ) -> Result<usize, cwmp_core::persist::BufferTooSmall> {
        let b = (self.starts as u32).to_le_bytes();
        buf.get_mut(..4)
            .ok_or(cwmp_core::persist::BufferTooSmall { needed: 4 })?
            .copy_from_slice(&b);
        Ok(4)
    }

    fn restore_state(&mut self, _: &mut Cpe, _: Instant, state: &[u8]) {
        self.restored = state.try_into().ok().map(u32::from_le_bytes);
    }

    fn on_event(&mut self, _: &mut Cpe, _: Instant, event: Event) {
        if event == Event::SessionStarted {
            self.starts += 1;
        }
    }
}

/// The scenario's ACS: the first Session reads the device and reboots it; the InformResponse
/// closes the connection (the CPE reconnects for its empty POST) and the GetParameterValues
/// goes out chunked.
pub static SCRIPT: [&[Ask]; 3] = [&[Ask::Gpv, Ask::Reboot("r1")], &[], &[]];

pub fn world() -> (Device, Net, App) {
    let mut device = Device::new(4);
    // After the third Session (the first one fails to connect): a Connection Request.
    device.wakes.push((3, Wake::ConnectionRequest)).unwrap();
    let mut acs = Acs::new(&SCRIPT);
    // Response 0 is the 401, 1 the InformResponse, 2 the GetParameterValues.
    acs.close_after = Some(1);
    acs.chunked = Some(2);
    let mut net = Net::new(acs);
    net.refuse_connects = 1;
    (device, net, App::new())
}

/// What the scenario must have done, once both power-ups ran.
pub fn check(exits: &[Exit], device: &Device, net: &Net, app: &App) {
    use cwmp_core::cpe::{SessionError, TransportError};
    assert_eq!(exits, [Exit::Reboot, Exit::Stopped]);
    assert_eq!(
        device.outcomes.as_slice(),
        [
            SessionOutcome::Failed(SessionError::Transport(TransportError::Connect)),
            SessionOutcome::Success,
            SessionOutcome::Success,
            SessionOutcome::Success,
        ]
    );
    assert_eq!(app.starts, 4);
    let informs: std::vec::Vec<&str> = net.acs.informs.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        informs,
        [
            "0 BOOTSTRAP;1 BOOT;",
            "M Reboot/r1;1 BOOT;",
            "6 CONNECTION REQUEST;"
        ]
    );
    // Each Session's Inform is challenged first (Digest); the GetParameterValues (response 2)
    // went chunked, after the reconnect that the InformResponse's `Connection: close` asked.
    let s = net.acs.statuses.as_slice();
    assert_eq!(&s[..5], [401, 200, 200, 200, 204]);
    assert_eq!(s.iter().filter(|&&st| st == 401).count(), 3);
    assert_eq!(net.acs.outcomes.as_slice(), [Outcome::Completed; 3]);
    let responses: std::vec::Vec<(&str, usize)> = net
        .acs
        .responses
        .iter()
        .map(|(m, n)| (m.as_str(), *n))
        .collect();
    assert_eq!(
        responses,
        [("GetParameterValuesResponse", 3), ("RebootResponse", 0)]
    );
    // Refused, the retried Session's two connections (closed after the InformResponse), one
    // for each Session after.
    assert_eq!(net.connects.len(), 5);
    assert!(net.connects.iter().all(|c| *c == (7547, false)));
    assert_eq!(device.reboots.as_slice(), [false]);
    assert!(device.flash_writes >= 2);
    assert!(device.events.contains(&Event::Reboot));
}

/// One Session in which the ACS reads the device once.
pub static ONE_GPV: [&[Ask]; 1] = [&[Ask::Gpv]];

/// A world of one Session (`ONE_GPV`): responses are 0 the 401, 1 the InformResponse, 2 the
/// GetParameterValues.
pub fn one_gpv_world() -> (Device, Net, App) {
    (Device::new(1), Net::new(Acs::new(&ONE_GPV)), App::new())
}

/// The methods (with their value counts) of the CPE responses the ACS machine received.
pub fn responses(net: &Net) -> std::vec::Vec<(&str, usize)> {
    net.acs
        .responses
        .iter()
        .map(|(m, n)| (m.as_str(), *n))
        .collect()
}

/// An application that keeps nothing to write a response again: `resend` is the default.
pub struct NoResend(pub App);

impl Application for NoResend {
    fn inform_parameters(
        &mut self,
        cpe: &Cpe,
        now: Instant,
    ) -> Array<'_, ParameterValueStruct<'_>> {
        self.0.inform_parameters(cpe, now)
    }

    fn respond(
        &mut self,
        cpe: &mut Cpe,
        now: Instant,
        request: &AcsRequest<'_>,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError> {
        self.0.respond(cpe, now, request, tx)
    }
}

/// Big enough for the ACS's responses and for page B at power-up.
pub const RX_LEN: usize = if FLASH_LEN > 4096 { FLASH_LEN } else { 4096 };

/// A power cut tears the first record write of the second power-up (`power_up(device, net,
/// app, seed)` runs one with a fresh machine): the third power-up boots from the state the
/// first one committed in the other slot, so the delivered BOOTSTRAP is not informed again.
pub fn a_torn_write_keeps_the_committed_record(
    mut power_up: impl FnMut(&mut Device, &mut Net, &mut App, u64) -> Exit,
) {
    let (mut device, mut net, mut app) = one_gpv_world();
    assert_eq!(power_up(&mut device, &mut net, &mut app, 1), Exit::Stopped);
    assert_eq!(app.restored, None, "first installation: no state");
    let committed = device.flash_writes;
    assert!(committed >= 2, "{committed}");
    // Slots alternate.
    assert!(device.written.windows(2).all(|w| w[0] != w[1]));
    device.tear = Some((committed, 40));
    device.stop_after_sessions = 2;
    assert_eq!(power_up(&mut device, &mut net, &mut app, 2), Exit::Stopped);
    // The application's state came back with the machine's record, from the same slot.
    assert_eq!(app.restored, Some(1));
    assert!(device.flash_writes > committed);
    let torn = device.written[committed];
    assert_ne!(torn, device.written[committed - 1]);
    assert!(cwmp_core::persist::slot::open(&device.pages[torn.index()]).is_err());
    device.tear = None;
    device.stop_after_sessions = 3;
    assert_eq!(power_up(&mut device, &mut net, &mut app, 3), Exit::Stopped);
    // Power-up 2's Session (starts = 2) was never committed: the state of power-up 1 again.
    assert_eq!(app.restored, Some(1));
    assert_eq!(app.starts, 3);
    let informs: std::vec::Vec<&str> = net.acs.informs.iter().map(|s| s.as_str()).collect();
    assert_eq!(informs, ["0 BOOTSTRAP;1 BOOT;", "1 BOOT;", "1 BOOT;"]);
    assert_eq!(device.outcomes.as_slice(), [SessionOutcome::Success; 3]);
}
