//! RSS 0.9x/1.0/2.0, Atom and JSON Feed, read by feed-rs and adapted to
//! [`ParsedFeed`].

use ajil_model::{FeedItem, ParsedFeed};
use feed_rs::model::{Category, Entry, Feed, FeedType, Link, Text};

use crate::text::{html_to_text, looks_like_html, plain_text};

/// Parse UTF-8 feed text with feed-rs; the error is feed-rs's message.
pub(crate) fn parse(text: &str) -> Result<ParsedFeed, String> {
    let parser = feed_rs::parser::Builder::new()
        // Keep summaries and content as the feed gave them; cleaning HTML is
        // the extract stage's job.
        .sanitize_content(false)
        // An empty id marks "the feed gave none", instead of feed-rs's hash.
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(adapt(feed))
}

fn adapt(feed: Feed) -> ParsedFeed {
    let kind = feed.feed_type.clone();
    let lang = feed.language.clone().filter(|l| !l.trim().is_empty());
    let feed_categories = category_names(&feed.categories);
    ParsedFeed {
        title: feed
            .title
            .as_ref()
            .map(|t| title_text(t, &kind))
            .filter(|t| !t.is_empty()),
        link: best_link(&feed.links),
        hub: link_with_rel(&feed.links, "hub"),
        self_url: link_with_rel(&feed.links, "self"),
        items: feed
            .entries
            .into_iter()
            .map(|e| adapt_entry(e, &kind, lang.as_deref(), &feed_categories))
            .collect(),
        lang,
    }
}

/// Category names as written (a label where Atom gives one, else the term), empty
/// ones left out.
fn category_names(categories: &[Category]) -> Vec<String> {
    categories
        .iter()
        .map(|c| c.label.as_deref().unwrap_or(&c.term).trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

fn adapt_entry(
    entry: Entry,
    kind: &FeedType,
    feed_lang: Option<&str>,
    feed_categories: &[String],
) -> FeedItem {
    let mut categories = category_names(&entry.categories);
    if categories.is_empty() {
        categories = feed_categories.to_vec();
    }
    // Media RSS items sometimes carry their title only in <media:title>.
    let title = entry
        .title
        .as_ref()
        .or_else(|| entry.media.iter().find_map(|m| m.title.as_ref()))
        .map(|t| title_text(t, kind))
        .filter(|t| !t.is_empty());
    FeedItem {
        guid: Some(entry.id).filter(|id| !id.trim().is_empty()),
        url: best_link(&entry.links),
        title,
        summary: entry
            .summary
            .map(|s| s.content)
            .filter(|s| !s.trim().is_empty()),
        content: entry
            .content
            .and_then(|c| c.body)
            .filter(|s| !s.trim().is_empty()),
        published: entry.published,
        updated: entry.updated,
        authors: entry
            .authors
            .into_iter()
            .map(|p| p.name.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        lang: entry
            .language
            .filter(|l| !l.trim().is_empty())
            .or_else(|| feed_lang.map(str::to_string)),
        categories,
    }
}

/// A title as plain text. Atom says whether its text is HTML; RSS and JSON
/// titles are HTML only by habit, so markup is stripped when it is there.
fn title_text(text: &Text, kind: &FeedType) -> String {
    let is_html = text.content_type.to_string().contains("html");
    match kind {
        FeedType::Atom if is_html => html_to_text(&text.content),
        FeedType::Atom => text
            .content
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ if is_html || looks_like_html(&text.content) => html_to_text(&text.content),
        _ => plain_text(&text.content),
    }
}

/// The first link with relation `rel`, if any.
fn link_with_rel(links: &[Link], rel: &str) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// The page link: Atom's `alternate` (or rel-less) HTML link first, then any.
fn best_link(links: &[Link]) -> Option<String> {
    let is_page = |l: &&Link| {
        matches!(l.rel.as_deref(), None | Some("alternate"))
            && l.media_type.as_deref().is_none_or(|t| t.contains("html"))
    };
    links
        .iter()
        .find(is_page)
        .or_else(|| {
            links
                .iter()
                .find(|l| !matches!(l.rel.as_deref(), Some("self" | "hub")))
        })
        .or_else(|| links.iter().find(|l| l.rel.as_deref() != Some("hub")))
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_prefers_alternate_html_link_and_html_titles_become_text() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom">
            <title type="html">A &amp;lt;b&amp;gt; feed</title>
            <link rel="self" href="https://ex.org/feed"/>
            <link rel="alternate" type="text/html" href="https://ex.org/"/>
            <entry><id>urn:1</id><title type="html">&lt;b&gt;Big&lt;/b&gt; news</title>
              <link rel="enclosure" href="https://ex.org/a.mp3"/>
              <link href="https://ex.org/1"/>
              <updated>2024-05-01T10:00:00+02:00</updated>
              <author><name>Layla</name></author></entry>
        </feed>"#;
        let feed = parse(doc).unwrap();
        assert_eq!(feed.title.as_deref(), Some("A <b> feed"));
        assert_eq!(feed.link.as_deref(), Some("https://ex.org/"));
        let item = &feed.items[0];
        assert_eq!(item.title.as_deref(), Some("Big news"));
        assert_eq!(item.url.as_deref(), Some("https://ex.org/1"));
        assert_eq!(item.guid.as_deref(), Some("urn:1"));
        assert_eq!(item.authors, ["Layla"]);
        assert_eq!(
            item.updated.unwrap().to_rfc3339(),
            "2024-05-01T08:00:00+00:00"
        );
    }

    #[test]
    fn websub_hub_and_self_links_are_read_from_atom_and_rss() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <link rel="hub" href="https://hub.example/"/>
            <link rel="self" href="https://ex.org/feed.atom"/>
            <entry><id>1</id><title>x</title></entry></feed>"#;
        let feed = parse(atom).unwrap();
        assert_eq!(feed.hub.as_deref(), Some("https://hub.example/"));
        assert_eq!(feed.self_url.as_deref(), Some("https://ex.org/feed.atom"));
        assert_eq!(
            feed.link.as_deref(),
            Some("https://ex.org/feed.atom"),
            "the hub is not the site"
        );

        let rss = r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
            <title>T</title><link>https://ex.org/</link>
            <atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/>
            <atom:link rel="self" type="application/rss+xml" href="https://ex.org/rss"/>
            <item><title>x</title></item></channel></rss>"#;
        let feed = parse(rss).unwrap();
        assert_eq!(
            feed.hub.as_deref(),
            Some("https://pubsubhubbub.appspot.com/")
        );
        assert_eq!(feed.self_url.as_deref(), Some("https://ex.org/rss"));
        assert_eq!(feed.link.as_deref(), Some("https://ex.org/"));

        let plain = parse(r#"<rss version="2.0"><channel><title>T</title></channel></rss>"#);
        assert_eq!(plain.unwrap().hub, None);
    }

    #[test]
    fn rss_item_without_guid_has_none() {
        let doc = r#"<rss version="2.0"><channel><title>T</title><language>ar</language>
            <item><title>Tom &amp;amp; Jerry</title><link>https://ex.org/a</link>
            <description>&lt;p&gt;Hi&lt;/p&gt;</description>
            <pubDate>Wed, 01 May 2024 10:00:00 +0300</pubDate></item></channel></rss>"#;
        let feed = parse(doc).unwrap();
        let item = &feed.items[0];
        assert_eq!(item.guid, None);
        assert_eq!(item.title.as_deref(), Some("Tom & Jerry"));
        assert_eq!(item.summary.as_deref(), Some("<p>Hi</p>"));
        assert_eq!(item.lang.as_deref(), Some("ar"));
        assert_eq!(
            item.published.unwrap().to_rfc3339(),
            "2024-05-01T07:00:00+00:00"
        );
    }

    #[test]
    fn categories_come_from_the_item_or_else_its_feed() {
        let doc = r#"<rss version="2.0"><channel><title>T</title><category>رياضة</category>
            <item><title>a</title><link>https://ex.org/a</link><category> Sport </category>
            <category>Football</category></item>
            <item><title>b</title><link>https://ex.org/b</link></item></channel></rss>"#;
        let feed = parse(doc).unwrap();
        assert_eq!(feed.items[0].categories, ["Sport", "Football"]);
        assert_eq!(feed.items[1].categories, ["رياضة"]);
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
            <entry><id>1</id><title>x</title><category term="world" label="World news"/>
            <category term=""/></entry></feed>"#;
        assert_eq!(parse(atom).unwrap().items[0].categories, ["World news"]);
    }
}
