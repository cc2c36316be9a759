//! The `sources` table: feeds to poll, their HTTP validators and health.

use std::time::Duration;

use ajil_model::SourceId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::conflict;
use crate::{Result, Store, StoreError, ts};

/// A news source as stored, with its polling state and health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Store id.
    pub id: SourceId,
    /// Feed (or page) URL; unique.
    pub url: String,
    /// Display name of the outlet.
    pub name: String,
    /// Seconds between two polls when all is well.
    pub interval_secs: i64,
    /// `ETag` of the last successful response, for conditional requests.
    pub etag: Option<String>,
    /// `Last-Modified` of the last successful response.
    pub last_modified: Option<String>,
    /// When the source was added.
    pub created_at: DateTime<Utc>,
    /// When it was last polled (success or not).
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// When a poll last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Text of the last error; cleared by a success.
    pub last_error: Option<String>,
    /// Failed polls in a row; 0 after a success.
    pub consecutive_failures: i64,
    /// When the next poll is due.
    pub next_fetch_at: DateTime<Utc>,
    /// The section the whole feed belongs to (such as "sport"), for items that
    /// declare no category of their own.
    pub section: Option<String>,
    /// When the operator paused the source; `None` while it is watched. A
    /// paused source is not polled and takes no pushes.
    pub paused_at: Option<DateTime<Utc>>,
    /// When its latest stored article was published; `None` before its first.
    /// A source that answers every poll but brings nothing new for days has
    /// probably moved its feed.
    pub last_article_at: Option<DateTime<Utc>>,
}

/// How long a source may answer its polls with nothing new before it is
/// called quiet ([`Source::is_quiet`]).
pub const QUIET_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(7);

impl Source {
    /// Whether the source answers its polls but has brought no new article for
    /// [`QUIET_AFTER`] (or none at all since it was added that long ago): its
    /// feed has probably moved or stopped. A paused or failing source is not
    /// quiet; its own state says more.
    pub fn is_quiet(&self, now: DateTime<Utc>) -> bool {
        self.paused_at.is_none()
            && self.consecutive_failures == 0
            && self.last_success_at.is_some()
            && now - self.last_article_at.unwrap_or(self.created_at) > QUIET_AFTER
    }
}

/// What [`Store::update_source`] changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceChanges {
    /// A new address, for a feed that moved (http or https; not another
    /// source's). The source keeps its articles and stories; its validators
    /// and failures are cleared and it is due for a poll at once.
    pub url: Option<String>,
    /// A new display name (trimmed; must not be empty).
    pub name: Option<String>,
    /// A new interval between polls.
    pub interval: Option<Duration>,
    /// A new section: `Some(None)` (or an empty name) clears it.
    pub section: Option<Option<String>>,
    /// `Some(true)` pauses the source, `Some(false)` resumes it (due for a
    /// poll at once).
    pub paused: Option<bool>,
}

const COLUMNS: &str = "id, url, name, interval_secs, etag, last_modified, created_at, \
     last_fetch_at, last_success_at, last_error, consecutive_failures, next_fetch_at, section, \
     paused_at, (SELECT MAX(a.published) FROM articles a WHERE a.source_id = sources.id) \
     AS last_article_at";

/// [`COLUMNS`] for `RETURNING`, where a new source has no articles yet.
const NEW_COLUMNS: &str = "id, url, name, interval_secs, etag, last_modified, created_at, \
     last_fetch_at, last_success_at, last_error, consecutive_failures, next_fetch_at, section, \
     paused_at, NULL AS last_article_at";

fn from_row(row: &AnyRow) -> Result<Source> {
    Ok(Source {
        id: SourceId(row.try_get("id")?),
        url: row.try_get("url")?,
        name: row.try_get("name")?,
        interval_secs: row.try_get("interval_secs")?,
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        created_at: crate::time(row, "created_at")?,
        last_fetch_at: crate::time_opt(row, "last_fetch_at")?,
        last_success_at: crate::time_opt(row, "last_success_at")?,
        last_error: row.try_get("last_error")?,
        consecutive_failures: row.try_get("consecutive_failures")?,
        next_fetch_at: crate::time(row, "next_fetch_at")?,
        section: row.try_get("section")?,
        paused_at: crate::time_opt(row, "paused_at")?,
        last_article_at: crate::time_opt(row, "last_article_at")?,
    })
}

impl Store {
    /// Sets (or with `None` clears) the section of a whole source; see
    /// [`Source::section`]. [`StoreError::NotFound`] if there is no such source.
    pub async fn set_source_section(&self, id: SourceId, section: Option<&str>) -> Result<()> {
        let section = section.map(str::trim).filter(|s| !s.is_empty());
        let done = sqlx::query("UPDATE sources SET section = $1 WHERE id = $2")
            .bind(section)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "source",
                id: id.0,
            });
        }
        Ok(())
    }

    /// Changes a source's name, interval, section or paused state, and
    /// returns it as it now is. Pausing keeps the time it was paused (a source
    /// paused again keeps the first); resuming makes it due at `now`.
    /// [`StoreError::NotFound`] if there is no such source,
    /// [`StoreError::Refused`] for an empty name.
    pub async fn update_source(
        &self,
        id: SourceId,
        changes: &SourceChanges,
        now: DateTime<Utc>,
    ) -> Result<Source> {
        let name = match &changes.name {
            Some(n) if n.trim().is_empty() => {
                return Err(StoreError::Refused {
                    what: "source name",
                    reason: "it is empty; give the outlet's name".into(),
                });
            }
            Some(n) => Some(n.trim()),
            None => None,
        };
        let interval = changes
            .interval
            .map(|i| i64::try_from(i.as_secs()).unwrap_or(i64::MAX));
        let section = changes.section.as_ref().map(|s| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        });
        let url = match changes.url.as_deref().map(str::trim) {
            Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
                return Err(StoreError::Refused {
                    what: "source address",
                    reason: format!("{u:?} is not an http or https address"),
                });
            }
            u => u,
        };
        let mut tx = self.pool.begin().await?;
        if let Some(u) = url {
            // A new address starts afresh: no validators of the old one, no
            // failures counted against it, polled at once.
            sqlx::query(
                "UPDATE sources SET url = $1, etag = NULL, last_modified = NULL, \
                 last_error = NULL, consecutive_failures = 0, next_fetch_at = $2 \
                 WHERE id = $3 AND url <> $4",
            )
            .bind(u)
            .bind(ts(now))
            .bind(id.0)
            .bind(u)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict(e, || format!("source {u}")))?;
        }
        let done = sqlx::query(
            "UPDATE sources SET \
               name = CASE WHEN $1 = 1 THEN $2 ELSE name END, \
               interval_secs = CASE WHEN $3 = 1 THEN $4 ELSE interval_secs END, \
               section = CASE WHEN $5 = 1 THEN $6 ELSE section END, \
               paused_at = CASE WHEN $7 = 1 THEN COALESCE(paused_at, $8) \
                                WHEN $7 = 0 THEN NULL ELSE paused_at END, \
               next_fetch_at = CASE WHEN $7 = 0 AND paused_at IS NOT NULL THEN $8 \
                                    ELSE next_fetch_at END \
             WHERE id = $9",
        )
        .bind(i64::from(name.is_some()))
        .bind(name.unwrap_or_default())
        .bind(i64::from(interval.is_some()))
        .bind(interval.unwrap_or_default())
        .bind(i64::from(section.is_some()))
        .bind(section.flatten())
        .bind(changes.paused.map_or(-1, i64::from))
        .bind(ts(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        found(done.rows_affected(), id)?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sources WHERE id = $1"))
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        from_row(&row)
    }

    /// Adds a source, due for its first poll at `now`.
    ///
    /// Fails with [`StoreError::Conflict`] if the URL is already a source.
    pub async fn add_source(
        &self,
        url: &str,
        name: &str,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> Result<Source> {
        let secs = i64::try_from(interval.as_secs()).unwrap_or(i64::MAX);
        let row = sqlx::query(&format!(
            "INSERT INTO sources (url, name, interval_secs, created_at, next_fetch_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {NEW_COLUMNS}"
        ))
        .bind(url)
        .bind(name)
        .bind(secs)
        .bind(ts(now))
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| conflict(e, || format!("source {url}")))?;
        from_row(&row)
    }

    /// All sources, by id.
    pub async fn list_sources(&self) -> Result<Vec<Source>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sources ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One source; [`StoreError::NotFound`] if there is none with that id.
    pub async fn get_source(&self, id: SourceId) -> Result<Source> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sources WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                what: "source",
                id: id.0,
            })?;
        from_row(&row)
    }

    /// Deletes a source and its articles; [`StoreError::NotFound`] if absent.
    pub async fn remove_source(&self, id: SourceId) -> Result<()> {
        let done = sqlx::query("DELETE FROM sources WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "source",
                id: id.0,
            });
        }
        Ok(())
    }

    /// Sources whose next poll is due at `now`, the most overdue first;
    /// paused ones are left out.
    pub async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<Source>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM sources WHERE next_fetch_at <= $1 AND paused_at IS NULL \
             ORDER BY next_fetch_at, id"
        ))
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Records a successful poll: keeps the new validators, clears the error
    /// and the failure count, and schedules the next poll.
    pub async fn record_fetch_ok(
        &self,
        id: SourceId,
        etag: Option<&str>,
        last_modified: Option<&str>,
        now: DateTime<Utc>,
        next_fetch_at: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sources SET etag = $1, last_modified = $2, last_fetch_at = $3, \
             last_success_at = $4, last_error = NULL, consecutive_failures = 0, next_fetch_at = $5 \
             WHERE id = $6",
        )
        .bind(etag)
        .bind(last_modified)
        .bind(ts(now))
        .bind(ts(now))
        .bind(ts(next_fetch_at))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        found(done.rows_affected(), id)
    }

    /// Makes the next poll of `id` come by `at` (or sooner, if it is due sooner)
    /// and read the feed whole, without its validators, so items held back
    /// from this poll are seen again even if the feed does not change.
    pub async fn refetch_source_by(&self, id: SourceId, at: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sources SET etag = NULL, last_modified = NULL, \
             next_fetch_at = CASE WHEN next_fetch_at > $1 THEN $2 ELSE next_fetch_at END \
             WHERE id = $3",
        )
        .bind(ts(at))
        .bind(ts(at))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        found(done.rows_affected(), id)
    }

    /// Records a failed poll: keeps the error text, counts one more failure in
    /// a row and schedules the next try (the caller computes the back-off).
    pub async fn record_fetch_error(
        &self,
        id: SourceId,
        error: &str,
        now: DateTime<Utc>,
        next_fetch_at: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sources SET last_fetch_at = $1, last_error = $2, \
             consecutive_failures = consecutive_failures + 1, next_fetch_at = $3 WHERE id = $4",
        )
        .bind(ts(now))
        .bind(error)
        .bind(ts(next_fetch_at))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        found(done.rows_affected(), id)
    }
}

fn found(rows: u64, id: SourceId) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound {
            what: "source",
            id: id.0,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    #[tokio::test]
    async fn a_source_that_answers_but_brings_nothing_new_is_quiet() {
        const DAY: i64 = 86_400;
        for (s, _scratch) in crate::testing::stores().await {
            let src = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            assert_eq!(src.last_article_at, None);
            s.record_fetch_ok(src.id, None, None, t(DAY), t(DAY + 60))
                .await
                .unwrap();
            let got = s.get_source(src.id).await.unwrap();
            assert!(!got.is_quiet(t(DAY)), "a new source has time");
            assert!(got.is_quiet(t(8 * DAY)), "a week with nothing");
            for (guid, day) in [("old", 1), ("new", 6)] {
                s.insert_article(&crate::articles::tests::article(src.id, guid, day * DAY))
                    .await
                    .unwrap();
            }
            let got = s.list_sources().await.unwrap().remove(0);
            assert_eq!(got.last_article_at, Some(t(6 * DAY)));
            assert!(!got.is_quiet(t(8 * DAY)));
            assert!(got.is_quiet(t(14 * DAY)));
            // Failing or paused sources say so themselves.
            s.record_fetch_error(src.id, "503", t(14 * DAY), t(14 * DAY + 60))
                .await
                .unwrap();
            assert!(!s.get_source(src.id).await.unwrap().is_quiet(t(14 * DAY)));
        }
    }

    #[tokio::test]
    async fn a_moved_feed_keeps_its_source_and_starts_afresh_at_the_new_address() {
        for (s, _scratch) in crate::testing::stores().await {
            let src = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            s.add_source("https://b.example/rss", "B", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            s.insert_article(&crate::articles::tests::article(src.id, "g", 10))
                .await
                .unwrap();
            s.record_fetch_error(src.id, "404", t(20), t(3_600))
                .await
                .unwrap();
            s.record_fetch_ok(src.id, Some("\"v1\""), None, t(30), t(3_600))
                .await
                .unwrap();
            let moved = |url: &str| SourceChanges {
                url: Some(url.into()),
                ..SourceChanges::default()
            };
            let got = s
                .update_source(src.id, &moved(" https://a.example/feed "), t(40))
                .await
                .unwrap();
            assert_eq!(got.url, "https://a.example/feed");
            assert_eq!((got.etag, got.last_error), (None, None));
            assert_eq!(got.next_fetch_at, t(40), "polled at once");
            assert_eq!(got.name, "A");
            assert_eq!(got.last_article_at, Some(t(10)), "its articles stay");
            assert!(s.article_exists(src.id, "g").await.unwrap());

            let err = s
                .update_source(src.id, &moved("https://b.example/rss"), t(50))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
            let err = s
                .update_source(src.id, &moved("ftp://a.example/rss"), t(50))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Refused { .. }), "{err}");
            assert_eq!(
                s.get_source(src.id).await.unwrap().url,
                "https://a.example/feed"
            );
        }
    }

    #[tokio::test]
    async fn duplicate_url_is_a_conflict() {
        for (s, _scratch) in crate::testing::stores().await {
            let url = "https://example.org/rss";
            s.add_source(url, "A", Duration::from_secs(60), t(0))
                .await
                .unwrap();
            let err = s
                .add_source(url, "B", Duration::from_secs(60), t(0))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
            assert!(err.to_string().contains(url));
        }
    }

    #[tokio::test]
    async fn a_source_section_is_set_and_cleared() {
        for (s, _scratch) in crate::testing::stores().await {
            let src = s
                .add_source(
                    "https://example.org/sport.xml",
                    "A",
                    Duration::from_secs(60),
                    t(0),
                )
                .await
                .unwrap();
            assert_eq!(src.section, None);
            s.set_source_section(src.id, Some(" sport ")).await.unwrap();
            assert_eq!(
                s.list_sources().await.unwrap()[0].section.as_deref(),
                Some("sport")
            );
            s.set_source_section(src.id, Some("")).await.unwrap();
            assert_eq!(s.list_sources().await.unwrap()[0].section, None);
            let err = s
                .set_source_section(SourceId(99), Some("sport"))
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::NotFound {
                        what: "source",
                        id: 99
                    }
                ),
                "{err}"
            );
        }
    }

    #[tokio::test]
    async fn a_source_is_renamed_paused_and_resumed() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(300), t(0))
                .await
                .unwrap();
            s.record_fetch_ok(a.id, None, None, t(1), t(301))
                .await
                .unwrap();
            let edited = s
                .update_source(
                    a.id,
                    &SourceChanges {
                        url: None,
                        name: Some(" Agence A ".into()),
                        interval: Some(Duration::from_secs(900)),
                        section: Some(Some("sport".into())),
                        paused: None,
                    },
                    t(2),
                )
                .await
                .unwrap();
            assert_eq!(edited.name, "Agence A");
            assert_eq!(edited.interval_secs, 900);
            assert_eq!(edited.section.as_deref(), Some("sport"));
            assert_eq!(edited.paused_at, None);
            assert_eq!(edited.next_fetch_at, t(301));

            // Paused: never due, and pausing again keeps the first time.
            let pause = SourceChanges {
                url: None,
                paused: Some(true),
                ..SourceChanges::default()
            };
            let paused = s.update_source(a.id, &pause, t(10)).await.unwrap();
            assert_eq!(paused.paused_at, Some(t(10)));
            assert_eq!(paused.name, "Agence A", "untouched fields stay");
            assert_eq!(
                s.update_source(a.id, &pause, t(20))
                    .await
                    .unwrap()
                    .paused_at,
                Some(t(10))
            );
            assert!(s.due_sources(t(10_000)).await.unwrap().is_empty());

            // Resumed: due at once; resuming a watched source moves nothing.
            let resume = SourceChanges {
                url: None,
                paused: Some(false),
                ..SourceChanges::default()
            };
            let resumed = s.update_source(a.id, &resume, t(5_000)).await.unwrap();
            assert_eq!(resumed.paused_at, None);
            assert_eq!(resumed.next_fetch_at, t(5_000));
            assert_eq!(s.due_sources(t(5_000)).await.unwrap().len(), 1);
            let again = s.update_source(a.id, &resume, t(6_000)).await.unwrap();
            assert_eq!(again.next_fetch_at, t(5_000));

            // The section is cleared, the name cannot be.
            let cleared = s
                .update_source(
                    a.id,
                    &SourceChanges {
                        url: None,
                        section: Some(None),
                        ..SourceChanges::default()
                    },
                    t(6_000),
                )
                .await
                .unwrap();
            assert_eq!(cleared.section, None);
            let err = s
                .update_source(
                    a.id,
                    &SourceChanges {
                        url: None,
                        name: Some("  ".into()),
                        ..SourceChanges::default()
                    },
                    t(6_000),
                )
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Refused { .. }), "{err}");
            let err = s
                .update_source(SourceId(99), &pause, t(0))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { id: 99, .. }), "{err}");
        }
    }

    #[tokio::test]
    async fn fetch_health_and_due_times() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(300), t(0))
                .await
                .unwrap();
            assert_eq!(a.interval_secs, 300);
            assert_eq!(s.due_sources(t(0)).await.unwrap().len(), 1);

            s.record_fetch_error(a.id, "timeout", t(1), t(61))
                .await
                .unwrap();
            s.record_fetch_error(a.id, "http 503", t(61), t(181))
                .await
                .unwrap();
            let got = s.get_source(a.id).await.unwrap();
            assert_eq!(got.consecutive_failures, 2);
            assert_eq!(got.last_error.as_deref(), Some("http 503"));
            assert_eq!(got.last_success_at, None);
            assert!(s.due_sources(t(180)).await.unwrap().is_empty());
            assert_eq!(s.due_sources(t(181)).await.unwrap().len(), 1);

            s.record_fetch_ok(a.id, Some("\"abc\""), None, t(200), t(500))
                .await
                .unwrap();
            let got = s.get_source(a.id).await.unwrap();
            assert_eq!(got.consecutive_failures, 0);
            assert_eq!(got.last_error, None);
            assert_eq!(got.etag.as_deref(), Some("\"abc\""));
            assert_eq!(got.last_success_at, Some(t(200)));
            assert_eq!(got.next_fetch_at, t(500));
        }
    }

    #[tokio::test]
    async fn remove_missing_source_is_not_found() {
        for (s, _scratch) in crate::testing::stores().await {
            let err = s.remove_source(SourceId(9)).await.unwrap_err();
            assert!(matches!(err, StoreError::NotFound { id: 9, .. }));
            let err = s
                .record_fetch_ok(SourceId(9), None, None, t(0), t(1))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }));
        }
    }
}
