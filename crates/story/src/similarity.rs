//! Similarity measures between two articles: signatures for copies, weighted key
//! overlap for same-event reports.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::cell::Cell;
use std::hash::BuildHasher;

/// A key interned in the window's [`Vocab`].
pub(crate) type Key = u32;

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

/// Bytes of a word held in its [`Vocab`] slot: nearly every key (a stem of a few
/// Arabic or Latin letters, a number) fits whole.
const SLOT_HEAD: usize = 16;

/// A word's entry in the [`Vocab`] table: its id, its length and its first
/// [`SLOT_HEAD`] bytes (zero-padded).
#[derive(Debug, Clone, Copy)]
struct Slot {
    head: [u8; SLOT_HEAD],
    len: u32,
    id: Key,
}

impl Slot {
    fn new(word: &str, id: Key) -> Self {
        let mut head = [0; SLOT_HEAD];
        let n = word.len().min(SLOT_HEAD);
        head[..n].copy_from_slice(&word.as_bytes()[..n]);
        Slot {
            head,
            len: word.len() as u32,
            id,
        }
    }
}

/// The window's vocabulary: keys interned as small integers (so overlaps compare
/// integers, not strings) with their document frequencies, turned into idf weights.
///
/// A key whose last document leaves the window is forgotten and its id reused, so the
/// vocabulary stays the size of the window's, however long the process runs.
///
/// Document frequencies are smoothed towards a prior: the window is read as if it also
/// held `prior_docs` background documents in which every key has the share
/// `prior_share`. With a full window the prior hardly matters; in a cold start (a
/// handful of documents, where every word looks rare) it keeps common words such as
/// "deal" or "the" from weighing like names, so incidental shared words do not link
/// unrelated reports.
#[derive(Debug)]
pub(crate) struct Vocab {
    /// Key ids by word, hashed by the word (kept in `hashes`), so a word is hashed once
    /// when interned and never when released. Each slot holds the word's first bytes,
    /// so a lookup compares in the table and reads `words` only for long words.
    ids: HashTable<Slot>,
    words: Vec<String>,
    hashes: Vec<u64>,
    counts: Vec<u32>,
    /// Whether each key is a number (see [`is_number`]), decided once at interning.
    numbers: Vec<bool>,
    free: Vec<Key>,
    docs: u32,
    prior_docs: f64,
    prior_share: f64,
    /// Idf values by document frequency, each with the round it was computed in (valid
    /// while the window is unchanged). Idf depends on a key only through its df, and most
    /// keys share a handful of small dfs, so this computes far fewer logarithms than a
    /// cache per key and stays small enough to sit in the CPU cache.
    cache: Vec<Cell<(u32, f64)>>,
    round: u32,
    /// The [`Vocab::distinct`] call that last saw each key, and the current one's number.
    seen: Vec<u32>,
    pass: u32,
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab::new(0.0, 0.0)
    }
}

impl Vocab {
    /// An empty vocabulary with the given df prior (see the type's docs).
    pub(crate) fn new(prior_docs: f64, prior_share: f64) -> Self {
        Vocab {
            ids: HashTable::new(),
            words: Vec::new(),
            hashes: Vec::new(),
            counts: Vec::new(),
            numbers: Vec::new(),
            free: Vec::new(),
            docs: 0,
            prior_docs,
            prior_share,
            cache: Vec::new(),
            // Round 0 marks "never computed"; real rounds start at 1.
            round: 1,
            seen: Vec::new(),
            pass: 0,
        }
    }

    /// The id of `word`, interning it (with document frequency 0) if new.
    pub(crate) fn intern(&mut self, word: &str) -> Key {
        let hash = FxBuildHasher.hash_one(word);
        let slot = Slot::new(word, 0);
        let words = &self.words;
        if let Some(found) = self.ids.find(hash, |s| {
            s.head == slot.head
                && s.len == slot.len
                && (word.len() <= SLOT_HEAD || words[s.id as usize] == word)
        }) {
            return found.id;
        }
        self.bump();
        let id = match self.free.pop() {
            Some(id) => {
                // A released slot keeps its string's buffer for the next word.
                self.words[id as usize].push_str(word);
                self.hashes[id as usize] = hash;
                self.numbers[id as usize] = is_number(word);
                id
            }
            None => {
                self.words.push(word.to_string());
                self.hashes.push(hash);
                self.counts.push(0);
                self.numbers.push(is_number(word));
                (self.words.len() - 1) as Key
            }
        };
        let hashes = &self.hashes;
        self.ids
            .insert_unique(hash, Slot { id, ..slot }, |s| hashes[s.id as usize]);
        id
    }

    /// The id of each of `words`, in order (repeats included), interning new ones.
    pub(crate) fn intern_all(&mut self, words: &[String]) -> Vec<Key> {
        words.iter().map(|w| self.intern(w)).collect()
    }

    /// `ids` without repeats, in the order each first appears: one pass, where sorting
    /// a whole article's keys to deduplicate them cost more than everything else done
    /// with them.
    pub(crate) fn distinct(&mut self, ids: &[Key]) -> Vec<Key> {
        self.pass = self.pass.wrapping_add(1);
        if self.pass == 0 {
            // Wrapped around: old marks could look current, so clear them.
            self.seen.fill(0);
            self.pass = 1;
        }
        if self.seen.len() < self.words.len() {
            self.seen.resize(self.words.len(), 0);
        }
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let seen = &mut self.seen[id as usize];
            if *seen != self.pass {
                *seen = self.pass;
                out.push(id);
            }
        }
        out
    }

    /// Sorted, deduplicated ids of `words`, so overlaps are linear merges.
    #[cfg(test)]
    pub(crate) fn key_set(&mut self, words: &[String]) -> Vec<Key> {
        let mut set: Vec<Key> = words.iter().map(|w| self.intern(w)).collect();
        set.sort_unstable();
        set.dedup();
        set
    }

    /// The word behind an id.
    pub(crate) fn word(&self, key: Key) -> &str {
        &self.words[key as usize]
    }

    /// Invalidates cached idf values after the window changed.
    fn bump(&mut self) {
        self.round = self.round.wrapping_add(1).max(1);
        if self.round == 1 {
            // Wrapped around: old stamps could look current, so clear them.
            for c in &self.cache {
                c.set((0, 0.0));
            }
        }
    }

    /// Counts one more document holding each of `set`.
    pub(crate) fn add(&mut self, set: &[Key]) {
        self.bump();
        self.docs += 1;
        // Every df is at most the number of documents, so the cache covers them all.
        let needed = self.docs as usize + 1;
        if self.cache.len() < needed {
            self.cache
                .resize(needed.next_power_of_two(), Cell::new((0, 0.0)));
        }
        for &key in set {
            self.counts[key as usize] += 1;
        }
    }

    /// Forgets one document holding each of `set`; keys left in no document are released.
    pub(crate) fn remove(&mut self, set: &[Key]) {
        self.bump();
        self.docs = self.docs.saturating_sub(1);
        for &key in set {
            let count = &mut self.counts[key as usize];
            *count = count.saturating_sub(1);
            if *count == 0 {
                if let Ok(entry) = self
                    .ids
                    .find_entry(self.hashes[key as usize], |s| s.id == key)
                {
                    entry.remove();
                }
                self.words[key as usize].clear();
                self.free.push(key);
            }
        }
    }

    /// Whether `key` is a number.
    pub(crate) fn is_number(&self, key: Key) -> bool {
        self.numbers[key as usize]
    }

    /// Documents in the window.
    pub(crate) fn docs(&self) -> u32 {
        self.docs
    }

    /// Documents holding `key`.
    pub(crate) fn df(&self, key: Key) -> u32 {
        self.counts[key as usize]
    }

    /// Smoothed share of documents holding `key`, in `0..=1`.
    pub(crate) fn share(&self, key: Key) -> f64 {
        self.share_of(f64::from(self.df(key)))
    }

    fn share_of(&self, df: f64) -> f64 {
        let denominator = f64::from(self.docs) + self.prior_docs;
        if denominator <= 0.0 {
            return 1.0;
        }
        (df + self.prior_docs * self.prior_share) / denominator
    }

    /// Smoothed inverse document frequency `ln(1 + (N + N0) / (1 + df + N0 p0))` over
    /// the window's `N` documents and the prior's `N0` at share `p0`: positive even for
    /// keys every document holds, largest for keys never seen before. Cached until the
    /// window changes, as scoring one article reads the same keys many times.
    pub(crate) fn idf(&self, key: Key) -> f64 {
        let df = self.df(key);
        let Some(cell) = self.cache.get(df as usize) else {
            return self.idf_of(f64::from(df));
        };
        let (round, value) = cell.get();
        if round == self.round {
            return value;
        }
        let value = self.idf_of(f64::from(df));
        cell.set((self.round, value));
        value
    }

    fn idf_of(&self, df: f64) -> f64 {
        let n = f64::from(self.docs) + self.prior_docs;
        (1.0 + n / (1.0 + df + self.prior_docs * self.prior_share)).ln()
    }

    /// Idf of a key no document holds yet: the ceiling of [`Vocab::idf`].
    pub(crate) fn max_idf(&self) -> f64 {
        self.idf_of(0.0)
    }

    /// Length of `set` as an idf-weighted binary vector.
    pub(crate) fn norm(&self, set: &[Key]) -> f64 {
        set.iter().map(|&k| self.idf(k).powi(2)).sum::<f64>().sqrt()
    }
}

/// Marks of the article being scored on its keys (in its title, in its lead, an entity),
/// so each candidate is compared in one pass over its own keys: a flag read per key
/// instead of a merge or a binary search.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    flags: Vec<u8>,
    marked: Vec<Key>,
}

impl Marks {
    /// The key is in the marked article's title.
    pub(crate) const TITLE: u8 = 1;
    /// The key is in the marked article's lead.
    pub(crate) const LEAD: u8 = 2;
    /// The key is one of the marked article's entities.
    pub(crate) const ENTITY: u8 = 4;

    /// Sets `flag` on every key of `keys`.
    pub(crate) fn mark(&mut self, keys: impl IntoIterator<Item = Key>, flag: u8) {
        for key in keys {
            let i = key as usize;
            if i >= self.flags.len() {
                self.flags.resize(i + 1, 0);
            }
            if self.flags[i] == 0 {
                self.marked.push(key);
            }
            self.flags[i] |= flag;
        }
    }

    /// The flags of `key`.
    pub(crate) fn get(&self, key: Key) -> u8 {
        self.flags.get(key as usize).copied().unwrap_or(0)
    }

    /// Clears every mark.
    pub(crate) fn clear(&mut self) {
        for key in self.marked.drain(..) {
            self.flags[key as usize] = 0;
        }
    }
}

/// Idf² mass of the keys of `set` marked with `flag`: the numerator of the weighted
/// cosine between `set` and the marked article's keys of that kind.
pub(crate) fn marked_mass(set: &[Key], marks: &Marks, flag: u8, vocab: &Vocab) -> f64 {
    set.iter()
        .filter(|&&k| marks.get(k) & flag != 0)
        .map(|&k| vocab.idf(k).powi(2))
        .sum()
}

/// Entity-like overlap against the marked article: idf mass of its entities (marked
/// [`Marks::ENTITY`], from [`entity_keys`]) that `other` holds too, where three shared
/// never-seen keys saturate the score at 1.
pub(crate) fn marked_entity_overlap(other: &[Key], marks: &Marks, vocab: &Vocab) -> f64 {
    let mass: f64 = other
        .iter()
        .filter(|&&k| marks.get(k) & Marks::ENTITY != 0)
        .map(|&k| vocab.idf(k))
        .sum();
    let saturation = 3.0 * vocab.max_idf();
    if saturation == 0.0 {
        0.0
    } else {
        (mass / saturation).min(1.0)
    }
}

/// A key that is a number (Western or Arabic-Indic digits): casualty counts, dates and
/// scores are strong evidence two reports tell the same happening.
pub(crate) fn is_number(key: &str) -> bool {
    // Most keys are words: the first letter settles it, before any count.
    key.chars().all(numeric) && key.chars().nth(1).is_some()
}

/// `char::is_numeric`, answering ASCII and basic Arabic letters (none numeric) without
/// the Unicode table lookup.
fn numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else if matches!(c, '\u{0621}'..='\u{064A}') {
        false
    } else {
        c.is_numeric()
    }
}

/// The entity-like keys of `set` with their idf: keys rare in the window (names,
/// places) or uncommon numbers. Computed once per scored article, then matched
/// against each candidate with [`entity_overlap`].
///
/// Keys arrive normalized (case is gone), so rarity stands in for capitalisation. A key
/// is rare when its smoothed share ([`Vocab::share`]) is at most `rare_share`; numbers
/// (casualty counts, scores) are specific even when somewhat more frequent, up to five
/// times that share. In a cold start the df prior keeps every share high, so shared
/// words there count as entities only once the window has shown them to be rare.
pub(crate) fn entity_keys(set: &[Key], vocab: &Vocab, rare_share: f64) -> Vec<(Key, f64)> {
    set.iter()
        .copied()
        .filter(|&k| {
            let share = vocab.share(k);
            share <= rare_share || (share <= 5.0 * rare_share && vocab.is_number(k))
        })
        .map(|k| (k, vocab.idf(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(vocab: &mut Vocab, words: &str) -> Vec<Key> {
        vocab.key_set(
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
        let mut v = Vocab::default();
        let common_set = set(&mut v, "قال اليوم");
        for _ in 0..100 {
            v.add(&common_set);
        }
        let rare_set = set(&mut v, "سورابايا");
        v.add(&rare_set);
        let cosine = |v: &mut Vocab, a: &str, b: &str| {
            let (a, b) = (set(v, a), set(v, b));
            let mut marks = Marks::default();
            marks.mark(a.iter().copied(), Marks::TITLE);
            marked_mass(&b, &marks, Marks::TITLE, v) / (v.norm(&a) * v.norm(&b))
        };
        let common = cosine(&mut v, "قال اليوم سورابايا", "قال اليوم شرطه");
        let rare = cosine(&mut v, "قال سورابايا", "اليوم سورابايا");
        assert!(rare > common, "rare {rare} common {common}");
        let entity = |v: &Vocab, a: &[Key], b: &[Key]| {
            let mut marks = Marks::default();
            marks.mark(
                entity_keys(a, v, 0.02).into_iter().map(|(k, _)| k),
                Marks::ENTITY,
            );
            marked_entity_overlap(b, &marks, v)
        };
        let (a, b) = (set(&mut v, "سورابايا 58"), set(&mut v, "سورابايا 58"));
        assert!(entity(&v, &a, &b) > 0.0);
        assert_eq!(entity(&v, &common_set, &common_set), 0.0);
    }

    #[test]
    fn cached_idf_follows_the_window() {
        let mut vocab = Vocab::new(10.0, 0.01);
        let a = set(&mut vocab, "a b");
        let b = set(&mut vocab, "b c");
        let (ka, kb) = (a[0], a[1]);
        vocab.add(&a);
        let before = (vocab.idf(ka), vocab.idf(kb));
        assert_eq!(before.0, before.1, "same df, same idf");
        assert_eq!(before.0, vocab.idf_of(1.0));
        vocab.add(&b);
        assert_eq!(vocab.idf(kb), vocab.idf_of(2.0));
        assert_eq!(vocab.idf(ka), vocab.idf_of(1.0));
        assert!(
            vocab.idf(ka) > before.0,
            "one more document raises a df-1 key's idf"
        );
        vocab.remove(&a);
        assert_eq!(vocab.idf(kb), vocab.idf_of(1.0));
    }

    #[test]
    fn distinct_keeps_first_appearances_in_order() {
        let mut v = Vocab::default();
        let ids: Vec<Key> = "c a c b a d".split(' ').map(|w| v.intern(w)).collect();
        let (a, b, c, d) = (ids[1], ids[3], ids[0], ids[5]);
        assert_eq!(v.distinct(&ids), [c, a, b, d]);
        // Each call starts afresh.
        assert_eq!(v.distinct(&[a, a]), [a]);
        assert_eq!(v.distinct(&[]), []);
    }

    #[test]
    fn released_keys_are_reused() {
        let mut v = Vocab::default();
        let a = set(&mut v, "سورابايا");
        v.add(&a);
        v.remove(&a);
        assert_eq!(v.docs(), 0);
        let b = set(&mut v, "جاكرتا");
        assert_eq!(a, b, "the released id is reused");
        assert_eq!(v.word(b[0]), "جاكرتا");
        assert_eq!(set(&mut v, "سورابايا"), vec![1]);
    }

    #[test]
    fn numbers_are_recognised() {
        assert!(is_number("58"));
        assert!(is_number("٥٨"));
        assert!(!is_number("5"));
        assert!(!is_number("g7"));
        assert!(!is_number("٥"));
        assert!(!is_number("قتل"));
        assert!(is_number("٣٠٠"));
        assert!(is_number("۱۲"), "Persian digits");
        // The fast path agrees with the Unicode table everywhere it answers.
        for c in ('\0'..='\u{07FF}').chain('\u{2150}'..='\u{218F}') {
            assert_eq!(numeric(c), c.is_numeric(), "{c:?}");
        }
    }
}
