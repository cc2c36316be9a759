use ajil_analyze::{Analyzer, article_match_keys, match_keys};
use ajil_query::{DocIndex, Query, QuerySet};

fn keys(text: &str) -> Vec<String> {
    match_keys(text, None)
}

/// Whether `query` matches an article with this title and body, keyed as the
/// pipeline keys it (match keys of title and body, language from the analysis).
fn hit(query: &str, title: &str, body: &str, source: &str) -> bool {
    let analysis = Analyzer::new().analyze(title, body, None);
    let compiled = Query::parse(query).unwrap().compile(&keys);
    let article = article_match_keys(&format!("{title}\n{body}"), Some(&analysis.lang));
    let index = DocIndex::with_variants(&article.keys, &article.variants);
    compiled.matches_index(&index, &analysis.lang, source)
}

const LAVROV: &str = "وصل وزير الخارجية الرُّوسي سيرغي ولافروف إلى بإسطنبول أمس للقاء نظيره التركي";

#[test]
fn arabic_query_meets_its_variants() {
    // Clitics (و, ب), diacritics and alef forms on the article side.
    assert!(hit("لافروف إسطنبول", "", LAVROV, "x"));
    assert!(hit("لافروف اسطنبول", "", LAVROV, "x"));
    // Diacritics and the article on the query side.
    assert!(hit("الرّوسيّ لافروف", "", LAVROV, "x"));
    assert!(hit("\"وزير الخارجية الروسي\"", "", LAVROV, "x"));
    assert!(hit("\"الوزير خارجية روسي\"", "", LAVROV, "x"));
    assert!(!hit("لافروف أنقرة", "", LAVROV, "x"));
    assert!(!hit("\"الخارجية وزير\"", "", LAVROV, "x"));
}

#[test]
fn definite_and_prepositional_forms_meet() {
    let body = "وقال للرئيس الفلسطيني إن الوضع بغزة صعب وبالقدس أصعب";
    assert!(hit("الرئيس", "", body, "x"));
    assert!(hit("رئيس فلسطيني", "", body, "x"));
    assert!(hit("الفلسطينيون", "", body, "x"));
    assert!(hit("غزة", "", body, "x"));
    assert!(hit("\"غزة صعب\"", "", body, "x"));
    assert!(hit("القدس", "", body, "x"));
}

#[test]
fn names_do_not_match_common_words() {
    // Each of these words once had the story key of the name before it.
    let body = "وقال الفنان إن الأمر يعود إلى امرأة تبيع التين في البحر";
    for name in ["لبنان", "الإمارات", "بوتين", "البحرين"] {
        assert!(!hit(name, "", body, "x"), "{name}");
    }
    let body = "وصل وفد من الإمارات إلى لبنان للقاء الرئيس اللبناني";
    assert!(hit("الإماراتي", "", body, "x"));
    assert!(hit("اللبنانيون", "", body, "x"));
}

#[test]
fn english_query_meets_inflections() {
    let body = "Foreign ministers were meeting in Istanbul for talks on the Iran deal.";
    assert!(hit("minister talk", "", body, "x"));
    assert!(hit("meet", "", body, "x"));
    assert!(hit("\"Iran deals\"", "", body, "x"));
    assert!(!hit("\"deal Iran\"", "", body, "x"));
}

#[test]
fn exclusions_and_filters() {
    let body = "كرة القدم في غزة تعود بعد توقف طويل";
    assert!(!hit("(غزة OR gaza) -كرة", "", body, "x"));
    assert!(hit("(غزة OR gaza) -\"كرة السلة\"", "", body, "x"));
    assert!(hit("غزة lang:ar,en", "", body, "x"));
    assert!(!hit("غزة lang:en", "", body, "x"));
    assert!(hit("غزة source:\"BBC Arabic\"", "", body, "BBC Arabic"));
    assert!(hit("غزة source:bbc", "", body, "BBC Arabic"));
    assert!(!hit("غزة source:\"BBC Arabic\"", "", body, "CNN"));
}

#[test]
fn query_set_finds_the_same_matches() {
    let queries = [
        "لافروف إسطنبول",
        "(غزة OR gaza) -كرة",
        "\"وزير الخارجية\" lang:ar",
        "talks -football",
        "لافروف source:cnn",
    ];
    let mut set = QuerySet::new();
    for (i, q) in queries.iter().enumerate() {
        set.insert(i, Query::parse(q).unwrap().compile(&keys));
    }
    let analysis = Analyzer::new().analyze("لافروف في تركيا", LAVROV, Some("ar"));
    let keys = article_match_keys(&format!("لافروف في تركيا\n{LAVROV}"), Some(&analysis.lang));
    let index = DocIndex::with_variants(&keys.keys, &keys.variants);
    assert_eq!(set.matching(&index, &analysis.lang, "BBC Arabic"), [0, 2]);
    assert_eq!(
        set.matching(&index, &analysis.lang, "CNN Arabic"),
        [0, 2, 4]
    );
}
