//! The blocking run loop over [`embedded_io`] connections (feature `blocking`). See the
//! [driver module](super) for what it does; this module only says how it calls the platform.

use embedded_io::{Error as _, ErrorKind, Read, Write};

use super::runner::{Io, Runner};
use super::{Application, Buffers, Exit, Wake};
use crate::cpe::{Cpe, Event};
use crate::persist::BufferTooSmall;
use crate::time::Instant;

/// The clock, waiting, flash and reboot of the device.
pub trait Platform {
    /// The monotonic clock (milliseconds).
    fn now(&mut self) -> Instant;

    /// The wall-clock time (Unix seconds) if known, read once at power-up for the Inform's
    /// CurrentTime and calendar-based timers; later corrections go through
    /// [`Cpe::set_unix_time`] (e.g. from [`Application::on_wake`]). `None` by default.
    fn unix_time(&mut self) -> Option<i64> {
        None
    }

    /// Sleeps until `deadline` (`None`: no deadline) or until something wakes the device:
    /// a Connection Request the firmware's listener accepted, an application input, a stop.
    fn wait(&mut self, deadline: Option<Instant>) -> Wake;

    /// Reads the persistent record into `buf` and returns its length; `None` when none was
    /// ever written (first installation, or after a factory reset): the device bootstraps.
    fn read_flash(&mut self, buf: &mut [u8]) -> Option<usize>;

    /// Writes the persistent record (two alternating slots survive a torn write, DESIGN §3).
    fn write_flash(&mut self, record: &[u8]);

    /// Reboots (after a factory reset if `factory_reset`: erase the record, so that
    /// [`read_flash`](Self::read_flash) returns `None`, and the configuration). On a device it
    /// does not return; if it does, `run` returns [`Exit::Reboot`] or [`Exit::FactoryReset`].
    fn reboot(&mut self, factory_reset: bool);

    /// Sees every [`Event`] after the application did (log it; tell a
    /// `ConnectionRequestServer` about [`Event::SessionStarted`] and [`Event::SessionEnded`],
    /// and return [`Wake::ConnectionRequest`] from the next `wait` when it owes a Session).
    /// Nothing by default.
    fn on_event(&mut self, event: Event) {
        let _ = event;
    }
}

/// Opens connections to the ACS.
pub trait Connector {
    /// A TCP connection, or a TLS session over one. Give it a read timeout that fails reads
    /// with [`ErrorKind::TimedOut`], so that a silent ACS cannot block the loop past the
    /// response timeout (§3.7.1.4).
    type Connection<'a>: Read + Write
    where
        Self: 'a;

    /// Connects to `host` (a name or an address literal, as in the ACS URL) at `port`, with TLS
    /// when `tls` (`https`, §3.3: verify the ACS certificate). `None` on failure. The
    /// connection is dropped to close it.
    fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Self::Connection<'_>>;
}

/// Runs a device: powers `cpe` (fresh from [`Cpe::new`]) up from the record in flash, then
/// runs its Sessions forever (see the [module docs](super)). Returns only when the platform's
/// `reboot` returns or its `wait` says [`Wake::Stop`]. Allocates nothing; never panics.
///
/// # Errors
///
/// [`BufferTooSmall`] if `buffers.record` cannot hold the machine's longest record (nothing
/// was done).
pub fn run<P, C, A, const E: usize, const T: usize, const S: usize>(
    cpe: &mut Cpe<E, T, S>,
    platform: &mut P,
    connector: &mut C,
    app: &mut A,
    buffers: Buffers<'_>,
) -> Result<Exit, BufferTooSmall>
where
    P: Platform,
    C: Connector,
    A: Application<E, T, S>,
{
    let mut runner = Runner::new(cpe, app, buffers)?;
    let read = platform.read_flash(runner.record_buf());
    let now = platform.now();
    let unix = platform.unix_time();
    runner.power_up(now, unix, read);
    // One connection per turn of the outer loop (its borrow of `connector` ends with the
    // turn): `Io::Connect` ends the turn, the next one opens the new connection.
    let mut connect: Option<(u16, bool)> = None;
    loop {
        let mut conn = match connect.take() {
            Some((port, tls)) => {
                let conn = connector.connect(runner.host(), port, tls);
                runner.connected(platform.now(), conn.is_some());
                conn
            }
            None => None,
        };
        loop {
            let now = platform.now();
            match runner.next(now) {
                Io::Event(event) => platform.on_event(event),
                Io::Connect { port, tls } => {
                    connect = Some((port, tls));
                    break;
                }
                Io::Close => conn = None,
                Io::WriteFlash { len } => platform.write_flash(runner.record(len)),
                Io::Reboot { factory_reset } => {
                    drop(conn);
                    platform.reboot(factory_reset);
                    return Ok(if factory_reset {
                        Exit::FactoryReset
                    } else {
                        Exit::Reboot
                    });
                }
                Io::Send { len } => {
                    let ok = conn
                        .as_mut()
                        .is_some_and(|c| c.write_all(runner.tx(len)).is_ok() && c.flush().is_ok());
                    runner.sent(platform.now(), ok);
                }
                Io::Receive => {
                    let read = conn.as_mut().map(|c| c.read(runner.rx_free()));
                    let now = platform.now();
                    match read {
                        Some(Ok(n)) => runner.received(now, n),
                        Some(Err(e)) => runner.read_failed(now, e.kind() == ErrorKind::TimedOut),
                        None => runner.read_failed(now, false),
                    }
                }
                Io::Wait(deadline) => {
                    let wake = platform.wait(deadline);
                    if let Some(exit) = runner.woke(platform.now(), wake) {
                        return Ok(exit);
                    }
                }
            }
        }
    }
}
