//! Measures `Analyzer::analyze` on real Arabic news.
//!
//! ```text
//! cargo run --release -p ajil-analyze --example throughput [N]
//! ```
//!
//! Reads the first N (default 3000) articles of the shared ANT corpus,
//! analyzes each (language detection included, as no language is declared)
//! and prints articles per second.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use ajil_analyze::Analyzer;
use flate2::read::GzDecoder;

#[derive(serde::Deserialize)]
struct Row {
    title: String,
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let limit: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(3000);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
    );
    let reader = BufReader::new(GzDecoder::new(std::fs::File::open(path)?));
    let mut rows = Vec::new();
    for line in reader.lines().take(limit) {
        rows.push(serde_json::from_str::<Row>(&line?)?);
    }
    let chars: usize = rows.iter().map(|r| r.text.chars().count()).sum();

    let analyzer = Analyzer::new();
    // The first call loads the language models; keep it out of the timing.
    let _ = analyzer.analyze(&rows[0].title, &rows[0].text, None);

    for declared in [None, Some("ar")] {
        let start = Instant::now();
        let mut keys = 0usize;
        let mut arabic = 0usize;
        for row in &rows {
            let analysis = analyzer.analyze(&row.title, &row.text, declared);
            keys += analysis.keys.len();
            arabic += usize::from(analysis.lang == "ar");
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "declared={declared:?}: {} articles ({} chars avg) in {secs:.2}s: {:.0} articles/s, {:.1} keys/article, {arabic} detected ar",
            rows.len(),
            chars / rows.len().max(1),
            rows.len() as f64 / secs,
            keys as f64 / rows.len() as f64,
        );
    }
    Ok(())
}
