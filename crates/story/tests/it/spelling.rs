//! Outlets spell one foreign name their own way, each consistently ("ترمب" at one,
//! "ترامب" at the others; "أميركي" and "أمريكي"). Two reports of one happening that
//! differ in little else but those spellings must still meet.

use ajil_story::{Clusterer, StoryOptions};

use crate::fixtures::{Art, UNRELATED};

fn art(id: i64, outlet: &str, minutes: i64, title: &str, text: &str) -> Art {
    let mut art = Art::new(id, outlet, minutes, title, text);
    // The product's analyser, as the live pipeline runs it.
    art.analysis = ajil_analyze::Analyzer::new().analyze(title, text, Some("ar"));
    art
}

#[test]
fn reports_spelling_a_name_differently_join_one_story() {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        let a = art(100 + i as i64, "background", -60 + i as i64, title, text);
        let _ = clusterer.add(&a.input(), a.published);
    }

    let alarabia = art(
        1,
        "alarabia",
        0,
        "ترمب يهاتف نتنياهو بشأن الهدنة",
        "أجرى الرئيس الأميركي دونالد ترمب اتصالا هاتفيا مع رئيس الوزراء الإسرائيلي بنيامين نتنياهو \
         تناول الهدنة على الحدود الشمالية. وقال البيت الأبيض إن ترمب شدد على ضرورة احترام الاتفاق.",
    );
    let cnn = art(
        2,
        "cnn",
        40,
        "نتانياهو وترامب يبحثان الهدنة هاتفيا",
        "بحث دونالد ترامب مع بنيامين نتانياهو في مكالمة مساء الاثنين وقف إطلاق النار في الشمال، \
         بحسب بيان أمريكي. وأكد ترامب التزام واشنطن بدعم الهدنة.",
    );
    let first = clusterer.add(&alarabia.input(), alarabia.published);
    let second = clusterer.add(&cnn.input(), cnn.published);
    assert!(first.new_story);
    assert_eq!(second.story, first.story, "the two spellings did not meet");
    assert_eq!(second.copy_of, None);
    assert!(second.independent);
}
