//! Read-only pages: recent stories, one story, source health, `/healthz`.

use ajil_model::StoryId;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use minijinja::context;

use super::page;
use crate::error::PageError;
use crate::i18n::PageLang;
use crate::{AppState, error_chain};

/// How far back the stories page looks.
const STORIES_WINDOW_DAYS: i64 = 7;
/// How many stories it shows at most.
const STORIES_LIMIT: u32 = 200;

/// `GET /stories`: the latest stories; `?q=QUERY` keeps those a saved query
/// would have alerted on (see [`crate::search`]), `?breaking=1` the breaking
/// ones.
pub(super) async fn stories(
    State(state): State<AppState>,
    lang: PageLang,
    peer: Option<axum::Extension<crate::Peer>>,
    Query(params): Query<StoriesParams>,
) -> Result<Response, PageError> {
    let lang = lang.lang;
    let store_err = |e| PageError::store(lang, e);
    let q = params.q().unwrap_or_default();
    let breaking = params.breaking();
    let feed = params.query_string(lang.code());
    let mut error = None;
    let mut query = None;
    if !q.is_empty() {
        if let Some(axum::Extension(peer)) = &peer
            && !state.search_limiter.allow(peer.0.ip(), state.now())
        {
            tracing::warn!(ip = %peer.0.ip(), "query preview rate limit reached");
            return Err(PageError {
                lang,
                status: StatusCode::TOO_MANY_REQUESTS,
                message: lang.t("err_too_many"),
            });
        }
        match super::signup::check_query(lang, q) {
            Err(e) => error = Some(e),
            Ok(()) => query = Some(ajil_query::Query::parse(q).expect("checked above")),
        }
    }
    let since = state.now() - Duration::days(STORIES_WINDOW_DAYS);
    let (mut stories, searched) =
        crate::search::listing(&state, query, breaking, since, STORIES_LIMIT)
            .await
            .map_err(store_err)?;
    // A story told in several languages is listed by its report in the page's.
    state
        .store
        .headlines_in(&mut stories, lang.code())
        .await
        .map_err(store_err)?;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(
        status,
        "stories.html",
        lang,
        context! {
            stories,
            q,
            breaking,
            error,
            searched,
            feed,
            search_days => crate::search::SEARCH_DAYS,
        },
    )
}

/// The stories page's (and feed's) filters.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StoriesParams {
    q: Option<String>,
    breaking: Option<String>,
}

impl StoriesParams {
    /// The query, trimmed, unless empty.
    pub(super) fn q(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// Whether only breaking stories are asked for.
    pub(super) fn breaking(&self) -> bool {
        self.breaking
            .as_deref()
            .is_some_and(|b| !b.is_empty() && b != "0")
    }

    /// The filters as a query string, with the reader's language.
    pub(super) fn query_string(&self, lang: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("lang", lang);
        if let Some(q) = self.q() {
            out.append_pair("q", q);
        }
        if self.breaking() {
            out.append_pair("breaking", "1");
        }
        out.finish()
    }
}

pub(super) async fn story(
    State(state): State<AppState>,
    lang: PageLang,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let id: StoryId = id.parse().map_err(|_| PageError::not_found(lang.lang))?;
    let mut detail = match state.store.get_story(id).await {
        Ok(detail) => detail,
        Err(e @ ajil_store::StoreError::NotFound { .. }) => {
            // Merged into another story since (an alert may link here): go there.
            return match state.store.merged_into(id).await {
                Ok(Some(into)) => Ok(Redirect::permanent(&super::with_query(
                    &format!("/stories/{into}"),
                    query.as_deref(),
                ))
                .into_response()),
                Ok(None) => Err(PageError::store(lang.lang, e)),
                Err(e) => Err(PageError::store(lang.lang, e)),
            };
        }
        Err(e) => return Err(PageError::store(lang.lang, e)),
    };
    let (title, story_lang) = detail.headline_in(&[lang.lang.code()]);
    (detail.story.title, detail.story.lang) = (title.to_string(), story_lang.to_string());
    let outlets = detail.outlets();
    let breaking_at = detail.story.breaking_at;
    let (confirmed, reprinted): (Vec<_>, Vec<_>) = outlets.into_iter().partition(|o| !o.reprint);
    // Which confirmations the story had when it turned breaking.
    let confirmed: Vec<_> = confirmed
        .into_iter()
        .map(|o| {
            let made_it_breaking = breaking_at.is_some_and(|b| o.published <= b);
            context! { name => o.name, published => o.published, made_it_breaking }
        })
        .collect();
    page(
        StatusCode::OK,
        "story.html",
        lang.lang,
        context! {
            story => detail.story,
            articles => detail.articles,
            confirmed,
            reprinted,
        },
    )
}

pub(super) async fn sources(
    State(state): State<AppState>,
    lang: PageLang,
) -> Result<Response, PageError> {
    let sources = state
        .store
        .list_sources()
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let pushed = pushed_sources(&state)
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    let quiet = quiet_sources(&sources, state.now());
    page(
        StatusCode::OK,
        "sources.html",
        lang.lang,
        context! { sources, pushed, quiet },
    )
}

/// Ids of the sources that answer but have brought nothing new for a while
/// ([`ajil_store::Source::is_quiet`]).
pub(crate) fn quiet_sources(
    sources: &[ajil_store::Source],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<i64> {
    sources
        .iter()
        .filter(|s| s.is_quiet(now))
        .map(|s| s.id.0)
        .collect()
}

/// Ids of the sources a WebSub hub pushes now (a verified, unexpired lease).
pub(crate) async fn pushed_sources(state: &AppState) -> Result<Vec<i64>, ajil_store::StoreError> {
    let now = state.now();
    Ok(state
        .store
        .websubs()
        .await?
        .into_iter()
        .filter(|w| w.expires_at.is_some_and(|until| until > now))
        .map(|w| w.source_id.0)
        .collect())
}

/// `200 ok` when the database answers, `503` otherwise.
pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::error!(error = %error_chain(&err), "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
