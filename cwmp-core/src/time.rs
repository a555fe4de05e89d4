//! Monotonic time for the sans-IO machines: [`Instant`] and [`Duration`], both whole milliseconds
//! in a `u64`.
//!
//! The caller reads its own clock (a hardware timer, `std::time::Instant`, an RTOS tick) and passes
//! the current [`Instant`] to every `handle_*`/`poll_*` call, as in smoltcp and quinn-proto. The epoch
//! is the caller's (typically boot); only differences matter. Every operation is checked or
//! saturating: nothing here panics, a `u64` of milliseconds lasts 584 million years.

use core::fmt;
use core::ops::{Add, Sub};

/// A span of time in whole milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Duration {
    millis: u64,
}

impl Duration {
    /// No time.
    pub const ZERO: Duration = Duration { millis: 0 };
    /// The longest duration.
    pub const MAX: Duration = Duration { millis: u64::MAX };

    /// `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Duration {
        Duration { millis }
    }

    /// `secs` seconds, saturating at [`Duration::MAX`].
    pub const fn from_secs(secs: u64) -> Duration {
        Duration {
            millis: secs.saturating_mul(1000),
        }
    }

    /// Whole milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.millis / 1000
    }

    /// Sum, or `None` on overflow.
    pub const fn checked_add(self, other: Duration) -> Option<Duration> {
        match self.millis.checked_add(other.millis) {
            Some(millis) => Some(Duration { millis }),
            None => None,
        }
    }

    /// Sum, saturating at [`Duration::MAX`].
    pub const fn saturating_add(self, other: Duration) -> Duration {
        Duration {
            millis: self.millis.saturating_add(other.millis),
        }
    }

    /// Difference, or `None` if `other` is longer.
    pub const fn checked_sub(self, other: Duration) -> Option<Duration> {
        match self.millis.checked_sub(other.millis) {
            Some(millis) => Some(Duration { millis }),
            None => None,
        }
    }

    /// Difference, saturating at [`Duration::ZERO`].
    pub const fn saturating_sub(self, other: Duration) -> Duration {
        Duration {
            millis: self.millis.saturating_sub(other.millis),
        }
    }

    /// Product, saturating at [`Duration::MAX`].
    pub const fn saturating_mul(self, factor: u64) -> Duration {
        Duration {
            millis: self.millis.saturating_mul(factor),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.millis / 1000, self.millis % 1000)
    }
}

/// A point on the caller's monotonic clock, in milliseconds since the caller's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Instant {
    millis: u64,
}

impl Instant {
    /// The epoch.
    pub const ZERO: Instant = Instant { millis: 0 };
    /// The last representable instant ("never", for deadlines).
    pub const MAX: Instant = Instant { millis: u64::MAX };

    /// `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: u64) -> Instant {
        Instant { millis }
    }

    /// `secs` seconds after the epoch, saturating.
    pub const fn from_secs(secs: u64) -> Instant {
        Instant {
            millis: secs.saturating_mul(1000),
        }
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.millis / 1000
    }

    /// `self + d`, or `None` past [`Instant::MAX`].
    pub const fn checked_add(self, d: Duration) -> Option<Instant> {
        match self.millis.checked_add(d.as_millis()) {
            Some(millis) => Some(Instant { millis }),
            None => None,
        }
    }

    /// `self + d`, saturating at [`Instant::MAX`].
    pub const fn saturating_add(self, d: Duration) -> Instant {
        Instant {
            millis: self.millis.saturating_add(d.as_millis()),
        }
    }

    /// `self - d`, or `None` before the epoch.
    pub const fn checked_sub(self, d: Duration) -> Option<Instant> {
        match self.millis.checked_sub(d.as_millis()) {
            Some(millis) => Some(Instant { millis }),
            None => None,
        }
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub const fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        match self.millis.checked_sub(earlier.millis) {
            Some(millis) => Some(Duration { millis }),
            None => None,
        }
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration {
            millis: self.millis.saturating_sub(earlier.millis),
        }
    }
}

/// Saturating: `Instant::MAX + d == Instant::MAX`. Never panics.
impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        self.saturating_add(d)
    }
}

/// Saturating at the epoch. Never panics.
impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant {
            millis: self.millis.saturating_sub(d.as_millis()),
        }
    }
}

/// Saturating: the duration from the right-hand instant, zero if it is later. Never panics.
impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

/// Saturating. Never panics.
impl Add<Duration> for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        self.saturating_add(d)
    }
}

/// Saturating at zero. Never panics.
impl Sub<Duration> for Duration {
    type Output = Duration;
    fn sub(self, d: Duration) -> Duration {
        self.saturating_sub(d)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", Duration::from_millis(self.millis))
    }
}

/// The monotonic instant of Unix time `t` (seconds), knowing that `now` is Unix time `unix_now`.
/// Times already past map to `now`.
pub(crate) fn instant_for_unix(now: Instant, unix_now: i64, t: i64) -> Instant {
    let secs = t.saturating_sub(unix_now);
    if secs <= 0 {
        now
    } else {
        now.saturating_add(Duration::from_secs(secs.unsigned_abs()))
    }
}

/// The Unix time (seconds, rounded down) of instant `at`, knowing that `now` is Unix time
/// `unix_now`. Instants already past map to `unix_now`.
pub(crate) fn unix_for_instant(now: Instant, unix_now: i64, at: Instant) -> i64 {
    let secs = at.saturating_duration_since(now).as_secs();
    unix_now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn conversions() {
        assert_eq!(Duration::from_secs(5).as_millis(), 5000);
        assert_eq!(Duration::from_millis(5999).as_secs(), 5);
        assert_eq!(Duration::from_secs(u64::MAX), Duration::MAX);
        assert_eq!(Instant::from_secs(2).as_millis(), 2000);
        assert_eq!(Instant::from_millis(2500).as_secs(), 2);
        assert_eq!(Duration::from_millis(1500).to_string(), "1.500s");
        assert_eq!(Instant::from_millis(12).to_string(), "@0.012s");
    }

    #[test]
    fn unix_mapping() {
        let now = Instant::from_secs(10);
        assert_eq!(instant_for_unix(now, 1000, 1030), Instant::from_secs(40));
        assert_eq!(instant_for_unix(now, 1000, 900), now);
        assert_eq!(instant_for_unix(now, i64::MIN, i64::MAX), Instant::MAX);
        assert_eq!(unix_for_instant(now, 1000, Instant::from_secs(40)), 1030);
        assert_eq!(unix_for_instant(now, 1000, Instant::ZERO), 1000);
        assert_eq!(unix_for_instant(now, i64::MAX, Instant::MAX), i64::MAX);
    }

    #[test]
    fn saturating_and_checked() {
        let t = Instant::from_millis(10);
        assert_eq!(t + Duration::from_millis(5), Instant::from_millis(15));
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::MAX.checked_add(Duration::from_millis(1)), None);
        assert_eq!(t - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(t.checked_sub(Duration::from_millis(11)), None);
        assert_eq!(t - Instant::from_millis(20), Duration::ZERO);
        assert_eq!(t.checked_duration_since(Instant::from_millis(20)), None);
        assert_eq!(
            Instant::from_millis(20).checked_duration_since(t),
            Some(Duration::from_millis(10))
        );
        assert_eq!(Duration::MAX + Duration::from_millis(1), Duration::MAX);
        assert_eq!(Duration::ZERO - Duration::from_millis(1), Duration::ZERO);
        assert_eq!(Duration::MAX.checked_add(Duration::from_millis(1)), None);
        assert_eq!(Duration::ZERO.checked_sub(Duration::from_millis(1)), None);
        assert_eq!(Duration::MAX.saturating_mul(2), Duration::MAX);
        assert_eq!(Duration::from_millis(3).saturating_mul(2).as_millis(), 6);
    }
}
