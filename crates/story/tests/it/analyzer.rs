//! A tiny stand-in for `ajil-analyze`, for tests and the replay example: Arabic
//! normalization, stop words, light prefix/suffix stemming, word 4-shingles and a
//! 128-value MinHash. Good enough to exercise clustering; not the product's analyser.

#![allow(dead_code)]

use ajil_model::Analysis;

/// Signature length used by every test article.
pub const SIGNATURE_LEN: usize = 128;
const SHINGLE: usize = 4;

const STOP_WORDS: &[&str] = &[
    "في",
    "من",
    "الي",
    "علي",
    "عن",
    "ان",
    "او",
    "ما",
    "لا",
    "لم",
    "لن",
    "قد",
    "هذا",
    "هذه",
    "ذلك",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "مع",
    "بين",
    "بعد",
    "قبل",
    "حتي",
    "ثم",
    "اذا",
    "كما",
    "وقال",
    "قال",
    "وقالت",
    "قالت",
    "واضاف",
    "اضاف",
    "وكان",
    "وكانت",
    "هو",
    "هي",
    "انه",
    "انها",
    "و",
    "ب",
    "ل",
    "يوم",
    "وفي",
    "ومن",
    "الا",
    "عند",
    "منذ",
    "خلال",
    "كل",
    "غير",
    "وذلك",
    "تم",
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "and",
    "to",
    "for",
    "is",
    "was",
    "at",
    "by",
    "with",
];

/// Folds Arabic letter variants and drops diacritics: "أُعلِنَت" → "اعلنت".
fn fold(c: char) -> Option<char> {
    match c {
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ى' | 'ئ' => Some('ي'),
        'ؤ' => Some('و'),
        'ة' => Some('ه'),
        '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
        _ => Some(c),
    }
}

/// Strips the article and attached conjunction/preposition prefixes and a few plural or
/// pronoun suffixes, keeping at least three letters: "والشرطة" → "شرط".
fn stem(word: &str) -> String {
    let mut w: Vec<char> = word.chars().collect();
    if w.iter().all(|c| c.is_ascii()) {
        if w.len() > 3 && w.last() == Some(&'s') {
            w.pop();
        }
        return w.into_iter().collect();
    }
    for prefix in ["وال", "بال", "كال", "فال", "لل", "ال"] {
        let p: Vec<char> = prefix.chars().collect();
        if w.len() >= p.len() + 3 && w.starts_with(&p) {
            w.drain(..p.len());
            break;
        }
    }
    for suffix in ["ات", "ون", "ين", "ها", "ان", "يه", "ه", "ي"] {
        let s: Vec<char> = suffix.chars().collect();
        if w.len() >= s.len() + 3 && w.ends_with(&s) {
            w.truncate(w.len() - s.len());
            break;
        }
    }
    w.into_iter().collect()
}

/// Normalized, stemmed keys of a text, stop words removed.
pub fn keys(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .filter_map(fold)
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(stem)
        .filter(|w| !w.is_empty())
        .collect()
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// MinHash over word 4-shingles of `body` keys; empty for an empty body.
pub fn minhash(body: &[String]) -> Vec<u32> {
    if body.is_empty() {
        return Vec::new();
    }
    let shingles: Vec<u64> = body
        .windows(SHINGLE.min(body.len()))
        .map(|w| fnv(w.join(" ").as_bytes()))
        .collect();
    (0..SIGNATURE_LEN as u64)
        .map(|i| {
            let seed = mix(i.wrapping_add(0x9e37_79b9_7f4a_7c15));
            shingles
                .iter()
                .map(|h| mix(h ^ seed) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// Analysis of a title and body, shaped like `ajil-analyze`'s output.
pub fn analyze(title: &str, text: &str) -> Analysis {
    let title_keys = keys(title);
    let body = keys(text);
    let content_hash = if body.is_empty() {
        0
    } else {
        fnv(body.join(" ").as_bytes())
    };
    let mut all = title_keys.clone();
    all.extend(body.iter().cloned());
    Analysis {
        lang: "ar".into(),
        minhash: minhash(&body),
        keys: all,
        title_keys,
        content_hash,
        sound: Vec::new(),
        title_sound: Vec::new(),
        statement: false,
    }
}
