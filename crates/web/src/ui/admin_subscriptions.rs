//! `/admin/subscriptions`: every saved query that is not removed, with its
//! address, languages, cadence and state; the operator can remove one.
//! Behind the API's access rule (see [`crate::api`]), with CSRF-checked
//! forms.

use ajil_model::SubscriptionId;
use ajil_store::SubscriptionStatus;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::i18n::{Lang, PageLang};
use crate::{AppState, csrf};

pub(crate) async fn show(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    render(&state, lang.lang, &headers, None).await
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    lang: PageLang,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang.lang;
    let id = SubscriptionId(super::row_form(&state, lang, &headers, &body, &id)?);
    let sub = state
        .store
        .subscription(id)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    state
        .store
        .remove_subscription(id)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    tracing::info!(subscription_id = %id, "subscription removed by the operator");
    let notice = format!("{} {}", lang.t("subscription_removed"), sub.query);
    render(&state, lang, &headers, Some(notice)).await
}

async fn render(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let mut subscriptions = state
        .store
        .list_subscriptions()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    subscriptions.retain(|s| s.subscription.status != SubscriptionStatus::Removed);
    // Newest first: what the operator looks for is usually what just came.
    subscriptions.reverse();
    let active = subscriptions
        .iter()
        .filter(|s| s.subscription.status == SubscriptionStatus::Active)
        .count();
    let mut addresses: Vec<&str> = subscriptions.iter().map(|s| s.email.as_str()).collect();
    addresses.sort_unstable();
    addresses.dedup();
    let (csrf_token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = page(
        StatusCode::OK,
        "admin_subscriptions.html",
        lang,
        context! {
            pending => subscriptions.len() - active,
            active,
            addresses => addresses.len(),
            subscriptions,
            csrf => csrf_token,
            notice,
            signout => state.api_token.is_some(),
        },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}
