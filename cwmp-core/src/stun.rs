//! The sans-IO STUN client of TR-069 Annex G.2.1 (DIGEST §3.3; Annex G is obsoleted by Annex
//! K, kept for `ManagementServer.STUN*` of TR-181): it owns the Binding Request schedule and
//! the binding it learns, nothing else. The caller owns the socket (the UDP Connection Request
//! port, G.2.1.1) and the clock.
//!
//! * Binding Requests are spaced between `STUNMinimumKeepAlivePeriod` and
//!   `STUNMaximumKeepAlivePeriod` (G.2.1.2); each is retransmitted per RFC 3489 §9.3: after
//!   100 ms, doubling up to 1.6 s, 9 transmissions in all, then the transaction fails;
//! * every request carries CONNECTION-REQUEST-BINDING (Table 107) and USERNAME when
//!   `STUNUsername` is not empty; BINDING-CHANGE rides on the first binding and on every change
//!   until a response confirms it was heard (G.2.1.3);
//! * a Binding Response whose transaction id matches gives the public address: it differs from
//!   the local one → `NATDetected` (G.2.1.3); a new public address is reported as
//!   [`StunOutcome::BindingChanged`] so the agent updates `UDPConnectionRequestAddress`.
//!
//! * a `401` Binding Error Response, when `STUNUsername` and `STUNPassword` are both set, is
//!   answered at once by a new Binding Request with USERNAME and MESSAGE-INTEGRITY keyed by
//!   `STUNPassword` ([`StunOutcome::Challenged`], G.2.1.1); the response to a signed request
//!   is discarded unless its MESSAGE-INTEGRITY is valid (the request is then retransmitted as
//!   if nothing came). No other request is signed (G.2.1.1 forbids it), so against a server
//!   that always asks, every keep-alive is a 401 then a signed request. A 401 to a signed
//!   request, or without credentials, is [`StunOutcome::Unauthorized`]: the next try waits
//!   the maximum keep-alive period.
//!
//! Drive it like the machines: [`StunClient::poll_transmit`] for the datagram to send to the
//! STUN server, [`StunClient::handle_datagram`] for every STUN datagram received on the port,
//! [`StunClient::poll_timeout`] for when to call again.

use core::net::SocketAddr;

use cwmp_codec::connreq::stun::{BindingRequest, StunAddress, StunMessage};

use crate::rng::{uniform_inclusive, Rng, SplitMix64};
use crate::time::{Duration, Instant};

/// RFC 3489 §9.3: the first retransmission interval.
pub const FIRST_RETRANSMIT: Duration = Duration::from_millis(100);
/// RFC 3489 §9.3: the interval stops doubling here.
pub const MAX_RETRANSMIT: Duration = Duration::from_millis(1600);
/// RFC 3489 §9.3: transmissions of one request before it fails.
pub const MAX_TRANSMISSIONS: u8 = 9;
/// `STUNServerPort`'s default (TR-181).
pub const DEFAULT_SERVER_PORT: u16 = 3478;
/// The keep-alive period used when neither bound gives one (*impl*: both 0 or unbounded).
pub const DEFAULT_KEEPALIVE: u32 = 30;

/// The `ManagementServer.STUN*` values the client needs (G.2.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StunConfig {
    /// `STUNEnable`.
    pub enable: bool,
    /// `STUNUsername` (USERNAME when not empty, Table 107).
    pub username: heapless::String<256>,
    /// `STUNPassword`: the MESSAGE-INTEGRITY key of the request that answers a `401`
    /// (G.2.1.1); empty: none, a `401` is [`StunOutcome::Unauthorized`].
    pub password: heapless::String<256>,
    /// `STUNMinimumKeepAlivePeriod`, seconds.
    pub minimum_keepalive: u32,
    /// `STUNMaximumKeepAlivePeriod`, seconds; -1: no maximum.
    pub maximum_keepalive: i32,
}

impl StunConfig {
    /// Disabled, no username, no bounds (TR-181 defaults).
    pub const fn disabled() -> Self {
        StunConfig {
            enable: false,
            username: heapless::String::new(),
            password: heapless::String::new(),
            minimum_keepalive: 0,
            maximum_keepalive: -1,
        }
    }

    /// The range the keep-alive period is drawn from, in seconds (at least 1).
    fn period_range(&self) -> (u64, u64) {
        let min = u64::from(self.minimum_keepalive);
        match u64::try_from(self.maximum_keepalive) {
            Ok(max) if max > 0 => {
                let low = min.clamp(1, max);
                (low, max)
            }
            _ if min > 0 => (min, min),
            _ => (u64::from(DEFAULT_KEEPALIVE), u64::from(DEFAULT_KEEPALIVE)),
        }
    }
}

/// What a received datagram meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StunOutcome {
    /// Not for us (not STUN, malformed, another transaction, not a response): dropped.
    Ignored,
    /// The binding is the one known: nothing to do.
    Refreshed,
    /// A new public address (the first, or a change): set `UDPConnectionRequestAddress` to it
    /// and `NATDetected` to `nat_detected` (G.2.1.3). A Binding Request with BINDING-CHANGE
    /// follows (already scheduled).
    BindingChanged {
        /// The address the STUN server saw.
        public: SocketAddr,
        /// It differs from the local address.
        nat_detected: bool,
    },
    /// A `401` Binding Error Response to an unsigned request, with `STUNUsername` and
    /// `STUNPassword` set: a Binding Request with USERNAME and MESSAGE-INTEGRITY is due at once
    /// (G.2.1.1).
    Challenged,
    /// A `401` Binding Error Response to a signed request, or without credentials to sign
    /// with: tried again after the maximum keep-alive period.
    Unauthorized,
    /// Another Binding Error Response (the ERROR-CODE): tried again at the next keep-alive.
    Error(u16),
}

// `core::net::SocketAddr` has no `defmt::Format`: the address goes through its `Display`.
#[cfg(feature = "defmt")]
impl defmt::Format for StunOutcome {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            StunOutcome::Ignored => defmt::write!(f, "Ignored"),
            StunOutcome::Refreshed => defmt::write!(f, "Refreshed"),
            StunOutcome::BindingChanged {
                public,
                nat_detected,
            } => defmt::write!(
                f,
                "BindingChanged {{ public: {}, nat_detected: {} }}",
                defmt::Display2Format(public),
                nat_detected
            ),
            StunOutcome::Challenged => defmt::write!(f, "Challenged"),
            StunOutcome::Unauthorized => defmt::write!(f, "Unauthorized"),
            StunOutcome::Error(code) => defmt::write!(f, "Error({})", code),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transaction {
    id: [u8; 16],
    sent: u8,
    next: Instant,
    binding_change: bool,
    /// Carries USERNAME and MESSAGE-INTEGRITY: it answers a `401` (G.2.1.1).
    signed: bool,
}

/// The STUN client (module doc). About 600 bytes (its two strings of 256).
#[derive(Debug, Clone)]
pub struct StunClient {
    config: StunConfig,
    rng: SplitMix64,
    local: Option<SocketAddr>,
    public: Option<SocketAddr>,
    nat_detected: bool,
    /// BINDING-CHANGE is owed until a response to a request carrying it arrives.
    announce: bool,
    tx: Option<Transaction>,
    next_request: Option<Instant>,
    /// The next new request answers a `401`: sign it.
    sign_next: bool,
    failures: u32,
}

impl StunClient {
    /// A client with `config`, randomness (transaction ids, the keep-alive period) from
    /// `seed`. Nothing is sent before [`StunClient::configure`] or [`StunClient::start`].
    pub const fn new(config: StunConfig, seed: u64) -> Self {
        StunClient {
            config,
            rng: SplitMix64::new(seed),
            local: None,
            public: None,
            nat_detected: false,
            announce: true,
            tx: None,
            next_request: None,
            sign_next: false,
            failures: 0,
        }
    }

    /// Starts the schedule (the first Binding Request is due at `now`) if enabled.
    pub fn start(&mut self, now: Instant) {
        self.tx = None;
        self.sign_next = false;
        self.next_request = self.config.enable.then_some(now);
    }

    /// New `STUN*` values (an SPV): restarts the schedule; disabling stops it and forgets the
    /// binding.
    pub fn configure(&mut self, now: Instant, config: StunConfig) {
        self.config = config;
        if !self.config.enable {
            self.public = None;
            self.nat_detected = false;
            self.announce = true;
        }
        self.start(now);
    }

    /// The address the Connection Request socket is bound to locally (compared with the
    /// mapped address for `NATDetected`).
    pub fn set_local_address(&mut self, local: SocketAddr) {
        self.local = Some(local);
    }

    /// The configuration in force.
    pub fn config(&self) -> &StunConfig {
        &self.config
    }

    /// The public address last learnt.
    pub fn public_address(&self) -> Option<SocketAddr> {
        self.public
    }

    /// `NATDetected` (G.2.1.3).
    pub fn nat_detected(&self) -> bool {
        self.nat_detected
    }

    /// Transactions that failed (no response after [`MAX_TRANSMISSIONS`]) since the last
    /// response.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When to call [`StunClient::poll_transmit`] next; `None` when disabled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.config.enable {
            return None;
        }
        match &self.tx {
            Some(t) => Some(t.next),
            None => self.next_request,
        }
    }

    /// Writes the Binding Request (or retransmission) due at `now` into `buf`; returns its
    /// length, `None` if nothing is due (or `buf` is too small). Send it to
    /// `STUNServerAddress:STUNServerPort` from the Connection Request port.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        if !self.config.enable {
            return None;
        }
        if let Some(t) = self.tx {
            if t.next > now {
                return None;
            }
            if t.sent >= MAX_TRANSMISSIONS {
                // RFC 3489 §9.3: the transaction failed; try again at the next keep-alive.
                self.tx = None;
                self.failures = self.failures.saturating_add(1);
                self.next_request = Some(self.keepalive_from(now));
                return None;
            }
            return self.send(now, t, buf);
        }
        if self.next_request.is_none_or(|at| at > now) {
            return None;
        }
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let t = Transaction {
            id,
            sent: 0,
            next: now,
            binding_change: self.announce,
            signed: core::mem::take(&mut self.sign_next),
        };
        self.next_request = None;
        self.send(now, t, buf)
    }

    fn send(&mut self, now: Instant, mut t: Transaction, buf: &mut [u8]) -> Option<usize> {
        let username =
            (!self.config.username.is_empty()).then_some(self.config.username.as_bytes());
        let req = BindingRequest {
            binding_change: t.binding_change,
            username,
            message_integrity: t.signed.then_some(self.config.password.as_bytes()),
            ..BindingRequest::new(t.id)
        };
        let n = req.encode(buf).ok()?;
        t.sent = t.sent.saturating_add(1);
        t.next = now.saturating_add(retransmit_interval(t.sent));
        self.tx = Some(t);
        Some(n)
    }

    fn keepalive_from(&mut self, now: Instant) -> Instant {
        let (low, high) = self.config.period_range();
        let secs = uniform_inclusive(&mut self.rng, low, high);
        now.saturating_add(Duration::from_secs(secs))
    }

    /// A STUN datagram received on the Connection Request port (see
    /// `cwmp_codec::connreq::stun::classify_datagram`). Never panics on any input.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) -> StunOutcome {
        let Ok(m) = StunMessage::decode(datagram) else {
            return StunOutcome::Ignored;
        };
        let Some(t) = self.tx.filter(|t| t.id == m.transaction_id) else {
            return StunOutcome::Ignored;
        };
        if !self.config.enable {
            return StunOutcome::Ignored;
        }
        if m.is_binding_error_response() {
            self.tx = None;
            let code = m.error_code().map_or(0, |e| e.code);
            if code == 401 {
                let can_sign = !self.config.username.is_empty() && !self.config.password.is_empty();
                if !t.signed && can_sign {
                    // G.2.1.1: resend with USERNAME and MESSAGE-INTEGRITY, now.
                    self.sign_next = true;
                    self.next_request = Some(now);
                    return StunOutcome::Challenged;
                }
                // Refused even signed, or nothing to sign with: wait as long as allowed.
                let (_, high) = self.config.period_range();
                self.next_request = Some(now.saturating_add(Duration::from_secs(high)));
                return StunOutcome::Unauthorized;
            }
            self.next_request = Some(self.keepalive_from(now));
            return StunOutcome::Error(code);
        }
        if !m.is_binding_response() {
            return StunOutcome::Ignored;
        }
        // G.2.1.1: the response to a signed request counts only with a valid
        // MESSAGE-INTEGRITY; otherwise it is as if nothing came (the request is retransmitted).
        if t.signed && !m.verify_message_integrity(self.config.password.as_bytes()) {
            return StunOutcome::Ignored;
        }
        let Some(public) = m.public_address().map(StunAddress::to_socket_addr) else {
            return StunOutcome::Ignored;
        };
        self.tx = None;
        self.failures = 0;
        if t.binding_change && self.public == Some(public) {
            self.announce = false;
        }
        let changed = self.public != Some(public);
        if changed {
            self.public = Some(public);
            self.nat_detected = self.local != Some(public);
            // G.2.1.3: BINDING-CHANGE on the first binding and on every change; a request
            // that carried it and learnt this address is the announcement.
            self.announce = !t.binding_change;
        }
        self.next_request = Some(if self.announce {
            now
        } else {
            self.keepalive_from(now)
        });
        if changed {
            StunOutcome::BindingChanged {
                public,
                nat_detected: self.nat_detected,
            }
        } else {
            StunOutcome::Refreshed
        }
    }
}

/// RFC 3489 §9.3: the wait after transmission `sent` (1-based): 100 ms doubling, capped at
/// 1.6 s.
fn retransmit_interval(sent: u8) -> Duration {
    let shift = u32::from(sent.saturating_sub(1)).min(4);
    let ms = FIRST_RETRANSMIT
        .as_millis()
        .checked_shl(shift)
        .unwrap_or(u64::MAX);
    Duration::from_millis(ms.min(MAX_RETRANSMIT.as_millis()))
}
