//! Fault injection over real sockets (issue 13, item 7): a few hundred seeded Sessions of a CPE
//! loop through a fault-injecting TCP proxy to the repo's ACS server, with reboots and record
//! writes torn at a random byte of one of two A/B slots (`cwmp_examples::faults`). Nothing
//! raised is lost, nothing confirmed is sent again. `examples/scripts/faults.sh` runs 10,000.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cwmp_examples::faults::{run, Plan};

#[test]
fn seeded_sessions_through_faults_lose_nothing() {
    for seed in [1u64, 2] {
        let report = run(&Plan::new(150, seed));
        println!("seed {seed}:\n{report}");
        assert!(report.sessions_run >= 150);
        assert!(report.faults_injected() > 20, "{report}");
        assert!(report.reboots > 0, "{report}");
        assert!(report.restored_previous > 0, "{report}");
        assert_eq!(
            report.restored_previous + report.restored_nothing,
            report.torn_writes,
            "{report}"
        );
        assert!(report.events_raised > 20, "{report}");
        assert_eq!(report.events_lost, 0, "{report}");
        assert_eq!(report.duplicates_beyond_table8, 0, "{report}");
        assert_eq!(report.still_owed, 0, "{report}");
        assert_eq!(report.events_delivered, report.events_raised, "{report}");
        assert_eq!(
            report.transfer_completes_delivered, report.transfer_completes_raised,
            "{report}"
        );
    }
}

/// The harness sees losses: with a single record slot written in place, a torn write leaves no
/// valid record and what it held is lost (the defect 3, which A/B slots fix).
#[test]
fn a_single_slot_torn_write_is_counted_as_lost() {
    let mut plan = Plan::new(150, 3);
    plan.torn_percent = 10;
    plan.single_slot = true;
    let report = run(&plan);
    println!("{report}");
    assert!(report.torn_writes > 0, "{report}");
    assert!(report.restored_nothing > 0, "{report}");
    assert!(report.events_lost > 0, "{report}");
}
