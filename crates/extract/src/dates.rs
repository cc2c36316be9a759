//! Date parsing: machine formats (ISO 8601, RFC 2822) and visible dates in
//! English and Arabic, with Eastern Arabic digits and both the Levantine
//! (كانون الثاني) and the Egyptian/Gulf (يناير) month names.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;

/// Maps Eastern Arabic (٠-٩) and Persian (۰-۹) digits to ASCII, and folds
/// alef forms so `آذار`/`أذار` and `ابريل`/`إبريل` match one spelling.
pub(crate) fn fold_arabic(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            '\u{0640}' => '\u{200C}', // tatweel, dropped below
            _ => c,
        })
        .filter(|&c| c != '\u{200C}' && c != '\u{200F}' && c != '\u{200E}')
        .collect()
}

/// Parses a machine-readable timestamp as found in meta tags and JSON-LD.
/// A time without zone is taken as UTC; a bare date as midnight UTC.
pub(crate) fn parse_machine(s: &str) -> Option<DateTime<Utc>> {
    let s = fold_arabic(s.trim());
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(&s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(&s) {
        return Some(d.with_timezone(&Utc));
    }
    // "2025-02-26 14:05:00 +0300", "2025-02-26T14:05+03:00", "…Z"
    let t = s.replacen(' ', "T", 1);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%dT%H:%M:%S%.fT%#z",
        "%Y-%m-%dT%H:%M:%ST%#z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&t, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let naive = t
        .trim_end_matches('Z')
        .trim_end_matches("UTC")
        .trim_end_matches("GMT")
        .trim();
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%dT%H:%M:%S",
        "%Y/%m/%dT%H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(naive, f) {
            return Some(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
        }
    }
    parse_visible(&s)
}

/// Month names, folded by [`fold_arabic`], with their month number.
const MONTHS: &[(&str, u32)] = &[
    ("كانون الثاني", 1),
    ("يناير", 1),
    ("جانفي", 1),
    ("شباط", 2),
    ("فبراير", 2),
    ("فيفري", 2),
    ("اذار", 3),
    ("مارس", 3),
    ("نيسان", 4),
    ("ابريل", 4),
    ("افريل", 4),
    ("ايار", 5),
    ("مايو", 5),
    ("ماي", 5),
    ("حزيران", 6),
    ("يونيو", 6),
    ("يونيه", 6),
    ("جوان", 6),
    ("تموز", 7),
    ("يوليو", 7),
    ("يوليه", 7),
    ("جويلية", 7),
    ("جويليه", 7),
    ("اب", 8),
    ("اغسطس", 8),
    ("اوت", 8),
    ("غشت", 8),
    ("ايلول", 9),
    ("سبتمبر", 9),
    ("شتنبر", 9),
    ("تشرين الاول", 10),
    ("اكتوبر", 10),
    ("تشرين الثاني", 11),
    ("نوفمبر", 11),
    ("نونبر", 11),
    ("كانون الاول", 12),
    ("ديسمبر", 12),
    ("دجنبر", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    // Portuguese, Spanish, French and German, for bylines on those sites.
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("abril", 4),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("agosto", 8),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sept", 9),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month_alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|m| m.0).collect();
    // Longest first, so "مايو" is not read as "ماي" and "sept" not as "sep".
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.join("|").replace(' ', r"\s+")
}

fn month_number(name: &str) -> Option<u32> {
    let name = crate::dom::collapse_ws(&name.to_lowercase());
    MONTHS.iter().find(|m| m.0 == name).map(|m| m.1)
}

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    let m = month_alternation();
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s*(?:من\s+|de\s+)?({m})\.?(?:\s*[/(-]\s*(?:{m})\s*\)?)?\s*[,،]?\s*(?:de\s+|del\s+)?(\d{{4}})(?-u:\b)"
    ))
    .unwrap()
});

static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    let m = month_alternation();
    Regex::new(&format!(
        r"(?i)(?:^|\W)({m})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})(?-u:\b)"
    ))
    .unwrap()
});

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})|(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}))(?-u:\b)")
        .unwrap()
});

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(\d{1,2}):(\d{2})(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.|ص|م|صباحا|مساء|مساءً|صباحًا)?",
    )
    .unwrap()
});

/// Finds the first visible date in running text ("26 فبراير 2025",
/// "٢٦ شباط ٢٠٢٥ - 14:05", "Nov. 19, 2019 5:00 PM"). Unzoned times are UTC.
pub(crate) fn parse_visible(text: &str) -> Option<DateTime<Utc>> {
    let s = fold_arabic(text);
    let mut found: Option<(usize, usize, NaiveDate)> = None;
    let mut consider = |start: usize, end: usize, y: i32, m: u32, d: u32| {
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            && (1990..=2100).contains(&y)
            && found.is_none_or(|f| start < f.0)
        {
            found = Some((start, end, date));
        }
    };
    if let Some(c) = DAY_MONTH_YEAR.captures(&s) {
        let whole = c.get(0)?;
        if let (Ok(d), Some(m), Ok(y)) = (c[1].parse(), month_number(&c[2]), c[3].parse()) {
            consider(whole.start(), whole.end(), y, m, d);
        }
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(&s) {
        let whole = c.get(0)?;
        if let (Some(m), Ok(d), Ok(y)) = (month_number(&c[1]), c[2].parse(), c[3].parse()) {
            consider(whole.start(), whole.end(), y, m, d);
        }
    }
    if let Some(c) = NUMERIC.captures(&s) {
        let whole = c.get(0)?;
        let num = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u32>().ok());
        if let (Some(y), Some(m), Some(d)) = (num(1), num(2), num(3)) {
            consider(whole.start(), whole.end(), y as i32, m, d);
        } else if let (Some(a), Some(b), Some(y)) = (num(4), num(5), num(6)) {
            // Day first, as Arabic and European sites write it, unless impossible.
            let (d, m) = if b > 12 { (b, a) } else { (a, b) };
            consider(whole.start(), whole.end(), y as i32, m, d);
        }
    }
    let (start, end, date) = found?;
    // A clock time within a few characters of the date belongs to it.
    let lo = floor_char(&s, start.saturating_sub(24));
    let hi = floor_char(&s, (end + 32).min(s.len()));
    let mut time = NaiveTime::MIN;
    for c in TIME.captures_iter(&s[lo..hi]) {
        let g = c.get(0)?;
        let abs = lo + g.start();
        if abs >= start && abs < end {
            continue;
        }
        let (Ok(mut h), Ok(min)) = (c[1].parse::<u32>(), c[2].parse::<u32>()) else {
            continue;
        };
        let suffix = c
            .get(3)
            .map(|m| m.as_str().to_lowercase())
            .unwrap_or_default();
        let pm = suffix.starts_with('p') || suffix.starts_with('م');
        let am = suffix.starts_with('a') || suffix.starts_with('ص');
        if pm && h < 12 {
            h += 12;
        } else if am && h == 12 {
            h = 0;
        }
        if let Some(t) = NaiveTime::from_hms_opt(h, min, 0) {
            time = t;
            break;
        }
    }
    Some(Utc.from_utc_datetime(&date.and_time(time)))
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn machine_formats() {
        assert_eq!(
            parse_machine("2025-02-26T14:05:00+03:00"),
            Some(utc("2025-02-26T11:05:00Z"))
        );
        assert_eq!(
            parse_machine("2025-02-26 14:05:00 +0300"),
            Some(utc("2025-02-26T11:05:00Z"))
        );
        assert_eq!(
            parse_machine("2025-02-26T14:05:00.123Z"),
            Some(utc("2025-02-26T14:05:00.123Z"))
        );
        assert_eq!(
            parse_machine("2025-02-26T14:05"),
            Some(utc("2025-02-26T14:05:00Z"))
        );
        assert_eq!(
            parse_machine("2025-02-26"),
            Some(utc("2025-02-26T00:00:00Z"))
        );
        assert_eq!(
            parse_machine("Wed, 26 Feb 2025 14:05:00 +0300"),
            Some(utc("2025-02-26T11:05:00Z"))
        );
        assert_eq!(parse_machine("not a date"), None);
    }

    #[test]
    fn arabic_visible_dates() {
        assert_eq!(
            parse_visible("نشر في 26 فبراير 2025"),
            Some(utc("2025-02-26T00:00:00Z"))
        );
        assert_eq!(
            parse_visible("الأربعاء ٢٦ شباط ٢٠٢٥ - ١٤:٠٥"),
            Some(utc("2025-02-26T14:05:00Z"))
        );
        assert_eq!(
            parse_visible("3 كانون الثاني 2024"),
            Some(utc("2024-01-03T00:00:00Z"))
        );
        assert_eq!(
            parse_visible("15 تشرين الأول/أكتوبر 2023"),
            Some(utc("2023-10-15T00:00:00Z"))
        );
        assert_eq!(
            parse_visible("5 آذار 2022 الساعة 09:30 م"),
            Some(utc("2022-03-05T21:30:00Z"))
        );
        assert_eq!(
            parse_visible("1 مايو 2021"),
            Some(utc("2021-05-01T00:00:00Z"))
        );
    }

    #[test]
    fn english_visible_dates() {
        assert_eq!(
            parse_visible("Updated Nov. 19, 2019 5:00 PM"),
            Some(utc("2019-11-19T17:00:00Z"))
        );
        assert_eq!(
            parse_visible("19 November 2019"),
            Some(utc("2019-11-19T00:00:00Z"))
        );
        assert_eq!(
            parse_visible("Posted 26/02/2025"),
            Some(utc("2025-02-26T00:00:00Z"))
        );
        assert_eq!(parse_visible("no date here 12:30"), None);
        assert_eq!(
            parse_visible("sexta-feira, 22 de outubro de 2010 às 20:13"),
            Some(utc("2010-10-22T20:13:00Z"))
        );
        assert_eq!(
            parse_visible("publiziert am 30. Juli 2018"),
            Some(utc("2018-07-30T00:00:00Z"))
        );
    }
}
