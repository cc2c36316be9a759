//! What the running service counts, for Prometheus: `GET /metrics` (same
//! access rule as the API) renders the counters the pipeline keeps and, read
//! from the store at each scrape, the gauges of sources and the outbox.
//!
//! | metric | kind | what |
//! | --- | --- | --- |
//! | `ajil_cycles_total` | counter | pipeline cycles run |
//! | `ajil_cycle_seconds` | histogram | how long a cycle took |
//! | `ajil_pushes_total` | counter | feeds pushed by WebSub hubs and taken |
//! | `ajil_source_fetches_total{outcome}` | counter | source polls: `fetched`, `not_modified`, `failed` |
//! | `ajil_page_fetch_failures_total` | counter | article pages that could not be fetched or extracted (the feed text was kept) |
//! | `ajil_articles_total` | counter | new articles stored |
//! | `ajil_article_delay_seconds` | histogram | from an article's publication time to ajil storing it |
//! | `ajil_stories_total` | counter | stories started |
//! | `ajil_stories_breaking_total` | counter | stories that turned breaking |
//! | `ajil_alerts_queued_total` | counter | alerts queued (real-time emails and digest entries) |
//! | `ajil_emails_total{outcome}` | counter | emails `sent` (accepted by the server or written to the outbox folder) or `failed` (to be retried, or for good) |
//! | `ajil_story_window_articles` | gauge | articles in the in-memory story window |
//! | `ajil_sources{health}` | gauge | sources `ok` or `failing` (their last poll failed) |
//! | `ajil_outbox_emails{status}` | gauge | emails `pending`, `sent`, `failed` in the outbox |

use std::sync::OnceLock;

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::pipeline::CycleReport;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first call; its handle renders the
/// Prometheus text. If another recorder was installed first (a library
/// embedding ajil), ajil's metrics go to that one and this handle renders
/// only what it sees.
pub fn recorder() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("ajil_cycle_seconds".into()),
                &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0],
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("ajil_article_delay_seconds".into()),
                    &[
                        10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 10800.0, 86400.0,
                    ],
                )
            })
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::debug!(
                "a metrics recorder was already installed; /metrics shows only its own"
            );
        }
        describe();
        handle
    })
}

fn describe() {
    describe_counter!("ajil_cycles_total", "Pipeline cycles run.");
    describe_counter!(
        "ajil_pushes_total",
        "Feeds pushed by WebSub hubs and taken."
    );
    describe_histogram!(
        "ajil_cycle_seconds",
        Unit::Seconds,
        "How long a pipeline cycle took."
    );
    describe_counter!(
        "ajil_source_fetches_total",
        "Source polls by outcome: fetched, not_modified, failed."
    );
    describe_counter!(
        "ajil_page_fetch_failures_total",
        "Article pages that could not be fetched or extracted (the feed's text was kept)."
    );
    describe_counter!("ajil_articles_total", "New articles stored.");
    describe_histogram!(
        "ajil_article_delay_seconds",
        Unit::Seconds,
        "From an article's publication time to ajil storing it."
    );
    describe_counter!(
        "ajil_articles_pruned_total",
        "Articles that gave up their text and analysis under retention_days."
    );
    describe_counter!("ajil_stories_total", "Stories started.");
    describe_counter!(
        "ajil_stories_breaking_total",
        "Stories that turned breaking."
    );
    describe_counter!(
        "ajil_alerts_queued_total",
        "Alerts queued (real-time emails and digest entries)."
    );
    describe_counter!(
        "ajil_emails_total",
        "Emails by outcome: sent (accepted, or written to the outbox folder) or failed."
    );
    describe_gauge!(
        "ajil_story_window_articles",
        "Articles in the in-memory story window."
    );
    describe_gauge!(
        "ajil_sources",
        "Sources by health: ok, or failing (their last poll failed)."
    );
    describe_gauge!(
        "ajil_sources_quiet",
        "Sources that answer their polls but brought no new article for a week."
    );
    describe_gauge!(
        "ajil_outbox_emails",
        "Emails in the outbox by status: pending, sent, failed."
    );
}

/// Counts what one cycle did.
pub(crate) fn record_cycle(report: &CycleReport, seconds: f64) {
    metrics::counter!("ajil_cycles_total").increment(1);
    metrics::histogram!("ajil_cycle_seconds").record(seconds);
    metrics::counter!("ajil_articles_total").increment(report.new_articles as u64);
    metrics::counter!("ajil_stories_total").increment(report.new_stories as u64);
    metrics::counter!("ajil_stories_breaking_total").increment(report.stories_breaking as u64);
    metrics::counter!("ajil_alerts_queued_total").increment(report.alerts_queued as u64);
    record_emails(report.emails_sent, report.emails_failed);
}

/// Counts what one WebSub push brought.
pub(crate) fn record_push(report: &CycleReport) {
    metrics::counter!("ajil_pushes_total").increment(1);
    metrics::counter!("ajil_articles_total").increment(report.new_articles as u64);
    metrics::counter!("ajil_stories_total").increment(report.new_stories as u64);
    metrics::counter!("ajil_stories_breaking_total").increment(report.stories_breaking as u64);
    metrics::counter!("ajil_alerts_queued_total").increment(report.alerts_queued as u64);
    record_emails(report.emails_sent, report.emails_failed);
}

/// Counts emails handed to the server (or the outbox folder).
pub(crate) fn record_emails(sent: usize, failed: usize) {
    metrics::counter!("ajil_emails_total", "outcome" => "sent").increment(sent as u64);
    metrics::counter!("ajil_emails_total", "outcome" => "failed").increment(failed as u64);
}

/// Counts one source poll.
pub(crate) fn record_fetch(outcome: &'static str) {
    metrics::counter!("ajil_source_fetches_total", "outcome" => outcome).increment(1);
}

/// Counts an article page that could not be had.
pub(crate) fn record_page_failure() {
    metrics::counter!("ajil_page_fetch_failures_total").increment(1);
}

/// Counts articles pruned under the retention policy.
pub(crate) fn record_pruned(n: u64) {
    metrics::counter!("ajil_articles_pruned_total").increment(n);
}

/// Records how long after publication an article was stored.
pub(crate) fn record_article_delay(seconds: f64) {
    metrics::histogram!("ajil_article_delay_seconds").record(seconds.max(0.0));
}

/// The Prometheus text: the counters so far, and the gauges read now from
/// the store and the story index.
pub async fn render(pipeline: &crate::pipeline::Pipeline) -> anyhow::Result<String> {
    let handle = recorder();
    let store = pipeline.store();
    let sources = store.list_sources().await?;
    let paused = sources.iter().filter(|s| s.paused_at.is_some()).count();
    let failing = sources
        .iter()
        .filter(|s| s.paused_at.is_none() && s.consecutive_failures > 0)
        .count();
    metrics::gauge!("ajil_sources", "health" => "ok")
        .set((sources.len() - failing - paused) as f64);
    metrics::gauge!("ajil_sources", "health" => "failing").set(failing as f64);
    metrics::gauge!("ajil_sources", "health" => "paused").set(paused as f64);
    let now = chrono::Utc::now();
    metrics::gauge!("ajil_sources_quiet")
        .set(sources.iter().filter(|s| s.is_quiet(now)).count() as f64);
    let emails = store.email_counts().await?;
    for (status, n) in [
        ("pending", emails.pending),
        ("sent", emails.sent),
        ("failed", emails.failed),
    ] {
        metrics::gauge!("ajil_outbox_emails", "status" => status).set(n as f64);
    }
    metrics::gauge!("ajil_story_window_articles").set(pipeline.story_window_articles() as f64);
    Ok(handle.render())
}
