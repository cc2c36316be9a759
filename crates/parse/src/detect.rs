//! Choosing the format of a document from its first element.

/// The formats `ajil-parse` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RSS 0.9x/1.0/2.0 or Atom, read by feed-rs.
    XmlFeed,
    /// JSON Feed, read by feed-rs.
    JsonFeed,
    /// A `<urlset>` sitemap, plain or with Google News tags.
    Sitemap,
    /// A `<sitemapindex>` that lists other sitemaps.
    SitemapIndex,
    /// An OPML subscription list.
    Opml,
    /// An HTML page rather than a feed.
    Html,
    /// Nothing but whitespace.
    Empty,
    /// Anything else.
    Unknown,
}

/// Guess the format of UTF-8 `text` from its root element (or first `{`).
///
/// Comments, processing instructions, a doctype and leading junk are skipped.
///
/// ```
/// use ajil_parse::{detect, Format};
/// assert_eq!(detect("<?xml version='1.0'?><rss version='2.0'/>"), Format::XmlFeed);
/// assert_eq!(detect("<urlset xmlns='x'><url/></urlset>"), Format::Sitemap);
/// assert_eq!(detect(" {\"version\": \"https://jsonfeed.org/version/1\"}"), Format::JsonFeed);
/// ```
pub fn detect(text: &str) -> Format {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Format::Empty;
    }
    if trimmed.starts_with('{') {
        return Format::JsonFeed;
    }
    match root_name(trimmed) {
        Some(name) => classify(&name),
        None => Format::Unknown,
    }
}

fn classify(name: &str) -> Format {
    let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
    match local.as_str() {
        "rss" | "feed" | "rdf" | "entry" | "channel" => Format::XmlFeed,
        "urlset" => Format::Sitemap,
        "sitemapindex" => Format::SitemapIndex,
        "opml" => Format::Opml,
        "html" | "head" | "body" => Format::Html,
        _ => Format::Unknown,
    }
}

/// The name of the first element that is not a declaration, comment or PI.
fn root_name(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let lt = rest.find('<')?;
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!") {
            // A doctype may carry an internal subset in brackets.
            let close = match (rest.find('['), rest.find('>')) {
                (Some(b), Some(g)) if b < g => rest.find("]>").map(|i| i + 2)?,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            rest = &rest[close..];
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_prolog_and_classifies_roots() {
        assert_eq!(
            detect("<!-- c --><!DOCTYPE rss [<!ENTITY a 'b'>]><rss>"),
            Format::XmlFeed
        );
        assert_eq!(detect("<rdf:RDF xmlns:rdf='x'>"), Format::XmlFeed);
        assert_eq!(
            detect("<feed xmlns='http://www.w3.org/2005/Atom'>"),
            Format::XmlFeed
        );
        assert_eq!(detect("<opml version='2.0'>"), Format::Opml);
        assert_eq!(detect("<sitemapindex>"), Format::SitemapIndex);
        assert_eq!(detect("<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(detect("  \n"), Format::Empty);
        assert_eq!(detect("hello"), Format::Unknown);
    }
}
