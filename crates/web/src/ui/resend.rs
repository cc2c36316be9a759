//! `POST /resend`: sends the confirmation email of an address's newest
//! pending subscription again.
//!
//! The answer is the same page whether the address is unknown, has nothing
//! pending, was over its limit or got an email, so the form cannot be used
//! to learn who subscribed. Limits: per client address (middleware, see
//! [`crate::limits`]) and per email address, counted on the confirmation
//! emails the store queued in the last day (signups and resends together).

use ajil_store::{EmailKind, SubscriberStatus, SubscriptionStatus};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;

use super::signup::{render_check_inbox, valid_email};
use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::{Lang, PageLang};
use crate::limits::CONFIRMS_PER_ADDRESS_PER_DAY;
use crate::{AppState, ConfirmRequest, csrf, links};

pub(super) async fn submit(
    State(state): State<AppState>,
    page_lang: PageLang,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    let lang = Lang::from_code(form.get("ui_lang")).unwrap_or(page_lang.lang);
    if !csrf::check(&state.csrf_secret, &headers, form.get("csrf")) {
        return Err(PageError::csrf(lang));
    }
    let email = form.get("email").trim();
    if !valid_email(email) {
        let errors = [lang.t("err_email_invalid").to_string()];
        return render_check_inbox(
            &state,
            lang,
            &headers,
            StatusCode::BAD_REQUEST,
            email,
            &errors,
            false,
        );
    }
    resend(&state, lang, email).await?;
    render_check_inbox(&state, lang, &headers, StatusCode::OK, email, &[], true)
}

/// Queues the confirmation again when the address may have one; every
/// other outcome is only logged.
async fn resend(state: &AppState, lang: Lang, email: &str) -> Result<(), PageError> {
    let now = state.now();
    let store = &state.store;
    let internal = |e: ajil_store::StoreError| PageError::internal(lang, &e);
    let sent = store
        .emails_to_since(email, EmailKind::Confirm, now - Duration::days(1))
        .await
        .map_err(internal)?;
    if sent >= CONFIRMS_PER_ADDRESS_PER_DAY {
        tracing::warn!(
            sent,
            "confirmation resend over the per-address limit; no email sent"
        );
        return Ok(());
    }
    let Some(subscriber) = store.subscriber_by_email(email).await.map_err(internal)? else {
        tracing::info!("confirmation resend for an unknown address; no email sent");
        return Ok(());
    };
    if subscriber.status == SubscriberStatus::Suspended {
        tracing::info!(subscriber_id = %subscriber.id, "confirmation resend for a suspended address ignored");
        return Ok(());
    }
    let newest = store
        .subscriptions_of(subscriber.id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|s| s.status == SubscriptionStatus::Pending)
        .max_by_key(|s| (s.created_at, s.id.0));
    let Some(subscription) = newest else {
        tracing::info!(subscriber_id = %subscriber.id, "confirmation resend with nothing pending; no email sent");
        return Ok(());
    };
    let req = ConfirmRequest {
        confirm_url: links::confirm_url(&state.signer, &state.public_url, subscription.id, now),
        unsubscribe_url: links::unsubscribe_url(&state.signer, &state.public_url, subscriber.id),
        // The email speaks the language chosen at signup, not this page's.
        lang: Lang::from_code(&subscriber.ui_lang).unwrap_or(lang),
        subscriber,
        subscription,
    };
    let subscription_id = req.subscription.id;
    if let Err(err) = state.confirm_sender.queue_confirmation(req).await {
        tracing::error!(%subscription_id, error = %err, "could not queue the confirmation email again");
        return Err(PageError {
            lang,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: lang.t("err_generic"),
        });
    }
    tracing::info!(%subscription_id, "confirmation email queued again");
    Ok(())
}
