//! The ajil stored-query language: parsing and matching.
//!
//! In: the query a subscriber typed, e.g. `(غزة OR gaza) -كرة
//! source:"BBC Arabic"` or `"Iran deal" -sport lang:ar,en`. Out: a
//! [`CompiledQuery`] that says whether an analyzed article matches, and a
//! [`QuerySet`] that finds, for one article, which of many thousand queries
//! match it. It sits after `analyze` in the pipeline and does no I/O.
//!
//! The language: words (implicitly ANDed), `"exact phrases"`, `-exclusions`
//! (of a word, phrase or group), `OR` or `|`, parentheses, and the
//! whole-query filters `lang:ar,en` and `source:NAME` (`source:"BBC
//! Arabic"`). Errors name the column of the problem ([`QueryError`]).
//!
//! This crate depends on no other ajil crate: [`Query::compile`] takes the
//! normalizer as a function, and the integrator passes the one that keyed
//! the articles (`ajil_analyze::match_keys`), so a query typed as "إسطنبول"
//! meets "وإسطنبول", "الإمارات" meets "بالإمارات" but not "الأمر", and
//! "talks" meets "talk".
//!
//! ```
//! use ajil_query::{Doc, Query};
//! let words = |t: &str| t.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
//! let query = Query::parse("\"iran deal\" -sport lang:ar,en").unwrap().compile(&words);
//! let keys = words("Talks on the Iran deal resume");
//! assert!(query.matches(&Doc { keys: &keys, lang: "en", source: "BBC" }));
//! assert!(!query.matches(&Doc { keys: &keys, lang: "fr", source: "BBC" }));
//! ```

mod compile;
mod error;
mod parse;
mod set;

pub use compile::{CompiledQuery, Doc, DocIndex};
pub use error::{Pointed, QueryError};
pub use parse::{Node, Query};
pub use set::QuerySet;
