#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! `acs`: a small ACS for testing CPEs. It runs a script of requests against each CPE that
//! connects and logs every exchange.
//!
//! ```text
//! cargo run --example acs -- --help     # every flag and the script format
//! cargo run --example acs -- --listen 127.0.0.1:7547 --script examples/scripts/basic.acs
//! ```
//!
//! The flags are `cwmp_examples::cli::AcsCli`'s; the script format is
//! `cwmp_examples::acs_script::SCRIPT_FORMAT`.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use cwmp_core::acs::{
    AcsConfig, AcsSession, AnyUser, CredentialStore, Event, Outcome, Received, RequestId,
    StaticCredentials, Transmit,
};
use cwmp_core::codec::Body;
use cwmp_core::Duration;
use cwmp_examples::acs_script::{self, summarize, ScriptLine};
use cwmp_examples::acs_server::{
    send_connection_request, send_udp_connection_request, serve_with, AcsHandler,
};
use cwmp_examples::cli::AcsCli;
use cwmp_examples::inspect::Lines;

/// Set by the SIGINT handler; the accept loop checks it between connections and while idle.
static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
#[allow(unsafe_code)]
fn on_ctrl_c() {
    extern "C" fn handler(_: libc::c_int) {
        // Only an atomic store: async-signal-safe. A second Ctrl-C gets the default action.
        STOP.store(true, Ordering::SeqCst);
        // SAFETY: restoring the default disposition of SIGINT is async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
    }
    // SAFETY: `handler` is an `extern "C" fn(c_int)` that only touches an atomic and calls
    // `signal`, both async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as *const () as libc::sighandler_t);
    }
}

#[cfg(not(unix))]
fn on_ctrl_c() {}

/// A connection request to send once the ACS listens.
enum ConnectionRequestTo {
    Http(String),
    Udp(String),
}

/// Sends `cr` from its own thread (the accept loop owns the main one) and prints the outcome.
fn spawn_connection_request(
    cr: ConnectionRequestTo,
    user: String,
    password: String,
    delay: std::time::Duration,
) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        match cr {
            ConnectionRequestTo::Http(url) => {
                match send_connection_request(
                    &url,
                    &user,
                    &password,
                    std::time::Duration::from_secs(10),
                ) {
                    Ok(outcome) => println!("connection request to {url}: {outcome:?}"),
                    Err(e) => println!("connection request to {url} failed: {e}"),
                }
            }
            ConnectionRequestTo::Udp(addr) => {
                let id = cwmp_examples::acs_server::random_seed();
                match send_udp_connection_request(&addr, &user, &password, id, 3) {
                    Ok(n) => {
                        println!("UDP connection request to {addr}: {n} datagram(s) sent (id {id})")
                    }
                    Err(e) => println!("UDP connection request to {addr} failed: {e}"),
                }
            }
        }
    });
}

/// What the script runner keeps per Session (Sessions are found by cookie: a Session may go
/// on over a new connection).
#[derive(Default)]
struct PerSession {
    number: usize,
    next: usize,
    sent: HashMap<RequestId, usize>,
}

struct ScriptAcs {
    script: &'static [ScriptLine],
    sessions: HashMap<String, PerSession>,
    current: String,
    verbose: bool,
    started: usize,
    completed: usize,
    failed: usize,
}

impl ScriptAcs {
    /// Selects (or creates) the state of `session`.
    fn select(&mut self, session: &AcsSession<'static>) {
        let cookie = session.cookie().to_string();
        if !self.sessions.contains_key(&cookie) {
            self.started += 1;
            self.sessions.insert(
                cookie.clone(),
                PerSession {
                    number: self.started,
                    ..PerSession::default()
                },
            );
        }
        self.current = cookie;
    }

    fn state(&mut self) -> &mut PerSession {
        self.sessions.entry(self.current.clone()).or_default()
    }

    fn log(&self, text: &str) {
        let n = self.sessions.get(&self.current).map_or(0, |s| s.number);
        println!("[{n}] {text}");
    }

    fn log_body(&self, arrow: &str, body: &Body<'_>, note: &str) {
        let s = summarize(body);
        let (first, rest) = s.split_once('\n').unwrap_or((&s, ""));
        self.log(&format!("{arrow} {first}{note}"));
        if self.verbose {
            let mut out = Vec::new();
            body.visit(&mut Lines::new(&mut out));
            for l in String::from_utf8_lossy(&out).lines() {
                println!("        {l}");
            }
        } else if !rest.is_empty() {
            println!("{rest}");
        }
    }

    fn top_up(&mut self, session: &mut AcsSession<'static>) {
        let script = self.script;
        let st = self.state();
        while st.next < script.len() && session.queued() < 8 {
            match session.enqueue(script[st.next].body.clone()) {
                Ok(id) => {
                    st.sent.insert(id, st.next);
                    st.next += 1;
                }
                Err(_) => break,
            }
        }
    }

    fn line_of(&self, id: RequestId) -> String {
        self.sessions
            .get(&self.current)
            .and_then(|s| s.sent.get(&id))
            .map(|&i| format!(" [script line {}]", self.script[i].line))
            .unwrap_or_default()
    }
}

impl AcsHandler<'static> for ScriptAcs {
    fn connected(&mut self, peer: SocketAddr) {
        println!("connection from {peer}");
    }

    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        self.select(session);
        match &received {
            Received::Inform(i) => {
                let version = match (i.version, i.use_cwmp_version) {
                    (Some(v), true) => format!(", CWMP {v} (UseCWMPVersion)"),
                    (Some(v), false) => format!(", CWMP {v} (from namespace {})", i.namespace),
                    (None, _) => ", no common CWMP version: fault 8006".to_string(),
                };
                self.log_body("<-", &Body::Inform(i.inform.clone()), &version);
                self.top_up(session);
            }
            Received::CpeRequest { body } => {
                self.log_body("<-", body, " (CPE request, answered)");
            }
            Received::Response { id, body } => {
                self.log_body("<-", body, &format!(" {id}{}", self.line_of(*id)));
                self.top_up(session);
            }
            Received::CpeFault { id, code, fault } => {
                let note = if code.get() != fault.code() {
                    format!(" {id}{} (read as {})", self.line_of(*id), code.get())
                } else {
                    format!(" {id}{}", self.line_of(*id))
                };
                self.log_body("<-", &Body::Fault(fault.clone()), &note);
                self.top_up(session);
            }
            Received::EmptyPost => {
                self.log("<- empty POST");
                self.top_up(session);
            }
            _ => {}
        }
    }

    fn transmitted(&mut self, session: &AcsSession<'static>, t: &Transmit) {
        self.select(session);
        match t.status {
            200 => {}
            401 if !t.close => {}
            204 => self.log("-> 204 No Content"),
            s => self.log(&format!(
                "-> HTTP {s}{}",
                if t.close { ", closing" } else { "" }
            )),
        }
    }

    fn event(&mut self, session: &AcsSession<'static>, event: Event) {
        self.select(session);
        match event {
            Event::Challenged { reason } => {
                self.log(&format!("-> 401 Digest challenge ({reason:?})"))
            }
            Event::Authenticated => {
                self.log(&format!("   authenticated as {:?}", session.username()))
            }
            Event::SessionStarted { version } => {
                self.log(&format!("-> InformResponse (CWMP {version})"))
            }
            Event::RequestSent { id } => {
                if let Some(&i) = self.state().sent.get(&id) {
                    let body = self.script[i].body.clone();
                    self.log_body("->", &body, &format!(" {id}{}", self.line_of(id)));
                }
            }
            Event::RequestDropped { id } => {
                self.log(&format!("   request {id} could not be encoded: dropped"))
            }
            Event::SessionEnded { outcome } => {
                match outcome {
                    Outcome::Completed => self.completed += 1,
                    Outcome::Failed(_) => self.failed += 1,
                }
                let left = self.script.len() - self.state().next + session.queued();
                let tail = if left > 0 && outcome == Outcome::Completed {
                    format!(" ({left} script request(s) not sent)")
                } else {
                    String::new()
                };
                self.log(&format!("session {outcome}{tail}"));
                let cookie = self.current.clone();
                self.sessions.remove(&cookie);
            }
            _ => {}
        }
    }
}

fn main() -> ExitCode {
    // `--help` prints every flag and the script format and exits 0; a bad command line exits 2.
    let AcsCli {
        listen,
        script: script_path,
        user,
        password,
        sessions,
        timeout,
        verbose,
        connection_request,
        udp_connection_request,
        cr_user,
        cr_password,
        cr_delay,
        tls_cert,
        tls_key,
    } = AcsCli::parse();
    let connection_request = match (connection_request, udp_connection_request) {
        (Some(url), _) => Some(ConnectionRequestTo::Http(url)),
        (None, Some(addr)) => Some(ConnectionRequestTo::Udp(addr)),
        (None, None) => None,
    };
    let script: Vec<ScriptLine> = match &script_path {
        None => Vec::new(),
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| acs_script::parse(&t))
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{p}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let script: &'static [ScriptLine] = Box::leak(script.into_boxed_slice());

    let credentials: Option<&'static dyn CredentialStore> = match (user, password) {
        (Some(u), Some(p)) => Some(Box::leak(Box::new(StaticCredentials {
            username: Box::leak(u.into_boxed_str()),
            password: Box::leak(p.into_boxed_str()),
        }))),
        (None, Some(p)) => Some(Box::leak(Box::new(AnyUser(Box::leak(p.into_boxed_str()))))),
        (Some(_), None) => {
            eprintln!("--user needs --password");
            return ExitCode::from(2);
        }
        (None, None) => None,
    };
    let config = AcsConfig {
        credentials,
        session_timeout: Duration::from_secs(timeout),
        ..AcsConfig::default()
    };

    let tls = match (&tls_cert, &tls_key) {
        (Some(c), Some(k)) => match cwmp_examples::tls::server_config(c.as_ref(), k.as_ref()) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        (None, None) => None,
        _ => {
            eprintln!("--tls-cert and --tls-key go together");
            return ExitCode::from(2);
        }
    };

    let listener = match TcpListener::bind(&listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "ACS listening on {}://{}/ ({} script request(s){}); Ctrl-C to stop",
        if tls.is_some() { "https" } else { "http" },
        listener
            .local_addr()
            .map_or(listen.clone(), |a| a.to_string()),
        script.len(),
        if config.credentials.is_some() {
            ", Digest authentication"
        } else {
            ""
        }
    );
    let mut acs = ScriptAcs {
        script,
        sessions: HashMap::new(),
        current: String::new(),
        verbose,
        started: 0,
        completed: 0,
        failed: 0,
    };
    on_ctrl_c();
    if let Some(cr) = connection_request {
        spawn_connection_request(
            cr,
            cr_user,
            cr_password,
            std::time::Duration::from_secs(cr_delay),
        );
    }
    match serve_with(&listener, config, &mut acs, sessions, &STOP, tls.as_ref()) {
        Ok(n) => {
            if STOP.load(Ordering::Relaxed) {
                println!("interrupted");
            }
            println!(
                "{n} session(s): {} completed, {} failed",
                acs.completed, acs.failed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("listener failed: {e}");
            ExitCode::FAILURE
        }
    }
}
