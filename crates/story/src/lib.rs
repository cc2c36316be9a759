//! Story clustering and breaking-news detection.
//!
//! Every article joins an existing story or starts one. A [`Clusterer`] receives
//! articles already analysed (keys, title keys, MinHash signature and content hash from
//! `ajil-analyze`) as [`StoryInput`]s and answers each with an [`Assignment`]: the story,
//! whether the article is a copy of an earlier one, which stories were merged, and
//! whether the story just turned breaking.
//!
//! Two kinds of sameness are told apart:
//!
//! * **copies**: the same text reprinted, syndicated or lightly edited (same canonical
//!   URL, same content hash, or MinHash near-duplicates found by LSH banding);
//! * **same event**: independent outlets reporting one happening in their own words
//!   (idf-weighted overlap of titles, leads and rare tokens, decayed by time, against
//!   the story's best-matching articles or against its core — the words several of its
//!   reports share); across scripts (an English report and its Arabic translation),
//!   by the sound keys of names and numbers the two share (see `script`).
//!
//! Word weights come from the window itself, smoothed by a prior of pseudo-documents so
//! that a young window (a fresh install's first few articles, where every word looks
//! rare) does not link unrelated reports through incidental words; shared names only
//! corroborate similar titles or leads, they never link two reports alone.
//!
//! A story groups both, but only independent outlets count as confirmation: twenty
//! reprints of one wire story are one voice. A story turns breaking once, when enough
//! independent outlets report it within the breaking window, or when, within the hour,
//! enough outlets run it with at least two of them in their own words (confirmation
//! plus urgency), or when two outlets report within minutes of each other and enough
//! outlets confirm while the story is still young (a flash confirmed slowly); the bar
//! rises after a day with many breaking stories. The crate is
//! pure: no I/O and no clock — every call takes `now`.
//!
//! ```
//! use ajil_model::ArticleId;
//! use ajil_story::{Clusterer, StoryInput, StoryOptions};
//! use chrono::{TimeZone, Utc};
//!
//! let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
//! let now = Utc.with_ymd_and_hms(2018, 5, 14, 9, 0, 0).unwrap();
//! let keys: Vec<String> = ["غزه", "قتل", "متظاهر", "حدود", "اسرائيل"]
//!     .iter().map(|s| s.to_string()).collect();
//! let input = StoryInput {
//!     article: ArticleId(1),
//!     outlet: "skynews",
//!     published: now,
//!     url: "https://example.com/a",
//!     canonical_url: None,
//!     title_keys: &keys[..2],
//!     keys: &keys,
//!     minhash: &[],
//!     content_hash: 42,
//!     sound: &[],
//!     title_sound: &[],
//!     wire: None,
//!     section: None,
//!     statement: false,
//! };
//! let first = clusterer.add(&input, now);
//! assert!(first.new_story);
//!
//! // The same text again on another site is a copy of the first.
//! let reprint = StoryInput { article: ArticleId(2), outlet: "other", url: "https://example.org/b", ..input };
//! let second = clusterer.add(&reprint, now);
//! assert_eq!(second.story, first.story);
//! assert_eq!(second.copy_of, Some(ArticleId(1)));
//! assert_eq!(clusterer.story(first.story).unwrap().independent_outlet_count, 1);
//! ```
//!
//! # Rebuilding after a restart
//!
//! Decisions depend only on the articles fed and their order (no hash-map iteration
//! order reaches a result), so replaying the same articles in the same order gives the
//! same story ids and assignments. At start-up, when the store already knows each
//! article's story, [`Clusterer::add_with_story`] replays the window's articles in
//! publication order into their stored stories without re-deciding, and
//! [`Clusterer::with_next_story_id`] makes new ids continue after the stored ones.

mod cluster;
mod error;
pub mod eval;
mod options;
mod script;
mod similarity;

pub use cluster::Clusterer;
pub use error::StoryError;
pub use options::StoryOptions;

use ajil_model::{ArticleId, StoryId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One analysed article, as the clusterer needs it (borrowed from the caller's records).
#[derive(Debug, Clone, Copy)]
pub struct StoryInput<'a> {
    /// Store id of the article.
    pub article: ArticleId,
    /// The outlet (source display name) that published it; one outlet is one voice.
    pub outlet: &'a str,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Link to the page.
    pub url: &'a str,
    /// Canonical URL, when the page declares one.
    pub canonical_url: Option<&'a str>,
    /// Normalized, stemmed title tokens.
    pub title_keys: &'a [String],
    /// Normalized, stemmed tokens of title then body.
    pub keys: &'a [String],
    /// MinHash signature of the body (same length for all articles; empty when no body).
    pub minhash: &'a [u32],
    /// Hash of the normalized body; 0 means "no body".
    pub content_hash: u64,
    /// The wire agency the article credits, if any.
    pub wire: Option<&'a str>,
    /// Sound keys of the title and lead (`ajil_analyze::sound_keys`; `Analysis::sound`):
    /// what reports in two scripts are compared on. May be empty.
    pub sound: &'a [u64],
    /// Sound keys of the title alone (`Analysis::title_sound`).
    pub title_sound: &'a [u64],
    /// The section the article ran in (its feed's category, such as "sport" or
    /// "middleEast"), if known. Reports from quiet sections (see
    /// [`StoryOptions::quiet_sections`]) never count towards breaking.
    pub section: Option<&'a str>,
    /// The headline reports what someone said or how they reacted
    /// (`Analysis::statement`): a story of such reports alone, told after another
    /// story broke, may settle into that one
    /// ([`StoryOptions::statement_threshold`]).
    pub statement: bool,
}

/// Where an article went, answered by [`Clusterer::add`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[must_use]
pub struct Assignment {
    /// The story the article now belongs to.
    pub story: StoryId,
    /// The article started this story.
    pub new_story: bool,
    /// The earliest article this one copies (same canonical URL, content hash or near-duplicate text).
    pub copy_of: Option<ArticleId>,
    /// The article counts as independent confirmation (not a copy of another outlet's
    /// article, nor a near copy of a report from the same wire agency).
    pub independent: bool,
    /// Stories absorbed into `story` because this article linked them strongly, or
    /// swept into it as it turned breaking.
    pub merged: Vec<StoryId>,
    /// The stories of `merged` swept in as `story` turned breaking: their articles are
    /// angles, members whose keys stay out of the story's core (see
    /// [`StoryOptions::breaking_sweep`]). A store keeps that, so a restart places them
    /// with [`Clusterer::add_angle_with_story`].
    #[serde(default)]
    pub swept: Vec<StoryId>,
    /// Statement stories settled before this article was placed, as `(from, into)`:
    /// `from` (a few statements told after `into` broke, which nothing else joined)
    /// was merged into `into` as angles (see [`StoryOptions::statement_threshold`]).
    /// `into` is usually not `story`. A store marks `from`'s articles angles and
    /// merges it, so a restart places them with [`Clusterer::add_angle_with_story`].
    #[serde(default)]
    pub settled: Vec<(StoryId, StoryId)>,
    /// Set only the first time the story turns breaking.
    pub breaking: Option<Breaking>,
    /// Other stories this article confirmed that turned breaking with it: an
    /// independent report that scored above the join threshold against a story besides
    /// the one it joined counts as a report of that story's happening too (two
    /// happenings told together, such as a ceremony and the clashes beside it).
    #[serde(default)]
    pub also_breaking: Vec<(StoryId, Breaking)>,
}

/// The moment a story turned breaking and the outlets that confirmed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breaking {
    /// When the story turned breaking (the `now` of the deciding call).
    pub at: DateTime<Utc>,
    /// Independent outlets in the breaking window, with their first independent report, oldest first.
    pub independent_outlets: Vec<(String, DateTime<Utc>)>,
}

/// How far a story has come; it only moves forward: New → Developing → Breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoryState {
    /// Reported by one independent outlet so far (copies aside).
    New,
    /// Confirmed by a second independent outlet within the developing window.
    Developing,
    /// Confirmed by enough independent outlets within the breaking window.
    Breaking,
}

/// A snapshot of one open story, from [`Clusterer::story`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryView {
    /// Story id.
    pub id: StoryId,
    /// Its articles in the order they were added.
    pub articles: Vec<ArticleId>,
    /// Pairs `(copy, original)` for the articles that are copies.
    pub copies: Vec<(ArticleId, ArticleId)>,
    /// Every outlet with an article in the story, sorted.
    pub outlets: Vec<String>,
    /// Outlets with an independent report, with the time of their first one, oldest first.
    pub independent_outlets: Vec<(String, DateTime<Utc>)>,
    /// `independent_outlets.len()`.
    pub independent_outlet_count: usize,
    /// Earliest publication time of its articles.
    pub first_seen: DateTime<Utc>,
    /// Latest publication time of its articles.
    pub last_seen: DateTime<Utc>,
    /// Current state.
    pub state: StoryState,
    /// When it turned breaking, if it did.
    pub breaking_at: Option<DateTime<Utc>>,
}
