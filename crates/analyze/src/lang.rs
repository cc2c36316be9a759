//! Language identification: a script count first, lingua to decide within a
//! script.

use std::sync::OnceLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

use crate::normalize::{Script, char_script};

/// Only the start of a text is examined: two thousand characters settle the
/// script of a news article for certain.
const SAMPLE_CHARS: usize = 2_000;

/// lingua sees less still: its cost grows with length, and its accuracy
/// among three same-script languages is already near-perfect at a few
/// hundred characters. On 1,500-character articles this took `analyze`
/// without a declared language from about 870 to 1,230 articles/s
/// (measured with `examples/throughput.rs`, release, one core). High-accuracy mode is kept:
/// low-accuracy mode saved only about 10% and is weak on headlines.
const MODEL_CHARS: usize = 400;

/// Fewer letters than this give no reliable answer.
const MIN_LETTERS: usize = 3;

/// lingua detectors, one per script, each knowing only the languages of
/// that script we support. Models load lazily on first use (preloading all
/// nine costs seconds at start-up for nothing when a deployment only sees
/// Arabic), and a detector limited to its script is both faster and never
/// confuses, say, Persian with Turkish.
struct Detectors {
    arabic_script: LanguageDetector,
    latin_script: LanguageDetector,
}

fn detectors() -> &'static Detectors {
    // A process-wide cache: lingua keeps its models in statics anyway, and
    // building a detector per call would redo the setup each time.
    static DETECTORS: OnceLock<Detectors> = OnceLock::new();
    DETECTORS.get_or_init(|| Detectors {
        arabic_script: LanguageDetectorBuilder::from_languages(&[
            Language::Arabic,
            Language::Persian,
            Language::Urdu,
        ])
        .build(),
        latin_script: LanguageDetectorBuilder::from_languages(&[
            Language::English,
            Language::French,
            Language::Spanish,
            Language::German,
            Language::Turkish,
        ])
        .build(),
    })
}

/// Detects the language of `text` as an ISO 639-1 code (`ar`, `en`, `fa`,
/// `ur`, `tr`, `ru`, `fr`, `es`, `de`), or `None` when there are too few
/// letters or lingua cannot decide.
///
/// ```
/// use ajil_analyze::detect_lang;
/// assert_eq!(detect_lang("التقى وزير الخارجية الروسي نظيره التركي في إسطنبول"), Some("ar"));
/// assert_eq!(detect_lang("The ministers met in Istanbul on Monday"), Some("en"));
/// assert_eq!(detect_lang("..."), None);
/// ```
pub fn detect_lang(text: &str) -> Option<&'static str> {
    let sample = sample(text);
    let (arabic, cyrillic, latin) = script_counts(sample);
    let letters = arabic + cyrillic + latin;
    if letters < MIN_LETTERS {
        return None;
    }
    // Russian is the only Cyrillic-script language we support, so a mostly
    // Cyrillic text needs no model at all.
    if cyrillic * 2 > letters {
        return Some("ru");
    }
    let detector = if arabic >= latin {
        &detectors().arabic_script
    } else {
        &detectors().latin_script
    };
    detector
        .detect_language_of(prefix(sample, MODEL_CHARS))
        .map(iso_code)
}

/// The dominant script of `text`'s first letters, if any letters.
pub(crate) fn dominant_script(text: &str) -> Option<Script> {
    // One pass over the first characters, without first finding where the sample ends,
    // and it stops once the leading script's margin exceeds what the rest of the sample
    // could add to another: the answer is then the one the whole sample would give.
    const STEP: usize = 128;
    let (mut arabic, mut cyrillic, mut latin) = (0, 0, 0);
    let arabic_letters = arabic_letters();
    let bytes = text.as_bytes();
    let mut at = 0;
    for i in 0..SAMPLE_CHARS {
        // ASCII and U+0600 to U+067F (led by 0xD8 or 0xD9) are read from their bytes.
        match (bytes.get(at), bytes.get(at + 1)) {
            (None, _) => break,
            (Some(&b), _) if b.is_ascii() => {
                latin += usize::from(b.is_ascii_alphabetic());
                at += 1;
            }
            (Some(&b @ (0xD8 | 0xD9)), Some(&next)) => {
                let offset = (u32::from(b & 1) << 6) | u32::from(next & 0x3F);
                arabic += ((arabic_letters >> offset) & 1) as usize;
                at += 2;
            }
            _ => {
                let c = text[at..].chars().next().unwrap_or_default();
                at += c.len_utf8();
                if crate::normalize::is_letter(c) {
                    match char_script(c) {
                        Script::Arabic => arabic += 1,
                        Script::Cyrillic => cyrillic += 1,
                        Script::Latin => latin += 1,
                        Script::Other => {}
                    }
                }
            }
        }
        if i % STEP == STEP - 1 {
            let left = SAMPLE_CHARS - (i + 1);
            let mut counts = [arabic, cyrillic, latin];
            counts.sort_unstable();
            if counts[2] > counts[1] + left {
                break;
            }
        }
    }
    let max = arabic.max(cyrillic).max(latin);
    if max == 0 {
        None
    } else if max == arabic {
        Some(Script::Arabic)
    } else if max == latin {
        Some(Script::Latin)
    } else {
        Some(Script::Cyrillic)
    }
}

/// Which of U+0600 to U+067F are letters, bit by bit: the Arabic letters of
/// [`dominant_script`]'s count.
fn arabic_letters() -> u128 {
    static LETTERS: OnceLock<u128> = OnceLock::new();
    *LETTERS.get_or_init(|| {
        (0..128u32)
            .filter(|offset| {
                char::from_u32(0x0600 + offset).is_some_and(crate::normalize::is_letter)
            })
            .fold(0, |bits, offset| bits | (1 << offset))
    })
}

/// The script a language is written in, for the languages we know.
pub(crate) fn script_of_lang(lang: &str) -> Option<Script> {
    match lang {
        "ar" | "fa" | "ur" | "ps" | "ckb" | "ku" | "sd" => Some(Script::Arabic),
        "ru" | "uk" | "bg" | "sr" | "mk" | "be" | "kk" => Some(Script::Cyrillic),
        "en" | "fr" | "es" | "de" | "tr" | "it" | "pt" | "nl" | "id" | "ms" => Some(Script::Latin),
        _ => None,
    }
}

fn sample(text: &str) -> &str {
    prefix(text, SAMPLE_CHARS)
}

/// The first `chars` characters of `text`.
fn prefix(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn script_counts(text: &str) -> (usize, usize, usize) {
    let (mut arabic, mut cyrillic, mut latin) = (0, 0, 0);
    for c in text.chars().filter(|&c| crate::normalize::is_letter(c)) {
        match char_script(c) {
            Script::Arabic => arabic += 1,
            Script::Cyrillic => cyrillic += 1,
            Script::Latin => latin += 1,
            Script::Other => {}
        }
    }
    (arabic, cyrillic, latin)
}

fn iso_code(language: Language) -> &'static str {
    match language {
        Language::Arabic => "ar",
        Language::English => "en",
        Language::French => "fr",
        Language::Persian => "fa",
        Language::Urdu => "ur",
        Language::Turkish => "tr",
        Language::Russian => "ru",
        Language::Spanish => "es",
        Language::German => "de",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sentences_in_each_language() {
        let cases = [
            (
                "ar",
                "قال الرئيس إن المفاوضات ستستمر حتى نهاية الأسبوع المقبل",
            ),
            (
                "en",
                "The president said the talks will continue until next week",
            ),
            (
                "fr",
                "Le président a déclaré que les négociations continueront la semaine prochaine",
            ),
            (
                "fa",
                "رئیس جمهور گفت که مذاکرات تا هفته آینده ادامه خواهد داشت",
            ),
            ("ur", "صدر نے کہا کہ مذاکرات اگلے ہفتے تک جاری رہیں گے"),
            (
                "tr",
                "Cumhurbaşkanı görüşmelerin gelecek haftaya kadar süreceğini söyledi",
            ),
            (
                "ru",
                "Президент заявил, что переговоры продолжатся до следующей недели",
            ),
            (
                "es",
                "El presidente dijo que las negociaciones continuarán hasta la próxima semana",
            ),
            (
                "de",
                "Der Präsident sagte, die Gespräche würden bis nächste Woche fortgesetzt",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(detect_lang(text), Some(want), "{text}");
        }
    }

    #[test]
    fn too_little_text_is_unknown() {
        assert_eq!(detect_lang(""), None);
        assert_eq!(detect_lang("12:30 — !!"), None);
    }

    #[test]
    fn only_the_start_is_sampled() {
        let long = "ب".repeat(SAMPLE_CHARS + 10);
        assert_eq!(sample(&long).chars().count(), SAMPLE_CHARS);
    }

    #[test]
    fn stopping_early_gives_the_whole_sample_answer() {
        // The script that leads over the whole sample, ties as `dominant_script` breaks them.
        let whole = |text: &str| {
            let (arabic, cyrillic, latin) = script_counts(sample(text));
            let max = arabic.max(cyrillic).max(latin);
            if max == 0 {
                None
            } else if max == arabic {
                Some(Script::Arabic)
            } else if max == latin {
                Some(Script::Latin)
            } else {
                Some(Script::Cyrillic)
            }
        };
        let ar = |n: usize| "ب".repeat(n);
        let en = |n: usize| "e".repeat(n);
        let ru = |n: usize| "д".repeat(n);
        for text in [
            String::new(),
            "... 123".to_string(),
            ar(3000),
            // Leads early, loses over the whole sample.
            ar(600) + &en(2000),
            ar(900) + &ru(1100),
            // A tie over the sample, and a flip just past its end.
            ar(1000) + &en(1000),
            en(1000) + &ar(1000),
            ar(900) + &en(1100) + &ar(5000),
            format!("{} {}", ar(1990), en(3000)),
            en(5) + &ar(7),
        ] {
            assert_eq!(dominant_script(&text), whole(&text), "{}", text.len());
        }
    }
}
