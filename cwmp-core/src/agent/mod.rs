//! The CPE agent: every CPE-side RPC of Annex A answered from a data model, once, so a
//! firmware writes only its Parameters (DESIGN §3; the firmware author's guide is
//! [`guide`]).
//!
//! * [`model`]: the data model interface, [`Node`] schemas and the [`DataModel`] trait;
//! * [`table`]: declaring a model as `const` tables, [`table::InstanceTable`];
//! * [`walk`]: paths resolved against the schema, subtree walks;
//! * [`values`]: the §A.2.1 type and range checks of SetParameterValues;
//! * [`sources`]: the streamed GPN/GPV/GPA answers and Inform ParameterList;
//! * [`notify`]: attributes and pending value changes;
//! * [`management`]: `ManagementServer.`, the agent's own;
//! * [`store`]: the agent's persistent record;
//! * [`rpc`]: [`Agent::answer`], every RPC's semantics and faults (§A.3.2, §A.4.1, Table 87);
//! * `driven` (features `blocking`, `async`): the agent and the model as the drivers'
//!   `Application`.
//!
//! The agent sits beside the [`Cpe`]: the run loop gives it each [`AcsRequest`](crate::cpe::AcsRequest)
//! ([`Agent::answer`] calls [`Cpe::respond`]), each machine [`Event`]
//! ([`Agent::handle_event`]), and asks it for the Inform ParameterList
//! ([`Agent::inform_parameters`]).

#[cfg(any(feature = "blocking", feature = "async"))]
pub mod driven;
pub mod guide;
pub mod management;
pub mod model;
pub mod notify;
pub mod rpc;
pub mod sources;
pub mod store;
pub mod table;
pub mod values;
pub mod walk;

use core::cell::Cell;

use cwmp_codec::http::auth::Credentials;
use cwmp_codec::message::ParameterValueStruct;
use cwmp_codec::{EventCode, LendFn, LendingSource, XmlStr};

pub use management::{Management, MANAGEMENT_SERVER};
pub use model::{
    Capabilities, DataModel, Instances, Kind, Node, Param, ParamType, Table, TransferRequest,
    MAX_INSTANCE_DEPTH, MAX_NAME_LEN,
};
pub use notify::{Attribute, Attributes, Pending};
pub use store::AgentRestoreError;
pub use walk::{Name, Target};

use crate::cpe::{Config, Cpe, Event};
use crate::persist::BufferTooSmall;
use crate::stun::{StunClient, StunConfig, StunOutcome};
use crate::time::{Duration, Instant};
use sources::VALUE_SCRATCH;
use walk::{resolve, Tree, Walker};

/// The agent: the attributes (`A` of them), the pending value changes (`P`), and
/// `ManagementServer.`. About `(A + P) × 264` bytes plus 1.8 KiB.
#[derive(Debug, Clone)]
pub struct Agent<const A: usize = 16, const P: usize = 16> {
    pub(crate) ms: Management,
    pub(crate) attrs: Attributes<A>,
    pub(crate) pending: Pending<P>,
    /// Pending names the Inform being sent carries (dropped when it is confirmed).
    in_flight: Cell<usize>,
    /// The STUN client `ManagementServer.STUN*` configures (Annex G.2.1).
    pub(crate) stun: StunClient,
    /// The local address of the Connection Request socket (`UDPConnectionRequestAddress`
    /// without NAT).
    stun_local: Option<core::net::SocketAddr>,
    /// The last `UDPConnectionRequestAddress` value change notified, and one held back by
    /// `UDPConnectionRequestAddressNotificationLimit`.
    udp_notified: Option<Instant>,
    udp_notify_due: Option<Instant>,
    generation: u32,
    persisted: Cell<u32>,
}

impl<const A: usize, const P: usize> Agent<A, P> {
    /// An agent with `ManagementServer.` from `config`, no attributes, nothing pending.
    pub fn new(config: &Config<'_>) -> Self {
        Agent {
            ms: Management::new(config),
            attrs: Attributes::new(),
            pending: Pending::new(),
            in_flight: Cell::new(0),
            stun: StunClient::new(StunConfig::disabled(), 0),
            stun_local: None,
            udp_notified: None,
            udp_notify_due: None,
            generation: 0,
            persisted: Cell::new(0),
        }
    }

    /// The firmware's `ConnectionRequestURL`, `ConnectionRequestUsername`/`Password` factory
    /// values and `UDPConnectionRequestAddress` (empty if none). Values the ACS set (restored by
    /// [`Agent::restore`]) win over the factory credentials.
    pub fn set_connection_request(&mut self, url: &str, username: &str, password: &str) {
        self.ms.cr_url = crate::limits::truncated(url);
        let set = |id| self.ms.acs_set & Management::bit(id) != 0;
        if !set(management::Id::ConnectionRequestUsername) {
            self.ms.cr_username = crate::limits::truncated(username);
        }
        if !set(management::Id::ConnectionRequestPassword) {
            self.ms.cr_password = crate::limits::truncated(password);
        }
    }

    /// A new `ConnectionRequestURL` (the address changed): a value change of a Parameter
    /// whose Notification is Active by default (TR-181), so a Session follows.
    pub fn connection_request_url_changed<
        M: DataModel + ?Sized,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
        url: &str,
    ) {
        if self.ms.cr_url.as_str() == url {
            return;
        }
        self.ms.cr_url = crate::limits::truncated(url);
        let mut name = Name::new();
        let _ = name.push_str(model.root().name);
        let _ = name.push_str(".ManagementServer.ConnectionRequestURL");
        self.changed(now, cpe, model, &name);
    }

    /// `UDPConnectionRequestAddress` (Annex G), read-only.
    pub fn set_udp_connection_request_address(&mut self, address: &str) {
        self.ms.udp_cr_address = crate::limits::truncated(address);
    }

    /// Starts the STUN client (Annex G.2.1) with the `STUN*` values (after [`Agent::restore`]):
    /// `local` is the address the UDP Connection Request socket is bound to, `seed` the
    /// randomness for transaction ids. Binding Requests go out only if `STUNEnable`.
    pub fn stun_start(&mut self, now: Instant, local: core::net::SocketAddr, seed: u64) {
        self.stun = StunClient::new(self.ms.stun_config(), seed);
        self.stun.set_local_address(local);
        self.stun_local = Some(local);
        self.stun.start(now);
    }

    /// The STUN client, for its state.
    pub fn stun(&self) -> &StunClient {
        &self.stun
    }

    /// When to call [`Agent::stun_poll_transmit`] next (a Binding Request or retransmission,
    /// or a `UDPConnectionRequestAddress` notification the limit held back).
    pub fn stun_poll_timeout(&self) -> Option<Instant> {
        [self.stun.poll_timeout(), self.udp_notify_due]
            .into_iter()
            .flatten()
            .min()
    }

    /// Writes the Binding Request due at `now` into `buf` (send it to
    /// [`Management::stun_server`] from the Connection Request port); returns its length.
    /// Delivers a held-back `UDPConnectionRequestAddress` notification first when due.
    pub fn stun_poll_transmit<
        M: DataModel + ?Sized,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
        buf: &mut [u8],
    ) -> Option<usize> {
        if self.udp_notify_due.is_some_and(|t| t <= now) {
            self.notify_udp_address(now, cpe, model);
        }
        self.stun.poll_transmit(now, buf)
    }

    /// A STUN datagram received on the Connection Request port. A new binding sets
    /// `NATDetected` and `UDPConnectionRequestAddress` (the public address, G.2.1.3) and
    /// notifies the change, at most once per `UDPConnectionRequestAddressNotificationLimit`
    /// seconds. Never panics.
    pub fn stun_received<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
        datagram: &[u8],
    ) -> StunOutcome {
        let outcome = self.stun.handle_datagram(now, datagram);
        if let StunOutcome::BindingChanged {
            public,
            nat_detected,
        } = outcome
        {
            self.ms.nat_detected = nat_detected;
            let address = if nat_detected {
                Some(public)
            } else {
                self.stun_local.or(Some(public))
            };
            let mut text = management::MsString::new();
            if let Some(a) = address {
                let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{a}"));
            }
            if text != self.ms.udp_cr_address {
                self.ms.udp_cr_address = text;
                let limit = Duration::from_secs(u64::from(self.ms.udp_cr_notification_limit));
                match self.udp_notified {
                    Some(t) if t.saturating_add(limit) > now => {
                        self.udp_notify_due = Some(t.saturating_add(limit));
                    }
                    _ => self.notify_udp_address(now, cpe, model),
                }
            }
        }
        outcome
    }

    fn notify_udp_address<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
    ) {
        self.udp_notify_due = None;
        self.udp_notified = Some(now);
        let mut name = Name::new();
        let _ = name.push_str(model.root().name);
        let _ = name.push_str(".ManagementServer.UDPConnectionRequestAddress");
        self.changed(now, cpe, model, &name);
    }

    /// The credentials the Connection Request server must check now (§3.2.2:
    /// `ConnectionRequestUsername`/`Password`, as the ACS last set them).
    pub fn connection_request_credentials(&self) -> Credentials<'_> {
        Credentials {
            username: &self.ms.cr_username,
            password: &self.ms.cr_password,
        }
    }

    /// `ManagementServer.` as the agent holds it.
    pub fn management(&self) -> &Management {
        &self.ms
    }

    /// The attribute table.
    pub fn attributes(&self) -> &Attributes<A> {
        &self.attrs
    }

    /// The names pending a value-change notification.
    pub fn pending(&self) -> &Pending<P> {
        &self.pending
    }

    /// The ACS's `ManagementServer.` values written over `config`, for [`Cpe::new`] at
    /// power-up (after [`Agent::restore`]).
    pub fn configure<'c>(&'c self, config: &mut Config<'c>) {
        self.ms.configure(config);
    }

    /// Restores the record written by [`Agent::export`] (before [`Cpe::new`]).
    ///
    /// # Errors
    ///
    /// [`AgentRestoreError`]; nothing was applied. Never panics.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), AgentRestoreError> {
        store::restore(
            bytes,
            &mut self.ms,
            &mut self.attrs,
            &mut self.pending,
            false,
        )?;
        store::restore(
            bytes,
            &mut self.ms,
            &mut self.attrs,
            &mut self.pending,
            true,
        )
    }

    /// After [`Cpe::boot`] (or [`Cpe::bootstrap`]): takes the ParameterKey from the machine,
    /// and re-raises `4 VALUE CHANGE` (passive: it rides with `1 BOOT`) for changes restored
    /// from the record that the ACS has not seen (§A.3.3.1 (i): every change since the last
    /// successful Inform is reported; the machine drops the event itself at a reboot, Table 8).
    /// Starts tracking the Parameters whose default Notification is not 0.
    pub fn boot<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
    ) {
        self.ms.parameter_key = crate::limits::truncated(cpe.parameter_key().unwrap_or(""));
        if has_event(cpe, EventCode::Bootstrap) {
            // Table 8: BOOTSTRAP discards the pending value changes.
            self.pending.clear();
            self.bump();
        } else if !self.pending.is_empty() {
            cpe.value_changed(now, false);
        }
        self.track_defaults(model, "");
    }

    /// Writes the agent's record into `buf` (write it to flash beside the machine's record);
    /// returns its length.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`]. Never panics.
    pub fn export(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let n = store::export(&self.ms, &self.attrs, &self.pending, buf)?;
        self.persisted.set(self.generation);
        Ok(n)
    }

    /// Has the persistent state changed since the last [`Agent::export`]?
    pub fn needs_persist(&self) -> bool {
        self.persisted.get() != self.generation
    }

    pub(crate) fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// Feed every machine event here too (after handling it): a confirmed Inform (`Event::
    /// SessionInitiated`) delivers the pending changes it carried.
    pub fn handle_event<const E: usize, const T: usize, const S: usize>(
        &mut self,
        cpe: &Cpe<E, T, S>,
        event: &Event,
    ) {
        match event {
            Event::SessionStarted
                if has_event(cpe, EventCode::Bootstrap) && !self.pending.is_empty() =>
            {
                self.pending.clear();
                self.bump();
            }
            Event::SessionInitiated if !cpe.in_heartbeat_session() => {
                let n = self.in_flight.replace(0);
                if n > 0 {
                    self.pending.drop_oldest(n);
                    self.bump();
                }
            }
            _ => {}
        }
    }

    /// The firmware changed Parameter `name` (not the ACS, §3.2.1): with Notification Passive
    /// (1) the change waits for the next Session, Active (2) starts one (`4 VALUE CHANGE`).
    /// Returns whether it is to be notified.
    pub fn changed<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
        name: &str,
    ) -> bool {
        let tree = Tree {
            model,
            ms: &self.ms,
        };
        let Ok(r) = resolve(&tree, name) else {
            return false;
        };
        if r.target != Target::Parameter {
            return false;
        }
        let e = walk::Entry {
            node: r.node,
            target: Target::Parameter,
        };
        let (notification, _) = sources::effective(&self.attrs, e, name);
        if let Some(a) = self.attrs.get_mut(name) {
            let mut scratch = [0u8; VALUE_SCRATCH];
            a.fingerprint = tree
                .get(r.node, &r.inst, &mut scratch)
                .map(|v| values::fingerprint(&v));
        }
        self.notify(now, cpe, name, notification)
    }

    fn notify<const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        name: &str,
        notification: u8,
    ) -> bool {
        if notification == 0 {
            return false;
        }
        self.pending.add(name);
        self.bump();
        cpe.value_changed(now, notification == 2);
        true
    }

    /// Compares every tracked Parameter (Notification not 0) with its last value, and
    /// notifies the changed ones like [`Agent::changed`]. Call it before each Session (on
    /// `Event::SessionStarted`) and as often as Active changes must be seen. Returns how many
    /// changed.
    pub fn check_values<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &M,
    ) -> usize {
        let mut changed = 0usize;
        let mut i = 0usize;
        while let Some(a) = self.attrs.list.get(i) {
            i = i.saturating_add(1);
            let name = a.name.clone();
            let tree = Tree {
                model,
                ms: &self.ms,
            };
            let Ok(r) = resolve(&tree, &name) else {
                continue;
            };
            let e = walk::Entry {
                node: r.node,
                target: Target::Parameter,
            };
            let (n, _) = sources::effective(&self.attrs, e, &name);
            let mut scratch = [0u8; VALUE_SCRATCH];
            let fp = tree
                .get(r.node, &r.inst, &mut scratch)
                .map(|v| values::fingerprint(&v));
            let Some(a) = self.attrs.get_mut(&name) else {
                continue;
            };
            let before = a.fingerprint;
            a.fingerprint = fp;
            if before.is_some() && before != fp && n > 0 {
                self.bump();
                if self.notify(now, cpe, &name, n) {
                    changed = changed.saturating_add(1);
                }
            } else if before != fp {
                self.bump();
            }
        }
        changed
    }

    /// Makes an attribute entry (with the current fingerprint) for every Parameter at or below
    /// `prefix` whose schema default Notification is not 0, so [`Agent::check_values`] sees
    /// their changes. Stops when the table is full.
    pub fn track_defaults<M: DataModel + ?Sized>(&mut self, model: &M, prefix: &str) {
        let tree = Tree {
            model,
            ms: &self.ms,
        };
        let Ok(r) = resolve(&tree, prefix) else {
            return;
        };
        let mut w = Walker::new(&tree, &r, prefix, true, model::MAX_DEPTH);
        let mut added = false;
        while let Some(e) = w.next(&tree) {
            let Some(p) = e.node.param() else { continue };
            if p.notification == 0 && !p.forced_active || self.attrs.get(w.name()).is_some() {
                continue;
            }
            let Ok(name) = Name::try_from(w.name()) else {
                continue;
            };
            let mut scratch = [0u8; VALUE_SCRATCH];
            let fp = tree
                .get(e.node, w.instances(), &mut scratch)
                .map(|v| values::fingerprint(&v));
            let n = if p.forced_active { 2 } else { p.notification };
            if !self.attrs.set(
                Attribute {
                    name,
                    notification: n,
                    subscriber: false,
                    fingerprint: fp,
                },
                n,
            ) {
                break;
            }
            added = true;
        }
        if added {
            self.bump();
        }
    }

    /// The Inform ParameterList (§A.3.3.1): every Forced Inform Parameter, then, if a `4 VALUE
    /// CHANGE` rides in this Inform, every pending changed Parameter; in a HEARTBEAT Session the
    /// Forced Inform Parameters only (Annex O.1). Give it to [`Cpe::poll_transmit_with`] as
    /// `Array::from_lending(&list)`.
    pub fn inform_parameters<
        's,
        M: DataModel + ?Sized,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &'s self,
        cpe: &Cpe<E, T, S>,
        model: &'s M,
    ) -> InformList<'s, M, A, P> {
        let changes = !cpe.in_heartbeat_session() && has_event(cpe, EventCode::ValueChange);
        let tree = Tree {
            model,
            ms: &self.ms,
        };
        let mut forced = 0usize;
        for_each_forced(&tree, |_, _| {
            forced = forced.saturating_add(1);
            false
        });
        let pending = if changes {
            self.pending.iter().filter(|n| !is_forced(&tree, n)).count()
        } else {
            0
        };
        self.in_flight
            .set(if changes { self.pending.len() } else { 0 });
        InformList {
            agent: self,
            tree,
            forced,
            pending,
        }
    }
}

fn has_event<const E: usize, const T: usize, const S: usize>(
    cpe: &Cpe<E, T, S>,
    code: EventCode<'_>,
) -> bool {
    cpe.events().iter().any(|e| e.code() == code)
}

/// Is `name` a Forced Inform Parameter (listed once, with the forced ones)?
fn is_forced<M: DataModel + ?Sized>(tree: &Tree<'_, M>, name: &str) -> bool {
    resolve(tree, name)
        .ok()
        .and_then(|r| r.node.param().map(|p| p.forced_inform))
        .unwrap_or(false)
}

/// Calls `f` with every Forced Inform Parameter's walk position.
fn for_each_forced<M: DataModel + ?Sized>(
    tree: &Tree<'_, M>,
    mut f: impl FnMut(&walk::Entry, &Walker) -> bool,
) {
    let Ok(r) = resolve(tree, "") else { return };
    let mut w = Walker::new(tree, &r, "", true, model::MAX_DEPTH);
    while let Some(e) = w.next(tree) {
        if e.node.param().is_some_and(|p| p.forced_inform) && f(&e, &w) {
            return;
        }
    }
}

/// The Inform ParameterList of [`Agent::inform_parameters`].
pub struct InformList<'s, M: ?Sized, const A: usize, const P: usize> {
    agent: &'s Agent<A, P>,
    tree: Tree<'s, M>,
    forced: usize,
    pending: usize,
}

impl<'a, M: DataModel + ?Sized, const A: usize, const P: usize>
    LendingSource<ParameterValueStruct<'a>> for InformList<'_, M, A, P>
{
    fn len(&self) -> usize {
        self.forced.saturating_add(self.pending)
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
    where
        ParameterValueStruct<'a>: 'f,
    {
        let mut scratch = [0u8; VALUE_SCRATCH];
        if index < self.forced {
            let mut i = 0usize;
            let mut done = false;
            for_each_forced(&self.tree, |e, w| {
                if i == index {
                    if let Some(v) = self.tree.get(e.node, w.instances(), &mut scratch) {
                        f(&ParameterValueStruct {
                            name: XmlStr::new(w.name()),
                            value: Some(v),
                        });
                        done = true;
                    }
                    return true;
                }
                i = i.saturating_add(1);
                false
            });
            return done;
        }
        if index >= self.len() {
            return false;
        }
        let Some(name) = self
            .agent
            .pending
            .iter()
            .filter(|n| !is_forced(&self.tree, n))
            .nth(index.saturating_sub(self.forced))
        else {
            return false;
        };
        // A pending Parameter that no longer exists (its instance deleted) or is a Forced
        // Inform one already listed goes out with an empty string rather than breaking the
        // count.
        let value = resolve(&self.tree, name)
            .ok()
            .filter(|r| r.target == Target::Parameter)
            .and_then(|r| self.tree.get(r.node, &r.inst, &mut scratch));
        f(&ParameterValueStruct {
            name: XmlStr::new(name),
            value: Some(value.unwrap_or(cwmp_codec::Value::string(""))),
        });
        true
    }
}
