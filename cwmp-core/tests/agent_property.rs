//! Property: arbitrary sequences of ACS requests (and reboots, and firmware-side changes)
//! against a static model never panic, keep SetParameterValues, AddObject and DeleteObject
//! atomic (§A.3.2.1, §A.3.2.6, §A.3.2.7: a fault changes nothing, the ParameterKey included),
//! and GetParameterNames, GetParameterValues and GetParameterAttributes agree on which
//! Parameters exist (§A.3.2.2–§A.3.2.5).
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
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "Device.DeviceInfo.HostName",
    "Device.DeviceInfo.Level",
    "Device.DeviceInfo.UpTime",
    "Device.NAT.PortMapping.1.Enable",
    "Device.NAT.PortMapping.2.Description",
    "Device.NAT.PortMapping.3.ExternalPort",
    "Device.ManagementServer.PeriodicInformInterval",
    "Device.Nope",
    "Device.NAT.",
    "",
];
const VALUES: &[(&str, &str)] = &[
    ("string", "v"),
    ("string", "forbidden"),
    ("int", "3"),
    ("int", "99"),
    ("boolean", "true"),
    ("unsignedInt", "70000"),
    ("unsignedInt", "60"),
    ("dateTime", "bad"),
];

#[derive(Debug, Clone)]
enum Op {
    Gpv(usize),
    Gpn(usize, bool),
    Spv(Vec<(usize, usize)>),
    Spa(usize, i32),
    Add,
    Delete(u32),
    Change,
    Reboot,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..NAMES.len()).prop_map(Op::Gpv),
        (0..NAMES.len(), any::<bool>()).prop_map(|(a, b)| Op::Gpn(a, b)),
        proptest::collection::vec((0..7usize, 0..VALUES.len()), 0..4).prop_map(Op::Spv),
        (0..NAMES.len(), 0..4i32).prop_map(|(a, b)| Op::Spa(a, b)),
        Just(Op::Add),
        (1..5u32).prop_map(Op::Delete),
        Just(Op::Change),
        Just(Op::Reboot),
    ]
}

fn snapshot(r: &Rig) -> String {
    let m: Vec<_> = r
        .model
        .mappings
        .iter()
        .map(|(n, v)| (n, v.clone()))
        .collect();
    format!(
        "{}|{}|{:?}|{:?}|{}",
        r.model.hostname,
        r.model.level,
        m,
        r.cpe.parameter_key(),
        r.agent.management().periodic().interval
    )
}

fn attribute_names(p: &Post) -> Vec<String> {
    let env = p.envelope();
    let Body::GetParameterAttributesResponse(a) = &env.body else {
        panic!("{}", p.text())
    };
    a.parameter_list
        .iter()
        .map(|x| x.name.to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn agent_sequences(ops in proptest::collection::vec(op(), 1..24)) {
        let mut r = Rig::new();
        r.add_mappings(2);
        r.open();
        for op in ops {
            match op {
                Op::Gpv(i) => { let _ = r.rpc(&gpv(&[NAMES[i]])); }
                Op::Gpn(i, nl) => { let _ = r.rpc(&gpn(NAMES[i], nl)); }
                Op::Spv(entries) => {
                    let list: Vec<(&str, &str, &str)> = entries
                        .iter()
                        .map(|(n, v)| (NAMES[*n], VALUES[*v].0, VALUES[*v].1))
                        .collect();
                    let before = snapshot(&r);
                    let p = r.rpc(&spv(&list, "pk"));
                    if p.fault_code().is_some() {
                        prop_assert_eq!(snapshot(&r), before, "a failed SPV changed something");
                    } else {
                        prop_assert_eq!(r.cpe.parameter_key(), Some("pk"));
                    }
                }
                Op::Spa(i, n) => { let _ = r.rpc(&spa(NAMES[i], n)); }
                Op::Add => {
                    let before = snapshot(&r);
                    let p = r.rpc("<cwmp:AddObject><ObjectName>Device.NAT.PortMapping.</ObjectName><ParameterKey>ak</ParameterKey></cwmp:AddObject>");
                    if p.fault_code().is_some() {
                        prop_assert_eq!(snapshot(&r), before);
                    }
                }
                Op::Delete(n) => {
                    let before = snapshot(&r);
                    let p = r.rpc(&format!("<cwmp:DeleteObject><ObjectName>Device.NAT.PortMapping.{n}.</ObjectName><ParameterKey>dk</ParameterKey></cwmp:DeleteObject>"));
                    if p.fault_code().is_some() {
                        prop_assert_eq!(snapshot(&r), before);
                    } else {
                        prop_assert!(r.model.mappings.get(n).is_none());
                        let prefix = format!("Device.NAT.PortMapping.{n}.");
                        prop_assert!(r.agent.attributes().iter().all(|a| !a.name.starts_with(&prefix)));
                    }
                }
                Op::Change => {
                    r.model.level = (r.model.level + 1) % 5;
                    r.agent.changed(r.now, &mut r.cpe, &*r.model, "Device.DeviceInfo.Level");
                }
                Op::Reboot => {
                    r.close();
                    r.reboot();
                    r.open();
                }
            }
            // GPN, GPV and GPA agree on what exists.
            let all: Vec<String> = names(&r.rpc(&gpn("", false)))
                .into_iter()
                .map(|(n, _)| n)
                .filter(|n| !n.ends_with('.'))
                .collect();
            let v: Vec<String> = values(&r.rpc(&gpv(&[""]))).into_iter().map(|(n, _)| n).collect();
            let a = attribute_names(&r.rpc("<cwmp:GetParameterAttributes><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string></string></ParameterNames></cwmp:GetParameterAttributes>"));
            prop_assert_eq!(&all, &v);
            prop_assert_eq!(&all, &a);
        }
    }
}
