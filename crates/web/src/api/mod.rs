//! The operator's JSON API, under `/api/`.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /api/sources` | `[Source]` |
//! | `POST /api/sources` `{"url", "name"?, "interval_secs"?, "section"?, "check"?, "page"?}` | `201` and the new `Source` with `check` (`{url, kind, note}`: what the address turned out to be; a web page that advertises a feed adds the feed unless `"page": true`); `422` if the address is nothing ajil can follow (`"check": false` adds it anyway); `409` if the URL is there |
//! | `PATCH /api/sources/{id}` `{"name"?, "interval_secs"?, "section"?, "paused"?}` | the changed `Source`; `"section": null` clears the section, `"paused": true` stops polling the source (and its WebSub pushes) until `"paused": false`, which makes it due at once; `400` for an empty name or an interval under 60 s; `404` if absent |
//! | `DELETE /api/sources/{id}` | `204` (a WebSub hub pushing the source is told to stop); `404` if absent |
//! | `GET /api/subscriptions` | `[SubscriptionWithEmail]` |
//! | `POST /api/subscriptions` `{"email", "query", "langs"?, "cadence"?, "breaking_only"?, "ui_lang"?, "confirmed"?}` | `201` and the `Subscription`: pending, with a confirmation email on its way, unless `"confirmed": true`; `400` for an invalid address, query, cadence or language; `409` for a suspended address (or an unsubscribed one with `"confirmed": true`) |
//! | `PATCH /api/subscriptions/{id}` `{"breaking_only"}` | the `Subscription`; `404` if absent |
//! | `DELETE /api/subscriptions/{id}` | `204`; `404` if absent |
//! | `GET /api/stories?since=RFC3339&limit=N&lang=L&q=QUERY&breaking=true` | `[StoryRow]`, newest first (default: last 24 h, 100); with `lang`, a story holding a report in `L` is titled by it; with `q`, only stories a subscription with that query would have alerted on (its reports of the last 3 days, the newest 5,000, are read); with `breaking=true`, only breaking ones |
//! | `GET /api/stories/{id}?lang=L` | `StoryDetail` (the story's fields plus `articles`), titled in `L` as above; `308` to the story it went into for a story merged since |
//! | `GET /api/emails` | `{"counts": {pending, sent, failed}, "recent": [Email]}` |
//! | `GET /api/subscribers` | `[Subscriber]` (with status, time zone, suppression reason) |
//! | `GET /api/suppressions` | `{"suppressed": [Subscriber], "feedback": [bounce or complaint]}` |
//!
//! `GET /metrics` serves the service's counters and gauges in the Prometheus
//! text format, behind the same access rule.
//!
//! The pages `GET /admin/sources` (add a source, checked first, pause,
//! resume or remove one), `GET /admin/suppressions` (the suppressed addresses with their
//! reason) and `GET /admin/outbox` (email counts, the emails in trouble with
//! their last error and next attempt, the latest ones) sit behind the same
//! access rule as the API.
//!
//! Errors are `{"error": "...", "hint": "..."}`: 400 for invalid input, 401 or
//! 403 for access, 404, 409 on conflicts, 500 with a generic text (the full
//! cause goes to the log).
//!
//! **Access.** With [`AppState::api_token`](crate::AppState::api_token) set,
//! every request needs `Authorization: Bearer <token>`. Without one, the API
//! answers only to peers on a loopback address, which needs the router served
//! with connect info (see [`router`](crate::router)). Behind a reverse proxy
//! on the same machine every request looks local: set a token there.

mod emails;
mod sources;
mod stories;
mod subscriptions;
mod suppressions;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use crate::error::ApiError;
use crate::{AppState, Peer};

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/sources", get(sources::list).post(sources::add))
        .route(
            "/sources/{id}",
            axum::routing::delete(sources::remove).patch(sources::update),
        )
        .route(
            "/subscriptions",
            get(subscriptions::list).post(subscriptions::add),
        )
        .route(
            "/subscriptions/{id}",
            axum::routing::delete(subscriptions::remove).patch(subscriptions::update),
        )
        .route("/stories", get(stories::list))
        .route("/stories/{id}", get(stories::get))
        .route("/emails", get(emails::overview))
        .route("/subscribers", get(suppressions::subscribers))
        .route(
            "/subscribers/{id}",
            axum::routing::delete(suppressions::erase),
        )
        .route("/suppressions", get(suppressions::suppressions))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, guard))
}

/// Operator pages: the API's access rule, or a sign-in cookie from
/// `/admin/login` (see [`crate::admin_auth`]).
pub(crate) fn admin_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/suppressions", get(crate::ui::suppressions))
        .route("/outbox", get(crate::ui::outbox))
        .route(
            "/sources",
            get(crate::ui::admin_sources::show).post(crate::ui::admin_sources::add),
        )
        .route(
            "/sources/{id}/{action}",
            axum::routing::post(crate::ui::admin_sources::act),
        )
        .route("/subscriptions", get(crate::ui::admin_subscriptions::show))
        .route(
            "/subscriptions/{id}/remove",
            axum::routing::post(crate::ui::admin_subscriptions::remove),
        )
        .layer(middleware::from_fn_with_state(
            state,
            crate::admin_auth::page_guard,
        ))
        // Outside the guard: where the operator signs in.
        .route(
            "/login",
            get(crate::admin_auth::login_form).post(crate::admin_auth::login),
        )
        .route("/logout", axum::routing::post(crate::admin_auth::logout))
}

/// `GET /metrics`: the same access rule as the API (a Prometheus scraper
/// sends the token as a bearer token).
pub(crate) fn metrics_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(state, guard))
}

async fn metrics(State(state): State<AppState>) -> Response {
    let Some(source) = &state.metrics else {
        return ApiError::not_found(
            "metrics are not served by this instance",
            "run `ajil serve`, which serves them",
        )
        .into_response();
    };
    match source.render().await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be rendered");
            ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                error: "metrics could not be rendered".into(),
                hint: "the server log has the details; try again later".into(),
            }
            .into_response()
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such API route", "see the list of routes in the README")
}

/// Lets a request through if it carries the API token or, with no token
/// configured, comes from a loopback address.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match &state.api_token {
        Some(expected) => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if !constant_time_eq(given.trim().as_bytes(), expected.as_bytes()) {
                let mut res = ApiError {
                    status: StatusCode::UNAUTHORIZED,
                    error: "missing or wrong API token".into(),
                    hint: "send the header Authorization: Bearer <AJIL_API_TOKEN>".into(),
                }
                .into_response();
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return res;
            }
        }
        None => {
            let local = req
                .extensions()
                .get::<Peer>()
                .is_some_and(|peer| peer.0.ip().is_loopback());
            if !local {
                return ApiError {
                    status: StatusCode::FORBIDDEN,
                    error: "the API answers only on this machine when no token is set".into(),
                    hint: "set AJIL_API_TOKEN and send Authorization: Bearer <token>".into(),
                }
                .into_response();
            }
        }
    }
    next.run(req).await
}

/// Compares without stopping at the first difference, so response time does
/// not reveal how much of a guessed token was right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses an id from a path segment, as a 400 with a hint if it is not one.
fn parse_id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(
            format!("{what} id {raw:?} is not a number"),
            format!("use the numeric id from the {what} list"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
