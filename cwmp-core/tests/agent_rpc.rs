//! The agent's RPC semantics, one test per rule, each citing its section of TR-069.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod agent_support;

use agent_support::*;
use cwmp_core::codec::Body;

#[test]
fn gpn_empty_path_next_level_is_the_root_object_alone() {
    // §A.3.2.3 (DIGEST §12.2): "" with NextLevel=true gives just `Device.`, writable present.
    let mut r = Rig::new();
    r.open();
    let p = r.rpc(&gpn("", true));
    assert_eq!(names(&p), vec![("Device.".to_string(), false)]);
    assert!(p.text().contains("<Writable>0</Writable>"));
}

#[test]
fn gpn_next_level_lists_direct_children_with_objects_dotted() {
    // §A.3.2.3: direct children only; objects end in `.`; the agent's ManagementServer too.
    let mut r = Rig::new();
    r.add_mappings(2);
    r.open();
    let n = names(&r.rpc(&gpn("Device.", true)));
    let got: Vec<&str> = n.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        got,
        [
            "Device.DeviceInfo.",
            "Device.NAT.",
            "Device.X_TEST_Empty.",
            "Device.ManagementServer."
        ]
    );
    // A table lists its instances, writable (DeleteObject allowed).
    let n = names(&r.rpc(&gpn("Device.NAT.PortMapping.", true)));
    assert_eq!(
        n,
        vec![
            ("Device.NAT.PortMapping.1.".to_string(), true),
            ("Device.NAT.PortMapping.2.".to_string(), true)
        ]
    );
    // An empty object: NextLevel=true gives an empty list, NextLevel=false the object itself.
    assert!(names(&r.rpc(&gpn("Device.X_TEST_Empty.", true))).is_empty());
    assert_eq!(
        names(&r.rpc(&gpn("Device.X_TEST_Empty.", false))),
        vec![("Device.X_TEST_Empty.".to_string(), false)]
    );
}

#[test]
fn gpn_next_level_on_a_parameter_is_9003_and_unknown_is_9005() {
    // §A.3.2.3: NextLevel=true with a Parameter path gives 9003; an invalid path 9005.
    let mut r = Rig::new();
    r.open();
    assert_eq!(
        r.rpc(&gpn("Device.DeviceInfo.UpTime", true)).fault_code(),
        Some(9003)
    );
    assert_eq!(r.rpc(&gpn("Device.Nope.", false)).fault_code(), Some(9005));
    assert_eq!(
        r.rpc(&gpn("Device.DeviceInfo", false)).fault_code(),
        Some(9005)
    );
    let p = r.rpc(&gpn("Device.DeviceInfo.UpTime", false));
    assert_eq!(
        names(&p),
        vec![("Device.DeviceInfo.UpTime".to_string(), false)]
    );
}

#[test]
fn gpn_whole_tree_starts_with_the_root() {
    // §A.3.2.3: NextLevel=false on "" is the item itself plus all descendants.
    let mut r = Rig::new();
    r.add_mappings(1);
    r.open();
    let n = names(&r.rpc(&gpn("", false)));
    assert_eq!(n[0].0, "Device.");
    assert!(n.contains(&("Device.NAT.PortMapping.".to_string(), true)));
    assert!(n.contains(&("Device.NAT.PortMapping.1.Enable".to_string(), true)));
    assert!(n.contains(&("Device.ManagementServer.URL".to_string(), true)));
    assert!(n.contains(&("Device.ManagementServer.ParameterKey".to_string(), false)));
}

#[test]
fn gpv_full_partial_and_unknown_names() {
    // §A.3.2.2: full names and partial paths (subtree); a bad name is 9005; a partial path
    // with nothing below it is an empty list.
    let mut r = Rig::new();
    r.add_mappings(2);
    r.open();
    let v = values(&r.rpc(&gpv(&[
        "Device.DeviceInfo.HostName",
        "Device.NAT.PortMapping.2.",
    ])));
    assert_eq!(
        v,
        vec![
            ("Device.DeviceInfo.HostName".into(), "cpe".into()),
            ("Device.NAT.PortMapping.2.Enable".into(), "0".into()),
            (
                "Device.NAT.PortMapping.2.Description".into(),
                "mapping 1".into()
            ),
            ("Device.NAT.PortMapping.2.ExternalPort".into(), "1".into()),
        ]
    );
    assert!(values(&r.rpc(&gpv(&["Device.X_TEST_Empty."]))).is_empty());
    assert_eq!(
        r.rpc(&gpv(&["Device.DeviceInfo.Nope"])).fault_code(),
        Some(9005)
    );
    assert_eq!(
        r.rpc(&gpv(&["Device.NAT.PortMapping.3."])).fault_code(),
        Some(9005)
    );
    // Wildcards are not supported: 9005 (§3.6.2).
    assert_eq!(
        r.rpc(&gpv(&["Device.NAT.PortMapping.*.Enable"]))
            .fault_code(),
        Some(9005)
    );
}

#[test]
fn spv_with_one_bad_entry_changes_nothing_and_lists_every_bad_entry() {
    // §A.3.2.1: atomic; 9003 with one SetParameterValuesFault per bad Parameter; the
    // ParameterKey is stored only if the call succeeds.
    let mut r = Rig::new();
    r.open();
    let p = r.rpc(&spv(
        &[
            ("Device.DeviceInfo.HostName", "string", "new"),
            ("Device.DeviceInfo.Level", "int", "9"),
            ("Device.DeviceInfo.UpTime", "unsignedInt", "1"),
            ("Device.DeviceInfo.Nope", "string", "x"),
            ("Device.DeviceInfo.Level", "boolean", "1"),
        ],
        "k1",
    ));
    // The duplicate name makes it 9003 without a list.
    assert_eq!(p.fault_code(), Some(9003));
    let p = r.rpc(&spv(
        &[
            ("Device.DeviceInfo.HostName", "string", "new"),
            ("Device.DeviceInfo.Level", "int", "9"),
            ("Device.DeviceInfo.UpTime", "unsignedInt", "1"),
            ("Device.DeviceInfo.Nope", "string", "x"),
            ("Device.NAT.PortMapping.", "string", "x"),
        ],
        "k1",
    ));
    let env = p.envelope();
    let Body::Fault(f) = &env.body else { panic!() };
    assert_eq!(f.code(), 9003);
    let faults: Vec<(String, u32)> = f
        .detail
        .set_parameter_values_fault
        .iter()
        .map(|x| (x.parameter_name.to_string(), x.fault_code))
        .collect();
    assert_eq!(
        faults,
        vec![
            ("Device.DeviceInfo.Level".into(), 9007),
            ("Device.DeviceInfo.UpTime".into(), 9008),
            ("Device.DeviceInfo.Nope".into(), 9005),
            ("Device.NAT.PortMapping.".into(), 9005),
        ]
    );
    assert_eq!(r.model.hostname, "cpe");
    assert_eq!(r.cpe.parameter_key(), None);
    let v = values(&r.rpc(&gpv(&["Device.ManagementServer.ParameterKey"])));
    assert_eq!(v[0].1, "");
}

#[test]
fn spv_type_checks_follow_a_2_1() {
    // §A.2.1: ranges, string lengths, boolean forms; 9006 for another type.
    let mut r = Rig::new();
    r.open();
    let code = |r: &mut Rig, t: &str, n: &str, v: &str| {
        r.rpc(&spv(&[(n, t, v)], "")).fault_code().map(|_| {
            let p = r.rpc(&spv(&[(n, t, v)], ""));
            let env = p.envelope();
            let Body::Fault(f) = &env.body else { panic!() };
            f.detail
                .set_parameter_values_fault
                .iter()
                .next()
                .unwrap()
                .fault_code
        })
    };
    assert_eq!(code(&mut r, "int", "Device.DeviceInfo.Level", "-5"), None);
    assert_eq!(
        code(&mut r, "int", "Device.DeviceInfo.Level", "-6"),
        Some(9007)
    );
    assert_eq!(code(&mut r, "string", "Device.DeviceInfo.Level", "3"), None);
    assert_eq!(r.model.level, 3);
    assert_eq!(
        code(&mut r, "string", "Device.DeviceInfo.Level", "x"),
        Some(9007)
    );
    assert_eq!(
        code(&mut r, "boolean", "Device.DeviceInfo.Level", "1"),
        Some(9006)
    );
    assert_eq!(
        code(
            &mut r,
            "string",
            "Device.DeviceInfo.HostName",
            "seventeen-chars!!"
        ),
        Some(9007)
    );
    assert_eq!(
        code(&mut r, "string", "Device.DeviceInfo.HostName", "forbidden"),
        Some(9007)
    );
    assert_eq!(
        code(
            &mut r,
            "dateTime",
            "Device.ManagementServer.PeriodicInformTime",
            "nope"
        ),
        Some(9007)
    );
    assert_eq!(
        code(
            &mut r,
            "dateTime",
            "Device.ManagementServer.PeriodicInformTime",
            "2024-01-01T00:00:00Z"
        ),
        None
    );
}

#[test]
fn spv_success_stores_the_parameter_key() {
    // §A.3.2.1: Status 0, ParameterKey stored (and visible to GPV) iff success.
    let mut r = Rig::new();
    r.open();
    let p = r.rpc(&spv(
        &[("Device.DeviceInfo.HostName", "string", "a&amp;b")],
        "key-1",
    ));
    assert!(p.text().contains("<Status>0</Status>"), "{}", p.text());
    assert_eq!(r.model.hostname, "a&b");
    assert_eq!(r.cpe.parameter_key(), Some("key-1"));
    let v = values(&r.rpc(&gpv(&["Device.ManagementServer.ParameterKey"])));
    assert_eq!(v[0].1, "key-1");
}

#[test]
fn add_and_delete_object() {
    // §A.3.2.6/7: instance numbers, 9005 for a non-table or not exactly one instance,
    // 9004 over the limit; attributes of deleted instances die with them (§A.3.2.4).
    let mut r = Rig::new();
    r.model.max_mappings = 2;
    r.open();
    let add = "<cwmp:AddObject><ObjectName>Device.NAT.PortMapping.</ObjectName><ParameterKey>a</ParameterKey></cwmp:AddObject>";
    let p = r.rpc(add);
    assert!(
        p.text().contains("<InstanceNumber>1</InstanceNumber>"),
        "{}",
        p.text()
    );
    let p = r.rpc(add);
    assert!(p.text().contains("<InstanceNumber>2</InstanceNumber>"));
    assert_eq!(r.rpc(add).fault_code(), Some(9004));
    let bad = "<cwmp:AddObject><ObjectName>Device.DeviceInfo.</ObjectName><ParameterKey>b</ParameterKey></cwmp:AddObject>";
    assert_eq!(r.rpc(bad).fault_code(), Some(9005));
    assert_eq!(r.cpe.parameter_key(), Some("a"));
    assert!(r
        .rpc(&spa("Device.NAT.PortMapping.1.", 1))
        .fault_code()
        .is_none());
    let under = |r: &Rig| {
        r.agent
            .attributes()
            .iter()
            .filter(|a| a.name.starts_with("Device.NAT."))
            .count()
    };
    assert_eq!(under(&r), 3);
    let del = |n: &str| {
        format!("<cwmp:DeleteObject><ObjectName>{n}</ObjectName><ParameterKey>d</ParameterKey></cwmp:DeleteObject>")
    };
    assert_eq!(
        r.rpc(&del("Device.NAT.PortMapping.")).fault_code(),
        Some(9005)
    );
    assert_eq!(
        r.rpc(&del("Device.NAT.PortMapping.7.")).fault_code(),
        Some(9005)
    );
    assert!(r
        .rpc(&del("Device.NAT.PortMapping.1."))
        .text()
        .contains("<Status>0</Status>"));
    assert_eq!(under(&r), 0);
    assert_eq!(r.cpe.parameter_key(), Some("d"));
    // Instance numbers are not reused (§A.2.2.1).
    assert!(r
        .rpc(add)
        .text()
        .contains("<InstanceNumber>3</InstanceNumber>"));
}

#[test]
fn spa_rules() {
    // §A.3.2.4: 3–6 without LWN are 9003; Active refused where the model says so (9009);
    // forced-active ignores other values; GPA reports what was set.
    let mut r = Rig::new();
    r.open();
    assert_eq!(
        r.rpc(&spa("Device.DeviceInfo.HostName", 4)).fault_code(),
        Some(9003)
    );
    assert_eq!(
        r.rpc(&spa("Device.DeviceInfo.UpTime", 2)).fault_code(),
        Some(9009)
    );
    assert_eq!(
        r.rpc(&spa("Device.DeviceInfo.", 2)).fault_code(),
        Some(9009)
    );
    assert_eq!(r.rpc(&spa("Device.Nope", 1)).fault_code(), Some(9005));
    assert!(r
        .rpc(&spa("Device.DeviceInfo.HostName", 2))
        .fault_code()
        .is_none());
    let gpa = "<cwmp:GetParameterAttributes><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.DeviceInfo.</string></ParameterNames></cwmp:GetParameterAttributes>";
    let p = r.rpc(gpa);
    let env = p.envelope();
    let Body::GetParameterAttributesResponse(a) = &env.body else {
        panic!("{}", p.text())
    };
    let got: Vec<(String, i32)> = a
        .parameter_list
        .iter()
        .map(|x| (x.name.to_string(), x.notification))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Device.DeviceInfo.Manufacturer".into(), 0),
            ("Device.DeviceInfo.SoftwareVersion".into(), 2),
            ("Device.DeviceInfo.UpTime".into(), 0),
            ("Device.DeviceInfo.HostName".into(), 2),
            ("Device.DeviceInfo.Level".into(), 0),
        ]
    );
}

#[test]
fn active_notification_then_firmware_change_makes_a_value_change_session() {
    // §3.2.1, Table 8 `4 VALUE CHANGE`, §A.3.3.1 (i): SPA Notification=2, then a change by
    // the firmware: a Session with 4 VALUE CHANGE and the Parameter in the ParameterList.
    let mut r = Rig::new();
    r.open();
    assert!(r
        .rpc(&spa("Device.DeviceInfo.HostName", 2))
        .fault_code()
        .is_none());
    r.close();
    assert!(!r.cpe.in_session());
    r.model.hostname = "changed".into();
    assert!(r
        .agent
        .changed(r.now, &mut r.cpe, &*r.model, "Device.DeviceInfo.HostName"));
    let inform = r.open();
    let env = inform.envelope();
    let Body::Inform(i) = &env.body else { panic!() };
    assert!(i
        .event
        .iter()
        .any(|e| e.event_code.as_str() == "4 VALUE CHANGE"));
    let v = values(&inform);
    assert!(
        v.contains(&("Device.DeviceInfo.HostName".into(), "changed".into())),
        "{v:?}"
    );
    // Forced Inform Parameters ride too (§A.3.3.1 (iii)).
    assert!(v.iter().any(|(n, _)| n == "Device.DeviceInfo.Manufacturer"));
    assert!(v
        .iter()
        .any(|(n, _)| n == "Device.ManagementServer.ConnectionRequestURL"));
    r.close();
    // Delivered: the next Inform does not repeat it.
    assert!(r.agent.pending().is_empty());
}

#[test]
fn a_change_seen_by_comparison_at_inform_time_is_notified() {
    // §3.2.1: the agent compares tracked values itself (passive waits for the next Session).
    let mut r = Rig::new();
    r.open();
    assert!(r
        .rpc(&spa("Device.DeviceInfo.Level", 1))
        .fault_code()
        .is_none());
    r.close();
    r.model.level = 4;
    assert_eq!(r.agent.check_values(r.now, &mut r.cpe, &*r.model), 1);
    // Passive: no Session of its own.
    r.drain();
    assert!(!r.cpe.in_session());
    r.cpe.handle_connection_request(r.now);
    let inform = r.open();
    assert!(values(&inform).contains(&("Device.DeviceInfo.Level".into(), "4".into())));
}

#[test]
fn the_acs_own_spv_is_not_a_value_change() {
    // §3.2.1: changes made by the ACS itself are not notified.
    let mut r = Rig::new();
    r.open();
    assert!(r
        .rpc(&spa("Device.DeviceInfo.HostName", 2))
        .fault_code()
        .is_none());
    assert!(r
        .rpc(&spv(&[("Device.DeviceInfo.HostName", "string", "acs")], ""))
        .fault_code()
        .is_none());
    r.close();
    assert_eq!(r.agent.check_values(r.now, &mut r.cpe, &*r.model), 0);
    assert!(r.agent.pending().is_empty());
    r.drain();
    assert!(!r.cpe.in_session());
}

#[test]
fn attributes_and_pending_changes_survive_a_reboot() {
    // §A.3.2.4 (attributes persistent), Table 8 / §A.3.3.1: the pending change is reported
    // in the boot Session.
    let mut r = Rig::new();
    r.open();
    assert!(r
        .rpc(&spa("Device.DeviceInfo.HostName", 1))
        .fault_code()
        .is_none());
    r.close();
    r.model.hostname = "x".into();
    r.agent
        .changed(r.now, &mut r.cpe, &*r.model, "Device.DeviceInfo.HostName");
    r.reboot();
    assert_eq!(
        r.agent
            .attributes()
            .get("Device.DeviceInfo.HostName")
            .unwrap()
            .notification,
        1
    );
    assert_eq!(r.agent.pending().len(), 1);
    let inform = r.open();
    let env = inform.envelope();
    let Body::Inform(i) = &env.body else { panic!() };
    let codes: Vec<&str> = i.event.iter().map(|e| e.event_code.as_str()).collect();
    assert!(
        codes.contains(&"1 BOOT") && codes.contains(&"4 VALUE CHANGE"),
        "{codes:?}"
    );
    assert!(values(&inform).contains(&("Device.DeviceInfo.HostName".into(), "x".into())));
}

#[test]
fn management_server_values_set_by_the_acs_persist_and_reconfigure() {
    // §3.2.1, §3.2.2: ConnectionRequestUsername/Password reach the CR server; periodic and URL
    // reconfigure the machine; all survive a reboot.
    let mut r = Rig::new();
    r.agent
        .set_connection_request("http://10.0.0.1:7547/cr", "factory", "fpass");
    r.open();
    assert_eq!(r.agent.connection_request_credentials().username, "factory");
    let p = r.rpc(&spv(
        &[
            (
                "Device.ManagementServer.ConnectionRequestUsername",
                "string",
                "acs-user",
            ),
            (
                "Device.ManagementServer.ConnectionRequestPassword",
                "string",
                "acs-pass",
            ),
            (
                "Device.ManagementServer.PeriodicInformEnable",
                "boolean",
                "true",
            ),
            (
                "Device.ManagementServer.PeriodicInformInterval",
                "unsignedInt",
                "300",
            ),
        ],
        "",
    ));
    assert!(p.fault_code().is_none(), "{}", p.text());
    let c = r.agent.connection_request_credentials();
    assert_eq!((c.username, c.password), ("acs-user", "acs-pass"));
    // The password reads back empty (TR-181).
    let v = values(&r.rpc(&gpv(&["Device.ManagementServer.ConnectionRequestPassword"])));
    assert_eq!(v[0].1, "");
    r.close();
    r.reboot();
    r.agent
        .set_connection_request("http://10.0.0.1:7547/cr", "factory", "fpass");
    let c = r.agent.connection_request_credentials();
    assert_eq!((c.username, c.password), ("acs-user", "acs-pass"));
    assert!(r.agent.management().periodic().enable);
    assert_eq!(r.agent.management().periodic().interval, 300);
}

#[test]
fn rpc_methods_and_unsupported_ones() {
    // §A.3.1.1, Table 5: exactly what is supported; others 9000.
    let mut r = Rig::new();
    r.open();
    let p = r.rpc("<cwmp:GetRPCMethods/>");
    for m in [
        "GetParameterNames",
        "Download",
        "FactoryReset",
        "GetAllQueuedTransfers",
    ] {
        assert!(p.text().contains(&format!(">{m}<")), "{m}");
    }
    assert!(!p.text().contains("ChangeDUState"));
    assert_eq!(r.rpc("<cwmp:X_ACME_Foo/>").fault_code(), Some(9000));
    assert_eq!(r.rpc("<cwmp:SetVouchers><VoucherList soapenc:arrayType=\"soapenc:base64[0]\"/></cwmp:SetVouchers>").fault_code(), Some(9000));
}

#[test]
fn transfers_reboot_and_schedule_inform() {
    // §A.3.2.8: userinfo 9003, queue full 9004; §A.4.1.9 CancelTransfer; §A.4.1.2 9003 for 0.
    let mut r = Rig::new();
    r.open();
    let dl = |url: &str, key: &str| {
        format!("<cwmp:Download><CommandKey>{key}</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>{url}</URL><Username/><Password/><FileSize>0</FileSize><TargetFileName/><DelaySeconds>5</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download>")
    };
    assert_eq!(r.rpc(&dl("http://u:p@h/f", "a")).fault_code(), Some(9003));
    assert_eq!(r.rpc(&dl("ftp://h/f", "a")).fault_code(), Some(9013));
    for k in ["a", "b", "c"] {
        let p = r.rpc(&dl("http://h/f", k));
        assert!(p.text().contains("<Status>1</Status>"), "{}", p.text());
    }
    assert_eq!(r.rpc(&dl("http://h/f", "d")).fault_code(), Some(9004));
    let p = r.rpc("<cwmp:GetAllQueuedTransfers/>");
    assert_eq!(p.text().matches("<AllQueuedTransferStruct>").count(), 3);
    assert!(r
        .rpc("<cwmp:CancelTransfer><CommandKey>b</CommandKey></cwmp:CancelTransfer>")
        .fault_code()
        .is_none());
    assert!(r
        .rpc("<cwmp:CancelTransfer><CommandKey>zz</CommandKey></cwmp:CancelTransfer>")
        .fault_code()
        .is_none());
    assert_eq!(
        r.rpc("<cwmp:GetQueuedTransfers/>")
            .text()
            .matches("<QueuedTransferStruct>")
            .count(),
        2
    );
    assert_eq!(r.rpc("<cwmp:ScheduleInform><DelaySeconds>0</DelaySeconds><CommandKey/></cwmp:ScheduleInform>").fault_code(), Some(9003));
    assert!(r
        .rpc("<cwmp:Reboot><CommandKey>rb</CommandKey></cwmp:Reboot>")
        .fault_code()
        .is_none());
    r.close();
    assert!(r.events.contains(&cwmp_core::cpe::Event::Reboot));
}

#[test]
fn ten_thousand_parameters_stream_through_a_1_kib_buffer() {
    // DESIGN §3 / issue 11: a GPV of 10,000 Parameters goes out through a 1 KiB tx buffer.
    let mut model = Model::default();
    for i in 0..3334 {
        model.mappings.add(Mapping {
            enable: true,
            description: format!("m{i}"),
            port: i,
        });
    }
    let mut r = Rig::with(model, 1024);
    // Sessions: the Inform fits 1 KiB; the answer is written in pieces by a chunked writer.
    r.tx = vec![0; 1024 * 1024];
    r.open();
    let mut rx = http(200, &envelope(&gpv(&["Device.NAT."])));
    let n = rx.len();
    let cwmp_core::cpe::Incoming::AcsRequest(req) =
        r.cpe.handle_response(r.now, &mut rx, n).unwrap()
    else {
        panic!()
    };
    struct Window {
        buf: [u8; 1024],
        used: usize,
        total: usize,
        out: Vec<u8>,
    }
    impl embedded_io::ErrorType for Window {
        type Error = core::convert::Infallible;
    }
    impl embedded_io::Write for Window {
        fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> {
            let n = b.len().min(1024 - self.used);
            self.buf[self.used..self.used + n].copy_from_slice(&b[..n]);
            self.used += n;
            self.total += n;
            if self.used == 1024 {
                self.out.extend_from_slice(&self.buf);
                self.used = 0;
            }
            Ok(n)
        }
        fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    let mut w = Window {
        buf: [0; 1024],
        used: 0,
        total: 0,
        out: Vec::new(),
    };
    r.agent
        .answer(r.now, &mut r.cpe, &mut *r.model, &req, &mut w)
        .unwrap();
    let used = w.used;
    let tail = w.buf[..used].to_vec();
    w.out.extend_from_slice(&tail);
    let mut headers = [cwmp_core::codec::http::EMPTY_HEADER; 32];
    let Ok(cwmp_core::codec::http::Status::Complete(head)) =
        cwmp_core::codec::http::request::RequestHead::parse(&w.out, &mut headers)
    else {
        panic!()
    };
    let env = cwmp_core::codec::decode(&w.out[head.head_len..]).unwrap();
    let Body::GetParameterValuesResponse(g) = &env.body else {
        panic!()
    };
    assert_eq!(g.parameter_list.len(), 10_002);
    assert!(w.total > 300_000, "{}", w.total);
}

#[test]
fn spa_access_list_is_stored_even_on_a_read_only_parameter() {
    // §A.3.2.4: the CPE MUST accept and store an AccessList on read-only Parameters too.
    let mut r = Rig::new();
    r.open();
    let spa_acl = "<cwmp:SetParameterAttributes><ParameterList soapenc:arrayType=\"cwmp:SetParameterAttributesStruct[1]\"><SetParameterAttributesStruct><Name>Device.DeviceInfo.UpTime</Name><NotificationChange>0</NotificationChange><Notification>0</Notification><AccessListChange>1</AccessListChange><AccessList soapenc:arrayType=\"xsd:string[1]\"><string>Subscriber</string></AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>";
    assert!(r.rpc(spa_acl).fault_code().is_none());
    let gpa = "<cwmp:GetParameterAttributes><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.DeviceInfo.UpTime</string></ParameterNames></cwmp:GetParameterAttributes>";
    let p = r.rpc(gpa);
    assert!(
        p.text().contains("<string>Subscriber</string>"),
        "{}",
        p.text()
    );
    r.close();
    r.reboot();
    assert!(
        r.agent
            .attributes()
            .get("Device.DeviceInfo.UpTime")
            .unwrap()
            .subscriber
    );
}

#[test]
fn a_heartbeat_inform_carries_only_the_forced_inform_parameters() {
    // Annex O.1, Table 8: a HEARTBEAT Inform carries its own set; the pending change waits
    // for the next Non-HEARTBEAT Inform (VALUE CHANGE is measured against those, T8, T25).
    let mut r = Rig::new();
    r.open();
    assert!(r
        .rpc(&spa("Device.DeviceInfo.Level", 1))
        .fault_code()
        .is_none());
    r.close();
    r.model.level = 2;
    assert!(r
        .agent
        .changed(r.now, &mut r.cpe, &*r.model, "Device.DeviceInfo.Level"));
    assert!(r.cpe.heartbeat(r.now));
    let hb = r.open();
    let env = hb.envelope();
    let Body::Inform(i) = &env.body else { panic!() };
    let codes: Vec<&str> = i.event.iter().map(|e| e.event_code.as_str()).collect();
    assert_eq!(codes, ["14 HEARTBEAT"]);
    assert!(!values(&hb)
        .iter()
        .any(|(n, _)| n == "Device.DeviceInfo.Level"));
    r.close();
    assert_eq!(
        r.agent.pending().len(),
        1,
        "kept for the next regular Inform"
    );
    r.cpe.handle_connection_request(r.now);
    let next = r.open();
    assert!(values(&next).contains(&("Device.DeviceInfo.Level".into(), "2".into())));
    r.close();
    assert!(r.agent.pending().is_empty());
}

/// Strict numbers through the whole stack (issue 13): a Notification or DelaySeconds that does
/// not decode gets fault 9003 from the machine, echoing cwmp:ID 42; a FileSize that decodes as
/// `UnsignedIntValue::Invalid` gets 9003 from the agent; the Session goes on and ends cleanly.
#[test]
fn undecodable_arguments_get_9003_and_the_session_goes_on() {
    let mut r = Rig::new();
    r.open();
    let dl = |size: &str, delay: &str| {
        format!("<cwmp:Download><CommandKey>k</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/f</URL><Username/><Password/><FileSize>{size}</FileSize><TargetFileName/><DelaySeconds>{delay}</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download>")
    };
    for bad in ["9010x", "4294967297", ""] {
        let spa = spa("Device.DeviceInfo.SoftwareVersion", 0)
            .replace("<Notification>0<", &format!("<Notification>{bad}<"));
        for req in [spa, dl("0", bad)] {
            let p = r.rpc_undecodable(&req);
            assert_eq!(p.fault_code(), Some(9003), "{req}");
            assert!(p.envelope().header.id.unwrap().eq_str("42"));
        }
        assert_eq!(
            r.rpc(&dl(bad, "5")).fault_code(),
            Some(9003),
            "FileSize {bad:?}"
        );
    }
    let p = r.rpc(&gpv(&["Device.DeviceInfo.SoftwareVersion"]));
    assert_eq!(p.method(), "GetParameterValuesResponse");
    r.close();
    assert!(r.events.contains(&cwmp_core::cpe::Event::SessionEnded {
        outcome: cwmp_core::cpe::SessionOutcome::Success
    }));
}
