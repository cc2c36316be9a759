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

/// Words of a headline that reports a reaction: condemns, denounces, calls on,
/// demands, is concerned, warns, welcomes, blames, supports, rejects, praises,
/// accuses, reactions. Matched as story keys (normalized and stemmed), so every
/// form the stemmer folds together counts.
const REACTION_WORDS: &[&str] = &[
    "تدين",
    "يدين",
    "ندين",
    "إدانة",
    "تستنكر",
    "يستنكر",
    "استنكار",
    "تدعو",
    "يدعو",
    "دعت",
    "تطالب",
    "يطالب",
    "قلق",
    "تحذر",
    "يحذر",
    "ترحب",
    "يرحب",
    "ترحيب",
    "يحمّل",
    "تحمّل",
    "تتحمل",
    "يتحمل",
    "تؤيد",
    "يؤيد",
    "تندد",
    "يندد",
    "تنديد",
    "ينددان",
    "ردود",
    "غضب",
    "ترفض",
    "يرفض",
    "رفض",
    "تشيد",
    "يشيد",
    "تتهم",
    "يتهم",
    "condemns",
    "denounces",
    "urges",
    "welcomes",
    "concerned",
    "blames",
    "warns",
    "reactions",
];

/// Normalized labels that head a headline before a colon without being anyone
/// speaking: "مباشر: …" (live), "شاهد: …" (watch), "Analysis: …".
const LABELS: &[&str] = &[
    "مباشر",
    "شاهد",
    "فيديو",
    "بالفيديو",
    "بالصور",
    "صور",
    "انفوغرافيك",
    "عاجل",
    "حصري",
    "رسميا",
    "تحليل",
    "راي",
    "live",
    "watch",
    "video",
    "breaking",
    "exclusive",
    "analysis",
    "opinion",
    "update",
];

/// Whether a headline reports what someone said or how they reacted: a speaker of
/// one to four words then a colon ("الكرملين: قلقون جدا…", "Macron: …"), or a
/// reaction word among its keys ([`REACTION_WORDS`]). Such reports follow a
/// happening for a day in words of their own. A topic before a colon ("فيضانات في
/// كيرالا: الحصيلة ترتفع…") reads the same and counts too: what the report is then
/// joined to is decided on its words, this only lets it be tried.
pub(crate) fn is_statement(title: &str, title_keys: &[String]) -> bool {
    static REACTION_KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let reactions = REACTION_KEYS.get_or_init(|| {
        let mut keys: Vec<String> = REACTION_WORDS
            .iter()
            .flat_map(|w| crate::story_keys(w, None))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    });
    if title_keys
        .iter()
        .any(|k| reactions.binary_search(k).is_ok())
    {
        return true;
    }
    let Some((speaker, said)) = title.split_once(':') else {
        return false;
    };
    let words = speaker.split_whitespace().count();
    (1..=4).contains(&words)
        && said.split_whitespace().count() >= 2
        && !LABELS.contains(&normalize(speaker.trim()).to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(title: &str) -> bool {
        is_statement(title, &crate::story_keys(title, None))
    }

    #[test]
    fn statements_and_reactions_are_told_from_other_headlines() {
        for title in [
            "الكرملين: قلقون جدا من مقتل عشرات الفلسطينيين",
            "الإمارات تدين التصعيد الإسرائيلي في غزة",
            "الدول الكبرى تدعو إسرائيل إلى \"ضبط النفس\" وتجنب التصعيد في غزة",
            "البيت الأبيض يحمّل حماس مسؤولية مقتل عشرات الفلسطينيين في غزة",
            "ترامب: المهمة أنجزت ونفذت بإحكام",
            "UN rights chief condemns killings in Gaza",
            "Macron: we will strike again if chemical weapons are used",
        ] {
            assert!(statement(title), "{title}");
        }
        for title in [
            "غزة.. عشرات القتلى والجرحى برصاص الجيش الإسرائيلي",
            "الولايات المتحدة تفتتح رسميا سفارتها في القدس",
            "مباشر: تغطية خاصة لنقل السفارة الأمريكية للقدس",
            "شاهد: لحظة افتتاح السفارة",
            "Analysis: what the strikes changed in Syria",
            "ما أهمية مدينة القدس التي جعلتها مسرحا لأطول النزاعات في العالم؟",
        ] {
            assert!(!statement(title), "{title}");
        }
    }

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
