//! Compiled queries and the per-document index they are matched against.

use rustc_hash::FxHashMap;

use crate::parse::{Node, Query};

/// A document as the matcher sees it.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    /// The document's match keys in text order (title then body), produced
    /// by the same normalizer the queries were compiled with.
    pub keys: &'a [String],
    /// Its language code (`ar`, `en-GB`, …).
    pub lang: &'a str,
    /// The display name of its source.
    pub source: &'a str,
}

/// Where each key occurs in a document, built once per document and shared
/// by every query checked against it.
#[derive(Debug, Clone)]
pub struct DocIndex<'a> {
    keys: &'a [String],
    /// Variant keys by position, in position order (see [`DocIndex::with_variants`]).
    variants: Vec<(u32, &'a str)>,
    /// First slot of each distinct key: slot `i < keys.len()` is position `i`'s
    /// key, slot `keys.len() + j` the variant `variants[j]`.
    first: FxHashMap<&'a str, u32>,
    /// `next[slot]`: the next slot holding the same key, or `NONE`. One flat
    /// array instead of a vector per key keeps building the index to a few
    /// allocations.
    next: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl<'a> DocIndex<'a> {
    /// Indexes the keys of one document.
    pub fn new(keys: &'a [String]) -> Self {
        DocIndex::with_variants(keys, &[])
    }

    /// Indexes the keys of one document where some positions also hold other
    /// keys, `(position, key)` (a word read a second way, as without a clitic):
    /// a query key or phrase matches at a position if any of its keys does.
    /// Variants at positions past the end of `keys` are ignored.
    ///
    /// ```
    /// use ajil_query::DocIndex;
    /// let keys: Vec<String> = ["killed", "ingaza"].map(String::from).to_vec();
    /// let variants = [(1, "gaza".to_string())];
    /// let index = DocIndex::with_variants(&keys, &variants);
    /// assert!(index.contains("gaza") && index.contains("ingaza"));
    /// ```
    pub fn with_variants(keys: &'a [String], variants: &'a [(u32, String)]) -> Self {
        let mut variants: Vec<(u32, &str)> = variants
            .iter()
            .filter(|(at, _)| (*at as usize) < keys.len())
            .map(|(at, key)| (*at, key.as_str()))
            .collect();
        variants.sort_unstable();
        let slots = keys.len() + variants.len();
        let mut first = FxHashMap::with_capacity_and_hasher(slots, Default::default());
        let mut next = vec![NONE; slots];
        // Walking backwards leaves each key's earliest slot in `first` and
        // chains the later ones behind it.
        let slotted: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .chain(variants.iter().map(|(_, key)| *key))
            .collect();
        for (slot, key) in slotted.into_iter().enumerate().rev() {
            if let Some(later) = first.insert(key, slot as u32) {
                next[slot] = later;
            }
        }
        DocIndex {
            keys,
            variants,
            first,
            next,
        }
    }

    /// Whether `key` occurs in the document.
    pub fn contains(&self, key: &str) -> bool {
        self.first.contains_key(key)
    }

    /// The distinct keys of the document, variants included.
    pub fn distinct_keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.first.keys().copied()
    }

    /// The position a slot stands for.
    fn position(&self, slot: u32) -> usize {
        let slot = slot as usize;
        match slot.checked_sub(self.keys.len()) {
            Some(j) => self.variants[j].0 as usize,
            None => slot,
        }
    }

    /// Whether position `at` holds `key`, as its key or a variant.
    fn holds(&self, at: usize, key: &str) -> bool {
        if self.keys.get(at).is_some_and(|k| k == key) {
            return true;
        }
        let from = self.variants.partition_point(|(p, _)| (*p as usize) < at);
        self.variants[from..]
            .iter()
            .take_while(|(p, _)| *p as usize == at)
            .any(|(_, v)| *v == key)
    }

    /// Whether `seq` occurs as consecutive keys.
    fn contains_seq(&self, seq: &[String]) -> bool {
        let Some((head, rest)) = seq.split_first() else {
            return false;
        };
        let mut slot = self.first.get(head.as_str()).copied().unwrap_or(NONE);
        while slot != NONE {
            let at = self.position(slot);
            if rest
                .iter()
                .enumerate()
                .all(|(j, key)| self.holds(at + 1 + j, key))
            {
                return true;
            }
            slot = self.next[slot as usize];
        }
        false
    }
}

/// A query whose words have been turned into keys, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledQuery {
    root: Expr,
    langs: Vec<String>,
    /// Each `source:` name folded into words.
    sources: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Key(String),
    Seq(Vec<String>),
    /// A term whose text normalized to no keys (only punctuation): it
    /// matches nothing, so a query of such terms never fires rather than
    /// firing on everything.
    Never,
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Query {
    /// Turns each word and phrase into key sequences with `keys`, the same
    /// normalizer that produced the documents' keys (the integrator passes
    /// `|t| ajil_analyze::match_keys(t, None)`). A word that normalizes to
    /// several keys ("al-Assad") must match them consecutively, like a phrase.
    ///
    /// ```
    /// use ajil_query::{Doc, Query};
    /// let lower = |t: &str| t.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    /// let q = Query::parse("Gaza -football").unwrap().compile(&lower);
    /// let keys: Vec<String> = ["gaza", "talks"].map(String::from).to_vec();
    /// assert!(q.matches(&Doc { keys: &keys, lang: "en", source: "BBC" }));
    /// ```
    pub fn compile(&self, keys: &dyn Fn(&str) -> Vec<String>) -> CompiledQuery {
        CompiledQuery {
            root: compile_node(self.root(), keys),
            langs: self.langs().to_vec(),
            sources: self.sources().iter().map(|s| fold_name(s)).collect(),
        }
    }
}

fn compile_node(node: &Node, keys: &dyn Fn(&str) -> Vec<String>) -> Expr {
    match node {
        Node::Word(text) | Node::Phrase(text) => {
            let mut seq = keys(text);
            match seq.len() {
                0 => Expr::Never,
                1 => Expr::Key(seq.pop().unwrap_or_default()),
                _ => Expr::Seq(seq),
            }
        }
        Node::Not(inner) => Expr::Not(Box::new(compile_node(inner, keys))),
        Node::And(children) => Expr::And(children.iter().map(|c| compile_node(c, keys)).collect()),
        Node::Or(children) => Expr::Or(children.iter().map(|c| compile_node(c, keys)).collect()),
    }
}

/// A source name as lowercase words, so `source:"bbc arabic"` finds
/// "BBC Arabic" and `source:bbc` finds "BBC Arabic" too.
pub(crate) fn fold_name(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `"ar-EG"` → `"ar"`.
pub(crate) fn primary_lang(lang: &str) -> String {
    lang.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

impl CompiledQuery {
    /// Whether the document matches; builds a [`DocIndex`] each call, so use
    /// [`CompiledQuery::matches_index`] or a [`crate::QuerySet`] when
    /// checking many queries against one document.
    pub fn matches(&self, doc: &Doc<'_>) -> bool {
        self.matches_index(&DocIndex::new(doc.keys), doc.lang, doc.source)
    }

    /// Whether a document, already indexed, with this language and source
    /// matches.
    pub fn matches_index(&self, index: &DocIndex<'_>, lang: &str, source: &str) -> bool {
        self.passes_filters(&primary_lang(lang), &fold_name(source)) && eval(&self.root, index)
    }

    pub(crate) fn matches_prepared(
        &self,
        index: &DocIndex<'_>,
        lang: &str,
        source_words: &[String],
    ) -> bool {
        self.passes_filters(lang, source_words) && eval(&self.root, index)
    }

    fn passes_filters(&self, lang: &str, source_words: &[String]) -> bool {
        let lang_ok = self.langs.is_empty() || self.langs.iter().any(|l| l == lang);
        let source_ok = self.sources.is_empty()
            || self.sources.iter().any(|wanted| {
                !wanted.is_empty()
                    && source_words
                        .windows(wanted.len())
                        .any(|window| window == wanted.as_slice())
            });
        lang_ok && source_ok
    }

    /// A set of keys at least one of which every matching document
    /// contains, for prefiltering; chosen to be small and made of long (so
    /// probably rare) keys. `None` when no such set exists; an empty set
    /// means the query can match nothing.
    ///
    /// ```
    /// use ajil_query::Query;
    /// let split = |t: &str| t.split_whitespace().map(String::from).collect::<Vec<_>>();
    /// let q = Query::parse("lavrov (talks OR meeting)").unwrap().compile(&split);
    /// assert_eq!(q.required_keys(), Some(vec!["lavrov"]));
    /// ```
    pub fn required_keys(&self) -> Option<Vec<&str>> {
        cover(&self.root)
    }

    /// The languages this query is limited to (empty: any).
    pub fn langs(&self) -> &[String] {
        &self.langs
    }
}

fn eval(expr: &Expr, index: &DocIndex<'_>) -> bool {
    match expr {
        Expr::Key(key) => index.contains(key),
        Expr::Seq(seq) => index.contains_seq(seq),
        Expr::Never => false,
        Expr::Not(inner) => !eval(inner, index),
        Expr::And(children) => children.iter().all(|c| eval(c, index)),
        Expr::Or(children) => children.iter().any(|c| eval(c, index)),
    }
}

/// The cheapest any-of key set implied by `expr` (see `required_keys`).
fn cover(expr: &Expr) -> Option<Vec<&str>> {
    match expr {
        Expr::Key(key) => Some(vec![key.as_str()]),
        // Any key of a phrase is required; the longest is likely the rarest.
        Expr::Seq(seq) => seq
            .iter()
            .max_by_key(|k| k.chars().count())
            .map(|k| vec![k.as_str()]),
        Expr::Never => Some(Vec::new()),
        Expr::Not(_) => None,
        Expr::And(children) => children
            .iter()
            .filter_map(cover)
            .min_by(|a, b| cost(a).total_cmp(&cost(b))),
        Expr::Or(children) => {
            let mut all = Vec::new();
            for child in children {
                all.extend(cover(child)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
    }
}

/// Expected number of documents a cover lets through, up to a constant: a
/// key of n characters is taken to be about 1/n² as common as a
/// one-letter one. Rough, but it prefers "لافروف" over "في".
fn cost(keys: &[&str]) -> f64 {
    keys.iter()
        .map(|k| {
            let n = k.chars().count().max(1) as f64;
            1.0 / (n * n)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny stand-in for the real normalizer: lowercase, drop Arabic
    /// diacritics, fold alef forms and strip a leading "ال" or "و".
    fn test_keys(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric() && !('\u{064B}'..='\u{065F}').contains(&c))
            .filter(|w| !w.is_empty())
            .map(|w| {
                let w: String = w
                    .to_lowercase()
                    .chars()
                    .filter(|c| !('\u{064B}'..='\u{065F}').contains(c))
                    .map(|c| {
                        if matches!(c, 'أ' | 'إ' | 'آ') {
                            'ا'
                        } else {
                            c
                        }
                    })
                    .collect();
                let w = w.strip_prefix('و').unwrap_or(&w);
                w.strip_prefix("ال").unwrap_or(w).to_string()
            })
            .collect()
    }

    fn doc_matches(query: &str, text: &str, lang: &str, source: &str) -> bool {
        let q = Query::parse(query).unwrap().compile(&test_keys);
        let keys = test_keys(text);
        q.matches(&Doc {
            keys: &keys,
            lang,
            source,
        })
    }

    #[test]
    fn arabic_variants_match_through_the_normalizer() {
        assert!(doc_matches(
            "لافروف إسطنبول",
            "وصل ولافروف الى اسطنبول",
            "ar",
            "x"
        ));
        assert!(doc_matches("الرئيس", "قال الرَّئيس", "ar", "x"));
        assert!(!doc_matches(
            "لافروف إسطنبول",
            "وصل لافروف الى انقرة",
            "ar",
            "x"
        ));
    }

    #[test]
    fn variants_match_words_and_phrases_at_their_position() {
        let keys: Vec<String> = ["clashes", "ingaza", "city", "gaza"]
            .map(String::from)
            .to_vec();
        let variants = [
            (1, "gaza".to_string()),
            (1, "inga".to_string()),
            (9, "x".into()),
        ];
        let index = DocIndex::with_variants(&keys, &variants);
        let matches = |query: &str| {
            Query::parse(query)
                .unwrap()
                .compile(&test_keys)
                .matches_index(&index, "en", "x")
        };
        assert!(matches("ingaza") && matches("gaza") && matches("\"inga city\""));
        assert!(!matches("x"), "a variant past the end is ignored");
        assert!(matches("\"clashes gaza\"") && matches("\"gaza city\""));
        assert!(matches("\"clashes ingaza city\""));
        assert!(!matches("\"city clashes\"") && !matches("\"gaza clashes\""));
        // The last position's key is found whether or not it has a variant slot.
        assert!(matches("\"city gaza\""));
        assert!(DocIndex::new(&keys).contains("gaza"));
        assert!(!DocIndex::new(&keys[..3]).contains("gaza"));
        assert!(!DocIndex::new(&keys).contains("ingazacity"));
    }

    #[test]
    fn phrases_need_consecutive_keys() {
        assert!(doc_matches(
            "\"iran deal\"",
            "the Iran deal collapsed",
            "en",
            "x"
        ));
        assert!(!doc_matches("\"iran deal\"", "a deal with Iran", "en", "x"));
        // Later occurrences of the first key are tried too.
        assert!(doc_matches(
            "\"iran deal\"",
            "iran says iran deal",
            "en",
            "x"
        ));
        // A hyphenated word is a phrase of its parts.
        assert!(doc_matches(
            "al-Assad",
            "president al Assad said",
            "en",
            "x"
        ));
        assert!(!doc_matches("al-Assad", "Assad al said", "en", "x"));
    }

    #[test]
    fn exclusions_or_and_groups() {
        assert!(!doc_matches(
            "gaza -football",
            "gaza football match",
            "en",
            "x"
        ));
        assert!(doc_matches("gaza -football", "gaza talks", "en", "x"));
        assert!(doc_matches(
            "(غزة OR gaza) -كرة",
            "news from gaza",
            "en",
            "x"
        ));
        assert!(doc_matches("(غزة OR gaza) -كرة", "اخبار غزة", "ar", "x"));
        assert!(!doc_matches(
            "(غزة OR gaza) -كرة",
            "كرة القدم في غزة",
            "ar",
            "x"
        ));
        assert!(!doc_matches(
            "gaza -\"football match\"",
            "gaza football match",
            "en",
            "x"
        ));
        assert!(doc_matches(
            "gaza -\"football match\"",
            "gaza match of football",
            "en",
            "x"
        ));
    }

    #[test]
    fn lang_and_source_filter() {
        assert!(doc_matches("gaza lang:ar,en", "gaza", "en-GB", "x"));
        assert!(!doc_matches("gaza lang:ar", "gaza", "en", "x"));
        assert!(doc_matches(
            "gaza source:\"BBC Arabic\"",
            "gaza",
            "en",
            "bbc arabic"
        ));
        assert!(doc_matches("gaza source:bbc", "gaza", "en", "BBC Arabic"));
        assert!(!doc_matches("gaza source:arab", "gaza", "en", "BBC Arabic"));
        assert!(doc_matches(
            "gaza source:cnn source:bbc",
            "gaza",
            "en",
            "BBC"
        ));
    }

    #[test]
    fn punctuation_only_terms_match_nothing() {
        assert!(!doc_matches("!!!", "anything at all", "en", "x"));
        let q = Query::parse("!!!").unwrap().compile(&test_keys);
        assert_eq!(q.required_keys(), Some(vec![]));
    }

    #[test]
    fn required_keys_pick_a_cheap_cover() {
        let cover = |q: &str| {
            let c = Query::parse(q).unwrap().compile(&test_keys);
            c.required_keys()
                .map(|k| k.into_iter().map(String::from).collect::<Vec<_>>())
        };
        assert_eq!(cover("في لافروف"), Some(vec!["لافروف".to_string()]));
        assert_eq!(cover("a OR bb"), Some(vec!["a".into(), "bb".into()]));
        assert_eq!(cover("\"in the kremlin\""), Some(vec!["kremlin".into()]));
        assert_eq!(cover("(a OR b) longword -x"), Some(vec!["longword".into()]));
    }
}
