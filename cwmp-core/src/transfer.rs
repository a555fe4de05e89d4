//! Queued file transfers and the results awaiting TransferComplete (§A.3.2.8 Download, §A.4.1.5
//! Upload, §A.4.1.8 ScheduleDownload, §A.4.1.9 CancelTransfer, §A.3.3.2 TransferComplete).
//!
//! One shared, persistent queue of at least 3 transfers (`N`, default 3). Each slot holds either a
//! queued transfer (QueuedTransferStruct state 1 "Not yet started", 2 "In progress", 3 "Completed,
//! finishing cleanup") or, once the caller reports the outcome, a **result awaiting
//! TransferComplete**. Completing converts the slot in place, so recording a result can never fail
//! for lack of room, and a full queue answers new requests with 9004.
//!
//! The life of a transfer:
//! 1. [`Transfers::queue`] when the Download/Upload/ScheduleDownload is accepted (full: 9004);
//! 2. [`Transfers::next_due`] / [`Transfers::poll_timeout`] for its DelaySeconds deadline, then
//!    [`Transfers::start`];
//! 3. [`Transfers::complete`] with the FaultStruct and times: raises `7 TRANSFER COMPLETE` and the `M`
//!    event of its kind with its CommandKey in the [`EventQueue`], atomically;
//! 4. the session machine sends one TransferComplete per [`Transfers::results`] entry in a later
//!    Session, and on its TransferCompleteResponse calls [`Transfers::on_transfer_complete_response`],
//!    which removes the result and confirms the events. A faulted TransferComplete changes nothing:
//!    the result and its events are retried (§A.3.3.2).
//!
//! [`Transfers::cancel`] (CancelTransfer): every transfer with the CommandKey that has not started is
//! removed, with no TransferComplete; an unknown key is not an error; a matching transfer that has
//! started or finished cannot be cancelled (fault 9021), unless the caller's policy says otherwise
//! ([`Transfers::cancel_where`]). Time windows of ScheduleDownload are the caller's business.

use core::fmt;

use cwmp_codec::datetime::DateTime;
use cwmp_codec::event::{ConfirmedBy, EventCode};

use crate::events::{EventQueue, EventQueueError};
use crate::limits::{bounded, truncated, CommandKey, FaultString, FileType, MIN_TRANSFER_QUEUE};
use crate::time::{instant_for_unix, unix_for_instant, Duration, Instant};

/// Which RPC asked for the transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferKind {
    /// Download (§A.3.2.8): `M Download`.
    Download,
    /// Upload (§A.4.1.5): `M Upload`.
    Upload,
    /// ScheduleDownload (§A.4.1.8): `M ScheduleDownload`.
    ScheduleDownload,
}

impl TransferKind {
    /// The `M` event that reports its completion (Table 8).
    pub const fn event_code(self) -> EventCode<'static> {
        match self {
            TransferKind::Download => EventCode::MDownload,
            TransferKind::Upload => EventCode::MUpload,
            TransferKind::ScheduleDownload => EventCode::MScheduleDownload,
        }
    }

    /// `IsDownload` of AllQueuedTransferStruct (Table 62).
    pub const fn is_download(self) -> bool {
        !matches!(self, TransferKind::Upload)
    }
}

/// QueuedTransferStruct `State` (Table 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferState {
    /// 1 = Not yet started.
    NotYetStarted,
    /// 2 = In progress.
    InProgress,
    /// 3 = Completed, finishing cleanup.
    Completed,
}

impl TransferState {
    /// The wire value, 1..=3.
    pub const fn as_int(self) -> i32 {
        match self {
            TransferState::NotYetStarted => 1,
            TransferState::InProgress => 2,
            TransferState::Completed => 3,
        }
    }

    /// From the wire value.
    pub const fn from_int(v: i32) -> Option<TransferState> {
        match v {
            1 => Some(TransferState::NotYetStarted),
            2 => Some(TransferState::InProgress),
            3 => Some(TransferState::Completed),
            _ => None,
        }
    }
}

/// A handle to one transfer, unique within a [`Transfers`] (CommandKeys need not be unique). Not
/// persistent: restored transfers get new handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TransferId(u32);

/// A transfer the CPE has been asked to perform and has not finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueuedTransfer {
    id: TransferId,
    kind: TransferKind,
    command_key: CommandKey,
    file_type: FileType,
    state: TransferState,
    start_after: Instant,
    start_after_unix: Option<i64>,
}

impl QueuedTransfer {
    /// Its handle.
    pub fn id(&self) -> TransferId {
        self.id
    }
    /// Download, Upload or ScheduleDownload.
    pub fn kind(&self) -> TransferKind {
        self.kind
    }
    /// The CommandKey of the request.
    pub fn command_key(&self) -> &str {
        &self.command_key
    }
    /// The FileType of the request.
    pub fn file_type(&self) -> &str {
        &self.file_type
    }
    /// QueuedTransferStruct state.
    pub fn state(&self) -> TransferState {
        self.state
    }
    /// Not before this instant (DelaySeconds after the request).
    pub fn start_after(&self) -> Instant {
        self.start_after
    }
    /// The same deadline in Unix seconds, if the CPE had absolute time.
    pub fn start_after_unix(&self) -> Option<i64> {
        self.start_after_unix
    }
}

/// A finished transfer, awaiting TransferComplete (§A.3.3.2: CommandKey, FaultStruct, StartTime,
/// CompleteTime).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TransferResult {
    /// Which RPC asked for it (selects the `M` event).
    pub kind: TransferKind,
    /// CommandKey of the request.
    pub command_key: CommandKey,
    /// FaultStruct FaultCode: 0 on success (Table 43).
    pub fault_code: u32,
    /// FaultStruct FaultString, empty on success.
    pub fault_string: FaultString,
    /// StartTime (Unknown Time if not available).
    pub start_time: DateTime,
    /// CompleteTime (Unknown Time if not available).
    pub complete_time: DateTime,
}

impl TransferResult {
    /// `true` for FaultCode 0.
    pub fn is_success(&self) -> bool {
        self.fault_code == 0
    }
}

/// A caller mistake or a refused request; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TransferError {
    /// The queue is full: fault 9004 Resources exceeded.
    QueueFull,
    /// CommandKey over 32 bytes: fault 9003 Invalid arguments.
    CommandKeyTooLong,
    /// FileType over 64 bytes: fault 9003 Invalid arguments.
    FileTypeTooLong,
    /// No transfer with that handle.
    UnknownTransfer,
    /// The transfer is not in a state that allows the call (for example completing a result twice).
    WrongState,
    /// The completion events could not be queued; see [`EventQueueError`].
    Events(EventQueueError),
}

impl TransferError {
    /// The CWMP fault code for errors that answer an RPC.
    pub const fn fault_code(self) -> Option<u32> {
        match self {
            Self::QueueFull => Some(9004),
            Self::CommandKeyTooLong | Self::FileTypeTooLong => Some(9003),
            _ => None,
        }
    }

    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::QueueFull => "transfer queue full",
            Self::CommandKeyTooLong => "CommandKey longer than 32 bytes",
            Self::FileTypeTooLong => "FileType longer than 64 bytes",
            Self::UnknownTransfer => "no such transfer",
            Self::WrongState => "transfer not in a state that allows this",
            Self::Events(e) => e.as_str(),
        }
    }
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for TransferError {}

/// What CancelTransfer did (§A.4.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CancelOutcome {
    /// Transfers removed (no TransferComplete will be sent for them).
    pub cancelled: usize,
    /// Matching transfers that could not be cancelled.
    pub refused: usize,
}

impl CancelOutcome {
    /// The fault to answer: 9021 if any matching transfer could not be cancelled, else none (an
    /// unknown CommandKey is not an error).
    pub const fn fault_code(self) -> Option<u32> {
        if self.refused > 0 {
            Some(9021)
        } else {
            None
        }
    }
}

/// A slot is converted in place from queued to done, so its size is the larger variant's either
/// way; boxing is not available without `alloc`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Slot {
    Queued(QueuedTransfer),
    Done(TransferId, TransferResult),
}

impl Slot {
    fn id(&self) -> TransferId {
        match self {
            Slot::Queued(q) => q.id,
            Slot::Done(id, _) => *id,
        }
    }
}

/// The transfer queue and pending TransferComplete results, `N` ≥ 3 slots (default 3).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transfers<const N: usize = MIN_TRANSFER_QUEUE> {
    slots: heapless::Vec<Slot, N>,
    next_id: u32,
    generation: u32,
}

impl<const N: usize> Default for Transfers<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Transfers<N> {
    /// Empty.
    pub const fn new() -> Self {
        Transfers {
            slots: heapless::Vec::new(),
            next_id: 0,
            generation: 0,
        }
    }

    /// Changes (wrapping) whenever the persistent content changes.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    fn new_id(&mut self) -> TransferId {
        // Skip handles still in use (only possible after 2^32 transfers).
        loop {
            let id = TransferId(self.next_id);
            self.next_id = self.next_id.wrapping_add(1);
            if !self.slots.iter().any(|s| s.id() == id) {
                return id;
            }
        }
    }

    /// Slots in use (queued transfers plus results).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// `true` with nothing queued and no result pending.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Accepts a transfer request received at `now` (§A.3.2.8, §A.4.1.5, §A.4.1.8).
    ///
    /// # Errors
    ///
    /// [`TransferError::QueueFull`] (9004), [`TransferError::CommandKeyTooLong`] or
    /// [`TransferError::FileTypeTooLong`] (9003). Never panics.
    pub fn queue(
        &mut self,
        now: Instant,
        unix_now: Option<i64>,
        kind: TransferKind,
        command_key: &str,
        file_type: &str,
        delay_seconds: u32,
    ) -> Result<TransferId, TransferError> {
        let command_key = bounded(command_key).ok_or(TransferError::CommandKeyTooLong)?;
        let file_type = bounded(file_type).ok_or(TransferError::FileTypeTooLong)?;
        if self.slots.is_full() {
            return Err(TransferError::QueueFull);
        }
        let id = self.new_id();
        let delay = Duration::from_secs(u64::from(delay_seconds));
        let t = QueuedTransfer {
            id,
            kind,
            command_key,
            file_type,
            state: TransferState::NotYetStarted,
            start_after: now.saturating_add(delay),
            start_after_unix: unix_now.map(|u| u.saturating_add(i64::from(delay_seconds))),
        };
        self.slots
            .push(Slot::Queued(t))
            .map_err(|_| TransferError::QueueFull)?;
        self.bump();
        Ok(id)
    }

    /// The queued (unfinished) transfers, in arrival order: the GetAllQueuedTransfers list.
    pub fn queued(&self) -> impl Iterator<Item = &QueuedTransfer> + '_ {
        self.slots.iter().filter_map(|s| match s {
            Slot::Queued(q) => Some(q),
            Slot::Done(..) => None,
        })
    }

    /// One queued transfer.
    pub fn get(&self, id: TransferId) -> Option<&QueuedTransfer> {
        self.queued().find(|q| q.id == id)
    }

    /// The earliest start deadline of a transfer not yet started.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queued()
            .filter(|q| q.state == TransferState::NotYetStarted)
            .map(|q| q.start_after)
            .min()
    }

    /// The oldest transfer not yet started whose DelaySeconds have passed at `now`.
    pub fn next_due(&self, now: Instant) -> Option<&QueuedTransfer> {
        self.queued()
            .find(|q| q.state == TransferState::NotYetStarted && q.start_after <= now)
    }

    fn queued_mut(&mut self, id: TransferId) -> Result<&mut QueuedTransfer, TransferError> {
        self.slots
            .iter_mut()
            .find_map(|s| match s {
                Slot::Queued(q) if q.id == id => Some(q),
                _ => None,
            })
            .ok_or(TransferError::UnknownTransfer)
    }

    /// The transfer starts: state 2 "In progress".
    ///
    /// # Errors
    ///
    /// [`TransferError::UnknownTransfer`]; [`TransferError::WrongState`] unless it was not yet started.
    pub fn start(&mut self, id: TransferId) -> Result<(), TransferError> {
        let q = self.queued_mut(id)?;
        if q.state != TransferState::NotYetStarted {
            return Err(TransferError::WrongState);
        }
        q.state = TransferState::InProgress;
        self.bump();
        Ok(())
    }

    /// The file is transferred and being applied: state 3 "Completed, finishing cleanup".
    ///
    /// # Errors
    ///
    /// [`TransferError::UnknownTransfer`]; [`TransferError::WrongState`] unless it was in progress.
    pub fn finishing(&mut self, id: TransferId) -> Result<(), TransferError> {
        let q = self.queued_mut(id)?;
        if q.state != TransferState::InProgress {
            return Err(TransferError::WrongState);
        }
        q.state = TransferState::Completed;
        self.bump();
        Ok(())
    }

    /// The transfer finished, successfully (`fault_code` 0) or not: the slot becomes a result
    /// awaiting TransferComplete, and `7 TRANSFER COMPLETE` plus the `M` event of its kind (with its
    /// CommandKey) are queued in `events`. `fault_string` is cut to 256 bytes at a character
    /// boundary. A Download answered with Status 0 or a fault never reaches this point (§A.3.2.8:
    /// no TransferComplete); use [`Transfers::remove`] for it.
    ///
    /// # Errors
    ///
    /// [`TransferError::UnknownTransfer`], or [`TransferError::Events`] if the events cannot be
    /// queued; nothing changes then. Never panics.
    pub fn complete<const E: usize>(
        &mut self,
        id: TransferId,
        fault_code: u32,
        fault_string: &str,
        start_time: DateTime,
        complete_time: DateTime,
        events: &mut EventQueue<E>,
    ) -> Result<(), TransferError> {
        let idx = self
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Queued(q) if q.id == id))
            .ok_or(TransferError::UnknownTransfer)?;
        let Some(Slot::Queued(q)) = self.slots.get(idx) else {
            return Err(TransferError::UnknownTransfer);
        };
        let result = TransferResult {
            kind: q.kind,
            command_key: q.command_key.clone(),
            fault_code,
            fault_string: truncated(fault_string),
            start_time,
            complete_time,
        };
        // The M event first: if it cannot be queued, nothing has changed.
        events
            .push(result.kind.event_code(), &result.command_key)
            .map_err(TransferError::Events)?;
        events
            .push(EventCode::TransferComplete, "")
            .map_err(TransferError::Events)?;
        if let Some(slot) = self.slots.get_mut(idx) {
            *slot = Slot::Done(id, result);
        }
        self.bump();
        Ok(())
    }

    /// Results awaiting TransferComplete, oldest first.
    pub fn results(&self) -> impl Iterator<Item = (TransferId, &TransferResult)> + '_ {
        self.slots.iter().filter_map(|s| match s {
            Slot::Done(id, r) => Some((*id, r)),
            Slot::Queued(_) => None,
        })
    }

    /// The TransferCompleteResponse for result `id` arrived: the result is removed for good and its
    /// events are confirmed in `events` ([`EventQueue::confirm`]).
    ///
    /// # Errors
    ///
    /// [`TransferError::UnknownTransfer`] if `id` is not a pending result.
    pub fn on_transfer_complete_response<const E: usize>(
        &mut self,
        id: TransferId,
        events: &mut EventQueue<E>,
    ) -> Result<(), TransferError> {
        let idx = self
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Done(i, _) if *i == id))
            .ok_or(TransferError::UnknownTransfer)?;
        let slot = self.slots.remove(idx);
        if let Slot::Done(_, r) = slot {
            events.confirm(ConfirmedBy::TransferCompleteResponse, &r.command_key);
        }
        self.bump();
        Ok(())
    }

    /// CancelTransfer (§A.4.1.9) with the default policy: transfers not yet started are cancelled,
    /// the others refused (9021).
    pub fn cancel(&mut self, command_key: &str) -> CancelOutcome {
        self.cancel_where(command_key, |q| q.state == TransferState::NotYetStarted)
    }

    /// CancelTransfer with the caller's policy: `can_cancel` says whether a matching queued
    /// transfer can be cancelled now (a CPE that can abort a running download says yes for state
    /// 2). Pending results are never cancellable: the transfer is over. Cancels as many as possible.
    pub fn cancel_where<F: FnMut(&QueuedTransfer) -> bool>(
        &mut self,
        command_key: &str,
        mut can_cancel: F,
    ) -> CancelOutcome {
        let mut out = CancelOutcome::default();
        let mut i = 0usize;
        while let Some(slot) = self.slots.get(i) {
            match slot {
                Slot::Queued(q) if q.command_key.as_str() == command_key => {
                    if can_cancel(q) {
                        self.slots.remove(i);
                        out.cancelled = out.cancelled.saturating_add(1);
                        continue;
                    }
                    out.refused = out.refused.saturating_add(1);
                }
                Slot::Done(_, r) if r.command_key.as_str() == command_key => {
                    out.refused = out.refused.saturating_add(1);
                }
                _ => {}
            }
            i = i.saturating_add(1);
        }
        if out.cancelled > 0 {
            self.bump();
        }
        out
    }

    /// Removes a queued transfer without any TransferComplete: a Download or Upload that finished
    /// within its RPC (Status 0 or a fault, §A.3.2.8 option (a)). Results cannot be removed this
    /// way.
    ///
    /// # Errors
    ///
    /// [`TransferError::UnknownTransfer`].
    pub fn remove(&mut self, id: TransferId) -> Result<(), TransferError> {
        let idx = self
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Queued(q) if q.id == id))
            .ok_or(TransferError::UnknownTransfer)?;
        self.slots.remove(idx);
        self.bump();
        Ok(())
    }

    /// The wall clock appeared or jumped: deadlines with a Unix time are re-mapped; the others get
    /// one.
    pub fn on_clock_change(&mut self, now: Instant, unix_now: Option<i64>) {
        let Some(u) = unix_now else { return };
        let mut changed = false;
        for slot in self.slots.iter_mut() {
            let Slot::Queued(q) = slot else { continue };
            match q.start_after_unix {
                Some(t) => q.start_after = instant_for_unix(now, u, t),
                None => {
                    q.start_after_unix = Some(unix_for_instant(now, u, q.start_after));
                    changed = true;
                }
            }
        }
        if changed {
            self.bump();
        }
    }

    /// Restores a persisted queued transfer (see [`crate::persist`]). `start` is its deadline: a
    /// Unix time, or seconds still to wait from `now` when the CPE had no absolute time.
    #[allow(clippy::too_many_arguments)] // crate-private, one call site: the record's fields
    pub(crate) fn restore_queued(
        &mut self,
        now: Instant,
        unix_now: Option<i64>,
        kind: TransferKind,
        command_key: CommandKey,
        file_type: FileType,
        state: TransferState,
        start: StartAfter,
    ) -> Result<(), TransferError> {
        if self.slots.is_full() {
            return Err(TransferError::QueueFull);
        }
        let (start_after, start_after_unix) = match start {
            StartAfter::Unix(t) => (
                unix_now.map_or(now, |u| instant_for_unix(now, u, t)),
                Some(t),
            ),
            StartAfter::Remaining(s) => {
                (now.saturating_add(Duration::from_secs(u64::from(s))), None)
            }
        };
        let id = self.new_id();
        self.slots
            .push(Slot::Queued(QueuedTransfer {
                id,
                kind,
                command_key,
                file_type,
                state,
                start_after,
                start_after_unix,
            }))
            .map_err(|_| TransferError::QueueFull)?;
        self.bump();
        Ok(())
    }

    /// Restores a persisted result awaiting TransferComplete.
    pub(crate) fn restore_result(&mut self, result: TransferResult) -> Result<(), TransferError> {
        if self.slots.is_full() {
            return Err(TransferError::QueueFull);
        }
        let id = self.new_id();
        self.slots
            .push(Slot::Done(id, result))
            .map_err(|_| TransferError::QueueFull)?;
        self.bump();
        Ok(())
    }
}

/// A persisted start deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StartAfter {
    /// Not before this Unix time (seconds).
    Unix(i64),
    /// Not before this many seconds after the restore (no absolute time: the delay restarts, which
    /// may start the transfer later than asked, never earlier).
    Remaining(u32),
}

impl QueuedTransfer {
    /// Its deadline in persistent form, as seen at `now`.
    pub fn persisted_start(&self, now: Instant) -> StartAfter {
        match self.start_after_unix {
            Some(t) => StartAfter::Unix(t),
            None => StartAfter::Remaining(
                u32::try_from(self.start_after.saturating_duration_since(now).as_secs())
                    .unwrap_or(u32::MAX),
            ),
        }
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
    use crate::events::SessionEnd;
    use std::vec::Vec;

    fn codes<const N: usize>(q: &EventQueue<N>) -> Vec<(std::string::String, std::string::String)> {
        q.iter()
            .map(|e| (e.code().as_str().into(), e.command_key().into()))
            .collect()
    }

    #[test]
    fn queue_capacity_and_errors() {
        let mut t = Transfers::<3>::new();
        let now = Instant::from_secs(1);
        for k in ["a", "b", "c"] {
            t.queue(
                now,
                None,
                TransferKind::Download,
                k,
                "1 Firmware Upgrade Image",
                0,
            )
            .unwrap();
        }
        let e = t
            .queue(now, None, TransferKind::Upload, "d", "2 Vendor Log File", 0)
            .unwrap_err();
        assert_eq!(e, TransferError::QueueFull);
        assert_eq!(e.fault_code(), Some(9004));
        let mut t = Transfers::<3>::new();
        assert_eq!(
            t.queue(now, None, TransferKind::Download, &"k".repeat(33), "x", 0),
            Err(TransferError::CommandKeyTooLong)
        );
        assert_eq!(
            t.queue(now, None, TransferKind::Download, "k", &"f".repeat(65), 0),
            Err(TransferError::FileTypeTooLong)
        );
        assert!(t.is_empty());
    }

    #[test]
    fn delay_and_states() {
        let mut t = Transfers::<3>::new();
        let now = Instant::from_secs(10);
        let a = t
            .queue(
                now,
                Some(1000),
                TransferKind::Download,
                "a",
                "1 Firmware Upgrade Image",
                30,
            )
            .unwrap();
        let b = t
            .queue(
                now,
                None,
                TransferKind::Upload,
                "b",
                "3 Vendor Configuration File 1",
                5,
            )
            .unwrap();
        assert_eq!(t.poll_timeout(), Some(Instant::from_secs(15)));
        assert!(t.next_due(Instant::from_secs(14)).is_none());
        assert_eq!(t.next_due(Instant::from_secs(15)).unwrap().id(), b);
        t.start(b).unwrap();
        assert_eq!(t.start(b), Err(TransferError::WrongState));
        assert_eq!(t.get(b).unwrap().state().as_int(), 2);
        assert_eq!(t.poll_timeout(), Some(Instant::from_secs(40)));
        assert_eq!(t.get(a).unwrap().start_after_unix(), Some(1030));
        t.finishing(b).unwrap();
        assert_eq!(t.get(b).unwrap().state(), TransferState::Completed);
        assert_eq!(TransferState::from_int(3), Some(TransferState::Completed));
        assert_eq!(TransferState::from_int(4), None);
    }

    #[test]
    fn completion_raises_events_and_waits_for_response() {
        let mut t = Transfers::<3>::new();
        let mut ev = EventQueue::<64>::new();
        let now = Instant::ZERO;
        let d = t
            .queue(
                now,
                None,
                TransferKind::Download,
                "dl",
                "1 Firmware Upgrade Image",
                0,
            )
            .unwrap();
        let s = t
            .queue(
                now,
                None,
                TransferKind::ScheduleDownload,
                "sd",
                "1 Firmware Upgrade Image",
                0,
            )
            .unwrap();
        t.start(d).unwrap();
        let long = "é".repeat(200);
        t.complete(d, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN, &mut ev)
            .unwrap();
        t.complete(
            s,
            9010,
            &long,
            DateTime::UNKNOWN,
            DateTime::UNKNOWN,
            &mut ev,
        )
        .unwrap();
        assert_eq!(
            t.complete(s, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN, &mut ev),
            Err(TransferError::UnknownTransfer)
        );
        assert_eq!(
            codes(&ev),
            [
                ("M Download".into(), "dl".into()),
                ("7 TRANSFER COMPLETE".into(), "".into()),
                ("M ScheduleDownload".into(), "sd".into())
            ]
        );
        let results: Vec<_> = t.results().collect();
        assert_eq!(results.len(), 2);
        assert!(results[0].1.is_success());
        assert_eq!(results[1].1.fault_code, 9010);
        assert_eq!(results[1].1.fault_string.len(), 256);
        assert!(t.queued().next().is_none());

        // Next Session: Inform, InformResponse, first TransferComplete confirmed, then failure.
        ev.begin_session().unwrap();
        ev.on_inform_response();
        t.on_transfer_complete_response(d, &mut ev).unwrap();
        assert_eq!(
            t.on_transfer_complete_response(d, &mut ev),
            Err(TransferError::UnknownTransfer)
        );
        ev.end_session(SessionEnd::Failed);
        assert_eq!(t.results().count(), 1);
        assert_eq!(
            codes(&ev),
            [
                ("7 TRANSFER COMPLETE".into(), "".into()),
                ("M ScheduleDownload".into(), "sd".into())
            ]
        );
        // Retried Session delivers the rest.
        ev.begin_session().unwrap();
        ev.on_inform_response();
        t.on_transfer_complete_response(s, &mut ev).unwrap();
        ev.end_session(SessionEnd::Succeeded);
        assert!(ev.is_empty());
        assert!(t.is_empty());
    }

    #[test]
    fn completion_fails_cleanly_when_events_cannot_be_queued() {
        let mut t = Transfers::<3>::new();
        let mut ev = EventQueue::<1>::new();
        ev.push(EventCode::Boot, "").unwrap();
        let d = t
            .queue(Instant::ZERO, None, TransferKind::Download, "dl", "x", 0)
            .unwrap();
        assert_eq!(
            t.complete(d, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN, &mut ev),
            Err(TransferError::Events(EventQueueError::Full))
        );
        assert_eq!(t.queued().count(), 1);
        assert_eq!(t.results().count(), 0);
    }

    #[test]
    fn cancel_transfer() {
        let mut t = Transfers::<4>::new();
        let mut ev = EventQueue::<64>::new();
        let now = Instant::ZERO;
        let a1 = t
            .queue(now, None, TransferKind::Download, "a", "x", 9)
            .unwrap();
        let _a2 = t
            .queue(now, None, TransferKind::Upload, "a", "x", 9)
            .unwrap();
        let b = t
            .queue(now, None, TransferKind::Download, "b", "x", 0)
            .unwrap();
        let c = t
            .queue(now, None, TransferKind::Download, "c", "x", 0)
            .unwrap();
        // Unknown key: not an error.
        assert_eq!(t.cancel("zz"), CancelOutcome::default());
        assert_eq!(t.cancel("zz").fault_code(), None);
        // Both "a" transfers cancelled.
        let o = t.cancel("a");
        assert_eq!((o.cancelled, o.refused), (2, 0));
        assert!(t.get(a1).is_none());
        // In progress: 9021.
        t.start(b).unwrap();
        let o = t.cancel("b");
        assert_eq!((o.cancelled, o.refused, o.fault_code()), (0, 1, Some(9021)));
        // With a policy that can abort running transfers.
        let o = t.cancel_where("b", |_| true);
        assert_eq!(o.cancelled, 1);
        // Finished, awaiting TransferComplete: not cancellable.
        t.complete(c, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN, &mut ev)
            .unwrap();
        assert_eq!(t.cancel_where("c", |_| true).fault_code(), Some(9021));
        assert_eq!(t.results().count(), 1);
    }

    #[test]
    fn remove_and_clock_change() {
        let mut t = Transfers::<3>::new();
        let a = t
            .queue(
                Instant::from_secs(5),
                None,
                TransferKind::Download,
                "a",
                "x",
                100,
            )
            .unwrap();
        t.on_clock_change(Instant::from_secs(25), Some(1_000));
        assert_eq!(t.get(a).unwrap().start_after_unix(), Some(1_080));
        assert_eq!(
            t.get(a).unwrap().persisted_start(Instant::ZERO),
            StartAfter::Unix(1_080)
        );
        t.on_clock_change(Instant::from_secs(30), Some(1_070));
        assert_eq!(t.get(a).unwrap().start_after(), Instant::from_secs(40));
        t.remove(a).unwrap();
        assert_eq!(t.remove(a), Err(TransferError::UnknownTransfer));
        let b = t
            .queue(
                Instant::from_secs(5),
                None,
                TransferKind::Download,
                "b",
                "x",
                100,
            )
            .unwrap();
        assert_eq!(
            t.get(b).unwrap().persisted_start(Instant::from_secs(45)),
            StartAfter::Remaining(60)
        );
    }
}
