//! The blocking driver runs whole Sessions against the ACS machine over an in-memory network
//! (`driver_support`): a refused connect and its retry, Digest, a reconnect after
//! `Connection: close`, a chunked response read 7 bytes at a time, a Reboot RPC through the
//! persistent record into a second power-up, a Connection Request, and no heap allocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "agent_support/mod.rs"]
mod agent_support;
#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
mod driver_support;

use counting_alloc::allocations;
use cwmp_core::acs::Outcome;
use cwmp_core::cpe::{Event, SessionError, SessionOutcome};
use cwmp_core::driver::{blocking, Buffers, Exit};
use cwmp_core::Cpe;
use driver_support::*;

#[test]
fn whole_sessions_reboot_and_connection_request_allocate_nothing() {
    let (mut device, mut net, mut app) = world();
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let mut next: Cpe = Cpe::new(&config(), device.now, 2).unwrap();
    let mut tx = [0u8; 4096];
    let mut rx = [0u8; RX_LEN];
    let mut record = [0u8; FLASH_LEN];

    let (exits, n) = allocations(|| {
        let first = blocking::run(
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
        // The reboot: a fresh machine, booted by `run` from the record just written.
        let second = blocking::run(
            &mut next,
            &mut device,
            &mut net,
            &mut app,
            Buffers {
                tx: &mut tx,
                rx: &mut rx,
                page: &mut record,
            },
        );
        [first.unwrap(), second.unwrap()]
    });
    check(&exits, &device, &net, &app);
    assert_eq!(n, 0, "heap allocations in the blocking driver");
}

#[test]
fn a_record_buffer_too_small_is_refused_before_anything() {
    let (mut device, mut net, mut app) = world();
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut record) = ([0u8; 64], [0u8; 64], [0u8; 16]);
    let r = blocking::run(
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
    assert_eq!(
        r.unwrap_err().needed,
        cwmp_core::driver::page_len::<64, 3, 3>(0)
    );
    assert!(device.events.is_empty() && net.connects.is_empty());
    let _ = Exit::Stopped;
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
    let exit = blocking::run(
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
    let exit = blocking::run(
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
    let exit = blocking::run(
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
    let exit = blocking::run(
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
        blocking::run(
            &mut cpe,
            device,
            net,
            app,
            Buffers {
                tx: &mut tx,
                rx: &mut rx,
                page: &mut page,
            },
        )
        .unwrap()
    });
}

#[test]
fn the_agent_answers_through_the_driver_and_its_record_rides_in_the_slot() {
    use cwmp_core::agent::driven::Driven;
    use cwmp_core::agent::Agent;
    use cwmp_core::persist::slot::Slots;
    let (mut device, mut net, _) = one_gpv_world();
    let mut model = agent_support::Model::default();
    let mut agent: Agent = Agent::new(&config());
    let mut cpe: Cpe = Cpe::new(&config(), device.now, 1).unwrap();
    let (mut tx, mut rx, mut page) = ([0u8; 4096], [0u8; RX_LEN], [0u8; FLASH_LEN]);
    let exit = blocking::run(
        &mut cpe,
        &mut device,
        &mut net,
        &mut Driven::new(&mut agent, &mut model),
        Buffers {
            tx: &mut tx,
            rx: &mut rx,
            page: &mut page,
        },
    )
    .unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert_eq!(device.outcomes.as_slice(), [SessionOutcome::Success]);
    // The agent answered the GetParameterValues of Device.DeviceInfo. from the model.
    assert_eq!(responses(&net), [("GetParameterValuesResponse", 5)]);
    // The newest slot holds the machine's record, then the agent's, which restores.
    let slots = Slots::scan(&device.pages[0], &device.pages[1]);
    let payload = slots.newest().unwrap().payload;
    let n = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    let state = &payload[4 + n..];
    assert!(!state.is_empty());
    let mut again: Agent = Agent::new(&config());
    again.restore(state).unwrap();
    assert!(!agent.needs_persist());
}
