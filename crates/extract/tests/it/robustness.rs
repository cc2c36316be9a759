//! Hostile input: the extractor must return, bounded, without panicking.

use ajil_extract::{ExtractError, ExtractOptions, extract};

fn opts() -> ExtractOptions {
    ExtractOptions::default()
}

#[test]
fn deep_nesting_does_not_overflow() {
    let n = 100_000;
    let page = format!(
        "<html><body>{}<p>deep text</p>{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let out = extract(page.as_bytes(), &opts()).unwrap();
    assert_eq!(out.text, "deep text");
    let spans = format!("<body>{}tail", "<span><b>".repeat(n / 2));
    assert_eq!(extract(spans.as_bytes(), &opts()).unwrap().text, "tail");
}

#[test]
fn binary_garbage_is_not_html() {
    // A deterministic byte soup (xorshift) with control bytes.
    let mut x: u32 = 0x9E37_79B9;
    let bytes: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    assert!(matches!(
        extract(&bytes, &opts()),
        Err(ExtractError::NotHtml { .. })
    ));
    assert!(matches!(
        extract(b"%PDF-1.4\n...", &opts()),
        Err(ExtractError::NotHtml { sniffed: "pdf" })
    ));
    assert!(matches!(
        extract(b"", &opts()),
        Err(ExtractError::NotHtml { .. })
    ));
    // Garbage after a plausible start still parses without panicking.
    let mut page = b"<html><body><p>".to_vec();
    page.extend(bytes.iter().map(|b| b | 0x80));
    assert!(extract(&page, &opts()).is_ok());
}

#[test]
fn unterminated_tags_and_comments() {
    for page in [
        "<html><body><p>text before <!-- never closed <p>hidden",
        "<html><body><div class=\"x><p>attribute never closed",
        "<html><body><p>open <b><i><a href='x",
        "<html><body><script>var a = '<p>never closed",
        "<p>a<table><tr><td>b<td>c",
        "<a",
        "<!--",
        "<html><body><p>[ad_1 [shortcode unterminated",
    ] {
        let out = extract(page.as_bytes(), &opts());
        assert!(out.is_ok(), "{page}: {out:?}");
    }
}

#[test]
fn huge_whitespace_runs_collapse() {
    let page = format!(
        "<html><body><p>word{}other</p>{}</body></html>",
        " \n\t".repeat(300_000),
        "\n".repeat(300_000)
    );
    assert_eq!(
        extract(page.as_bytes(), &opts()).unwrap().text,
        "word other"
    );
}

#[test]
fn oversized_input_is_rejected_before_parsing() {
    let limit = ExtractOptions {
        max_bytes: 1024,
        ..opts()
    };
    let page = vec![b'<'; 2048];
    assert_eq!(
        extract(&page, &limit),
        Err(ExtractError::TooLarge {
            size: 2048,
            limit: 1024
        })
    );
    // The default cap is 16 MiB: a 50 MB page is refused without being read.
    let big = vec![b' '; 50_000_000];
    assert!(matches!(
        extract(&big, &opts()),
        Err(ExtractError::TooLarge {
            size: 50_000_000,
            ..
        })
    ));
}
