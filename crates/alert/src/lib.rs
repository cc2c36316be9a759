//! Alert policy: which subscriber hears about which story, and when.
//!
//! Pure decisions, no I/O: the pipeline asks [`plan`] what to do with a match,
//! [`pacing`] when a subscriber may be mailed (local time zone, quiet hours,
//! daily cap, digest hour), [`retry_at`] when a failed send is tried again,
//! [`message_id`] for the stable `Message-ID` that makes a resent alert
//! recognisable as the same message, and [`bounce`] what a returned message
//! (a DSN bounce or an ARF complaint) means for its address.
//!
//! ```
//! use ajil_alert::{plan, AlertPlan, MatchKind};
//! use ajil_model::Cadence;
//! assert_eq!(plan(Cadence::Realtime, false, MatchKind::FirstMatch), AlertPlan::SendNow);
//! assert_eq!(plan(Cadence::Hourly, false, MatchKind::FirstMatch), AlertPlan::Digest);
//! assert_eq!(plan(Cadence::Realtime, true, MatchKind::FirstMatch), AlertPlan::Skip);
//! ```

pub mod bounce;
mod error;
pub mod pacing;

use ajil_model::{Cadence, StoryId, SubscriptionId};
use chrono::{DateTime, TimeDelta, Utc};

pub use error::{BounceError, PacingError};

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

/// Attempts after which a temporary failure is treated as permanent. With
/// [`retry_at`]'s schedule the twelfth attempt comes at least 2 h 30 min after
/// the first (at most about 5 h), so an SMTP outage of minutes, or of an hour,
/// loses nothing.
pub const MAX_SEND_ATTEMPTS: u32 = 12;

/// First retry delay; doubled per failed attempt.
const RETRY_BASE_SECS: f64 = 30.0;
/// Longest retry delay.
const RETRY_CAP_SECS: f64 = 3600.0;

/// When to try a failed send again after `attempts` failed attempts (1 for
/// the first failure): 30 s doubling per attempt, capped at one hour, then
/// scaled by "equal jitter" to between half and all of that delay.
/// `jitter` is a random number in `[0, 1)` from the caller; spreading the
/// retries keeps a recovering server from being hit by every queued email in
/// the same second. The longest wait within a ten-minute outage is 16 min.
pub fn retry_at(attempts: u32, now: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
    let exp = attempts.saturating_sub(1).min(16);
    let delay = (RETRY_BASE_SECS * f64::from(1u32 << exp)).min(RETRY_CAP_SECS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let secs = delay * (0.5 + jitter / 2.0);
    now + TimeDelta::milliseconds((secs * 1000.0) as i64)
}

/// The stable `Message-ID` (without angle brackets) of a story alert.
pub fn message_id(subscription: SubscriptionId, story: StoryId, domain: &str) -> String {
    format!("alert.{subscription}.{story}@{domain}")
}

/// The stable `Message-ID` of the one "story update" email a realtime
/// subscription gets when a story it was alerted about turns breaking.
pub fn update_message_id(subscription: SubscriptionId, story: StoryId, domain: &str) -> String {
    format!("update.{subscription}.{story}@{domain}")
}

/// Whether a subscription that was already alerted about a story gets one
/// "story update" email when that story turns breaking: realtime ones only
/// (digests show the breaking state anyway), and not breaking-only ones,
/// whose first alert is already the breaking one. The store records the
/// update so it is sent at most once; new articles never cause one.
pub fn wants_update(cadence: Cadence, breaking_only: bool) -> bool {
    cadence == Cadence::Realtime && !breaking_only
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
        assert_eq!(
            plan(Cadence::Realtime, true, MatchKind::TurnedBreaking),
            AlertPlan::SendNow
        );
        assert_eq!(
            plan(Cadence::Daily, true, MatchKind::TurnedBreaking),
            AlertPlan::Digest
        );
        assert_eq!(
            plan(Cadence::Daily, true, MatchKind::FirstMatch),
            AlertPlan::Skip
        );
    }

    #[test]
    fn digests_close_after_a_full_period() {
        assert!(!digest_due(Cadence::Hourly, None, t(10, 0), t(10, 59)));
        assert!(digest_due(Cadence::Hourly, None, t(10, 0), t(11, 0)));
        assert!(!digest_due(
            Cadence::Hourly,
            Some(t(11, 0)),
            t(10, 0),
            t(11, 30)
        ));
        assert!(!digest_due(Cadence::Daily, None, t(0, 0), t(23, 59)));
        assert!(!digest_due(Cadence::Realtime, None, t(0, 0), t(23, 59)));
    }

    #[test]
    fn retries_back_off_with_jitter_and_cap() {
        let now = t(0, 0);
        let secs = |a, j| (retry_at(a, now, j) - now).num_seconds();
        assert_eq!(secs(1, 0.0), 15);
        assert_eq!(secs(1, 0.999_999), 29);
        assert_eq!(secs(2, 0.0), 30);
        assert_eq!(secs(3, 0.5), 90);
        assert_eq!(secs(30, 0.0), 1800);
        assert_eq!(secs(30, 1.0), 3600);
        assert_eq!(secs(2, f64::NAN), 30, "a bad jitter is no jitter");
    }

    #[test]
    fn retries_outlast_a_ten_minute_outage() {
        // Even with the shortest jitter every time, the attempts before
        // giving up span far more than ten minutes.
        let mut at = t(0, 0);
        for attempts in 1..MAX_SEND_ATTEMPTS {
            at = retry_at(attempts, at, 0.0);
        }
        assert!(at - t(0, 0) > TimeDelta::hours(2), "{at}");
        // And with the longest jitter, a retry is never more than 16 minutes
        // away during the first ten minutes.
        let mut at = t(0, 0);
        let mut attempts = 1;
        while at - t(0, 0) < TimeDelta::minutes(10) {
            let next = retry_at(attempts, at, 1.0);
            assert!(next - at <= TimeDelta::minutes(16));
            at = next;
            attempts += 1;
        }
    }

    #[test]
    fn updates_only_for_plain_realtime() {
        assert!(wants_update(Cadence::Realtime, false));
        assert!(!wants_update(Cadence::Realtime, true));
        assert!(!wants_update(Cadence::Hourly, false));
        assert_ne!(
            update_message_id(SubscriptionId(3), StoryId(9), "x.org"),
            message_id(SubscriptionId(3), StoryId(9), "x.org")
        );
    }

    #[test]
    fn message_ids_are_stable() {
        let a = message_id(SubscriptionId(3), StoryId(9), "example.org");
        assert_eq!(a, message_id(SubscriptionId(3), StoryId(9), "example.org"));
        assert_ne!(a, message_id(SubscriptionId(3), StoryId(10), "example.org"));
    }
}
