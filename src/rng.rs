//! The one source of randomness: every random draw in sgn-lab comes from a [`SeededRng`]
//! built from a user-visible `u64` seed, so the same seed gives the same numbers natively and
//! in the browser (ChaCha12 through `rand::rngs::StdRng`, which is platform independent for a
//! fixed `rand` version; `rand` is pinned in `Cargo.lock`).

use rand::SeedableRng;

/// The project's RNG type.
pub type SeededRng = rand::rngs::StdRng;

/// An RNG seeded from a user-visible seed.
pub fn seeded(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}

/// An independent stream derived from `seed` for the purpose `stream` (e.g. data shuffling vs.
/// weight init), so that changing how many draws one part makes never shifts another part's numbers.
/// The derivation is SplitMix64 of `seed ⊕ stream·φ`.
pub fn substream(seed: u64, stream: u64) -> SeededRng {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    seeded(z)
}

/// Stream id of the replicate seeds.
const REPLICATE_STREAM: u64 = 0x5245_504c;

/// The seed of replicate `r` of a run with seed `seed`: replicate 0 is the run's own seed (one
/// replicate is the run as before); replicate r ≥ 1 is SplitMix64 of `seed ⊕ (stream + r)·φ`,
/// cut to 53 bits so a page (JS numbers) holds it exactly. Derived rather than `seed + r`, so
/// the replicates of seed 0 are not the runs of seeds 1, 2, ….
pub fn replicate_seed(seed: u64, r: usize) -> u64 {
    if r == 0 {
        return seed;
    }
    let mut z = seed
        ^ REPLICATE_STREAM
            .wrapping_add(r as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & ((1 << 53) - 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn replicate_seeds_are_distinct_and_fit_a_js_number() {
        use super::replicate_seed;
        assert_eq!(replicate_seed(7, 0), 7);
        let s: Vec<u64> = (0..50).map(|r| replicate_seed(0, r)).collect();
        let mut u = s.clone();
        u.sort_unstable();
        u.dedup();
        assert_eq!(u.len(), 50);
        assert!(s.iter().all(|&x| x < 1 << 53));
        // Not the neighbouring seeds: replicate 1 of seed 0 is not seed 1.
        assert_ne!(replicate_seed(0, 1), 1);
    }

    use super::*;
    use rand::RngExt;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = seeded(7);
                move |_| r.random()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = seeded(7);
                move |_| r.random()
            })
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn substreams_differ() {
        let a: u64 = substream(7, 1).random();
        let b: u64 = substream(7, 2).random();
        assert_ne!(a, b);
    }
}
