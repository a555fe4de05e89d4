//! Bodies of the fuzz targets. Each `fuzz_targets/<name>.rs` calls one function here, and
//! `cwmp-core/tests/fuzz_seeds.rs` includes this file to replay `corpus/<name>/` on stable.

/// A fuzz target: its name (the directory under `corpus/`) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, for the seed replay test.
pub fn targets() -> impl Iterator<Item = Target> {
    core::iter::empty()
}
