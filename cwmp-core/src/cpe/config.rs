//! What a [`Cpe`](super::Cpe) is configured with: identity, ACS, credentials, timers
//! (`ManagementServer.*` of the data model, §3.2.1, §3.4.4, §A.3.3.1).

use crate::retry::RetryPolicy;
use crate::schedule::{HeartbeatPolicy, PeriodicInformConfig, PeriodicInformTime};
use crate::time::Duration;

/// The least response timeout TR-069 allows (§3.7.1.4: "not less than 30 seconds").
pub const MIN_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Configuration of a [`Cpe`](super::Cpe), borrowed only while
/// [`Cpe::new`](super::Cpe::new) copies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config<'a> {
    /// `ManagementServer.URL` (§3.1), `http://` or `https://`.
    pub acs_url: &'a str,
    /// `ManagementServer.Username` (§3.4.4; see `codec::http::username`).
    pub username: &'a str,
    /// `ManagementServer.Password`.
    pub password: &'a str,
    /// `DeviceId.Manufacturer` (§A.3.3.1).
    pub manufacturer: &'a str,
    /// `DeviceId.OUI`.
    pub oui: &'a str,
    /// `DeviceId.ProductClass`.
    pub product_class: &'a str,
    /// `DeviceId.SerialNumber`.
    pub serial_number: &'a str,
    /// Periodic Informs (§3.2.1).
    pub periodic: PeriodicInformConfig,
    /// `HeartbeatPolicy.` (Annex O): `14 HEARTBEAT` Sessions on a timer.
    pub heartbeat: HeartbeatPolicy,
    /// The Session Retry Policy parameters m and k (§3.2.1.1).
    pub retry: RetryPolicy,
    /// How long to wait for a connection or an HTTP response before failing the Session;
    /// raised to [`MIN_RESPONSE_TIMEOUT`] if shorter (§3.7.1.4).
    pub response_timeout: Duration,
    /// `SessionTimeout` header value to send with the Inform (CWMP 1.3+, Table 4), if any.
    pub session_timeout: Option<u32>,
    /// `ManagementServer.DefaultActiveNotificationThrottle`, in seconds (TR-181): the least
    /// time from the end of the last Session to a Session opened only to deliver an Active
    /// `4 VALUE CHANGE`. 0: no wait.
    pub notification_throttle: u32,
}

impl<'a> Config<'a> {
    /// A configuration with the factory defaults: no periodic Inform, no HEARTBEAT, m = 5 s, k = 2000, a 30 s
    /// response timeout, no SessionTimeout, no
    /// notification throttle.
    pub const fn new(
        acs_url: &'a str,
        manufacturer: &'a str,
        oui: &'a str,
        product_class: &'a str,
        serial_number: &'a str,
    ) -> Self {
        Config {
            acs_url,
            username: "",
            password: "",
            manufacturer,
            oui,
            product_class,
            serial_number,
            periodic: PeriodicInformConfig {
                enable: false,
                interval: 0,
                time: PeriodicInformTime::Unknown,
            },
            heartbeat: HeartbeatPolicy::DISABLED,
            retry: RetryPolicy::FACTORY_DEFAULT,
            response_timeout: MIN_RESPONSE_TIMEOUT,
            session_timeout: None,
            notification_throttle: 0,
        }
    }
}
