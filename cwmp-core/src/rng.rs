//! Randomness supplied by the caller (DESIGN §3): the [`Rng`] trait, and [`SplitMix64`], a small
//! deterministic generator for tests and for firmware without a hardware RNG.
//!
//! The machines need randomness for the retry wait (§3.2.1.1 "randomly selecting") and, elsewhere,
//! for nonces and cnonces. A firmware with a TRNG implements [`Rng`] over it; tests use a seeded
//! [`SplitMix64`] so every run is reproducible.

/// A source of random numbers, implemented by the caller.
pub trait Rng {
    /// The next 32 random bits.
    fn next_u32(&mut self) -> u32;

    /// Fills `dest` with random bytes. The default implementation draws from [`Rng::next_u32`].
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            for (d, s) in chunk.iter_mut().zip(word) {
                *d = s;
            }
        }
    }

    /// The next 64 random bits, from two [`Rng::next_u32`] calls.
    fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }
}

impl<R: Rng + ?Sized> Rng for &mut R {
    fn next_u32(&mut self) -> u32 {
        (**self).next_u32()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        (**self).fill_bytes(dest);
    }
    fn next_u64(&mut self) -> u64 {
        (**self).next_u64()
    }
}

/// A uniformly distributed number in `low..=high` (the bounds in either order), by Lemire's
/// multiply-shift; the bias is below 2⁻³² for any span under 2³². Never panics, never loops.
pub fn uniform_inclusive<R: Rng + ?Sized>(rng: &mut R, low: u64, high: u64) -> u64 {
    let (lo, hi) = if low <= high {
        (low, high)
    } else {
        (high, low)
    };
    let span = hi.saturating_sub(lo);
    let x = rng.next_u64();
    let Some(count) = span.checked_add(1) else {
        return x; // the full u64 range
    };
    let scaled = u128::from(x).saturating_mul(u128::from(count));
    let offset = u64::try_from(scaled.checked_shr(64).unwrap_or(0)).unwrap_or(0);
    lo.saturating_add(offset)
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast, **non-cryptographic** generator.
///
/// Good for retry jitter and for tests; never use it for secrets (digest cnonces, connection-request
/// nonces) unless the seed itself comes from a true random source and the output cannot be observed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`; equal seeds give equal sequences.
    pub const fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 bits.
    fn step(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Rng for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        // The high half: the better-mixed bits.
        u32::try_from(self.step() >> 32).unwrap_or(0)
    }
    fn next_u64(&mut self) -> u64 {
        self.step()
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

    struct Constant(u32);
    impl Rng for Constant {
        fn next_u32(&mut self) -> u32 {
            self.0
        }
    }

    #[test]
    fn splitmix_reference_values() {
        // Reference output of SplitMix64 seeded with 0 (as in the paper's C code).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn fill_bytes_covers_odd_lengths() {
        let mut r = SplitMix64::new(7);
        let mut buf = [0u8; 7];
        r.fill_bytes(&mut buf);
        assert!(buf.iter().any(|b| *b != 0));
        let mut c = Constant(0x0403_0201);
        let mut buf = [0u8; 6];
        c.fill_bytes(&mut buf);
        assert_eq!(buf, [1, 2, 3, 4, 1, 2]);
    }

    #[test]
    fn uniform_stays_in_bounds() {
        let mut r = SplitMix64::new(42);
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..2000 {
            let v = uniform_inclusive(&mut r, 10, 13);
            assert!((10..=13).contains(&v));
            seen_low |= v == 10;
            seen_high |= v == 13;
        }
        assert!(seen_low && seen_high);
        assert_eq!(uniform_inclusive(&mut r, 5, 5), 5);
        assert!((3..=9).contains(&uniform_inclusive(&mut r, 9, 3)));
        // Extreme generators stay in range too.
        assert_eq!(uniform_inclusive(&mut Constant(0), 100, 200), 100);
        assert_eq!(uniform_inclusive(&mut Constant(u32::MAX), 100, 200), 200);
        let _ = uniform_inclusive(&mut Constant(u32::MAX), 0, u64::MAX);
    }
}
