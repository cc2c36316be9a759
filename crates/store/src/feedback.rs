//! The `feedback` table: bounces and complaints about addresses ajil mails,
//! imported from returned reports or recorded when the server refused a
//! recipient while sending. What they lead to (suspension, unsubscription) is
//! decided by the caller's policy; the store counts and records.

use ajil_model::SubscriberId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::subscribers::normalize_email;
use crate::{Result, Store, ts};

/// A bounce or complaint to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeedback {
    /// The address the report names, if any.
    pub email: Option<String>,
    /// The `Message-ID` of the returned message, if known; used to find the
    /// subscriber when the address is missing or rewritten.
    pub message_id: Option<String>,
    /// `hard_bounce`, `soft_bounce` or `complaint`.
    pub kind: String,
    /// Enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The remote server's text or the feedback type.
    pub diagnostic: Option<String>,
    /// `dsn`, `arf` or `smtp`.
    pub origin: String,
    /// A key that makes recording the same report twice a no-op (e.g. the
    /// report's own Message-ID and the recipient).
    pub dedup_key: Option<String>,
}

/// What [`Store::record_feedback`] found and wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackRecorded {
    /// Whether a row was written (`false`: a report seen before).
    pub new: bool,
    /// The subscriber it concerns, when one matched the address or the
    /// original Message-ID.
    pub subscriber_id: Option<SubscriberId>,
    /// The subscriber's address, as stored.
    pub email: Option<String>,
    /// Soft bounces of that subscriber since the window start, this one
    /// included.
    pub soft_in_window: u32,
}

/// One stored bounce or complaint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackRow {
    /// Store id.
    pub id: i64,
    /// The matched subscriber.
    pub subscriber_id: Option<SubscriberId>,
    /// The address.
    pub email: String,
    /// `hard_bounce`, `soft_bounce` or `complaint`.
    pub kind: String,
    /// Enhanced status code.
    pub status: Option<String>,
    /// Remote text.
    pub diagnostic: Option<String>,
    /// Original Message-ID.
    pub message_id: Option<String>,
    /// `dsn`, `arf` or `smtp`.
    pub origin: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

fn from_row(r: &AnyRow) -> Result<FeedbackRow> {
    Ok(FeedbackRow {
        id: r.try_get("id")?,
        subscriber_id: r
            .try_get::<Option<i64>, _>("subscriber_id")?
            .map(SubscriberId),
        email: r.try_get("email")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        diagnostic: r.try_get("diagnostic")?,
        message_id: r.try_get("message_id")?,
        origin: r.try_get("origin")?,
        created_at: crate::time(r, "created_at")?,
    })
}

impl Store {
    /// Records one bounce or complaint, matched to a subscriber by address,
    /// else by the original Message-ID (through the outbox), and counts that
    /// subscriber's soft bounces since `soft_since`.
    pub async fn record_feedback(
        &self,
        f: &NewFeedback,
        soft_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<FeedbackRecorded> {
        let mut tx = self.pool.begin().await?;
        let mut who: Option<(i64, String)> = None;
        if let Some(email) = &f.email {
            who = sqlx::query_as("SELECT id, email FROM subscribers WHERE email = $1")
                .bind(normalize_email(email))
                .fetch_optional(&mut *tx)
                .await?;
        }
        if who.is_none()
            && let Some(mid) = &f.message_id
        {
            who = sqlx::query_as(
                "SELECT s.id, s.email FROM emails e JOIN subscribers s ON s.id = e.subscriber_id \
                 WHERE e.message_id = $1",
            )
            .bind(mid.trim_matches(['<', '>']))
            .fetch_optional(&mut *tx)
            .await?;
        }
        let email = who
            .as_ref()
            .map(|w| w.1.clone())
            .or(f.email.as_deref().map(normalize_email))
            .unwrap_or_default();
        let inserted = sqlx::query(
            "INSERT INTO feedback (subscriber_id, email, kind, status, diagnostic, message_id, \
             origin, dedup_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(who.as_ref().map(|w| w.0))
        .bind(&email)
        .bind(&f.kind)
        .bind(&f.status)
        .bind(&f.diagnostic)
        .bind(&f.message_id)
        .bind(&f.origin)
        .bind(&f.dedup_key)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let soft: i64 = match &who {
            Some((id, _)) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM feedback WHERE subscriber_id = $1 \
                     AND kind = 'soft_bounce' AND created_at >= $2",
                )
                .bind(id)
                .bind(ts(soft_since))
                .fetch_one(&mut *tx)
                .await?
            }
            None => 0,
        };
        tx.commit().await?;
        Ok(FeedbackRecorded {
            new: inserted,
            subscriber_id: who.as_ref().map(|w| SubscriberId(w.0)),
            email: who.map(|w| w.1),
            soft_in_window: soft as u32,
        })
    }

    /// The newest `limit` bounces and complaints, newest first.
    pub async fn list_feedback(&self, limit: u32) -> Result<Vec<FeedbackRow>> {
        let rows = sqlx::query(
            "SELECT id, subscriber_id, email, kind, status, diagnostic, message_id, origin, \
             created_at FROM feedback ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SubscriberStatus;
    use crate::articles::tests::t;

    fn soft(email: Option<&str>, mid: Option<&str>, key: &str) -> NewFeedback {
        NewFeedback {
            email: email.map(str::to_string),
            message_id: mid.map(str::to_string),
            kind: "soft_bounce".into(),
            status: Some("4.2.2".into()),
            diagnostic: None,
            origin: "dsn".into(),
            dedup_key: Some(key.into()),
        }
    }

    #[tokio::test]
    async fn matched_by_address_or_message_id_and_counted_once() {
        for (s, _scratch) in crate::testing::stores().await {
            let who = s
                .upsert_subscriber("a@example.org", "ar", t(0))
                .await
                .unwrap();
            let r = s
                .record_feedback(&soft(Some("A@Example.org"), None, "k1"), t(0), t(10))
                .await
                .unwrap();
            assert_eq!(
                (r.new, r.subscriber_id, r.soft_in_window),
                (true, Some(who.id), 1)
            );
            // The same report again changes nothing.
            let r = s
                .record_feedback(&soft(Some("a@example.org"), None, "k1"), t(0), t(11))
                .await
                .unwrap();
            assert_eq!((r.new, r.soft_in_window), (false, 1));
            // Matched through the outbox by Message-ID.
            let mut e = crate::emails::tests::email(crate::EmailKind::Alert, "alert.1.2@x");
            e.subscriber_id = Some(who.id);
            s.enqueue_email(&e, t(0)).await.unwrap();
            let r = s
                .record_feedback(&soft(None, Some("<alert.1.2@x>"), "k2"), t(0), t(12))
                .await
                .unwrap();
            assert_eq!((r.subscriber_id, r.soft_in_window), (Some(who.id), 2));
            // Outside the window it no longer counts.
            let r = s
                .record_feedback(&soft(Some("a@example.org"), None, "k3"), t(12), t(13))
                .await
                .unwrap();
            assert_eq!(r.soft_in_window, 2, "only k2 (at 12) and k3 count");
            // Unknown address: recorded, no subscriber.
            let r = s
                .record_feedback(&soft(Some("x@example.org"), None, "k4"), t(0), t(14))
                .await
                .unwrap();
            assert_eq!(r.subscriber_id, None);
            assert_eq!(s.list_feedback(10).await.unwrap().len(), 4);
        }
    }

    #[tokio::test]
    async fn suspension_keeps_subscriptions_and_lists_the_reason() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = crate::subscribers::tests::active_subscription(&s, "b@example.org").await;
            let who = s.subscription(sub).await.unwrap().subscriber_id;
            let mut e = crate::emails::tests::email(crate::EmailKind::Alert, "m@x");
            e.subscriber_id = Some(who);
            s.enqueue_email(&e, t(0)).await.unwrap();
            s.suspend_subscriber(who, "hard bounce 5.1.1", t(5))
                .await
                .unwrap();
            let got = s.subscriber(who).await.unwrap();
            assert_eq!(got.status, SubscriberStatus::Suspended);
            assert_eq!(got.suppressed_reason.as_deref(), Some("hard bounce 5.1.1"));
            assert!(s.active_subscriptions().await.unwrap().is_empty());
            assert!(s.due_emails(t(9), 10).await.unwrap().is_empty());
            assert_eq!(s.suppressed_subscribers().await.unwrap().len(), 1);
            assert!(s.lift_suspension(who).await.unwrap());
            assert_eq!(s.active_subscriptions().await.unwrap().len(), 1);
            assert!(s.suppressed_subscribers().await.unwrap().is_empty());
        }
    }
}
