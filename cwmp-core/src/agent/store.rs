//! The agent's persistent record (§A.3.2.4: attributes are persistent; Table 8 / §A.3.3.1:
//! pending value changes; §A.3.2.1: values the ACS set in `ManagementServer.`), beside the
//! [`Cpe`](crate::cpe::Cpe)'s own: its own magic, version and CRC-32, validated whole before
//! anything is applied.
//!
//! ```text
//! "CWAG" version:u8=1
//! acs_set:u32  then, for each bit set in Id order, the value (str = len:u16 + bytes,
//!              bool = u8, u32 = 4 bytes LE, time = tag:u8 + 8 bytes LE)
//! attributes:u16  { name:str notification:u8 subscriber:u8 has_fp:u8 fp:u32 }*
//! pending:u16     { name:str }*
//! crc32:u32 of everything before
//! ```

use super::management::{Id, Management};
use super::model::MAX_NAME_LEN;
use super::notify::{Attribute, Attributes, Pending};
use super::walk::Name;
use crate::crc32::crc32;
use crate::persist::BufferTooSmall;
use crate::schedule::PeriodicInformTime;

const MAGIC: &[u8; 4] = b"CWAG";
const VERSION: u8 = 1;

/// Why an agent record was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AgentRestoreError {
    /// Not an agent record (magic).
    Foreign,
    /// Another version.
    Version,
    /// Cut short.
    Truncated,
    /// The CRC does not match.
    Checksum,
    /// A field is invalid (offset in the record).
    Invalid(usize),
    /// More attributes or pending names than this agent holds.
    Capacity,
}

impl core::fmt::Display for AgentRestoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("invalid agent record")
    }
}
impl core::error::Error for AgentRestoreError {}

struct Out<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl Out<'_> {
    fn put(&mut self, b: &[u8]) {
        let end = self.len.saturating_add(b.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(b);
        }
        self.len = end;
    }
    fn str(&mut self, s: &str) {
        let n = u16::try_from(s.len()).unwrap_or(u16::MAX);
        self.put(&n.to_le_bytes());
        self.put(s.as_bytes().get(..usize::from(n)).unwrap_or(&[]));
    }
    fn time(&mut self, t: PeriodicInformTime) {
        match t {
            PeriodicInformTime::Unknown => self.put(&[0; 9]),
            PeriodicInformTime::Absolute(u) => {
                self.put(&[1]);
                self.put(&u.to_le_bytes());
            }
            PeriodicInformTime::SinceBoot(s) => {
                self.put(&[2]);
                self.put(&s.to_le_bytes());
            }
        }
    }
}

const FIELDS: [Id; 23] = [
    Id::Url,
    Id::Username,
    Id::Password,
    Id::PeriodicInformEnable,
    Id::PeriodicInformInterval,
    Id::PeriodicInformTime,
    Id::ConnectionRequestUsername,
    Id::ConnectionRequestPassword,
    Id::UpgradesManaged,
    Id::RetryMinimumWaitInterval,
    Id::RetryIntervalMultiplier,
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
    Id::UdpConnectionRequestAddressNotificationLimit,
];

/// Writes the record; returns its length.
pub(crate) fn export<const A: usize, const P: usize>(
    ms: &Management,
    attrs: &Attributes<A>,
    pending: &Pending<P>,
    buf: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    let mut o = Out { buf, len: 0 };
    o.put(MAGIC);
    o.put(&[VERSION]);
    let set = ms.acs_set & FIELDS.iter().fold(0, |m, id| m | Management::bit(*id));
    o.put(&set.to_le_bytes());
    for id in FIELDS {
        if set & Management::bit(id) == 0 {
            continue;
        }
        match id {
            Id::Url => o.str(&ms.url),
            Id::Username => o.str(&ms.username),
            Id::Password => o.str(&ms.password),
            Id::PeriodicInformEnable => o.put(&[u8::from(ms.periodic.enable)]),
            Id::PeriodicInformInterval => o.put(&ms.periodic.interval.to_le_bytes()),
            Id::PeriodicInformTime => o.time(ms.periodic.time),
            Id::ConnectionRequestUsername => o.str(&ms.cr_username),
            Id::ConnectionRequestPassword => o.str(&ms.cr_password),
            Id::UpgradesManaged => o.put(&[u8::from(ms.upgrades_managed)]),
            Id::RetryMinimumWaitInterval => o.put(&ms.retry.minimum_wait_interval.to_le_bytes()),
            Id::RetryIntervalMultiplier => o.put(&ms.retry.interval_multiplier.to_le_bytes()),
            Id::HeartbeatEnable => o.put(&[u8::from(ms.heartbeat.enable)]),
            Id::HeartbeatReportingInterval => o.put(&ms.heartbeat.reporting_interval.to_le_bytes()),
            Id::HeartbeatInitiationTime => o.time(ms.heartbeat.initiation_time),
            Id::DefaultActiveNotificationThrottle => o.put(&ms.notification_throttle.to_le_bytes()),
            Id::StunEnable => o.put(&[u8::from(ms.stun_enable)]),
            Id::StunServerAddress => o.str(&ms.stun_server_address),
            Id::StunServerPort => o.put(&ms.stun_server_port.to_le_bytes()),
            Id::StunUsername => o.str(&ms.stun_username),
            Id::StunPassword => o.str(&ms.stun_password),
            Id::StunMaximumKeepAlivePeriod => o.put(&ms.stun_maximum_keepalive.to_le_bytes()),
            Id::StunMinimumKeepAlivePeriod => o.put(&ms.stun_minimum_keepalive.to_le_bytes()),
            Id::UdpConnectionRequestAddressNotificationLimit => {
                o.put(&ms.udp_cr_notification_limit.to_le_bytes())
            }
            _ => {}
        }
    }
    o.put(&u16::try_from(attrs.len()).unwrap_or(0).to_le_bytes());
    for a in attrs.iter() {
        o.str(&a.name);
        o.put(&[
            a.notification,
            u8::from(a.subscriber),
            u8::from(a.fingerprint.is_some()),
        ]);
        o.put(&a.fingerprint.unwrap_or(0).to_le_bytes());
    }
    o.put(&u16::try_from(pending.len()).unwrap_or(0).to_le_bytes());
    for n in pending.iter() {
        o.str(n);
    }
    let body = o.len;
    if body.saturating_add(4) > o.buf.len() {
        return Err(BufferTooSmall {
            needed: body.saturating_add(4),
        });
    }
    let crc = crc32(o.buf.get(..body).unwrap_or(&[]));
    o.put(&crc.to_le_bytes());
    Ok(o.len)
}

struct In<'b> {
    bytes: &'b [u8],
    pos: usize,
}

type R<T> = Result<T, AgentRestoreError>;

/// Copies `v` into `field` in place. `v` was read with the field's capacity as its bound, so
/// it fits.
fn set_str<const N: usize>(field: &mut heapless::String<N>, v: &str) {
    field.clear();
    let _ = field.push_str(v);
}

impl<'b> In<'b> {
    fn take(&mut self, n: usize) -> R<&'b [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(AgentRestoreError::Truncated)?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(AgentRestoreError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn bool(&mut self) -> R<bool> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(AgentRestoreError::Invalid(at)),
        }
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]))
    }
    fn u32(&mut self) -> R<u32> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    fn u64(&mut self) -> R<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    /// A string of at most `N` bytes, as a slice of the record (copied by [`set_str`]).
    fn str_ref<const N: usize>(&mut self) -> R<&'b str> {
        let at = self.pos;
        let n = usize::from(self.u16()?);
        if n > N {
            return Err(AgentRestoreError::Invalid(at));
        }
        core::str::from_utf8(self.take(n)?).map_err(|_| AgentRestoreError::Invalid(at))
    }
    fn time(&mut self) -> R<PeriodicInformTime> {
        let at = self.pos;
        let tag = self.u8()?;
        let v = self.u64()?;
        match tag {
            0 => Ok(PeriodicInformTime::Unknown),
            1 => Ok(PeriodicInformTime::Absolute(v as i64)),
            2 => Ok(PeriodicInformTime::SinceBoot(v)),
            _ => Err(AgentRestoreError::Invalid(at)),
        }
    }
}

/// Parses `bytes`; applies them only if `apply` and the whole record is valid (the caller
/// runs it twice: validate, then apply).
pub(crate) fn restore<const A: usize, const P: usize>(
    bytes: &[u8],
    ms: &mut Management,
    attrs: &mut Attributes<A>,
    pending: &mut Pending<P>,
    apply: bool,
) -> R<()> {
    if bytes.len() < 9 {
        return Err(AgentRestoreError::Truncated);
    }
    let (body, crc) = bytes.split_at(bytes.len().saturating_sub(4));
    let mut c = [0u8; 4];
    c.copy_from_slice(crc);
    let mut r = In {
        bytes: body,
        pos: 0,
    };
    if r.take(4)? != MAGIC {
        return Err(AgentRestoreError::Foreign);
    }
    if r.u8()? != VERSION {
        return Err(AgentRestoreError::Version);
    }
    if crc32(body) != u32::from_le_bytes(c) {
        return Err(AgentRestoreError::Checksum);
    }
    let at = r.pos;
    let set = r.u32()?;
    let known = FIELDS.iter().fold(0, |m, id| m | Management::bit(*id));
    if set & !known != 0 {
        return Err(AgentRestoreError::Invalid(at));
    }
    // Two passes (see `Agent::restore`): the first (`apply` false) checks every byte and
    // writes nothing, the second writes each value straight into place. Since the first
    // passed, the second cannot fail half-way. (It was one pass into a clone of
    // `Management` and new tables, committed at the end: 4.4 KiB of stack, issue 12.)
    if apply {
        ms.acs_set |= set;
    }
    // A value read, then written into its field on the applying pass.
    macro_rules! put {
        ($field:expr, $read:expr) => {{
            let v = $read;
            if apply {
                $field = v;
            }
        }};
    }
    // A string read as a slice of the record, then copied into its field in place.
    macro_rules! put_str {
        ($field:expr) => {{
            let v = r.str_ref::<256>()?;
            if apply {
                set_str(&mut $field, v);
            }
        }};
    }
    for id in FIELDS {
        if set & Management::bit(id) == 0 {
            continue;
        }
        match id {
            Id::Url => put_str!(ms.url),
            Id::Username => put_str!(ms.username),
            Id::Password => put_str!(ms.password),
            Id::PeriodicInformEnable => put!(ms.periodic.enable, r.bool()?),
            Id::PeriodicInformInterval => put!(ms.periodic.interval, r.u32()?),
            Id::PeriodicInformTime => put!(ms.periodic.time, r.time()?),
            Id::ConnectionRequestUsername => put_str!(ms.cr_username),
            Id::ConnectionRequestPassword => put_str!(ms.cr_password),
            Id::UpgradesManaged => put!(ms.upgrades_managed, r.bool()?),
            Id::RetryMinimumWaitInterval => put!(ms.retry.minimum_wait_interval, r.u32()?),
            Id::RetryIntervalMultiplier => put!(ms.retry.interval_multiplier, r.u32()?),
            Id::HeartbeatEnable => put!(ms.heartbeat.enable, r.bool()?),
            Id::HeartbeatReportingInterval => put!(ms.heartbeat.reporting_interval, r.u32()?),
            Id::HeartbeatInitiationTime => put!(ms.heartbeat.initiation_time, r.time()?),
            Id::DefaultActiveNotificationThrottle => put!(ms.notification_throttle, r.u32()?),
            Id::StunEnable => put!(ms.stun_enable, r.bool()?),
            Id::StunServerAddress => put_str!(ms.stun_server_address),
            Id::StunServerPort => put!(ms.stun_server_port, r.u32()?),
            Id::StunUsername => put_str!(ms.stun_username),
            Id::StunPassword => put_str!(ms.stun_password),
            Id::StunMaximumKeepAlivePeriod => put!(
                ms.stun_maximum_keepalive,
                i32::from_le_bytes(r.u32()?.to_le_bytes())
            ),
            Id::StunMinimumKeepAlivePeriod => put!(ms.stun_minimum_keepalive, r.u32()?),
            Id::UdpConnectionRequestAddressNotificationLimit => {
                put!(ms.udp_cr_notification_limit, r.u32()?)
            }
            _ => {}
        }
    }
    let n = usize::from(r.u16()?);
    if n > A {
        return Err(AgentRestoreError::Capacity);
    }
    if apply {
        attrs.list.clear();
    }
    for _ in 0..n {
        let at = r.pos;
        let name = r.str_ref::<MAX_NAME_LEN>()?;
        let notification = r.u8()?;
        if notification > 2 {
            return Err(AgentRestoreError::Invalid(at));
        }
        let subscriber = r.bool()?;
        let has = r.bool()?;
        let fp = r.u32()?;
        if apply {
            let mut attr = Attribute {
                name: Name::new(),
                notification,
                subscriber,
                fingerprint: has.then_some(fp),
            };
            set_str(&mut attr.name, name);
            let _ = attrs.list.push(attr);
        }
    }
    let n = usize::from(r.u16()?);
    if n > P {
        return Err(AgentRestoreError::Capacity);
    }
    if apply {
        pending.names.clear();
        pending.overflowed = false;
    }
    for _ in 0..n {
        let name = r.str_ref::<MAX_NAME_LEN>()?;
        if apply {
            pending.add(name);
        }
    }
    if r.pos != body.len() {
        return Err(AgentRestoreError::Invalid(r.pos));
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use crate::cpe::Config;

    type State = (Management, Attributes<4>, Pending<4>);

    fn state(url: &str, interval: u32, attr: &str, pending: &str) -> State {
        let mut ms = Management::new(&Config::new(url, "Acme", "00D09E", "X", "SN1"));
        set_str(&mut ms.url, url);
        set_str(&mut ms.stun_password, "stun-secret");
        ms.periodic.interval = interval;
        ms.acs_set |= Management::bit(Id::Url)
            | Management::bit(Id::PeriodicInformInterval)
            | Management::bit(Id::StunPassword);
        let mut attrs = Attributes::<4>::new();
        let mut name = Name::new();
        set_str(&mut name, attr);
        attrs
            .list
            .push(Attribute {
                name,
                notification: 2,
                subscriber: true,
                fingerprint: Some(7),
            })
            .unwrap();
        let mut p = Pending::<4>::new();
        p.add(pending);
        (ms, attrs, p)
    }

    fn export_of(s: &State) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 4096];
        let n = export(&s.0, &s.1, &s.2, &mut buf).unwrap();
        buf[..n].to_vec()
    }

    fn restore_into(s: &mut State, bytes: &[u8], apply: bool) -> R<()> {
        restore(bytes, &mut s.0, &mut s.1, &mut s.2, apply)
    }

    extern crate std;

    /// The checking pass writes nothing, for a good record and for every record that fails
    /// part-way (each prefix of a good record's body, given a valid checksum); the applying
    /// pass after a good check leaves exactly the record's state. `restore` writes in place
    /// on its second pass, so nothing else guards the state during the first.
    #[test]
    fn the_checking_pass_writes_nothing_and_the_applying_pass_all() {
        let saved = export_of(&state(
            "http://acs.example/a",
            300,
            "Device.A.",
            "Device.P.",
        ));
        let mut s = state("http://other.example/b", 60, "Device.B.", "Device.Q.");
        let before = export_of(&s);
        assert_ne!(before, saved);
        restore_into(&mut s, &saved, false).unwrap();
        assert_eq!(export_of(&s), before, "the check of a good record wrote");
        let body = &saved[..saved.len() - 4];
        for cut in 9..body.len() {
            let mut bad = body[..cut].to_vec();
            bad.extend_from_slice(&crc32(&bad).to_le_bytes());
            assert!(restore_into(&mut s, &bad, false).is_err(), "cut at {cut}");
            assert_eq!(export_of(&s), before, "a failed check at {cut} wrote");
        }
        restore_into(&mut s, &saved, true).unwrap();
        assert_eq!(export_of(&s), saved);
        assert_eq!(s.2.iter().collect::<std::vec::Vec<_>>(), ["Device.P."]);
    }
}
