//! The one way pathconf derives a seed from a base seed and a position
//! (question index, draw index, repeat, …): SplitMix64's finaliser
//! (Steele, Lea and Flood, OOPSLA 2014) folded over the keys.
//!
//! `derive(base, &[q, d])` differs from `derive(base, &[d, q])` and from
//! `derive(base, &[q])`: each key is mixed in turn, so seeds of different
//! positions are unrelated however close their indices. The request seeds
//! `pathconf sample --endpoint` sends are `derive(--seed, &[question, draw])`:
//! a resumed run sends each draw the seed an uninterrupted run sent it.
//!
//! A site that needs seeds of its own leads its keys with a [`tag`] (a hash of
//! its name), so two sites given the same `--seed` and the same indices still
//! draw unrelated streams: `derive(seed, &[tag("stopping/synthetic"), s, r])`.
//! Within one Monte Carlo run, batch `b` is the position `[b]`
//! ([`crate::montecarlo::in_batches`]).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64's output function: a bijection of `u64` with full avalanche.
pub fn mix(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of position `keys` under `base`.
///
/// ```
/// use pathconf_core::seed::derive;
/// assert_ne!(derive(7, &[1, 2]), derive(7, &[2, 1]));
/// assert_ne!(derive(7, &[1]), derive(7, &[1, 0]));
/// assert_eq!(derive(7, &[1, 2]), derive(7, &[1, 2]));
/// ```
pub fn derive(base: u64, keys: &[u64]) -> u64 {
    keys.iter().fold(mix(base), |h, &k| mix(h ^ mix(k)))
}

/// A `ChaCha8Rng` seeded with [`derive`]`(base, keys)`.
pub fn rng(base: u64, keys: &[u64]) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive(base, keys))
}

/// A site's key: the 64-bit FNV-1a hash of its name (a `const fn`, so a
/// tag can be a constant).
///
/// ```
/// use pathconf_core::seed::tag;
/// const SYNTHETIC: u64 = tag("stopping/synthetic");
/// assert_ne!(SYNTHETIC, tag("stopping/transformer"));
/// assert_eq!(tag(""), 0xcbf2_9ce4_8422_2325);
/// ```
pub const fn tag(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// [`derive`] as a seed for JSON APIs: 53 bits at most, since some servers
/// parse a request's `seed` as a double (or as an `i64`).
pub fn derive_json(base: u64, keys: &[u64]) -> u64 {
    derive(base, keys) >> 11
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_positions_get_unrelated_seeds() {
        // 64 × 64 positions: all distinct, and about half the bits differ
        // between neighbours (an avalanche check, not a statistical test).
        let mut all: Vec<u64> = (0..64).flat_map(|q| (0..64).map(move |d| derive(1, &[q, d]))).collect();
        let flips = (0..63u64).map(|d| (derive(1, &[0, d]) ^ derive(1, &[0, d + 1])).count_ones()).sum::<u32>() as f64 / 63.0;
        assert!((24.0..40.0).contains(&flips), "{flips}");
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 64 * 64);
        assert!(derive_json(u64::MAX, &[3]) < 1 << 53);
    }

    #[test]
    fn fnv1a_test_vectors() {
        // From the FNV reference (Fowler, Noll, Vo; draft-eastlake-fnv).
        assert_eq!(tag("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(tag("foobar"), 0x8594_4171_f739_67e8);
    }
}
