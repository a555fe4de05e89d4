//! Power-safe storage of the record: two alternating slots (A/B pages) with a sequence number
//! and a checksum, so that a write torn by a power cut never loses the last committed state
//! (DESIGN §3, "Persistence survives torn writes"; INTEROP S4, the lost TransferComplete).
//!
//! The layer wraps *any* bytes: the [`Cpe::export`](crate::cpe::Cpe::export) record, and
//! whatever the application appends after it in the same slot (its own parameter attributes, a
//! data-model snapshot). It knows nothing of their format; the record keeps its own magic,
//! version and CRC inside.
//!
//! ## The rule
//!
//! A new state is always written into the slot that does *not* hold the newest valid state, with
//! the next sequence number. Whatever a power cut leaves in that slot (nothing, a prefix of the
//! new image over the old one, a prefix over erased flash), the other slot still holds the last
//! committed state intact, and at the next power-up [`Slots::scan`] picks the newest slot whose
//! checksum holds. A write is committed once its last byte (the CRC) is in the slot.
//!
//! ## Layout of one slot (all integers little-endian)
//!
//! ```text
//! magic "CWMS" (4) | sequence u32 | payload length u32 | payload | CRC-32 u32
//! ```
//!
//! The CRC-32/IEEE covers everything before it. Bytes after the CRC (erased flash, the tail of an
//! older, longer image) are ignored. Sequence numbers wrap: of two valid slots, the newer is the
//! one ahead in serial-number arithmetic (RFC 1982, 32 bits).
//!
//! ## A flash driver
//!
//! ```
//! use cwmp_core::persist::slot::{self, SlotId, Slots};
//!
//! const PAGE: usize = slot::slot_len(64); // for payloads of up to 64 bytes
//! let mut flash = [[0xFFu8; PAGE]; 2]; // two erased pages, A and B
//!
//! // Power-up: find the newest committed state and where the next write goes.
//! let slots = Slots::scan(&flash[0], &flash[1]);
//! assert!(slots.newest().is_none());
//! let mut next = slots.next_write();
//!
//! // Each time the state changes: the payload goes in place, `seal` frames it.
//! for state in [&b"first"[..], b"second", b"third"] {
//!     let mut page = [0xFFu8; PAGE];
//!     let area = slot::payload_mut(&mut page);
//!     area[..state.len()].copy_from_slice(state); // e.g. `cpe.export(now, area)?`
//!     let len = slot::seal(&mut page, next.sequence, state.len())?;
//!     flash[next.slot.index()] = [0xFF; PAGE]; // erase, then write the image
//!     flash[next.slot.index()][..len].copy_from_slice(&page[..len]);
//!     next = next.committed(); // only once the write is complete
//! }
//!
//! let slots = Slots::scan(&flash[0], &flash[1]);
//! let newest = slots.newest().unwrap();
//! assert_eq!((newest.slot, newest.sequence, newest.payload), (SlotId::A, 3, &b"third"[..]));
//! assert_eq!(slots.older().unwrap().payload, b"second");
//! assert_eq!(slots.next_write().slot, SlotId::B);
//! # Ok::<(), cwmp_core::persist::BufferTooSmall>(())
//! ```

use core::fmt;

use super::BufferTooSmall;
use crate::crc32::crc32;

/// The magic bytes at the start of a slot.
pub const SLOT_MAGIC: [u8; 4] = *b"CWMS";
/// Magic, sequence and payload length: where the payload starts in a slot.
pub const HEADER_LEN: usize = 12;
/// The CRC-32 after the payload.
pub const TRAILER_LEN: usize = 4;
/// The bytes a slot adds around its payload.
pub const OVERHEAD: usize = HEADER_LEN + TRAILER_LEN;

/// How large each slot must be for payloads of up to `payload_max` bytes, e.g.
/// `slot_len(Record::<64, 3, 3>::MAX_LEN + my_appended_state_max)`.
pub const fn slot_len(payload_max: usize) -> usize {
    payload_max.saturating_add(OVERHEAD)
}

/// Which of the two slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SlotId {
    /// The first slot (page A).
    A,
    /// The second slot (page B).
    B,
}

impl SlotId {
    /// 0 for A, 1 for B (an index into an array of two pages).
    pub const fn index(self) -> usize {
        match self {
            Self::A => 0,
            Self::B => 1,
        }
    }

    /// The other slot.
    pub const fn other(self) -> Self {
        match self {
            Self::A => Self::B,
            Self::B => Self::A,
        }
    }
}

/// Why one slot holds no committed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SlotError {
    /// Not a slot: erased, never written, or another format.
    BadMagic,
    /// Shorter than its header says (a torn write, or a page too small).
    Truncated,
    /// The CRC-32 does not match: a torn write or corruption.
    ChecksumMismatch,
}

impl SlotError {
    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadMagic => "record slot empty or foreign (bad magic)",
            Self::Truncated => "record slot truncated",
            Self::ChecksumMismatch => "record slot checksum mismatch",
        }
    }
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for SlotError {}

/// A slot's committed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Committed<'a> {
    /// Where it was found.
    pub slot: SlotId,
    /// Its sequence number.
    pub sequence: u32,
    /// The bytes that were sealed (for [`Cpe::boot`](crate::cpe::Cpe::boot), then any state the
    /// application appended after the record).
    pub payload: &'a [u8],
}

/// Where the next write goes, and with which sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NextWrite {
    /// The slot to write: never the one holding the newest committed state.
    pub slot: SlotId,
    /// The sequence number to [`seal`] the image with.
    pub sequence: u32,
}

impl NextWrite {
    /// The first write of a device with no committed state: slot A, sequence 1.
    pub const FIRST: NextWrite = NextWrite {
        slot: SlotId::A,
        sequence: 1,
    };

    /// The write after this one, once this one is complete (its last byte is in the slot). If a
    /// write fails or is interrupted, keep the same `NextWrite` and write the same slot again.
    pub const fn committed(self) -> NextWrite {
        NextWrite {
            slot: self.slot.other(),
            sequence: self.sequence.wrapping_add(1),
        }
    }
}

/// What power-up found in the two slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Slots<'a> {
    newest: Option<Committed<'a>>,
    older: Option<Committed<'a>>,
}

impl<'a> Slots<'a> {
    /// Reads both slots (the whole pages; bytes after a slot's image are ignored) and orders the
    /// valid ones by sequence number. Never panics, whatever the bytes.
    pub fn scan(a: &'a [u8], b: &'a [u8]) -> Self {
        let a = open(a).ok().map(|(sequence, payload)| Committed {
            slot: SlotId::A,
            sequence,
            payload,
        });
        let b = open(b).ok().map(|(sequence, payload)| Committed {
            slot: SlotId::B,
            sequence,
            payload,
        });
        match (a, b) {
            (Some(a), Some(b)) if is_newer(b.sequence, a.sequence) => Slots {
                newest: Some(b),
                older: Some(a),
            },
            (Some(a), b) => Slots {
                newest: Some(a),
                older: b,
            },
            (None, b) => Slots {
                newest: b,
                older: None,
            },
        }
    }

    /// The newest committed state, if either slot holds one: give its payload to
    /// [`Cpe::boot`](crate::cpe::Cpe::boot).
    pub const fn newest(&self) -> Option<Committed<'a>> {
        self.newest
    }

    /// The state before it, if the other slot still holds one (a fallback when the newest does
    /// not restore, e.g. after a firmware change of the record format).
    pub const fn older(&self) -> Option<Committed<'a>> {
        self.older
    }

    /// Where the next state goes: the slot that does not hold the newest, with the sequence
    /// number after it ([`NextWrite::FIRST`] when neither slot is valid).
    pub const fn next_write(&self) -> NextWrite {
        match self.newest {
            Some(c) => NextWrite {
                slot: c.slot,
                sequence: c.sequence,
            }
            .committed(),
            None => NextWrite::FIRST,
        }
    }
}

/// `a` is ahead of `b` in 32-bit serial-number arithmetic (RFC 1982 §3.2).
const fn is_newer(a: u32, b: u32) -> bool {
    let d = a.wrapping_sub(b);
    d != 0 && d < 0x8000_0000
}

/// The part of a slot image where the payload goes (everything after the header, less the
/// trailer); empty if `slot` is shorter than [`OVERHEAD`]. Write the payload there, then
/// [`seal`]. Never panics.
pub fn payload_mut(slot: &mut [u8]) -> &mut [u8] {
    let end = slot.len().saturating_sub(TRAILER_LEN);
    slot.get_mut(HEADER_LEN..end).unwrap_or_default()
}

/// Frames the `payload_len` bytes already written at [`payload_mut`] as a slot image with
/// `sequence` ([`NextWrite::sequence`]); returns the image length, the bytes to write to the
/// slot ([`slot_len`]`(payload_len)`).
///
/// # Errors
///
/// [`BufferTooSmall`] if `slot` cannot hold the header, `payload_len` bytes and the trailer
/// (nothing is written). Never panics.
pub fn seal(slot: &mut [u8], sequence: u32, payload_len: usize) -> Result<usize, BufferTooSmall> {
    let needed = slot_len(payload_len);
    let too_small = BufferTooSmall { needed };
    let len = u32::try_from(payload_len).map_err(|_| too_small)?;
    let body_end = HEADER_LEN.checked_add(payload_len).ok_or(too_small)?;
    if slot.len() < needed {
        return Err(too_small);
    }
    let header = slot.get_mut(..HEADER_LEN).ok_or(too_small)?;
    let (magic, rest) = header.split_at_mut(SLOT_MAGIC.len());
    let (seq, plen) = rest.split_at_mut(4);
    magic.copy_from_slice(&SLOT_MAGIC);
    seq.copy_from_slice(&sequence.to_le_bytes());
    plen.copy_from_slice(&len.to_le_bytes());
    let crc = crc32(slot.get(..body_end).ok_or(too_small)?);
    slot.get_mut(body_end..needed)
        .ok_or(too_small)?
        .copy_from_slice(&crc.to_le_bytes());
    Ok(needed)
}

/// Checks one slot image: its sequence number and payload.
///
/// # Errors
///
/// The [`SlotError`] of an erased, torn or corrupt slot. Never panics.
pub fn open(slot: &[u8]) -> Result<(u32, &[u8]), SlotError> {
    let u32_at = |at: usize| {
        slot.get(at..at.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
    };
    match slot.get(..SLOT_MAGIC.len()) {
        Some(m) if m == SLOT_MAGIC => {}
        Some(_) => return Err(SlotError::BadMagic),
        None if SLOT_MAGIC.starts_with(slot) => return Err(SlotError::Truncated),
        None => return Err(SlotError::BadMagic),
    }
    let sequence = u32_at(4).ok_or(SlotError::Truncated)?;
    let len = u32_at(8).ok_or(SlotError::Truncated)?;
    let len = usize::try_from(len).map_err(|_| SlotError::Truncated)?;
    let body_end = HEADER_LEN.checked_add(len).ok_or(SlotError::Truncated)?;
    let stored = u32_at(body_end).ok_or(SlotError::Truncated)?;
    let body = slot.get(..body_end).ok_or(SlotError::Truncated)?;
    if crc32(body) != stored {
        return Err(SlotError::ChecksumMismatch);
    }
    Ok((sequence, body.get(HEADER_LEN..).unwrap_or_default()))
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

    fn image(sequence: u32, payload: &[u8]) -> Vec<u8> {
        let mut page = std::vec![0u8; slot_len(payload.len())];
        payload_mut(&mut page).copy_from_slice(payload);
        assert_eq!(seal(&mut page, sequence, payload.len()), Ok(page.len()));
        page
    }

    #[test]
    fn seal_then_open() {
        let img = image(7, b"hello");
        assert_eq!(open(&img), Ok((7, &b"hello"[..])));
        let mut padded = img.clone();
        padded.extend_from_slice(&[0xFF; 9]);
        assert_eq!(open(&padded), Ok((7, &b"hello"[..])));
        assert_eq!(open(&image(0, b"")), Ok((0, &b""[..])));
    }

    #[test]
    fn seal_refuses_small_buffers() {
        let mut page = [0u8; 20];
        assert_eq!(seal(&mut page, 1, 5), Err(BufferTooSmall { needed: 21 }));
        assert_eq!(page, [0u8; 20]);
        assert_eq!(seal(&mut page, 1, 4), Ok(20));
        assert_eq!(
            seal(&mut page, 1, usize::MAX).map_err(|e| e.needed),
            Err(usize::MAX)
        );
        let mut tiny = [0u8; 3];
        assert!(payload_mut(&mut tiny).is_empty());
        assert!(seal(&mut tiny, 1, 0).is_err());
    }

    #[test]
    fn open_rejects_every_truncation_and_every_bit_flip() {
        let img = image(3, b"payload bytes");
        for k in 0..img.len() {
            assert!(open(&img[..k]).is_err(), "prefix {k}");
            for bit in 0..8 {
                let mut bad = img.clone();
                bad[k] ^= 1 << bit;
                assert!(open(&bad).is_err(), "byte {k} bit {bit}");
            }
        }
        assert_eq!(open(&[0xFF; 40]), Err(SlotError::BadMagic));
        assert_eq!(open(b"CW"), Err(SlotError::Truncated));
        assert_eq!(open(b""), Err(SlotError::Truncated));
        assert_eq!(open(b"X"), Err(SlotError::BadMagic));
        // A length pointing past the page.
        let mut long = img.clone();
        long[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(open(&long), Err(SlotError::Truncated));
    }

    #[test]
    fn scan_orders_by_serial_number() {
        let cases: [(u32, u32, SlotId); 5] = [
            (1, 2, SlotId::B),
            (2, 1, SlotId::A),
            (u32::MAX, 0, SlotId::B),
            (0, u32::MAX, SlotId::A),
            (5, 5, SlotId::A),
        ];
        for (sa, sb, newest) in cases {
            let (a, b) = (image(sa, b"a"), image(sb, b"b"));
            let s = Slots::scan(&a, &b);
            assert_eq!(s.newest().unwrap().slot, newest, "{sa} {sb}");
            assert_eq!(s.older().unwrap().slot, newest.other());
            let next = s.next_write();
            assert_eq!(next.slot, newest.other());
            assert_eq!(next.sequence, s.newest().unwrap().sequence.wrapping_add(1));
        }
        let a = image(9, b"a");
        let s = Slots::scan(&a, &[0xFF; 30]);
        assert_eq!(s.newest().unwrap().payload, b"a");
        assert_eq!(s.older(), None);
        assert_eq!(
            s.next_write(),
            NextWrite {
                slot: SlotId::B,
                sequence: 10
            }
        );
        let s = Slots::scan(&[], &a);
        assert_eq!(s.newest().unwrap().slot, SlotId::B);
        assert_eq!(
            s.next_write(),
            NextWrite {
                slot: SlotId::A,
                sequence: 10
            }
        );
        let s = Slots::scan(&[0; 8], &[]);
        assert_eq!((s.newest(), s.older()), (None, None));
        assert_eq!(s.next_write(), NextWrite::FIRST);
    }

    /// The three ways a page can look after a write cut at byte `k`: the new image's first `k`
    /// bytes over the old content (no erase), over an erased page (erase-then-write, 0xFF), or
    /// over zeros.
    fn torn(old: &[u8], new: &[u8], k: usize, page: usize) -> [Vec<u8>; 3] {
        let over = |fill: Option<u8>| {
            let mut p: Vec<u8> = match fill {
                None => old.to_vec(),
                Some(f) => std::vec![f; page],
            };
            p.resize(page, 0xFF);
            p[..k].copy_from_slice(&new[..k]);
            p
        };
        [over(None), over(Some(0xFF)), over(Some(0))]
    }

    /// A torn write at every byte, alternating between both slots, never loses the last
    /// committed state, with payloads growing and shrinking.
    #[test]
    fn torn_write_at_every_byte_of_both_slots_keeps_the_last_commit() {
        let states: [&[u8]; 6] = [
            b"s1",
            b"state two, longer",
            b"3",
            b"",
            b"five five five",
            b"6",
        ];
        let page = slot_len(32);
        let mut flash = [std::vec![0xFFu8; page], std::vec![0xFFu8; page]];
        let mut next = Slots::scan(&flash[0], &flash[1]).next_write();
        let mut last: Option<&[u8]> = None;
        for state in states {
            let new = image(next.sequence, state);
            let target = next.slot.index();
            for k in 0..=new.len() {
                for p in torn(&flash[target], &new, k, page) {
                    let mut f = flash.clone();
                    f[target] = p;
                    let s = Slots::scan(&f[0], &f[1]);
                    let found = s.newest().map(|c| c.payload);
                    if k == new.len() {
                        assert_eq!(found, Some(state));
                    } else if f[target][..new.len()] != new[..] {
                        assert_eq!(found, last, "tear at {k} of slot {target}");
                    } else {
                        assert!(found == last || found == Some(state));
                    }
                }
            }
            flash[target] = std::vec![0xFF; page];
            flash[target][..new.len()].copy_from_slice(&new);
            last = Some(state);
            next = next.committed();
            assert_eq!(Slots::scan(&flash[0], &flash[1]).next_write(), next);
        }
    }
}
