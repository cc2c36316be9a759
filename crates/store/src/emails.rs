//! The `emails` table: a transactional outbox. Alerts, digests and
//! confirmations are written here in the same transaction as the state they
//! report; the deliverer drains due rows and marks each sent, retried or
//! failed. A single deliverer is assumed (rows are not leased).

use std::fmt;
use std::str::FromStr;

use ajil_model::{StoryId, SubscriberId, SubscriptionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::conflict;
use crate::{Result, Store, StoreError, ts};

/// One email in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailId(pub i64);

impl fmt::Display for EmailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What an email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailKind {
    /// One story for one realtime subscription.
    Alert,
    /// Several stories for an hourly or daily subscription.
    Digest,
    /// The double opt-in link.
    Confirm,
}

impl EmailKind {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Alert => "alert",
            EmailKind::Digest => "digest",
            EmailKind::Confirm => "confirm",
        }
    }
}

impl FromStr for EmailKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "alert" => Ok(EmailKind::Alert),
            "digest" => Ok(EmailKind::Digest),
            "confirm" => Ok(EmailKind::Confirm),
            _ => Err(StoreError::Invalid {
                column: "emails.kind",
                value: s.into(),
            }),
        }
    }
}

/// Where an outbox email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailStatus {
    /// Not sent yet (maybe after failed attempts).
    Pending,
    /// Handed to the mail server.
    Sent,
    /// Given up (permanent error, too many attempts, or unsubscribed).
    Failed,
}

impl FromStr for EmailStatus {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(EmailStatus::Pending),
            "sent" => Ok(EmailStatus::Sent),
            "failed" => Ok(EmailStatus::Failed),
            _ => Err(StoreError::Invalid {
                column: "emails.status",
                value: s.into(),
            }),
        }
    }
}

/// An email to enqueue; the caller renders it (or a payload to render from).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEmail {
    /// What it is for.
    pub kind: EmailKind,
    /// The subscriber it goes to, when there is one.
    pub subscriber_id: Option<SubscriberId>,
    /// The address it goes to.
    pub recipient: String,
    /// The `Message-ID` header value; unique, so a resend is recognisable.
    pub message_id: String,
    /// The subject line.
    pub subject: String,
    /// JSON the deliverer builds the message from; the store does not read it.
    pub payload: String,
}

/// An email as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Email {
    /// Store id.
    pub id: EmailId,
    /// What it is for.
    pub kind: EmailKind,
    /// The subscriber it goes to.
    pub subscriber_id: Option<SubscriberId>,
    /// The address it goes to.
    pub recipient: String,
    /// The `Message-ID` header value.
    pub message_id: String,
    /// The subject line.
    pub subject: String,
    /// The caller's JSON.
    pub payload: String,
    /// Where it stands.
    pub status: EmailStatus,
    /// Delivery attempts made.
    pub attempts: i64,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// How many outbox emails are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EmailCounts {
    /// Waiting to be sent.
    pub pending: i64,
    /// Sent.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
}

const COLUMNS: &str = "id, kind, subscriber_id, recipient, message_id, subject, payload, \
     status, attempts, next_attempt_at, last_error, created_at, sent_at";

fn from_row(row: &AnyRow) -> Result<Email> {
    Ok(Email {
        id: EmailId(row.try_get("id")?),
        kind: row.try_get::<String, _>("kind")?.parse()?,
        subscriber_id: row
            .try_get::<Option<i64>, _>("subscriber_id")?
            .map(SubscriberId),
        recipient: row.try_get("recipient")?,
        message_id: row.try_get("message_id")?,
        subject: row.try_get("subject")?,
        payload: row.try_get("payload")?,
        status: row.try_get::<String, _>("status")?.parse()?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: crate::time(row, "next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: crate::time(row, "created_at")?,
        sent_at: crate::time_opt(row, "sent_at")?,
    })
}

async fn insert_email<'c, E>(exec: E, e: &NewEmail, now: DateTime<Utc>) -> Result<EmailId>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    insert_email_due(exec, e, now, now).await
}

async fn insert_email_due<'c, E>(
    exec: E,
    e: &NewEmail,
    now: DateTime<Utc>,
    due: DateTime<Utc>,
) -> Result<EmailId>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO emails (kind, subscriber_id, recipient, message_id, subject, payload, \
         status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) \
         RETURNING id",
    )
    .bind(e.kind.as_str())
    .bind(e.subscriber_id.map(|s| s.0))
    .bind(&e.recipient)
    .bind(&e.message_id)
    .bind(&e.subject)
    .bind(&e.payload)
    .bind(ts(due))
    .bind(ts(now))
    .fetch_one(exec)
    .await
    .map_err(|err| conflict(err, || format!("email with message id {}", e.message_id)))?;
    Ok(EmailId(id))
}

impl Store {
    /// Queues an email, due at once.
    pub async fn enqueue_email(&self, e: &NewEmail, now: DateTime<Utc>) -> Result<EmailId> {
        insert_email(&self.pool, e, now).await
    }

    /// In one transaction: records the (subscription, story) alert, queues its
    /// email and links them. `None`, with nothing written, when the alert
    /// already existed, so a second poll or a restart never queues a second
    /// email for the same story.
    pub async fn record_alert_email(
        &self,
        subscription_id: SubscriptionId,
        story_id: StoryId,
        email: &NewEmail,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailId>> {
        self.record_alert_email_due(subscription_id, story_id, email, now, now)
            .await
    }

    /// Like [`Store::record_alert_email`], with the email due at `due` (the
    /// end of the subscriber's quiet hours) rather than at once.
    pub async fn record_alert_email_due(
        &self,
        subscription_id: SubscriptionId,
        story_id: StoryId,
        email: &NewEmail,
        now: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Result<Option<EmailId>> {
        let mut tx = self.pool.begin().await?;
        let alert: Option<i64> = sqlx::query_scalar(
            "INSERT INTO alerts (subscription_id, story_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subscription_id, story_id) DO NOTHING RETURNING id",
        )
        .bind(subscription_id.0)
        .bind(story_id.0)
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(alert) = alert else {
            tx.rollback().await?;
            return Ok(None);
        };
        let id = insert_email_due(&mut *tx, email, now, due).await?;
        sqlx::query("UPDATE alerts SET email_id = $1 WHERE id = $2")
            .bind(id.0)
            .bind(alert)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// In one transaction: queues the one "story update" email of an alert
    /// whose real-time email was sent, and records it on the alert. `None`,
    /// with nothing written, when there is no such sent alert or its update
    /// was queued before, so an update can never repeat.
    pub async fn record_update_email(
        &self,
        subscription_id: SubscriptionId,
        story_id: StoryId,
        email: &NewEmail,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailId>> {
        let mut tx = self.pool.begin().await?;
        let id = insert_email(&mut *tx, email, now).await;
        let id = match id {
            Ok(id) => id,
            // The update's Message-ID is stable: a conflict is the same update.
            Err(StoreError::Conflict { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let done = sqlx::query(
            "UPDATE alerts SET update_email_id = $1 WHERE subscription_id = $2 AND story_id = $3 \
             AND update_email_id IS NULL AND email_id IN \
             (SELECT id FROM emails WHERE kind = 'alert' AND status = 'sent')",
        )
        .bind(id.0)
        .bind(subscription_id.0)
        .bind(story_id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Real-time alert emails queued for a subscriber since `since` (for the
    /// daily cap).
    pub async fn alert_emails_since(
        &self,
        subscriber_id: SubscriberId,
        since: DateTime<Utc>,
    ) -> Result<u32> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM emails WHERE subscriber_id = $1 AND kind = 'alert' \
             AND created_at >= $2",
        )
        .bind(subscriber_id.0)
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u32)
    }

    /// Emails of `kind` queued to `recipient` (case-insensitive) since
    /// `since` (for limiting confirmation resends per address).
    pub async fn emails_to_since(
        &self,
        recipient: &str,
        kind: EmailKind,
        since: DateTime<Utc>,
    ) -> Result<u32> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM emails WHERE recipient = $1 AND kind = $2 AND created_at >= $3",
        )
        .bind(crate::subscribers::normalize_email(recipient))
        .bind(kind.as_str())
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u32)
    }

    /// In one transaction: queues a digest email, links the listed stories'
    /// pending alerts to it and clears their pending flag, and sets the
    /// subscription's `last_digest_at` to `now`.
    pub async fn record_digest_email(
        &self,
        subscription_id: SubscriptionId,
        story_ids: &[StoryId],
        email: &NewEmail,
        now: DateTime<Utc>,
    ) -> Result<EmailId> {
        let mut tx = self.pool.begin().await?;
        let id = insert_email(&mut *tx, email, now).await?;
        for story in story_ids {
            sqlx::query(
                "UPDATE alerts SET digest_pending = 0, email_id = $1 \
                 WHERE subscription_id = $2 AND story_id = $3 AND digest_pending = 1",
            )
            .bind(id.0)
            .bind(subscription_id.0)
            .bind(story.0)
            .execute(&mut *tx)
            .await?;
        }
        let done = sqlx::query("UPDATE subscriptions SET last_digest_at = $1 WHERE id = $2")
            .bind(ts(now))
            .bind(subscription_id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "subscription",
                id: subscription_id.0,
            });
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Pending emails due at `now`, the longest-waiting first, at most `limit`.
    pub async fn due_emails(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Email>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM emails WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2"
        ))
        .bind(ts(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One email; [`StoreError::NotFound`] if absent.
    pub async fn get_email(&self, id: EmailId) -> Result<Email> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM emails WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                what: "email",
                id: id.0,
            })?;
        from_row(&row)
    }

    /// Marks a pending email sent.
    pub async fn mark_email_sent(&self, id: EmailId, now: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE emails SET attempts = attempts + 1, status = 'sent', last_error = NULL, \
             sent_at = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(ts(now))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        still_pending(done.rows_affected(), id)
    }

    /// Marks a batch of pending emails sent in one transaction (one disk sync
    /// for the batch). Emails no longer pending (e.g. their subscriber left
    /// meanwhile) are skipped; returns how many were marked.
    pub async fn mark_emails_sent(&self, ids: &[EmailId], now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut marked = 0;
        for id in ids {
            marked += sqlx::query(
                "UPDATE emails SET attempts = attempts + 1, status = 'sent', last_error = NULL, \
                 sent_at = $1 WHERE id = $2 AND status = 'pending'",
            )
            .bind(ts(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(marked)
    }

    /// Moves a pending email's due time (quiet hours) without counting an
    /// attempt.
    pub async fn defer_email(&self, id: EmailId, due: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE emails SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(ts(due))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        still_pending(done.rows_affected(), id)
    }

    /// Records a failed attempt of a pending email and when to try again.
    pub async fn mark_email_retry(
        &self,
        id: EmailId,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE emails SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(error)
        .bind(ts(next_attempt_at))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        still_pending(done.rows_affected(), id)
    }

    /// Gives up on a pending email after a failed attempt.
    pub async fn mark_email_failed(&self, id: EmailId, error: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE emails SET attempts = attempts + 1, status = 'failed', last_error = $1 \
             WHERE id = $2 AND status = 'pending'",
        )
        .bind(error)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        still_pending(done.rows_affected(), id)
    }

    /// How many emails are pending, sent and failed.
    pub async fn email_counts(&self) -> Result<EmailCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM emails GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        let mut counts = EmailCounts::default();
        for row in rows {
            let n: i64 = row.try_get("n")?;
            match row.try_get::<String, _>("status")?.parse()? {
                EmailStatus::Pending => counts.pending = n,
                EmailStatus::Sent => counts.sent = n,
                EmailStatus::Failed => counts.failed = n,
            }
        }
        Ok(counts)
    }

    /// The newest `limit` emails, newest first.
    pub async fn list_emails(&self, limit: u32) -> Result<Vec<Email>> {
        self.emails_where("TRUE", limit).await
    }

    /// The newest `limit` emails in trouble, newest first: given up, or
    /// still pending after a failed attempt.
    pub async fn emails_in_trouble(&self, limit: u32) -> Result<Vec<Email>> {
        self.emails_where(
            "status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL)",
            limit,
        )
        .await
    }

    /// Every email to subscriber `id`, oldest first: what it may ask to see
    /// of what was kept about it.
    pub async fn subscriber_emails(&self, id: SubscriberId) -> Result<Vec<Email>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM emails WHERE subscriber_id = $1 ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn emails_where(&self, filter: &str, limit: u32) -> Result<Vec<Email>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM emails WHERE {filter} ORDER BY id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}

/// The outcome check of the `mark_email_*` updates: a row that is absent or
/// no longer pending means the caller's view of the outbox is stale (e.g. the
/// subscriber unsubscribed meanwhile).
fn still_pending(rows: u64, id: EmailId) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound {
            what: "pending email",
            id: id.0,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::articles::tests::t;
    use crate::subscribers::tests::active_subscription;

    pub(crate) fn email(kind: EmailKind, message_id: &str) -> NewEmail {
        NewEmail {
            kind,
            subscriber_id: None,
            recipient: "a@example.org".into(),
            message_id: message_id.into(),
            subject: "عاجل".into(),
            payload: "{}".into(),
        }
    }

    #[tokio::test]
    async fn alert_and_email_are_one_write() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            let first = s
                .record_alert_email(sub, StoryId(1), &email(EmailKind::Alert, "<1@x>"), t(0))
                .await
                .unwrap()
                .expect("first match queues an email");
            // The same story again (another poll, a restart): nothing new.
            let again = s
                .record_alert_email(sub, StoryId(1), &email(EmailKind::Alert, "<2@x>"), t(1))
                .await
                .unwrap();
            assert_eq!(again, None);
            assert_eq!(s.email_counts().await.unwrap().pending, 1);
            let alerts = s.alerts_of(sub).await.unwrap();
            assert_eq!(alerts.len(), 1);
            assert_eq!(alerts[0].email_id, Some(first));
            // A recorded plain match also blocks the email.
            s.record_match(sub, StoryId(2), t(2)).await.unwrap();
            let blocked = s
                .record_alert_email(sub, StoryId(2), &email(EmailKind::Alert, "<3@x>"), t(2))
                .await
                .unwrap();
            assert_eq!(blocked, None);
        }
    }

    #[tokio::test]
    async fn one_update_only_after_the_alert_went_out() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            let e = s
                .record_alert_email(sub, StoryId(1), &email(EmailKind::Alert, "a1@x"), t(0))
                .await
                .unwrap()
                .unwrap();
            // Not sent yet: no update (the alert itself will say "breaking").
            let up = email(EmailKind::Alert, "u1@x");
            assert_eq!(
                s.record_update_email(sub, StoryId(1), &up, t(1))
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(
                s.mark_emails_sent(&[e, EmailId(999)], t(2)).await.unwrap(),
                1
            );
            assert!(
                s.record_update_email(sub, StoryId(1), &up, t(3))
                    .await
                    .unwrap()
                    .is_some()
            );
            let again = email(EmailKind::Alert, "u1-again@x");
            assert_eq!(
                s.record_update_email(sub, StoryId(1), &again, t(4))
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(
                s.record_update_email(sub, StoryId(2), &again, t(4))
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(s.email_counts().await.unwrap().pending, 1);
            let who = s.subscription(sub).await.unwrap().subscriber_id;
            assert_eq!(
                s.alert_emails_since(who, t(0)).await.unwrap(),
                0,
                "no subscriber on these"
            );
            assert_eq!(
                s.emails_to_since("A@example.org", EmailKind::Alert, t(0))
                    .await
                    .unwrap(),
                2
            );
            assert_eq!(
                s.emails_to_since("a@example.org", EmailKind::Alert, t(4))
                    .await
                    .unwrap(),
                0
            );
        }
    }

    #[tokio::test]
    async fn failed_email_insert_rolls_the_alert_back() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            s.enqueue_email(&email(EmailKind::Confirm, "<dup@x>"), t(0))
                .await
                .unwrap();
            let err = s
                .record_alert_email(sub, StoryId(1), &email(EmailKind::Alert, "<dup@x>"), t(1))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
            // No alert row was left behind, so a later try can still alert.
            assert!(s.alerts_of(sub).await.unwrap().is_empty());
            assert!(
                s.record_alert_email(sub, StoryId(1), &email(EmailKind::Alert, "<ok@x>"), t(2))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
    }

    #[tokio::test]
    async fn outbox_state_transitions() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .enqueue_email(&email(EmailKind::Confirm, "<a@x>"), t(0))
                .await
                .unwrap();
            let b = s
                .enqueue_email(&email(EmailKind::Confirm, "<b@x>"), t(1))
                .await
                .unwrap();
            let c = s
                .enqueue_email(&email(EmailKind::Confirm, "<c@x>"), t(2))
                .await
                .unwrap();
            assert!(s.due_emails(t(-1), 10).await.unwrap().is_empty());
            let due: Vec<_> = s
                .due_emails(t(5), 10)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(due, vec![a, b, c]);
            assert_eq!(s.due_emails(t(5), 2).await.unwrap().len(), 2);

            s.mark_email_retry(a, "421 try later", t(60)).await.unwrap();
            s.mark_email_sent(b, t(6)).await.unwrap();
            s.mark_email_failed(c, "550 no such user").await.unwrap();
            let due: Vec<_> = s.due_emails(t(59), 10).await.unwrap();
            assert!(due.is_empty(), "retry waits for its time");
            let due = s.due_emails(t(60), 10).await.unwrap();
            assert_eq!(due.len(), 1);
            assert_eq!(due[0].attempts, 1);
            assert_eq!(due[0].last_error.as_deref(), Some("421 try later"));

            let sent = s.get_email(b).await.unwrap();
            assert_eq!(sent.status, EmailStatus::Sent);
            assert_eq!(sent.sent_at, Some(t(6)));
            // Sent and failed emails are final.
            assert!(s.mark_email_sent(b, t(7)).await.is_err());
            assert!(s.mark_email_retry(c, "again", t(9)).await.is_err());
            assert_eq!(
                s.email_counts().await.unwrap(),
                EmailCounts {
                    pending: 1,
                    sent: 1,
                    failed: 1
                }
            );
            let listed: Vec<_> = s
                .list_emails(2)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(listed, vec![c, b]);
            // Given up, or pending after a failed attempt; not the sent one.
            let trouble: Vec<_> = s
                .emails_in_trouble(10)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(trouble, vec![c, a]);
        }
    }

    #[tokio::test]
    async fn digest_email_clears_its_stories() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            for story in [1, 2, 3] {
                s.queue_digest_alert(sub, StoryId(story), t(story))
                    .await
                    .unwrap();
            }
            let e = s
                .record_digest_email(
                    sub,
                    &[StoryId(1), StoryId(2)],
                    &email(EmailKind::Digest, "<d@x>"),
                    t(10),
                )
                .await
                .unwrap();
            assert_eq!(
                s.pending_digest_alerts(sub).await.unwrap(),
                vec![StoryId(3)]
            );
            assert_eq!(
                s.subscription(sub).await.unwrap().last_digest_at,
                Some(t(10))
            );
            let linked = s.alerts_of(sub).await.unwrap();
            assert_eq!(linked[0].email_id, Some(e));
            assert_eq!(linked[2].email_id, None);
        }
    }

    #[tokio::test]
    async fn unsubscribing_cancels_unsent_mail() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "a@example.org").await;
            let who = s.subscription(sub).await.unwrap().subscriber_id;
            let mut e = email(EmailKind::Alert, "<u@x>");
            e.subscriber_id = Some(who);
            s.record_alert_email(sub, StoryId(1), &e, t(0))
                .await
                .unwrap();
            s.queue_digest_alert(sub, StoryId(2), t(0)).await.unwrap();
            s.unsubscribe_subscriber(who, t(1)).await.unwrap();
            assert!(s.due_emails(t(2), 10).await.unwrap().is_empty());
            assert!(s.pending_digest_alerts(sub).await.unwrap().is_empty());
            let counts = s.email_counts().await.unwrap();
            assert_eq!((counts.pending, counts.failed), (0, 1));
        }
    }
}
