#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]
//! The agent (`cwmp_core::agent`) answering GetParameterValues of `Device.NAT.` over 10,000
//! Parameters (3,334 PortMapping instances × 3 plus nothing else): the walk, the names
//! composed per item, the values read from the model, the response streamed (twice: length,
//! then bytes) into a sink. Throughput is per Parameter, so criterion's time per element is
//! ns/param. `examples/profile.rs agent_gpv` runs the same under callgrind for Ir/param.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cwmp_benches::agent::{gpv_request, Rig};

fn gpv_10000(c: &mut Criterion) {
    let mut rig = Rig::new(3334);
    let req = gpv_request("Device.NAT.");
    let params = rig.params();
    let mut g = c.benchmark_group("agent");
    g.throughput(Throughput::Elements(params as u64));
    g.bench_function("gpv_10000_params", |b| b.iter(|| rig.answer(&req)));
    g.finish();
}

criterion_group!(benches, gpv_10000);
criterion_main!(benches);
