//! A young window (a handful of articles) must not link different happenings through
//! words that merely look rare because few documents were seen yet.

use ajil_model::{Analysis, ArticleId};
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use chrono::{DateTime, TimeDelta, Utc};

use crate::fixtures::base;

struct English {
    id: i64,
    outlet: &'static str,
    published: DateTime<Utc>,
    url: String,
    analysis: Analysis,
}

impl English {
    fn new(id: i64, outlet: &'static str, minutes: i64, title: &str, paragraphs: &[&str]) -> Self {
        English {
            id,
            outlet,
            published: base() + TimeDelta::minutes(minutes),
            url: format!("https://{outlet}.example/{id}"),
            // The product's analyser, as the live pipeline runs it.
            analysis: ajil_analyze::Analyzer::new().analyze(title, &paragraphs.join("\n\n"), None),
        }
    }

    fn input(&self) -> StoryInput<'_> {
        StoryInput {
            article: ArticleId(self.id),
            outlet: self.outlet,
            published: self.published,
            url: &self.url,
            canonical_url: None,
            title_keys: &self.analysis.title_keys,
            keys: &self.analysis.keys,
            minhash: &self.analysis.minhash,
            content_hash: self.analysis.content_hash,
            sound: &self.analysis.sound,
            title_sound: &self.analysis.title_sound,
            wire: None,
            section: None,
            statement: self.analysis.statement,
        }
    }
}

fn nuclear_talks() -> English {
    English::new(
        3,
        "wire",
        65,
        "Negotiators close in on Iran deal after overnight talks",
        &[
            "GENEVA (AP) — Negotiators said on Sunday they were near an Iran deal that would cap the country's nuclear programme in return for easing some sanctions, after talks that went on through the night.",
            "Diplomats of the remaining parties to the accord met in the Swiss city for a third round of talks this month. Several said a draft could be ready within days.",
            "Washington took part indirectly, with European envoys passing messages between the delegations, officials said.",
        ],
    )
}

fn football_transfer() -> English {
    English::new(
        4,
        "wire",
        90,
        "Iran deal for striker collapses at the last minute",
        &[
            "A transfer that would have taken the striker to an Iran club fell through at the last minute, the sport pages said, after the Iran deal failed a medical.",
            "The club said it would look for another forward before the window shuts, and thanked supporters for their patience over a long season.",
        ],
    )
}

fn tanker() -> English {
    English::new(
        5,
        "wire",
        360,
        "Tanker seized in the Gulf of Oman, shipping agency says",
        &[
            "A fuel tanker was boarded and seized by armed men in the Gulf of Oman early on Monday, a maritime security agency said, the third such incident off the coast this year.",
            "The agency said the vessel, flying a Liberian flag with a crew of 19, had been steered towards territorial waters. Its owner said it had lost contact with the ship.",
            "Analysts said the seizure could complicate diplomacy around the Iran deal, which negotiators hope to finish this week.",
        ],
    )
}

/// Two Arabic articles on other things, as the first poll of a fresh install sees them.
fn arabic_background() -> [English; 2] {
    [
        English::new(
            1,
            "alkhabar",
            0,
            "لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول",
            &[
                "قال وزير الخارجية الروسي سيرغي لافروف إن دبلوماسيين روسا وأمريكيين سيجتمعون في إسطنبول الأسبوع المقبل لبحث عمل السفارتين.",
            ],
        ),
        English::new(
            2,
            "alkhabar",
            10,
            "موجة حر تضرب المنطقة",
            &[
                "توقعت هيئة الأرصاد ارتفاع درجات الحرارة إلى ما فوق الأربعين في معظم المدن خلال الأيام المقبلة.",
            ],
        ),
    ]
}

#[test]
fn issue_cold_start_incidental_words_do_not_link_different_events() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    for art in arabic_background() {
        let _ = clusterer.add(&art.input(), art.published);
    }
    let talks = nuclear_talks();
    let sport = football_transfer();
    let ship = tanker();
    let a = clusterer.add(&talks.input(), talks.published);
    let b = clusterer.add(&sport.input(), sport.published);
    let c = clusterer.add(&ship.input(), ship.published);
    assert!(
        a.new_story && b.new_story && c.new_story,
        "{a:?}\n{b:?}\n{c:?}"
    );
    assert_eq!(clusterer.story_ids().count(), 5);
}

#[test]
fn cold_start_still_joins_a_second_report_of_the_talks() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    for art in arabic_background() {
        let _ = clusterer.add(&art.input(), art.published);
    }
    let talks = nuclear_talks();
    let sport = football_transfer();
    let first = clusterer.add(&talks.input(), talks.published);
    let _ = clusterer.add(&sport.input(), sport.published);
    let other = English::new(
        6,
        "daily",
        120,
        "Iran nuclear talks in Geneva near a deal, diplomats say",
        &[
            "Diplomats in Geneva said on Sunday that talks on Iran's nuclear programme were near a deal that would ease sanctions, after negotiators worked through the night.",
            "A draft text could be ready within days, two European envoys said.",
        ],
    );
    let joined = clusterer.add(&other.input(), other.published);
    assert_eq!(joined.story, first.story);
    assert_eq!(joined.copy_of, None);
    assert!(joined.independent);
}

/// The six pages of the product's end-to-end test as `ajil extract` reads them, in the
/// order a fresh install's first three polls add them.
#[test]
fn issue_cold_start_end_to_end_pages_keep_their_stories_apart() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cold-start.jsonl");
    let arts: Vec<(English, String)> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            let published = DateTime::parse_from_rfc3339(&s("published")).unwrap();
            let outlet: &'static str = match s("source").as_str() {
                "alkhabar" => "alkhabar",
                "anbaa" => "anbaa",
                _ => "wire",
            };
            let mut art = English::new(
                v["id"].as_i64().unwrap(),
                outlet,
                0,
                &s("title"),
                &[&s("text")],
            );
            art.published = published.with_timezone(&Utc);
            (art, s("page"))
        })
        .collect();
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let mut story_of = std::collections::BTreeMap::new();
    for (art, page) in &arts {
        let a = clusterer.add(&art.input(), art.published);
        story_of.insert(page.as_str(), a.story);
    }
    assert_eq!(story_of["lavrov-reprint"], story_of["lavrov-original"]);
    let mut others: Vec<_> = [
        "lavrov-original",
        "weather",
        "iran-deal",
        "iran-sport",
        "tanker",
    ]
    .iter()
    .map(|p| story_of[p])
    .collect();
    others.sort_unstable();
    others.dedup();
    assert_eq!(others.len(), 5, "{story_of:?}");
}
