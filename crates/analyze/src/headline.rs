//! The part of a headline that is its own news.
//!
//! Headlines often date their news by another happening: "غداة هجمات الكنائس..
//! انفجار في مبنى للشرطة" (the day after the church attacks, a blast at a police
//! building), "قتلى ومواجهات بغزة قبل تدشين السفارة" (deaths and clashes in Gaza
//! before the embassy opening), "Dozens killed ahead of embassy opening". The words
//! after such a time anchor name the earlier or concurrent happening, not this one,
//! so they are left out of the title's keys (the body keeps them).

use crate::normalize::normalize;

/// Normalized words that open a time anchor: the rest of the headline clause names
/// the happening the news is dated by.
const ANCHORS: &[&str] = &[
    // before, after, the day after, the eve of, coinciding with, on the day of
    "قبل",
    "بعد",
    "غداه",
    "عشيه",
    "تزامنا",
    "بالتزامن",
    "بيوم",
    "before",
    "after",
    "ahead",
    "amid",
    "following",
];

/// Characters that end a headline clause.
fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '.' | '…' | ':' | '|' | '؛' | '،' | ',' | ';' | '–' | '—' | '؟' | '?' | '!'
    )
}

/// `title` without the time anchors of its clauses, or `None` when it has none.
pub(crate) fn without_time_anchors(title: &str) -> Option<String> {
    let mut kept = String::with_capacity(title.len());
    let mut cut = false;
    for clause in title.split(ends_clause) {
        for word in clause.split_whitespace() {
            if ANCHORS.contains(&normalize(word).as_str()) {
                cut = true;
                break;
            }
            kept.push_str(word);
            kept.push(' ');
        }
        kept.push_str(". ");
    }
    cut.then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchor_clause_is_left_out() {
        assert_eq!(
            normalize(
                &without_time_anchors("غداة هجمات الكنائس.. انفجار في مبنى للشرطة بإندونيسيا")
                    .unwrap()
            ),
            "انفجار في مبني للشرطه باندونيسيا"
        );
        assert_eq!(
            normalize(
                &without_time_anchors("مقتل شخص في مواجهات على الحدود قبل تدشين السفارة").unwrap()
            ),
            "مقتل شخص في مواجهات علي الحدود"
        );
        assert_eq!(
            normalize(
                &without_time_anchors("Dozens killed in Gaza ahead of embassy opening: reports")
                    .unwrap()
            ),
            "dozens killed in gaza reports"
        );
        assert_eq!(
            without_time_anchors("الولايات المتحدة تفتتح رسميا سفارتها في القدس"),
            None
        );
    }
}
