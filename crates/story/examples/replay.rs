//! Replays the Arabic multi-outlet stream through the clusterer and reports throughput
//! and story counts; optionally writes the stories for `score-stories`.
//!
//! ```text
//! cargo run --release -p ajil-story --example replay -- [--limit N] [--from RFC3339]
//!     [--until RFC3339] [--out stories.jsonl] [--event-threshold X] [--merge-threshold X]
//!     [--half-life-hours H] [--breaking-minutes M] [--link-top K] [--max-candidates N]
//!     [--dump keys.jsonl] [--statement X] [--statement-margin X] [--statement-hours H] [--statement-settle-hours H] [--statement-size N] [--statement-outlets N] [--entity-gate X] [--incident-factor X] [--prior-docs N] [--rare-share X] [--stand-in]
//!     [--novelty-minutes M] [--burst-minutes M] [--breaking-join X] [--breaking-join-minutes M]
//!     [--sweep N]
//!     [--data PATH]
//! ```
//!
//! With no options it replays the first 3,000 articles. Analysis uses `ajil-analyze`,
//! or with `--stand-in` the small analyser of the tests (Arabic folding, light
//! stemming, 4-shingle MinHash).

#[path = "../tests/it/analyzer.rs"]
mod analyzer;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::time::{Duration, Instant};

use ajil_model::{Analysis, ArticleId, StoryId};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use chrono::{DateTime, TimeDelta, Utc};
use flate2::read::GzDecoder;

const DEFAULT_DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

struct Args {
    data: String,
    limit: usize,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    out: Option<String>,
    dump: Option<String>,
    stand_in: bool,
    opts: StoryOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: DEFAULT_DATA.to_string(),
        limit: 3000,
        from: None,
        until: None,
        out: None,
        dump: None,
        stand_in: false,
        opts: StoryOptions::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--stand-in" {
            args.stand_in = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        let time = || {
            DateTime::parse_from_rfc3339(&value)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--data" => args.data = value.clone(),
            "--limit" => args.limit = number()? as usize,
            "--from" => args.from = Some(time()?),
            "--until" => args.until = Some(time()?),
            "--out" => args.out = Some(value.clone()),
            "--dump" => args.dump = Some(value.clone()),
            "--event-threshold" => args.opts.event_threshold = number()?,
            "--merge-threshold" => args.opts.merge_threshold = number()?,
            "--sweep" => args.opts.breaking_sweep = number()? as usize,
            "--statement" => args.opts.statement_threshold = number()?,
            "--statement-margin" => args.opts.statement_margin = number()?,
            "--statement-size" => args.opts.statement_size = number()? as usize,
            "--statement-outlets" => args.opts.statement_outlets = number()? as usize,
            "--statement-settle-hours" => {
                args.opts.statement_settle = TimeDelta::minutes((number()? * 60.0) as i64)
            }
            "--statement-hours" => {
                args.opts.statement_window = TimeDelta::minutes((number()? * 60.0) as i64)
            }
            "--breaking-join" => args.opts.breaking_join_threshold = number()?,
            "--breaking-join-minutes" => {
                args.opts.breaking_join_window = TimeDelta::minutes(number()? as i64)
            }
            "--half-life-hours" => {
                args.opts.time_half_life = TimeDelta::minutes((number()? * 60.0) as i64)
            }
            "--breaking-minutes" => {
                args.opts.breaking_window = TimeDelta::minutes(number()? as i64)
            }
            "--link-top" => args.opts.link_top = number()? as usize,
            "--max-candidates" => args.opts.max_candidates = number()? as usize,
            "--entity-gate" => args.opts.entity_gate = number()?,
            "--incident-factor" => args.opts.incident_factor = number()?,
            "--prior-docs" => args.opts.prior_docs = number()?,
            "--rare-share" => args.opts.rare_share = number()?,
            "--novelty-minutes" => args.opts.novelty_window = TimeDelta::minutes(number()? as i64),
            "--burst-minutes" => args.opts.burst_window = TimeDelta::minutes(number()? as i64),
            "--core-weight" => args.opts.core_weight = number()?,
            "--attention-minutes" => {
                args.opts.attention_window = TimeDelta::minutes(number()? as i64)
            }
            "--breaking-outlets" => args.opts.breaking_outlets = number()? as usize,
            _ => {
                return Err(format!(
                    "unknown option {flag}: see the header of examples/replay.rs"
                ));
            }
        }
    }
    Ok(args)
}

struct Record {
    id: String,
    /// The section it ran in (`category`), as `ajil replay` reads it.
    category: Option<String>,
    source: String,
    url: String,
    published: DateTime<Utc>,
    analysis: Analysis,
}

fn read_stream(args: &Args) -> Result<(Vec<Record>, Duration), String> {
    let file = File::open(&args.data).map_err(|e| format!("{}: {e}", args.data))?;
    let reader = BufReader::new(GzDecoder::new(file));
    let mut records = Vec::new();
    let mut analysis_time = Duration::ZERO;
    let analyzer = ajil_analyze::Analyzer::new();
    for line in reader.lines() {
        let line = line.map_err(|e| format!("{}: {e}", args.data))?;
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
        let Ok(published) = DateTime::parse_from_rfc3339(&field("published")) else {
            continue;
        };
        let published = published.with_timezone(&Utc);
        if args.from.is_some_and(|from| published < from) {
            continue;
        }
        if args.until.is_some_and(|until| published >= until) || records.len() >= args.limit {
            break;
        }
        let started = Instant::now();
        let analysis = if args.stand_in {
            analyzer::analyze(&field("title"), &field("text"))
        } else {
            analyzer.analyze(&field("title"), &field("text"), Some("ar"))
        };
        analysis_time += started.elapsed();
        records.push(Record {
            id: field("id"),
            category: v["category"].as_str().map(String::from),
            source: field("source"),
            url: field("url"),
            published,
            analysis,
        });
    }
    // Publication order, ties by id, as `ajil replay` and the store order them (the
    // 2018 stream is in that order already).
    records.sort_by(|a, b| (a.published, &a.id).cmp(&(b.published, &b.id)));
    Ok((records, analysis_time))
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let (records, analysis_time) = match read_stream(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}: pass --data with the path of ant-multisource.jsonl.gz");
            std::process::exit(1);
        }
    };
    if let Some(path) = &args.dump {
        // Keys of every article, for studying features outside the clusterer.
        let mut out = BufWriter::new(File::create(path).expect("dump file"));
        for r in &records {
            let line = serde_json::json!({
                "id": r.id, "source": r.source, "published": r.published.to_rfc3339(),
                "title_keys": r.analysis.title_keys, "keys": r.analysis.keys,
            });
            writeln!(out, "{line}").expect("dump write");
        }
    }
    let mut clusterer = Clusterer::new(args.opts.clone()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });

    // Stories as the store would keep them: members, copies, breaking time.
    let mut members: BTreeMap<StoryId, Vec<usize>> = BTreeMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut independent = vec![false; records.len()];
    let mut breaking_at: BTreeMap<StoryId, DateTime<Utc>> = BTreeMap::new();
    let mut merges = 0usize;

    let trace = std::env::var_os("REPLAY_TRACE").is_some();
    let started = Instant::now();
    for (i, r) in records.iter().enumerate() {
        let input = StoryInput {
            article: ArticleId(i as i64),
            outlet: &r.source,
            published: r.published,
            url: &r.url,
            canonical_url: None,
            title_keys: &r.analysis.title_keys,
            keys: &r.analysis.keys,
            minhash: &r.analysis.minhash,
            content_hash: r.analysis.content_hash,
            sound: &r.analysis.sound,
            title_sound: &r.analysis.title_sound,
            wire: None,
            section: r.category.as_deref(),
            statement: r.analysis.statement,
        };
        let a = clusterer.add(&input, r.published);
        if trace {
            // One line per article, for following a story's growth by hand.
            println!(
                "trace {} {} {} story={} new={} copy={:?} indep={} merged={:?} breaking={}",
                r.id,
                r.published,
                r.source,
                a.story,
                a.new_story,
                a.copy_of.map(|c| &records[c.0 as usize].id),
                a.independent,
                a.merged,
                a.breaking.is_some()
            );
        }
        // Statement stories settled into a story that broke (never breaking
        // themselves) before this article was placed.
        for (from, into) in &a.settled {
            let moved = members.remove(from).unwrap_or_default();
            members.entry(*into).or_default().extend(moved);
        }
        for gone in &a.merged {
            merges += 1;
            let moved = members.remove(gone).unwrap_or_default();
            members.entry(a.story).or_default().extend(moved);
            if let Some(at) = breaking_at.remove(gone) {
                let kept = breaking_at.entry(a.story).or_insert(at);
                *kept = (*kept).min(at);
            }
        }
        members.entry(a.story).or_default().push(i);
        if let Some(original) = a.copy_of {
            copies.push((i, original.0 as usize));
        }
        independent[i] = a.independent;
        if let Some(b) = a.breaking {
            breaking_at.entry(a.story).or_insert(b.at);
        }
        for (other, b) in a.also_breaking {
            breaking_at.entry(other).or_insert(b.at);
        }
    }
    let clustering_time = started.elapsed();

    let multi_article = members.values().filter(|m| m.len() > 1).count();
    let outlets_of = |m: &[usize], only_independent: bool| -> BTreeSet<&str> {
        m.iter()
            .filter(|i| !only_independent || independent[**i])
            .map(|i| records[*i].source.as_str())
            .collect()
    };
    let multi_outlet = members
        .values()
        .filter(|m| outlets_of(m, true).len() > 1)
        .count();
    let largest = members.values().map(Vec::len).max().unwrap_or(0);
    let n = records.len() as f64;
    println!("articles:            {}", records.len());
    if let (Some(first), Some(last)) = (records.first(), records.last()) {
        println!(
            "span:                {} .. {}",
            first.published, last.published
        );
    }
    println!(
        "analysis:            {:.2} s, {:.0} articles/s",
        analysis_time.as_secs_f64(),
        n / analysis_time.as_secs_f64().max(1e-9)
    );
    println!(
        "clustering:          {:.2} s, {:.0} articles/s",
        clustering_time.as_secs_f64(),
        n / clustering_time.as_secs_f64().max(1e-9)
    );
    println!("stories:             {}", members.len());
    println!("  with >1 article:   {multi_article}");
    println!("  with >1 outlet:    {multi_outlet} (independent outlets)");
    println!("  largest:           {largest} articles");
    println!("  merges:            {merges}");
    println!("  breaking:          {}", breaking_at.len());
    println!("copies:              {}", copies.len());
    println!(
        "open at end:         {} stories, {} articles",
        clusterer.story_ids().count(),
        clusterer.article_count()
    );

    if let Some(path) = args.out {
        let copy_of: BTreeMap<usize, usize> = copies.iter().copied().collect();
        let write = || -> std::io::Result<()> {
            let mut out = BufWriter::new(File::create(&path)?);
            for (story, m) in &members {
                let line = serde_json::json!({
                    "story": story.to_string(),
                    "articles": m.iter().map(|i| &records[*i].id).collect::<Vec<_>>(),
                    "copies": m.iter().filter_map(|i| copy_of.get(i).map(|o| [&records[*i].id, &records[*o].id])).collect::<Vec<_>>(),
                    "outlets": outlets_of(m, false),
                    "independent_outlets": outlets_of(m, true),
                    "breaking_at": breaking_at.get(story).map(|t| t.to_rfc3339()),
                });
                writeln!(out, "{line}")?;
            }
            out.flush()
        };
        if let Err(e) = write() {
            eprintln!("error: {path}: {e}");
            std::process::exit(1);
        }
        println!("wrote {path}");
    }
}
