//! Property: for any message (every type of Annex A, generated through the `arbitrary`
//! feature from proptest's random bytes), `decode(encode(x)) == x` and `encoded_len(x)` is the
//! number of bytes `encode` writes; the output is canonical (re-encoding gives the same bytes)
//! and conforms (no schema deviation); and writing through a 512-byte buffer gives the same
//! bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use arbitrary::{Arbitrary, Unstructured};
use cwmp_codec::{decode, Envelope};
use proptest::prelude::*;

/// An `embedded_io::Write` that accepts at most 512 bytes per call, like a socket behind a
/// small buffer.
struct Chunked(Vec<u8>);

impl embedded_io::ErrorType for Chunked {
    type Error = std::convert::Infallible;
}

impl embedded_io::Write for Chunked {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(512);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn check(data: &[u8]) -> Result<(), TestCaseError> {
    let mut u = Unstructured::new(data);
    let Ok(env) = Envelope::arbitrary(&mut u) else {
        return Ok(());
    };
    let mut out = Vec::new();
    env.encode(&mut out).unwrap();
    prop_assert_eq!(env.encoded_len().unwrap(), out.len());
    let back = decode(&out)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&out))))?;
    prop_assert_eq!(
        back.schema_deviation,
        None,
        "{}",
        String::from_utf8_lossy(&out)
    );
    prop_assert_eq!(&back, &env, "{}", String::from_utf8_lossy(&out));
    let mut again = Vec::new();
    back.encode(&mut again).unwrap();
    prop_assert_eq!(&again, &out);
    let mut chunked = Chunked(Vec::new());
    env.encode(&mut chunked).unwrap();
    prop_assert_eq!(chunked.0, out);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decode_of_encode_is_identity(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(&data)?;
    }
}

#[test]
fn every_method_is_generated() {
    // The generator reaches every Body variant (a guard against a property that only ever
    // sees a few message types).
    let mut seen = std::collections::BTreeSet::new();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        let data: Vec<u8> = (0..256)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        if let Ok(env) = Envelope::arbitrary(&mut Unstructured::new(&data)) {
            seen.insert(env.body.method_name().to_string());
        }
    }
    assert_eq!(seen.len(), 55, "{seen:?}");
}
