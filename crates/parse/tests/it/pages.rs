//! Real news pages read as plain-page sources: the 181 pages of the
//! scrapinghub extraction benchmark in `shared/data`, each at its own URL.

use std::io::Read;

use ajil_parse::{Document, MAX_PAGE_LINKS, parse_source};

const BENCH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/extraction/scrapinghub"
);

fn host(url: &str) -> String {
    let host = url::Url::parse(url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    host.strip_prefix("www.").unwrap_or(&host).to_string()
}

#[test]
fn article_pages_yield_same_site_article_links() {
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{BENCH}/ground-truth.json")).unwrap(),
    )
    .unwrap();
    let truth = truth.as_object().unwrap();
    let mut counts = Vec::new();
    for (name, meta) in truth {
        let page_url = meta["url"].as_str().unwrap();
        let mut bytes = Vec::new();
        let file = std::fs::File::open(format!("{BENCH}/html/{name}.html.gz")).unwrap();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .unwrap();
        let page = match parse_source(&bytes, Some("text/html"), page_url) {
            Ok(Document::Page(page)) => page,
            other => panic!("{name}: not read as a page: {other:?}"),
        };
        assert!(page.links.len() <= MAX_PAGE_LINKS);
        let site = host(page_url);
        for item in &page.links {
            let url = item.url.as_deref().unwrap();
            let h = host(url);
            assert!(
                h == site || h.ends_with(&format!(".{site}")) || site.ends_with(&format!(".{h}")),
                "{name}: {url} is not on {page_url}'s site"
            );
            assert!(url.starts_with("http"), "{name}: {url}");
            assert!(!url.contains('#'), "{name}: {url} keeps its fragment");
            assert_eq!(item.guid.as_deref(), Some(url));
            let title = item.title.as_deref().unwrap_or_default();
            assert!(!title.is_empty(), "{name}: {url} without a title");
        }
        counts.push(page.links.len());
    }
    assert_eq!(counts.len(), 181);
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    // Article pages link to related and latest articles of their site.
    assert!(
        median >= 10,
        "median {median} article links per page: {counts:?}"
    );
}

#[test]
fn a_page_in_a_legacy_charset_is_read() {
    let html = "<html><head><meta charset=\"iso-8859-6\"><title>World news</title></head><body>\
                <p>Latest stories from the region, updated every hour by our desk.</p>\
                <a href=\"/ar/2026/12/01/talks\">بدء المحادثات</a></body></html>";
    let (bytes, _, unmappable) = encoding_rs::ISO_8859_6.encode(html);
    assert!(!unmappable);
    let Ok(Document::Page(page)) = parse_source(&bytes, Some("text/html"), "https://ex.org/ar")
    else {
        panic!("a page");
    };
    assert_eq!(page.links[0].title.as_deref(), Some("بدء المحادثات"));
}

#[test]
fn a_feed_served_as_html_behind_junk_is_still_a_feed() {
    let body = b"\n<br />\n<b>Warning</b>: stray output<br />\n<?xml version=\"1.0\"?>\
<rss version=\"2.0\"><channel><title>t</title><item><title>Ceasefire talks begin in Cairo</title>\
<link>https://ex.org/a</link></item></channel></rss>";
    let Ok(Document::Feed(feed)) =
        parse_source(body, Some("text/html; charset=utf-8"), "https://ex.org/rss")
    else {
        panic!("a feed");
    };
    assert_eq!(
        feed.items[0].title.as_deref(),
        Some("Ceasefire talks begin in Cairo")
    );
    // A page whose root the detector cannot see, served as HTML, is a page.
    let Ok(Document::Page(page)) = parse_source(
        b"<!-- cached --><div><a href=\"/2026/12/01/talks-begin\">Ceasefire talks begin</a></div>",
        Some("text/html"),
        "https://ex.org/world",
    ) else {
        panic!("a page");
    };
    assert_eq!(page.links.len(), 1);
}
