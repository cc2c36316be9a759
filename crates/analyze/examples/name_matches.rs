//! How well a one-word query for a name finds the articles that name it, keyed
//! with match keys against keyed with story keys.
//!
//! ```text
//! cargo run --release -p ajil-analyze --example name_matches -- STREAM.jsonl.gz QUERY=LETTERS[|LETTERS]...
//! ```
//!
//! An article "names" the query when its normalized title and text contain one of
//! the LETTERS strings (as `ajil_analyze::normalize` writes them: "امارات" for the
//! Emirates, "ترامب|ترمب" for Trump). That is a rough truth, inflated by words that
//! contain the letters ("تركيز" for "تركي"), so compare the two keyings on it, not
//! with a target. For each query it prints the articles naming it, and for each
//! keying how many of those the query matches and how many articles it matches
//! that do not name it. A match by match keys reads variants as the pipeline does.

use std::io::{BufRead, BufReader};

use ajil_analyze::{article_match_keys, match_keys, normalize, story_keys};
use flate2::read::GzDecoder;

#[derive(serde::Deserialize)]
struct Row {
    title: String,
    text: String,
}

/// Counts for one query: articles naming it, then found and wrong for story keys
/// and for match keys.
#[derive(Default)]
struct Tally {
    naming: usize,
    story: (usize, usize),
    matched: (usize, usize),
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, specs)) = args.split_first() else {
        eprintln!("usage: name_matches STREAM.jsonl.gz QUERY=LETTERS[|LETTERS]...");
        std::process::exit(2);
    };
    let queries: Vec<(String, Vec<String>, String, String)> = specs
        .iter()
        .map(|spec| {
            let (query, letters) = spec.split_once('=').unwrap_or((spec, spec));
            let letters = letters.split('|').map(normalize).collect();
            let story = story_keys(query, None)
                .into_iter()
                .next()
                .unwrap_or_default();
            let matched = match_keys(query, None)
                .into_iter()
                .next()
                .unwrap_or_default();
            (query.to_string(), letters, story, matched)
        })
        .collect();
    let file = std::fs::File::open(path).unwrap_or_else(|e| {
        eprintln!("error: cannot open {path}: {e}");
        std::process::exit(1);
    });
    let mut tallies: Vec<Tally> = queries.iter().map(|_| Tally::default()).collect();
    for line in BufReader::new(GzDecoder::new(file)).lines() {
        let Ok(line) = line else { break };
        let Ok(row) = serde_json::from_str::<Row>(&line) else {
            continue;
        };
        let text = format!("{}\n{}", row.title, row.text);
        let normalized = normalize(&text);
        let story = story_keys(&text, Some("ar"));
        let article = article_match_keys(&text, Some("ar"));
        for ((_, letters, story_key, match_key), tally) in queries.iter().zip(&mut tallies) {
            let names = letters.iter().any(|l| normalized.contains(l.as_str()));
            let by_story = story.contains(story_key);
            let by_match = article.keys.contains(match_key)
                || article.variants.iter().any(|(_, v)| v == match_key);
            tally.naming += usize::from(names);
            for (found, hit) in [(&mut tally.story, by_story), (&mut tally.matched, by_match)] {
                if hit {
                    if names {
                        found.0 += 1;
                    } else {
                        found.1 += 1;
                    }
                }
            }
        }
    }
    println!("query | articles naming it | story keys: found, others | match keys: found, others");
    for ((query, ..), t) in queries.iter().zip(&tallies) {
        let share = |n: usize| 100.0 * n as f64 / t.naming.max(1) as f64;
        println!(
            "{query} | {} | {} ({:.1}%), {} | {} ({:.1}%), {}",
            t.naming,
            t.story.0,
            share(t.story.0),
            t.story.1,
            t.matched.0,
            share(t.matched.0),
            t.matched.1
        );
    }
}
