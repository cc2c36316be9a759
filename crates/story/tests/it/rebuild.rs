//! The same articles in the same order give the same stories, and a clusterer can be
//! restored from stored story ids.

use ajil_model::StoryId;
use ajil_story::{Assignment, Clusterer, StoryOptions};

use crate::fixtures::{
    Art, INDEPENDENT, INDEPENDENT_TITLE, ORIGINAL_TITLE, PARAPHRASE, PARAPHRASE_TITLE, UNRELATED,
    edited_reprint, original_text,
};

fn stream() -> Vec<Art> {
    let (reprint_title, reprint_text) = edited_reprint();
    let mut arts = vec![
        Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text()),
        Art::new(2, "syndicator", 4, &reprint_title, &reprint_text),
        Art::new(3, "alarabia", 12, PARAPHRASE_TITLE, PARAPHRASE),
        Art::new(4, "mirror", 14, ORIGINAL_TITLE, &original_text()),
        Art::new(5, "france24", 20, INDEPENDENT_TITLE, INDEPENDENT),
    ];
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        arts.push(Art::new(
            10 + i as i64,
            "cnn",
            2 + 3 * i as i64,
            title,
            text,
        ));
    }
    arts.sort_by_key(|a| (a.published, a.id));
    arts
}

fn replay(arts: &[Art]) -> (Clusterer, Vec<Assignment>) {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let assignments = arts
        .iter()
        .map(|a| clusterer.add(&a.input(), a.published))
        .collect();
    (clusterer, assignments)
}

#[test]
fn replaying_the_same_stream_gives_the_same_assignments() {
    let arts = stream();
    let (first, a) = replay(&arts);
    let (second, b) = replay(&arts);
    assert_eq!(a, b);
    let ids: Vec<StoryId> = first.story_ids().collect();
    assert_eq!(ids, second.story_ids().collect::<Vec<_>>());
    for id in ids {
        assert_eq!(first.story(id), second.story(id));
    }
    // The stream holds 1 + 6 stories, one of them breaking.
    assert_eq!(first.story_ids().count(), 7);
    assert_eq!(a.iter().filter(|x| x.breaking.is_some()).count(), 1);
}

#[test]
fn restoring_from_stored_story_ids_rebuilds_the_stories() {
    let arts = stream();
    let (live, assignments) = replay(&arts);

    let max_id = assignments.iter().map(|a| a.story).max().unwrap();
    let mut restored = Clusterer::new(StoryOptions::default())
        .unwrap()
        .with_next_story_id(StoryId(max_id.0 + 1));
    for (art, stored) in arts.iter().zip(&assignments) {
        let again = restored.add_with_story(&art.input(), stored.story, art.published);
        assert_eq!(again.story, stored.story);
        assert_eq!(again.copy_of, stored.copy_of);
        assert_eq!(again.independent, stored.independent);
    }
    for id in live.story_ids() {
        assert_eq!(restored.story(id), live.story(id));
    }

    // New articles keep clustering, and new stories get fresh ids.
    let late = Art::new(50, "bbc", 40, PARAPHRASE_TITLE, PARAPHRASE);
    let joined = restored.add(&late.input(), late.published);
    assert_eq!(joined.story, assignments[0].story);
    let fresh = Art::new(
        51,
        "bbc",
        41,
        "زلزال بقوة ست درجات يضرب جزيرة في اليابان",
        "ضرب زلزال بقوة ست درجات جزيرة هوكايدو اليابانية دون أنباء عن أضرار أو تحذير من موجات تسونامي.",
    );
    let new = restored.add(&fresh.input(), fresh.published);
    assert!(new.new_story);
    assert!(new.story > max_id);
}

/// The first articles of the real multi-outlet stream, analysed by the stand-in analyser.
fn real_stream(n: usize) -> Vec<Art> {
    use std::io::{BufRead, BufReader};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/arabic-news/ant-multisource.jsonl.gz"
    );
    let file = std::fs::File::open(path).expect("shared data next to the repository");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    reader
        .lines()
        .take(n)
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
            let published = chrono::DateTime::parse_from_rfc3339(&field("published"))
                .unwrap()
                .with_timezone(&chrono::Utc);
            let mut art = Art::new(
                i as i64,
                &field("source"),
                0,
                &field("title"),
                &field("text"),
            );
            art.published = published;
            art.url = field("url");
            art
        })
        .collect()
}

#[test]
fn real_stream_replays_identically_and_evicts() {
    let arts = real_stream(400);
    let (first, a) = replay(&arts);
    let (second, b) = replay(&arts);
    assert_eq!(a, b);
    // Some articles join stories, most start their own, and the window keeps only recent ones.
    let joined = a.iter().filter(|x| !x.new_story).count();
    assert!(
        joined > 0 && joined < arts.len() / 2,
        "{joined} of {} joined",
        arts.len()
    );
    assert!(first.article_count() < arts.len());
    let open: Vec<_> = first.story_ids().collect();
    assert_eq!(open, second.story_ids().collect::<Vec<_>>());
    for id in open {
        let view = first.story(id).unwrap();
        assert!(view.last_seen >= arts.last().unwrap().published - chrono::TimeDelta::hours(72));
    }
}
