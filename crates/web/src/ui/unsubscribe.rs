//! `GET /unsubscribe/{token}` shows a button; `POST` stops all mail at once.
//! The POST is also the RFC 8058 one-click target: mail providers send
//! `List-Unsubscribe=One-Click` with no cookie and no form token, so the
//! signed link is the only credential and the body is not read.

use ajil_mail::Purpose;
use ajil_model::SubscriberId;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::page;
use crate::AppState;
use crate::error::PageError;
use crate::i18n::PageLang;

fn verify(state: &AppState, lang: PageLang, token: &str) -> Result<SubscriberId, PageError> {
    state
        .signer
        .verify(Purpose::Unsubscribe, token, state.now())
        .map(SubscriberId)
        .map_err(|e| PageError::token(lang.lang, e))
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    let who = state
        .store
        .subscriber(id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let lang = lang.or_subscriber(&who.ui_lang);
    page(
        StatusCode::OK,
        "unsubscribe.html",
        lang,
        context! { token, email => who.email },
    )
}

pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    state
        .store
        .unsubscribe_subscriber(id, state.now())
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    tracing::info!(subscriber_id = %id, "unsubscribed");
    let who = state
        .store
        .subscriber(id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    page(
        StatusCode::OK,
        "unsubscribed.html",
        lang.or_subscriber(&who.ui_lang),
        context! {},
    )
}
