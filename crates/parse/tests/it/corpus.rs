//! Every file of feedparser's test corpus, read in place from `shared/data`.
//!
//! Each file opens with a comment whose `Expect:` line is a Python expression
//! feedparser must satisfy. We check that nothing panics, count what parses,
//! and for well-formed files whose expression states a feed or first-entry
//! title, check that we yield that title.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use ajil_parse::{ParsedFeed, html_to_text, parse_feed};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/feeds/feedparser"
);

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("xml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// The `Content-type` a feedparser test says the server sent, if any.
fn header_content_type(text: &str) -> Option<String> {
    let line = text
        .lines()
        .take(12)
        .find(|l| l.trim_start().starts_with("Header:"))?;
    let value = line.trim_start().strip_prefix("Header:")?.trim();
    let (name, value) = value.split_once(':')?;
    name.trim()
        .eq_ignore_ascii_case("content-type")
        .then(|| value.trim().to_string())
}

/// Read Python string literals joined by `+` (`u'a' + "b\n"`), returning the
/// value and the unread rest, or `None` if `s` does not start with one.
fn python_string(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut rest = s.trim_start();
    let mut any;
    loop {
        let r = rest.strip_prefix('u').unwrap_or(rest);
        let quote = r.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let mut chars = r[1..].char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('u') => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                    }
                    Some('x') => {
                        let hex: String = (0..2)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                    }
                    Some(other) => out.push(other),
                    None => return None,
                },
                c if c == quote => {
                    end = Some(i + 2);
                    break;
                }
                c => out.push(c),
            }
        }
        rest = &r[end?..];
        any = true;
        match rest.trim_start().strip_prefix('+') {
            Some(after) => rest = after.trim_start(),
            None => break,
        }
    }
    any.then_some((out, rest))
}

/// A title the Expect line asserts: which one, and the accepted values.
#[derive(Debug)]
struct TitleClaim {
    entry: Option<usize>,
    values: Vec<String>,
}

/// Pull `feed['title'] == '…'` and `entries[N]['title'] == '…'` claims out of
/// an Expect expression. Alternatives joined by `or` on the same title merge.
fn title_claims(expect: &str) -> Vec<TitleClaim> {
    let mut claims: Vec<TitleClaim> = Vec::new();
    let mut rest = expect;
    while let Some(pos) = rest.find("['title'] ==") {
        let before = &rest[..pos];
        let entry = if before.ends_with("feed") {
            Some(None)
        } else if let Some(idx) = before.rfind("entries[") {
            before[idx + 8..]
                .trim_end_matches(']')
                .parse::<usize>()
                .ok()
                .map(Some)
        } else {
            None
        };
        let after = &rest[pos + "['title'] ==".len()..];
        match (entry, python_string(after)) {
            (Some(entry), Some((value, tail))) => {
                match claims.iter_mut().find(|c| c.entry == entry) {
                    Some(c) if expect.contains(" or ") => c.values.push(value),
                    Some(_) => {}
                    None => claims.push(TitleClaim {
                        entry,
                        values: vec![value],
                    }),
                }
                rest = tail;
            }
            _ => rest = after,
        }
    }
    claims
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// feedparser keeps markup in titles; we yield plain text. Either reading of
/// the expected value is a match.
fn title_matches(ours: Option<&str>, expected: &[String]) -> bool {
    let ours = normalize(ours.unwrap_or(""));
    expected
        .iter()
        .any(|e| ours == normalize(e) || ours == normalize(&html_to_text(e)))
}

/// Title claims we knowingly do not meet, by file-name fragment, with why.
/// Everything else in the corpus must match.
const KNOWN_TITLE_GAPS: &[(&str, &str)] = &[
    (
        "_base64",
        "feedparser decodes base64 Atom text; no news feed sends it",
    ),
    (
        "_inline_markup_2",
        "feed-rs unescapes text inside xhtml, so &lt;blink&gt; becomes a tag",
    ),
    (
        "atom/atom_namespace_",
        "Atom 0.3 under a prefix or odd namespace spelling",
    ),
    ("cdf/", "Microsoft CDF is not a format we read"),
    (
        "itunes_core_element_uppercase",
        "element names are case-sensitive in XML and feed-rs",
    ),
    (
        "rss2.0NSwithModulesNoDefNS",
        "prefixed RSS 2 elements are ignored by feed-rs",
    ),
    (
        "rdf_item_title",
        "feed-rs drops RSS 1.0 items that have no link",
    ),
    (
        "rss090_item_title",
        "feed-rs drops RSS 0.90 items that have no link",
    ),
    ("_dc_title", "feed-rs does not read dc:title"),
    (
        "_title_crazy",
        "feedparser keeps comment and script text in titles; we drop it",
    ),
    (
        "xml_declaration_unexpected_character",
        "a feed with a bad declaration only feedparser's loose parser reads",
    ),
    (
        "xml_malicious_comment",
        "an HTML comment closed by `>` is read to its end by our tag stripper",
    ),
];

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    parsed: usize,
    rejected: usize,
    panicked: Vec<String>,
}

#[test]
fn feedparser_corpus_never_panics_and_titles_match() {
    let root = Path::new(CORPUS);
    assert!(root.is_dir(), "corpus missing at {CORPUS}");
    let mut report = Vec::new();
    let mut claims_checked = 0;
    let mut mismatches = Vec::new();
    for folder in ["wellformed", "illformed", "encoding", "entities", "json"] {
        let mut files = Vec::new();
        files_under(&root.join(folder), &mut files);
        files.sort();
        let mut tally = Tally::default();
        for path in &files {
            let bytes = std::fs::read(path).expect("corpus file is readable");
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]).into_owned();
            let content_type = header_content_type(&head);
            let result: Result<Result<ParsedFeed, _>, _> = catch_unwind(AssertUnwindSafe(|| {
                parse_feed(&bytes, content_type.as_deref())
            }));
            tally.files += 1;
            let name = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            let feed = match result {
                Err(_) => {
                    tally.panicked.push(name);
                    continue;
                }
                Ok(Err(_)) => {
                    tally.rejected += 1;
                    None
                }
                Ok(Ok(feed)) => {
                    tally.parsed += 1;
                    Some(feed)
                }
            };
            if folder != "wellformed" {
                continue;
            }
            let Some(expect) = head
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("Expect:"))
            else {
                continue;
            };
            for claim in title_claims(expect) {
                claims_checked += 1;
                let ours = feed.as_ref().and_then(|f| match claim.entry {
                    None => f.title.as_deref(),
                    Some(i) => f.items.get(i).and_then(|it| it.title.as_deref()),
                });
                if !title_matches(ours, &claim.values)
                    && !KNOWN_TITLE_GAPS.iter().any(|(frag, _)| name.contains(frag))
                {
                    mismatches.push(format!("{name}: got {ours:?}, expected {:?}", claim.values));
                }
            }
        }
        report.push((folder, tally));
    }
    for (folder, t) in &report {
        println!(
            "{folder:>10}: {} files, {} parsed, {} rejected, {} panicked",
            t.files,
            t.parsed,
            t.rejected,
            t.panicked.len()
        );
    }
    println!(
        "title claims checked: {claims_checked}, mismatches: {}",
        mismatches.len()
    );
    for m in &mismatches {
        println!("  {m}");
    }
    let panics: Vec<_> = report.iter().flat_map(|(_, t)| t.panicked.iter()).collect();
    assert!(panics.is_empty(), "parser panicked on: {panics:?}");
    assert!(
        mismatches.is_empty(),
        "{} title mismatches",
        mismatches.len()
    );
    // Floors a little under today's counts, so a regression in the repair or
    // charset code shows up here rather than in production.
    let parsed = |folder: &str| {
        report
            .iter()
            .find(|(f, _)| *f == folder)
            .map_or(0, |(_, t)| t.parsed)
    };
    assert!(
        parsed("wellformed") >= 1700,
        "wellformed parsed: {}",
        parsed("wellformed")
    );
    assert!(
        parsed("entities") >= 250,
        "entities parsed: {}",
        parsed("entities")
    );
    assert!(
        parsed("encoding") >= 40,
        "encoding parsed: {}",
        parsed("encoding")
    );
    assert!(
        claims_checked >= 140,
        "only {claims_checked} title claims found"
    );
}

#[test]
fn expect_lines_are_read() {
    let claims = title_claims("not bozo and feed['title'] == u'Example ' + \"feed\\n\"");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].entry, None);
    assert_eq!(claims[0].values, ["Example feed\n"]);
    let claims =
        title_claims("entries[0]['title'] == 'it&apos;s' or entries[0]['title'] == \"it's\"");
    assert_eq!(claims[0].entry, Some(0));
    assert_eq!(claims[0].values, ["it&apos;s", "it's"]);
    assert!(title_claims("not bozo and encoding == 'utf-8'").is_empty());
    assert_eq!(
        header_content_type("<!--\nHeader: Content-type: text/xml; charset=x\n-->").as_deref(),
        Some("text/xml; charset=x")
    );
}
