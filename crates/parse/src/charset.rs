//! Turning feed bytes in any charset into UTF-8 text.
//!
//! The order follows how sure each signal is: a byte-order mark cannot be
//! wrong, the HTTP header is what the server promises (and overrides the XML
//! declaration, as RFC 7303 says), the declaration comes next, and statistical
//! detection with chardetng is the last resort (it does well on windows-1256
//! Arabic that declares nothing).

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8};
use regex::bytes::Regex;

/// The charset named by a `Content-Type` header value, if encoding_rs knows it.
///
/// ```
/// let enc = ajil_parse::charset_from_content_type("text/xml; charset=Windows-1256").unwrap();
/// assert_eq!(enc.name(), "windows-1256");
/// ```
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(value.as_bytes())
    })
}

static XML_DECL_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']"#)
        .expect("static regex")
});

static HTML_META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)"#)
        .expect("static regex")
});

/// The encoding named in the XML declaration, or in an HTML page's
/// `<meta charset>` (or `http-equiv` Content-Type) within its first 1024
/// bytes, read from ASCII-compatible bytes.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let label = XML_DECL_ENCODING
        .captures(head)
        .or_else(|| HTML_META_CHARSET.captures(head))?
        .get(1)?
        .as_bytes();
    let enc = Encoding::for_label(label)?;
    // A UTF-16 label on bytes that we could read as ASCII is a lie: the
    // document would look like `<\0?\0x\0` otherwise. Trust the bytes.
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return None;
    }
    Some(enc)
}

/// What [`decode`] found: the text and the encoding it used.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    // Read by the tests; callers only need the text today.
    #[cfg_attr(not(test), expect(dead_code))]
    pub encoding: &'static Encoding,
}

/// Decode `bytes` to UTF-8 by BOM, HTTP charset, XML declaration, then detection.
pub(crate) fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    // UTF-32 first: its little-endian BOM starts like UTF-16's.
    if let Some(text) = decode_utf32(bytes) {
        return Decoded {
            text: Cow::Owned(text),
            encoding: UTF_8,
        };
    }
    // BOM-less UTF-16 is recognised by `<?` in two-byte units (XML 1.0, Appendix F).
    let sniffed = match bytes {
        [b'<', 0, b'?', 0, ..] => Some(encoding_rs::UTF_16LE),
        [0, b'<', 0, b'?', ..] => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(enc) = sniffed {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return Decoded {
            text,
            encoding: enc,
        };
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text,
            encoding: enc,
        };
    }
    let header = content_type.and_then(charset_from_content_type);
    for enc in [header, declared_encoding(bytes)].into_iter().flatten() {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        // A declared UTF-8 that does not decode cleanly is a common lie (the
        // server default on a legacy-charset file); let detection decide.
        if !(had_errors && enc == UTF_8) {
            return Decoded {
                text,
                encoding: enc,
            };
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
        };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text,
        encoding: enc,
    }
}

/// Decode UTF-32 (which encoding_rs leaves out), found by BOM or by `<` in
/// four-byte units; invalid code points become U+FFFD.
fn decode_utf32(bytes: &[u8]) -> Option<String> {
    let (little, body) = match bytes {
        [0xFF, 0xFE, 0, 0, rest @ ..] => (true, rest),
        [0, 0, 0xFE, 0xFF, rest @ ..] => (false, rest),
        [b'<', 0, 0, 0, ..] => (true, bytes),
        [0, 0, 0, b'<', ..] => (false, bytes),
        _ => return None,
    };
    Some(
        body.chunks_exact(4)
            .map(|c| {
                let unit = [c[0], c[1], c[2], c[3]];
                let n = if little {
                    u32::from_le_bytes(unit)
                } else {
                    u32::from_be_bytes(unit)
                };
                char::from_u32(n).unwrap_or('\u{FFFD}')
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_page_declares_its_charset_in_a_meta_element() {
        for head in [
            r#"<!doctype html><html><head><meta charset="ISO-8859-6">"#,
            "<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=iso-8859-6'>",
            "<html><head><meta charset=iso-8859-6 />",
        ] {
            assert_eq!(
                declared_encoding(head.as_bytes()).map(|e| e.name()),
                Some("ISO-8859-6"),
                "{head}"
            );
        }
        assert!(declared_encoding(b"<html><head><meta name=viewport>").is_none());
    }

    #[test]
    fn header_charset_is_read_with_quotes_and_case() {
        assert_eq!(
            charset_from_content_type("application/rss+xml;charset= 'us-ascii'").map(|e| e.name()),
            Some("windows-1252")
        );
        assert_eq!(
            charset_from_content_type("text/xml; Charset=\"ISO-8859-6\"").map(|e| e.name()),
            Some("ISO-8859-6")
        );
        assert!(charset_from_content_type("text/xml").is_none());
        assert!(charset_from_content_type("text/xml; charset=klingon").is_none());
    }

    #[test]
    fn header_overrides_declaration() {
        // "سلام" in windows-1256, declared as latin-1 in the document.
        let mut doc = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><t>".to_vec();
        doc.extend_from_slice(&[0xD3, 0xE1, 0xC7, 0xE3]);
        doc.extend_from_slice(b"</t>");
        let d = decode(&doc, Some("text/xml; charset=windows-1256"));
        assert!(d.text.contains("سلام"), "{}", d.text);
        let d = decode(&doc, None);
        assert_eq!(d.encoding.name(), "windows-1252");
    }

    #[test]
    fn bom_wins() {
        let mut doc = vec![0xEF, 0xBB, 0xBF];
        doc.extend_from_slice("<t>é</t>".as_bytes());
        let d = decode(&doc, Some("text/xml; charset=windows-1256"));
        assert_eq!(d.text, "<t>é</t>");
    }

    #[test]
    fn bomless_utf16_and_utf32_are_sniffed() {
        let text = "<?xml version='1.0'?><t>ok</t>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le, None).text, text);
        assert_eq!(decode(&be, None).text, text);
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let mut be32 = vec![0, 0, 0xFE, 0xFF];
        be32.extend(text.chars().flat_map(|c| u32::from(c).to_be_bytes()));
        assert_eq!(decode(&le32, None).text, text);
        assert_eq!(decode(&be32, None).text, text);
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut doc = vec![0xFF, 0xFE];
        for unit in "<t>ok</t>".encode_utf16() {
            doc.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&doc, None).text, "<t>ok</t>");
    }
}
