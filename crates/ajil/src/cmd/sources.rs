//! `ajil sources …`: add, list, edit, pause, resume, remove, import from
//! OPML, export to OPML.

use std::time::Duration;

use ajil_model::SourceId;
use ajil_store::SourceChanges;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::SourcesCommand;
use crate::cmd::{open_store, print_json};
use crate::config::Config;

/// Runs one `sources` subcommand.
pub async fn run(config: Config, cmd: SourcesCommand) -> Result<()> {
    let store = open_store(&config).await?;
    match cmd {
        SourcesCommand::Add {
            url,
            name,
            interval,
            section,
            page,
            no_check,
        } => {
            let mut url = check_url(&url)?;
            if let Some(secs) = interval {
                check_interval(secs)?;
            }
            if !no_check {
                url = inspect(&config, url, page).await?;
            }
            let name = name.unwrap_or_else(|| default_name(&url));
            let interval = interval
                .map(Duration::from_secs)
                .unwrap_or(config.poll_interval);
            let s = store
                .add_source(url.as_str(), &name, interval, Utc::now())
                .await
                .map_err(|e| match e {
                    ajil_store::StoreError::Conflict { .. } => {
                        anyhow::anyhow!("{url} is already a source: see `ajil sources list`")
                    }
                    e => anyhow::Error::new(e),
                })?;
            if let Some(section) = &section {
                store.set_source_section(s.id, Some(section)).await?;
            }
            match section.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(section) => println!(
                    "added source #{} {} ({}), section {section}",
                    s.id, s.name, s.url
                ),
                None => println!("added source #{} {} ({})", s.id, s.name, s.url),
            }
        }
        SourcesCommand::List { json } => {
            let sources = store.list_sources().await?;
            if json {
                return print_json(&sources);
            }
            if sources.is_empty() {
                println!("no sources yet: add one with `ajil sources add URL`");
            }
            let pushes = store.websubs().await?;
            let now = chrono::Utc::now();
            for s in sources {
                if let Some(since) = s.paused_at {
                    println!(
                        "#{:<4} {:<24} {}\n      PAUSED since {} UTC (`ajil sources resume {}`)",
                        s.id,
                        s.name,
                        s.url,
                        since.format("%Y-%m-%d %H:%M"),
                        s.id
                    );
                    continue;
                }
                let health = match (&s.last_error, s.last_success_at) {
                    (Some(err), _) => {
                        format!("FAILING x{}: {err}", s.consecutive_failures)
                    }
                    (None, Some(t)) => {
                        format!("ok, last success {} UTC", t.format("%Y-%m-%d %H:%M"))
                    }
                    (None, None) => "not fetched yet".to_string(),
                };
                let latest = match (s.last_article_at, s.last_success_at) {
                    (Some(t), _) => format!(", latest article {} UTC", t.format("%Y-%m-%d %H:%M")),
                    (None, Some(_)) => ", no article yet".to_string(),
                    (None, None) => String::new(),
                };
                let quiet = if s.is_quiet(now) {
                    "\n      QUIET: it answers but has brought nothing new for days; check that \
                     its feed still updates (if it moved: `ajil sources edit ID --url NEW`)"
                } else {
                    ""
                };
                let section = s
                    .section
                    .as_deref()
                    .map_or(String::new(), |section| format!(", section {section}"));
                let next = s.next_fetch_at.format("%Y-%m-%d %H:%M");
                println!(
                    "#{:<4} {:<24} {}\n      {health}{latest}{section}; next poll {next} UTC{quiet}",
                    s.id, s.name, s.url
                );
                if let Some(push) = pushes.iter().find(|p| p.source_id == s.id) {
                    match push.expires_at {
                        Some(until) => println!(
                            "      pushed by {} until {} UTC",
                            push.hub,
                            until.format("%Y-%m-%d %H:%M")
                        ),
                        None => println!(
                            "      push asked of {} at {} UTC, not verified yet",
                            push.hub,
                            push.requested_at.format("%Y-%m-%d %H:%M")
                        ),
                    }
                }
            }
        }
        SourcesCommand::Remove { id } => {
            let fetcher = ajil::inspect::checking_fetcher(&config)?;
            ajil::sources::remove(&store, &fetcher, &config.public_url, SourceId(id))
                .await
                .map_err(|e| no_such(e, id))?;
            println!("removed source #{id}");
        }
        SourcesCommand::Edit {
            id,
            url,
            name,
            interval,
            section,
            json,
        } => {
            if let Some(secs) = interval {
                check_interval(secs)?;
            }
            let changes = SourceChanges {
                url,
                name,
                interval: interval.map(Duration::from_secs),
                section: section
                    .map(|s| Some(s).filter(|s| !s.trim().eq_ignore_ascii_case("none"))),
                paused: None,
            };
            if changes == SourceChanges::default() {
                bail!("nothing to change: give --url, --name, --interval or --section");
            }
            let s = change(&config, &store, id, &changes).await?;
            if json {
                return print_json(&s);
            }
            let section = s
                .section
                .as_deref()
                .map_or("no section".to_string(), |x| format!("section {x}"));
            println!(
                "source #{} is now {} ({}), polled every {} s, {section}",
                s.id, s.name, s.url, s.interval_secs
            );
        }
        SourcesCommand::Pause { id } => {
            let changes = SourceChanges {
                url: None,
                paused: Some(true),
                ..SourceChanges::default()
            };
            let s = change(&config, &store, id, &changes).await?;
            println!(
                "paused source #{} {}: not polled until `ajil sources resume {}`",
                s.id, s.name, s.id
            );
        }
        SourcesCommand::Resume { id } => {
            let changes = SourceChanges {
                url: None,
                paused: Some(false),
                ..SourceChanges::default()
            };
            let s = change(&config, &store, id, &changes).await?;
            println!("resumed source #{} {}: due for a poll now", s.id, s.name);
        }
        SourcesCommand::Import { file } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("cannot read {}: check the path", file.display()))?;
            let outlines = ajil_parse::parse_opml(&bytes)
                .with_context(|| format!("{} is not a readable OPML file", file.display()))?;
            if outlines.is_empty() {
                bail!(
                    "{} lists no feeds (no outline has an xmlUrl attribute)",
                    file.display()
                );
            }
            let bar = ProgressBar::new(outlines.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let (mut added, mut skipped) = (0, 0);
            for o in outlines {
                bar.set_message(o.url.clone());
                match check_url(&o.url) {
                    Ok(url) => {
                        let name = o.title.clone().unwrap_or_else(|| default_name(&url));
                        match store
                            .add_source(url.as_str(), &name, config.poll_interval, Utc::now())
                            .await
                        {
                            Ok(source) => {
                                if let Some(section) = &o.category {
                                    store.set_source_section(source.id, Some(section)).await?;
                                }
                                added += 1
                            }
                            Err(ajil_store::StoreError::Conflict { .. }) => skipped += 1,
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Err(e) => {
                        bar.println(format!("skipped {}: {e:#}", o.url));
                        skipped += 1;
                    }
                }
                bar.inc(1);
            }
            bar.finish_and_clear();
            println!("imported {added} sources ({skipped} skipped: already present or invalid)");
        }
        SourcesCommand::Export => {
            let sources = store.list_sources().await?;
            let feeds: Vec<ajil_parse::OpmlOutline> = sources
                .into_iter()
                .map(|s| ajil_parse::OpmlOutline {
                    url: s.url,
                    title: Some(s.name),
                    category: s.section,
                })
                .collect();
            print!("{}", ajil_parse::write_opml("ajil sources", &feeds));
        }
    }
    Ok(())
}

/// Fetches `url` once to tell the user what it is, and returns the URL to
/// add: the feed a web page advertises unless `keep_page`. A page that offers
/// nothing to follow, or a document ajil cannot read, is an error; a server
/// that cannot be reached now is only a warning.
async fn inspect(config: &Config, url: url::Url, keep_page: bool) -> Result<url::Url> {
    let fetcher = ajil::inspect::checking_fetcher(config)?;
    let found = ajil::inspect::inspect(&fetcher, &url, keep_page)
        .await
        .map_err(|e| anyhow::anyhow!("{e} (or add it anyway with --no-check)"))?;
    if found.kind == ajil::inspect::SourceKind::Unchecked {
        eprintln!(
            "warning: {}; `ajil sources list` shows its health after the next poll",
            found.note
        );
        return Ok(url);
    }
    println!("{}", found.note);
    for line in &found.more {
        let line = line.replace("add the page itself", "add the page with --page");
        println!("  {line}");
    }
    check_url(&found.url)
}

/// Applies `changes` to source `id` (telling its WebSub hub when it is
/// paused).
async fn change(
    config: &Config,
    store: &ajil_store::Store,
    id: i64,
    changes: &SourceChanges,
) -> Result<ajil_store::Source> {
    let fetcher = ajil::inspect::checking_fetcher(config)?;
    ajil::sources::update(
        store,
        &fetcher,
        &config.public_url,
        SourceId(id),
        changes,
        Utc::now(),
    )
    .await
    .map_err(|e| no_such(e, id))
}

/// A missing source named the way the CLI names it.
fn no_such(e: ajil_store::StoreError, id: i64) -> anyhow::Error {
    match e {
        ajil_store::StoreError::NotFound { .. } => {
            anyhow::anyhow!("there is no source #{id}: see `ajil sources list`")
        }
        e => anyhow::Error::new(e),
    }
}

/// Shortest interval between polls, to stay polite to publishers.
const MIN_INTERVAL_SECS: u64 = 60;

fn check_interval(secs: u64) -> Result<()> {
    if secs < MIN_INTERVAL_SECS {
        bail!("--interval {secs} is too short: poll a source at most once a minute (60 or more)");
    }
    Ok(())
}

/// Only http(s) URLs can be fetched.
fn check_url(s: &str) -> Result<url::Url> {
    let url = url::Url::parse(s.trim()).with_context(|| {
        format!("{s:?} is not a URL: give a full address like https://example.org/feed")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{s:?} is not an http or https URL: ajil fetches feeds over HTTP");
    }
    Ok(url)
}

/// The host without `www.` names an outlet well enough by default.
fn default_name(url: &url::Url) -> String {
    url.host_str()
        .map(|h| h.trim_start_matches("www.").to_string())
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://example.org/rss").is_ok());
        let e = check_url("ftp://example.org/rss").unwrap_err();
        assert!(e.to_string().contains("http or https"));
        assert!(
            check_url("example.org")
                .unwrap_err()
                .to_string()
                .contains("full address")
        );
        assert_eq!(
            default_name(&url::Url::parse("https://www.bbc.com/arabic/rss.xml").unwrap()),
            "bbc.com"
        );
    }
}
