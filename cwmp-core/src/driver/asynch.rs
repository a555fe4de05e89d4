//! The async run loop over [`embedded_io_async`] connections (feature `async`), for any
//! executor (embassy-executor on a device). See the [driver module](super) for what it does;
//! this module only says how it calls the platform.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use embedded_io_async::{Error as _, ErrorKind, Read, Write};

use super::runner::{Io, Runner};
use super::{Application, Buffers, Exit, Wake};
use crate::cpe::{Cpe, Event};
use crate::persist::slot::SlotId;
use crate::persist::BufferTooSmall;
use crate::time::Instant;

/// The clock, waiting, flash and reboot of the device.
#[allow(async_fn_in_trait)] // run on one executor; no `Send` bound wanted
pub trait Platform {
    /// The monotonic clock (milliseconds), e.g. `embassy_time::Instant::now().as_millis()`.
    fn now(&mut self) -> Instant;

    /// The wall-clock time (Unix seconds) if known, read once at power-up; later corrections
    /// go through [`Cpe::set_unix_time`] (e.g. from [`Application::on_wake`]). `None` by
    /// default.
    fn unix_time(&mut self) -> Option<i64> {
        None
    }

    /// Waits until `deadline` (`None`: no deadline) or until something wakes the device: a
    /// Connection Request the firmware's listener accepted, an application input, a stop
    /// (e.g. `select(Timer::at(deadline), signal.wait())` with embassy). Also raced with each
    /// read, so it must be cancel-safe: a wake-up must not be lost when the future is dropped
    /// (embassy's `Signal` and `Channel` are).
    async fn wait(&mut self, deadline: Option<Instant>) -> Wake;

    /// Reads the first `page.len()` bytes of the flash page of record slot `slot` (two pages,
    /// [`persist::slot`](crate::persist::slot)). Erased or never written, any bytes do: the
    /// driver checks each slot's magic and CRC, and bootstraps when neither holds.
    async fn read_page(&mut self, slot: SlotId, page: &mut [u8]);

    /// Erases the flash page of `slot`, then programs `image` from its start. The driver never
    /// writes over the slot holding the newest committed record, so a power cut during this
    /// write loses only the state being written.
    async fn write_page(&mut self, slot: SlotId, image: &[u8]);

    /// Reboots (after a factory reset if `factory_reset`: erase both record pages, so that the
    /// device bootstraps, and the configuration). On a device it
    /// does not return; if it does, `run` returns [`Exit::Reboot`] or [`Exit::FactoryReset`].
    async fn reboot(&mut self, factory_reset: bool);

    /// Sees every [`Event`] after the application did (log it; tell a
    /// `ConnectionRequestServer` about [`Event::SessionStarted`] and [`Event::SessionEnded`],
    /// and return [`Wake::ConnectionRequest`] from the next `wait` when it owes a Session).
    /// Nothing by default.
    fn on_event(&mut self, event: Event) {
        let _ = event;
    }
}

/// Opens connections to the ACS.
#[allow(async_fn_in_trait)]
pub trait Connector {
    /// A TCP connection (embassy-net's `TcpSocket`), or a TLS session over one
    /// (embedded-tls's `TlsConnection`), borrowing the connector's buffers.
    type Connection<'a>: Read + Write
    where
        Self: 'a;

    /// Connects to `host` (a name or an address literal, as in the ACS URL) at `port`, with TLS
    /// when `tls` (`https`, §3.3: verify the ACS certificate). `None` on failure. The
    /// connection is dropped to close it (abort or close it in its `Drop`, or before
    /// returning a new one).
    async fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Self::Connection<'_>>;
}

/// The first of two futures to finish.
enum First<A, B> {
    A(A),
    B(B),
}

/// Polls `a` then `b` until one is ready; the other is dropped.
async fn first<A: Future, B: Future>(a: A, b: B) -> First<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(First::A(x));
        }
        if let Poll::Ready(y) = b.as_mut().poll(cx) {
            return Poll::Ready(First::B(y));
        }
        Poll::Pending
    })
    .await
}

/// Runs a device: powers `cpe` (fresh from [`Cpe::new`]) up from the record in flash, then
/// runs its Sessions forever (see the [module docs](super)). Returns only when the platform's
/// `reboot` returns or its `wait` says [`Wake::Stop`]. Allocates nothing; never panics.
///
/// # Errors
///
/// [`BufferTooSmall`] if `buffers.page` cannot hold a slot of the machine's longest record,
/// or `buffers.rx` is shorter than it (nothing was done).
pub async fn run<P, C, A, const E: usize, const T: usize, const S: usize>(
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
    let (a, b) = runner.pages();
    platform.read_page(SlotId::A, a).await;
    platform.read_page(SlotId::B, b).await;
    let now = platform.now();
    let unix = platform.unix_time();
    runner.power_up(now, unix);
    // One connection per turn of the outer loop (its borrow of `connector` ends with the
    // turn): `Io::Connect` ends the turn, the next one opens the new connection.
    let mut connect: Option<(u16, bool)> = None;
    loop {
        let mut conn = match connect.take() {
            Some((port, tls)) => {
                let conn = connector.connect(runner.host(), port, tls).await;
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
                Io::WriteFlash { slot, len } => {
                    platform.write_page(slot, runner.page(len)).await;
                    runner.written();
                }
                Io::Reboot { factory_reset } => {
                    drop(conn);
                    platform.reboot(factory_reset).await;
                    return Ok(if factory_reset {
                        Exit::FactoryReset
                    } else {
                        Exit::Reboot
                    });
                }
                Io::Send { len } => {
                    let ok = match conn.as_mut() {
                        Some(c) => {
                            c.write_all(runner.tx(len)).await.is_ok() && c.flush().await.is_ok()
                        }
                        None => false,
                    };
                    runner.sent(platform.now(), ok);
                }
                Io::Receive => {
                    let deadline = runner.cpe().poll_timeout();
                    let Some(c) = conn.as_mut() else {
                        runner.read_failed(now, false);
                        continue;
                    };
                    match first(c.read(runner.rx_free()), platform.wait(deadline)).await {
                        First::A(Ok(n)) => runner.received(platform.now(), n),
                        First::A(Err(e)) => {
                            runner.read_failed(platform.now(), e.kind() == ErrorKind::TimedOut)
                        }
                        First::B(wake) => {
                            if let Some(exit) = runner.woke(platform.now(), wake) {
                                return Ok(exit);
                            }
                        }
                    }
                }
                Io::Wait(deadline) => {
                    let wake = platform.wait(deadline).await;
                    if let Some(exit) = runner.woke(platform.now(), wake) {
                        return Ok(exit);
                    }
                }
            }
        }
    }
}
