//! Turning title markup into plain text.

/// Strip tags (dropping `<script>`/`<style>` bodies and comments), decode HTML
/// entities and collapse whitespace: `<b>Gaza</b> &amp; Rafah` → `Gaza & Rafah`.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        if let Some(after) = tag.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        // A `<` not followed by a tag start is just a less-than sign.
        if !tag[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            out.push('<');
            rest = &tag[1..];
            continue;
        }
        let Some(gt) = tag.find('>') else {
            rest = "";
            break;
        };
        let name = tag[1..gt]
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        rest = &tag[gt + 1..];
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&close) {
                Some(i) => rest[i..].find('>').map_or("", |j| &rest[i + j + 1..]),
                None => "",
            };
        }
        if matches!(name.as_str(), "br" | "p" | "div" | "li") {
            out.push(' ');
        }
    }
    out.push_str(rest);
    collapse_whitespace(&htmlize::unescape(out))
}

/// Decode HTML entities left in plain text (a double-escaped `&amp;amp;`)
/// and collapse whitespace.
pub(crate) fn plain_text(text: &str) -> String {
    collapse_whitespace(&htmlize::unescape(text))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` holds something that looks like an HTML tag.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
            && after.contains('>')
        {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_decodes() {
        assert_eq!(html_to_text("<b>Gaza</b> &amp; Rafah"), "Gaza & Rafah");
        assert_eq!(html_to_text("a<script>x<y</script>b"), "ab");
        assert_eq!(html_to_text("1 < 2 <!-- c --> ok"), "1 < 2 ok");
        assert_eq!(html_to_text("&lt;blink&gt;  \n tag"), "<blink> tag");
        assert_eq!(html_to_text("<p>one</p><p>two</p>"), "one two");
    }

    #[test]
    fn detects_markup() {
        assert!(looks_like_html("Example <b>Atom</b>"));
        assert!(!looks_like_html("1 < 2"));
        assert!(!looks_like_html("a <3 b"));
    }

    #[test]
    fn plain_text_decodes_leftover_entities() {
        assert_eq!(plain_text("Tom &amp; Jerry\n"), "Tom & Jerry");
        assert_eq!(plain_text("Q&A"), "Q&A");
    }
}
