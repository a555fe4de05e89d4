//! What must survive a reboot, as a small versioned and checksummed byte record (DESIGN §3).
//!
//! TR-069 requires a CPE to keep across reboots: undelivered events with their CommandKeys
//! (§3.7.1.5, Table 8, and INTEROP S4: the lost TransferComplete), results awaiting TransferComplete
//! and queued transfers (§A.3.2.8, §A.4.1.8 "persists across reboots"), ScheduleInforms when the CPE
//! has absolute time (§A.4.1.2), and the session retry count (§3.2.1.1, §A.3.3.1 `RetryCount`).
//! Optionally the ParameterKey (§A.3.2.1) and the last accepted UDP connection-request `ts`
//! (Annex G.2.2.3 replay protection). Writing flash is I/O, so it stays with the caller: it sizes a
//! slot with [`Record::MAX_LEN`], writes what [`Record::export`] produced, and on boot hands the
//! bytes to [`Record::restore`].
//!
//! **Torn writes.** A record written in place is lost if the power fails during the write. Store it
//! through [`slot`]: two alternating slots (A/B pages) with a sequence number and a CRC, so that
//! power-up finds the newest complete one ([`slot::Slots::scan`]) and the next write never touches
//! it ([`slot::Slots::next_write`]). The slot layer wraps whatever bytes the application puts in it
//! (the record, then any state of its own after the record). On a file system, write a temporary
//! file, fsync it and rename it over the old one instead.
//!
//! Typical use in a CPE: after draining the machine's events, compare
//! [`Generations::of`] with the value last written; if it differs, [`Record::capture`] the parts,
//! set the optional fields, `export`, write. On boot: `restore`, [`Record::apply`] into fresh parts,
//! then `EventQueue::on_reboot`, push `1 BOOT`, and start the boot Session.
//!
//! [`Cpe::export`](crate::cpe::Cpe::export) and [`Cpe::boot`](crate::cpe::Cpe::boot) do the same
//! without a `Record` in RAM: one encoder writes the payload from borrowed views of either a
//! `Record` or the live parts, and one parser validates the whole record in a first pass (the
//! same [`RestoreError`]s as [`Record::restore`]) before further passes apply it to the parts.
//!
//! ## Layout (format version 1, all integers little-endian)
//!
//! ```text
//! magic "CWMR" (4) | version u8 = 1 | reserved u8 = 0 | payload length u32 | payload | CRC-32 u32
//! ```
//!
//! The CRC-32/IEEE covers everything before it (magic to payload). Bytes after the record in the
//! caller's slot (erased flash, padding) are ignored. The payload, in order:
//!
//! ```text
//! retry_count u32
//! flags u8 (bit 0: ParameterKey present, bit 1: UDP ts present; others 0)
//! [ParameterKey str8] [ts u64]
//! event count u16, then per event: code str8, CommandKey str8
//! transfer count u16, then per transfer, tag u8:
//!   1 queued:    kind u8, state u8 (1..=3), CommandKey str8, FileType str8,
//!                start tag u8 (0: Unix i64, 1: remaining seconds u32) and value
//!   2 completed: kind u8, CommandKey str8, FaultCode u32, FaultString str16,
//!                StartTime str8, CompleteTime str8 (canonical dateTime text)
//! scheduled-inform count u16, then per entry: CommandKey str8, due Unix time i64
//! ```
//!
//! `str8`/`str16` are a u8/u16 byte length then UTF-8 bytes; kinds are 0 Download, 1 Upload,
//! 2 ScheduleDownload. [`Record::restore`] trusts nothing: magic, version, length, checksum, then
//! every count, tag, string length, UTF-8, event code and dateTime are checked, and no trailing byte
//! may remain in the payload. A failure is a typed [`RestoreError`], never a partial record.

use core::fmt;

pub mod slot;

use cwmp_codec::datetime::DateTime;
use cwmp_codec::event::StoredEventCode;

use crate::crc32::crc32;
use crate::events::EventQueue;
use crate::limits::{
    bounded, CommandKey, FaultString, FileType, ParameterKey, COMMAND_KEY_LEN, EVENT_CODE_LEN,
    FAULT_STRING_LEN, FILE_TYPE_LEN, MAX_INFORM_EVENTS, MIN_SCHEDULE_INFORM_QUEUE,
    MIN_TRANSFER_QUEUE, PARAMETER_KEY_LEN,
};
use crate::retry::RetryState;
use crate::schedule::ScheduleInformQueue;
use crate::time::Instant;
use crate::transfer::{StartAfter, TransferKind, TransferResult, TransferState, Transfers};

/// The record's magic bytes.
pub const MAGIC: [u8; 4] = *b"CWMR";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Magic, version, reserved byte, payload length.
const HEADER_LEN: usize = 10;
/// The CRC-32.
const TRAILER_LEN: usize = 4;
/// Longest canonical dateTime text.
const DATETIME_LEN: usize = DateTime::MAX_LEN;

const FLAG_PARAMETER_KEY: u8 = 1;
const FLAG_UDP_TS: u8 = 2;
const TAG_QUEUED: u8 = 1;
const TAG_COMPLETED: u8 = 2;
const START_UNIX: u8 = 0;
const START_REMAINING: u8 = 1;

/// The buffer given to [`Record::export`] is too small; nothing useful was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// Bytes the record needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("buffer too small for the persistent record")
    }
}

impl core::error::Error for BufferTooSmall {}

/// The part of the record that was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RecordField {
    /// The reserved header byte is not 0.
    Reserved,
    /// The retry count.
    RetryCount,
    /// Unknown flag bits.
    Flags,
    /// The ParameterKey.
    ParameterKey,
    /// The UDP connection-request timestamp.
    UdpTimestamp,
    /// The number of events (over capacity).
    EventCount,
    /// An event code (invalid or too long).
    EventCode,
    /// A CommandKey (too long, not UTF-8, or on an event code that has none).
    CommandKey,
    /// The number of transfers (over capacity).
    TransferCount,
    /// A transfer tag.
    TransferTag,
    /// A transfer kind.
    TransferKind,
    /// A transfer state.
    TransferState,
    /// A FileType.
    FileType,
    /// A transfer start deadline.
    StartAfter,
    /// A FaultCode.
    FaultCode,
    /// A FaultString.
    FaultString,
    /// A StartTime or CompleteTime.
    DateTime,
    /// The number of scheduled informs (over capacity).
    ScheduledInformCount,
    /// A scheduled inform deadline.
    ScheduledInformTime,
    /// Bytes left over at the end of the payload.
    TrailingBytes,
    /// The parts given to [`Record::apply`] could not take the content (not empty, or smaller).
    Capacity,
}

/// Why [`Record::restore`] refused the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RestoreError {
    /// Not a record (erased flash, another format).
    BadMagic,
    /// A format version this crate does not read.
    UnsupportedVersion,
    /// Shorter than its header says.
    Truncated,
    /// The CRC-32 does not match: corrupt.
    ChecksumMismatch,
    /// The checksum matched but a field is invalid.
    Invalid(RecordField),
}

impl RestoreError {
    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadMagic => "not a persistent record (bad magic)",
            Self::UnsupportedVersion => "unsupported persistent record version",
            Self::Truncated => "persistent record truncated",
            Self::ChecksumMismatch => "persistent record checksum mismatch",
            Self::Invalid(_) => "invalid field in persistent record",
        }
    }
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for RestoreError {}

/// A persisted event (`EventStruct`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PersistedEvent {
    /// The code.
    pub code: StoredEventCode,
    /// The CommandKey (empty unless an `M` code).
    pub command_key: CommandKey,
}

/// A persisted transfer: queued, or finished and awaiting TransferComplete.
#[allow(clippy::large_enum_variant)] // no `alloc` to box with; the record is sized for the larger
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PersistedTransfer {
    /// Not finished.
    Queued {
        /// Download, Upload or ScheduleDownload.
        kind: TransferKind,
        /// CommandKey.
        command_key: CommandKey,
        /// FileType.
        file_type: FileType,
        /// QueuedTransferStruct state.
        state: TransferState,
        /// Not before.
        start: StartAfter,
    },
    /// Finished, awaiting TransferComplete.
    Completed(TransferResult),
}

/// A persisted ScheduleInform (only with absolute time, §A.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PersistedScheduledInform {
    /// CommandKey.
    pub command_key: CommandKey,
    /// Due, seconds since the Unix epoch.
    pub due_unix: i64,
}

/// The persistent state of a CPE, sized by the same const generics as its parts: `E` events
/// (default 64), `T` transfers (default 3), `S` scheduled informs (default 3).
///
/// With the defaults the record is at most [`Record::MAX_LEN`] bytes (about 7.5 KiB; events
/// dominate) and the value itself about as large in RAM, which is why
/// [`Cpe`](crate::cpe::Cpe) never builds one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Record<
    const E: usize = MAX_INFORM_EVENTS,
    const T: usize = MIN_TRANSFER_QUEUE,
    const S: usize = MIN_SCHEDULE_INFORM_QUEUE,
> {
    /// Undelivered events, oldest first.
    pub events: heapless::Vec<PersistedEvent, E>,
    /// Queued transfers and pending results.
    pub transfers: heapless::Vec<PersistedTransfer, T>,
    /// Queued ScheduleInforms with an absolute deadline.
    pub scheduled_informs: heapless::Vec<PersistedScheduledInform, S>,
    /// The session retry count (Inform `RetryCount`).
    pub retry_count: u32,
    /// The ParameterKey, if the caller keeps it here.
    pub parameter_key: Option<ParameterKey>,
    /// The last accepted UDP connection-request `ts`, if the caller keeps it here.
    pub last_udp_timestamp: Option<u64>,
}

/// A cheap fingerprint of the persistent content of the parts: compare it with the value at the
/// last export to know whether the record must be written again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Generations {
    events: u32,
    transfers: u32,
    schedule: u32,
    retry: u32,
}

impl Generations {
    /// The generations of the four parts now.
    pub fn of<const E: usize, const T: usize, const S: usize>(
        events: &EventQueue<E>,
        transfers: &Transfers<T>,
        schedule: &ScheduleInformQueue<S>,
        retry: &RetryState,
    ) -> Generations {
        Generations {
            events: events.generation(),
            transfers: transfers.generation(),
            schedule: schedule.generation(),
            retry: retry.generation(),
        }
    }
}

/// Byte sink for the encoder: a slice, or a counter for the length pass.
trait Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall>;
}

struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        self.0 = self.0.saturating_add(bytes.len());
        Ok(())
    }
}

struct SliceSink<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        let end = self.pos.saturating_add(bytes.len());
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(BufferTooSmall { needed: end })?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

fn put_str8<W: Sink>(w: &mut W, s: &str) -> Result<(), BufferTooSmall> {
    let len = u8::try_from(s.len()).unwrap_or(u8::MAX);
    w.put(&[len])?;
    w.put(s.as_bytes().get(..usize::from(len)).unwrap_or_default())
}

fn put_str16<W: Sink>(w: &mut W, s: &str) -> Result<(), BufferTooSmall> {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    w.put(&len.to_le_bytes())?;
    w.put(s.as_bytes().get(..usize::from(len)).unwrap_or_default())
}

fn put_count<W: Sink>(w: &mut W, n: usize) -> Result<(), BufferTooSmall> {
    w.put(&u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes())
}

fn put_datetime<W: Sink>(w: &mut W, t: &DateTime) -> Result<(), BufferTooSmall> {
    use core::fmt::Write as _;
    let mut s: heapless::String<DATETIME_LEN> = heapless::String::new();
    // Display never exceeds MAX_LEN (tested in cwmp-codec), so this cannot fail.
    let _ = write!(s, "{t}");
    put_str8(w, &s)
}

const fn kind_byte(k: TransferKind) -> u8 {
    match k {
        TransferKind::Download => 0,
        TransferKind::Upload => 1,
        TransferKind::ScheduleDownload => 2,
    }
}

/// Reader over the payload: every failure names the field being read.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: RecordField) -> Result<&'a [u8], RestoreError> {
        let end = self.pos.saturating_add(n);
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(RestoreError::Invalid(field))?;
        self.pos = end;
        Ok(s)
    }
    fn array<const K: usize>(&mut self, field: RecordField) -> Result<[u8; K], RestoreError> {
        let s = self.take(K, field)?;
        <[u8; K]>::try_from(s).map_err(|_| RestoreError::Invalid(field))
    }
    fn u8(&mut self, field: RecordField) -> Result<u8, RestoreError> {
        Ok(u8::from_le_bytes(self.array(field)?))
    }
    fn u16(&mut self, field: RecordField) -> Result<u16, RestoreError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }
    fn u32(&mut self, field: RecordField) -> Result<u32, RestoreError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }
    fn u64(&mut self, field: RecordField) -> Result<u64, RestoreError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }
    fn i64(&mut self, field: RecordField) -> Result<i64, RestoreError> {
        Ok(i64::from_le_bytes(self.array(field)?))
    }
    fn str_n(&mut self, len: usize, field: RecordField) -> Result<&'a str, RestoreError> {
        let b = self.take(len, field)?;
        core::str::from_utf8(b).map_err(|_| RestoreError::Invalid(field))
    }
    fn str8<const N: usize>(
        &mut self,
        field: RecordField,
    ) -> Result<heapless::String<N>, RestoreError> {
        let len = usize::from(self.u8(field)?);
        let s = self.str_n(len, field)?;
        bounded(s).ok_or(RestoreError::Invalid(field))
    }
    fn str16<const N: usize>(
        &mut self,
        field: RecordField,
    ) -> Result<heapless::String<N>, RestoreError> {
        let len = usize::from(self.u16(field)?);
        let s = self.str_n(len, field)?;
        bounded(s).ok_or(RestoreError::Invalid(field))
    }
    fn datetime(&mut self) -> Result<DateTime, RestoreError> {
        let s: heapless::String<DATETIME_LEN> = self.str8(RecordField::DateTime)?;
        let t = DateTime::parse(&s).map_err(|_| RestoreError::Invalid(RecordField::DateTime))?;
        // Only the canonical text is accepted, so the record has one encoding per value.
        let mut again: heapless::String<DATETIME_LEN> = heapless::String::new();
        let _ = core::fmt::Write::write_fmt(&mut again, format_args!("{t}"));
        if again != s {
            return Err(RestoreError::Invalid(RecordField::DateTime));
        }
        Ok(t)
    }
    fn kind(&mut self) -> Result<TransferKind, RestoreError> {
        match self.u8(RecordField::TransferKind)? {
            0 => Ok(TransferKind::Download),
            1 => Ok(TransferKind::Upload),
            2 => Ok(TransferKind::ScheduleDownload),
            _ => Err(RestoreError::Invalid(RecordField::TransferKind)),
        }
    }
    fn count(&mut self, cap: usize, field: RecordField) -> Result<usize, RestoreError> {
        let n = usize::from(self.u16(field)?);
        if n > cap {
            return Err(RestoreError::Invalid(field));
        }
        Ok(n)
    }
}

impl<const E: usize, const T: usize, const S: usize> Record<E, T, S> {
    /// The longest record in bytes, for sizing the flash slot.
    pub const MAX_LEN: usize = Self::max_len();

    /// The longest record in bytes (same as [`Record::MAX_LEN`]).
    #[allow(clippy::arithmetic_side_effects)] // const evaluation: an overflow is a compile error
    pub const fn max_len() -> usize {
        let event = (1 + EVENT_CODE_LEN) + (1 + COMMAND_KEY_LEN);
        let queued = 1 + 1 + 1 + (1 + COMMAND_KEY_LEN) + (1 + FILE_TYPE_LEN) + 1 + 8;
        let completed =
            1 + 1 + (1 + COMMAND_KEY_LEN) + 4 + (2 + FAULT_STRING_LEN) + 2 * (1 + DATETIME_LEN);
        let transfer = if queued > completed {
            queued
        } else {
            completed
        };
        let scheduled = (1 + COMMAND_KEY_LEN) + 8;
        let payload = 4
            + 1
            + (1 + PARAMETER_KEY_LEN)
            + 8
            + 2
            + E * event
            + 2
            + T * transfer
            + 2
            + S * scheduled;
        HEADER_LEN + payload + TRAILER_LEN
    }

    /// An empty record.
    pub fn new() -> Self {
        Record {
            events: heapless::Vec::new(),
            transfers: heapless::Vec::new(),
            scheduled_informs: heapless::Vec::new(),
            retry_count: 0,
            parameter_key: None,
            last_udp_timestamp: None,
        }
    }

    /// The persistent content of the parts at `now`: every event (whatever its delivery state),
    /// every transfer and result, the ScheduleInforms that have an absolute deadline, the retry
    /// count. The optional fields are left `None` for the caller to set.
    pub fn capture(
        now: Instant,
        events: &EventQueue<E>,
        transfers: &Transfers<T>,
        schedule: &ScheduleInformQueue<S>,
        retry: &RetryState,
    ) -> Self {
        let mut r = Self::new();
        r.retry_count = retry.retry_count();
        for e in events.iter() {
            // Same capacity as the queue, and its codes are at most 64 bytes as a
            // `StoredEventCode`'s: cannot fail.
            if let Ok(code) = StoredEventCode::try_from(e.code()) {
                let _ = r.events.push(PersistedEvent {
                    code,
                    command_key: bounded(e.command_key()).unwrap_or_default(),
                });
            }
        }
        for q in transfers.queued() {
            let _ = r.transfers.push(PersistedTransfer::Queued {
                kind: q.kind(),
                command_key: bounded(q.command_key()).unwrap_or_default(),
                file_type: bounded(q.file_type()).unwrap_or_default(),
                state: q.state(),
                start: q.persisted_start(now),
            });
        }
        for (_, res) in transfers.results() {
            let _ = r.transfers.push(PersistedTransfer::Completed(res.clone()));
        }
        for s in schedule.iter() {
            if let Some(due_unix) = s.due_unix() {
                let _ = r.scheduled_informs.push(PersistedScheduledInform {
                    command_key: bounded(s.command_key()).unwrap_or_default(),
                    due_unix,
                });
            }
        }
        r
    }

    /// Loads the record into fresh (empty) parts, at boot `now` (with `unix_now` if the CPE already
    /// has absolute time), and returns the restored [`RetryState`]. Call `events.on_reboot()`
    /// afterwards. Queued transfers come back first, then results (both in their original order).
    ///
    /// # Errors
    ///
    /// [`RestoreError::Invalid`] if the parts cannot take the content (not empty, or an event that
    /// the queue refuses); the parts may then hold part of it: clear them and start empty.
    pub fn apply(
        &self,
        now: Instant,
        unix_now: Option<i64>,
        events: &mut EventQueue<E>,
        transfers: &mut Transfers<T>,
        schedule: &mut ScheduleInformQueue<S>,
    ) -> Result<RetryState, RestoreError> {
        let mut apply = Apply::new(now, unix_now, events, transfers, schedule)?;
        // The same two passes as a streaming restore (`restore_parts`): results after the queue.
        for completed in [false, true] {
            apply.completed = completed;
            for e in self.events.iter() {
                apply.event(e.code.clone(), e.command_key.clone())?;
            }
            for t in self.transfers.iter() {
                apply.transfer(t)?;
            }
            for s in self.scheduled_informs.iter() {
                apply.scheduled_inform(s.command_key.clone(), s.due_unix)?;
            }
        }
        Ok(RetryState::restored(self.retry_count))
    }

    /// The exact length [`Record::export`] writes.
    pub fn encoded_len(&self) -> usize {
        encoded_len(self)
    }

    /// Writes the record at the start of `buf` and returns its length.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] with the length needed; `buf` may be partly written. Never panics.
    pub fn export(&self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        export(self, buf)
    }

    /// Reads a record written by [`Record::export`]. Bytes after the record are ignored.
    ///
    /// # Errors
    ///
    /// [`RestoreError`]: [`BadMagic`](RestoreError::BadMagic) (for example erased flash),
    /// [`UnsupportedVersion`](RestoreError::UnsupportedVersion),
    /// [`Truncated`](RestoreError::Truncated),
    /// [`ChecksumMismatch`](RestoreError::ChecksumMismatch), or
    /// [`Invalid`](RestoreError::Invalid) naming the field. Never panics, whatever the bytes.
    pub fn restore(bytes: &[u8]) -> Result<Self, RestoreError> {
        let payload = open(bytes)?;
        let mut rec = Self::new();
        parse_payload::<E, T, S, _>(payload, &mut rec)?;
        Ok(rec)
    }
}

// ------------------------------------------------------------------------------------------------
// The encoder: one for the format, writing from borrowed views of whatever holds the content (a
// `Record`, or the live parts of a CPE), so that exporting never needs a `Record` in RAM.

/// A borrowed view of one persisted transfer.
enum TransferView<'a> {
    Queued {
        kind: TransferKind,
        command_key: &'a str,
        file_type: &'a str,
        state: TransferState,
        start: StartAfter,
    },
    Completed(&'a TransferResult),
}

/// The content of a payload, as borrowed views in record order.
trait Payload {
    fn retry_count(&self) -> u32;
    fn parameter_key(&self) -> Option<&str>;
    fn last_udp_timestamp(&self) -> Option<u64>;
    /// (code, CommandKey), oldest first.
    fn events(&self) -> impl Iterator<Item = (&str, &str)>;
    fn transfers(&self) -> impl Iterator<Item = TransferView<'_>>;
    /// (CommandKey, due Unix time) of the persistent ScheduleInforms.
    fn scheduled_informs(&self) -> impl Iterator<Item = (&str, i64)>;
}

impl<const E: usize, const T: usize, const S: usize> Payload for Record<E, T, S> {
    fn retry_count(&self) -> u32 {
        self.retry_count
    }
    fn parameter_key(&self) -> Option<&str> {
        self.parameter_key.as_deref()
    }
    fn last_udp_timestamp(&self) -> Option<u64> {
        self.last_udp_timestamp
    }
    fn events(&self) -> impl Iterator<Item = (&str, &str)> {
        self.events
            .iter()
            .map(|e| (e.code.as_str(), e.command_key.as_str()))
    }
    fn transfers(&self) -> impl Iterator<Item = TransferView<'_>> {
        self.transfers.iter().map(|t| match t {
            PersistedTransfer::Queued {
                kind,
                command_key,
                file_type,
                state,
                start,
            } => TransferView::Queued {
                kind: *kind,
                command_key,
                file_type,
                state: *state,
                start: *start,
            },
            PersistedTransfer::Completed(r) => TransferView::Completed(r),
        })
    }
    fn scheduled_informs(&self) -> impl Iterator<Item = (&str, i64)> {
        self.scheduled_informs
            .iter()
            .map(|s| (s.command_key.as_str(), s.due_unix))
    }
}

/// The live parts of a CPE at `now`, with the optional fields: what [`Record::capture`] takes,
/// without copying it.
pub(crate) struct Parts<'a, const E: usize, const T: usize, const S: usize> {
    pub(crate) now: Instant,
    pub(crate) events: &'a EventQueue<E>,
    pub(crate) transfers: &'a Transfers<T>,
    pub(crate) schedule: &'a ScheduleInformQueue<S>,
    pub(crate) retry: &'a RetryState,
    pub(crate) parameter_key: Option<&'a str>,
    pub(crate) last_udp_timestamp: Option<u64>,
}

impl<const E: usize, const T: usize, const S: usize> Payload for Parts<'_, E, T, S> {
    fn retry_count(&self) -> u32 {
        self.retry.retry_count()
    }
    fn parameter_key(&self) -> Option<&str> {
        self.parameter_key
    }
    fn last_udp_timestamp(&self) -> Option<u64> {
        self.last_udp_timestamp
    }
    fn events(&self) -> impl Iterator<Item = (&str, &str)> {
        // `take`: never more than a `Record` holds (the capacities are the same, so a no-op).
        self.events
            .iter()
            .map(|e| (e.code().as_str(), e.command_key()))
            .take(E)
    }
    fn transfers(&self) -> impl Iterator<Item = TransferView<'_>> {
        let now = self.now;
        let queued = self.transfers.queued().map(move |q| TransferView::Queued {
            kind: q.kind(),
            command_key: q.command_key(),
            file_type: q.file_type(),
            state: q.state(),
            start: q.persisted_start(now),
        });
        let results = self
            .transfers
            .results()
            .map(|(_, r)| TransferView::Completed(r));
        queued.chain(results).take(T)
    }
    fn scheduled_informs(&self) -> impl Iterator<Item = (&str, i64)> {
        self.schedule
            .iter()
            .filter_map(|s| s.due_unix().map(|due| (s.command_key(), due)))
            .take(S)
    }
}

fn encode_payload<P: Payload, W: Sink>(p: &P, w: &mut W) -> Result<(), BufferTooSmall> {
    w.put(&p.retry_count().to_le_bytes())?;
    let mut flags = 0u8;
    if p.parameter_key().is_some() {
        flags |= FLAG_PARAMETER_KEY;
    }
    if p.last_udp_timestamp().is_some() {
        flags |= FLAG_UDP_TS;
    }
    w.put(&[flags])?;
    if let Some(k) = p.parameter_key() {
        put_str8(w, k)?;
    }
    if let Some(ts) = p.last_udp_timestamp() {
        w.put(&ts.to_le_bytes())?;
    }
    put_count(w, p.events().count())?;
    for (code, command_key) in p.events() {
        put_str8(w, code)?;
        put_str8(w, command_key)?;
    }
    put_count(w, p.transfers().count())?;
    for t in p.transfers() {
        match t {
            TransferView::Queued {
                kind,
                command_key,
                file_type,
                state,
                start,
            } => {
                w.put(&[TAG_QUEUED, kind_byte(kind)])?;
                w.put(&[u8::try_from(state.as_int()).unwrap_or(0)])?;
                put_str8(w, command_key)?;
                put_str8(w, file_type)?;
                match start {
                    StartAfter::Unix(t) => {
                        w.put(&[START_UNIX])?;
                        w.put(&t.to_le_bytes())?;
                    }
                    StartAfter::Remaining(s) => {
                        w.put(&[START_REMAINING])?;
                        w.put(&s.to_le_bytes())?;
                    }
                }
            }
            TransferView::Completed(r) => {
                w.put(&[TAG_COMPLETED, kind_byte(r.kind)])?;
                put_str8(w, &r.command_key)?;
                w.put(&r.fault_code.to_le_bytes())?;
                put_str16(w, &r.fault_string)?;
                put_datetime(w, &r.start_time)?;
                put_datetime(w, &r.complete_time)?;
            }
        }
    }
    put_count(w, p.scheduled_informs().count())?;
    for (command_key, due_unix) in p.scheduled_informs() {
        put_str8(w, command_key)?;
        w.put(&due_unix.to_le_bytes())?;
    }
    Ok(())
}

/// The exact length [`export`] writes.
fn encoded_len<P: Payload>(p: &P) -> usize {
    let mut c = Counter(0);
    let _ = encode_payload(p, &mut c);
    HEADER_LEN.saturating_add(c.0).saturating_add(TRAILER_LEN)
}

/// Writes the record of `p` at the start of `buf`: header, payload, CRC.
fn export<P: Payload>(p: &P, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let total = encoded_len(p);
    if buf.len() < total {
        return Err(BufferTooSmall { needed: total });
    }
    let payload_len = total.saturating_sub(HEADER_LEN).saturating_sub(TRAILER_LEN);
    let len32 = u32::try_from(payload_len).map_err(|_| BufferTooSmall { needed: total })?;
    let mut w = SliceSink { buf, pos: 0 };
    w.put(&MAGIC)?;
    w.put(&[FORMAT_VERSION, 0])?;
    w.put(&len32.to_le_bytes())?;
    encode_payload(p, &mut w)?;
    let body_end = w.pos;
    let crc = crc32(w.buf.get(..body_end).unwrap_or_default());
    w.put(&crc.to_le_bytes())?;
    Ok(w.pos)
}

/// [`Record::export`] of [`Record::capture`] of `parts` (with its optional fields), written
/// straight from the parts: no `Record` in RAM.
pub(crate) fn export_parts<const E: usize, const T: usize, const S: usize>(
    parts: &Parts<'_, E, T, S>,
    buf: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    export(parts, buf)
}

// ------------------------------------------------------------------------------------------------
// The parser: one for the format, handing each validated item to a visitor that checks only,
// builds a `Record`, or applies to live parts.

/// What the parser hands over, item by item, in record order, once each item is valid.
trait Visit {
    fn head(&mut self, retry_count: u32, parameter_key: Option<ParameterKey>, ts: Option<u64>);
    fn event(&mut self, code: StoredEventCode, command_key: CommandKey)
        -> Result<(), RestoreError>;
    fn transfer(&mut self, t: &PersistedTransfer) -> Result<(), RestoreError>;
    fn scheduled_inform(
        &mut self,
        command_key: CommandKey,
        due_unix: i64,
    ) -> Result<(), RestoreError>;
}

impl<const E: usize, const T: usize, const S: usize> Visit for Record<E, T, S> {
    fn head(&mut self, retry_count: u32, parameter_key: Option<ParameterKey>, ts: Option<u64>) {
        self.retry_count = retry_count;
        self.parameter_key = parameter_key;
        self.last_udp_timestamp = ts;
    }
    fn event(
        &mut self,
        code: StoredEventCode,
        command_key: CommandKey,
    ) -> Result<(), RestoreError> {
        self.events
            .push(PersistedEvent { code, command_key })
            .map_err(|_| RestoreError::Invalid(RecordField::EventCount))
    }
    fn transfer(&mut self, t: &PersistedTransfer) -> Result<(), RestoreError> {
        self.transfers
            .push(t.clone())
            .map_err(|_| RestoreError::Invalid(RecordField::TransferCount))
    }
    fn scheduled_inform(
        &mut self,
        command_key: CommandKey,
        due_unix: i64,
    ) -> Result<(), RestoreError> {
        self.scheduled_informs
            .push(PersistedScheduledInform {
                command_key,
                due_unix,
            })
            .map_err(|_| RestoreError::Invalid(RecordField::ScheduledInformCount))
    }
}

/// The validation pass: keeps only the head.
#[derive(Default)]
struct Check {
    retry_count: u32,
    parameter_key: Option<ParameterKey>,
    last_udp_timestamp: Option<u64>,
}

impl Visit for Check {
    fn head(&mut self, retry_count: u32, parameter_key: Option<ParameterKey>, ts: Option<u64>) {
        self.retry_count = retry_count;
        self.parameter_key = parameter_key;
        self.last_udp_timestamp = ts;
    }
    fn event(&mut self, _: StoredEventCode, _: CommandKey) -> Result<(), RestoreError> {
        Ok(())
    }
    fn transfer(&mut self, _: &PersistedTransfer) -> Result<(), RestoreError> {
        Ok(())
    }
    fn scheduled_inform(&mut self, _: CommandKey, _: i64) -> Result<(), RestoreError> {
        Ok(())
    }
}

/// Loads items into empty parts. Two passes, as [`Record::apply`] documents: everything but the
/// transfer results, then (`completed`) the results, so queued transfers come back first.
struct Apply<'p, const E: usize, const T: usize, const S: usize> {
    now: Instant,
    unix_now: Option<i64>,
    events: &'p mut EventQueue<E>,
    transfers: &'p mut Transfers<T>,
    schedule: &'p mut ScheduleInformQueue<S>,
    completed: bool,
}

impl<'p, const E: usize, const T: usize, const S: usize> Apply<'p, E, T, S> {
    /// Refuses parts that are not empty.
    fn new(
        now: Instant,
        unix_now: Option<i64>,
        events: &'p mut EventQueue<E>,
        transfers: &'p mut Transfers<T>,
        schedule: &'p mut ScheduleInformQueue<S>,
    ) -> Result<Self, RestoreError> {
        if !events.is_empty() || !transfers.is_empty() || !schedule.is_empty() {
            return Err(RestoreError::Invalid(RecordField::Capacity));
        }
        Ok(Apply {
            now,
            unix_now,
            events,
            transfers,
            schedule,
            completed: false,
        })
    }
}

impl<const E: usize, const T: usize, const S: usize> Visit for Apply<'_, E, T, S> {
    fn head(&mut self, _: u32, _: Option<ParameterKey>, _: Option<u64>) {}
    fn event(
        &mut self,
        code: StoredEventCode,
        command_key: CommandKey,
    ) -> Result<(), RestoreError> {
        if self.completed {
            return Ok(());
        }
        self.events
            .restore(code, command_key)
            .map_err(|_| RestoreError::Invalid(RecordField::Capacity))
    }
    fn transfer(&mut self, t: &PersistedTransfer) -> Result<(), RestoreError> {
        let done = match t {
            PersistedTransfer::Queued {
                kind,
                command_key,
                file_type,
                state,
                start,
            } if !self.completed => self.transfers.restore_queued(
                self.now,
                self.unix_now,
                *kind,
                command_key.clone(),
                file_type.clone(),
                *state,
                *start,
            ),
            PersistedTransfer::Completed(r) if self.completed => {
                self.transfers.restore_result(r.clone())
            }
            _ => Ok(()),
        };
        done.map_err(|_| RestoreError::Invalid(RecordField::Capacity))
    }
    fn scheduled_inform(
        &mut self,
        command_key: CommandKey,
        due_unix: i64,
    ) -> Result<(), RestoreError> {
        if self.completed {
            return Ok(());
        }
        self.schedule
            .restore(self.now, self.unix_now, &command_key, due_unix)
            .map_err(|_| RestoreError::Invalid(RecordField::Capacity))
    }
}

/// Checks the header and the CRC; returns the payload.
fn open(bytes: &[u8]) -> Result<&[u8], RestoreError> {
    match bytes.get(..MAGIC.len()) {
        Some(m) if m == MAGIC => {}
        Some(_) => return Err(RestoreError::BadMagic),
        None if MAGIC.starts_with(bytes) => return Err(RestoreError::Truncated),
        None => return Err(RestoreError::BadMagic),
    }
    let header = bytes.get(..HEADER_LEN).ok_or(RestoreError::Truncated)?;
    let mut h = Reader {
        bytes: header,
        pos: MAGIC.len(),
    };
    if h.u8(RecordField::Reserved)? != FORMAT_VERSION {
        return Err(RestoreError::UnsupportedVersion);
    }
    let reserved = h.u8(RecordField::Reserved)?;
    let payload_len =
        usize::try_from(h.u32(RecordField::Reserved)?).map_err(|_| RestoreError::Truncated)?;
    let body_end = HEADER_LEN
        .checked_add(payload_len)
        .ok_or(RestoreError::Truncated)?;
    let end = body_end
        .checked_add(TRAILER_LEN)
        .ok_or(RestoreError::Truncated)?;
    let body = bytes.get(..body_end).ok_or(RestoreError::Truncated)?;
    let stored = bytes
        .get(body_end..end)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .ok_or(RestoreError::Truncated)?;
    if crc32(body) != u32::from_le_bytes(stored) {
        return Err(RestoreError::ChecksumMismatch);
    }
    if reserved != 0 {
        return Err(RestoreError::Invalid(RecordField::Reserved));
    }
    Ok(body.get(HEADER_LEN..).unwrap_or_default())
}

/// Parses and validates the whole payload for capacities `E`, `T`, `S`, handing each item to `v`
/// as soon as it is valid. A check-only pass ([`Check`]) before any pass that changes something
/// makes the whole restore all or nothing.
fn parse_payload<const E: usize, const T: usize, const S: usize, V: Visit>(
    payload: &[u8],
    v: &mut V,
) -> Result<(), RestoreError> {
    use RecordField as F;
    let inv = RestoreError::Invalid;
    let r = &mut Reader {
        bytes: payload,
        pos: 0,
    };
    let retry_count = r.u32(F::RetryCount)?;
    let flags = r.u8(F::Flags)?;
    if flags & !(FLAG_PARAMETER_KEY | FLAG_UDP_TS) != 0 {
        return Err(inv(F::Flags));
    }
    let mut parameter_key = None;
    if flags & FLAG_PARAMETER_KEY != 0 {
        parameter_key = Some(r.str8(F::ParameterKey)?);
    }
    let mut ts = None;
    if flags & FLAG_UDP_TS != 0 {
        ts = Some(r.u64(F::UdpTimestamp)?);
    }
    v.head(retry_count, parameter_key, ts);

    let n = r.count(E.min(MAX_INFORM_EVENTS), F::EventCount)?;
    for _ in 0..n {
        let text: heapless::String<EVENT_CODE_LEN> = r.str8(F::EventCode)?;
        let code = StoredEventCode::parse(&text).map_err(|_| inv(F::EventCode))?;
        // Only the canonical (trimmed) text is accepted.
        if code.as_str() != text.as_str() {
            return Err(inv(F::EventCode));
        }
        let command_key: CommandKey = r.str8(F::CommandKey)?;
        if !code.as_event_code().carries_command_key() && !command_key.is_empty() {
            return Err(inv(F::CommandKey));
        }
        v.event(code, command_key)?;
    }

    let n = r.count(T, F::TransferCount)?;
    for _ in 0..n {
        let t = match r.u8(F::TransferTag)? {
            TAG_QUEUED => {
                let kind = r.kind()?;
                let state = TransferState::from_int(i32::from(r.u8(F::TransferState)?))
                    .ok_or(inv(F::TransferState))?;
                let command_key = r.str8(F::CommandKey)?;
                let file_type = r.str8(F::FileType)?;
                let start = match r.u8(F::StartAfter)? {
                    START_UNIX => StartAfter::Unix(r.i64(F::StartAfter)?),
                    START_REMAINING => StartAfter::Remaining(r.u32(F::StartAfter)?),
                    _ => return Err(inv(F::StartAfter)),
                };
                PersistedTransfer::Queued {
                    kind,
                    command_key,
                    file_type,
                    state,
                    start,
                }
            }
            TAG_COMPLETED => {
                let kind = r.kind()?;
                let command_key = r.str8(F::CommandKey)?;
                let fault_code = r.u32(F::FaultCode)?;
                let fault_string: FaultString = r.str16(F::FaultString)?;
                let start_time = r.datetime()?;
                let complete_time = r.datetime()?;
                PersistedTransfer::Completed(TransferResult {
                    kind,
                    command_key,
                    fault_code,
                    fault_string,
                    start_time,
                    complete_time,
                })
            }
            _ => return Err(inv(F::TransferTag)),
        };
        v.transfer(&t)?;
    }

    let n = r.count(S, F::ScheduledInformCount)?;
    for _ in 0..n {
        let command_key: CommandKey = r.str8(F::CommandKey)?;
        let due_unix = r.i64(F::ScheduledInformTime)?;
        v.scheduled_inform(command_key, due_unix)?;
    }
    if r.pos != r.bytes.len() {
        return Err(inv(F::TrailingBytes));
    }
    Ok(())
}

/// What a streaming restore gives back besides the parts it filled.
#[derive(Debug)]
pub(crate) struct Restored {
    pub(crate) retry: RetryState,
    pub(crate) parameter_key: Option<ParameterKey>,
    pub(crate) last_udp_timestamp: Option<u64>,
}

/// [`Record::restore`] then [`Record::apply`], without a `Record` in RAM: the bytes are
/// validated whole first (the same errors as [`Record::restore`]), then applied in two more
/// parses. Errors as [`Record::restore`], then as [`Record::apply`]; after an `Invalid(Capacity)`
/// the parts may hold part of the content (clear them).
pub(crate) fn restore_parts<const E: usize, const T: usize, const S: usize>(
    bytes: &[u8],
    now: Instant,
    unix_now: Option<i64>,
    events: &mut EventQueue<E>,
    transfers: &mut Transfers<T>,
    schedule: &mut ScheduleInformQueue<S>,
) -> Result<Restored, RestoreError> {
    let payload = open(bytes)?;
    let mut head = Check::default();
    parse_payload::<E, T, S, _>(payload, &mut head)?;
    let mut apply = Apply::new(now, unix_now, events, transfers, schedule)?;
    parse_payload::<E, T, S, _>(payload, &mut apply)?;
    apply.completed = true;
    parse_payload::<E, T, S, _>(payload, &mut apply)?;
    Ok(Restored {
        retry: RetryState::restored(head.retry_count),
        parameter_key: head.parameter_key,
        last_udp_timestamp: head.last_udp_timestamp,
    })
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
    use crate::retry::RetryPolicy;
    use crate::rng::SplitMix64;
    use cwmp_codec::datetime::Offset;
    use cwmp_codec::event::EventCode;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    type Rec = Record<64, 3, 3>;

    fn sample() -> Rec {
        let mut ev = EventQueue::<64>::new();
        ev.push(EventCode::Boot, "").unwrap();
        ev.push(EventCode::MReboot, "reboot-1").unwrap();
        ev.push(EventCode::Vendor("X 012345 Button"), "").unwrap();
        let mut tr = Transfers::<3>::new();
        let now = Instant::from_secs(100);
        let a = tr
            .queue(
                now,
                Some(1_700_000_000),
                TransferKind::Download,
                "fw",
                "1 Firmware Upgrade Image",
                60,
            )
            .unwrap();
        tr.queue(
            now,
            None,
            TransferKind::Upload,
            "log",
            "2 Vendor Log File",
            30,
        )
        .unwrap();
        tr.start(a).unwrap();
        tr.complete(
            a,
            9010,
            "Download failure: 404",
            DateTime::parse("2024-01-01T10:00:00Z").unwrap(),
            DateTime::parse("2024-01-01T10:00:05.25+02:00").unwrap(),
            &mut ev,
        )
        .unwrap();
        let mut si = ScheduleInformQueue::<3>::new();
        si.schedule(now, Some(1_700_000_000), 3600, "si").unwrap();
        si.schedule(now, None, 10, "no-clock").unwrap();
        let mut retry = RetryState::new();
        retry.on_session_failed(now, &RetryPolicy::default(), &mut SplitMix64::new(1));
        let parts = (ev, tr, si);
        assert_export_matches(
            Instant::from_secs(110),
            &parts,
            &retry,
            Some("pk-42"),
            Some(1_234_567),
        );
        let (ev, tr, si) = parts;
        let mut r = Rec::capture(Instant::from_secs(110), &ev, &tr, &si, &retry);
        r.parameter_key = Some(bounded("pk-42").unwrap());
        r.last_udp_timestamp = Some(1_234_567);
        r
    }

    fn export(r: &Rec) -> Vec<u8> {
        let mut buf = vec![0u8; Rec::MAX_LEN];
        let n = r.export(&mut buf).unwrap();
        assert_eq!(n, r.encoded_len());
        buf.truncate(n);
        buf
    }

    type Parts3 = (EventQueue<64>, Transfers<3>, ScheduleInformQueue<3>);

    fn fresh() -> Parts3 {
        (
            EventQueue::new(),
            Transfers::new(),
            ScheduleInformQueue::new(),
        )
    }

    /// The full internal state of parts (ids, generations, deadlines, delivery states).
    fn state(p: &Parts3, retry: &RetryState) -> std::string::String {
        std::format!("{:?} {:?} {:?} {:?}", p.0, p.1, p.2, retry)
    }

    /// `Record::restore`, after checking that the streaming restore (`restore_parts`) of the same
    /// bytes agrees with it and with `Record::apply`: the same error, or the same parts.
    fn restore_both(bytes: &[u8]) -> Result<Rec, RestoreError> {
        let now = Instant::from_secs(7);
        for unix_now in [None, Some(1_700_000_000)] {
            let mut old = fresh();
            let old_res = Rec::restore(bytes).and_then(|r| {
                let retry = r.apply(now, unix_now, &mut old.0, &mut old.1, &mut old.2)?;
                Ok((retry, r.parameter_key.clone(), r.last_udp_timestamp))
            });
            let mut new = fresh();
            let new_res = restore_parts(bytes, now, unix_now, &mut new.0, &mut new.1, &mut new.2)
                .map(|r| (r.retry, r.parameter_key, r.last_udp_timestamp));
            match (&old_res, &new_res) {
                (Ok(o), Ok(n)) => {
                    assert_eq!((&o.1, o.2), (&n.1, n.2));
                    assert_eq!(state(&old, &o.0), state(&new, &n.0));
                }
                (Err(o), Err(n)) => {
                    assert_eq!(o, n);
                    // Validation happens before anything is applied.
                    if *n != RestoreError::Invalid(RecordField::Capacity) {
                        assert_eq!(
                            state(&new, &RetryState::new()),
                            state(&fresh(), &RetryState::new())
                        );
                    }
                }
                _ => panic!("streaming restore {new_res:?} disagrees with Record {old_res:?}"),
            }
        }
        Rec::restore(bytes)
    }

    /// `Cpe::export`'s path for parts must write what `Record::capture` + `export` writes.
    fn assert_export_matches(
        now: Instant,
        p: &Parts3,
        retry: &RetryState,
        parameter_key: Option<&str>,
        ts: Option<u64>,
    ) -> Vec<u8> {
        let mut r = Rec::capture(now, &p.0, &p.1, &p.2, retry);
        r.parameter_key = parameter_key.map(|k| bounded(k).unwrap());
        r.last_udp_timestamp = ts;
        let expected = export(&r);
        let parts = Parts {
            now,
            events: &p.0,
            transfers: &p.1,
            schedule: &p.2,
            retry,
            parameter_key,
            last_udp_timestamp: ts,
        };
        assert_eq!(encoded_len(&parts), expected.len());
        let mut buf = vec![0u8; Rec::MAX_LEN];
        let n = export_parts(&parts, &mut buf).unwrap();
        assert_eq!(&buf[..n], &expected[..]);
        let mut short = vec![0u8; n - 1];
        assert_eq!(
            export_parts(&parts, &mut short),
            Err(BufferTooSmall { needed: n })
        );
        expected
    }

    #[test]
    fn capture_contents() {
        let r = sample();
        assert_eq!(r.retry_count, 1);
        let codes: Vec<&str> = r.events.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "1 BOOT",
                "M Reboot",
                "X 012345 Button",
                "M Download",
                "7 TRANSFER COMPLETE"
            ]
        );
        assert_eq!(r.transfers.len(), 2);
        assert!(matches!(
            &r.transfers[0],
            PersistedTransfer::Queued {
                start: StartAfter::Remaining(20),
                ..
            }
        ));
        assert!(
            matches!(&r.transfers[1], PersistedTransfer::Completed(res) if res.fault_code == 9010)
        );
        // Only the ScheduleInform with absolute time is persistent.
        assert_eq!(r.scheduled_informs.len(), 1);
        assert_eq!(r.scheduled_informs[0].due_unix, 1_700_003_600);
    }

    #[test]
    fn round_trip_and_trailing_padding() {
        let r = sample();
        let bytes = export(&r);
        assert_eq!(&bytes[..4], b"CWMR");
        assert_eq!(restore_both(&bytes).unwrap(), r);
        let mut padded = bytes.clone();
        padded.extend_from_slice(&[0xFF; 100]);
        assert_eq!(restore_both(&padded).unwrap(), r);
        let empty = Rec::new();
        assert_eq!(restore_both(&export(&empty)).unwrap(), empty);
        assert!(r.encoded_len() <= Rec::MAX_LEN);
    }

    #[test]
    fn buffer_too_small() {
        let r = sample();
        let mut buf = vec![0u8; r.encoded_len() - 1];
        assert_eq!(
            r.export(&mut buf),
            Err(BufferTooSmall {
                needed: r.encoded_len()
            })
        );
    }

    #[test]
    fn restore_errors() {
        let bytes = export(&sample());
        assert_eq!(restore_both(&[]), Err(RestoreError::Truncated));
        assert_eq!(restore_both(b"CW"), Err(RestoreError::Truncated));
        assert_eq!(restore_both(&[0xFF; 64]), Err(RestoreError::BadMagic));
        let mut v = bytes.clone();
        v[4] = 2;
        assert_eq!(restore_both(&v), Err(RestoreError::UnsupportedVersion));
        assert_eq!(
            restore_both(&bytes[..bytes.len() - 1]),
            Err(RestoreError::Truncated)
        );
        assert_eq!(restore_both(&bytes[..8]), Err(RestoreError::Truncated));
        let mut v = bytes.clone();
        v[20] ^= 0x40;
        assert_eq!(restore_both(&v), Err(RestoreError::ChecksumMismatch));
    }

    /// Re-seals a modified body with a correct length and CRC, to reach the field checks.
    fn seal(body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&MAGIC);
        v.extend_from_slice(&[FORMAT_VERSION, 0]);
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend_from_slice(body);
        let crc = crc32(&v);
        v.extend_from_slice(&crc.to_le_bytes());
        v
    }

    #[test]
    fn field_validation_behind_a_good_checksum() {
        let inv = |f| Err(RestoreError::Invalid(f));
        // retry u32, flags, then counts.
        let base = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(restore_both(&seal(&base)).is_ok());
        let mut b = base;
        b[4] = 0x80;
        assert_eq!(restore_both(&seal(&b)), inv(RecordField::Flags));
        assert_eq!(
            restore_both(&seal(&base[..10])),
            inv(RecordField::ScheduledInformCount)
        );
        let mut long = base.to_vec();
        long.push(0);
        assert_eq!(restore_both(&seal(&long)), inv(RecordField::TrailingBytes));
        // 65 events > capacity.
        let mut b = base;
        b[5] = 65;
        assert_eq!(restore_both(&seal(&b)), inv(RecordField::EventCount));
        // An event with a bad code, a non-canonical code, a key on a non-M code.
        let ev = |code: &[u8], key: &[u8]| {
            let mut v = vec![0, 0, 0, 0, 0, 1, 0, code.len() as u8];
            v.extend_from_slice(code);
            v.push(key.len() as u8);
            v.extend_from_slice(key);
            v.extend_from_slice(&[0, 0, 0, 0]);
            seal(&v)
        };
        assert!(restore_both(&ev(b"1 BOOT", b"")).is_ok());
        assert_eq!(restore_both(&ev(b"BOOT", b"")), inv(RecordField::EventCode));
        assert_eq!(
            restore_both(&ev(b" 1 BOOT", b"")),
            inv(RecordField::EventCode)
        );
        assert_eq!(
            restore_both(&ev(b"1 BOOT", b"k")),
            inv(RecordField::CommandKey)
        );
        assert_eq!(
            restore_both(&ev(b"M Reboot", &[0xFF])),
            inv(RecordField::CommandKey)
        );
        assert_eq!(
            restore_both(&ev(b"M Reboot", &[b'k'; 33])),
            inv(RecordField::CommandKey)
        );
        // A transfer with a bad tag / kind.
        let mut v = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 9];
        assert_eq!(restore_both(&seal(&v)), inv(RecordField::TransferTag));
        v[9] = TAG_QUEUED;
        v.push(7);
        assert_eq!(restore_both(&seal(&v)), inv(RecordField::TransferKind));
    }

    #[test]
    fn apply_restores_the_parts() {
        let r = sample();
        let back = restore_both(&export(&r)).unwrap();
        let mut ev = EventQueue::<64>::new();
        let mut tr = Transfers::<3>::new();
        let mut si = ScheduleInformQueue::<3>::new();
        let boot = Instant::ZERO;
        let retry = back
            .apply(boot, Some(1_700_000_100), &mut ev, &mut tr, &mut si)
            .unwrap();
        assert_eq!(retry.retry_count(), 1);
        assert_eq!(retry.post_reboot_count(), 0);
        ev.on_reboot();
        let codes: Vec<&str> = ev.iter().map(|e| e.code().as_str()).collect();
        assert_eq!(
            codes,
            [
                "M Reboot",
                "X 012345 Button",
                "M Download",
                "7 TRANSFER COMPLETE"
            ]
        );
        assert_eq!(tr.queued().count(), 1);
        assert_eq!(tr.results().count(), 1);
        assert_eq!(tr.poll_timeout(), Some(Instant::from_secs(20)));
        assert_eq!(si.poll_timeout(), Some(Instant::from_secs(3500)));
        // The restored parts capture to the same record (the optional fields aside).
        let mut again = Rec::capture(boot, &ev, &tr, &si, &retry);
        again.parameter_key = r.parameter_key.clone();
        again.last_udp_timestamp = r.last_udp_timestamp;
        let mut expected = r.clone();
        expected.events.retain(|e| e.code.as_str() != "1 BOOT");
        assert_eq!(again, expected);
        // Applying into non-empty parts is refused.
        assert_eq!(
            back.apply(boot, None, &mut ev, &mut tr, &mut si),
            Err(RestoreError::Invalid(RecordField::Capacity))
        );
        // A full delivery cycle after restore works.
        ev.begin_session().unwrap();
        ev.on_inform_response();
        let (id, _) = tr.results().next().unwrap();
        tr.on_transfer_complete_response(id, &mut ev).unwrap();
        ev.end_session(SessionEnd::Succeeded);
        assert!(ev.is_empty());
    }

    #[test]
    fn streaming_restore_refuses_parts_that_are_not_empty() {
        let bytes = export(&sample());
        let now = Instant::ZERO;
        let cap = Err(RestoreError::Invalid(RecordField::Capacity));
        let mut p = fresh();
        p.0.push(EventCode::Periodic, "").unwrap();
        let before = state(&p, &RetryState::new());
        assert_eq!(
            restore_parts(&bytes, now, None, &mut p.0, &mut p.1, &mut p.2).map(|_| ()),
            cap
        );
        assert_eq!(state(&p, &RetryState::new()), before, "nothing applied");
        let r = Rec::restore(&bytes).unwrap();
        assert_eq!(
            r.apply(now, None, &mut p.0, &mut p.1, &mut p.2).map(|_| ()),
            cap
        );
        // A corrupt record reports its own error first, as `Record::restore` then `apply` do.
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(
            restore_parts(&bad, now, None, &mut p.0, &mut p.1, &mut p.2).map(|_| ()),
            Err(RestoreError::BadMagic)
        );
    }

    #[test]
    fn generations_track_changes() {
        let mut ev = EventQueue::<64>::new();
        let tr = Transfers::<3>::new();
        let si = ScheduleInformQueue::<3>::new();
        let retry = RetryState::new();
        let g0 = Generations::of(&ev, &tr, &si, &retry);
        assert_eq!(g0, Generations::of(&ev, &tr, &si, &retry));
        ev.push(EventCode::Periodic, "").unwrap();
        assert_ne!(g0, Generations::of(&ev, &tr, &si, &retry));
    }

    #[test]
    fn max_len_is_reachable_bound() {
        // A record with every field at its longest stays within MAX_LEN.
        let mut r = Rec::new();
        r.retry_count = u32::MAX;
        r.parameter_key = Some(bounded(&"p".repeat(32)).unwrap());
        r.last_udp_timestamp = Some(u64::MAX);
        let key: CommandKey = bounded(&"k".repeat(32)).unwrap();
        // The longest event: a 64-character `M X_…` code with a 32-character CommandKey.
        let method = std::format!("M X_{}", "m".repeat(60));
        for _ in 0..64 {
            r.events
                .push(PersistedEvent {
                    code: StoredEventCode::parse(&method).unwrap(),
                    command_key: key.clone(),
                })
                .unwrap();
        }
        let t = DateTime::parse("2024-02-29T01:02:03.123456789-13:59").unwrap();
        for _ in 0..3 {
            r.transfers
                .push(PersistedTransfer::Completed(TransferResult {
                    kind: TransferKind::Upload,
                    command_key: key.clone(),
                    fault_code: u32::MAX,
                    fault_string: bounded(&"f".repeat(256)).unwrap(),
                    start_time: t,
                    complete_time: t,
                }))
                .unwrap();
        }
        for _ in 0..3 {
            r.scheduled_informs
                .push(PersistedScheduledInform {
                    command_key: key.clone(),
                    due_unix: i64::MIN,
                })
                .unwrap();
        }
        let bytes = export(&r);
        assert_eq!(bytes.len(), Rec::MAX_LEN, "the bound is exact");
        assert_eq!(restore_both(&bytes).unwrap(), r);
    }

    fn arb_key() -> impl Strategy<Value = CommandKey> {
        "[ -~]{0,32}".prop_map(|s| bounded(&s).unwrap())
    }

    fn arb_datetime() -> impl Strategy<Value = DateTime> {
        (
            1u16..=9999,
            1u8..=12,
            1u8..=28,
            0u8..=23,
            0u8..=59,
            0u8..=59,
            0u32..1_000_000_000,
            -840i16..=840,
        )
            .prop_map(|(y, mo, d, h, mi, s, n, o)| {
                DateTime::new(y, mo, d, h, mi, s)
                    .unwrap()
                    .with_nanos(n)
                    .unwrap()
                    .with_offset(Offset::Minutes(o))
                    .unwrap()
            })
    }

    fn arb_kind() -> impl Strategy<Value = TransferKind> {
        prop_oneof![
            Just(TransferKind::Download),
            Just(TransferKind::Upload),
            Just(TransferKind::ScheduleDownload)
        ]
    }

    fn arb_event() -> impl Strategy<Value = PersistedEvent> {
        prop_oneof![
            (0usize..21, arb_key()).prop_map(|(i, key)| {
                const ALL: [&str; 21] = [
                    "0 BOOTSTRAP",
                    "1 BOOT",
                    "2 PERIODIC",
                    "3 SCHEDULED",
                    "4 VALUE CHANGE",
                    "5 KICKED",
                    "6 CONNECTION REQUEST",
                    "7 TRANSFER COMPLETE",
                    "8 DIAGNOSTICS COMPLETE",
                    "9 REQUEST DOWNLOAD",
                    "10 AUTONOMOUS TRANSFER COMPLETE",
                    "11 DU STATE CHANGE COMPLETE",
                    "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
                    "13 WAKEUP",
                    "14 HEARTBEAT",
                    "M Reboot",
                    "M ScheduleInform",
                    "M Download",
                    "M ScheduleDownload",
                    "M Upload",
                    "M ChangeDUState",
                ];
                let code = StoredEventCode::parse(ALL[i]).unwrap();
                let command_key = if code.as_event_code().carries_command_key() {
                    key
                } else {
                    CommandKey::new()
                };
                PersistedEvent { code, command_key }
            }),
            "X [0-9A-F]{6} [a-z ]{1,20}".prop_map(|s| PersistedEvent {
                code: StoredEventCode::parse(s.trim_end())
                    .unwrap_or_else(|_| StoredEventCode::parse("X 000000 e").unwrap()),
                command_key: CommandKey::new(),
            }),
        ]
    }

    fn arb_transfer() -> impl Strategy<Value = PersistedTransfer> {
        prop_oneof![
            (
                arb_kind(),
                arb_key(),
                "[ -~]{0,64}",
                1i32..=3,
                any::<bool>(),
                any::<i64>(),
                any::<u32>()
            )
                .prop_map(|(kind, command_key, ft, st, unix, t, s)| {
                    PersistedTransfer::Queued {
                        kind,
                        command_key,
                        file_type: bounded(&ft).unwrap(),
                        state: TransferState::from_int(st).unwrap(),
                        start: if unix {
                            StartAfter::Unix(t)
                        } else {
                            StartAfter::Remaining(s)
                        },
                    }
                }),
            (
                arb_kind(),
                arb_key(),
                any::<u32>(),
                "\\PC{0,60}",
                arb_datetime(),
                arb_datetime()
            )
                .prop_map(
                    |(kind, command_key, fault_code, fs, start_time, complete_time)| {
                        PersistedTransfer::Completed(TransferResult {
                            kind,
                            command_key,
                            fault_code,
                            fault_string: crate::limits::truncated(&fs),
                            start_time,
                            complete_time,
                        })
                    }
                ),
        ]
    }

    fn arb_record() -> impl Strategy<Value = Rec> {
        (
            proptest::collection::vec(arb_event(), 0..20),
            proptest::collection::vec(arb_transfer(), 0..=3),
            proptest::collection::vec((arb_key(), any::<i64>()), 0..=3),
            any::<u32>(),
            proptest::option::of(arb_key()),
            proptest::option::of(any::<u64>()),
        )
            .prop_map(|(ev, tr, si, retry_count, pk, ts)| {
                let mut r = Rec::new();
                for e in ev {
                    r.events.push(e).unwrap();
                }
                for t in tr {
                    r.transfers.push(t).unwrap();
                }
                for (command_key, due_unix) in si {
                    r.scheduled_informs
                        .push(PersistedScheduledInform {
                            command_key,
                            due_unix,
                        })
                        .unwrap();
                }
                r.retry_count = retry_count;
                r.parameter_key = pk.map(|k| bounded(&k).unwrap());
                r.last_udp_timestamp = ts;
                r
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn export_restore_round_trip(r in arb_record()) {
            let bytes = export(&r);
            prop_assert!(bytes.len() <= Rec::MAX_LEN);
            prop_assert_eq!(restore_both(&bytes).unwrap(), r);
        }

        #[test]
        fn any_single_byte_corruption_is_rejected(r in arb_record(), pos in any::<prop::sample::Index>(), x in 1u8..=255, pad in 0usize..8) {
            let mut bytes = export(&r);
            bytes.extend(core::iter::repeat_n(0xFFu8, pad));
            let i = pos.index(bytes.len());
            bytes[i] ^= x;
            match restore_both(&bytes) {
                Ok(back) => {
                    // Only the padding after the record may change without detection.
                    prop_assert!(i >= r.encoded_len());
                    prop_assert_eq!(back, r);
                }
                Err(_) => prop_assert!(i < r.encoded_len()),
            }
        }

        #[test]
        fn streaming_export_and_restore_match_the_record(r in arb_record(), now_s in 0u64..10_000, unix in proptest::option::of(0i64..2_000_000_000)) {
            // Live parts holding `r`'s content (as after a boot), exported both ways.
            let boot = Instant::from_secs(now_s);
            let mut p = fresh();
            if let Ok(retry) = r.apply(boot, unix, &mut p.0, &mut p.1, &mut p.2) {
                let later = Instant::from_secs(now_s + 5);
                let bytes = assert_export_matches(later, &p, &retry, r.parameter_key.as_deref(), r.last_udp_timestamp);
                prop_assert!(restore_both(&bytes).is_ok());
            }
            // And the record's own bytes restore the same both ways.
            prop_assert_eq!(restore_both(&export(&r)).unwrap(), r);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = restore_both(&bytes);
            let mut sealed = seal(&bytes);
            let _ = restore_both(&sealed);
            sealed.truncate(sealed.len() / 2);
            let _ = restore_both(&sealed);
        }
    }
}
