//! Two happenings told together: a report placed in one story confirms the other.
//!
//! A ceremony is reported by three outlets hours apart (never breaking on its own
//! timing); the clashes beside it are reported by two more. Reports that lead with the
//! clashes but also tell the ceremony join the clashes' story, and bring the
//! ceremony's confirmation together in time.

use ajil_model::{ArticleId, StoryId};
use ajil_story::{Assignment, Clusterer, StoryInput, StoryOptions, StoryState};
use chrono::TimeDelta;

use crate::fixtures::{base, warm_clusterer};

/// Keys `{prefix}0..{prefix}{n}`.
fn words(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// Adds an article of `outlet` at `minutes` after the base time whose title and body
/// keys are given; no signature, so nothing is a copy.
fn add(
    c: &mut Clusterer,
    id: i64,
    outlet: &str,
    minutes: i64,
    title: &[String],
    body: &[String],
) -> Assignment {
    place(c, id, outlet, minutes, title, body, None)
}

/// [`add`], or with `story` the restart's [`Clusterer::add_with_story`].
fn place(
    c: &mut Clusterer,
    id: i64,
    outlet: &str,
    minutes: i64,
    title: &[String],
    body: &[String],
    story: Option<StoryId>,
) -> Assignment {
    let mut keys = title.to_vec();
    keys.extend_from_slice(body);
    let url = format!("https://{outlet}.example/{id}");
    let published = base() + TimeDelta::minutes(minutes);
    let input = StoryInput {
        article: ArticleId(id),
        outlet,
        published,
        url: &url,
        canonical_url: None,
        title_keys: title,
        keys: &keys,
        minhash: &[],
        content_hash: 0,
        sound: &[],
        title_sound: &[],
        wire: None,
        section: None,
        statement: false,
    };
    match story {
        Some(story) => c.add_with_story(&input, story, published),
        None => c.add(&input, published),
    }
}

/// A clusterer where stories never merge, so the two happenings stay apart.
fn clusterer() -> Clusterer {
    let opts = StoryOptions {
        merge_threshold: 1.0,
        ..StoryOptions::default()
    };
    warm_clusterer(opts, 300)
}

/// Title and body of a report on both happenings, leading with the clashes.
fn both() -> (Vec<String>, Vec<String>) {
    let mut title = words("clash", 6);
    title.extend(words("ceremony", 3));
    let mut body = words("clashbody", 20);
    body.extend(words("ceremonybody", 12));
    (title, body)
}

#[test]
fn reports_in_a_sibling_story_bring_the_confirmation_together() {
    let mut c = clusterer();
    let (ceremony, ceremony_body) = (words("ceremony", 6), words("ceremonybody", 30));
    let (clash, clash_body) = (words("clash", 6), words("clashbody", 30));
    let first = add(&mut c, 1, "skynews", 0, &ceremony, &ceremony_body);
    for (id, outlet, minutes) in [(2, "alarabia", 180), (3, "france24", 360)] {
        let a = add(&mut c, id, outlet, minutes, &ceremony, &ceremony_body);
        assert_eq!(a.story, first.story, "{outlet} joins the ceremony");
        assert!(
            a.breaking.is_none(),
            "three outlets over six hours are not breaking"
        );
    }
    let clashes = add(&mut c, 4, "bbc", 300, &clash, &clash_body);
    assert_ne!(clashes.story, first.story);

    let (title, body) = both();
    let a = add(&mut c, 5, "cnn", 365, &title, &body);
    assert_eq!(a.story, clashes.story, "the report leads with the clashes");
    assert!(a.also_breaking.is_empty(), "two outlets within two hours");
    let b = add(&mut c, 6, "aljazeera", 370, &title, &body);
    assert_eq!(b.story, clashes.story);
    let [(id, breaking)] = b.also_breaking.as_slice() else {
        panic!("the ceremony turns breaking with the third outlet: {b:?}");
    };
    assert_eq!(*id, first.story);
    let outlets: Vec<&str> = breaking
        .independent_outlets
        .iter()
        .map(|(o, _)| o.as_str())
        .collect();
    assert_eq!(outlets, ["france24", "cnn", "aljazeera"]);

    let ceremony_view = c.story(first.story).unwrap();
    assert_eq!(ceremony_view.state, StoryState::Breaking);
    assert_eq!(ceremony_view.articles.len(), 3, "support adds no article");
    assert_eq!(ceremony_view.independent_outlet_count, 3);
}

#[test]
fn support_never_makes_up_the_count() {
    let mut c = clusterer();
    let (ceremony, ceremony_body) = (words("ceremony", 6), words("ceremonybody", 30));
    let (clash, clash_body) = (words("clash", 6), words("clashbody", 30));
    // Two outlets of its own: three supporting reports still do not make it breaking.
    let first = add(&mut c, 1, "skynews", 0, &ceremony, &ceremony_body);
    let _ = add(&mut c, 3, "france24", 360, &ceremony, &ceremony_body);
    let clashes = add(&mut c, 4, "bbc", 300, &clash, &clash_body);
    let (title, body) = both();
    for (id, outlet, minutes) in [(5, "cnn", 365), (6, "aljazeera", 370), (7, "alhurra", 375)] {
        let a = add(&mut c, id, outlet, minutes, &title, &body);
        assert_eq!(a.story, clashes.story);
        assert!(a.also_breaking.is_empty(), "{outlet}: {a:?}");
    }
    assert_ne!(c.story(first.story).unwrap().state, StoryState::Breaking);
}

#[test]
fn a_restart_keeps_a_story_that_turned_breaking_on_support() {
    let mut c = clusterer();
    let (ceremony, ceremony_body) = (words("ceremony", 6), words("ceremonybody", 30));
    let (clash, clash_body) = (words("clash", 6), words("clashbody", 30));
    let (title, body) = both();
    let first = add(&mut c, 1, "skynews", 0, &ceremony, &ceremony_body);
    let _ = add(&mut c, 2, "alarabia", 180, &ceremony, &ceremony_body);
    let _ = add(&mut c, 3, "france24", 360, &ceremony, &ceremony_body);
    let _ = add(&mut c, 4, "bbc", 300, &clash, &clash_body);
    let _ = add(&mut c, 5, "cnn", 365, &title, &body);
    let turned = add(&mut c, 6, "aljazeera", 370, &title, &body);
    let at = turned.also_breaking[0].1.at;

    // Restored from stored story ids, the articles alone do not show it breaking;
    // the stored state brings it back.
    let mut restored = clusterer();
    let ceremony_reports = [
        (1, "skynews", 0),
        (2, "alarabia", 180),
        (3, "france24", 360),
    ];
    for (id, outlet, minutes) in ceremony_reports {
        let story = Some(first.story);
        let _ = place(
            &mut restored,
            id,
            outlet,
            minutes,
            &ceremony,
            &ceremony_body,
            story,
        );
    }
    assert_ne!(
        restored.story(first.story).unwrap().state,
        StoryState::Breaking
    );
    assert!(restored.restore_breaking(first.story, at));
    let view = restored.story(first.story).unwrap();
    assert_eq!(view.state, StoryState::Breaking);
    assert_eq!(view.breaking_at, Some(at));
    assert!(!restored.restore_breaking(first.story, at), "once");
    assert!(!restored.restore_breaking(StoryId(999_999_999), at));
}
