//! `ajil store backup`, `ajil store prune` (retention) and `ajil store copy`
//! (moving the store to PostgreSQL).

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cmd::{open_store, print_json};
use crate::config::Config;

/// The URL without its password, for messages.
fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "the database URL".to_string(),
    }
}

/// Writes a consistent copy of the SQLite store to `file`.
pub async fn backup(config: Config, file: &std::path::Path, json: bool) -> Result<()> {
    let store = open_store(&config).await?;
    let started = std::time::Instant::now();
    store.backup_to(file).await?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if json {
        return print_json(&serde_json::json!({
            "file": file.display().to_string(),
            "bytes": bytes,
            "seconds": seconds,
        }));
    }
    println!(
        "backed up the store to {} ({:.1} MB in {seconds:.1} s); to restore it, stop ajil and \
         put it at {}",
        file.display(),
        bytes as f64 / 1e6,
        config.db_path().display()
    );
    Ok(())
}

/// Prunes articles older than `older_than` days (by default the configured
/// retention), or only counts them with `dry_run`.
pub async fn prune(
    config: Config,
    older_than: Option<u32>,
    dry_run: bool,
    vacuum: bool,
    json: bool,
) -> Result<()> {
    let fewest = crate::config::fewest_retention_days(config.story_window_hours);
    let days = match (older_than, config.retention_days) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => bail!(
            "retention is off (retention_days = 0) and no --older-than was given: \
             say how old, e.g. --older-than 90"
        ),
    };
    if i64::from(days) < fewest {
        bail!(
            "--older-than {days} would drop the text of articles still in the {} h story window: \
             give at least {fewest} days",
            config.story_window_hours
        );
    }
    let store = open_store(&config).await?;
    let now = chrono::Utc::now();
    let before = crate::retention::cutoff(now, days);
    let due = store.prunable_articles(before).await?;
    let pruned = if dry_run || due == 0 {
        0
    } else {
        let bar = if json {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(due)
        };
        bar.set_style(
            ProgressStyle::with_template("pruning {bar:40} {pos}/{len} articles")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let n = crate::retention::prune(&store, before, now, |done| bar.set_position(done)).await?;
        bar.finish_and_clear();
        n
    };
    let compacted = vacuum && !dry_run;
    if compacted {
        store.compact().await.context(
            "VACUUM failed (the pruning itself is done): try again when the service is quiet",
        )?;
    }
    let counts = store.retention_counts().await?;
    let before_s = before.format("%Y-%m-%d %H:%M UTC").to_string();
    if json {
        return print_json(&serde_json::json!({
            "older_than_days": days,
            "before": before.to_rfc3339(),
            "dry_run": dry_run,
            "prunable": due,
            "pruned": pruned,
            "compacted": compacted,
            "articles": counts.articles,
            "articles_pruned": counts.pruned,
        }));
    }
    if dry_run {
        println!(
            "{due} articles published and fetched before {before_s} would give up their text, \
             summary and analysis (titles, links and stories stay); run without --dry-run to prune"
        );
    } else {
        println!(
            "pruned {pruned} articles published and fetched before {before_s} (text, summary and \
             analysis dropped; titles, links and stories kept){}",
            if compacted {
                "; the store was compacted"
            } else {
                ""
            }
        );
    }
    println!(
        "the store holds {} articles, {} of them pruned",
        counts.articles, counts.pruned
    );
    Ok(())
}

/// Copies the configured store into the empty PostgreSQL database at `to`.
pub async fn copy(config: Config, to: &str, json: bool) -> Result<()> {
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        bail!("--to must be a PostgreSQL URL (postgres://user:password@host:5432/ajil)");
    }
    if config
        .database_url
        .as_ref()
        .is_some_and(|u| u.expose() == to)
    {
        bail!("--to names the database ajil already uses: give a new, empty database");
    }
    // No cycle runs on the data folder while the rows are read.
    let _lock = crate::pipeline::lock_data_dir(config.data_dir.join("pipeline.lock")).await?;
    let from = open_store(&config).await?;
    let target = ajil_store::Store::connect_postgres(to).await.with_context(|| {
        format!(
            "cannot open {}: check that the server is up, the database exists and the user may create tables",
            shown(to)
        )
    })?;
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:14} {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = from
        .copy_into(&target, |table, done, total| {
            if bar.message() != table {
                bar.set_message(table.to_string());
                bar.set_length(total);
            }
            bar.set_position(done);
        })
        .await
        .with_context(|| format!("copy into {} failed; nothing was written there", shown(to)))?;
    bar.finish_and_clear();
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    if json {
        return print_json(&serde_json::json!({
            "to": shown(to),
            "rows": rows,
            "tables": report.tables.iter().map(|(t, n)| serde_json::json!({"table": t, "rows": n})).collect::<Vec<_>>(),
        }));
    }
    for (table, n) in &report.tables {
        println!("{table:14} {n:>9} rows");
    }
    println!(
        "copied {rows} rows into {}; to use it, set AJIL_DATABASE_URL (or database_url) to that URL",
        shown(to)
    );
    Ok(())
}
