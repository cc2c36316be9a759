//! False-positive guard: paragraphs of real Arabic news articles (already
//! clean text from five outlets) must survive the boilerplate rules, except
//! the republisher lines the rules exist for ("اقرأ أيضا: …", "قد يهمك/ …",
//! rules of dashes).

use std::io::{BufRead, BufReader};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

/// Articles read: enough to meet every outlet's habits, fast in debug builds.
const ARTICLES: usize = 2500;

fn is_known_noise(p: &str) -> bool {
    let p = p.trim_start_matches(['-', '–', '—', '•', '*', '»', ' ']);
    p.chars().all(|c| "-_–—=*•·.~#|/\\ ـ".contains(c))
        || [
            "اقرأ",
            "إقرأ",
            "أقرأ",
            "قد يهمك",
            "قد يعجبك",
            "شاهد",
            "اضغط هنا",
            "للاطلاع",
            "للمزيد",
            "لمزيد",
        ]
        .iter()
        .any(|s| p.starts_with(s))
}

#[test]
fn real_arabic_paragraphs_are_not_boilerplate() {
    let file = std::fs::File::open(CORPUS).expect("arabic-news corpus in ../shared");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let (mut seen, mut dropped) = (0usize, Vec::new());
    for line in reader.lines().take(ARTICLES) {
        let v: serde_json::Value = serde_json::from_str(&line.expect("line")).expect("json");
        for p in v["text"].as_str().unwrap_or("").split('\n').map(str::trim) {
            if p.chars().count() < 20 {
                continue;
            }
            seen += 1;
            let html = format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;"));
            if ajil_extract::clean_fragment(&html).is_empty() && !is_known_noise(p) {
                dropped.push(p.to_owned());
            }
        }
    }
    assert!(seen > 10_000, "only {seen} paragraphs read");
    assert!(
        dropped.is_empty(),
        "{} of {seen} real paragraphs dropped:\n{}",
        dropped.len(),
        dropped.join("\n")
    );
}
