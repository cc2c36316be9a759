//! The HTML pages, one file per action.

pub(crate) mod admin_sources;
pub(crate) mod admin_subscriptions;
pub(crate) mod browse;
mod confirm;
mod feed;
mod manage;
mod resend;
mod signup;
pub(crate) use signup::valid_email;
mod unsubscribe;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Value;

use crate::AppState;
use crate::error::PageError;
use crate::i18n::{Lang, PageLang};
use crate::templates;

/// `path` with a request's query string, if it had one (a redirect keeps `?lang=`).
pub(crate) fn with_query(path: &str, query: Option<&str>) -> String {
    match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(signup::form))
        .route(
            "/subscribe",
            post(signup::submit).layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::limits::signup_limit,
            )),
        )
        .route(
            "/resend",
            post(resend::submit).layer(axum::middleware::from_fn_with_state(
                state,
                crate::limits::resend_limit,
            )),
        )
        .route(
            "/confirm/{token}",
            get(confirm::show).post(confirm::confirm),
        )
        .route("/manage/{token}", get(manage::show))
        .route("/manage/{token}/remove/{id}", post(manage::remove))
        .route("/manage/{token}/breaking/{id}", post(manage::breaking))
        .route("/manage/{token}/pacing", post(manage::pacing))
        .route("/manage/{token}/erase", post(manage::erase))
        .route("/manage/{token}/data.json", get(manage::data))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::show).post(unsubscribe::unsubscribe),
        )
        .route("/stories", get(browse::stories))
        .route("/stories.atom", get(feed::stories))
        .route("/stories/{id}", get(browse::story))
        .route("/sources", get(browse::sources))
        .route("/healthz", get(browse::healthz))
        .fallback(not_found)
}

async fn not_found(lang: PageLang) -> PageError {
    PageError::not_found(lang.lang)
}

/// `GET /admin/suppressions`: addresses no longer mailed, and why.
pub(crate) async fn suppressions(
    axum::extract::State(state): axum::extract::State<AppState>,
    lang: PageLang,
) -> Result<Response, PageError> {
    let suppressed = state
        .store
        .suppressed_subscribers()
        .await
        .map_err(|e| PageError::store(lang.lang, e))?;
    page(
        StatusCode::OK,
        "suppressions.html",
        lang.lang,
        minijinja::context! { suppressed, signout => state.api_token.is_some() },
    )
}

/// `GET /admin/outbox`: how many emails wait, went out or failed, the ones in
/// trouble (with their last error and next attempt) and the latest ones.
pub(crate) async fn outbox(
    axum::extract::State(state): axum::extract::State<AppState>,
    lang: PageLang,
) -> Result<Response, PageError> {
    let store_err = |e| PageError::store(lang.lang, e);
    let counts = state.store.email_counts().await.map_err(store_err)?;
    let trouble = state
        .store
        .emails_in_trouble(100)
        .await
        .map_err(store_err)?;
    let recent = state.store.list_emails(50).await.map_err(store_err)?;
    page(
        StatusCode::OK,
        "outbox.html",
        lang.lang,
        minijinja::context! { counts, trouble, recent, signout => state.api_token.is_some() },
    )
}

/// Reads a form posted about one row of an operator page: the form's CSRF
/// token must check (else 403), and the row's id in the path must be a
/// number (else 404).
pub(crate) fn row_form(
    state: &AppState,
    lang: Lang,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    raw_id: &str,
) -> Result<i64, PageError> {
    let form = crate::forms::FormFields::parse(body);
    if !crate::csrf::check(&state.csrf_secret, headers, form.get("csrf")) {
        return Err(PageError::csrf(lang));
    }
    raw_id.parse().map_err(|_| PageError::not_found(lang))
}

/// Renders a page with `status`, turning a template failure into a 500.
pub(crate) fn page(
    status: StatusCode,
    name: &str,
    lang: Lang,
    ctx: Value,
) -> Result<Response, PageError> {
    match templates::render(name, lang, ctx) {
        Ok(html) => Ok((status, Html(html)).into_response()),
        Err(err) => Err(PageError::internal(lang, &err)),
    }
}
