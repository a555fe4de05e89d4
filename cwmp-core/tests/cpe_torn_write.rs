//! INTEROP S4 and issue 13 item 3: a power cut while the record is written never loses the last
//! committed state. A `Cpe` with an undelivered `M Download`, `7 TRANSFER COMPLETE` and the
//! TransferComplete result writes its record (with application state appended after it, as an
//! agent's attributes would be) through the two alternating slots of `persist::slot`; the write
//! is cut at every byte of both slots, over the old page, an erased page and a zeroed page, and a
//! fresh machine boots from what `Slots::scan` picks: always the last committed record (or the
//! new one once its last byte is written), and the pending TransferComplete is still there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::cpe::Cpe;
use cwmp_core::persist::slot::{self, Slots};
use cwmp_core::persist::{PersistedTransfer, Record};
use cwmp_core::transfer::TransferKind;
use cwmp_core::{Duration, Instant};
use support::*;

type R = Record<64, 3, 3>;
/// Room for the record and up to 64 bytes of appended application state.
const PAGE: usize = slot::slot_len(R::MAX_LEN + 64);

/// One slot image: the record, then `appended`, sealed with `sequence`.
fn image(cpe: &Cpe, now: Instant, sequence: u32, appended: &[u8]) -> Vec<u8> {
    let mut page = vec![0xFFu8; PAGE];
    let area = slot::payload_mut(&mut page);
    let n = cpe.export(now, area).unwrap();
    area[n..n + appended.len()].copy_from_slice(appended);
    let len = slot::seal(&mut page, sequence, n + appended.len()).unwrap();
    page.truncate(len);
    page
}

/// Boots a fresh machine from the newest slot; returns the record it restored (re-exported, so
/// the reboot rules are applied the same way for every comparison) and the appended bytes.
fn boot(flash: &[Vec<u8>; 2], now: Instant) -> Option<(R, Vec<u8>)> {
    let newest = Slots::scan(&flash[0], &flash[1]).newest()?;
    let mut cpe = new_cpe(9);
    cpe.boot(now, Some(newest.payload)).unwrap();
    let record_len = record_len(newest.payload);
    let mut buf = vec![0u8; R::MAX_LEN];
    let n = cpe.export(now, &mut buf).unwrap();
    Some((
        R::restore(&buf[..n]).unwrap(),
        newest.payload[record_len..].to_vec(),
    ))
}

/// The record's own length (header, payload length, CRC): what the application skips to reach
/// its appended state.
fn record_len(bytes: &[u8]) -> usize {
    10 + u32::from_le_bytes(bytes[6..10].try_into().unwrap()) as usize + 4
}

fn has_pending_transfer_complete(r: &R) -> bool {
    let codes: Vec<&str> = r.events.iter().map(|e| e.code.as_str()).collect();
    codes.contains(&"M Download")
        && codes.contains(&"7 TRANSFER COMPLETE")
        && r.transfers
            .iter()
            .any(|t| matches!(t, PersistedTransfer::Completed(c) if c.command_key == "fw-1"))
}

#[test]
fn torn_record_write_at_every_byte_of_both_slots_keeps_the_last_commit() {
    let mut now = Instant::from_secs(1);
    let mut cpe = new_cpe(1);
    cpe.bootstrap(now);
    let id = cpe
        .queue_transfer(
            now,
            TransferKind::Download,
            "fw-1",
            "1 Firmware Upgrade Image",
            0,
        )
        .unwrap();
    cpe.handle_timeout(now);
    cpe.transfer_finished(
        now,
        id,
        0,
        "",
        DateTime::parse("2024-01-01T10:00:00Z").unwrap(),
        DateTime::parse("2024-01-01T10:00:05Z").unwrap(),
    )
    .unwrap();
    while cpe.poll_event().is_some() {}

    let mut flash = [vec![0xFFu8; PAGE], vec![0xFFu8; PAGE]];
    let mut next = Slots::scan(&flash[0], &flash[1]).next_write();
    let mut committed: Option<(R, Vec<u8>)> = None;
    let mut tears = 0u32;
    for round in 0..4u32 {
        // Each round changes the state (longer and shorter records), then writes it.
        match round {
            0 => {}
            1 => cpe
                .schedule_inform(now, 600, "si-long-command-key")
                .unwrap(),
            2 => cpe.set_parameter_key(now, "pk-2").unwrap(),
            _ => {
                now = now + Duration::from_secs(1_000);
                cpe.handle_timeout(now);
            }
        }
        while cpe.poll_event().is_some() {}
        let appended = format!("agent state {round}").into_bytes();
        let new = image(&cpe, now, next.sequence, &appended);
        let target = next.slot.index();
        for k in 0..new.len() {
            for fill in [None, Some(0xFFu8), Some(0)] {
                let mut f = flash.clone();
                if let Some(b) = fill {
                    f[target] = vec![b; PAGE];
                }
                f[target][..k].copy_from_slice(&new[..k]);
                let got = boot(&f, now);
                if f[target][..new.len()] != new[..] {
                    assert_eq!(
                        got, committed,
                        "round {round}: tear at byte {k} of slot {target}"
                    );
                    tears += 1;
                }
                if round > 0 {
                    let (r, _) = got.expect("a committed state");
                    assert!(has_pending_transfer_complete(&r), "round {round}, byte {k}");
                }
            }
        }
        // The write completes.
        flash[target] = vec![0xFF; PAGE];
        flash[target][..new.len()].copy_from_slice(&new);
        next = next.committed();
        let got = boot(&flash, now).unwrap();
        assert!(has_pending_transfer_complete(&got.0));
        assert_eq!(got.1, appended);
        committed = Some(got);
    }
    assert!(tears > 2_000, "{tears}");
}
