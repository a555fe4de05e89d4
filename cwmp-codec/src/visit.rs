//! [`Visitor`]: a walk over a decoded (or built) message, field by field, in schema order.
//!
//! The `inspect` example prints one `path = value` line per leaf with it; a firmware may log a
//! message with it without knowing its type.

use core::fmt::Display;

/// Receives the structure of a message. Paths are built from [`enter`](Visitor::enter) and
/// [`enter_index`](Visitor::enter_index) calls, each matched by a [`leave`](Visitor::leave).
pub trait Visitor {
    /// Descends into the element `name` (a struct member, an array, a header).
    fn enter(&mut self, name: &str);
    /// Descends into the array member at `index`.
    fn enter_index(&mut self, index: usize);
    /// Leaves the innermost element or index.
    fn leave(&mut self);
    /// A leaf value at the current path.
    fn value(&mut self, value: &dyn Display);
}
