//! `ajil poll`: one cycle over every source, then exit (for cron and tests).

use anyhow::Result;
use chrono::Utc;

use crate::cli::PollArgs;
use crate::cmd::{open_store, print_json};
use crate::config::Config;
use crate::pipeline::Pipeline;

/// Fetches every source once, processes new items, sends what is due.
pub async fn run(config: Config, args: PollArgs) -> Result<()> {
    let store = open_store(&config).await?;
    let pipeline = Pipeline::new(config, store).await?;
    let report = pipeline.run_cycle(Utc::now(), true).await?;
    if args.json {
        return print_json(&report);
    }
    println!(
        "polled {} sources ({} failed): {} new articles, {} new stories, {} alerts queued, {} emails sent, {} emails failed",
        report.sources_polled,
        report.sources_failed,
        report.new_articles,
        report.new_stories,
        report.alerts_queued,
        report.emails_sent,
        report.emails_failed
    );
    if report.sources_failed > 0 {
        println!(
            "see `ajil sources list` for the errors; failing sources are retried with backoff"
        );
    }
    Ok(())
}
