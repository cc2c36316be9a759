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

/// Number of `u32` values in a signature. With 128 values the Jaccard
/// estimate has a standard error of about 0.04 near 0.5.
pub const MINHASH_LEN: usize = 128;

/// What a signature means. Signatures of different versions must never be
/// compared: a stored one whose version is not this one is recomputed from
/// its keys ([`signature_of_keys`]). Version 1 took the least of 128
/// multiply-shift hashes per value; version 2 is one-permutation hashing with
/// optimal densification.
pub const MINHASH_VERSION: u32 = 2;

/// Seed of the shingle hash; changing it makes every stored signature
/// incomparable (bump [`MINHASH_VERSION`]).
const FAMILY_SEED: u64 = 0x616a_696c_6d68_0002;

/// Seed of the densification probes (see [`minhash`]).
const PROBE_SEED: u64 = 0x616a_696c_6470_0002;

/// The bin of a hash is its top bits: `MINHASH_LEN` is a power of two.
const BIN_SHIFT: u32 = 64 - MINHASH_LEN.trailing_zeros();

/// The `splitmix64` finalizer: a fixed bijection of `u64` whose output bits
/// all depend on every input bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit hashes of the shingles of `keys`; a text shorter than a
/// shingle gives one shingle of all its words, an empty one gives none.
///
/// Each key is hashed once and a shingle's hash combines its keys' hashes in
/// order, so ("ab","c") ≠ ("a","bc") and ("a","b") ≠ ("b","a").
pub fn shingle_hashes<S: AsRef<str>>(keys: &[S]) -> Vec<u64> {
    if keys.is_empty() {
        return Vec::new();
    }
    let k = SHINGLE_LEN.min(keys.len());
    let key_hashes: Vec<u64> = keys
        .iter()
        .map(|key| xxh3_64(key.as_ref().as_bytes()))
        .collect();
    key_hashes
        .windows(k)
        .map(|window| {
            let mut h = FAMILY_SEED;
            for &key in window {
                h = mix64(h ^ key);
            }
            h
        })
        .collect()
}

/// The MinHash signature of a set of shingle hashes, by one-permutation
/// hashing with optimal densification (Shrivastava, ICML 2017): each hash
/// falls in one of [`MINHASH_LEN`] bins by its top bits and each bin keeps
/// the least low 32 bits it saw; an empty bin copies the bin that a fixed
/// probe sequence, the same for every set, finds non-empty first. Two
/// signatures then agree in each position with probability the Jaccard
/// similarity of the sets, as with 128 independent hash functions, for one
/// hash per shingle instead of 128. Empty input gives an empty signature,
/// which resembles nothing.
pub fn minhash(shingles: &[u64]) -> Vec<u32> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let mut sig = [u32::MAX; MINHASH_LEN];
    let mut filled = 0u128;
    for &x in shingles {
        // Shingle hashes are already well mixed; hashing again keeps the bins
        // uniform whatever produced them.
        let h = mix64(x);
        let bin = (h >> BIN_SHIFT) as usize;
        sig[bin] = sig[bin].min(h as u32);
        filled |= 1 << bin;
    }
    if filled != u128::MAX {
        let full = sig;
        for (bin, value) in sig.iter_mut().enumerate() {
            if filled & (1 << bin) != 0 {
                continue;
            }
            // Some bin is filled, so the probes end; each try finds one with
            // probability (filled bins) / MINHASH_LEN.
            for attempt in 0u64.. {
                let probe = mix64(PROBE_SEED ^ (((bin as u64) << 32) | attempt));
                let from = (probe >> BIN_SHIFT) as usize;
                if filled & (1 << from) != 0 {
                    *value = full[from];
                    break;
                }
            }
        }
    }
    sig.to_vec()
}

/// The signature of an analysis from its keys: over the body's shingles, or
/// the title's when the body has none. `keys` is title then body, as in
/// [`ajil_model::Analysis`], so stored keys are enough to recompute a
/// signature of another [`MINHASH_VERSION`].
pub fn signature_of_keys<S: AsRef<str>>(title_keys: &[S], keys: &[S]) -> Vec<u32> {
    let body = keys.get(title_keys.len()..).unwrap_or_default();
    let print = if body.is_empty() { title_keys } else { body };
    minhash(&shingle_hashes(print))
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

    /// The words `w{i}` for `i` in `range`.
    fn words(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("w{i}")).collect()
    }

    /// The Jaccard similarity of the shingle sets of two texts.
    fn true_jaccard(a: &[String], b: &[String]) -> f64 {
        use std::collections::HashSet;
        let a: HashSet<u64> = shingle_hashes(a).into_iter().collect();
        let b: HashSet<u64> = shingle_hashes(b).into_iter().collect();
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    #[test]
    fn estimate_tracks_true_jaccard_across_sizes_and_overlaps() {
        // Pairs of texts sharing a run of words, from headline-sized sets
        // (most bins densified) to long articles (every bin filled): each
        // estimate within three standard errors of 128 positions (≤ 0.13),
        // and no bias over all of them.
        let mut errors = Vec::new();
        for len in [12, 30, 60, 150, 400, 1200] {
            for shared in [0.0, 0.25, 0.5, 0.75, 0.9, 1.0] {
                let keep = (len as f64 * shared) as usize;
                let a = words(0..len);
                let b: Vec<String> = words(0..keep)
                    .into_iter()
                    .chain(words(10_000..10_000 + len - keep))
                    .collect();
                let truth = true_jaccard(&a, &b);
                let est =
                    jaccard_estimate(&minhash(&shingle_hashes(&a)), &minhash(&shingle_hashes(&b)));
                assert!(
                    (est - truth).abs() < 0.13,
                    "{len} words, {shared} shared: J = {truth:.3}, estimate {est:.3}"
                );
                errors.push(est - truth);
            }
        }
        let bias = errors.iter().sum::<f64>() / errors.len() as f64;
        assert!(bias.abs() < 0.02, "mean error {bias:.3}");
    }

    #[test]
    fn every_bin_gets_a_value_and_densified_ones_copy_a_filled_bin() {
        let one = minhash(&shingle_hashes(&words(0..4)));
        assert_eq!(one.len(), MINHASH_LEN);
        // A single shingle: every position holds its one value.
        assert!(one.iter().all(|&v| v == one[0]), "{one:?}");
        let few = minhash(&shingle_hashes(&words(0..10)));
        let distinct: std::collections::BTreeSet<u32> = few.iter().copied().collect();
        assert!(distinct.len() <= 7, "{distinct:?}");
    }

    #[test]
    fn signatures_are_pinned() {
        // A stored signature must stay comparable with new ones of the same
        // MINHASH_VERSION: a change here needs a new version.
        let sig = minhash(&shingle_hashes(&words(0..40)));
        assert_eq!(sig[..2], [2_354_864_928, 1_222_500_886]);
    }

    #[test]
    fn signature_of_keys_covers_the_body_or_else_the_title() {
        let title = keys("t1 t2 t3 t4 t5");
        let body = keys("b1 b2 b3 b4 b5 b6");
        let all: Vec<String> = title.iter().chain(&body).cloned().collect();
        assert_eq!(
            signature_of_keys(&title, &all),
            minhash(&shingle_hashes(&body))
        );
        assert_eq!(
            signature_of_keys(&title, &title),
            minhash(&shingle_hashes(&title))
        );
        assert!(signature_of_keys::<String>(&[], &[]).is_empty());
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
