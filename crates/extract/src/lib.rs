//! Main-content and metadata extraction from news pages.
//!
//! In: the raw bytes of an article page (plus the HTTP charset and URL when
//! known). Out: an [`ajil_model::Extracted`] — the article text as paragraphs
//! separated by a blank line, stripped of page furniture and republisher
//! noise (ad shortcodes, sign-up blurbs, "اقرأ أيضا" links, bare "المصدر"
//! lines), plus title, dates in UTC, author, canonical URL, declared language
//! and the wire agency credited. It sits between `fetch` and `analyze`, does
//! no I/O, and never panics or recurses on page depth.
//!
//! A byte-level pre-pass drops what nothing here reads (script, style and svg
//! bodies, comments, `data-*` and `on*` attributes) before html5ever parses
//! the page, and every node is classified once; a whole extraction costs
//! about as much as a bare parse of the same page (`BENCHMARKS.md`).
//!
//! ```
//! use ajil_extract::{extract, ExtractOptions};
//!
//! let page = "<html lang='ar'><body><article>\
//!     <p>[ad_1]</p>\
//!     <p>قال وزير الخارجية يوم الأربعاء إن المحادثات ستستأنف في إسطنبول الأسبوع المقبل.</p>\
//!     <p>[ad_2]</p></article></body></html>";
//! let out = extract(page.as_bytes(), &ExtractOptions::default()).unwrap();
//! assert_eq!(out.text, "قال وزير الخارجية يوم الأربعاء إن المحادثات ستستأنف في إسطنبول الأسبوع المقبل.");
//! assert_eq!(out.lang.as_deref(), Some("ar"));
//! ```

mod charset;
mod content;
mod dates;
mod depth;
mod dom;
mod error;
mod meta;
mod noise;
mod wire;

pub use ajil_model::Extracted;
pub use error::ExtractError;

/// Default input size limit: 16 MiB.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Settings for [`extract`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// The page's URL, to resolve a relative canonical link.
    pub url: Option<String>,
    /// The charset from the HTTP `Content-Type` header, if any.
    pub charset: Option<String>,
    /// Inputs larger than this are rejected with [`ExtractError::TooLarge`].
    pub max_bytes: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            url: None,
            charset: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Extracts the article text and metadata from an HTML page.
///
/// # Errors
/// [`ExtractError::TooLarge`] past `opts.max_bytes`, [`ExtractError::NotHtml`]
/// when the bytes sniff as binary or carry no markup.
pub fn extract(html: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
    if html.len() > opts.max_bytes {
        return Err(ExtractError::TooLarge {
            size: html.len(),
            limit: opts.max_bytes,
        });
    }
    charset::sniff(html)?;
    let text = charset::decode(html, opts.charset.as_deref());
    let dom = dom::Dom::document(&text);
    let base = opts.url.as_deref().and_then(|u| url::Url::parse(u).ok());
    let meta = meta::read(&dom, base.as_ref());
    let paragraphs = content::article_paragraphs(&dom, meta.title.as_deref());
    let published = meta.published.or_else(|| meta::visible_date(&dom));
    let wire = wire::detect(&paragraphs, meta.author.as_deref()).map(str::to_owned);
    Ok(Extracted {
        title: meta.title,
        text: paragraphs.join("\n\n"),
        lang: meta.lang,
        published,
        updated: meta.updated,
        author: meta.author,
        canonical_url: meta.canonical,
        wire,
    })
}

/// Turns an HTML fragment from a feed's `content` or `summary` into clean
/// text with the same noise rules as [`extract`]; paragraphs are separated by
/// a blank line.
///
/// ```
/// let text = ajil_extract::clean_fragment("<p>[ad_1]</p><p>Talks resume today.</p><p>Read more: other story</p>");
/// assert_eq!(text, "Talks resume today.");
/// ```
pub fn clean_fragment(html: &str) -> String {
    let dom = dom::Dom::fragment(html);
    content::fragment_paragraphs(&dom).join("\n\n")
}
