//! Alert policy: which subscriber hears about which story, and when.
//!
//! Pure decisions, no I/O: the pipeline asks [`plan`] what to do with a match,
//! [`digest_due`] whether a digest period has closed, [`retry_at`] when a failed
//! send is tried again, and [`message_id`] for the stable `Message-ID` that makes
//! a resent alert recognisable as the same message.
//!
//! ```
//! use ajil_alert::{plan, AlertPlan, MatchKind};
//! use ajil_model::Cadence;
//! assert_eq!(plan(Cadence::Realtime, false, MatchKind::FirstMatch), AlertPlan::SendNow);
//! assert_eq!(plan(Cadence::Hourly, false, MatchKind::FirstMatch), AlertPlan::Digest);
//! assert_eq!(plan(Cadence::Realtime, true, MatchKind::FirstMatch), AlertPlan::Skip);
//! ```

use std::time::Duration;

use ajil_model::{Cadence, StoryId, SubscriptionId};
use chrono::{DateTime, TimeDelta, Utc};

/// Why a story is being considered for a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// An article of the story matched the query.
    FirstMatch,
    /// The story just turned breaking (and matches the query).
    TurnedBreaking,
}

/// What to do with a matching story.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertPlan {
    /// Queue one real-time alert email (at most once per subscription and story).
    SendNow,
    /// Add the story to the subscription's next digest.
    Digest,
    /// Nothing to send.
    Skip,
}

/// Decides how a match is delivered. Breaking-only subscriptions wait for the
/// story to turn breaking; the store's uniqueness of (subscription, story) keeps
/// every plan to one email per story.
pub fn plan(cadence: Cadence, breaking_only: bool, kind: MatchKind) -> AlertPlan {
    if breaking_only && kind != MatchKind::TurnedBreaking {
        return AlertPlan::Skip;
    }
    match cadence {
        Cadence::Realtime => AlertPlan::SendNow,
        Cadence::Hourly | Cadence::Daily => AlertPlan::Digest,
    }
}

/// Length of one digest period.
pub fn period(cadence: Cadence) -> Option<TimeDelta> {
    match cadence {
        Cadence::Realtime => None,
        Cadence::Hourly => Some(TimeDelta::hours(1)),
        Cadence::Daily => Some(TimeDelta::days(1)),
    }
}

/// Whether a digest should go out now: a full period has passed since the last
/// digest (or since the subscription started, for the first one).
pub fn digest_due(
    cadence: Cadence,
    last_digest: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    match period(cadence) {
        None => false,
        Some(p) => now - last_digest.unwrap_or(started) >= p,
    }
}

/// Attempts after which a temporary failure is treated as permanent.
pub const MAX_SEND_ATTEMPTS: u32 = 12;

/// When to try a failed send again: 30 s doubling per attempt, capped at one
/// hour, so a ten-minute SMTP outage costs at most a few minutes after recovery.
pub fn retry_at(attempts: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = 30u64.saturating_mul(1u64 << attempts.min(7)).min(3600);
    now + TimeDelta::from_std(Duration::from_secs(secs)).unwrap_or(TimeDelta::hours(1))
}

/// The stable `Message-ID` (without angle brackets) of a story alert.
pub fn message_id(subscription: SubscriptionId, story: StoryId, domain: &str) -> String {
    format!("alert.{subscription}.{story}@{domain}")
}

/// The stable `Message-ID` of a digest closing at `period_end`.
pub fn digest_message_id(
    subscription: SubscriptionId,
    period_end: DateTime<Utc>,
    domain: &str,
) -> String {
    format!("digest.{subscription}.{}@{domain}", period_end.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, m, 0).unwrap()
    }

    #[test]
    fn breaking_only_waits_for_breaking() {
        assert_eq!(plan(Cadence::Realtime, true, MatchKind::TurnedBreaking), AlertPlan::SendNow);
        assert_eq!(plan(Cadence::Daily, true, MatchKind::TurnedBreaking), AlertPlan::Digest);
        assert_eq!(plan(Cadence::Daily, true, MatchKind::FirstMatch), AlertPlan::Skip);
    }

    #[test]
    fn digests_close_after_a_full_period() {
        assert!(!digest_due(Cadence::Hourly, None, t(10, 0), t(10, 59)));
        assert!(digest_due(Cadence::Hourly, None, t(10, 0), t(11, 0)));
        assert!(!digest_due(Cadence::Hourly, Some(t(11, 0)), t(10, 0), t(11, 30)));
        assert!(!digest_due(Cadence::Daily, None, t(0, 0), t(23, 59)));
        assert!(!digest_due(Cadence::Realtime, None, t(0, 0), t(23, 59)));
    }

    #[test]
    fn retries_back_off_and_cap() {
        let now = t(0, 0);
        assert_eq!((retry_at(0, now) - now).num_seconds(), 30);
        assert_eq!((retry_at(1, now) - now).num_seconds(), 60);
        assert_eq!((retry_at(30, now) - now).num_seconds(), 3600);
    }

    #[test]
    fn message_ids_are_stable() {
        let a = message_id(SubscriptionId(3), StoryId(9), "example.org");
        assert_eq!(a, message_id(SubscriptionId(3), StoryId(9), "example.org"));
        assert_ne!(a, message_id(SubscriptionId(3), StoryId(10), "example.org"));
    }
}
