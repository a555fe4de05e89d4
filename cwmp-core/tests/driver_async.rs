//! The async driver runs the same whole Sessions as `driver_blocking.rs` (`driver_support`),
//! on a tiny executor written here: the in-memory futures never wait, so `block_on` polls
//! with a no-op waker until ready. No heap allocation, executor included.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
mod driver_support;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use counting_alloc::allocations;
use cwmp_core::driver::{asynch, Buffers};
use cwmp_core::Cpe;
use driver_support::*;

/// Polls `f` to completion; gives up after a bound (a future that waits would hang here).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the future never finished");
}

#[test]
fn whole_sessions_reboot_and_connection_request_allocate_nothing() {
    let (mut device, mut net, mut app) = world();
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let mut next: Cpe = Cpe::new(&config(), device.now, 2).unwrap();
    let mut tx = [0u8; 4096];
    let mut rx = [0u8; 4096];
    let mut record = [0u8; FLASH_LEN];

    let (exits, n) = allocations(|| {
        block_on(async {
            let first = asynch::run(
                &mut cpe,
                &mut device,
                &mut net,
                &mut app,
                Buffers {
                    tx: &mut tx,
                    rx: &mut rx,
                    record: &mut record,
                },
            )
            .await;
            let second = asynch::run(
                &mut next,
                &mut device,
                &mut net,
                &mut app,
                Buffers {
                    tx: &mut tx,
                    rx: &mut rx,
                    record: &mut record,
                },
            )
            .await;
            [first.unwrap(), second.unwrap()]
        })
    });
    check(&exits, &device, &net, &app);
    assert_eq!(n, 0, "heap allocations in the async driver");
}

#[test]
fn the_run_future_is_small_beside_the_machine() {
    let (mut device, mut net, mut app) = world();
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 64], [0u8; 64], [0u8; FLASH_LEN]);
    let fut = asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            record: &mut record,
        },
    );
    // The machine and the buffers are borrowed, not held: what the future holds is the loop's
    // state and the connection (here a reference).
    let size = core::mem::size_of_val(&fut);
    println!("size_of the asynch::run future = {size} bytes");
    assert!(size < 4096, "{size}");
    drop(fut);
}

#[test]
fn a_silent_acs_times_the_session_out_and_it_is_retried() {
    let mut device = Device::new(1);
    let mut net = Net::new(Acs::new(&SCRIPT));
    net.acs.silent = true;
    let mut app = App::new();
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 4096], [0u8; 4096], [0u8; FLASH_LEN]);
    let start = device.now;
    let exit = block_on(asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            record: &mut record,
        },
    ))
    .unwrap();
    assert_eq!(exit, cwmp_core::driver::Exit::Stopped);
    assert_eq!(
        device.outcomes.as_slice(),
        [cwmp_core::cpe::SessionOutcome::Failed(
            cwmp_core::cpe::SessionError::Timeout
        )]
    );
    // Failed after the response timeout (30 s), not before.
    assert!(device.now.saturating_duration_since(start) >= cwmp_core::Duration::from_secs(30));
    assert!(cpe.retry_state().retry_count() == 1);
}
