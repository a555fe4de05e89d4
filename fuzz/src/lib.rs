//! Bodies of the fuzz targets. Each `fuzz_targets/<name>.rs` calls one function here, and
//! `cwmp-core/tests/fuzz_seeds.rs` includes this file to replay `corpus/<name>/` (and
//! `regressions/<name>/`) on stable.
//!
//! A module per area, each with a `TARGETS` list; [`targets`] chains them all.

pub mod codec;
// INTEGRATOR: uncomment when the `http` branch merges (it brings src/http.rs).
// pub mod http;
// INTEGRATOR: uncomment when the `core` branch merges (it brings src/core.rs).
// pub mod core;
pub mod values;

/// A fuzz target: its name (the directory under `corpus/`) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, for the seed replay test.
pub fn targets() -> impl Iterator<Item = Target> {
    codec::TARGETS
        .iter()
        .chain(values::TARGETS)
        // INTEGRATOR: .chain(http::TARGETS)
        // INTEGRATOR: .chain(core::TARGETS)
        .copied()
}
