//! The match stage's glue: the active subscriptions' queries, compiled once
//! with the analyzer's key function into a [`QuerySet`] (an inverted index on
//! each query's required keys), refreshed every cycle.

use ajil_query::{DocIndex, Query, QuerySet};
use ajil_store::SubscriptionWithEmail;
use tracing::warn;

/// Compiled queries of the active subscriptions.
pub struct Matchers {
    subs: Vec<SubscriptionWithEmail>,
    set: QuerySet<usize>,
}

impl Default for Matchers {
    fn default() -> Self {
        Matchers {
            subs: Vec::new(),
            set: QuerySet::new(),
        }
    }
}

impl Matchers {
    /// Recompiles from the current subscriptions. A stored query that no
    /// longer parses (it was validated when added) is logged and skipped.
    pub fn refresh(&mut self, subs: Vec<SubscriptionWithEmail>) {
        let keys = |s: &str| ajil_analyze::match_keys(s, None);
        let mut set = QuerySet::new();
        for (i, sub) in subs.iter().enumerate() {
            match Query::parse(&sub.subscription.query) {
                Ok(q) => set.insert(i, q.compile(&keys)),
                Err(e) => warn!(
                    subscription_id = %sub.subscription.id,
                    "stored query does not parse: {e}"
                ),
            }
        }
        self.subs = subs;
        self.set = set;
    }

    /// The subscriptions whose query and language filter accept the article.
    pub fn matching(
        &self,
        keys: &ajil_analyze::MatchKeys,
        lang: &str,
        source: &str,
    ) -> Vec<SubscriptionWithEmail> {
        let index = DocIndex::with_variants(&keys.keys, &keys.variants);
        self.set
            .matching(&index, lang, source)
            .into_iter()
            .map(|i| &self.subs[i])
            .filter(|sub| {
                let langs = &sub.subscription.langs;
                langs.is_empty() || langs.iter().any(|l| l.eq_ignore_ascii_case(lang))
            })
            .cloned()
            .collect()
    }
}
