//! Stories scored against hand-labelled events: clustering (pairwise and B-cubed
//! precision, recall and F1) and breaking detection (which labelled breaking events
//! got a flagged story, false alarms, extra flags, detection latency).
//!
//! Only labelled articles are scored, and each story is cut down to them. A flagged
//! story counts for the labelled event holding most of its labelled articles (the
//! first of them in the story's order on a tie). Latency is the first flag of an
//! event minus the moment its second outlet reported it (its first report when only
//! one outlet did): negative when a story was flagged on one outlet's report.
//!
//! These are the measures of the labelled-window scorer the benchmarks quote, so a
//! replay can be judged without leaving the process (`ajil replay --labels`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Hand-labelled events: each labelled article's event, and which events are breaking.
#[derive(Debug, Clone, Default)]
pub struct EventLabels {
    event_of: HashMap<String, String>,
    breaking: BTreeSet<String>,
}

/// An article given to two events in one set of labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("article {article} is labelled with two events ({first} and {second}): give it one")]
pub struct LabelError {
    /// The article.
    pub article: String,
    /// The event it was given first.
    pub first: String,
    /// The event it was given again.
    pub second: String,
}

impl EventLabels {
    /// Labels from `(event id, its articles, whether it is breaking)`.
    pub fn new<I, A>(events: I) -> Result<Self, LabelError>
    where
        I: IntoIterator<Item = (String, A, bool)>,
        A: IntoIterator<Item = String>,
    {
        let mut labels = EventLabels::default();
        for (event, articles, breaking) in events {
            for article in articles {
                if let Some(first) = labels.event_of.insert(article.clone(), event.clone())
                    && first != event
                {
                    return Err(LabelError {
                        article,
                        first,
                        second: event,
                    });
                }
            }
            if breaking {
                labels.breaking.insert(event);
            }
        }
        Ok(labels)
    }

    /// The event of `article`, if it is labelled.
    pub fn event(&self, article: &str) -> Option<&str> {
        self.event_of.get(article).map(String::as_str)
    }

    /// Labelled articles.
    pub fn len(&self) -> usize {
        self.event_of.len()
    }

    /// Whether no article is labelled.
    pub fn is_empty(&self) -> bool {
        self.event_of.is_empty()
    }
}

/// A story as the clusterer left it: its articles, and when it turned breaking.
#[derive(Debug, Clone)]
pub struct ScoredStory<'a> {
    /// Its articles' ids, in story order.
    pub articles: Vec<&'a str>,
    /// When it turned breaking, if it did.
    pub breaking_at: Option<DateTime<Utc>>,
}

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// How breaking detection did on the labelled events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakingScore {
    /// Events labelled breaking.
    pub labelled: usize,
    /// Flagged stories holding labelled articles.
    pub flagged_stories: usize,
    /// Share of flagged stories whose event is labelled breaking (none flagged: `None`).
    pub precision: Option<f64>,
    /// Share of breaking events with a flagged story.
    pub recall: f64,
    /// Flagged stories beyond the first of each event.
    pub extra_alarms: usize,
    /// Median minutes from an event's second outlet to its first flag.
    pub latency_min_median: Option<f64>,
    /// The longest of those latencies.
    pub latency_min_max: Option<f64>,
    /// Median minutes from an event's first report to its first flag.
    pub latency_from_first_min_median: Option<f64>,
}

/// Stories scored against one set of labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Labelled articles.
    pub articles: usize,
    /// Labelled events.
    pub events: usize,
    /// Stories holding labelled articles (an unplaced article counts as one).
    pub stories: usize,
    /// Labelled articles no story holds.
    pub unplaced: usize,
    /// Over pairs of labelled articles: placed together and of one event.
    pub pairwise: Prf,
    /// Per labelled article, averaged.
    pub bcubed: Prf,
    /// Present when some event is labelled breaking.
    pub breaking: Option<BreakingScore>,
}

/// Scores `stories` against `labels`. `reported` gives a labelled article's outlet and
/// publication time (for latency); articles it does not know are left out of latency.
pub fn score(
    labels: &EventLabels,
    stories: &[ScoredStory<'_>],
    reported: impl Fn(&str) -> Option<(String, DateTime<Utc>)>,
) -> Score {
    // Stories cut down to labelled articles; unplaced articles are stories of one.
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut cut: Vec<(Vec<&str>, Option<DateTime<Utc>>)> = Vec::new();
    for story in stories {
        let members: Vec<&str> = story
            .articles
            .iter()
            .copied()
            .filter(|a| labels.event_of.contains_key(*a) && placed.insert(a))
            .collect();
        if !members.is_empty() {
            cut.push((members, story.breaking_at));
        }
    }
    let mut unplaced: Vec<&str> = labels
        .event_of
        .keys()
        .map(String::as_str)
        .filter(|a| !placed.contains(a))
        .collect();
    unplaced.sort_unstable();
    for a in &unplaced {
        cut.push((vec![a], None));
    }

    let event = |a: &str| labels.event_of[a].as_str();
    let mut event_size: BTreeMap<&str, usize> = BTreeMap::new();
    for e in labels.event_of.values() {
        *event_size.entry(e.as_str()).or_default() += 1;
    }
    let pairs = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
    let (mut together, mut right) = (0.0, 0.0);
    let (mut precision, mut recall) = (0.0, 0.0);
    for (members, _) in &cut {
        let mut by_event: BTreeMap<&str, usize> = BTreeMap::new();
        for a in members {
            *by_event.entry(event(a)).or_default() += 1;
        }
        together += pairs(members.len());
        for (e, n) in by_event {
            right += pairs(n);
            precision += (n * n) as f64 / members.len() as f64;
            recall += (n * n) as f64 / event_size[e] as f64;
        }
    }
    let truth: f64 = event_size.values().map(|n| pairs(*n)).sum();
    let share = |part: f64, whole: f64| if whole == 0.0 { 1.0 } else { part / whole };
    let n = labels.event_of.len().max(1) as f64;

    let breaking = (!labels.breaking.is_empty()).then(|| {
        // When each event was first reported, and first reported by each outlet.
        let mut first_seen: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let mut outlet_first: HashMap<&str, HashMap<String, DateTime<Utc>>> = HashMap::new();
        for (a, e) in &labels.event_of {
            let Some((outlet, at)) = reported(a) else {
                continue;
            };
            let first = first_seen.entry(e.as_str()).or_insert(at);
            *first = (*first).min(at);
            let by_outlet = outlet_first.entry(e.as_str()).or_default();
            let first = by_outlet.entry(outlet).or_insert(at);
            *first = (*first).min(at);
        }
        let mut hits = 0;
        let mut flags = 0;
        let mut flagged: BTreeMap<&str, Vec<DateTime<Utc>>> = BTreeMap::new();
        for (members, at) in &cut {
            let Some(at) = at else { continue };
            flags += 1;
            // The event holding most of the story, the first seen on a tie.
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for a in members {
                match counts.iter_mut().find(|(e, _)| *e == event(a)) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((event(a), 1)),
                }
            }
            let mut top = counts[0];
            for &(e, c) in &counts[1..] {
                if c > top.1 {
                    top = (e, c);
                }
            }
            hits += usize::from(labels.breaking.contains(top.0));
            flagged.entry(top.0).or_default().push(*at);
        }
        let mut extra = 0;
        let (mut latency, mut from_first) = (Vec::new(), Vec::new());
        for (e, times) in &flagged {
            extra += times.len() - 1;
            let (Some(first), true) = (first_seen.get(e), labels.breaking.contains(*e)) else {
                continue;
            };
            let flag = *times.iter().min().unwrap_or(first);
            let mut outlets: Vec<DateTime<Utc>> = outlet_first[e].values().copied().collect();
            outlets.sort_unstable();
            let confirmed = outlets.get(1).copied().unwrap_or(*first);
            latency.push((flag - confirmed).num_milliseconds() as f64 / 60_000.0);
            from_first.push((flag - *first).num_milliseconds() as f64 / 60_000.0);
        }
        let found = labels
            .breaking
            .iter()
            .filter(|e| flagged.contains_key(e.as_str()))
            .count();
        BreakingScore {
            labelled: labels.breaking.len(),
            flagged_stories: flags,
            precision: (flags > 0).then(|| hits as f64 / flags as f64),
            recall: found as f64 / labels.breaking.len() as f64,
            extra_alarms: extra,
            latency_min_median: median(&mut latency),
            latency_min_max: latency.iter().copied().reduce(f64::max),
            latency_from_first_min_median: median(&mut from_first),
        }
    });

    Score {
        articles: labels.event_of.len(),
        events: event_size.len(),
        stories: cut.len(),
        unplaced: unplaced.len(),
        pairwise: Prf::new(share(right, together), share(right, truth)),
        bcubed: Prf::new(precision / n, recall / n),
        breaking,
    }
}

/// The median, the mean of the middle two for an even count.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 5, 14, 12, minute, 0).unwrap()
    }

    fn labels() -> EventLabels {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        EventLabels::new([
            ("e1".to_string(), ids(&["a", "b", "c"]), true),
            ("e2".to_string(), ids(&["d", "e"]), false),
            ("e3".to_string(), ids(&["f"]), false),
        ])
        .unwrap()
    }

    fn reported(a: &str) -> Option<(String, DateTime<Utc>)> {
        let (outlet, minute) = match a {
            "a" => ("x", 0),
            "b" => ("y", 10),
            "c" => ("z", 20),
            "d" => ("x", 30),
            "e" => ("y", 31),
            "f" => ("z", 40),
            _ => return None,
        };
        Some((outlet.to_string(), at(minute)))
    }

    #[test]
    fn a_perfect_grouping_scores_one() {
        let stories = [
            ScoredStory {
                articles: vec!["a", "b", "c", "unlabelled"],
                breaking_at: Some(at(25)),
            },
            ScoredStory {
                articles: vec!["d", "e"],
                breaking_at: None,
            },
            ScoredStory {
                articles: vec!["f"],
                breaking_at: None,
            },
        ];
        let s = score(&labels(), &stories, reported);
        assert_eq!(s.pairwise, Prf::new(1.0, 1.0));
        assert_eq!(s.bcubed, Prf::new(1.0, 1.0));
        let b = s.breaking.unwrap();
        assert_eq!(
            (b.flagged_stories, b.precision, b.recall),
            (1, Some(1.0), 1.0)
        );
        // Flagged at 12:25; the second outlet (y) reported at 12:10.
        assert_eq!(b.latency_min_median, Some(15.0));
        assert_eq!(b.latency_from_first_min_median, Some(25.0));
    }

    #[test]
    fn a_merged_and_a_split_event_lose_what_they_should() {
        // e1 split in two (one flagged, one not), e2 merged with e3, a false alarm.
        let stories = [
            ScoredStory {
                articles: vec!["a", "b"],
                breaking_at: Some(at(15)),
            },
            ScoredStory {
                articles: vec!["c"],
                breaking_at: None,
            },
            ScoredStory {
                articles: vec!["d", "e", "f"],
                breaking_at: Some(at(45)),
            },
        ];
        let s = score(&labels(), &stories, reported);
        // Pairs: a-b right; d-e right; d-f and e-f wrong; a-c and b-c missed.
        assert!((s.pairwise.precision - 0.5).abs() < 1e-12);
        assert!((s.pairwise.recall - 0.5).abs() < 1e-12);
        // B-cubed precision: a, b, c → 1; d, e, f → 2/3, 2/3, 1/3.
        assert!((s.bcubed.precision - (3.0 + 5.0 / 3.0) / 6.0).abs() < 1e-12);
        // B-cubed recall: a, b → 2/3; c → 1/3; d, e, f → 1.
        assert!((s.bcubed.recall - (5.0 / 3.0 + 3.0) / 6.0).abs() < 1e-12);
        let b = s.breaking.unwrap();
        assert_eq!(b.precision, Some(0.5));
        assert_eq!(b.recall, 1.0);
        assert_eq!(b.extra_alarms, 0);
        assert_eq!(b.latency_min_median, Some(5.0));
    }

    #[test]
    fn unplaced_articles_are_stories_of_their_own() {
        let stories = [ScoredStory {
            articles: vec!["a", "b", "c"],
            breaking_at: None,
        }];
        let s = score(&labels(), &stories, reported);
        assert_eq!((s.unplaced, s.stories), (3, 4));
        assert_eq!(s.pairwise.recall, 3.0 / 4.0);
        let b = s.breaking.unwrap();
        assert_eq!((b.flagged_stories, b.precision, b.recall), (0, None, 0.0));
    }

    #[test]
    fn an_article_in_two_events_is_refused() {
        let err = EventLabels::new([
            ("e1".to_string(), vec!["a".to_string()], false),
            ("e2".to_string(), vec!["a".to_string()], false),
        ])
        .unwrap_err();
        assert_eq!(err.article, "a");
        assert!(err.to_string().contains("give it one"));
    }
}
