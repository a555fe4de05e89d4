//! The `cpe` example's program: command line, files, and the reboot loop around
//! [`CpeDriver`]. In the library so that `examples/tests/cpe_acs.rs` runs the same code
//! against the ACS server.
//!
//! ```text
//! cargo run --example cpe -- --help       # every flag, the firmware image format, the files
//! ```

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};

use clap::Parser;
use cwmp_core::connreq::{ConnectionRequestServer, RateLimit};
use cwmp_core::Duration;

use crate::cpe_driver::{
    shared_agent, spawn_cr_listener, CpeDriver, CrListen, Exit, Flash, Log, Setup, Wake,
};
use crate::data_model::{Identity, Model};
use crate::driver::Clock;
use crate::udp_cr::spawn_udp_listener;

/// What `cpe --help` says after the flags: the firmware image format and the files.
const AFTER_HELP: &str = "\
Firmware images (Download):
  The ACS's Download must have FileType \"1 Firmware Upgrade Image\" and an http:// URL
  (other file types get fault 9003, other schemes 9013). The CPE GETs the file and accepts it
  when it is a text image of this example device: the first line is exactly
  `CWMP-RS EXAMPLE FIRMWARE`, and a line `version=X` follows within the first 256 bytes
  (anything may come after). Anything else is a failed transfer (TransferComplete with fault
  9010). An accepted image is \"written to the inactive bank\": the CPE reboots into it at
  once, or when the Session under way ends, then reports `1 BOOT`, `7 TRANSFER COMPLETE`, `M Download` and
  SoftwareVersion X. Make one with:
    printf 'CWMP-RS EXAMPLE FIRMWARE\\nversion=2.0.0\\n' > image.bin

Files:
  --state FILE keeps the data model's values (one Parameter a line: name, TAB, value; the
  older five-column lines are read too) and the queued Downloads' URLs. --record FILE keeps
  what the machine must deliver after a reboot (events, TransferComplete, ParameterKey), and
  FILE.agent beside it the agent's record: the ManagementServer values the ACS set (URL,
  credentials, periodic Informs, ConnectionRequestUsername/Password), the Parameter
  attributes and the pending value changes. ManagementServer is no longer in the state file:
  what the ACS set wins over the command line's factory values (--acs, --user, --cr-user,
  --periodic...) until a factory reset. All are written after every Session (atomically:
  temporary file, fsync, rename); a factory reset erases them. Without --record (or when the
  file does not exist) the CPE boots with `0 BOOTSTRAP`, else with `1 BOOT` and what the
  records kept.

Connection requests:
  `curl --digest -u cwmp:cwmp http://127.0.0.1:7548/cr` (with --cr-listen 127.0.0.1:7548).
  With --udp-cr 127.0.0.1:7549 the CPE also takes UDP Connection Requests (Annex G: the
  `acs` example's --udp-connection-request 127.0.0.1:7549 sends them) and runs the STUN client
  on that port once the ACS sets Device.ManagementServer.STUNEnable=1 (with
  STUNServerAddress/Port, and STUNUsername/STUNPassword if the server asks with a 401).

Example:
  cpe --acs http://127.0.0.1:7547/ --cr-listen 127.0.0.1:7548 --periodic 300 \\
      --state cpe-state.txt --record cpe-record.bin";

/// The command line of the `cpe` example (clap).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "cpe",
    about = "A CWMP (TR-069) CPE for Linux on the cwmp-core agent: an in-memory TR-181 model \
             (Device.DeviceInfo, Device.NAT.PortMapping.{i}; Device.ManagementServer is the \
             agent's), firmware Downloads over HTTP, a Digest-protected connection-request \
             listener checking the credentials the ACS set, periodic Informs and the \
             persistence records in files",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// The ACS URL (ManagementServer.URL), http:// only in this example.
    #[arg(long, value_name = "URL")]
    pub acs: String,
    /// ManagementServer.Username: answer the ACS's HTTP Digest (or Basic) challenge with it.
    /// Empty: no authentication.
    #[arg(long, value_name = "U", default_value = "", hide_default_value = true)]
    pub user: String,
    /// ManagementServer.Password.
    #[arg(long, value_name = "P", default_value = "", hide_default_value = true)]
    pub password: String,
    /// DeviceInfo.Manufacturer (DeviceId.Manufacturer in the Inform).
    #[arg(long, value_name = "M", default_value = "cwmp-rs")]
    pub manufacturer: String,
    /// DeviceInfo.ManufacturerOUI: six hex digits.
    #[arg(long, value_name = "OUI", default_value = "00D09E")]
    pub oui: String,
    /// DeviceInfo.ProductClass.
    #[arg(long = "product-class", value_name = "PC", default_value = "LinuxCPE")]
    pub product_class: String,
    /// DeviceInfo.SerialNumber.
    #[arg(long, value_name = "SN", default_value = "0001")]
    pub serial: String,
    /// DeviceInfo.SoftwareVersion of the factory image (a Download installs another).
    #[arg(long = "software-version", value_name = "V", default_value = "1.0.0")]
    pub software_version: String,
    /// Listen for connection requests (TR-069 §3.2.2, HTTP GET with Digest) on this address,
    /// e.g. 127.0.0.1:7548. Without it, no listener.
    #[arg(long = "cr-listen", value_name = "ADDR")]
    pub cr_listen: Option<String>,
    /// The ConnectionRequestURL to advertise (its path is the one served). Default:
    /// `http://ADDR/cr` with the --cr-listen address.
    #[arg(long = "cr-url", value_name = "URL")]
    pub cr_url: Option<String>,
    /// Listen for UDP Connection Requests (Annex G.2.2, signed with the connection-request
    /// credentials) on this address, e.g. 192.168.1.10:7549, and send the STUN client's
    /// Binding Requests from it (G.2.1) when the ACS sets `ManagementServer.STUNEnable`. Give
    /// the address of the interface towards the ACS (not 0.0.0.0): `NATDetected` compares it
    /// with the address the STUN server sees.
    #[arg(long = "udp-cr", value_name = "ADDR")]
    pub udp_cr: Option<String>,
    /// ConnectionRequestUsername at start-up (the ACS may set another).
    #[arg(long = "cr-user", value_name = "U", default_value = "cwmp")]
    pub cr_user: String,
    /// ConnectionRequestPassword at start-up (the ACS may set another).
    #[arg(long = "cr-password", value_name = "P", default_value = "cwmp")]
    pub cr_password: String,
    /// Rate limit on authenticated connection requests (§3.2.2.1), as a token bucket:
    /// `REQUESTS/SECONDS[:BURST]` (BURST requests at once, then REQUESTS per SECONDS), or `off`.
    /// Past it, a request gets 503.
    #[arg(long = "cr-rate-limit", value_name = "RATE", default_value = "6/60:3",
          value_parser = parse_rate_limit)]
    pub cr_rate_limit: RateLimit,
    /// Enable periodic Informs every SECS seconds (PeriodicInformEnable=1,
    /// PeriodicInformInterval=SECS): a factory value, back after a factory reset; what the
    /// ACS sets wins until then.
    #[arg(long, value_name = "SECS")]
    pub periodic: Option<u32>,
    /// Keep the data model's values in this text file (read at start, written after every
    /// Session).
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,
    /// Keep the persistence record (what survives a reboot) in this file, and the agent's
    /// record in FILE.agent.
    #[arg(long, value_name = "FILE")]
    pub record: Option<String>,
    /// Exit after this many Sessions (counted across reboots). Default: run until Ctrl-C.
    #[arg(long, value_name = "N")]
    pub sessions: Option<usize>,
}

/// Parses `--cr-rate-limit`: `REQUESTS/SECONDS[:BURST]` or `off` (also `0`).
///
/// # Errors
/// A message for the user.
pub fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    if s == "off" || s == "0" {
        return Ok(RateLimit::NONE);
    }
    let bad = || format!("{s:?} is not REQUESTS/SECONDS[:BURST] or off");
    let (rate, burst) = match s.split_once(':') {
        Some((r, b)) => (r, b.parse::<u32>().map_err(|_| bad())?),
        None => (s, 1),
    };
    let (n, secs) = rate.split_once('/').ok_or_else(bad)?;
    let requests = n.parse::<u32>().map_err(|_| bad())?;
    let secs = secs.parse::<u64>().map_err(|_| bad())?;
    if secs == 0 || burst == 0 {
        return Err(format!("{s:?}: SECONDS and BURST must be at least 1"));
    }
    Ok(RateLimit {
        requests,
        per: Duration::from_secs(secs),
        burst,
    })
}

/// The command line, as the program uses it.
#[derive(Debug, Clone)]
pub struct Args {
    /// ManagementServer.URL.
    pub acs: String,
    /// ManagementServer.Username / Password (empty: none).
    pub user: String,
    /// Password.
    pub password: String,
    /// Identity.
    pub identity: Identity,
    /// Connection request listener address (none: no listener).
    pub cr_listen: Option<String>,
    /// The ConnectionRequestURL to advertise (default: `http://<listen address>/cr`).
    pub cr_url: Option<String>,
    /// UDP Connection Request / STUN socket address (none: no UDP).
    pub udp_cr: Option<String>,
    /// ConnectionRequestUsername.
    pub cr_user: String,
    /// ConnectionRequestPassword.
    pub cr_password: String,
    /// The connection-request rate limit.
    pub cr_rate_limit: RateLimit,
    /// PeriodicInformInterval (enables periodic Informs).
    pub periodic: Option<u32>,
    /// Where the data model is kept (text).
    pub state: Option<String>,
    /// Where the persistence record is kept.
    pub record: Option<String>,
    /// Exit after this many Sessions.
    pub sessions: Option<usize>,
}

impl From<Cli> for Args {
    fn from(c: Cli) -> Self {
        Args {
            acs: c.acs,
            user: c.user,
            password: c.password,
            identity: Identity {
                manufacturer: c.manufacturer,
                oui: c.oui,
                product_class: c.product_class,
                serial: c.serial,
                software_version: c.software_version,
            },
            cr_listen: c.cr_listen,
            cr_url: c.cr_url,
            udp_cr: c.udp_cr,
            cr_user: c.cr_user,
            cr_password: c.cr_password,
            cr_rate_limit: c.cr_rate_limit,
            periodic: c.periodic,
            state: c.state,
            record: c.record,
            sessions: c.sessions,
        }
    }
}

/// Parses the arguments (without the program name). The `cpe` program itself uses
/// [`Cli::parse`], which prints `--help` and exits 0.
///
/// # Errors
/// clap's message for the user (also for `--help`, whose text is the message).
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    Cli::try_parse_from(std::iter::once("cpe".to_string()).chain(args))
        .map(Args::from)
        .map_err(|e| e.to_string())
}

/// Runs the CPE until `--sessions` Sessions ended or `stop` is set (checked between
/// Sessions; send [`Wake::Stop`] on the returned sender to interrupt a wait).
///
/// # Errors
/// Files or sockets that cannot be used.
pub fn run(
    args: &Args,
    log: Log,
    stop: Arc<AtomicBool>,
    wake: Option<(Sender<Wake>, mpsc::Receiver<Wake>)>,
) -> Result<usize, String> {
    let (wake_tx, mut wake_rx) = wake.unwrap_or_else(mpsc::channel);
    let cr_server = Arc::new(Mutex::new(ConnectionRequestServer::new()));
    let mut cr_url = args.cr_url.clone().unwrap_or_default();
    let listener = match &args.cr_listen {
        Some(addr) => {
            let l = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let local = l.local_addr().map_err(|e| e.to_string())?;
            if cr_url.is_empty() {
                cr_url = format!("http://{local}/cr");
            }
            log(&format!(
                "connection requests: listening on {local}, ConnectionRequestURL {cr_url}"
            ));
            Some(l)
        }
        None => None,
    };
    // The factory values; a factory reset comes back to them (`--periodic` included).
    let setup = Setup {
        identity: args.identity.clone(),
        acs_url: args.acs.clone(),
        username: args.user.clone(),
        password: args.password.clone(),
        periodic: args.periodic,
        cr_url: cr_url.clone(),
        cr_username: args.cr_user.clone(),
        cr_password: args.cr_password.clone(),
    };
    // One agent for the device's life: rebuilt from its record at each power-up, read by the
    // listener for the credentials in force.
    let agent = shared_agent(&setup);
    let mut cr_thread = None;
    if let Some(l) = listener {
        let path = cr_url
            .strip_prefix("http://")
            .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
            .unwrap_or_else(|| "/".into());
        cr_thread = Some(
            spawn_cr_listener(
                l,
                cr_server.clone(),
                CrListen {
                    path,
                    rate_limit: args.cr_rate_limit,
                },
                agent.clone(),
                wake_tx.clone(),
                stop.clone(),
                log.clone(),
            )
            .map_err(|e| e.to_string())?,
        );
    }
    let udp = match &args.udp_cr {
        Some(addr) => {
            let socket = std::net::UdpSocket::bind(addr)
                .map_err(|e| format!("cannot bind UDP {addr}: {e}"))?;
            let local = socket.local_addr().map_err(|e| e.to_string())?;
            log(&format!(
                "udp connection requests and STUN: on {local} (UDPConnectionRequestAddress)"
            ));
            let thread = spawn_udp_listener(
                socket.try_clone().map_err(|e| e.to_string())?,
                cr_server.clone(),
                agent.clone(),
                args.cr_rate_limit,
                (wake_tx.clone(), stop.clone(), log.clone()),
            )
            .map_err(|e| e.to_string())?;
            Some((socket, thread))
        }
        None => None,
    };
    let agent_record = args.record.as_ref().map(|r| format!("{r}.agent"));
    let load = |path: &Option<String>| path.as_ref().and_then(|p| std::fs::read(p).ok());
    let mut model = match load(&args.state) {
        Some(text) => {
            let text = String::from_utf8(text).map_err(|_| "state file is not text")?;
            Model::from_text(&args.identity, &text).map_err(|e| format!("state file: {e}"))?
        }
        None => Model::new(&args.identity),
    };
    let mut flash = Flash {
        record: load(&args.record),
        agent: load(&agent_record),
    };
    let clock = Clock::new();
    let mut sessions = 0;
    loop {
        let mut d = CpeDriver::new(
            &setup,
            model,
            clock,
            flash,
            agent.clone(),
            wake_rx,
            Some(cr_server.clone()),
            log.clone(),
        )?;
        let (state, record, agent_file) = (
            args.state.clone(),
            args.record.clone(),
            agent_record.clone(),
        );
        let plog = log.clone();
        d.on_persist = Some(Box::new(move |f: &Flash, m: &Model| {
            let files = [
                (&record, f.record.clone()),
                (&agent_file, f.agent.clone()),
                (&state, Some(m.to_text().into_bytes())),
            ];
            for (path, bytes) in files {
                if let (Some(p), Some(b)) = (path, bytes) {
                    if let Err(e) = write_atomic(p, &b) {
                        plog(&format!("cannot write {p}: {e}"));
                    }
                }
            }
        }));
        if let Some((socket, _)) = &udp {
            d.attach_udp(socket.try_clone().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        d.verbose = true;
        d.stop_after = args.sessions.map(|n| n.saturating_sub(sessions));
        let exit = d.run();
        sessions += d.sessions_ended;
        let enough = args.sessions.is_some_and(|n| sessions >= n);
        match exit {
            Exit::Reboot => {
                log("--- reboot ---");
                let text = d.model.to_text();
                flash = d.flash.clone();
                wake_rx = d.into_wake();
                model = Model::from_text(&args.identity, &text)?;
            }
            Exit::FactoryReset => {
                log("--- factory reset: state and records erased ---");
                for p in [&args.state, &args.record, &agent_record]
                    .into_iter()
                    .flatten()
                {
                    let _ = std::fs::remove_file(p);
                }
                flash = Flash::default();
                wake_rx = d.into_wake();
                model = Model::new(&args.identity);
            }
            Exit::Stopped => break,
        }
        if enough || stop.load(Ordering::Relaxed) {
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    if let Some(t) = cr_thread {
        let _ = t.join();
    }
    if let Some((_, t)) = udp {
        let _ = t.join();
    }
    Ok(sessions)
}

/// Replaces the file at `path` with `bytes` so that a power cut leaves either the old file or the
/// new one, never a torn or empty one (issue 13: `fs::write` in place once left a 0-byte record
/// and lost a pending TransferComplete): the bytes go to a temporary file in the same directory,
/// which is fsynced and then renamed over `path` (atomic on POSIX file systems); the directory is
/// fsynced too, so the rename itself survives the power cut.
///
/// # Errors
/// Any I/O error; `path` is then unchanged (a stale temporary file may remain).
pub fn write_atomic(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let target = std::path::Path::new(path);
    let mut tmp_name = target.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = target.with_file_name(tmp_name);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, target)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    // Not every platform can open a directory; the rename is done either way.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[test]
    fn write_atomic_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("cwmp-write-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("record.bin");
        let p = path.to_str().unwrap();
        write_atomic(p, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        // A stale temporary from an interrupted write is simply replaced.
        std::fs::write(dir.join("record.bin.tmp"), b"torn").unwrap();
        write_atomic(p, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        assert!(!dir.join("record.bin.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
