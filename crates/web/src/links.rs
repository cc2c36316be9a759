//! The signed links ajil puts in emails and pages. The binary uses these too
//! (alert footers, `List-Unsubscribe`), so every link has one shape.

use ajil_mail::{Purpose, Signer};
use ajil_model::{SubscriberId, SubscriptionId};
use chrono::{DateTime, Duration, Utc};

/// How long a confirmation link works.
pub const CONFIRM_TTL_DAYS: i64 = 7;

/// `{public_url}/confirm/{token}`; the token carries the subscription id and
/// expires [`CONFIRM_TTL_DAYS`] days after `now`.
pub fn confirm_url(
    signer: &Signer,
    public_url: &str,
    subscription: SubscriptionId,
    now: DateTime<Utc>,
) -> String {
    let expires = now + Duration::days(CONFIRM_TTL_DAYS);
    let token = signer.sign(Purpose::Confirm, subscription.0, Some(expires));
    format!("{}/confirm/{token}", public_url.trim_end_matches('/'))
}

/// `{public_url}/manage/{token}`; the token carries the subscriber id and
/// never expires.
pub fn manage_url(signer: &Signer, public_url: &str, subscriber: SubscriberId) -> String {
    let token = signer.sign(Purpose::Manage, subscriber.0, None);
    format!("{}/manage/{token}", public_url.trim_end_matches('/'))
}

/// `{public_url}/unsubscribe/{token}`: the page with the unsubscribe button
/// and, for a POST, the RFC 8058 one-click target (use it in both
/// `List-Unsubscribe` and the footer). The token carries the subscriber id
/// and never expires.
pub fn unsubscribe_url(signer: &Signer, public_url: &str, subscriber: SubscriberId) -> String {
    let token = signer.sign(Purpose::Unsubscribe, subscriber.0, None);
    format!("{}/unsubscribe/{token}", public_url.trim_end_matches('/'))
}
