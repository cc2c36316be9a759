//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("{what} {id} not found: check the id (list them first)")]
    NotFound {
        /// What kind of row ("source", "story", …).
        what: &'static str,
        /// The id that was asked for.
        id: i64,
    },
    /// A unique constraint refused the write (e.g. a source URL added twice).
    #[error("{what} already exists")]
    Conflict {
        /// The thing that already exists, e.g. `source https://example.org/feed`.
        what: String,
    },
    /// A change the store refuses to write, e.g. a source renamed to nothing.
    #[error("cannot set the {what}: {reason}")]
    Refused {
        /// What was to be set ("source name", …).
        what: &'static str,
        /// Why it was refused, and what to give instead.
        reason: String,
    },
    /// A value read back from the database is not one the store writes.
    #[error(
        "unexpected value {value:?} in column {column}: the database was edited by hand or by a newer ajil"
    )]
    Invalid {
        /// The column read.
        column: &'static str,
        /// The value found.
        value: String,
    },
    /// A stored time does not parse.
    #[error(
        "unexpected time {value:?} in column {column} ({reason}): the database was edited by hand or by a newer ajil"
    )]
    BadTime {
        /// The column read.
        column: String,
        /// The value found.
        value: String,
        /// The parser's message.
        reason: String,
    },
    /// A store cannot be copied into this target.
    #[error("cannot copy the store into that database: {reason}")]
    CopyTarget {
        /// Why.
        reason: String,
    },
    /// A backup could not be made.
    #[error("cannot back up the store: {reason}")]
    Backup {
        /// Why, and what to do instead.
        reason: String,
    },
    /// A database URL that does not parse.
    #[error(
        "the database URL does not parse ({reason}): write it as postgres://user:password@host:5432/ajil"
    )]
    BadUrl {
        /// The parser's message.
        reason: String,
    },
    /// The database file's folder could not be created.
    #[error("cannot create the folder {path} for the database: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Shorthand for results of store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns a unique-constraint violation into [`StoreError::Conflict`] and passes
/// every other error through.
pub(crate) fn conflict(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict { what: what() }
        }
        _ => StoreError::Database(err),
    }
}
