//! Feed parsing for ajil: bytes in, [`ParsedFeed`] out.
//!
//! [`parse_feed`] reads RSS 0.9x/1.0/2.0, Atom and JSON Feed (through feed-rs)
//! and news sitemaps, and yields the shared [`ajil_model::FeedItem`] records:
//! titles as plain text, summaries and content as the feed gave them, dates in
//! UTC. It sits between `ajil-fetch` (which supplies the bytes and the
//! `Content-Type`) and `ajil-extract`; it does no I/O.
//!
//! Real feeds are often broken. The bytes are first decoded with the right
//! charset (BOM, HTTP header, XML declaration, then detection) so a
//! windows-1256 Arabic feed that declares nothing still reads; when feed-rs
//! then rejects the document, a repair pass (HTML entities, stray `&`, raw HTML
//! in descriptions, control characters, leading junk, a missing RSS version)
//! runs and the parse is tried once more.
//!
//! A source may also be a web page or a sitemap index. [`parse_source`] reads
//! any of them into a [`Document`]: a feed, the children of a
//! `<sitemapindex>` (newest first), or a [`Page`] with the feeds it
//! advertises and the article links it lists ([`read_page`]).
//!
//! [`parse_opml`] and [`write_opml`] read and write subscription lists.
//!
//! ```
//! let rss = "<rss version='2.0'><channel><title>Ex</title>\
//!   <item><title>عاجل&nbsp;الآن</title><link>https://ex.org/1</link></item></channel></rss>";
//! let feed = ajil_parse::parse_feed(rss.as_bytes(), Some("application/rss+xml")).unwrap();
//! assert_eq!(feed.items[0].title.as_deref(), Some("عاجل الآن"));
//! ```

mod charset;
mod detect;
mod error;
mod feed;
mod opml;
mod page;
mod repair;
mod sitemap;
mod text;
mod xml;

pub use ajil_model::{FeedItem, ParsedFeed};
pub use charset::charset_from_content_type;
pub use detect::{Format, detect};
pub use error::ParseError;
pub use opml::{OpmlOutline, parse_opml, write_opml};
pub use page::{FeedLink, MAX_PAGE_LINKS, Page, read_page};
pub use sitemap::SitemapRef;
pub use text::html_to_text;

/// What a source URL served.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// RSS, Atom, JSON Feed or a `<urlset>` sitemap.
    Feed(ParsedFeed),
    /// A `<sitemapindex>`: its child sitemaps, newest first.
    SitemapIndex(Vec<SitemapRef>),
    /// An HTML page: the feeds it advertises and the article links it lists.
    Page(Page),
}

/// Parse whatever a source URL served: a feed or sitemap as [`parse_feed`]
/// does, a sitemap index, or an HTML page (read against `url`, where it was
/// fetched from, to make its links absolute).
///
/// ```
/// use ajil_parse::{Document, parse_source};
/// let html = b"<!doctype html><html><head><link rel=alternate type=application/rss+xml href=/feed.xml></head></html>";
/// let Ok(Document::Page(page)) = parse_source(html, Some("text/html"), "https://ex.org/news") else {
///     panic!("a page")
/// };
/// assert_eq!(page.feeds[0].url, "https://ex.org/feed.xml");
/// ```
pub fn parse_source(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &str,
) -> Result<Document, ParseError> {
    let decoded = charset::decode(bytes, content_type);
    let trimmed = decoded
        .text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let format = detect(trimmed);
    let page = |text: &str| -> Result<Document, ParseError> {
        let base = url::Url::parse(url).map_err(|e| ParseError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Document::Page(read_page(text, &base)))
    };
    match format {
        Format::Html => page(trimmed),
        Format::SitemapIndex => {
            let text = repair::strip_leading_garbage(trimmed);
            sitemap::parse_index(text)
                .or_else(|_| sitemap::parse_index(&repair::repair(text)))
                .map(Document::SitemapIndex)
        }
        // A feed behind junk is still a feed (the repair cuts the junk); a
        // document that is neither, served as HTML, is read as a page.
        _ => match parse_feed(bytes, content_type) {
            Ok(feed) => Ok(Document::Feed(feed)),
            Err(_)
                if format == Format::Unknown
                    && content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html")) =>
            {
                page(trimmed)
            }
            Err(e) => Err(e),
        },
    }
}

/// Parse a feed or news sitemap from raw bytes.
///
/// `content_type` is the HTTP `Content-Type` header, if any; its charset wins
/// over the document's own declaration. Broken XML is repaired and parsed a
/// second time before giving up with [`ParseError::Malformed`].
pub fn parse_feed(bytes: &[u8], content_type: Option<&str>) -> Result<ParsedFeed, ParseError> {
    let decoded = charset::decode(bytes, content_type);
    let trimmed = decoded
        .text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    // JSON has no tags to look for; only XML gets its leading junk cut.
    let text = if trimmed.starts_with('{') {
        trimmed
    } else {
        repair::strip_leading_garbage(trimmed)
    };
    match detect(text) {
        Format::Empty => Err(ParseError::Empty),
        Format::Sitemap => sitemap::parse(text).or_else(|_| sitemap::parse(&repair::repair(text))),
        Format::JsonFeed => feed::parse(text).map_err(|reason| ParseError::Malformed { reason }),
        Format::SitemapIndex | Format::Opml | Format::Html => Err(ParseError::UnknownFormat {
            start: text.chars().take(60).collect(),
        }),
        // Unknown roots still go to feed-rs: the repair may reveal a feed
        // behind junk the detector could not see past.
        Format::XmlFeed | Format::Unknown => {
            // Control characters break nothing in feed-rs but end up in titles.
            let text = &repair::normalize_namespaces(&repair::drop_invalid_xml_chars(text));
            let first = feed::parse(&repair::set_declared_encoding_utf8(text));
            match first {
                Ok(feed) => Ok(feed),
                Err(first_err) => feed::parse(&repair::repair(text)).map_err(|second| {
                    if detect(text) == Format::Unknown {
                        ParseError::UnknownFormat {
                            start: text.chars().take(60).collect(),
                        }
                    } else {
                        ParseError::Malformed {
                            reason: if second == first_err {
                                second
                            } else {
                                format!("{first_err}; after repair: {second}")
                            },
                        }
                    }
                }),
            }
        }
    }
}
