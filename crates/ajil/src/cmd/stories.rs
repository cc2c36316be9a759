//! `ajil stories`: recent stories with their outlets.

use anyhow::Result;
use chrono::Utc;

use crate::cli::StoriesArgs;
use crate::cmd::{open_store, parse_duration, print_json};
use crate::config::Config;

/// Reports a query is tried on at most (the newest within `--since`).
const QUERY_ARTICLES: u32 = 20_000;

/// Lists stories seen within `--since`, newest first; with `--query`, those
/// it matches; with `--breaking`, breaking ones.
pub async fn run(config: Config, args: StoriesArgs) -> Result<()> {
    let query = match &args.query {
        Some(q) => match ajil_query::Query::parse(q) {
            Ok(query) => Some(query),
            Err(e) => anyhow::bail!("the query does not parse:\n{}", e.pointed(q)),
        },
        None => None,
    };
    let since = Utc::now() - parse_duration(&args.since)?;
    let store = open_store(&config).await?;
    let mut stories = store.list_stories(since, 500).await?;
    if let Some(query) = query {
        let articles = store.recent_articles(since, QUERY_ARTICLES).await?;
        let found = tokio::task::spawn_blocking(move || {
            ajil_web::search::stories_matched(&query, &articles)
        })
        .await?;
        stories.retain(|s| found.contains(&s.id));
    }
    if args.breaking {
        stories.retain(|s| s.state == ajil_store::StoryState::Breaking);
    }
    if args.json {
        let mut out = Vec::with_capacity(stories.len());
        for s in &stories {
            out.push(store.get_story(s.id).await?);
        }
        return print_json(&out);
    }
    if stories.is_empty() {
        match (&args.query, args.breaking) {
            (None, false) => println!(
                "no stories since {}: add sources and run `ajil poll`",
                args.since
            ),
            (Some(q), _) => println!(
                "no {}story within {} matches {q:?}",
                if args.breaking { "breaking " } else { "" },
                args.since
            ),
            (None, true) => println!("no story within {} turned breaking", args.since),
        }
        return Ok(());
    }
    for s in stories {
        println!(
            "#{:<6} {:<10} outlets {:>2} (independent {:>2}) articles {:>3}  {}  {}",
            s.id,
            s.state.as_str(),
            s.outlet_count,
            s.independent_outlets,
            s.article_count,
            s.last_seen.format("%Y-%m-%d %H:%M"),
            s.title
        );
    }
    Ok(())
}
