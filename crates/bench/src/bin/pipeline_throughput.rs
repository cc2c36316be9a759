//! Articles per second through analyze + story + match over the Arabic multi-outlet
//! stream, with thousands of stored alert queries.
//!
//! ```text
//! cargo run --release -p ajil-bench --bin pipeline_throughput -- \
//!     [--limit N] [--subscriptions N] [--seed S] [--data PATH] [--json]
//! ```
//!
//! The corpus is loaded into memory and the queries are generated before any clock
//! starts. Then each stage runs over all articles in turn and is timed on its own:
//!
//! * **analyze**: `ajil_analyze::Analyzer::analyze(title, text, Some("ar"))`;
//! * **story**: `ajil_story::Clusterer::add`, in publication order, `now` = publication time;
//! * **match**: every article against every stored query through `ajil-query`'s
//!   many-query index.
//!
//! End to end is the sum of the three. Queries are drawn with a fixed seed from the
//! vocabulary of the loaded titles, so a given `--limit`, `--subscriptions` and `--seed`
//! always yield the same queries.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Instant;

use ajil_analyze::Analyzer;
use ajil_model::{Analysis, ArticleId};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};

const DEFAULT_DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

/// Pipeline throughput over the Arabic multi-outlet stream.
#[derive(Debug, Parser)]
struct Args {
    /// Use only the first N articles (all by default).
    #[arg(long)]
    limit: Option<usize>,
    /// Number of stored queries to match every article against.
    #[arg(long, default_value_t = 10_000)]
    subscriptions: usize,
    /// Seed of the query generator.
    #[arg(long, default_value_t = 20_180_514)]
    seed: u64,
    /// The `ant-multisource.jsonl.gz` stream.
    #[arg(long, default_value = DEFAULT_DATA)]
    data: PathBuf,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Also print the first N generated queries (to stderr), to see what is matched.
    #[arg(long, value_name = "N", default_value_t = 0)]
    show_queries: usize,
    /// Also print (to stderr) the N queries that matched the most articles, and the
    /// queries that did not parse; runs an extra, untimed matching pass.
    #[arg(long, value_name = "N", default_value_t = 0)]
    top_queries: usize,
}

/// One line of the stream (fields this benchmark uses).
#[derive(Debug, Deserialize)]
struct Record {
    url: String,
    source: String,
    title: String,
    published: String,
    text: String,
}

/// An article ready for the pipeline.
struct Article {
    url: String,
    source: String,
    title: String,
    text: String,
    published: DateTime<Utc>,
}

/// Time and rate of one stage.
#[derive(Debug, Serialize)]
struct Stage {
    seconds: f64,
    articles_per_s: f64,
}

impl Stage {
    fn new(seconds: f64, articles: usize) -> Self {
        Stage {
            seconds,
            articles_per_s: articles as f64 / seconds.max(1e-12),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    articles: usize,
    skipped_bad_dates: usize,
    subscriptions: usize,
    queries_rejected: usize,
    query_compile_s: f64,
    analyze: Stage,
    story: Stage,
    r#match: Stage,
    end_to_end: Stage,
    stories: usize,
    stories_created: usize,
    merges: usize,
    copies: usize,
    breaking: usize,
    matches: u64,
    matches_per_article: f64,
    articles_with_match: usize,
    rss_after_load_mb: f64,
    rss_after_analyze_mb: f64,
    rss_after_story_mb: f64,
    peak_rss_mb: f64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (articles, skipped_bad_dates) = load(&args)?;
    if articles.is_empty() {
        bail!("no articles loaded from {}", args.data.display());
    }
    let too_common = common_keys(&articles);
    let query_texts = queries::generate(
        articles.iter().map(|a| a.title.as_str()),
        args.subscriptions,
        args.seed,
        &|word: &str| {
            let keys = ajil_analyze::match_keys(word, None);
            !keys.is_empty() && keys.iter().all(|k| !too_common.contains(k))
        },
    );
    for q in query_texts.iter().take(args.show_queries) {
        eprintln!("{q}");
    }
    let rss_after_load_mb = rss_mb("VmRSS:");
    let n = articles.len();

    // Stage 1: analyze.
    let analyzer = Analyzer::new();
    let started = Instant::now();
    let analyses: Vec<Analysis> = articles
        .iter()
        .map(|a| analyzer.analyze(&a.title, &a.text, Some("ar")))
        .collect();
    let analyze = Stage::new(started.elapsed().as_secs_f64(), n);
    // Holding every analysis at once is this benchmark's doing (stages run one after
    // the other), not the service's; the RSS steps show what each part costs.
    let rss_after_analyze_mb = rss_mb("VmRSS:");

    // Stage 2: story.
    let mut clusterer = Clusterer::new(StoryOptions::default())?;
    let (mut created, mut merges, mut copies, mut breaking) = (0, 0, 0, 0);
    let started = Instant::now();
    for (i, (a, an)) in articles.iter().zip(&analyses).enumerate() {
        let input = StoryInput {
            article: ArticleId(i as i64),
            outlet: &a.source,
            published: a.published,
            url: &a.url,
            canonical_url: None,
            title_keys: &an.title_keys,
            keys: &an.keys,
            minhash: &an.minhash,
            content_hash: an.content_hash,
            sound: &an.sound,
            title_sound: &an.title_sound,
            wire: None,
            section: None,
            statement: an.statement,
        };
        let got = clusterer.add(&input, a.published);
        created += usize::from(got.new_story);
        merges += got.merged.len();
        copies += usize::from(got.copy_of.is_some());
        breaking += usize::from(got.breaking.is_some());
    }
    let story = Stage::new(started.elapsed().as_secs_f64(), n);
    let rss_after_story_mb = rss_mb("VmRSS:");

    // Stage 3: match.
    let started = Instant::now();
    let matcher = matching::Matcher::compile(&query_texts);
    let query_compile_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut matches = 0u64;
    let mut articles_with_match = 0;
    for (a, an) in articles.iter().zip(&analyses) {
        let hits = matcher.count(&a.title, &a.text, &an.lang, &a.source);
        matches += hits as u64;
        articles_with_match += usize::from(hits > 0);
    }
    let r#match = Stage::new(started.elapsed().as_secs_f64(), n);

    if args.top_queries > 0 {
        let mut hits = vec![0usize; query_texts.len()];
        for (a, an) in articles.iter().zip(&analyses) {
            for id in matcher.matching(&a.title, &a.text, &an.lang, &a.source) {
                hits[id as usize] += 1;
            }
        }
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
        for &i in order.iter().take(args.top_queries) {
            eprintln!("{:>7}  {}", hits[i], query_texts[i]);
        }
        for q in &matcher.rejected_queries {
            eprintln!("rejected: {q}");
        }
    }

    let end_to_end = Stage::new(analyze.seconds + story.seconds + r#match.seconds, n);
    let report = Report {
        articles: n,
        skipped_bad_dates,
        subscriptions: query_texts.len(),
        queries_rejected: matcher.rejected,
        query_compile_s,
        analyze,
        story,
        r#match,
        end_to_end,
        stories: created - merges,
        stories_created: created,
        merges,
        copies,
        breaking,
        matches,
        matches_per_article: matches as f64 / n as f64,
        articles_with_match,
        rss_after_load_mb,
        rss_after_analyze_mb,
        rss_after_story_mb,
        peak_rss_mb: rss_mb("VmHWM:"),
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn load(args: &Args) -> anyhow::Result<(Vec<Article>, usize)> {
    let file = File::open(&args.data).with_context(|| {
        format!(
            "cannot open {}: pass --data with the path of ant-multisource.jsonl.gz",
            args.data.display()
        )
    })?;
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut articles = Vec::new();
    let mut skipped = 0;
    for (n, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        if articles.len() >= limit {
            break;
        }
        let line = line.with_context(|| format!("{} line {}", args.data.display(), n + 1))?;
        let r: Record = serde_json::from_str(&line)
            .with_context(|| format!("{} line {} is not a record", args.data.display(), n + 1))?;
        let Ok(published) = DateTime::parse_from_rfc3339(&r.published) else {
            skipped += 1;
            continue;
        };
        articles.push(Article {
            url: r.url,
            source: r.source,
            title: r.title,
            text: r.text,
            published: published.with_timezone(&Utc),
        });
    }
    Ok((articles, skipped))
}

/// Keys found in more than [`COMMON_SHARE`] of a sample of article bodies.
///
/// Title words are a poor guide to what is common: after folding and stemming, "عليها"
/// and "إلي" key like the prepositions on every line of every body, and an alert on them
/// would fire on nearly every article. Nobody keeps such an alert, so the generator
/// leaves these words out.
fn common_keys(articles: &[Article]) -> HashSet<String> {
    /// Every n-th article is sampled, up to this many.
    const SAMPLE: usize = 2_000;
    let step = articles.len().div_ceil(SAMPLE).max(1);
    let mut df: HashMap<String, usize> = HashMap::new();
    let mut sampled = 0usize;
    for a in articles.iter().step_by(step) {
        sampled += 1;
        let mut keys = ajil_analyze::match_keys(&a.title, None);
        keys.extend(ajil_analyze::match_keys(&a.text, None));
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *df.entry(k).or_default() += 1;
        }
    }
    let limit = (sampled as f64 * COMMON_SHARE).ceil() as usize;
    df.into_iter()
        .filter(|(_, n)| *n > limit)
        .map(|(k, _)| k)
        .collect()
}

/// Share of articles above which a key counts as too common to alert on: a query
/// matching one article in fifty already fires twenty times a day at 1,000 articles a day.
const COMMON_SHARE: f64 = 0.02;

/// A `kB` field of `/proc/self/status` in MiB (`VmHWM:` is the peak resident set,
/// `VmRSS:` the current one); 0 where there is no procfs.
fn rss_mb(field: &str) -> f64 {
    let kb = || -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line[field.len()..].split_whitespace().next()?.parse().ok()
    };
    kb().unwrap_or(0) as f64 / 1024.0
}

fn print_table(r: &Report) {
    println!(
        "articles {}  (skipped, bad date: {})  subscriptions {}  (rejected: {})",
        r.articles, r.skipped_bad_dates, r.subscriptions, r.queries_rejected
    );
    println!("query compile: {:.3} s", r.query_compile_s);
    println!("{:<12} {:>10} {:>14}", "stage", "seconds", "articles/s");
    for (name, s) in [
        ("analyze", &r.analyze),
        ("story", &r.story),
        ("match", &r.r#match),
        ("end-to-end", &r.end_to_end),
    ] {
        println!("{name:<12} {:>10.3} {:>14.0}", s.seconds, s.articles_per_s);
    }
    println!(
        "stories {}  (created {}, merges {}, copies {}, turned breaking {})",
        r.stories, r.stories_created, r.merges, r.copies, r.breaking
    );
    println!(
        "matches {}  per article {:.2}  articles with a match {} ({:.1}%)",
        r.matches,
        r.matches_per_article,
        r.articles_with_match,
        100.0 * r.articles_with_match as f64 / r.articles as f64
    );
    println!(
        "rss (MiB): after load {:.0}, after analyze {:.0}, after story {:.0}, peak {:.0}",
        r.rss_after_load_mb, r.rss_after_analyze_mb, r.rss_after_story_mb, r.peak_rss_mb
    );
}

/// Deterministic alert queries drawn from the vocabulary of article titles.
mod queries {
    use super::HashMap;
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    /// Queries draw from this many of the most frequent title words that `keep`
    /// accepts: names, places and topics common enough to appear in several titles.
    const POOL: usize = 6_000;

    /// `count` query strings drawn with `seed` from the words of `titles`.
    ///
    /// The mix: one word (35%), two or three words from one title (25% and 10%), a
    /// quoted two-word phrase from a real title (12%), `a OR b` (10%), a word with an
    /// `-exclusion` (8%); a tenth of all queries also carry `lang:ar`.
    pub fn generate<'a>(
        titles: impl Iterator<Item = &'a str>,
        count: usize,
        seed: u64,
        keep: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let titles: Vec<Vec<&str>> = titles.map(words).filter(|w| !w.is_empty()).collect();
        let mut freq: HashMap<&str, usize> = HashMap::new();
        for t in &titles {
            for w in t {
                *freq.entry(w).or_default() += 1;
            }
        }
        // Ties broken by the word so the ranking never depends on hash order.
        let mut ranked: Vec<(&str, usize)> = freq.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let pool: Vec<&str> = ranked
            .iter()
            .filter(|(w, _)| keep(w))
            .take(POOL)
            .map(|(w, _)| *w)
            .collect();
        if pool.len() < 2 {
            return Vec::new();
        }
        let pooled: std::collections::HashSet<&str> = pool.iter().copied().collect();

        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let pick = |rng: &mut StdRng| pool[rng.gen_range(0..pool.len())];
            let roll = rng.gen_range(0..100);
            let mut q = match roll {
                0..35 => pick(&mut rng).to_string(),
                35..60 => match cooccurring(&titles, &pooled, 2, &mut rng) {
                    Some(q) => q,
                    None => continue,
                },
                60..70 => match cooccurring(&titles, &pooled, 3, &mut rng) {
                    Some(q) => q,
                    None => continue,
                },
                70..82 => match phrase(&titles, &pooled, &mut rng) {
                    Some(p) => p,
                    None => continue,
                },
                82..92 => format!("{} OR {}", pick(&mut rng), pick(&mut rng)),
                _ => format!("{} -{}", pick(&mut rng), pick(&mut rng)),
            };
            if rng.gen_ratio(1, 10) {
                // Filters apply to the whole query, so an OR takes parentheses first.
                if q.contains(" OR ") {
                    q = format!("({q})");
                }
                q.push_str(" lang:ar");
            }
            out.push(q);
        }
        out
    }

    /// `n` distinct pool words of one random title, in title order: people set alerts
    /// on words that go together ("ترامب كوريا"), and two random words would almost
    /// never meet in one article.
    fn cooccurring(
        titles: &[Vec<&str>],
        pooled: &std::collections::HashSet<&str>,
        n: usize,
        rng: &mut StdRng,
    ) -> Option<String> {
        let title = titles.choose(rng)?;
        let mut candidates: Vec<&str> = Vec::new();
        for w in title {
            if pooled.contains(w) && !candidates.contains(w) {
                candidates.push(w);
            }
        }
        if candidates.len() < n {
            return None;
        }
        let mut chosen = rand::seq::index::sample(rng, candidates.len(), n).into_vec();
        chosen.sort_unstable();
        Some(
            chosen
                .iter()
                .map(|&i| candidates[i])
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// Two adjacent words of a random title, both in the pool, quoted.
    fn phrase(
        titles: &[Vec<&str>],
        pooled: &std::collections::HashSet<&str>,
        rng: &mut StdRng,
    ) -> Option<String> {
        let title = titles.choose(rng)?;
        let pairs: Vec<(&str, &str)> = title
            .windows(2)
            .filter(|w| pooled.contains(w[0]) && pooled.contains(w[1]))
            .map(|w| (w[0], w[1]))
            .collect();
        let (a, b) = pairs.choose(rng)?;
        Some(format!("\"{a} {b}\""))
    }

    /// The words of a title: runs of letters and digits of two characters or more
    /// (punctuation would otherwise leak query syntax such as quotes into a query).
    fn words(title: &str) -> Vec<&str> {
        title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2)
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const TITLES: &[&str] = &[
            "لافروف في إسطنبول للقاء نظيره التركي",
            "قمة في إسطنبول بين روسيا وتركيا",
            "مقتل متظاهرين على حدود غزة",
            "غزة: مسيرة العودة تدخل أسبوعها السابع",
            "الرئيس الفرنسي يزور الجزائر",
            "\"عاجل\" انفجار في بيروت",
        ];

        #[test]
        fn same_seed_same_queries_other_seed_other_queries() {
            let a = generate(TITLES.iter().copied(), 200, 7, &|_| true);
            let b = generate(TITLES.iter().copied(), 200, 7, &|_| true);
            let c = generate(TITLES.iter().copied(), 200, 8, &|_| true);
            assert_eq!(a.len(), 200);
            assert_eq!(a, b);
            assert_ne!(a, c);
        }

        #[test]
        fn queries_use_title_words_and_every_operator() {
            let qs = generate(TITLES.iter().copied(), 500, 1, &|w| w != "في");
            let vocab: Vec<&str> = TITLES.iter().flat_map(|t| words(t)).collect();
            for q in &qs {
                for w in q.split([' ', '"', '-', '(', ')']).filter(|w| !w.is_empty()) {
                    assert_ne!(w, "في", "{q:?} uses a word `keep` refused");
                    assert!(
                        w == "OR" || w == "lang:ar" || vocab.contains(&w),
                        "{w:?} in {q:?} is not a title word"
                    );
                }
            }
            assert!(qs.iter().any(|q| q.contains(" OR ")));
            assert!(qs.iter().any(|q| q.contains(" -")));
            assert!(qs.iter().any(|q| q.starts_with('"')));
            assert!(qs.iter().any(|q| q.ends_with("lang:ar")));
            assert!(
                qs.iter()
                    .any(|q| q.starts_with('(') && q.ends_with(") lang:ar"))
            );
        }

        #[test]
        fn words_drop_punctuation_and_single_letters() {
            assert_eq!(
                words("\"عاجل\" انفجار، في بيروت و"),
                ["عاجل", "انفجار", "في", "بيروت"]
            );
        }
    }
}

/// The match stage: every stored query in one `ajil_query::QuerySet`, which looks up
/// only the queries whose required keys occur in the article.
mod matching {
    use ajil_query::{DocIndex, Query, QuerySet};

    /// Stored queries compiled for matching many at once.
    pub struct Matcher {
        set: QuerySet<u32>,
        /// Queries that did not parse.
        pub rejected: usize,
        /// The texts of the rejected queries.
        pub rejected_queries: Vec<String>,
    }

    impl Matcher {
        /// Parses every query and compiles it with the keying the articles got, as the
        /// service does.
        pub fn compile(queries: &[String]) -> Self {
            let keys = |text: &str| ajil_analyze::match_keys(text, None);
            let mut set = QuerySet::new();
            let mut rejected_queries = Vec::new();
            for (id, text) in queries.iter().enumerate() {
                match Query::parse(text) {
                    Ok(q) => set.insert(id as u32, q.compile(&keys)),
                    Err(_) => rejected_queries.push(text.clone()),
                }
            }
            Matcher {
                set,
                rejected: rejected_queries.len(),
                rejected_queries,
            }
        }

        /// Number of queries matching the article; keying its text with match keys
        /// and indexing them is part of the work, as in the pipeline.
        pub fn count(&self, title: &str, text: &str, lang: &str, source: &str) -> usize {
            self.matching(title, text, lang, source).len()
        }

        /// Ids (positions in the generated list) of the queries matching the article.
        pub fn matching(&self, title: &str, text: &str, lang: &str, source: &str) -> Vec<u32> {
            let keys = ajil_analyze::article_match_keys(&format!("{title}\n{text}"), Some(lang));
            let index = DocIndex::with_variants(&keys.keys, &keys.variants);
            self.set.matching(&index, lang, source)
        }
    }
}
