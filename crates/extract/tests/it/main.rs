//! Integration tests for ajil-extract.

mod arabic_corpus;
mod fixtures;
mod robustness;
mod seed;

use ajil_extract::{ExtractOptions, Extracted, extract};

/// Reads a hand-made page from `tests/data/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    std::fs::read(format!("{path}{name}")).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

/// Extracts with the given page URL.
pub fn run(bytes: &[u8], url: Option<&str>) -> Extracted {
    let opts = ExtractOptions {
        url: url.map(str::to_owned),
        ..ExtractOptions::default()
    };
    extract(bytes, &opts).expect("page extracts")
}
