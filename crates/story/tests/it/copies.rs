//! Reprints join their original as copies and do not count as a second voice.

use ajil_model::ArticleId;
use ajil_story::{Clusterer, StoryOptions};

use crate::analyzer::analyze;
use crate::fixtures::{Art, ORIGINAL_TITLE, UNRELATED, edited_reprint, original_text};

fn with_background() -> Clusterer {
    let mut clusterer = Clusterer::new(StoryOptions::default()).unwrap();
    for (i, (title, text)) in UNRELATED.iter().enumerate() {
        let art = Art::new(100 + i as i64, "background", -60 + i as i64, title, text);
        let _ = clusterer.add(&art.input(), art.published);
    }
    clusterer
}

#[test]
fn reprint_with_shortcodes_removed_is_an_exact_copy() {
    let mut clusterer = with_background();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);
    assert!(first.new_story);
    assert_eq!(first.copy_of, None);

    // Extraction already removed "[ad_1]" and "[caption]"; the text left is the same.
    let reprint = Art::new(2, "mirror-site", 20, ORIGINAL_TITLE, &original_text());
    assert_eq!(
        reprint.analysis.content_hash,
        original.analysis.content_hash
    );
    let second = clusterer.add(&reprint.input(), reprint.published);
    assert_eq!(second.story, first.story);
    assert!(!second.new_story);
    assert_eq!(second.copy_of, Some(ArticleId(1)));
    assert!(!second.independent);

    let view = clusterer.story(first.story).unwrap();
    assert_eq!(view.articles, vec![ArticleId(1), ArticleId(2)]);
    assert_eq!(view.copies, vec![(ArticleId(2), ArticleId(1))]);
    assert_eq!(view.outlets, vec!["mirror-site", "skynews"]);
    assert_eq!(view.independent_outlet_count, 1);
}

#[test]
fn reprint_with_a_few_changed_sentences_is_a_near_copy() {
    let mut clusterer = with_background();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);

    let (title, text) = edited_reprint();
    let reprint = Art::new(2, "syndicator", 45, &title, &text);
    assert_ne!(
        reprint.analysis.content_hash,
        original.analysis.content_hash
    );
    let second = clusterer.add(&reprint.input(), reprint.published);
    assert_eq!(second.story, first.story);
    assert_eq!(second.copy_of, Some(ArticleId(1)));

    // A copy of a copy points at the original, so one wire text stays one voice.
    let third = Art::new(3, "aggregator", 50, &title, &text);
    let third = clusterer.add(&third.input(), third.published);
    assert_eq!(third.copy_of, Some(ArticleId(1)));
}

#[test]
fn same_canonical_url_is_a_copy_even_with_other_text() {
    let mut clusterer = with_background();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);

    let updated = Art::new(
        2,
        "skynews-amp",
        5,
        "عنوان محدث",
        "نص مختلف تماما عن الخبر الأول",
    );
    let mut input = updated.input();
    input.canonical_url = Some(&original.url);
    let second = clusterer.add(&input, updated.published);
    assert_eq!(second.story, first.story);
    assert_eq!(second.copy_of, Some(ArticleId(1)));
}

#[test]
fn empty_bodies_do_not_copy_each_other() {
    let mut clusterer = with_background();
    let a = Art::new(1, "x", 0, "عنوان أول عن الطقس", "");
    let b = Art::new(2, "y", 1, "عنوان آخر عن الرياضة", "");
    assert_eq!(a.analysis.content_hash, 0);
    let _ = clusterer.add(&a.input(), a.published);
    let second = clusterer.add(&b.input(), b.published);
    assert_eq!(second.copy_of, None);
    assert!(second.new_story);
    // Text-less analysis is also what an analyser gives a title-only item.
    assert!(analyze("", "").minhash.is_empty());
}

#[test]
fn items_without_links_are_not_copies_by_their_missing_url() {
    let mut clusterer = with_background();
    let mut a = Art::new(1, "wire", 0, ORIGINAL_TITLE, &original_text());
    let mut b = Art::new(
        2,
        "wire",
        1,
        "المنتخب يفوز في المباراة الودية",
        "فاز المنتخب الوطني لكرة القدم مساء الأحد في مباراة ودية أقيمت على الملعب الكبير \
         استعدادا للبطولة القارية، وسجل المهاجم هدفين في الشوط الثاني أمام جمهور كبير.",
    );
    a.url = String::new();
    b.url = String::new();
    let first = clusterer.add(&a.input(), a.published);
    let second = clusterer.add(&b.input(), b.published);
    assert_eq!(second.copy_of, None);
    assert_ne!(second.story, first.story);
}

#[test]
fn reprint_with_ads_and_shortcodes_left_in_is_a_near_copy() {
    let mut clusterer = with_background();
    let original = Art::new(1, "skynews", 0, ORIGINAL_TITLE, &original_text());
    let first = clusterer.add(&original.input(), original.published);

    // A scraper site's copy: shortcodes the extractor did not know, an ad line and a
    // newsletter plug between the paragraphs.
    let mut noisy = vec!["[ad_1]".to_string()];
    for (i, sentence) in crate::fixtures::ORIGINAL.iter().enumerate() {
        noisy.push(sentence.to_string());
        if i == 3 {
            noisy.push("[caption id=\"attachment_5521\" align=\"aligncenter\"]".into());
            noisy.push("إعلان: احصل على أفضل العروض الآن".into());
        }
    }
    noisy.push("[ad_2] اشترك في نشرتنا البريدية".into());
    let reprint = Art::new(2, "scraper", 30, ORIGINAL_TITLE, &noisy.join(" "));
    assert_ne!(
        reprint.analysis.content_hash,
        original.analysis.content_hash
    );
    let second = clusterer.add(&reprint.input(), reprint.published);
    assert_eq!(second.story, first.story);
    assert_eq!(second.copy_of, Some(ArticleId(1)));
    assert!(!second.independent);
}
