//! ajil's persistence: SQLite through sqlx.
//!
//! [`Store`] is a cheap-to-clone handle on a connection pool. Every method is
//! `async`, takes the current time from the caller (`now`) instead of reading
//! the clock, and returns plain [`Serialize`](serde::Serialize) records the web
//! API can send as they are. One file per table:
//!
//! | file | table | what it keeps |
//! | --- | --- | --- |
//! | `sources.rs` | `sources` | feeds to poll, their HTTP validators and health |
//! | `articles.rs` | `articles` | fetched articles, unique per (source, guid) |
//! | `stories.rs` | `stories` | story rows; ids are assigned by the clusterer |
//! | `subscribers.rs` | `subscribers`, `subscriptions` | addresses and their saved queries |
//! | `alerts.rs` | `alerts` | one row per (subscription, story), ever |
//! | `emails.rs` | `emails` | the transactional outbox the deliverer drains |
//! | `feedback.rs` | `feedback` | bounces and complaints per address |
//!
//! Times are stored as fixed-width UTC text (microsecond precision), so the
//! SQL comparisons in [`Store::due_sources`] and [`Store::due_emails`] are time
//! order. Queries are plain runtime `sqlx::query` calls and the schema lives in
//! `migrations/`, embedded in the binary; sqlx would let a PostgreSQL backend
//! be added later behind a feature, which does not exist yet.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ajil_store::Store;
//! let store = Store::open_memory().await.unwrap();
//! let now = chrono::Utc::now();
//! let src = store
//!     .add_source("https://example.org/feed", "Example", std::time::Duration::from_secs(300), now)
//!     .await
//!     .unwrap();
//! assert_eq!(store.due_sources(now).await.unwrap()[0].id, src.id);
//! # });
//! ```

mod alerts;
mod articles;
mod emails;
mod error;
mod feedback;
mod sources;
mod stories;
mod subscribers;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use alerts::AlertRow;
pub use articles::{IndexArticle, NewArticle, StoredArticle};
pub use emails::{Email, EmailCounts, EmailId, EmailKind, EmailStatus, NewEmail};
pub use error::{Result, StoreError};
pub use feedback::{FeedbackRecorded, FeedbackRow, NewFeedback};
pub use sources::Source;
pub use stories::{StoryArticle, StoryDetail, StoryRow, StoryState};
pub use subscribers::{
    NewSubscription, Subscriber, SubscriberStatus, Subscription, SubscriptionStatus,
    SubscriptionWithEmail,
};

/// The schema migrations, embedded at build time from `migrations/`.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle on the database; clone it freely (it wraps a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed, with its parent folder) the SQLite database
    /// at `path`, in WAL mode with foreign keys on and a 5 s busy timeout, and
    /// brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across application crashes in WAL mode; only
            // a power loss can drop the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Self::with_pool(pool).await
    }

    /// Opens a fresh private in-memory database (for tests and dry runs).
    pub async fn open_memory() -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // Every connection to ":memory:" is its own database, so the pool must
        // hold exactly one connection and never let it go.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::with_pool(pool).await
    }

    async fn with_pool(pool: SqlitePool) -> Result<Store> {
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Checks that the database answers (for health checks).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The underlying pool, for one-off queries the store does not offer.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection (waits for those in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Formats a time the way every column stores it: fixed-width UTC, so that
/// text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Like [`ts`] for optional times.
pub(crate) fn ts_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(ts)
}
