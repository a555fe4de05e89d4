//! Paths against the schema: `resolve` turns a request's Path Name into a schema node and
//! Instance Numbers (§A.2.2, fault 9005 when it names nothing), and [`Walker`] lists a subtree
//! in GetParameterNames order, composing each name in its own buffer, resumable one entry
//! at a time (so a 10,000-entry answer is produced while it is written, never stored).
//!
//! `Tree` is the model the agent sees: the firmware's schema with the agent's own
//! `ManagementServer.` (§super::management) as a child of the root.

use cwmp_codec::path::{PathName, Segment};
use cwmp_codec::{FaultCode, Value};

use super::management::{Management, MANAGEMENT_SERVER};
use super::model::{DataModel, Instances, Kind, Node, AGENT_IDS, MAX_DEPTH, MAX_NAME_LEN};

/// A composed Parameter or object name.
pub type Name = heapless::String<MAX_NAME_LEN>;

/// The firmware's model with the agent's `ManagementServer.` grafted under its root.
pub(crate) struct Tree<'t, M: ?Sized> {
    pub(crate) model: &'t M,
    pub(crate) ms: &'t Management,
}

impl<M: DataModel + ?Sized> Tree<'_, M> {
    pub(crate) fn root(&self) -> &'static Node {
        self.model.root()
    }

    /// Does the agent add `ManagementServer.` (the model has none of its own)?
    fn grafts(&self, node: &Node) -> bool {
        node.is(self.root())
            && !self
                .root()
                .children
                .iter()
                .any(|c| c.name == MANAGEMENT_SERVER.name)
    }

    /// The `index`-th child of an object or of a table's instances.
    pub(crate) fn child(&self, node: &'static Node, index: usize) -> Option<&'static Node> {
        match node.children.get(index) {
            Some(c) => Some(c),
            None if index == node.children.len() && self.grafts(node) => Some(&MANAGEMENT_SERVER),
            None => None,
        }
    }

    /// The child of `node` named `name`.
    pub(crate) fn find(&self, node: &'static Node, name: &str) -> Option<&'static Node> {
        let mut i = 0usize;
        while let Some(c) = self.child(node, i) {
            if c.name == name {
                return Some(c);
            }
            i = i.saturating_add(1);
        }
        None
    }

    pub(crate) fn instance(&self, table: &'static Node, parents: &[u32], i: usize) -> Option<u32> {
        if table.id >= AGENT_IDS {
            return None;
        }
        self.model.instance(table, parents, i)
    }

    pub(crate) fn has_instance(&self, table: &'static Node, parents: &[u32], n: u32) -> bool {
        table.id < AGENT_IDS && self.model.has_instance(table, parents, n)
    }

    pub(crate) fn get<'s>(
        &self,
        param: &'static Node,
        inst: &[u32],
        scratch: &'s mut [u8],
    ) -> Option<Value<'s>> {
        if param.id >= AGENT_IDS {
            self.ms.get(param, scratch)
        } else {
            self.model.get(param, inst, scratch)
        }
    }
}

/// What a path or a walked entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Target {
    /// A Parameter.
    Parameter,
    /// A single-instance object.
    Object,
    /// A multi-instance object itself (`Device.NAT.PortMapping.`).
    Table,
    /// One instance of it (`Device.NAT.PortMapping.3.`).
    Instance,
}

impl Target {
    /// An object of any kind (its name ends in `.`).
    pub const fn is_object(self) -> bool {
        !matches!(self, Target::Parameter)
    }
}

/// A path resolved against the schema.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The schema node (for an instance: its table).
    pub node: &'static Node,
    /// The Instance Numbers on the way.
    pub inst: Instances,
    /// What it names.
    pub target: Target,
}

/// Resolves `text` (a full Parameter name, a Partial Path, or `""` for the root). Wildcards
/// and aliases are not supported (§3.6.1, §3.6.2: 9005), nor are names of more than
/// [`MAX_NAME_LEN`] bytes.
///
/// # Errors
///
/// 9005 (invalid Parameter name) for anything that does not exactly name an existing
/// Parameter (no trailing `.`) or object (trailing `.`), §A.3.2.2.
pub(crate) fn resolve<M: DataModel + ?Sized>(
    tree: &Tree<'_, M>,
    text: &str,
) -> Result<Resolved, FaultCode> {
    const BAD: FaultCode = FaultCode::INVALID_PARAMETER_NAME;
    let root = tree.root();
    if text.is_empty() {
        return Ok(Resolved {
            node: root,
            inst: Instances::new(),
            target: Target::Object,
        });
    }
    if text.len() > MAX_NAME_LEN {
        return Err(BAD);
    }
    let path = PathName::parse(text).map_err(|_| BAD)?;
    let mut segs = path.segments();
    match segs.next() {
        Some(Segment::Name(n)) if n == root.name => {}
        _ => return Err(BAD),
    }
    let mut node = root;
    let mut target = Target::Object;
    let mut inst = Instances::new();
    for seg in segs {
        match (target, seg) {
            (Target::Object | Target::Instance, Segment::Name(n)) => {
                node = tree.find(node, n).ok_or(BAD)?;
                target = match node.kind {
                    Kind::Object => Target::Object,
                    Kind::Table(_) => Target::Table,
                    Kind::Parameter(_) => Target::Parameter,
                };
            }
            (Target::Table, Segment::Instance(n)) => {
                if !tree.has_instance(node, &inst, n) {
                    return Err(BAD);
                }
                inst.push(n).map_err(|_| BAD)?;
                target = Target::Instance;
            }
            // A name below a Parameter, a name where an instance is due, an alias or `*`.
            _ => return Err(BAD),
        }
    }
    if target.is_object() != path.is_partial() {
        return Err(BAD);
    }
    Ok(Resolved { node, inst, target })
}

/// One entry of a walk: its name is [`Walker::name`], its instances [`Walker::instances`].
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The schema node (for a table or an instance: the table).
    pub node: &'static Node,
    /// What it is.
    pub target: Target,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    node: &'static Node,
    /// Next child (object, instance) or next instance index (table).
    pos: usize,
    /// The name length of this object, `.` included.
    name_len: usize,
    inst_len: usize,
    table: bool,
}

/// A pre-order walk of a subtree (§A.3.2.3 order: an object, then what is below it),
/// resumable entry by entry. `depth` limits how far below the start it goes (1: children
/// only, GetParameterNames NextLevel=true).
#[derive(Debug, Clone)]
pub struct Walker {
    stack: heapless::Vec<Frame, MAX_DEPTH>,
    name: Name,
    inst: Instances,
    start: Option<Entry>,
    emit_start: bool,
    depth: usize,
    /// The entry last returned by [`Walker::next`].
    pub(crate) current: Option<Entry>,
}

impl Walker {
    /// A walk of `r` (named `text`, or the root object for `""`) down to `depth` levels below
    /// it, starting with `r` itself if `emit_start`.
    pub(crate) fn new<M: DataModel + ?Sized>(
        tree: &Tree<'_, M>,
        r: &Resolved,
        text: &str,
        emit_start: bool,
        depth: usize,
    ) -> Walker {
        let mut name = Name::new();
        if text.is_empty() {
            let _ = name.push_str(tree.root().name);
            let _ = name.push('.');
        } else {
            let _ = name.push_str(text);
        }
        Walker {
            stack: heapless::Vec::new(),
            name,
            inst: r.inst.clone(),
            start: Some(Entry {
                node: r.node,
                target: r.target,
            }),
            emit_start,
            depth,
            current: None,
        }
    }

    /// The current entry's full name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The current entry's Instance Numbers.
    pub fn instances(&self) -> &[u32] {
        &self.inst
    }

    fn push_frame(&mut self, node: &'static Node, table: bool) {
        if self.stack.len() < self.depth {
            let _ = self.stack.push(Frame {
                node,
                pos: 0,
                name_len: self.name.len(),
                inst_len: self.inst.len(),
                table,
            });
        }
    }

    /// The next entry, or `None` at the end.
    pub(crate) fn next<M: DataModel + ?Sized>(&mut self, tree: &Tree<'_, M>) -> Option<Entry> {
        self.current = self.step(tree);
        self.current
    }

    fn step<M: DataModel + ?Sized>(&mut self, tree: &Tree<'_, M>) -> Option<Entry> {
        if let Some(s) = self.start.take() {
            match s.target {
                Target::Parameter => {}
                Target::Table => self.push_frame(s.node, true),
                Target::Object | Target::Instance => self.push_frame(s.node, false),
            }
            if self.emit_start {
                return Some(s);
            }
        }
        loop {
            let f = *self.stack.last()?;
            if let Some(top) = self.stack.last_mut() {
                top.pos = top.pos.saturating_add(1);
            }
            self.name.truncate(f.name_len);
            self.inst.truncate(f.inst_len);
            if f.table {
                let Some(n) = tree.instance(f.node, &self.inst, f.pos) else {
                    self.stack.pop();
                    continue;
                };
                if push_number(&mut self.name, n).is_err() || self.inst.push(n).is_err() {
                    continue;
                }
                self.push_frame(f.node, false);
                return Some(Entry {
                    node: f.node,
                    target: Target::Instance,
                });
            }
            let Some(c) = tree.child(f.node, f.pos) else {
                self.stack.pop();
                continue;
            };
            if self.name.push_str(c.name).is_err() {
                continue;
            }
            let target = match c.kind {
                Kind::Parameter(_) => Target::Parameter,
                Kind::Object => Target::Object,
                Kind::Table(_) => Target::Table,
            };
            if target.is_object() {
                if self.name.push('.').is_err() {
                    continue;
                }
                self.push_frame(c, target == Target::Table);
            }
            return Some(Entry { node: c, target });
        }
    }
}

/// Appends `n.` to a name.
fn push_number(name: &mut Name, n: u32) -> Result<(), ()> {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i = i.saturating_sub(1);
        if let Some(d) = digits.get_mut(i) {
            *d = b'0'.saturating_add((v % 10) as u8);
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or(&[]) {
        name.push(char::from(d)).map_err(|_| ())?;
    }
    name.push('.').map_err(|_| ())
}
