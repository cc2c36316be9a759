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
    // On a terminal only (indicatif draws nothing when stderr is not one).
    let bar = if args.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("polling {bar:30} {pos}/{len} sources  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = pipeline
        .run_cycle_reporting(Utc::now(), true, |source, done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(source.name.clone());
        })
        .await?;
    bar.finish_and_clear();
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
