//! Declaring a model as `const` tables (no walk to write, nothing allocated): [`Node`]s built
//! with `const fn`s, nested through `&'static [Node]` children, and [`InstanceTable`], fixed
//! instance storage that numbers instances the TR-069 way (§A.2.2.1: ≥ 1, never reused while
//! the integer space lasts).
//!
//! ```
//! use cwmp_core::agent::table::*;
//! use cwmp_core::agent::{Node, ParamType};
//!
//! const DEVICE_INFO: &[Node] = &[
//!     Node::parameter("Manufacturer", 1, ParamType::string(64)).forced_inform(),
//!     Node::parameter("SoftwareVersion", 2, ParamType::string(64)).forced_inform().notification(2),
//!     Node::parameter("UpTime", 3, ParamType::UNSIGNED_INT).no_active(),
//! ];
//! const PORT_MAPPING: &[Node] = &[
//!     Node::parameter("Enable", 11, ParamType::Boolean).writable(),
//!     Node::parameter("Description", 12, ParamType::string(256)).writable(),
//! ];
//! const NAT: &[Node] = &[Node::table("PortMapping", 10, 32, PORT_MAPPING)];
//! static DEVICE: Node = Node::object("Device", 0, &[
//!     Node::object("DeviceInfo", 0, DEVICE_INFO),
//!     Node::object("NAT", 0, NAT),
//! ]);
//! ```

pub use super::model::{Kind, Node, Param, ParamType, Table};

impl Node {
    /// A single-instance object with its children.
    pub const fn object(name: &'static str, id: u16, children: &'static [Node]) -> Node {
        Node {
            name,
            kind: Kind::Object,
            id,
            children,
        }
    }

    /// A multi-instance object `name.{i}.` of at most `max_instances` (0: no fixed limit),
    /// writable (AddObject/DeleteObject allowed; see [`Node::fixed`]); `children` are each
    /// instance's.
    pub const fn table(
        name: &'static str,
        id: u16,
        max_instances: u32,
        children: &'static [Node],
    ) -> Node {
        Node {
            name,
            kind: Kind::Table(Table {
                max_instances,
                writable: true,
            }),
            id,
            children,
        }
    }

    /// A read-only Parameter with Notification default 0, not forced.
    pub const fn parameter(name: &'static str, id: u16, ty: ParamType) -> Node {
        Node {
            name,
            kind: Kind::Parameter(Param {
                ty,
                writable: false,
                notification: 0,
                forced_inform: false,
                forced_active: false,
                active_denied: false,
            }),
            id,
            children: &[],
        }
    }

    const fn map(self, writable: Option<bool>, notification: Option<u8>, flags: u8) -> Node {
        let Kind::Parameter(mut p) = self.kind else {
            return self;
        };
        if let Some(w) = writable {
            p.writable = w;
        }
        if let Some(n) = notification {
            p.notification = n;
        }
        if flags & 1 != 0 {
            p.forced_inform = true;
        }
        if flags & 2 != 0 {
            p.forced_active = true;
            p.notification = 2;
        }
        if flags & 4 != 0 {
            p.active_denied = true;
        }
        Node {
            name: self.name,
            kind: Kind::Parameter(p),
            id: self.id,
            children: self.children,
        }
    }

    /// The Parameter is writable by SetParameterValues.
    pub const fn writable(self) -> Node {
        self.map(Some(true), None, 0)
    }
    /// The Parameter's default Notification (0 off, 1 passive, 2 active; §A.3.2.4).
    pub const fn notification(self, n: u8) -> Node {
        self.map(None, Some(n), 0)
    }
    /// A Forced Inform Parameter (§A.3.3.1).
    pub const fn forced_inform(self) -> Node {
        self.map(None, None, 1)
    }
    /// Forced Active Notification (§A.3.2.4): always 2.
    pub const fn forced_active(self) -> Node {
        self.map(None, None, 2)
    }
    /// Active Notification refused (9009, §A.3.2.4).
    pub const fn no_active(self) -> Node {
        self.map(None, None, 4)
    }
    /// A multi-instance object whose instances the ACS cannot add or delete.
    pub const fn fixed(self) -> Node {
        let Kind::Table(mut t) = self.kind else {
            return self;
        };
        t.writable = false;
        Node {
            name: self.name,
            kind: Kind::Table(t),
            id: self.id,
            children: self.children,
        }
    }
}

/// Instance Numbers of one multi-instance object, at most `N`, numbered from 1 upward and
/// never reused while `u32` lasts (§A.2.2.1), with a value of type `V` per instance. The
/// firmware keeps one per table (per parent instance for nested tables).
#[derive(Debug, Clone)]
pub struct InstanceTable<V, const N: usize> {
    items: heapless::Vec<(u32, V), N>,
    next: u32,
}

impl<V, const N: usize> Default for InstanceTable<V, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V, const N: usize> InstanceTable<V, N> {
    /// No instances; the first gets number 1.
    pub const fn new() -> Self {
        InstanceTable {
            items: heapless::Vec::new(),
            next: 1,
        }
    }
    /// The `index`-th Instance Number, in increasing order (creation order: numbers only grow).
    pub fn number(&self, index: usize) -> Option<u32> {
        self.items.get(index).map(|(n, _)| *n)
    }
    /// How many instances.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// No instance?
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    fn position(&self, number: u32) -> Result<usize, usize> {
        self.items.binary_search_by_key(&number, |(n, _)| *n)
    }
    /// The instance `number`'s value (O(log N): instances are kept in number order).
    pub fn get(&self, number: u32) -> Option<&V> {
        let i = self.position(number).ok()?;
        self.items.get(i).map(|(_, v)| v)
    }
    /// The instance `number`'s value, mutable.
    pub fn get_mut(&mut self, number: u32) -> Option<&mut V> {
        let i = self.position(number).ok()?;
        self.items.get_mut(i).map(|(_, v)| v)
    }
    /// Adds an instance with `value`: its number, or `None` when full (9004) or out of numbers.
    pub fn add(&mut self, value: V) -> Option<u32> {
        let n = self.next;
        if n == 0 || self.items.push((n, value)).is_err() {
            return None;
        }
        self.next = n.checked_add(1).unwrap_or(0);
        Some(n)
    }
    /// Adds an instance with a given number (restoring from flash); `false` if full or taken.
    pub fn insert(&mut self, number: u32, value: V) -> bool {
        let Err(at) = self.position(number) else {
            return false;
        };
        if number == 0 || self.items.insert(at, (number, value)).is_err() {
            return false;
        }
        if number >= self.next {
            self.next = number.checked_add(1).unwrap_or(0);
        }
        true
    }
    /// Removes instance `number`; `false` if it did not exist.
    pub fn remove(&mut self, number: u32) -> bool {
        match self.position(number).ok() {
            Some(i) => {
                self.items.remove(i);
                true
            }
            None => false,
        }
    }
    /// Every instance, in number order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &V)> + '_ {
        self.items.iter().map(|(n, v)| (*n, v))
    }
}
