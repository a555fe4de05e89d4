//! Scenarios across the parts: a firmware Download that spans a reboot (INTEROP S4, the lost
//! TransferComplete), and a Reboot RPC, both through the persistent record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::codec::datetime::{DateTime, Offset};
use cwmp_core::codec::event::{ConfirmedBy, EventCode};
use cwmp_core::events::{EventQueue, SessionEnd};
use cwmp_core::persist::{Generations, Record};
use cwmp_core::retry::{RetryPolicy, RetryState};
use cwmp_core::schedule::ScheduleInformQueue;
use cwmp_core::transfer::{TransferKind, TransferState, Transfers};
use cwmp_core::{Duration, Instant, SplitMix64};

/// The persistent parts of a CPE, as the future `Cpe` machine will hold them.
struct Parts {
    events: EventQueue,
    transfers: Transfers,
    schedule: ScheduleInformQueue,
    retry: RetryState,
}

impl Parts {
    fn new() -> Self {
        Parts {
            events: EventQueue::new(),
            transfers: Transfers::new(),
            schedule: ScheduleInformQueue::new(),
            retry: RetryState::new(),
        }
    }

    fn generations(&self) -> Generations {
        Generations::of(&self.events, &self.transfers, &self.schedule, &self.retry)
    }

    fn save(&self, now: Instant, flash: &mut [u8]) {
        let r: Record = Record::capture(
            now,
            &self.events,
            &self.transfers,
            &self.schedule,
            &self.retry,
        );
        r.export(flash).unwrap();
    }

    /// Boot: restore from flash, apply the reboot rules, raise `1 BOOT`.
    fn boot(flash: &[u8], now: Instant, unix_now: Option<i64>) -> Self {
        let mut p = Parts::new();
        let record: Record = Record::restore(flash).unwrap();
        p.retry = record
            .apply(
                now,
                unix_now,
                &mut p.events,
                &mut p.transfers,
                &mut p.schedule,
            )
            .unwrap();
        p.events.on_reboot();
        p.events.push(EventCode::Boot, "").unwrap();
        p
    }

    fn inform(&self) -> Vec<(String, String)> {
        self.events
            .in_flight()
            .map(|e| (e.code.as_str().to_owned(), e.command_key.to_owned()))
            .collect()
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn firmware_download_across_reboot_delivers_transfer_complete_once() {
    let mut flash = vec![0xFFu8; Record::<64, 3, 3>::MAX_LEN];
    let mut rng = SplitMix64::new(7);
    let mut p = Parts::new();
    let t0 = Instant::from_secs(10);

    // Session 1: the ACS sends a Download; the CPE answers Status 1 and queues it.
    p.events.push(EventCode::Periodic, "").unwrap();
    p.events.begin_session().unwrap();
    p.events.on_inform_response();
    let id = p
        .transfers
        .queue(
            t0,
            None,
            TransferKind::Download,
            "fw-2.0",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.events.end_session(SessionEnd::Succeeded);
    p.retry.on_session_succeeded();
    let g = p.generations();
    p.save(t0, &mut flash);

    // The download runs and the image is being applied: the reboot is part of it.
    let due = p.transfers.next_due(t0).unwrap().id();
    assert_eq!(due, id);
    p.transfers.start(id).unwrap();
    p.transfers.finishing(id).unwrap();
    assert_ne!(p.generations(), g, "state changes are persistent content");
    p.save(t0, &mut flash);

    // Reboot into the new image.
    let boot = Instant::ZERO;
    let mut p = Parts::boot(&flash, boot, None);
    let q = p.transfers.queued().next().unwrap();
    assert_eq!(q.state(), TransferState::Completed);
    let id = q.id();
    let start = DateTime::from_unix(1_700_000_000, Offset::Utc).unwrap();
    let end = DateTime::from_unix(1_700_000_090, Offset::Utc).unwrap();
    p.transfers
        .complete(id, 0, "", start, end, &mut p.events)
        .unwrap();
    p.save(boot, &mut flash);

    // Boot Session: fails after the InformResponse, before the TransferCompleteResponse.
    p.events.begin_session().unwrap();
    p.retry.on_session_started();
    assert_eq!(
        p.inform(),
        pairs(&[
            ("1 BOOT", ""),
            ("M Download", "fw-2.0"),
            ("7 TRANSFER COMPLETE", "")
        ])
    );
    p.events.on_inform_response();
    p.events.end_session(SessionEnd::Failed);
    let deadline = p
        .retry
        .on_session_failed(boot, &RetryPolicy::default(), &mut rng);
    assert!(deadline >= boot + Duration::from_secs(5));
    p.save(boot, &mut flash);

    // Power cut before the retry: the record still has the result and its events.
    let boot2 = Instant::ZERO;
    let mut p = Parts::boot(&flash, boot2, None);
    assert_eq!(p.retry.retry_count(), 1);
    assert_eq!(p.transfers.results().count(), 1);
    p.events.begin_session().unwrap();
    assert_eq!(
        p.inform(),
        pairs(&[
            ("M Download", "fw-2.0"),
            ("7 TRANSFER COMPLETE", ""),
            ("1 BOOT", "")
        ])
    );
    p.events.on_inform_response();
    let (rid, result) = p.transfers.results().next().unwrap();
    assert!(result.is_success());
    assert_eq!(result.start_time, start);
    p.transfers
        .on_transfer_complete_response(rid, &mut p.events)
        .unwrap();
    p.events.end_session(SessionEnd::Succeeded);
    p.retry.on_session_succeeded();
    assert!(p.events.is_empty());
    assert!(p.transfers.is_empty());
    assert_eq!(p.retry.retry_count(), 0);

    // Nothing to deliver after the next reboot: never re-sent after confirmation.
    p.save(boot2, &mut flash);
    let p = Parts::boot(&flash, Instant::ZERO, None);
    assert_eq!(p.events.iter().count(), 1);
    assert_eq!(p.transfers.results().count(), 0);
}

#[test]
fn reboot_rpc_and_scheduled_inform_survive() {
    let mut flash = vec![0u8; Record::<64, 3, 3>::MAX_LEN];
    let mut p = Parts::new();
    let now = Instant::from_secs(50);
    let unix = 1_700_000_000;
    p.events.push(EventCode::ConnectionRequest, "").unwrap();
    p.events.begin_session().unwrap();
    p.events.on_inform_response();
    // The ACS calls ScheduleInform(3600, "daily") and Reboot("r1") twice.
    p.schedule.schedule(now, Some(unix), 3600, "daily").unwrap();
    p.events.end_session(SessionEnd::Succeeded);
    p.events.push(EventCode::MReboot, "r1").unwrap();
    p.events.push(EventCode::MReboot, "r1").unwrap();
    p.save(now, &mut flash);

    // Rebooted 100 s later (wall clock known at boot).
    let boot = Instant::ZERO;
    let mut p = Parts::boot(&flash, boot, Some(unix + 100));
    p.events.begin_session().unwrap();
    // N Reboot calls: one BOOT, N M Reboot (§A.3.2.9).
    assert_eq!(
        p.inform(),
        pairs(&[("M Reboot", "r1"), ("M Reboot", "r1"), ("1 BOOT", "")])
    );
    p.events.on_inform_response();
    p.events.end_session(SessionEnd::Succeeded);
    assert!(p.events.is_empty());
    // The ScheduleInform fires at its absolute time.
    assert_eq!(
        p.schedule.poll_timeout(),
        Some(boot + Duration::from_secs(3500))
    );
    let fired = p
        .schedule
        .fire_due(boot + Duration::from_secs(3500), &mut p.events)
        .unwrap();
    assert_eq!(fired, 1);
    p.events.begin_session().unwrap();
    assert_eq!(
        p.inform(),
        pairs(&[("3 SCHEDULED", ""), ("M ScheduleInform", "daily")])
    );
    p.events.on_inform_response();
    assert_eq!(p.events.confirm(ConfirmedBy::InformResponse, "daily"), 0);
    assert!(p.events.is_empty());
}
