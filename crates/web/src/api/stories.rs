//! `/api/stories`.

use std::collections::HashMap;

use ajil_model::StoryId;
use ajil_store::StoryRow;
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};

use super::parse_id;
use crate::AppState;
use crate::error::ApiError;

/// Stories returned when no `limit` is given.
const DEFAULT_LIMIT: u32 = 100;
/// The most a `limit` may ask for.
const MAX_LIMIT: u32 = 1000;

pub(super) async fn list(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<StoryRow>>, ApiError> {
    let since = match params.get("since") {
        Some(raw) => DateTime::parse_from_rfc3339(raw)
            .map_err(|e| {
                ApiError::bad_request(
                    format!("since {raw:?} is not an RFC 3339 time: {e}"),
                    "write it like 2024-05-01T12:00:00Z",
                )
            })?
            .with_timezone(&Utc),
        None => state.now() - Duration::hours(24),
    };
    let limit = match params.get("limit") {
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    format!("limit {raw:?} is not a number from 1 to {MAX_LIMIT}"),
                    "leave it out for 100",
                )
            })?,
        None => DEFAULT_LIMIT,
    };
    let query = match params.get("q").map(|q| q.trim()).filter(|q| !q.is_empty()) {
        Some(q) => Some(ajil_query::Query::parse(q).map_err(|e| {
            ApiError::bad_request(
                format!("q does not parse: {e}"),
                "write it as a subscription query: words, \"phrases\", -exclusions, OR, lang:ar",
            )
        })?),
        None => None,
    };
    let breaking = match params.get("breaking").map(String::as_str) {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                format!("breaking {other:?} is not true or false"),
                "use breaking=true for breaking stories only",
            ));
        }
    };
    let (mut stories, _) = crate::search::listing(&state, query, breaking, since, limit).await?;
    if let Some(lang) = reader_lang(&params)? {
        state.store.headlines_in(&mut stories, lang).await?;
    }
    Ok(Json(stories))
}

pub(super) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let id: StoryId = parse_id("story", &id)?;
    let mut detail = match state.store.get_story(id).await {
        Ok(detail) => detail,
        Err(e @ ajil_store::StoreError::NotFound { .. }) => {
            // Merged into another story since: the same request there.
            return match state.store.merged_into(id).await? {
                Some(into) => Ok(Redirect::permanent(&crate::ui::with_query(
                    &format!("/api/stories/{into}"),
                    query.as_deref(),
                ))
                .into_response()),
                None => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(lang) = reader_lang(&params)? {
        let (title, story_lang) = detail.headline_in(&[lang]);
        (detail.story.title, detail.story.lang) = (title.to_string(), story_lang.to_string());
    }
    // The outlets in confirmation order, reprint-only ones last and marked.
    let outlets = detail.outlets();
    Ok(Json(StoryWithOutlets { detail, outlets }).into_response())
}

/// `GET /api/stories/{id}`: the story, its articles and its outlets.
#[derive(serde::Serialize)]
struct StoryWithOutlets {
    #[serde(flatten)]
    detail: ajil_store::StoryDetail,
    outlets: Vec<ajil_store::StoryOutlet>,
}

/// The `lang` parameter: a story told in several languages is then titled by its
/// first report in that language (`title` and `lang` change; the articles do not).
fn reader_lang(params: &HashMap<String, String>) -> Result<Option<&str>, ApiError> {
    match params.get("lang") {
        None => Ok(None),
        Some(lang)
            if (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            Ok(Some(lang))
        }
        Some(raw) => Err(ApiError::bad_request(
            format!("lang {raw:?} is not a language code"),
            "write a two- or three-letter ISO 639 code such as ar or en",
        )),
    }
}
