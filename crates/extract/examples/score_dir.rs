//! Extracts every page of a directory and writes `{"path","text"}` JSON lines,
//! ready for `score-extraction`. Pages may be gzipped (`.html.gz`).
//!
//! ```text
//! cargo run --release -p ajil-extract --example score_dir -- \
//!     ../shared/data/extraction/scrapinghub/html > /tmp/out.jsonl
//! score-extraction --truth ../shared/data/extraction/scrapinghub/ground-truth.json --pred /tmp/out.jsonl
//! ```

use std::io::{Read, Write};
use std::time::Instant;

use ajil_extract::{ExtractOptions, extract};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: score_dir <dir-of-html-pages>")?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut pages = Vec::new();
    for p in &paths {
        let raw = std::fs::read(p)?;
        let bytes = if p.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out)?;
            out
        } else {
            raw
        };
        pages.push((p.display().to_string(), bytes));
    }
    let opts = ExtractOptions::default();
    let start = Instant::now();
    let mut lines = Vec::with_capacity(pages.len());
    for (path, bytes) in &pages {
        let text = extract(bytes, &opts).map(|e| e.text).unwrap_or_default();
        lines.push(serde_json::json!({ "path": path, "text": text }).to_string());
    }
    let secs = start.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}")?;
    }
    eprintln!(
        "{} pages in {secs:.2}s: {:.1} pages/s",
        pages.len(),
        pages.len() as f64 / secs
    );
    Ok(())
}
