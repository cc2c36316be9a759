//! The one error type of `ajil-parse`.

/// Why a document could not be turned into feed items or OPML outlines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body was empty or only whitespace.
    #[error("document is empty: check that the source URL serves a feed")]
    Empty,
    /// The root element or first bytes match no format we read.
    #[error(
        "document starts with {start:?}, which is not RSS, Atom, JSON Feed, a sitemap or OPML: check that the source URL points at a feed"
    )]
    UnknownFormat {
        /// The first characters of the document, for the log.
        start: String,
    },
    /// feed-rs rejected the feed, before and after repair.
    #[error("feed is malformed even after repair ({reason}): check it with a feed validator")]
    Malformed {
        /// The parser's message on the repaired document.
        reason: String,
    },
    /// A news sitemap could not be read.
    #[error("sitemap is malformed ({reason}): check that the URL serves a sitemap <urlset>")]
    Sitemap {
        /// The XML reader's message.
        reason: String,
    },
    /// The URL a page was fetched from does not parse, so its links cannot
    /// be made absolute.
    #[error("{url} is not a valid URL ({reason}): give the page's full http(s) address")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// The URL parser's message.
        reason: String,
    },
    /// An OPML file could not be read.
    #[error("OPML is malformed ({reason}): export the subscription list again")]
    Opml {
        /// The XML reader's message.
        reason: String,
    },
}
