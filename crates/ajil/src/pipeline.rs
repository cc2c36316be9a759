//! The one place that chains the stages:
//! fetch → parse → extract → analyze → story → match → alert → deliver.
//!
//! A [`Pipeline`] owns the in-memory story index and a compiled copy of the
//! stored queries. Work happens in *cycles* ([`Pipeline::run_cycle`]): each
//! cycle takes an exclusive lock on the data folder (so `ajil poll` from cron
//! and a running `ajil serve` never process the same items or send the same
//! email at once), catches the story index up with articles other processes
//! stored, polls sources, queues alerts, closes due digests and delivers mail.
//!
//! Failures of one source, one page or one email are recorded (source health,
//! email retry state) and logged; they never stop the cycle.

use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;

use ajil_alert::{AlertPlan, MatchKind};
use ajil_model::{Analysis, ArticleId, FeedItem, SourceId, StoryId};
use ajil_store::{NewArticle, Source, Store, SubscriptionWithEmail};
use ajil_story::{Assignment, Clusterer, StoryInput, StoryOptions};
use anyhow::{Context, Result};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use tracing::{debug, info, warn};

use crate::config::Config;

mod deliver;
mod matcher;

pub use deliver::Delivery;
use matcher::Matchers;

/// Feed content shorter than this (in characters) is treated as a teaser, and
/// the linked page is fetched for the full article.
const MIN_FEED_TEXT_CHARS: usize = 600;

/// A web page source is read for at most this many article links a poll,
/// from the top of the page (where the newest are): a new page added with a
/// long archive of links does not fetch them all at once.
const PAGE_LINKS_PER_POLL: usize = 60;

/// Article pages of one source fetched at once (processing stays in feed order).
const PAGE_FETCHES: usize = 4;

/// Times an item whose article page failed for a passing reason (a timeout, a
/// 5xx, a refused connection) is put off to the next poll before it is stored
/// with the feed's own text: the page usually answers a minute later, and a
/// teaser clusters and reads worse than the article.
const PAGE_ATTEMPTS: u32 = 3;

/// The first wait before such an item is tried again; each next one doubles
/// (1 then 2 minutes: an alert is held back at most about three minutes).
const PAGE_RETRY_WAIT: TimeDelta = TimeDelta::minutes(1);

/// An item held back because its page failed for a passing reason.
#[derive(Debug, Clone, Copy)]
struct PageRetry {
    /// Failed attempts so far.
    attempts: u32,
}

/// A feed item not stored yet: what [`Pipeline::new_item`] found.
struct NewItem {
    guid: String,
    url: String,
    feed_text: String,
    needs_page: bool,
}

/// Hosts fetched from at once in a cycle, one source of each at a time
/// (each with up to [`PAGE_FETCHES`] article pages in flight).
const SOURCE_FETCHES: usize = 8;

/// What fetching one source brought back, before anything is stored.
enum Gathered {
    /// The server said nothing changed since the last poll.
    NotModified,
    /// The fetch failed or what came back cannot be read: the message the
    /// source's health shows, and how long the server asked us to wait
    /// (`Retry-After`), if it did.
    Failed(String, Option<std::time::Duration>),
    /// Items not stored yet, in publication order, each with its article
    /// page when the feed carried only a teaser.
    Fetched {
        etag: Option<String>,
        last_modified: Option<String>,
        lang: Option<String>,
        items: Vec<NewEntry>,
        /// The WebSub hub the feed names, with the topic to subscribe to.
        hub: Option<(String, String)>,
    },
}

/// A feed item not stored yet, with its article page if one was fetched.
type NewEntry = (FeedItem, NewItem, Option<Result<ajil_model::Extracted>>);

/// The lease asked of WebSub hubs (renewed a day before it ends).
const WEBSUB_LEASE: std::time::Duration = std::time::Duration::from_secs(10 * 24 * 3600);

/// A sitemap index source is read through at most this many of its newest
/// child sitemaps a poll.
const SITEMAPS_PER_POLL: usize = 3;

/// What one cycle did, for logs and `ajil poll --json`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CycleReport {
    /// Sources fetched.
    pub sources_polled: usize,
    /// Sources whose fetch or parse failed.
    pub sources_failed: usize,
    /// New articles stored.
    pub new_articles: usize,
    /// Stories started.
    pub new_stories: usize,
    /// Stories that turned breaking.
    pub stories_breaking: usize,
    /// Alerts queued (real-time emails and digest entries).
    pub alerts_queued: usize,
    /// Emails accepted by the mail server (or written to the outbox).
    pub emails_sent: usize,
    /// Emails that failed this cycle (to be retried, or failed for good).
    pub emails_failed: usize,
}

struct StoryIndex {
    clusterer: Clusterer,
    /// Highest article id already in the clusterer.
    seen_up_to: i64,
    /// The sources (sorted) whose articles the clusterer may hold: one
    /// missing from the store since was removed, and its articles with it.
    sources: Vec<SourceId>,
}

/// The wired pipeline; cheap to share behind an `Arc`.
pub struct Pipeline {
    config: Config,
    store: Store,
    fetcher: ajil_fetch::Fetcher,
    analyzer: ajil_analyze::Analyzer,
    stories: Mutex<StoryIndex>,
    matchers: Mutex<Matchers>,
    delivery: Delivery,
    lock_path: PathBuf,
    /// Items put off to the next poll, by source and guid (see
    /// [`PAGE_ATTEMPTS`]). Kept in memory: after a restart an item gets its
    /// attempts again, which costs at most a few minutes.
    page_retries: Mutex<HashMap<(SourceId, String), PageRetry>>,
}

impl Pipeline {
    /// Builds the pipeline and rebuilds the story index from the store.
    pub async fn new(config: Config, store: Store) -> Result<Pipeline> {
        let fetcher = ajil_fetch::Fetcher::new(ajil_fetch::FetchOptions {
            timeout: config.fetch_timeout,
            max_bytes: config.max_page_bytes as u64,
            user_agent: config.user_agent.clone(),
            ..Default::default()
        })
        .context("cannot set up the HTTP client")?;
        let delivery = Delivery::new(&config, store.clone())?;
        crate::telemetry::recorder();
        let clusterer = new_clusterer(&config, &store).await?;
        let lock_path = config.data_dir.join("pipeline.lock");
        let pipeline = Pipeline {
            analyzer: ajil_analyze::Analyzer::new(),
            stories: Mutex::new(StoryIndex {
                clusterer,
                seen_up_to: 0,
                sources: source_ids(&store).await?,
            }),
            matchers: Mutex::new(Matchers::default()),
            config,
            store,
            fetcher,
            delivery,
            lock_path,
            page_retries: Mutex::new(HashMap::new()),
        };
        pipeline.catch_up(Utc::now()).await?;
        Ok(pipeline)
    }

    /// The store under the pipeline.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The mail side (composing, queueing and sending).
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// One full cycle. With `all_sources`, every source is fetched now;
    /// otherwise only those whose next fetch is due.
    pub async fn run_cycle(&self, now: DateTime<Utc>, all_sources: bool) -> Result<CycleReport> {
        self.run_cycle_reporting(now, all_sources, |_, _, _| {})
            .await
    }

    /// [`Pipeline::run_cycle`], telling `progress` of each source as it is
    /// applied: the source, how many are done and how many the cycle polls.
    pub async fn run_cycle_reporting(
        &self,
        now: DateTime<Utc>,
        all_sources: bool,
        mut progress: impl FnMut(&Source, usize, usize),
    ) -> Result<CycleReport> {
        let _lock = self.lock().await?;
        let started = std::time::Instant::now();
        let mut report = CycleReport::default();
        let sources = if all_sources {
            let mut all = self.store.list_sources().await?;
            all.retain(|s| s.paused_at.is_none());
            all
        } else {
            self.store.due_sources(now).await?
        };
        self.forget_removed_sources(now).await?;
        if !sources.is_empty() {
            self.catch_up(now).await?;
            self.refresh_matchers().await?;
        }
        // Sources are fetched several hosts at once (one source of a host at
        // a time, to be polite to publishers with many feeds) and applied one
        // at a time as each comes back: a slow or dead server delays only
        // itself, and the store and the story index see one writer.
        let (tx, mut rx) = tokio::sync::mpsc::channel(SOURCE_FETCHES);
        let sources = &sources;
        let fetching = async move {
            let hosts: Vec<_> = by_host(sources)
                .into_iter()
                .map(|group| self.gather_host(group, tx.clone()))
                .collect();
            drop(tx);
            futures_util::stream::iter(hosts)
                .buffer_unordered(SOURCE_FETCHES)
                .count()
                .await;
        };
        let applying = async {
            while let Some((source, gathered)) = rx.recv().await {
                report.sources_polled += 1;
                let queued = report.alerts_queued;
                if let Err(e) = self.apply(source, gathered, now, &mut report).await {
                    report.sources_failed += 1;
                    warn!(source_id = %source.id, url = %source.url, "source failed: {e:#}");
                }
                progress(source, report.sources_polled, sources.len());
                // Alerts go out as soon as their source is applied, not when
                // the slowest source of the cycle is done.
                if report.alerts_queued > queued {
                    match self.delivery.send_due(now, self.config.send_batch).await {
                        Ok((sent, failed)) => {
                            report.emails_sent += sent;
                            report.emails_failed += failed;
                        }
                        Err(e) => warn!("sending alerts failed: {e:#}"),
                    }
                }
            }
        };
        tokio::join!(fetching, applying);
        report.alerts_queued += self.delivery.close_digests(now).await?;
        let (sent, failed) = self.delivery.send_due(now, self.config.send_batch).await?;
        report.emails_sent += sent;
        report.emails_failed += failed;
        crate::telemetry::record_cycle(&report, started.elapsed().as_secs_f64());
        if report.new_articles > 0 || report.emails_sent > 0 || report.sources_failed > 0 {
            info!(?report, "cycle done");
        }
        Ok(report)
    }

    /// Only delivers due email (used by the scheduler between polls).
    pub async fn deliver_only(&self, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let _lock = self.lock().await?;
        self.delivery.close_digests(now).await?;
        let (sent, failed) = self.delivery.send_due(now, self.config.send_batch).await?;
        crate::telemetry::record_emails(sent, failed);
        Ok((sent, failed))
    }

    /// Articles in the in-memory story window.
    pub fn story_window_articles(&self) -> usize {
        self.stories
            .lock()
            .expect("story index lock")
            .clusterer
            .article_count()
    }

    /// An exclusive lock on the data folder, held for one cycle, and on a
    /// shared (PostgreSQL) store the database's cycle lock too, so processes
    /// with different data folders never run a cycle at once either.
    async fn lock(&self) -> Result<(File, Option<ajil_store::CycleLock>)> {
        let file = lock_data_dir(self.lock_path.clone()).await?;
        let db = self.store.cycle_lock().await?;
        Ok((file, db))
    }
}

/// Takes the exclusive lock on the data folder that keeps two processes from
/// sending the same email at once (waits for it).
pub async fn lock_data_dir(path: PathBuf) -> Result<File> {
    tokio::task::spawn_blocking(move || -> Result<File> {
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        f.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(f)
    })
    .await?
}

/// Sends every email due now, batch after batch, under the data folder's
/// lock, until a batch comes back short (retries wait for their time).
/// Returns (sent, failed). This is `ajil deliver`.
pub async fn deliver_all(config: &Config, store: &Store) -> Result<(usize, usize)> {
    let delivery = Delivery::new(config, store.clone())?;
    let _lock = lock_data_dir(config.data_dir.join("pipeline.lock")).await?;
    delivery.close_digests(Utc::now()).await?;
    let (mut sent, mut failed) = (0, 0);
    loop {
        let (s, f) = delivery.send_due(Utc::now(), config.send_batch).await?;
        sent += s;
        failed += f;
        if s + f < config.send_batch {
            return Ok((sent, failed));
        }
    }
}

/// What importing one bounce or complaint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackOutcome {
    /// Seen before (same report imported again): nothing changed.
    Duplicate,
    /// No subscriber has that address or sent message.
    Unknown,
    /// Recorded; the address keeps getting mail.
    Recorded,
    /// The address was suspended.
    Suspended,
    /// The address was unsubscribed.
    Unsubscribed,
}

/// Records a bounce or complaint and applies the policy of
/// [`ajil_alert::bounce::action`] to its subscriber.
pub async fn apply_feedback(
    store: &Store,
    f: &ajil_store::NewFeedback,
    now: DateTime<Utc>,
) -> Result<FeedbackOutcome> {
    use ajil_alert::bounce::{self, Action, FeedbackKind};
    let since = now - TimeDelta::days(bounce::SOFT_BOUNCE_WINDOW_DAYS);
    let r = store.record_feedback(f, since, now).await?;
    if !r.new {
        return Ok(FeedbackOutcome::Duplicate);
    }
    let Some(who) = r.subscriber_id else {
        return Ok(FeedbackOutcome::Unknown);
    };
    let kind: FeedbackKind = f.kind.parse().map_err(anyhow::Error::msg)?;
    let detail = [f.status.as_deref(), f.diagnostic.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let reason = match kind {
        FeedbackKind::SoftBounce => format!(
            "{} soft bounces within {} days: {detail}",
            r.soft_in_window,
            bounce::SOFT_BOUNCE_WINDOW_DAYS
        ),
        _ => format!(
            "{} ({}): {detail}",
            kind.as_str().replace('_', " "),
            f.origin
        ),
    };
    let current = store.subscriber(who).await?.status;
    match bounce::action(kind, r.soft_in_window) {
        Action::Keep => Ok(FeedbackOutcome::Recorded),
        Action::Suspend => {
            if current == ajil_store::SubscriberStatus::Active {
                info!(subscriber_id = %who, "address suspended: {reason}");
                store.suspend_subscriber(who, &reason, now).await?;
            }
            Ok(FeedbackOutcome::Suspended)
        }
        Action::Unsubscribe => {
            info!(subscriber_id = %who, "address unsubscribed: {reason}");
            store
                .unsubscribe_subscriber_because(who, &reason, now)
                .await?;
            Ok(FeedbackOutcome::Unsubscribed)
        }
    }
}

impl Pipeline {
    /// Adds articles stored since the index last looked (by this or another
    /// process) with the stories the store already gave them.
    async fn catch_up(&self, now: DateTime<Utc>) -> Result<()> {
        let window = TimeDelta::hours(self.config.story_window_hours);
        let seen = self.stories.lock().expect("story index lock").seen_up_to;
        let max_id = self.store.max_article_id().await?.map_or(0, |a| a.0);
        // Pages without the text, so a full window (tens of thousands of articles
        // after a restart) never sits in memory twice.
        let mut from = None;
        loop {
            let page = self
                .store
                .index_articles(ArticleId(seen), now - window, from, CATCH_UP_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            from = Some((last.published, last.id));
            let mut index = self.stories.lock().expect("story index lock");
            for a in &page {
                index.seen_up_to = index.seen_up_to.max(a.id.0);
                let Some(story) = a.story_id else { continue };
                let analysis = stored_analysis(&a.analysis);
                let input = StoryInput {
                    article: a.id,
                    outlet: &a.source_name,
                    published: a.published,
                    url: &a.url,
                    canonical_url: a.canonical_url.as_deref(),
                    title_keys: &analysis.title_keys,
                    keys: &analysis.keys,
                    minhash: &analysis.minhash,
                    content_hash: a.content_hash,
                    sound: &analysis.sound,
                    title_sound: &analysis.title_sound,
                    wire: a.wire.as_deref(),
                    section: a.section.as_deref(),
                    statement: analysis.statement,
                };
                let _ = if a.angle {
                    index.clusterer.add_angle_with_story(&input, story, now)
                } else {
                    index.clusterer.add_with_story(&input, story, now)
                };
            }
        }
        // Stories the store records as breaking stay so, even where the articles
        // alone do not show it (support from reports in other stories is not kept).
        let breaking = self.store.breaking_stories(now - window).await?;
        let mut index = self.stories.lock().expect("story index lock");
        index.seen_up_to = index.seen_up_to.max(max_id);
        for story in breaking {
            if let Some(at) = story.breaking_at {
                index.clusterer.restore_breaking(story.id, at);
            }
        }
        Ok(())
    }

    /// Rebuilds the story index from the store when a source was removed
    /// since it last looked (here, or by another process sharing the store):
    /// the removed outlet's articles are gone from the store, and must not
    /// go on confirming stories from memory. Call under the cycle lock.
    async fn forget_removed_sources(&self, now: DateTime<Utc>) -> Result<()> {
        let current = source_ids(&self.store).await?;
        let removed = {
            let mut index = self.stories.lock().expect("story index lock");
            let removed = index
                .sources
                .iter()
                .any(|id| current.binary_search(id).is_err());
            index.sources = current;
            removed
        };
        if removed {
            info!("a source was removed: rebuilding the story index without its articles");
            let clusterer = new_clusterer(&self.config, &self.store).await?;
            {
                let mut index = self.stories.lock().expect("story index lock");
                index.clusterer = clusterer;
                index.seen_up_to = 0;
            }
            self.catch_up(now).await?;
            // The stored stories' counts as the rebuilt index sees them; those
            // left with no article drop out of the listings.
            let rows: Vec<ajil_store::StoryRow> = {
                let index = self.stories.lock().expect("story index lock");
                index
                    .clusterer
                    .story_ids()
                    .filter_map(|id| index.clusterer.story(id))
                    .map(|view| story_row(&view, String::new(), String::new()))
                    .collect()
            };
            for row in &rows {
                self.store.update_story_counts(row).await?;
            }
            let emptied = self.store.empty_stories_without_articles().await?;
            info!(
                stories = rows.len(),
                emptied, "story index rebuilt after a source was removed"
            );
        }
        Ok(())
    }

    async fn refresh_matchers(&self) -> Result<()> {
        let subs = self.store.active_subscriptions().await?;
        self.matchers.lock().expect("matchers lock").refresh(subs);
        Ok(())
    }

    /// Fetches and parses one source, then processes each new item.
    /// Fetches one source and what it needs (child sitemaps, the feed a page
    /// advertises, the article pages of new items), storing nothing: this is
    /// the part of a poll that waits on the network, run for several sources
    /// at once.
    async fn gather(&self, source: &Source) -> Gathered {
        let validators = ajil_fetch::Validators {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        let response = match self.fetcher.fetch(&source.url, &validators).await {
            Ok(ajil_fetch::FetchOutcome::Fetched(r)) => r,
            Ok(ajil_fetch::FetchOutcome::NotModified) => return Gathered::NotModified,
            Err(e) => return Gathered::Failed(e.to_string(), e.retry_after()),
        };
        let feed = match self.read_source(source, &response).await {
            Ok(f) => f,
            Err(msg) => return Gathered::Failed(msg, None),
        };
        let hub = feed.hub.clone().map(|hub| {
            // The topic is the feed's own address, else the one polled.
            let topic = feed.self_url.clone().unwrap_or_else(|| source.url.clone());
            (hub, topic)
        });
        let (lang, items) = self.gather_items(source, feed).await;
        Gathered::Fetched {
            etag: response.etag,
            last_modified: response.last_modified,
            lang,
            items,
            hub,
        }
    }

    /// The items of `feed` not stored yet, oldest first, each with its
    /// article page when the feed carries only a teaser; and the feed's
    /// language.
    async fn gather_items(
        &self,
        source: &Source,
        feed: ajil_model::ParsedFeed,
    ) -> (Option<String>, Vec<NewEntry>) {
        // Oldest first, so stories grow in publication order.
        let mut items = feed.items;
        items.sort_by_key(|i| i.published.or(i.updated));
        // New items first, then their article pages fetched a few at a time
        // (the clusterer later sees them in feed order however the fetches
        // finish).
        let mut fresh = Vec::new();
        for item in items {
            match self.new_item(source, &item).await {
                Ok(Some(n)) => fresh.push((item, n)),
                Ok(None) => {}
                Err(e) => warn!(source_id = %source.id, item = ?item.url, "item failed: {e:#}"),
            }
        }
        let wanted: Vec<Option<String>> = fresh
            .iter()
            .map(|(_, n)| n.needs_page.then(|| n.url.clone()))
            .collect();
        let pages: Vec<Option<Result<ajil_model::Extracted>>> =
            futures_util::stream::iter(wanted.into_iter().map(|url| async move {
                match url {
                    Some(url) => Some(self.fetch_page(&url).await),
                    None => None,
                }
            }))
            .buffered(PAGE_FETCHES)
            .collect()
            .await;
        let items = fresh
            .into_iter()
            .zip(pages)
            .map(|((item, n), page)| (item, n, page))
            .collect();
        (feed.lang, items)
    }

    /// [`Pipeline::gather`]s the sources of one host in turn, handing each
    /// result on as it is ready.
    async fn gather_host<'a>(
        &self,
        sources: Vec<&'a Source>,
        done: tokio::sync::mpsc::Sender<(&'a Source, Gathered)>,
    ) {
        for source in sources {
            let gathered = self.gather(source).await;
            if done.send((source, gathered)).await.is_err() {
                return;
            }
        }
    }

    /// Stores, clusters and matches what [`Pipeline::gather`] brought back
    /// for one source, in feed order, and records the source's health.
    async fn apply(
        &self,
        source: &Source,
        gathered: Gathered,
        now: DateTime<Utc>,
        report: &mut CycleReport,
    ) -> Result<()> {
        let interval = std::time::Duration::from_secs(source.interval_secs.max(10) as u64);
        let (etag, last_modified, lang, items) = match gathered {
            Gathered::NotModified => {
                crate::telemetry::record_fetch("not_modified");
                let next =
                    ajil_fetch::next_fetch_at(now, self.poll_interval(source, now).await?, 0);
                self.store
                    .record_fetch_ok(
                        source.id,
                        source.etag.as_deref(),
                        source.last_modified.as_deref(),
                        now,
                        next,
                    )
                    .await?;
                debug!(source_id = %source.id, "not modified");
                return Ok(());
            }
            Gathered::Failed(msg, retry_after) => {
                crate::telemetry::record_fetch("failed");
                let failures = source.consecutive_failures as u32 + 1;
                let next =
                    ajil_fetch::retry_at(now, interval, failures, retry_after, source.id.0 as u64);
                self.store
                    .record_fetch_error(source.id, &msg, now, next)
                    .await?;
                anyhow::bail!(msg);
            }
            Gathered::Fetched {
                etag,
                last_modified,
                lang,
                items,
                hub,
            } => {
                if let Some((hub, topic)) = hub
                    && self.config.websub
                    && let Err(e) = self.websub_subscribe(source, &hub, &topic, now).await
                {
                    warn!(source_id = %source.id, %hub, "WebSub subscription not asked for: {e:#}");
                }
                (etag, last_modified, lang, items)
            }
        };
        crate::telemetry::record_fetch("fetched");
        let held = self
            .apply_items(source, lang.as_deref(), items, now, report)
            .await;
        let next = ajil_fetch::next_fetch_at(now, self.poll_interval(source, now).await?, 0);
        self.store
            .record_fetch_ok(
                source.id,
                etag.as_deref(),
                last_modified.as_deref(),
                now,
                next,
            )
            .await?;
        if let Some(at) = held {
            // The feed may not change before then: read it whole next time.
            self.store.refetch_source_by(source.id, at).await?;
        }
        Ok(())
    }

    /// Stores, clusters and matches new items in order; a failing item is
    /// logged and the rest go on. An item whose article page failed for a
    /// passing reason is held back for the next poll, up to [`PAGE_ATTEMPTS`]
    /// times, and then stored with the feed's own text, so it is never lost;
    /// returns when the source should be read again for the items held back.
    async fn apply_items(
        &self,
        source: &Source,
        lang: Option<&str>,
        items: Vec<NewEntry>,
        now: DateTime<Utc>,
        report: &mut CycleReport,
    ) -> Option<DateTime<Utc>> {
        let mut again: Option<DateTime<Utc>> = None;
        for (item, n, page) in items {
            let key = (source.id, n.guid.clone());
            let page = match page {
                Some(Ok(p)) => p,
                Some(Err(e)) => {
                    crate::telemetry::record_page_failure();
                    let passing = e
                        .downcast_ref::<ajil_fetch::FetchError>()
                        .is_some_and(ajil_fetch::FetchError::is_retryable);
                    let attempts = {
                        let mut retries = self.page_retries.lock().expect("not poisoned");
                        let r = retries
                            .entry(key.clone())
                            .or_insert(PageRetry { attempts: 0 });
                        r.attempts += 1;
                        r.attempts
                    };
                    if passing && attempts < PAGE_ATTEMPTS {
                        let at = now + PAGE_RETRY_WAIT * 2i32.pow(attempts - 1);
                        warn!(source_id = %source.id, url = %n.url, attempts, "article page failed, the item waits for the next poll ({at}): {e:#}");
                        again = Some(again.map_or(at, |a| a.min(at)));
                        continue;
                    }
                    // The article is kept with the feed's own text: a dead
                    // page must not lose the item.
                    warn!(source_id = %source.id, url = %n.url, attempts, "article page not extracted, the article keeps the feed's own text: {e:#}");
                    ajil_model::Extracted::default()
                }
                None => ajil_model::Extracted::default(),
            };
            self.page_retries.lock().expect("not poisoned").remove(&key);
            if let Err(e) = self
                .process_item(source, lang, &item, n, page, now, report)
                .await
            {
                warn!(source_id = %source.id, item = ?item.url, "item failed: {e:#}");
            }
        }
        again
    }

    /// Asks `hub` to push `topic` to this instance, unless a subscription
    /// to it at this instance's callback (`public_url` may have changed) is
    /// verified for a while yet (more than a day, or half its lease) or was
    /// asked for within the hour (the hub may still be verifying it).
    async fn websub_subscribe(
        &self,
        source: &Source,
        hub: &str,
        topic: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let callback = format!(
            "{}/websub/{}",
            self.config.public_url.trim_end_matches('/'),
            source.id
        );
        if let Some(current) = self.store.websub_of(source.id).await?
            && current.hub == hub
            && current.topic == topic
            && current.callback.as_deref() == Some(callback.as_str())
        {
            let fresh = match current.expires_at {
                // Renewed a day before the lease ends, or halfway through a
                // lease shorter than two days.
                Some(expires) => {
                    let lease = expires - current.requested_at;
                    expires - now > TimeDelta::days(1).min(lease / 2)
                }
                None => now - current.requested_at < TimeDelta::hours(1),
            };
            if fresh {
                return Ok(());
            }
        }
        let secret: String = {
            use rand::Rng;
            let bytes: [u8; 24] = rand::thread_rng().r#gen();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        // Recorded first: the hub may verify before it answers.
        let row = self
            .store
            .websub_requested(source.id, hub, topic, &callback, &secret, now)
            .await?;
        let lease = WEBSUB_LEASE.as_secs().to_string();
        self.fetcher
            .post_form(
                hub,
                &[
                    ("hub.mode", "subscribe"),
                    ("hub.topic", topic),
                    ("hub.callback", &callback),
                    ("hub.secret", &row.secret),
                    ("hub.lease_seconds", &lease),
                ],
            )
            .await?;
        info!(source_id = %source.id, %hub, %topic, "WebSub subscription asked for");
        Ok(())
    }

    /// Removes a source; see [`crate::sources::remove`].
    pub async fn remove_source(&self, id: SourceId) -> Result<(), ajil_store::StoreError> {
        crate::sources::remove(&self.store, &self.fetcher, &self.config.public_url, id).await
    }

    /// Changes a source; see [`crate::sources::update`].
    pub async fn update_source(
        &self,
        id: SourceId,
        changes: &ajil_store::SourceChanges,
        now: DateTime<Utc>,
    ) -> Result<Source, ajil_store::StoreError> {
        crate::sources::update(
            &self.store,
            &self.fetcher,
            &self.config.public_url,
            id,
            changes,
            now,
        )
        .await
    }

    /// Takes a feed a WebSub hub pushed for `source`: its new items are
    /// stored, clustered and matched at once, and alerts sent, as a poll
    /// would (the source's polling schedule and validators are left as they
    /// are).
    pub async fn receive_push(
        &self,
        source: SourceId,
        body: &[u8],
        content_type: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CycleReport> {
        let _lock = self.lock().await?;
        let source = self.store.get_source(source).await?;
        if source.paused_at.is_some() {
            anyhow::bail!(
                "source #{} is paused: its pushes are left out until it is resumed",
                source.id
            );
        }
        let feed = ajil_parse::parse_feed(body, content_type)
            .with_context(|| format!("the hub pushed for {} what is not a feed", source.url))?;
        self.forget_removed_sources(now).await?;
        self.catch_up(now).await?;
        self.refresh_matchers().await?;
        let mut report = CycleReport::default();
        let (lang, items) = self.gather_items(&source, feed).await;
        if let Some(at) = self
            .apply_items(&source, lang.as_deref(), items, now, &mut report)
            .await
        {
            // A push is not sent again: the next poll, whole and soon, finds it.
            self.store.refetch_source_by(source.id, at).await?;
        }
        let (sent, failed) = self.delivery.send_due(now, self.config.send_batch).await?;
        report.emails_sent += sent;
        report.emails_failed += failed;
        crate::telemetry::record_push(&report);
        info!(source_id = %source.id, new = report.new_articles, "WebSub push taken");
        Ok(report)
    }

    /// How long to wait before polling a healthy source again: its own
    /// interval, shortened for a source that publishes often (see
    /// [`ajil_fetch::adaptive_interval`]).
    async fn poll_interval(
        &self,
        source: &Source,
        now: DateTime<Utc>,
    ) -> Result<std::time::Duration> {
        let longest = std::time::Duration::from_secs(source.interval_secs.max(10) as u64);
        let recent = self
            .store
            .count_source_articles_since(source.id, now - TimeDelta::days(1))
            .await?;
        Ok(ajil_fetch::adaptive_interval(
            longest,
            self.config.min_poll_interval,
            recent,
        ))
    }

    /// Reads what a source served as feed items: a feed or news sitemap as it
    /// is; a sitemap index through its newest child sitemaps; a web page
    /// through the article links it lists (newest, at the top, last), or,
    /// when it lists none, the first feed it advertises. The error is the
    /// message the source's health shows.
    async fn read_source(
        &self,
        source: &Source,
        response: &ajil_fetch::Response,
    ) -> std::result::Result<ajil_model::ParsedFeed, String> {
        let url = &response.final_url;
        let doc = ajil_parse::parse_source(&response.body, response.content_type.as_deref(), url)
            .map_err(|e| format!("{} is not a feed ajil can read: {e}", source.url))?;
        match doc {
            ajil_parse::Document::Feed(feed) => Ok(feed),
            ajil_parse::Document::SitemapIndex(children) => {
                let mut feed = ajil_model::ParsedFeed::default();
                let mut errors = Vec::new();
                for child in children.iter().take(SITEMAPS_PER_POLL) {
                    match self.fetch_feed(&child.url).await {
                        Ok(f) => feed.items.extend(f.items),
                        Err(e) => errors.push(format!("{}: {e:#}", child.url)),
                    }
                }
                if children.is_empty() {
                    return Err(format!(
                        "{} is a sitemap index that lists no sitemaps: add one of the site's news sitemaps instead",
                        source.url
                    ));
                }
                if feed.items.is_empty() && !errors.is_empty() {
                    return Err(format!(
                        "{} is a sitemap index, and none of its newest sitemaps could be read ({}): add a news sitemap that works instead",
                        source.url,
                        errors.join("; ")
                    ));
                }
                for e in errors {
                    warn!(source_id = %source.id, "sitemap not read: {e}");
                }
                Ok(feed)
            }
            ajil_parse::Document::Page(page) if !page.links.is_empty() => {
                let mut items = page.links;
                items.truncate(PAGE_LINKS_PER_POLL);
                items.reverse();
                Ok(ajil_model::ParsedFeed {
                    title: page.title,
                    link: Some(url.clone()),
                    lang: page.lang,
                    items,
                    ..Default::default()
                })
            }
            ajil_parse::Document::Page(page) => match page.feeds.first() {
                Some(feed) => {
                    debug!(source_id = %source.id, feed = %feed.url, "page without article links: reading the feed it advertises");
                    self.fetch_feed(&feed.url).await.map_err(|e| {
                        format!(
                            "{} is a web page without article links; the feed it advertises, {}, failed: {e:#}",
                            source.url, feed.url
                        )
                    })
                }
                None => Err(format!(
                    "{} is a web page with no article links or feeds ajil can follow: give the address of a news section page or of the site's RSS feed",
                    source.url
                )),
            },
        }
    }

    /// Fetches `url` without validators (a feed a source pointed to, an
    /// article page).
    async fn fetch_fresh(&self, url: &str) -> Result<ajil_fetch::Response> {
        let outcome = self
            .fetcher
            .fetch(url, &ajil_fetch::Validators::default())
            .await?;
        match outcome {
            ajil_fetch::FetchOutcome::Fetched(r) => Ok(r),
            ajil_fetch::FetchOutcome::NotModified => {
                anyhow::bail!("{url} answered 304 to an unconditional request")
            }
        }
    }

    /// Fetches and parses a feed or sitemap the source pointed to.
    async fn fetch_feed(&self, url: &str) -> Result<ajil_model::ParsedFeed> {
        let r = self.fetch_fresh(url).await?;
        Ok(ajil_parse::parse_feed(&r.body, r.content_type.as_deref())?)
    }

    /// Extracts, analyzes, clusters and matches one feed item; returns the
    /// new article's id, or `None` when it was already stored.
    /// The item's guid and feed text if it is not stored yet, and whether its
    /// page must be fetched (the feed carries only a teaser).
    async fn new_item(&self, source: &Source, item: &FeedItem) -> Result<Option<NewItem>> {
        let Some(guid) = item_guid(item) else {
            debug!(source_id = %source.id, "item without guid, link or title skipped");
            return Ok(None);
        };
        if self.store.article_exists(source.id, &guid).await? {
            return Ok(None);
        }
        let url = item.url.clone().unwrap_or_default();
        let feed_html = item
            .content
            .as_deref()
            .or(item.summary.as_deref())
            .unwrap_or("");
        let feed_text = ajil_extract::clean_fragment(feed_html);
        let needs_page = feed_text.chars().count() < MIN_FEED_TEXT_CHARS && url.starts_with("http");
        Ok(Some(NewItem {
            guid,
            url,
            feed_text,
            needs_page,
        }))
    }

    /// Analyzes, stores, clusters and matches one new item, with its
    /// extracted page (empty when none was fetched or it failed); returns the
    /// new article's id, or `None` when it was stored meanwhile.
    #[allow(clippy::too_many_arguments)]
    async fn process_item(
        &self,
        source: &Source,
        feed_lang: Option<&str>,
        item: &FeedItem,
        new_item: NewItem,
        page: ajil_model::Extracted,
        now: DateTime<Utc>,
        report: &mut CycleReport,
    ) -> Result<Option<ArticleId>> {
        let NewItem {
            guid,
            url,
            feed_text,
            ..
        } = new_item;
        let summary = item
            .summary
            .as_deref()
            .map(ajil_extract::clean_fragment)
            .filter(|s| !s.is_empty());
        let text = if page.text.chars().count() > feed_text.chars().count() {
            page.text.clone()
        } else {
            feed_text
        };
        let title = item
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or(page.title.clone())
            .unwrap_or_else(|| text.chars().take(80).collect());
        let declared = item.lang.as_deref().or(page.lang.as_deref()).or(feed_lang);
        let analysis = self.analyzer.analyze(&title, &text, declared);
        let published = item
            .published
            .or(item.updated)
            .or(page.published)
            .unwrap_or(now)
            .min(now);
        let new = NewArticle {
            source_id: source.id,
            guid,
            url: url.clone(),
            canonical_url: page.canonical_url.clone(),
            title: title.clone(),
            text,
            summary,
            lang: analysis.lang.clone(),
            published,
            fetched_at: now,
            author: item.authors.first().cloned().or(page.author.clone()),
            wire: page.wire.clone(),
            // The feed's own section, as whoever added it set it, else the item's
            // (or its feed's declared) first category.
            section: source
                .section
                .clone()
                .or_else(|| item.categories.first().cloned()),
            content_hash: analysis.content_hash,
            analysis: serde_json::to_string(&StoredAnalysis::from(&analysis))?,
        };
        let Some(id) = self.store.insert_article(&new).await? else {
            return Ok(None);
        };
        report.new_articles += 1;
        crate::telemetry::record_article_delay((now - published).as_seconds_f64());

        let (assignment, view) = {
            let mut index = self.stories.lock().expect("story index lock");
            let input = StoryInput {
                article: id,
                outlet: &source.name,
                published,
                url: &new.url,
                canonical_url: new.canonical_url.as_deref(),
                title_keys: &analysis.title_keys,
                keys: &analysis.keys,
                minhash: &analysis.minhash,
                content_hash: analysis.content_hash,
                sound: &analysis.sound,
                title_sound: &analysis.title_sound,
                wire: new.wire.as_deref(),
                section: new.section.as_deref(),
                statement: analysis.statement,
            };
            let a = index.clusterer.add(&input, now);
            index.seen_up_to = index.seen_up_to.max(id.0);
            let view = index.clusterer.story(a.story);
            let supported: Vec<ajil_story::StoryView> = a
                .also_breaking
                .iter()
                .filter_map(|(story, _)| index.clusterer.story(*story))
                .collect();
            let homes: Vec<ajil_story::StoryView> = a
                .settled
                .iter()
                .filter_map(|(_, into)| index.clusterer.story(*into))
                .collect();
            (a, (view, supported, homes))
        };
        let (view, supported, homes) = view;
        // Statement stories that settled into a story that broke: their reports
        // become its angles (and stay so after a restart, see `catch_up`).
        for (from, into) in &assignment.settled {
            self.store.mark_angles(*from).await?;
            self.store.merge_stories(*from, *into).await?;
        }
        for home in &homes {
            self.persist_supported(home).await?;
        }
        self.persist_story(id, &assignment, view.as_ref(), &new)
            .await?;
        for other in &supported {
            self.persist_supported(other).await?;
        }
        if assignment.new_story {
            report.new_stories += 1;
        }
        report.stories_breaking +=
            usize::from(assignment.breaking.is_some()) + assignment.also_breaking.len();
        report.alerts_queued += self.match_and_queue(id, &new, &assignment, now).await?;
        Ok(Some(id))
    }

    async fn fetch_page(&self, url: &str) -> Result<ajil_model::Extracted> {
        let r = self.fetch_fresh(url).await?;
        let opts = ajil_extract::ExtractOptions {
            url: Some(r.final_url.clone()),
            charset: r.charset.clone(),
            max_bytes: self.config.max_page_bytes,
        };
        Ok(ajil_extract::extract(&r.body, &opts)?)
    }

    async fn persist_story(
        &self,
        id: ArticleId,
        a: &Assignment,
        view: Option<&ajil_story::StoryView>,
        article: &NewArticle,
    ) -> Result<()> {
        for &from in &a.merged {
            if a.swept.contains(&from) {
                // Its reports stay angles after a restart (see `catch_up`).
                self.store.mark_angles(from).await?;
            }
            self.store.merge_stories(from, a.story).await?;
        }
        self.store.set_article_story(id, a.story, a.copy_of).await?;

        let Some(view) = view else { return Ok(()) };
        let title = if a.new_story {
            article.title.clone()
        } else {
            match self.store.get_story(a.story).await {
                Ok(d) => d.story.title,
                Err(_) => article.title.clone(),
            }
        };
        let lang = if a.new_story {
            article.lang.clone()
        } else {
            self.store
                .get_story(a.story)
                .await
                .map(|d| d.story.lang)
                .unwrap_or_else(|_| article.lang.clone())
        };
        let row = story_row(view, title, lang);
        self.store.upsert_story(&row).await?;
        Ok(())
    }

    /// Stores the new state of a story this article confirmed without joining it
    /// (see [`ajil_story::Assignment::also_breaking`]): its row keeps its title and
    /// language, and takes the state, breaking time and counts of `view`.
    async fn persist_supported(&self, view: &ajil_story::StoryView) -> Result<()> {
        let Ok(stored) = self.store.get_story(view.id).await else {
            return Ok(());
        };
        let row = story_row(view, stored.story.title, stored.story.lang);
        self.store.upsert_story(&row).await?;
        Ok(())
    }

    /// Runs the stored queries against the article and queues what the
    /// alert policy says. Returns how many alerts were queued.
    async fn match_and_queue(
        &self,
        id: ArticleId,
        article: &NewArticle,
        a: &Assignment,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let source_name = self.store.get_article(id).await?.source_name;
        // Match keys, not the story keys of the analysis: queries name places and
        // people, which the story keys' clitic stripping lets collide with common
        // words (see `ajil_analyze::match_keys`).
        let keys = ajil_analyze::report_match_keys(&article.title, &article.text, &article.lang);
        let hits: Vec<SubscriptionWithEmail> = self
            .matchers
            .lock()
            .expect("matchers lock")
            .matching(&keys, &article.lang, &source_name);
        let mut queued = 0;
        let kinds: &[MatchKind] = if a.breaking.is_some() {
            &[MatchKind::FirstMatch, MatchKind::TurnedBreaking]
        } else {
            &[MatchKind::FirstMatch]
        };
        // The article's own story, then the stories it confirmed into breaking
        // without joining them: it reports their happening too.
        let targets = std::iter::once((a.story, kinds)).chain(
            a.also_breaking
                .iter()
                .map(|(story, _)| (*story, &[MatchKind::TurnedBreaking][..])),
        );
        for (story, kinds) in targets {
            for sub in &hits {
                for &kind in kinds {
                    let s = &sub.subscription;
                    match ajil_alert::plan(s.cadence, s.breaking_only, kind) {
                        AlertPlan::Skip => {}
                        AlertPlan::SendNow => {
                            if self.delivery.queue_alert(sub, story, now).await? {
                                queued += 1;
                            } else if kind == MatchKind::TurnedBreaking
                                && ajil_alert::wants_update(s.cadence, s.breaking_only)
                                && self.delivery.queue_update(sub, story, now).await?
                            {
                                // Alerted before the story turned breaking: one
                                // update, recorded so it never repeats.
                                queued += 1;
                            }
                        }
                        AlertPlan::Digest => {
                            if self.store.queue_digest_alert(s.id, story, now).await? {
                                queued += 1;
                            }
                        }
                    }
                }
            }
        }
        Ok(queued)
    }
}

/// The store's row of a story from the index's view of it.
/// Sources grouped by the host they are fetched from, hosts in order of
/// their first source, each host's sources in list order.
fn by_host(sources: &[Source]) -> Vec<Vec<&Source>> {
    let mut groups: Vec<Vec<&Source>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for source in sources {
        let host = host_key(&source.url);
        match index.get(&host) {
            Some(&i) => groups[i].push(source),
            None => {
                index.insert(host, groups.len());
                groups.push(vec![source]);
            }
        }
    }
    groups
}

/// The server a URL is fetched from: its host without `www.`, with the port
/// when one is given.
fn host_key(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u
                .host_str()?
                .trim_start_matches("www.")
                .to_ascii_lowercase();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_else(|| url.to_string())
}

fn story_row(view: &ajil_story::StoryView, title: String, lang: String) -> ajil_store::StoryRow {
    ajil_store::StoryRow {
        id: view.id,
        title,
        lang,
        first_seen: view.first_seen,
        last_seen: view.last_seen,
        article_count: view.articles.len() as i64,
        outlet_count: view.outlets.len() as i64,
        independent_outlets: view.independent_outlet_count as i64,
        state: match view.state {
            ajil_story::StoryState::New => ajil_store::StoryState::New,
            ajil_story::StoryState::Developing => ajil_store::StoryState::Developing,
            ajil_story::StoryState::Breaking => ajil_store::StoryState::Breaking,
        },
        breaking_at: view.breaking_at,
    }
}

/// Every source's id, sorted.
async fn source_ids(store: &Store) -> Result<Vec<SourceId>> {
    let mut ids: Vec<SourceId> = store.list_sources().await?.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    Ok(ids)
}

async fn new_clusterer(config: &Config, store: &Store) -> Result<Clusterer> {
    let opts = StoryOptions {
        window: TimeDelta::hours(config.story_window_hours),
        quiet_sections: config.quiet_sections.clone(),
        incident_keys: incident_keys(&config.incident_words),
        ..StoryOptions::default()
    };
    let next = store.max_story_id().await?.map_or(1, |s| s.0 + 1);
    Ok(Clusterer::new(opts)
        .context("story options are invalid")?
        .with_next_story_id(StoryId(next)))
}

/// The built-in incident keys and those of the configured incident words. A
/// word's key depends on the stemmer of its language, so a Latin-script word is
/// keyed by every Latin-script stemmer the analyzer has (English, French,
/// Spanish, German, Turkish); other scripts have one stemmer each.
fn incident_keys(words: &[String]) -> Vec<String> {
    let mut keys = StoryOptions::default().incident_keys;
    for word in words {
        for lang in ["en", "fr", "es", "de", "tr"] {
            keys.extend(ajil_analyze::story_keys(word, Some(lang)));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Articles read per page when the story index catches up with the store.
const CATCH_UP_PAGE: u32 = 1_000;

/// The parts of the analysis kept in the store so the story index can be
/// rebuilt at start-up without re-analysing text.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
struct StoredAnalysis {
    title_keys: Vec<String>,
    keys: Vec<String>,
    minhash: Vec<u32>,
    /// [`ajil_analyze::MINHASH_VERSION`] of `minhash`; absent (0) in rows
    /// written before signatures carried a version.
    #[serde(default)]
    minhash_version: u32,
    /// [`ajil_analyze::KEYS_VERSION`] of the keys; absent (0) in rows written
    /// before keys carried a version.
    #[serde(default)]
    keys_version: u32,
    /// Sound keys of title and lead; absent (empty) in rows written before them, which
    /// then never join a story told in another script.
    #[serde(default)]
    sound: Vec<u64>,
    #[serde(default)]
    title_sound: Vec<u64>,
    /// See `Analysis::statement`; absent (false) in rows written before it.
    #[serde(default)]
    statement: bool,
}

impl From<&Analysis> for StoredAnalysis {
    fn from(a: &Analysis) -> Self {
        StoredAnalysis {
            title_keys: a.title_keys.clone(),
            keys: a.keys.clone(),
            minhash: a.minhash.clone(),
            minhash_version: ajil_analyze::MINHASH_VERSION,
            keys_version: ajil_analyze::KEYS_VERSION,
            sound: a.sound.clone(),
            title_sound: a.title_sound.clone(),
            statement: a.statement,
        }
    }
}

/// A stored analysis brought to the current versions: keys of an older
/// [`ajil_analyze::KEYS_VERSION`] are upgraded (or new articles' keys would not
/// meet them), and the signature is recomputed from the keys when they changed
/// or it was made by another MinHash version: signatures of two versions
/// estimate nothing when compared, so an index rebuilt across an upgrade would
/// miss older copies.
fn stored_analysis(json: &str) -> StoredAnalysis {
    let mut an: StoredAnalysis = serde_json::from_str(json).unwrap_or_default();
    if an.keys_version != ajil_analyze::KEYS_VERSION {
        ajil_analyze::upgrade_keys(&mut an.title_keys, an.keys_version);
        ajil_analyze::upgrade_keys(&mut an.keys, an.keys_version);
        an.keys_version = ajil_analyze::KEYS_VERSION;
        an.minhash_version = 0;
    }
    if an.minhash_version != ajil_analyze::MINHASH_VERSION {
        an.minhash = ajil_analyze::signature_of_keys(&an.title_keys, &an.keys);
        an.minhash_version = ajil_analyze::MINHASH_VERSION;
    }
    an
}

/// The identity of an item within its source: guid, else link, else title.
fn item_guid(item: &FeedItem) -> Option<String> {
    [&item.guid, &item.url, &item.title]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_grouped_by_host_and_port() {
        assert_eq!(host_key("https://www.BBC.com/arabic/rss.xml"), "bbc.com");
        assert_eq!(host_key("https://bbc.com/news/rss.xml"), "bbc.com");
        assert_eq!(host_key("http://127.0.0.1:8080/feed"), "127.0.0.1:8080");
        assert_eq!(host_key("http://127.0.0.1:8081/feed"), "127.0.0.1:8081");
        assert_eq!(host_key("not a url"), "not a url");
    }

    #[test]
    fn configured_incident_words_key_like_headlines_of_their_language() {
        let defaults = StoryOptions::default().incident_keys;
        let keys = incident_keys(&["attentats".into(), "Anschläge".into(), "سيول".into()]);
        assert!(defaults.iter().all(|k| keys.contains(k)));
        let analyzer = ajil_analyze::Analyzer::new();
        for (lang, headline) in [
            ("fr", "Attentat à Paris"),
            ("de", "Anschlag in Berlin"),
            ("ar", "سيول جارفة في جدة"),
        ] {
            let analysis = analyzer.analyze(headline, "", Some(lang));
            assert!(
                analysis.title_keys.iter().any(|k| keys.contains(k)),
                "{headline}: {:?}",
                analysis.title_keys
            );
            assert!(
                !analysis.title_keys.iter().any(|k| defaults.contains(k)),
                "{headline} is an incident without the configured words"
            );
        }
    }

    #[test]
    fn signatures_of_another_version_are_recomputed_from_the_keys() {
        let analysis = ajil_analyze::Analyzer::new().analyze(
            "عشرات القتلى في غزة",
            "قتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود قطاع غزة خلال احتجاجات واسعة",
            Some("ar"),
        );
        let current = serde_json::to_string(&StoredAnalysis::from(&analysis)).unwrap();
        // A row written before signatures had a version: same keys, other values.
        let old = serde_json::json!({
            "title_keys": analysis.title_keys,
            "keys": analysis.keys,
            "minhash": vec![7u32; analysis.minhash.len()],
            "keys_version": ajil_analyze::KEYS_VERSION,
        })
        .to_string();
        for json in [current, old] {
            let an = stored_analysis(&json);
            assert_eq!(an.minhash, analysis.minhash);
            assert_eq!(an.keys, analysis.keys);
        }
    }

    #[test]
    fn keys_of_another_version_are_upgraded_and_resigned() {
        let title = "ترامب يلتقي نتانياهو";
        let text = "التقى الرئيس الأمريكي دونالد ترامب رئيس الوزراء الإسرائيلي في واشنطن";
        let analysis = ajil_analyze::Analyzer::new().analyze(title, text, Some("ar"));
        // Version 1 keys were the plain stems, which kept these spellings apart.
        let stems = |s: &str| -> Vec<String> {
            ajil_analyze::normalize(s)
                .split(' ')
                .map(|t| ajil_analyze::stem_arabic(t).to_string())
                .collect()
        };
        let (old_title, old_body) = (stems(title), stems(text));
        assert_ne!(old_title, analysis.title_keys);
        let old_keys = [old_title.clone(), old_body].concat();
        let old = serde_json::json!({
            "title_keys": old_title,
            "keys": old_keys,
            "minhash": vec![7u32; analysis.minhash.len()],
            "minhash_version": ajil_analyze::MINHASH_VERSION,
        })
        .to_string();
        let an = stored_analysis(&old);
        assert_eq!(an.title_keys, analysis.title_keys);
        assert_eq!(an.keys, analysis.keys);
        assert_eq!(an.minhash, analysis.minhash);
        assert_eq!(an.keys_version, ajil_analyze::KEYS_VERSION);
    }
}
