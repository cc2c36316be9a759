//! `/api/subscriptions`: list, add (confirmed at once, or by a confirmation
//! email as the signup page does), switch between breaking-only and every
//! story, remove.

use std::str::FromStr;

use ajil_model::{Cadence, SubscriptionId};
use ajil_store::{NewSubscription, SubscriberStatus, Subscription, SubscriptionWithEmail};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::parse_id;
use crate::error::ApiError;
use crate::{AppState, ConfirmRequest, Lang, links};

/// The body of `POST /api/subscriptions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewSub {
    email: String,
    query: String,
    /// Languages to match (ISO codes); none means all.
    #[serde(default)]
    langs: Vec<String>,
    /// `realtime` (default), `hourly` or `daily`.
    cadence: Option<String>,
    #[serde(default)]
    breaking_only: bool,
    /// Language of the emails and pages for a new subscriber (`ar`, default, or `en`).
    ui_lang: Option<String>,
    /// Active at once (the address owner already agreed); by default a
    /// confirmation email is sent and the subscription waits for it.
    #[serde(default)]
    confirmed: bool,
}

/// The body of `PATCH /api/subscriptions/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SubPatch {
    breaking_only: bool,
}

pub(super) async fn list(
    State(state): State<AppState>,
) -> Result<Json<Vec<SubscriptionWithEmail>>, ApiError> {
    Ok(Json(state.store.list_subscriptions().await?))
}

pub(super) async fn add(
    State(state): State<AppState>,
    body: Result<Json<NewSub>, JsonRejection>,
) -> Result<(StatusCode, Json<Subscription>), ApiError> {
    let Json(new) = body.map_err(|e| {
        ApiError::bad_request(
            e.body_text(),
            r#"send JSON like {"email": "you@example.org", "query": "غزة", "langs": ["ar"], "breaking_only": true}"#,
        )
    })?;
    let email = new.email.trim();
    if !crate::ui::valid_email(email) {
        return Err(ApiError::bad_request(
            format!("{email:?} is not a valid email address"),
            "use the form name@example.org",
        ));
    }
    let query = new.query.trim();
    if query.is_empty() {
        return Err(ApiError::bad_request(
            "the query is empty",
            r#"give words to look for, e.g. "لافروف إسطنبول" or "\"Iran deal\" -sport""#,
        ));
    }
    if let Err(e) = crate::query_check::check(query) {
        return Err(ApiError::bad_request(
            match e.column() {
                Some(column) => format!("the query does not parse at character {column}: {e}"),
                None => format!("the query does not parse: {e}"),
            },
            "quote phrases with \"…\", balance parentheses, put OR between words",
        ));
    }
    let cadence = new.cadence.as_deref().unwrap_or("realtime");
    let cadence = Cadence::from_str(cadence).map_err(|_| {
        ApiError::bad_request(
            format!("cadence {cadence:?} is not one ajil knows"),
            "use realtime, hourly or daily",
        )
    })?;
    let mut langs = Vec::new();
    for l in &new.langs {
        let l = l.trim();
        if !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ApiError::bad_request(
                format!("{l:?} is not a language code"),
                r#"use ISO codes like ["ar", "en"], or leave langs out for every language"#,
            ));
        }
        langs.push(l.to_ascii_lowercase());
    }
    let lang = match new.ui_lang.as_deref().unwrap_or("ar") {
        "ar" => Lang::Ar,
        "en" => Lang::En,
        other => {
            return Err(ApiError::bad_request(
                format!("ui_lang {other:?} is not available"),
                "use ar or en",
            ));
        }
    };
    let now = state.now();
    let subscriber = state
        .store
        .upsert_subscriber(email, lang.code(), now)
        .await?;
    // A suspended address (it bounced) gets no email at all; an
    // unsubscribed one only a confirmation, which makes it active again.
    let refused = match subscriber.status {
        SubscriberStatus::Suspended => true,
        SubscriberStatus::Unsubscribed => new.confirmed,
        SubscriberStatus::Active => false,
    };
    if refused {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            error: format!(
                "{email} is {}: no alerts go to it",
                subscriber.status.as_str()
            ),
            hint: "see GET /api/suppressions for why; leave out \"confirmed\" to send an unsubscribed address a confirmation email"
                .into(),
        });
    }
    let subscription = state
        .store
        .add_subscription(
            &NewSubscription {
                subscriber_id: subscriber.id,
                query: query.to_string(),
                langs,
                cadence,
                breaking_only: new.breaking_only,
                confirmed: new.confirmed,
            },
            now,
        )
        .await?;
    if !new.confirmed {
        let req = ConfirmRequest {
            confirm_url: links::confirm_url(&state.signer, &state.public_url, subscription.id, now),
            unsubscribe_url: links::unsubscribe_url(
                &state.signer,
                &state.public_url,
                subscriber.id,
            ),
            subscriber,
            subscription: subscription.clone(),
            lang,
        };
        state
            .confirm_sender
            .queue_confirmation(req)
            .await
            .map_err(|e| {
                tracing::error!(subscription_id = %subscription.id, error = %e, "could not queue the confirmation email");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    error: "the subscription is stored but its confirmation email could not be queued".into(),
                    hint: "the server log has the details; the address owner can ask for the email again on the signup page".into(),
                }
            })?;
    }
    tracing::info!(subscription_id = %subscription.id, confirmed = new.confirmed, "subscription added over the API");
    Ok((StatusCode::CREATED, Json(subscription)))
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<SubPatch>, JsonRejection>,
) -> Result<Json<Subscription>, ApiError> {
    let id: SubscriptionId = parse_id("subscription", &id)?;
    let Json(patch) = body.map_err(|e| {
        ApiError::bad_request(e.body_text(), r#"send JSON like {"breaking_only": true}"#)
    })?;
    state
        .store
        .set_breaking_only(id, patch.breaking_only)
        .await?;
    Ok(Json(state.store.subscription(id).await?))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: SubscriptionId = parse_id("subscription", &id)?;
    state.store.remove_subscription(id).await?;
    tracing::info!(subscription_id = %id, "subscription removed over the API");
    Ok(StatusCode::NO_CONTENT)
}
