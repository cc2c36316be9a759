//! Byte sniffing and character-set decoding.
//!
//! Order of trust: BOM, then bytes that are valid multibyte UTF-8 (labels
//! saying Latin-1 or windows-1256 are often wrong for those), then the HTTP
//! header, then `<meta charset>`, each checked against what the bytes say; a
//! label that fails to decode cleanly, or a Latin label on bytes chardetng
//! reads as Arabic, loses to detection.

use std::borrow::Cow;
use std::sync::LazyLock;

use chardetng::EncodingDetector;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;

use crate::ExtractError;

/// How many leading bytes the sniffer and the `<meta>` prescan look at.
const SNIFF_LEN: usize = 4096;

/// Rejects input that is clearly not HTML: known binary formats, control
/// bytes in the head, or no markup at all.
pub(crate) fn sniff(bytes: &[u8]) -> Result<(), ExtractError> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "pdf"),
        (b"\x89PNG", "png"),
        (b"GIF8", "gif"),
        (b"\xFF\xD8\xFF", "jpeg"),
        (b"PK\x03\x04", "zip"),
        (b"\x1F\x8B", "gzip"),
        (b"RIFF", "riff media"),
        (b"\x00\x00\x01\x00", "icon"),
        (b"wOFF", "font"),
        (b"\x7FELF", "executable"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(ExtractError::NotHtml { sniffed: what });
    }
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    // WHATWG "binary data bytes": control characters no text format uses.
    let binary = |b: &u8| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F);
    if !utf16 && head.iter().any(binary) {
        return Err(ExtractError::NotHtml {
            sniffed: "binary data",
        });
    }
    if utf16 {
        return Ok(());
    }
    // Some markup must appear early: `<` followed by a letter, `!` or `/`.
    let scan = &bytes[..bytes.len().min(64 * 1024)];
    let has_tag = scan
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'!' || w[1] == b'/'));
    if !has_tag {
        return Err(ExtractError::NotHtml {
            sniffed: "text without markup",
        });
    }
    Ok(())
}

/// Decodes a page to text using the HTTP `charset` label when given.
pub(crate) fn decode<'a>(bytes: &'a [u8], header: Option<&str>) -> Cow<'a, str> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom_len..]).0;
    }
    let non_ascii = !bytes.is_ascii();
    // Valid UTF-8 with multibyte sequences is UTF-8 whatever the label says:
    // the chance of legacy-encoded text validating as UTF-8 is negligible.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    let label = header
        .and_then(|h| Encoding::for_label(h.trim().trim_matches('"').as_bytes()))
        .or_else(|| meta_charset(bytes));
    let detected = || {
        let mut det = EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        det.guess(None, chardetng::Utf8Detection::Allow)
    };
    let enc = match label {
        // UTF-16 labels inside an 8-bit document are always wrong (spec rule).
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => UTF_8,
        Some(e) if e == UTF_8 => detected(),
        // Latin labels are the usual lie on Arabic pages served as windows-1256.
        Some(e) if non_ascii && is_latin(e) => {
            let d = detected();
            if is_latin(d) { e } else { d }
        }
        Some(e) => e,
        None => detected(),
    };
    let (text, _, had_errors) = enc.decode(bytes);
    if had_errors && enc != UTF_8 {
        let d = detected();
        if d != enc {
            return d.decode(bytes).0;
        }
    }
    text
}

fn is_latin(e: &'static Encoding) -> bool {
    e == WINDOWS_1252 || e == encoding_rs::ISO_8859_15 || e == encoding_rs::ISO_8859_2
}

/// Finds `<meta charset=…>` or `<meta http-equiv content="…; charset=…">` in
/// the first bytes of the page.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)"#).unwrap()
    });
    let head = &bytes[..bytes.len().min(SNIFF_LEN * 4)];
    let caps = META.captures(head)?;
    Encoding::for_label(caps.get(1)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_rejects_binary_and_accepts_markup() {
        assert!(matches!(
            sniff(b"%PDF-1.7 ..."),
            Err(ExtractError::NotHtml { sniffed: "pdf" })
        ));
        assert!(sniff(b"\x00\x01\x02<html>").is_err());
        assert!(sniff(b"just some words").is_err());
        assert!(sniff(b"  <!doctype html><p>x").is_ok());
        assert!(sniff(b"<p>unterminated").is_ok());
    }

    #[test]
    fn windows_1256_arabic_is_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256
            .encode("<html><meta charset=windows-1256><p>السلام عليكم ورحمة الله</p>");
        assert!(decode(&bytes, None).contains("السلام عليكم"));
        // A lying Latin-1 header on Arabic bytes.
        assert!(decode(&bytes, Some("iso-8859-1")).contains("السلام عليكم"));
    }

    #[test]
    fn utf8_mislabelled_as_latin1_stays_utf8() {
        let page = "<html><meta charset=iso-8859-1><p>قال الوزير — café</p>";
        assert!(decode(page.as_bytes(), Some("ISO-8859-1")).contains("قال الوزير — café"));
    }

    #[test]
    fn iso_8859_6_arabic_is_detected() {
        let (bytes, _, _) = encoding_rs::ISO_8859_6.encode(
            "<html><p>قال وزير الخارجية إن الدبلوماسيين سيلتقون في إسطنبول يوم الخميس لمناقشة عمل السفارات</p>",
        );
        assert!(decode(&bytes, None).contains("وزير الخارجية"));
    }

    #[test]
    fn bom_wins() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<p>نص</p>".as_bytes());
        assert_eq!(decode(&b, Some("windows-1252")), "<p>نص</p>");
    }
}
