//! The `websub` table: a source's push subscription at its feed's hub.

use ajil_model::SourceId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, time, time_opt, ts};

/// A source's WebSub subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebSub {
    /// The source subscribed.
    pub source_id: SourceId,
    /// The hub asked.
    pub hub: String,
    /// The topic (the feed's own address) subscribed to.
    pub topic: String,
    /// The callback the hub was given (`None` for subscriptions asked
    /// before it was kept).
    pub callback: Option<String>,
    /// The key the hub signs pushed content with (HMAC); kept across renewals.
    #[serde(skip)]
    pub secret: String,
    /// When the subscription was last asked for.
    pub requested_at: DateTime<Utc>,
    /// When the hub's verified lease ends; `None` until the hub verified it.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records that `source` asked `hub` for `topic`, to be pushed to
    /// `callback`. A source asking again keeps its secret (content signed
    /// with it stays valid while the hub verifies the renewal) and its lease;
    /// a new hub, topic or callback starts over unverified. Returns the row
    /// as it now is.
    pub async fn websub_requested(
        &self,
        source: SourceId,
        hub: &str,
        topic: &str,
        callback: &str,
        new_secret: &str,
        now: DateTime<Utc>,
    ) -> Result<WebSub> {
        sqlx::query(
            "INSERT INTO websub (source_id, hub, topic, callback, secret, requested_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL) \
             ON CONFLICT (source_id) DO UPDATE SET \
               expires_at = CASE WHEN websub.hub = excluded.hub AND websub.topic = excluded.topic \
                              AND websub.callback = excluded.callback \
                            THEN websub.expires_at ELSE NULL END, \
               hub = excluded.hub, topic = excluded.topic, callback = excluded.callback, \
               requested_at = excluded.requested_at",
        )
        .bind(source.0)
        .bind(hub)
        .bind(topic)
        .bind(callback)
        .bind(new_secret)
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        Ok(self
            .websub_of(source)
            .await?
            .expect("the row was just written"))
    }

    /// The hub verified `source`'s subscription to `topic` until
    /// `expires_at`; `false` when no such subscription was asked for (the
    /// verification is then refused).
    pub async fn websub_verified(
        &self,
        source: SourceId,
        topic: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool> {
        let done =
            sqlx::query("UPDATE websub SET expires_at = $1 WHERE source_id = $2 AND topic = $3")
                .bind(ts(expires_at))
                .bind(source.0)
                .bind(topic)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// `source`'s subscription, if it asked for one.
    pub async fn websub_of(&self, source: SourceId) -> Result<Option<WebSub>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM websub WHERE source_id = $1"
        ))
        .bind(source.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Forgets `source`'s subscription (so the hub's pushes are refused and
    /// its unsubscribe verification confirmed) and returns what it was, for
    /// the hub to be told.
    pub async fn websub_forget(&self, source: SourceId) -> Result<Option<WebSub>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM websub WHERE source_id = $1"
        ))
        .bind(source.0)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM websub WHERE source_id = $1")
            .bind(source.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every source's subscription, by source id.
    pub async fn websubs(&self) -> Result<Vec<WebSub>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM websub ORDER BY source_id"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }
}

const COLUMNS: &str = "source_id, hub, topic, callback, secret, requested_at, expires_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<WebSub> {
    Ok(WebSub {
        source_id: SourceId(r.try_get("source_id")?),
        hub: r.try_get("hub")?,
        topic: r.try_get("topic")?,
        callback: r.try_get("callback")?,
        secret: r.try_get("secret")?,
        requested_at: time(r, "requested_at")?,
        expires_at: time_opt(r, "expires_at")?,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    const CB: &str = "https://ajil.example/websub/1";

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + chrono::TimeDelta::minutes(minutes)
    }

    #[tokio::test]
    async fn a_subscription_is_asked_verified_renewed_and_moved() {
        for (s, _scratch) in crate::testing::stores().await {
            let src = s
                .add_source("https://a.example/rss", "A", Duration::from_secs(300), t(0))
                .await
                .unwrap();
            assert_eq!(s.websub_of(src.id).await.unwrap(), None);
            let asked = s
                .websub_requested(
                    src.id,
                    "https://hub.example/",
                    "https://a.example/rss",
                    CB,
                    "k1",
                    t(0),
                )
                .await
                .unwrap();
            assert_eq!((asked.secret.as_str(), asked.expires_at), ("k1", None));
            // Only the topic asked for is verified.
            assert!(
                !s.websub_verified(src.id, "https://other.example/", t(600))
                    .await
                    .unwrap()
            );
            assert!(
                s.websub_verified(src.id, "https://a.example/rss", t(600))
                    .await
                    .unwrap()
            );
            let all = s.websubs().await.unwrap();
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].expires_at, Some(t(600)));
            // A renewal keeps the secret and the lease until verified again.
            let renewed = s
                .websub_requested(
                    src.id,
                    "https://hub.example/",
                    "https://a.example/rss",
                    CB,
                    "k2",
                    t(500),
                )
                .await
                .unwrap();
            assert_eq!(renewed.secret, "k1");
            assert_eq!(renewed.expires_at, Some(t(600)));
            assert_eq!(renewed.requested_at, t(500));
            assert_eq!(renewed.callback.as_deref(), Some(CB));
            // A new callback (the public address changed) starts over.
            let elsewhere = s
                .websub_requested(
                    src.id,
                    "https://hub.example/",
                    "https://a.example/rss",
                    "https://new.example/websub/1",
                    "k4",
                    t(500),
                )
                .await
                .unwrap();
            assert_eq!(elsewhere.expires_at, None);
            assert_eq!(elsewhere.secret, "k1");
            // Another hub starts over.
            let moved = s
                .websub_requested(
                    src.id,
                    "https://hub2.example/",
                    "https://a.example/rss",
                    CB,
                    "k3",
                    t(501),
                )
                .await
                .unwrap();
            assert_eq!(
                (moved.hub.as_str(), moved.expires_at),
                ("https://hub2.example/", None)
            );
            // Forgetting it hands back what it was, once.
            let forgotten = s.websub_forget(src.id).await.unwrap().unwrap();
            assert_eq!(forgotten.hub, "https://hub2.example/");
            assert_eq!(s.websub_forget(src.id).await.unwrap(), None);
            assert_eq!(s.websub_of(src.id).await.unwrap(), None);
            // Removing the source removes its subscription.
            s.websub_requested(
                src.id,
                "https://hub.example/",
                "https://a.example/rss",
                CB,
                "k5",
                t(600),
            )
            .await
            .unwrap();
            s.remove_source(src.id).await.unwrap();
            assert_eq!(s.websub_of(src.id).await.unwrap(), None);
        }
    }
}
