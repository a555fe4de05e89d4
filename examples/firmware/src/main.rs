//! A Cortex-M4 firmware running complete CWMP Sessions through `cwmp_core::Cpe`, against a
//! scripted ACS in memory (no network stack), on QEMU's `mps2-an386` board.
//!
//! The driver below is the blocking run loop of cwmp-core's crate docs with an in-memory
//! "connection": each POST the CPE writes goes to the scripted ACS ([`acs`]), whose HTTP
//! response comes back through `Cpe::handle_response`. The clock is fake (an `Instant` that the
//! driver advances), "flash" is a RAM array that survives the simulated reboots, and the
//! trace goes out over semihosting. The program exits with success only if every scripted
//! step behaved as expected.
//!
//! The scenario:
//! 1. first power-up: Inform `0 BOOTSTRAP`, `1 BOOT`; GetParameterValues answered from a tiny
//!    data model ([`app`]); SetParameterValues; Download answered with Status 1; 204.
//! 2. the transfer starts when the machine says so, "completes", is persisted; the device
//!    reboots into the new image (drop the `Cpe`, a new one `boot`s from the record).
//! 3. Inform `1 BOOT`, `7 TRANSFER COMPLETE`, `M Download` with the new SoftwareVersion;
//!    TransferComplete; 204.
//! 4. a Connection Request: Inform `6 CONNECTION REQUEST`; the ACS calls Reboot; 204; the
//!    machine says `Event::Reboot`: persist, reboot.
//! 5. Inform `1 BOOT`, `M Reboot`; 204.
//!
//! The stack is painted again between phases ([`stack`]): the power-ups, the Sessions, each
//! export; each phase's high-water mark is printed, then the deepest of all. The stack depth of
//! the codec alone is measured by the package's other program, `src/bin/stack_depth/`.
#![no_std]
#![no_main]

mod acs;
mod app;

use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m_rt::entry;
use cortex_m_semihosting::{hprint, hprintln};
use cwmp_core::codec::datetime::{DateTime, Offset};
use cwmp_core::codec::message::ParameterValueStruct;
use cwmp_core::codec::Array;
use cwmp_core::cpe::{Config, Cpe, Event, Incoming, SessionOutcome};
use cwmp_core::limits::{MAX_INFORM_EVENTS, MIN_SCHEDULE_INFORM_QUEUE, MIN_TRANSFER_QUEUE};
use cwmp_core::persist::Record;
use cwmp_core::transfer::TransferId;
use cwmp_core::{Duration, Instant};

pub use cwmp_firmware_example::Failure;
use cwmp_firmware_example::{finish, stack};

use acs::{raw, Expect, Reply, Rpc, ScriptedAcs, Step, DOWNLOAD_KEY, REBOOT_KEY};
use app::{DataModel, Text};

/// Undelivered events the machine keeps (the default, 64, is the most one Inform carries,
/// §A.3.3.1); a smaller queue shrinks the `Cpe` and the persistent record (see README).
const EVENTS: usize = MAX_INFORM_EVENTS;
/// The session machine with this firmware's capacities.
pub type DeviceCpe = Cpe<EVENTS, MIN_TRANSFER_QUEUE, MIN_SCHEDULE_INFORM_QUEUE>;

/// Transmit buffer: the largest POST the CPE writes (an Inform with three parameters is
/// about 1.4 KiB; responses are streamed from the data model, so this does not grow with them).
const TX_LEN: usize = 2 * 1024;
/// Receive buffer: the largest ACS response (head + envelope) the CPE accepts.
const RX_LEN: usize = 8 * 1024;
/// The "flash page": room for the largest persistent record.
const FLASH_LEN: usize = DeviceRecord::MAX_LEN;
/// The persistent record of [`DeviceCpe`].
type DeviceRecord = Record<EVENTS, MIN_TRANSFER_QUEUE, MIN_SCHEDULE_INFORM_QUEUE>;

const ACS_URL: &str = "http://acs.example.com:7547/cwmp";

/// The big buffers, in `.bss` rather than on the stack.
struct Buffers {
    tx: [u8; TX_LEN],
    rx: [u8; RX_LEN],
    /// The RAM "flash" page the persistent record is written to; it survives the simulated
    /// reboots (a real device writes it to flash).
    flash: [u8; FLASH_LEN],
}

static mut BUFFERS: Buffers = Buffers {
    tx: [0; TX_LEN],
    rx: [0; RX_LEN],
    flash: [0; FLASH_LEN],
};
/// The session machine lives in a static too (about 13 KiB): `None` while "powered off".
/// `MaybeUninit` keeps it in `.bss`: a `None` initialiser would put 13 KiB of (mostly zero)
/// bytes in `.data`, copied from flash at start-up.
static mut CPE: MaybeUninit<Option<DeviceCpe>> = MaybeUninit::uninit();
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The one `&'static mut` to each of the statics above.
fn take_statics() -> Option<(&'static mut Option<DeviceCpe>, &'static mut Buffers)> {
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: `TAKEN` makes this run once, so these are the only references ever made to the
    // two statics; there are no interrupt handlers touching them. `write` initialises the
    // `MaybeUninit` before the reference to its content is handed out.
    #[allow(unsafe_code)]
    unsafe {
        let cpe = (*core::ptr::addr_of_mut!(CPE)).write(None);
        Some((cpe, &mut *core::ptr::addr_of_mut!(BUFFERS)))
    }
}

// --- The script ---------------------------------------------------------------------------

fn check_gpv(body: &[u8]) -> Result<(), &'static str> {
    let n = raw::count(body, "<ParameterValueStruct>");
    hprint!(" ({} values)", n);
    let mut at = 0;
    while let Some((name, end)) = raw::text(body, "<Name>", "</Name>", at) {
        // `<Value xsi:type="…">text</Value>`: the text after the start tag's `>`.
        let value = raw::text(body, "\">", "</Value>", end).map_or("?", |(v, _)| v);
        hprint!("\n                 {} = {}", name, value);
        at = end;
    }
    if n != 4 || !raw::has_string_value(body, "Device.DeviceInfo.SoftwareVersion", "1.0.0") {
        return Err("GetParameterValuesResponse has not the expected values");
    }
    Ok(())
}

fn check_spv(body: &[u8]) -> Result<(), &'static str> {
    if raw::has_seq(body, &["<Status>0</Status>"]) {
        hprint!(" Status=0");
        return Ok(());
    }
    Err("SetParameterValues not applied")
}

fn check_download(body: &[u8]) -> Result<(), &'static str> {
    if raw::has_seq(body, &["<Status>1</Status>"]) {
        hprint!(" Status=1 (TransferComplete will follow)");
        return Ok(());
    }
    Err("Download not answered with Status 1")
}

fn check_reboot(_: &[u8]) -> Result<(), &'static str> {
    Ok(())
}

const fn step(expect: Expect, reply: Reply) -> Step {
    Step { expect, reply }
}

static SCRIPT: [Step; 13] = [
    // Session 1: first power-up.
    step(
        Expect::Inform {
            events: &[("0 BOOTSTRAP", ""), ("1 BOOT", "")],
            software_version: "1.0.0",
            parameter_key: "",
        },
        Reply::InformResponse,
    ),
    step(Expect::Empty, Reply::Request(Rpc::GetParameterValues)),
    step(
        Expect::Response {
            method: "GetParameterValuesResponse",
            check: check_gpv,
        },
        Reply::Request(Rpc::SetParameterValues),
    ),
    step(
        Expect::Response {
            method: "SetParameterValuesResponse",
            check: check_spv,
        },
        Reply::Request(Rpc::Download),
    ),
    step(
        Expect::Response {
            method: "DownloadResponse",
            check: check_download,
        },
        Reply::NoContent,
    ),
    // Session 2: after the reboot into the new image.
    step(
        Expect::Inform {
            events: &[
                ("1 BOOT", ""),
                ("7 TRANSFER COMPLETE", ""),
                ("M Download", DOWNLOAD_KEY),
            ],
            software_version: "2.0.0",
            parameter_key: "spv-1",
        },
        Reply::InformResponse,
    ),
    step(
        Expect::TransferComplete {
            command_key: DOWNLOAD_KEY,
            fault: 0,
        },
        Reply::TransferCompleteResponse,
    ),
    step(Expect::Empty, Reply::NoContent),
    // Session 3: a Connection Request; the ACS reboots the device.
    step(
        Expect::Inform {
            events: &[("6 CONNECTION REQUEST", "")],
            software_version: "2.0.0",
            parameter_key: "spv-1",
        },
        Reply::InformResponse,
    ),
    step(Expect::Empty, Reply::Request(Rpc::Reboot)),
    step(
        Expect::Response {
            method: "RebootResponse",
            check: check_reboot,
        },
        Reply::NoContent,
    ),
    // Session 4: after the ACS's Reboot.
    step(
        Expect::Inform {
            events: &[("1 BOOT", ""), ("M Reboot", REBOOT_KEY)],
            software_version: "2.0.0",
            parameter_key: "spv-1",
        },
        Reply::InformResponse,
    ),
    step(Expect::Empty, Reply::NoContent),
];

// --- The driver ---------------------------------------------------------------------------

/// Why the run loop returned.
#[derive(PartialEq, Eq)]
enum Idle {
    /// Nothing to send: wait for the next deadline or input.
    Waiting,
    /// The machine said `Event::Reboot` (persisted already).
    Reboot,
}

struct Driver {
    acs: ScriptedAcs,
    now: Instant,
    model: DataModel,
    connected: bool,
    /// A response written by `respond`, to send after the events.
    staged: Option<usize>,
    /// Length of the record in the RAM "flash", if one was written.
    flash_len: Option<usize>,
    reboot: bool,
    started_transfer: Option<TransferId>,
    sessions: u32,
    largest_tx: usize,
    largest_rx: usize,
    /// Stack high-water marks of the phases.
    stack: Marks,
}

/// Stack high-water marks of the scenario's phases (bytes from the top of RAM).
#[derive(Default, Clone, Copy)]
struct Marks {
    /// The power-ups: `Cpe::new` + `bootstrap`/`boot`.
    boot: usize,
    /// The Sessions' run loop (polls, responses, the application), the exports left out.
    run: usize,
    /// `Cpe::export` on `Event::PersistChanged`/`Reboot`: below its caller, and in all.
    export: usize,
    export_total: usize,
}

/// Ends a phase of the scenario: its high-water mark goes to `max`; the stack is painted
/// again for the next one.
fn mark(max: &mut usize) {
    *max = (*max).max(stack::phase_end());
}

impl Driver {
    fn tick(&mut self, d: Duration) {
        self.now = self.now + d;
        self.model.now = self.now;
    }

    fn persist(&mut self, cpe: &DeviceCpe, flash: &mut [u8]) -> Result<(), Failure> {
        let mut out = None;
        let d = stack::measure(&mut || out = Some(cpe.export(self.now, flash)));
        self.stack.export = self.stack.export.max(d.own);
        self.stack.export_total = self.stack.export_total.max(d.total);
        let n = out
            .and_then(Result::ok)
            .ok_or(Failure("persistent record does not fit the flash page"))?;
        self.flash_len = Some(n);
        Ok(())
    }

    /// Drains `poll_event` and acts on each event like a real driver.
    fn drain(&mut self, cpe: &mut DeviceCpe, flash: &mut [u8]) -> Result<(), Failure> {
        while let Some(event) = cpe.poll_event() {
            match event {
                Event::Connect { port, .. } => {
                    // The in-memory "connection" always opens.
                    hprintln!("[{}] connect {}:{}", self.now, cpe.connect_host(), port);
                    self.connected = true;
                    cpe.handle_connected(self.now)
                        .map_err(|_| Failure("handle_connected refused"))?;
                }
                Event::Close => self.connected = false,
                Event::SessionStarted => {
                    self.sessions += 1;
                    hprintln!("[{}] session {} started", self.now, self.sessions);
                }
                Event::SessionEnded { outcome } => {
                    if outcome != SessionOutcome::Success {
                        hprintln!("[{}] session failed: {:?}", self.now, outcome);
                        return Err(Failure("a Session did not end successfully"));
                    }
                    hprintln!("[{}] session {} ended: success", self.now, self.sessions);
                }
                Event::PersistChanged => self.persist(cpe, flash)?,
                Event::Reboot => {
                    hprintln!("[{}] event: Reboot", self.now);
                    self.persist(cpe, flash)?;
                    self.reboot = true;
                }
                Event::StartTransfer { id } => self.started_transfer = Some(id),
                _ => {}
            }
        }
        Ok(())
    }

    /// The run loop: events, then the next POST through the scripted ACS, until idle.
    fn run(&mut self, cpe: &mut DeviceCpe, buf: &mut Buffers) -> Result<Idle, Failure> {
        loop {
            self.drain(cpe, &mut buf.flash)?;
            if self.reboot {
                return Ok(Idle::Reboot);
            }
            let len = match self.staged.take() {
                Some(n) => Some(n),
                None => {
                    let params: [ParameterValueStruct<'_>; 3] = self.model.inform_parameters();
                    let mut w: &mut [u8] = &mut buf.tx;
                    cpe.poll_transmit_with(self.now, &Array::new(&params), &mut w)
                        .map_err(|_| Failure("poll_transmit: tx buffer too small"))?
                        .map(|t| t.len)
                }
            };
            let Some(len) = len else {
                return Ok(Idle::Waiting);
            };
            if !self.connected {
                return Err(Failure("a POST without a connection"));
            }
            self.largest_tx = self.largest_tx.max(len);
            let post = buf.tx.get(..len).ok_or(Failure("bad length"))?;
            let n = self.acs.exchange(post, &mut buf.rx)?;
            self.largest_rx = self.largest_rx.max(n);
            self.tick(Duration::from_millis(40)); // one round trip
            match cpe.handle_response(self.now, &mut buf.rx, n) {
                Ok(Incoming::AcsRequest(request)) => {
                    let t = app::answer(cpe, &mut self.model, self.now, &request, &mut buf.tx)
                        .map_err(|_| Failure("respond: tx buffer too small"))?;
                    self.staged = Some(t.len);
                }
                Ok(_) => {}
                Err(_) => return Err(Failure("handle_response refused the response")),
            }
        }
    }

    /// Waits (in fake time) for the machine's next deadline and fires it.
    fn wait_for_deadline(&mut self, cpe: &mut DeviceCpe) -> Result<(), Failure> {
        let deadline = cpe
            .poll_timeout()
            .ok_or(Failure("no deadline to wait for"))?;
        if deadline > self.now {
            let d = deadline.saturating_duration_since(self.now);
            self.tick(d);
        }
        cpe.handle_timeout(self.now);
        Ok(())
    }
}

/// Power-up: a new `Cpe` in `slot`, restored from the RAM "flash" (or bootstrapped).
fn power_up<'a>(
    slot: &'a mut Option<DeviceCpe>,
    drv: &mut Driver,
    flash: &[u8],
) -> Result<&'a mut DeviceCpe, Failure> {
    let mut config = Config::new(ACS_URL, "Acme", "00D09E", "FW-DEMO", "SN0001");
    config.username = "00D09E-FW-DEMO-SN0001";
    config.password = "secret";
    *slot = None; // drop the old machine first: only one is ever in RAM
    *slot = Some(
        Cpe::new(&config, drv.now, 0x5eed ^ drv.now.as_millis())
            .map_err(|_| Failure("Cpe::new: configuration does not fit"))?,
    );
    let cpe = slot.as_mut().ok_or(Failure("no Cpe"))?;
    drv.model.boot_time = drv.now;
    drv.connected = false;
    drv.staged = None;
    drv.reboot = false;
    // The wall clock, as NTP would give it (for CurrentTime and the transfer times).
    cpe.set_unix_time(drv.now, 1_767_225_600 + drv.now.as_secs() as i64);
    match drv.flash_len {
        None => {
            hprintln!("[{}] power-up: factory fresh (bootstrap)", drv.now);
            // First installation, which is also a power-up: `bootstrap` (Table 8: it discards
            // whatever else is pending, so it comes first), then `boot` with no record. The
            // first Inform carries `0 BOOTSTRAP` and `1 BOOT`.
            cpe.bootstrap(drv.now);
            cpe.boot(drv.now, None)
                .map_err(|_| Failure("boot without a record failed"))?;
        }
        Some(n) => {
            hprintln!("[{}] power-up: restoring a {}-byte record", drv.now, n);
            cpe.boot(drv.now, flash.get(..n))
                .map_err(|_| Failure("the persisted record did not restore"))?;
        }
    }
    // The ParameterKey comes back from the record.
    drv.model
        .parameter_key
        .set(cpe.parameter_key().unwrap_or(""));
    Ok(cpe)
}

/// Runs the scenario; returns the stack high-water marks of its phases.
fn scenario(slot: &mut Option<DeviceCpe>, buf: &mut Buffers) -> Result<Marks, Failure> {
    let now = Instant::from_secs(1);
    let mut drv = Driver {
        acs: ScriptedAcs::new(&SCRIPT),
        now,
        model: DataModel {
            acs_url: ACS_URL,
            software_version: "1.0.0",
            provisioning_code: Text::new(),
            periodic_interval: 3600,
            parameter_key: Text::new(),
            boot_time: now,
            now,
        },
        connected: false,
        staged: None,
        flash_len: None,
        reboot: false,
        started_transfer: None,
        sessions: 0,
        largest_tx: 0,
        largest_rx: 0,
        stack: Marks::default(),
    };

    // Session 1: BOOTSTRAP; GetParameterValues, SetParameterValues, Download.
    let cpe = power_up(slot, &mut drv, &buf.flash)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, buf)? != Idle::Waiting {
        return Err(Failure("unexpected reboot"));
    }

    // The Download's DelaySeconds (0) pass: the machine says when to start.
    drv.wait_for_deadline(cpe)?;
    drv.drain(cpe, &mut buf.flash)?;
    let id = drv
        .started_transfer
        .take()
        .ok_or(Failure("the transfer was not started"))?;
    hprintln!("[{}] app: downloading {} ...", drv.now, DOWNLOAD_KEY);
    let start = unix_time(drv.now);
    drv.tick(Duration::from_secs(12));
    let end = unix_time(drv.now);
    hprintln!(
        "[{}] app: image written; transfer_finished(FaultCode 0)",
        drv.now
    );
    cpe.transfer_finished(drv.now, id, 0, "", start, end)
        .map_err(|_| Failure("transfer_finished refused"))?;
    // The machine now wants a Session for the TransferComplete (a Connect event): the firmware
    // persists and reboots into the new image first; the boot Session reports the transfer.
    while let Some(event) = cpe.poll_event() {
        if event == Event::PersistChanged {
            drv.persist(cpe, &mut buf.flash)?;
        }
    }
    hprintln!("[{}] app: rebooting into the new image", drv.now);

    // Power cycle: drop the machine, a new one boots from the record.
    drv.tick(Duration::from_secs(30));
    drv.model.software_version = "2.0.0";
    mark(&mut drv.stack.run);
    let cpe = power_up(slot, &mut drv, &buf.flash)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, buf)? != Idle::Waiting {
        return Err(Failure("unexpected reboot"));
    }

    // Session 3: a Connection Request an hour later; the ACS calls Reboot.
    drv.tick(Duration::from_secs(3600));
    hprintln!("[{}] connection request accepted", drv.now);
    cpe.handle_connection_request(drv.now);
    if drv.run(cpe, buf)? != Idle::Reboot {
        return Err(Failure("the ACS's Reboot did not give Event::Reboot"));
    }

    // Power cycle again (Event::Reboot: the record was written before).
    drv.tick(Duration::from_secs(30));
    mark(&mut drv.stack.run);
    let cpe = power_up(slot, &mut drv, &buf.flash)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, buf)? != Idle::Waiting {
        return Err(Failure("unexpected reboot"));
    }

    mark(&mut drv.stack.run);
    if !drv.acs.finished() {
        return Err(Failure("the script was not played to its end"));
    }
    if !cpe.events().is_empty() || !cpe.transfers().is_empty() {
        return Err(Failure("undelivered events or transfers left"));
    }
    hprintln!(
        "done: {} sessions, {} scripted exchanges; largest POST {} B (tx buffer {} B), largest response {} B (rx buffer {} B)",
        drv.sessions,
        SCRIPT.len(),
        drv.largest_tx,
        TX_LEN,
        drv.largest_rx,
        RX_LEN
    );
    hprintln!(
        "RAM: Cpe {} B (static), tx+rx+flash {} B (static); record {} B on flash (at most {} B), streamed by export/boot (no {} B Record in RAM)",
        core::mem::size_of::<DeviceCpe>(),
        core::mem::size_of::<Buffers>(),
        drv.flash_len.unwrap_or(0),
        FLASH_LEN,
        core::mem::size_of::<DeviceRecord>()
    );
    Ok(drv.stack)
}

fn unix_time(now: Instant) -> DateTime {
    DateTime::from_unix(1_767_225_600 + now.as_secs() as i64, Offset::Utc)
        .unwrap_or(DateTime::UNKNOWN)
}

// --- Entry, exit, panic -------------------------------------------------------------------

#[entry]
fn main() -> ! {
    stack::paint();
    let (bottom, top) = stack::bounds();
    hprintln!(
        "cwmp firmware example: Cortex-M4, {} B of RAM left for the stack",
        top - bottom
    );
    let result = match take_statics() {
        Some((slot, buf)) => scenario(slot, buf),
        None => Err(Failure("statics taken twice")),
    };
    if let Ok(m) = &result {
        let export = (m.export, m.export_total);
        for (phase, n, top, what) in [
            ("power-up", m.boot, m.boot, "Cpe::new + boot"),
            ("polls", m.run, m.run, "the run loops without the exports"),
            ("export", export.0, export.1, "Cpe::export"),
            ("whole", m.boot.max(m.run).max(export.1), 0, "everything"),
        ] {
            hprintln!(
                "stack session {}: {} bytes ({}; {} from the top of RAM)",
                phase,
                n,
                what,
                top.max(n)
            );
        }
    }
    // Prints the high-water of every phase (or what a failed run used since the last paint).
    finish(result)
}
