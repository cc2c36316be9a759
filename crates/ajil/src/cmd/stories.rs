//! `ajil stories`: recent stories with their outlets.

use anyhow::Result;
use chrono::Utc;

use crate::cli::StoriesArgs;
use crate::cmd::{open_store, parse_duration, print_json};
use crate::config::Config;

/// Lists stories seen within `--since`, newest first.
pub async fn run(config: Config, args: StoriesArgs) -> Result<()> {
    let since = Utc::now() - parse_duration(&args.since)?;
    let store = open_store(&config).await?;
    let stories = store.list_stories(since, 500).await?;
    if args.json {
        let mut out = Vec::with_capacity(stories.len());
        for s in &stories {
            out.push(store.get_story(s.id).await?);
        }
        return print_json(&out);
    }
    if stories.is_empty() {
        println!(
            "no stories since {}: add sources and run `ajil poll`",
            args.since
        );
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
