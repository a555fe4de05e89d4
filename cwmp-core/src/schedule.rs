//! When to Inform on a timer: periodic Informs (§3.2.1, `PeriodicInformEnable`,
//! `PeriodicInformInterval`, `PeriodicInformTime`), the ScheduleInform queue (§A.4.1.2) and the
//! HeartbeatPolicy (Annex O.2.4: `Enable`, `ReportingInterval`, `InitiationTime`).
//!
//! Both take the monotonic `now` and, when the CPE has absolute time, `unix_now` (seconds since the
//! Unix epoch, UTC). Neither reads a clock. When the wall clock appears or jumps (NTP), call their
//! `on_clock_change`.
//!
//! **Periodic Inform.** With an absolute `PeriodicInformTime` t and absolute time available, Informs
//! happen at t + k·interval for integers k (before or after t). With a relative
//! `PeriodicInformTime` (year < 1000, §A.2.1), the reference is that many seconds after boot. With
//! Unknown Time, or an absolute reference but no absolute clock, the CPE picks the reference: the
//! moment the configuration was set. A periodic deadline that fires early because the monotonic
//! and the wall clock drift apart would otherwise fire again at the real boundary a moment later: after
//! firing, the next deadline is at least half an interval away.
//!
//! **ScheduleInform.** At least 3 entries (`N`, default 3). DelaySeconds MUST be > 0; the same
//! non-empty CommandKey updates the queued entry's deadline; entries are persistent if and only if the
//! CPE has absolute time. When one comes due, [`ScheduleInformQueue::fire_due`] raises `3 SCHEDULED`
//! and `M ScheduleInform` with its CommandKey in the [`EventQueue`], and only then drops the entry.

use core::fmt;

use cwmp_codec::datetime::DateTime;
use cwmp_codec::event::EventCode;

use crate::events::{EventQueue, EventQueueError};
use crate::limits::{bounded, CommandKey, MIN_SCHEDULE_INFORM_QUEUE};
use crate::time::{instant_for_unix, unix_for_instant, Duration, Instant};

/// The phase reference of periodic Informs (`PeriodicInformTime`, §A.2.1 dateTime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PeriodicInformTime {
    /// Unknown Time: the CPE chooses the reference.
    Unknown,
    /// An absolute time, seconds since the Unix epoch.
    Absolute(i64),
    /// A relative time: seconds after boot.
    SinceBoot(u64),
}

impl PeriodicInformTime {
    /// Reads a `PeriodicInformTime` value: Unknown Time, a relative time (year < 1000, no zone), or an
    /// absolute time.
    pub fn from_datetime(t: &DateTime) -> PeriodicInformTime {
        if t.is_unknown() {
            return PeriodicInformTime::Unknown;
        }
        if let Some(s) = t.relative_seconds() {
            return PeriodicInformTime::SinceBoot(s);
        }
        t.to_unix()
            .map_or(PeriodicInformTime::Unknown, PeriodicInformTime::Absolute)
    }
}

/// The periodic Inform parameters of `ManagementServer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeriodicInformConfig {
    /// `PeriodicInformEnable`.
    pub enable: bool,
    /// `PeriodicInformInterval`, seconds; 0 disables (the data model requires ≥ 1).
    pub interval: u32,
    /// `PeriodicInformTime`.
    pub time: PeriodicInformTime,
}

/// Periodic Inform timer (§3.2.1: "each PeriodicInformInterval").
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeriodicInform {
    config: PeriodicInformConfig,
    boot: Instant,
    configured_at: Instant,
    next: Option<Instant>,
}

/// Smallest delay `d ≥ min` with `(now + d - reference) ≡ 0 (mod interval)`, all in ms.
fn next_boundary(now: i128, reference: i128, interval: i128, min: i128) -> i128 {
    if interval <= 0 {
        return 0;
    }
    let offset = now.saturating_sub(reference).rem_euclid(interval);
    let mut delay = interval.saturating_sub(offset);
    if delay == interval && min == 0 {
        delay = 0;
    }
    while delay < min {
        delay = delay.saturating_add(interval);
    }
    delay
}

impl PeriodicInform {
    /// A timer with `config`, for a CPE that booted at `boot`, configured at `now`.
    pub fn new(
        config: PeriodicInformConfig,
        boot: Instant,
        now: Instant,
        unix_now: Option<i64>,
    ) -> Self {
        let mut p = PeriodicInform {
            config,
            boot,
            configured_at: now,
            next: None,
        };
        p.recompute(now, unix_now, 0);
        p
    }

    /// The configuration.
    pub fn config(&self) -> PeriodicInformConfig {
        self.config
    }

    /// New parameter values (set by the ACS, DHCP or locally): the schedule restarts from them.
    pub fn set_config(
        &mut self,
        config: PeriodicInformConfig,
        now: Instant,
        unix_now: Option<i64>,
    ) {
        self.config = config;
        self.configured_at = now;
        self.recompute(now, unix_now, 0);
    }

    /// The wall clock appeared or jumped: re-derive the next deadline.
    pub fn on_clock_change(&mut self, now: Instant, unix_now: Option<i64>) {
        self.recompute(now, unix_now, 0);
    }

    /// The next periodic Inform, or `None` when disabled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }

    /// `true` (once) if a periodic Inform is due: the caller raises `2 PERIODIC`. The next deadline
    /// is then at least half an interval away.
    pub fn handle_timeout(&mut self, now: Instant, unix_now: Option<i64>) -> bool {
        match self.next {
            Some(t) if t <= now => {
                let half = i128::from(self.config.interval).saturating_mul(500);
                self.recompute(now, unix_now, half);
                true
            }
            _ => false,
        }
    }

    fn recompute(&mut self, now: Instant, unix_now: Option<i64>, min_ms: i128) {
        let c = self.config;
        if !c.enable || c.interval == 0 {
            self.next = None;
            return;
        }
        let interval_ms = i128::from(c.interval).saturating_mul(1000);
        let now_ms = i128::from(now.as_millis());
        let delay_ms = match (c.time, unix_now) {
            (PeriodicInformTime::Absolute(t), Some(u)) => next_boundary(
                i128::from(u).saturating_mul(1000),
                i128::from(t).saturating_mul(1000),
                interval_ms,
                min_ms,
            ),
            (PeriodicInformTime::SinceBoot(s), _) => next_boundary(
                now_ms,
                i128::from(self.boot.as_millis())
                    .saturating_add(i128::from(s).saturating_mul(1000)),
                interval_ms,
                min_ms,
            ),
            _ => next_boundary(
                now_ms,
                i128::from(self.configured_at.as_millis()),
                interval_ms,
                min_ms.max(1),
            ),
        };
        let delay = u64::try_from(delay_ms).unwrap_or(u64::MAX);
        self.next = Some(now.saturating_add(Duration::from_millis(delay)));
    }
}

/// The least `HeartbeatPolicy.ReportingInterval`, seconds (TR-181 Device:2 `HeartbeatPolicy:1`
/// profile, Annex O.2.4: `unsignedInt[20:]`).
pub const MIN_HEARTBEAT_INTERVAL: u32 = 20;

/// The `ManagementServer.HeartbeatPolicy.` parameters (Annex O.2.4, TR-181 `HeartbeatPolicy:1`):
/// when a `14 HEARTBEAT` Session is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeartbeatPolicy {
    /// `Enable`.
    pub enable: bool,
    /// `ReportingInterval`, seconds; a value below [`MIN_HEARTBEAT_INTERVAL`] is used as that
    /// minimum (the data model refuses it: the ACS's SetParameterValues gets fault 9007 from the
    /// application's data model).
    pub reporting_interval: u32,
    /// `InitiationTime`: the phase reference, read like `PeriodicInformTime` (HEARTBEATs at
    /// InitiationTime ± k·ReportingInterval; Unknown Time, or no absolute clock: the CPE picks it).
    pub initiation_time: PeriodicInformTime,
}

impl HeartbeatPolicy {
    /// The data model defaults: disabled, ReportingInterval 30 s, Unknown Time.
    pub const DISABLED: HeartbeatPolicy = HeartbeatPolicy {
        enable: false,
        reporting_interval: 30,
        initiation_time: PeriodicInformTime::Unknown,
    };

    /// The timer configuration, with the interval raised to [`MIN_HEARTBEAT_INTERVAL`].
    fn timer_config(self) -> PeriodicInformConfig {
        PeriodicInformConfig {
            enable: self.enable,
            interval: self.reporting_interval.max(MIN_HEARTBEAT_INTERVAL),
            time: self.initiation_time,
        }
    }
}

impl Default for HeartbeatPolicy {
    fn default() -> Self {
        Self::DISABLED
    }
}

/// HeartbeatPolicy timer (Annex O.2.4): the same phase rules as the periodic Inform timer, with
/// `InitiationTime` for `PeriodicInformTime` and `ReportingInterval` for the interval.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeartbeatTimer {
    policy: HeartbeatPolicy,
    timer: PeriodicInform,
}

impl HeartbeatTimer {
    /// A timer with `policy`, for a CPE that booted at `boot`, configured at `now`.
    pub fn new(
        policy: HeartbeatPolicy,
        boot: Instant,
        now: Instant,
        unix_now: Option<i64>,
    ) -> Self {
        HeartbeatTimer {
            policy,
            timer: PeriodicInform::new(policy.timer_config(), boot, now, unix_now),
        }
    }

    /// The policy, as set.
    pub fn policy(&self) -> HeartbeatPolicy {
        self.policy
    }

    /// New parameter values: the schedule restarts from them.
    pub fn set_policy(&mut self, policy: HeartbeatPolicy, now: Instant, unix_now: Option<i64>) {
        self.policy = policy;
        self.timer.set_config(policy.timer_config(), now, unix_now);
    }

    /// The wall clock appeared or jumped: re-derive the next deadline.
    pub fn on_clock_change(&mut self, now: Instant, unix_now: Option<i64>) {
        self.timer.on_clock_change(now, unix_now);
    }

    /// The next HEARTBEAT, or `None` when disabled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timer.poll_timeout()
    }

    /// `true` (once) if a HEARTBEAT is due: the caller raises `14 HEARTBEAT`.
    pub fn handle_timeout(&mut self, now: Instant, unix_now: Option<i64>) -> bool {
        self.timer.handle_timeout(now, unix_now)
    }
}

/// A rejected ScheduleInform (§A.4.1.2); the queue is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ScheduleInformError {
    /// DelaySeconds is 0 ("MUST be greater than zero"): fault 9003 Invalid arguments.
    InvalidDelay,
    /// CommandKey over 32 bytes: fault 9003 Invalid arguments.
    CommandKeyTooLong,
    /// The queue is full: fault 9004 Resources exceeded. (§A.4.1.2 lists 9000–9003 only; 9004 is the
    /// general §A.5.1 code for exactly this.)
    QueueFull,
}

impl ScheduleInformError {
    /// The CWMP fault code (§A.5.1) to answer with.
    pub const fn fault_code(self) -> u32 {
        match self {
            Self::InvalidDelay | Self::CommandKeyTooLong => 9003,
            Self::QueueFull => 9004,
        }
    }

    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidDelay => "ScheduleInform DelaySeconds must be greater than zero",
            Self::CommandKeyTooLong => "CommandKey longer than 32 bytes",
            Self::QueueFull => "ScheduleInform queue full",
        }
    }
}

impl fmt::Display for ScheduleInformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for ScheduleInformError {}

/// One queued ScheduleInform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ScheduledInform {
    command_key: CommandKey,
    due: Instant,
    due_unix: Option<i64>,
}

impl ScheduledInform {
    /// The CommandKey, returned in `M ScheduleInform`.
    pub fn command_key(&self) -> &str {
        &self.command_key
    }
    /// When it is due on the monotonic clock ([`Instant::MAX`] while restored and waiting for the
    /// wall clock).
    pub fn due(&self) -> Instant {
        self.due
    }
    /// When it is due in Unix seconds, if the CPE had absolute time (then it is persistent).
    pub fn due_unix(&self) -> Option<i64> {
        self.due_unix
    }
}

/// The ScheduleInform queue (§A.4.1.2), `N` ≥ 3 entries (default 3).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ScheduleInformQueue<const N: usize = MIN_SCHEDULE_INFORM_QUEUE> {
    entries: heapless::Vec<ScheduledInform, N>,
    generation: u32,
}

impl<const N: usize> Default for ScheduleInformQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ScheduleInformQueue<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        ScheduleInformQueue {
            entries: heapless::Vec::new(),
            generation: 0,
        }
    }

    /// The queued entries, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = &ScheduledInform> + '_ {
        self.entries.iter()
    }

    /// Number of queued entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Changes (wrapping) whenever the persistent content changes.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// Queues a ScheduleInform received at `now` (§A.4.1.2).
    ///
    /// # Errors
    ///
    /// [`ScheduleInformError`], whose [`ScheduleInformError::fault_code`] is the fault to answer.
    /// Never panics.
    pub fn schedule(
        &mut self,
        now: Instant,
        unix_now: Option<i64>,
        delay_seconds: u32,
        command_key: &str,
    ) -> Result<(), ScheduleInformError> {
        if delay_seconds == 0 {
            return Err(ScheduleInformError::InvalidDelay);
        }
        let key = bounded(command_key).ok_or(ScheduleInformError::CommandKeyTooLong)?;
        let due = now.saturating_add(Duration::from_secs(u64::from(delay_seconds)));
        let due_unix = unix_now.map(|u| u.saturating_add(i64::from(delay_seconds)));
        if !command_key.is_empty() {
            if let Some(e) = self
                .entries
                .iter_mut()
                .find(|e| e.command_key.as_str() == command_key)
            {
                e.due = due;
                e.due_unix = due_unix;
                self.bump();
                return Ok(());
            }
        }
        self.entries
            .push(ScheduledInform {
                command_key: key,
                due,
                due_unix,
            })
            .map_err(|_| ScheduleInformError::QueueFull)?;
        self.bump();
        Ok(())
    }

    /// The earliest deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries.iter().map(|e| e.due).min()
    }

    /// Raises `3 SCHEDULED` + `M ScheduleInform` (with the CommandKey) for every entry due at `now`,
    /// earliest first, removing each entry only once its events are queued. Returns how many fired.
    ///
    /// # Errors
    ///
    /// The [`EventQueue::push`] error; the entry that failed and later ones stay queued.
    pub fn fire_due<const E: usize>(
        &mut self,
        now: Instant,
        events: &mut EventQueue<E>,
    ) -> Result<usize, EventQueueError> {
        let mut fired = 0usize;
        loop {
            let next = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.due <= now)
                .min_by_key(|(_, e)| e.due)
                .map(|(i, _)| i);
            let Some(i) = next else { break };
            let Some(entry) = self.entries.get(i) else {
                break;
            };
            events.push(EventCode::Scheduled, "")?;
            events.push(EventCode::MScheduleInform, entry.command_key())?;
            self.entries.remove(i);
            self.bump();
            fired = fired.saturating_add(1);
        }
        Ok(fired)
    }

    /// The wall clock appeared or jumped: entries with an absolute deadline are re-mapped to the
    /// monotonic clock; entries without one get one (they become persistent).
    pub fn on_clock_change(&mut self, now: Instant, unix_now: Option<i64>) {
        let Some(u) = unix_now else { return };
        let mut changed = false;
        for e in self.entries.iter_mut() {
            match e.due_unix {
                Some(du) => e.due = instant_for_unix(now, u, du),
                None => {
                    e.due_unix = Some(unix_for_instant(now, u, e.due));
                    changed = true;
                }
            }
        }
        if changed {
            self.bump();
        }
    }

    /// Restores a persisted entry (absolute deadline `due_unix`). Without `unix_now` the entry waits
    /// (due at [`Instant::MAX`]) until [`ScheduleInformQueue::on_clock_change`].
    ///
    /// # Errors
    ///
    /// As [`ScheduleInformQueue::schedule`], except that a deadline in the past is accepted (it fires
    /// at once).
    pub fn restore(
        &mut self,
        now: Instant,
        unix_now: Option<i64>,
        command_key: &str,
        due_unix: i64,
    ) -> Result<(), ScheduleInformError> {
        let key = bounded(command_key).ok_or(ScheduleInformError::CommandKeyTooLong)?;
        let mut entry = ScheduledInform {
            command_key: key,
            due: Instant::MAX,
            due_unix: Some(due_unix),
        };
        if let Some(u) = unix_now {
            entry.due = instant_for_unix(now, u, due_unix);
        }
        self.entries
            .push(entry)
            .map_err(|_| ScheduleInformError::QueueFull)?;
        self.bump();
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn cfg(interval: u32, time: PeriodicInformTime) -> PeriodicInformConfig {
        PeriodicInformConfig {
            enable: true,
            interval,
            time,
        }
    }

    #[test]
    fn periodic_absolute_phase() {
        // Reference 1000 s, interval 60 s, wall clock at 1150 s: next at 1180 s (30 s from now).
        let now = Instant::from_secs(50);
        let mut p = PeriodicInform::new(
            cfg(60, PeriodicInformTime::Absolute(1000)),
            Instant::ZERO,
            now,
            Some(1150),
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(80)));
        assert!(!p.handle_timeout(Instant::from_secs(79), Some(1179)));
        assert!(p.handle_timeout(Instant::from_secs(80), Some(1180)));
        assert!(!p.handle_timeout(Instant::from_secs(80), Some(1180)));
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(140)));
        // Reference in the future works the same (k negative).
        let p = PeriodicInform::new(
            cfg(60, PeriodicInformTime::Absolute(10_000)),
            Instant::ZERO,
            Instant::ZERO,
            Some(1130),
        );
        // Boundaries at 10000 − 60·k: 1120, 1180, …
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(50)));
    }

    #[test]
    fn periodic_fires_early_does_not_double_fire() {
        let mut p = PeriodicInform::new(
            cfg(60, PeriodicInformTime::Absolute(0)),
            Instant::ZERO,
            Instant::ZERO,
            Some(30),
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(30)));
        // The monotonic clock runs fast: the wall clock still says 59 s.
        assert!(p.handle_timeout(Instant::from_secs(30), Some(59)));
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(91)));
    }

    #[test]
    fn periodic_relative_and_unknown() {
        let boot = Instant::from_secs(5);
        let p = PeriodicInform::new(
            cfg(100, PeriodicInformTime::SinceBoot(30)),
            boot,
            Instant::from_secs(10),
            None,
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(35)));
        // Absolute phase but no absolute clock: relative to configuration time.
        let mut p = PeriodicInform::new(
            cfg(100, PeriodicInformTime::Absolute(7)),
            boot,
            Instant::from_secs(10),
            None,
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(110)));
        // The clock arrives: phase follows the absolute reference.
        p.on_clock_change(Instant::from_secs(20), Some(1_000));
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(27)));
        let mut p = PeriodicInform::new(
            cfg(100, PeriodicInformTime::Unknown),
            boot,
            Instant::from_secs(10),
            Some(55),
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(110)));
        assert!(p.handle_timeout(Instant::from_secs(110), None));
        assert_eq!(p.poll_timeout(), Some(Instant::from_secs(210)));
        p.set_config(
            PeriodicInformConfig {
                enable: false,
                ..p.config()
            },
            Instant::from_secs(111),
            None,
        );
        assert_eq!(p.poll_timeout(), None);
        assert!(!p.handle_timeout(Instant::MAX, None));
        p.set_config(cfg(0, PeriodicInformTime::Unknown), Instant::ZERO, None);
        assert_eq!(p.poll_timeout(), None);
    }

    #[test]
    fn periodic_time_from_datetime() {
        assert_eq!(
            PeriodicInformTime::from_datetime(&DateTime::UNKNOWN),
            PeriodicInformTime::Unknown
        );
        assert_eq!(
            PeriodicInformTime::from_datetime(&DateTime::relative(90)),
            PeriodicInformTime::SinceBoot(90)
        );
        assert_eq!(
            PeriodicInformTime::from_datetime(&DateTime::parse("1970-01-01T00:01:00Z").unwrap()),
            PeriodicInformTime::Absolute(60)
        );
    }

    #[test]
    fn periodic_extremes_never_panic() {
        for interval in [1, u32::MAX] {
            for t in [
                PeriodicInformTime::Absolute(i64::MIN),
                PeriodicInformTime::Absolute(i64::MAX),
                PeriodicInformTime::SinceBoot(u64::MAX),
                PeriodicInformTime::Unknown,
            ] {
                for now in [Instant::ZERO, Instant::MAX] {
                    let mut p =
                        PeriodicInform::new(cfg(interval, t), Instant::MAX, now, Some(i64::MIN));
                    let _ = p.handle_timeout(Instant::MAX, Some(i64::MAX));
                    assert!(p.poll_timeout().is_some());
                }
            }
        }
    }

    #[test]
    fn schedule_inform_rules() {
        let mut q = ScheduleInformQueue::<3>::new();
        let now = Instant::from_secs(100);
        assert_eq!(
            q.schedule(now, None, 0, "a"),
            Err(ScheduleInformError::InvalidDelay)
        );
        assert_eq!(ScheduleInformError::InvalidDelay.fault_code(), 9003);
        q.schedule(now, None, 60, "a").unwrap();
        q.schedule(now, None, 30, "").unwrap();
        q.schedule(now, None, 40, "").unwrap();
        // Same non-empty key: update, no new entry.
        q.schedule(now, None, 10, "a").unwrap();
        assert_eq!(q.len(), 3);
        assert_eq!(q.poll_timeout(), Some(Instant::from_secs(110)));
        assert_eq!(
            q.schedule(now, None, 5, "b"),
            Err(ScheduleInformError::QueueFull)
        );
        assert_eq!(ScheduleInformError::QueueFull.fault_code(), 9004);
        // Empty keys never merge.
        assert_eq!(
            q.schedule(now, None, 5, ""),
            Err(ScheduleInformError::QueueFull)
        );
        assert_eq!(
            q.schedule(now, None, 5, "123456789012345678901234567890123"),
            Err(ScheduleInformError::CommandKeyTooLong)
        );

        let mut ev = EventQueue::<64>::new();
        assert_eq!(q.fire_due(Instant::from_secs(109), &mut ev), Ok(0));
        assert_eq!(q.fire_due(Instant::from_secs(135), &mut ev), Ok(2));
        let got: Vec<(std::string::String, std::string::String)> = ev
            .iter()
            .map(|e| (e.code().as_str().into(), e.command_key().into()))
            .collect();
        assert_eq!(
            got,
            [
                ("3 SCHEDULED".into(), "".into()),
                ("M ScheduleInform".into(), "a".into()),
                ("M ScheduleInform".into(), "".into())
            ]
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q.poll_timeout(), Some(Instant::from_secs(140)));
    }

    #[test]
    fn schedule_inform_absolute_time_and_restore() {
        let mut q = ScheduleInformQueue::<3>::new();
        q.schedule(Instant::from_secs(10), None, 100, "x").unwrap();
        assert_eq!(q.iter().next().unwrap().due_unix(), None);
        // The wall clock arrives 10 s later: the entry gets an absolute deadline.
        q.on_clock_change(Instant::from_secs(20), Some(5_000));
        assert_eq!(q.iter().next().unwrap().due_unix(), Some(5_090));
        // After a reboot: restored without a clock, it waits; with the clock it is re-mapped.
        let mut r = ScheduleInformQueue::<3>::new();
        r.restore(Instant::ZERO, None, "x", 5_090).unwrap();
        assert_eq!(r.poll_timeout(), Some(Instant::MAX));
        r.on_clock_change(Instant::from_secs(3), Some(5_080));
        assert_eq!(r.poll_timeout(), Some(Instant::from_secs(13)));
        // A deadline that passed while off fires at once.
        let mut r = ScheduleInformQueue::<3>::new();
        r.restore(Instant::from_secs(1), Some(6_000), "x", 5_090)
            .unwrap();
        assert_eq!(r.poll_timeout(), Some(Instant::from_secs(1)));
    }
}
