//! cwmp-core's async driver (`cwmp_core::driver::asynch::run`) on a real embedded stack:
//! embassy-executor, embassy-net (smoltcp) over a Linux TAP device (embassy-net-tuntap), and
//! embedded-tls (TLS 1.3) verifying the ACS certificate against a configured CA. It runs one
//! Session with the ACS (first installation: `0 BOOTSTRAP`, `1 BOOT`), answers its requests
//! with the agent (`cwmp_core::agent`) over a small static data model, and exits 0 if the Session succeeded. See README.md and `run.sh`.
//!
//! ```text
//! cwmp-embassy-example --tap tap0 --ip 10.77.0.2/24 --acs https://acs.cwmp.test:7548/cwmp \
//!     --host acs.cwmp.test=10.77.0.1 --ca ca.der [--sessions N]
//! ```
//!
//! * `--host NAME=ADDR`: a static hosts table (no DNS server in the namespace); the TLS
//!   server name is the URL's host, checked against the certificate's names.
//! * `--ca FILE`: the CA certificate (DER) the ACS chain must lead to.

use core::net::Ipv4Addr;
use std::time::{SystemTime, UNIX_EPOCH};

use cwmp_core::agent::driven::Driven;
use cwmp_core::agent::{Agent, DataModel, Node, ParamType};
use cwmp_core::codec::Value;
use cwmp_core::cpe::{Config, Cpe, Event, SessionOutcome};
use cwmp_core::driver::asynch::{self, Connector, Platform};
use cwmp_core::driver::{self, Buffers, Exit, Wake};
use cwmp_core::persist::slot::SlotId;
use cwmp_core::Instant;
use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::{Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_net_tuntap::TunTapDevice;
use embassy_time::{Duration, Timer};
use embedded_io_async::{Error as _, ErrorKind, ErrorType, Read, Write};
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CryptoProvider, CryptoRngCore, TlsClock, TlsConfig,
    TlsConnection, TlsContext, TlsError, TlsVerifier,
};
use rand_core::{OsRng, RngCore};

/// One record slot (flash page): the machine's record, then the agent's (8 KiB allowed; one
/// that does not fit is left out of the slot and the machine's record is written alone).
const PAGE: usize = driver::page_len::<64, 3, 3>(8 * 1024);
/// Room for the ACS's certificate in the verifier.
const CERT_SIZE: usize = 4096;
/// TLS record buffers: a full TLS record (16 KiB + overhead) must fit the read buffer.
const TLS_READ: usize = 16_640;
const TLS_WRITE: usize = 4096;

// --- Options --------------------------------------------------------------------------------

struct Options {
    tap: String,
    ip: Ipv4Cidr,
    acs: String,
    hosts: Vec<(String, Ipv4Addr)>,
    ca: Option<Vec<u8>>,
    sessions: usize,
}

const USAGE: &str = "usage: cwmp-embassy-example --tap NAME --ip ADDR/LEN --acs URL [--host NAME=ADDR]... [--ca CA.der] [--sessions N]";

fn options() -> Result<Options, String> {
    let mut o = Options {
        tap: "tap0".into(),
        ip: Ipv4Cidr::new(Ipv4Addr::new(10, 77, 0, 2), 24),
        acs: String::new(),
        hosts: Vec::new(),
        ca: None,
        sessions: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--tap" => o.tap = value()?,
            "--ip" => {
                let v = value()?;
                let (addr, len) = v.split_once('/').ok_or("--ip ADDR/LEN")?;
                let addr: Ipv4Addr = addr.parse().map_err(|_| "--ip: bad address")?;
                let len: u8 = len.parse().map_err(|_| "--ip: bad prefix length")?;
                o.ip = Ipv4Cidr::new(addr, len);
            }
            "--acs" => o.acs = value()?,
            "--host" => {
                let v = value()?;
                let (name, addr) = v.split_once('=').ok_or("--host NAME=ADDR")?;
                let addr = addr.parse().map_err(|_| "--host: bad address")?;
                o.hosts.push((name.to_string(), addr));
            }
            "--ca" => {
                let path = value()?;
                o.ca = Some(std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?);
            }
            "--sessions" => o.sessions = value()?.parse().map_err(|_| "--sessions N")?,
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if o.acs.is_empty() {
        return Err(format!("--acs is required\n{USAGE}"));
    }
    if o.acs.starts_with("https://") && o.ca.is_none() {
        return Err("an https ACS needs --ca (the certificate is always verified)".into());
    }
    Ok(o)
}

// --- The platform: clock, wait, flash, reboot -----------------------------------------------

struct Device {
    /// The two record pages (slots A and B; RAM "flash": the process is one power-up).
    pages: [Vec<u8>; 2],
    outcomes: Vec<SessionOutcome>,
    stop_after: usize,
}

impl Platform for Device {
    fn now(&mut self) -> Instant {
        Instant::from_millis(embassy_time::Instant::now().as_millis())
    }

    fn unix_time(&mut self) -> Option<i64> {
        unix_now().map(|s| s as i64)
    }

    async fn wait(&mut self, deadline: Option<Instant>) -> Wake {
        if self.outcomes.len() >= self.stop_after {
            return Wake::Stop;
        }
        match deadline {
            Some(d) => {
                Timer::at(embassy_time::Instant::from_millis(d.as_millis())).await;
                Wake::Deadline
            }
            // No Connection Request listener in this example: nothing else wakes it.
            None => Wake::Stop,
        }
    }

    async fn read_page(&mut self, slot: SlotId, page: &mut [u8]) {
        let p = &self.pages[slot.index()];
        let n = p.len().min(page.len());
        page[..n].copy_from_slice(&p[..n]);
    }

    async fn write_page(&mut self, slot: SlotId, image: &[u8]) {
        // Erase, then program.
        let p = &mut self.pages[slot.index()];
        p.fill(0xFF);
        p[..image.len()].copy_from_slice(image);
    }

    async fn reboot(&mut self, factory_reset: bool) {
        println!("device: reboot (factory reset: {factory_reset})");
        if factory_reset {
            self.pages.iter_mut().for_each(|p| p.fill(0xFF));
        }
    }

    fn on_event(&mut self, event: Event) {
        println!("device: {event:?}");
        if let Event::SessionEnded { outcome } = event {
            self.outcomes.push(outcome);
        }
    }
}

fn unix_now() -> Option<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

// --- The connector: embassy-net TCP, embedded-tls -------------------------------------------

/// The validity period of the ACS certificate is checked against the system clock.
struct SystemClock;

impl TlsClock for SystemClock {
    fn now() -> Option<u64> {
        unix_now()
    }
}

/// The crypto of one handshake: OS randomness and the CA verifier; no client certificate.
struct Provider<'a> {
    rng: OsRng,
    verifier: CertVerifier<'a, Aes128GcmSha256, SystemClock, CERT_SIZE>,
}

impl CryptoProvider for Provider<'_> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = [u8; 0];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
        Ok(&mut self.verifier)
    }
}

struct Net {
    stack: Stack<'static>,
    hosts: Vec<(String, Ipv4Addr)>,
    ca: Option<Vec<u8>>,
    tcp_rx: Box<[u8; 8192]>,
    tcp_tx: Box<[u8; 8192]>,
    tls_rx: Box<[u8; TLS_READ]>,
    tls_tx: Box<[u8; TLS_WRITE]>,
}

/// A connection to the ACS: plain TCP or TLS over it.
#[allow(clippy::large_enum_variant)] // one at a time, never moved once open
enum Conn<'a> {
    Plain(TcpSocket<'a>),
    Tls(TlsConnection<'a, TcpSocket<'a>, Aes128GcmSha256>),
}

impl ErrorType for Conn<'_> {
    type Error = ErrorKind;
}

impl Read for Conn<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        match self {
            Conn::Plain(s) => s.read(buf).await.map_err(|e| e.kind()),
            Conn::Tls(t) => t.read(buf).await.map_err(|e| e.kind()),
        }
    }
}

impl Write for Conn<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        match self {
            Conn::Plain(s) => s.write(buf).await.map_err(|e| e.kind()),
            Conn::Tls(t) => t.write(buf).await.map_err(|e| e.kind()),
        }
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        match self {
            Conn::Plain(s) => s.flush().await.map_err(|e| e.kind()),
            Conn::Tls(t) => t.flush().await.map_err(|e| e.kind()),
        }
    }
}

impl Connector for Net {
    type Connection<'a> = Conn<'a>;

    async fn connect(&mut self, host: &str, port: u16, tls: bool) -> Option<Conn<'_>> {
        let addr = match self.hosts.iter().find(|(n, _)| n == host) {
            Some((_, a)) => *a,
            None => match host.parse() {
                Ok(a) => a,
                Err(_) => {
                    println!("net: no address for {host:?} (add --host {host}=ADDR)");
                    return None;
                }
            },
        };
        let Net {
            stack,
            ca,
            tcp_rx,
            tcp_tx,
            tls_rx,
            tls_tx,
            ..
        } = self;
        let mut socket = TcpSocket::new(*stack, &mut tcp_rx[..], &mut tcp_tx[..]);
        socket.set_timeout(Some(Duration::from_secs(30)));
        if let Err(e) = socket.connect((addr, port)).await {
            println!("net: connect to {addr}:{port} failed: {e:?}");
            return None;
        }
        println!("net: connected to {addr}:{port}");
        if !tls {
            return Some(Conn::Plain(socket));
        }
        let ca = ca.as_deref()?;
        let config = TlsConfig::new().with_server_name(host);
        let mut conn = TlsConnection::new(socket, &mut tls_rx[..], &mut tls_tx[..]);
        let provider = Provider {
            rng: OsRng,
            verifier: CertVerifier::new(Certificate::X509(ca)),
        };
        match conn.open(TlsContext::new(&config, provider)).await {
            Ok(()) => {
                println!("net: TLS 1.3 session with {host} (certificate verified)");
                Some(Conn::Tls(conn))
            }
            Err(e) => {
                println!("net: TLS handshake with {host} failed: {e:?}");
                None
            }
        }
    }
}

// --- The application ------------------------------------------------------------------------

/// The device's small static data model: `Device.DeviceInfo.` read-only. The agent
/// (`cwmp_core::agent`) answers every Annex A RPC from it (paths, partial paths, faults) and
/// adds `Device.ManagementServer.` itself; `Driven` makes the pair the driver's application.
const DEVICE_INFO: &[Node] = &[
    Node::parameter("Manufacturer", 1, ParamType::string(64)).forced_inform(),
    Node::parameter("SoftwareVersion", 2, ParamType::string(64)).forced_inform(),
    Node::parameter("ProductClass", 3, ParamType::string(64)),
    Node::parameter("UpTime", 4, ParamType::UNSIGNED_INT).no_active(),
];
static DEVICE: Node = Node::object("Device", 0, &[Node::object("DeviceInfo", 0, DEVICE_INFO)]);

struct Model;

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }

    fn instance(&self, _: &'static Node, _: &[u32], _: usize) -> Option<u32> {
        None // no multi-instance objects
    }

    fn get<'s>(&self, param: &'static Node, _: &[u32], _: &'s mut [u8]) -> Option<Value<'s>> {
        Some(match param.id {
            1 => Value::string("cwmp-rs"),
            2 => Value::string("1.0.0"),
            3 => Value::string("EmbassyTap"),
            4 => Value::UnsignedInt(
                u32::try_from(embassy_time::Instant::now().as_secs()).unwrap_or(u32::MAX),
            ),
            _ => return None,
        })
    }

    fn set(&mut self, _: &'static Node, _: &[u32], _: &Value<'_>) {
        // Nothing is writable: the agent answers 9008 before it gets here.
    }
}

// --- main -----------------------------------------------------------------------------------

#[embassy_executor::task]
async fn net_task(mut runner: Runner<'static, TunTapDevice>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let code = device(spawner).await;
    std::process::exit(i32::from(code));
}

async fn device(spawner: Spawner) -> u8 {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let tap = match TunTapDevice::new(&o.tap) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "cannot open TAP device {}: {e} (run as root, see run.sh)",
                o.tap
            );
            return 1;
        }
    };
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: o.ip,
        gateway: None,
        dns_servers: Default::default(),
    });
    let resources: &'static mut StackResources<4> = Box::leak(Box::new(StackResources::new()));
    let (stack, runner) = embassy_net::new(tap, config, resources, OsRng.next_u64());
    spawner.spawn(net_task(runner).expect("one net task"));
    stack.wait_config_up().await;
    println!("net: {} up on {}", o.ip, o.tap);

    let mut platform = Device {
        pages: [vec![0xFF; PAGE], vec![0xFF; PAGE]],
        outcomes: Vec::new(),
        stop_after: o.sessions,
    };
    let mut net = Net {
        stack,
        hosts: o.hosts,
        ca: o.ca,
        tcp_rx: Box::new([0; 8192]),
        tcp_tx: Box::new([0; 8192]),
        tls_rx: Box::new([0; TLS_READ]),
        tls_tx: Box::new([0; TLS_WRITE]),
    };
    let mut model = Model;
    let cfg = Config::new(&o.acs, "cwmp-rs", "00D09E", "EmbassyTap", "EMB-0001");
    let mut agent: Box<Agent> = Box::new(Agent::new(&cfg));
    let mut tx = vec![0u8; 4096];
    // The ACS's responses, and page B at power-up.
    let mut rx = vec![0u8; PAGE.max(16 * 1024)];
    let mut page = vec![0u8; PAGE];
    loop {
        let mut cpe: Box<Cpe> = match Cpe::new(&cfg, platform.now(), OsRng.next_u64()) {
            Ok(c) => Box::new(c),
            Err(e) => {
                eprintln!("bad configuration: {e}");
                return 2;
            }
        };
        let buffers = Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut page,
        };
        let mut app = Driven::new(&mut agent, &mut model);
        match asynch::run(&mut cpe, &mut platform, &mut net, &mut app, buffers).await {
            Ok(Exit::Reboot | Exit::FactoryReset) => continue,
            Ok(_) => break,
            Err(e) => {
                eprintln!("page or rx buffer too small: {e:?}");
                return 1;
            }
        }
    }
    let ok = !platform.outcomes.is_empty()
        && platform
            .outcomes
            .iter()
            .all(|o| *o == SessionOutcome::Success);
    println!(
        "device: {} session(s): {:?}",
        platform.outcomes.len(),
        platform.outcomes
    );
    if ok {
        0
    } else {
        1
    }
}
