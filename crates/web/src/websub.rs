//! `/websub/{source}`: the WebSub subscriber side. A hub verifies a
//! subscription with a GET that must echo its challenge, and pushes new
//! versions of the feed with a POST signed with the subscription's secret
//! (`X-Hub-Signature: sha256=…`); a pushed feed whose signature checks is
//! handed to the pipeline (see [`PushReceiver`](crate::PushReceiver)).

use ajil_model::SourceId;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};

use crate::AppState;

/// The largest feed a hub may push (bigger ones are refused with 413).
pub(crate) const MAX_PUSH_BYTES: usize = 10 * 1024 * 1024;

/// A lease the hub did not state is taken as this many seconds.
const DEFAULT_LEASE_SECS: i64 = 24 * 3600;

fn source_id(raw: &str) -> Option<SourceId> {
    raw.parse().ok()
}

/// The hub's verification of a subscription (or unsubscription) request.
pub(crate) async fn verify(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(id) = source_id(&raw) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(mode), Some(topic)) = (get("hub.mode"), get("hub.topic")) else {
        return (
            StatusCode::BAD_REQUEST,
            "hub.mode and hub.topic are required",
        )
            .into_response();
    };
    let challenge = get("hub.challenge").unwrap_or_default().to_string();
    match mode {
        "subscribe" => {
            let lease = get("hub.lease_seconds")
                .and_then(|l| l.parse::<i64>().ok())
                .filter(|l| *l > 0)
                .unwrap_or(DEFAULT_LEASE_SECS);
            let expires = state.now() + chrono::TimeDelta::seconds(lease);
            match state.store.websub_verified(id, topic, expires).await {
                Ok(true) => {
                    tracing::info!(source_id = %id, topic, lease, "WebSub subscription verified");
                    (StatusCode::OK, challenge).into_response()
                }
                Ok(false) => {
                    tracing::warn!(source_id = %id, topic, "WebSub verification for a subscription not asked for");
                    StatusCode::NOT_FOUND.into_response()
                }
                Err(e) => crate::error::ApiError::from(e).into_response(),
            }
        }
        "unsubscribe" => match state.store.websub_of(id).await {
            // Still wanted: refuse.
            Ok(Some(sub)) if sub.topic == topic => StatusCode::NOT_FOUND.into_response(),
            Ok(_) => (StatusCode::OK, challenge).into_response(),
            Err(e) => crate::error::ApiError::from(e).into_response(),
        },
        "denied" => {
            tracing::warn!(
                source_id = %id,
                topic,
                reason = get("hub.reason").unwrap_or(""),
                "WebSub hub denied the subscription; the source is still polled"
            );
            StatusCode::OK.into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "unknown hub.mode").into_response(),
    }
}

/// A feed pushed by the hub.
pub(crate) async fn push(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(id) = source_id(&raw) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sub = match state.store.websub_of(id).await {
        Ok(Some(sub)) => sub,
        // Nothing subscribed here (any more): the hub may drop the subscription.
        Ok(None) => return StatusCode::GONE.into_response(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let signature = headers
        .get("x-hub-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !signed_by(sub.secret.as_bytes(), signature, &body) {
        // The spec asks for a 2xx all the same, so a forger learns nothing.
        tracing::warn!(source_id = %id, "WebSub push with a missing or wrong signature ignored");
        return StatusCode::ACCEPTED.into_response();
    }
    let Some(receiver) = &state.push_receiver else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match receiver.receive(id, body.to_vec(), content_type).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            tracing::error!(source_id = %id, error = %e, "WebSub push not taken");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Whether `signature` (`sha1=…`, `sha256=…`, `sha384=…` or `sha512=…`, hex)
/// is the HMAC of `body` under `secret`.
pub(crate) fn signed_by(secret: &[u8], signature: &str, body: &[u8]) -> bool {
    let Some((method, hex)) = signature.trim().split_once('=') else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    fn check<M: Mac + hmac::digest::KeyInit>(secret: &[u8], body: &[u8], expected: &[u8]) -> bool {
        let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(secret) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(expected).is_ok()
    }
    match method.to_ascii_lowercase().as_str() {
        "sha1" => check::<Hmac<sha1::Sha1>>(secret, body, &expected),
        "sha256" => check::<Hmac<sha2::Sha256>>(secret, body, &expected),
        "sha384" => check::<Hmac<sha2::Sha384>>(secret, body, &expected),
        "sha512" => check::<Hmac<sha2::Sha512>>(secret, body, &expected),
        _ => false,
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn signatures_are_checked_with_the_method_named() {
        let body = b"<feed/>";
        let mut mac = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(b"k").unwrap();
        mac.update(body);
        let good = hex(&mac.finalize().into_bytes());
        assert!(signed_by(b"k", &format!("sha256={good}"), body));
        assert!(!signed_by(b"other", &format!("sha256={good}"), body));
        assert!(!signed_by(
            b"k",
            &format!("sha256={good}"),
            b"<feed>changed</feed>"
        ));
        assert!(!signed_by(b"k", &format!("sha1={good}"), body));
        let mut mac = <Hmac<sha1::Sha1> as hmac::digest::KeyInit>::new_from_slice(b"k").unwrap();
        mac.update(body);
        let sha1 = hex(&mac.finalize().into_bytes());
        assert!(signed_by(b"k", &format!("sha1={sha1}"), body));
        for junk in ["", "sha256", "sha256=zz", "md5=00", "sha256=abc"] {
            assert!(!signed_by(b"k", junk, body), "{junk}");
        }
    }
}
