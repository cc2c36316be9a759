//! Text normalization for match keys and fingerprints.
//!
//! One pass over NFKC text folds away the differences a reader does not
//! see or does not care about when searching: case, Arabic diacritics and
//! letter variants, Persian letter forms, Eastern digits, Latin accents and
//! punctuation. The output is lowercase tokens joined by single spaces, and
//! normalizing it again changes nothing.

use unicode_normalization::UnicodeNormalization;

/// Normalizes `text` into lowercase folded tokens separated by single spaces.
///
/// ```
/// use ajil_analyze::normalize;
/// assert_eq!(normalize("الرَّئِيسُ، في إسطنبول!"), "الرييس في اسطنبول");
/// assert_eq!(normalize("Erdoğan's Talks ٢٠١٨"), "erdogan s talks 2018");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // `pending_space` delays the separator so runs of punctuation and
    // whitespace collapse into one space and none leads or trails.
    let mut pending_space = false;
    let plain = plain_arabic();
    let bytes = text.as_bytes();
    // NFKC works word by word here: an ASCII space or line break never composes with
    // its neighbours, so normalizing the runs between them (each with its separator)
    // one at a time gives the same text as normalizing the whole.
    //
    // Fast path for plain Arabic and ASCII words (nearly all of an article), read
    // byte by byte: NFKC leaves these characters alone, or only composes a hamza or
    // madda mark onto a letter that folding turns back into the bare letter while
    // dropping the mark, so skipping it gives the same output. A run is folded
    // optimistically and undone from `mark` when a character needs NFKC after all.
    let (mut run_start, mut mark, mut pending_at_mark) = (0, 0, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            let lower = b.to_ascii_lowercase();
            if lower.is_ascii_alphanumeric() {
                push(&mut out, &mut pending_space, char::from(lower));
            } else {
                pending_space = !out.is_empty();
                if b == b' ' || b == b'\n' {
                    (run_start, mark, pending_at_mark) = (i, out.len(), pending_space);
                }
            }
            continue;
        }
        // U+0600 to U+067F are the two-byte sequences led by 0xD8 and 0xD9.
        if let (0xD8 | 0xD9, Some(&next)) = (b, bytes.get(i + 1)) {
            let offset = (usize::from(b & 1) << 6) | usize::from(next & 0x3F);
            match plain[offset] {
                Plain::Same => {
                    // A run of letters folding leaves alone is copied whole, and so are
                    // the words after it that are such runs behind a single space: the
                    // output repeats the input there, one copy for the whole stretch.
                    let same = |at: usize| match (bytes.get(at), bytes.get(at + 1)) {
                        (Some(&lead @ (0xD8 | 0xD9)), Some(&next)) => {
                            let offset = (usize::from(lead & 1) << 6) | usize::from(next & 0x3F);
                            matches!(plain[offset], Plain::Same)
                        }
                        _ => false,
                    };
                    let mut end = i + 2;
                    // Where the last space crossed is, if any.
                    let mut last_space = None;
                    loop {
                        while same(end) {
                            end += 2;
                        }
                        if bytes.get(end) == Some(&b' ') && same(end + 1) {
                            last_space = Some(end);
                            end += 3;
                            continue;
                        }
                        break;
                    }
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    let copied_at = out.len();
                    out.push_str(&text[i..end]);
                    if let Some(space) = last_space {
                        // As the separator branch above would have left it at that space.
                        (run_start, mark, pending_at_mark) =
                            (space + 1, copied_at + (space - i), true);
                    }
                    i = end;
                    continue;
                }
                Plain::Keep(c) => {
                    push(&mut out, &mut pending_space, c);
                    i += 2;
                    continue;
                }
                Plain::Drop => {
                    i += 2;
                    continue;
                }
                Plain::Split => {
                    pending_space = !out.is_empty();
                    i += 2;
                    continue;
                }
                Plain::Nfkc => {}
            }
        }
        // Redo the whole run, up to and with its separator, through NFKC.
        out.truncate(mark);
        pending_space = pending_at_mark;
        let end = memchr::memchr2(b' ', b'\n', &bytes[i..]).map_or(bytes.len(), |at| i + at + 1);
        for c in text[run_start..end].nfkc() {
            for lower in c.to_lowercase() {
                apply(&mut out, &mut pending_space, fold_char(lower));
            }
        }
        i = end;
        (run_start, mark, pending_at_mark) = (i, out.len(), pending_space);
    }
    out
}

/// What the fast path of [`normalize`] does with a character of U+0600 to U+067F.
#[derive(Clone, Copy)]
enum Plain {
    /// Needs NFKC: the run it is in takes the slow path.
    Nfkc,
    Drop,
    Split,
    /// Kept as it is.
    Same,
    /// Replaced by its folded form.
    Keep(char),
}

/// [`Plain`] for each of U+0600 to U+067F, from [`nfkc_inert`] and [`fold_plain`].
fn plain_arabic() -> &'static [Plain; 128] {
    static TABLE: std::sync::OnceLock<[Plain; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|offset| {
            let c = char::from_u32(0x0600 + offset as u32).unwrap_or('\u{0600}');
            if !nfkc_inert(c) {
                return Plain::Nfkc;
            }
            match fold_plain(c) {
                Fold::Drop => Plain::Drop,
                Fold::Split => Plain::Split,
                Fold::Keep(k) if k == c => Plain::Same,
                Fold::Keep(k) => Plain::Keep(k),
                // No character of the block folds to two.
                Fold::Two(..) => Plain::Nfkc,
            }
        })
    })
}

/// [`normalize`] the slow way, NFKC over the whole text: what the fast paths must equal.
#[cfg(test)]
fn normalize_nfkc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkc() {
        for lower in c.to_lowercase() {
            match fold_char(lower) {
                Fold::Drop => {}
                Fold::Split => pending_space = !out.is_empty(),
                Fold::Keep(k) => push(&mut out, &mut pending_space, k),
                Fold::Two(a, b) => {
                    push(&mut out, &mut pending_space, a);
                    push(&mut out, &mut pending_space, b);
                }
            }
        }
    }
    out
}

#[inline]
fn apply(out: &mut String, pending_space: &mut bool, fold: Fold) {
    match fold {
        Fold::Drop => {}
        Fold::Split => *pending_space = !out.is_empty(),
        Fold::Keep(k) => push(out, pending_space, k),
        Fold::Two(a, b) => {
            push(out, pending_space, a);
            push(out, pending_space, b);
        }
    }
}

/// Characters NFKC leaves as they are and that have no lowercase mapping besides
/// ASCII's: ASCII, basic Arabic letters, harakat, tatweel, Arabic punctuation and
/// digits. Alef, waw, yeh and heh take a following hamza or madda mark under NFKC
/// ("ا" + "ٔ" → "أ"), but folding maps the composed letter back to the bare one and
/// drops a lone mark, so the result is the same.
fn nfkc_inert(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{060C}' | '\u{061B}' | '\u{061F}' | '\u{0621}'..='\u{065F}' | '\u{0660}'..='\u{066D}')
}

#[inline]
fn push(out: &mut String, pending_space: &mut bool, c: char) {
    if *pending_space {
        out.push(' ');
        *pending_space = false;
    }
    out.push(c);
}

/// What becomes of one lowercased character.
enum Fold {
    /// Invisible for matching (a diacritic, tatweel, a direction mark).
    Drop,
    /// A token boundary (whitespace or punctuation).
    Split,
    /// Kept, possibly replaced by its folded form.
    Keep(char),
    /// Replaced by two characters (`ß` → `ss`).
    Two(char, char),
}

/// [`fold_char`] with the commonest characters answered first: lowercase ASCII letters
/// and digits, the space, and the Arabic letters folding leaves as they are. Every
/// other character goes through [`fold_char`], so the two always agree.
#[inline]
fn fold_plain(c: char) -> Fold {
    match c {
        'a'..='z' | '0'..='9' => Fold::Keep(c),
        ' ' => Fold::Split,
        // Alef, beh, teh to ghain, feh to waw, yeh: none of the folded letters (alef
        // with hamza or madda, ta marbuta, hamza on waw or yeh, alef maksura).
        '\u{0627}'
        | '\u{0628}'
        | '\u{062A}'..='\u{063A}'
        | '\u{0641}'..='\u{0648}'
        | '\u{064A}' => Fold::Keep(c),
        _ => fold_char(c),
    }
}

#[inline]
fn fold_char(c: char) -> Fold {
    match c {
        // Arabic harakat, shadda, sukun, hamza/madda marks, and the
        // superscript (dagger) alef: "الرَّئِيسُ" → "الرئيس", "هٰذا" → "هذا".
        '\u{064B}'..='\u{065F}' | '\u{0670}' => Fold::Drop,
        // Quranic annotation signs that also sit on letters in pasted text.
        '\u{0610}'..='\u{061A}' | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E8}' => Fold::Drop,
        '\u{06EA}'..='\u{06ED}' => Fold::Drop,
        // Tatweel (kashida) only stretches a word: "ســـلام" → "سلام".
        '\u{0640}' => Fold::Drop,
        // Zero-width and bidi controls, soft hyphen, BOM, Arabic letter mark:
        // web text is full of them and they must not split or change words.
        // Persian ZWNJ joins too ("می‌خواهم" → "میخواهم"), as people often
        // type it without one.
        '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' => Fold::Drop,
        '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => Fold::Drop,
        // Combining accents left after lowercasing ("İ" → "i̇") or with no
        // precomposed form: "i̇stanbul" → "istanbul".
        '\u{0300}'..='\u{036F}' => Fold::Drop,
        // Alef with hamza above/below, madda, wasla, wavy hamza → bare alef:
        // "أحمد" "إسطنبول" "آسيا" "ٱلله" → "احمد" "اسطنبول" "اسيا" "الله".
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
            Fold::Keep('\u{0627}')
        }
        // Alef maksura and Persian/Urdu yeh → Arabic yeh: "مصطفى" → "مصطفي",
        // "ایران" (Persian ی) → "ايران".
        '\u{0649}' | '\u{06CC}' | '\u{06D0}' => Fold::Keep('\u{064A}'),
        // Hamza on yeh → yeh, on waw → waw: "رئيس" → "رييس", "مؤتمر" → "موتمر".
        '\u{0626}' => Fold::Keep('\u{064A}'),
        '\u{0624}' => Fold::Keep('\u{0648}'),
        // Ta marbuta and Persian/Urdu heh forms → heh: "غزة" → "غزه",
        // "خانۀ" → "خانه".
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' | '\u{06BE}' | '\u{06D5}' => Fold::Keep('\u{0647}'),
        // Persian keheh and swash kaf → Arabic kaf: "کابل" → "كابل".
        '\u{06A9}' | '\u{06AA}' => Fold::Keep('\u{0643}'),
        // Eastern Arabic and Persian digits → ASCII: "٢٠١٨" "۲۰۱۸" → "2018".
        '\u{0660}'..='\u{0669}' => Fold::Keep(ascii_digit(c as u32 - 0x0660)),
        '\u{06F0}'..='\u{06F9}' => Fold::Keep(ascii_digit(c as u32 - 0x06F0)),
        // Turkish dotless i meets plain i, as people type "istanbul".
        '\u{0131}' => Fold::Keep('i'),
        // Russian ё is usually written е: "ёлка" → "елка".
        'ё' => Fold::Keep('е'),
        'ß' => Fold::Two('s', 's'),
        // Latin letters with accents lose them: "é" → "e", "ğ" → "g".
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' if c.is_alphabetic() => {
            Fold::Keep(strip_latin_accent(c))
        }
        // Plain ASCII and Arabic letters and digits, without the Unicode table lookup.
        'a'..='z' | '0'..='9' | '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => Fold::Keep(c),
        _ if c.is_alphanumeric() => Fold::Keep(c),
        _ => Fold::Split,
    }
}

fn ascii_digit(offset: u32) -> char {
    char::from_digit(offset, 10).unwrap_or('0')
}

/// The base letter of a precomposed Latin letter ("é" → "e"); letters with
/// no decomposition ("ø", "æ") stay as they are.
fn strip_latin_accent(c: char) -> char {
    let mut base = c;
    let mut first = true;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if first {
            base = d;
            first = false;
        }
    });
    base
}

/// Splits normalized text into its tokens.
pub(crate) fn tokens(normalized: &str) -> impl Iterator<Item = &str> {
    // memchr's iterator keeps its search state between tokens, where `split(' ')`
    // starts a new search for each of these short words.
    let mut start = 0;
    memchr::memchr_iter(b' ', normalized.as_bytes())
        .chain(std::iter::once(normalized.len()))
        .filter_map(move |end| {
            let token = normalized.get(start..end).unwrap_or_default();
            start = end + 1;
            (!token.is_empty()).then_some(token)
        })
}

/// The writing system of a token, which decides how it is stemmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Arabic,
    Cyrillic,
    Latin,
    /// Digits only, or a script we do not stem.
    Other,
}

/// The script of a token's first letter.
pub(crate) fn script_of(token: &str) -> Script {
    // Nearly every token starts with a basic Arabic letter (U+0621 to U+063A or U+0641
    // to U+064A): read from its two bytes, the answer the general path would give.
    if let [lead @ (0xD8 | 0xD9), next, ..] = *token.as_bytes() {
        let code = 0x0600 | (u32::from(lead & 1) << 6) | u32::from(next & 0x3F);
        if matches!(code, 0x0621..=0x063A | 0x0641..=0x064A) {
            return Script::Arabic;
        }
    }
    token
        .chars()
        .find(|&c| is_letter(c))
        .map_or(Script::Other, char_script)
}

/// `char::is_alphabetic`, answering ASCII and basic Arabic letters without the Unicode
/// table lookup (those are nearly all the letters the analyser sees).
pub(crate) fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
        || (!c.is_ascii() && c.is_alphabetic())
}

pub(crate) fn char_script(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        '\u{0400}'..='\u{052F}' => Script::Cyrillic,
        _ => Script::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn word_by_word_equals_whole_text_nfkc(text in "(\\PC|[ \n\u{0621}-\u{0670}])*") {
            proptest::prop_assert_eq!(normalize(&text), normalize_nfkc(&text));
        }
    }

    #[test]
    fn fast_path_matches_nfkc() {
        for text in [
            "الرَّئِيسُ، في إسطنبول! ٢٠١٨ Talks",
            // Decomposed hamza and madda marks, which NFKC composes onto the letter.
            "\u{0627}\u{0654}\u{062D}\u{0645}\u{062F} \u{0627}\u{0653}\u{0633}\u{064A}\u{0627} \u{0645}\u{0648}\u{0654}\u{062A}\u{0645}\u{0631} \u{0631}\u{064A}\u{0654}\u{064A}\u{0633} \u{062E}\u{0627}\u{0646}\u{0647}\u{0654}",
            "ســـلام ٪ ٫ ٬ ؟ ؛ ، ػ",
            "MIXED case ASCII, with (punctuation) & 123.",
        ] {
            assert!(text.chars().all(nfkc_inert), "{text}");
            assert_eq!(normalize(text), normalize_nfkc(text), "{text}");
        }
        // Words needing NFKC (presentation forms, ligatures, compatibility punctuation,
        // combining accents) among plain ones.
        for text in [
            "قال «الرئيس» — في إسطنبول… ﻻ ﷲ ﬁnance",
            "Cafe\u{0301} São “quoted” İstanbul ½ ①",
            "\u{0627}\u{0653} \u{FEF7}\u{0654}x  \n\n e\u{0301}",
            // Plain words copied as one stretch, then a word that needs NFKC: the
            // redo starts at the last space of the stretch.
            "قال رئيس وزراء ﻻ بد",
            "قال رئيس وزرا\u{0627}\u{0653}ء",
            "في غزه اليوم e\u{0301}te  قال  رئيس\nوزراء ﷲ",
        ] {
            assert_eq!(normalize(text), normalize_nfkc(text), "{text}");
        }
    }

    #[test]
    fn the_plain_fold_agrees_with_the_full_one() {
        let same = |a: Fold, b: Fold| match (a, b) {
            (Fold::Drop, Fold::Drop) | (Fold::Split, Fold::Split) => true,
            (Fold::Keep(x), Fold::Keep(y)) => x == y,
            (Fold::Two(x1, x2), Fold::Two(y1, y2)) => (x1, x2) == (y1, y2),
            _ => false,
        };
        for c in (0u32..0x0700).filter_map(char::from_u32) {
            assert!(same(fold_plain(c), fold_char(c)), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn arabic_diacritics_and_tatweel_vanish() {
        assert_eq!(normalize("مُحَمَّدٌ"), "محمد");
        assert_eq!(normalize("ســـلام"), "سلام");
        assert_eq!(normalize("هٰذا"), "هذا");
    }

    #[test]
    fn arabic_letter_variants_fold() {
        assert_eq!(
            normalize("أحمد إسطنبول آسيا ٱلله"),
            "احمد اسطنبول اسيا الله"
        );
        assert_eq!(normalize("مصطفى غزة"), "مصطفي غزه");
        assert_eq!(normalize("مؤتمر رئيس"), "موتمر رييس");
    }

    #[test]
    fn persian_forms_and_digits_fold() {
        assert_eq!(normalize("کابل ایران"), "كابل ايران");
        assert_eq!(normalize("٢٠١٨ ۲۰۱۹"), "2018 2019");
        assert_eq!(normalize("می\u{200C}خواهم"), "ميخواهم");
    }

    #[test]
    fn presentation_forms_become_letters() {
        // U+FEFB is the lam-alef ligature; NFKC splits it into two letters.
        assert_eq!(normalize("\u{FEFB}"), "لا");
    }

    #[test]
    fn punctuation_splits_and_case_folds() {
        assert_eq!(normalize("  Iran-deal, «غزة»؟  "), "iran deal غزه");
        assert_eq!(normalize("İSTANBUL Straße Café"), "istanbul strasse cafe");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("!!!"), "");
    }

    #[test]
    fn tokens_are_the_words_between_spaces() {
        assert_eq!(
            tokens("غزه في 2018").collect::<Vec<_>>(),
            ["غزه", "في", "2018"]
        );
        assert_eq!(tokens("a  b ").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(tokens("").count(), 0);
        // The two-byte fast path of `script_of` answers as the general one does.
        for c in '\u{0600}'..='\u{067F}' {
            let token = format!("{c}x");
            let general = token
                .chars()
                .find(|&c| is_letter(c))
                .map_or(Script::Other, char_script);
            assert_eq!(script_of(&token), general, "{c:?}");
        }
    }

    #[test]
    fn scripts_are_told_apart() {
        assert_eq!(script_of("غزه"), Script::Arabic);
        assert_eq!(script_of("москва"), Script::Cyrillic);
        assert_eq!(script_of("gaza"), Script::Latin);
        assert_eq!(script_of("2018"), Script::Other);
    }
}
