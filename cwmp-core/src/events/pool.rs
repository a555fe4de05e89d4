//! The shared string slots of the event queue: the CommandKeys of `M` events and the text of
//! vendor and unknown codes (§A.3.3.1, Table 40). Few entries carry one, so the queue keeps a
//! one-byte slot index per entry instead of a string; entries with equal strings share a slot,
//! which is counted and freed with its last entry.

/// `K` strings of at most `L` bytes, each with the number of queue entries that use it.
#[derive(Debug, Clone)]
pub(super) struct Pool<const L: usize, const K: usize> {
    slots: [Slot<L>; K],
}

#[derive(Debug, Clone)]
struct Slot<const L: usize> {
    /// Entries using the slot; free at 0.
    refs: u8,
    text: heapless::String<L, u8>,
}

impl<const L: usize> Slot<L> {
    const FREE: Self = Slot {
        refs: 0,
        text: heapless::String::new(),
    };
}

impl<const L: usize, const K: usize> Pool<L, K> {
    /// Slot indices are bytes, and `u8::MAX` is the queue's "no slot".
    const FITS: () = assert!(K < u8::MAX as usize && L <= u8::MAX as usize);

    /// Every slot free.
    pub(super) const fn new() -> Self {
        let () = Self::FITS;
        Pool {
            slots: [const { Slot::FREE }; K],
        }
    }

    /// The slot that already holds `text`, else a free one; `None` if `text` is longer than `L`
    /// bytes or no slot is left. Changes nothing: [`Pool::acquire`] takes it.
    pub(super) fn place(&self, text: &str) -> Option<u8> {
        if text.len() > L {
            return None;
        }
        let mut free = None;
        for (i, slot) in self.slots.iter().enumerate() {
            let i = u8::try_from(i).ok()?;
            if slot.refs > 0 && slot.text.as_str() == text {
                return Some(i);
            }
            if slot.refs == 0 && free.is_none() {
                free = Some(i);
            }
        }
        free
    }

    /// One more entry uses slot `i`, which [`Pool::place`] returned for `text`.
    pub(super) fn acquire(&mut self, i: u8, text: &str) {
        if let Some(slot) = self.slots.get_mut(usize::from(i)) {
            if slot.refs == 0 {
                slot.text.clear();
                // `place` checked the length: cannot fail.
                let _ = slot.text.push_str(text);
            }
            // At most 64 entries use a slot: cannot saturate.
            slot.refs = slot.refs.saturating_add(1);
        }
    }

    /// One entry less uses slot `i`.
    pub(super) fn release(&mut self, i: u8) {
        if let Some(slot) = self.slots.get_mut(usize::from(i)) {
            slot.refs = slot.refs.saturating_sub(1);
        }
    }

    /// The text of slot `i` (empty for an index no entry holds, which never happens).
    pub(super) fn get(&self, i: u8) -> &str {
        self.slots
            .get(usize::from(i))
            .map_or("", |slot| slot.text.as_str())
    }

    /// Slots in use.
    #[cfg(test)]
    pub(super) fn in_use(&self) -> usize {
        self.slots.iter().filter(|s| s.refs > 0).count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_a_slot_until_the_last_release() {
        let mut p = Pool::<4, 2>::new();
        let a = p.place("ab").unwrap();
        p.acquire(a, "ab");
        assert_eq!(p.place("ab"), Some(a));
        p.acquire(a, "ab");
        let b = p.place("cd").unwrap();
        assert_ne!(a, b);
        p.acquire(b, "cd");
        assert_eq!(p.in_use(), 2);
        // Full, and too long: refused without change.
        assert_eq!(p.place("ef"), None);
        assert_eq!(p.place("abcde"), None);
        p.release(a);
        assert_eq!(p.get(a), "ab");
        assert_eq!(p.place("ef"), None);
        p.release(a);
        assert_eq!(p.in_use(), 1);
        let c = p.place("ef").unwrap();
        assert_eq!(c, a);
        p.acquire(c, "ef");
        assert_eq!(p.get(c), "ef");
        assert_eq!(p.get(b), "cd");
    }
}
