//! Extracts one page (optionally gzipped) and prints the result as JSON.
//!
//! ```text
//! cargo run -p ajil-extract --example extract_one -- ../shared/data/samples/seed-republisher.html
//! ```

use std::io::Read;

use ajil_extract::{ExtractOptions, extract};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: extract_one <page.html[.gz]> [url]")?;
    let raw = std::fs::read(&path)?;
    let bytes = if path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        out
    } else {
        raw
    };
    let opts = ExtractOptions {
        url: std::env::args().nth(2),
        ..ExtractOptions::default()
    };
    let start = std::time::Instant::now();
    let out = extract(&bytes, &opts)?;
    eprintln!("extracted in {:?}", start.elapsed());
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
