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
//! leading ب or ل ("بوتين" to "وتين"). Arabic words lose the proclitics match keys
//! strip (the article, و, a preposition before the article) and keep their endings
//! (names end in letters that read as suffixes: "ماكرون", Macron), with the word
//! behind a bare preposition as well ("بغزة" gives `bgz` and `gz`); Latin words give
//! their own key and their stem's ("palestinians" gives `blstns` and `blstn`, which is
//! "الفلسطينيين"). Words of one or two letters (particles) give none; numbers are
//! their own key. Keys are coarse on purpose, and many words share a short one: the
//! story clusterer weighs them by how rare they are and needs several.

/// A sound key packed in a `u64`, as [`crate::sound_keys`] gives them and the story
/// clusterer compares them: a number is its value with the top bit set; a word is its
/// consonant classes, four bits each (1 to 11, the first in the highest nibble used),
/// fifteen at most. No allocation, and a comparison is one instruction.
pub type SoundCode = u64;

/// The tag bit of a number's [`SoundCode`].
const NUMBER: u64 = 1 << 63;

/// The letters standing for the consonant classes 1 to 11 in [`sound_key`].
const CLASS_LETTERS: &[u8; 11] = b"btgkdrzslmn";

/// The [`SoundCode`] of a normalized word of Arabic or Latin letters, or of digits
/// (none for a word of fewer than two consonants, or with any other character).
pub fn sound_code(word: &str) -> Option<SoundCode> {
    let bytes = word.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        let value = match word.parse::<u64>() {
            Ok(value) if value < NUMBER => value,
            // Longer than any count or date: a hash of its digits stands for it.
            _ => {
                bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                }) & !NUMBER
            }
        };
        return Some(NUMBER | value);
    }
    let (mut code, mut len, mut last) = (0u64, 0u32, 0u8);
    // Bytes, not chars: a normalized Arabic letter is two bytes (D8 or D9, then one),
    // looked up in a table; this runs for every word of every title and lead.
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = match b {
            b'a'..=b'z' => {
                i += 1;
                latin_class(b, bytes.get(i).copied())
            }
            0xD8 | 0xD9 => {
                let &next = bytes.get(i + 1)?;
                i += 2;
                match ARABIC_CLASSES[usize::from(b & 1) << 6 | usize::from(next & 0x3F)] {
                    NOT_A_LETTER => return None,
                    0 => None,
                    class => Some(class),
                }
            }
            _ => return None,
        };
        if let Some(class) = class
            && class != last
        {
            if len < 15 {
                code = code << 4 | u64::from(class);
                len += 1;
            }
            last = class;
        }
    }
    (len >= 2).then_some(code)
}

/// [`arabic_class`] of U+0600 to U+067F by offset (0 for a letter with no class),
/// [`NOT_A_LETTER`] outside the letters U+0621 to U+064A.
const ARABIC_CLASSES: [u8; 128] = {
    let mut table = [NOT_A_LETTER; 128];
    let mut offset = 0x21;
    while offset <= 0x4A {
        if let Some(c) = char::from_u32(0x0600 + offset as u32) {
            table[offset] = match arabic_class(c) {
                Some(class) => class,
                None => 0,
            };
        }
        offset += 1;
    }
    table
};

/// Marks a byte pair of [`ARABIC_CLASSES`] that is not a letter.
const NOT_A_LETTER: u8 = 0xFF;

/// Whether a sound key is a number or of three consonants or more: specific enough
/// to be one of the names two reports share (two-consonant keys are shared by many
/// unrelated words: "rs" is Russia and "رأس", head).
pub fn is_strong(code: SoundCode) -> bool {
    code & NUMBER != 0 || code >= 1 << 8
}

/// The sound key of a word written out: its consonant classes as letters (`b t g k d
/// r z s l m n`), or a number's value.
///
/// ```
/// use ajil_analyze::sound_key;
/// assert_eq!(sound_key("trump").as_deref(), Some("trmb"));
/// assert_eq!(sound_key("ترامب"), sound_key("trump"));
/// assert_eq!(sound_key("٥٨").as_deref(), Some("58"));
/// assert_eq!(sound_key("the"), None);
/// ```
pub fn sound_key(word: &str) -> Option<String> {
    let word = crate::normalize(word);
    let code = sound_code(&word)?;
    if code & NUMBER != 0 {
        return Some((code & !NUMBER).to_string());
    }
    let mut letters = Vec::new();
    let mut rest = code;
    while rest != 0 {
        letters.push(CLASS_LETTERS[(rest & 0xF) as usize - 1]);
        rest >>= 4;
    }
    letters.reverse();
    String::from_utf8(letters).ok()
}

/// The consonant class (1 to 11, see [`CLASS_LETTERS`]) of a Latin letter (`next`
/// is the letter after it), or none for a vowel. b, p, v and f are one class, as
/// Arabic writes a foreign p or v with ب or ف (see [`arabic_class`]).
fn latin_class(c: u8, next: Option<u8>) -> Option<u8> {
    Some(match c {
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' | b'h' => return None,
        b'b' | b'p' | b'v' | b'f' => 1,
        b'c' if matches!(next, Some(b'e' | b'i' | b'y')) => 8,
        b't' => 2,
        b'g' | b'j' => 3,
        b'c' | b'k' | b'q' | b'x' => 4,
        b'd' => 5,
        b'r' => 6,
        b'z' => 7,
        b's' => 8,
        b'l' => 9,
        b'm' => 10,
        b'n' => 11,
        _ => return None,
    })
}

/// The consonant class of an Arabic letter (as normalized: no hamza seats, ta
/// marbuta as ه), or none for the letters that write vowels or have no Latin
/// consonant.
const fn arabic_class(c: char) -> Option<u8> {
    Some(match c {
        // "بوتين" Putin, "فلاديمير" Vladimir, "سنغافورة" Singapore: one class.
        'ب' | 'ف' => 1,
        'ت' | 'ط' | 'ث' => 2,
        'ج' | 'غ' => 3,
        'خ' | 'ق' | 'ك' => 4,
        'د' | 'ض' | 'ذ' => 5,
        'ر' => 6,
        'ز' | 'ظ' => 7,
        'س' | 'ص' | 'ش' => 8,
        'ل' => 9,
        'م' => 10,
        'ن' => 11,
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
        assert_eq!(sound_key("يا"), None);
        assert_eq!(sound_key("москва"), None);
        assert_eq!(sound_key(""), None);
        assert!(sound_keys("a to in", None).is_empty());
    }

    #[test]
    fn codes_tell_numbers_and_lengths_apart() {
        let code = |w: &str| sound_code(&normalize(w)).unwrap();
        assert_eq!(code("58"), code("058"));
        assert!(is_strong(code("58")) && is_strong(code("trump")));
        assert!(!is_strong(code("gaza")));
        // Long words keep their first fifteen classes; long numbers are hashed.
        assert_eq!(
            sound_key("bdgkdrzslmnbdgkdrz").as_deref(),
            Some("bdgkdrzslmnbdgk")
        );
        assert!(is_strong(code("12345678901234567890123")));
        assert_ne!(
            code("12345678901234567890123"),
            code("12345678901234567890124")
        );
    }
}
