//! `GET /manage/{token}` lists a subscriber's subscriptions and delivery
//! settings; `POST /manage/{token}/remove/{id}` removes one subscription,
//! `POST /manage/{token}/breaking/{id}` makes one alert only when a story
//! turns breaking or on every new story (form field `breaking_only`, `1` or
//! `0`), and `POST /manage/{token}/pacing` saves the time zone, quiet hours and
//! daily cap, and `POST /manage/{token}/erase` deletes the address and
//! everything kept about it (form field `confirm=1`; all CSRF-protected).
//! `GET /manage/{token}/data.json` hands over everything kept about the
//! address: its settings, subscriptions, the stories it was alerted on and
//! the emails sent to it.

use ajil_mail::Purpose;
use ajil_model::{SubscriberId, SubscriptionId};
use ajil_store::{Subscriber, Subscription, SubscriptionStatus};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::{Lang, PageLang};
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
    let flag = |name: &str| {
        uri.query()
            .is_some_and(|q| q.split('&').any(|p| p == format!("{name}=1")))
    };
    let notice = if flag("removed") {
        Some(lang.t("removed_notice"))
    } else if flag("saved") {
        Some(lang.t("saved_notice"))
    } else {
        None
    };
    let values = PacingForm::of(&who);
    render(
        &state,
        lang,
        &token,
        &who,
        &headers,
        StatusCode::OK,
        &values,
        &[],
        notice,
    )
    .await
}

/// The manage page, with the pacing form showing `values` and `errors`.
#[allow(clippy::too_many_arguments)] // one call per outcome; a struct would only rename them
async fn render(
    state: &AppState,
    lang: Lang,
    token: &str,
    who: &Subscriber,
    headers: &HeaderMap,
    status: StatusCode,
    values: &PacingForm,
    errors: &[String],
    notice: Option<&str>,
) -> Result<Response, PageError> {
    let subs: Vec<_> = state
        .store
        .subscriptions_of(who.id)
        .await
        .map_err(|e| PageError::store(lang, e))?
        .into_iter()
        .filter(|s| s.status != SubscriptionStatus::Removed)
        .collect();
    let (csrf_token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = page(
        status,
        "manage.html",
        lang,
        context! {
            token,
            email => who.email,
            subscriptions => subs,
            csrf => csrf_token,
            notice,
            pacing => values,
            errors,
            zones => zone_names(),
            hours => (0..24).map(|h| format!("{h:02}")).collect::<Vec<_>>(),
            unsubscribe_url => links::unsubscribe_url(&state.signer, &state.public_url, who.id),
        },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}

/// Most real-time alerts a day one may ask for; past it a digest is the
/// better choice, and the form says so by refusing.
const MAX_DAILY_CAP: u32 = 500;

/// The pacing form's fields, as typed (echoed back when they have errors).
#[derive(Debug, Default, serde::Serialize)]
struct PacingForm {
    tz: String,
    quiet_start: String,
    quiet_end: String,
    daily_cap: String,
}

/// Valid settings, ready for the store.
#[derive(Debug, PartialEq)]
struct Pacing {
    tz: String,
    quiet_hours: Option<String>,
    daily_cap: Option<i64>,
}

impl PacingForm {
    /// The stored settings in form shape; quiet hours are kept to whole
    /// hours on this form (`22:00-07:00` shows as 22 and 07).
    fn of(who: &Subscriber) -> PacingForm {
        let (quiet_start, quiet_end) = who
            .quiet_hours
            .as_deref()
            .and_then(|q| q.split_once('-'))
            .map(|(a, b)| (hour_of(a), hour_of(b)))
            .unwrap_or_default();
        PacingForm {
            tz: who.tz.clone(),
            quiet_start,
            quiet_end,
            daily_cap: who.daily_cap.map(|c| c.to_string()).unwrap_or_default(),
        }
    }

    fn from_fields(form: &FormFields) -> PacingForm {
        PacingForm {
            tz: form.get("tz").trim().to_string(),
            quiet_start: form.get("quiet_start").trim().to_string(),
            quiet_end: form.get("quiet_end").trim().to_string(),
            daily_cap: form.get("daily_cap").trim().to_string(),
        }
    }

    /// Checks every field; the errors are in `lang`, one per bad field.
    fn validate(&self, lang: Lang) -> Result<Pacing, Vec<String>> {
        let mut errors = Vec::new();
        let tz = match self.tz.parse::<chrono_tz::Tz>() {
            Ok(tz) => tz.name().to_string(),
            Err(_) => {
                errors.push(format!("{}: {}", lang.t("err_tz_invalid"), self.tz));
                String::new()
            }
        };
        let hour = |s: &str| s.parse::<u32>().ok().filter(|h| *h < 24);
        let quiet_hours = match (self.quiet_start.as_str(), self.quiet_end.as_str()) {
            ("", "") => None,
            (a, b) => match (hour(a), hour(b)) {
                (Some(a), Some(b)) if a != b => Some(format!("{a:02}:00-{b:02}:00")),
                _ => {
                    errors.push(lang.t("err_quiet_invalid").to_string());
                    None
                }
            },
        };
        let daily_cap = match self.daily_cap.as_str() {
            "" => None,
            n => match n.parse::<u32>() {
                Ok(n) if (1..=MAX_DAILY_CAP).contains(&n) => Some(i64::from(n)),
                _ => {
                    errors.push(lang.t("err_cap_invalid").to_string());
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Pacing {
                tz,
                quiet_hours,
                daily_cap,
            })
        } else {
            Err(errors)
        }
    }
}

/// `22:00` → `22`; anything else → empty (shown as "no quiet hours").
fn hour_of(time: &str) -> String {
    time.trim()
        .split(':')
        .next()
        .and_then(|h| h.parse::<u32>().ok())
        .filter(|h| *h < 24)
        .map(|h| format!("{h:02}"))
        .unwrap_or_default()
}

/// Every IANA zone name chrono-tz knows, for the form's suggestions.
fn zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// The subscriber a manage form was posted for, once its link and the form's
/// CSRF field are checked.
async fn posting_subscriber(
    state: &AppState,
    lang: PageLang,
    token: &str,
    headers: &HeaderMap,
    form: &FormFields,
) -> Result<Subscriber, PageError> {
    let id = verify(state, lang, token)?;
    if !csrf::check(&state.csrf_secret, headers, form.get("csrf")) {
        return Err(PageError::csrf(lang.lang));
    }
    state
        .store
        .subscriber(id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))
}

pub(super) async fn pacing(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    let who = posting_subscriber(&state, lang, &token, &headers, &form).await?;
    let id = who.id;
    let page_lang = lang;
    let lang = lang.or_subscriber(&who.ui_lang);
    let values = PacingForm::from_fields(&form);
    let settings = match values.validate(lang) {
        Ok(s) => s,
        Err(errors) => {
            return render(
                &state,
                lang,
                &token,
                &who,
                &headers,
                StatusCode::BAD_REQUEST,
                &values,
                &errors,
                None,
            )
            .await;
        }
    };
    state
        .store
        .set_subscriber_pacing(
            id,
            &settings.tz,
            settings.quiet_hours.as_deref(),
            settings.daily_cap,
        )
        .await
        .map_err(|e| PageError::store(lang, e))?;
    tracing::info!(subscriber_id = %id, tz = settings.tz, "delivery settings saved by the subscriber");
    Ok(Redirect::to(&format!("/manage/{token}?{}saved=1", lang_param(page_lang))).into_response())
}

/// `lang=xx&` when the visitor chose the page language, so a redirect keeps it.
fn lang_param(lang: PageLang) -> String {
    if lang.explicit {
        format!("lang={}&", lang.lang)
    } else {
        String::new()
    }
}

/// The subscription `sub_id` names, once the token, the form's CSRF field
/// and ownership are checked: a manage link only reaches its own
/// subscriber's subscriptions.
async fn own_subscription(
    state: &AppState,
    lang: PageLang,
    token: &str,
    sub_id: &str,
    headers: &HeaderMap,
    form: &FormFields,
) -> Result<Subscription, PageError> {
    let who = verify(state, lang, token)?;
    if !csrf::check(&state.csrf_secret, headers, form.get("csrf")) {
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
    if sub.subscriber_id != who {
        return Err(PageError::not_found(lang.lang));
    }
    Ok(sub)
}

pub(super) async fn breaking(
    State(state): State<AppState>,
    lang: PageLang,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    let sub = own_subscription(&state, lang, &token, &sub_id, &headers, &form).await?;
    // A removed subscription is gone for good; it is not edited back to life.
    if sub.status == SubscriptionStatus::Removed {
        return Err(PageError::not_found(lang.lang));
    }
    let sub_id = sub.id;
    let breaking_only = match form.get("breaking_only") {
        "1" => true,
        "0" => false,
        _ => return Err(PageError::bad_form(lang.lang)),
    };
    state
        .store
        .set_breaking_only(sub_id, breaking_only)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    tracing::info!(subscription_id = %sub_id, breaking_only, "alert timing changed by the subscriber");
    Ok(Redirect::to(&format!("/manage/{token}?{}saved=1", lang_param(lang))).into_response())
}

pub(super) async fn remove(
    State(state): State<AppState>,
    lang: PageLang,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    let sub_id = own_subscription(&state, lang, &token, &sub_id, &headers, &form)
        .await?
        .id;
    state
        .store
        .remove_subscription(sub_id)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    tracing::info!(subscription_id = %sub_id, "subscription removed by its subscriber");
    // Post/redirect/get, so reloading the page does not post again.
    Ok(Redirect::to(&format!("/manage/{token}?{}removed=1", lang_param(lang))).into_response())
}

/// Everything kept about the subscriber, as a JSON download.
pub(super) async fn data(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = verify(&state, lang, &token)?;
    let store_err = |e| PageError::store(lang.lang, e);
    let who = state.store.subscriber(id).await.map_err(store_err)?;
    let subscriptions = state.store.subscriptions_of(id).await.map_err(store_err)?;
    let mut alerts = Vec::new();
    for sub in &subscriptions {
        for alert in state.store.alerts_of(sub.id).await.map_err(store_err)? {
            let title = state
                .store
                .get_story(alert.story_id)
                .await
                .map(|d| d.story.title)
                .ok();
            alerts.push(serde_json::json!({
                "subscription": sub.id,
                "story": alert.story_id,
                "story_title": title,
                "matched_at": alert.created_at,
                "waiting_for_digest": alert.digest_pending,
            }));
        }
    }
    let emails: Vec<_> = state
        .store
        .subscriber_emails(id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "kind": e.kind,
                "to": e.recipient,
                "subject": e.subject,
                "status": e.status,
                "created_at": e.created_at,
                "sent_at": e.sent_at,
            })
        })
        .collect();
    let body = serde_json::json!({
        "subscriber": who,
        "subscriptions": subscriptions,
        "alerts": alerts,
        "emails": emails,
    });
    tracing::info!(subscriber_id = %id, "subscriber downloaded what is kept about them");
    Ok((
        [
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"ajil-my-data.json\"",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        axum::Json(body),
    )
        .into_response())
}

/// Erases the subscriber and everything kept about its address, once the
/// form's box saying so is ticked.
pub(super) async fn erase(
    State(state): State<AppState>,
    lang: PageLang,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    let who = posting_subscriber(&state, lang, &token, &headers, &form).await?;
    if form.get("confirm") != "1" {
        return Err(PageError::bad_form(lang.lang));
    }
    let id = who.id;
    let lang = lang.or_subscriber(&who.ui_lang);
    let erased = state
        .store
        .erase_subscriber(id)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    tracing::info!(subscriber_id = %id, ?erased, "subscriber erased at their own request");
    page(StatusCode::OK, "erased.html", lang, context! {})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(tz: &str, start: &str, end: &str, cap: &str) -> PacingForm {
        PacingForm {
            tz: tz.into(),
            quiet_start: start.into(),
            quiet_end: end.into(),
            daily_cap: cap.into(),
        }
    }

    #[test]
    fn valid_settings_are_normalised() {
        assert_eq!(
            form("Asia/Riyadh", "22", "7", "20").validate(Lang::En),
            Ok(Pacing {
                tz: "Asia/Riyadh".into(),
                quiet_hours: Some("22:00-07:00".into()),
                daily_cap: Some(20),
            })
        );
        assert_eq!(
            form("UTC", "", "", "").validate(Lang::En),
            Ok(Pacing {
                tz: "UTC".into(),
                quiet_hours: None,
                daily_cap: None,
            })
        );
    }

    #[test]
    fn each_bad_field_gets_one_error() {
        for (f, n) in [
            (form("Mars/Olympus", "", "", ""), 1),
            (form("", "", "", ""), 1),
            (form("UTC", "22", "", ""), 1),
            (form("UTC", "7", "7", ""), 1),
            (form("UTC", "24", "7", ""), 1),
            (form("UTC", "", "", "0"), 1),
            (form("UTC", "", "", "9999"), 1),
            (form("UTC", "", "", "ten"), 1),
            (form("Nowhere", "x", "1", "-1"), 3),
        ] {
            assert_eq!(f.validate(Lang::En).unwrap_err().len(), n, "{f:?}");
        }
    }

    #[test]
    fn stored_quiet_hours_show_as_hours() {
        assert_eq!(hour_of("22:00"), "22");
        assert_eq!(hour_of("07:30"), "07");
        assert_eq!(hour_of("nonsense"), "");
    }
}
