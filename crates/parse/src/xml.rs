//! Small helpers over quick-xml shared by the sitemap and OPML readers.

use quick_xml::events::{BytesRef, BytesStart};

/// The local part of an element or attribute name, lowercased (`news:title` → `title`).
pub(crate) fn local_name(raw: &[u8]) -> String {
    let local = raw.rsplit(|&b| b == b':').next().unwrap_or(raw);
    String::from_utf8_lossy(local).to_ascii_lowercase()
}

/// The text an entity or character reference stands for; unknown HTML
/// entities are looked up in HTML5's list, anything else is kept as written.
pub(crate) fn resolve_ref(r: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = String::from_utf8_lossy(r);
    if let Some(v) = quick_xml::escape::resolve_predefined_entity(&name) {
        return v.to_string();
    }
    match htmlize::ENTITIES.get(format!("&{name};").as_bytes()) {
        Some(v) => String::from_utf8_lossy(v).into_owned(),
        None => format!("&{name};"),
    }
}

/// The value of attribute `name` (matched case-insensitively, ignoring prefix).
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.html_attributes().flatten().find_map(|a| {
        (local_name(a.key.as_ref()) == name)
            .then(|| a.unescape_value().map(|v| v.into_owned()).ok())
            .flatten()
    })
}
