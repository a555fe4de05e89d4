//! The `cpe` example's program: command line, files, and the reboot loop around
//! [`CpeDriver`]. In the library so that `examples/tests/cpe_acs.rs` runs the same code
//! against the ACS server.
//!
//! ```text
//! cargo run --example cpe -- --acs URL [--user U --password P] [--manufacturer M] [--oui OUI]
//!     [--product-class PC] [--serial SN] [--software-version V] [--cr-listen ADDR]
//!     [--cr-url URL] [--cr-user U --cr-password P] [--periodic SECS] [--state FILE]
//!     [--record FILE] [--sessions N]
//! ```

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};

use cwmp_core::connreq::ConnectionRequestServer;

use crate::cpe_driver::{spawn_cr_listener, CpeDriver, CrListen, Exit, Log, Setup, Wake};
use crate::data_model::{DataModel, Identity};
use crate::driver::Clock;

/// Usage text.
pub const USAGE: &str = "usage: cpe --acs URL [--user U --password P] [--manufacturer M] [--oui OUI] [--product-class PC] [--serial SN] [--software-version V] [--cr-listen ADDR] [--cr-url URL] [--cr-user U --cr-password P] [--periodic SECS] [--state FILE] [--record FILE] [--sessions N]";

/// The command line.
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
    /// ConnectionRequestUsername.
    pub cr_user: String,
    /// ConnectionRequestPassword.
    pub cr_password: String,
    /// PeriodicInformInterval (enables periodic Informs).
    pub periodic: Option<u32>,
    /// Where the data model is kept (text).
    pub state: Option<String>,
    /// Where the persistence record is kept.
    pub record: Option<String>,
    /// Exit after this many Sessions.
    pub sessions: Option<usize>,
}

/// Parses the arguments (without the program name).
///
/// # Errors
/// A message for the user.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        acs: String::new(),
        user: String::new(),
        password: String::new(),
        identity: Identity {
            manufacturer: "cwmp-rs".into(),
            oui: "00D09E".into(),
            product_class: "LinuxCPE".into(),
            serial: "0001".into(),
            software_version: "1.0.0".into(),
        },
        cr_listen: None,
        cr_url: None,
        cr_user: "cwmp".into(),
        cr_password: "cwmp".into(),
        periodic: None,
        state: None,
        record: None,
        sessions: None,
    };
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        let number = |v: String| {
            v.parse::<u32>()
                .map_err(|_| format!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--acs" => a.acs = value()?,
            "--user" => a.user = value()?,
            "--password" => a.password = value()?,
            "--manufacturer" => a.identity.manufacturer = value()?,
            "--oui" => a.identity.oui = value()?,
            "--product-class" => a.identity.product_class = value()?,
            "--serial" => a.identity.serial = value()?,
            "--software-version" => a.identity.software_version = value()?,
            "--cr-listen" => a.cr_listen = Some(value()?),
            "--cr-url" => a.cr_url = Some(value()?),
            "--cr-user" => a.cr_user = value()?,
            "--cr-password" => a.cr_password = value()?,
            "--periodic" => a.periodic = Some(number(value()?)?),
            "--state" => a.state = Some(value()?),
            "--record" => a.record = Some(value()?),
            "--sessions" => a.sessions = Some(number(value()?)? as usize),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if a.acs.is_empty() {
        return Err(format!("--acs URL is required\n{USAGE}"));
    }
    Ok(a)
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
    let mut cr_thread = None;
    let mut cr_url = args.cr_url.clone().unwrap_or_default();
    if let Some(addr) = &args.cr_listen {
        let l = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = l.local_addr().map_err(|e| e.to_string())?;
        if cr_url.is_empty() {
            cr_url = format!("http://{local}/cr");
        }
        let path = cr_url
            .strip_prefix("http://")
            .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
            .unwrap_or_else(|| "/".into());
        log(&format!(
            "connection requests: listening on {local}, ConnectionRequestURL {cr_url}"
        ));
        cr_thread = Some(
            spawn_cr_listener(
                l,
                cr_server.clone(),
                CrListen {
                    path,
                    username: args.cr_user.clone(),
                    password: args.cr_password.clone(),
                },
                wake_tx.clone(),
                stop.clone(),
                log.clone(),
            )
            .map_err(|e| e.to_string())?,
        );
    }
    let setup = Setup {
        identity: args.identity.clone(),
        username: args.user.clone(),
        password: args.password.clone(),
    };
    let load = |path: &Option<String>| path.as_ref().and_then(|p| std::fs::read(p).ok());
    let mut model = match load(&args.state) {
        Some(text) => {
            let text = String::from_utf8(text).map_err(|_| "state file is not text")?;
            DataModel::from_text(&text).map_err(|e| format!("state file: {e}"))?
        }
        None => DataModel::new(
            &args.identity,
            &args.acs,
            &cr_url,
            &args.cr_user,
            &args.cr_password,
        ),
    };
    // The command line wins over the stored values.
    model.set_local("Device.ManagementServer.URL", &args.acs);
    model.set_local("Device.ManagementServer.ConnectionRequestURL", &cr_url);
    model.set_local(
        "Device.ManagementServer.ConnectionRequestUsername",
        &args.cr_user,
    );
    model.set_local(
        "Device.ManagementServer.ConnectionRequestPassword",
        &args.cr_password,
    );
    if let Some(secs) = args.periodic {
        model.set_local("Device.ManagementServer.PeriodicInformEnable", "1");
        model.set_local(
            "Device.ManagementServer.PeriodicInformInterval",
            &secs.to_string(),
        );
    }
    let mut flash = load(&args.record);
    let clock = Clock::new();
    let mut sessions = 0;
    loop {
        let mut d = CpeDriver::new(
            &setup,
            model,
            clock,
            flash,
            wake_rx,
            Some(cr_server.clone()),
            log.clone(),
        )?;
        let (state, record) = (args.state.clone(), args.record.clone());
        let plog = log.clone();
        d.on_persist = Some(Box::new(move |rec: &[u8], m: &DataModel| {
            if let Some(p) = &record {
                if let Err(e) = write_atomic(p, rec) {
                    plog(&format!("cannot write {p}: {e}"));
                }
            }
            if let Some(p) = &state {
                if let Err(e) = write_atomic(p, m.to_text().as_bytes()) {
                    plog(&format!("cannot write {p}: {e}"));
                }
            }
        }));
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
                model = DataModel::from_text(&text)?;
            }
            Exit::FactoryReset => {
                log("--- factory reset: state and record erased ---");
                for p in [&args.state, &args.record].into_iter().flatten() {
                    let _ = std::fs::remove_file(p);
                }
                flash = None;
                wake_rx = d.into_wake();
                model = DataModel::new(
                    &args.identity,
                    &args.acs,
                    &cr_url,
                    &args.cr_user,
                    &args.cr_password,
                );
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
