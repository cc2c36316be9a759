//! `ajil deliver`: sends every email due now and exits, without polling
//! sources (for maintenance, cron between polls, and the crash tests).

use anyhow::Result;

use crate::cmd::{open_store, print_json};
use crate::config::Config;

/// Sends due mail batch after batch until none is due.
pub async fn run(config: Config, json: bool) -> Result<()> {
    let store = open_store(&config).await?;
    let (sent, failed) = crate::pipeline::deliver_all(&config, &store).await?;
    let counts = store.email_counts().await?;
    store.close().await;
    if json {
        return print_json(&serde_json::json!({
            "sent": sent, "failed": failed, "outbox": counts
        }));
    }
    println!(
        "{sent} emails sent, {failed} failed; outbox: {} pending, {} sent, {} failed",
        counts.pending, counts.sent, counts.failed
    );
    Ok(())
}
