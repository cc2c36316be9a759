//! Hand-made broken feeds in `tests/data/`, one per repair.

use ajil_parse::{ParseError, parse_feed};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn arabic_windows_1256_without_declared_charset() {
    let bytes = fixture("arabic-windows-1256.xml");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    // No header charset and no XML declaration: detection must find Arabic.
    let feed = parse_feed(&bytes, None).unwrap();
    assert_eq!(feed.title.as_deref(), Some("أخبار عاجلة"));
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("عاجل: انفجار في بيروت"));
    assert_eq!(item.guid.as_deref(), Some("ar-1"));
    assert_eq!(item.lang.as_deref(), Some("ar"));
    assert_eq!(
        item.published.unwrap().to_rfc3339(),
        "2020-08-04T15:08:00+00:00"
    );
    // A header that names the charset gives the same result.
    let same = parse_feed(&bytes, Some("application/rss+xml; charset=windows-1256")).unwrap();
    assert_eq!(same, feed);
}

#[test]
fn iso_8859_6_named_by_the_header() {
    let (bytes, _, _) = encoding_rs::ISO_8859_6
        .encode("<rss version='2.0'><channel><title>سلام</title></channel></rss>");
    let feed = parse_feed(&bytes, Some("text/xml; charset=ISO-8859-6")).unwrap();
    assert_eq!(feed.title.as_deref(), Some("سلام"));
}

#[test]
fn html_entities_and_stray_ampersands() {
    let feed = parse_feed(&fixture("entities-nbsp-stray-amp.xml"), None).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Tom & Jerry News"));
    assert_eq!(feed.link.as_deref(), Some("https://ex.example/?a=1&b=2"));
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("Café reopens… © 2024"));
    assert_eq!(item.url.as_deref(), Some("https://ex.example/a?x=1&y=2"));
    assert_eq!(
        item.summary.as_deref(),
        Some("Prices up 5% & more\u{a0}today")
    );
}

#[test]
fn raw_html_in_description_and_leading_blank_lines() {
    let feed = parse_feed(&fixture("raw-html-description.xml"), Some("text/xml")).unwrap();
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("First"));
    assert_eq!(
        item.summary.as_deref(),
        Some("<p>Breaking: <b>markets</b> fall<br> sharply</p><img src=\"a.jpg\">")
    );
}

#[test]
fn control_characters_are_dropped() {
    let doc = b"<rss version=\"2.0\"><channel><title>A\x0bB\x01</title></channel></rss>";
    let feed = parse_feed(doc, None).unwrap();
    assert_eq!(feed.title.as_deref(), Some("AB"));
}

#[test]
fn rss_without_version_is_read_as_rss2() {
    let feed = parse_feed(
        b"<rss><channel><title>T</title><item><title>I</title></item></channel></rss>",
        None,
    )
    .unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("I"));
}

#[test]
fn non_feeds_are_rejected_with_a_reason() {
    assert_eq!(parse_feed(b"  \n", None), Err(ParseError::Empty));
    let err = parse_feed(b"<!DOCTYPE html><html><body>hi</body></html>", None).unwrap_err();
    assert!(matches!(err, ParseError::UnknownFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("not RSS, Atom"), "{err}");
    let err = parse_feed(b"<rss version=\"2.0\"><channel><item></rss>", None).unwrap_err();
    assert!(matches!(err, ParseError::Malformed { .. }), "{err:?}");
}

#[test]
fn json_feed() {
    let doc = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J",
        "items":[{"id":"1","url":"https://ex.example/1","title":"One","content_html":"<p>x</p>",
        "date_published":"2024-05-01T10:00:00Z","authors":[{"name":"Nour"}]}]}"#;
    let feed = parse_feed(doc, Some("application/feed+json")).unwrap();
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some("One"));
    assert_eq!(item.guid.as_deref(), Some("1"));
    assert_eq!(item.url.as_deref(), Some("https://ex.example/1"));
    assert_eq!(item.content.as_deref(), Some("<p>x</p>"));
    assert_eq!(item.authors, ["Nour"]);
}

#[test]
fn news_sitemap_through_parse_feed() {
    let doc = br#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://ex.example/a</loc><news:news><news:title>Headline</news:title>
      <news:publication_date>2024-05-01</news:publication_date></news:news></url></urlset>"#;
    let feed = parse_feed(doc, Some("application/xml")).unwrap();
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].title.as_deref(), Some("Headline"));
}
