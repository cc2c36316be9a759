//! Analysis of an article's text: language, keys, fingerprints.
//!
//! In: a title, a body and the language a feed or page declared. Out:
//! [`ajil_model::Analysis`] — the language code, the story keys, and the MinHash
//! signature and content hash the story clusterer uses to find copies; and, for
//! the stored queries, match keys ([`match_keys`], [`article_match_keys`]). It
//! sits between `extract` and `story`/`query` in the pipeline and does no I/O.
//!
//! Two kinds of keys come out, from the same normalization ([`normalize`]:
//! NFKC, lowercase, Arabic folding) and the same Snowball stemmers for Latin
//! and Cyrillic script; they differ in how Arabic is stemmed:
//!
//! - **story keys** ([`ajil_model::Analysis::keys`], [`story_keys`]) strip every
//!   clitic letter a word could carry ([`stem_arabic`]), so that outlets'
//!   wordings of one happening meet; the story clusterer compares them;
//! - **match keys** ([`match_keys`]) run over article text and over the words of
//!   a stored query alike, so the two always meet, and keep names apart from
//!   common words ([`stem_arabic_strict`]): "لبنان" is not "الفنان" (the artist),
//!   nor "الإمارات" "الأمر" (the matter).
//!
//! ```
//! use ajil_analyze::{Analyzer, match_keys};
//! let (title, body) = (
//!     "لافروف في إسطنبول",
//!     "وصل وزير الخارجية الروسي سيرغي لافروف إلى إسطنبول للقاء نظيره التركي.",
//! );
//! let analysis = Analyzer::new().analyze(title, body, None);
//! assert_eq!(analysis.lang, "ar");
//! // A query typed with other clitics and letter forms finds the article's keys.
//! let text = match_keys(&format!("{title} {body}"), None);
//! let query = match_keys("ولافروف والروسية", None);
//! assert!(query.iter().all(|k| text.contains(k)));
//! ```
//!
//! There is no error type: every input, however odd, has an analysis (an
//! unknown language is `und`, an empty text has no keys).

mod fingerprint;
mod headline;
mod lang;
mod normalize;
mod sound;
mod stem;

pub use fingerprint::{
    MINHASH_LEN, MINHASH_VERSION, SHINGLE_LEN, content_hash, jaccard_estimate, minhash,
    shingle_hashes, signature_of_keys,
};
pub use lang::detect_lang;
pub use normalize::normalize;
pub use sound::{SoundCode, is_strong, sound_code, sound_key};
pub use stem::{stem_arabic, stem_arabic_strict};

use ajil_model::Analysis;

/// What match keys mean. Keys stored under an older version are brought to this
/// one with [`upgrade_keys`] before they meet new ones. Version 1 keys were plain
/// stems; version 2 keys of Arabic script are stem skeletons, where outlets'
/// spellings of one name meet ("ترمب" and "ترامب"), and titles leave out their time
/// anchors (which old title keys keep: that only needs the text, and costs little).
pub const KEYS_VERSION: u32 = 2;

/// Brings `keys` made under [`KEYS_VERSION`] `from` to the current version, in place.
/// Versions 0 (unrecorded) and 1 mean the same.
pub fn upgrade_keys(keys: &mut [String], from: u32) {
    if from < 2 {
        keys.iter_mut().for_each(stem::upgrade_key);
    }
}

use crate::stem::{TokenStemmer, primary_subtag};

/// The match keys of `text`: its normalized tokens, each stemmed according
/// to its script, in text order (phrases match consecutive keys). Stored
/// queries and the articles they are matched against both go through it.
///
/// `lang_hint` only chooses the Snowball stemmer for Latin-script tokens
/// (`fr`, `es`, `de`, `tr`; English otherwise); Arabic- and Cyrillic-script
/// tokens key the same whatever the hint, so an Arabic query typed with no
/// language information meets Arabic, Persian or Urdu text.
///
/// ```
/// use ajil_analyze::match_keys;
/// assert_eq!(match_keys("والرئيس", None), match_keys("الرئيس", Some("ar")));
/// assert_eq!(match_keys("بالإمارات", None), match_keys("الإماراتية", None));
/// assert_ne!(match_keys("الإمارات", None), match_keys("الأمر", None));
/// assert_eq!(match_keys("Talks", None), ["talk"]);
/// ```
pub fn match_keys(text: &str, lang_hint: Option<&str>) -> Vec<String> {
    let stemmer = TokenStemmer::new(lang_hint);
    let mut keys = Vec::new();
    for token in match_tokens(&normalize(text)) {
        stemmer.push_strict_key(token, &mut keys);
    }
    keys
}

/// The match keys of an article's text ([`match_keys`]), with variant keys
/// beside a token where it reads two ways: after a bare preposition or
/// conjunction letter that match keys keep ("بغزة" keys as itself with the
/// variant "غزه", so a query for "غزة" finds it), and as the adjective of a
/// three-letter root ("السوري" keys as "سور" with the variant "سوري", the key of
/// "سوريا").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// One key per token, as [`match_keys`] gives them.
    pub keys: Vec<String>,
    /// Variant keys with the position (index into `keys`) they stand at, in
    /// position order; a position may have several.
    pub variants: Vec<(u32, String)>,
}

impl MatchKeys {
    /// The variant keys at `position`.
    pub fn variants_at(&self, position: usize) -> impl Iterator<Item = &str> {
        self.variants
            .iter()
            .filter(move |(p, _)| *p as usize == position)
            .map(|(_, v)| v.as_str())
    }
}

/// [`MatchKeys`] of an article's title and body (or any text a query is
/// matched against).
///
/// ```
/// use ajil_analyze::{article_match_keys, match_keys};
/// let article = article_match_keys("قتلى بغزة", Some("ar"));
/// let gaza = &match_keys("غزة", None)[0];
/// assert!(!article.keys.contains(gaza));
/// assert!(article.variants_at(1).any(|v| v == gaza));
/// ```
pub fn article_match_keys(text: &str, lang_hint: Option<&str>) -> MatchKeys {
    let stemmer = TokenStemmer::new(lang_hint);
    let mut out = MatchKeys::default();
    for token in match_tokens(&normalize(text)) {
        stemmer.push_match_key(token, &mut out.keys, &mut out.variants);
    }
    out
}

/// The match keys of a report, as stored queries are run on it: its title and
/// text, read in its language. Alerts and query previews both use it, so a
/// preview finds what the query would alert on.
pub fn report_match_keys(title: &str, text: &str, lang: &str) -> MatchKeys {
    article_match_keys(&format!("{title}\n{text}"), Some(lang))
}

/// The tokens of normalized text, for match keys: the same tokens as
/// `normalize::tokens`, split another way so that the analyser's own loop over
/// them stays inlined where it is (sharing it cost a replay 1.5% more
/// instructions).
fn match_tokens(normalized: &str) -> impl Iterator<Item = &str> {
    normalized.split(' ').filter(|token| !token.is_empty())
}

/// Body words [`Analyzer::analyze`] reads sound keys from, after the title's: the
/// lead, where a report names who and where.
pub const SOUND_LEAD_WORDS: usize = 30;

/// The sound keys of `text` ([`sound_code`] of each word, as the `sound` module docs
/// describe), sorted and without repeats: what [`ajil_model::Analysis::sound`]
/// holds for a title and lead, and what the story clusterer compares between
/// reports in two scripts.
///
/// ```
/// use ajil_analyze::sound_keys;
/// let en = sound_keys("Trump meets Putin in Helsinki", Some("en"));
/// let ar = sound_keys("ترامب يلتقي بوتين في هلسنكي", Some("ar"));
/// assert_eq!(en.iter().filter(|k| ar.contains(k)).count(), 3);
/// ```
pub fn sound_keys(text: &str, lang_hint: Option<&str>) -> Vec<SoundCode> {
    let normalized = normalize(text);
    let stemmer = TokenStemmer::new(lang_hint);
    let mut keys = Vec::new();
    for token in normalize::tokens(&normalized) {
        stemmer.push_sound_keys(token, &mut keys);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The story keys of `text`, as [`Analyzer::analyze`] writes them in
/// [`ajil_model::Analysis::keys`]: what the story clusterer compares (see the
/// crate docs for how they differ from [`match_keys`]).
///
/// ```
/// use ajil_analyze::story_keys;
/// assert_eq!(story_keys("بغزة", None), story_keys("غزة", Some("ar")));
/// ```
pub fn story_keys(text: &str, lang_hint: Option<&str>) -> Vec<String> {
    keys_of_normalized(&normalize(text), lang_hint)
}

fn keys_of_normalized(normalized: &str, lang_hint: Option<&str>) -> Vec<String> {
    let stemmer = TokenStemmer::new(lang_hint);
    let mut keys = Vec::new();
    for token in normalize::tokens(normalized) {
        stemmer.push_key(token, &mut keys);
    }
    keys
}

/// Computes [`Analysis`] records. Cheap to create and to share between
/// threads; language models load on first use.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    _private: (),
}

impl Analyzer {
    /// A new analyzer.
    pub fn new() -> Self {
        Analyzer::default()
    }

    /// Analyzes one article.
    ///
    /// The language is `declared_lang`'s primary subtag when it looks like a
    /// language code and the text's script does not contradict it (CMSs
    /// often declare `en` on Arabic pages), else the detected language, else
    /// `und`. Keys are title then body; the MinHash and content hash cover
    /// the body, or the title when the body is empty (feeds that carry only
    /// headlines still need to be recognised as copies).
    pub fn analyze(&self, title: &str, text: &str, declared_lang: Option<&str>) -> Analysis {
        let lang = choose_lang(title, text, declared_lang);
        let hint = (lang != "und").then_some(lang.as_str());
        let normalized_title = normalize(title);
        let title_keys = match headline::without_time_anchors(title) {
            Some(focus) => {
                let keys = keys_of_normalized(&normalize(&focus), hint);
                if keys.len() >= 2 {
                    keys
                } else {
                    keys_of_normalized(&normalized_title, hint)
                }
            }
            None => keys_of_normalized(&normalized_title, hint),
        };
        let normalized_body = normalize(text);
        let body_keys = keys_of_normalized(&normalized_body, hint);

        let (print_keys, content_hash) = if body_keys.is_empty() {
            (&title_keys, fingerprint::content_hash(&normalized_title))
        } else {
            (&body_keys, fingerprint::content_hash(&normalized_body))
        };
        let minhash = fingerprint::minhash(&fingerprint::shingle_hashes(print_keys));

        let stemmer = TokenStemmer::new(hint);
        let mut title_sound = Vec::new();
        for token in normalize::tokens(&normalized_title) {
            stemmer.push_sound_keys(token, &mut title_sound);
        }
        let mut sound = title_sound.clone();
        for token in normalize::tokens(&normalized_body).take(SOUND_LEAD_WORDS) {
            stemmer.push_sound_keys(token, &mut sound);
        }
        for keys in [&mut title_sound, &mut sound] {
            keys.sort_unstable();
            keys.dedup();
        }

        let statement = headline::is_statement(title, &title_keys);
        let mut keys = Vec::with_capacity(title_keys.len() + body_keys.len());
        keys.extend_from_slice(&title_keys);
        keys.extend(body_keys);
        Analysis {
            statement,
            lang,
            keys,
            title_keys,
            minhash,
            content_hash,
            title_sound,
            sound,
        }
    }
}

fn choose_lang(title: &str, text: &str, declared: Option<&str>) -> String {
    if let Some(declared) = declared.map(primary_subtag)
        && looks_like_lang_code(&declared)
    {
        let sample = if text.trim().is_empty() { title } else { text };
        let contradicted = match (
            lang::script_of_lang(&declared),
            lang::dominant_script(sample),
        ) {
            (Some(expected), Some(found)) => expected != found,
            _ => false,
        };
        if !contradicted {
            return declared;
        }
    }
    detect_lang(text)
        .or_else(|| detect_lang(title))
        .unwrap_or("und")
        .to_string()
}

/// Two or three ASCII letters and not one of the codes meaning "no
/// particular language".
fn looks_like_lang_code(code: &str) -> bool {
    (2..=3).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase())
        && !matches!(code, "und" | "mul" | "zxx" | "mis")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_language_wins_unless_the_script_says_otherwise() {
        let ar = "قال الرئيس إن المفاوضات ستستمر";
        assert_eq!(choose_lang("", ar, Some("ar-EG")), "ar");
        assert_eq!(choose_lang("", ar, Some("en-US")), "ar");
        assert_eq!(choose_lang("", "The talks went on", Some("EN")), "en");
        assert_eq!(
            choose_lang("", "The talks went on all week", Some("und")),
            "en"
        );
        assert_eq!(
            choose_lang("", "The talks went on all week", Some("x")),
            "en"
        );
        assert_eq!(choose_lang("", "", None), "und");
    }

    #[test]
    fn analysis_fills_every_field() {
        let a = Analyzer::new().analyze(
            "Talks in Istanbul",
            "Foreign ministers met in Istanbul on Monday for talks on the war.",
            None,
        );
        assert_eq!(a.lang, "en");
        assert_eq!(a.title_keys, ["talk", "in", "istanbul"]);
        assert_eq!(&a.keys[..3], &a.title_keys[..]);
        assert!(a.keys.len() > 10);
        assert_eq!(a.minhash.len(), MINHASH_LEN);
        assert_ne!(a.content_hash, 0);
    }

    #[test]
    fn headline_only_items_still_get_fingerprints() {
        let a = Analyzer::new().analyze("عاجل: انفجار في بيروت", "", Some("ar"));
        assert_eq!(a.minhash.len(), MINHASH_LEN);
        assert_eq!(a.keys, a.title_keys);
    }

    #[test]
    fn english_inflections_meet() {
        assert_eq!(match_keys("talks", None), match_keys("talk", None));
        assert_eq!(match_keys("meeting", None), match_keys("meet", None));
        assert_eq!(
            match_keys("Ministers", Some("en")),
            match_keys("minister", None)
        );
    }

    #[test]
    fn arabic_variants_meet() {
        assert_eq!(match_keys("لافروف", None), match_keys("ولافروف", Some("ar")));
        let istanbul = match_keys("إسطنبول", None);
        assert_eq!(match_keys("اسطنبول", None), istanbul);
        assert_eq!(match_keys("وإسطنبول", None), istanbul);
        assert_eq!(match_keys("إسْطَنْبُول", None), istanbul);
        // Story keys also strip a bare preposition; match keys leave it, the
        // price of keeping names whole.
        assert_eq!(story_keys("بإسطنبول", None), story_keys("إسطنبول", None));
        assert_ne!(match_keys("بإسطنبول", None), istanbul);
    }

    #[test]
    fn article_keys_read_a_bare_preposition_both_ways() {
        let article = article_match_keys("وبغزة ولترامب وبوتين والقدس talks", Some("ar"));
        let key = |w: &str| match_keys(w, None).remove(0);
        let at = |i: usize| article.variants_at(i).map(String::from).collect::<Vec<_>>();
        assert_eq!(
            article.keys,
            match_keys("وبغزة ولترامب وبوتين والقدس talks", None)
        );
        assert_eq!(at(0), [key("غزة")]);
        assert_eq!(at(1), [key("ترمب")]);
        // Only one letter goes: "بوتين" is not read as "تين" (fig).
        assert_eq!(at(2), ["وتين"]);
        // The article is stripped already, and Latin script has no variants.
        assert!(at(3).is_empty() && at(4).is_empty());
        // "لل" is the preposition before the article ("للرئيس") or before a
        // word starting with ل ("للبنان"): the key takes the first reading, the
        // variant the second.
        let article = article_match_keys("للرئيس وللبنان لليبيا", Some("ar"));
        let at = |i: usize| article.variants_at(i).map(String::from).collect::<Vec<_>>();
        assert_eq!(article.keys[0], key("الرئيس"));
        assert!(at(1).contains(&key("لبنان")));
        assert!(at(2).contains(&key("ليبيا")));
    }

    #[test]
    fn adjectives_of_short_roots_meet_their_country_not_other_words() {
        let article = article_match_keys("الليبي السورية التركيين المصري ترك", Some("ar"));
        let key = |w: &str| match_keys(w, None).remove(0);
        let reads = |i: usize, w: &str| {
            article.keys[i] == key(w) || article.variants_at(i).any(|v| v == key(w))
        };
        assert!(reads(0, "ليبيا") && reads(1, "سوريا") && reads(2, "تركيا"));
        assert!(reads(3, "مصر"));
        // "ترك" (left) is not Turkey, nor is "تركيا" "ترك".
        assert!(!reads(4, "تركيا"));
        assert_ne!(key("تركيا"), key("ترك"));
    }

    #[test]
    fn names_meet_their_forms_but_not_common_words() {
        // Pairs whose story keys are equal (measured over the 2018 stream: "الأمر"
        // and "امرأة" were 60% of what a query for the Emirates matched, "الفنان"
        // a fifth of Lebanon's, "بايرن" a twentieth of Iran's).
        for (name, word) in [
            ("الإمارات", "الأمر"),
            ("لبنان", "الفنان"),
            ("بوتين", "تين"),
            ("الكرملين", "الرمال"),
            ("العراق", "العرق"),
            ("القاهرة", "القهر"),
            ("ماكرون", "مكر"),
            ("بغداد", "الغدد"),
            ("إيران", "بايرن"),
            ("البحرين", "البحر"),
            ("فرنسا", "برانسون"),
            ("تركيا", "ترك"),
            ("سوريا", "سور"),
        ] {
            assert_ne!(
                match_keys(name, None),
                match_keys(word, None),
                "{name} {word}"
            );
        }
        for forms in [
            &["الإمارات", "بالإمارات", "الإماراتية", "والإماراتيين"][..],
            &["لبنان", "اللبنانية", "ولبنان", "اللبنانيون"],
            &["بريطانيا", "البريطاني", "البريطانيين", "وبريطانيا"],
            &["فلسطين", "الفلسطينيين", "الفلسطينية", "للفلسطينيين"],
            &["ترامب", "ترمب", "وترامب"],
            &["الأميركية", "الأمريكي", "أمريكا"],
            &["القدس", "بالقدس", "للقدس", "والقدس"],
        ] {
            let key = match_keys(forms[0], None);
            for form in &forms[1..] {
                assert_eq!(match_keys(form, None), key, "{} {form}", forms[0]);
            }
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Arabic-script text: words of base letters (hamza to yeh, plus the
    /// Persian letters we fold) separated by spaces and punctuation.
    fn arabic_text() -> impl Strategy<Value = String> {
        let letter = prop_oneof![
            (0x0621u32..=0x063A).prop_map(|c| char::from_u32(c).unwrap_or('ا')),
            (0x0641u32..=0x064A).prop_map(|c| char::from_u32(c).unwrap_or('ا')),
            prop::sample::select(vec!['ک', 'ی', 'ۀ', '٣', '۴']),
        ];
        let word = prop::collection::vec(letter, 1..8).prop_map(String::from_iter);
        let sep = prop::sample::select(vec![" ", "  ", "، ", ". ", "\n"]);
        prop::collection::vec((word, sep), 1..40)
            .prop_map(|parts| parts.into_iter().map(|(w, s)| w + s).collect::<String>())
    }

    /// `text` with harakat, superscript alef or tatweel inserted after the
    /// characters picked by `spots`.
    fn add_noise(text: &str, spots: &[(usize, char)]) -> String {
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            out.push(c);
            for &(at, mark) in spots {
                if at == i {
                    out.push(mark);
                }
            }
        }
        out
    }

    fn noise_spots() -> impl Strategy<Value = Vec<(usize, char)>> {
        let mark = prop_oneof![
            (0x064Bu32..=0x0652).prop_map(|c| char::from_u32(c).unwrap_or('\u{064B}')),
            Just('\u{0640}'),
            Just('\u{0670}'),
        ];
        prop::collection::vec((0usize..300, mark), 0..40)
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(text in any::<String>()) {
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn normalize_is_idempotent_on_arabic(text in arabic_text(), spots in noise_spots()) {
            let once = normalize(&add_noise(&text, &spots));
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn keys_are_fixed_points(text in arabic_text()) {
            // Keys are already normal form, so a key shown to a user and
            // typed back into a query normalizes to itself.
            for key in match_keys(&text, None) {
                prop_assert_eq!(normalize(&key), key.clone());
            }
        }

        #[test]
        fn diacritic_noise_changes_nothing(text in arabic_text(), spots in noise_spots()) {
            let analyzer = Analyzer::new();
            let clean = analyzer.analyze("", &text, Some("ar"));
            let noisy = analyzer.analyze("", &add_noise(&text, &spots), Some("ar"));
            prop_assert_eq!(&clean.keys, &noisy.keys);
            prop_assert_eq!(&clean.minhash, &noisy.minhash);
            prop_assert_eq!(clean.content_hash, noisy.content_hash);
        }
    }
}
