//! The complete firmware upgrade (`shared/spec/firmware-upgrade-download-transfercomplete.txt`,
//! §A.3.2.8, §A.3.3.2, INTEROP S4): Download answered with Status 1, the image fetched and
//! installed, a reboot in the middle (persist → restore), then `1 BOOT`, `7 TRANSFER COMPLETE`
//! and `M Download` in the boot Inform and the TransferComplete in that Session.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::cpe::{Cpe, Event, SessionError, SessionOutcome, TransportError};
use cwmp_core::Duration;
use support::*;

fn bootstrapped() -> Pair {
    let mut p = Pair::new(new_cpe(21));
    p.cpe.bootstrap(p.now);
    p.script([inform_response(), empty()]);
    p.run();
    p
}

#[test]
fn firmware_upgrade_with_reboot_in_the_middle() {
    let mut p = bootstrapped();
    // The ACS wants an upgrade: Connection Request, Download, Status 1.
    p.cpe.handle_connection_request(p.now);
    p.script([inform_response(), request(DOWNLOAD), empty()]);
    p.run();
    assert_eq!(p.handled, ["Download"]);
    assert_eq!(p.seen[4].method, "DownloadResponse");
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert_eq!(p.cpe.transfers().queued().count(), 1);
    // DelaySeconds 0: the machine says start (after the Session).
    p.run_until(p.now);
    assert_eq!(p.started_transfers.len(), 1);
    let id = p.started_transfers[0];
    // The image is fetched and written; the result is recorded before rebooting into it.
    let start =
        DateTime::from_unix(1_700_000_000, cwmp_core::codec::datetime::Offset::Utc).unwrap();
    let end = DateTime::from_unix(1_700_000_090, cwmp_core::codec::datetime::Offset::Utc).unwrap();
    p.cpe
        .transfer_finished(p.now, id, 0, "", start, end)
        .unwrap();
    // A Session for the TransferComplete would start now; the firmware reboots first (power
    // cut in the middle of the connection attempt).
    p.drain_events();
    assert!(p.events.contains(&Event::PersistChanged));
    let record = p.flash.clone().unwrap();
    assert!(!record.is_empty());
    p.reboot(99);
    p.script([
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    let boot = p.seen.iter().rposition(|s| s.method == "Inform").unwrap();
    assert_eq!(
        p.seen[boot].events,
        [
            ("M Download".to_string(), "fw-42".to_string()),
            ("7 TRANSFER COMPLETE".to_string(), String::new()),
            ("1 BOOT".to_string(), String::new()),
        ]
    );
    assert_eq!(
        p.seen[boot + 1].transfer_complete,
        Some(("fw-42".to_string(), 0))
    );
    assert_eq!(p.seen[boot + 2].method, "");
    assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
    assert!(p.cpe.events().is_empty());
    assert_eq!(p.cpe.transfers().len(), 0);
    // And the flash now says so too.
    let mut fresh: Cpe = new_cpe(1);
    fresh.boot(p.now, p.flash.as_deref()).unwrap();
    assert_eq!(
        fresh
            .events()
            .iter()
            .map(|e| e.code().as_str())
            .collect::<Vec<_>>(),
        ["1 BOOT"]
    );
}

#[test]
fn transfer_complete_lost_to_a_failure_is_sent_again_after_reboot() {
    let mut p = bootstrapped();
    let id = p
        .cpe
        .queue_transfer(
            p.now,
            cwmp_core::transfer::TransferKind::Download,
            "fw-9",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.run_until(p.now);
    p.cpe
        .transfer_finished(
            p.now,
            id,
            9010,
            "download failed",
            DateTime::UNKNOWN,
            DateTime::UNKNOWN,
        )
        .unwrap();
    // The ACS drops the connection after the InformResponse, before the TransferCompleteResponse.
    p.script([inform_response(), Step::Transport(TransportError::Receive)]);
    p.run();
    assert_eq!(
        p.last_outcome(),
        Some(SessionOutcome::Failed(SessionError::Transport(
            TransportError::Receive
        )))
    );
    p.reboot(5);
    p.script([
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    let boot = p.seen.iter().rposition(|s| s.method == "Inform").unwrap();
    assert_eq!(
        codes(&p.seen[boot]),
        ["M Download", "7 TRANSFER COMPLETE", "1 BOOT"]
    );
    assert_eq!(
        p.seen[boot].retry_count,
        Some(1),
        "RetryCount survives the reboot"
    );
    assert_eq!(
        p.seen[boot + 1].transfer_complete,
        Some(("fw-9".to_string(), 9010))
    );
    assert!(p.cpe.events().is_empty());
}

#[test]
fn corrupt_record_is_reported_and_not_trusted() {
    let mut p = bootstrapped();
    p.cpe.value_changed(p.now, false);
    p.drain_events();
    let mut record = p.flash.clone().unwrap();
    let last = record.len() - 1;
    record[last] ^= 0xff;
    let mut cpe: Cpe = new_cpe(3);
    assert!(cpe
        .boot(p.now + Duration::from_secs(1), Some(&record))
        .is_err());
    assert_eq!(
        cpe.events()
            .iter()
            .map(|e| e.code().as_str())
            .collect::<Vec<_>>(),
        ["1 BOOT"]
    );
}

#[test]
fn scheduled_download_cancel_and_queue_limits() {
    let mut p = bootstrapped();
    let kind = cwmp_core::transfer::TransferKind::Download;
    for i in 0..3 {
        p.cpe
            .queue_transfer(
                p.now,
                kind,
                &format!("k{i}"),
                "1 Firmware Upgrade Image",
                3600,
            )
            .unwrap();
    }
    assert!(
        p.cpe
            .queue_transfer(p.now, kind, "k3", "1 Firmware Upgrade Image", 3600)
            .is_err(),
        "9004"
    );
    assert_eq!(p.cpe.cancel_transfer(p.now, "k1").cancelled, 1);
    assert_eq!(p.cpe.transfers().queued().count(), 2);
}

#[test]
fn transfer_finished_during_a_session_is_reported_in_the_next_one() {
    let mut p = bootstrapped();
    p.cpe.handle_connection_request(p.now);
    p.script([inform_response()]);
    p.step();
    let id = p
        .cpe
        .queue_transfer(
            p.now,
            cwmp_core::transfer::TransferKind::Download,
            "mid",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    p.cpe.handle_timeout(p.now);
    p.cpe
        .transfer_finished(p.now, id, 0, "", DateTime::UNKNOWN, DateTime::UNKNOWN)
        .unwrap();
    p.script([
        empty(),
        inform_response(),
        response("TransferCompleteResponse"),
        empty(),
    ]);
    p.run();
    assert_eq!(
        p.methods()[2..],
        ["Inform", "", "Inform", "TransferComplete", ""]
    );
    assert_eq!(codes(&p.seen[4]), ["M Download", "7 TRANSFER COMPLETE"]);
    assert!(p.cpe.events().is_empty());
}

#[test]
fn parameter_key_and_udp_timestamp_survive_a_reboot() {
    let mut p = bootstrapped();
    p.cpe.set_parameter_key(p.now, "pk-42").unwrap();
    p.cpe.set_udp_timestamp(p.now, 1_120_673_700);
    // Setting them is a change of the persistent record: the driver writes flash.
    p.drain_events();
    let record = p.flash.clone().unwrap();
    let mut cpe: Cpe = new_cpe(4);
    cpe.boot(p.now + Duration::from_secs(1), Some(&record))
        .unwrap();
    assert_eq!(cpe.parameter_key(), Some("pk-42"));
    assert_eq!(cpe.udp_timestamp(), Some(1_120_673_700));
    // Too long a key changes nothing.
    assert!(cpe.set_parameter_key(p.now, &"k".repeat(33)).is_err());
    assert_eq!(cpe.parameter_key(), Some("pk-42"));
}

#[test]
fn first_power_up_informs_bootstrap_and_boot_together() {
    // A factory-fresh device: `bootstrap` then `boot` (either order) before the first POST.
    for bootstrap_first in [true, false] {
        let mut p = Pair::new(new_cpe(31));
        if bootstrap_first {
            p.cpe.bootstrap(p.now);
            p.cpe.boot(p.now, None).unwrap();
        } else {
            p.cpe.boot(p.now, None).unwrap();
            p.cpe.bootstrap(p.now);
        }
        p.script([inform_response(), empty()]);
        p.run();
        let codes: Vec<&str> = p.seen[0].events.iter().map(|(c, _)| c.as_str()).collect();
        assert!(
            codes.contains(&"0 BOOTSTRAP"),
            "{bootstrap_first}: {codes:?}"
        );
        assert_eq!(p.last_outcome(), Some(SessionOutcome::Success));
        assert!(
            p.cpe.events().is_empty(),
            "{bootstrap_first}: all confirmed"
        );
        if bootstrap_first {
            assert!(codes.contains(&"1 BOOT"), "{codes:?}");
        }
    }
}
