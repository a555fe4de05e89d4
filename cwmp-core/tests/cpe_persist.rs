//! `Cpe::export` and `Cpe::boot` stream the persistent record from and into the machine's parts
//! (no `Record` in RAM). Seeded random machine states (events, queued and finished transfers,
//! ScheduleInforms with and without the wall clock, ParameterKey, UDP `ts`, reboots) check that:
//!
//! * `Cpe::export` writes the very bytes of `Record::capture` + `Record::export`;
//! * `Cpe::boot` from them gives the state of `Record::restore` + `Record::apply` + the reboot
//!   rules;
//! * a corrupt or truncated record fails `Cpe::boot` with the error of `Record::restore`, and the
//!   machine then starts empty with `1 BOOT`, as before.
//!
//! The Session-level property test (`cpe_property.rs`, through `support`) checks the first two at
//! every export and reboot too. `CPE_PERSIST_CASES` sets the number of cases (default 2,000).
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
use cwmp_core::persist::{Record, RestoreError};
use cwmp_core::rng::{Rng, SplitMix64};
use cwmp_core::transfer::TransferKind;
use cwmp_core::{Duration, Instant};
use support::*;

const UNIX0: i64 = 1_700_000_000;

fn export(cpe: &Cpe, now: Instant) -> Vec<u8> {
    let mut buf = vec![0u8; Record::<64, 3, 3>::MAX_LEN];
    let n = cpe.export(now, &mut buf).unwrap();
    buf.truncate(n);
    assert_export_matches_record(cpe, now, &buf);
    let mut short = vec![0u8; n - 1];
    assert!(cpe.export(now, &mut short).is_err());
    buf
}

/// Random application inputs, no Session traffic (events stay undelivered).
fn mutate(cpe: &mut Cpe, now: &mut Instant, rng: &mut SplitMix64, round: u32) {
    for step in 0..1 + rng.next_u32() % 12 {
        let key = format!("k{round}-{step}");
        match rng.next_u32() % 11 {
            0 => {
                if let Ok(id) = cpe.queue_transfer(
                    *now,
                    [TransferKind::Download, TransferKind::Upload][(rng.next_u32() % 2) as usize],
                    &key,
                    "1 Firmware Upgrade Image",
                    rng.next_u32() % 4 * 100,
                ) {
                    cpe.handle_timeout(*now);
                    if rng.next_u32() % 2 == 0 {
                        let _ = cpe.transfer_finished(
                            *now,
                            id,
                            [0, 9010][(rng.next_u32() % 2) as usize],
                            "fault text",
                            DateTime::UNKNOWN,
                            DateTime::parse("2024-01-01T10:00:05.25+02:00").unwrap(),
                        );
                    }
                }
            }
            1 => {
                let _ = cpe.schedule_inform(*now, 1 + rng.next_u32() % 5000, &key);
            }
            2 => cpe.set_unix_time(*now, UNIX0 + i64::from(rng.next_u32() % 1000)),
            3 => cpe.set_parameter_key(*now, &key).unwrap(),
            4 => cpe.set_udp_timestamp(*now, u64::from(rng.next_u32())),
            5 => cpe.value_changed(*now, rng.next_u32() % 2 == 0),
            6 => cpe.handle_connection_request(*now),
            7 => cpe.diagnostics_complete(*now),
            8 => cpe.request_reboot(*now, &key),
            9 => {
                *now = *now + Duration::from_secs(u64::from(rng.next_u32() % 400));
                cpe.handle_timeout(*now);
            }
            _ => {
                let _ = cpe.cancel_transfer(*now, &format!("k{round}-{}", step / 2));
            }
        }
        while cpe.poll_event().is_some() {}
    }
}

fn case(seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let mut now = Instant::from_secs(1);
    let mut cpe = new_cpe(seed);
    cpe.bootstrap(now);
    for round in 0..1 + rng.next_u32() % 4 {
        mutate(&mut cpe, &mut now, &mut rng, round);
        let bytes = export(&cpe, now);

        // Power cycle: a fresh machine, with or without the wall clock before boot.
        now = now + Duration::from_secs(30);
        let mut next = new_cpe(seed ^ u64::from(round));
        let unix = (rng.next_u32() % 2 == 0).then_some(UNIX0 + 5_000);
        if let Some(u) = unix {
            next.set_unix_time(now, u);
        }
        next.boot(now, Some(&bytes)).unwrap();
        assert_boot_matches_record(&next, now, unix, &bytes);

        // A damaged copy: the same error as `Record::restore`, and the machine starts empty.
        let mut bad = bytes.clone();
        if rng.next_u32() % 2 == 0 {
            bad.truncate((rng.next_u32() as usize) % bad.len());
        } else {
            let i = (rng.next_u32() as usize) % bad.len();
            bad[i] ^= 1 + (rng.next_u32() % 255) as u8;
        }
        let expected = Record::<64, 3, 3>::restore(&bad).err();
        let mut damaged = new_cpe(seed);
        assert_eq!(damaged.boot(now, Some(&bad)).err(), expected, "seed {seed}");
        if expected.is_some() {
            let mut empty = new_cpe(seed);
            empty.boot(now, None).unwrap();
            assert_eq!(
                format!("{:?}", damaged.events()),
                format!("{:?}", empty.events())
            );
            assert_eq!(
                format!("{:?}", damaged.transfers()),
                format!("{:?}", empty.transfers())
            );
            assert_eq!(damaged.parameter_key(), None);
            assert_eq!(damaged.udp_timestamp(), None);
        }
        cpe = next;
    }
}

#[test]
fn streaming_export_and_boot_match_the_record_path() {
    let cases: u64 = std::env::var("CPE_PERSIST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    for seed in 0..cases {
        case(seed);
    }
}

/// `Cpe::boot` on a machine that is not fresh fails with `Invalid(Capacity)` and starts empty,
/// as it did when it went through a `Record`.
#[test]
fn boot_on_a_used_machine_starts_empty() {
    let now = Instant::from_secs(1);
    let mut cpe = new_cpe(1);
    cpe.set_parameter_key(now, "pk").unwrap();
    cpe.schedule_inform(now, 60, "si").unwrap();
    let bytes = export(&cpe, now);
    let mut used = new_cpe(2);
    used.schedule_inform(now, 60, "other").unwrap();
    assert_eq!(
        used.boot(now, Some(&bytes)),
        Err(RestoreError::Invalid(
            cwmp_core::persist::RecordField::Capacity
        ))
    );
    assert!(used.schedule().is_empty());
    assert_eq!(used.parameter_key(), None);
    let codes: Vec<&str> = used.events().iter().map(|e| e.code().as_str()).collect();
    assert_eq!(codes, ["1 BOOT"]);
}
