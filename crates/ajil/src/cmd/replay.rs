//! `ajil replay`: a recorded stream through analyze → story → breaking on a
//! simulated clock, one JSON line per story.
//!
//! Articles are replayed in publication order, ties by id ([`Article::replay_order`],
//! the order the store reads a window back in), so a file's order of the articles
//! published in one second does not change the stories. A stream in that order, or
//! nearly (no article more than `--lateness` behind the latest before it, as a
//! recording of feeds polled in turn is), is replayed as it is read, a block at a
//! time, late articles put in place by a [`Reorder`], so its texts are never all in
//! memory; any other is read whole and ordered first. Either way the stories are the
//! same. Each article goes through the same code the live pipeline runs:
//! [`ajil_analyze::Analyzer::analyze`] then [`ajil_story::Clusterer::add`], with
//! each article's publication time as the clock. Analysis is independent per
//! article, so worker threads run it ahead of the one sequential clusterer;
//! results are put back in stream order before clustering, so the output is
//! the same whatever the thread count.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use ajil_model::{Analysis, ArticleId, StoryId};
use ajil_story::eval::{self, EventLabels, Score, ScoredStory};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeDelta, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::cli::ReplayArgs;

/// One recorded article as read from the stream.
#[derive(Debug, Deserialize)]
struct Record {
    /// Echoed back as given (string or number).
    id: serde_json::Value,
    #[serde(default)]
    url: String,
    #[serde(default)]
    source: String,
    #[serde(default, deserialize_with = "utf8")]
    title: String,
    published: String,
    #[serde(default, deserialize_with = "utf8")]
    text: String,
    #[serde(default, deserialize_with = "utf8_opt")]
    summary: Option<String>,
    /// The section (feed category) the article ran in, such as "sport".
    #[serde(default, deserialize_with = "utf8_opt")]
    category: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// A JSON string whose UTF-8 is checked by simdutf8: serde_json's own check of
/// the long Arabic texts was a twentieth of a replay, simdutf8's a fraction of it.
struct Utf8(String);

impl<'de> Deserialize<'de> for Utf8 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Utf8;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Utf8, E> {
                Ok(Utf8(v.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Utf8, E> {
                Ok(Utf8(v))
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Utf8, E> {
                simdutf8::basic::from_utf8(v)
                    .map(|s| Utf8(s.to_owned()))
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
            }

            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Utf8, E> {
                String::from_utf8(v).map(Utf8).map_err(|e| {
                    E::invalid_value(serde::de::Unexpected::Bytes(e.as_bytes()), &self)
                })
            }
        }
        // serde_json hands a string over as bytes, unchecked, when asked for bytes.
        d.deserialize_bytes(Visitor)
    }
}

fn utf8<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Utf8::deserialize(d).map(|s| s.0)
}

fn utf8_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Utf8>::deserialize(d).map(|s| s.map(|s| s.0))
}

/// A record with its parsed time.
struct Article {
    record: Record,
    published: DateTime<Utc>,
}

impl Article {
    /// The article without its texts, which analysis is done with: what waits in a
    /// [`Reorder`] is then small.
    fn without_texts(mut self) -> Self {
        self.record.title = String::new();
        self.record.text = String::new();
        self.record.summary = None;
        self
    }

    /// The order of a replay: publication time, then id, as the store reads a window
    /// back, so that the stories depend on the articles and not on how a file orders
    /// those published at the same second (a tenth of the 2018 stream shares its
    /// second with another article). Numeric ids compare by value and come before
    /// string ids.
    fn replay_order(&self, other: &Article) -> std::cmp::Ordering {
        self.published
            .cmp(&other.published)
            .then_with(|| id_order(&self.record.id, &other.record.id))
    }
}

/// See [`Article::replay_order`].
fn id_order(a: &serde_json::Value, b: &serde_json::Value) -> std::cmp::Ordering {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x
                .as_f64()
                .unwrap_or(f64::NAN)
                .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
        },
        (Value::Number(_), _) => std::cmp::Ordering::Less,
        (_, Value::Number(_)) => std::cmp::Ordering::Greater,
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => id_text(a).cmp(&id_text(b)),
    }
}

/// How a stream is read as it comes: whether lines that are not articles are skipped
/// (`--skip-invalid`) and how late an article may come (`--lateness`).
#[derive(Debug, Clone, Copy)]
struct Rules {
    skip_invalid: bool,
    lateness: TimeDelta,
}

/// Puts a stream that is nearly in [`Article::replay_order`] into it, as a recording
/// of several feeds is (each polled in turn, so items reach it minutes apart from their
/// publication): an article waits until none still to come could precede it, which
/// holds as long as none arrives more than `lateness` behind the latest publication
/// time seen ([`Reorder::accepts`]; a stream that breaks that is ordered whole
/// instead). Holds about `lateness` worth of articles.
struct Reorder {
    lateness: TimeDelta,
    latest: Option<DateTime<Utc>>,
    pending: std::collections::BinaryHeap<std::cmp::Reverse<Pending>>,
    arrived: u64,
}

/// An analysed article waiting in a [`Reorder`].
struct Pending {
    article: Article,
    analysis: Analysis,
    /// Arrival number: repeats of one id and time keep the stream's order.
    arrived: u64,
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.article
            .replay_order(&other.article)
            .then(self.arrived.cmp(&other.arrived))
    }
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Pending {}

impl Reorder {
    fn new(lateness: TimeDelta) -> Self {
        Reorder {
            lateness,
            latest: None,
            pending: std::collections::BinaryHeap::new(),
            arrived: 0,
        }
    }

    /// Whether an article published at `published`, arriving after those published up
    /// to `latest`, can still be put in order (the same test on the parsing side,
    /// which keeps its own `latest`).
    fn accepts(
        lateness: TimeDelta,
        latest: Option<DateTime<Utc>>,
        published: DateTime<Utc>,
    ) -> bool {
        latest.is_none_or(|latest| published >= latest - lateness)
    }

    /// Takes the next article of the stream (one [`Reorder::accepts`]) and hands
    /// `place` every article that can no longer be preceded, in order.
    fn push(
        &mut self,
        article: Article,
        analysis: Analysis,
        mut place: impl FnMut(&Article, &Analysis),
    ) {
        let latest = self
            .latest
            .map_or(article.published, |l| l.max(article.published));
        self.latest = Some(latest);
        self.arrived += 1;
        self.pending.push(std::cmp::Reverse(Pending {
            article,
            analysis,
            arrived: self.arrived,
        }));
        // Anything still to come is published at `latest - lateness` or later.
        let settled = latest - self.lateness;
        while let Some(std::cmp::Reverse(first)) = self.pending.peek()
            && first.article.published < settled
        {
            if let Some(std::cmp::Reverse(first)) = self.pending.pop() {
                place(&first.article, &first.analysis);
            }
        }
    }

    /// Hands `place` the articles still waiting, in order: the stream has ended.
    fn finish(&mut self, mut place: impl FnMut(&Article, &Analysis)) {
        while let Some(std::cmp::Reverse(first)) = self.pending.pop() {
            place(&first.article, &first.analysis);
        }
    }
}

/// What the output needs of an article once its text is gone.
struct Kept {
    id: serde_json::Value,
    source: String,
    published: DateTime<Utc>,
}

/// One output line.
#[derive(Debug, Serialize)]
struct StoryLine<'a> {
    story: i64,
    articles: Vec<&'a serde_json::Value>,
    copies: Vec<[&'a serde_json::Value; 2]>,
    outlets: BTreeSet<&'a str>,
    independent_outlets: BTreeSet<&'a str>,
    breaking_at: Option<String>,
}

/// A labels file: events with their articles.
#[derive(Debug, Deserialize)]
struct LabelFile {
    events: Vec<LabelledEvent>,
}

#[derive(Debug, Deserialize)]
struct LabelledEvent {
    id: serde_json::Value,
    docnos: Vec<serde_json::Value>,
    #[serde(default)]
    breaking: bool,
}

/// An id as text: a JSON string as it is, a number as written.
fn id_text(id: &serde_json::Value) -> String {
    match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the clusterer said about one article, kept for the output.
#[derive(Debug, Default, Clone)]
struct Placed {
    copy_of: Option<usize>,
    independent: bool,
}

/// The clusterer and what the output needs, fed one analysed article at a time in
/// publication order.
struct Replay {
    clusterer: Clusterer,
    members: BTreeMap<StoryId, Vec<usize>>,
    breaking_at: BTreeMap<StoryId, DateTime<Utc>>,
    placed: Vec<Placed>,
    kept: Vec<Kept>,
    /// The ids placed so far, as JSON text (so `1` and `"1"` stay apart).
    ids: HashSet<String>,
    /// Articles left out for repeating the id of one placed before.
    repeated: usize,
    /// The first few repeated ids.
    first_repeated: Vec<String>,
}

impl Replay {
    fn new() -> Result<Self> {
        Ok(Replay {
            clusterer: Clusterer::new(StoryOptions::default()).context("story options")?,
            members: BTreeMap::new(),
            breaking_at: BTreeMap::new(),
            placed: Vec::new(),
            kept: Vec::new(),
            ids: HashSet::new(),
            repeated: 0,
            first_repeated: Vec::new(),
        })
    }

    /// Places the next article of the stream, unless its id is one already placed: a
    /// recorder that restarted writes some articles twice, and an article is one
    /// report however often it was recorded (the first one placed stays).
    fn add(&mut self, a: &Article, analysis: &Analysis) {
        if !self.ids.insert(a.record.id.to_string()) {
            self.repeated += 1;
            if self.first_repeated.len() < Skipped::NAMED {
                self.first_repeated.push(id_text(&a.record.id));
            }
            return;
        }
        let i = self.kept.len();
        let input = StoryInput {
            article: ArticleId(i as i64),
            outlet: &a.record.source,
            published: a.published,
            url: &a.record.url,
            canonical_url: None,
            title_keys: &analysis.title_keys,
            keys: &analysis.keys,
            minhash: &analysis.minhash,
            content_hash: analysis.content_hash,
            sound: &analysis.sound,
            title_sound: &analysis.title_sound,
            wire: None,
            section: a.record.category.as_deref(),
            statement: analysis.statement,
        };
        let assignment = self.clusterer.add(&input, a.published);
        // Statement stories settled into a story that broke (never breaking
        // themselves) before this article was placed.
        for (from, into) in &assignment.settled {
            let moved = self.members.remove(from).unwrap_or_default();
            self.members.entry(*into).or_default().extend(moved);
        }
        for gone in &assignment.merged {
            let moved = self.members.remove(gone).unwrap_or_default();
            self.members
                .entry(assignment.story)
                .or_default()
                .extend(moved);
            if let Some(at) = self.breaking_at.remove(gone) {
                let kept = self.breaking_at.entry(assignment.story).or_insert(at);
                *kept = (*kept).min(at);
            }
        }
        self.members.entry(assignment.story).or_default().push(i);
        self.placed.push(Placed {
            copy_of: assignment.copy_of.map(|id| id.0 as usize),
            independent: assignment.independent,
        });
        self.kept.push(Kept {
            id: a.record.id.clone(),
            source: a.record.source.clone(),
            published: a.published,
        });
        if let Some(b) = assignment.breaking {
            self.breaking_at.entry(assignment.story).or_insert(b.at);
        }
        for (other, b) in &assignment.also_breaking {
            self.breaking_at.entry(*other).or_insert(b.at);
        }
    }

    /// The stories scored against the labelled events in `path`.
    fn score(&self, path: &std::path::Path) -> Result<Score> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the labels {}", path.display()))?;
        let file: LabelFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a labels file: expected {{\"events\": [{{\"id\", \"docnos\", \"breaking\"}}]}}",
                path.display()
            )
        })?;
        let labels = EventLabels::new(file.events.into_iter().map(|e| {
            let docs = e.docnos.iter().map(id_text).collect::<Vec<_>>();
            (id_text(&e.id), docs, e.breaking)
        }))
        .with_context(|| format!("in {}", path.display()))?;
        let ids: Vec<String> = self.kept.iter().map(|k| id_text(&k.id)).collect();
        let by_id: HashMap<&str, &Kept> = ids.iter().map(String::as_str).zip(&self.kept).collect();
        let stories: Vec<ScoredStory> = self
            .members
            .iter()
            .map(|(story, docs)| ScoredStory {
                articles: docs.iter().map(|&i| ids[i].as_str()).collect(),
                breaking_at: self.breaking_at.get(story).copied(),
            })
            .collect();
        Ok(eval::score(&labels, &stories, |id| {
            by_id.get(id).map(|k| (k.source.clone(), k.published))
        }))
    }

    /// Writes one JSON line per story to `path`.
    fn write(&self, path: &std::path::Path) -> Result<()> {
        let out = File::create(path).with_context(|| {
            format!(
                "cannot create {}: check that its folder exists and is writable",
                path.display()
            )
        })?;
        let mut out = BufWriter::new(out);
        let kept = &self.kept;
        for (story, docs) in &self.members {
            let mut docs = docs.clone();
            docs.sort_unstable();
            let line = StoryLine {
                story: story.0,
                articles: docs.iter().map(|&i| &kept[i].id).collect(),
                copies: docs
                    .iter()
                    .filter_map(|&i| self.placed[i].copy_of.map(|o| [&kept[i].id, &kept[o].id]))
                    .collect(),
                outlets: docs.iter().map(|&i| kept[i].source.as_str()).collect(),
                independent_outlets: docs
                    .iter()
                    .filter(|&&i| self.placed[i].independent)
                    .map(|&i| kept[i].source.as_str())
                    .collect(),
                breaking_at: self
                    .breaking_at
                    .get(story)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        }
        out.flush()
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Replays `args.file` and writes the stories to `args.out`.
///
/// A stream already in publication order (as recordings are) is replayed as it is
/// read, a block at a time, so its texts are never all held at once. The first
/// article out of order stops that: the stream is then read whole, ordered, and
/// replayed from the start.
pub fn run(args: &ReplayArgs) -> Result<()> {
    let started = Instant::now();
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let default_lang = args.lang.as_deref();
    let terminal = std::io::stderr().is_terminal();

    let (replay, skipped, in_file_order) = match replay_in_file_order(args, threads, terminal)? {
        Some((replay, skipped)) => (replay, skipped, true),
        None => {
            if !args.json {
                eprintln!(
                    "note: {} has an article more than {} minutes behind one before it: \
                     reading it whole and ordering it first (--lateness sets how late is \
                     put in order as read)",
                    args.file.display(),
                    args.lateness
                );
            }
            let (articles, skipped) = read_sorted(&args.file, threads, args.skip_invalid)?;
            let progress = bar(
                terminal,
                articles.len() as u64,
                "{bar:40} {pos}/{len} articles, {per_sec}, eta {eta}",
            );
            let mut replay = Replay::new()?;
            analyze_in_order(&articles, threads, default_lang, |i, analysis| {
                replay.add(&articles[i], &analysis);
                progress.inc(1);
            })?;
            progress.finish_and_clear();
            (replay, skipped, false)
        }
    };
    let lines = |n: usize| {
        if n == 1 {
            "1 line".to_string()
        } else {
            format!("{n} lines")
        }
    };
    if skipped.bad_time > 0 {
        eprintln!(
            "warning: skipped {} whose published time is not RFC 3339",
            lines(skipped.bad_time)
        );
    }
    if let Some(cut) = &skipped.cut_short {
        eprintln!("warning: {cut}");
    }
    if replay.repeated > 0 {
        eprintln!(
            "warning: left out {} repeating the id of an earlier article (the first one \
             placed stays): {}{}",
            lines(replay.repeated),
            replay.first_repeated.join(", "),
            if replay.repeated > replay.first_repeated.len() {
                ", …"
            } else {
                ""
            }
        );
    }
    if skipped.invalid > 0 {
        eprintln!(
            "warning: skipped {} that {} (--skip-invalid): {}{}",
            lines(skipped.invalid),
            if skipped.invalid == 1 {
                "is not an article object"
            } else {
                "are not article objects"
            },
            skipped.first_invalid.join("; "),
            if skipped.invalid > skipped.first_invalid.len() {
                "; …"
            } else {
                ""
            }
        );
    }
    if replay.kept.is_empty() {
        bail!(
            "{} holds no article with a valid published time: check that it is a JSON lines stream",
            args.file.display()
        );
    }
    replay.write(&args.out)?;
    // Timed before scoring: the throughput is the replay's.
    let seconds = started.elapsed().as_secs_f64();
    let scores = args
        .labels
        .iter()
        .map(|path| Ok((path, replay.score(path)?)))
        .collect::<Result<Vec<_>>>()?;
    let n = replay.kept.len();
    let per_second = n as f64 / seconds.max(1e-9);
    if args.json {
        let summary = serde_json::json!({
            "articles": n,
            "stories": replay.members.len(),
            "breaking": replay.breaking_at.len(),
            "skipped_lines": skipped.bad_time,
            "invalid_lines": skipped.invalid,
            "first_invalid": skipped.first_invalid,
            "cut_short": skipped.cut_short,
            "repeated_ids": replay.repeated,
            "seconds": seconds,
            "articles_per_second": per_second,
            "threads": threads,
            "in_file_order": in_file_order,
            "out": args.out,
            "labels": scores
                .iter()
                .map(|(path, score)| serde_json::json!({ "file": path, "score": score }))
                .collect::<Vec<_>>(),
        });
        println!("{summary}");
        return Ok(());
    }
    let threads = if threads == 1 {
        "1 thread".to_string()
    } else {
        format!("{threads} threads")
    };
    let ordered = if in_file_order {
        "as read"
    } else {
        "after ordering it by publication time"
    };
    println!(
        "{n} articles into {} stories ({} breaking) in {seconds:.2} s: {per_second:.0} articles/s \
         (read, analysed on {threads} and clustered {ordered})",
        replay.members.len(),
        replay.breaking_at.len(),
    );
    println!("wrote {}", args.out.display());
    if !scores.is_empty() {
        print_scores(&scores);
    }
    Ok(())
}

/// One row per labels file, then the mean of the clustering measures.
fn print_scores(scores: &[(&PathBuf, Score)]) {
    println!(
        "{:<28}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9}",
        "labels", "articles", "pair F1", "B3 P", "B3 R", "B3 F1", "breaking", "brk P", "lat min"
    );
    for (path, s) in scores {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let (hit, precision, latency) = match &s.breaking {
            Some(b) => (
                format!("{}/{}", (b.recall * b.labelled as f64).round(), b.labelled),
                b.precision.map_or("-".to_string(), |p| format!("{p:.2}")),
                b.latency_min_median
                    .map_or("-".to_string(), |l| format!("{l:.1}")),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{name:<28}{:>9}{:>9.4}{:>9.4}{:>9.4}{:>9.4}{hit:>9}{precision:>9}{latency:>9}",
            s.articles, s.pairwise.f1, s.bcubed.precision, s.bcubed.recall, s.bcubed.f1
        );
    }
    if scores.len() > 1 {
        let mean = |f: fn(&Score) -> f64| {
            scores.iter().map(|(_, s)| f(s)).sum::<f64>() / scores.len() as f64
        };
        println!(
            "{:<28}{:>9}{:>9.4}{:>9.4}{:>9.4}{:>9.4}",
            "mean",
            "",
            mean(|s| s.pairwise.f1),
            mean(|s| s.bcubed.precision),
            mean(|s| s.bcubed.recall),
            mean(|s| s.bcubed.f1)
        );
    }
}

/// A progress bar on a terminal, hidden elsewhere.
fn bar(terminal: bool, len: u64, template: &str) -> ProgressBar {
    if !terminal {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Lines of a stream left out of the replay.
#[derive(Debug, Default, Clone, PartialEq)]
struct Skipped {
    /// Articles whose published time is not RFC 3339.
    bad_time: usize,
    /// Lines that are not article objects, skipped under `--skip-invalid`.
    invalid: usize,
    /// What was wrong with the first few of those, each naming its line.
    first_invalid: Vec<String>,
    /// Why the stream ended early under `--skip-invalid` (a compressed stream cut
    /// short, a read error): the lines before it were replayed.
    cut_short: Option<String>,
}

impl Skipped {
    /// How many invalid lines are named in the summary.
    const NAMED: usize = 5;

    fn add(&mut self, other: Skipped) {
        self.bad_time += other.bad_time;
        self.invalid += other.invalid;
        let room = Self::NAMED.saturating_sub(self.first_invalid.len());
        self.first_invalid
            .extend(other.first_invalid.into_iter().take(room));
        self.cut_short = self.cut_short.take().or(other.cut_short);
    }

    /// Counts a line that is not an article object, or, unless `skip_invalid`, stops
    /// the replay with what was wrong with it.
    fn invalid_line(
        &mut self,
        path: &std::path::Path,
        error: anyhow::Error,
        skip_invalid: bool,
    ) -> Result<()> {
        if !skip_invalid {
            return Err(error.context(not_a_stream(path)));
        }
        self.invalid += 1;
        if self.first_invalid.len() < Self::NAMED {
            self.first_invalid.push(format!("{error:#}"));
        }
        Ok(())
    }
}

/// Replays the stream block by block as it is read; `None` as soon as an article comes
/// before the one before it in [`Article::replay_order`] (the stream must then be
/// ordered first). Also returns
/// the lines skipped.
fn replay_in_file_order(
    args: &ReplayArgs,
    threads: usize,
    terminal: bool,
) -> Result<Option<(Replay, Skipped)>> {
    let path = &args.file;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let progress = bar(
        terminal,
        size,
        "{bar:40} {bytes}/{total_bytes} read, {msg}, eta {eta}",
    );
    let mut replay = Replay::new()?;
    let mut skipped = Skipped::default();
    let skip_invalid = args.skip_invalid;
    let rules = Rules {
        skip_invalid,
        lateness: TimeDelta::minutes(i64::from(args.lateness)),
    };
    let mut reorder = Reorder::new(rules.lateness);
    let report = |replay: &Replay, read: u64| {
        progress.set_position(read);
        progress.set_message(format!("{} articles", replay.kept.len()));
    };
    let in_order = if threads <= 1 {
        // Each article is clustered (or waits in the reorder buffer) as soon as it is
        // analysed.
        let analyzer = ajil_analyze::Analyzer::new();
        let (mut latest, mut articles) = (None, Vec::new());
        let mut cut_short = None;
        let in_order = for_each_block(path, 1, skip_invalid, &mut cut_short, |block, read| {
            articles.clear();
            if !parse_in_order(
                path,
                block,
                1,
                rules,
                &mut latest,
                &mut skipped,
                &mut articles,
            )? {
                return Ok(ControlFlow::Break(()));
            }
            for article in articles.drain(..) {
                let analysis = analyze_article(&analyzer, &article, args.lang.as_deref());
                reorder.push(article.without_texts(), analysis, |a, an| replay.add(a, an));
            }
            report(&replay, read);
            Ok(ControlFlow::Continue(()))
        })?;
        skipped.cut_short = cut_short;
        in_order
    } else {
        // Analysis of the next blocks runs on the other threads while this one
        // clusters: the clusterer is the one sequential part.
        std::thread::scope(|scope| -> Result<bool> {
            let (tx, rx) = mpsc::sync_channel::<Result<Option<(Vec<_>, u64)>>>(2);
            let worker = scope.spawn(move || {
                let mut latest = None;
                let mut skipped = Skipped::default();
                let workers = threads - 1;
                let mut cut_short = None;
                let outcome = for_each_block(
                    path,
                    workers,
                    skip_invalid,
                    &mut cut_short,
                    |block, read| {
                        let batch = analyzed_block(
                            path,
                            block,
                            workers,
                            args.lang.as_deref(),
                            rules,
                            &mut latest,
                            &mut skipped,
                        )?;
                        let stop = batch.is_none();
                        if tx.send(Ok(batch.map(|b| (b, read)))).is_err() || stop {
                            return Ok(ControlFlow::Break(()));
                        }
                        Ok(ControlFlow::Continue(()))
                    },
                );
                if let Err(e) = outcome {
                    // The receiver may be gone already; then so is the need to report.
                    let _ = tx.send(Err(e));
                }
                skipped.cut_short = cut_short;
                skipped
            });
            for message in rx {
                match message? {
                    Some((batch, read)) => {
                        for (article, analysis) in batch {
                            reorder
                                .push(article.without_texts(), analysis, |a, an| replay.add(a, an));
                        }
                        report(&replay, read);
                    }
                    None => return Ok(false),
                }
            }
            skipped.add(
                worker
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
            Ok(true)
        })?
    };
    reorder.finish(|a, an| replay.add(a, an));
    progress.finish_and_clear();
    Ok(in_order.then_some((replay, skipped)))
}

/// Parses and analyses one block on `threads` threads: its articles with their
/// analyses in stream order, or `None` if one is too late to be put in order (see
/// [`parse_in_order`]).
fn analyzed_block(
    path: &std::path::Path,
    block: &LineBlock,
    threads: usize,
    default_lang: Option<&str>,
    rules: Rules,
    latest: &mut Option<DateTime<Utc>>,
    skipped: &mut Skipped,
) -> Result<Option<Vec<(Article, Analysis)>>> {
    let mut articles = Vec::with_capacity(block.lines.len());
    if !parse_in_order(path, block, threads, rules, latest, skipped, &mut articles)? {
        return Ok(None);
    }
    let mut analyses = Vec::with_capacity(articles.len());
    analyze_in_order(&articles, threads, default_lang, |_, analysis| {
        analyses.push(analysis);
    })?;
    Ok(Some(articles.into_iter().zip(analyses).collect()))
}

/// Parses one block on `threads` threads into `out`; false if an article is published
/// more than `lateness` before the latest seen (`latest`, updated as it goes), so that
/// a [`Reorder`] cannot put it in order. Lines whose published time is not
/// RFC 3339 are counted in `skipped`, and so are lines that are not article objects
/// when `skip_invalid` (else the first one is the error).
fn parse_in_order(
    path: &std::path::Path,
    block: &LineBlock,
    threads: usize,
    rules: Rules,
    latest: &mut Option<DateTime<Utc>>,
    skipped: &mut Skipped,
    out: &mut Vec<Article>,
) -> Result<bool> {
    for parsed in parse_block(block, threads) {
        match parsed {
            Ok(Some(article)) => {
                if !Reorder::accepts(rules.lateness, *latest, article.published) {
                    return Ok(false);
                }
                *latest = Some(latest.map_or(article.published, |l| l.max(article.published)));
                out.push(article);
            }
            Ok(None) => skipped.bad_time += 1,
            Err(e) => skipped.invalid_line(path, e, rules.skip_invalid)?,
        }
    }
    Ok(true)
}

fn not_a_stream(path: &std::path::Path) -> String {
    format!(
        "{} is not a stream of article objects (id, url, source, title, published, text): \
         fix or remove that line, or pass --skip-invalid to replay the rest",
        path.display()
    )
}

/// Reads a JSON lines stream whole and puts it in [`Article::replay_order`]; also
/// returns the lines skipped (see [`parse_in_order`]).
fn read_sorted(
    path: &std::path::Path,
    threads: usize,
    skip_invalid: bool,
) -> Result<(Vec<Article>, Skipped)> {
    let mut articles = Vec::new();
    let mut skipped = Skipped::default();
    let mut cut_short = None;
    for_each_block(path, threads, skip_invalid, &mut cut_short, |block, _| {
        for parsed in parse_block(block, threads) {
            match parsed {
                Ok(Some(article)) => articles.push(article),
                Ok(None) => skipped.bad_time += 1,
                Err(e) => skipped.invalid_line(path, e, skip_invalid)?,
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    skipped.cut_short = cut_short;
    articles.sort_by(Article::replay_order);
    Ok((articles, skipped))
}

/// Hands each block of a JSON lines stream (gzipped when it starts with the gzip
/// magic bytes) to `each`, with how many bytes of the file have been read, until
/// `each` breaks; false if it did.
///
/// A read error (a gzipped stream cut short, say) stops the pass with that error, or,
/// when `tolerate_cut`, ends the stream there: the bytes read before it make the last
/// line, and `cut_short` says what happened.
fn for_each_block(
    path: &std::path::Path,
    threads: usize,
    tolerate_cut: bool,
    cut_short: &mut Option<String>,
    mut each: impl FnMut(&LineBlock, u64) -> Result<ControlFlow<()>>,
) -> Result<bool> {
    let file = File::open(path).with_context(|| {
        format!(
            "cannot open {}: check the path of the recorded stream",
            path.display()
        )
    })?;
    let read = std::sync::Arc::new(AtomicU64::new(0));
    let file = Counted {
        inner: file,
        read: read.clone(),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let gzipped = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn BufRead + Send> = if gzipped {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    let cannot_read = || {
        format!(
            "cannot read {}: if it was cut short, --skip-invalid replays the lines before the error",
            path.display()
        )
    };
    let cut_note = |blocks: &LineBlocks<_>| {
        blocks.cut.as_ref().map(|e| {
            format!(
                "{} ends early, at line {}: {e}; the lines before it were replayed",
                path.display(),
                blocks.seen
            )
        })
    };
    if threads <= 1 {
        // One block, refilled: its memory is touched once rather than once per block.
        let mut blocks = LineBlocks::new(reader, tolerate_cut);
        let mut block = LineBlock::default();
        while blocks.fill(&mut block).with_context(cannot_read)? {
            if each(&block, read.load(Ordering::Relaxed))?.is_break() {
                return Ok(false);
            }
        }
        *cut_short = cut_note(&blocks);
        return Ok(true);
    }
    // With threads to spare, one inflates and splits lines while the others work on
    // the block before. Returning early drops the receiver, which stops the reader.
    std::thread::scope(|scope| -> Result<bool> {
        let (tx, rx) = mpsc::sync_channel(2);
        let reader = scope.spawn(move || {
            let mut blocks = LineBlocks::new(reader, tolerate_cut);
            while let Some(block) = blocks.next_block() {
                let failed = block.is_err();
                if tx.send(block).is_err() || failed {
                    break;
                }
            }
            cut_note(&blocks)
        });
        for block in rx {
            let block = block.with_context(cannot_read)?;
            if each(&block, read.load(Ordering::Relaxed))?.is_break() {
                return Ok(false);
            }
        }
        *cut_short = reader
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        Ok(true)
    })
}

/// A reader that counts the bytes read through it, for the progress bar.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Lines parsed together in [`for_each_block`].
const PARSE_BLOCK: usize = 2048;

/// Up to [`PARSE_BLOCK`] non-blank lines, their bytes one after another.
#[derive(Default)]
struct LineBlock {
    bytes: Vec<u8>,
    /// Each line's number, from 1, and where it is in `bytes`.
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

/// The non-blank lines of a stream in blocks of [`PARSE_BLOCK`], each numbered from 1.
///
/// Lines stay bytes: serde_json checks the UTF-8 of the strings it reads, so a
/// separate check of every line would read the text twice.
struct LineBlocks<R> {
    reader: R,
    /// Lines read so far, blank ones included.
    seen: usize,
    /// End the stream at a read error instead of failing (see [`for_each_block`]).
    tolerate_cut: bool,
    /// The read error the stream ended at, when tolerated.
    cut: Option<std::io::Error>,
}

impl<R: BufRead> LineBlocks<R> {
    fn new(reader: R, tolerate_cut: bool) -> Self {
        LineBlocks {
            reader,
            seen: 0,
            tolerate_cut,
            cut: None,
        }
    }

    /// The next block, `None` at the end of the stream, or the read error.
    fn next_block(&mut self) -> Option<std::io::Result<LineBlock>> {
        let mut block = LineBlock::default();
        self.fill(&mut block)
            .map(|more| more.then_some(block))
            .transpose()
    }

    /// Replaces `block` with the next block; false at the end of the stream.
    fn fill(&mut self, block: &mut LineBlock) -> std::io::Result<bool> {
        block.bytes.clear();
        block.lines.clear();
        let mut read = 0;
        while read < PARSE_BLOCK {
            let start = block.bytes.len();
            if !self.read_line(&mut block.bytes)? {
                break;
            }
            read += 1;
            self.seen += 1;
            let line = &block.bytes[start..];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                block.bytes.truncate(start);
            } else {
                let end = start + line.len();
                block.lines.push((self.seen, start..end));
            }
        }
        Ok(read > 0)
    }

    /// Appends the next line, without its `\n`, to `out`; false at the end.
    fn read_line(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        if self.cut.is_some() {
            return Ok(false);
        }
        let mut any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if self.tolerate_cut => {
                    // What was read of this line is its last line.
                    self.cut = Some(e);
                    return Ok(any);
                }
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(any);
            }
            any = true;
            if let Some(at) = memchr::memchr(b'\n', available) {
                out.extend_from_slice(&available[..at]);
                self.reader.consume(at + 1);
                return Ok(true);
            }
            let n = available.len();
            out.extend_from_slice(available);
            self.reader.consume(n);
        }
    }
}

/// Parses a block's lines on up to `threads` threads, in order: an article, `None` for
/// a line whose published time is not RFC 3339, or an error naming the line.
fn parse_block(block: &LineBlock, threads: usize) -> Vec<Result<Option<Article>>> {
    let parse = |(n, range): &(usize, std::ops::Range<usize>)| -> Result<Option<Article>> {
        let record: Record = serde_json::from_slice(&block.bytes[range.clone()])
            .with_context(|| format!("line {n} is not valid"))?;
        Ok(DateTime::parse_from_rfc3339(&record.published)
            .ok()
            .map(|t| Article {
                record,
                published: t.with_timezone(&Utc),
            }))
    };
    // Small blocks are not worth a thread.
    if threads <= 1 || block.lines.len() < 128 {
        return block.lines.iter().map(parse).collect();
    }
    let chunk = block.lines.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = block
            .lines
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(parse).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Analyses every article on `threads` workers and hands the results to `each`
/// in stream order, on the calling thread.
///
/// Workers take the next index from a shared counter and send results over a
/// bounded channel, so they run at most a few hundred articles ahead of the
/// consumer and memory stays flat; a reorder buffer restores stream order.
/// The analysis of one article: its `lang`, else `default_lang`, declared.
fn analyze_article(
    analyzer: &ajil_analyze::Analyzer,
    a: &Article,
    default_lang: Option<&str>,
) -> Analysis {
    let record = &a.record;
    // A feed item without body text is clustered on its summary, as the live pipeline
    // does with a feed's own text.
    let text = match &record.summary {
        Some(summary) if record.text.trim().is_empty() => summary.as_str(),
        _ => record.text.as_str(),
    };
    analyzer.analyze(&record.title, text, record.lang.as_deref().or(default_lang))
}

fn analyze_in_order(
    articles: &[Article],
    threads: usize,
    default_lang: Option<&str>,
    mut each: impl FnMut(usize, Analysis),
) -> Result<()> {
    let analyzer = ajil_analyze::Analyzer::new();
    let analyze = |a: &Article| analyze_article(&analyzer, a, default_lang);
    if threads <= 1 {
        for (i, a) in articles.iter().enumerate() {
            each(i, analyze(a));
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = mpsc::sync_channel::<(usize, Analysis)>(256);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, analyze) = (&next, &analyze);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(a) = articles.get(i) else { break };
                    if tx.send((i, analyze(a))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Analysis> = BTreeMap::new();
        let mut want = 0usize;
        for (i, analysis) in rx {
            pending.insert(i, analysis);
            while let Some(analysis) = pending.remove(&want) {
                each(want, analysis);
                want += 1;
            }
        }
        if want != articles.len() {
            bail!(
                "an analysis worker stopped early: {want} of {} articles analysed",
                articles.len()
            );
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The article ids of a replay's stories, as JSON text, sorted.
    fn article_ids(stories: &str) -> Vec<String> {
        let mut ids: Vec<String> = stories
            .lines()
            .flat_map(|l| {
                let story: serde_json::Value = serde_json::from_str(l).unwrap();
                story["articles"].as_array().unwrap().clone()
            })
            .map(|id| id.to_string())
            .collect();
        ids.sort();
        ids
    }

    /// Arguments of a replay of `file` into `out` on `threads` threads, with the
    /// command's defaults.
    fn replay_args(
        file: impl Into<PathBuf>,
        out: impl Into<PathBuf>,
        threads: usize,
    ) -> ReplayArgs {
        ReplayArgs {
            file: file.into(),
            out: out.into(),
            lang: None,
            threads: Some(threads),
            labels: Vec::new(),
            skip_invalid: false,
            lateness: 60,
            json: false,
        }
    }

    fn article(id: i64, minute: u32, title: &str) -> Article {
        Article {
            record: Record {
                id: serde_json::json!(id),
                url: format!("https://example.com/{id}"),
                source: "x".into(),
                title: title.into(),
                published: String::new(),
                text: format!("{title} {title}"),
                summary: None,
                category: None,
                lang: None,
            },
            published: DateTime::parse_from_rfc3339(&format!("2018-05-14T03:{minute:02}:00Z"))
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn parallel_analysis_comes_back_in_stream_order() {
        let arts: Vec<Article> = (0..50)
            .map(|i| article(i, (i % 60) as u32, &format!("خبر رقم {i} عن الطقس")))
            .collect();
        let mut serial = Vec::new();
        analyze_in_order(&arts, 1, Some("ar"), |i, a| serial.push((i, a))).unwrap();
        let mut parallel = Vec::new();
        analyze_in_order(&arts, 3, Some("ar"), |i, a| parallel.push((i, a))).unwrap();
        assert_eq!(serial.len(), 50);
        assert_eq!(serial, parallel);
        assert!(parallel.iter().enumerate().all(|(n, (i, _))| n == *i));
    }

    fn line(id: serde_json::Value, source: &str, minute: u32, title: &str, text: &str) -> String {
        serde_json::json!({
            "id": id, "url": format!("https://{source}.example/{minute}"), "source": source,
            "title": title, "published": format!("2018-05-14T09:{minute:02}:00Z"), "text": text,
        })
        .to_string()
    }

    #[test]
    fn replay_writes_one_line_per_story_with_copies_and_voices() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        let out = dir.path().join("stories.jsonl");
        let wire = "قتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود قطاع غزة خلال احتجاجات واسعة تزامنا مع نقل السفارة الأمريكية إلى القدس وقالت وزارة الصحة إن عدد الجرحى تجاوز الألفين";
        let lines = [
            // Out of order in the file: replay orders by publication time.
            line(
                serde_json::json!(7),
                "mirror",
                20,
                "عشرات القتلى في غزة",
                wire,
            ),
            line(
                serde_json::json!("a-1"),
                "skynews",
                5,
                "عشرات القتلى في غزة",
                wire,
            ),
            String::new(),
            line(
                serde_json::json!("b-1"),
                "bbc",
                10,
                "عاصفة ترابية تضرب شمال الهند",
                "ضربت عاصفة ترابية قوية ولايات في شمال الهند وأسقطت أعمدة الكهرباء والأشجار",
            ),
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        let args = ReplayArgs {
            lang: Some("ar".into()),
            ..replay_args(input, out.clone(), 2)
        };
        run(&args).unwrap();
        let stories: Vec<serde_json::Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(stories.len(), 2, "{stories:?}");
        let gaza = &stories[0];
        assert_eq!(gaza["articles"], serde_json::json!(["a-1", 7]));
        assert_eq!(gaza["copies"], serde_json::json!([[7, "a-1"]]));
        assert_eq!(gaza["outlets"], serde_json::json!(["mirror", "skynews"]));
        assert_eq!(gaza["independent_outlets"], serde_json::json!(["skynews"]));
        assert_eq!(gaza["breaking_at"], serde_json::Value::Null);
        assert_eq!(stories[1]["articles"], serde_json::json!(["b-1"]));
    }

    #[test]
    fn labels_score_the_replayed_stories() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        let text =
            "قتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود قطاع غزة خلال احتجاجات واسعة";
        let storm = "ضربت عاصفة ترابية قوية ولايات في شمال الهند وأسقطت أعمدة الكهرباء والأشجار";
        let lines = [
            line(
                serde_json::json!("a-1"),
                "skynews",
                5,
                "عشرات القتلى في غزة",
                text,
            ),
            line(
                serde_json::json!(7),
                "mirror",
                20,
                "عشرات القتلى في غزة",
                text,
            ),
            line(
                serde_json::json!("b-1"),
                "bbc",
                25,
                "عاصفة ترابية تضرب الهند",
                storm,
            ),
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        let args = ReplayArgs {
            lang: Some("ar".into()),
            ..replay_args(input, dir.path().join("stories.jsonl"), 1)
        };
        let (replay, _) = replay_in_file_order(&args, 1, false).unwrap().unwrap();

        // Numeric ids in labels match numeric ids in the stream.
        let right = dir.path().join("right.json");
        std::fs::write(
            &right,
            r#"{"events": [{"id": "gaza", "docnos": ["a-1", 7], "breaking": true},
                           {"id": "storm", "docnos": ["b-1"]}]}"#,
        )
        .unwrap();
        let s = replay.score(&right).unwrap();
        assert_eq!((s.articles, s.events, s.unplaced), (3, 2, 0));
        assert_eq!((s.pairwise.f1, s.bcubed.f1), (1.0, 1.0));
        let b = s.breaking.unwrap();
        assert_eq!((b.labelled, b.flagged_stories, b.recall), (1, 0, 0.0));

        // Labels that put the storm with Gaza: the replay's split costs recall.
        let wrong = dir.path().join("wrong.json");
        std::fs::write(
            &wrong,
            r#"{"events": [{"id": "all", "docnos": ["a-1", 7, "b-1"]}]}"#,
        )
        .unwrap();
        let s = replay.score(&wrong).unwrap();
        assert_eq!(s.pairwise.precision, 1.0);
        assert!((s.pairwise.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!(s.breaking.is_none());

        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, r#"{"stories": []}"#).unwrap();
        let err = format!("{:#}", replay.score(&broken).unwrap_err());
        assert!(err.contains("is not a labels file"), "{err}");
        let twice = dir.path().join("twice.json");
        std::fs::write(
            &twice,
            r#"{"events": [{"id": "x", "docnos": ["a-1"]}, {"id": "y", "docnos": ["a-1"]}]}"#,
        )
        .unwrap();
        let err = format!("{:#}", replay.score(&twice).unwrap_err());
        assert!(err.contains("two events"), "{err}");
    }

    #[test]
    fn a_stream_in_order_is_replayed_as_read_and_matches_the_ordered_replay() {
        let dir = tempfile::tempdir().unwrap();
        let titles = [
            "عشرات القتلى في غزة برصاص الجيش",
            "عاصفة ترابية تضرب شمال الهند",
            "قتلى في غزة برصاص الجيش الإسرائيلي",
            "افتتاح السفارة الأمريكية في القدس",
            "غزة: عشرات القتلى برصاص الجيش",
        ];
        // Past one block, so the in-order path crosses block boundaries.
        let lines: Vec<String> = (0..PARSE_BLOCK + 50)
            .map(|i| {
                let title = titles[i % titles.len()];
                serde_json::json!({
                    "id": i, "url": format!("https://s{}.example/{i}", i % 7),
                    "source": format!("s{}", i % 7), "title": title,
                    "published": format!("2018-05-14T{:02}:{:02}:{:02}Z", i / 360, (i / 6) % 60, i % 6 * 10),
                    "text": format!("{title} {title} {i}"),
                })
                .to_string()
            })
            .collect();
        let in_order = dir.path().join("in-order.jsonl");
        std::fs::write(&in_order, lines.join("\n")).unwrap();
        // The same stream with its last article first: it must be ordered before replay.
        let mut moved = lines.clone();
        let last = moved.pop().unwrap();
        moved.insert(0, last);
        let shuffled = dir.path().join("shuffled.jsonl");
        std::fs::write(&shuffled, moved.join("\n")).unwrap();

        let args = |file: &std::path::Path, out: &str, threads| ReplayArgs {
            lang: Some("ar".into()),
            ..replay_args(file.to_path_buf(), dir.path().join(out), threads)
        };
        let (as_read, skipped) = replay_in_file_order(&args(&in_order, "x", 2), 2, false)
            .unwrap()
            .expect("a stream in order is replayed as read");
        assert_eq!(
            (as_read.kept.len(), skipped),
            (lines.len(), Skipped::default())
        );
        as_read.write(&dir.path().join("as-read")).unwrap();
        for threads in [1, 2] {
            assert!(
                replay_in_file_order(&args(&shuffled, "x", threads), threads, false)
                    .unwrap()
                    .is_none()
            );
        }
        run(&args(&shuffled, "ordered", 1)).unwrap();
        let as_read = std::fs::read_to_string(dir.path().join("as-read")).unwrap();
        let ordered = std::fs::read_to_string(dir.path().join("ordered")).unwrap();
        assert!(as_read.lines().count() >= 2, "{as_read}");
        assert_eq!(as_read, ordered);

        // Nearly in order, as a recording of feeds polled in turn is: neighbours
        // swapped, and one article 33 minutes late. Within the lateness it is put in
        // order as it is read, with the same stories; past it, ordered whole.
        let mut nearly = lines.clone();
        for i in (0..nearly.len() - 1).step_by(10) {
            nearly.swap(i, i + 1);
        }
        let late = nearly.remove(100);
        nearly.insert(300, late);
        let nearly_path = dir.path().join("nearly.jsonl");
        std::fs::write(&nearly_path, nearly.join("\n")).unwrap();
        for threads in [1, 2] {
            let mut nearly_args = args(&nearly_path, "nearly", threads);
            let (replay, _) = replay_in_file_order(&nearly_args, threads, false)
                .unwrap()
                .expect("within the lateness, replayed as read");
            replay.write(&nearly_args.out).unwrap();
            assert_eq!(std::fs::read_to_string(&nearly_args.out).unwrap(), as_read);
            // (`run` then orders it whole, as the shuffled stream above.)
            nearly_args.lateness = 30;
            assert!(
                replay_in_file_order(&nearly_args, threads, false)
                    .unwrap()
                    .is_none()
            );
        }
    }

    #[test]
    fn articles_published_in_one_second_replay_by_id_whatever_the_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let text = "قتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود غزة اليوم";
        let wire = |id: &str, source: &str| line(serde_json::json!(id), source, 0, "غزة", text);
        let later = line(
            serde_json::json!("c"),
            "s3",
            5,
            "عاصفة في الهند",
            "عاصفة ترابية",
        );
        let mut outputs = Vec::new();
        for (name, first, second) in [("ab", "a", "b"), ("ba", "b", "a")] {
            let input = dir.path().join(format!("{name}.jsonl"));
            let source = |id| if id == "a" { "s1" } else { "s2" };
            let lines = [
                wire(first, source(first)),
                wire(second, source(second)),
                later.clone(),
            ];
            std::fs::write(&input, lines.join("\n")).unwrap();
            for threads in [1, 2] {
                let args = ReplayArgs {
                    lang: Some("ar".into()),
                    ..replay_args(
                        input.clone(),
                        dir.path().join(format!("{name}-{threads}.out")),
                        threads,
                    )
                };
                run(&args).unwrap();
                outputs.push(std::fs::read_to_string(&args.out).unwrap());
            }
        }
        // "a" comes first, so "b" is the copy, in every file order and thread count.
        assert!(
            outputs[0].contains(r#""copies":[["b","a"]]"#),
            "{}",
            outputs[0]
        );
        assert!(outputs.iter().all(|o| *o == outputs[0]), "{outputs:#?}");
    }

    #[test]
    fn an_article_recorded_twice_is_placed_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = line(serde_json::json!("a"), "s1", 0, "غزة", "قتلى في غزة");
        let other = line(serde_json::json!("b"), "s2", 1, "الهند", "عاصفة في الهند");
        // A recorder that restarted: "a" again, a minute later and edited; and the
        // number 7 beside the string "7", which are two ids.
        let again = line(serde_json::json!("a"), "s1", 2, "غزة", "قتلى في غزة اليوم");
        let seven = line(serde_json::json!(7), "s3", 3, "t", "x");
        let seven_text = line(serde_json::json!("7"), "s3", 4, "t", "y");
        let input = dir.path().join("twice.jsonl");
        std::fs::write(&input, [first, other, again, seven, seven_text].join("\n")).unwrap();
        for threads in [1, 2] {
            let args = ReplayArgs {
                lang: Some("ar".into()),
                ..replay_args(input.clone(), dir.path().join("out.jsonl"), threads)
            };
            run(&args).unwrap();
            let out = std::fs::read_to_string(&args.out).unwrap();
            let ids = article_ids(&out);
            assert_eq!(ids, ["\"7\"", "\"a\"", "\"b\"", "7"], "{out}");
            assert!(!out.contains(r#"["a","a"]"#), "{out}");
        }
    }

    #[test]
    fn a_line_that_is_not_an_article_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        std::fs::write(
            &input,
            format!(
                "{}\nnot json\n",
                line(serde_json::json!(1), "x", 1, "t", "b")
            ),
        )
        .unwrap();
        for threads in [1, 2] {
            let args = replay_args(input.clone(), dir.path().join("out.jsonl"), threads);
            let err = format!("{:#}", run(&args).unwrap_err());
            assert!(err.contains("line 2"), "{threads} threads: {err}");
        }
    }

    #[test]
    fn skip_invalid_replays_the_rest_and_names_what_it_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let good = |id: u32, minute: u32| {
            line(
                serde_json::json!(id),
                "x",
                minute,
                "عاصفة في الهند",
                "ضربت عاصفة ترابية الهند",
            )
        };
        // A broken line in the middle, a line with no published time, and one cut short at the
        // end, as a recorder killed mid-write leaves it; in order, then out of order
        // (which reads the stream whole first).
        // Cut inside a letter, as bytes.
        let cut = good(9, 9).into_bytes();
        let cut = &cut[..cut.len() / 2];
        for (name, first, second) in [("in-order", 1, 2), ("unordered", 2, 1)] {
            let input = dir.path().join(format!("{name}.jsonl"));
            let mut text = format!(
                "{}\nnot json\n{}\n{{\"id\":5,\"title\":\"no time\"}}\n",
                good(first, first),
                good(second, second),
            )
            .into_bytes();
            text.extend_from_slice(cut);
            std::fs::write(&input, text).unwrap();
            for threads in [1, 2] {
                let mut args = replay_args(input.clone(), dir.path().join("out.jsonl"), threads);
                let err = format!("{:#}", run(&args).unwrap_err());
                assert!(
                    err.contains("line 2") && err.contains("--skip-invalid"),
                    "{name}, {threads} threads: {err}"
                );
                args.skip_invalid = true;
                run(&args).unwrap();
                let out = std::fs::read_to_string(&args.out).unwrap();
                let ids = article_ids(&out);
                assert_eq!(ids, ["1", "2"], "{name}, {threads} threads: {out}");
            }
            let (_, skipped) = read_sorted(&input, 1, true).unwrap();
            assert_eq!(skipped.invalid, 3, "{name}");
            assert_eq!(skipped.bad_time, 0);
            let named = skipped.first_invalid.join(" | ");
            assert!(
                named.contains("line 2") && named.contains("line 4") && named.contains("line 5"),
                "{named}"
            );
        }
    }

    #[test]
    fn a_gzipped_stream_cut_short_replays_what_came_before_under_skip_invalid() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("cut.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..400u32 {
            // Text that compresses poorly, so the cut falls well inside the stream.
            let text: String = (0..60)
                .map(|k| format!("{} ", (i * 7919 + k * 104_729) % 99_991))
                .collect();
            writeln!(
                gz,
                "{}",
                line(serde_json::json!(i), "x", i % 60, "t", &text)
            )
            .unwrap();
        }
        let whole = gz.finish().unwrap();
        std::fs::write(&input, &whole[..whole.len() / 2]).unwrap();

        let err = format!("{:#}", read_sorted(&input, 1, false).err().unwrap());
        assert!(err.contains("--skip-invalid"), "{err}");
        for threads in [1, 2] {
            let (read, skipped) = read_sorted(&input, threads, true).unwrap();
            let cut = skipped.cut_short.unwrap_or_default();
            assert!(cut.contains("ends early"), "{threads} threads: {cut}");
            // Every whole line before the cut, in order; at most one line cut short.
            assert!(read.len() > 100 && read.len() < 400, "{}", read.len());
            assert!(skipped.invalid <= 1);
            let ids: Vec<u64> = read.iter().map(|a| a.record.id.as_u64().unwrap()).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..read.len() as u64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn escaped_strings_are_read_and_invalid_utf8_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        // Escapes in the text (the slow path), and the summary read as well.
        let mut bytes = br#"{"id":1,"published":"2018-05-14T09:00:00Z","title":"\u063a\u0632\u0629","text":"a\nb \"c\"","summary":"\u0633"}"#.to_vec();
        bytes.push(b'\n');
        std::fs::write(&input, &bytes).unwrap();
        let read = read_sorted(&input, 1, false).unwrap().0;
        assert_eq!(read[0].record.title, "غزة");
        assert_eq!(read[0].record.text, "a\nb \"c\"");
        assert_eq!(read[0].record.summary.as_deref(), Some("س"));

        bytes.extend_from_slice(
            b"{\"id\":2,\"published\":\"2018-05-14T09:00:00Z\",\"text\":\"\xff\"}\n",
        );
        std::fs::write(&input, &bytes).unwrap();
        let err = format!("{:#}", read_sorted(&input, 1, false).err().unwrap());
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn blocks_read_on_another_thread_keep_every_line_and_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        let good = line(serde_json::json!(1), "x", 1, "t", "b");
        // Past one block, with blank lines, so numbering runs across blocks.
        let mut lines = vec![good.clone(); PARSE_BLOCK + 100];
        lines[10] = String::new();
        lines[PARSE_BLOCK + 5] = String::new();
        std::fs::write(&input, lines.join("\n")).unwrap();
        let read = read_sorted(&input, 2, false).unwrap().0;
        assert_eq!(read.len(), PARSE_BLOCK + 98);
        assert_eq!(read.len(), read_sorted(&input, 1, false).unwrap().0.len());

        lines[PARSE_BLOCK + 50] = "not json".into();
        std::fs::write(&input, lines.join("\n")).unwrap();
        for threads in [1, 2] {
            let err = format!("{:#}", read_sorted(&input, threads, false).err().unwrap());
            assert!(err.contains(&format!("line {}", PARSE_BLOCK + 51)), "{err}");
        }
    }
}
