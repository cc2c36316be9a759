//! The `subscribers` and `subscriptions` tables: addresses and their saved
//! queries.

use std::fmt;
use std::str::FromStr;

use ajil_model::{Cadence, SubscriberId, SubscriptionId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, ts};

/// Whether mail may go to a subscriber at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    /// Receives mail for active subscriptions.
    Active,
    /// Asked to stop; receives nothing until confirming a new subscription.
    Unsubscribed,
    /// Stopped by the operator (e.g. bounces); receives nothing.
    Suspended,
}

impl SubscriberStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Active => "active",
            SubscriberStatus::Unsubscribed => "unsubscribed",
            SubscriberStatus::Suspended => "suspended",
        }
    }
}

impl FromStr for SubscriberStatus {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(SubscriberStatus::Active),
            "unsubscribed" => Ok(SubscriberStatus::Unsubscribed),
            "suspended" => Ok(SubscriberStatus::Suspended),
            _ => Err(StoreError::Invalid {
                column: "subscribers.status",
                value: s.into(),
            }),
        }
    }
}

impl fmt::Display for SubscriberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    /// Waiting for the address to confirm.
    Pending,
    /// Confirmed; matched against new stories.
    Active,
    /// Removed by the subscriber (or by unsubscribing).
    Removed,
}

impl SubscriptionStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Pending => "pending",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Removed => "removed",
        }
    }
}

impl FromStr for SubscriptionStatus {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(SubscriptionStatus::Pending),
            "active" => Ok(SubscriptionStatus::Active),
            "removed" => Ok(SubscriptionStatus::Removed),
            _ => Err(StoreError::Invalid {
                column: "subscriptions.status",
                value: s.into(),
            }),
        }
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One email address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscriber {
    /// Store id.
    pub id: SubscriberId,
    /// The address, lowercased.
    pub email: String,
    /// Language of the pages and emails it gets (`ar` or `en`).
    pub ui_lang: String,
    /// Whether it gets mail.
    pub status: SubscriberStatus,
    /// When it first signed up.
    pub created_at: DateTime<Utc>,
    /// IANA time zone its digests and quiet hours follow (`UTC` by default).
    pub tz: String,
    /// Local `HH:MM-HH:MM` in which real-time alerts wait.
    pub quiet_hours: Option<String>,
    /// Real-time alerts per local day after which the rest fold into a digest.
    pub daily_cap: Option<i64>,
    /// When mail to it was stopped by a bounce, a complaint or the operator.
    pub suppressed_at: Option<DateTime<Utc>>,
    /// Why (e.g. `hard bounce 5.1.1: user unknown`).
    pub suppressed_reason: Option<String>,
}

/// What [`Store::add_subscription`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    /// Whose it is.
    pub subscriber_id: SubscriberId,
    /// The query text as typed (already validated by the caller).
    pub query: String,
    /// Languages to match; empty means all.
    pub langs: Vec<String>,
    /// How often to tell.
    pub cadence: Cadence,
    /// Only stories judged breaking.
    pub breaking_only: bool,
    /// Active at once (added by the operator) rather than pending confirmation.
    pub confirmed: bool,
}

/// One saved query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription {
    /// Store id.
    pub id: SubscriptionId,
    /// Whose it is.
    pub subscriber_id: SubscriberId,
    /// The query text.
    pub query: String,
    /// Languages to match; empty means all.
    pub langs: Vec<String>,
    /// How often to tell.
    pub cadence: Cadence,
    /// Only stories judged breaking.
    pub breaking_only: bool,
    /// Where it stands.
    pub status: SubscriptionStatus,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When its last digest was queued.
    pub last_digest_at: Option<DateTime<Utc>>,
}

/// A subscription with its subscriber's address, language and status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriptionWithEmail {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The subscriber's address.
    pub email: String,
    /// The subscriber's language.
    pub ui_lang: String,
    /// The subscriber's status.
    pub subscriber_status: SubscriberStatus,
    /// The subscriber's time zone.
    pub tz: String,
    /// The subscriber's quiet hours.
    pub quiet_hours: Option<String>,
    /// The subscriber's daily cap of real-time alerts.
    pub daily_cap: Option<i64>,
}

const SUB_COLUMNS: &str = "id, email, ui_lang, status, created_at, tz, quiet_hours, daily_cap, \
     suppressed_at, suppressed_reason";
const COLUMNS: &str = "q.id, q.subscriber_id, q.query, q.langs, q.cadence, q.breaking_only, \
     q.status, q.created_at, q.confirmed_at, q.last_digest_at";

fn subscriber_from_row(row: &AnyRow) -> Result<Subscriber> {
    Ok(Subscriber {
        id: SubscriberId(row.try_get("id")?),
        email: row.try_get("email")?,
        ui_lang: row.try_get("ui_lang")?,
        status: row.try_get::<String, _>("status")?.parse()?,
        created_at: crate::time(row, "created_at")?,
        tz: row.try_get("tz")?,
        quiet_hours: row.try_get("quiet_hours")?,
        daily_cap: row.try_get("daily_cap")?,
        suppressed_at: crate::time_opt(row, "suppressed_at")?,
        suppressed_reason: row.try_get("suppressed_reason")?,
    })
}

fn from_row(row: &AnyRow) -> Result<Subscription> {
    let langs: Option<String> = row.try_get("langs")?;
    let cadence: String = row.try_get("cadence")?;
    Ok(Subscription {
        id: SubscriptionId(row.try_get("id")?),
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        query: row.try_get("query")?,
        langs: langs
            .map(|l| l.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        cadence: cadence.parse().map_err(|_| StoreError::Invalid {
            column: "subscriptions.cadence",
            value: cadence,
        })?,
        breaking_only: crate::flag(row, "breaking_only")?,
        status: row.try_get::<String, _>("status")?.parse()?,
        created_at: crate::time(row, "created_at")?,
        confirmed_at: crate::time_opt(row, "confirmed_at")?,
        last_digest_at: crate::time_opt(row, "last_digest_at")?,
    })
}

fn with_email_from_row(row: &AnyRow) -> Result<SubscriptionWithEmail> {
    Ok(SubscriptionWithEmail {
        subscription: from_row(row)?,
        email: row.try_get("email")?,
        ui_lang: row.try_get("ui_lang")?,
        subscriber_status: row.try_get::<String, _>("subscriber_status")?.parse()?,
        tz: row.try_get("tz")?,
        quiet_hours: row.try_get("quiet_hours")?,
        daily_cap: row.try_get("daily_cap")?,
    })
}

/// Lowercases and trims an address so that one mailbox is one subscriber.
/// What [`Store::erase_subscriber`] deleted besides the subscriber itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// Subscriptions, whatever their state.
    pub subscriptions: u64,
    /// Alert records (which story each subscription was told about).
    pub alerts: u64,
    /// Outbox rows to the address: sent, failed or still pending.
    pub emails: u64,
    /// Bounce and complaint reports naming it.
    pub feedback: u64,
}

pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    /// Finds the subscriber with this address (case-insensitive) or creates
    /// it, active, with `ui_lang`. An existing subscriber keeps its status
    /// (an unsubscribed one becomes active only by confirming a subscription)
    /// and its language: anyone can type an address into the signup form, so
    /// that must not change the owner's settings.
    pub async fn upsert_subscriber(
        &self,
        email: &str,
        ui_lang: &str,
        now: DateTime<Utc>,
    ) -> Result<Subscriber> {
        // The no-op update (rather than DO NOTHING) makes RETURNING yield the
        // existing row too.
        let row = sqlx::query(&format!(
            "INSERT INTO subscribers (email, ui_lang, status, created_at) \
             VALUES ($1, $2, 'active', $3) \
             ON CONFLICT (email) DO UPDATE SET email = excluded.email \
             RETURNING {SUB_COLUMNS}"
        ))
        .bind(normalize_email(email))
        .bind(ui_lang)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        subscriber_from_row(&row)
    }

    /// One subscriber; [`StoreError::NotFound`] if absent.
    pub async fn subscriber(&self, id: SubscriberId) -> Result<Subscriber> {
        let row = sqlx::query(&format!(
            "SELECT {SUB_COLUMNS} FROM subscribers WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound {
            what: "subscriber",
            id: id.0,
        })?;
        subscriber_from_row(&row)
    }

    /// The subscriber with this address (case-insensitive), if any.
    pub async fn subscriber_by_email(&self, email: &str) -> Result<Option<Subscriber>> {
        let row = sqlx::query(&format!(
            "SELECT {SUB_COLUMNS} FROM subscribers WHERE email = $1"
        ))
        .bind(normalize_email(email))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(subscriber_from_row).transpose()
    }

    /// Adds a subscription, pending unless `confirmed`.
    pub async fn add_subscription(
        &self,
        new: &NewSubscription,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let langs = (!new.langs.is_empty()).then(|| new.langs.join(","));
        let (status, confirmed_at) = if new.confirmed {
            (SubscriptionStatus::Active, Some(ts(now)))
        } else {
            (SubscriptionStatus::Pending, None)
        };
        let row = sqlx::query(&format!(
            "INSERT INTO subscriptions (subscriber_id, query, langs, cadence, breaking_only, \
             status, created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {}",
            COLUMNS.replace("q.", "")
        ))
        .bind(new.subscriber_id.0)
        .bind(&new.query)
        .bind(langs)
        .bind(new.cadence.as_str())
        .bind(i64::from(new.breaking_only))
        .bind(status.as_str())
        .bind(ts(now))
        .bind(confirmed_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound {
                what: "subscriber",
                id: new.subscriber_id.0,
            },
            _ => StoreError::Database(e),
        })?;
        from_row(&row)
    }

    /// Confirms a pending subscription and (re)activates its subscriber if it
    /// had unsubscribed. Confirming twice is harmless; a removed subscription
    /// stays removed. Returns the subscription as it now is.
    pub async fn confirm_subscription(
        &self,
        id: SubscriptionId,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let mut tx = self.pool.begin().await?;
        // A write first, so the transaction takes the write lock at once
        // (a read-then-write transaction could fail busy without waiting).
        sqlx::query(
            "UPDATE subscriptions SET status = 'active', confirmed_at = $1 \
             WHERE id = $2 AND status = 'pending'",
        )
        .bind(ts(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM subscriptions q WHERE q.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound {
            what: "subscription",
            id: id.0,
        })?;
        let sub = from_row(&row)?;
        if sub.status == SubscriptionStatus::Active {
            sqlx::query(
                "UPDATE subscribers SET status = 'active' WHERE id = $1 AND status = 'unsubscribed'",
            )
            .bind(sub.subscriber_id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(sub)
    }

    /// One subscription; [`StoreError::NotFound`] if absent.
    pub async fn subscription(&self, id: SubscriptionId) -> Result<Subscription> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM subscriptions q WHERE q.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound {
            what: "subscription",
            id: id.0,
        })?;
        from_row(&row)
    }

    /// Every subscription of one subscriber (removed ones included), by id.
    pub async fn subscriptions_of(&self, subscriber_id: SubscriberId) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM subscriptions q WHERE q.subscriber_id = $1 ORDER BY q.id"
        ))
        .bind(subscriber_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn subscriptions_where(&self, filter: &str) -> Result<Vec<SubscriptionWithEmail>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, s.email, s.ui_lang, s.status AS subscriber_status, s.tz, \
             s.quiet_hours, s.daily_cap \
             FROM subscriptions q JOIN subscribers s ON s.id = q.subscriber_id \
             {filter} ORDER BY q.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(with_email_from_row).collect()
    }

    /// Every subscription with its address, by id (for the operator).
    pub async fn list_subscriptions(&self) -> Result<Vec<SubscriptionWithEmail>> {
        self.subscriptions_where("").await
    }

    /// The subscriptions the matcher should run: active ones of active
    /// subscribers.
    pub async fn active_subscriptions(&self) -> Result<Vec<SubscriptionWithEmail>> {
        self.subscriptions_where("WHERE q.status = 'active' AND s.status = 'active'")
            .await
    }

    /// Marks a subscription removed; [`StoreError::NotFound`] if absent.
    pub async fn remove_subscription(&self, id: SubscriptionId) -> Result<()> {
        let done = sqlx::query("UPDATE subscriptions SET status = 'removed' WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        found(done.rows_affected(), "subscription", id.0)
    }

    /// Makes subscription `id` alert only when a matching story turns breaking
    /// (`true`), or on a story's first matching report as well (`false`).
    pub async fn set_breaking_only(&self, id: SubscriptionId, breaking_only: bool) -> Result<()> {
        let done = sqlx::query("UPDATE subscriptions SET breaking_only = $1 WHERE id = $2")
            .bind(i64::from(breaking_only))
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        found(done.rows_affected(), "subscription", id.0)
    }

    /// Stops all mail to a subscriber at once, in one transaction: the
    /// subscriber becomes unsubscribed, its subscriptions removed and its
    /// unsent emails failed with "recipient unsubscribed".
    pub async fn unsubscribe_subscriber(&self, id: SubscriberId, now: DateTime<Utc>) -> Result<()> {
        self.stop_subscriber(id, SubscriberStatus::Unsubscribed, None, now)
            .await
    }

    /// Like [`Store::unsubscribe_subscriber`], recording why (a complaint).
    pub async fn unsubscribe_subscriber_because(
        &self,
        id: SubscriberId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.stop_subscriber(id, SubscriberStatus::Unsubscribed, Some(reason), now)
            .await
    }

    /// Stops mail to a subscriber (bounces, or the operator) without removing
    /// its subscriptions, so lifting the suspension restores them: in one
    /// transaction its status becomes suspended with `reason`, its unsent
    /// emails fail and waiting digest entries are dropped.
    pub async fn suspend_subscriber(
        &self,
        id: SubscriberId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.stop_subscriber(id, SubscriberStatus::Suspended, Some(reason), now)
            .await
    }

    /// Makes a suspended subscriber active again (the operator fixed the
    /// cause); other statuses are left alone. Returns whether it changed.
    pub async fn lift_suspension(&self, id: SubscriberId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET status = 'active', suppressed_at = NULL, \
             suppressed_reason = NULL WHERE id = $1 AND status = 'suspended'",
        )
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn stop_subscriber(
        &self,
        id: SubscriberId,
        status: SubscriberStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE subscribers SET status = $1, suppressed_at = $2, suppressed_reason = $3 \
             WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(reason.map(|_| ts(now)))
        .bind(reason)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        found(done.rows_affected(), "subscriber", id.0)?;
        if status == SubscriberStatus::Unsubscribed {
            sqlx::query("UPDATE subscriptions SET status = 'removed' WHERE subscriber_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE emails SET status = 'failed', last_error = $1, next_attempt_at = $2 \
             WHERE subscriber_id = $3 AND status = 'pending'",
        )
        .bind(format!("recipient {status}"))
        .bind(ts(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        // Digests still waiting would otherwise be sent if they re-subscribe.
        sqlx::query(
            "UPDATE alerts SET digest_pending = 0 WHERE digest_pending = 1 AND subscription_id \
             IN (SELECT id FROM subscriptions WHERE subscriber_id = $1)",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Erases a subscriber and everything kept about the address, in one
    /// transaction: its subscriptions and their alert records, every email to
    /// it in the outbox (sent or not, so none is sent after), and the bounce
    /// and complaint reports that name it. The address can sign up again
    /// afterwards, as a stranger would, with a confirmation email.
    /// [`StoreError::NotFound`] if there is no such subscriber.
    pub async fn erase_subscriber(&self, id: SubscriberId) -> Result<Erased> {
        let mut tx = self.pool.begin().await?;
        let email: Option<String> =
            sqlx::query_scalar("SELECT email FROM subscribers WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(email) = email else {
            return Err(StoreError::NotFound {
                what: "subscriber",
                id: id.0,
            });
        };
        let alerts = sqlx::query(
            "DELETE FROM alerts WHERE subscription_id IN \
             (SELECT id FROM subscriptions WHERE subscriber_id = $1)",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let subscriptions = sqlx::query("DELETE FROM subscriptions WHERE subscriber_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Rows of other subscribers' alerts never point at these emails, but
        // clear any link first so no backend's foreign keys object.
        for column in ["email_id", "update_email_id"] {
            sqlx::query(&format!(
                "UPDATE alerts SET {column} = NULL WHERE {column} IN \
                 (SELECT id FROM emails WHERE subscriber_id = $1 OR LOWER(recipient) = $2)"
            ))
            .bind(id.0)
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        }
        let emails =
            sqlx::query("DELETE FROM emails WHERE subscriber_id = $1 OR LOWER(recipient) = $2")
                .bind(id.0)
                .bind(&email)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let feedback =
            sqlx::query("DELETE FROM feedback WHERE subscriber_id = $1 OR LOWER(email) = $2")
                .bind(id.0)
                .bind(&email)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Erased {
            subscriptions,
            alerts,
            emails,
            feedback,
        })
    }

    /// Sets a subscriber's time zone, quiet hours and daily cap (the caller
    /// validated them).
    pub async fn set_subscriber_pacing(
        &self,
        id: SubscriberId,
        tz: &str,
        quiet_hours: Option<&str>,
        daily_cap: Option<i64>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE subscribers SET tz = $1, quiet_hours = $2, daily_cap = $3 WHERE id = $4",
        )
        .bind(tz)
        .bind(quiet_hours)
        .bind(daily_cap)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        found(done.rows_affected(), "subscriber", id.0)
    }

    /// Every subscriber, by id (for the operator).
    pub async fn list_subscribers(&self) -> Result<Vec<Subscriber>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUB_COLUMNS} FROM subscribers ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscriber_from_row).collect()
    }

    /// Addresses ajil no longer mails because of a bounce, a complaint or
    /// the operator (those with a suppression reason), most recent first.
    pub async fn suppressed_subscribers(&self) -> Result<Vec<Subscriber>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUB_COLUMNS} FROM subscribers WHERE status != 'active' \
             AND suppressed_reason IS NOT NULL ORDER BY suppressed_at DESC, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscriber_from_row).collect()
    }
}

/// `Ok` when an update touched a row, else [`StoreError::NotFound`] for
/// `what` number `id`.
fn found(rows: u64, what: &'static str, id: i64) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::NotFound { what, id });
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::articles::tests::t;

    /// A confirmed subscription of a new subscriber at `email`.
    pub(crate) async fn active_subscription(s: &Store, email: &str) -> SubscriptionId {
        let who = s.upsert_subscriber(email, "ar", t(0)).await.unwrap();
        s.add_subscription(
            &NewSubscription {
                subscriber_id: who.id,
                query: "غزة".into(),
                langs: vec![],
                cadence: Cadence::Realtime,
                breaking_only: false,
                confirmed: true,
            },
            t(0),
        )
        .await
        .unwrap()
        .id
    }

    fn pending(subscriber_id: SubscriberId) -> NewSubscription {
        NewSubscription {
            subscriber_id,
            query: "earthquake OR زلزال".into(),
            langs: vec!["ar".into(), "en".into()],
            cadence: Cadence::Hourly,
            breaking_only: true,
            confirmed: false,
        }
    }

    #[tokio::test]
    async fn erasing_a_subscriber_leaves_nothing_of_the_address() {
        for (s, _scratch) in crate::testing::stores().await {
            let sub = active_subscription(&s, "gone@example.org").await;
            let keep = active_subscription(&s, "stays@example.org").await;
            let who = s.subscription(sub).await.unwrap().subscriber_id;
            s.add_subscription(&pending(who), t(1)).await.unwrap();
            for (n, (subscription, recipient)) in [
                (sub, "gone@example.org"),
                (sub, "gone@example.org"),
                (keep, "stays@example.org"),
            ]
            .into_iter()
            .enumerate()
            {
                s.record_match(subscription, ajil_model::StoryId(n as i64 + 1), t(2))
                    .await
                    .unwrap()
                    .unwrap();
                let owner = s.subscription(subscription).await.unwrap().subscriber_id;
                let e = crate::NewEmail {
                    kind: crate::EmailKind::Alert,
                    subscriber_id: Some(owner),
                    recipient: recipient.into(),
                    message_id: format!("<m{n}@x>"),
                    subject: "s".into(),
                    payload: "{}".into(),
                };
                s.enqueue_email(&e, t(3)).await.unwrap();
            }
            // A bounce that names the address, kept before the erasure.
            s.record_feedback(
                &crate::NewFeedback {
                    email: Some("Gone@Example.org".into()),
                    message_id: None,
                    kind: "soft_bounce".into(),
                    status: Some("4.2.2".into()),
                    diagnostic: Some("mailbox full".into()),
                    origin: "dsn".into(),
                    dedup_key: Some("k1".into()),
                },
                t(0),
                t(4),
            )
            .await
            .unwrap();

            let kept = s.subscriber_emails(who).await.unwrap();
            assert_eq!(kept.len(), 2, "the address's own emails, oldest first");
            assert_eq!(kept[0].message_id, "<m0@x>");
            let erased = s.erase_subscriber(who).await.unwrap();
            assert_eq!(
                erased,
                Erased {
                    subscriptions: 2,
                    alerts: 2,
                    emails: 2,
                    feedback: 1
                }
            );
            assert!(
                s.subscriber_by_email("gone@example.org")
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(matches!(
                s.erase_subscriber(who).await,
                Err(StoreError::NotFound { .. })
            ));
            // The other subscriber is untouched.
            assert_eq!(s.alerts_of(keep).await.unwrap().len(), 1);
            let left = s.list_emails(10).await.unwrap();
            assert_eq!(left.len(), 1);
            assert_eq!(left[0].recipient, "stays@example.org");
            assert!(s.list_feedback(10).await.unwrap().is_empty());
            // The address may sign up again, as anyone would.
            let again = s
                .upsert_subscriber("gone@example.org", "en", t(9))
                .await
                .unwrap();
            assert_ne!(again.id, who);
            assert!(s.subscriptions_of(again.id).await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn email_is_normalized_and_unique() {
        for (s, _scratch) in crate::testing::stores().await {
            let a = s
                .upsert_subscriber(" Ali@Example.ORG ", "ar", t(0))
                .await
                .unwrap();
            let b = s
                .upsert_subscriber("ali@example.org", "en", t(5))
                .await
                .unwrap();
            assert_eq!(a.id, b.id);
            assert_eq!(b.email, "ali@example.org");
            assert_eq!(
                b.ui_lang, "ar",
                "a second signup does not change the language"
            );
            assert_eq!(b.created_at, t(0));
            let found = s.subscriber_by_email("ALI@example.org").await.unwrap();
            assert_eq!(found.map(|f| f.id), Some(a.id));
            assert_eq!(
                s.subscriber_by_email("nobody@example.org").await.unwrap(),
                None
            );
        }
    }

    #[tokio::test]
    async fn pending_then_confirmed_then_unsubscribed() {
        for (s, _scratch) in crate::testing::stores().await {
            let who = s
                .upsert_subscriber("a@example.org", "ar", t(0))
                .await
                .unwrap();
            let sub = s.add_subscription(&pending(who.id), t(1)).await.unwrap();
            assert_eq!(sub.status, SubscriptionStatus::Pending);
            assert_eq!(sub.langs, vec!["ar", "en"]);
            assert_eq!(sub.cadence, Cadence::Hourly);
            assert!(sub.breaking_only);
            assert!(s.active_subscriptions().await.unwrap().is_empty());

            let c = s.confirm_subscription(sub.id, t(2)).await.unwrap();
            assert_eq!(c.status, SubscriptionStatus::Active);
            assert_eq!(c.confirmed_at, Some(t(2)));
            let again = s.confirm_subscription(sub.id, t(9)).await.unwrap();
            assert_eq!(
                again.confirmed_at,
                Some(t(2)),
                "confirming twice changes nothing"
            );
            let active = s.active_subscriptions().await.unwrap();
            assert_eq!(active.len(), 1);
            assert_eq!(active[0].email, "a@example.org");

            s.unsubscribe_subscriber(who.id, t(3)).await.unwrap();
            assert!(s.active_subscriptions().await.unwrap().is_empty());
            assert_eq!(
                s.subscription(sub.id).await.unwrap().status,
                SubscriptionStatus::Removed
            );
            // A removed subscription cannot be confirmed back to life …
            let c = s.confirm_subscription(sub.id, t(4)).await.unwrap();
            assert_eq!(c.status, SubscriptionStatus::Removed);
            assert_eq!(
                s.subscriber(who.id).await.unwrap().status,
                SubscriberStatus::Unsubscribed
            );
            // … but confirming a new one reactivates the address.
            let fresh = s.add_subscription(&pending(who.id), t(5)).await.unwrap();
            s.confirm_subscription(fresh.id, t(6)).await.unwrap();
            assert_eq!(
                s.subscriber(who.id).await.unwrap().status,
                SubscriberStatus::Active
            );
            assert_eq!(s.active_subscriptions().await.unwrap().len(), 1);
            assert_eq!(s.list_subscriptions().await.unwrap().len(), 2);
            assert_eq!(s.subscriptions_of(who.id).await.unwrap().len(), 2);
        }
    }

    #[tokio::test]
    async fn missing_rows_are_not_found() {
        for (s, _scratch) in crate::testing::stores().await {
            let missing = SubscriptionId(42);
            assert!(matches!(
                s.confirm_subscription(missing, t(0)).await.unwrap_err(),
                StoreError::NotFound { .. }
            ));
            assert!(matches!(
                s.remove_subscription(missing).await.unwrap_err(),
                StoreError::NotFound { .. }
            ));
            assert!(matches!(
                s.set_breaking_only(missing, true).await.unwrap_err(),
                StoreError::NotFound {
                    what: "subscription",
                    id: 42
                }
            ));
            assert!(matches!(
                s.add_subscription(&pending(SubscriberId(3)), t(0))
                    .await
                    .unwrap_err(),
                StoreError::NotFound {
                    what: "subscriber",
                    id: 3
                }
            ));
            assert!(matches!(
                s.unsubscribe_subscriber(SubscriberId(3), t(0))
                    .await
                    .unwrap_err(),
                StoreError::NotFound { .. }
            ));
        }
    }
}
