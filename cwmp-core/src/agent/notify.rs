//! Attributes and value changes (TR-069 §A.3.2.4, §3.2.1, Table 8 `4 VALUE CHANGE`).
//!
//! [`Attributes`] keeps, per Parameter name, what SetParameterAttributes set (Notification,
//! whether `Subscriber` is in the AccessList) and a [`fingerprint`](super::values::fingerprint)
//! of the last value seen, so the agent can tell a change at Inform time without storing the
//! value. At most `A` entries: a Parameter at its defaults (Notification as the schema says,
//! AccessList empty) has none. [`Pending`] holds the names changed by something other than the
//! ACS since the last successful Non-HEARTBEAT Inform (§A.3.3.1 (i), (ii)): at most `P`.

use super::walk::Name;

/// One Parameter's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Attribute {
    /// Full Parameter name.
    pub name: Name,
    /// Notification, 0–2 (3–6 need LWN, refused with 9003).
    pub notification: u8,
    /// `Subscriber` is in its AccessList (the only standard entity, §A.3.2.4).
    pub subscriber: bool,
    /// Fingerprint of the value last seen, for change detection.
    pub fingerprint: Option<u32>,
}

/// The attributes that differ from the defaults, at most `A`.
#[derive(Debug, Clone, Default)]
pub struct Attributes<const A: usize> {
    pub(crate) list: heapless::Vec<Attribute, A>,
}

impl<const A: usize> Attributes<A> {
    /// Empty.
    pub const fn new() -> Self {
        Attributes {
            list: heapless::Vec::new(),
        }
    }
    /// The entry of `name`.
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.list.iter().find(|a| a.name == name)
    }
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Attribute> {
        self.list.iter_mut().find(|a| a.name == name)
    }
    /// Every entry.
    pub fn iter(&self) -> impl Iterator<Item = &Attribute> + '_ {
        self.list.iter()
    }
    /// How many entries.
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// No entries?
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// Room for `n` more?
    pub(crate) fn has_room(&self, n: usize) -> bool {
        self.list.len().saturating_add(n) <= A
    }

    /// Sets `name`'s attributes; the entry goes when they are back to the schema's defaults
    /// (`default_notification`, empty AccessList) and nothing is tracked. Returns `false` when
    /// full (nothing changed).
    pub(crate) fn set(&mut self, attr: Attribute, default_notification: u8) -> bool {
        let keep =
            attr.notification != default_notification || attr.subscriber || attr.notification > 0;
        match self.list.iter().position(|a| a.name == attr.name) {
            Some(i) if keep => {
                if let Some(a) = self.list.get_mut(i) {
                    *a = attr;
                }
                true
            }
            Some(i) => {
                self.list.swap_remove(i);
                true
            }
            None if keep => self.list.push(attr).is_ok(),
            None => true,
        }
    }

    /// Removes every entry at or below `prefix` (an instance that was deleted, §A.3.2.4:
    /// attributes die with their instance). Returns how many.
    pub(crate) fn remove_under(&mut self, prefix: &str) -> usize {
        let before = self.list.len();
        self.list.retain(|a| !a.name.starts_with(prefix));
        before.saturating_sub(self.list.len())
    }
}

/// Names pending a value-change notification, at most `P` (each once, §A.3.3.1).
#[derive(Debug, Clone, Default)]
pub struct Pending<const P: usize> {
    pub(crate) names: heapless::Vec<Name, P>,
    /// Changes that did not fit: the event is still raised, the names are lost.
    pub(crate) overflowed: bool,
}

impl<const P: usize> Pending<P> {
    /// Empty.
    pub const fn new() -> Self {
        Pending {
            names: heapless::Vec::new(),
            overflowed: false,
        }
    }
    /// Adds `name` unless it is there; `false` if it did not fit.
    pub(crate) fn add(&mut self, name: &str) -> bool {
        if self.names.iter().any(|n| n == name) {
            return true;
        }
        let Ok(n) = Name::try_from(name) else {
            return false;
        };
        if self.names.push(n).is_err() {
            self.overflowed = true;
            return false;
        }
        true
    }
    /// The pending names, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(|n| n.as_str())
    }
    /// How many.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// None?
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// Drops the `n` oldest (delivered by an Inform the ACS confirmed).
    pub(crate) fn drop_oldest(&mut self, n: usize) {
        let n = n.min(self.names.len());
        for _ in 0..n {
            self.names.remove(0);
        }
        if self.names.is_empty() {
            self.overflowed = false;
        }
    }
    pub(crate) fn clear(&mut self) {
        self.names.clear();
        self.overflowed = false;
    }
    pub(crate) fn remove_under(&mut self, prefix: &str) {
        self.names.retain(|n| !n.starts_with(prefix));
    }
}
