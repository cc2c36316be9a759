//! Feeds arbitrary bytes to `extract` and, as text, to `clean_fragment`:
//! neither may panic, and both must stay bounded (libFuzzer's `-timeout`
//! and `-rss_limit_mb` turn a hang or a blow-up into a crash).
#![no_main]

use ajil_extract::{ExtractOptions, clean_fragment, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions {
        url: Some("https://example.com/news/1".to_owned()),
        ..ExtractOptions::default()
    };
    if let Ok(out) = extract(data, &opts) {
        // Paragraphs are separated by exactly one blank line, never empty.
        assert!(!out.text.contains("\n\n\n"));
        assert_eq!(out.text.trim(), out.text);
    }
    let text = String::from_utf8_lossy(data);
    let cleaned = clean_fragment(&text);
    assert_eq!(cleaned.trim(), cleaned);
});
