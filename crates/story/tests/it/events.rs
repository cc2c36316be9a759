//! Independent reports of one happening join its story; other happenings do not.

use ajil_model::ArticleId;
use ajil_story::{Clusterer, StoryInput, StoryOptions};
use chrono::TimeDelta;

use crate::fixtures::{
    Art, INDEPENDENT, INDEPENDENT_TITLE, ORIGINAL_TITLE, PARAPHRASE, PARAPHRASE_TITLE, UNRELATED,
    base, original_text,
};

#[test]
fn paraphrase_and_independent_report_join_but_not_as_copies() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let mut background = Vec::new();
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        let art = Art::new(100 + i as i64, "background", -60 + i as i64, title, text);
        let a = clusterer.add(&art.input(), art.published);
        assert!(a.new_story, "unrelated article {i} joined {:?}", a.story);
        background.push(a.story);
    }

    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);
    assert!(first.new_story);

    let paraphrase = Art::new(2, "alarabia", 90, PARAPHRASE_TITLE, PARAPHRASE);
    let second = clusterer.add(&paraphrase.input(), paraphrase.published);
    assert_eq!(second.story, first.story);
    assert_eq!(second.copy_of, None);
    assert!(second.independent);

    let independent = Art::new(3, "france24", 150, INDEPENDENT_TITLE, INDEPENDENT);
    let third = clusterer.add(&independent.input(), independent.published);
    assert_eq!(third.story, first.story);
    assert_eq!(third.copy_of, None);
    assert!(third.independent);

    let view = clusterer.story(first.story).unwrap();
    assert_eq!(view.independent_outlet_count, 3);
    assert!(view.copies.is_empty());
    for story in background {
        assert_eq!(clusterer.story(story).unwrap().articles.len(), 1);
    }
}

#[test]
fn unrelated_articles_stay_apart_even_at_the_same_minute() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let _ = clusterer.add(&original.input(), original.published);
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        let art = Art::new(10 + i as i64, "cnn", 0, title, text);
        let a = clusterer.add(&art.input(), art.published);
        assert!(a.new_story, "{title} joined story {}", a.story);
        assert_eq!(a.copy_of, None);
    }
    assert_eq!(clusterer.story_ids().count(), 1 + UNRELATED.len());
}

/// Synthetic keys: `prefix0 prefix1 …`.
fn words(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

struct Synthetic {
    id: i64,
    outlet: String,
    url: String,
    title: Vec<String>,
    keys: Vec<String>,
}

impl Synthetic {
    fn new(id: i64, outlet: &str, title: Vec<String>, body: Vec<String>) -> Synthetic {
        let mut keys = title.clone();
        keys.extend(body);
        Synthetic {
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

#[test]
fn an_article_linking_two_stories_merges_them_into_the_older() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    // A window of a few hundred articles, as three days of a few outlets hold: in a
    // near-empty one the df prior rightly reads no word as a rare name yet.
    for i in 0..300 {
        let filler = Synthetic::new(
            100 + i,
            "filler",
            words(&format!("f{i}t"), 4),
            words(&format!("f{i}b"), 20),
        );
        let _ = clusterer.add(&filler.input(), base());
    }
    let a = Synthetic::new(1, "one", words("ta", 4), words("ba", 30));
    let b = Synthetic::new(2, "two", words("tb", 4), words("bb", 30));
    let story_a = clusterer.add(&a.input(), base()).story;
    let story_b = clusterer.add(&b.input(), base()).story;
    assert_ne!(story_a, story_b);

    let mut title = words("ta", 4);
    title.extend(words("tb", 4));
    let mut body = words("ba", 30);
    body.extend(words("bb", 30));
    let bridge = Synthetic::new(3, "three", title, body);
    let joined = clusterer.add(&bridge.input(), base() + TimeDelta::minutes(1));
    assert_eq!(joined.story, story_a.min(story_b));
    assert_eq!(joined.merged, vec![story_a.max(story_b)]);
    assert!(clusterer.story(story_a.max(story_b)).is_none());
    let view = clusterer.story(joined.story).unwrap();
    assert_eq!(
        view.articles,
        vec![ArticleId(1), ArticleId(2), ArticleId(3)]
    );
    assert_eq!(view.independent_outlet_count, 3);
}

#[test]
fn stories_older_than_the_window_are_evicted() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);
    clusterer.evict(original.published + TimeDelta::hours(71));
    assert!(clusterer.story(first.story).is_some());
    clusterer.evict(original.published + TimeDelta::hours(73));
    assert!(clusterer.story(first.story).is_none());
    assert_eq!(clusterer.article_count(), 0);

    // With the original gone, the same text starts a fresh story.
    let late = Art::new(2, "mirror", 73 * 60, ORIGINAL_TITLE, &original_text());
    let again = clusterer.add(&late.input(), late.published);
    assert!(again.new_story);
    assert_eq!(again.copy_of, None);
}

#[test]
fn a_report_sharing_a_story_core_joins_it() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    // The event's core words (c0..c5) are common enough in the window (a running topic)
    // not to count as rare names, so only wording links reports.
    let core = words("c", 6);
    for i in 0..300 {
        let mut body = words(&format!("f{i}b"), 20);
        if i % 20 == 0 {
            body.extend(core.iter().cloned());
        }
        let filler = Synthetic::new(100 + i, "filler", words(&format!("f{i}t"), 4), body);
        let _ = clusterer.add(&filler.input(), base());
    }
    // Reports with the core, a headline phrase of their own (`headline`) and body words
    // of their own.
    let report =
        |id: i64, outlet: &str, headline: &str, own: &str, title_own: usize, body_own: usize| {
            let mut title = core[..3].to_vec();
            title.extend(words(headline, title_own));
            let mut body = core.clone();
            body.extend(words(own, body_own));
            Synthetic::new(id, outlet, title, body)
        };
    let a = clusterer.add(&report(1, "one", "xt", "x", 3, 20).input(), base());
    let b = clusterer.add(&report(2, "two", "xt", "y", 3, 20).input(), base());
    assert_eq!(a.story, b.story);
    // The first two share a headline phrase, so they join each other. A third report in
    // other words shares only the core with each: no single report matches it well
    // enough, but what the story's reports share does.
    let third = report(3, "three", "zt", "z", 2, 10);
    let with_core = clusterer.add(&third.input(), base());
    assert_eq!(with_core.story, a.story);

    let opts = StoryOptions {
        core_weight: 0.0,
        ..StoryOptions::default()
    };
    let mut without_core = Clusterer::new(opts).unwrap();
    for i in 0..300 {
        let mut body = words(&format!("f{i}b"), 20);
        if i % 20 == 0 {
            body.extend(core.iter().cloned());
        }
        let filler = Synthetic::new(100 + i, "filler", words(&format!("f{i}t"), 4), body);
        let _ = without_core.add(&filler.input(), base());
    }
    let _ = without_core.add(&report(1, "one", "xt", "x", 3, 20).input(), base());
    let _ = without_core.add(&report(2, "two", "xt", "y", 3, 20).input(), base());
    assert!(without_core.add(&third.input(), base()).new_story);
}
