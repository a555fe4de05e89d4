//! The ACS application of the `acs_tokio` example and the load test: on every Inform it
//! queues the same provisioning plan (four RPCs, no Reboot), checks every answer against what
//! it set, and records which events reached the ACS.
//!
//! The plan (§A.3.2.1–§A.3.2.3):
//! 1. GetParameterValues `Device.DeviceInfo.`: the SerialNumber must be the Inform's;
//! 2. SetParameterValues `Device.DeviceInfo.ProvisioningCode` and
//!    `Device.ManagementServer.PeriodicInformInterval`, with a ParameterKey: Status 0;
//! 3. GetParameterNames `Device.ManagementServer.`, NextLevel: PeriodicInformInterval is
//!    there and writable;
//! 4. GetParameterValues of the two set Parameters and the ParameterKey: the values just set.
//!
//! An event counts as **delivered** once the ACS has written the InformResponse to the
//! Inform that carried it ([`Event::SessionStarted`]): from then on the CPE may discard it
//! (§3.7.1.5, Table 8). A CPE may deliver an event twice (its connection broke before the
//! InformResponse reached it, so it retries); [`Delivered`] keeps each (CPE, event) pair once
//! and counts the repeats.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cwmp_codec::message::{
    GetParameterNames, GetParameterValues, ParameterValueStruct, SetParameterValues,
};
use cwmp_codec::{Array, Body, Value, XmlStr};
use cwmp_core::acs::{AcsSession, Event, Outcome, Received, RequestId};

use crate::acs_tokio::AcsApp;

/// The value the plan sets in `Device.DeviceInfo.ProvisioningCode`.
pub const PROVISIONING_CODE: &str = "LT-PROV";
/// The value the plan sets in `Device.ManagementServer.PeriodicInformInterval`.
pub const PERIODIC_INTERVAL: u32 = 3600;
/// The ParameterKey of the plan's SetParameterValues.
pub const PARAMETER_KEY: &str = "loadtest-1";
/// RPCs in the plan.
pub const PLAN_LEN: usize = 4;

static DEVICE_INFO: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.")];
static SET: [ParameterValueStruct<'static>; 2] = [
    ParameterValueStruct::new(
        "Device.DeviceInfo.ProvisioningCode",
        Value::string(PROVISIONING_CODE),
    ),
    ParameterValueStruct::new(
        "Device.ManagementServer.PeriodicInformInterval",
        Value::UnsignedInt(PERIODIC_INTERVAL),
    ),
];
static VERIFY: [XmlStr<'static>; 3] = [
    XmlStr::new("Device.DeviceInfo.ProvisioningCode"),
    XmlStr::new("Device.ManagementServer.PeriodicInformInterval"),
    XmlStr::new("Device.ManagementServer.ParameterKey"),
];

/// How an event is written in the raised and delivered lists: its code, and its CommandKey
/// after a `|` when it has one.
pub fn event_label(code: &str, command_key: &str) -> String {
    if command_key.is_empty() {
        code.to_string()
    } else {
        format!("{code}|{command_key}")
    }
}

/// The (SerialNumber, event) pairs that reached the ACS.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Each pair once.
    pub unique: HashSet<(String, String)>,
    /// Every delivery, repeats included.
    pub total: u64,
}

/// What the application counted, shared by every shard.
#[derive(Debug, Default)]
pub struct ProvisionStats {
    /// Sessions that completed (§3.7.2.4).
    pub completed: AtomicU64,
    /// Sessions that failed, by reason.
    pub failed: Mutex<HashMap<String, u64>>,
    /// RPC answers that passed their check.
    pub rpcs_ok: AtomicU64,
    /// Answers that failed their check, CPE faults, and completed Sessions that did not get
    /// through the whole plan.
    pub check_failures: AtomicU64,
    /// The events delivered.
    pub delivered: Mutex<Delivered>,
}

impl ProvisionStats {
    /// Failed Sessions, all reasons.
    pub fn failed_total(&self) -> u64 {
        self.failed.lock().map_or(0, |f| f.values().sum())
    }

    /// One line per delivered pair, `SERIAL<TAB>EVENT`, sorted.
    pub fn delivered_lines(&self) -> Vec<String> {
        let d = self.delivered.lock().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<String> = d.unique.iter().map(|(s, e)| format!("{s}\t{e}")).collect();
        v.sort();
        v
    }
}

/// Which step of the plan a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Inventory,
    Set,
    Names,
    Verify,
}

/// The plan's progress in one Session.
#[derive(Debug, Default)]
pub struct PlanState {
    serial: String,
    events: Vec<String>,
    sent: Vec<(RequestId, Step)>,
    passed: usize,
}

/// The provisioning application (one per shard, all sharing [`ProvisionStats`]).
#[derive(Debug, Clone)]
pub struct Provision {
    /// The counters.
    pub stats: Arc<ProvisionStats>,
}

impl Provision {
    fn check(&self, step: Step, serial: &str, body: &Body<'_>) -> bool {
        match (step, body) {
            (Step::Inventory, Body::GetParameterValuesResponse(r)) => {
                r.parameter_list.iter().any(|p| {
                    p.name.eq_str("Device.DeviceInfo.SerialNumber")
                        && p.value
                            .as_ref()
                            .and_then(Value::as_xml_str)
                            .is_some_and(|v| v.eq_str(serial))
                })
            }
            (Step::Set, Body::SetParameterValuesResponse(r)) => r.status == 0,
            (Step::Names, Body::GetParameterNamesResponse(r)) => r.parameter_list.iter().any(|p| {
                p.name
                    .eq_str("Device.ManagementServer.PeriodicInformInterval")
                    && p.writable
            }),
            (Step::Verify, Body::GetParameterValuesResponse(r)) => {
                let value = |name: &str| {
                    r.parameter_list
                        .iter()
                        .find(|p| p.name.eq_str(name))
                        .and_then(|p| p.value)
                };
                value("Device.DeviceInfo.ProvisioningCode")
                    .and_then(|v| v.as_xml_str())
                    .is_some_and(|v| v.eq_str(PROVISIONING_CODE))
                    && value("Device.ManagementServer.PeriodicInformInterval")
                        .and_then(|v| v.as_u64())
                        == Some(u64::from(PERIODIC_INTERVAL))
                    && value("Device.ManagementServer.ParameterKey")
                        .and_then(|v| v.as_xml_str())
                        .is_some_and(|v| v.eq_str(PARAMETER_KEY))
            }
            _ => false,
        }
    }

    fn fail_check(&self) {
        self.stats.check_failures.fetch_add(1, Ordering::Relaxed);
    }
}

impl AcsApp for Provision {
    type State = PlanState;

    fn received<'a>(
        &mut self,
        state: &mut PlanState,
        session: &mut AcsSession<'a>,
        received: Received<'_>,
    ) {
        match received {
            Received::Inform(i) => {
                state.serial = i.inform.device_id.serial_number.to_string();
                state.events = i
                    .inform
                    .event
                    .iter()
                    .map(|e| event_label(e.event_code.as_str(), &e.command_key.to_string()))
                    .collect();
                let plan: [(Body<'a>, Step); PLAN_LEN] = [
                    (
                        GetParameterValues {
                            parameter_names: Array::new(&DEVICE_INFO),
                        }
                        .into(),
                        Step::Inventory,
                    ),
                    (
                        SetParameterValues {
                            parameter_list: Array::new(&SET),
                            parameter_key: XmlStr::new(PARAMETER_KEY),
                        }
                        .into(),
                        Step::Set,
                    ),
                    (
                        GetParameterNames {
                            parameter_path: XmlStr::new("Device.ManagementServer."),
                            next_level: true,
                        }
                        .into(),
                        Step::Names,
                    ),
                    (
                        GetParameterValues {
                            parameter_names: Array::new(&VERIFY),
                        }
                        .into(),
                        Step::Verify,
                    ),
                ];
                for (body, step) in plan {
                    match session.enqueue(body) {
                        Ok(id) => state.sent.push((id, step)),
                        Err(_) => self.fail_check(),
                    }
                }
            }
            Received::Response { id, body } => {
                let step = state.sent.iter().find(|(i, _)| *i == id).map(|(_, s)| *s);
                if step.is_some_and(|s| self.check(s, &state.serial, &body)) {
                    state.passed += 1;
                    self.stats.rpcs_ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    self.fail_check();
                }
            }
            Received::CpeFault { .. } => self.fail_check(),
            _ => {}
        }
    }

    fn event(&mut self, state: &mut PlanState, _session: &AcsSession<'_>, event: Event) {
        match event {
            Event::SessionStarted { .. } => {
                let mut d = self
                    .stats
                    .delivered
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                for e in state.events.drain(..) {
                    d.total += 1;
                    d.unique.insert((state.serial.clone(), e));
                }
            }
            Event::SessionEnded { outcome } => match outcome {
                Outcome::Completed => {
                    self.stats.completed.fetch_add(1, Ordering::Relaxed);
                    if state.passed != PLAN_LEN {
                        self.fail_check();
                    }
                }
                Outcome::Failed(e) => {
                    let mut f = self.stats.failed.lock().unwrap_or_else(|e| e.into_inner());
                    *f.entry(format!("{e:?}")).or_default() += 1;
                }
            },
            _ => {}
        }
    }
}
