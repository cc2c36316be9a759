//! Many compiled queries matched against one document at a time.

use rustc_hash::FxHashMap;

use crate::compile::{CompiledQuery, DocIndex, fold_name, primary_lang};

/// A set of compiled queries with an inverted index from one required key
/// per query to the query, so a document is only checked against queries
/// that can possibly match it.
///
/// `Id` is whatever the caller names queries by (e.g. a subscription id).
/// To change a query, rebuild the set: compiling ten thousand queries takes
/// milliseconds.
///
/// ```
/// use ajil_query::{DocIndex, Query, QuerySet};
/// let split = |t: &str| t.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
/// let mut set = QuerySet::new();
/// set.insert(1, Query::parse("gaza").unwrap().compile(&split));
/// set.insert(2, Query::parse("kyiv lang:en").unwrap().compile(&split));
/// let keys: Vec<String> = ["talks", "on", "gaza"].map(String::from).to_vec();
/// assert_eq!(set.matching(&DocIndex::new(&keys), "en", "BBC"), [1]);
/// ```
#[derive(Debug, Clone)]
pub struct QuerySet<Id> {
    queries: Vec<(Id, CompiledQuery)>,
    /// Required key → positions in `queries` of the queries it stands for.
    by_key: FxHashMap<String, Vec<u32>>,
    /// Queries with no usable required key, checked against every document.
    always: Vec<u32>,
}

impl<Id> Default for QuerySet<Id> {
    fn default() -> Self {
        QuerySet {
            queries: Vec::new(),
            by_key: FxHashMap::default(),
            always: Vec::new(),
        }
    }
}

impl<Id: Copy> QuerySet<Id> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a query.
    pub fn insert(&mut self, id: Id, query: CompiledQuery) {
        let slot = self.queries.len() as u32;
        match query.required_keys() {
            Some(keys) => {
                // An empty cover means the query can never match: index it
                // nowhere.
                for key in keys {
                    self.by_key.entry(key.to_string()).or_default().push(slot);
                }
            }
            None => self.always.push(slot),
        }
        self.queries.push((id, query));
    }

    /// Number of queries in the set.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// Whether the set holds no query.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// The ids of the queries the document matches, in insertion order.
    pub fn matching(&self, doc: &DocIndex<'_>, lang: &str, source: &str) -> Vec<Id> {
        let mut candidates: Vec<u32> = self.always.clone();
        for key in doc.distinct_keys() {
            if let Some(slots) = self.by_key.get(key) {
                candidates.extend_from_slice(slots);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();

        let lang = primary_lang(lang);
        let source_words = fold_name(source);
        candidates
            .into_iter()
            .filter_map(|slot| {
                let (id, query) = &self.queries[slot as usize];
                query
                    .matches_prepared(doc, &lang, &source_words)
                    .then_some(*id)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Doc, Query};

    fn split(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_lowercase).collect()
    }

    #[test]
    fn set_agrees_with_one_by_one_matching() {
        let queries = [
            "gaza",
            "gaza -football",
            "\"iran deal\"",
            "(kyiv OR kiev) lang:en",
            "talks source:bbc",
            "talks source:cnn",
            "a OR b OR talks",
            "!!!",
        ];
        let mut set = QuerySet::new();
        let compiled: Vec<_> = queries
            .iter()
            .map(|q| Query::parse(q).unwrap().compile(&split))
            .collect();
        for (i, q) in compiled.iter().enumerate() {
            set.insert(i, q.clone());
        }
        assert_eq!(set.len(), queries.len());
        let docs = [
            ("gaza talks on the iran deal", "en", "BBC Arabic"),
            ("football in gaza", "ar", "CNN"),
            ("kiev talks", "en-US", "CNN"),
            ("nothing here", "en", "BBC"),
        ];
        for (text, lang, source) in docs {
            let keys = split(text);
            let expected: Vec<usize> = compiled
                .iter()
                .enumerate()
                .filter(|(_, q)| {
                    q.matches(&Doc {
                        keys: &keys,
                        lang,
                        source,
                    })
                })
                .map(|(i, _)| i)
                .collect();
            let got = set.matching(&DocIndex::new(&keys), lang, source);
            assert_eq!(got, expected, "{text}");
        }
        let keys = split("gaza talks on the iran deal");
        assert_eq!(
            set.matching(&DocIndex::new(&keys), "en", "BBC Arabic"),
            [0, 1, 2, 4, 6]
        );
    }
}
