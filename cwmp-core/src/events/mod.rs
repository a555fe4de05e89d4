//! The queue of undelivered Inform events (§3.7.1.5, Table 8; §A.3.3.1).
//!
//! [`EventQueue`] applies the Table 8 rules so the session machine cannot lose or repeat an event:
//!
//! * **Cumulative behaviour.** A Single code is held once; a Multiple (`M`) code gets one entry per
//!   occurrence with its CommandKey. A Single code that occurs again while its earlier instance is
//!   in flight gets a new entry for the *next* Session (the in-flight instance only covers what
//!   happened before the Inform).
//! * **`0 BOOTSTRAP`** discards every other undelivered event, in flight or not.
//! * **64 events at most** (`EventStruct[64]`): when full, the oldest `M` event is discarded to make
//!   room; if there is none, [`EventQueue::push`] fails with [`EventQueueError::Full`] and nothing
//!   changes.
//! * **Confirmation.** [`EventQueue::begin_session`] marks the pending events as included in the
//!   Inform; [`EventQueue::in_flight`] lists them (as often as the Inform is encoded or re-sent).
//!   [`EventQueue::on_inform_response`] removes those confirmed by the InformResponse; the others
//!   (`5`, `7`, `9`, `10`, `11`, `12` and their `M` companions) wait for
//!   [`EventQueue::confirm`] with the matching response. A confirmed event is gone and never re-sent.
//! * **Session end.** [`EventQueue::end_session`]: whatever is still unconfirmed becomes pending
//!   again, for the immediately following Session; `6 CONNECTION REQUEST` is dropped even on failure
//!   (MUST NOT retry).
//! * **Reboot.** [`EventQueue::on_reboot`] discards the "retry until reboot" codes (`1`, `4`, `8`, `13`,
//!   `14`) and `6 CONNECTION REQUEST`; the caller then pushes the new `1 BOOT`.
//!
//! Choices where Table 8 leaves room (documented, not spec): `5 KICKED` and `9 REQUEST DOWNLOAD`
//! ("MAY retry") are retried; vendor (`X …`, `M X_…`) and unknown codes are kept until confirmed and
//! are taken as confirmed by the InformResponse.
//!
//! **HEARTBEAT** (Annex O): a `14 HEARTBEAT` never shares an Inform with other events. Regular
//! Sessions ([`EventQueue::begin_session`]) leave it pending; [`EventQueue::begin_heartbeat_session`]
//! sends it alone; a HEARTBEAT raised while one is in flight is discarded (O.2.2). Which Session to
//! open first (O.2.2, O.2.3) is the session machine's decision, as is the passive-only
//! `4 VALUE CHANGE` that must not start a Session by itself (fn17): it knows why an event was raised.
//!
//! **Storage.** An entry is 4 bytes: the Table 8 code as a byte, its delivery state, and slot
//! indices into two shared pools (const generics of [`EventQueue`]): `K` CommandKeys (only `M`
//! codes carry one, and an empty one takes no slot) and `V` vendor or unknown code texts. Entries
//! with the same string share its slot. A push that needs a slot when none is free fails with
//! [`EventQueueError::CommandKeyPoolFull`] or [`EventQueueError::EventCodePoolFull`] and, like
//! [`EventQueueError::Full`], changes nothing: no queued event is discarded for a slot.

mod pool;

use core::fmt;

use cwmp_codec::event::{
    ConfirmedBy, EventCode, RetryDiscardPolicy, StandardEventCode, StoredEventCode,
    EVENT_CODE_MAX_LEN,
};

use crate::limits::{CommandKey, COMMAND_KEY_LEN, MAX_INFORM_EVENTS};
use pool::Pool;

/// Default CommandKey slots of an [`EventQueue`]: one per pending transfer result, reboot and
/// ScheduleInform of the default capacities, with room to spare (equal keys share a slot).
pub const DEFAULT_COMMAND_KEY_SLOTS: usize = 8;
/// Default vendor and unknown code slots of an [`EventQueue`] (equal codes share a slot).
pub const DEFAULT_EVENT_CODE_SLOTS: usize = 4;

/// Where an entry is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EventState {
    /// Not yet in an Inform of the current Session: goes into the next one.
    Pending,
    /// In the Inform of the current Session; no InformResponse yet.
    InFlight,
    /// The InformResponse came; waiting for the later response that confirms it (Table 8).
    AwaitingConfirmation,
}

/// One queued event with its CommandKey (`EventStruct`, §A.3.3.1, Table 40), borrowed from the
/// queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueuedEvent<'q> {
    code: EventCode<'q>,
    command_key: &'q str,
    state: EventState,
}

impl<'q> QueuedEvent<'q> {
    /// The event code.
    pub fn code(&self) -> EventCode<'q> {
        self.code
    }
    /// The CommandKey: the originating RPC's for `M` codes, empty for the others (Table 40).
    pub fn command_key(&self) -> &'q str {
        self.command_key
    }
    /// The delivery state.
    pub fn state(&self) -> EventState {
        self.state
    }
    /// Who confirms it, vendor codes mapped to the InformResponse (see the module docs).
    fn confirmed_by(&self) -> ConfirmedBy {
        match self.code.confirmed_by() {
            ConfirmedBy::Vendor => ConfirmedBy::InformResponse,
            other => other,
        }
    }
}

/// A caller mistake or a full queue or pool; the queue is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EventQueueError {
    /// A CommandKey given for a code that has none (only `M` codes carry one, Table 40).
    CommandKeyNotAllowed,
    /// A CommandKey over 32 bytes.
    CommandKeyTooLong,
    /// A vendor or unknown code over 64 bytes.
    EventCodeTooLong,
    /// A hand-built [`EventCode`] whose text is not a valid event code.
    InvalidEventCode,
    /// No room, and no `M` event to discard for it.
    Full,
    /// Every CommandKey slot holds another key (the queue's `K`).
    CommandKeyPoolFull,
    /// Every vendor or unknown code slot holds another code (the queue's `V`).
    EventCodePoolFull,
    /// [`EventQueue::begin_session`] while a Session is already open.
    SessionAlreadyOpen,
}

impl EventQueueError {
    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CommandKeyNotAllowed => "only M event codes carry a CommandKey",
            Self::CommandKeyTooLong => "CommandKey longer than 32 bytes",
            Self::EventCodeTooLong => "event code longer than 64 bytes",
            Self::InvalidEventCode => "not a valid event code",
            Self::Full => "event queue full and no M event to discard",
            Self::CommandKeyPoolFull => "every CommandKey slot of the event queue is in use",
            Self::EventCodePoolFull => "every vendor event code slot of the event queue is in use",
            Self::SessionAlreadyOpen => "a Session is already open",
        }
    }
}

impl fmt::Display for EventQueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for EventQueueError {}

/// What [`EventQueue::push`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Pushed {
    /// A new entry.
    Added,
    /// A Single code already pending: nothing to add (Table 8 "Single").
    AlreadyPending,
    /// A new entry, and the oldest `M` event was discarded to make room (§A.3.3.1).
    AddedDiscardingOldest,
    /// `0 BOOTSTRAP`: added, and this many other undelivered events were discarded.
    Bootstrap {
        /// How many events were discarded.
        discarded: usize,
    },
}

/// How a Session ended, for [`EventQueue::end_session`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SessionEnd {
    /// Terminated successfully (§3.7.1.4).
    Succeeded,
    /// Failed: will be retried (§3.2.1.1).
    Failed,
}

/// An event to put in the Inform: `EventStruct` (§A.3.3.1, Table 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InformEvent<'a> {
    /// `EventCode`.
    pub code: EventCode<'a>,
    /// `CommandKey` (empty for non-`M` codes).
    pub command_key: &'a str,
}

/// An entry's code: a Table 8 code, or the slot of a vendor or unknown code's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Standard(StandardEventCode),
    MVendor(u8),
    Vendor(u8),
    Unknown(u8),
}

impl Code {
    fn slot(self) -> Option<u8> {
        match self {
            Code::Standard(_) => None,
            Code::MVendor(i) | Code::Vendor(i) | Code::Unknown(i) => Some(i),
        }
    }
}

/// No CommandKey slot: the key is empty.
const NO_KEY: u8 = u8::MAX;

/// One queue entry, 4 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    code: Code,
    /// CommandKey slot, or [`NO_KEY`].
    key: u8,
    state: EventState,
}

type KeyPool<const K: usize> = Pool<COMMAND_KEY_LEN, K>;
type CodePool<const V: usize> = Pool<EVENT_CODE_MAX_LEN, V>;

fn code_of<const V: usize>(code: Code, codes: &CodePool<V>) -> EventCode<'_> {
    match code {
        Code::Standard(c) => c.code(),
        Code::MVendor(i) => EventCode::MVendor(codes.get(i)),
        Code::Vendor(i) => EventCode::Vendor(codes.get(i)),
        Code::Unknown(i) => EventCode::Unknown(codes.get(i)),
    }
}

fn view<'q, const K: usize, const V: usize>(
    e: &Entry,
    keys: &'q KeyPool<K>,
    codes: &'q CodePool<V>,
) -> QueuedEvent<'q> {
    QueuedEvent {
        code: code_of(e.code, codes),
        command_key: if e.key == NO_KEY { "" } else { keys.get(e.key) },
        state: e.state,
    }
}

fn release<const K: usize, const V: usize>(
    e: &Entry,
    keys: &mut KeyPool<K>,
    codes: &mut CodePool<V>,
) {
    if e.key != NO_KEY {
        keys.release(e.key);
    }
    if let Some(i) = e.code.slot() {
        codes.release(i);
    }
}

/// The undelivered events of a CPE (§3.7.1.5), at most `min(N, 64)`.
///
/// `N` is the capacity (default 64, the Inform maximum, Table 37); a larger `N` buys nothing since
/// the Inform holds 64. `K` CommandKeys and `V` vendor or unknown codes can be held at once
/// (defaults [`DEFAULT_COMMAND_KEY_SLOTS`] and [`DEFAULT_EVENT_CODE_SLOTS`]; see the module docs).
#[derive(Debug, Clone)]
pub struct EventQueue<
    const N: usize = MAX_INFORM_EVENTS,
    const K: usize = DEFAULT_COMMAND_KEY_SLOTS,
    const V: usize = DEFAULT_EVENT_CODE_SLOTS,
> {
    entries: heapless::Vec<Entry, N>,
    keys: KeyPool<K>,
    codes: CodePool<V>,
    session_open: bool,
    generation: u32,
}

#[cfg(feature = "defmt")]
impl<const N: usize, const K: usize, const V: usize> defmt::Format for EventQueue<N, K, V> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "EventQueue {{ len: {=usize}, session_open: {=bool} }}",
            self.entries.len(),
            self.session_open
        );
    }
}

impl<const N: usize, const K: usize, const V: usize> Default for EventQueue<N, K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const K: usize, const V: usize> EventQueue<N, K, V> {
    /// The effective capacity, `min(N, 64)`.
    pub const CAPACITY: usize = if N < MAX_INFORM_EVENTS {
        N
    } else {
        MAX_INFORM_EVENTS
    };

    /// An empty queue.
    pub const fn new() -> Self {
        EventQueue {
            entries: heapless::Vec::new(),
            keys: Pool::new(),
            codes: Pool::new(),
            session_open: false,
            generation: 0,
        }
    }

    /// Number of entries, all states.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` with no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `true` if an event waits for the next Session (one that is not in the current Inform).
    pub fn has_pending(&self) -> bool {
        self.entries.iter().any(|e| e.state == EventState::Pending)
    }

    /// All entries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = QueuedEvent<'_>> + '_ {
        self.entries
            .iter()
            .map(|e| view(e, &self.keys, &self.codes))
    }

    /// `true` between [`EventQueue::begin_session`] and [`EventQueue::end_session`].
    pub fn is_session_open(&self) -> bool {
        self.session_open
    }

    /// Changes (wrapping) whenever the persistent content (the set of entries) changes.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// Keeps the entries for which `keep` is `true`, freeing the pool slots of the others.
    fn retain(&mut self, mut keep: impl FnMut(QueuedEvent<'_>) -> bool) {
        let keys = &mut self.keys;
        let codes = &mut self.codes;
        self.entries.retain(|e| {
            let kept = keep(view(e, keys, codes));
            if !kept {
                release(e, keys, codes);
            }
            kept
        });
    }

    /// Removes entry `i` (an index from `position`), freeing its pool slots.
    fn remove_at(&mut self, i: usize) {
        if i < self.entries.len() {
            let e = self.entries.remove(i);
            release(&e, &mut self.keys, &mut self.codes);
        }
    }

    /// Records that an event occurred (§3.7.1.5). `command_key` is the originating RPC's for `M`
    /// codes and must be empty for the others.
    ///
    /// # Errors
    ///
    /// [`EventQueueError`] for a misuse, when full with no `M` event to discard, or when the code
    /// or CommandKey needs a pool slot and none is free; the queue is then unchanged. Never panics.
    pub fn push(
        &mut self,
        code: EventCode<'_>,
        command_key: &str,
    ) -> Result<Pushed, EventQueueError> {
        // Re-parse the text so a hand-built variant (`Unknown("1 BOOT")`, a malformed `Vendor`)
        // is stored in its one canonical form, or refused.
        let code =
            EventCode::parse(code.as_str()).map_err(|_| EventQueueError::InvalidEventCode)?;
        if !code.carries_command_key() && !command_key.is_empty() {
            return Err(EventQueueError::CommandKeyNotAllowed);
        }
        if command_key.len() > COMMAND_KEY_LEN {
            return Err(EventQueueError::CommandKeyTooLong);
        }
        if StandardEventCode::new(code).is_none() && code.as_str().len() > EVENT_CODE_MAX_LEN {
            return Err(EventQueueError::EventCodeTooLong);
        }

        if code == EventCode::Bootstrap {
            // Table 8: all other undelivered events MUST be discarded.
            let before = self.entries.len();
            self.retain(|e| e.code() == EventCode::Bootstrap);
            let discarded = before.saturating_sub(self.entries.len());
            let already = self.has_pending();
            if !already {
                self.insert(code, "")?;
            }
            if discarded > 0 || !already {
                self.bump();
            }
            return Ok(Pushed::Bootstrap { discarded });
        }

        if !code.is_multiple()
            && self
                .iter()
                .any(|e| e.state == EventState::Pending && e.code() == code)
        {
            return Ok(Pushed::AlreadyPending);
        }
        // Annex O.2.2: a HEARTBEAT triggered while a HEARTBEAT Session is active is discarded.
        if code == EventCode::Heartbeat && self.is_in_flight(EventCode::Heartbeat) {
            return Ok(Pushed::AlreadyPending);
        }
        let discarded = self.insert(code, command_key)?;
        self.bump();
        Ok(if discarded {
            Pushed::AddedDiscardingOldest
        } else {
            Pushed::Added
        })
    }

    /// Appends a pending entry, discarding the oldest `M` event if full. `Ok(true)` if one was
    /// discarded. Every refusal (no slot, full with no `M` event) comes before any change.
    fn insert(&mut self, code: EventCode<'_>, key: &str) -> Result<bool, EventQueueError> {
        let pooled = |text: &str| {
            self.codes
                .place(text)
                .ok_or(EventQueueError::EventCodePoolFull)
        };
        let stored = match (StandardEventCode::new(code), code) {
            (Some(c), _) => Code::Standard(c),
            (None, EventCode::MVendor(text)) => Code::MVendor(pooled(text)?),
            (None, EventCode::Vendor(text)) => Code::Vendor(pooled(text)?),
            (None, other) => Code::Unknown(pooled(other.as_str())?),
        };
        let key_slot = if key.is_empty() {
            NO_KEY
        } else {
            self.keys
                .place(key)
                .ok_or(EventQueueError::CommandKeyPoolFull)?
        };
        let mut discarded = false;
        if self.entries.len() >= Self::CAPACITY {
            let oldest_m = self
                .iter()
                .position(|e| e.code().is_multiple())
                .ok_or(EventQueueError::Full)?;
            // Releasing can only free slots: the ones placed above stay valid.
            self.remove_at(oldest_m);
            discarded = true;
        }
        self.entries
            .push(Entry {
                code: stored,
                key: key_slot,
                state: EventState::Pending,
            })
            .map_err(|_| EventQueueError::Full)?;
        if let Some(i) = stored.slot() {
            self.codes.acquire(i, code.as_str());
        }
        if key_slot != NO_KEY {
            self.keys.acquire(key_slot, key);
        }
        Ok(discarded)
    }

    /// A regular Session starts: every pending event except `14 HEARTBEAT` goes into its Inform
    /// (state [`EventState::InFlight`]). Events pushed from now on wait for the next Session.
    ///
    /// A pending HEARTBEAT waits for its own Session ([`EventQueue::begin_heartbeat_session`]):
    /// Annex O.2.1 forbids any other event in a HEARTBEAT Inform. Which kind to open is the session
    /// machine's choice: HEARTBEAT first when both are due (O.2.2), the regular Session first while a
    /// Non-HEARTBEAT Inform is being retried (O.2.3).
    ///
    /// # Errors
    ///
    /// [`EventQueueError::SessionAlreadyOpen`] if called twice without [`EventQueue::end_session`].
    pub fn begin_session(&mut self) -> Result<(), EventQueueError> {
        self.begin(|code| code != EventCode::Heartbeat)
    }

    /// A HEARTBEAT Session starts (Annex O): only a pending `14 HEARTBEAT` goes into its Inform;
    /// every other event waits for the next regular Session. Returns `Ok(false)`, with no Session
    /// opened, if no HEARTBEAT is pending.
    ///
    /// # Errors
    ///
    /// [`EventQueueError::SessionAlreadyOpen`] if a Session is open.
    pub fn begin_heartbeat_session(&mut self) -> Result<bool, EventQueueError> {
        if !self.has_pending_heartbeat() {
            return if self.session_open {
                Err(EventQueueError::SessionAlreadyOpen)
            } else {
                Ok(false)
            };
        }
        self.begin(|code| code == EventCode::Heartbeat)?;
        Ok(true)
    }

    /// `true` if a `14 HEARTBEAT` waits for its Session.
    pub fn has_pending_heartbeat(&self) -> bool {
        self.iter()
            .any(|e| e.state == EventState::Pending && e.code() == EventCode::Heartbeat)
    }

    fn begin(&mut self, include: impl Fn(EventCode<'_>) -> bool) -> Result<(), EventQueueError> {
        if self.session_open {
            return Err(EventQueueError::SessionAlreadyOpen);
        }
        self.session_open = true;
        for e in self.entries.iter_mut() {
            if e.state == EventState::Pending && include(code_of(e.code, &self.codes)) {
                e.state = EventState::InFlight;
            }
        }
        Ok(())
    }

    /// The events of the current Session's Inform, oldest first (at most 64). Empty when no Session
    /// is open; may be empty for a Session that exists only to retry (§A.3.3.1).
    pub fn in_flight(&self) -> impl Iterator<Item = InformEvent<'_>> + '_ {
        self.iter()
            .filter(|e| e.state == EventState::InFlight)
            .map(|e| InformEvent {
                code: e.code,
                command_key: e.command_key,
            })
    }

    /// `true` if the current Inform includes `code`.
    pub fn is_in_flight(&self, code: EventCode<'_>) -> bool {
        self.in_flight().any(|e| e.code == code)
    }

    /// The InformResponse arrived: in-flight events confirmed by it are delivered and removed; the
    /// others now wait for their own confirmation ([`EventQueue::confirm`]). Does nothing outside a
    /// Session.
    pub fn on_inform_response(&mut self) {
        if !self.session_open {
            return;
        }
        let before = self.entries.len();
        self.retain(|e| {
            !(e.state == EventState::InFlight && e.confirmed_by() == ConfirmedBy::InformResponse)
        });
        for e in self.entries.iter_mut() {
            if e.state == EventState::InFlight {
                e.state = EventState::AwaitingConfirmation;
            }
        }
        if self.entries.len() != before {
            self.bump();
        }
    }

    /// A response that confirms events arrived (Table 8 "Confirmed by"), for example
    /// `confirm(ConfirmedBy::TransferCompleteResponse, "ck")` after the TransferCompleteResponse of
    /// the TransferComplete with CommandKey `ck`.
    ///
    /// Removes the oldest awaiting `M` event confirmed by `by` with that CommandKey, then any awaiting
    /// Single code confirmed by `by` once no awaiting `M` event of the same kind is left (so `7
    /// TRANSFER COMPLETE` goes with the last of its `M Download`s). Returns how many events were
    /// removed. [`ConfirmedBy::InformResponse`] is [`EventQueue::on_inform_response`]'s job and
    /// removes nothing here.
    pub fn confirm(&mut self, by: ConfirmedBy, command_key: &str) -> usize {
        if by == ConfirmedBy::InformResponse || !self.session_open {
            return 0;
        }
        let awaiting = |e: &QueuedEvent<'_>| e.state == EventState::AwaitingConfirmation;
        let mut removed = 0usize;
        let oldest = self.iter().position(|e| {
            awaiting(&e)
                && e.code().is_multiple()
                && e.confirmed_by() == by
                && e.command_key() == command_key
        });
        if let Some(i) = oldest {
            self.remove_at(i);
            removed = 1;
        }
        let m_left = self
            .iter()
            .any(|e| awaiting(&e) && e.code().is_multiple() && e.confirmed_by() == by);
        if !m_left {
            let before = self.entries.len();
            self.retain(|e| !(awaiting(&e) && !e.code().is_multiple() && e.confirmed_by() == by));
            removed = removed.saturating_add(before.saturating_sub(self.entries.len()));
        }
        if removed > 0 {
            self.bump();
        }
        removed
    }

    /// The Session ended. Unconfirmed events become pending again for the immediately following
    /// Session, except `6 CONNECTION REQUEST`, which MUST NOT be retried (Table 8) and is dropped
    /// whatever the outcome. Duplicate Single codes are merged. Does nothing outside a Session.
    pub fn end_session(&mut self, outcome: SessionEnd) {
        if !self.session_open {
            return;
        }
        let _ = outcome; // The rules are the same for both outcomes; kept for clarity at call sites.
        self.session_open = false;
        let before = self.entries.len();
        self.retain(|e| {
            e.state == EventState::Pending
                || e.code().retry_policy() != RetryDiscardPolicy::MustNotRetry
        });
        for e in self.entries.iter_mut() {
            e.state = EventState::Pending;
        }
        self.dedup_singles();
        if self.entries.len() != before {
            self.bump();
        }
    }

    /// Keeps the first entry of each Single code.
    fn dedup_singles(&mut self) {
        let mut i = 0usize;
        while let Some(e) = self.entries.get(i) {
            let code = code_of(e.code, &self.codes);
            let dup = !code.is_multiple()
                && self
                    .entries
                    .iter()
                    .take(i)
                    .any(|earlier| code_of(earlier.code, &self.codes) == code);
            if dup {
                self.remove_at(i);
            } else {
                i = i.saturating_add(1);
            }
        }
    }

    /// The CPE rebooted (call once at boot, after restoring the persisted events and before pushing
    /// `1 BOOT`): discards the "retry until reboot" codes (`1`, `4`, `8`, `13`, `14`) and `6
    /// CONNECTION REQUEST`, and closes any Session the reboot interrupted.
    pub fn on_reboot(&mut self) {
        self.session_open = false;
        let before = self.entries.len();
        self.retain(|e| {
            !matches!(
                e.code().retry_policy(),
                RetryDiscardPolicy::RetryUntilReboot | RetryDiscardPolicy::MustNotRetry
            )
        });
        for e in self.entries.iter_mut() {
            e.state = EventState::Pending;
        }
        self.dedup_singles();
        if self.entries.len() != before {
            self.bump();
        }
    }

    /// Drops every entry of `code` that is not in flight (for example `4 VALUE CHANGE` when the CPE
    /// drops its pending value-change record after an ACS URL change, §A.3.3.1). Returns how many.
    pub fn discard(&mut self, code: EventCode<'_>) -> usize {
        let before = self.entries.len();
        self.retain(|e| !(e.state == EventState::Pending && e.code() == code));
        let n = before.saturating_sub(self.entries.len());
        if n > 0 {
            self.bump();
        }
        n
    }

    /// Restores one persisted event as pending (used by [`crate::persist`]); same rules as
    /// [`EventQueue::push`] except that `0 BOOTSTRAP` discards nothing (the record was consistent).
    /// A record holding more distinct CommandKeys or vendor codes than the pools is refused like
    /// one holding more events than the queue.
    pub(crate) fn restore(
        &mut self,
        code: StoredEventCode,
        command_key: CommandKey,
    ) -> Result<(), EventQueueError> {
        let view = code.as_event_code();
        if !view.carries_command_key() && !command_key.is_empty() {
            return Err(EventQueueError::CommandKeyNotAllowed);
        }
        if !view.is_multiple() && self.iter().any(|e| e.code() == view) {
            return Ok(());
        }
        self.insert(view, &command_key)?;
        self.bump();
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;
    use EventCode as E;

    fn inform<const N: usize, const K: usize, const V: usize>(
        q: &EventQueue<N, K, V>,
    ) -> Vec<(std::string::String, std::string::String)> {
        q.in_flight()
            .map(|e| (e.code.as_str().into(), e.command_key.into()))
            .collect()
    }

    fn codes<const N: usize, const K: usize, const V: usize>(
        q: &EventQueue<N, K, V>,
    ) -> Vec<std::string::String> {
        q.iter().map(|e| e.code().as_str().into()).collect()
    }

    #[test]
    fn single_held_once_multiple_per_occurrence() {
        let mut q = EventQueue::<64>::new();
        assert_eq!(q.push(E::ValueChange, ""), Ok(Pushed::Added));
        assert_eq!(q.push(E::ValueChange, ""), Ok(Pushed::AlreadyPending));
        assert_eq!(q.push(E::MReboot, "a"), Ok(Pushed::Added));
        assert_eq!(q.push(E::MReboot, "a"), Ok(Pushed::Added));
        assert_eq!(q.push(E::MReboot, "b"), Ok(Pushed::Added));
        assert_eq!(q.len(), 4);
        q.begin_session().unwrap();
        assert_eq!(
            inform(&q),
            [
                ("4 VALUE CHANGE".into(), "".into()),
                ("M Reboot".into(), "a".into()),
                ("M Reboot".into(), "a".into()),
                ("M Reboot".into(), "b".into())
            ]
        );
    }

    #[test]
    fn hand_built_codes_are_normalised() {
        let mut q = EventQueue::<64>::new();
        q.push(E::Unknown("1 BOOT"), "").unwrap();
        assert_eq!(q.iter().next().unwrap().code(), E::Boot);
        assert_eq!(q.push(E::Boot, ""), Ok(Pushed::AlreadyPending));
        assert_eq!(
            q.push(E::Vendor("not vendor"), ""),
            Err(EventQueueError::InvalidEventCode)
        );
        assert_eq!(q.push(E::Unknown("M X_1_Method"), "k"), Ok(Pushed::Added));
        assert_eq!(q.iter().nth(1).unwrap().code(), E::MVendor("M X_1_Method"));
    }

    #[test]
    fn command_keys_only_on_m_codes() {
        let mut q = EventQueue::<64>::new();
        assert_eq!(
            q.push(E::Boot, "x"),
            Err(EventQueueError::CommandKeyNotAllowed)
        );
        assert_eq!(
            q.push(E::MDownload, "123456789012345678901234567890123"),
            Err(EventQueueError::CommandKeyTooLong)
        );
        assert!(q.is_empty());
        assert_eq!(q.push(E::MDownload, ""), Ok(Pushed::Added));
    }

    #[test]
    fn bootstrap_discards_everything_else() {
        let mut q = EventQueue::<64>::new();
        for c in [E::Periodic, E::ValueChange, E::TransferComplete] {
            q.push(c, "").unwrap();
        }
        q.push(E::MDownload, "k").unwrap();
        q.begin_session().unwrap();
        q.push(E::Scheduled, "").unwrap();
        assert_eq!(
            q.push(E::Bootstrap, ""),
            Ok(Pushed::Bootstrap { discarded: 5 })
        );
        assert_eq!(codes(&q), ["0 BOOTSTRAP"]);
        // A second BOOTSTRAP while the first is pending adds nothing.
        assert_eq!(
            q.push(E::Bootstrap, ""),
            Ok(Pushed::Bootstrap { discarded: 0 })
        );
        assert_eq!(q.len(), 1);
        // Later events accompany it.
        q.push(E::Boot, "").unwrap();
        assert_eq!(codes(&q), ["0 BOOTSTRAP", "1 BOOT"]);
        // Never discarded by reboot.
        q.on_reboot();
        assert_eq!(codes(&q), ["0 BOOTSTRAP"]);
    }

    #[test]
    fn overflow_discards_oldest_m_event() {
        // One CommandKey slot per entry, so the 64-entry limit is the one reached.
        let mut q = EventQueue::<64, 64>::new();
        q.push(E::Boot, "").unwrap();
        for i in 0..63 {
            q.push(E::MScheduleInform, &std::format!("{i}")).unwrap();
        }
        assert_eq!(q.len(), 64);
        assert_eq!(q.push(E::MReboot, "new"), Ok(Pushed::AddedDiscardingOldest));
        assert_eq!(q.len(), 64);
        assert_eq!(q.iter().nth(1).unwrap().command_key(), "1");
        assert_eq!(q.iter().last().unwrap().command_key(), "new");
        assert_eq!(q.iter().next().unwrap().code(), E::Boot);
    }

    #[test]
    fn entries_are_four_bytes() {
        assert_eq!(core::mem::size_of::<Entry>(), 4);
    }

    #[test]
    fn full_pools_refuse_without_change_and_free_with_the_last_entry() {
        let mut q = EventQueue::<64, 2, 1>::new();
        q.push(E::MDownload, "a").unwrap();
        q.push(E::MUpload, "b").unwrap();
        // Equal keys share a slot; empty keys take none.
        assert_eq!(q.push(E::MReboot, "a"), Ok(Pushed::Added));
        assert_eq!(q.push(E::MReboot, ""), Ok(Pushed::Added));
        q.push(E::Vendor("X 012345 One"), "").unwrap();
        assert_eq!(
            q.push(E::Vendor("X 012345 One"), ""),
            Ok(Pushed::AlreadyPending)
        );
        let g = q.generation();
        let before: Vec<Owned> = q.iter().map(owned).collect();
        assert_eq!(
            q.push(E::MDownload, "c"),
            Err(EventQueueError::CommandKeyPoolFull)
        );
        assert_eq!(
            q.push(E::Vendor("X 012345 Two"), ""),
            Err(EventQueueError::EventCodePoolFull)
        );
        assert_eq!(
            q.push(E::MVendor("M X_012345_Method"), ""),
            Err(EventQueueError::EventCodePoolFull)
        );
        assert_eq!(q.iter().map(owned).collect::<Vec<_>>(), before);
        assert_eq!(q.generation(), g);
        // Delivered: the slots are free again, and the texts read back right.
        q.begin_session().unwrap();
        q.on_inform_response();
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "b"), 1);
        q.end_session(SessionEnd::Succeeded);
        assert_eq!(codes(&q), ["M Download"]);
        assert_eq!(q.iter().next().unwrap().command_key(), "a");
        q.push(E::MDownload, "c").unwrap();
        assert_eq!(
            q.push(E::MVendor("M X_012345_Method"), "k"),
            Err(EventQueueError::CommandKeyPoolFull)
        );
        q.push(E::Vendor("X 012345 Two"), "").unwrap();
        assert_eq!(
            q.iter().map(owned).collect::<Vec<_>>(),
            [
                ("M Download".into(), "a".into(), EventState::Pending),
                ("M Download".into(), "c".into(), EventState::Pending),
                ("X 012345 Two".into(), "".into(), EventState::Pending),
            ]
        );
    }

    #[test]
    fn full_of_singles_refuses_without_change() {
        let mut q = EventQueue::<3>::new();
        q.push(E::Boot, "").unwrap();
        q.push(E::Periodic, "").unwrap();
        q.push(E::ValueChange, "").unwrap();
        let g = q.generation();
        assert_eq!(q.push(E::Scheduled, ""), Err(EventQueueError::Full));
        assert_eq!(q.len(), 3);
        assert_eq!(q.generation(), g);
        assert_eq!(q.push(E::Boot, ""), Ok(Pushed::AlreadyPending));
    }

    #[test]
    fn inform_response_confirms_most_codes() {
        let mut q = EventQueue::<64>::new();
        for c in [
            E::Boot,
            E::Periodic,
            E::ValueChange,
            E::ConnectionRequest,
            E::Wakeup,
        ] {
            q.push(c, "").unwrap();
        }
        q.push(E::MReboot, "r").unwrap();
        q.begin_session().unwrap();
        assert_eq!(q.in_flight().count(), 6);
        q.on_inform_response();
        assert!(q.is_empty());
        q.end_session(SessionEnd::Succeeded);
        assert!(q.is_empty());
    }

    #[test]
    fn transfer_complete_waits_for_its_response() {
        let mut q = EventQueue::<64>::new();
        q.push(E::Boot, "").unwrap();
        q.push(E::TransferComplete, "").unwrap();
        q.push(E::MDownload, "d1").unwrap();
        q.push(E::MUpload, "u1").unwrap();
        q.begin_session().unwrap();
        q.on_inform_response();
        assert_eq!(codes(&q), ["7 TRANSFER COMPLETE", "M Download", "M Upload"]);
        assert!(q
            .iter()
            .all(|e| e.state() == EventState::AwaitingConfirmation));
        // A response for an unrelated key removes nothing.
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "zz"), 0);
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "d1"), 1);
        assert_eq!(codes(&q), ["7 TRANSFER COMPLETE", "M Upload"]);
        // The session fails before the second TransferCompleteResponse: 7 + M Upload are retried
        // in the next Session, M Download is never re-sent.
        q.end_session(SessionEnd::Failed);
        q.begin_session().unwrap();
        assert_eq!(
            inform(&q),
            [
                ("7 TRANSFER COMPLETE".into(), "".into()),
                ("M Upload".into(), "u1".into())
            ]
        );
        q.on_inform_response();
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "u1"), 2);
        assert!(q.is_empty());
        q.end_session(SessionEnd::Succeeded);
        assert!(q.is_empty());
    }

    #[test]
    fn other_later_confirmations() {
        for (code, by) in [
            (E::Kicked, ConfirmedBy::KickedResponse),
            (E::RequestDownload, ConfirmedBy::RequestDownloadResponse),
            (
                E::AutonomousTransferComplete,
                ConfirmedBy::AutonomousTransferCompleteResponse,
            ),
            (
                E::AutonomousDuStateChangeComplete,
                ConfirmedBy::AutonomousDuStateChangeCompleteResponse,
            ),
        ] {
            let mut q = EventQueue::<64>::new();
            q.push(code, "").unwrap();
            q.begin_session().unwrap();
            q.on_inform_response();
            assert_eq!(q.len(), 1, "{code}");
            assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, ""), 0);
            // Retried after a failure (MAY retry / never discard).
            q.end_session(SessionEnd::Failed);
            q.begin_session().unwrap();
            assert!(q.is_in_flight(code));
            q.on_inform_response();
            assert_eq!(q.confirm(by, ""), 1, "{code}");
            assert!(q.is_empty());
        }
        // 11 + M ChangeDUState.
        let mut q = EventQueue::<64>::new();
        q.push(E::DuStateChangeComplete, "").unwrap();
        q.push(E::MChangeDuState, "c").unwrap();
        q.begin_session().unwrap();
        q.on_inform_response();
        assert_eq!(
            q.confirm(ConfirmedBy::DuStateChangeCompleteResponse, "c"),
            2
        );
        assert!(q.is_empty());
    }

    #[test]
    fn confirmation_outside_a_session_does_nothing() {
        let mut q = EventQueue::<64>::new();
        q.push(E::TransferComplete, "").unwrap();
        q.push(E::MDownload, "d").unwrap();
        // Pending, never sent: a stray confirmation must not drop them.
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "d"), 0);
        q.begin_session().unwrap();
        // In flight, no InformResponse yet: still nothing.
        assert_eq!(q.confirm(ConfirmedBy::TransferCompleteResponse, "d"), 0);
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn connection_request_never_retried() {
        let mut q = EventQueue::<64>::new();
        q.push(E::ConnectionRequest, "").unwrap();
        q.push(E::Periodic, "").unwrap();
        q.begin_session().unwrap();
        // Failure before the InformResponse: PERIODIC is retried, CONNECTION REQUEST is not.
        q.end_session(SessionEnd::Failed);
        assert_eq!(codes(&q), ["2 PERIODIC"]);
        // A connection request arriving during a Session is for the next Session.
        q.begin_session().unwrap();
        q.push(E::ConnectionRequest, "").unwrap();
        q.end_session(SessionEnd::Failed);
        assert_eq!(codes(&q), ["2 PERIODIC", "6 CONNECTION REQUEST"]);
    }

    #[test]
    fn failed_session_retries_in_the_next_one() {
        let mut q = EventQueue::<64>::new();
        q.push(E::Boot, "").unwrap();
        q.push(E::MReboot, "r").unwrap();
        q.begin_session().unwrap();
        assert_eq!(q.begin_session(), Err(EventQueueError::SessionAlreadyOpen));
        q.end_session(SessionEnd::Failed);
        q.push(E::ValueChange, "").unwrap();
        q.begin_session().unwrap();
        // New events are added to the retried Session's array.
        assert_eq!(
            inform(&q),
            [
                ("1 BOOT".into(), "".into()),
                ("M Reboot".into(), "r".into()),
                ("4 VALUE CHANGE".into(), "".into())
            ]
        );
    }

    #[test]
    fn single_code_raised_again_during_session_is_kept() {
        let mut q = EventQueue::<64>::new();
        q.push(E::ValueChange, "").unwrap();
        q.begin_session().unwrap();
        // A value changes after the Inform went out: must be reported next Session.
        assert_eq!(q.push(E::ValueChange, ""), Ok(Pushed::Added));
        q.on_inform_response();
        assert_eq!(codes(&q), ["4 VALUE CHANGE"]);
        assert_eq!(q.iter().next().unwrap().state(), EventState::Pending);
        q.end_session(SessionEnd::Succeeded);
        assert!(q.has_pending());
        // On failure the two instances merge into one.
        let mut q = EventQueue::<64>::new();
        q.push(E::ValueChange, "").unwrap();
        q.begin_session().unwrap();
        q.push(E::ValueChange, "").unwrap();
        q.end_session(SessionEnd::Failed);
        assert_eq!(codes(&q), ["4 VALUE CHANGE"]);
    }

    #[test]
    fn reboot_applies_retry_until_reboot() {
        let mut q = EventQueue::<64>::new();
        for c in [
            E::Boot,
            E::Periodic,
            E::Scheduled,
            E::ValueChange,
            E::Kicked,
            E::ConnectionRequest,
            E::TransferComplete,
            E::DiagnosticsComplete,
            E::RequestDownload,
            E::AutonomousTransferComplete,
            E::DuStateChangeComplete,
            E::AutonomousDuStateChangeComplete,
            E::Wakeup,
            E::Heartbeat,
        ] {
            q.push(c, "").unwrap();
        }
        q.push(E::MScheduleInform, "s").unwrap();
        q.push(E::Vendor("X 012345 Ev"), "").unwrap();
        q.begin_session().unwrap();
        q.on_reboot();
        assert!(!q.is_session_open());
        assert_eq!(
            codes(&q),
            [
                "2 PERIODIC",
                "3 SCHEDULED",
                "5 KICKED",
                "7 TRANSFER COMPLETE",
                "9 REQUEST DOWNLOAD",
                "10 AUTONOMOUS TRANSFER COMPLETE",
                "11 DU STATE CHANGE COMPLETE",
                "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
                "M ScheduleInform",
                "X 012345 Ev"
            ]
        );
        assert!(q.iter().all(|e| e.state() == EventState::Pending));
    }

    #[test]
    fn heartbeat_goes_alone() {
        let mut q = EventQueue::<64>::new();
        q.push(E::Periodic, "").unwrap();
        q.push(E::Heartbeat, "").unwrap();
        q.push(E::MReboot, "r").unwrap();
        assert!(q.has_pending_heartbeat());
        // HEARTBEAT Session: nothing else in its Inform (O.2.1).
        assert_eq!(q.begin_heartbeat_session(), Ok(true));
        assert_eq!(inform(&q), [("14 HEARTBEAT".into(), "".into())]);
        assert_eq!(
            q.begin_heartbeat_session(),
            Err(EventQueueError::SessionAlreadyOpen)
        );
        // Another HEARTBEAT during the HEARTBEAT Session is discarded (O.2.2).
        assert_eq!(q.push(E::Heartbeat, ""), Ok(Pushed::AlreadyPending));
        assert!(!q.has_pending_heartbeat());
        q.on_inform_response();
        q.end_session(SessionEnd::Succeeded);
        // The other events follow in the next regular Session.
        assert_eq!(q.begin_heartbeat_session(), Ok(false));
        assert!(!q.is_session_open());
        q.begin_session().unwrap();
        assert_eq!(
            inform(&q),
            [
                ("2 PERIODIC".into(), "".into()),
                ("M Reboot".into(), "r".into())
            ]
        );
        // A HEARTBEAT raised during a regular Session waits for its own.
        q.push(E::Heartbeat, "").unwrap();
        assert!(!q.is_in_flight(E::Heartbeat));
        q.on_inform_response();
        q.end_session(SessionEnd::Succeeded);
        assert!(q.has_pending_heartbeat());
        // A regular Session leaves it pending.
        q.push(E::ValueChange, "").unwrap();
        q.begin_session().unwrap();
        assert_eq!(inform(&q), [("4 VALUE CHANGE".into(), "".into())]);
    }

    #[test]
    fn discard_and_generation() {
        let mut q = EventQueue::<64>::new();
        let g0 = q.generation();
        q.push(E::ValueChange, "").unwrap();
        let g1 = q.generation();
        assert_ne!(g0, g1);
        assert_eq!(q.push(E::ValueChange, ""), Ok(Pushed::AlreadyPending));
        assert_eq!(q.generation(), g1);
        assert_eq!(q.discard(E::ValueChange), 1);
        assert_ne!(q.generation(), g1);
        assert!(q.is_empty());
        // Session bookkeeping alone is not persistent content.
        q.push(E::TransferComplete, "").unwrap();
        let g = q.generation();
        q.begin_session().unwrap();
        q.on_inform_response();
        q.end_session(SessionEnd::Failed);
        assert_eq!(q.generation(), g);
    }

    type Owned = (std::string::String, std::string::String, EventState);

    fn owned(e: QueuedEvent<'_>) -> Owned {
        (e.code().as_str().into(), e.command_key().into(), e.state())
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(usize, u8),
        Begin,
        BeginHeartbeat,
        InformResponse,
        Confirm(usize, u8),
        End(bool),
        Reboot,
    }

    const CODES: [EventCode<'static>; 23] = [
        E::Bootstrap,
        E::Boot,
        E::Periodic,
        E::Scheduled,
        E::ValueChange,
        E::Kicked,
        E::ConnectionRequest,
        E::TransferComplete,
        E::DiagnosticsComplete,
        E::RequestDownload,
        E::AutonomousTransferComplete,
        E::DuStateChangeComplete,
        E::AutonomousDuStateChangeComplete,
        E::Wakeup,
        E::Heartbeat,
        E::MReboot,
        E::MScheduleInform,
        E::MDownload,
        E::MScheduleDownload,
        E::MUpload,
        E::MChangeDuState,
        E::Vendor("X 012345 Ev"),
        E::MVendor("M X_012345_Method"),
    ];

    const BY: [ConfirmedBy; 6] = [
        ConfirmedBy::TransferCompleteResponse,
        ConfirmedBy::KickedResponse,
        ConfirmedBy::RequestDownloadResponse,
        ConfirmedBy::AutonomousTransferCompleteResponse,
        ConfirmedBy::DuStateChangeCompleteResponse,
        ConfirmedBy::AutonomousDuStateChangeCompleteResponse,
    ];

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (0..CODES.len(), 0u8..4).prop_map(|(c, k)| Op::Push(c, k)),
            1 => Just(Op::Begin),
            1 => Just(Op::BeginHeartbeat),
            1 => Just(Op::InformResponse),
            1 => (0..BY.len(), 0u8..3).prop_map(|(b, k)| Op::Confirm(b, k)),
            1 => any::<bool>().prop_map(Op::End),
            1 => Just(Op::Reboot),
        ]
    }

    proptest::proptest! {
        /// Any sequence of calls keeps the Table 8 invariants.
        #[test]
        fn invariants_hold_under_any_call_sequence(ops in proptest::collection::vec(op(), 0..120)) {
            // Pools smaller than the keys and codes used, so they fill up too.
            let mut q = EventQueue::<16, 2, 1>::new();
            for o in ops {
                let before: Vec<Owned> = q.iter().map(owned).collect();
                match o {
                    Op::Push(c, k) => {
                        let code = CODES[c];
                        let key = if code.carries_command_key() { ["", "a", "b", "c"][usize::from(k)] } else { "" };
                        let r = q.push(code, key);
                        if r.is_err() {
                            // Refused: nothing changed.
                            proptest::prop_assert_eq!(&q.iter().map(owned).collect::<Vec<_>>(), &before);
                        }
                        if r.is_ok() && code != E::Heartbeat {
                            // Never lost: the code is now pending (HEARTBEAT may be dropped, O.2.2).
                            proptest::prop_assert!(q.iter().any(|e| e.code() == code && e.state() == EventState::Pending));
                        }
                        if code == E::Bootstrap {
                            proptest::prop_assert!(q.iter().all(|e| e.code() == E::Bootstrap));
                        }
                    }
                    Op::Begin => { let _ = q.begin_session(); }
                    Op::BeginHeartbeat => { let _ = q.begin_heartbeat_session(); }
                    Op::InformResponse => q.on_inform_response(),
                    Op::Confirm(b, k) => {
                        let _ = q.confirm(BY[b], ["", "a", "b"][usize::from(k)]);
                        // Only entries awaiting confirmation can go.
                        for e in before.iter().filter(|e| e.2 != EventState::AwaitingConfirmation) {
                            proptest::prop_assert!(q.iter().any(|x| owned(x) == *e));
                        }
                    }
                    Op::End(ok) => {
                        q.end_session(if ok { SessionEnd::Succeeded } else { SessionEnd::Failed });
                        proptest::prop_assert!(q.iter().all(|e| e.state() == EventState::Pending));
                        proptest::prop_assert!(!q.iter().any(|e| e.code() == E::ConnectionRequest)
                            || before.iter().any(|e| e.0 == "6 CONNECTION REQUEST" && e.2 == EventState::Pending));
                    }
                    Op::Reboot => {
                        q.on_reboot();
                        proptest::prop_assert!(!q.iter().any(|e| matches!(e.code().retry_policy(),
                            RetryDiscardPolicy::RetryUntilReboot | RetryDiscardPolicy::MustNotRetry)));
                    }
                }
                // Invariants after every call.
                proptest::prop_assert!(q.len() <= EventQueue::<16, 2, 1>::CAPACITY);
                // Each pool slot in use belongs to a distinct string some entry holds.
                let mut keys: Vec<&str> = q.iter().map(|e| e.command_key()).filter(|k| !k.is_empty()).collect();
                keys.sort_unstable();
                keys.dedup();
                proptest::prop_assert_eq!(q.keys.in_use(), keys.len());
                let mut texts: Vec<&str> = q.iter().map(|e| e.code().as_str()).filter(|c| c.starts_with('X') || c.starts_with("M X")).collect();
                texts.sort_unstable();
                texts.dedup();
                proptest::prop_assert_eq!(q.codes.in_use(), texts.len());
                proptest::prop_assert!(q.in_flight().count() <= MAX_INFORM_EVENTS);
                for (i, e) in q.iter().enumerate() {
                    if !e.code().is_multiple() {
                        let same_state = q.iter().skip(i + 1).filter(|x| x.code == e.code && x.state() == e.state()).count();
                        proptest::prop_assert_eq!(same_state, 0, "Single code {} twice in one state", e.code());
                    }
                    if !e.code().carries_command_key() {
                        proptest::prop_assert!(e.command_key().is_empty());
                    }
                }
                if q.in_flight().any(|e| e.code == E::Heartbeat) {
                    proptest::prop_assert_eq!(q.in_flight().count(), 1, "HEARTBEAT alone");
                }
                if !q.is_session_open() {
                    proptest::prop_assert!(q.iter().all(|e| e.state() == EventState::Pending));
                }
            }
        }
    }
}
