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
use cwmp_core::acs::Outcome;
use cwmp_core::cpe::{Event, SessionError, SessionOutcome};
use cwmp_core::driver::{asynch, Buffers, Exit};
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
    let mut rx = [0u8; RX_LEN];
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
                    page: &mut record,
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
                    page: &mut record,
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
            page: &mut record,
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
    let (mut tx, mut rx, mut record) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
    let start = device.now;
    let exit = block_on(asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut record,
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

#[test]
fn a_close_delimited_response_is_complete_at_the_peers_close() {
    let (mut device, mut net, mut app) = one_gpv_world();
    net.acs.close_delimited = Some(2);
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
    let exit = block_on(asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut record,
        },
    ))
    .unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert_eq!(device.outcomes.as_slice(), [SessionOutcome::Success]);
    // The GetParameterValues ended at the close (`handle_connection_closed`): answered on a
    // new connection.
    assert_eq!(responses(&net), [("GetParameterValuesResponse", 3)]);
    assert_eq!(net.connects.len(), 2);
}

#[test]
fn a_response_met_by_a_401_is_written_again_by_the_application() {
    let (mut device, mut net, mut app) = one_gpv_world();
    net.acs.challenge = Some("GetParameterValuesResponse");
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
    let exit = block_on(asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut record,
        },
    ))
    .unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert_eq!(net.acs.challenged, 1);
    assert_eq!(app.resends, 1);
    assert!(device.events.contains(&Event::ResendResponse));
    // The ACS machine got the response once, after the challenge, and the Session succeeded.
    assert_eq!(responses(&net), [("GetParameterValuesResponse", 3)]);
    assert_eq!(device.outcomes.as_slice(), [SessionOutcome::Success]);
    assert_eq!(net.acs.outcomes.as_slice(), [Outcome::Completed]);
}

#[test]
fn without_resend_a_challenged_response_fails_the_session_cleanly() {
    let (mut device, mut net, app) = one_gpv_world();
    net.acs.challenge = Some("GetParameterValuesResponse");
    let mut app = NoResend(app);
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
    let exit = block_on(asynch::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut app,
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut record,
        },
    ))
    .unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert_eq!(
        device.outcomes.as_slice(),
        [SessionOutcome::Failed(SessionError::Aborted)]
    );
    assert!(responses(&net).is_empty());
    assert_eq!(cpe.retry_state().retry_count(), 1);
}

#[test]
fn a_torn_record_write_keeps_the_last_committed_state() {
    a_torn_write_keeps_the_committed_record(|device, net, app, seed| {
        let mut cpe: Cpe = Cpe::new(&config(), device.now, seed).unwrap();
        let (mut tx, mut rx, mut page) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
        block_on(asynch::run(
            &mut cpe,
            device,
            net,
            app,
            Buffers {
                tx: &mut tx,
                rx: &mut rx,
                page: &mut page,
            },
        ))
        .unwrap()
    });
}
