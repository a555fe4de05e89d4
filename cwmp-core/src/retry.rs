//! Session Retry Policy (§3.2.1.1, Table 3): the random wait before retrying a failed Session, and
//! the retry count reported in Inform `RetryCount`.
//!
//! For post-reboot retry number n ≥ 1 and e = min(n, 10), the wait is drawn uniformly from
//! `m·(k/1000)^(e−1) ..= m·(k/1000)^e` seconds, where m is `CWMPRetryMinimumWaitInterval` (default
//! 5) and k is `CWMPRetryIntervalMultiplier` (default 2000). With the defaults: #1 5–10 s, #2 10–20 s,
//! … #10 and later 2560–5120 s.
//!
//! ## How this module reads §3.2.1.1
//!
//! The text keeps two counts apart, and so does [`RetryState`]:
//!
//! * the **session retry count**, reported in every Inform as `RetryCount` ("Regardless of the
//!   reason a previous Session failed … the CPE MUST communicate … the session retry count"). It is
//!   0 if and only if the previous Session succeeded (§A.3.3.1), so it survives a reboot: it goes
//!   into the persistent record, and only a successful Session resets it;
//! * the **post-reboot** session retry count, which picks the Table 3 row: "When retrying a failed
//!   Session after an intervening reboot, the CPE MUST reset the wait intervals it chooses from as
//!   though it were making its first session retry attempt". [`RetryState::on_reboot`] resets it.
//!
//! A new event during the wait starts the retry at once ("after waiting … or when a new event
//! occurs, whichever comes first"), and "it does not reset the wait interval": that early retry is a
//! retry like any other, so both counts keep growing when it fails ([`RetryState::on_new_event`]).
//!
//! All arithmetic is integer fixed point (Q32 factor in a `u128`, saturating), so any m and k,
//! however extreme, give a finite window and never panic. The text gives no range for m or k
//! (TR-181 bounds them to 1..=65535 and 1000..=65535); a k below 1000 would make the window shrink,
//! and the bounds are then swapped so the window is still `min..=max`.

use crate::rng::{uniform_inclusive, Rng};
use crate::time::{Duration, Instant};

/// Table 3: rows past the tenth use the tenth row's range.
const MAX_EXPONENT: u32 = 10;
/// Fraction bits of the fixed-point factor.
const FRAC_BITS: u32 = 32;
/// Cap for the factor (k/1000)^e in Q32: 2^96, i.e. a factor of 2^64, beyond which any m ≥ 1 gives
/// a window that saturates `u64` milliseconds anyway.
const FACTOR_CAP: u128 = 1 << 96;

/// The two Table 3 parameters (§3.2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryPolicy {
    /// m, `ManagementServer.CWMPRetryMinimumWaitInterval`, in seconds (factory default 5).
    pub minimum_wait_interval: u32,
    /// k, `ManagementServer.CWMPRetryIntervalMultiplier`, in thousandths (factory default 2000,
    /// meaning ×2.000).
    pub interval_multiplier: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::FACTORY_DEFAULT
    }
}

impl RetryPolicy {
    /// The factory defaults, m = 5 s and k = 2000 (§3.2.1.1: MUST be the factory defaults).
    pub const FACTORY_DEFAULT: RetryPolicy = RetryPolicy {
        minimum_wait_interval: 5,
        interval_multiplier: 2000,
    };

    /// (k/1000)^e as Q32 fixed point, capped at [`FACTOR_CAP`].
    fn factor(&self, e: u32) -> u128 {
        let k = u128::from(self.interval_multiplier);
        let mut f: u128 = 1 << FRAC_BITS;
        for _ in 0..e {
            f = (f.saturating_mul(k) / 1000).min(FACTOR_CAP);
        }
        f
    }

    /// m·(k/1000)^e in milliseconds, saturating at `u64::MAX`.
    fn scaled_millis(&self, e: u32) -> u64 {
        let m_ms = u128::from(self.minimum_wait_interval).saturating_mul(1000);
        let v = m_ms.saturating_mul(self.factor(e)) >> FRAC_BITS;
        u64::try_from(v).unwrap_or(u64::MAX)
    }

    /// The Table 3 wait range for post-reboot retry number `retry_count`, in milliseconds,
    /// `(min, max)` with `min <= max`. A count of 0 is treated as 1. Never panics.
    pub fn window_millis(&self, retry_count: u32) -> (u64, u64) {
        let e = retry_count.clamp(1, MAX_EXPONENT);
        let a = self.scaled_millis(e.saturating_sub(1));
        let b = self.scaled_millis(e);
        (a.min(b), a.max(b))
    }

    /// The Table 3 wait range for post-reboot retry number `retry_count`, in whole seconds
    /// (rounded down), `(min, max)`. A count of 0 is treated as 1. Never panics.
    pub fn window(&self, retry_count: u32) -> (u64, u64) {
        let (a, b) = self.window_millis(retry_count);
        (a / 1000, b / 1000)
    }

    /// A wait drawn uniformly (millisecond resolution) from [`RetryPolicy::window_millis`].
    /// Never panics.
    pub fn wait<R: Rng + ?Sized>(&self, retry_count: u32, rng: &mut R) -> Duration {
        let (a, b) = self.window_millis(retry_count);
        Duration::from_millis(uniform_inclusive(rng, a, b))
    }
}

/// The retry bookkeeping of a CPE (§3.2.1.1): the Inform `RetryCount`, the post-reboot count that
/// selects the Table 3 row, and the deadline of the next retry.
///
/// Life cycle: [`RetryState::on_session_started`] when a Session (first or retry) starts,
/// [`RetryState::on_session_succeeded`] or [`RetryState::on_session_failed`] when it ends,
/// [`RetryState::on_new_event`] when an event arrives while waiting, [`RetryState::poll_timeout`]
/// for the deadline, [`RetryState::on_reboot`] once at boot after restoring the persisted count.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryState {
    retry_count: u32,
    post_reboot_count: u32,
    next_retry: Option<Instant>,
    generation: u32,
}

impl Default for RetryState {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryState {
    /// No failed Session: `RetryCount` 0, nothing scheduled.
    pub const fn new() -> RetryState {
        RetryState {
            retry_count: 0,
            post_reboot_count: 0,
            next_retry: None,
            generation: 0,
        }
    }

    /// State after a reboot, from the persisted `RetryCount`: the count is kept, the Table 3 row goes
    /// back to #1, and no retry is scheduled (the boot Session starts at once).
    pub const fn restored(retry_count: u32) -> RetryState {
        RetryState {
            retry_count,
            post_reboot_count: 0,
            next_retry: None,
            generation: 0,
        }
    }

    /// The session retry count, for Inform `RetryCount` (§A.3.3.1): 0 if and only if the previous
    /// Session succeeded (or there was none). Persistent.
    pub const fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// The post-reboot retry count: the Table 3 row used for the last scheduled retry.
    pub const fn post_reboot_count(&self) -> u32 {
        self.post_reboot_count
    }

    /// `true` while the last Session failed and no Session has succeeded since.
    pub const fn is_retrying(&self) -> bool {
        self.retry_count > 0
    }

    /// The deadline of the scheduled retry, if one is waiting.
    pub const fn poll_timeout(&self) -> Option<Instant> {
        self.next_retry
    }

    /// `true` if a retry is scheduled and its deadline has come.
    pub fn is_due(&self, now: Instant) -> bool {
        self.next_retry.is_some_and(|t| t <= now)
    }

    /// Changes whenever the persistent part ([`RetryState::retry_count`]) changes (wrapping).
    pub const fn generation(&self) -> u32 {
        self.generation
    }

    /// A Session (first attempt or retry) has started: the scheduled retry, if any, is consumed.
    pub fn on_session_started(&mut self) {
        self.next_retry = None;
    }

    /// The Session terminated successfully (§3.7.1.4): the count goes back to 0 and retry scheduling
    /// ends.
    pub fn on_session_succeeded(&mut self) {
        if self.retry_count != 0 {
            self.generation = self.generation.wrapping_add(1);
        }
        self.retry_count = 0;
        self.post_reboot_count = 0;
        self.next_retry = None;
    }

    /// The Session failed: both counts go up by one (saturating) and the next retry is scheduled a
    /// random wait from now, from the Table 3 row of the post-reboot count. Returns the deadline.
    pub fn on_session_failed<R: Rng + ?Sized>(
        &mut self,
        now: Instant,
        policy: &RetryPolicy,
        rng: &mut R,
    ) -> Instant {
        self.retry_count = self.retry_count.saturating_add(1);
        self.post_reboot_count = self.post_reboot_count.saturating_add(1);
        self.generation = self.generation.wrapping_add(1);
        let at = now.saturating_add(policy.wait(self.post_reboot_count, rng));
        self.next_retry = Some(at);
        at
    }

    /// A new event occurred. If a retry is waiting, it becomes due now (the counts are untouched: a
    /// failure of this early retry moves on to the next Table 3 row). Returns `true` if a retry was
    /// brought forward.
    pub fn on_new_event(&mut self, now: Instant) -> bool {
        match self.next_retry {
            Some(t) if t > now => {
                self.next_retry = Some(now);
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// The CPE rebooted: the Table 3 row goes back to #1 and any scheduled retry is dropped (the
    /// boot Session, with `1 BOOT`, starts at once). The persistent `RetryCount` is kept.
    pub fn on_reboot(&mut self) {
        self.post_reboot_count = 0;
        self.next_retry = None;
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use proptest::prelude::*;

    #[test]
    fn defaults_give_table_3() {
        let p = RetryPolicy::default();
        let table = [
            (5, 10),
            (10, 20),
            (20, 40),
            (40, 80),
            (80, 160),
            (160, 320),
            (320, 640),
            (640, 1280),
            (1280, 2560),
            (2560, 5120),
        ];
        for (i, w) in table.iter().enumerate() {
            assert_eq!(p.window(i as u32 + 1), *w, "retry #{}", i + 1);
        }
        for n in [11, 12, 100, u32::MAX] {
            assert_eq!(p.window(n), (2560, 5120));
        }
        assert_eq!(p.window(0), (5, 10));
        assert_eq!(p.window_millis(1), (5000, 10_000));
    }

    #[test]
    fn other_parameters() {
        let p = RetryPolicy {
            minimum_wait_interval: 10,
            interval_multiplier: 1500,
        };
        assert_eq!(p.window(1), (10, 15));
        assert_eq!(p.window(2), (15, 22));
        assert_eq!(p.window_millis(2), (15_000, 22_500));
        // 10 · 1.5^9 = 384.43…, 10 · 1.5^10 = 576.65…
        assert_eq!(p.window(10), (384, 576));
        let one = RetryPolicy {
            minimum_wait_interval: 7,
            interval_multiplier: 1000,
        };
        assert_eq!(one.window(5), (7, 7));
        let zero = RetryPolicy {
            minimum_wait_interval: 0,
            interval_multiplier: 2000,
        };
        assert_eq!(zero.window(3), (0, 0));
        // A multiplier below 1000 shrinks the window: bounds are swapped.
        let shrink = RetryPolicy {
            minimum_wait_interval: 100,
            interval_multiplier: 500,
        };
        assert_eq!(shrink.window(1), (50, 100));
        let huge = RetryPolicy {
            minimum_wait_interval: u32::MAX,
            interval_multiplier: u32::MAX,
        };
        assert_eq!(huge.window_millis(10), (u64::MAX, u64::MAX));
    }

    #[test]
    fn wait_is_inside_the_window() {
        let p = RetryPolicy::default();
        let mut rng = SplitMix64::new(1);
        for n in 1..=12 {
            let (a, b) = p.window_millis(n);
            for _ in 0..50 {
                let w = p.wait(n, &mut rng).as_millis();
                assert!(a <= w && w <= b);
            }
        }
    }

    #[test]
    fn state_machine_reading_of_3_2_1_1() {
        let p = RetryPolicy::default();
        let mut rng = SplitMix64::new(9);
        let mut s = RetryState::new();
        let g0 = s.generation();
        assert_eq!(s.retry_count(), 0);
        assert_eq!(s.poll_timeout(), None);

        let t0 = Instant::from_secs(100);
        s.on_session_started();
        let d1 = s.on_session_failed(t0, &p, &mut rng);
        assert_eq!(s.retry_count(), 1);
        assert_ne!(s.generation(), g0);
        let w = d1 - t0;
        assert!((5_000..=10_000).contains(&w.as_millis()));
        assert!(!s.is_due(t0));
        assert!(s.is_due(d1));

        // A new event brings the retry forward without resetting the row.
        let t1 = t0 + Duration::from_secs(1);
        assert!(s.on_new_event(t1));
        assert_eq!(s.poll_timeout(), Some(t1));
        s.on_session_started();
        assert_eq!(s.poll_timeout(), None);
        assert!(!s.on_new_event(t1));
        let d2 = s.on_session_failed(t1, &p, &mut rng);
        assert_eq!(s.retry_count(), 2);
        assert!((10_000..=20_000).contains(&(d2 - t1).as_millis()));

        // A reboot keeps RetryCount, resets the row to #1.
        s.on_reboot();
        assert_eq!(s.retry_count(), 2);
        assert_eq!(s.post_reboot_count(), 0);
        assert_eq!(s.poll_timeout(), None);
        let d3 = s.on_session_failed(t1, &p, &mut rng);
        assert_eq!(s.retry_count(), 3);
        assert!((5_000..=10_000).contains(&(d3 - t1).as_millis()));

        // Persisted count restored after reboot behaves the same.
        let r = RetryState::restored(3);
        assert_eq!(r.retry_count(), 3);
        assert_eq!(r.post_reboot_count(), 0);
        assert!(r.is_retrying());

        let g = s.generation();
        s.on_session_succeeded();
        assert_eq!(s.retry_count(), 0);
        assert_eq!(s.poll_timeout(), None);
        assert_ne!(s.generation(), g);
        let g = s.generation();
        s.on_session_succeeded();
        assert_eq!(s.generation(), g, "no change, no new generation");
    }

    proptest! {
        #[test]
        fn extreme_parameters_never_panic(m in any::<u32>(), k in any::<u32>(), n in any::<u32>(), seed in any::<u64>()) {
            let p = RetryPolicy { minimum_wait_interval: m, interval_multiplier: k };
            let (a, b) = p.window_millis(n);
            prop_assert!(a <= b);
            let w = p.wait(n, &mut SplitMix64::new(seed)).as_millis();
            prop_assert!(a <= w && w <= b);
            let mut s = RetryState::restored(u32::MAX);
            let _ = s.on_session_failed(Instant::MAX, &p, &mut SplitMix64::new(seed));
            prop_assert_eq!(s.retry_count(), u32::MAX);
        }

        #[test]
        fn windows_match_exact_rationals(m in 0u32..=65_535, k in 1000u32..=4000, n in 1u32..=6) {
            // Exact value m·1000·(k/1000)^n in ms as a u128 rational (fits for n ≤ 6).
            let p = RetryPolicy { minimum_wait_interval: m, interval_multiplier: k };
            let num = u128::from(m) * 1000 * u128::from(k).pow(n);
            let exact = num / 1000u128.pow(n);
            let (_, b) = p.window_millis(n);
            // Q32 truncation: relative error below n·2^-32, plus the final rounding down.
            prop_assert!(exact >= u128::from(b));
            prop_assert!(exact - u128::from(b) <= exact / 100_000_000 + 1, "{} vs {}", exact, b);
        }
    }
}
