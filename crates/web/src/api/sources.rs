//! `/api/sources`.

use std::time::Duration;

use ajil_model::SourceId;
use ajil_store::Source;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::parse_id;
use crate::AppState;
use crate::error::ApiError;

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
}

pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Vec<Source>>, ApiError> {
    Ok(Json(state.store.list_sources().await?))
}

pub(super) async fn add(
    State(state): State<AppState>,
    body: Result<Json<NewSource>, JsonRejection>,
) -> Result<(StatusCode, Json<Source>), ApiError> {
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
    let interval = new.interval_secs.unwrap_or(DEFAULT_INTERVAL_SECS);
    if interval < MIN_INTERVAL_SECS {
        return Err(ApiError::bad_request(
            format!("interval_secs {interval} is too short"),
            format!("use at least {MIN_INTERVAL_SECS} seconds"),
        ));
    }
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
    tracing::info!(feed_id = %source.id, url = %source.url, "source added");
    Ok((StatusCode::CREATED, Json(source)))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: SourceId = parse_id("source", &id)?;
    state.store.remove_source(id).await?;
    tracing::info!(feed_id = %id, "source removed");
    Ok(StatusCode::NO_CONTENT)
}
