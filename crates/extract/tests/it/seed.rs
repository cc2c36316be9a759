//! The republisher sample from the shared data set.

use std::collections::HashMap;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/samples/");

/// Share of the expected word tokens (as a multiset) found in the extracted text.
fn token_overlap(expected: &str, got: &str) -> f64 {
    let count = |s: &str| {
        let mut m: HashMap<String, usize> = HashMap::new();
        for w in s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *m.entry(w.to_owned()).or_default() += 1;
        }
        m
    };
    let (e, g) = (count(expected), count(got));
    let total: usize = e.values().sum();
    let hit: usize = e
        .iter()
        .map(|(w, n)| (*n).min(g.get(w).copied().unwrap_or(0)))
        .sum();
    let extra: usize = g
        .iter()
        .map(|(w, n)| n.saturating_sub(e.get(w).copied().unwrap_or(0)))
        .sum();
    // Penalise both missed and extra tokens, so noise cannot hide behind recall.
    hit as f64 / (total + extra) as f64
}

#[test]
fn seed_republisher_matches_expected() {
    let html = std::fs::read(format!("{DATA}seed-republisher.html")).expect("sample page");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(format!("{DATA}seed-republisher.expected.json")).expect("expected json"),
    )
    .unwrap();
    let out = super::run(&html, None);
    for bad in expected["must_not_contain"].as_array().unwrap() {
        let bad = bad.as_str().unwrap();
        assert!(
            !out.text.contains(bad),
            "text contains {bad:?}:\n{}",
            out.text
        );
    }
    assert_eq!(out.title.as_deref(), expected["title"].as_str());
    assert_eq!(out.lang.as_deref(), expected["lang"].as_str());
    let published = out
        .published
        .expect("published")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(Some(published.as_str()), expected["published"].as_str());
    assert_eq!(
        out.canonical_url.as_deref(),
        expected["canonical_url"].as_str()
    );
    assert_eq!(out.wire.as_deref(), expected["wire"].as_str());
    let overlap = token_overlap(expected["text"].as_str().unwrap(), &out.text);
    assert!(overlap >= 0.95, "token overlap {overlap:.3}:\n{}", out.text);
    // The contributor line is article text and stays.
    assert!(
        out.text.ends_with(
            "ساهم كتاب أسوشيتد برس سوزان فريزر في أنقرة وتركيا وروبرت بدونيك في إسطنبول."
        )
    );
}

#[test]
fn overlap_metric_penalises_noise_and_loss() {
    assert_eq!(token_overlap("a b c d", "a b c d"), 1.0);
    assert_eq!(token_overlap("a b c d", "a b"), 0.5);
    assert_eq!(token_overlap("a b", "a b x y"), 0.5);
}
