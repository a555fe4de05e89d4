//! The demo scenario as a test: the real ACS and CPE machines over loopback TCP (ephemeral
//! ports), every step of the device life checked from what the ACS actually received.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::Duration;

use cwmp_examples::demo::{run, Options, NEW_VERSION, OLD_VERSION};

#[test]
fn whole_device_life_over_loopback() {
    let report = run(&Options {
        print: false,
        // Generous for a loaded 2-core machine; the scenario itself takes about 2 s.
        timeout: Duration::from_secs(25),
        periodic_interval: 1,
    })
    .expect("loopback sockets");
    let failed: Vec<_> = report.checks.iter().filter(|c| !c.ok).collect();
    assert!(
        report.success(),
        "failed steps: {failed:#?}\ntrace:\n{}",
        report.trace.join("\n")
    );
    // The steps, in order, as the ACS saw them.
    let s = &report.sessions;
    assert_eq!(s.len(), 4, "{s:#?}");
    assert_eq!(s[0].events, ["0 BOOTSTRAP"]);
    assert_eq!(s[1].events.len(), 3);
    for code in ["1 BOOT", "7 TRANSFER COMPLETE", "M Download"] {
        assert!(s[1].events.iter().any(|e| e == code), "{code}");
    }
    assert_eq!(s[2].events, ["6 CONNECTION REQUEST"]);
    assert_eq!(s[3].events, ["2 PERIODIC"]);
    let version = |i: usize| {
        s[i].params
            .iter()
            .find(|(n, _)| n == "Device.DeviceInfo.SoftwareVersion")
            .map(|(_, v)| v.clone())
    };
    assert_eq!(version(0).as_deref(), Some(OLD_VERSION));
    assert_eq!(version(1).as_deref(), Some(NEW_VERSION));
    assert_eq!(s[1].received[0], "TransferComplete key=fw-2.0.0 fault=0");
    assert_eq!(report.file_gets, 1);
    assert_eq!(report.reboots, 1);
    // The trace is in causal order: the GET before the reboot before the boot Inform.
    let pos = |needle: &str| {
        report
            .trace
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in the trace"))
    };
    assert!(pos("GET /firmware.bin") < pos("power cycle"));
    assert!(pos("power cycle") < pos("\"1 BOOT\""));
    assert!(pos("connection request: authenticated") < pos("\"6 CONNECTION REQUEST\""));
}
