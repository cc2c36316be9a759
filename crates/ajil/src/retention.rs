//! Retention: articles older than `retention_days` give up their text, feed
//! summary and analysis (see `ajil_store::Store::prune_articles`), in short
//! batches so that the pipeline, which shares the database, never waits long.

use ajil_store::Store;
use anyhow::{Context, Result};
use chrono::{DateTime, TimeDelta, Utc};

/// Articles pruned per write.
pub const BATCH: u32 = 500;

/// The cutoff for `days` of retention at `now`: articles published and
/// fetched before it are pruned.
pub fn cutoff(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - TimeDelta::days(i64::from(days))
}

/// Prunes every article published and fetched before `before`, a batch at a
/// time; `progress` hears the running total after each batch. Returns how many
/// it pruned.
pub async fn prune(
    store: &Store,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let mut total = 0;
    loop {
        let n = store
            .prune_articles(before, now, BATCH)
            .await
            .context("pruning old articles failed; nothing is lost, the next run goes on")?;
        total += n;
        if n > 0 {
            crate::telemetry::record_pruned(n);
            progress(total);
        }
        if n < u64::from(BATCH) {
            return Ok(total);
        }
        // Let a cycle waiting for the database have it between batches.
        tokio::task::yield_now().await;
    }
}
