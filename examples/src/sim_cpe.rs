//! A simulated CPE for the load test: the real [`Cpe`] machine driven on a tokio task over a
//! TCP connection, answering the ACS from a small in-memory data model ([`SimModel`]), and
//! able to drop its connection mid-Session on purpose (a fault a real CPE suffers when its
//! link breaks; it then retries per §3.2.1.1).
//!
//! The driver is the DESIGN §3 loop, async: drain [`Cpe::poll_event`] (connect, close,
//! Session start and end), send the next POST ([`Cpe::poll_transmit_with`], or the response
//! [`Cpe::respond`] wrote), read the whole HTTP response and give it to
//! [`Cpe::handle_response`], or sleep until [`Cpe::poll_timeout`] and call
//! [`Cpe::handle_timeout`]. It stops after the first Session that succeeds.
//!
//! The reader handles the responses of an ACS that frames every body by `Content-Length`
//! (hyper does); a chunked response or one that ends at close is a receive failure here.

use std::time::Instant as StdInstant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use cwmp_codec::http::body::Framing;
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::{
    GetParameterNamesResponse, GetParameterValuesResponse, GetRPCMethodsResponse,
    ParameterInfoStruct, ParameterValueStruct, SetParameterValuesFault, SetParameterValuesResponse,
    SoapFault,
};
use cwmp_codec::{Array, Body, Repeated, Value, XmlStr};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming, SessionOutcome, TransportError};
use cwmp_core::retry::RetryPolicy;
use cwmp_core::{Rng, SplitMix64};

use crate::driver::Clock;
use crate::provision::event_label;

/// A Parameter's type in [`SimModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    UInt,
    Bool,
}

#[derive(Debug, Clone)]
struct Param {
    name: &'static str,
    value: String,
    ty: Ty,
    writable: bool,
}

/// The simulated device's data model: a dozen TR-181 Parameters, flat.
#[derive(Debug, Clone)]
pub struct SimModel {
    params: Vec<Param>,
}

/// What the model answers, before it is turned into a [`Body`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// GetParameterValuesResponse: these Parameters, by index.
    Values(Vec<usize>),
    /// GetParameterNamesResponse.
    Names(Vec<(String, bool)>),
    /// SetParameterValuesResponse, Status 0.
    Set,
    /// Fault 9003 with per-Parameter faults (§A.5.1).
    SetFault(Vec<(String, u32)>),
    /// GetRPCMethodsResponse.
    Methods,
    /// A fault.
    Fault(u32),
}

/// The methods the simulated CPE answers.
static METHODS: [XmlStr<'static>; 4] = [
    XmlStr::new("GetRPCMethods"),
    XmlStr::new("GetParameterNames"),
    XmlStr::new("GetParameterValues"),
    XmlStr::new("SetParameterValues"),
];

fn fault_text(code: u32) -> &'static str {
    match code {
        9000 => "Method not supported",
        9003 => "Invalid arguments",
        9005 => "Invalid parameter name",
        9007 => "Invalid parameter value",
        9008 => "Attempt to set a non-writable parameter",
        _ => "Internal error",
    }
}

impl SimModel {
    /// The model of device `serial` (its other identity fields are the load test's).
    pub fn new(serial: &str) -> Self {
        let p = |name, value: &str, ty, writable| Param {
            name,
            value: value.to_string(),
            ty,
            writable,
        };
        SimModel {
            params: vec![
                p(
                    "Device.DeviceInfo.Manufacturer",
                    MANUFACTURER,
                    Ty::Str,
                    false,
                ),
                p("Device.DeviceInfo.ManufacturerOUI", OUI, Ty::Str, false),
                p(
                    "Device.DeviceInfo.ProductClass",
                    PRODUCT_CLASS,
                    Ty::Str,
                    false,
                ),
                p("Device.DeviceInfo.SerialNumber", serial, Ty::Str, false),
                p("Device.DeviceInfo.SoftwareVersion", "1.0.0", Ty::Str, false),
                p("Device.DeviceInfo.ProvisioningCode", "", Ty::Str, true),
                p(
                    "Device.ManagementServer.PeriodicInformEnable",
                    "0",
                    Ty::Bool,
                    true,
                ),
                p(
                    "Device.ManagementServer.PeriodicInformInterval",
                    "86400",
                    Ty::UInt,
                    true,
                ),
                p("Device.ManagementServer.ParameterKey", "", Ty::Str, false),
                p("Device.ManagementServer.Username", "", Ty::Str, true),
            ],
        }
    }

    /// The value of Parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    fn matching(&self, path: &str) -> Vec<usize> {
        let partial = path.is_empty() || path.ends_with('.');
        (0..self.params.len())
            .filter(|&i| {
                self.params.get(i).is_some_and(|p| {
                    if partial {
                        p.name.starts_with(path)
                    } else {
                        p.name == path
                    }
                })
            })
            .collect()
    }

    /// Answers `request` (§A.3.2.1–§A.3.2.3, §A.3.1.1), applying a SetParameterValues to
    /// the model (all or nothing) and its ParameterKey to `cpe` (stored iff it succeeds).
    pub fn answer(&mut self, cpe: &mut Cpe, now: cwmp_core::Instant, request: &Body<'_>) -> Reply {
        match request {
            Body::GetRPCMethods(_) => Reply::Methods,
            Body::GetParameterValues(g) => {
                let mut out = Vec::new();
                for name in g.parameter_names.iter() {
                    let found = self.matching(&name.to_string());
                    if found.is_empty() {
                        return Reply::Fault(9005);
                    }
                    out.extend(found);
                }
                Reply::Values(out)
            }
            Body::GetParameterNames(g) => self.names(&g.parameter_path.to_string(), g.next_level),
            Body::SetParameterValues(s) => {
                let mut faults = Vec::new();
                let mut updates: Vec<(usize, String)> = Vec::new();
                for item in s.parameter_list.iter() {
                    let name = item.name.to_string();
                    let Some(i) = self.params.iter().position(|p| p.name == name) else {
                        faults.push((name, 9005));
                        continue;
                    };
                    let Some(p) = self.params.get(i) else {
                        continue;
                    };
                    if !p.writable {
                        faults.push((name, 9008));
                        continue;
                    }
                    let text = match (p.ty, item.value) {
                        (Ty::Str, Some(Value::String(v))) => Some(v.to_string()),
                        (Ty::UInt, Some(Value::UnsignedInt(v))) => Some(v.to_string()),
                        (Ty::Bool, Some(Value::Boolean(b))) => Some(u8::from(b).to_string()),
                        _ => None,
                    };
                    match text {
                        Some(t) if !updates.iter().any(|(j, _)| *j == i) => updates.push((i, t)),
                        Some(_) => return Reply::Fault(9003),
                        None => faults.push((name, 9007)),
                    }
                }
                if !faults.is_empty() {
                    return Reply::SetFault(faults);
                }
                let key = s.parameter_key.to_string();
                if cpe.set_parameter_key(now, &key).is_err() {
                    return Reply::Fault(9003);
                }
                for (i, v) in updates {
                    if let Some(p) = self.params.get_mut(i) {
                        p.value = v;
                    }
                }
                if let Some(p) = self
                    .params
                    .iter_mut()
                    .find(|p| p.name == "Device.ManagementServer.ParameterKey")
                {
                    p.value = key;
                }
                Reply::Set
            }
            _ => Reply::Fault(9000),
        }
    }

    /// GetParameterNames (§A.3.2.3): the Parameters and objects under `path`, only the
    /// direct children with `next_level`.
    fn names(&self, path: &str, next_level: bool) -> Reply {
        if !path.is_empty() && !path.ends_with('.') {
            return match (self.matching(path).first(), next_level) {
                (Some(_), true) => Reply::Fault(9003),
                (Some(&i), false) => Reply::Names(
                    self.params
                        .get(i)
                        .map(|p| (p.name.to_string(), p.writable))
                        .into_iter()
                        .collect(),
                ),
                (None, _) => Reply::Fault(9005),
            };
        }
        let found = self.matching(path);
        if found.is_empty() {
            return Reply::Fault(9005);
        }
        let mut out: Vec<(String, bool)> = Vec::new();
        let mut push = |name: String, writable: bool| {
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, writable));
            }
        };
        for p in found.iter().filter_map(|&i| self.params.get(i)) {
            let rest = p.name.get(path.len()..).unwrap_or("");
            // Every object between `path` and the Parameter, then the Parameter itself.
            let mut at = 0;
            while let Some(dot) = rest.get(at..).and_then(|r| r.find('.')) {
                at += dot + 1;
                let object = format!("{path}{}", rest.get(..at).unwrap_or(""));
                let direct = !rest.get(..at - 1).unwrap_or("").contains('.');
                if !next_level || direct {
                    push(object, false);
                }
            }
            if !next_level || !rest.contains('.') {
                push(p.name.to_string(), p.writable);
            }
        }
        Reply::Names(out)
    }
}

/// What a [`Reply`]'s [`Body`] borrows.
struct ReplyParts<'m> {
    values: Vec<ParameterValueStruct<'m>>,
    names: Vec<ParameterInfoStruct<'m>>,
    faults: Vec<SetParameterValuesFault<'m>>,
}

impl<'m> ReplyParts<'m> {
    fn new(reply: &'m Reply, model: &'m SimModel) -> Self {
        let mut parts = ReplyParts {
            values: Vec::new(),
            names: Vec::new(),
            faults: Vec::new(),
        };
        match reply {
            Reply::Values(v) => {
                parts.values = v
                    .iter()
                    .filter_map(|&i| model.params.get(i))
                    .map(|p| {
                        let value = match p.ty {
                            Ty::Str => Value::string(&p.value),
                            Ty::UInt => Value::UnsignedInt(p.value.parse().unwrap_or(0)),
                            Ty::Bool => Value::Boolean(p.value == "1"),
                        };
                        ParameterValueStruct::new(p.name, value)
                    })
                    .collect();
            }
            Reply::Names(n) => {
                parts.names = n
                    .iter()
                    .map(|(name, writable)| ParameterInfoStruct {
                        name: XmlStr::new(name),
                        writable: *writable,
                    })
                    .collect();
            }
            Reply::SetFault(f) => {
                parts.faults = f
                    .iter()
                    .map(|(name, code)| SetParameterValuesFault {
                        parameter_name: XmlStr::new(name),
                        fault_code: *code,
                        fault_string: Some(XmlStr::new(fault_text(*code))),
                    })
                    .collect();
            }
            _ => {}
        }
        parts
    }

    fn body(&'m self, reply: &Reply) -> Body<'m> {
        match reply {
            Reply::Values(_) => GetParameterValuesResponse {
                parameter_list: Array::new(&self.values),
            }
            .into(),
            Reply::Names(_) => GetParameterNamesResponse {
                parameter_list: Array::new(&self.names),
            }
            .into(),
            Reply::Set => SetParameterValuesResponse { status: 0 }.into(),
            Reply::SetFault(_) => {
                let mut f = SoapFault::new(9003, fault_text(9003));
                f.detail.set_parameter_values_fault = Repeated::new(&self.faults);
                Body::Fault(f)
            }
            Reply::Methods => GetRPCMethodsResponse {
                method_list: Array::new(&METHODS),
            }
            .into(),
            Reply::Fault(code) => Body::Fault(SoapFault::new(*code, fault_text(*code))),
        }
    }
}

/// `DeviceId.Manufacturer` of every simulated CPE.
pub const MANUFACTURER: &str = "cwmp-rs";
/// `DeviceId.OUI`.
pub const OUI: &str = "00D09E";
/// `DeviceId.ProductClass`.
pub const PRODUCT_CLASS: &str = "LoadSim";

/// How one simulated CPE runs.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// The ACS URL (`http://127.0.0.1:PORT/`).
    pub acs_url: String,
    /// The ACS password (the username is `OUI-ProductClass-SerialNumber`, §3.4.4); empty:
    /// none.
    pub password: String,
    /// The Session Retry Policy (§3.2.1.1); the load test shortens it.
    pub retry: RetryPolicy,
    /// Chance, in 1/10,000, that a Session drops its connection on purpose.
    pub drop_per_10k: u64,
    /// Seed of the CPE's randomness (its machine's and the drops').
    pub seed: u64,
}

/// What one simulated CPE did.
#[derive(Debug, Clone, Default)]
pub struct SimResult {
    /// Its SerialNumber.
    pub serial: String,
    /// The events raised on it (see [`event_label`]).
    pub raised: Vec<String>,
    /// A Session succeeded.
    pub succeeded: bool,
    /// How long each successful Session took, first POST's connect to the end, in seconds.
    pub session_secs: Vec<f64>,
    /// From power-up to the end of the first successful Session, in seconds.
    pub provisioned_secs: Option<f64>,
    /// Failed Sessions, with their reasons.
    pub failures: Vec<String>,
    /// Connections dropped on purpose.
    pub dropped: u32,
    /// TCP connections opened.
    pub connections: u32,
    /// The model holds what the ACS set.
    pub provisioned: bool,
}

/// A drop planned for the current Session: at which POST, and before or after sending it.
#[derive(Debug, Clone, Copy)]
struct PlannedDrop {
    post: u32,
    before_send: bool,
}

/// Runs CPE number `index` until a Session succeeds (or the machine has nothing left to do).
pub async fn run(index: usize, options: &SimOptions) -> SimResult {
    let serial = format!("LT{index:06}");
    let username = format!("{OUI}-{PRODUCT_CLASS}-{serial}");
    let clock = Clock::new();
    let powered = StdInstant::now();
    let mut result = SimResult {
        serial: serial.clone(),
        ..SimResult::default()
    };
    let mut config = Config::new(&options.acs_url, MANUFACTURER, OUI, PRODUCT_CLASS, &serial);
    if !options.password.is_empty() {
        config.username = &username;
        config.password = &options.password;
    }
    config.retry = options.retry;
    let seed = options.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut cpe = match Cpe::new(&config, clock.now(), seed) {
        Ok(c) => Box::new(c),
        Err(e) => {
            result.failures.push(format!("config: {e:?}"));
            return result;
        }
    };
    let mut rng = SplitMix64::new(seed.rotate_left(17));
    let mut model = SimModel::new(&serial);
    // A new device: first installation and power-up, and a changed Parameter.
    cpe.bootstrap(clock.now());
    let _ = cpe.boot(clock.now(), None);
    cpe.value_changed(clock.now(), true);
    result.raised = cpe
        .events()
        .iter()
        .map(|e| event_label(e.code().as_str(), e.command_key()))
        .collect();

    let mut conn: Option<TcpStream> = None;
    let mut tx = vec![0u8; 16 * 1024];
    let mut rx = vec![0u8; 16 * 1024];
    let mut staged: Option<usize> = None;
    let mut started = StdInstant::now();
    let mut posts = 0u32;
    let mut planned: Option<PlannedDrop> = None;
    loop {
        while let Some(event) = cpe.poll_event() {
            match event {
                Event::Connect { port, .. } => {
                    let host = cpe.connect_host().to_string();
                    match TcpStream::connect((host.as_str(), port)).await {
                        Ok(s) => {
                            let _ = s.set_nodelay(true);
                            conn = Some(s);
                            result.connections += 1;
                            let _ = cpe.handle_connected(clock.now());
                        }
                        Err(_) => cpe.handle_transport_error(clock.now(), TransportError::Connect),
                    }
                }
                Event::Close => conn = None,
                Event::SessionStarted => {
                    started = StdInstant::now();
                    posts = 0;
                    planned = (rng.next_u64() % 10_000 < options.drop_per_10k).then(|| {
                        let post = 1 + (rng.next_u64() % 6) as u32;
                        PlannedDrop {
                            post,
                            before_send: post > 1 && rng.next_u64() % 2 == 0,
                        }
                    });
                }
                Event::SessionEnded { outcome } => {
                    conn = None;
                    staged = None;
                    match outcome {
                        SessionOutcome::Success => {
                            result.session_secs.push(started.elapsed().as_secs_f64());
                            if !result.succeeded {
                                result.provisioned_secs = Some(powered.elapsed().as_secs_f64());
                            }
                            result.succeeded = true;
                        }
                        other => result.failures.push(format!("{other:?}")),
                    }
                }
                _ => {}
            }
        }
        if result.succeeded && !cpe.in_session() {
            break;
        }
        let now = clock.now();
        let len = match staged.take() {
            Some(n) => Some(n),
            None => {
                let mut w: &mut [u8] = &mut tx;
                cpe.poll_transmit_with(now, &Array::empty(), &mut w)
                    .ok()
                    .flatten()
                    .map(|t| t.len)
            }
        };
        let (Some(len), Some(c)) = (len, conn.as_mut()) else {
            // Nothing to send: wait for the next deadline (a retry), if any.
            match cpe.poll_timeout() {
                Some(d) => tokio::time::sleep(clock.until(d)).await,
                None if cpe.in_session() => {
                    // Connecting failed without an event to act on: give the machine time.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                None => break,
            }
            cpe.handle_timeout(clock.now());
            continue;
        };
        posts += 1;
        let drop_now = planned.filter(|p| p.post == posts);
        if drop_now.is_some_and(|p| p.before_send) {
            planned = None;
            conn = None;
            result.dropped += 1;
            cpe.handle_transport_error(clock.now(), TransportError::Send);
            continue;
        }
        let Some(bytes) = tx.get(..len) else {
            cpe.handle_transport_error(clock.now(), TransportError::Send);
            continue;
        };
        if c.write_all(bytes).await.is_err() {
            cpe.handle_transport_error(clock.now(), TransportError::Send);
            continue;
        }
        if drop_now.is_some() {
            planned = None;
            conn = None;
            result.dropped += 1;
            cpe.handle_transport_error(clock.now(), TransportError::Receive);
            continue;
        }
        let deadline = cpe
            .poll_timeout()
            .map(|d| tokio::time::Instant::now() + clock.until(d));
        let n = match read_response(c, &mut rx, deadline).await {
            Read::Complete(n) => n,
            Read::TimedOut => {
                cpe.handle_timeout(clock.now());
                continue;
            }
            Read::Closed => {
                cpe.handle_transport_error(clock.now(), TransportError::Closed);
                continue;
            }
            Read::Failed => {
                cpe.handle_transport_error(clock.now(), TransportError::Receive);
                continue;
            }
        };
        let now = clock.now();
        let reply = match cpe.handle_response(now, &mut rx, n) {
            Ok(Incoming::AcsRequest(request)) => Some(model.answer(&mut cpe, now, request.body())),
            Ok(_) => None,
            Err(_) => {
                cpe.handle_transport_error(now, TransportError::Receive);
                None
            }
        };
        if let Some(reply) = reply {
            let parts = ReplyParts::new(&reply, &model);
            let mut w: &mut [u8] = &mut tx;
            match cpe.respond(now, parts.body(&reply), &mut w) {
                Ok(t) => staged = Some(t.len),
                Err(e) => result.failures.push(format!("respond: {e:?}")),
            }
        }
    }
    result.provisioned = model.get("Device.DeviceInfo.ProvisioningCode")
        == Some(crate::provision::PROVISIONING_CODE)
        && cpe.parameter_key() == Some(crate::provision::PARAMETER_KEY);
    result
}

/// How reading one response ended.
enum Read {
    Complete(usize),
    Closed,
    Failed,
    TimedOut,
}

/// The length of the complete response at the start of `data`, `None` while incomplete.
/// A head that does not parse is "complete": the machine judges it.
fn complete_len(data: &[u8]) -> Result<Option<usize>, ()> {
    let mut headers = [EMPTY_HEADER; 32];
    match ResponseHead::parse(data, &mut headers) {
        Ok(Status::Partial) => Ok(None),
        Err(_) => Ok(Some(data.len())),
        Ok(Status::Complete(h)) => match h.framing() {
            Framing::Empty => Ok(Some(h.head_len)),
            Framing::Length(n) => {
                let total = usize::try_from(n)
                    .ok()
                    .and_then(|n| n.checked_add(h.head_len))
                    .ok_or(())?;
                Ok((data.len() >= total).then_some(total))
            }
            Framing::Chunked | Framing::UntilClose => Err(()),
        },
    }
}

/// Reads one response into `buf` (grown up to 1 MiB), until `deadline`.
async fn read_response(
    conn: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Option<tokio::time::Instant>,
) -> Read {
    let mut filled = 0;
    loop {
        match complete_len(buf.get(..filled).unwrap_or(&[])) {
            Ok(Some(n)) if filled > 0 => return Read::Complete(n),
            Ok(_) => {}
            Err(()) => return Read::Failed,
        }
        if filled == buf.len() {
            if buf.len() >= 1 << 20 {
                return Read::Failed;
            }
            buf.resize(buf.len() * 2, 0);
        }
        let Some(space) = buf.get_mut(filled..) else {
            return Read::Failed;
        };
        let read = conn.read(space);
        let got = match deadline {
            Some(d) => match tokio::time::timeout_at(d, read).await {
                Ok(r) => r,
                Err(_) => return Read::TimedOut,
            },
            None => read.await,
        };
        match got {
            Ok(0) => return Read::Closed,
            Ok(n) => filled += n,
            Err(_) => return Read::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwmp_codec::message::{GetParameterNames, GetParameterValues, SetParameterValues};

    fn cpe() -> Box<Cpe> {
        let config = Config::new("http://127.0.0.1:9/", MANUFACTURER, OUI, PRODUCT_CLASS, "1");
        Box::new(Cpe::new(&config, cwmp_core::Instant::ZERO, 1).unwrap())
    }

    fn names(m: &mut SimModel, path: &str, next_level: bool) -> Reply {
        let body = GetParameterNames {
            parameter_path: XmlStr::new(path),
            next_level,
        }
        .into();
        m.answer(&mut cpe(), cwmp_core::Instant::ZERO, &body)
    }

    #[test]
    fn names_next_level_lists_direct_children() {
        let mut m = SimModel::new("1");
        let Reply::Names(top) = names(&mut m, "Device.", true) else {
            panic!()
        };
        assert_eq!(
            top,
            [
                ("Device.DeviceInfo.".to_string(), false),
                ("Device.ManagementServer.".to_string(), false)
            ]
        );
        let Reply::Names(all) = names(&mut m, "", false) else {
            panic!()
        };
        assert_eq!(
            all.len(),
            1 + 2 + 10,
            "Device., two objects, ten Parameters"
        );
        assert_eq!(names(&mut m, "Device.Nope.", true), Reply::Fault(9005));
        assert_eq!(
            names(&mut m, "Device.DeviceInfo.SerialNumber", true),
            Reply::Fault(9003)
        );
    }

    #[test]
    fn set_is_all_or_nothing_and_stores_the_parameter_key() {
        let mut m = SimModel::new("1");
        let mut c = cpe();
        let now = cwmp_core::Instant::ZERO;
        let bad = [
            ParameterValueStruct::new("Device.DeviceInfo.ProvisioningCode", Value::string("x")),
            ParameterValueStruct::new("Device.DeviceInfo.SerialNumber", Value::string("2")),
            ParameterValueStruct::new(
                "Device.ManagementServer.PeriodicInformInterval",
                Value::string("soon"),
            ),
        ];
        let body = SetParameterValues {
            parameter_list: Array::new(&bad),
            parameter_key: XmlStr::new("k1"),
        }
        .into();
        assert_eq!(
            m.answer(&mut c, now, &body),
            Reply::SetFault(vec![
                ("Device.DeviceInfo.SerialNumber".into(), 9008),
                (
                    "Device.ManagementServer.PeriodicInformInterval".into(),
                    9007
                ),
            ])
        );
        assert_eq!(m.get("Device.DeviceInfo.ProvisioningCode"), Some(""));
        assert_eq!(c.parameter_key(), None);
        let good = [ParameterValueStruct::new(
            "Device.ManagementServer.PeriodicInformInterval",
            Value::UnsignedInt(60),
        )];
        let body = SetParameterValues {
            parameter_list: Array::new(&good),
            parameter_key: XmlStr::new("k2"),
        }
        .into();
        assert_eq!(m.answer(&mut c, now, &body), Reply::Set);
        assert_eq!(
            m.get("Device.ManagementServer.PeriodicInformInterval"),
            Some("60")
        );
        assert_eq!(m.get("Device.ManagementServer.ParameterKey"), Some("k2"));
        assert_eq!(c.parameter_key(), Some("k2"));
    }

    #[test]
    fn values_of_partial_paths_and_unknown_names() {
        let mut m = SimModel::new("7");
        let names = [XmlStr::new("Device.DeviceInfo.")];
        let body = GetParameterValues {
            parameter_names: Array::new(&names),
        }
        .into();
        let reply = m.answer(&mut cpe(), cwmp_core::Instant::ZERO, &body);
        let Reply::Values(v) = &reply else { panic!() };
        assert_eq!(v.len(), 6);
        let parts = ReplyParts::new(&reply, &m);
        assert!(parts
            .values
            .iter()
            .any(|p| p.name.eq_str("Device.DeviceInfo.SerialNumber")
                && p.value == Some(Value::string("7"))));
        let names = [XmlStr::new("Device.DeviceInfo.Nope")];
        let body = GetParameterValues {
            parameter_names: Array::new(&names),
        }
        .into();
        assert_eq!(
            m.answer(&mut cpe(), cwmp_core::Instant::ZERO, &body),
            Reply::Fault(9005)
        );
    }

    #[test]
    fn complete_len_follows_content_length() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(complete_len(&head[..10]), Ok(None));
        let mut full = head.to_vec();
        full.extend_from_slice(b"abc");
        assert_eq!(complete_len(&full), Ok(None));
        full.extend_from_slice(b"de");
        assert_eq!(complete_len(&full), Ok(Some(head.len() + 5)));
        assert_eq!(
            complete_len(b"HTTP/1.1 204 No Content\r\n\r\n"),
            Ok(Some(27))
        );
        assert_eq!(
            complete_len(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(())
        );
    }
}
