//! Repairs for the ways real feeds break XML, applied before a second parse.
//!
//! Each repair is a plain `&str -> String` pass that leaves well-formed input
//! alone, so running them on a valid document changes nothing that matters.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// Run every repair, in the order that keeps them from undoing each other.
pub(crate) fn repair(text: &str) -> String {
    let text = strip_leading_garbage(text);
    let text = drop_invalid_xml_chars(text);
    let text = set_declared_encoding_utf8(&text);
    let text = wrap_raw_html(&text);
    let text = fix_entities(&text);
    let text = fix_text_types(&text);
    fix_rss_version(&text)
}

/// Namespaces of old formats feed-rs does not know, and the namespace of the
/// format it reads them as (Atom 0.3 and RSS 0.90 name the same elements).
const OLD_NAMESPACES: &[(&str, &str)] = &[
    ("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom"),
    (
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/rss/1.0/",
    ),
];

/// Map old-format namespaces to the ones feed-rs reads, and drop the
/// short-lived RSS 2 namespace (RSS 2 has none, so feed-rs would ignore every
/// element in it). Run on every feed, not only broken ones: the document is
/// well-formed but would otherwise yield nothing.
pub(crate) fn normalize_namespaces(text: &str) -> String {
    let mut out = text.to_string();
    for (old, new) in OLD_NAMESPACES {
        if out.contains(old) {
            out = out.replace(&format!("\"{old}\""), &format!("\"{new}\""));
        }
    }
    out.replace(" xmlns=\"http://backend.userland.com/rss2\"", "")
}

static TEXT_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(<(?:title|subtitle|summary|rights|tagline)\b[^>]*?)\stype\s*=\s*["']([^"']*)["']"#,
    )
    .expect("static regex")
});

/// feed-rs accepts only `text`, `html`, `xhtml` and `text/html` as the type
/// of an Atom text element and rejects the whole feed otherwise. Map the MIME
/// spellings old feeds use onto those, and drop any other type (an empty one
/// included) so the text reads as plain.
pub(crate) fn fix_text_types(text: &str) -> String {
    TEXT_TYPE
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let keep = match caps[2].trim().to_ascii_lowercase().as_str() {
                "text" | "text/plain" => " type=\"text\"",
                "html" | "text/html" => " type=\"html\"",
                "xhtml" | "application/xhtml+xml" => " type=\"xhtml\"",
                _ => "",
            };
            format!("{}{keep}", &caps[1])
        })
        .into_owned()
}

/// Drop whatever comes before the XML declaration (or the first tag): blank
/// lines, PHP warnings and stray bytes all make a document ill-formed.
pub(crate) fn strip_leading_garbage(text: &str) -> &str {
    let text = text.trim_start_matches('\u{feff}');
    if let Some(pos) = text.find("<?xml") {
        return &text[pos..];
    }
    match text.find('<') {
        Some(pos) => &text[pos..],
        None => text,
    }
}

/// Remove characters XML 1.0 forbids (C0 controls other than tab, newline and
/// carriage return; U+FFFE and U+FFFF), which turn up from copy-pasted text.
pub(crate) fn drop_invalid_xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || ('\u{20}'..='\u{D7FF}').contains(&c)
                || ('\u{E000}'..='\u{FFFD}').contains(&c)
                || c >= '\u{10000}'
        })
        .collect()
}

static DECL_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']"#).expect("static regex")
});

/// Rewrite the declaration to say `utf-8`, since the text is UTF-8 by now and
/// feed-rs would otherwise decode it again with the old label.
pub(crate) fn set_declared_encoding_utf8(text: &str) -> String {
    DECL_ENCODING.replace(text, r#"${1}"utf-8""#).into_owned()
}

/// Elements whose text is HTML by convention and often arrives unescaped.
const HTML_ELEMENTS: &[&str] = &[
    "description",
    "content:encoded",
    "summary",
    "content",
    "itunes:summary",
];

/// Wrap the body of description/summary/content elements that holds raw
/// markup (`<description><p>Hi</p></description>`) in CDATA so it stays one
/// text node. Atom `type="xhtml"` bodies are real XML and are left alone.
pub(crate) fn wrap_raw_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some((start, name)) = next_html_open(rest) {
        let tag_end = match rest[start..].find('>') {
            Some(i) => start + i,
            None => break,
        };
        let open_tag = &rest[start..=tag_end];
        let close = format!("</{name}>");
        let body_start = tag_end + 1;
        let skip = open_tag.ends_with("/>") || open_tag.contains("xhtml");
        match rest[body_start..].find(&close) {
            Some(len) if !skip => {
                let body = &rest[body_start..body_start + len];
                out.push_str(&rest[..body_start]);
                if body.contains('<') && !body.contains("<![CDATA[") {
                    out.push_str("<![CDATA[");
                    // `]]>` would end the section early; split it across two.
                    out.push_str(&body.replace("]]>", "]]]]><![CDATA[>"));
                    out.push_str("]]>");
                } else {
                    out.push_str(body);
                }
                rest = &rest[body_start + len..];
            }
            _ => {
                out.push_str(&rest[..body_start]);
                rest = &rest[body_start..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The next opening tag of one of [`HTML_ELEMENTS`]: its offset and name.
fn next_html_open(text: &str) -> Option<(usize, &'static str)> {
    let mut from = 0;
    while let Some(i) = text[from..].find('<') {
        let at = from + i;
        let after = &text[at + 1..];
        for name in HTML_ELEMENTS {
            if let Some(tail) = after.strip_prefix(name)
                && tail.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace())
            {
                return Some((at, name));
            }
        }
        from = at + 1;
    }
    None
}

static DECLARED_ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!ENTITY\s+([A-Za-z_][\w.\-]*)").expect("static regex"));

/// Replace HTML named entities XML does not know (`&nbsp;`, `&eacute;`, all
/// of HTML5's list) with their characters and escape a `&` that starts no
/// entity at all (`Tom & Jerry`). CDATA sections and comments are skipped,
/// and entities the document declares in its DTD are kept.
pub(crate) fn fix_entities(text: &str) -> String {
    let declared: HashSet<&str> = DECLARED_ENTITY
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    loop {
        let amp = rest.find('&');
        let cdata = rest.find("<![CDATA[");
        let comment = rest.find("<!--");
        // Copy CDATA sections and comments verbatim when they come first.
        let verbatim = [(cdata, "]]>"), (comment, "-->")]
            .into_iter()
            .filter_map(|(pos, end)| pos.map(|p| (p, end)))
            .min_by_key(|(p, _)| *p);
        match (amp, verbatim) {
            (Some(a), Some((v, end))) if v < a => {
                let close = rest[v..]
                    .find(end)
                    .map_or(rest.len(), |i| v + i + end.len());
                out.push_str(&rest[..close]);
                rest = &rest[close..];
            }
            (Some(a), _) => {
                out.push_str(&rest[..a]);
                let (replacement, used) = resolve_ampersand(&rest[a..], &declared);
                out.push_str(&replacement);
                rest = &rest[a + used..];
            }
            (None, _) => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// What to write for the `&` at the start of `text`, and how many bytes of
/// `text` that replaces.
fn resolve_ampersand(text: &str, declared: &HashSet<&str>) -> (String, usize) {
    let body_len = text[1..]
        .find(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '#' || c == '_' || c == '.' || c == '-')
        })
        .map_or(text.len() - 1, |i| i);
    let name = &text[1..1 + body_len];
    let has_semicolon = text[1 + body_len..].starts_with(';');
    if has_semicolon && !name.is_empty() {
        if is_char_ref(name)
            || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || declared.contains(name)
        {
            return (text[..body_len + 2].to_string(), body_len + 2);
        }
        let key = format!("&{name};");
        if let Some(value) = htmlize::ENTITIES.get(key.as_bytes()) {
            return (escape_for_xml(value), body_len + 2);
        }
    }
    // Legacy entities such as `&copy` or `&eacute` may omit the semicolon; take
    // the longest such name that prefixes what follows.
    for len in (2..=body_len.min(8)).rev() {
        let key = &text[..=len];
        if let Some(value) = htmlize::ENTITIES.get(key.as_bytes()) {
            return (escape_for_xml(value), len + 1);
        }
    }
    ("&amp;".to_string(), 1)
}

fn is_char_ref(name: &str) -> bool {
    if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
    } else if let Some(dec) = name.strip_prefix('#') {
        !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit())
    } else {
        false
    }
}

/// An entity's text as XML character data (`&LT;` must stay a `<`, not a tag).
fn escape_for_xml(value: &[u8]) -> String {
    let value = String::from_utf8_lossy(value);
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

static RSS_ROOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<rss(\s[^>]*)?>"#).expect("static regex"));
static VERSION_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\sversion\s*=\s*["'][^"']*["']"#).expect("static regex"));

/// Give an `<rss>` root a version feed-rs dispatches on: many feeds write
/// none, `0.94`, or `2.0 ` with a space, and all read fine as RSS 2.0.
pub(crate) fn fix_rss_version(text: &str) -> String {
    let Some(m) = RSS_ROOT.find(text) else {
        return text.to_string();
    };
    let tag = m.as_str();
    let version = VERSION_ATTR.find(tag).map(|v| v.as_str());
    let known = version.is_some_and(|v| {
        [
            "\"2.0\"", "'2.0'", "\"0.91\"", "'0.91'", "\"0.92\"", "'0.92'",
        ]
        .iter()
        .any(|k| v.trim_end().ends_with(k))
    });
    if known {
        return text.to_string();
    }
    let new_tag = match version {
        Some(v) => tag.replacen(v, r#" version="2.0""#, 1),
        None => format!(r#"<rss version="2.0"{}"#, &tag[4..]),
    };
    format!("{}{}{}", &text[..m.start()], new_tag, &text[m.end()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_before_declaration_is_dropped() {
        assert_eq!(
            strip_leading_garbage("\n\n  junk<?xml a?><r/>"),
            "<?xml a?><r/>"
        );
        assert_eq!(strip_leading_garbage("\u{feff}  <rss/>"), "<rss/>");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(drop_invalid_xml_chars("a\u{0}b\u{1b}c\td\n"), "abc\td\n");
    }

    #[test]
    fn html_entities_become_characters_and_stray_ampersands_are_escaped() {
        assert_eq!(fix_entities("a&nbsp;b"), "a\u{a0}b");
        assert_eq!(fix_entities("&eacute;t&eacute;&hellip;"), "été…");
        assert_eq!(fix_entities("Tom & Jerry"), "Tom &amp; Jerry");
        assert_eq!(fix_entities("a?x=1&y=2"), "a?x=1&amp;y=2");
        assert_eq!(
            fix_entities("&amp;&lt;&#169;&#xA9;"),
            "&amp;&lt;&#169;&#xA9;"
        );
        assert_eq!(fix_entities("&copy 2024"), "© 2024");
        assert_eq!(fix_entities("&LT;"), "&lt;");
        assert_eq!(fix_entities("&bogus;"), "&amp;bogus;");
    }

    #[test]
    fn entities_in_cdata_comments_and_dtd_are_kept() {
        let doc = "<!DOCTYPE r [<!ENTITY me \"x\">]><r>&me;<![CDATA[&nbsp; & ]]><!-- & --></r>";
        assert_eq!(fix_entities(doc), doc);
    }

    #[test]
    fn raw_html_in_description_is_wrapped() {
        let doc = "<item><description><p>Hi <b>there</b></p></description></item>";
        assert_eq!(
            wrap_raw_html(doc),
            "<item><description><![CDATA[<p>Hi <b>there</b></p>]]></description></item>"
        );
        let plain = "<description>no markup</description><content type=\"xhtml\"><div/></content>";
        assert_eq!(wrap_raw_html(plain), plain);
        let odd = "<description>a]]>b<i/></description>";
        assert_eq!(
            wrap_raw_html(odd),
            "<description><![CDATA[a]]]]><![CDATA[>b<i/>]]></description>"
        );
    }

    #[test]
    fn declaration_encoding_is_rewritten() {
        assert_eq!(
            set_declared_encoding_utf8("<?xml version=\"1.0\" encoding='windows-1256'?><r/>"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><r/>"
        );
    }

    #[test]
    fn old_namespaces_and_text_types_are_mapped() {
        assert_eq!(
            normalize_namespaces("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"),
            "<feed version=\"0.3\" xmlns=\"http://www.w3.org/2005/Atom\">"
        );
        assert_eq!(
            normalize_namespaces(
                "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\">"
            ),
            "<rss version=\"2.0\">"
        );
        assert_eq!(
            fix_text_types("<title type=\"\">x</title>"),
            "<title>x</title>"
        );
        assert_eq!(
            fix_text_types(
                "<summary xml:lang='ar' type='text/plain'>x</summary><content type='text/plain'>"
            ),
            "<summary xml:lang='ar' type=\"text\">x</summary><content type='text/plain'>"
        );
        assert_eq!(
            fix_text_types("<title type=\"application/octet-stream\">"),
            "<title>"
        );
    }

    #[test]
    fn rss_version_is_supplied() {
        assert_eq!(
            fix_rss_version("<rss><channel/></rss>"),
            "<rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            fix_rss_version("<rss version=\"0.94\" xmlns:a=\"b\">"),
            "<rss version=\"2.0\" xmlns:a=\"b\">"
        );
        let ok = "<rss version=\"2.0\">";
        assert_eq!(fix_rss_version(ok), ok);
    }
}
