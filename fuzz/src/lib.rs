//! Bodies of the fuzz targets. Each `fuzz_targets/<name>.rs` calls one function here, and
//! `cwmp-core/tests/fuzz_seeds.rs` includes this file to replay `corpus/<name>/` (and
//! `regressions/<name>/`) on stable.
//!
//! A module per area, each with a `TARGETS` list; [`targets`] chains them all.

pub mod acs;
pub mod agent;
pub mod codec;
pub mod connreq;
pub mod core;
pub mod cpe;
pub mod http;
pub mod values;

/// A fuzz target: its name (the directory under `corpus/`) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, for the seed replay test.
pub fn targets() -> impl Iterator<Item = Target> {
    codec::TARGETS
        .iter()
        .chain(values::TARGETS)
        .chain(http::TARGETS)
        .chain(core::TARGETS)
        .chain(connreq::TARGETS)
        .chain(acs::TARGETS)
        .chain(cpe::TARGETS)
        .chain(agent::TARGETS)
        .copied()
}
