//! Plain web pages as sources: the feeds a page advertises, and the article
//! links on a news index page that has no feed.
//!
//! A section front ("/world", "/ar/middle-east") lists its latest headlines
//! as links. [`read_page`] keeps the links that look like articles of the
//! same site, in page order, and turns each into a [`FeedItem`] whose title
//! is the link's text: the pipeline then fetches and extracts each new one,
//! as it does for a feed item that carries only a teaser. Navigation, tag,
//! author and search pages, media files and other sites are left out.

use std::collections::HashMap;

use ajil_model::FeedItem;
use scraper::{ElementRef, Html, Selector};
use url::Url;

/// At most this many article links are read from one page.
pub const MAX_PAGE_LINKS: usize = 200;

/// What a plain HTML page offers a news watcher.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The page's `<title>`, whitespace collapsed.
    pub title: Option<String>,
    /// The language the page declares (`<html lang>`).
    pub lang: Option<String>,
    /// Feeds the page advertises with `<link rel="alternate">`, in page order.
    pub feeds: Vec<FeedLink>,
    /// Links that look like articles of the same site, in page order, each
    /// with the link's text as its title (at most [`MAX_PAGE_LINKS`]).
    pub links: Vec<FeedItem>,
}

/// A feed advertised by a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Absolute URL of the feed.
    pub url: String,
    /// Its `title` attribute, if any.
    pub title: Option<String>,
    /// Its MIME type (`application/rss+xml`, `application/atom+xml`, …).
    pub kind: String,
}

const FEED_TYPES: [&str; 5] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// Path segments of pages that list or frame articles rather than tell one.
const NOT_ARTICLES: [&str; 24] = [
    "tag",
    "tags",
    "category",
    "categories",
    "author",
    "authors",
    "topic",
    "topics",
    "search",
    "login",
    "signin",
    "sign-in",
    "register",
    "subscribe",
    "newsletter",
    "newsletters",
    "contact",
    "contact-us",
    "about",
    "about-us",
    "privacy",
    "terms",
    "feed",
    "rss",
];

/// Pieces of a path that mark the site's own service pages, wherever they
/// sit in a segment ("/nbcuniversal-terms-of-service/", "/sign-up-for-alerts").
const SERVICE_PAGES: [&str; 12] = [
    "terms-of",
    "privacy",
    "cookie",
    "subscribe",
    "subscription",
    "sign-up",
    "signup",
    "newsletter",
    "advertis",
    "careers",
    "contact-us",
    "about-us",
];

/// Query parameters that only say where a click came from: dropped, so one
/// article linked from two boxes of a page is one link.
const TRACKING: [&str; 12] = [
    "mod", "ref", "ref_src", "src", "fbclid", "gclid", "ocid", "cmpid", "icid", "ito", "from",
    "__source",
];

/// File endings of links that are not web pages.
const MEDIA: [&str; 14] = [
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".mp3", ".mp4", ".zip", ".xml",
    ".css", ".js", ".json",
];

/// Read the feeds and article links of an HTML page found at `base`.
///
/// ```
/// let html = r#"<html lang="ar"><head>
///   <link rel="alternate" type="application/rss+xml" href="/rss.xml" title="أخبار">
/// </head><body>
///   <nav><a href="/sport">رياضة</a></nav>
///   <h2><a href="/news/2026/12/01/ceasefire-talks">محادثات وقف إطلاق النار تبدأ في القاهرة</a></h2>
///   <a href="https://other.example/story-1">Another site's story about the talks</a>
/// </body></html>"#;
/// let base = url::Url::parse("https://news.example/world").unwrap();
/// let page = ajil_parse::read_page(html, &base);
/// assert_eq!(page.feeds[0].url, "https://news.example/rss.xml");
/// assert_eq!(page.links.len(), 1);
/// assert_eq!(page.links[0].url.as_deref(), Some("https://news.example/news/2026/12/01/ceasefire-talks"));
/// assert_eq!(page.links[0].title.as_deref(), Some("محادثات وقف إطلاق النار تبدأ في القاهرة"));
/// ```
pub fn read_page(html: &str, base: &Url) -> Page {
    let doc = Html::parse_document(html);
    let base = base_href(&doc, base);
    let title = select(&doc, "title")
        .next()
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let lang = select(&doc, "html[lang]")
        .next()
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    Page {
        title,
        lang,
        feeds: feeds(&doc, &base),
        links: links(&doc, &base),
    }
}

fn select<'a>(doc: &'a Html, css: &str) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    let selector = Selector::parse(css).expect("static selector");
    doc.select(&selector).collect::<Vec<_>>().into_iter()
}

/// The page's `<base href>` resolved against where it was fetched.
fn base_href(doc: &Html, fetched: &Url) -> Url {
    select(doc, "base[href]")
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| fetched.join(href.trim()).ok())
        .unwrap_or_else(|| fetched.clone())
}

fn feeds(doc: &Html, base: &Url) -> Vec<FeedLink> {
    let mut out: Vec<FeedLink> = Vec::new();
    for link in select(doc, "link[rel][href]") {
        let el = link.value();
        let rel = el.attr("rel").unwrap_or_default().to_ascii_lowercase();
        if !rel.split_ascii_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let kind = el
            .attr("type")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !FEED_TYPES.contains(&kind.as_str()) {
            continue;
        }
        let Some(url) = el.attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || out.iter().any(|f| f.url == url.as_str()) {
            continue;
        }
        out.push(FeedLink {
            url: url.into(),
            title: el.attr("title").map(collapse).filter(|t| !t.is_empty()),
            kind,
        });
    }
    out
}

fn links(doc: &Html, base: &Url) -> Vec<FeedItem> {
    let mut order: Vec<String> = Vec::new();
    let mut titles: HashMap<String, String> = HashMap::new();
    for a in select(doc, "a[href]") {
        if in_frame(a) {
            continue;
        }
        let Some(url) = article_url(a.value().attr("href").unwrap_or_default(), base) else {
            continue;
        };
        let text = link_text(a);
        if !looks_like_headline(&text, &url) {
            continue;
        }
        let key = url.to_string();
        match titles.get_mut(&key) {
            // The same article linked twice (image, then headline): keep the
            // longer text as its title.
            Some(known) => {
                if text.chars().count() > known.chars().count() {
                    *known = text;
                }
            }
            None => {
                if order.len() == MAX_PAGE_LINKS {
                    continue;
                }
                order.push(key.clone());
                titles.insert(key, text);
            }
        }
    }
    order
        .into_iter()
        .map(|url| FeedItem {
            guid: Some(url.clone()),
            title: titles.remove(&url),
            url: Some(url),
            ..FeedItem::default()
        })
        .collect()
}

/// Whether the link sits in the site's navigation or footer.
fn in_frame(a: ElementRef<'_>) -> bool {
    a.ancestors().filter_map(ElementRef::wrap).any(|el| {
        let v = el.value();
        matches!(v.name(), "nav" | "footer")
            || v.attr("role")
                .is_some_and(|r| r.eq_ignore_ascii_case("navigation"))
    })
}

/// The link's text, or the `title`/`alt` of a link that is only an image.
///
/// Markup inside `<noscript>` reaches the tree as text (the parser runs as a
/// browser with scripts on): it is read as a fragment for its `alt`.
fn link_text(a: ElementRef<'_>) -> String {
    let text = collapse(&a.text().collect::<String>());
    if !text.is_empty() && !text.starts_with('<') {
        return text;
    }
    if let Some(title) = a
        .value()
        .attr("title")
        .map(collapse)
        .filter(|t| !t.is_empty())
    {
        return title;
    }
    let alt = |el: ElementRef<'_>| el.value().attr("alt").map(collapse);
    if let Some(found) = a.descendants().filter_map(ElementRef::wrap).find_map(alt) {
        return found;
    }
    if text.starts_with('<') {
        let fragment = Html::parse_fragment(&text);
        if let Some(found) = fragment
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .find_map(alt)
        {
            return found;
        }
    }
    String::new()
}

/// `href` made absolute, when it is a web page of the same site that is not
/// a listing, a media file or the site's front page.
fn article_url(href: &str, base: &Url) -> Option<Url> {
    let mut url = base.join(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    if !same_site(url.host_str()?, base.host_str()?) {
        return None;
    }
    let path = url.path().to_ascii_lowercase();
    if path.trim_matches('/').is_empty() || url.path() == base.path() {
        return None;
    }
    if MEDIA.iter().any(|ext| path.ends_with(ext)) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| NOT_ARTICLES.contains(s))
        || SERVICE_PAGES.iter().any(|p| path.contains(p))
    {
        return None;
    }
    drop_tracking(&mut url);
    Some(url)
}

/// Remove `utm_*`, `at_*`, `ns_*` and the [`TRACKING`] parameters.
fn drop_tracking(url: &mut Url) {
    if url.query().is_none() {
        return;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !(k.starts_with("utm_")
                || k.starts_with("at_")
                || k.starts_with("ns_")
                || TRACKING.contains(&k.as_str()))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

/// One site: equal hosts once `www.` is dropped, or one a subdomain of the other.
fn same_site(a: &str, b: &str) -> bool {
    let a = a.strip_prefix("www.").unwrap_or(a);
    let b = b.strip_prefix("www.").unwrap_or(b);
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// A link is taken for an article when its text has two words or more and
/// its URL looks like one: a run of at least four digits (a date or an id:
/// "/2026/12/01/…", "/article/1234567") or a last segment of three words or
/// more ("/talks-begin-in-cairo"). Section fronts ("/trading-nation/"),
/// "More" links and bare labels are left out.
fn looks_like_headline(text: &str, url: &Url) -> bool {
    if text.split_whitespace().nth(1).is_none() {
        return false;
    }
    let path = url.path();
    let id = path
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= 4);
    let last = path
        .rsplit('/')
        .find(|seg| !seg.is_empty())
        .unwrap_or_default();
    let slug = last.matches(['-', '_']).count() >= 2;
    id || slug
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Page {
        read_page(
            html,
            &Url::parse("https://www.news.example/ar/world").unwrap(),
        )
    }

    fn urls(p: &Page) -> Vec<&str> {
        p.links.iter().filter_map(|i| i.url.as_deref()).collect()
    }

    #[test]
    fn feeds_are_read_from_alternate_links_only() {
        let p = page(
            r#"<head>
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" hreflang="en" href="/en/world">
            <link rel="alternate" type="application/atom+xml" href="atom.xml">
            <link rel="Alternate" type="application/rss+xml" href="/rss.xml" title=" عاجل ">
            <link rel="alternate" type="application/rss+xml" href="/rss.xml">
            </head>"#,
        );
        assert_eq!(
            p.feeds,
            vec![
                FeedLink {
                    url: "https://www.news.example/ar/atom.xml".into(),
                    title: None,
                    kind: "application/atom+xml".into()
                },
                FeedLink {
                    url: "https://www.news.example/rss.xml".into(),
                    title: Some("عاجل".into()),
                    kind: "application/rss+xml".into()
                },
            ]
        );
    }

    #[test]
    fn article_links_skip_navigation_listings_media_and_other_sites() {
        let p = page(
            r#"<body>
            <header><a href="/">الرئيسية</a></header>
            <nav><a href="/ar/world/2026/12/01/a-b-c-d">عنوان في القائمة لا يحسب أبدا</a></nav>
            <a href="/ar/world">العالم</a>
            <a href="/ar/tag/gaza">غزة: كل الأخبار عن القطاع هنا</a>
            <a href="/ar/world/2026/12/01/talks-begin-in-cairo#comments">محادثات وقف إطلاق النار تبدأ في القاهرة</a>
            <a href="/ar/world/2026/12/01/talks-begin-in-cairo"><img alt="صورة"></a>
            <a href="https://news.example/ar/world/2026/12/01/quake">زلزال بقوة ست درجات يضرب الساحل</a>
            <a href="https://live.news.example/ar/live-blog-123">Live: the latest updates as they come</a>
            <a href="https://elsewhere.example/ar/story">قصة من موقع آخر عن المحادثات</a>
            <a href="/media/photo-of-the-day.jpg">صورة اليوم من المدينة القديمة</a>
            <a href="mailto:desk@news.example">راسلونا على البريد الإلكتروني</a>
            <a href="/ar/video/987654">شاهد الفيديو</a>
            <a href="/ar/more">المزيد</a>
            <a href="/ar/economy/">أخبار الاقتصاد والمال والأعمال</a>
            <a href="/ar/sign-up-for-breaking-news-alerts">اشترك في تنبيهات الأخبار العاجلة</a>
            <a href="/ar/world/2026/12/01/quake?utm_source=home&amp;mod=box_2&amp;page=2">زلزال بقوة ست درجات يضرب الساحل</a>
            <footer><a href="/ar/world/2026/11/30/old-story-here">قصة قديمة في تذييل الصفحة</a></footer>
            </body>"#,
        );
        assert_eq!(
            urls(&p),
            vec![
                "https://www.news.example/ar/world/2026/12/01/talks-begin-in-cairo",
                "https://news.example/ar/world/2026/12/01/quake",
                "https://live.news.example/ar/live-blog-123",
                "https://www.news.example/ar/video/987654",
                "https://www.news.example/ar/world/2026/12/01/quake?page=2",
            ]
        );
        assert_eq!(
            p.links[0].title.as_deref(),
            Some("محادثات وقف إطلاق النار تبدأ في القاهرة")
        );
        assert_eq!(p.links[0].guid, p.links[0].url);
    }

    #[test]
    fn markup_left_as_text_by_noscript_gives_way_to_its_alt() {
        let p = page(
            r#"<a href="/2016/07/pickled-sprouts-recipe/"><noscript><img src="/p.jpg" alt="Pickled Brussels Sprouts Recipe"></noscript></a>"#,
        );
        assert_eq!(
            p.links[0].title.as_deref(),
            Some("Pickled Brussels Sprouts Recipe")
        );
    }

    #[test]
    fn tracking_parameters_are_dropped_so_one_article_is_one_link() {
        let p = page(
            r#"<a href="/ar/world/2026/12/01/x?mod=trending_now_1">وزير الخارجية يصل إلى أنقرة</a>
               <a href="/ar/world/2026/12/01/x?utm_source=a&amp;utm_medium=b">وزير الخارجية يصل إلى أنقرة</a>"#,
        );
        assert_eq!(
            urls(&p),
            vec!["https://www.news.example/ar/world/2026/12/01/x"]
        );
    }

    #[test]
    fn an_image_link_takes_its_alt_text_and_the_longer_title_wins() {
        let p = page(
            r#"<a href="/ar/world/2026/12/01/x"><img alt="وزير الخارجية يصل إلى أنقرة في زيارة رسمية"></a>
               <a href="/ar/world/2026/12/01/x">وزير الخارجية يصل إلى أنقرة</a>"#,
        );
        assert_eq!(p.links.len(), 1);
        assert_eq!(
            p.links[0].title.as_deref(),
            Some("وزير الخارجية يصل إلى أنقرة في زيارة رسمية")
        );
    }

    #[test]
    fn base_href_title_and_lang_are_read_and_links_are_capped() {
        let mut html = String::from(
            r#"<html lang="ar"><head><title> أخبار
            العالم </title><base href="https://cdn.news.example/site/"></head><body>"#,
        );
        for i in 0..MAX_PAGE_LINKS + 20 {
            html.push_str(&format!(
                r#"<a href="story/{i:05}">خبر رقم {i} من أخبار اليوم</a>"#
            ));
        }
        let p = page(&html);
        assert_eq!(p.title.as_deref(), Some("أخبار العالم"));
        assert_eq!(p.lang.as_deref(), Some("ar"));
        assert_eq!(p.links.len(), MAX_PAGE_LINKS);
        assert_eq!(
            p.links[0].url.as_deref(),
            Some("https://cdn.news.example/site/story/00000")
        );
    }
}
