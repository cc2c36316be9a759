//! `GET /confirm/{token}` shows a button; `POST` confirms. Mail scanners
//! follow links with GET, so only a person pressing the button confirms.

use ajil_mail::Purpose;
use ajil_model::SubscriptionId;
use ajil_store::SubscriptionStatus;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::i18n::PageLang;
use crate::{AppState, links};

fn verify(state: &AppState, lang: PageLang, token: &str) -> Result<SubscriptionId, PageError> {
    state
        .signer
        .verify(Purpose::Confirm, token, state.now())
        .map(SubscriptionId)
        .map_err(|e| PageError::token(lang.lang, e))
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    let sub = state
        .store
        .subscription(id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let who = state
        .store
        .subscriber(sub.subscriber_id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let lang = lang.or_subscriber(&who.ui_lang);
    page(
        StatusCode::OK,
        "confirm.html",
        lang,
        context! {
            token,
            query => sub.query,
            removed => sub.status == SubscriptionStatus::Removed,
        },
    )
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    let sub = state
        .store
        .confirm_subscription(id, state.now())
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let who = state
        .store
        .subscriber(sub.subscriber_id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let lang = lang.or_subscriber(&who.ui_lang);
    if sub.status == SubscriptionStatus::Removed {
        return page(
            StatusCode::CONFLICT,
            "confirm.html",
            lang,
            context! { token, query => sub.query, removed => true },
        );
    }
    tracing::info!(subscription_id = %sub.id, "subscription confirmed");
    page(
        StatusCode::OK,
        "confirmed.html",
        lang,
        context! {
            email => who.email,
            query => sub.query,
            manage_url => links::manage_url(&state.signer, &state.public_url, who.id),
        },
    )
}
