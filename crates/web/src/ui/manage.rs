//! `GET /manage/{token}` lists a subscriber's subscriptions;
//! `POST /manage/{token}/remove/{id}` removes one (CSRF-protected).

use ajil_mail::Purpose;
use ajil_model::{SubscriberId, SubscriptionId};
use ajil_store::SubscriptionStatus;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::PageLang;
use crate::{AppState, csrf, links};

fn verify(state: &AppState, lang: PageLang, token: &str) -> Result<SubscriberId, PageError> {
    state
        .signer
        .verify(Purpose::Manage, token, state.now())
        .map(SubscriberId)
        .map_err(|e| PageError::token(lang.lang, e))
}

pub(super) async fn show(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    let who = state
        .store
        .subscriber(id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let lang = lang.or_subscriber(&who.ui_lang);
    let subs: Vec<_> = state
        .store
        .subscriptions_of(id)
        .await
        .map_err(|e| PageError::store(lang, e))?
        .into_iter()
        .filter(|s| s.status != SubscriptionStatus::Removed)
        .collect();
    let removed = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "removed=1"));
    let (csrf_token, cookie) = csrf::issue(&state.csrf_secret, &headers, state.https());
    let mut res = page(
        StatusCode::OK,
        "manage.html",
        lang,
        context! {
            token,
            email => who.email,
            subscriptions => subs,
            csrf => csrf_token,
            notice => removed.then(|| lang.t("removed_notice")),
            unsubscribe_url => links::unsubscribe_url(&state.signer, &state.public_url, id),
        },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}

pub(super) async fn remove(
    State(state): State<AppState>,
    lang: PageLang,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let who = verify(&state, lang, &token)?;
    if !csrf::check(
        &state.csrf_secret,
        &headers,
        FormFields::parse(&body).get("csrf"),
    ) {
        return Err(PageError::csrf(lang.lang));
    }
    let sub_id: SubscriptionId = sub_id
        .parse()
        .map_err(|_| PageError::not_found(lang.lang))?;
    let sub = state
        .store
        .subscription(sub_id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    // A manage link only reaches its own subscriber's subscriptions.
    if sub.subscriber_id != who {
        return Err(PageError::not_found(lang.lang));
    }
    state
        .store
        .remove_subscription(sub_id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    tracing::info!(subscription_id = %sub_id, "subscription removed by its subscriber");
    // Post/redirect/get, so reloading the page does not post again.
    let lang_param = if lang.explicit {
        format!("lang={}&", lang.lang)
    } else {
        String::new()
    };
    Ok(Redirect::to(&format!("/manage/{token}?{lang_param}removed=1")).into_response())
}
