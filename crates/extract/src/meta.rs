//! Page metadata: title, dates, author, canonical URL and declared language.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::dates::{parse_machine, parse_visible};
use crate::dom::{Dom, collapse_ws};

/// Metadata read from `<head>`, JSON-LD and a few body elements.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub(crate) title: Option<String>,
    pub(crate) published: Option<DateTime<Utc>>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) author: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) lang: Option<String>,
}

/// What JSON-LD says about the article.
#[derive(Default)]
struct LdArticle {
    headline: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    author: Option<String>,
    url: Option<String>,
}

/// Reads all metadata from the page; `base` resolves relative URLs.
pub(crate) fn read(dom: &Dom, base: Option<&url::Url>) -> Meta {
    // First value wins for each key: `property`, `name`, `itemprop` and
    // `http-equiv` share one lowercase namespace.
    let mut metas: HashMap<String, String> = HashMap::new();
    let mut canonical_link = None;
    let mut html_lang = None;
    let mut title_tag = None;
    let mut h1 = None;
    let mut time_dt: Option<String> = None;
    let mut ld = LdArticle::default();
    let mut byline = None;
    for i in 0..dom.len() {
        let Some(e) = dom.elem(i) else { continue };
        match e.name() {
            "meta" => {
                let content = e.attr("content").or_else(|| e.attr("datetime"));
                let Some(content) = content.map(str::trim).filter(|c| !c.is_empty()) else {
                    continue;
                };
                for key in ["property", "name", "itemprop", "http-equiv"] {
                    if let Some(k) = e.attr(key) {
                        metas
                            .entry(k.trim().to_ascii_lowercase())
                            .or_insert_with(|| content.to_owned());
                    }
                }
            }
            "link" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") && canonical_link.is_none() {
                    canonical_link = e.attr("href").map(str::to_owned);
                }
            }
            "html" if html_lang.is_none() => {
                html_lang = e
                    .attr("lang")
                    .or_else(|| e.attr("xml:lang"))
                    .map(str::to_owned);
            }
            "title" if title_tag.is_none() => title_tag = Some(dom.text_of(i)),
            "h1" if h1.is_none() => {
                let t = dom.text_of(i);
                if !t.is_empty() {
                    h1 = Some(t);
                }
            }
            "time" if time_dt.is_none() => {
                time_dt = e.attr("datetime").map(str::to_owned);
            }
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json")) =>
            {
                read_json_ld(&dom.raw_text(i), &mut ld);
            }
            _ => {}
        }
        if byline.is_none() || e.attrs.iter().any(|(n, _)| &*n.local == "itemprop") {
            // One pass over the attributes: `Element::attr` interns its
            // argument on every call, which is slow on every element of a page.
            let (mut rel, mut itemprop, mut class, mut dt, mut content) =
                (None, None, "", None, None);
            for (name, value) in e.attrs() {
                match name {
                    "rel" => rel = Some(value),
                    "itemprop" => itemprop = Some(value),
                    "class" => class = value,
                    "datetime" => dt = Some(value),
                    "content" => content = Some(value),
                    _ => {}
                }
            }
            if byline.is_none()
                && (rel == Some("author")
                    || itemprop == Some("author")
                    || contains_ignore_ascii_case(class, "byline")
                    || contains_ignore_ascii_case(class, "author-name"))
            {
                let t = clean_author(&dom.text_of(i));
                if !t.is_empty() && t.chars().count() < 80 {
                    byline = Some(t);
                }
            }
            // datePublished as an attribute on any element (microdata).
            if let Some(prop) = itemprop
                && let Some(v) = dt.or(content)
            {
                metas
                    .entry(prop.to_ascii_lowercase())
                    .or_insert_with(|| v.to_owned());
            }
        }
    }
    let get = |keys: &[&str]| keys.iter().find_map(|k| metas.get(*k).cloned());
    let site = get(&["og:site_name", "application-name", "twitter:site"]);

    let title = get(&["og:title", "twitter:title"])
        .map(|t| strip_site_suffix(&collapse_ws(&t), site.as_deref(), None))
        .or_else(|| ld.headline.clone().map(|t| collapse_ws(&t)))
        .or_else(|| h1.clone())
        .or_else(|| {
            title_tag
                .as_deref()
                .map(|t| strip_site_suffix(t, site.as_deref(), h1.as_deref()))
        })
        .filter(|t| !t.is_empty())
        .map(|t| htmlish_unescape(&t));

    let published = ld
        .published
        .as_deref()
        .and_then(parse_machine)
        .or_else(|| {
            get(&[
                "article:published_time",
                "og:published_time",
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "date",
                "dc.date",
                "dc.date.issued",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
                "published_time",
                "publication_date",
                "original-publish-date",
                "dc.date.created",
                "datecreated",
            ])
            .as_deref()
            .and_then(parse_machine)
        })
        .or_else(|| time_dt.as_deref().and_then(parse_machine));

    let updated = ld.modified.as_deref().and_then(parse_machine).or_else(|| {
        get(&[
            "article:modified_time",
            "og:updated_time",
            "datemodified",
            "last-modified",
            "dcterms.modified",
            "modified_time",
            "lastmod",
        ])
        .as_deref()
        .and_then(parse_machine)
    });

    let author = ld
        .author
        .clone()
        .or_else(|| {
            get(&[
                "author",
                "article:author",
                "dc.creator",
                "sailthru.author",
                "parsely-author",
                "byl",
            ])
            .filter(|a| !a.starts_with("http"))
        })
        .map(|a| clean_author(&a))
        .filter(|a| !a.is_empty())
        .or(byline);

    let canonical = canonical_link
        .or_else(|| get(&["og:url"]))
        .or(ld.url)
        .and_then(|u| resolve(&u, base));

    let lang = html_lang
        .or_else(|| get(&["content-language", "language", "dc.language", "og:locale"]))
        .and_then(|l| primary_subtag(&l));

    Meta {
        title,
        published,
        updated,
        author,
        canonical,
        lang,
    }
}

/// Finds a visible date in the page text, for pages with no machine date.
pub(crate) fn visible_date(dom: &Dom) -> Option<DateTime<Utc>> {
    let body = dom.first("body")?;
    let text = dom.text_of(body);
    // Dates of a story sit near its top; a footer's copyright year must not win.
    let cut = text
        .char_indices()
        .nth(6000)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    parse_visible(&text[..cut])
}

fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn read_json_ld(src: &str, out: &mut LdArticle) {
    let Ok(v) = serde_json::from_str::<Value>(src.trim().trim_end_matches(';')) else {
        return;
    };
    // Explicit stack: JSON-LD can nest `@graph`, arrays and `mainEntity`.
    let mut stack = vec![&v];
    let mut steps = 0;
    while let Some(v) = stack.pop() {
        steps += 1;
        if steps > 10_000 {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::Object(o) => {
                let ty = type_names(o.get("@type"));
                let articleish = ty.iter().any(|t| {
                    t.contains("Article")
                        || t.contains("Posting")
                        || t == "Report"
                        || t == "LiveBlogPosting"
                });
                if articleish || (o.contains_key("headline") && o.contains_key("datePublished")) {
                    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
                    out.headline = out
                        .headline
                        .take()
                        .or_else(|| s("headline"))
                        .or_else(|| s("name"));
                    out.published = out
                        .published
                        .take()
                        .or_else(|| s("datePublished"))
                        .or_else(|| s("dateCreated"));
                    out.modified = out.modified.take().or_else(|| s("dateModified"));
                    out.url = out.url.take().or_else(|| s("url")).or_else(|| {
                        o.get("mainEntityOfPage")
                            .and_then(|m| m.get("@id").or(Some(m)))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    });
                    out.author = out
                        .author
                        .take()
                        .or_else(|| o.get("author").and_then(author_names));
                }
                for key in ["@graph", "mainEntity", "itemListElement"] {
                    if let Some(x) = o.get(key) {
                        stack.push(x);
                    }
                }
            }
            _ => {}
        }
    }
}

fn type_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn author_names(v: &Value) -> Option<String> {
    let name = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) if !s.starts_with("http") => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    };
    let names: Vec<String> = match v {
        Value::Array(a) => a.iter().filter_map(name).collect(),
        other => name(other).into_iter().collect(),
    };
    let names: Vec<String> = names
        .into_iter()
        .map(|n| collapse_ws(&n))
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// Drops "By", "بقلم", "كتب" and similar lead-ins from a byline.
fn clean_author(s: &str) -> String {
    let s = collapse_ws(s);
    let lower = s.to_lowercase();
    for lead in [
        "by ",
        "written by ",
        "بقلم:",
        "بقلم ",
        "كتب:",
        "كتبت:",
        "كتب ",
        "كتبت ",
        "إعداد:",
        "إعداد ",
    ] {
        if lower.starts_with(lead) {
            return s[lead.len()..].trim().to_owned();
        }
    }
    s
}

/// Separators between a headline and the site name in `<title>`.
const SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " ｜ ",
];

/// Removes a trailing (or leading) site name: " - Site", " | Site".
fn strip_site_suffix(title: &str, site: Option<&str>, h1: Option<&str>) -> String {
    let title = collapse_ws(title);
    if let Some(h1) = h1
        && !h1.is_empty()
        && title.starts_with(h1)
    {
        return h1.to_owned();
    }
    if let Some(site) = site
        .map(|s| collapse_ws(s).to_lowercase())
        .filter(|s| !s.is_empty())
    {
        for sep in SEPARATORS {
            if let Some((head, tail)) = title.rsplit_once(sep)
                && tail.to_lowercase() == site
            {
                return head.trim().to_owned();
            }
            if let Some((head, tail)) = title.split_once(sep)
                && head.to_lowercase() == site
            {
                return tail.trim().to_owned();
            }
        }
    }
    if let Some(sep) = SEPARATORS
        .iter()
        .filter(|s| title.contains(**s))
        .max_by_key(|s| title.rfind(**s))
    {
        let (head, tail) = title.rsplit_once(sep).unwrap_or((&title, ""));
        // A short last segment is a site name; a long one is part of the headline.
        if tail.split_whitespace().count() <= 5 && tail.chars().count() < head.chars().count() {
            return head.trim().to_owned();
        }
    }
    title
}

fn htmlish_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn resolve(u: &str, base: Option<&url::Url>) -> Option<String> {
    let u = u.trim();
    if u.is_empty() {
        return None;
    }
    match url::Url::parse(u) {
        Ok(abs) => Some(abs.to_string()),
        Err(_) => base.and_then(|b| b.join(u).ok()).map(|x| x.to_string()),
    }
}

/// `"ar-EG"` → `"ar"`; `"EN_us"` → `"en"`; anything that is not 2–3 letters → `None`.
pub(crate) fn primary_subtag(tag: &str) -> Option<String> {
    let p = tag
        .trim()
        .split(['-', '_', ',', ';', ' '])
        .next()?
        .to_ascii_lowercase();
    ((2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic())).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffixes() {
        assert_eq!(
            strip_site_suffix(
                "عنوان الخبر الرئيسي هنا اليوم - أخبار العالم الآن",
                None,
                None
            ),
            "عنوان الخبر الرئيسي هنا اليوم"
        );
        assert_eq!(
            strip_site_suffix(
                "Talks resume in Istanbul | The Daily",
                Some("The Daily"),
                None
            ),
            "Talks resume in Istanbul"
        );
        assert_eq!(
            strip_site_suffix("Site | Talks resume in Istanbul", Some("site"), None),
            "Talks resume in Istanbul"
        );
        assert_eq!(
            strip_site_suffix("Russia - US talks", None, None),
            "Russia - US talks"
        );
    }

    #[test]
    fn language_tags() {
        assert_eq!(primary_subtag("ar-EG").as_deref(), Some("ar"));
        assert_eq!(primary_subtag("EN_us").as_deref(), Some("en"));
        assert_eq!(primary_subtag("x").as_deref(), None);
    }

    #[test]
    fn authors() {
        assert_eq!(clean_author("By  Jane Doe"), "Jane Doe");
        assert_eq!(clean_author("بقلم: أحمد علي"), "أحمد علي");
        let v: Value =
            serde_json::from_str(r#"[{"@type":"Person","name":"A"},{"name":"B"}]"#).unwrap();
        assert_eq!(author_names(&v).as_deref(), Some("A, B"));
    }
}
