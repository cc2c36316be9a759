//! `GET /` (the signup form) and `POST /subscribe`.

use std::str::FromStr;

use ajil_model::Cadence;
use ajil_store::{NewSubscription, SubscriberStatus, SubscriptionStatus};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;
use email_address::{EmailAddress, Options};
use minijinja::context;
use serde::Serialize;

use super::page;
use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::{Lang, PageLang};
use crate::{AppState, ConfirmRequest, csrf, links, query_check};

/// News languages offered on the form.
const NEWS_LANGS: &[&str] = &["ar", "en", "fr"];
/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 500;
/// RFC 5321 caps a forward path at 256 octets, so an address at 254.
const MAX_EMAIL_LEN: usize = 254;
/// At most this many confirmation emails per address per day, so the form
/// cannot be used to flood someone's inbox.
const MAX_PENDING_PER_DAY: usize = 5;

/// What the visitor typed, echoed back when the form has errors.
#[derive(Debug, Default, Serialize)]
struct FormValues {
    email: String,
    query: String,
    langs: Vec<String>,
    mode: String,
    breaking_only: bool,
}

pub(super) async fn form(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let values = FormValues {
        mode: Cadence::Realtime.as_str().into(),
        ..FormValues::default()
    };
    render_form(&state, lang.lang, &headers, StatusCode::OK, &values, &[])
}

fn render_form(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    status: StatusCode,
    values: &FormValues,
    errors: &[String],
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = page(
        status,
        "signup.html",
        lang,
        context! { csrf => token, form => values, errors => errors, resend_email => "" },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}

/// Checks an address: RFC 5322 syntax without display names or IP
/// literals, and a dotted domain (mail to `user@localhost` never arrives).
pub(crate) fn valid_email(email: &str) -> bool {
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal();
    let options = Options {
        allow_display_text: false,
        ..options
    };
    email.len() <= MAX_EMAIL_LEN && EmailAddress::parse_with_options(email, options).is_ok()
}

/// Parses the query; the error names the character position (1-based).
pub(crate) fn check_query(lang: Lang, query: &str) -> Result<(), String> {
    if query.is_empty() {
        return Err(lang.t("err_query_empty").into());
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(lang.t("err_query_too_long").into());
    }
    query_check::check(query).map_err(|err| match err.column() {
        Some(column) => format!("{} {column}: {err}", lang.t("err_query_at")),
        None => format!("{}: {err}", lang.t("err_query")),
    })
}

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

    let mut langs: Vec<String> = Vec::new();
    for l in form.all("langs") {
        if NEWS_LANGS.contains(&l) && !langs.iter().any(|x| x == l) {
            langs.push(l.to_string());
        }
    }
    let values = FormValues {
        email: form.get("email").trim().to_string(),
        query: form.get("query").trim().to_string(),
        langs,
        mode: form.get("mode").to_string(),
        breaking_only: !form.get("breaking_only").is_empty(),
    };
    let mut errors = Vec::new();
    if !valid_email(&values.email) {
        errors.push(lang.t("err_email_invalid").to_string());
    }
    if let Err(e) = check_query(lang, &values.query) {
        errors.push(e);
    }
    let cadence = Cadence::from_str(&values.mode).ok();
    if cadence.is_none() {
        errors.push(lang.t("err_mode_invalid").to_string());
    }
    let Some(cadence) = cadence.filter(|_| errors.is_empty()) else {
        return render_form(
            &state,
            lang,
            &headers,
            StatusCode::BAD_REQUEST,
            &values,
            &errors,
        );
    };

    let email = values.email.clone();
    subscribe(&state, lang, values, cadence).await?;
    // The same page whatever happened, so the form never tells whether an
    // address is known.
    render_check_inbox(&state, lang, &headers, StatusCode::OK, &email, &[], false)
}

/// The "check your inbox" page, with the resend form filled with `email`;
/// `resent` says a resend was asked for (the text never says whether one
/// went out).
pub(super) fn render_check_inbox(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    errors: &[String],
    resent: bool,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = page(
        status,
        "check_inbox.html",
        lang,
        context! { csrf => token, resend_email => email, errors => errors, resent => resent },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}

async fn subscribe(
    state: &AppState,
    lang: Lang,
    values: FormValues,
    cadence: Cadence,
) -> Result<(), PageError> {
    let now = state.now();
    let store = &state.store;
    let subscriber = store
        .upsert_subscriber(&values.email, lang.code(), now)
        .await
        .map_err(|e| PageError::internal(lang, &e))?;
    if subscriber.status == SubscriberStatus::Suspended {
        tracing::info!(subscriber_id = %subscriber.id, "signup for a suspended address ignored");
        return Ok(());
    }
    let recent_pending = store
        .subscriptions_of(subscriber.id)
        .await
        .map_err(|e| PageError::internal(lang, &e))?
        .iter()
        .filter(|s| {
            s.status == SubscriptionStatus::Pending && s.created_at > now - Duration::days(1)
        })
        .count();
    if recent_pending >= MAX_PENDING_PER_DAY {
        tracing::warn!(subscriber_id = %subscriber.id, "too many unconfirmed signups today; no email sent");
        return Ok(());
    }
    let subscription = store
        .add_subscription(
            &NewSubscription {
                subscriber_id: subscriber.id,
                query: values.query,
                langs: values.langs,
                cadence,
                breaking_only: values.breaking_only,
                confirmed: false,
            },
            now,
        )
        .await
        .map_err(|e| PageError::internal(lang, &e))?;
    let req = ConfirmRequest {
        confirm_url: links::confirm_url(&state.signer, &state.public_url, subscription.id, now),
        unsubscribe_url: links::unsubscribe_url(&state.signer, &state.public_url, subscriber.id),
        subscriber,
        subscription,
        lang,
    };
    let subscription_id = req.subscription.id;
    if let Err(err) = state.confirm_sender.queue_confirmation(req).await {
        tracing::error!(%subscription_id, error = %err, "could not queue the confirmation email");
        return Err(PageError {
            lang,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: lang.t("err_generic"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_examples_parse() {
        for lang in [Lang::Ar, Lang::En] {
            let help = lang.t("query_help");
            let example = help.rsplit(": ").next().unwrap();
            assert_eq!(check_query(lang, example), Ok(()), "{example}");
        }
        let err = check_query(Lang::En, "غزة (حرب").unwrap_err();
        assert!(
            err.starts_with("Problem in the topic at character 5: "),
            "{err}"
        );
    }

    #[test]
    fn email_syntax() {
        for ok in [
            "a@example.org",
            "first.last+tag@sub.example.co.uk",
            "x@xn--mgbh0fb.xn--ngbrx",
        ] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "a@localhost",
            "a@@example.org",
            "Name <a@example.org>",
            "a@[127.0.0.1]",
            "a b@example.org",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(!valid_email(&long));
    }
}
