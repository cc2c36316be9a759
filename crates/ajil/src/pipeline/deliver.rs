//! The alert → deliver end of the pipeline: what goes into the outbox, and
//! sending what is due.
//!
//! An outbox row holds a small JSON payload (what the email is about), not the
//! rendered message: the message is composed when it is sent, with the same
//! `Message-ID` on every attempt, so a resend after a crash is recognisable as
//! the same email. Rows are written before sending and marked sent only after
//! the server accepted the message.
//!
//! Sending goes in batches of `send_batch` due emails, sent concurrently
//! (`send_concurrency` at a time, paced to at most `send_rate` per second) and
//! marked sent together in one transaction once the whole batch is done. A
//! crash (even `kill -9`) loses nothing: unmarked emails are still pending and
//! go out again with the same `Message-ID`. So the emails that can be sent
//! twice are at most one batch: the in-flight window is `send_batch`.

use ajil_mail::Signer;
use ajil_mail::{AlertEmail, Composer, ConfirmEmail, DigestEmail, DigestStory, Mailer, OutletLink};
use std::sync::Mutex;
use std::time::Duration;

use ajil_alert::bounce::FeedbackKind;
use ajil_alert::pacing::{Pacing, Slot};
use ajil_model::{Cadence, StoryId, SubscriberId, SubscriptionId};
use ajil_store::{Email, EmailKind, NewEmail, NewFeedback, Store, SubscriptionWithEmail};
use ajil_web::links;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::config::Config;

/// What an outbox row is about; composed into a message at send time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Alert {
        subscription_id: SubscriptionId,
        story_id: StoryId,
        lang: String,
        query: String,
        breaking: bool,
        /// The one "story turned breaking" email after the first alert.
        #[serde(default)]
        update: bool,
    },
    Digest {
        subscription_id: SubscriptionId,
        lang: String,
        query: String,
        stories: Vec<StoryId>,
        period_end: DateTime<Utc>,
    },
    Confirm {
        subscription_id: SubscriptionId,
        lang: String,
        query: String,
    },
}

/// Composes, queues and sends email.
pub struct Delivery {
    store: Store,
    composer: Composer,
    mailer: Mailer,
    signer: Signer,
    public_url: String,
    domain: String,
    concurrency: usize,
    pacer: Option<Pacer>,
    digest_hour: u32,
}

/// Spaces sends evenly to a global rate: each send reserves the next free
/// slot, so concurrent senders together stay under the rate.
struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(per_second: f64) -> Option<Pacer> {
        (per_second.is_finite() && per_second > 0.0).then(|| Pacer {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(Instant::now()),
        })
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().expect("pacer lock");
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

impl Delivery {
    /// Sets up templates, the signer and the transport (SMTP when configured,
    /// else the local outbox folder).
    pub fn new(config: &Config, store: Store) -> Result<Delivery> {
        let templates = config.templates_dir();
        let from: ajil_mail::Mailbox = config.from.parse().with_context(|| {
            format!(
                "sender address {:?} is not valid: use e.g. \"ajil <alerts@example.org>\"",
                config.from
            )
        })?;
        // Message-IDs carry the sender's domain (RFC 5322 3.6.4: unique on
        // the right of `@` for the host that made them); an IP literal from
        // the public URL would look odd to spam filters.
        let domain = from.email.domain().to_string();
        let composer = Composer::new(templates.is_dir().then_some(templates))
            .context("cannot load the email templates")?
            .with_from(from)
            .with_reply_to(config.reply_to_mailbox()?);
        let mailer = match &config.smtp_url {
            Some(url) => {
                let smtp = ajil_mail::SmtpConfig::from_url(url.expose()).context(
                    "SMTP URL is not valid: use smtp://user:pass@host:587 (see ajil.example.toml)",
                )?;
                Mailer::smtp(&smtp).context("cannot set up the SMTP transport")?
            }
            None => Mailer::outbox(config.outbox_dir()).with_context(|| {
                format!(
                    "cannot create the outbox folder {}",
                    config.outbox_dir().display()
                )
            })?,
        };
        let mailer = match config.dkim_signer()? {
            Some(dkim) => mailer.with_dkim(dkim),
            None => mailer,
        };
        Ok(Delivery {
            store,
            composer,
            mailer,
            signer: Signer::new(config.secret.expose().as_bytes()),
            public_url: config.public_url.clone(),
            domain,
            concurrency: config.send_concurrency.max(1),
            pacer: config.send_rate.and_then(Pacer::new),
            digest_hour: config.digest_hour,
        })
    }

    /// A subscriber's pacing from its stored settings; a setting that no
    /// longer parses falls back to the default (logged), never blocks mail.
    fn pacing(&self, sub: &SubscriptionWithEmail) -> Pacing {
        let tz = ajil_alert::pacing::parse_tz(&sub.tz).unwrap_or_else(|e| {
            warn!(subscription_id = %sub.subscription.id, "{e}");
            chrono_tz::Tz::UTC
        });
        let quiet = sub.quiet_hours.as_deref().and_then(|q| {
            q.parse()
                .map_err(|e| warn!(subscription_id = %sub.subscription.id, "{e}"))
                .ok()
        });
        Pacing {
            tz,
            quiet,
            daily_cap: sub.daily_cap.map(|c| c.max(0) as u32),
            digest_hour: self.digest_hour,
        }
    }

    /// Queues the one real-time alert of (subscription, story); `false` when
    /// that alert was already queued once (ever). The subscriber's pacing
    /// decides when: now, at the end of its quiet hours, or (past its daily
    /// cap) folded into its next daily digest.
    pub async fn queue_alert(
        &self,
        sub: &SubscriptionWithEmail,
        story: StoryId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let s = &sub.subscription;
        let pacing = self.pacing(sub);
        let sent_today = match pacing.daily_cap {
            Some(_) => {
                self.store
                    .alert_emails_since(s.subscriber_id, pacing.local_day_start(now))
                    .await?
            }
            None => 0,
        };
        let due = match pacing.realtime_slot(sent_today, now) {
            Slot::Now => now,
            Slot::At(t) => t,
            Slot::Fold => {
                debug!(subscription_id = %s.id, story_id = %story, "daily cap reached: folded into the digest");
                return Ok(self.store.queue_digest_alert(s.id, story, now).await?);
            }
        };
        let detail = self.store.get_story(story).await?;
        let (title, _) = detail.headline_in(&reading_langs(&s.langs, &sub.ui_lang));
        let email = story_email(
            sub,
            story,
            title,
            detail.story.breaking_at.is_some(),
            false,
            ajil_alert::message_id(s.id, story, &self.domain),
        )?;
        Ok(self
            .store
            .record_alert_email_due(s.id, story, &email, now, due)
            .await?
            .is_some())
    }

    /// Queues the one "story update" email of a story that turned breaking
    /// after its real-time alert went out; `false` when there was no sent
    /// alert or the update was queued before (it never repeats).
    pub async fn queue_update(
        &self,
        sub: &SubscriptionWithEmail,
        story: StoryId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let s = &sub.subscription;
        let due = self.pacing(sub).quiet_ends(now).unwrap_or(now);
        let detail = self.store.get_story(story).await?;
        let (title, _) = detail.headline_in(&reading_langs(&s.langs, &sub.ui_lang));
        let email = story_email(
            sub,
            story,
            title,
            true,
            true,
            ajil_alert::update_message_id(s.id, story, &self.domain),
        )?;
        let id = self
            .store
            .record_update_email(s.id, story, &email, now)
            .await?;
        if let Some(id) = id
            && due > now
        {
            // Quiet hours: the update waits like an alert would.
            self.store.defer_email(id, due).await?;
        }
        Ok(id.is_some())
    }

    /// Queues the confirmation email of a pending subscription.
    pub async fn queue_confirmation(
        &self,
        subscription_id: SubscriptionId,
        subscriber_id: SubscriberId,
        email: &str,
        lang: &str,
        query: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = Payload::Confirm {
            subscription_id,
            lang: lang.to_string(),
            query: query.to_string(),
        };
        let e = NewEmail {
            kind: EmailKind::Confirm,
            subscriber_id: Some(subscriber_id),
            recipient: email.to_string(),
            message_id: format!(
                "confirm.{subscription_id}.{}@{}",
                now.timestamp_micros(),
                self.domain
            ),
            subject: query.to_string(),
            payload: serde_json::to_string(&payload)?,
        };
        self.store.enqueue_email(&e, now).await?;
        Ok(())
    }

    /// Turns each digest subscription's pending stories into one email once
    /// its period has closed. Returns the number of digests queued.
    pub async fn close_digests(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut queued = 0;
        for sub in self.store.active_subscriptions().await? {
            let s = &sub.subscription;
            let started = s.confirmed_at.unwrap_or(s.created_at);
            let pacing = self.pacing(&sub);
            let (last, started) = if s.cadence == Cadence::Realtime {
                // A real-time subscription has a digest only for alerts the
                // daily cap folded: the next digest hour after the oldest.
                match self.store.oldest_pending_digest_at(s.id).await? {
                    Some(oldest) => (None, oldest),
                    None => continue,
                }
            } else {
                (s.last_digest_at, started)
            };
            if !pacing.digest_due(s.cadence, last, started, now) {
                continue;
            }
            let stories = self.store.pending_digest_alerts(s.id).await?;
            if stories.is_empty() {
                continue;
            }
            let payload = Payload::Digest {
                subscription_id: s.id,
                lang: sub.ui_lang.clone(),
                query: s.query.clone(),
                stories: stories.clone(),
                period_end: now,
            };
            let email = NewEmail {
                kind: EmailKind::Digest,
                subscriber_id: Some(s.subscriber_id),
                recipient: sub.email.clone(),
                message_id: ajil_alert::digest_message_id(s.id, now, &self.domain),
                subject: s.query.clone(),
                payload: serde_json::to_string(&payload)?,
            };
            self.store
                .record_digest_email(s.id, &stories, &email, now)
                .await?;
            queued += 1;
        }
        Ok(queued)
    }

    /// Sends up to `limit` due emails as one batch (see the module docs for
    /// the crash guarantees). Returns (sent, failed).
    pub async fn send_due(&self, now: DateTime<Utc>, limit: usize) -> Result<(usize, usize)> {
        let due = self.store.due_emails(now, limit as u32).await?;
        let outcomes: Vec<(Email, Result<(), SendFailure>)> = futures_util::stream::iter(due)
            .map(|email| async move {
                if let Some(p) = &self.pacer {
                    p.wait().await;
                }
                let r = self.send_one(&email).await;
                (email, r)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut accepted = Vec::new();
        let mut failed = 0;
        for (email, outcome) in outcomes {
            match outcome {
                Ok(()) => {
                    debug!(email_id = email.id.0, kind = ?email.kind, "email accepted");
                    accepted.push(email.id);
                }
                Err(SendFailure::Skip(why)) => {
                    // The subscriber left or the story vanished: nothing to send.
                    self.mark_failed(&email, &why).await?;
                }
                Err(SendFailure::Permanent { code, why }) => {
                    warn!(email_id = email.id.0, "email failed for good: {why}");
                    self.mark_failed(&email, &why).await?;
                    if let Some(kind) = code.and_then(ajil_alert::bounce::kind_of_reply)
                        && kind == FeedbackKind::HardBounce
                    {
                        self.record_rejection(&email, code, &why, now).await?;
                    }
                    failed += 1;
                }
                Err(SendFailure::Temporary(why)) => {
                    let attempts = email.attempts as u32 + 1;
                    if attempts >= ajil_alert::MAX_SEND_ATTEMPTS {
                        let why = format!("gave up after {attempts} attempts: {why}");
                        warn!(email_id = email.id.0, "{why}");
                        self.mark_failed(&email, &why).await?;
                    } else {
                        let jitter = rand::random::<f64>();
                        let next = ajil_alert::retry_at(attempts, now, jitter);
                        warn!(email_id = email.id.0, %next, "email will be retried: {why}");
                        if let Err(e) = self.store.mark_email_retry(email.id, &why, next).await {
                            debug!(email_id = email.id.0, "not retried: {e}");
                        }
                    }
                    failed += 1;
                }
            }
        }
        // One transaction for the batch: the crash window is the batch.
        let sent = self.store.mark_emails_sent(&accepted, now).await?;
        if sent > 0 {
            info!(sent, failed, "emails sent");
        }
        Ok((accepted.len(), failed))
    }

    /// Marks an email failed; one that is no longer pending (its subscriber
    /// was suspended by an earlier email of the same batch) is left as it is.
    async fn mark_failed(&self, email: &Email, why: &str) -> Result<()> {
        match self.store.mark_email_failed(email.id, why).await {
            Ok(()) | Err(ajil_store::StoreError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A 5xx refusal at send time counts as a hard bounce of the address.
    async fn record_rejection(
        &self,
        email: &Email,
        code: Option<u16>,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let feedback = NewFeedback {
            email: Some(email.recipient.clone()),
            message_id: Some(email.message_id.clone()),
            kind: FeedbackKind::HardBounce.as_str().into(),
            status: code.map(|c| c.to_string()),
            diagnostic: Some(why.to_string()),
            origin: "smtp".into(),
            dedup_key: Some(format!("smtp:{}", email.message_id)),
        };
        crate::pipeline::apply_feedback(&self.store, &feedback, now).await?;
        Ok(())
    }

    async fn send_one(&self, email: &Email) -> Result<(), SendFailure> {
        let payload: Payload =
            serde_json::from_str(&email.payload).map_err(|e| SendFailure::Permanent {
                code: None,
                why: format!("outbox payload unreadable: {e}"),
            })?;
        let message = self.compose(email, payload).await?;
        self.mailer.send(&message).await.map_err(|e| {
            if e.is_permanent() {
                SendFailure::Permanent {
                    code: e.code(),
                    why: e.to_string(),
                }
            } else {
                SendFailure::Temporary(e.to_string())
            }
        })
    }

    async fn compose(
        &self,
        email: &Email,
        payload: Payload,
    ) -> Result<ajil_mail::Message, SendFailure> {
        let subscriber = email
            .subscriber_id
            .ok_or_else(|| SendFailure::Skip("email has no subscriber".into()))?;
        let sub_state = self.store.subscriber(subscriber).await.map_err(skip)?;
        let unsubscribe_url = links::unsubscribe_url(&self.signer, &self.public_url, subscriber);
        let manage_url = links::manage_url(&self.signer, &self.public_url, subscriber);
        let composed = match payload {
            Payload::Alert {
                subscription_id,
                story_id,
                lang,
                query,
                breaking,
                update: _,
            } => {
                let sub = self
                    .store
                    .subscription(subscription_id)
                    .await
                    .map_err(skip)?;
                if sub.status.as_str() != "active" || sub_state.status.as_str() != "active" {
                    return Err(SendFailure::Skip("subscription no longer active".into()));
                }
                let detail = self.store.get_story(story_id).await.map_err(skip)?;
                let reading = reading_langs(&sub.langs, &lang);
                let lead = self.lead(&detail, &reading).await;
                let (story_title, story_lang) = detail.headline_in(&reading);
                self.composer.alert(
                    &AlertEmail {
                        to: email.recipient.clone(),
                        story_title: story_title.to_string(),
                        story_lang: story_lang.to_string(),
                        lang,
                        query,
                        outlets: outlets(&detail),
                        story_url: Some(format!("{}/stories/{}", self.public_url, story_id)),
                        unsubscribe_url,
                        manage_url,
                        message_id: email.message_id.clone(),
                        breaking: breaking || detail.story.breaking_at.is_some(),
                        tz: Some(sub_state.tz.clone()),
                        lead,
                    },
                    Utc::now(),
                )
            }
            Payload::Digest {
                lang,
                stories,
                period_end,
                subscription_id,
                ..
            } => {
                let sub = self
                    .store
                    .subscription(subscription_id)
                    .await
                    .map_err(skip)?;
                if sub.status.as_str() != "active" || sub_state.status.as_str() != "active" {
                    return Err(SendFailure::Skip("subscription no longer active".into()));
                }
                let reading = reading_langs(&sub.langs, &lang);
                let mut items = Vec::new();
                for id in stories {
                    if let Ok(d) = self.store.get_story(id).await {
                        let (title, story_lang) = d.headline_in(&reading);
                        items.push(DigestStory {
                            title: title.to_string(),
                            lang: story_lang.to_string(),
                            outlets: outlets(&d),
                        });
                    }
                }
                self.composer.digest(
                    &DigestEmail {
                        to: email.recipient.clone(),
                        lang,
                        period_label: period_label(period_end, &sub_state.tz),
                        stories: items,
                        unsubscribe_url,
                        manage_url,
                        message_id: email.message_id.clone(),
                        tz: Some(sub_state.tz.clone()),
                    },
                    Utc::now(),
                )
            }
            Payload::Confirm {
                subscription_id,
                lang,
                query,
            } => self.composer.confirm(
                &ConfirmEmail {
                    to: email.recipient.clone(),
                    lang,
                    query,
                    confirm_url: links::confirm_url(
                        &self.signer,
                        &self.public_url,
                        subscription_id,
                        email.created_at,
                    ),
                    message_id: email.message_id.clone(),
                },
                Utc::now(),
            ),
        };
        composed.map_err(|e| SendFailure::Permanent {
            code: None,
            why: format!("cannot compose: {e}"),
        })
    }
}

impl Delivery {
    /// The opening of the story's first article that has text (the feed
    /// summary when the page gave none), for the alert's lead. Only a slice
    /// goes to the composer, which strips markup and cuts it to about 280
    /// characters; a store error only costs the lead, never the alert.
    async fn lead(&self, detail: &ajil_store::StoryDetail, langs: &[&str]) -> Option<String> {
        // Copies repeat their original, so only originals are read; a few
        // are tried because a first article can be a headline-only item. Those
        // in the reader's languages come first (a story can hold reports in
        // several), each group oldest first.
        let originals = || detail.articles.iter().filter(|a| a.copy_of.is_none());
        let rank = |lang: &str| langs.iter().position(|l| *l == lang).unwrap_or(langs.len());
        let mut ordered: Vec<&ajil_store::StoryArticle> = originals().collect();
        ordered.sort_by_key(|a| rank(&a.lang));
        for article in ordered.into_iter().take(LEAD_ARTICLES_TRIED) {
            let stored = match self.store.get_article(article.id).await {
                Ok(a) => a,
                Err(e) => {
                    debug!(article_id = article.id.0, "no lead: {e}");
                    continue;
                }
            };
            let text = if stored.text.trim().is_empty() {
                stored.summary.as_deref().unwrap_or("")
            } else {
                stored.text.as_str()
            };
            if !text.trim().is_empty() {
                return Some(text.chars().take(LEAD_SOURCE_CHARS).collect());
            }
        }
        None
    }
}

/// When a digest's period ended, in the subscriber's zone (`UTC` when it is
/// unset or unknown): `2026-11-29 21:00 UTC+3`.
fn period_label(end: DateTime<Utc>, tz: &str) -> String {
    use chrono::Offset as _;
    let zone = ajil_alert::pacing::parse_tz(tz).unwrap_or(chrono_tz::Tz::UTC);
    let local = end.with_timezone(&zone);
    let offset = local.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    let zone = match (hours, minutes) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    };
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M"))
}

/// Articles of a story read in search of a lead.
const LEAD_ARTICLES_TRIED: usize = 3;
/// Characters of article text handed to the composer: enough for its
/// ~280-character lead after markup and extra whitespace are removed.
const LEAD_SOURCE_CHARS: usize = 2000;

/// The outbox row of a real-time alert or a story update: one shape for both,
/// told apart by `update` and the stable `message_id`.
fn story_email(
    sub: &SubscriptionWithEmail,
    story: StoryId,
    title: &str,
    breaking: bool,
    update: bool,
    message_id: String,
) -> Result<NewEmail> {
    let s = &sub.subscription;
    let payload = Payload::Alert {
        subscription_id: s.id,
        story_id: story,
        lang: sub.ui_lang.clone(),
        query: s.query.clone(),
        breaking,
        update,
    };
    Ok(NewEmail {
        kind: EmailKind::Alert,
        subscriber_id: Some(s.subscriber_id),
        recipient: sub.email.clone(),
        message_id,
        subject: title.to_string(),
        payload: serde_json::to_string(&payload)?,
    })
}

/// The languages a subscriber reads a story in, best first: the subscription's
/// `lang:` filter, then the subscriber's interface language.
fn reading_langs<'a>(filter: &'a [String], ui_lang: &'a str) -> Vec<&'a str> {
    let mut langs: Vec<&str> = filter.iter().map(String::as_str).collect();
    if !langs.contains(&ui_lang) {
        langs.push(ui_lang);
    }
    langs
}

/// The story's outlets as the email lists them (see `StoryDetail::outlets`).
fn outlets(d: &ajil_store::StoryDetail) -> Vec<OutletLink> {
    d.outlets()
        .into_iter()
        .map(|o| OutletLink {
            name: o.name,
            url: o.url,
            published: o.published,
            reprint: o.reprint,
        })
        .collect()
}

enum SendFailure {
    Skip(String),
    Permanent { code: Option<u16>, why: String },
    Temporary(String),
}

fn skip(e: ajil_store::StoreError) -> SendFailure {
    SendFailure::Skip(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Timelike as _};

    #[test]
    fn outlets_that_only_reprinted_come_last_and_marked() {
        let at = |minute| Utc.with_ymd_and_hms(2026, 11, 29, 18, minute, 0).unwrap();
        let article = |id, outlet: &str, minute, copy_of: Option<i64>| ajil_store::StoryArticle {
            id: ajil_model::ArticleId(id),
            title: "t".into(),
            url: format!("https://{outlet}.example/{id}"),
            source_id: ajil_model::SourceId(id),
            source_name: outlet.into(),
            lang: "ar".into(),
            published: at(minute),
            copy_of: copy_of.map(ajil_model::ArticleId),
            angle: false,
        };
        let detail = ajil_store::StoryDetail {
            story: ajil_store::StoryRow {
                id: StoryId(1),
                title: "t".into(),
                lang: "ar".into(),
                first_seen: at(0),
                last_seen: at(20),
                article_count: 5,
                outlet_count: 4,
                independent_outlets: 2,
                state: ajil_store::StoryState::Breaking,
                breaking_at: Some(at(12)),
            },
            articles: vec![
                article(1, "wire", 0, None),
                // A reprint of the wire first, its own report later: it confirms at 12.
                article(2, "daily", 5, Some(1)),
                article(3, "portal", 8, Some(1)),
                article(4, "daily", 12, None),
                article(5, "wire", 20, None),
            ],
        };
        let lines: Vec<(String, u32, bool)> = outlets(&detail)
            .into_iter()
            .map(|o| (o.name, o.published.minute(), o.reprint))
            .collect();
        assert_eq!(
            lines,
            [
                ("wire".to_string(), 0, false),
                ("daily".to_string(), 12, false),
                ("portal".to_string(), 8, true),
            ]
        );
    }

    #[test]
    fn digest_period_is_labelled_in_the_subscribers_zone() {
        let end = Utc.with_ymd_and_hms(2026, 11, 29, 18, 0, 0).unwrap();
        assert_eq!(period_label(end, "Asia/Riyadh"), "2026-11-29 21:00 UTC+3");
        assert_eq!(
            period_label(end, "Asia/Kolkata"),
            "2026-11-29 23:30 UTC+5:30"
        );
        assert_eq!(
            period_label(end, "America/New_York"),
            "2026-11-29 13:00 UTC-5"
        );
        assert_eq!(period_label(end, "UTC"), "2026-11-29 18:00 UTC");
        assert_eq!(period_label(end, "Not/AZone"), "2026-11-29 18:00 UTC");
    }
}
