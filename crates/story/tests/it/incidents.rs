//! A headline telling of a killing or a blast and one that does not are two happenings,
//! even when they share the place, the day and most names.

use ajil_model::ArticleId;
use ajil_story::{Clusterer, StoryInput, StoryOptions};

use crate::fixtures::base;

/// Synthetic keys: `prefix0 prefix1 …`.
fn words(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

struct Report {
    id: i64,
    outlet: String,
    url: String,
    title: Vec<String>,
    keys: Vec<String>,
}

impl Report {
    fn new(id: i64, outlet: &str, title: Vec<String>, body: Vec<String>) -> Report {
        let mut keys = title.clone();
        keys.extend(body);
        Report {
            id,
            outlet: outlet.into(),
            url: format!("https://{outlet}.example/{id}"),
            title,
            keys,
        }
    }

    fn input(&self) -> StoryInput<'_> {
        StoryInput {
            article: ArticleId(self.id),
            outlet: &self.outlet,
            published: base(),
            url: &self.url,
            canonical_url: None,
            title_keys: &self.title,
            keys: &self.keys,
            minhash: &[],
            content_hash: self.id as u64,
            sound: &[],
            title_sound: &[],
            wire: None,
            section: None,
            statement: false,
        }
    }
}

/// Two reports of one city and day whose headlines share the place and a name (`place0`,
/// `place1`): a ceremony, and a report whose headline adds `second`. Returns whether
/// they share a story.
fn joined(opts: StoryOptions, second: &str) -> bool {
    let mut clusterer = Clusterer::new(opts).unwrap();
    // A window of a few hundred articles, so idf weights are those of a real day.
    for i in 0..300 {
        let filler = Report::new(
            100 + i,
            "filler",
            words(&format!("f{i}t"), 4),
            words(&format!("f{i}b"), 20),
        );
        let _ = clusterer.add(&filler.input(), base());
    }
    let shared_title = words("place", 2);
    let mut title = shared_title.clone();
    title.extend(words("ceremony", 2));
    let body = words("speech", 18);
    let first = clusterer.add(&Report::new(1, "one", title, body).input(), base());

    let mut title = shared_title;
    title.push(second.into());
    title.push("today".into());
    let body = words("border", 18);
    let other = clusterer.add(&Report::new(2, "two", title, body).input(), base());
    other.story == first.story
}

#[test]
fn a_killing_and_a_ceremony_of_one_place_and_day_are_two_stories() {
    // Without the incident rule the shared place and name join them ...
    let off = StoryOptions {
        incident_factor: 1.0,
        ..StoryOptions::default()
    };
    assert!(joined(off, "قتل"));
    // ... and a second report without an incident word joins with it too.
    assert!(joined(StoryOptions::default(), "protest"));
    // With it, the report of the killing starts its own story.
    assert!(!joined(StoryOptions::default(), "قتل"));
    assert!(!joined(StoryOptions::default(), "kill"));
}

#[test]
fn incident_keys_are_what_the_analyser_makes_of_incident_words() {
    let analyzer = ajil_analyze::Analyzer::new();
    let keys = StoryOptions::default().incident_keys;
    let mut missing = Vec::new();
    for (lang, title) in [
        ("ar", "مقتل"),
        ("ar", "قتلى"),
        ("ar", "قتيل"),
        ("ar", "الجرحى"),
        ("ar", "برصاص"),
        ("ar", "مجزرة"),
        ("ar", "اشتباكات"),
        ("ar", "انفجار"),
        ("ar", "تفجير"),
        ("ar", "هجوم"),
        ("ar", "هجمات"),
        ("ar", "غارة"),
        ("ar", "غارات"),
        ("ar", "مصرع"),
        ("ar", "طعن"),
        ("ar", "تحطم"),
        ("ar", "اغتيال"),
        ("ar", "دهس"),
        ("ar", "تدهس"),
        ("ar", "حريق"),
        ("ar", "زلزال"),
        ("ar", "إعصار"),
        ("en", "killed"),
        ("en", "dead"),
        ("en", "dies"),
        ("en", "wounded"),
        ("en", "injured"),
        ("en", "attack"),
        ("en", "explosion"),
        ("en", "blast"),
        ("en", "bombing"),
        ("en", "shooting"),
        ("en", "gunman"),
        ("en", "clashes"),
        ("en", "massacre"),
        ("en", "stabbing"),
        ("en", "crash"),
        ("en", "airstrikes"),
        ("en", "assassination"),
        ("en", "earthquake"),
        ("en", "floods"),
        ("en", "hurricane"),
    ] {
        let analysis = analyzer.analyze(&format!("{title} في المدينة city"), "", Some(lang));
        if !analysis.title_keys.iter().any(|k| keys.contains(k)) {
            missing.push(format!("{title}: {:?}", analysis.title_keys));
        }
    }
    assert!(
        missing.is_empty(),
        "title keys holding no incident key: {missing:?}"
    );
    // Words of reactions and ceremonies are not incidents.
    for (lang, title) in [
        ("ar", "افتتاح"),
        ("ar", "تدين"),
        ("ar", "اجتماع"),
        ("en", "opening"),
        ("en", "condemns"),
    ] {
        let analysis = analyzer.analyze(title, "", Some(lang));
        assert!(
            !analysis.title_keys.iter().any(|k| keys.contains(k)),
            "{title}: {:?}",
            analysis.title_keys
        );
    }
}
