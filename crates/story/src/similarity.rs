//! Similarity measures between two articles: signatures for copies, weighted key
//! overlap for same-event reports.

use std::collections::HashMap;

/// Sorted, deduplicated copy of `keys`, so overlaps are linear merges.
pub(crate) fn key_set(keys: &[String]) -> Vec<String> {
    let mut set = keys.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}

/// Share of positions where two MinHash signatures agree: an unbiased estimate of the
/// Jaccard similarity of the shingle sets. Signatures of different lengths compare as 0.
pub(crate) fn signature_similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// Band keys `(band, hash of the band's rows)` for LSH lookup; none when the signature
/// is shorter than `bands * rows`.
pub(crate) fn band_keys(signature: &[u32], bands: usize, rows: usize) -> Vec<(u32, u64)> {
    if signature.len() < bands * rows {
        return Vec::new();
    }
    signature
        .chunks_exact(rows)
        .take(bands)
        .enumerate()
        .map(|(band, values)| {
            // FNV-1a: fixed, seedless, so band keys are the same in every process.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for value in values {
                for byte in value.to_le_bytes() {
                    hash ^= u64::from(byte);
                    hash = hash.wrapping_mul(0x0100_0000_01b3);
                }
            }
            (band as u32, hash)
        })
        .collect()
}

/// Document frequencies over the open window, turned into idf weights.
#[derive(Debug, Default)]
pub(crate) struct DocFreq {
    counts: HashMap<String, u32>,
    docs: u32,
}

impl DocFreq {
    /// Counts one more document holding each of `set` (deduplicated keys).
    pub(crate) fn add(&mut self, set: &[String]) {
        self.docs += 1;
        for key in set {
            *self.counts.entry(key.clone()).or_insert(0) += 1;
        }
    }

    /// Forgets one document holding each of `set`.
    pub(crate) fn remove(&mut self, set: &[String]) {
        self.docs = self.docs.saturating_sub(1);
        for key in set {
            if let Some(count) = self.counts.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(key);
                }
            }
        }
    }

    /// Documents in the window.
    pub(crate) fn docs(&self) -> u32 {
        self.docs
    }

    /// Documents holding `key`.
    pub(crate) fn df(&self, key: &str) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// Smoothed inverse document frequency: `ln(1 + N / (1 + df))`, positive even for
    /// keys every document holds, and largest for keys never seen before.
    pub(crate) fn idf(&self, key: &str) -> f64 {
        (1.0 + f64::from(self.docs) / (1.0 + f64::from(self.df(key)))).ln()
    }

    /// Idf of a key no document holds yet: the ceiling of [`DocFreq::idf`].
    pub(crate) fn max_idf(&self) -> f64 {
        (1.0 + f64::from(self.docs)).ln()
    }
}

/// Cosine of two key sets as binary vectors weighted by idf (each key counts idf²).
pub(crate) fn weighted_cosine(a: &[String], b: &[String], df: &DocFreq) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let norm = |set: &[String]| set.iter().map(|k| df.idf(k).powi(2)).sum::<f64>().sqrt();
    let shared: f64 = intersect(a, b).map(|k| df.idf(k).powi(2)).sum();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        shared / denominator
    }
}

/// Keys present in both sorted sets.
pub(crate) fn intersect<'s>(a: &'s [String], b: &'s [String]) -> impl Iterator<Item = &'s String> {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(&a[i - 1]);
                }
            }
        }
        None
    })
}

/// A key that is a number (Western or Arabic-Indic digits): casualty counts, dates and
/// scores are strong evidence two reports tell the same happening.
pub(crate) fn is_number(key: &str) -> bool {
    key.chars().count() >= 2 && key.chars().all(char::is_numeric)
}

/// Entity-like overlap: idf mass of shared keys that are rare in the window (names,
/// places) or numbers, where three shared never-seen keys saturate the score at 1.
///
/// Keys arrive normalized (case is gone), so rarity stands in for capitalisation.
pub(crate) fn entity_overlap(a: &[String], b: &[String], df: &DocFreq) -> f64 {
    let docs = df.docs();
    // "Rare": in at most 2% of the window's documents, and at least 3 so a young window
    // still has rare keys.
    let rare_df = (docs / 50).max(3);
    let mass: f64 = intersect(a, b)
        .filter(|k| is_number(k) || df.df(k) <= rare_df)
        .map(|k| df.idf(k))
        .sum();
    let saturation = 3.0 * df.max_idf();
    if saturation == 0.0 {
        0.0
    } else {
        (mass / saturation).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &str) -> Vec<String> {
        key_set(
            &words
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn signature_similarity_counts_equal_positions() {
        assert_eq!(signature_similarity(&[1, 2, 3, 4], &[1, 2, 0, 0]), 0.5);
        assert_eq!(signature_similarity(&[1, 2], &[1, 2, 3]), 0.0);
        assert_eq!(signature_similarity(&[], &[]), 0.0);
    }

    #[test]
    fn band_keys_need_a_long_enough_signature() {
        let sig: Vec<u32> = (0..8).collect();
        let keys = band_keys(&sig, 4, 2);
        assert_eq!(keys.len(), 4);
        assert_eq!(keys[1].0, 1);
        assert_ne!(keys[0].1, keys[1].1);
        assert!(band_keys(&sig, 5, 2).is_empty());
        // Same rows give the same key, so equal bands collide.
        assert_eq!(
            band_keys(&[7, 7, 1, 1], 2, 2)[0].1,
            band_keys(&[7, 7, 2, 2], 2, 2)[0].1
        );
    }

    #[test]
    fn rare_shared_keys_weigh_more_than_common_ones() {
        let mut df = DocFreq::default();
        for _ in 0..100 {
            df.add(&set("قال اليوم"));
        }
        df.add(&set("سورابايا"));
        let common = weighted_cosine(&set("قال اليوم سورابايا"), &set("قال اليوم شرطه"), &df);
        let rare = weighted_cosine(&set("قال سورابايا"), &set("اليوم سورابايا"), &df);
        assert!(rare > common, "rare {rare} common {common}");
        assert!(entity_overlap(&set("سورابايا 58"), &set("سورابايا 58"), &df) > 0.0);
        assert_eq!(
            entity_overlap(&set("قال اليوم"), &set("قال اليوم"), &df),
            0.0
        );
        df.remove(&set("سورابايا"));
        assert_eq!(df.df("سورابايا"), 0);
        assert_eq!(df.docs(), 100);
    }

    #[test]
    fn numbers_are_recognised() {
        assert!(is_number("58"));
        assert!(is_number("٥٨"));
        assert!(!is_number("5"));
        assert!(!is_number("g7"));
    }
}
