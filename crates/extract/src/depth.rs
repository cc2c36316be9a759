//! The pre-pass applied before parsing: a nesting-depth cap, and the bodies
//! of scripts and styles dropped.
//!
//! html5ever builds any depth, but some of its tree-construction steps scan
//! the stack of open elements per start tag, so 100,000 nested `<div>`s take
//! tens of seconds. Real pages stay under a few hundred levels, so start tags
//! past [`MAX_DEPTH`] (and their end tags) are dropped before parsing.
//!
//! Script and style bodies are about half the bytes of a news page (53% on the
//! scrapinghub set) and nothing reads them except JSON-LD, so the pass keeps
//! the tags and drops what is between them: `<script>var a…</script>` becomes
//! `<script></script>`, and the tokenizer skips the bulk. Comments, `<svg>`
//! drawings and `<noscript>` fallbacks go too.
//! Pages with nothing to drop are passed through untouched.

use std::borrow::Cow;

/// Deepest nesting kept. Real news pages rarely pass 60; the cap is generous.
pub(crate) const MAX_DEPTH: usize = 1000;

/// Tags that never hold content or close themselves implicitly: they do not
/// add to the counted depth.
fn uncounted(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"colgroup"
            | b"caption"
            | b"html"
            | b"head"
            | b"body"
            | b"frame"
            | b"image"
    )
}

fn raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"noembed"
            | b"noframes"
            | b"plaintext"
            | b"iframe"
    )
}

/// Returns `text` unchanged, or a copy without script, style, svg and
/// noscript bodies, comments, and start tags past the depth cap.
pub(crate) fn prepare(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    if scan(text, &mut out) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// One pass over the tags, copying `text` to `out` minus what [`prepare`]
/// drops; returns whether anything was dropped (else `out` is incomplete).
fn scan(text: &str, out: &mut String) -> bool {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut dropped = 0usize;
    let mut changed = false;
    let mut copied = 0usize; // bytes of `text` already copied to `out`
    // Copies the kept bytes before `from` and skips to `to`.
    let skip = |out: &mut String, copied: &mut usize, from: usize, to: usize| {
        if out.capacity() == 0 {
            out.reserve(text.len() / 2);
        }
        out.push_str(&text[*copied..from]);
        *copied = to;
    };
    let mut attr_drops: Vec<(usize, usize)> = Vec::new();
    let mut i = 0usize;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |p| lt + 4 + p + 3);
            skip(out, &mut copied, lt, i);
            changed = true;
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if name_len == 0 {
            i = lt + 1;
            continue;
        }
        // Lowercased into a small buffer: every name the rules know is short,
        // and a longer one is an ordinary counted tag.
        let mut buf = [0u8; 16];
        let name: &[u8] = if name_len <= buf.len() {
            for (d, s) in buf.iter_mut().zip(&b[name_start..name_start + name_len]) {
                *d = s.to_ascii_lowercase();
            }
            &buf[..name_len]
        } else {
            b"-"
        };
        attr_drops.clear();
        let gt = if closing {
            memchr::memchr(b'>', &b[name_start..]).map_or(b.len(), |p| name_start + p + 1)
        } else {
            tag_end(b, name_start + name_len, &mut attr_drops)
        };
        let self_closing = gt >= 2 && b[gt - 2] == b'/';
        let mut drop_tag = false;
        if !uncounted(name) && !self_closing {
            if closing {
                if dropped > 0 {
                    dropped -= 1;
                    drop_tag = true;
                } else {
                    depth = depth.saturating_sub(1);
                }
            } else if depth >= MAX_DEPTH {
                dropped += 1;
                drop_tag = true;
            } else {
                depth += 1;
            }
        }
        if drop_tag {
            skip(out, &mut copied, lt, gt);
            changed = true;
        } else {
            for &(from, to) in &attr_drops {
                skip(out, &mut copied, from, to);
                changed = true;
            }
        }
        i = gt;
        if !closing && !self_closing && matches!(name, b"svg" | b"noscript") {
            // Vector paths and no-script fallbacks: never text, often large.
            let close = if name == b"svg" {
                svg_end(b, gt)
            } else {
                raw_text_end(b, gt, name).0
            };
            if close > gt {
                skip(out, &mut copied, gt, close);
                changed = true;
            }
            i = close;
            continue;
        }
        if !closing && raw_text(name) {
            let (close, end) = raw_text_end(b, gt, name);
            // JSON-LD is the one script body anything reads (metadata).
            let keep = !matches!(name, b"script" | b"style")
                || contains_ignore_case(&b[lt..gt], b"ld+json");
            if !keep && close > gt {
                skip(out, &mut copied, gt, close);
                changed = true;
            }
            i = end;
        }
    }
    if changed {
        out.push_str(&text[copied..]);
    }
    changed
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

/// Attributes nothing reads, which are long on modern pages (responsive
/// image lists, tracking payloads, inline handlers): `data-*`, `on*`,
/// `srcset`, `sizes`.
fn droppable_attr(name: &[u8]) -> bool {
    let starts = |p: &[u8]| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
    starts(b"data-")
        || starts(b"on")
        || name.eq_ignore_ascii_case(b"srcset")
        || name.eq_ignore_ascii_case(b"sizes")
}

/// Walks the attributes of a start tag from `from` (just past its name) as
/// the tokenizer does, quotes included, and returns the index just past its
/// `>` (`b.len()` when unclosed). Spans of droppable attributes, leading
/// whitespace included, go to `drops`.
fn tag_end(b: &[u8], from: usize, drops: &mut Vec<(usize, usize)>) -> usize {
    let mut i = from;
    loop {
        let attr_start = i;
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => return b.len(),
            Some(b'>') => return i + 1,
            _ => {}
        }
        let name_start = i;
        // A name runs to whitespace, `/`, `>` or `=` (a leading `=` is part of it).
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &b[name_start..i];
        let mut j = i;
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    j = memchr::memchr(q, &b[j + 1..]).map_or(b.len(), |p| j + 1 + p + 1);
                }
                _ => {
                    while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                }
            }
            i = j;
        }
        if droppable_attr(name) {
            drops.push((attr_start, i));
        }
    }
}

/// Where the `</svg` that closes an `<svg>` opened before `from` starts,
/// counting nested `<svg`s; `b.len()` when unclosed.
fn svg_end(b: &[u8], from: usize) -> usize {
    let mut depth = 1usize;
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let closing = b.get(lt + 1) == Some(&b'/');
        let name = lt + 1 + usize::from(closing);
        let delimited = b
            .get(name + 3)
            .is_none_or(|c| matches!(c, b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'));
        if name + 3 <= b.len() && b[name..name + 3].eq_ignore_ascii_case(b"svg") && delimited {
            if closing {
                depth -= 1;
                if depth == 0 {
                    return lt;
                }
            } else {
                depth += 1;
            }
        }
        i = lt + 1;
    }
    b.len()
}

/// Where the `</name` that closes a raw-text element opened before `from`
/// starts, and the index just past it; both are `b.len()` when unclosed.
/// As in the tokenizer, the name must be followed by whitespace, `/` or `>`.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let end = lt + 2 + name.len();
        if b.get(lt + 1) == Some(&b'/')
            && end <= b.len()
            && b[lt + 2..end].eq_ignore_ascii_case(name)
            && b.get(end)
                .is_none_or(|c| matches!(c, b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'))
        {
            return (lt, end);
        }
        i = lt + 1;
    }
    (b.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_without_scripts_are_untouched() {
        let page = "<div><p>a<div>b</div></div><textarea>'<div><div>'</textarea>";
        assert!(matches!(prepare(page), Cow::Borrowed(_)));
    }

    #[test]
    fn script_and_style_bodies_and_comments_go_json_ld_stays() {
        let page = "<head><style>p{}</style><SCRIPT type=text/javascript>if (a<b) x('</div>');</SCRIPT>\
            <script type='application/ld+json'>{\"headline\":\"h\"}</script></head>\
            <body><!-- note <p> --><p>text</p><script>never closed";
        assert_eq!(
            prepare(page),
            "<head><style></style><SCRIPT type=text/javascript></SCRIPT>\
            <script type='application/ld+json'>{\"headline\":\"h\"}</script></head>\
            <body><p>text</p><script>"
        );
        assert_eq!(
            prepare(
                "<p>a<svg viewBox='0 0 1 1'><svg><path d='M0'/></svg><text>x</text></svg>b<noscript><img src=x></noscript>c</p>"
            ),
            "<p>a<svg viewBox='0 0 1 1'></svg>b<noscript></noscript>c</p>"
        );
        // Long attributes nobody reads go; a `>` inside quotes does not end a tag.
        assert_eq!(
            prepare(
                "<img data-src=\"a.jpg\" srcset='a 1x, b 2x' alt=\"x > y\" onclick=go() class=pic><p data-x>t</p>"
            ),
            "<img alt=\"x > y\" class=pic><p>t</p>"
        );
        // `</scripts>` does not close a script.
        assert_eq!(
            prepare("<script>a</scripts>b</script>c"),
            "<script></script>c"
        );
    }

    #[test]
    fn deep_pages_are_capped_and_keep_text() {
        let n = MAX_DEPTH + 50;
        let page = format!(
            "{}deep text{}",
            "<div class=x>".repeat(n),
            "</div>".repeat(n)
        );
        let capped = prepare(&page);
        assert_eq!(capped.matches("<div").count(), MAX_DEPTH);
        assert_eq!(capped.matches("</div>").count(), MAX_DEPTH);
        assert!(capped.contains("deep text"));
    }

    #[test]
    fn odd_start_tags_end_where_the_tokenizer_ends_them() {
        let mut drops = Vec::new();
        for (tag, end) in [
            ("<a =x ''>rest", 9),
            ("<a b='unterminated>rest", 23),
            ("<a b=", 5),
            ("<a data-x=1 / >", 15),
            ("<a\tonclick=\"f('>')\">", 20),
        ] {
            drops.clear();
            assert_eq!(tag_end(tag.as_bytes(), 2, &mut drops), end, "{tag}");
        }
        assert_eq!(drops, vec![(2, 19)]);
    }
}
