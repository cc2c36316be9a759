//! `/admin/sources`: the operator adds, edits (address, name, section,
//! interval), pauses, resumes and removes sources from the browser,
//! each new address checked first as `ajil sources add` checks it. Behind
//! the API's access rule (see [`crate::api`]), with CSRF-checked forms.

use std::time::Duration;

use ajil_model::SourceId;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::{Lang, PageLang};
use crate::{AppState, csrf};

/// Seconds between polls of a source added here (the API's default too).
const INTERVAL_SECS: u64 = 300;

/// The shortest interval the edit form takes (the API's and CLI's floor too).
const MIN_INTERVAL_SECS: u64 = 60;

/// What the page says above the list after a form was sent.
struct Outcome {
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    /// The form's values, kept when adding failed.
    url: String,
    name: String,
}

impl Outcome {
    fn none() -> Outcome {
        Outcome {
            status: StatusCode::OK,
            notice: None,
            error: None,
            url: String::new(),
            name: String::new(),
        }
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    render(&state, lang.lang, &headers, Outcome::none()).await
}

pub(crate) async fn add(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang.lang;
    let form = FormFields::parse(&body);
    if !csrf::check(&state.csrf_secret, &headers, form.get("csrf")) {
        return Err(PageError::csrf(lang));
    }
    let given = form.get("url").trim().to_string();
    let name = form.get("name").trim().to_string();
    let failed = |error: String| Outcome {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        notice: None,
        error: Some(error),
        url: given.clone(),
        name: name.clone(),
    };
    let url = match url::Url::parse(&given) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            let error = format!("{} {given:?}", lang.t("err_source_url"));
            return render(&state, lang, &headers, failed(error)).await;
        }
    };
    let (url, note) = match &state.source_checker {
        Some(checker) => match checker
            .check(url.to_string(), form.get("page") == "on")
            .await
        {
            Ok(found) => (found.url, Some(found.note)),
            Err(e) => return render(&state, lang, &headers, failed(e)).await,
        },
        None => (url.to_string(), None),
    };
    let name = if name.is_empty() {
        url::Url::parse(&url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_string())
            })
            .unwrap_or_else(|| url.clone())
    } else {
        name.clone()
    };
    let added = state
        .store
        .add_source(&url, &name, Duration::from_secs(INTERVAL_SECS), state.now())
        .await;
    let outcome = match added {
        Ok(source) => {
            tracing::info!(feed_id = %source.id, url = %source.url, "source added");
            Outcome {
                notice: Some(format!(
                    "{} {} ({}){}",
                    lang.t("source_added"),
                    source.name,
                    source.url,
                    note.map(|n| format!(" — {n}")).unwrap_or_default()
                )),
                ..Outcome::none()
            }
        }
        Err(ajil_store::StoreError::Conflict { .. }) => {
            failed(format!("{} {url}", lang.t("err_source_exists")))
        }
        Err(e) => return Err(PageError::store(lang, e)),
    };
    render(&state, lang, &headers, outcome).await
}

/// The changes the edit form of `source` asks for, only the fields that
/// differ; an error message in `lang` for a field that is not valid.
fn edit_changes(
    form: &FormFields,
    source: &ajil_store::Source,
    lang: Lang,
) -> Result<ajil_store::SourceChanges, String> {
    let url = form.get("url").trim();
    let url = match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => url,
        _ => return Err(format!("{} {url:?}", lang.t("err_source_url"))),
    };
    let name = form.get("name").trim();
    if name.is_empty() {
        return Err(lang.t("err_source_name").to_string());
    }
    let interval = match form.get("interval").trim().parse::<u64>() {
        Ok(secs) if secs >= MIN_INTERVAL_SECS => secs,
        _ => return Err(lang.t("err_source_interval").to_string()),
    };
    let section = Some(form.get("section").trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(ajil_store::SourceChanges {
        url: (url != source.url).then(|| url.to_string()),
        name: (name != source.name).then(|| name.to_string()),
        interval: (i64::try_from(interval).ok() != Some(source.interval_secs))
            .then(|| Duration::from_secs(interval)),
        section: (section != source.section).then_some(section),
        paused: None,
    })
}

/// `POST /admin/sources/{id}/{remove|pause|resume|edit}`.
pub(crate) async fn act(
    State(state): State<AppState>,
    lang: PageLang,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang.lang;
    let id = SourceId(super::row_form(&state, lang, &headers, &body, &id)?);
    let store_err = |e| PageError::store(lang, e);
    let notice = match action.as_str() {
        "remove" => {
            state.remove_source(id).await.map_err(store_err)?;
            lang.t("source_removed").to_string()
        }
        "pause" | "resume" => {
            let paused = action == "pause";
            let changes = ajil_store::SourceChanges {
                url: None,
                paused: Some(paused),
                ..ajil_store::SourceChanges::default()
            };
            let source = state.update_source(id, changes).await.map_err(store_err)?;
            let key = if paused {
                "source_paused"
            } else {
                "source_resumed"
            };
            format!("{} {}", lang.t(key), source.name)
        }
        "edit" => {
            let source = state.store.get_source(id).await.map_err(store_err)?;
            let form = FormFields::parse(&body);
            let changes = match edit_changes(&form, &source, lang) {
                Ok(c) => c,
                Err(error) => {
                    let outcome = Outcome {
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                        error: Some(format!("#{} {}: {error}", source.id, source.name)),
                        ..Outcome::none()
                    };
                    return render(&state, lang, &headers, outcome).await;
                }
            };
            if changes == ajil_store::SourceChanges::default() {
                lang.t("source_unchanged").to_string()
            } else {
                match state.update_source(id, changes).await {
                    Ok(source) => format!(
                        "{} {} ({})",
                        lang.t("source_saved"),
                        source.name,
                        source.url
                    ),
                    Err(ajil_store::StoreError::Conflict { what }) => {
                        let outcome = Outcome {
                            status: StatusCode::UNPROCESSABLE_ENTITY,
                            error: Some(format!("{} {what}", lang.t("err_source_exists"))),
                            ..Outcome::none()
                        };
                        return render(&state, lang, &headers, outcome).await;
                    }
                    Err(e) => return Err(store_err(e)),
                }
            }
        }
        _ => return Err(PageError::not_found(lang)),
    };
    let outcome = Outcome {
        notice: Some(notice),
        ..Outcome::none()
    };
    render(&state, lang, &headers, outcome).await
}

async fn render(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    outcome: Outcome,
) -> Result<Response, PageError> {
    let sources = state
        .store
        .list_sources()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let pushed = super::browse::pushed_sources(state)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let quiet = super::browse::quiet_sources(&sources, state.now());
    let (csrf_token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = page(
        outcome.status,
        "admin_sources.html",
        lang,
        context! {
            sources,
            pushed,
            quiet,
            csrf => csrf_token,
            notice => outcome.notice,
            error => outcome.error,
            url => outcome.url,
            name => outcome.name,
            signout => state.api_token.is_some(),
        },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}
