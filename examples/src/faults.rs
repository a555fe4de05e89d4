//! Fault injection over real sockets (issue 13, item 7): a CPE run loop of its own around the
//! sans-IO [`Cpe`], a TCP proxy that injects faults, and the repo's ACS server
//! ([`crate::acs_server::Server`]), all on 127.0.0.1.
//!
//! ```text
//!   CPE loop ──TCP──▶ proxy (faults) ──TCP──▶ acs_server::Server (AcsSessions)
//! ```
//!
//! * **The proxy** reads each POST whole and, drawn from a seeded RNG, either passes it, or
//!   injects one fault: before the ACS sees the POST (drop it, answer 500, 503 with a
//!   `Retry-After` in delta-seconds or an HTTP-date, a Digest 401 challenge, a 302 redirect to
//!   itself), or after the ACS answered (drop the answer, truncate it at a random byte, close
//!   after the head, delay it, put 1xx interim responses before it, or stall until the CPE gives
//!   up).
//! * **The CPE** raises keyed events that must never be lost (Table 8 "never discard, except
//!   on BOOTSTRAP"): `M Download <key>` with its TransferComplete, and `M ScheduleInform
//!   <key>`, plus Connection Requests and value changes, and answers the ACS's
//!   GetParameterValues (a response that 401s and redirects must re-send, `ResendResponse`).
//!   It **reboots** at random points (the machine dropped and rebuilt from its record with
//!   [`Cpe::boot`]), some of them **during a record write** (torn write).
//! * **Time** is virtual and shared by the CPE and the ACS ([`Clock::with_skew`]): the loop
//!   jumps over retry waits, `Retry-After` and timeouts, so thousands of Sessions with Table 3
//!   back-off take seconds; the sockets, framing and closes are real.
//!
//! **Torn writes.** The record goes through two real A/B slots ([`cwmp_core::persist::slot`]),
//! two pages of bytes as a flash driver has them: the record is exported into the payload area
//! of an image, sealed with the sequence number of [`Slots::next_write`], and written to the
//! slot that does not hold the newest state. A power cut during a write cuts it at a random
//! byte (seeded): the page then holds that prefix of the new image over erased flash (0xFF),
//! over zeros, or over the page's old content (no erase). Power-up scans both pages and boots
//! from the newest slot whose checksum holds. Events raised after the last complete write are
//! then not owed (counted as `uncommitted`, never as lost); what a single slot written in place
//! would have lost at the same cuts is counted as `lost_if_single_slot`. [`Plan::single_slot`]
//! runs that counterfactual for real (one page, always rewritten in place), where the
//! harness must count losses.
//!
//! **The ledger** is kept on both sides: the ACS counts what it received; the CPE loop notes
//! every keyed item the machine dropped from its queue after a response (its confirmation). A
//! receipt after the CPE had its confirmation is a **duplicate beyond Table 8** (Table 8 and
//! §3.7.1.5 allow re-sending only what was not confirmed); a receipt again before it is an
//! allowed one. After the run, the faults stop and the CPE runs until it owes nothing: a raised,
//! committed item the ACS never received is **lost**.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use cwmp_codec::datetime::DateTime;
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::{GetParameterValuesResponse, SoapFault};
use cwmp_codec::{Array, Body};
use cwmp_core::acs::{AcsConfig, AcsSession, Received};
use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, SessionOutcome, TransportError};
use cwmp_core::persist::slot::{self, NextWrite, SlotId, Slots};
use cwmp_core::persist::Record;
use cwmp_core::rng::{Rng, SplitMix64};
use cwmp_core::transfer::TransferKind;
use cwmp_core::Duration;

use crate::acs_server::{AcsHandler, Server};
use crate::driver::{Clock, HttpReader, MessageKind};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Sessions to start (the CPE's `SessionStarted`), faults on.
    pub sessions: usize,
    /// Seed of every random choice (proxy, CPE, ACS).
    pub seed: u64,
    /// Percent of POSTs the proxy injects a fault into.
    pub fault_percent: u32,
    /// Percent chance, at each step of the CPE loop, of a power cut.
    pub reboot_percent: u32,
    /// Percent of record writes torn by a power cut.
    pub torn_percent: u32,
    /// Write the record into a single slot in place (one page, the issue's defect 3) instead of
    /// alternating A/B slots: a torn write then destroys the only record, and the harness must
    /// count what it held as lost.
    pub single_slot: bool,
}

impl Plan {
    /// `sessions` Sessions from `seed` with the default fault rates (25 % of POSTs, a power
    /// cut at 1 % of the loop's steps, 2 % of record writes torn).
    pub fn new(sessions: usize, seed: u64) -> Self {
        Plan {
            sessions,
            seed,
            fault_percent: 25,
            reboot_percent: 1,
            torn_percent: 2,
            single_slot: false,
        }
    }
}

/// The figures of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Sessions started (faults on).
    pub sessions_run: usize,
    /// Of which ended successfully.
    pub sessions_succeeded: usize,
    /// Sessions of the final, fault-free drain.
    pub drain_sessions: usize,
    /// Faults the proxy injected, by kind.
    pub faults: BTreeMap<&'static str, usize>,
    /// Power cuts (the machine dropped and rebuilt from its record), torn writes included.
    pub reboots: usize,
    /// Power cuts during a record write (the write cut at a random byte).
    pub torn_writes: usize,
    /// Power-ups after a torn write that restored the last complete record (with A/B slots,
    /// from the other slot; in single-slot mode, only when the cut came before the first byte
    /// of a write without erase).
    pub restored_previous: usize,
    /// Power-ups after a torn write that found no valid slot (single-slot mode, or a torn first
    /// write).
    pub restored_nothing: usize,
    /// Keyed events raised and committed to the record (`M Download`, `M ScheduleInform`).
    pub events_raised: usize,
    /// Of which the ACS received at least once.
    pub events_delivered: usize,
    /// TransferCompletes owed (one per `M Download`) and received by the ACS.
    pub transfer_completes_raised: usize,
    /// TransferCompletes the ACS received at least once.
    pub transfer_completes_delivered: usize,
    /// Receipts again of an item whose confirmation the CPE had not had (allowed, §3.7.1.5).
    pub duplicates_allowed: usize,
    /// Receipts again of an item after the CPE had its confirmation (must be 0).
    pub duplicates_beyond_table8: usize,
    /// Raised, committed items the ACS never received (must be 0).
    pub events_lost: usize,
    /// Items raised but not yet committed when a torn write cut the power (not owed).
    pub uncommitted: usize,
    /// Owed items a single in-place record slot would have lost at the torn writes.
    pub lost_if_single_slot: usize,
    /// Items the CPE still owed after the drain (must be 0).
    pub still_owed: usize,
}

impl Report {
    /// Adds `other`'s figures to these (shards of one run).
    pub fn add(&mut self, other: &Report) {
        self.sessions_run += other.sessions_run;
        self.sessions_succeeded += other.sessions_succeeded;
        self.drain_sessions += other.drain_sessions;
        for (k, v) in &other.faults {
            *self.faults.entry(k).or_insert(0) += v;
        }
        self.reboots += other.reboots;
        self.torn_writes += other.torn_writes;
        self.restored_previous += other.restored_previous;
        self.restored_nothing += other.restored_nothing;
        self.events_raised += other.events_raised;
        self.events_delivered += other.events_delivered;
        self.transfer_completes_raised += other.transfer_completes_raised;
        self.transfer_completes_delivered += other.transfer_completes_delivered;
        self.duplicates_allowed += other.duplicates_allowed;
        self.duplicates_beyond_table8 += other.duplicates_beyond_table8;
        self.events_lost += other.events_lost;
        self.uncommitted += other.uncommitted;
        self.lost_if_single_slot += other.lost_if_single_slot;
        self.still_owed += other.still_owed;
    }

    /// Total faults injected.
    pub fn faults_injected(&self) -> usize {
        self.faults.values().sum()
    }

    /// `true` when nothing was lost and nothing re-sent beyond Table 8.
    pub fn clean(&self) -> bool {
        self.events_lost == 0 && self.duplicates_beyond_table8 == 0 && self.still_owed == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sessions run              {} ({} succeeded; {} more in the fault-free drain)",
            self.sessions_run, self.sessions_succeeded, self.drain_sessions
        )?;
        writeln!(f, "faults injected           {}", self.faults_injected())?;
        for (k, v) in &self.faults {
            writeln!(f, "  {k:<24}{v}")?;
        }
        writeln!(
            f,
            "reboots                   {} ({} during a record write)",
            self.reboots, self.torn_writes
        )?;
        writeln!(
            f,
            "after a torn write        {} booted the last complete record, {} found none",
            self.restored_previous, self.restored_nothing
        )?;
        writeln!(f, "events raised             {}", self.events_raised)?;
        writeln!(f, "events delivered          {}", self.events_delivered)?;
        writeln!(
            f,
            "TransferCompletes         {} owed, {} delivered",
            self.transfer_completes_raised, self.transfer_completes_delivered
        )?;
        writeln!(f, "duplicates (allowed)      {}", self.duplicates_allowed)?;
        writeln!(
            f,
            "duplicates beyond Table 8 {}",
            self.duplicates_beyond_table8
        )?;
        writeln!(f, "events lost               {}", self.events_lost)?;
        writeln!(
            f,
            "uncommitted at power cut  {} (raised after the last good record; not owed)",
            self.uncommitted
        )?;
        writeln!(
            f,
            "lost if single-slot       {} (the same cuts on one slot written in place)",
            self.lost_if_single_slot
        )?;
        write!(f, "still owed after drain    {}", self.still_owed)
    }
}

/// An item that must reach the ACS: an event with its CommandKey, or a TransferComplete.
type Item = (&'static str, String);

/// What both sides saw.
#[derive(Debug, Default)]
struct Ledger {
    /// ACS receipts per item.
    received: BTreeMap<Item, usize>,
    /// Items whose confirmation the CPE processed (and still holds, after any rollback).
    confirmed: BTreeSet<Item>,
    duplicates_allowed: usize,
    duplicates_beyond: usize,
}

impl Ledger {
    fn receive(&mut self, item: Item) {
        let n = self.received.entry(item.clone()).or_insert(0);
        *n += 1;
        if self.confirmed.contains(&item) {
            self.duplicates_beyond += 1;
        } else if *n > 1 {
            self.duplicates_allowed += 1;
        }
    }
}

fn keyed(code: &str) -> Option<&'static str> {
    match code {
        "M Download" => Some("M Download"),
        "M ScheduleInform" => Some("M ScheduleInform"),
        _ => None,
    }
}

// --------------------------------------------------------------------------------------------
// The ACS

struct AcsSide {
    ledger: Arc<Mutex<Ledger>>,
    rng: SplitMix64,
}

static GPV_NAMES: [cwmp_codec::XmlStr<'static>; 1] =
    [cwmp_codec::XmlStr::new("Device.DeviceInfo.UpTime")];

impl AcsHandler<'static> for AcsSide {
    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        let mut ledger = self.ledger.lock().unwrap();
        match &received {
            Received::Inform(i) => {
                for e in i.inform.event.iter() {
                    if let Some(code) = keyed(e.event_code.as_str()) {
                        ledger.receive((code, e.command_key.to_string()));
                    }
                }
                // Now and then a request: the CPE's response then meets the faults too.
                if self.rng.next_u32() % 100 < 30 {
                    let body: Body<'static> = cwmp_codec::message::GetParameterValues {
                        parameter_names: Array::new(&GPV_NAMES),
                    }
                    .into();
                    let _ = session.enqueue(body);
                }
            }
            Received::CpeRequest {
                body: Body::TransferComplete(t),
            } => ledger.receive(("TransferComplete", t.command_key.to_string())),
            _ => {}
        }
    }
}

// --------------------------------------------------------------------------------------------
// The proxy

/// The proxy's faults, in [`Report::faults`]' words.
const FAULTS: &[&str] = &[
    "drop request",
    "500",
    "503 Retry-After seconds",
    "503 Retry-After date",
    "401 challenge",
    "302 redirect",
    "drop response",
    "truncate response",
    "close after head",
    "delay",
    "1xx before response",
    "stall",
];

struct Proxy {
    acs: SocketAddr,
    own_port: u16,
    rng: SplitMix64,
    faults: Arc<Mutex<BTreeMap<&'static str, usize>>>,
    enabled: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    nonce: u64,
    percent: u32,
}

impl Proxy {
    fn run(mut self, listener: TcpListener) {
        let _ = listener.set_nonblocking(true);
        while !self.stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_nodelay(true);
                    let _ = self.connection(s);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(StdDuration::from_millis(1));
                }
                Err(_) => return,
            }
        }
    }

    /// One CPE connection: its POSTs one after the other.
    fn connection(&mut self, mut cpe: TcpStream) -> io::Result<()> {
        let mut reader = HttpReader::new();
        cpe.set_read_timeout(Some(StdDuration::from_millis(100)))?;
        loop {
            let n = match reader.read(&mut cpe, MessageKind::Request) {
                Ok(Some(n)) => n,
                Ok(None) => return Ok(()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            let request = reader.message_mut(n).to_vec();
            reader.consume(n);
            let fault = if self.enabled.load(Ordering::SeqCst)
                && self.rng.next_u32() % 100 < self.percent
            {
                let f = FAULTS[self.rng.next_u32() as usize % FAULTS.len()];
                *self.faults.lock().unwrap().entry(f).or_insert(0) += 1;
                Some(f)
            } else {
                None
            };
            // Faults before the ACS sees the POST.
            let early: Option<String> = match fault {
                Some("drop request") => return Ok(()),
                Some("500") => Some("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n".into()),
                Some("503 Retry-After seconds") => Some(format!(
                    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {}\r\nContent-Length: 0\r\n\r\n",
                    self.rng.next_u32() % 900
                )),
                Some("503 Retry-After date") => Some(
                    "HTTP/1.1 503 Service Unavailable\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
                     Retry-After: Sun, 06 Nov 1994 08:52:37 GMT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                        .into(),
                ),
                Some("401 challenge") => {
                    self.nonce += 1;
                    Some(format!(
                        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"cwmp\", nonce=\"n{}\", qop=\"auth\"\r\nContent-Length: 0\r\n{}\r\n",
                        self.nonce,
                        if self.rng.next_u32() % 2 == 0 { "Connection: close\r\n" } else { "" }
                    ))
                }
                Some("302 redirect") => Some(format!(
                    "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{}/moved\r\nContent-Length: 0\r\n\r\n",
                    self.own_port
                )),
                _ => None,
            };
            if let Some(answer) = early {
                cpe.write_all(answer.as_bytes())?;
                if answer.contains("Connection: close") {
                    return Ok(());
                }
                continue;
            }
            let answer = match self.exchange(&request) {
                Ok(a) => a,
                Err(_) => return Ok(()),
            };
            let close = {
                let mut headers = [EMPTY_HEADER; 32];
                match ResponseHead::parse(&answer, &mut headers) {
                    Ok(Status::Complete(h)) => h.connection_close(),
                    _ => true,
                }
            };
            match fault {
                Some("drop response") => return Ok(()),
                Some("truncate response") => {
                    let k = self.rng.next_u32() as usize % answer.len().max(1);
                    cpe.write_all(&answer[..k])?;
                    return Ok(());
                }
                Some("close after head") => {
                    let head = answer
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map_or(answer.len(), |i| i + 4);
                    cpe.write_all(&answer[..head])?;
                    return Ok(());
                }
                Some("stall") => {
                    // No answer: the CPE times out and closes.
                    let mut b = [0u8; 64];
                    cpe.set_read_timeout(Some(StdDuration::from_secs(5)))?;
                    let _ = cpe.read(&mut b);
                    return Ok(());
                }
                Some("delay") => {
                    std::thread::sleep(StdDuration::from_millis(u64::from(
                        self.rng.next_u32() % 20,
                    )));
                    cpe.write_all(&answer)?;
                }
                Some("1xx before response") => {
                    cpe.write_all(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n")?;
                    cpe.write_all(&answer)?;
                }
                _ => cpe.write_all(&answer)?,
            }
            if close {
                return Ok(());
            }
        }
    }

    /// The POST to the ACS on a connection of its own (the ACS finds its Session by cookie),
    /// and its whole answer.
    fn exchange(&self, request: &[u8]) -> io::Result<Vec<u8>> {
        let mut acs = TcpStream::connect(self.acs)?;
        acs.set_nodelay(true)?;
        acs.set_read_timeout(Some(StdDuration::from_secs(10)))?;
        acs.write_all(request)?;
        let mut reader = HttpReader::new();
        let n = reader
            .read(&mut acs, MessageKind::Response)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no answer"))?;
        Ok(reader.message_mut(n).to_vec())
    }
}

// --------------------------------------------------------------------------------------------
// The CPE

/// One record slot (flash page): the largest record and the slot's framing.
const PAGE: usize = slot::slot_len(Record::<64, 3, 3>::MAX_LEN);
/// An erased flash byte.
const ERASED: u8 = 0xFF;

/// The CPE's run loop over real sockets, in virtual time.
struct Device {
    cpe: Box<Cpe>,
    clock: Clock,
    url: String,
    /// The record's flash: pages A and B of [`PAGE`] bytes, erased at the factory (only A in
    /// single-slot mode).
    pages: [Vec<u8>; 2],
    /// Where the next record goes (from [`Slots::scan`] at power-up, moved on by each complete
    /// write).
    next: NextWrite,
    /// The items each sealed image held, by sequence number (the last few).
    images: BTreeMap<u32, BTreeSet<Item>>,
    /// Items in the record the machine was last restored from or last wrote whole.
    committed: BTreeSet<Item>,
    /// Items the machine owes now.
    owed: BTreeSet<Item>,
    conn: Option<TcpStream>,
    reader: HttpReader,
    tx: Vec<u8>,
    staged: Option<usize>,
    rng: SplitMix64,
    ledger: Arc<Mutex<Ledger>>,
    /// Every item raised and committed, with the ones dropped as uncommitted removed.
    raised: BTreeSet<Item>,
    started: usize,
    succeeded: usize,
    /// A power cut is due (decided during a record write).
    torn: bool,
    torn_writes: usize,
    restored_previous: usize,
    restored_nothing: usize,
    reboots: usize,
    uncommitted: usize,
    lost_if_single_slot: usize,
    reboot_percent: u32,
    torn_percent: u32,
    single_slot: bool,
}

fn config(url: &str) -> Config<'_> {
    let mut c = Config::new(url, "Acme", "00D09E", "FAULTS", "SN-F1");
    c.username = "00D09E-FAULTS-SN-F1";
    c.password = "secret";
    c
}

/// The items `cpe` owes.
fn owed(cpe: &Cpe) -> BTreeSet<Item> {
    let mut out = BTreeSet::new();
    for e in cpe.events().iter() {
        if let Some(code) = keyed(e.code().as_str()) {
            out.insert((code, e.command_key().to_string()));
        }
    }
    for (_, r) in cpe.transfers().results() {
        out.insert(("TransferComplete", r.command_key.to_string()));
    }
    out
}

impl Device {
    fn now(&self) -> cwmp_core::Instant {
        self.clock.now()
    }

    /// After every input: what the machine dropped from its queue is confirmed.
    fn note(&mut self) {
        let now = owed(&self.cpe);
        let mut ledger = self.ledger.lock().unwrap();
        for gone in self.owed.difference(&now) {
            ledger.confirmed.insert(gone.clone());
        }
        drop(ledger);
        self.owed = now;
    }

    fn drain(&mut self, faults_on: bool) {
        // After a torn write the power is going: nothing more happens before the reboot.
        while !self.torn {
            let Some(ev) = self.cpe.poll_event() else {
                break;
            };
            match ev {
                Event::Connect { port, .. } => {
                    self.conn = None;
                    match TcpStream::connect(("127.0.0.1", port)) {
                        Ok(s) => {
                            let _ = s.set_nodelay(true);
                            self.conn = Some(s);
                            self.reader = HttpReader::new();
                            let _ = self.cpe.handle_connected(self.now());
                        }
                        Err(_) => self
                            .cpe
                            .handle_transport_error(self.now(), TransportError::Connect),
                    }
                }
                Event::Close => self.conn = None,
                Event::SessionStarted => self.started += 1,
                Event::SessionEnded {
                    outcome: SessionOutcome::Success,
                } if faults_on => self.succeeded += 1,
                Event::PersistChanged => self.persist(faults_on),
                Event::StartTransfer { id } => {
                    let now = self.now();
                    let t = DateTime::UNKNOWN;
                    let fault = if self.rng.next_u32() % 4 == 0 {
                        9010
                    } else {
                        0
                    };
                    let _ = self.cpe.transfer_finished(now, id, fault, "", t, t);
                }
                Event::ResendResponse => {
                    let now = self.now();
                    let mut w: &mut [u8] = &mut self.tx;
                    if let Ok(t) = self.cpe.respond(now, gpv_response(), &mut w) {
                        self.staged = Some(t.len);
                    }
                }
                _ => {}
            }
            self.note();
        }
    }

    /// Writes the record as a flash driver does: export into the payload area of an image,
    /// seal it with the next sequence number, erase the target page and write the image. A
    /// torn write (faults on) stops at a random byte and cuts the power; `next` then stays.
    fn persist(&mut self, faults_on: bool) {
        let mut image = vec![ERASED; PAGE];
        let Ok(n) = self.cpe.export(self.now(), slot::payload_mut(&mut image)) else {
            return;
        };
        let Ok(len) = slot::seal(&mut image, self.next.sequence, n) else {
            return;
        };
        let items = owed(&self.cpe);
        let target = if self.single_slot {
            SlotId::A
        } else {
            self.next.slot
        };
        self.images.insert(self.next.sequence, items.clone());
        let page = &mut self.pages[target.index()];
        if faults_on && self.rng.next_u32() % 100 < self.torn_percent {
            // The power goes after `cut` bytes of the image (the CRC's last byte is never in).
            let cut = self.rng.next_u32() as usize % len;
            match self.rng.next_u32() % 3 {
                0 => page.fill(ERASED), // erase-then-write
                1 => page.fill(0),      // media that erase to zeros
                _ => {}                 // written over the old content, no erase
            }
            page[..cut].copy_from_slice(&image[..cut]);
            self.torn = true;
            return;
        }
        page.fill(ERASED);
        page[..len].copy_from_slice(&image[..len]);
        self.next = self.next.committed();
        let keep = self.next.sequence.wrapping_sub(4);
        self.images
            .retain(|&seq, _| seq.wrapping_sub(keep) < 0x8000_0000);
        for item in &items {
            self.raised.insert(item.clone());
        }
        self.committed = items;
    }

    /// Power cut: the machine is dropped and rebuilt from the newest valid slot.
    fn reboot(&mut self) {
        let torn = std::mem::take(&mut self.torn);
        self.reboots += 1;
        if torn {
            self.torn_writes += 1;
            // A single in-place slot would have kept nothing of what was committed and owed.
            self.lost_if_single_slot += self.committed.intersection(&self.owed).count();
        }
        self.conn = None;
        self.staged = None;
        self.clock.jump(Duration::from_secs(30));
        let now = self.now();
        let seed = self.rng.next_u64();
        let mut cpe = Box::new(Cpe::new(&config(&self.url), now, seed).unwrap());
        cpe.set_unix_time(now, unix_at(now));
        let b: &[u8] = if self.single_slot {
            &[]
        } else {
            &self.pages[1]
        };
        let slots = Slots::scan(&self.pages[0], b);
        self.next = slots.next_write();
        match slots.newest() {
            Some(c) => {
                let result = cpe.boot(now, Some(c.payload));
                assert!(
                    result.is_ok(),
                    "a slot whose CRC holds must restore: {result:?}"
                );
                self.committed = self.images.get(&c.sequence).cloned().unwrap_or_else(|| {
                    panic!(
                        "slot {:?} holds sequence {}, never sealed",
                        c.slot, c.sequence
                    )
                });
                if torn {
                    self.restored_previous += 1;
                }
            }
            None => {
                let _ = cpe.boot(now, None);
                self.committed.clear();
                if torn {
                    self.restored_nothing += 1;
                }
            }
        }
        let restored = owed(&cpe);
        // Owed before, not committed: raised after the last good record (not owed any more).
        let mut ledger = self.ledger.lock().unwrap();
        for item in self.owed.difference(&restored) {
            if !self.committed.contains(item) && !self.raised.contains(item) {
                self.uncommitted += 1;
            }
        }
        // A rollback: confirmed in the lost state, owed again in the restored one.
        for item in &restored {
            ledger.confirmed.remove(item);
        }
        drop(ledger);
        self.cpe = cpe;
        self.owed = restored;
    }

    /// Raises a few keyed events (and triggers).
    fn raise(&mut self, n: u64) {
        let now = self.now();
        match self.rng.next_u32() % 5 {
            0 | 1 => {
                let key = format!("dl-{n}");
                if self
                    .cpe
                    .queue_transfer(
                        now,
                        TransferKind::Download,
                        &key,
                        "1 Firmware Upgrade Image",
                        0,
                    )
                    .is_ok()
                {
                    self.cpe.handle_timeout(now);
                }
            }
            2 => {
                // Due in a second: the next jump fires it.
                let _ = self.cpe.schedule_inform(now, 1, &format!("si-{n}"));
            }
            3 => self.cpe.handle_connection_request(now),
            _ => self.cpe.value_changed(now, true),
        }
    }

    /// One step of the loop: events, the next POST and its response. `false` when idle.
    fn step(&mut self, faults_on: bool) -> bool {
        self.drain(faults_on);
        if self.torn || (faults_on && self.rng.next_u32() % 1000 < self.reboot_percent * 10) {
            self.reboot();
            return true;
        }
        let len = match self.staged.take() {
            Some(n) => Some(n),
            None => {
                let now = self.now();
                let mut w: &mut [u8] = &mut self.tx;
                self.cpe
                    .poll_transmit(now, &mut w)
                    .ok()
                    .flatten()
                    .map(|t| t.len)
            }
        };
        self.drain(faults_on);
        if self.torn {
            self.reboot();
            return true;
        }
        let (Some(len), Some(conn)) = (len, self.conn.as_ref()) else {
            return false;
        };
        let mut c: &TcpStream = conn;
        if c.write_all(&self.tx[..len]).is_err() {
            self.cpe
                .handle_transport_error(self.now(), TransportError::Send);
            return true;
        }
        self.read_response();
        true
    }

    fn read_response(&mut self) {
        let Some(conn) = self.conn.as_ref() else {
            return;
        };
        // A stalled answer: a short real wait, then the response timeout in virtual time.
        let _ = conn.set_read_timeout(Some(StdDuration::from_millis(300)));
        let mut s: &TcpStream = conn;
        let read = self.reader.read(&mut s, MessageKind::Response);
        let now = self.now();
        match read {
            Ok(Some(n)) => {
                let closed = self.reader.peer_closed();
                let msg = self.reader.message_mut(n);
                let incoming = if closed {
                    self.cpe.handle_connection_closed(now, msg, n)
                } else {
                    self.cpe.handle_response(now, msg, n)
                };
                if let Ok(Incoming::AcsRequest(req)) = incoming {
                    let reply = match req.body() {
                        Body::GetParameterValues(_) => gpv_response(),
                        _ => Body::Fault(SoapFault::new(9000, "Method not supported")),
                    };
                    let mut w: &mut [u8] = &mut self.tx;
                    if let Ok(t) = self.cpe.respond(now, reply, &mut w) {
                        self.staged = Some(t.len);
                    }
                } else if let Err(ApiMisuse::IncompleteResponse | ApiMisuse::BufferTooSmall) =
                    incoming
                {
                    self.cpe
                        .handle_transport_error(now, TransportError::Receive);
                }
                self.reader.consume(n);
                if closed {
                    self.conn = None;
                }
            }
            Ok(None) => {
                let _ = self.cpe.handle_connection_closed(now, &mut [], 0);
                self.conn = None;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if let Some(d) = self.cpe.poll_timeout() {
                    self.clock.jump(d.saturating_duration_since(self.now()));
                }
                self.cpe.handle_timeout(self.now());
            }
            Err(_) => {
                self.cpe
                    .handle_transport_error(now, TransportError::Receive);
                self.conn = None;
            }
        }
        self.note();
    }

    /// Runs until idle, then jumps to the next deadline (or `gap` when there is none).
    fn settle(&mut self, faults_on: bool, gap: Duration) {
        for _ in 0..200 {
            if !self.step(faults_on) {
                break;
            }
        }
        let now = self.now();
        let next = self
            .cpe
            .poll_timeout()
            .map_or(gap, |d| d.saturating_duration_since(now));
        self.clock.jump(next);
        self.cpe.handle_timeout(self.now());
        self.note();
    }
}

/// The wall clock of the virtual time (NTP-synchronised from 2026-01-01 on).
fn unix_at(now: cwmp_core::Instant) -> i64 {
    1_767_225_600 + now.as_secs() as i64
}

fn gpv_response<'a>() -> Body<'a> {
    GetParameterValuesResponse {
        parameter_list: Array::empty(),
    }
    .into()
}

/// Runs `plan` on 127.0.0.1 and reports. Never panics on a fault; panics only if the harness
/// itself cannot start (no loopback) or a whole record fails to restore.
pub fn run(plan: &Plan) -> Report {
    let skew: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
    let clock = Clock::with_skew(skew);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));

    // The ACS.
    let acs_listener = TcpListener::bind("127.0.0.1:0").expect("loopback");
    let acs_addr = acs_listener.local_addr().expect("bound");
    let acs_thread: JoinHandle<()> = {
        let ledger = ledger.clone();
        let stop = stop.clone();
        let seed = plan.seed;
        std::thread::spawn(move || {
            let mut side = AcsSide {
                ledger,
                rng: SplitMix64::new(seed ^ 0xac5),
            };
            let server = Server::with_clock(AcsConfig::default(), clock, seed ^ 0x5e55);
            let _ = server.serve(&acs_listener, &mut side, None, &stop);
        })
    };

    // The proxy.
    let proxy_listener = TcpListener::bind("127.0.0.1:0").expect("loopback");
    let proxy_port = proxy_listener.local_addr().expect("bound").port();
    let faults = Arc::new(Mutex::new(BTreeMap::new()));
    let enabled = Arc::new(AtomicBool::new(true));
    let proxy_thread = {
        let proxy = Proxy {
            acs: acs_addr,
            own_port: proxy_port,
            rng: SplitMix64::new(plan.seed ^ 0x9e0),
            faults: faults.clone(),
            enabled: enabled.clone(),
            stop: stop.clone(),
            nonce: 0,
            percent: plan.fault_percent,
        };
        std::thread::spawn(move || proxy.run(proxy_listener))
    };

    // The CPE.
    let url = format!("http://127.0.0.1:{proxy_port}/cwmp");
    let now = clock.now();
    let mut cpe = Box::new(Cpe::new(&config(&url), now, plan.seed).expect("config"));
    cpe.set_unix_time(now, unix_at(now));
    cpe.bootstrap(now);
    let mut d = Device {
        cpe,
        clock,
        url,
        pages: [vec![ERASED; PAGE], vec![ERASED; PAGE]],
        next: NextWrite::FIRST,
        images: BTreeMap::new(),
        committed: BTreeSet::new(),
        owed: BTreeSet::new(),
        conn: None,
        reader: HttpReader::new(),
        tx: vec![0u8; 64 * 1024],
        staged: None,
        rng: SplitMix64::new(plan.seed ^ 0xc9e),
        ledger: ledger.clone(),
        raised: BTreeSet::new(),
        started: 0,
        succeeded: 0,
        torn: false,
        torn_writes: 0,
        restored_previous: 0,
        restored_nothing: 0,
        reboots: 0,
        uncommitted: 0,
        lost_if_single_slot: 0,
        reboot_percent: plan.reboot_percent,
        torn_percent: plan.torn_percent,
        single_slot: plan.single_slot,
    };
    let mut n = 0u64;
    while d.started < plan.sessions {
        if d.rng.next_u32() % 2 == 0 || !d.cpe.in_session() {
            n += 1;
            d.raise(n);
        }
        d.settle(true, Duration::from_secs(40));
    }

    // The drain: no more faults, until the CPE owes nothing.
    enabled.store(false, Ordering::SeqCst);
    let started = d.started;
    for _ in 0..200 {
        d.settle(false, Duration::from_secs(40));
        if d.owed.is_empty() && !d.cpe.in_session() {
            break;
        }
    }
    let drain_sessions = d.started - started;
    stop.store(true, Ordering::SeqCst);
    let _ = proxy_thread.join();
    let _ = acs_thread.join();

    let injected = faults.lock().unwrap().clone();
    let ledger = ledger.lock().unwrap();
    let raised: Vec<&Item> = d.raised.iter().collect();
    let is_event = |i: &&Item| i.0 != "TransferComplete";
    let delivered = |i: &&&Item| ledger.received.get(*i).is_some_and(|&n| n > 0);
    let events: Vec<&Item> = raised.iter().copied().filter(is_event).collect();
    let tcs: Vec<&Item> = raised.iter().copied().filter(|i| !is_event(i)).collect();
    let events_delivered = events.iter().filter(delivered).count();
    let tcs_delivered = tcs.iter().filter(delivered).count();
    Report {
        sessions_run: started,
        sessions_succeeded: d.succeeded,
        drain_sessions,
        faults: injected,
        reboots: d.reboots,
        torn_writes: d.torn_writes,
        restored_previous: d.restored_previous,
        restored_nothing: d.restored_nothing,
        events_raised: events.len(),
        events_delivered,
        transfer_completes_raised: tcs.len(),
        transfer_completes_delivered: tcs_delivered,
        duplicates_allowed: ledger.duplicates_allowed,
        duplicates_beyond_table8: ledger.duplicates_beyond,
        events_lost: (events.len() - events_delivered) + (tcs.len() - tcs_delivered),
        uncommitted: d.uncommitted,
        lost_if_single_slot: d.lost_if_single_slot,
        still_owed: d.owed.len(),
    }
}

/// `plan` split into `shards` independent runs in parallel threads (each its own CPE, proxy
/// and ACS on its own ports, seeds `plan.seed + i`), the figures summed: the work is mostly
/// waiting on loopback sockets, so shards use the wall clock, not the CPU.
pub fn run_sharded(plan: &Plan, shards: usize) -> Report {
    let shards = shards.max(1);
    let handles: Vec<_> = (0..shards)
        .map(|i| {
            let mut p = *plan;
            p.sessions = plan.sessions / shards + usize::from(i < plan.sessions % shards);
            p.seed = plan.seed.wrapping_add(i as u64);
            std::thread::spawn(move || run(&p))
        })
        .collect();
    let mut total = Report::default();
    for h in handles {
        total.add(&h.join().expect("a shard panicked"));
    }
    total
}
