//! `ajil extract`: main-content extraction from files, URLs or stdin.

use std::io::{Read, Write};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::cli::ExtractArgs;

/// One extraction result as printed.
#[derive(Debug, Serialize)]
struct Output<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: Option<String>,
    text: String,
    lang: Option<String>,
    /// RFC 3339, UTC.
    published: Option<String>,
    updated: Option<String>,
    author: Option<String>,
    canonical_url: Option<String>,
    wire: Option<String>,
}

/// Extracts every input in turn; a failing input is reported and the rest go on.
pub async fn run(args: &ExtractArgs) -> Result<()> {
    let fetcher = ajil_fetch::Fetcher::new(ajil_fetch::FetchOptions::default())
        .context("cannot set up the HTTP client")?;
    let analyzer = ajil_analyze::Analyzer::new();
    let mut failures = 0usize;
    let stdout = std::io::stdout();
    for input in &args.inputs {
        match extract_one(&fetcher, input).await {
            Ok(mut ex) => {
                if ex.lang.is_none() {
                    ex.lang = ajil_analyze::detect_lang(&ex.text).map(str::to_string);
                }
                let _ = &analyzer;
                let is_url = input.starts_with("http://") || input.starts_with("https://");
                let out = Output {
                    path: (!is_url).then_some(input.as_str()),
                    url: is_url.then_some(input.as_str()),
                    title: ex.title,
                    text: ex.text,
                    lang: ex.lang,
                    published: ex.published.map(rfc3339),
                    updated: ex.updated.map(rfc3339),
                    author: ex.author,
                    canonical_url: ex.canonical_url,
                    wire: ex.wire,
                };
                let mut w = stdout.lock();
                if args.jsonl {
                    serde_json::to_writer(&mut w, &out)?;
                    writeln!(w)?;
                } else {
                    print_human(&mut w, &out)?;
                }
            }
            Err(e) => {
                failures += 1;
                eprintln!("error: {input}: {e:#}");
            }
        }
    }
    if failures > 0 {
        bail!(
            "{failures} of {} inputs could not be extracted (see the messages above)",
            args.inputs.len()
        );
    }
    Ok(())
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn extract_one(fetcher: &ajil_fetch::Fetcher, input: &str) -> Result<ajil_model::Extracted> {
    let (bytes, url, charset) = if input.starts_with("http://") || input.starts_with("https://") {
        match fetcher
            .fetch(input, &ajil_fetch::Validators::default())
            .await?
        {
            ajil_fetch::FetchOutcome::Fetched(r) => (r.body, Some(r.final_url), r.charset),
            ajil_fetch::FetchOutcome::NotModified => bail!("{input} answered 304 Not Modified"),
        }
    } else if input == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        (buf, None, None)
    } else {
        let raw =
            std::fs::read(input).with_context(|| format!("cannot read {input}: check the path"))?;
        (maybe_gunzip(input, raw)?, None, None)
    };
    let opts = ajil_extract::ExtractOptions {
        url,
        charset,
        ..Default::default()
    };
    Ok(ajil_extract::extract(&bytes, &opts)?)
}

/// `.gz` files, or any file starting with the gzip magic bytes, are inflated.
fn maybe_gunzip(name: &str, raw: Vec<u8>) -> Result<Vec<u8>> {
    if name.ends_with(".gz") || raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{name} is not valid gzip"))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn print_human(w: &mut impl Write, o: &Output<'_>) -> Result<()> {
    writeln!(w, "== {}", o.path.or(o.url).unwrap_or("-"))?;
    for (k, v) in [
        ("title", &o.title),
        ("lang", &o.lang),
        ("published", &o.published),
        ("author", &o.author),
        ("canonical", &o.canonical_url),
        ("wire", &o.wire),
    ] {
        if let Some(v) = v {
            writeln!(w, "{k:>10}: {v}")?;
        }
    }
    writeln!(w)?;
    writeln!(w, "{}", o.text)?;
    writeln!(w)?;
    Ok(())
}
