//! `/api/sources`.

use std::time::Duration;

use ajil_model::SourceId;
use ajil_store::{Source, SourceChanges};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::parse_id;
use crate::error::ApiError;
use crate::{AppState, SourceCheck};

/// Shortest polling interval accepted, to stay polite to publishers.
const MIN_INTERVAL_SECS: u64 = 60;
/// Interval when none is given.
const DEFAULT_INTERVAL_SECS: u64 = 300;

/// The body of `POST /api/sources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewSource {
    url: String,
    name: Option<String>,
    interval_secs: Option<u64>,
    /// The section the whole feed belongs to (e.g. `sport`).
    section: Option<String>,
    /// Fetch the address first to see what it is (default true).
    check: Option<bool>,
    /// Keep a web page that advertises a feed as the source (default false:
    /// the feed is added).
    page: Option<bool>,
}

/// The body of `PATCH /api/sources/{id}`: each field given is changed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourcePatch {
    /// A new address, for a feed that moved.
    url: Option<String>,
    name: Option<String>,
    interval_secs: Option<u64>,
    /// A section name; `null` or `""` clears it.
    #[serde(default, deserialize_with = "present")]
    section: Option<Option<String>>,
    /// `true` pauses the source, `false` resumes it.
    paused: Option<bool>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The answer to `POST /api/sources`: the new source, and what checking its
/// address found.
#[derive(Debug, Serialize)]
pub(super) struct Added {
    #[serde(flatten)]
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<SourceCheck>,
}

pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Vec<Source>>, ApiError> {
    Ok(Json(state.store.list_sources().await?))
}

pub(super) async fn add(
    State(state): State<AppState>,
    body: Result<Json<NewSource>, JsonRejection>,
) -> Result<(StatusCode, Json<Added>), ApiError> {
    let Json(new) = body.map_err(|e| {
        ApiError::bad_request(
            e.body_text(),
            r#"send JSON like {"url": "https://example.org/feed", "name": "Example", "interval_secs": 300}"#,
        )
    })?;
    let url = url::Url::parse(new.url.trim()).map_err(|e| {
        ApiError::bad_request(
            format!("source url {:?} is not a URL: {e}", new.url),
            "give an absolute http(s) URL",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::bad_request(
            format!("source url {:?} is not http(s)", new.url),
            "give an absolute http(s) URL",
        ));
    }
    let check = match &state.source_checker {
        Some(checker) if new.check.unwrap_or(true) => Some(
            checker
                .check(url.to_string(), new.page.unwrap_or(false))
                .await
                .map_err(|e| ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    error: e,
                    hint: r#"give a feed, sitemap or news page address, or send "check": false to add it anyway"#.into(),
                })?,
        ),
        _ => None,
    };
    let url = match &check {
        Some(found) => url::Url::parse(&found.url).map_err(|e| {
            ApiError::bad_request(
                format!(
                    "the address found for {:?}, {:?}, is not a URL: {e}",
                    new.url, found.url
                ),
                r#"give the feed's address yourself, or send "check": false"#,
            )
        })?,
        None => url,
    };
    let interval = new.interval_secs.unwrap_or(DEFAULT_INTERVAL_SECS);
    check_interval(interval)?;
    let name = new
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| url.host_str().unwrap_or_default().to_string());
    let source = state
        .store
        .add_source(
            url.as_str(),
            &name,
            Duration::from_secs(interval),
            state.now(),
        )
        .await?;
    let source = match new.section.as_deref().map(str::trim) {
        Some(section) if !section.is_empty() => {
            let changes = SourceChanges {
                url: None,
                section: Some(Some(section.to_string())),
                ..SourceChanges::default()
            };
            state
                .store
                .update_source(source.id, &changes, state.now())
                .await?
        }
        _ => source,
    };
    tracing::info!(feed_id = %source.id, url = %source.url, "source added");
    Ok((StatusCode::CREATED, Json(Added { source, check })))
}

fn check_interval(secs: u64) -> Result<(), ApiError> {
    if secs < MIN_INTERVAL_SECS {
        return Err(ApiError::bad_request(
            format!("interval_secs {secs} is too short"),
            format!("use at least {MIN_INTERVAL_SECS} seconds"),
        ));
    }
    Ok(())
}

pub(super) async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<SourcePatch>, JsonRejection>,
) -> Result<Json<Source>, ApiError> {
    let id: SourceId = parse_id("source", &id)?;
    let Json(patch) = body.map_err(|e| {
        ApiError::bad_request(
            e.body_text(),
            r#"send JSON with the fields to change, like {"paused": true} or {"url": "https://example.org/rss", "name": "Example", "interval_secs": 600, "section": null}"#,
        )
    })?;
    if let Some(secs) = patch.interval_secs {
        check_interval(secs)?;
    }
    let changes = SourceChanges {
        url: patch.url,
        name: patch.name,
        interval: patch.interval_secs.map(Duration::from_secs),
        section: patch.section,
        paused: patch.paused,
    };
    let source = state.update_source(id, changes).await?;
    Ok(Json(source))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: SourceId = parse_id("source", &id)?;
    state.remove_source(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
