//! How long `ajil` takes to rebuild its in-memory story index from the store at
//! start-up, with a full story window of stored articles.
//!
//! ```text
//! cargo run --release -p ajil-bench --bin story_rebuild -- \
//!     [--limit N] [--window-hours H] [--runs R] [--data PATH] [--json] \
//!     [--database-url postgres://…]
//! ```
//!
//! Setup (not timed): the Arabic multi-outlet stream is analysed, its publication
//! times are compressed, in order, into the last `H - 1` hours before now (so every
//! article is inside the `H`-hour story window: 31,525 articles in 72 hours is about
//! 10,500 a day, a heavy deployment), the articles are clustered, and they are
//! stored with their analysis and story ids in a fresh SQLite store (or the
//! empty PostgreSQL database of `--database-url`), as the live pipeline stores
//! them.
//!
//! Timed: `ajil::pipeline::Pipeline::new` on that store, `--runs` times, each on a
//! freshly opened store. That is what `ajil serve` does before its first cycle:
//! read the window's articles, decode their stored analysis and replay them into
//! their stored stories (`Clusterer::add_with_story`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::{Duration as StdDuration, Instant};

use ajil::config::Config;
use ajil::pipeline::Pipeline;
use ajil_analyze::Analyzer;
use ajil_model::{ArticleId, SourceId};
use ajil_store::{NewArticle, Store};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use anyhow::{Context, bail};
use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};

const DEFAULT_DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

/// Start-up rebuild time of the story index over a full window.
#[derive(Debug, Parser)]
struct Args {
    /// Use only the first N articles (all by default).
    #[arg(long)]
    limit: Option<usize>,
    /// Story window in hours (the `story_window_hours` setting).
    #[arg(long, default_value_t = 72)]
    window_hours: i64,
    /// Timed rebuilds; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The `ant-multisource.jsonl.gz` stream.
    #[arg(long, default_value = DEFAULT_DATA)]
    data: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Keep the store in this folder instead of a temporary one. If it already holds
    /// a store (from a run less than an hour ago), the set-up is skipped, so the
    /// rebuild can be measured in a process that never held the set-up data.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Only build the store (use with `--keep`), without timing a rebuild.
    #[arg(long, requires = "keep")]
    prepare_only: bool,
    /// Store on this PostgreSQL database (which must exist) instead of SQLite.
    /// With `--keep`, a database that already holds articles is reused.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

/// The store `config` names, as `ajil` opens it.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(match &config.database_url {
        Some(url) => Store::connect_postgres(url.expose()).await?,
        None => Store::open(&config.db_path()).await?,
    })
}

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    url: String,
    source: String,
    #[serde(default)]
    title: String,
    published: DateTime<Utc>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    category: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    articles: usize,
    stories: usize,
    window_hours: i64,
    setup_secs: f64,
    rebuild_secs: Vec<f64>,
    median_rebuild_secs: f64,
    articles_per_sec: f64,
    /// Peak resident memory of the process during the rebuilds (set-up data freed first).
    peak_rss_mib: u64,
}

fn read_stream(path: &PathBuf, limit: Option<usize>) -> anyhow::Result<Vec<Record>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut records = Vec::new();
    for (n, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        if limit.is_some_and(|l| records.len() >= l) {
            break;
        }
        let line =
            line.with_context(|| format!("{}: cannot read line {}", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(&line)
            .with_context(|| format!("{}: line {} is not an article", path.display(), n + 1))?;
        records.push(r);
    }
    records.sort_by_key(|r| r.published);
    Ok(records)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.window_hours < 2 {
        bail!("--window-hours must be at least 2");
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let temp;
    let dir = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot make {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir().context("cannot make a temporary data folder")?;
            temp.path().to_path_buf()
        }
    };
    let mut config = Config::defaults(&dir)?;
    config.database_url = args.database_url.clone().map(ajil::config::Secret::new);
    let kept = match &args.database_url {
        Some(_) => {
            let store = open_store(&config).await?;
            store.max_article_id().await?.is_some()
        }
        None => config.db_path().exists(),
    };
    let setup = Instant::now();
    let (articles, stories) = if kept && args.keep.is_some() {
        let store = open_store(&config).await?;
        let n = store.max_article_id().await?.map_or(0, |a| a.0 as usize);
        let s = store.max_story_id().await?.map_or(0, |s| s.0 as usize);
        (n, s)
    } else {
        prepare(&args, &config).await?
    };
    let setup_secs = setup.elapsed().as_secs_f64();
    if args.prepare_only {
        println!(
            "{articles} articles in {stories} stories stored in {} in {setup_secs:.1} s",
            dir.display()
        );
        return Ok(());
    }

    let mut rebuild_secs = Vec::with_capacity(args.runs);
    let mut peak_rss_mib = 0u64;
    for _ in 0..args.runs {
        reset_peak_rss();
        let store = open_store(&config).await?;
        let started = Instant::now();
        let pipeline = Pipeline::new(config.clone(), store).await?;
        rebuild_secs.push(started.elapsed().as_secs_f64());
        peak_rss_mib = peak_rss_mib.max(peak_rss_kib().unwrap_or(0) / 1024);
        drop(pipeline);
    }
    let mut sorted = rebuild_secs.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let report = Report {
        articles,
        stories,
        peak_rss_mib,
        window_hours: args.window_hours,
        setup_secs,
        rebuild_secs,
        median_rebuild_secs: median,
        articles_per_sec: articles as f64 / median,
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} articles in {} stories over a {} h window; setup {:.1} s",
            report.articles, report.stories, report.window_hours, report.setup_secs
        );
        let runs: Vec<String> = report
            .rebuild_secs
            .iter()
            .map(|s| format!("{s:.2}"))
            .collect();
        println!(
            "start-up rebuild: {} s (median {:.2} s, {:.0} articles/s), peak RSS {} MiB",
            runs.join(" / "),
            report.median_rebuild_secs,
            report.articles_per_sec,
            report.peak_rss_mib
        );
    }
    Ok(())
}

/// Analyses, clusters and stores the stream in a fresh store under `config`;
/// returns the articles and stories stored.
async fn prepare(args: &Args, config: &Config) -> anyhow::Result<(usize, usize)> {
    let records = read_stream(&args.data, args.limit)?;
    if records.is_empty() {
        bail!("{} holds no articles", args.data.display());
    }

    // Compress the stream, in order, into the window that ends now.
    let now = Utc::now();
    let span = TimeDelta::hours(args.window_hours - 1).num_milliseconds();
    let start = now - TimeDelta::hours(args.window_hours - 1);
    let n = records.len() as i64;
    let times: Vec<DateTime<Utc>> = (0..n)
        .map(|i| start + TimeDelta::milliseconds(span * i / (n - 1).max(1)))
        .collect();

    let analyzer = Analyzer::new();
    let analyses: Vec<_> = records
        .iter()
        .map(|r| analyzer.analyze(&r.title, &r.text, Some("ar")))
        .collect();

    let store = open_store(config).await?;
    let mut sources: std::collections::BTreeMap<String, SourceId> = Default::default();
    for r in &records {
        if !sources.contains_key(&r.source) {
            let s = store
                .add_source(
                    &format!("https://{}.example/feed", r.source),
                    &r.source,
                    StdDuration::from_secs(300),
                    start,
                )
                .await?;
            sources.insert(r.source.clone(), s.id);
        }
    }

    let mut clusterer = Clusterer::new(StoryOptions {
        window: TimeDelta::hours(args.window_hours),
        ..StoryOptions::default()
    })?;
    let mut stories = std::collections::BTreeSet::new();
    for ((r, analysis), published) in records.iter().zip(&analyses).zip(&times) {
        let new = NewArticle {
            source_id: sources[&r.source],
            guid: r.id.clone(),
            url: r.url.clone(),
            canonical_url: None,
            title: r.title.clone(),
            text: r.text.clone(),
            summary: None,
            lang: analysis.lang.clone(),
            published: *published,
            fetched_at: *published,
            author: None,
            wire: None,
            section: r.category.clone(),
            content_hash: analysis.content_hash,
            analysis: serde_json::json!({
                "title_keys": analysis.title_keys,
                "keys": analysis.keys,
                "minhash": analysis.minhash,
                "minhash_version": ajil_analyze::MINHASH_VERSION,
                "keys_version": ajil_analyze::KEYS_VERSION,
            })
            .to_string(),
        };
        let Some(id) = store.insert_article(&new).await? else {
            continue;
        };
        let input = StoryInput {
            article: id,
            outlet: &r.source,
            published: *published,
            url: &r.url,
            canonical_url: None,
            title_keys: &analysis.title_keys,
            keys: &analysis.keys,
            minhash: &analysis.minhash,
            content_hash: analysis.content_hash,
            sound: &analysis.sound,
            title_sound: &analysis.title_sound,
            wire: None,
            section: new.section.as_deref(),
            statement: analysis.statement,
        };
        let a = clusterer.add(&input, *published);
        let copy_of: Option<ArticleId> = a.copy_of;
        store.set_article_story(id, a.story, copy_of).await?;
        stories.insert(a.story);
    }
    drop(store);
    let articles = records.len();
    let stories = stories.len();
    Ok((articles, stories))
}

/// Resets the kernel's peak-RSS mark of this process (Linux), so the next reading
/// covers only what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory of this process since the last reset, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
