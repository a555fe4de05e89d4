//! A Cortex-M4 firmware running complete CWMP Sessions through `cwmp_core::Cpe`, against a
//! scripted ACS in memory (no network stack), on QEMU's `mps2-an386` board.
//!
//! The driver below is the blocking run loop of cwmp-core's crate docs with an in-memory
//! "connection": each POST the CPE writes goes to the scripted ACS ([`acs`]), whose HTTP
//! response comes back through `Cpe::handle_response`. The clock is fake (an `Instant` that the
//! driver advances), "flash" is two RAM pages that survive the simulated reboots (the record's two
//! alternating slots, `cwmp_core::persist::slot`, so a power cut during a write never loses the
//! last committed record; step 2 cuts one write halfway on purpose), and the
//! trace goes out over semihosting. The program exits with success only if every scripted
//! step behaved as expected.
//!
//! The scenario:
//! 1. first power-up: Inform `0 BOOTSTRAP`, `1 BOOT`; GetParameterValues answered from a tiny
//!    data model ([`app`]); SetParameterValues; Download answered with Status 1; 204.
//! 2. the transfer starts when the machine says so, "completes", is persisted; the device
//!    reboots into the new image (drop the `Cpe`, a new one `boot`s from the record); the power
//!    fails halfway through one more write of the record first, and power-up still finds the
//!    committed one in the other slot.
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
use cwmp_core::codec::Array;
use cwmp_core::cpe::{ApiMisuse, Config, Cpe, Event, Incoming, SessionOutcome};
use cwmp_core::limits::{MAX_INFORM_EVENTS, MIN_SCHEDULE_INFORM_QUEUE, MIN_TRANSFER_QUEUE};
use cwmp_core::persist::slot::{self, NextWrite, Slots};
use cwmp_core::persist::Record;
use cwmp_core::transfer::TransferId;
use cwmp_core::{Duration, Instant};

pub use cwmp_firmware_example::Failure;
use cwmp_firmware_example::{finish, stack};

use acs::{raw, Expect, Reply, Rpc, ScriptedAcs, Step, DOWNLOAD_KEY, REBOOT_KEY};
use app::{Model, Text};
use cwmp_core::agent::Agent;

/// Undelivered events the machine keeps (the default, 64, is the most one Inform carries,
/// §A.3.3.1); a smaller queue shrinks the `Cpe` and the persistent record (see README).
const EVENTS: usize = MAX_INFORM_EVENTS;
/// The session machine with this firmware's capacities.
pub type DeviceCpe = Cpe<EVENTS, MIN_TRANSFER_QUEUE, MIN_SCHEDULE_INFORM_QUEUE>;

/// Transmit buffer: the largest POST the CPE writes (an Inform with three parameters is
/// about 1.4 KiB). Responses are streamed from the data model into it, so it must hold the
/// largest one this firmware answers: the script's GetParameterValues of
/// `Device.ManagementServer.` (with the STUN* parameters, over 4 KiB).
const TX_LEN: usize = 6 * 1024;
/// Receive buffer: the largest ACS response (head + envelope) the CPE accepts.
const RX_LEN: usize = 8 * 1024;
/// One "flash page" (record slot): room for the largest persistent record and the slot's
/// header and CRC.
const FLASH_LEN: usize = slot::slot_len(DeviceRecord::MAX_LEN);
/// The two alternating record slots, A and B.
type Flash = [[u8; FLASH_LEN]; 2];
/// The value of erased flash.
const ERASED: u8 = 0xFF;
/// The persistent record of [`DeviceCpe`].
type DeviceRecord = Record<EVENTS, MIN_TRANSFER_QUEUE, MIN_SCHEDULE_INFORM_QUEUE>;

const ACS_URL: &str = "http://acs.example.com:7547/cwmp";

/// The big buffers, in `.bss` rather than on the stack.
struct Buffers {
    tx: [u8; TX_LEN],
    rx: [u8; RX_LEN],
    /// The RAM "flash" pages the persistent record is written to, alternately; they survive the
    /// simulated reboots (a real device writes them to flash).
    flash: Flash,
    /// The agent's record, on its own "flash page".
    agent_flash: [u8; AGENT_FLASH_LEN],
}

static mut BUFFERS: Buffers = Buffers {
    tx: [0; TX_LEN],
    rx: [0; RX_LEN],
    // Zeros, not ERASED: a non-zero initialiser would put both pages in `.data` (flash). A
    // zeroed page is no valid slot either (bad magic).
    flash: [[0; FLASH_LEN]; 2],
    agent_flash: [0; AGENT_FLASH_LEN],
};
/// The session machine lives in a static too (about 13 KiB): `None` while "powered off".
/// `MaybeUninit` keeps it in `.bss`: a `None` initialiser would put 13 KiB of (mostly zero)
/// bytes in `.data`, copied from flash at start-up.
static mut CPE: MaybeUninit<Option<DeviceCpe>> = MaybeUninit::uninit();
/// The agent (attributes, pending changes, `ManagementServer.`) in `.bss` too.
static mut AGENT: MaybeUninit<Option<DeviceAgent>> = MaybeUninit::uninit();
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The agent with room for 2 attributes and 2 pending value changes.
pub type DeviceAgent = Agent<2, 2>;
/// The agent's own record (beside the machine's).
const AGENT_FLASH_LEN: usize = 2048;

/// The one `&'static mut` to each of the statics above.
fn take_statics() -> Option<(
    &'static mut Option<DeviceCpe>,
    &'static mut Option<DeviceAgent>,
    &'static mut Buffers,
)> {
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: `TAKEN` makes this run once, so these are the only references ever made to the
    // two statics; there are no interrupt handlers touching them. `write` initialises the
    // `MaybeUninit` before the reference to its content is handed out.
    #[allow(unsafe_code)]
    unsafe {
        let cpe = (*core::ptr::addr_of_mut!(CPE)).write(None);
        let agent = (*core::ptr::addr_of_mut!(AGENT)).write(None);
        Some((cpe, agent, &mut *core::ptr::addr_of_mut!(BUFFERS)))
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
    // SoftwareVersion and the agent's 29 `ManagementServer.` Parameters (19 before the STUN*
    // ones, NATDetected, the notification limit and throttle).
    if n != 30 || !raw::has_string_value(body, "Device.DeviceInfo.SoftwareVersion", "1.0.0") {
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
    model: Model,
    connected: bool,
    /// A response written by `respond`, to send after the events.
    staged: Option<usize>,
    /// Where the next record goes (from `Slots::scan` at power-up).
    next: NextWrite,
    /// Length of the last record written, if one was.
    record_len: Option<usize>,
    /// Length of the agent's record, if one was written.
    agent_flash_len: Option<usize>,
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

    fn persist_agent(&mut self, agent: &DeviceAgent, flash: &mut [u8]) -> Result<(), Failure> {
        let n = agent
            .export(flash)
            .map_err(|_| Failure("the agent's record does not fit its flash page"))?;
        self.agent_flash_len = Some(n);
        Ok(())
    }

    /// Writes the record into the slot that does not hold the newest one: erase the page,
    /// export into its payload area, seal it with the next sequence number. Only a complete
    /// write moves `next` on.
    fn persist(&mut self, cpe: &DeviceCpe, flash: &mut Flash) -> Result<(), Failure> {
        let n = self.write_slot(cpe, flash)?;
        self.record_len = Some(n);
        self.next = self.next.committed();
        Ok(())
    }

    /// A write the power cuts halfway: the target page holds the first half of the new image
    /// and erased flash after it; `next` stays (the slot is written again next time).
    fn persist_torn(&mut self, cpe: &DeviceCpe, flash: &mut Flash) -> Result<(), Failure> {
        let n = self.write_slot(cpe, flash)?;
        let page = flash
            .get_mut(self.next.slot.index())
            .ok_or(Failure("no such slot"))?;
        let cut = slot::slot_len(n) / 2;
        page.get_mut(cut..).unwrap_or_default().fill(ERASED);
        hprintln!(
            "[{}] power cut while writing slot {:?}: {} of {} bytes written",
            self.now,
            self.next.slot,
            cut,
            slot::slot_len(n)
        );
        Ok(())
    }

    /// Erases the next slot and writes the sealed record into it; returns the record length.
    fn write_slot(&mut self, cpe: &DeviceCpe, flash: &mut Flash) -> Result<usize, Failure> {
        let page = flash
            .get_mut(self.next.slot.index())
            .ok_or(Failure("no such slot"))?;
        page.fill(ERASED);
        let mut out = None;
        let now = self.now;
        let d = stack::measure(&mut || out = Some(cpe.export(now, slot::payload_mut(page))));
        self.stack.export = self.stack.export.max(d.own);
        self.stack.export_total = self.stack.export_total.max(d.total);
        let n = out
            .and_then(Result::ok)
            .ok_or(Failure("persistent record does not fit the flash page"))?;
        slot::seal(page, self.next.sequence, n)
            .map_err(|_| Failure("persistent record does not fit the flash page"))?;
        Ok(n)
    }

    /// Drains `poll_event` and acts on each event like a real driver.
    fn drain(
        &mut self,
        cpe: &mut DeviceCpe,
        agent: &mut DeviceAgent,
        buf: &mut Buffers,
    ) -> Result<(), Failure> {
        let flash = &mut buf.flash;
        while let Some(event) = cpe.poll_event() {
            agent.handle_event(cpe, &event);
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
                    // Changes of notified Parameters, seen by comparison before the Inform.
                    agent.check_values(self.now, cpe, &self.model);
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
        if agent.needs_persist() {
            self.persist_agent(agent, &mut buf.agent_flash)?;
        }
        Ok(())
    }

    /// The run loop: events, then the next POST through the scripted ACS, until idle.
    fn run(
        &mut self,
        cpe: &mut DeviceCpe,
        agent: &mut DeviceAgent,
        buf: &mut Buffers,
    ) -> Result<Idle, Failure> {
        loop {
            self.drain(cpe, agent, buf)?;
            if self.reboot {
                return Ok(Idle::Reboot);
            }
            let len = match self.staged.take() {
                Some(n) => Some(n),
                None => {
                    // The Forced Inform Parameters and the changed ones (§A.3.3.1).
                    let params = agent.inform_parameters(cpe, &self.model);
                    let mut w: &mut [u8] = &mut buf.tx;
                    cpe.poll_transmit_with(self.now, &Array::from_lending(&params), &mut w)
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
            let incoming = match cpe.handle_response(self.now, &mut buf.rx, n) {
                // The in-memory ACS wrote all it will: a response still incomplete is one its
                // close cut short (the machine fails the Session at once).
                Err(ApiMisuse::IncompleteResponse) => {
                    cpe.handle_connection_closed(self.now, &mut buf.rx, n)
                }
                other => other,
            };
            match incoming {
                Ok(Incoming::AcsRequest(request)) => {
                    let mut w: &mut [u8] = &mut buf.tx;
                    let t = agent
                        .answer(self.now, cpe, &mut self.model, &request, &mut w)
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
    agent_slot: &'a mut Option<DeviceAgent>,
    drv: &mut Driver,
    buf: &Buffers,
) -> Result<(&'a mut DeviceCpe, &'a mut DeviceAgent), Failure> {
    let flash = &buf.flash;
    let mut factory = Config::new(ACS_URL, "Acme", "00D09E", "FW-DEMO", "SN0001");
    factory.username = "00D09E-FW-DEMO-SN0001";
    factory.password = "secret";
    // The agent first: its record holds what the ACS set in ManagementServer.
    let agent = new_agent(agent_slot, &factory);
    if let Some(n) = drv.agent_flash_len {
        agent
            .restore(buf.agent_flash.get(..n).unwrap_or(&[]))
            .map_err(|_| Failure("the agent's record did not restore"))?;
    }
    let mut config = factory;
    agent.configure(&mut config);
    let cpe = new_cpe(slot, &config, drv.now)?;
    drv.model.boot_time = drv.now;
    drv.connected = false;
    drv.staged = None;
    drv.reboot = false;
    // The wall clock, as NTP would give it (for CurrentTime and the transfer times).
    cpe.set_unix_time(drv.now, 1_767_225_600 + drv.now.as_secs() as i64);
    let slots = Slots::scan(&flash[0], &flash[1]);
    drv.next = slots.next_write();
    match slots.newest() {
        None => {
            hprintln!("[{}] power-up: factory fresh (bootstrap)", drv.now);
            // First installation, which is also a power-up: `bootstrap` (Table 8: it discards
            // whatever else is pending, so it comes first), then `boot` with no record. The
            // first Inform carries `0 BOOTSTRAP` and `1 BOOT`.
            cpe.bootstrap(drv.now);
            cpe.boot(drv.now, None)
                .map_err(|_| Failure("boot without a record failed"))?;
        }
        Some(c) => {
            hprintln!(
                "[{}] power-up: restoring a {}-byte record from slot {:?} (sequence {})",
                drv.now,
                c.payload.len(),
                c.slot,
                c.sequence
            );
            cpe.boot(drv.now, Some(c.payload))
                .map_err(|_| Failure("the persisted record did not restore"))?;
        }
    }
    agent.set_connection_request("http://192.0.2.10:7547/cr/fw", "cr-user", "cr-pass");
    // The ParameterKey comes back from the machine's record.
    agent.boot(drv.now, cpe, &drv.model);
    Ok((cpe, agent))
}

/// `Agent::new` into its static. Out of line, like [`new_cpe`]: each constructor's value
/// passes through the stack on its way into the static, and in one frame the two (4.5 and
/// 6 KiB) were both reserved at once.
#[inline(never)]
fn new_agent<'a>(slot: &'a mut Option<DeviceAgent>, factory: &Config<'_>) -> &'a mut DeviceAgent {
    *slot = None;
    slot.insert(Agent::new(factory))
}

/// `Cpe::new` into its static, the old machine dropped first (only one is ever in RAM).
#[inline(never)]
fn new_cpe<'a>(
    slot: &'a mut Option<DeviceCpe>,
    config: &Config<'_>,
    now: Instant,
) -> Result<&'a mut DeviceCpe, Failure> {
    *slot = None;
    let cpe = Cpe::new(config, now, 0x5eed ^ now.as_millis())
        .map_err(|_| Failure("Cpe::new: configuration does not fit"))?;
    Ok(slot.insert(cpe))
}

/// Runs the scenario; returns the stack high-water marks of its phases.
fn scenario(
    slot: &mut Option<DeviceCpe>,
    agent_slot: &mut Option<DeviceAgent>,
    buf: &mut Buffers,
) -> Result<Marks, Failure> {
    let now = Instant::from_secs(1);
    let mut drv = Driver {
        acs: ScriptedAcs::new(&SCRIPT),
        now,
        model: Model {
            software_version: "1.0.0",
            provisioning_code: Text::new(),
            download_url: Text::new(),
            boot_time: now,
            now,
        },
        connected: false,
        staged: None,
        next: NextWrite::FIRST,
        record_len: None,
        agent_flash_len: None,
        reboot: false,
        started_transfer: None,
        sessions: 0,
        largest_tx: 0,
        largest_rx: 0,
        stack: Marks::default(),
    };

    // Session 1: BOOTSTRAP; GetParameterValues, SetParameterValues, Download.
    let (cpe, agent) = power_up(slot, agent_slot, &mut drv, buf)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, agent, buf)? != Idle::Waiting {
        return Err(Failure("unexpected reboot"));
    }

    // The Download's DelaySeconds (0) pass: the machine says when to start.
    drv.wait_for_deadline(cpe)?;
    drv.drain(cpe, agent, buf)?;
    let id = drv
        .started_transfer
        .take()
        .ok_or(Failure("the transfer was not started"))?;
    hprintln!(
        "[{}] app: downloading {} from {} ...",
        drv.now,
        DOWNLOAD_KEY,
        drv.model.download_url.as_str()
    );
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
    // The power fails during one more write of the same state: the other slot keeps the
    // committed record, and the boot Session below still reports the transfer.
    drv.persist_torn(cpe, &mut buf.flash)?;
    hprintln!("[{}] app: rebooting into the new image", drv.now);

    // Power cycle: drop the machine, a new one boots from the record.
    drv.tick(Duration::from_secs(30));
    drv.model.software_version = "2.0.0";
    mark(&mut drv.stack.run);
    let (cpe, agent) = power_up(slot, agent_slot, &mut drv, buf)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, agent, buf)? != Idle::Waiting {
        return Err(Failure("unexpected reboot"));
    }

    // Session 3: a Connection Request an hour later; the ACS calls Reboot.
    drv.tick(Duration::from_secs(3600));
    hprintln!("[{}] connection request accepted", drv.now);
    cpe.handle_connection_request(drv.now);
    if drv.run(cpe, agent, buf)? != Idle::Reboot {
        return Err(Failure("the ACS's Reboot did not give Event::Reboot"));
    }

    // Power cycle again (Event::Reboot: the record was written before).
    drv.tick(Duration::from_secs(30));
    mark(&mut drv.stack.run);
    let (cpe, agent) = power_up(slot, agent_slot, &mut drv, buf)?;
    mark(&mut drv.stack.boot);
    if drv.run(cpe, agent, buf)? != Idle::Waiting {
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
        "RAM: Cpe {} B (static), Agent {} B (static), tx+rx+2 flash slots+agent page {} B (static); record {} B + agent record {} B on flash (slot {} B), streamed by export/boot (no {} B Record in RAM)",
        core::mem::size_of::<DeviceCpe>(),
        core::mem::size_of::<DeviceAgent>(),
        core::mem::size_of::<Buffers>(),
        drv.record_len.unwrap_or(0),
        drv.agent_flash_len.unwrap_or(0),
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
        Some((slot, agent, buf)) => scenario(slot, agent, buf),
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
