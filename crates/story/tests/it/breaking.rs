//! Breaking needs independent outlets close together; reprints are one voice.

use ajil_model::ArticleId;
use ajil_story::{Clusterer, StoryInput, StoryOptions, StoryState};
use chrono::TimeDelta;

use crate::fixtures::{
    Art, INDEPENDENT, INDEPENDENT_TITLE, ORIGINAL_TITLE, PARAPHRASE, PARAPHRASE_TITLE, base,
    original_text, warm_clusterer,
};

#[test]
fn five_reprints_of_one_wire_story_are_not_breaking() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let mut story = None;
    for (i, site) in ["site-a", "site-b", "site-c", "site-d", "site-e"]
        .iter()
        .enumerate()
    {
        let mut art = Art::new(
            i as i64 + 1,
            site,
            i as i64 * 3,
            ORIGINAL_TITLE,
            &original_text(),
        );
        art.wire = Some("AFP".into());
        let a = clusterer.add(&art.input(), art.published);
        assert!(a.breaking.is_none(), "reprint {i} made the story breaking");
        assert_eq!(*story.get_or_insert(a.story), a.story);
    }
    let view = clusterer.story(story.unwrap()).unwrap();
    assert_eq!(view.articles.len(), 5);
    assert_eq!(view.outlets.len(), 5);
    assert_eq!(view.independent_outlet_count, 1);
    assert_eq!(view.copies.len(), 4);
    assert_eq!(view.state, StoryState::New);
    assert_eq!(view.breaking_at, None);
}

fn three_outlets(minutes: [i64; 3]) -> [Art; 3] {
    [
        Art::new(1, "skynews", minutes[0], ORIGINAL_TITLE, &original_text()),
        Art::new(2, "alarabia", minutes[1], PARAPHRASE_TITLE, PARAPHRASE),
        Art::new(3, "france24", minutes[2], INDEPENDENT_TITLE, INDEPENDENT),
    ]
}

#[test]
fn three_independent_outlets_within_half_an_hour_are_breaking_once() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let [a, b, c] = three_outlets([0, 10, 25]);

    let first = clusterer.add(&a.input(), a.published);
    assert_eq!(clusterer.story(first.story).unwrap().state, StoryState::New);

    let second = clusterer.add(&b.input(), b.published);
    assert_eq!(second.story, first.story);
    assert!(second.breaking.is_none());
    assert_eq!(
        clusterer.story(first.story).unwrap().state,
        StoryState::Developing
    );

    let third = clusterer.add(&c.input(), c.published);
    assert_eq!(third.story, first.story);
    let breaking = third.breaking.expect("third outlet makes it breaking");
    assert_eq!(breaking.at, c.published);
    let outlets: Vec<&str> = breaking
        .independent_outlets
        .iter()
        .map(|(o, _)| o.as_str())
        .collect();
    assert_eq!(outlets, ["skynews", "alarabia", "france24"]);
    assert_eq!(breaking.independent_outlets[0].1, a.published);

    let view = clusterer.story(first.story).unwrap();
    assert_eq!(view.state, StoryState::Breaking);
    assert_eq!(view.breaking_at, Some(c.published));

    // A fourth outlet does not announce it again.
    let d = Art::new(
        4,
        "bbc",
        28,
        PARAPHRASE_TITLE,
        &format!("{PARAPHRASE} وقالت مصادر محلية إن الانفجار سمع في أنحاء المدينة."),
    );
    let fourth = clusterer.add(&d.input(), d.published);
    assert_eq!(fourth.story, first.story);
    assert!(fourth.breaking.is_none());
}

#[test]
fn reports_from_quiet_sections_join_but_never_make_a_story_breaking() {
    for (section, breaking) in [
        ("sport", false),
        ("Sports", false),
        ("رياضة", false),
        ("middleEast", true),
    ] {
        let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
        let mut arts = three_outlets([0, 10, 25]);
        for art in &mut arts {
            art.section = Some(section.to_string());
        }
        let results: Vec<_> = arts
            .iter()
            .map(|a| clusterer.add(&a.input(), a.published))
            .collect();
        assert!(
            results.iter().all(|r| r.story == results[0].story),
            "{section}: one story"
        );
        assert_eq!(results[2].breaking.is_some(), breaking, "{section}");
        let view = clusterer.story(results[0].story).unwrap();
        assert_eq!(
            view.independent_outlet_count, 3,
            "{section}: still independent"
        );
    }
    // One report from the news section does not make three: two quiet voices stay quiet.
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let mut arts = three_outlets([0, 10, 25]);
    arts[0].section = Some("sport".into());
    arts[1].section = Some("sport".into());
    let last = arts
        .iter()
        .map(|a| clusterer.add(&a.input(), a.published))
        .last()
        .unwrap();
    assert!(last.breaking.is_none());
}

#[test]
fn three_outlets_spread_over_hours_are_only_developing() {
    let opts = StoryOptions {
        developing_window: TimeDelta::hours(2),
        ..StoryOptions::default()
    };
    let mut clusterer = warm_clusterer(opts, 300);
    let arts = three_outlets([0, 60, 130]);
    let mut story = None;
    for art in &arts {
        let a = clusterer.add(&art.input(), art.published);
        assert!(a.breaking.is_none());
        assert_eq!(*story.get_or_insert(a.story), a.story);
    }
    let view = clusterer.story(story.unwrap()).unwrap();
    assert_eq!(view.independent_outlet_count, 3);
    assert_eq!(view.state, StoryState::Developing);
}

/// The breaking verdicts of three outlets at `minutes`, asserting they form one story.
fn verdicts(minutes: [i64; 3]) -> Vec<bool> {
    let mut clusterer = warm_clusterer(StoryOptions::default(), 300);
    let mut story = None;
    three_outlets(minutes)
        .iter()
        .map(|art| {
            let a = clusterer.add(&art.input(), art.published);
            assert_eq!(*story.get_or_insert(a.story), a.story, "{minutes:?}");
            a.breaking.is_some()
        })
        .collect()
}

#[test]
fn a_flash_confirmed_hours_later_while_young_is_breaking() {
    // Two outlets five minutes apart, the third five hours later: still a new story.
    assert_eq!(verdicts([0, 5, 300]), [false, false, true]);
    // The same confirmation after the novelty window is a running topic.
    assert_eq!(verdicts([0, 5, 400]), [false, false, false]);
    // Without two reports close together, slow coverage is no flash.
    assert_eq!(verdicts([0, 60, 300]), [false, false, false]);
}

const URLS: [&str; 20] = [
    "u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12", "u13", "u14",
    "u15", "u16", "u17", "u18", "u19",
];

fn synthetic<'a>(
    id: i64,
    outlet: &'a str,
    keys: &'a [String],
    sig: &'a [u32],
    wire: &'a str,
) -> StoryInput<'a> {
    StoryInput {
        article: ArticleId(id),
        outlet,
        published: base() + TimeDelta::minutes(id),
        url: URLS[id as usize],
        canonical_url: None,
        title_keys: &keys[..3],
        keys,
        minhash: sig,
        content_hash: id as u64,
        sound: &[],
        title_sound: &[],
        wire: Some(wire),
        section: None,
        statement: false,
    }
}

#[test]
fn a_lightly_rewritten_wire_report_is_not_independent() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let keys: Vec<String> = (0..30).map(|i| format!("k{i}")).collect();
    let sig_a: Vec<u32> = (0..128).collect();
    // 40% of the signature shared: below the copy threshold, above the wire threshold.
    let sig_b: Vec<u32> = (0..128)
        .map(|i| if i < 51 { i } else { 1000 + i })
        .collect();
    let sig_c: Vec<u32> = (0..128).map(|i| 5000 + i).collect();

    let first = clusterer.add(&synthetic(1, "x", &keys, &sig_a, "AFP"), base());
    let second = clusterer.add(&synthetic(2, "y", &keys, &sig_b, "afp "), base());
    assert_eq!(second.story, first.story);
    assert_eq!(second.copy_of, None);
    assert!(!second.independent);
    // The same agency rewritten from scratch is a voice of its own.
    let third = clusterer.add(&synthetic(3, "z", &keys, &sig_c, "AFP"), base());
    assert_eq!(third.story, first.story);
    assert!(third.independent);
    assert_eq!(
        clusterer
            .story(first.story)
            .unwrap()
            .independent_outlet_count,
        2
    );
}

#[test]
fn the_baseline_raises_the_bar_after_a_busy_spell() {
    let opts = StoryOptions {
        baseline_budget: 1,
        ..StoryOptions::default()
    };
    let mut clusterer = Clusterer::new(opts).unwrap();
    // One story turns breaking with three outlets…
    let keys: Vec<String> = (0..30).map(|i| format!("a{i}")).collect();
    let mut breaking = Vec::new();
    for (i, outlet) in ["x", "y", "z"].iter().enumerate() {
        let sig: Vec<u32> = (0..128).map(|v| v + 1000 * i as u32).collect();
        let mut input = synthetic(i as i64 + 1, outlet, &keys, &sig, "");
        input.wire = None;
        breaking.push(clusterer.add(&input, input.published).breaking.is_some());
    }
    assert_eq!(breaking, [false, false, true]);
    // …so within the next day a second one needs four.
    let keys: Vec<String> = (0..30).map(|i| format!("b{i}")).collect();
    let mut breaking = Vec::new();
    for (i, outlet) in ["x", "y", "z", "w"].iter().enumerate() {
        let sig: Vec<u32> = (0..128).map(|v| v + 1000 * (10 + i as u32)).collect();
        let mut input = synthetic(10 + i as i64, outlet, &keys, &sig, "");
        input.wire = None;
        breaking.push(clusterer.add(&input, input.published).breaking.is_some());
    }
    assert_eq!(breaking, [false, false, false, true]);
}

#[test]
fn two_own_reports_and_a_reprint_within_the_hour_are_breaking() {
    let mut clusterer = warm_clusterer(StoryOptions::default(), 300);
    let [a, b, _] = three_outlets([0, 10, 0]);
    // A third outlet runs the first outlet's text: no third voice, but a third newsroom.
    let reprint = Art::new(3, "alarabia-mirror", 20, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&a.input(), a.published);
    let second = clusterer.add(&b.input(), b.published);
    assert!(second.breaking.is_none());
    let third = clusterer.add(&reprint.input(), reprint.published);
    assert_eq!(third.story, first.story);
    assert_eq!(third.copy_of, Some(ArticleId(1)));
    let breaking = third
        .breaking
        .expect("two voices and three outlets in the hour");
    let voices: Vec<&str> = breaking
        .independent_outlets
        .iter()
        .map(|(o, _)| o.as_str())
        .collect();
    assert_eq!(voices, ["skynews", "alarabia"]);
}

#[test]
fn one_report_and_two_reprints_are_not_breaking() {
    let mut clusterer = warm_clusterer(StoryOptions::default(), 300);
    for (i, outlet) in ["skynews", "mirror-a", "mirror-b"].iter().enumerate() {
        let art = Art::new(
            i as i64 + 1,
            outlet,
            5 * i as i64,
            ORIGINAL_TITLE,
            &original_text(),
        );
        assert!(
            clusterer
                .add(&art.input(), art.published)
                .breaking
                .is_none()
        );
    }
}

/// A reaction filed after the Surabaya bombing: it names the city and the attack but
/// tells of a condolence message, so it shares only a little with the reports.
const REACTION_TITLE: &str = "ماليزيا تعزي إندونيسيا وتدين تفجير سورابايا";
const REACTION: &str = "بعثت الحكومة الماليزية برقية تعزية إلى جاكرتا ووصفت تفجير سورابايا بأنه عمل جبان. \
وقالت وزارة الخارجية في كوالالمبور إنها تتابع التحقيقات وتقف مع الشعب الإندونيسي.";

/// Where the reaction lands `minutes_after` the three reports of
/// [`three_outlets`] (the third at minute 25, when the story turns breaking), with the
/// join threshold into a story that has just turned breaking set to `join`.
fn reaction_joins(minutes_after: i64, join: f64) -> bool {
    let opts = StoryOptions {
        breaking_join_threshold: join,
        breaking_join_window: TimeDelta::hours(5),
        ..StoryOptions::default()
    };
    let mut clusterer = Clusterer::new(opts).unwrap();
    let mut story = None;
    for art in three_outlets([0, 10, 25]) {
        story = Some(clusterer.add(&art.input(), art.published).story);
    }
    let story = story.unwrap();
    assert!(clusterer.story(story).unwrap().breaking_at.is_some());
    let reaction = Art::new(4, "bbc", 25 + minutes_after, REACTION_TITLE, REACTION);
    let placed = clusterer.add(&reaction.input(), reaction.published);
    placed.story == story
}

#[test]
fn a_story_that_just_turned_breaking_takes_its_angles_at_a_lower_bar() {
    // Under the ordinary bar the reaction starts a story of its own; under a lower bar
    // for a story that turned breaking an hour before, it joins.
    let ordinary = StoryOptions::default().event_threshold;
    assert!(!reaction_joins(60, ordinary));
    assert!(reaction_joins(60, 0.01));
    // The lower bar lasts the window from the flip, not the story's whole life.
    assert!(!reaction_joins(6 * 60, 0.01));
}

/// Where the reaction of [`reaction_joins`] lands when it comes in 15 minutes after the
/// first report, before the third outlet makes the story breaking (at minute 25), with
/// stories of up to `sweep` articles swept into a story as it turns breaking.
fn early_reaction_joins(sweep: usize) -> bool {
    let opts = StoryOptions {
        breaking_join_threshold: 0.01,
        breaking_sweep: sweep,
        ..StoryOptions::default()
    };
    let mut clusterer = Clusterer::new(opts).unwrap();
    let [a, b, c] = three_outlets([0, 10, 25]);
    let story = clusterer.add(&a.input(), a.published).story;
    assert_eq!(clusterer.add(&b.input(), b.published).story, story);
    let reaction = Art::new(4, "bbc", 15, REACTION_TITLE, REACTION);
    let early = clusterer.add(&reaction.input(), reaction.published);
    // Under the ordinary bar, before the flip, it is a story of its own.
    assert_ne!(early.story, story);
    let third = clusterer.add(&c.input(), c.published);
    assert_eq!(third.story, story);
    assert!(third.breaking.is_some());
    let swept = third.merged.contains(&early.story);
    assert_eq!(clusterer.story(early.story).is_none(), swept);
    let view = clusterer.story(story).unwrap();
    assert_eq!(view.articles.contains(&ArticleId(4)), swept);
    swept
}

#[test]
fn a_story_turning_breaking_takes_the_small_stories_of_its_angles_told_before() {
    assert!(early_reaction_joins(StoryOptions::default().breaking_sweep));
    assert!(!early_reaction_joins(0));
}
