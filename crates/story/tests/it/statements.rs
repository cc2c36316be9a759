//! Statements told hours after a story broke settle into it (see
//! `StoryOptions::statement_threshold`): the real analyser marks the headlines.

use ajil_model::StoryId;
use ajil_story::{Assignment, Clusterer, StoryOptions};
use chrono::TimeDelta;

use crate::fixtures::Art;

fn art(id: i64, outlet: &str, minutes: i64, title: &str, text: &str) -> Art {
    let mut a = Art::new(id, outlet, minutes, title, text);
    a.analysis = ajil_analyze::Analyzer::new().analyze(title, text, Some("ar"));
    a
}

/// The killings at the border, told by three outlets within half an hour.
fn killings() -> Vec<Art> {
    vec![
        art(
            1,
            "outlet-a",
            0,
            "مقتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود غزة",
            "قتل الجيش الإسرائيلي عشرات الفلسطينيين وأصاب أكثر من ألفين بالرصاص الحي خلال احتجاجات مسيرة العودة على السياج الحدودي شرق قطاع غزة. وقالت وزارة الصحة في غزة إن بين القتلى أطفالا ومسعفين.",
        ),
        art(
            2,
            "outlet-b",
            12,
            "غزة.. عشرات القتلى والجرحى برصاص الجيش الإسرائيلي",
            "أعلنت وزارة الصحة في قطاع غزة سقوط عشرات القتلى وآلاف الجرحى برصاص الجيش الإسرائيلي قرب السياج الحدودي حيث تظاهر الفلسطينيون في مسيرة العودة.",
        ),
        art(
            3,
            "outlet-c",
            25,
            "يوم دام على حدود غزة: عشرات القتلى في احتجاجات مسيرة العودة",
            "سقط عشرات القتلى الفلسطينيين وأصيب المئات بنيران القناصة الإسرائيليين على حدود قطاع غزة، في أكثر الأيام دموية منذ حرب 2014، وفق وزارة الصحة.",
        ),
    ]
}

/// A reaction five hours later, in words of its own.
fn reaction() -> Art {
    art(
        10,
        "outlet-d",
        300,
        "الإمارات تدين التصعيد الإسرائيلي في غزة",
        "أدانت دولة الإمارات بشدة استهداف المدنيين الفلسطينيين العزل في قطاع غزة، ودعت المجتمع الدولي إلى تحمل مسؤولياته لوقف التصعيد وحماية الشعب الفلسطيني، معربة عن تعازيها لأسر الضحايا.",
    )
}

/// A statement on something else the same evening.
fn elsewhere() -> Art {
    art(
        11,
        "outlet-e",
        310,
        "وزير الخارجية الفرنسي: ندعو إلى انتخابات في ليبيا قبل نهاية العام",
        "قال وزير الخارجية الفرنسي جان إيف لودريان إن بلاده تدعو الأطراف الليبية إلى الاتفاق على موعد للانتخابات الرئاسية والبرلمانية قبل نهاية العام، خلال مؤتمر صحفي في باريس.",
    )
}

/// Weather, the next morning: any later article settles what is due.
fn later() -> Art {
    art(
        20,
        "outlet-a",
        600,
        "أمطار غزيرة متوقعة على السواحل المغربية",
        "توقعت الأرصاد الجوية المغربية هطول أمطار غزيرة على السواحل الشمالية خلال اليومين المقبلين مع انخفاض درجات الحرارة.",
    )
}

fn add(c: &mut Clusterer, a: &Art) -> Assignment {
    c.add(&a.input(), a.published)
}

#[test]
fn a_reaction_told_hours_after_the_story_broke_settles_into_it() {
    let opts = StoryOptions::default();
    assert!(opts.statement_settle <= TimeDelta::minutes(600 - 310));
    let mut c = Clusterer::new(opts).unwrap();
    let placed: Vec<Assignment> = killings().iter().map(|a| add(&mut c, a)).collect();
    let story = placed[0].story;
    assert!(placed.iter().all(|p| p.story == story), "{placed:?}");
    assert!(
        c.story(story).unwrap().breaking_at.is_some(),
        "three outlets within half an hour"
    );

    let r = reaction();
    assert!(r.analysis.statement, "a reaction headline");
    let first = add(&mut c, &r);
    assert!(first.new_story, "too few shared words to join: {first:?}");
    let other = elsewhere();
    assert!(other.analysis.statement, "a speaker and a colon");
    let second = add(&mut c, &other);
    assert!(second.new_story);

    let next = add(&mut c, &later());
    assert_eq!(next.settled, vec![(first.story, story)]);
    let view = c.story(story).unwrap();
    assert!(view.articles.contains(&r.input().article), "{view:?}");
    assert!(c.story(first.story).is_none(), "merged away");
    assert!(c.story(second.story).is_some(), "Libya stays apart");
}

#[test]
fn a_statement_two_outlets_report_stays_its_own_story() {
    let mut c = Clusterer::new(StoryOptions::default()).unwrap();
    for a in killings() {
        let _ = add(&mut c, &a);
    }
    let r = reaction();
    let first = add(&mut c, &r);
    assert!(first.new_story);
    // A second outlet's report of the same statement, in the same words.
    let mut again = art(
        12,
        "outlet-e",
        320,
        "الإمارات تدين التصعيد الإسرائيلي في قطاع غزة",
        "قالت وزارة الخارجية الإماراتية في بيان إن أبوظبي تدين التصعيد الإسرائيلي، وطالبت بتوفير الحماية للفلسطينيين في القطاع وبتحقيق في سقوط الضحايا.",
    );
    again.url = "https://outlet-e.example/12".into();
    let joined = add(&mut c, &again);
    assert_eq!(joined.story, first.story, "{joined:?}");
    assert!(joined.independent);
    let next = add(&mut c, &later());
    assert!(next.settled.is_empty(), "{next:?}");
    assert!(c.story(first.story).is_some());
}

#[test]
fn a_restart_settles_the_same_statements() {
    let mut live = Clusterer::new(StoryOptions::default()).unwrap();
    let mut stored: Vec<(Art, StoryId)> = Vec::new();
    for a in killings().into_iter().chain([reaction(), elsewhere()]) {
        let got = add(&mut live, &a);
        stored.push((a, got.story));
    }
    // The process stops here; the next one rebuilds the window from the store.
    let mut rebuilt = Clusterer::new(StoryOptions::default())
        .unwrap()
        .with_next_story_id(StoryId(1000));
    for (a, story) in &stored {
        let _ = rebuilt.add_with_story(&a.input(), *story, a.published);
    }
    let after_live = add(&mut live, &later());
    let after_rebuilt = add(&mut rebuilt, &later());
    assert!(!after_live.settled.is_empty());
    assert_eq!(after_live.settled, after_rebuilt.settled);
}
