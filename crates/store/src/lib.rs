//! ajil's persistence: SQLite (embedded, the default) or PostgreSQL, through
//! sqlx's `Any` driver.
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
//! order on both backends. Queries are plain runtime `sqlx::query` calls in the
//! SQL both databases read (`$1` placeholders, `ON CONFLICT`, `RETURNING`);
//! flags are 0/1 integers. The schema lives in `migrations/sqlite` and
//! `migrations/postgres` (the same tables and versions), embedded in the
//! binary and applied on open.
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
mod backup;
mod copy;
mod emails;
mod error;
mod feedback;
mod retention;
mod sources;
mod stories;
mod subscribers;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod websub;

use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, Row};

/// A connection pool on either backend.
pub type AnyPool = sqlx::Pool<sqlx::Any>;

pub use alerts::AlertRow;
pub use articles::{IndexArticle, NewArticle, StoredArticle};
pub use copy::CopyReport;
pub use emails::{Email, EmailCounts, EmailId, EmailKind, EmailStatus, NewEmail};
pub use error::{Result, StoreError};
pub use feedback::{FeedbackRecorded, FeedbackRow, NewFeedback};
pub use retention::RetentionCounts;
pub use sources::{QUIET_AFTER, Source, SourceChanges};
pub use stories::{StoryArticle, StoryDetail, StoryOutlet, StoryRow, StoryState};
pub use subscribers::{
    Erased, NewSubscription, Subscriber, SubscriberStatus, Subscription, SubscriptionStatus,
    SubscriptionWithEmail,
};
pub use websub::WebSub;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (or a private in-memory database).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A handle on the database: cheap to clone, shared by every task.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

/// Settings every SQLite connection takes when it opens: WAL (readers never
/// wait for the writer), NORMAL sync (durable across application crashes in
/// WAL mode; only a power loss can drop the last transactions), foreign keys,
/// and a 5 s wait on a locked database.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

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
        install_drivers();
        let url = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .to_url_lossy();
        let options = AnyConnectOptions::from_url(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Self::with_pool(pool, Backend::Sqlite).await
    }

    /// Opens a fresh private in-memory SQLite database (for tests and dry runs).
    pub async fn open_memory() -> Result<Store> {
        install_drivers();
        // Every connection to ":memory:" is its own database, so the pool must
        // hold exactly one connection and never let it go.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
            .connect("sqlite::memory:")
            .await?;
        Self::with_pool(pool, Backend::Sqlite).await
    }

    /// Connects to the PostgreSQL database at `url`
    /// (`postgres://user:password@host:5432/ajil`) and brings its schema up to
    /// date. The database must exist.
    pub async fn connect_postgres(url: &str) -> Result<Store> {
        install_drivers();
        let options =
            AnyConnectOptions::from_url(&url.parse().map_err(|e| StoreError::BadUrl {
                reason: format!("{e}"),
            })?)?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Self::with_pool(pool, Backend::Postgres).await
    }

    async fn with_pool(pool: AnyPool, backend: Backend) -> Result<Store> {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// Waits for the one lock that lets a process run a pipeline cycle on this
    /// database, and holds it until the returned guard is dropped.
    ///
    /// On PostgreSQL, where processes on several machines may share the
    /// database, it is a transaction-scoped advisory lock (released when the
    /// guard's transaction ends, however the cycle ends). On SQLite the data
    /// folder's file lock already serialises cycles, and this returns `None`.
    pub async fn cycle_lock(&self) -> Result<Option<CycleLock>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CYCLE_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(Some(CycleLock { _tx: tx }))
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers (for health checks).
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// The underlying pool, for one-off queries the store does not offer
    /// (write them in the SQL both backends read: `$1` placeholders).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection (waits for those in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The advisory lock key of [`Store::cycle_lock`] ("ajil" in ASCII).
const CYCLE_LOCK_KEY: i64 = 0x616a_696c;

/// Held while a pipeline cycle runs on a shared database; see [`Store::cycle_lock`].
#[derive(Debug)]
pub struct CycleLock {
    _tx: sqlx::Transaction<'static, sqlx::Any>,
}

/// Reads a time column (fixed-width UTC text, see [`ts`]).
pub(crate) fn time(row: &AnyRow, column: &str) -> Result<DateTime<Utc>> {
    let text: String = row.try_get(column)?;
    parse_ts(column, &text)
}

/// Like [`time`] for a column that may be NULL.
pub(crate) fn time_opt(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| parse_ts(column, &t)).transpose()
}

/// Reads a 0/1 flag column.
pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    let n: i64 = row.try_get(column)?;
    Ok(n != 0)
}

/// Parses a stored time.
pub(crate) fn parse_ts(column: &str, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::BadTime {
            column: column.to_string(),
            value: text.to_string(),
            reason: e.to_string(),
        })
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_cycle_at_a_time_on_a_shared_database() {
        let scratch = testing::Scratch::create().await;
        let (a, b) = (scratch.store().await, scratch.store().await);
        let held = a.cycle_lock().await.unwrap();
        assert!(held.is_some());
        let waiting = tokio::spawn(async move { b.cycle_lock().await.map(|l| l.is_some()) });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "a second process waits its turn");
        drop(held);
        let got = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the lock passes on once the first cycle ends");
        assert!(got.unwrap().unwrap());
        // SQLite relies on the data folder's file lock.
        let sqlite = Store::open_memory().await.unwrap();
        assert!(sqlite.cycle_lock().await.unwrap().is_none());
    }
}
