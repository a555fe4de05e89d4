//! Placeholder replaced by the real inspect tool.
fn main() {}
