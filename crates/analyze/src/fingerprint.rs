//! Near-duplicate fingerprints: word shingles, MinHash, and an exact hash.
//!
//! Shingles are runs of [`SHINGLE_LEN`] consecutive match keys (normalized
//! *and* stemmed tokens). Stemmed keys let a copy that only adds or drops a
//! clitic ("والرئيس" for "الرئيس") keep its shingles, which matters for the
//! way Arabic outlets lightly rewrite wire copy. Four words rather than five:
//! every edited word breaks `k` shingles, so a smaller `k` tolerates the
//! small edits between outlets better, while four-stem runs are still rare
//! enough that unrelated articles share few.

use xxhash_rust::xxh3::xxh3_64;

/// Words per shingle.
pub const SHINGLE_LEN: usize = 4;

/// Number of hash functions, hence of `u32` values, in a signature. With 128
/// values the Jaccard estimate has a standard error of about 0.04 near 0.5.
pub const MINHASH_LEN: usize = 128;

/// Seed of the hash family. The coefficients derive from it, so changing it
/// (or [`MINHASH_LEN`]) makes every stored signature incomparable.
const FAMILY_SEED: u64 = 0x616a_696c_6d68_0001;

/// `splitmix64`, used to expand the seed into hash coefficients.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `(a, b)` coefficients of the multiply-add-shift family
/// `h(x) = (a·x + b) >> 32`, with `a` odd; computed once.
fn family() -> &'static [(u64, u64); MINHASH_LEN] {
    static FAMILY: std::sync::OnceLock<[(u64, u64); MINHASH_LEN]> = std::sync::OnceLock::new();
    FAMILY.get_or_init(|| {
        let mut state = FAMILY_SEED;
        std::array::from_fn(|_| (splitmix64(&mut state) | 1, splitmix64(&mut state)))
    })
}

/// The 64-bit hashes of the shingles of `keys`; a text shorter than a
/// shingle gives one shingle of all its words, an empty one gives none.
pub fn shingle_hashes(keys: &[String]) -> Vec<u64> {
    if keys.is_empty() {
        return Vec::new();
    }
    let k = SHINGLE_LEN.min(keys.len());
    let mut buf = String::new();
    keys.windows(k)
        .map(|window| {
            buf.clear();
            for (i, key) in window.iter().enumerate() {
                if i > 0 {
                    // A separator no key contains, so ("ab","c") ≠ ("a","bc").
                    buf.push('\u{1F}');
                }
                buf.push_str(key);
            }
            xxh3_64(buf.as_bytes())
        })
        .collect()
}

/// The MinHash signature of a set of shingle hashes: for each of
/// [`MINHASH_LEN`] hash functions, the least value over the set. Empty input
/// gives an empty signature, which resembles nothing.
pub fn minhash(shingles: &[u64]) -> Vec<u32> {
    if shingles.is_empty() {
        return Vec::new();
    }
    family()
        .iter()
        .map(|&(a, b)| {
            shingles
                .iter()
                .map(|&x| (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// Estimated Jaccard similarity of the shingle sets behind two signatures:
/// the share of positions where they agree. Signatures of different lengths
/// or empty ones give 0.
///
/// ```
/// use ajil_analyze::{Analyzer, jaccard_estimate};
/// let analyzer = Analyzer::new();
/// let text = "قال وزير الخارجية الروسي سيرغي لافروف إن المحادثات في إسطنبول كانت مثمرة";
/// let a = analyzer.analyze("", text, Some("ar"));
/// let b = analyzer.analyze("", &format!("{text} وبناءة"), Some("ar"));
/// assert!(jaccard_estimate(&a.minhash, &b.minhash) > 0.7);
/// ```
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

/// A stable 64-bit hash of normalized text, for exact-copy detection.
/// xxh3 is a fixed, documented algorithm, so stored values stay valid.
pub fn content_hash(normalized: &str) -> u64 {
    xxh3_64(normalized.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn identical_sets_agree_and_disjoint_ones_do_not() {
        let a = minhash(&shingle_hashes(&keys("a b c d e f g h i j")));
        let b = minhash(&shingle_hashes(&keys("a b c d e f g h i j")));
        let c = minhash(&shingle_hashes(&keys("k l m n o p q r s t")));
        assert_eq!(a.len(), MINHASH_LEN);
        assert_eq!(jaccard_estimate(&a, &b), 1.0);
        assert!(jaccard_estimate(&a, &c) < 0.1);
    }

    #[test]
    fn estimate_tracks_true_jaccard() {
        // 100 words, the second text changes the last 20: of 97 shingles
        // each, 77 are shared, so J = 77 / 117 ≈ 0.66.
        let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let mut changed = words.clone();
        for w in &mut changed[80..] {
            w.push('x');
        }
        let a = minhash(&shingle_hashes(&words));
        let b = minhash(&shingle_hashes(&changed));
        let est = jaccard_estimate(&a, &b);
        assert!((est - 77.0 / 117.0).abs() < 0.15, "{est}");
    }

    #[test]
    fn signature_is_the_least_value_of_each_function() {
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let shingles = shingle_hashes(&words);
        let expected: Vec<u32> = family()
            .iter()
            .map(|&(a, b)| {
                shingles
                    .iter()
                    .map(|&x| (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32)
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        assert_eq!(minhash(&shingles), expected);
        // Pinned values: a stored signature must stay comparable with new ones.
        assert_eq!(expected[..2], [64_628_239, 233_304_621]);
    }

    #[test]
    fn short_and_empty_texts() {
        assert_eq!(shingle_hashes(&keys("a b")).len(), 1);
        assert!(minhash(&[]).is_empty());
        assert_eq!(jaccard_estimate(&[], &[]), 0.0);
        assert_eq!(jaccard_estimate(&[1, 2], &[1]), 0.0);
    }

    #[test]
    fn shingle_boundaries_matter() {
        assert_ne!(
            shingle_hashes(&keys("ab c d e")),
            shingle_hashes(&keys("a bc d e"))
        );
    }
}
