//! Wire-agency detection from datelines and contributor lines.
//!
//! Only the places an agency credit lives are searched: the start of the
//! first paragraph ("CAIRO (AP) —", "القاهرة (رويترز) -"), the last few
//! paragraphs ("Associated Press writers … contributed", "ساهم كتاب أسوشيتد
//! برس …", "— Reuters"), and the byline. A story that merely quotes an agency
//! mid-text is not that agency's story.

use std::sync::LazyLock;

use regex::Regex;

/// Agency patterns: (canonical name, regex). Short or ambiguous names (AP,
/// وام, واس) only count inside parentheses or next to a dash.
static AGENCIES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let p = |name: &'static str, re: &str| (name, Regex::new(re).unwrap());
    // Delimiters around a short credit: "(AP)", "- وام", "(واس) :".
    let open = r"(?:^|[(\[\-–—/|:،,]\s*)";
    let close = r"(?:\s*[)\]\-–—/|:،,.]|\s*$)";
    vec![
        p(
            "Associated Press",
            r"(?i)(?-u:\b)associated\s+press(?-u:\b)|\(AP\)|(?-u:\b)AP\s+(?:writers?|reporters?|photographers?|correspondents?)(?-u:\b)|[—–-]\s*AP\s*$|أسوشيي?تد\s*برس|اسوشيي?تد\s*برس|أسوشييتد|اسوشيتدبرس|أسوشيتدبرس",
        ),
        p(
            "Reuters",
            r"(?i)(?-u:\b)reuters(?-u:\b)|\(Reporting\s+by(?-u:\b)|(?-u:\b)Reporting\s+by(?-u:\b).*(?-u:\b)Editing\s+by(?-u:\b)|رويترز",
        ),
        p(
            "AFP",
            r"(?i)(?-u:\b)agence\s+france[\s-]presse(?-u:\b)|\(AFP\)|[—–-]\s*AFP\s*$|(?-u:\b)AFP(?-u:\b)|فرانس\s*[بپ]ر(?:ي)?س|\(?\s*أ\s*\.?\s*ف\s*\.?\s*ب\s*\.?\s*\)",
        ),
        p(
            "dpa",
            r"(?i)(?-u:\b)deutsche\s+presse[\s-]agentur(?-u:\b)|\(dpa\)|(?-u:\b)dpa(?-u:\b)|د\s*\.?\s*ب\s*\.?\s*أ(?:$|\W)",
        ),
        p(
            "Anadolu",
            r"(?i)(?-u:\b)anadolu(?:\s+agency)?(?-u:\b)|الأناضول|الاناضول",
        ),
        p("Xinhua", r"(?i)(?-u:\b)xinhua(?-u:\b)|شينخوا|شينخو"),
        p(
            "WAM",
            &format!(
                r"(?i)\(WAM\)|(?-u:\b)emirates\s+news\s+agency(?-u:\b)|وكالة\s+أنباء\s+الإمارات|{open}وام{close}"
            ),
        ),
        p(
            "SPA",
            &format!(
                r"(?i)\(SPA\)|(?-u:\b)saudi\s+press\s+agency(?-u:\b)|وكالة\s+الأنباء\s+السعودية|{open}واس{close}"
            ),
        ),
        p(
            "KUNA",
            &format!(
                r"(?i)(?-u:\b)KUNA(?-u:\b)|(?-u:\b)kuwait\s+news\s+agency(?-u:\b)|وكالة\s+الأنباء\s+الكويتية|{open}كونا{close}"
            ),
        ),
        p(
            "QNA",
            &format!(
                r"(?i)\(QNA\)|(?-u:\b)qatar\s+news\s+agency(?-u:\b)|وكالة\s+الأنباء\s+القطرية|{open}قنا{close}"
            ),
        ),
        p(
            "MENA",
            &format!(
                r"(?i)\(MENA\)|(?-u:\b)middle\s+east\s+news\s+agency(?-u:\b)|وكالة\s+أنباء\s+الشرق\s+الأوسط|{open}أ\s*\.?\s*ش\s*\.?\s*أ{close}"
            ),
        ),
        p(
            "SANA",
            &format!(
                r"(?i)\(SANA\)|(?-u:\b)syrian\s+arab\s+news\s+agency(?-u:\b)|{open}سانا{close}"
            ),
        ),
        p(
            "Petra",
            &format!(r"(?i)\(Petra\)|(?-u:\b)jordan\s+news\s+agency(?-u:\b)|{open}بترا{close}"),
        ),
        p(
            "IRNA",
            &format!(r"(?i)(?-u:\b)IRNA(?-u:\b)|{open}إرنا{close}|{open}ارنا{close}"),
        ),
        p("TASS", r"(?i)(?-u:\b)TASS(?-u:\b)|\(تاس\)|وكالة\s+تاس"),
        p(
            "UPI",
            r"(?i)\(UPI\)|(?-u:\b)united\s+press\s+international(?-u:\b)",
        ),
        p("EFE", r"\(EFE\)|(?-u:\b)EFE(?-u:\b)|إفي(?:$|\W)"),
        p("ANSA", r"(?-u:\b)ANSA(?-u:\b)"),
        p("Bernama", r"(?i)(?-u:\b)bernama(?-u:\b)|برناما"),
        p("Kyodo", r"(?i)(?-u:\b)kyodo(?:\s+news)?(?-u:\b)|كيودو"),
        p("Yonhap", r"(?i)(?-u:\b)yonhap(?-u:\b)|يونهاب"),
        p("PTI", r"\(PTI\)|(?-u:\b)Press\s+Trust\s+of\s+India(?-u:\b)"),
        p(
            "Bloomberg",
            r"(?i)^\s*\(?Bloomberg\)?\s*[—–-]|\(Bloomberg\)",
        ),
    ]
});

/// Markers of a contributor or credit line at the end of a story.
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)contribut|reporting\s+by|writers?(?-u:\b)|copyright|©|\(c\)|all\s+rights|^\s*[—–-]|source\s*:|ساهم|شارك\s+في|المصدر|مصدر|وكالات|وكالة|\(|^\s*[—–-]|[—–-]\s*\S+\s*$").unwrap()
});

/// Whether a short line credits an agency ("— Reuters", "(أ ف ب)"): such
/// lines are article text even at the edges of the body.
pub(crate) fn is_credit_line(text: &str) -> bool {
    text.chars().count() <= 200
        && CREDIT.is_match(text)
        && AGENCIES.iter().any(|(_, re)| re.is_match(text))
}

/// The canonical agency name credited in the text, if any.
pub(crate) fn detect(paragraphs: &[String], author: Option<&str>) -> Option<&'static str> {
    let mut places: Vec<&str> = Vec::new();
    if let Some(first) = paragraphs.first() {
        // The dateline sits in the first ~160 characters.
        let cut = first
            .char_indices()
            .nth(160)
            .map(|(i, _)| i)
            .unwrap_or(first.len());
        places.push(&first[..cut]);
    }
    for p in paragraphs.iter().rev().take(4) {
        if p.chars().count() <= 400 && CREDIT.is_match(p) {
            places.push(p);
        }
    }
    if let Some(a) = author {
        places.push(a);
    }
    for place in places {
        if let Some((name, _)) = AGENCIES.iter().find(|(_, re)| re.is_match(place)) {
            return Some(name);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Option<&'static str> {
        detect(&[s.to_string()], None)
    }

    #[test]
    fn english_datelines_and_credits() {
        assert_eq!(
            one("MOSCOW (AP) — Russia's foreign minister said"),
            Some("Associated Press")
        );
        assert_eq!(
            one("LONDON (Reuters) - Britain said on Monday"),
            Some("Reuters")
        );
        assert_eq!(one("PARIS (AFP) - France said"), Some("AFP"));
        let body = ["The talks resumed on Thursday.".to_string(), "Associated Press writers Susan Fraser in Ankara and Robert Badendieck in Istanbul contributed.".to_string()];
        assert_eq!(detect(&body, None), Some("Associated Press"));
        let body = [
            "Markets fell sharply.".to_string(),
            "(Reporting by Jane Doe; Editing by John Roe)".to_string(),
        ];
        assert_eq!(detect(&body, None), Some("Reuters"));
    }

    #[test]
    fn arabic_credits() {
        let body = [
            "قال الوزير إن المحادثات ستستأنف.".to_string(),
            "ساهم كتاب أسوشيتد برس سوزان فريزر في أنقرة.".to_string(),
        ];
        assert_eq!(detect(&body, None), Some("Associated Press"));
        assert_eq!(one("موسكو (رويترز) - قال الكرملين"), Some("Reuters"));
        assert_eq!(one("باريس - (أ ف ب): أعلنت فرنسا"), Some("AFP"));
        assert_eq!(one("أبوظبي - وام - استقبل صاحب السمو"), Some("WAM"));
        assert_eq!(one("الرياض (واس) - أعلنت وزارة"), Some("SPA"));
        assert_eq!(one("الكويت - كونا - أعلنت"), Some("KUNA"));
        assert_eq!(one("أنقرة (الأناضول) - قال"), Some("Anadolu"));
    }

    #[test]
    fn no_false_credit_from_words_or_mid_text_mentions() {
        // "أعوام" contains "وام"; a mid-story mention of Reuters is not a credit.
        let body = [
            "قبل أعوام طويلة بدأت المفاوضات بين الجانبين في العاصمة.".to_string(),
            "وأضاف المسؤول أن العمل مستمر منذ سنوات طويلة جدا وأن النتائج ستظهر لاحقا، وذلك بحسب تصريحات نقلتها رويترز عن مصادر مطلعة في وقت سابق من هذا الأسبوع بعد اجتماع مطول جمع ممثلين عن جميع الأطراف المعنية في العاصمة التركية أنقرة وسط تكتم شديد على تفاصيل النقاشات التي جرت بينهم على مدار يومين كاملين من العمل المتواصل دون توقف، مع توقعات بأن تستمر الاتصالات خلال الأيام المقبلة للتوصل إلى صيغة نهائية".to_string(),
        ];
        assert_eq!(detect(&body, None), None);
        assert_eq!(one("The APPLE event was held."), None);
    }
}
