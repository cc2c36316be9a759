//! Errors as pages (for people) and as JSON (for the API). Internal errors
//! are logged with their whole chain and shown as a generic message.

use ajil_mail::TokenError;
use ajil_store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::Lang;
use crate::{error_chain, templates};

/// An error page in the visitor's language.
#[derive(Debug)]
pub(crate) struct PageError {
    pub lang: Lang,
    pub status: StatusCode,
    pub message: &'static str,
}

impl PageError {
    /// 404 with the "not found" text.
    pub fn not_found(lang: Lang) -> PageError {
        PageError {
            lang,
            status: StatusCode::NOT_FOUND,
            message: lang.t("err_not_found"),
        }
    }

    /// 403 for a missing or wrong CSRF token.
    pub fn csrf(lang: Lang) -> PageError {
        PageError {
            lang,
            status: StatusCode::FORBIDDEN,
            message: lang.t("err_csrf"),
        }
    }

    /// 400 for a form field with a value no page of ours sends.
    pub fn bad_form(lang: Lang) -> PageError {
        PageError {
            lang,
            status: StatusCode::BAD_REQUEST,
            message: lang.t("err_bad_form"),
        }
    }

    /// 400 for a link token that does not verify, saying what to do.
    pub fn token(lang: Lang, err: TokenError) -> PageError {
        let key = match err {
            TokenError::Malformed => "err_link_malformed",
            TokenError::BadSignature => "err_link_bad_signature",
            TokenError::Expired => "err_link_expired",
        };
        PageError {
            lang,
            status: StatusCode::BAD_REQUEST,
            message: lang.t(key),
        }
    }

    /// 500, after logging `err` with its causes.
    pub fn internal(lang: Lang, err: &dyn std::error::Error) -> PageError {
        tracing::error!(error = %error_chain(err), "web page failed");
        PageError {
            lang,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: lang.t("err_generic"),
        }
    }

    /// Maps a store error: a missing row is a 404, anything else a 500.
    pub fn store(lang: Lang, err: StoreError) -> PageError {
        match err {
            StoreError::NotFound { .. } => PageError::not_found(lang),
            other => PageError::internal(lang, &other),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = templates::render(
            "error.html",
            self.lang,
            minijinja::context! { message => self.message },
        );
        match page {
            Ok(html) => (self.status, Html(html)).into_response(),
            // The error template itself failed: plain text is all that is left.
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

/// A JSON API error: `{"error": "...", "hint": "..."}` with its status.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, naming the bad value.
    pub error: String,
    /// What to do about it.
    pub hint: String,
}

impl ApiError {
    /// A 400 for invalid input.
    pub fn bad_request(error: impl Into<String>, hint: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            hint: hint.into(),
        }
    }

    /// A 404 for a route or row that does not exist.
    pub fn not_found(error: impl Into<String>, hint: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            error: error.into(),
            hint: hint.into(),
        }
    }

    /// A 500 that says nothing of the cause, after logging the whole chain.
    pub fn internal(err: &dyn std::error::Error) -> ApiError {
        tracing::error!(error = %error_chain(err), "api request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "internal error".into(),
            hint: "the server log has the details; try again later".into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound { .. } => ApiError::not_found(
                err.to_string(),
                "list the collection to see which ids exist",
            ),
            StoreError::Conflict { .. } => ApiError {
                status: StatusCode::CONFLICT,
                error: err.to_string(),
                hint: "it is already there; list the collection to find it".into(),
            },
            StoreError::Refused { reason, what } => {
                ApiError::bad_request(format!("cannot set the {what}"), reason)
            }
            other => ApiError::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.error, "hint": self.hint })),
        )
            .into_response()
    }
}
