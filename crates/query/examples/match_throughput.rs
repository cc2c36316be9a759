//! Measures `QuerySet::matching` with 10,000 subscriptions on real Arabic news.
//!
//! ```text
//! cargo run --release -p ajil-query --example match_throughput [ARTICLES] [QUERIES]
//! ```
//!
//! Queries are generated from words of the corpus's own titles (so they do
//! match): single words, two- and three-word ANDs, phrases, OR groups,
//! exclusions and some `lang:`/`source:` filters. Articles are analyzed
//! first (not timed); the timing covers `DocIndex::new` plus `matching`.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use ajil_analyze::{Analyzer, match_keys};
use ajil_query::{DocIndex, Query, QuerySet};
use flate2::read::GzDecoder;

#[derive(serde::Deserialize)]
struct Row {
    source: String,
    title: String,
    text: String,
}

/// A small deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n_articles: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3000);
    let n_queries: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
    );
    let reader = BufReader::new(GzDecoder::new(std::fs::File::open(path)?));
    let mut rows = Vec::new();
    for line in reader.lines().take(n_articles) {
        rows.push(serde_json::from_str::<Row>(&line?)?);
    }

    // Title words of four letters or more make plausible subscription terms.
    // Query syntax characters are dropped from them.
    let titles: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.title
                .split_whitespace()
                .map(|w| w.replace(['"', '“', '”', '(', ')', '|', '-'], ""))
                .filter(|w| w.chars().count() >= 4 && w != "OR" && !w.contains(':'))
                .collect::<Vec<_>>()
        })
        .filter(|t| t.len() >= 3)
        .collect();
    let words: Vec<&str> = titles.iter().flatten().map(String::as_str).collect();
    let sources = ["bbc", "cnn", "skynews", "alarabia", "france24"];
    let mut rng = Rng(7);
    let mut texts = Vec::with_capacity(n_queries);
    for _ in 0..n_queries {
        let w = |rng: &mut Rng| words[rng.below(words.len())];
        let title = &titles[rng.below(titles.len())];
        let mut q = match rng.below(6) {
            0 => w(&mut rng).to_string(),
            1 => format!("{} {}", title[0], title[1]),
            2 => format!("{} {} {}", title[0], title[1], title[2]),
            3 => format!("\"{} {}\"", title[1], title[2]),
            4 => format!("({} OR {}) {}", w(&mut rng), w(&mut rng), title[0]),
            _ => format!("{} -{}", title[0], w(&mut rng)),
        };
        match rng.below(10) {
            0 => q.push_str(" lang:ar"),
            1 => q.push_str(&format!(" source:{}", sources[rng.below(sources.len())])),
            _ => {}
        }
        texts.push(q);
    }

    let normalizer = |t: &str| match_keys(t, None);
    let start = Instant::now();
    let mut set = QuerySet::new();
    for (i, text) in texts.iter().enumerate() {
        set.insert(i, Query::parse(text)?.compile(&normalizer));
    }
    println!(
        "compiled {} queries in {:.0} ms",
        set.len(),
        start.elapsed().as_secs_f64() * 1e3
    );

    let analyzer = Analyzer::new();
    let analyzed: Vec<_> = rows
        .iter()
        .map(|r| (analyzer.analyze(&r.title, &r.text, Some("ar")), &r.source))
        .collect();

    let start = Instant::now();
    let mut matches = 0usize;
    let mut articles_with_match = 0usize;
    for (analysis, source) in &analyzed {
        let index = DocIndex::new(&analysis.keys);
        let hits = set.matching(&index, &analysis.lang, source);
        matches += hits.len();
        articles_with_match += usize::from(!hits.is_empty());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} articles × {} queries in {secs:.2}s: {:.0} articles/s; {:.1} matches/article, {} articles matched something",
        analyzed.len(),
        set.len(),
        analyzed.len() as f64 / secs,
        matches as f64 / analyzed.len() as f64,
        articles_with_match,
    );
    Ok(())
}
