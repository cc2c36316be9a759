//! Criterion micro-benchmarks of the per-article stages on real articles: analysis of a
//! headline, of a median-length article and of a query, a query tried on a thousand
//! reports (the stories page's preview), and story clustering of a thousand
//! consecutive articles.
//!
//! ```text
//! cargo bench -p ajil-bench --bench stages
//! ```
//!
//! Reads the first articles of `../shared/data/arabic-news/ant-multisource.jsonl.gz`.

use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader};

use ajil_analyze::{Analyzer, match_keys};
use ajil_model::{Analysis, ArticleId};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use flate2::read::GzDecoder;
use serde::Deserialize;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

/// Articles read for the benchmarks: enough for story links to form.
const ARTICLES: usize = 1_000;

#[derive(Deserialize)]
struct Record {
    url: String,
    source: String,
    title: String,
    published: DateTime<Utc>,
    text: String,
}

fn load() -> Vec<Record> {
    let file = File::open(DATA)
        .unwrap_or_else(|e| panic!("{DATA}: {e}: shared/ must sit beside the repo"));
    BufReader::new(GzDecoder::new(file))
        .lines()
        .take(ARTICLES)
        .map(|line| serde_json::from_str(&line.expect("readable corpus")).expect("corpus record"))
        .collect()
}

fn analyze(c: &mut Criterion) {
    let records = load();
    let analyzer = Analyzer::new();
    // The article of median body length stands for "an article".
    let mut by_len: Vec<&Record> = records.iter().collect();
    by_len.sort_by_key(|r| r.text.len());
    let median = by_len[by_len.len() / 2];

    let mut g = c.benchmark_group("analyze");
    g.bench_function("headline_only", |b| {
        b.iter(|| analyzer.analyze(black_box(&median.title), "", Some("ar")))
    });
    g.throughput(Throughput::Bytes(median.text.len() as u64));
    g.bench_function("median_article", |b| {
        b.iter(|| {
            analyzer.analyze(
                black_box(&median.title),
                black_box(&median.text),
                Some("ar"),
            )
        })
    });
    g.finish();

    c.bench_function("match_keys/query", |b| {
        b.iter(|| match_keys(black_box("\"وزير الخارجية\" ولافروف باسطنبول"), None))
    });

    // What trying a query on recent stories costs per report read: its match
    // keys, and the query run on them.
    let query = ajil_query::Query::parse("\"وزير الخارجية\" ولافروف -رياضة")
        .expect("a valid query")
        .compile(&|s: &str| match_keys(s, None));
    let mut g = c.benchmark_group("preview");
    g.sample_size(10);
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("match_1000_reports", |b| {
        b.iter(|| {
            records
                .iter()
                .filter(|r| {
                    let keys = ajil_analyze::report_match_keys(&r.title, &r.text, "ar");
                    let index = ajil_query::DocIndex::with_variants(&keys.keys, &keys.variants);
                    query.matches_index(&index, "ar", &r.source)
                })
                .count()
        })
    });
    g.finish();
}

fn story(c: &mut Criterion) {
    let records = load();
    let analyzer = Analyzer::new();
    let analyses: Vec<Analysis> = records
        .iter()
        .map(|r| analyzer.analyze(&r.title, &r.text, Some("ar")))
        .collect();

    let mut g = c.benchmark_group("story");
    g.sample_size(10);
    // One sample clusters a thousand articles (~150 ms); ten of them need more than
    // the default five seconds.
    g.measurement_time(std::time::Duration::from_secs(10));
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("add_1000_consecutive", |b| {
        b.iter_batched(
            || Clusterer::new(StoryOptions::default()).expect("default options are valid"),
            |mut clusterer| {
                for (i, (r, a)) in records.iter().zip(&analyses).enumerate() {
                    let input = StoryInput {
                        article: ArticleId(i as i64),
                        outlet: &r.source,
                        published: r.published,
                        url: &r.url,
                        canonical_url: None,
                        title_keys: &a.title_keys,
                        keys: &a.keys,
                        minhash: &a.minhash,
                        content_hash: a.content_hash,
                        sound: &a.sound,
                        title_sound: &a.title_sound,
                        wire: None,
                        section: None,
                        statement: a.statement,
                    };
                    black_box(clusterer.add(&input, r.published).story);
                }
                clusterer
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, analyze, story);
criterion_main!(benches);
