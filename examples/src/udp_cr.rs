//! The `cpe` example's UDP Connection Request port (TR-069 Annex G, `--udp-cr ADDR`): one
//! socket carries both the UDP Connection Requests (G.2.2) and the STUN client's Binding
//! Requests and their responses (G.2.1.1: the requests go out from the port the CPE listens on).
//! Datagrams are told apart by their first byte (`classify_datagram`, G.2.1.4).
//!
//! [`spawn_udp_listener`] receives on the socket in a thread:
//! * a UDP Connection Request goes to the shared [`ConnectionRequestServer`]
//!   ([`ConnectionRequestServer::handle_udp`]), checked against the credentials the ACS set
//!   ([`Agent::connection_request_credentials`](cwmp_core::agent::Agent::connection_request_credentials)),
//!   and an accepted one wakes the driver ([`Wake::ConnectionRequest`]); nothing is ever sent
//!   back (G.2.2);
//! * a STUN message is handed to the driver ([`Wake::Stun`]), which owns the machine and the
//!   model that the agent's STUN client needs
//!   ([`Agent::stun_received`](cwmp_core::agent::Agent::stun_received));
//! * anything else is dropped.
//!
//! The driver sends the Binding Requests from a clone of the socket
//! ([`CpeDriver::attach_udp`](crate::cpe_driver::CpeDriver::attach_udp)). The last accepted
//! `ts` is not persisted: G.2.2.3 lets it reset to 0 on reboot.

use std::io;
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration as StdDuration;

use cwmp_codec::connreq::stun::{classify_datagram, DatagramKind};
use cwmp_core::connreq::{ConnectionRequestServer, CrConfig, CrOutcome, RateLimit};

use crate::cpe_driver::{Log, SharedAgent, Wake};
use crate::driver::Clock;

/// How long a receive waits before the thread looks at `stop` again.
const POLL: StdDuration = StdDuration::from_millis(50);

/// Receives on `socket` until `stop` (module doc). `rate_limit` is §3.2.2.1's, shared in
/// spirit with the HTTP listener (its own bucket in `server`'s state).
///
/// # Errors
/// The socket cannot take a read timeout.
pub fn spawn_udp_listener(
    socket: UdpSocket,
    server: Arc<Mutex<ConnectionRequestServer>>,
    agent: SharedAgent,
    rate_limit: RateLimit,
    (wake, stop, log): (Sender<Wake>, Arc<AtomicBool>, Log),
) -> io::Result<JoinHandle<()>> {
    socket.set_read_timeout(Some(POLL))?;
    let clock = Clock::new();
    Ok(std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while !stop.load(Ordering::Relaxed) {
            let (n, from) = match socket.recv_from(&mut buf) {
                Ok(r) => r,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                // ICMP port unreachable from an earlier send (Linux reports it here).
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(e) => {
                    log(&format!("udp: receive failed ({e}): listener stopped"));
                    return;
                }
            };
            let datagram = &buf[..n];
            match classify_datagram(datagram) {
                DatagramKind::Stun => {
                    let _ = wake.send(Wake::Stun(datagram.to_vec()));
                }
                DatagramKind::ConnectionRequest => {
                    let (username, password) = {
                        let a = agent.lock().unwrap();
                        let c = a.connection_request_credentials();
                        (c.username.to_string(), c.password.to_string())
                    };
                    let mut config = CrConfig::new("/", &username, &password);
                    config.rate_limit = rate_limit;
                    let outcome = server
                        .lock()
                        .unwrap()
                        .handle_udp(clock.now(), &config, datagram);
                    match outcome {
                        CrOutcome::Accepted { start_session, .. } => {
                            log(&format!(
                                "udp connection request from {from}: authenticated{}",
                                if start_session {
                                    ", starting a session"
                                } else {
                                    ""
                                }
                            ));
                            if start_session {
                                let _ = wake.send(Wake::ConnectionRequest);
                            }
                        }
                        // A copy of the last accepted one (G.2.2.3: sent several times).
                        CrOutcome::Ignored => {}
                        other => log(&format!(
                            "udp connection request from {from} ignored: {other:?}"
                        )),
                    }
                }
                _ => {}
            }
        }
    }))
}
