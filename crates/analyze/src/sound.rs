//! Sound keys: the names and numbers of a text in one alphabet, so that reports of one
//! happening in Arabic and in Latin script can be compared.
//!
//! An English report and its Arabic translation share almost no key: their common
//! words are different words. What they share are names and numbers — "Trump" and
//! "ترامب", "Putin" and "بوتين", "Gaza" and "غزة", "58" and "٥٨" — and a name written
//! in the other script keeps its consonants. A sound key is a word's consonants, each
//! mapped to a class both scripts write (ب, ف, b, p, f and v are `b`; ت, ط and t are
//! `t`; ق, ك, c and k are `k`; …), the vowels and the letters that stand for them
//! (ا و ي ء ع ه ح, a e i o u y w h) dropped, and runs of one class kept once:
//!
//! | word | sound key |
//! |------|-----------|
//! | `trump`, `ترامب` | `trmb` |
//! | `gaza`, `غزة` | `gz` |
//! | `netanyahu`, `نتنياهو` | `ntn` |
//! | `singapore`, `سنغافورة` | `sngbr` |
//!
//! Words are read as written, not as stemmed: the English stemmer cuts names ("Hamas"
//! stems to "hama", "Israeli" to "isra"), and the story stems of Arabic drop a
//! leading ب or ل ("بوتين" to "وتين"). Arabic words lose their clitics as match keys
//! do (names kept whole: [`crate::stem_arabic_strict`]), with the word behind a bare
//! preposition as well ("بغزة" gives `bgz` and `gz`); Latin words give their own
//! key and their stem's ("palestinians" gives `blstns` and `blstn`, which is
//! "فلسطين"). Numbers are their own key. Keys are coarse on purpose, and many words
//! share a short one: the story clusterer weighs them by how rare they are and needs
//! several.

/// The sound key of a normalized word of Arabic or Latin letters (none for a word of
/// fewer than two consonants, or with any other character).
///
/// ```
/// use ajil_analyze::sound_key;
/// assert_eq!(sound_key("trump").as_deref(), Some("trmb"));
/// assert_eq!(sound_key("ترامب"), sound_key("trump"));
/// assert_eq!(sound_key("the"), None);
/// ```
pub fn sound_key(word: &str) -> Option<String> {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        return Some(word.to_string());
    }
    let mut key = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let class = match c {
            'a'..='z' => latin_class(c, chars.peek().copied()),
            '\u{0621}'..='\u{064A}' => arabic_class(c),
            _ => return None,
        };
        if let Some(class) = class
            && !key.ends_with(class)
        {
            key.push(class);
        }
    }
    (key.len() >= 2).then_some(key)
}

/// The consonant class of a Latin letter (`next` is the letter after it), or none
/// for a vowel. b, p, v and f are one class, as Arabic writes a foreign p or v with
/// ب or ف (see [`arabic_class`]).
fn latin_class(c: char, next: Option<char>) -> Option<char> {
    Some(match c {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h' => return None,
        'b' | 'p' | 'v' | 'f' => 'b',
        'c' if matches!(next, Some('e' | 'i' | 'y')) => 's',
        'c' | 'k' | 'q' | 'x' => 'k',
        'g' | 'j' => 'g',
        other => other,
    })
}

/// The consonant class of an Arabic letter (as normalized: no hamza seats, ta
/// marbuta as ه), or none for the letters that write vowels or have no Latin
/// consonant.
fn arabic_class(c: char) -> Option<char> {
    Some(match c {
        // "بوتين" Putin, "فلاديمير" Vladimir, "سنغافورة" Singapore: one class.
        'ب' | 'ف' => 'b',
        'ت' | 'ط' | 'ث' => 't',
        'ج' | 'غ' => 'g',
        'خ' | 'ق' | 'ك' => 'k',
        'د' | 'ض' | 'ذ' => 'd',
        'ر' => 'r',
        'ز' | 'ظ' => 'z',
        'س' | 'ص' | 'ش' => 's',
        'ل' => 'l',
        'م' => 'm',
        'ن' => 'n',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{normalize, sound_keys};

    #[test]
    fn names_meet_across_scripts() {
        for (latin, arabic) in [
            ("Trump", "ترامب"),
            ("Gaza", "بغزة"),
            ("Netanyahu", "نتنياهو"),
            ("Istanbul", "إسطنبول"),
            ("Israeli", "الإسرائيلي"),
            ("Iran", "وإيران"),
            ("Macron", "ماكرون"),
            ("Khamenei", "خامنئي"),
            ("Putin", "لبوتين"),
            ("Vladimir", "فلاديمير"),
            ("Hamas", "حماس"),
            ("Palestinians", "الفلسطينيين"),
            ("Singapore", "سنغافورة"),
            ("Lebanon", "ولبنان"),
            ("Paris", "باريس"),
            ("2018", "٢٠١٨"),
        ] {
            let (l, a) = (sound_keys(latin, None), sound_keys(arabic, None));
            assert!(
                l.iter().any(|k| a.contains(k)),
                "{latin} {l:?} {arabic} {a:?}"
            );
        }
    }

    #[test]
    fn short_and_other_words_have_none() {
        assert_eq!(sound_key("the"), None);
        assert_eq!(sound_key(&normalize("يا")), None);
        assert_eq!(sound_key("москва"), None);
        assert_eq!(sound_key(""), None);
        assert!(sound_keys("a to in", None).is_empty());
    }
}
