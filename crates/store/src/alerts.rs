//! The `alerts` table, which keeps ajil's promise: at most one alert per
//! (subscription, story), ever. A row is written when a story first matches
//! a subscription; its email (sent at once or in a digest) links to it.

use ajil_model::{AlertId, StoryId, SubscriptionId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::emails::EmailId;
use crate::{Result, Store, ts};

/// One alert row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    /// Store id.
    pub id: AlertId,
    /// The subscription told.
    pub subscription_id: SubscriptionId,
    /// The story it was told about.
    pub story_id: StoryId,
    /// When the match was recorded.
    pub created_at: DateTime<Utc>,
    /// The email that carries (or carried) it, once queued.
    pub email_id: Option<EmailId>,
    /// Waiting for the subscription's next digest.
    pub digest_pending: bool,
}

impl Store {
    /// Records that `story_id` matched `subscription_id`; `None` when that was
    /// already recorded (so the caller must not alert again).
    pub async fn record_match(
        &self,
        subscription_id: SubscriptionId,
        story_id: StoryId,
        now: DateTime<Utc>,
    ) -> Result<Option<AlertId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO alerts (subscription_id, story_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subscription_id, story_id) DO NOTHING RETURNING id",
        )
        .bind(subscription_id.0)
        .bind(story_id.0)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(AlertId))
    }

    /// Records the match for the subscription's next digest; `false` when the
    /// story was already recorded for it (alerted or queued before).
    pub async fn queue_digest_alert(
        &self,
        subscription_id: SubscriptionId,
        story_id: StoryId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO alerts (subscription_id, story_id, created_at, digest_pending) \
             VALUES ($1, $2, $3, 1) ON CONFLICT (subscription_id, story_id) DO NOTHING",
        )
        .bind(subscription_id.0)
        .bind(story_id.0)
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stories waiting for the subscription's next digest, in the order they
    /// matched.
    pub async fn pending_digest_alerts(
        &self,
        subscription_id: SubscriptionId,
    ) -> Result<Vec<StoryId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT story_id FROM alerts WHERE subscription_id = $1 AND digest_pending = 1 \
             ORDER BY created_at, id",
        )
        .bind(subscription_id.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(StoryId).collect())
    }

    /// When the oldest story waiting for the subscription's next digest
    /// matched, if any waits.
    pub async fn oldest_pending_digest_at(
        &self,
        subscription_id: SubscriptionId,
    ) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> = sqlx::query_scalar(
            "SELECT MIN(created_at) FROM alerts WHERE subscription_id = $1 AND digest_pending = 1",
        )
        .bind(subscription_id.0)
        .fetch_one(&self.pool)
        .await?;
        t.map(|t| crate::parse_ts("created_at", &t)).transpose()
    }

    /// Every alert of a subscription, oldest first.
    pub async fn alerts_of(&self, subscription_id: SubscriptionId) -> Result<Vec<AlertRow>> {
        let rows = sqlx::query(
            "SELECT id, subscription_id, story_id, created_at, email_id, digest_pending \
             FROM alerts WHERE subscription_id = $1 ORDER BY created_at, id",
        )
        .bind(subscription_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AlertRow {
                    id: AlertId(r.try_get("id")?),
                    subscription_id: SubscriptionId(r.try_get("subscription_id")?),
                    story_id: StoryId(r.try_get("story_id")?),
                    created_at: crate::time(r, "created_at")?,
                    email_id: r.try_get::<Option<i64>, _>("email_id")?.map(EmailId),
                    digest_pending: crate::flag(r, "digest_pending")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::articles::tests::t;
    use crate::subscribers::tests::active_subscription;

    #[tokio::test]
    async fn one_alert_per_subscription_and_story() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            let other = active_subscription(&s, "b@example.org").await;
            let first = s.record_match(sub, StoryId(1), t(0)).await.unwrap();
            assert!(first.is_some());
            assert_eq!(s.record_match(sub, StoryId(1), t(1)).await.unwrap(), None);
            assert!(
                s.record_match(other, StoryId(1), t(1))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                s.record_match(sub, StoryId(2), t(1))
                    .await
                    .unwrap()
                    .is_some()
            );
            // A story already alerted is not queued for a digest either.
            assert!(!s.queue_digest_alert(sub, StoryId(1), t(2)).await.unwrap());
            assert_eq!(s.alerts_of(sub).await.unwrap().len(), 2);
        }
    }

    #[tokio::test]
    async fn digest_queue_keeps_match_order() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            assert!(s.queue_digest_alert(sub, StoryId(9), t(0)).await.unwrap());
            assert!(s.queue_digest_alert(sub, StoryId(3), t(1)).await.unwrap());
            assert!(!s.queue_digest_alert(sub, StoryId(9), t(2)).await.unwrap());
            assert_eq!(
                s.pending_digest_alerts(sub).await.unwrap(),
                vec![StoryId(9), StoryId(3)]
            );
        }
    }
}
