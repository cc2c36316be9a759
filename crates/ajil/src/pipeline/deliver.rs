//! The alert → deliver end of the pipeline: what goes into the outbox, and
//! sending what is due.
//!
//! An outbox row holds a small JSON payload (what the email is about), not the
//! rendered message: the message is composed when it is sent, with the same
//! `Message-ID` on every attempt, so a resend after a crash is recognisable as
//! the same email. Rows are written before sending and marked sent only after
//! the server accepted the message.

use ajil_mail::Signer;
use ajil_mail::{AlertEmail, Composer, ConfirmEmail, DigestEmail, DigestStory, Mailer, OutletLink};
use ajil_model::{StoryId, SubscriberId, SubscriptionId};
use ajil_store::{Email, EmailKind, NewEmail, Store, SubscriptionWithEmail};
use ajil_web::links;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

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
        let domain = url::Url::parse(&config.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        Ok(Delivery {
            store,
            composer,
            mailer,
            signer: Signer::new(config.secret.expose().as_bytes()),
            public_url: config.public_url.clone(),
            domain,
        })
    }

    /// Queues the one real-time alert of (subscription, story); `false` when
    /// that alert was already queued once (ever).
    pub async fn queue_alert(
        &self,
        sub: &SubscriptionWithEmail,
        story: StoryId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let s = &sub.subscription;
        let detail = self.store.get_story(story).await?;
        let payload = Payload::Alert {
            subscription_id: s.id,
            story_id: story,
            lang: sub.ui_lang.clone(),
            query: s.query.clone(),
            breaking: detail.story.breaking_at.is_some(),
        };
        let email = NewEmail {
            kind: EmailKind::Alert,
            subscriber_id: Some(s.subscriber_id),
            recipient: sub.email.clone(),
            message_id: ajil_alert::message_id(s.id, story, &self.domain),
            subject: detail.story.title.clone(),
            payload: serde_json::to_string(&payload)?,
        };
        Ok(self
            .store
            .record_alert_email(s.id, story, &email, now)
            .await?
            .is_some())
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
            if !ajil_alert::digest_due(s.cadence, s.last_digest_at, started, now) {
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

    /// Sends up to `limit` due emails. Returns (sent, failed).
    pub async fn send_due(&self, now: DateTime<Utc>, limit: usize) -> Result<(usize, usize)> {
        let due = self.store.due_emails(now, limit as u32).await?;
        let (mut sent, mut failed) = (0, 0);
        for email in due {
            match self.send_one(&email).await {
                Ok(()) => {
                    self.store.mark_email_sent(email.id, now).await?;
                    info!(email_id = email.id.0, kind = ?email.kind, "email sent");
                    sent += 1;
                }
                Err(SendFailure::Skip(why)) => {
                    // The subscriber left or the story vanished: nothing to send.
                    self.store.mark_email_failed(email.id, &why).await?;
                }
                Err(SendFailure::Permanent(why)) => {
                    warn!(email_id = email.id.0, "email failed for good: {why}");
                    self.store.mark_email_failed(email.id, &why).await?;
                    failed += 1;
                }
                Err(SendFailure::Temporary(why)) => {
                    let attempts = email.attempts as u32 + 1;
                    if attempts >= ajil_alert::MAX_SEND_ATTEMPTS {
                        let why = format!("gave up after {attempts} attempts: {why}");
                        warn!(email_id = email.id.0, "{why}");
                        self.store.mark_email_failed(email.id, &why).await?;
                    } else {
                        let next = ajil_alert::retry_at(attempts, now);
                        warn!(email_id = email.id.0, %next, "email will be retried: {why}");
                        self.store.mark_email_retry(email.id, &why, next).await?;
                    }
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }

    async fn send_one(&self, email: &Email) -> Result<(), SendFailure> {
        let payload: Payload = serde_json::from_str(&email.payload)
            .map_err(|e| SendFailure::Permanent(format!("outbox payload unreadable: {e}")))?;
        let message = self.compose(email, payload).await?;
        self.mailer.send(&message).await.map_err(|e| {
            if e.is_permanent() {
                SendFailure::Permanent(e.to_string())
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
                self.composer.alert(
                    &AlertEmail {
                        to: email.recipient.clone(),
                        lang,
                        story_title: detail.story.title.clone(),
                        story_lang: detail.story.lang.clone(),
                        query,
                        outlets: outlets(&detail),
                        story_url: Some(format!("{}/stories/{}", self.public_url, story_id)),
                        unsubscribe_url,
                        manage_url,
                        message_id: email.message_id.clone(),
                        breaking,
                        tz: None,
                        lead: None,
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
                let mut items = Vec::new();
                for id in stories {
                    if let Ok(d) = self.store.get_story(id).await {
                        items.push(DigestStory {
                            title: d.story.title.clone(),
                            lang: d.story.lang.clone(),
                            outlets: outlets(&d),
                        });
                    }
                }
                self.composer.digest(
                    &DigestEmail {
                        to: email.recipient.clone(),
                        lang,
                        period_label: period_end.format("%Y-%m-%d %H:%M UTC").to_string(),
                        stories: items,
                        unsubscribe_url,
                        manage_url,
                        message_id: email.message_id.clone(),
                        tz: None,
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
        composed.map_err(|e| SendFailure::Permanent(format!("cannot compose: {e}")))
    }
}

fn outlets(d: &ajil_store::StoryDetail) -> Vec<OutletLink> {
    let mut seen = std::collections::BTreeSet::new();
    d.articles
        .iter()
        .filter(|a| seen.insert(a.source_name.clone()))
        .map(|a| OutletLink {
            name: a.source_name.clone(),
            url: a.url.clone(),
            published: a.published,
        })
        .collect()
}

enum SendFailure {
    Skip(String),
    Permanent(String),
    Temporary(String),
}

fn skip(e: ajil_store::StoreError) -> SendFailure {
    SendFailure::Skip(e.to_string())
}
