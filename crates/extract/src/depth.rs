//! A nesting-depth cap applied before parsing.
//!
//! html5ever builds any depth, but some of its tree-construction steps scan
//! the stack of open elements per start tag, so 100,000 nested `<div>`s take
//! tens of seconds. Real pages stay under a few hundred levels, so start tags
//! past [`MAX_DEPTH`] (and their end tags) are dropped before parsing; pages
//! under the cap are passed through untouched.

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

/// Returns `text` unchanged, or a copy with start tags past the depth cap removed.
pub(crate) fn cap_depth(text: &str) -> Cow<'_, str> {
    if !scan(text, None) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    scan(text, Some(&mut out));
    Cow::Owned(out)
}

/// One pass over the tags. Without `out`, reports whether the cap is
/// exceeded; with it, copies the text minus the tags past the cap.
fn scan(text: &str, mut out: Option<&mut String>) -> bool {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut dropped = 0usize;
    let mut copied = 0usize; // bytes of `text` already copied to `out`
    let mut i = 0usize;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |p| lt + 4 + p + 3);
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
        let gt = memchr::memchr(b'>', &b[name_start..]).map_or(b.len(), |p| name_start + p + 1);
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
                if out.is_none() {
                    return true;
                }
                dropped += 1;
                drop_tag = true;
            } else {
                depth += 1;
            }
        }
        if drop_tag && let Some(o) = out.as_deref_mut() {
            o.push_str(&text[copied..lt]);
            copied = gt;
        }
        i = gt;
        if !closing && raw_text(name) {
            i = raw_text_end(b, gt, name);
        }
    }
    if let Some(o) = out {
        o.push_str(&text[copied..]);
    }
    false
}

/// Index just past the `</name` that closes a raw-text element opened before `from`.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let end = lt + 2 + name.len();
        if b.get(lt + 1) == Some(&b'/')
            && end <= b.len()
            && b[lt + 2..end].eq_ignore_ascii_case(name)
        {
            return end;
        }
        i = lt + 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_untouched() {
        let page = "<div><p>a<div>b</div></div><script>'<div><div>'</script>";
        assert!(matches!(cap_depth(page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_pages_are_capped_and_keep_text() {
        let n = MAX_DEPTH + 50;
        let page = format!(
            "{}deep text{}",
            "<div class=x>".repeat(n),
            "</div>".repeat(n)
        );
        let capped = cap_depth(&page);
        assert_eq!(capped.matches("<div").count(), MAX_DEPTH);
        assert_eq!(capped.matches("</div>").count(), MAX_DEPTH);
        assert!(capped.contains("deep text"));
    }
}
