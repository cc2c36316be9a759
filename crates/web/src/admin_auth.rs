//! Signing the operator in to the `/admin/` pages with the API token, so a
//! browser can use them on a deployment that has one (a browser cannot send
//! `Authorization: Bearer`). `/admin/login` takes the token once and sets an
//! `HttpOnly`, `SameSite=Strict` cookie holding an expiry and the HMAC of
//! that expiry and the token: nothing is kept on the server, a changed token
//! signs everyone out, and the cookie is good for [`SESSION_HOURS`] hours.
//! The cookie opens the pages only, never the JSON API.

use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use minijinja::context;
use serde::Deserialize;
use sha2::Sha256;

use crate::error::PageError;
use crate::forms::FormFields;
use crate::i18n::PageLang;
use crate::{AppState, Peer, csrf};

/// The cookie's name.
const COOKIE_NAME: &str = "ajil_admin";
/// How long a sign-in lasts.
pub(crate) const SESSION_HOURS: i64 = 12;
/// Separates these MACs from other uses of the same secret.
const DOMAIN: &[u8] = b"ajil-admin-v1\0";

fn mac(secret: &[u8], token: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(DOMAIN);
    mac.update(&expires.to_be_bytes());
    mac.update(token.as_bytes());
    mac
}

/// The cookie value for a sign-in that lasts until `expires` (Unix seconds).
fn session_value(secret: &[u8], token: &str, expires: i64) -> String {
    let tag = URL_SAFE_NO_PAD.encode(mac(secret, token, expires).finalize().into_bytes());
    format!("{expires}.{tag}")
}

/// Whether the request carries a sign-in cookie for `token` that has not expired.
fn signed_in(state: &AppState, token: &str, headers: &HeaderMap) -> bool {
    let Some(value) = csrf::cookie_named(headers, COOKIE_NAME) else {
        return false;
    };
    let Some((expires, tag)) = value.split_once('.') else {
        return false;
    };
    let (Ok(expires), Ok(tag)) = (expires.parse::<i64>(), URL_SAFE_NO_PAD.decode(tag)) else {
        return false;
    };
    expires > state.now().timestamp()
        && mac(&state.csrf_secret, token, expires)
            .verify_slice(&tag)
            .is_ok()
}

/// The pages' access rule: with a token, the API's bearer header or a
/// sign-in cookie (else a redirect to the sign-in page); without one,
/// loopback peers only, as the API.
pub(crate) async fn page_guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match &state.api_token {
        Some(token) => {
            let bearer = req
                .headers()
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|given| {
                    crate::api::constant_time_eq(given.trim().as_bytes(), token.as_bytes())
                });
            if bearer || signed_in(&state, token, req.headers()) {
                return next.run(req).await;
            }
            // The path as asked for (nesting under /admin strips the prefix).
            let target = req
                .extensions()
                .get::<axum::extract::OriginalUri>()
                .map_or(req.uri(), |o| &o.0)
                .path_and_query()
                .map_or("/admin/sources".to_string(), |p| p.to_string());
            let location = format!(
                "/admin/login?next={}",
                url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
            );
            (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
        }
        None => {
            let local = req
                .extensions()
                .get::<Peer>()
                .is_some_and(|peer| peer.0.ip().is_loopback());
            if local {
                next.run(req).await
            } else {
                crate::api::ApiError {
                    status: StatusCode::FORBIDDEN,
                    error: "the operator pages answer only on this machine when no token is set"
                        .into(),
                    hint: "set AJIL_API_TOKEN, then sign in at /admin/login".into(),
                }
                .into_response()
            }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct NextPage {
    next: Option<String>,
}

/// Only a path under `/admin/` is followed after signing in.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with("/admin/") && !n.starts_with("/admin/login") && !n.contains("//"))
        .unwrap_or("/admin/sources")
        .to_string()
}

pub(crate) async fn login_form(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    Query(q): Query<NextPage>,
) -> Result<Response, PageError> {
    render(
        &state,
        lang,
        &headers,
        StatusCode::OK,
        &safe_next(q.next.as_deref()),
        false,
    )
}

pub(crate) async fn login(
    State(state): State<AppState>,
    lang: PageLang,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormFields::parse(&body);
    if !csrf::check(&state.csrf_secret, &headers, form.get("csrf")) {
        return Err(PageError::csrf(lang.lang));
    }
    let next = safe_next(Some(form.get("next")));
    let Some(token) = &state.api_token else {
        // No token: the pages are open on this machine already.
        return Ok((StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response());
    };
    if !crate::api::constant_time_eq(form.get("token").trim().as_bytes(), token.as_bytes()) {
        tracing::warn!("operator sign-in with a wrong token");
        return render(
            &state,
            lang,
            &headers,
            StatusCode::UNAUTHORIZED,
            &next,
            true,
        );
    }
    let expires = state.now().timestamp() + SESSION_HOURS * 3600;
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{}",
        session_value(&state.csrf_secret, token, expires),
        SESSION_HOURS * 3600,
        if state.https() { "; Secure" } else { "" }
    );
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response();
    res.headers_mut().append(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ascii cookie"),
    );
    Ok(res)
}

/// Signs the browser out: the cookie is cleared. No CSRF token is asked
/// for, since being signed out by another site harms nothing.
pub(crate) async fn logout(State(state): State<AppState>) -> Response {
    let cookie = format!(
        "{COOKIE_NAME}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if state.https() { "; Secure" } else { "" }
    );
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, "/admin/login")]).into_response();
    res.headers_mut().append(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ascii cookie"),
    );
    res
}

fn render(
    state: &AppState,
    lang: PageLang,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    wrong: bool,
) -> Result<Response, PageError> {
    let (csrf_token, cookie) = csrf::issue(&state.csrf_secret, headers, state.https());
    let mut res = crate::ui::page(
        status,
        "admin_login.html",
        lang.lang,
        context! { csrf => csrf_token, next, wrong },
    )?;
    csrf::set_cookie(res.headers_mut(), cookie);
    Ok(res)
}
