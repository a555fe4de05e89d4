//! The command lines of `cpe`, `acs` and `inspect` (clap): consistent definitions, `--help`
//! that explains the flags, the script format, the firmware image format and the rate limit,
//! and the flag names that the README, tests and scripts use still parse.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use clap::{CommandFactory, Parser};
use cwmp_core::connreq::RateLimit;
use cwmp_core::Duration;
use cwmp_examples::acs_script;
use cwmp_examples::cli::{AcsCli, InspectCli};
use cwmp_examples::cpe_app::{parse_args, parse_rate_limit, Cli as CpeCli};
use cwmp_examples::cpe_driver::{firmware_image, firmware_version};

fn help<C: CommandFactory>() -> String {
    C::command().render_long_help().to_string()
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn definitions_are_consistent() {
    // clap's own checks: no duplicate flags, valid defaults and relations.
    CpeCli::command().debug_assert();
    AcsCli::command().debug_assert();
    InspectCli::command().debug_assert();
}

#[test]
fn cpe_help_explains_flags_firmware_and_rate_limit() {
    let h = help::<CpeCli>();
    for flag in [
        "--acs",
        "--user",
        "--password",
        "--manufacturer",
        "--oui",
        "--product-class",
        "--serial",
        "--software-version",
        "--cr-listen",
        "--cr-url",
        "--cr-user",
        "--cr-password",
        "--cr-rate-limit",
        "--periodic",
        "--state",
        "--record",
        "--sessions",
    ] {
        assert!(h.contains(flag), "cpe --help lacks {flag}:\n{h}");
    }
    assert!(h.contains("CWMP-RS EXAMPLE FIRMWARE"), "{h}");
    assert!(h.contains("version=X"), "{h}");
    assert!(h.contains("REQUESTS/SECONDS[:BURST]"), "{h}");
    // `--help` through parse_args is an error value carrying the same text (the program
    // itself prints it and exits 0 through clap).
    let e = parse_args(args(&["--help"])).unwrap_err();
    assert!(e.contains("--cr-rate-limit"), "{e}");
}

#[test]
fn the_image_the_help_describes_is_accepted() {
    // The recipe printed by `cpe --help` makes an image the driver accepts.
    let recipe = b"CWMP-RS EXAMPLE FIRMWARE\nversion=2.0.0\n";
    assert_eq!(firmware_version(recipe).as_deref(), Some("2.0.0"));
    assert_eq!(
        firmware_version(&firmware_image("3.1", 4096)).as_deref(),
        Some("3.1")
    );
    assert_eq!(firmware_version(b"ELF\x7f version=2.0.0\n"), None);
}

#[test]
fn cpe_existing_flags_still_parse() {
    let a = parse_args(args(&[
        "--acs",
        "http://127.0.0.1:7547/",
        "--cr-listen",
        "127.0.0.1:7548",
        "--periodic",
        "300",
        "--state",
        "s.txt",
        "--record",
        "r.bin",
        "--user",
        "u",
        "--password",
        "p",
        "--serial",
        "42",
        "--oui",
        "ABCDEF",
        "--product-class",
        "PC",
        "--sessions",
        "3",
        "--software-version",
        "1.0",
        "--cr-user",
        "cu",
        "--cr-password",
        "cp",
        "--cr-url",
        "http://127.0.0.1:7548/x",
        "--manufacturer",
        "M",
    ]))
    .unwrap();
    assert_eq!(a.acs, "http://127.0.0.1:7547/");
    assert_eq!(a.cr_listen.as_deref(), Some("127.0.0.1:7548"));
    assert_eq!(a.periodic, Some(300));
    assert_eq!(a.sessions, Some(3));
    assert_eq!((a.user.as_str(), a.password.as_str()), ("u", "p"));
    assert_eq!((a.cr_user.as_str(), a.cr_password.as_str()), ("cu", "cp"));
    assert_eq!(a.identity.serial, "42");
    assert_eq!(a.identity.oui, "ABCDEF");
    assert_eq!(a.identity.product_class, "PC");
    assert_eq!(a.identity.manufacturer, "M");
    assert_eq!(a.identity.software_version, "1.0");
    assert_eq!(a.cr_rate_limit, RateLimit::DEFAULT);

    // Defaults.
    let d = parse_args(args(&["--acs", "http://acs/"])).unwrap();
    assert_eq!(
        (d.cr_user.as_str(), d.cr_password.as_str()),
        ("cwmp", "cwmp")
    );
    assert_eq!(d.identity.serial, "0001");
    assert!(d.user.is_empty() && d.cr_listen.is_none() && d.sessions.is_none());

    // --acs is required; a bad number or an unknown flag is an error.
    assert!(parse_args(args(&[])).is_err());
    assert!(parse_args(args(&["--acs", "x", "--periodic", "soon"])).is_err());
    assert!(parse_args(args(&["--acs", "x", "--nope"])).is_err());
}

#[test]
fn cr_rate_limit_values() {
    assert_eq!(parse_rate_limit("6/60:3"), Ok(RateLimit::DEFAULT));
    assert_eq!(parse_rate_limit("off"), Ok(RateLimit::NONE));
    assert_eq!(parse_rate_limit("0"), Ok(RateLimit::NONE));
    assert_eq!(
        parse_rate_limit("10/1"),
        Ok(RateLimit {
            requests: 10,
            per: Duration::from_secs(1),
            burst: 1
        })
    );
    for bad in [
        "", "6", "6/", "/60", "6/0", "6/60:0", "6/60:x", "-1/60", "fast",
    ] {
        assert!(parse_rate_limit(bad).is_err(), "{bad:?} accepted");
    }
    let a = parse_args(args(&["--acs", "x", "--cr-rate-limit", "60/60:10"])).unwrap();
    assert_eq!(
        a.cr_rate_limit,
        RateLimit {
            requests: 60,
            per: Duration::from_secs(60),
            burst: 10
        }
    );
    assert!(parse_args(args(&["--acs", "x", "--cr-rate-limit", "lots"])).is_err());
}

#[test]
fn acs_help_has_every_flag_and_the_script_format() {
    let h = help::<AcsCli>();
    for flag in [
        "--listen",
        "--script",
        "--user",
        "--password",
        "--sessions",
        "--timeout",
        "--verbose",
        "--connection-request",
        "--udp-connection-request",
        "--cr-user",
        "--cr-password",
        "--cr-delay",
    ] {
        assert!(h.contains(flag), "acs --help lacks {flag}:\n{h}");
    }
    assert!(h.contains(acs_script::SCRIPT_FORMAT), "{h}");
}

#[test]
fn every_request_of_the_script_format_parses() {
    // Each request the format names, written as its synopsis shows, is a request the parser
    // knows: the help cannot drift from the parser.
    let lines = [
        "GetRPCMethods",
        "GetParameterNames Device. 1",
        "GetParameterValues Device.DeviceInfo.SoftwareVersion Device.DeviceInfo.UpTime",
        "SetParameterValues Device.X=1:xsd:unsignedInt Device.Y=a key=k",
        "GetParameterAttributes Device.DeviceInfo.SoftwareVersion",
        "SetParameterAttributes Device.DeviceInfo.SoftwareVersion 2",
        "AddObject Device.NAT.PortMapping. k",
        "DeleteObject Device.NAT.PortMapping.1. k",
        "Reboot rb",
        "FactoryReset",
        "Download fw http://127.0.0.1/f.bin 1 user pass",
        "Upload up http://127.0.0.1/u \"3 Vendor Log File\"",
        "ScheduleInform 30 si",
        "CancelTransfer fw",
        "GetQueuedTransfers",
        "GetAllQueuedTransfers",
    ];
    for l in lines {
        let method = l.split(' ').next().unwrap();
        assert!(
            acs_script::SCRIPT_FORMAT.contains(&format!("\n  {method}")),
            "{method} not in the format"
        );
        assert!(
            acs_script::parse_line(l).unwrap().is_some(),
            "{l:?} does not parse"
        );
    }
    // The sample script parses.
    let sample =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/basic.acs")).unwrap();
    assert!(!acs_script::parse(&sample).unwrap().is_empty());
}

#[test]
fn acs_existing_flags_still_parse() {
    let a = AcsCli::try_parse_from([
        "acs",
        "--listen",
        "127.0.0.1:0",
        "--script",
        "s.acs",
        "--user",
        "u",
        "--password",
        "p",
        "--sessions",
        "2",
        "--timeout",
        "40",
        "-v",
        "--connection-request",
        "http://127.0.0.1:7548/cr",
        "--cr-user",
        "cu",
        "--cr-password",
        "cp",
        "--cr-delay",
        "0",
    ])
    .unwrap();
    assert_eq!(a.listen, "127.0.0.1:0");
    assert_eq!(a.sessions, Some(2));
    assert_eq!(a.timeout, 40);
    assert!(a.verbose);
    assert_eq!(a.cr_delay, 0);
    let d = AcsCli::try_parse_from(["acs"]).unwrap();
    assert_eq!(d.listen, "127.0.0.1:7547");
    assert_eq!((d.timeout, d.cr_delay), (30, 2));
    // --user needs --password; HTTP and UDP connection requests exclude each other.
    assert!(AcsCli::try_parse_from(["acs", "--user", "u"]).is_err());
    assert!(AcsCli::try_parse_from([
        "acs",
        "--connection-request",
        "http://x/",
        "--udp-connection-request",
        "127.0.0.1:1"
    ])
    .is_err());
    assert!(AcsCli::try_parse_from(["acs", "--sessions", "many"]).is_err());
}

#[test]
fn inspect_flags() {
    let i = InspectCli::try_parse_from(["inspect", "--reencode", "a.xml", "b.http"]).unwrap();
    assert!(i.reencode);
    assert_eq!(i.files, ["a.xml", "b.http"]);
    assert!(InspectCli::try_parse_from(["inspect"]).is_err());
    let h = help::<InspectCli>();
    assert!(h.contains("--reencode") && h.contains("error: <kind> at byte <offset>"));
}
