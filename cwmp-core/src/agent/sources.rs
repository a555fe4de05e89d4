//! The streamed answers (DESIGN §3): GetParameterNames, GetParameterValues,
//! GetParameterAttributes and the Inform ParameterList as [`LendingSource`]s. Each item is
//! composed into a buffer of the call ([`Walker`] names, values read into scratch) while the
//! response is written, so an answer of any length goes through the caller's small tx buffer.
//!
//! A source replays its walk from the start whenever it is asked for an earlier index (the
//! response is encoded twice: once for `Content-Length`, once for the bytes); sequential
//! access is O(1) per item.

use core::cell::RefCell;

use cwmp_codec::message::{ParameterAttributeStruct, ParameterInfoStruct, ParameterValueStruct};
use cwmp_codec::{Array, LendFn, LendingSource, XmlStr};

use super::model::DataModel;
use super::notify::Attributes;
use super::walk::{resolve, Entry, Target, Tree, Walker};

/// Bytes of scratch a value is read into.
pub const VALUE_SCRATCH: usize = 512;

/// The request's names (`ParameterNames`, or GetParameterNames' one `ParameterPath`).
pub(crate) trait NameAt {
    /// The `i`-th name.
    fn name_at(&self, i: usize) -> Option<XmlStr<'_>>;
}

impl<'a> NameAt for Array<'a, XmlStr<'a>> {
    fn name_at(&self, i: usize) -> Option<XmlStr<'_>> {
        self.iter().nth(i)
    }
}

/// Where a multi-name walk is.
struct Cursor {
    /// Index of the next item to produce.
    index: usize,
    /// Which request name is being walked (`usize::MAX` before the first).
    name: usize,
    walker: Option<Walker>,
}

impl Cursor {
    const fn new() -> Self {
        Cursor {
            index: 0,
            name: usize::MAX,
            walker: None,
        }
    }
}

/// What a walk-based source emits: Parameters only (GPV, GPA) or objects too (GPN).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Parameters,
    Names { next_level: bool },
}

/// Walks the requested names one after the other and hands out matching entries.
pub(crate) struct Walk<'t, 'n, M: ?Sized> {
    pub(crate) tree: Tree<'t, M>,
    names: &'n dyn NameAt,
    mode: Mode,
    cursor: RefCell<Cursor>,
    len: usize,
}

impl<'t, 'n, M: DataModel + ?Sized> Walk<'t, 'n, M> {
    /// Counts the entries (and checks every Parameter can be read: 9002 otherwise).
    pub(crate) fn new(
        tree: Tree<'t, M>,
        names: &'n dyn NameAt,
        mode: Mode,
    ) -> Result<Self, cwmp_codec::FaultCode> {
        let mut w = Walk {
            tree,
            names,
            mode,
            cursor: RefCell::new(Cursor::new()),
            len: 0,
        };
        let mut n = 0usize;
        let mut scratch = [0u8; VALUE_SCRATCH];
        let mut readable = true;
        w.for_each(|tree, e, walker| {
            if e.target == Target::Parameter
                && mode == Mode::Parameters
                && tree.get(e.node, walker.instances(), &mut scratch).is_none()
            {
                readable = false;
            }
            n = n.saturating_add(1);
        });
        if !readable {
            return Err(cwmp_codec::FaultCode::INTERNAL_ERROR);
        }
        w.len = n;
        Ok(w)
    }

    fn for_each(&self, mut f: impl FnMut(&Tree<'t, M>, Entry, &Walker)) {
        let mut c = Cursor::new();
        while self.advance(&mut c) {
            if let Some(w) = c.walker.as_ref() {
                if let Some(e) = c_entry(&c) {
                    f(&self.tree, e, w);
                }
            }
        }
    }

    /// Moves `c` to its next entry; `false` at the end.
    fn advance(&self, c: &mut Cursor) -> bool {
        loop {
            if let Some(w) = c.walker.as_mut() {
                while let Some(e) = w.next(&self.tree) {
                    if self.wanted(e) {
                        return true;
                    }
                }
            }
            c.name = c.name.wrapping_add(1);
            let Some(text) = self.names.name_at(c.name) else {
                c.walker = None;
                return false;
            };
            let text = text.as_str().unwrap_or("\u{0}");
            c.walker = resolve(&self.tree, text).ok().map(|r| {
                let (emit_start, depth) = match self.mode {
                    Mode::Parameters => (true, super::model::MAX_DEPTH),
                    // `""` with NextLevel: the root object alone (§A.3.2.3).
                    Mode::Names { next_level: true } if text.is_empty() => (true, 0),
                    Mode::Names { next_level: true } => (false, 1),
                    Mode::Names { next_level: false } => (true, super::model::MAX_DEPTH),
                };
                Walker::new(&self.tree, &r, text, emit_start, depth)
            });
        }
    }

    fn wanted(&self, e: Entry) -> bool {
        match self.mode {
            Mode::Parameters => e.target == Target::Parameter,
            Mode::Names { .. } => true,
        }
    }

    /// Positions the shared cursor at `index` and calls `f` with the entry there.
    fn at(&self, index: usize, f: impl FnOnce(&Tree<'t, M>, Entry, &Walker)) -> bool {
        let Ok(mut c) = self.cursor.try_borrow_mut() else {
            return false;
        };
        if index >= self.len {
            return false;
        }
        if index.saturating_add(1) < c.index || (c.walker.is_none() && c.index != 0) {
            *c = Cursor::new();
        }
        // `c.index` counts the entries consumed; the current entry is `c.index - 1`.
        while c.index <= index {
            if !self.advance(&mut c) {
                return false;
            }
            c.index = c.index.saturating_add(1);
        }
        match (c.walker.as_ref(), c_entry(&c)) {
            (Some(w), Some(e)) => {
                f(&self.tree, e, w);
                true
            }
            _ => false,
        }
    }
}

/// The entry the cursor stands on.
fn c_entry(c: &Cursor) -> Option<Entry> {
    c.walker.as_ref().and_then(|w| w.current)
}

impl<'a, M: DataModel + ?Sized> LendingSource<ParameterValueStruct<'a>> for Walk<'_, '_, M> {
    fn len(&self) -> usize {
        self.len
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
    where
        ParameterValueStruct<'a>: 'f,
    {
        let mut ok = false;
        let found = self.at(index, |tree, e, w| {
            let mut scratch = [0u8; VALUE_SCRATCH];
            if let Some(v) = tree.get(e.node, w.instances(), &mut scratch) {
                f(&ParameterValueStruct {
                    name: XmlStr::new(w.name()),
                    value: Some(v),
                });
                ok = true;
            }
        });
        found && ok
    }
}

impl<'a, M: DataModel + ?Sized> LendingSource<ParameterInfoStruct<'a>> for Walk<'_, '_, M> {
    fn len(&self) -> usize {
        self.len
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterInfoStruct<'a>>) -> bool
    where
        ParameterInfoStruct<'a>: 'f,
    {
        self.at(index, |_, e, w| {
            f(&ParameterInfoStruct {
                name: XmlStr::new(w.name()),
                writable: writable(e),
            })
        })
    }
}

/// GetParameterNames `Writable` (T22): a Parameter's access; a multi-instance object or one
/// of its instances: AddObject / DeleteObject allowed; another object: false.
pub(crate) fn writable(e: Entry) -> bool {
    match e.target {
        Target::Parameter => e.node.param().is_some_and(|p| p.writable),
        Target::Table | Target::Instance => e.node.table_info().is_some_and(|t| t.writable),
        Target::Object => false,
    }
}

/// GetParameterAttributes: the walk with the attribute table.
pub(crate) struct AttributeWalk<'t, 'n, 'x, M: ?Sized, const A: usize> {
    pub(crate) walk: Walk<'t, 'n, M>,
    pub(crate) attrs: &'x Attributes<A>,
}

/// `Subscriber`, the one standard AccessList entry (§A.3.2.4).
pub(crate) const SUBSCRIBER: &[XmlStr<'static>] = &[XmlStr::new("Subscriber")];

impl<'a, M: DataModel + ?Sized, const A: usize> LendingSource<ParameterAttributeStruct<'a>>
    for AttributeWalk<'_, '_, '_, M, A>
{
    fn len(&self) -> usize {
        self.walk.len
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterAttributeStruct<'a>>) -> bool
    where
        ParameterAttributeStruct<'a>: 'f,
    {
        self.walk.at(index, |_, e, w| {
            let (notification, subscriber) = effective(self.attrs, e, w.name());
            f(&ParameterAttributeStruct {
                name: XmlStr::new(w.name()),
                notification: i32::from(notification),
                access_list: if subscriber {
                    Array::new(SUBSCRIBER)
                } else {
                    Array::empty()
                },
            })
        })
    }
}

/// A Parameter's Notification and `Subscriber` flag: its attribute entry, or the schema's
/// default; Forced Active is always 2 (§A.3.2.4).
pub(crate) fn effective<const A: usize>(attrs: &Attributes<A>, e: Entry, name: &str) -> (u8, bool) {
    let p = e.node.param();
    if p.is_some_and(|p| p.forced_active) {
        return (2, attrs.get(name).is_some_and(|a| a.subscriber));
    }
    match attrs.get(name) {
        Some(a) => (a.notification, a.subscriber),
        None => (p.map_or(0, |p| p.notification), false),
    }
}
