//! Which words of a stream share a word's key: how often a query for a name
//! would match something else.
//!
//! ```text
//! cargo run --release -p ajil-analyze --example key_forms -- [--story] STREAM.jsonl.gz WORD...
//! ```
//!
//! Keys every token of every title and text with [`match_keys`] (or with
//! `--story`, [`story_keys`]) and prints, for each WORD, its key, how many
//! tokens of the stream have that key and the commonest of those tokens (as
//! normalized) with their counts.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};

use ajil_analyze::{match_keys, normalize, story_keys};
use flate2::read::GzDecoder;

#[derive(serde::Deserialize)]
struct Row {
    title: String,
    text: String,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let story = args.first().is_some_and(|a| a == "--story");
    if story {
        args.remove(0);
    }
    let Some(path) = args.first().cloned() else {
        eprintln!("usage: key_forms [--story] STREAM.jsonl.gz WORD...");
        std::process::exit(2);
    };
    let key_of = |word: &str| -> String {
        let keys = if story {
            story_keys(word, None)
        } else {
            match_keys(word, None)
        };
        keys.into_iter().next().unwrap_or_default()
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot open {path}: {e}");
        std::process::exit(1);
    });
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut forms: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for line in BufReader::new(GzDecoder::new(file)).lines() {
        let Ok(line) = line else { break };
        let Ok(row) = serde_json::from_str::<Row>(&line) else {
            continue;
        };
        let text = normalize(&format!("{} {}", row.title, row.text));
        for token in text.split(|c: char| !c.is_alphanumeric()) {
            if token.is_empty() {
                continue;
            }
            let key = keys
                .entry(token.to_string())
                .or_insert_with(|| key_of(token));
            *forms
                .entry(key.clone())
                .or_default()
                .entry(token.to_string())
                .or_default() += 1;
        }
    }
    for word in &args[1..] {
        let key = key_of(word);
        let mut found: Vec<(&String, &usize)> = forms
            .get(&key)
            .map(|f| f.iter().collect())
            .unwrap_or_default();
        found.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let total: usize = found.iter().map(|(_, n)| **n).sum();
        let top: Vec<String> = found
            .iter()
            .take(12)
            .map(|(form, n)| format!("{form} {n}"))
            .collect();
        println!("{word} → {key}: {total} tokens; {}", top.join(", "));
    }
}
