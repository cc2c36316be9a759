//! The small vocabulary every ajil stage shares.
//!
//! Ids and the plain records that cross stage boundaries live here, so that a
//! stage never depends on another stage just to name what it receives:
//!
//! ```text
//! source → fetch → parse (FeedItem) → extract (Extracted) → analyze (Analysis)
//!        → story (StoryId) → match → alert (Alert) → deliver
//! ```
//!
//! This crate has no I/O and almost no dependencies (serde, chrono).
//!
//! ```
//! use ajil_model::{ArticleId, Cadence};
//! assert_eq!(ArticleId(7).to_string(), "7");
//! assert_eq!("hourly".parse::<Cadence>().unwrap(), Cadence::Hourly);
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    };
}

id_type!(
    /// A news source (a feed or a page ajil watches).
    SourceId
);
id_type!(
    /// One article as stored (one item of one source).
    ArticleId
);
id_type!(
    /// A story: every copy and report of one happening.
    StoryId
);
id_type!(
    /// A subscriber (one email address).
    SubscriberId
);
id_type!(
    /// One saved query of one subscriber.
    SubscriptionId
);
id_type!(
    /// One alert in the outbox.
    AlertId
);

/// One entry of a feed, as the parser yields it, before extraction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    /// The item's guid or id, when the feed gives one.
    pub guid: Option<String>,
    /// The link to the article page.
    pub url: Option<String>,
    /// Title as plain text.
    pub title: Option<String>,
    /// Summary or description (may hold HTML).
    pub summary: Option<String>,
    /// Full content (may hold HTML), when the feed carries it.
    pub content: Option<String>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Last update time.
    pub updated: Option<DateTime<Utc>>,
    /// Author names.
    pub authors: Vec<String>,
    /// Language the feed or item declares (BCP 47 tag as written).
    pub lang: Option<String>,
    /// Categories the item (or else its feed) declares, first the main one, such
    /// as "Sport" or "الشرق الأوسط".
    #[serde(default)]
    pub categories: Vec<String>,
}

/// A parsed feed: its own metadata and its items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedFeed {
    /// Feed title.
    pub title: Option<String>,
    /// Link to the site.
    pub link: Option<String>,
    /// Declared language.
    pub lang: Option<String>,
    /// The entries, in feed order.
    pub items: Vec<FeedItem>,
    /// The WebSub hub the feed names (`<link rel="hub">`), which pushes new
    /// versions of it to subscribers.
    #[serde(default)]
    pub hub: Option<String>,
    /// The feed's own address (`<link rel="self">`): the topic to subscribe
    /// to at the hub.
    #[serde(default)]
    pub self_url: Option<String>,
}

/// What extraction found in an article page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    /// Article title (without the site-name suffix).
    pub title: Option<String>,
    /// Main body text; paragraphs separated by a blank line.
    pub text: String,
    /// Language code (ISO 639-1, e.g. `ar`), declared or detected.
    pub lang: Option<String>,
    /// Publication time in UTC.
    pub published: Option<DateTime<Utc>>,
    /// Last update time in UTC.
    pub updated: Option<DateTime<Utc>>,
    /// Author or byline.
    pub author: Option<String>,
    /// Canonical URL of the page.
    pub canonical_url: Option<String>,
    /// The wire agency the story comes from (e.g. "Associated Press").
    pub wire: Option<String>,
}

/// What analysis computes from an article's title and text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// ISO 639-1 language code (`ar`, `en`, …), or `und` if unknown.
    pub lang: String,
    /// Normalized, stemmed tokens of title then body, in order: the story keys
    /// the clusterer compares (stored queries are matched on match keys, made
    /// from the text by `ajil_analyze::article_match_keys`).
    pub keys: Vec<String>,
    /// Normalized, stemmed tokens of the title alone.
    pub title_keys: Vec<String>,
    /// MinHash signature over the body's word shingles.
    pub minhash: Vec<u32>,
    /// Hash of the normalized body, for exact-copy detection.
    pub content_hash: u64,
    /// Sound keys of the title and lead (names and numbers in one alphabet for Arabic
    /// and Latin script, packed as `ajil_analyze::SoundCode`s, sorted): how the story clusterer joins reports in two
    /// scripts. Empty in analyses made before they existed.
    #[serde(default)]
    pub sound: Vec<u64>,
    /// The sound keys of the title alone (sorted).
    #[serde(default)]
    pub title_sound: Vec<u64>,
    /// The headline reports what someone said or how they reacted (a speaker then
    /// a colon, or a word such as condemns, calls on, welcomes): the story clusterer
    /// lets such reports join a story that broke hours before on its reports as a
    /// whole. False in analyses made before it existed.
    #[serde(default)]
    pub statement: bool,
}

/// An article as the pipeline carries it after extraction and analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Store id.
    pub id: ArticleId,
    /// The source it came from.
    pub source_id: SourceId,
    /// The source's display name (the outlet).
    pub source_name: String,
    /// Link to the page.
    pub url: String,
    /// Canonical URL when known.
    pub canonical_url: Option<String>,
    /// Title.
    pub title: String,
    /// Body text.
    pub text: String,
    /// Language code.
    pub lang: String,
    /// Publication time (fetch time when the source gives none).
    pub published: DateTime<Utc>,
    /// Author.
    pub author: Option<String>,
    /// Wire agency.
    pub wire: Option<String>,
}

/// How often a subscription is told about new stories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    /// One email per story, as soon as it matches.
    #[default]
    Realtime,
    /// One digest per hour.
    Hourly,
    /// One digest per day.
    Daily,
}

impl Cadence {
    /// The lowercase name used in the CLI, the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Realtime => "realtime",
            Cadence::Hourly => "hourly",
            Cadence::Daily => "daily",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a cadence name that is not one of `realtime`, `hourly`, `daily`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCadence(pub String);

impl fmt::Display for UnknownCadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown mode {:?}: use realtime, hourly or daily",
            self.0
        )
    }
}

impl std::error::Error for UnknownCadence {}

impl FromStr for Cadence {
    type Err = UnknownCadence;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "realtime" | "immediate" => Ok(Cadence::Realtime),
            "hourly" => Ok(Cadence::Hourly),
            "daily" => Ok(Cadence::Daily),
            _ => Err(UnknownCadence(s.to_string())),
        }
    }
}

/// Text direction of a language, for UI and email layout.
pub fn is_rtl(lang: &str) -> bool {
    matches!(
        lang.split(['-', '_']).next().unwrap_or(""),
        "ar" | "fa" | "ur" | "he" | "ps" | "ckb" | "yi" | "dv"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadence_round_trips() {
        for c in [Cadence::Realtime, Cadence::Hourly, Cadence::Daily] {
            assert_eq!(c.as_str().parse::<Cadence>().unwrap(), c);
        }
        let err = "weekly".parse::<Cadence>().unwrap_err();
        assert!(err.to_string().contains("realtime, hourly or daily"));
    }

    #[test]
    fn rtl_languages() {
        assert!(is_rtl("ar"));
        assert!(is_rtl("ar-EG"));
        assert!(is_rtl("fa"));
        assert!(!is_rtl("en"));
        assert!(!is_rtl("arn"));
    }
}
