//! Trying a query on recent reports before it is saved: which stories it
//! would have alerted on. The query is compiled and each report keyed as the
//! pipeline's matcher does ([`ajil_analyze::match_keys`] for the query,
//! [`ajil_analyze::report_match_keys`] for the report), so a preview finds
//! what a subscription would.

use std::collections::HashSet;

use ajil_model::StoryId;
use ajil_query::{DocIndex, Query};
use ajil_store::StoreError;
use chrono::{DateTime, Duration, Utc};

/// How far back a preview looks.
pub(crate) const SEARCH_DAYS: i64 = 3;
/// The most reports a preview reads (the newest), to keep it quick.
pub(crate) const SEARCH_ARTICLES: u32 = 5_000;

/// What trying a query found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The stories of the reports that match.
    pub stories: HashSet<StoryId>,
    /// How many reports were read.
    pub searched: usize,
}

/// The stories whose reports of the last [`SEARCH_DAYS`] days `query`
/// matches (the newest [`SEARCH_ARTICLES`] reports).
///
/// Previews run one at a time (the others wait their turn), so a burst of
/// them keeps to one core.
pub(crate) async fn stories_matching(
    state: &crate::AppState,
    query: Query,
    now: DateTime<Utc>,
) -> Result<Found, StoreError> {
    let _turn = state
        .search_gate
        .acquire()
        .await
        .expect("the gate is never closed");
    let articles = state
        .store
        .recent_articles(now - Duration::days(SEARCH_DAYS), SEARCH_ARTICLES)
        .await?;
    // Keying thousands of reports is CPU work: off the request threads.
    let found = tokio::task::spawn_blocking(move || Found {
        searched: articles.len(),
        stories: stories_matched(&query, &articles),
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    Ok(found)
}

/// The stories of those `articles` that `query` matches, each report keyed as
/// the pipeline's matcher keys it: the stories a subscription with `query`
/// would have been alerted on. CPU work, no I/O.
pub fn stories_matched(query: &Query, articles: &[ajil_store::StoredArticle]) -> HashSet<StoryId> {
    let compiled = query.compile(&|s: &str| ajil_analyze::match_keys(s, None));
    let mut stories = HashSet::new();
    for a in articles {
        let Some(story) = a.story_id else { continue };
        if stories.contains(&story) {
            continue;
        }
        let keys = ajil_analyze::report_match_keys(&a.title, &a.text, &a.lang);
        let index = DocIndex::with_variants(&keys.keys, &keys.variants);
        if compiled.matches_index(&index, &a.lang, &a.source_name) {
            stories.insert(story);
        }
    }
    stories
}

/// Stories for a listing: those seen since `since`, newest first, at most
/// `limit`; with `query`, only those it matches (see [`stories_matching`]);
/// with `breaking`, only breaking ones. Also returns how many reports the
/// query read.
pub(crate) async fn listing(
    state: &crate::AppState,
    query: Option<Query>,
    breaking: bool,
    since: DateTime<Utc>,
    limit: u32,
) -> Result<(Vec<ajil_store::StoryRow>, Option<usize>), StoreError> {
    let found = match query {
        Some(query) => Some(stories_matching(state, query, state.now()).await?),
        None => None,
    };
    // Filtering reads further back and wider, then keeps `limit`.
    let (since, read) = match (&found, breaking) {
        (Some(_), _) => (
            since.min(state.now() - Duration::days(SEARCH_DAYS)),
            limit.saturating_mul(10),
        ),
        (None, true) => (since, limit.saturating_mul(10)),
        (None, false) => (since, limit),
    };
    let mut stories = state.store.list_stories(since, read).await?;
    if let Some(found) = &found {
        stories.retain(|s| found.stories.contains(&s.id));
    }
    if breaking {
        stories.retain(|s| s.state == ajil_store::StoryState::Breaking);
    }
    stories.truncate(limit as usize);
    Ok((stories, found.map(|f| f.searched)))
}
