//! Configuration of the ACS machine and the credential lookup (TR-069 §3.4.4, §3.7.2).

use core::fmt;

use cwmp_codec::VersionList;

use crate::time::Duration;

/// Where the ACS finds a CPE's password (TR-069 §3.4.4: a per-CPE shared secret, provisioned
/// out of band). The username is the one the CPE sent, normally `OUI-ProductClass-SerialNumber`.
pub trait CredentialStore {
    /// The password for `username`, or `None` for an unknown user (the request is challenged
    /// again).
    fn password(&self, username: &str) -> Option<&[u8]>;
}

/// One username and password: the simplest [`CredentialStore`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StaticCredentials<'a> {
    /// The username.
    pub username: &'a str,
    /// The password.
    pub password: &'a str,
}

impl fmt::Debug for StaticCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for StaticCredentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "StaticCredentials({=str}, ..)", self.username);
    }
}

impl CredentialStore for StaticCredentials<'_> {
    fn password(&self, username: &str) -> Option<&[u8]> {
        (username == self.username).then_some(self.password.as_bytes())
    }
}

/// Any username, one password (for test ACSs that do not know their CPEs in advance).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AnyUser<'a>(pub &'a str);

impl fmt::Debug for AnyUser<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AnyUser(..)")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for AnyUser<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "AnyUser(..)");
    }
}

impl CredentialStore for AnyUser<'_> {
    fn password(&self, _username: &str) -> Option<&[u8]> {
        Some(self.0.as_bytes())
    }
}

/// The smallest session timeout the machine uses: TR-069 §3.7.2.4 lets the ACS drop a Session
/// only after **at least 30 s** without a POST.
pub const MIN_SESSION_TIMEOUT: Duration = Duration::from_secs(30);

/// Configuration of an [`AcsSession`](super::AcsSession).
#[derive(Clone, Copy)]
pub struct AcsConfig<'a> {
    /// The versions this ACS speaks; the one used is chosen from the CPE's
    /// `SupportedCWMPVersions` with [`acs_choose`](cwmp_codec::version::acs_choose) (§3.7.2.1).
    /// Default: 1.0 to 1.4.
    pub versions: VersionList,
    /// How long the Session may wait for the next POST (§3.7.2.4); raised to
    /// [`MIN_SESSION_TIMEOUT`], and to the CPE's `SessionTimeout` header when that is longer
    /// (Table 4). Default 30 s.
    pub session_timeout: Duration,
    /// HTTP Digest credentials (§3.4.4: Digest MUST be used without TLS). `None`: no
    /// authentication. Default `None`.
    pub credentials: Option<&'a dyn CredentialStore>,
    /// The Digest realm. Default `"cwmp"`.
    pub realm: &'a str,
    /// 401 responses allowed before the Session fails with
    /// [`SessionError::AuthFailed`](super::SessionError::AuthFailed) (the first one is the
    /// normal challenge). Default 3.
    pub max_challenges: u8,
    /// Require the session cookie on every POST after the InformResponse (§3.4.2; answered 400
    /// otherwise, as GenieACS does, INTEROP C1). Default `true`.
    pub require_cookie: bool,
}

impl Default for AcsConfig<'_> {
    fn default() -> Self {
        Self {
            versions: VersionList::ALL,
            session_timeout: MIN_SESSION_TIMEOUT,
            credentials: None,
            realm: "cwmp",
            max_challenges: 3,
            require_cookie: true,
        }
    }
}

impl fmt::Debug for AcsConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcsConfig")
            .field("versions", &self.versions)
            .field("session_timeout", &self.session_timeout)
            .field("credentials", &self.credentials.is_some())
            .field("realm", &self.realm)
            .field("max_challenges", &self.max_challenges)
            .field("require_cookie", &self.require_cookie)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for AcsConfig<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "AcsConfig(versions={}, timeout={}, auth={=bool})",
            self.versions,
            self.session_timeout,
            self.credentials.is_some()
        );
    }
}
