//! `ManagementServer.` is the agent's own (TR-069 §3.2.1, §3.2.2, §3.4.4, Annex O; the TR-181
//! and TR-098 object of that name): the schema below is grafted under the firmware's root, and
//! a SetParameterValues of it reconfigures the [`Cpe`] (URL → `0 BOOTSTRAP`, credentials,
//! periodic Informs, the retry policy, HEARTBEATs, `DefaultActiveNotificationThrottle`) and the
//! Connection Request credentials at once. Values the ACS set are kept in the agent's persistent record (§super::store).
//!
//! `Password`, `ConnectionRequestPassword` and `STUNPassword` read back as empty strings
//! (TR-181). The `STUN*` Parameters configure the agent's [`StunClient`](crate::stun::StunClient)
//! (Annex G.2.1; `NATDetected` and `UDPConnectionRequestAddress` are what it learns). Aliases
//! and instance wildcards are not supported (`AliasBasedAddressing` and
//! `InstanceWildcardsSupported` read `false`, §3.6.1, §3.6.2).

use cwmp_codec::datetime::Offset;
use cwmp_codec::{DateTime, FaultCode, Value};

use super::model::{Node, ParamType, AGENT_IDS};
use crate::cpe::{Config, Cpe};
use crate::retry::RetryPolicy;
use crate::schedule::{HeartbeatPolicy, PeriodicInformConfig, PeriodicInformTime};
use crate::time::Instant;

/// A ManagementServer string: string(256) (TR-181).
pub type MsString = heapless::String<256>;

/// Ids of the agent's nodes (`AGENT_IDS + k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub(crate) enum Id {
    Url = AGENT_IDS,
    Username,
    Password,
    PeriodicInformEnable,
    PeriodicInformInterval,
    PeriodicInformTime,
    ParameterKey,
    ConnectionRequestUrl,
    ConnectionRequestUsername,
    ConnectionRequestPassword,
    UpgradesManaged,
    RetryMinimumWaitInterval,
    RetryIntervalMultiplier,
    UdpConnectionRequestAddress,
    AliasBasedAddressing,
    InstanceWildcardsSupported,
    HeartbeatEnable,
    HeartbeatReportingInterval,
    HeartbeatInitiationTime,
    DefaultActiveNotificationThrottle,
    StunEnable,
    StunServerAddress,
    StunServerPort,
    StunUsername,
    StunPassword,
    StunMaximumKeepAlivePeriod,
    StunMinimumKeepAlivePeriod,
    NatDetected,
    UdpConnectionRequestAddressNotificationLimit,
}

const ALL: [Id; 29] = [
    Id::Url,
    Id::Username,
    Id::Password,
    Id::PeriodicInformEnable,
    Id::PeriodicInformInterval,
    Id::PeriodicInformTime,
    Id::ParameterKey,
    Id::ConnectionRequestUrl,
    Id::ConnectionRequestUsername,
    Id::ConnectionRequestPassword,
    Id::UpgradesManaged,
    Id::RetryMinimumWaitInterval,
    Id::RetryIntervalMultiplier,
    Id::UdpConnectionRequestAddress,
    Id::AliasBasedAddressing,
    Id::InstanceWildcardsSupported,
    Id::HeartbeatEnable,
    Id::HeartbeatReportingInterval,
    Id::HeartbeatInitiationTime,
    Id::DefaultActiveNotificationThrottle,
    Id::StunEnable,
    Id::StunServerAddress,
    Id::StunServerPort,
    Id::StunUsername,
    Id::StunPassword,
    Id::StunMaximumKeepAlivePeriod,
    Id::StunMinimumKeepAlivePeriod,
    Id::NatDetected,
    Id::UdpConnectionRequestAddressNotificationLimit,
];

impl Id {
    fn of(node: &Node) -> Option<Id> {
        ALL.iter().copied().find(|i| *i as u16 == node.id)
    }
    const fn bit(self) -> u32 {
        1u32.wrapping_shl((self as u16).wrapping_sub(AGENT_IDS) as u32)
    }
}

const fn p(name: &'static str, id: Id, ty: ParamType) -> Node {
    Node::parameter(name, id as u16, ty)
}

const S256: ParamType = ParamType::string(256);

const HEARTBEAT: &[Node] = &[
    p("Enable", Id::HeartbeatEnable, ParamType::Boolean).writable(),
    p(
        "ReportingInterval",
        Id::HeartbeatReportingInterval,
        ParamType::UnsignedInt {
            min: crate::schedule::MIN_HEARTBEAT_INTERVAL,
            max: u32::MAX,
        },
    )
    .writable(),
    p(
        "InitiationTime",
        Id::HeartbeatInitiationTime,
        ParamType::DateTime,
    )
    .writable(),
];

const CHILDREN: &[Node] = &[
    p("URL", Id::Url, S256).writable(),
    p("Username", Id::Username, S256).writable(),
    p("Password", Id::Password, S256).writable(),
    p(
        "PeriodicInformEnable",
        Id::PeriodicInformEnable,
        ParamType::Boolean,
    )
    .writable(),
    p(
        "PeriodicInformInterval",
        Id::PeriodicInformInterval,
        ParamType::UnsignedInt {
            min: 1,
            max: u32::MAX,
        },
    )
    .writable(),
    p(
        "PeriodicInformTime",
        Id::PeriodicInformTime,
        ParamType::DateTime,
    )
    .writable(),
    p("ParameterKey", Id::ParameterKey, ParamType::string(32)).forced_inform(),
    p("ConnectionRequestURL", Id::ConnectionRequestUrl, S256)
        .forced_inform()
        .notification(2),
    p(
        "ConnectionRequestUsername",
        Id::ConnectionRequestUsername,
        S256,
    )
    .writable(),
    p(
        "ConnectionRequestPassword",
        Id::ConnectionRequestPassword,
        S256,
    )
    .writable(),
    p("UpgradesManaged", Id::UpgradesManaged, ParamType::Boolean).writable(),
    p(
        "CWMPRetryMinimumWaitInterval",
        Id::RetryMinimumWaitInterval,
        ParamType::UnsignedInt { min: 1, max: 65535 },
    )
    .writable(),
    p(
        "CWMPRetryIntervalMultiplier",
        Id::RetryIntervalMultiplier,
        ParamType::UnsignedInt {
            min: 1000,
            max: 65535,
        },
    )
    .writable(),
    p(
        "UDPConnectionRequestAddress",
        Id::UdpConnectionRequestAddress,
        S256,
    ),
    p(
        "AliasBasedAddressing",
        Id::AliasBasedAddressing,
        ParamType::Boolean,
    ),
    p(
        "InstanceWildcardsSupported",
        Id::InstanceWildcardsSupported,
        ParamType::Boolean,
    ),
    p(
        "DefaultActiveNotificationThrottle",
        Id::DefaultActiveNotificationThrottle,
        ParamType::UNSIGNED_INT,
    )
    .writable(),
    p("STUNEnable", Id::StunEnable, ParamType::Boolean).writable(),
    p("STUNServerAddress", Id::StunServerAddress, S256).writable(),
    p(
        "STUNServerPort",
        Id::StunServerPort,
        ParamType::UnsignedInt { min: 0, max: 65535 },
    )
    .writable(),
    p("STUNUsername", Id::StunUsername, S256).writable(),
    p("STUNPassword", Id::StunPassword, S256).writable(),
    p(
        "STUNMaximumKeepAlivePeriod",
        Id::StunMaximumKeepAlivePeriod,
        ParamType::Int {
            min: -1,
            max: i32::MAX,
        },
    )
    .writable(),
    p(
        "STUNMinimumKeepAlivePeriod",
        Id::StunMinimumKeepAlivePeriod,
        ParamType::UNSIGNED_INT,
    )
    .writable(),
    p("NATDetected", Id::NatDetected, ParamType::Boolean),
    p(
        "UDPConnectionRequestAddressNotificationLimit",
        Id::UdpConnectionRequestAddressNotificationLimit,
        ParamType::UNSIGNED_INT,
    )
    .writable(),
    Node::object("HeartbeatPolicy", AGENT_IDS + 0xF0, HEARTBEAT),
];

/// `ManagementServer.`, grafted under the firmware's root (`Device.` or
/// `InternetGatewayDevice.`).
pub static MANAGEMENT_SERVER: Node = Node::object("ManagementServer", AGENT_IDS + 0xFF, CHILDREN);

/// What the agent keeps of `ManagementServer.`.
#[derive(Debug, Clone)]
pub struct Management {
    pub(crate) url: MsString,
    pub(crate) username: MsString,
    pub(crate) password: MsString,
    pub(crate) periodic: PeriodicInformConfig,
    pub(crate) parameter_key: heapless::String<32>,
    pub(crate) cr_url: MsString,
    pub(crate) cr_username: MsString,
    pub(crate) cr_password: MsString,
    pub(crate) upgrades_managed: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) udp_cr_address: MsString,
    pub(crate) heartbeat: HeartbeatPolicy,
    pub(crate) notification_throttle: u32,
    pub(crate) stun_enable: bool,
    pub(crate) stun_server_address: MsString,
    pub(crate) stun_server_port: u32,
    pub(crate) stun_username: MsString,
    pub(crate) stun_password: MsString,
    pub(crate) stun_maximum_keepalive: i32,
    pub(crate) stun_minimum_keepalive: u32,
    pub(crate) nat_detected: bool,
    pub(crate) udp_cr_notification_limit: u32,
    /// Which values the ACS set (bits of [`Id`]): those are persisted.
    pub(crate) acs_set: u32,
}

fn copy(s: &str) -> MsString {
    crate::limits::truncated(s)
}

impl Management {
    /// The values of `config`; Connection Request credentials empty.
    pub fn new(config: &Config<'_>) -> Self {
        Management {
            url: copy(config.acs_url),
            username: copy(config.username),
            password: copy(config.password),
            periodic: config.periodic,
            parameter_key: heapless::String::new(),
            cr_url: MsString::new(),
            cr_username: MsString::new(),
            cr_password: MsString::new(),
            upgrades_managed: false,
            retry: config.retry,
            udp_cr_address: MsString::new(),
            heartbeat: config.heartbeat,
            notification_throttle: config.notification_throttle,
            stun_enable: false,
            stun_server_address: MsString::new(),
            stun_server_port: u32::from(crate::stun::DEFAULT_SERVER_PORT),
            stun_username: MsString::new(),
            stun_password: MsString::new(),
            stun_maximum_keepalive: -1,
            stun_minimum_keepalive: 0,
            nat_detected: false,
            udp_cr_notification_limit: 0,
            acs_set: 0,
        }
    }

    /// `URL`.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// `PeriodicInformEnable`, `PeriodicInformInterval`, `PeriodicInformTime`.
    pub fn periodic(&self) -> PeriodicInformConfig {
        self.periodic
    }
    /// `ConnectionRequestURL`.
    pub fn connection_request_url(&self) -> &str {
        &self.cr_url
    }
    /// `ParameterKey`.
    pub fn parameter_key(&self) -> &str {
        &self.parameter_key
    }

    /// The ACS's values written over `config` (for [`Cpe::new`] after a reboot).
    pub fn configure<'c>(&'c self, config: &mut Config<'c>) {
        config.acs_url = &self.url;
        config.username = &self.username;
        config.password = &self.password;
        config.periodic = self.periodic;
        config.retry = self.retry;
        config.heartbeat = self.heartbeat;
        config.notification_throttle = self.notification_throttle;
    }

    pub(crate) fn get<'s>(&self, node: &Node, scratch: &'s mut [u8]) -> Option<Value<'s>> {
        let text = |s: &str, scratch: &'s mut [u8]| -> Option<Value<'s>> {
            let dst = scratch.get_mut(..s.len())?;
            dst.copy_from_slice(s.as_bytes());
            Some(Value::string(core::str::from_utf8(dst).ok()?))
        };
        Some(match Id::of(node)? {
            Id::Url => return text(&self.url, scratch),
            Id::Username => return text(&self.username, scratch),
            Id::Password | Id::ConnectionRequestPassword => Value::string(""),
            Id::PeriodicInformEnable => Value::Boolean(self.periodic.enable),
            Id::PeriodicInformInterval => Value::UnsignedInt(self.periodic.interval),
            Id::PeriodicInformTime => Value::DateTime(time_value(self.periodic.time)),
            Id::ParameterKey => return text(&self.parameter_key, scratch),
            Id::ConnectionRequestUrl => return text(&self.cr_url, scratch),
            Id::ConnectionRequestUsername => return text(&self.cr_username, scratch),
            Id::UpgradesManaged => Value::Boolean(self.upgrades_managed),
            Id::RetryMinimumWaitInterval => Value::UnsignedInt(self.retry.minimum_wait_interval),
            Id::RetryIntervalMultiplier => Value::UnsignedInt(self.retry.interval_multiplier),
            Id::UdpConnectionRequestAddress => return text(&self.udp_cr_address, scratch),
            Id::AliasBasedAddressing | Id::InstanceWildcardsSupported => Value::Boolean(false),
            Id::HeartbeatEnable => Value::Boolean(self.heartbeat.enable),
            Id::HeartbeatReportingInterval => Value::UnsignedInt(self.heartbeat.reporting_interval),
            Id::HeartbeatInitiationTime => {
                Value::DateTime(time_value(self.heartbeat.initiation_time))
            }
            Id::DefaultActiveNotificationThrottle => Value::UnsignedInt(self.notification_throttle),
            Id::StunEnable => Value::Boolean(self.stun_enable),
            Id::StunServerAddress => return text(&self.stun_server_address, scratch),
            Id::StunServerPort => Value::UnsignedInt(self.stun_server_port),
            Id::StunUsername => return text(&self.stun_username, scratch),
            Id::StunPassword => Value::string(""),
            Id::StunMaximumKeepAlivePeriod => Value::Int(self.stun_maximum_keepalive),
            Id::StunMinimumKeepAlivePeriod => Value::UnsignedInt(self.stun_minimum_keepalive),
            Id::NatDetected => Value::Boolean(self.nat_detected),
            Id::UdpConnectionRequestAddressNotificationLimit => {
                Value::UnsignedInt(self.udp_cr_notification_limit)
            }
        })
    }

    /// Phase 1 for the agent's own Parameters: what TR-069 requires beyond the type.
    pub(crate) fn check(&self, node: &Node, value: &Value<'_>) -> Result<(), FaultCode> {
        if Id::of(node) == Some(Id::Url) {
            let mut scratch = [0u8; 256];
            let s = value
                .as_xml_str()
                .and_then(|x| x.unescape_into(&mut scratch).ok())
                .ok_or(FaultCode::INVALID_PARAMETER_VALUE)?;
            // §3.1: an http or https URL.
            if !(s.starts_with("http://") || s.starts_with("https://")) {
                return Err(FaultCode::INVALID_PARAMETER_VALUE);
            }
        }
        Ok(())
    }

    /// Phase 2: stores a checked value; returns what changed.
    pub(crate) fn set(&mut self, node: &Node, value: &Value<'_>) -> Option<Id> {
        let id = Id::of(node)?;
        let mut scratch = [0u8; 256];
        let text = value
            .as_xml_str()
            .and_then(|x| x.unescape_into(&mut scratch).ok())
            .map(copy)
            .unwrap_or_default();
        let b = value.as_bool().unwrap_or(false);
        let u = value
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        let t = match value {
            Value::DateTime(d) => PeriodicInformTime::from_datetime(d),
            _ => PeriodicInformTime::Unknown,
        };
        match id {
            Id::Url => self.url = text,
            Id::Username => self.username = text,
            Id::Password => self.password = text,
            Id::PeriodicInformEnable => self.periodic.enable = b,
            Id::PeriodicInformInterval => self.periodic.interval = u,
            Id::PeriodicInformTime => self.periodic.time = t,
            Id::ConnectionRequestUsername => self.cr_username = text,
            Id::ConnectionRequestPassword => self.cr_password = text,
            Id::UpgradesManaged => self.upgrades_managed = b,
            Id::RetryMinimumWaitInterval => self.retry.minimum_wait_interval = u,
            Id::RetryIntervalMultiplier => self.retry.interval_multiplier = u,
            Id::HeartbeatEnable => self.heartbeat.enable = b,
            Id::HeartbeatReportingInterval => self.heartbeat.reporting_interval = u,
            Id::HeartbeatInitiationTime => self.heartbeat.initiation_time = t,
            Id::DefaultActiveNotificationThrottle => self.notification_throttle = u,
            Id::StunEnable => self.stun_enable = b,
            Id::StunServerAddress => self.stun_server_address = text,
            Id::StunServerPort => self.stun_server_port = u,
            Id::StunUsername => self.stun_username = text,
            Id::StunPassword => self.stun_password = text,
            Id::StunMaximumKeepAlivePeriod => {
                self.stun_maximum_keepalive = match value {
                    Value::Int(v) => *v,
                    v => v.as_u64().and_then(|x| i32::try_from(x).ok()).unwrap_or(-1),
                }
            }
            Id::StunMinimumKeepAlivePeriod => self.stun_minimum_keepalive = u,
            Id::UdpConnectionRequestAddressNotificationLimit => self.udp_cr_notification_limit = u,
            // Read-only: refused by the writable check before.
            _ => return None,
        }
        self.acs_set |= id.bit();
        Some(id)
    }

    /// Applies what an SPV changed to the machine (`changed`: bits of [`Id`]).
    pub(crate) fn apply<const E: usize, const T: usize, const S: usize>(
        &self,
        changed: u32,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
    ) {
        let has = |id: Id| changed & id.bit() != 0;
        if has(Id::Username) || has(Id::Password) {
            let _ = cpe.set_acs_credentials(&self.username, &self.password);
        }
        if has(Id::PeriodicInformEnable)
            || has(Id::PeriodicInformInterval)
            || has(Id::PeriodicInformTime)
        {
            cpe.set_periodic(now, self.periodic);
        }
        if has(Id::RetryMinimumWaitInterval) || has(Id::RetryIntervalMultiplier) {
            cpe.set_retry_policy(self.retry);
        }
        if has(Id::HeartbeatEnable)
            || has(Id::HeartbeatReportingInterval)
            || has(Id::HeartbeatInitiationTime)
        {
            cpe.set_heartbeat_policy(now, self.heartbeat);
        }
        if has(Id::DefaultActiveNotificationThrottle) {
            cpe.set_notification_throttle(now, self.notification_throttle);
        }
        // Last: a new URL raises `0 BOOTSTRAP` (Table 8), for the Session with the new ACS.
        if has(Id::Url) {
            let _ = cpe.set_acs_url(now, &self.url);
        }
    }

    /// The `STUN*` values as the STUN client takes them (Annex G.2.1.2).
    pub fn stun_config(&self) -> crate::stun::StunConfig {
        crate::stun::StunConfig {
            enable: self.stun_enable,
            username: self.stun_username.clone(),
            password: self.stun_password.clone(),
            minimum_keepalive: self.stun_minimum_keepalive,
            maximum_keepalive: self.stun_maximum_keepalive,
        }
    }

    /// Where Binding Requests go: `STUNServerAddress` (empty: the host of `URL`, G.2.1.2) and
    /// `STUNServerPort`.
    pub fn stun_server(&self) -> (&str, u16) {
        let host = if self.stun_server_address.is_empty() {
            url_host(&self.url)
        } else {
            &self.stun_server_address
        };
        (
            host,
            u16::try_from(self.stun_server_port).unwrap_or(crate::stun::DEFAULT_SERVER_PORT),
        )
    }

    /// `NATDetected` (G.2.1.3).
    pub fn nat_detected(&self) -> bool {
        self.nat_detected
    }

    /// `UDPConnectionRequestAddress`.
    pub fn udp_connection_request_address(&self) -> &str {
        &self.udp_cr_address
    }

    pub(crate) fn stun_bits() -> u32 {
        [
            Id::StunEnable,
            Id::StunUsername,
            Id::StunPassword,
            Id::StunMaximumKeepAlivePeriod,
            Id::StunMinimumKeepAlivePeriod,
            Id::StunServerAddress,
            Id::StunServerPort,
        ]
        .iter()
        .fold(0, |m, id| m | id.bit())
    }

    pub(crate) fn bit(id: Id) -> u32 {
        id.bit()
    }
}

/// The host of an `http(s)://host[:port]/path` URL, IPv6 brackets removed ("" if none).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn time_value(t: PeriodicInformTime) -> DateTime {
    match t {
        PeriodicInformTime::Unknown => DateTime::UNKNOWN,
        PeriodicInformTime::Absolute(u) => {
            DateTime::from_unix(u, Offset::Utc).unwrap_or(DateTime::UNKNOWN)
        }
        PeriodicInformTime::SinceBoot(s) => DateTime::relative(s),
    }
}
