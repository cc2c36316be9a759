//! Criterion benchmarks of `extract` on a handful of real pages, one benchmark
//! per page, plus `clean_fragment` on a feed-sized fragment.
//!
//! ```text
//! cargo bench -p ajil-extract --bench extract
//! ```
//!
//! Reads pages of `../shared/data/extraction/scrapinghub/html/` and the
//! republisher sample at bench time; nothing is copied into the repo.

use std::hint::black_box;
use std::io::Read;

use ajil_extract::{ExtractOptions, clean_fragment, extract};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

/// Every 30th page of the sorted scrapinghub set: six pages of varied sites and sizes.
fn pages() -> Vec<(String, Vec<u8>)> {
    let dir = format!("{SHARED}extraction/scrapinghub/html");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}; put shared/ beside the repo"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    paths.sort();
    let mut out: Vec<(String, Vec<u8>)> = paths
        .iter()
        .step_by(30)
        .map(|p| {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(p).expect("page"))
                .read_to_end(&mut bytes)
                .expect("gzip page");
            // The files are named by a content hash; its first 8 digits name the page.
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            (name.chars().take(8).collect(), bytes)
        })
        .collect();
    let seed = std::fs::read(format!("{SHARED}samples/seed-republisher.html")).expect("sample");
    out.push(("seed-republisher".to_owned(), seed));
    out
}

fn bench(c: &mut Criterion) {
    let opts = ExtractOptions::default();
    let mut group = c.benchmark_group("extract");
    for (name, bytes) in pages() {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(&name, |b| b.iter(|| extract(black_box(&bytes), &opts)));
    }
    group.finish();

    let fragment = "<p>[ad_1]</p><p>قال وزير الخارجية يوم الأربعاء إن المحادثات ستستأنف في إسطنبول الأسبوع المقبل، \
        بعد جولة أولى وصفها بأنها بناءة.</p><p>اقرأ أيضا: <a href='/x'>خبر آخر</a></p>\
        <div class='share'>شارك</div><p>المصدر</p>"
        .repeat(4);
    c.bench_function("clean_fragment/feed_summary", |b| {
        b.iter(|| clean_fragment(black_box(&fragment)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
