//! Quality on the hand-labelled windows of the 2018 Arabic stream: the window that ships
//! with the stream (`../shared/data/arabic-news/events-2018-05-14.json`) and ajil's own
//! (`bench/stories/labels/`). Each window is replayed with the three days before it (so
//! the story window and its idf are as full as in a replay of the whole stream), through
//! the real analyser and the default clusterer, and scored with [`ajil_story::eval`]
//! (the labelled-window scorer's measures): pairwise and B-cubed F1 over the labelled
//! articles, and which labelled breaking events get a flagged story. The floors sit a little under what the defaults score
//! (BENCHMARKS.md, "Six labelled windows"), so a change that costs quality fails here.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};

use ajil_analyze::Analyzer;
use ajil_model::{Analysis, ArticleId, StoryId};
use ajil_story::eval::{self, EventLabels, ScoredStory};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use chrono::{DateTime, TimeDelta, Utc};

const STREAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
);

/// Label files with the B-cubed F1 each must keep.
const WINDOWS: &[(&str, f64)] = &[
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/arabic-news/events-2018-05-14.json"
        ),
        0.83,
    ),
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/stories/labels/events-2018-03-20.json"
        ),
        0.92,
    ),
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/stories/labels/events-2018-04-14.json"
        ),
        0.85,
    ),
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/stories/labels/events-2018-05-08.json"
        ),
        0.87,
    ),
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/stories/labels/events-2018-06-12.json"
        ),
        0.88,
    ),
    (
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/stories/labels/events-2018-07-16.json"
        ),
        0.82,
    ),
];

/// Windows whose breaking events may be flagged before their second outlet's report:
/// the Trump–Kim summit of 12 June was a story breaking since its build-up on 10 June.
/// Everywhere else a flag from before the happening means it was hidden inside an
/// older story (as when the 7 May story of the pleas to keep the Iran deal took the
/// 8 May withdrawal).
const FLAGGED_BEFORE: &[&str] = &["events-2018-06-12.json"];

struct Labels {
    name: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    labels: EventLabels,
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

fn labels(path: &str) -> Labels {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = v["events"].as_array().unwrap().iter().map(|e| {
        let docs: Vec<String> = e["docnos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        let breaking = e["breaking"].as_bool().unwrap_or(false);
        (e["id"].as_str().unwrap().to_string(), docs, breaking)
    });
    Labels {
        name: path.rsplit('/').next().unwrap().to_string(),
        start: time(v["window"][0].as_str().unwrap()),
        end: time(v["window"][1].as_str().unwrap()),
        labels: EventLabels::new(events).unwrap_or_else(|e| panic!("{path}: {e}")),
    }
}

struct Record {
    id: String,
    source: String,
    url: String,
    category: Option<String>,
    published: DateTime<Utc>,
    analysis: Analysis,
}

/// The articles of the stream inside any of `spans`, analysed, in stream order.
fn read(spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<Record> {
    let file = std::fs::File::open(STREAM).expect("shared data next to the repository");
    let analyzer = Analyzer::new();
    let mut out = Vec::new();
    for line in BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
        let published = time(&field("published"));
        if !spans.iter().any(|(a, b)| *a <= published && published < *b) {
            continue;
        }
        out.push(Record {
            id: field("id"),
            source: field("source"),
            url: field("url"),
            category: v["category"].as_str().map(String::from),
            published,
            analysis: analyzer.analyze(&field("title"), &field("text"), Some("ar")),
        });
    }
    out
}

/// Story members and first breaking time after replaying `records` in order.
fn replay(
    records: &[&Record],
) -> (
    BTreeMap<StoryId, Vec<usize>>,
    BTreeMap<StoryId, DateTime<Utc>>,
) {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let mut members: BTreeMap<StoryId, Vec<usize>> = BTreeMap::new();
    let mut breaking: BTreeMap<StoryId, DateTime<Utc>> = BTreeMap::new();
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
        // Statement stories settled into a story that broke (never breaking
        // themselves) before this article was placed.
        for (from, into) in &a.settled {
            let moved = members.remove(from).unwrap_or_default();
            members.entry(*into).or_default().extend(moved);
        }
        for gone in &a.merged {
            let moved = members.remove(gone).unwrap_or_default();
            members.entry(a.story).or_default().extend(moved);
            if let Some(at) = breaking.remove(gone) {
                let kept = breaking.entry(a.story).or_insert(at);
                *kept = (*kept).min(at);
            }
        }
        members.entry(a.story).or_default().push(i);
        if let Some(b) = a.breaking {
            breaking.entry(a.story).or_insert(b.at);
        }
        for (other, b) in a.also_breaking {
            breaking.entry(other).or_insert(b.at);
        }
    }
    (members, breaking)
}

#[test]
fn labelled_windows_keep_their_scores() {
    let windows: Vec<(Labels, f64)> = WINDOWS.iter().map(|(p, f)| (labels(p), *f)).collect();
    let pre_roll = TimeDelta::hours(72);
    let spans: Vec<_> = windows
        .iter()
        .map(|(w, _)| (w.start - pre_roll, w.end))
        .collect();
    let records = read(&spans);

    let (mut bcubed, mut hits, mut breaking, mut false_alarms) = (0.0, 0, 0, 0);
    for ((window, floor), (from, until)) in windows.iter().zip(&spans) {
        let slice: Vec<&Record> = records
            .iter()
            .filter(|r| *from <= r.published && r.published < *until)
            .collect();
        let (members, flagged) = replay(&slice);
        let stories: Vec<ScoredStory> = members
            .iter()
            .map(|(id, m)| ScoredStory {
                articles: m.iter().map(|i| slice[*i].id.as_str()).collect(),
                breaking_at: flagged.get(id).copied(),
            })
            .collect();
        let by_id: HashMap<&str, &Record> = slice.iter().map(|r| (r.id.as_str(), *r)).collect();
        let s = eval::score(&window.labels, &stories, |id| {
            by_id.get(id).map(|r| (r.source.clone(), r.published))
        });
        let b = s
            .breaking
            .clone()
            .unwrap_or_else(|| panic!("{}: no breaking event", window.name));
        let hit = (b.recall * b.labelled as f64).round() as usize;
        let false_alarm = b.flagged_stories
            - (b.precision.unwrap_or(1.0) * b.flagged_stories as f64).round() as usize;
        eprintln!(
            "{}: pairwise F1 {:.4}, B-cubed F1 {:.4}, breaking {hit}/{} with {false_alarm} false alarms, latency {:?} min",
            window.name, s.pairwise.f1, s.bcubed.f1, b.labelled, b.latency_min_median
        );
        assert_eq!(s.unplaced, 0, "{}: labelled articles missing", window.name);
        assert!(
            s.bcubed.f1 >= *floor,
            "{}: B-cubed F1 {:.4} under {floor}",
            window.name,
            s.bcubed.f1
        );
        assert_eq!(b.extra_alarms, 0, "{}: an event flagged twice", window.name);
        if !FLAGGED_BEFORE.contains(&window.name.as_str()) {
            let latency = b.latency_min_median.unwrap_or(0.0);
            assert!(
                latency >= 0.0,
                "{}: breaking flagged a median {latency:.0} min before the second outlet",
                window.name
            );
        }
        bcubed += s.bcubed.f1;
        hits += hit;
        breaking += b.labelled;
        false_alarms += false_alarm;
    }
    let mean = bcubed / windows.len() as f64;
    assert!(mean >= 0.875, "mean B-cubed F1 {mean:.4} under 0.875");
    // All but the Golan alert of 8 May (its outlets never within half an hour).
    assert!(
        hits + 1 >= breaking,
        "{hits} of {breaking} breaking events flagged"
    );
    assert!(false_alarms <= 3, "{false_alarms} false alarms");
}
