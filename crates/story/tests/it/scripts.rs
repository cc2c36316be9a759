//! Reports of one happening in English and in Arabic join one story (names and numbers
//! meet through their sound skeletons); other happenings with the same names do not.

use ajil_story::{Assignment, Clusterer, StoryOptions};

use crate::fixtures::{Art, UNRELATED};

/// (id, outlet, minutes, language, title, text)
type Report = (
    i64,
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static str,
);

/// A stream of reports in two scripts: three happenings told in both (two of them
/// with the same president), one in Arabic alone that shares a place with another,
/// and unrelated news in both. Most reports in the other script are translations;
/// the Kremlin's confirmation and the second English report from Gaza are outlets'
/// own reports, sharing the names, places and numbers.
const STREAM: &[Report] = &[
    // The Helsinki summit, announced.
    (
        1,
        "wire-en",
        0,
        "en",
        "Trump and Putin to meet in Helsinki on July 16",
        "US President Donald Trump and Russian President Vladimir Putin will hold a summit \
         in Helsinki, Finland, on July 16, the White House and the Kremlin said on Thursday. \
         The meeting will be the first formal summit between the two leaders. Trump said he \
         would raise Syria and Ukraine with Putin.",
    ),
    // Unrelated news in English, in between.
    (
        2,
        "tech-en",
        5,
        "en",
        "Apple unveils a cheaper iPhone at its California event",
        "Apple showed a cheaper iPhone model on Tuesday at an event at its headquarters in \
         Cupertino, California, betting that a lower price will revive sales in China and \
         India. The phone goes on sale next month.",
    ),
    // The summit, as an Arabic outlet translated it.
    (
        3,
        "news-ar",
        25,
        "ar",
        "ترامب وبوتين يلتقيان في هلسنكي في 16 يوليو",
        "قال البيت الأبيض والكرملين يوم الخميس إن الرئيس الأمريكي دونالد ترامب والرئيس الروسي \
         فلاديمير بوتين سيعقدان قمة في هلسنكي عاصمة فنلندا في 16 يوليو. وسيكون اللقاء أول قمة \
         رسمية بين الزعيمين. وقال ترامب إنه سيثير ملفي سوريا وأوكرانيا مع بوتين.",
    ),
    // Gaza: the Arabic report comes first.
    (
        4,
        "tv-ar",
        60,
        "ar",
        "مقتل 58 فلسطينيا برصاص الجيش الإسرائيلي على حدود غزة",
        "قتل 58 فلسطينيا وأصيب أكثر من ألفين آخرين برصاص الجيش الإسرائيلي خلال احتجاجات على \
         حدود قطاع غزة يوم الاثنين، بالتزامن مع افتتاح السفارة الأمريكية في القدس، بحسب وزارة \
         الصحة في غزة. ودعت حركة حماس إلى مواصلة الاحتجاجات.",
    ),
    // Another Arabic report from Gaza the same day: another happening.
    (
        5,
        "radio-ar",
        70,
        "ar",
        "نقص حاد في الأدوية في مستشفيات غزة",
        "حذرت وزارة الصحة في غزة من نفاد الأدوية والمستلزمات الطبية في مستشفيات القطاع، \
         وقالت إن غرف العمليات تعمل بأقل من نصف طاقتها بسبب انقطاع الكهرباء ونقص الوقود.",
    ),
    // Gaza, as an English outlet translated it.
    (
        6,
        "paper-en",
        80,
        "en",
        "58 Palestinians killed by Israeli army fire on the Gaza border",
        "58 Palestinians were killed and more than two thousand others wounded by Israeli \
         army fire during protests on the border of the Gaza Strip on Monday, as the US \
         embassy opened in Jerusalem, according to the health ministry in Gaza. The Hamas \
         movement called for the protests to continue.",
    ),
    // Gaza, an English outlet's own report.
    (
        10,
        "daily-en",
        95,
        "en",
        "Israeli forces kill 58 Palestinians in Gaza border protests",
        "Israeli troops killed 58 Palestinians and wounded more than two thousand during \
         protests along the Gaza border on Monday, as the United States opened its embassy \
         in Jerusalem, the Gaza health ministry said. Hamas called for the protests to go on.",
    ),
    // Singapore: the same president, another summit.
    (
        7,
        "wire-en",
        120,
        "en",
        "Trump and Kim Jong Un meet in Singapore",
        "US President Donald Trump and North Korean leader Kim Jong Un shook hands in \
         Singapore on Tuesday at the start of their first summit, which is meant to end the \
         nuclear standoff on the Korean peninsula. Kim said the past had been an obstacle.",
    ),
    (
        8,
        "tv-ar",
        135,
        "ar",
        "ترامب يصافح كيم جونغ أون في سنغافورة",
        "تصافح الرئيس الأمريكي دونالد ترامب والزعيم الكوري الشمالي كيم جونغ أون في سنغافورة \
         يوم الثلاثاء في بداية أول قمة بينهما لإنهاء الأزمة النووية في شبه الجزيرة الكورية. \
         وقال كيم إن الماضي كان عقبة.",
    ),
    // The Helsinki summit again, an Arabic outlet's own report.
    (
        9,
        "site-ar",
        150,
        "ar",
        "الكرملين يؤكد قمة بوتين وترامب في هلسنكي",
        "أكد مستشار الكرملين يوري أوشاكوف أن الرئيس فلاديمير بوتين سيلتقي نظيره الأمريكي دونالد \
         ترامب في هلسنكي يوم 16 يوليو، في أول قمة رسمية بينهما، وأن الجانبين سيبحثان ملفات سوريا \
         وأوكرانيا والحد من التسلح.",
    ),
];

fn art(report: &Report) -> Art {
    let (id, outlet, minutes, lang, title, text) = *report;
    let mut art = Art::new(id, outlet, minutes, title, text);
    art.analysis = ajil_analyze::Analyzer::new().analyze(title, text, Some(lang));
    art
}

/// Unrelated Arabic news an hour before the stream, so the window has a vocabulary.
fn background(clusterer: &mut Clusterer) {
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        let mut a = Art::new(100 + i as i64, "background", -60 + i as i64, title, text);
        a.analysis = ajil_analyze::Analyzer::new().analyze(title, text, Some("ar"));
        let placed = clusterer.add(&a.input(), a.published);
        assert!(placed.new_story);
    }
}

fn replay(clusterer: &mut Clusterer) -> Vec<(i64, Assignment)> {
    background(clusterer);
    STREAM
        .iter()
        .map(|report| {
            let a = art(report);
            (a.id, clusterer.add(&a.input(), a.published))
        })
        .collect()
}

#[test]
fn one_happening_in_two_scripts_is_one_story() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    let placed = replay(&mut clusterer);
    let story = |id: i64| {
        let (_, a) = placed.iter().find(|(i, _)| *i == id).unwrap();
        // Merges keep the oldest id: follow them through the final stories.
        clusterer
            .story_ids()
            .find(|s| {
                clusterer
                    .story(*s)
                    .is_some_and(|v| v.articles.iter().any(|a| a.0 == id))
            })
            .unwrap_or(a.story)
    };
    // Helsinki in English, its translation and an Arabic outlet's own report.
    assert_eq!(story(3), story(1), "the Arabic translation of the summit");
    assert_eq!(story(9), story(1), "the Kremlin's confirmation");
    // Gaza, Arabic first, then English.
    assert_eq!(
        story(6),
        story(4),
        "the English report of the Gaza killings"
    );
    // Singapore in both scripts, apart from Helsinki.
    assert_eq!(story(8), story(7));
    assert_ne!(story(7), story(1), "two summits of one president");
    // Other news stays apart, whatever names it shares.
    assert_ne!(story(5), story(4), "the shortage of medicine in Gaza");
    assert_ne!(story(2), story(1));
    let mut stories: Vec<_> = (1..=10).map(story).collect();
    stories.sort_unstable();
    stories.dedup();
    assert_eq!(
        stories.len(),
        5,
        "Helsinki, Gaza, Singapore, medicine, Apple"
    );

    // Reports in another script are their own voices, not copies.
    for (id, a) in &placed {
        assert_eq!(a.copy_of, None, "article {id}");
        assert!(a.independent, "article {id}");
    }
}

#[test]
fn one_agency_in_two_scripts_is_one_voice() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    background(&mut clusterer);
    let mut english = art(&STREAM[0]);
    english.wire = Some("AFP".into());
    let first = clusterer.add(&english.input(), english.published);
    let mut arabic = art(&STREAM[2]);
    arabic.wire = Some("afp".into());
    let second = clusterer.add(&arabic.input(), arabic.published);
    assert_eq!(second.story, first.story);
    assert!(
        !second.independent,
        "a translation of the agency's own report"
    );
    let view = clusterer.story(first.story).unwrap();
    assert_eq!(view.independent_outlet_count, 1);
}

#[test]
fn a_stream_in_one_script_never_compares_skeletons() {
    // The Arabic reports alone: Helsinki's translation and the Kremlin's confirmation
    // still meet in their own words, and nothing else changes.
    let mut with = Clusterer::new(StoryOptions::default()).unwrap();
    let mut without = Clusterer::new(StoryOptions {
        cross_script_threshold: 1.0,
        ..StoryOptions::default()
    })
    .unwrap();
    for clusterer in [&mut with, &mut without] {
        background(clusterer);
    }
    for report in STREAM.iter().filter(|r| r.3 == "ar") {
        let a = art(report);
        assert_eq!(
            with.add(&a.input(), a.published),
            without.add(&a.input(), a.published)
        );
    }
}

#[test]
fn a_rebuilt_window_still_joins_across_scripts() {
    // Stories rebuilt from the store (in English), then the Arabic translation arrives.
    let mut live = Clusterer::new(StoryOptions::default()).unwrap();
    let english = art(&STREAM[0]);
    let first = live.add(&english.input(), english.published);
    let mut rebuilt = Clusterer::new(StoryOptions::default()).unwrap();
    let _ = rebuilt.add_with_story(&english.input(), first.story, english.published);
    let arabic = art(&STREAM[2]);
    let joined = rebuilt.add(&arabic.input(), arabic.published);
    assert_eq!(joined.story, first.story);
    assert_eq!(live.add(&arabic.input(), arabic.published), joined);
}
