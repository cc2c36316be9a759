//! Sitemaps: `<urlset>` with `<url><loc><lastmod>`, and Google News sitemaps
//! whose `<news:news>` adds a title, a publication date and a language.

use ajil_model::{FeedItem, ParsedFeed};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::ParseError;
use crate::xml::{local_name, resolve_ref};

/// Parse a `<urlset>` sitemap into items (one per `<url>`).
pub(crate) fn parse(text: &str) -> Result<ParsedFeed, ParseError> {
    Ok(ParsedFeed {
        items: records(text, "url", apply)?,
        ..ParsedFeed::default()
    })
}

/// A child sitemap listed by a `<sitemapindex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapRef {
    /// Where the child sitemap is.
    pub url: String,
    /// When it last changed, if the index says.
    pub lastmod: Option<DateTime<Utc>>,
}

/// Parse a `<sitemapindex>` into its children, newest first (those without a
/// date last, in index order).
pub(crate) fn parse_index(text: &str) -> Result<Vec<SitemapRef>, ParseError> {
    let found = records(
        text,
        "sitemap",
        |child: &mut (Option<String>, Option<DateTime<Utc>>), name, _, value| match name {
            "loc" => child.0 = Some(value),
            "lastmod" => child.1 = parse_w3c_date(&value),
            _ => {}
        },
    )?;
    let mut refs: Vec<SitemapRef> = found
        .into_iter()
        .filter_map(|(url, lastmod)| Some(SitemapRef { url: url?, lastmod }))
        .collect();
    // Stable: undated children keep the index's order, after the dated ones.
    refs.sort_by_key(|r| std::cmp::Reverse(r.lastmod));
    Ok(refs)
}

/// Every `<record>` element of a sitemap document, each built from the
/// non-empty text of the elements inside it: `field(record, name, parent,
/// value)`.
fn records<T: Default>(
    text: &str,
    record: &str,
    mut field: impl FnMut(&mut T, &str, &str, String),
) -> Result<Vec<T>, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<T> = None;
    let mut buf = String::new();
    loop {
        let event = reader.read_event().map_err(|e| ParseError::Sitemap {
            reason: format!("at byte {}: {e}", reader.buffer_position()),
        })?;
        match event {
            Event::Start(e) => {
                let name = local_name(e.name().as_ref());
                if name == record {
                    current = Some(T::default());
                }
                path.push(name);
                buf.clear();
            }
            Event::Text(t) => buf.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => buf.push_str(&t.decode().unwrap_or_default()),
            Event::GeneralRef(r) => buf.push_str(&resolve_ref(&r)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = buf.trim().to_string();
                buf.clear();
                if name == record {
                    out.extend(current.take());
                } else if let Some(item) = current.as_mut()
                    && !value.is_empty()
                {
                    field(item, &name, parent, value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn apply(item: &mut FeedItem, name: &str, parent: &str, value: String) {
    match (parent, name) {
        ("url", "loc") => {
            item.guid = Some(value.clone());
            item.url = Some(value);
        }
        ("url", "lastmod") => item.updated = parse_w3c_date(&value),
        ("news", "title") => item.title = Some(value),
        ("news", "publication_date") => item.published = parse_w3c_date(&value),
        ("news", "keywords") => {}
        ("publication", "language") => item.lang = Some(value),
        _ => {}
    }
}

/// Parse the W3C datetime profile sitemaps use: a date, or a date and time
/// with an offset (`2024-05-01`, `2024-05-01T10:00+03:00`, `…:00.5Z`).
pub(crate) fn parse_w3c_date(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(value) {
        return Some(dt.with_timezone(&Utc));
    }
    // Minutes-only times (`T10:00+03:00`) are allowed by the W3C profile.
    // (`%MZ` would not do for the `Z` form: chrono's `DateTime` parse needs an
    // offset field, so `Z` is spelled out first.)
    let zoned = match value.strip_suffix(['Z', 'z']) {
        Some(local) => format!("{local}+00:00"),
        None => value.to_string(),
    };
    if let Ok(dt) = DateTime::parse_from_str(&zoned, "%Y-%m-%dT%H:%M%:z") {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S") {
        return Some(dt.and_utc());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_sitemap_yields_titles_and_dates() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://ex.org/a?x=1&amp;y=2</loc>
    <news:news>
      <news:publication><news:name>Ex</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2024-05-01T10:00:00+03:00</news:publication_date>
      <news:title><![CDATA[عاجل: خبر]]></news:title>
    </news:news>
  </url>
  <url><loc>https://ex.org/b</loc><lastmod>2024-04-30</lastmod></url>
</urlset>"#;
        let feed = parse(doc).unwrap();
        assert_eq!(feed.items.len(), 2);
        let a = &feed.items[0];
        assert_eq!(a.url.as_deref(), Some("https://ex.org/a?x=1&y=2"));
        assert_eq!(a.title.as_deref(), Some("عاجل: خبر"));
        assert_eq!(a.lang.as_deref(), Some("ar"));
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2024-05-01T07:00:00+00:00"
        );
        let b = &feed.items[1];
        assert_eq!(b.title, None);
        assert_eq!(b.updated.unwrap().to_rfc3339(), "2024-04-30T00:00:00+00:00");
    }

    #[test]
    fn an_index_lists_its_children_newest_first() {
        let doc = r#"<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://ex.org/news-old.xml</loc><lastmod>2024-04-30</lastmod></sitemap>
  <sitemap><loc>https://ex.org/undated.xml</loc></sitemap>
  <sitemap><loc>https://ex.org/news.xml?d=1&amp;p=2</loc><lastmod>2024-05-01T10:00Z</lastmod></sitemap>
  <sitemap><lastmod>2024-05-02</lastmod></sitemap>
</sitemapindex>"#;
        let urls: Vec<String> = parse_index(doc)
            .unwrap()
            .into_iter()
            .map(|r| r.url)
            .collect();
        assert_eq!(
            urls,
            [
                "https://ex.org/news.xml?d=1&p=2",
                "https://ex.org/news-old.xml",
                "https://ex.org/undated.xml"
            ]
        );
        assert!(matches!(
            parse_index("<sitemapindex><sitemap><loc>x</sitemap>"),
            Err(ParseError::Sitemap { .. })
        ));
    }

    #[test]
    fn w3c_dates() {
        assert!(parse_w3c_date("2024-05-01T10:00+03:00").is_some());
        assert_eq!(
            parse_w3c_date("2024-05-01T10:00Z")
                .map(|d| d.to_rfc3339())
                .as_deref(),
            Some("2024-05-01T10:00:00+00:00")
        );
        assert!(parse_w3c_date("2024-05-01T10:00:00.5Z").is_some());
        assert!(parse_w3c_date("yesterday").is_none());
    }

    #[test]
    fn broken_sitemap_is_an_error() {
        assert!(matches!(
            parse("<urlset><url><loc>x</url>"),
            Err(ParseError::Sitemap { .. })
        ));
    }
}
