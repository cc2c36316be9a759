//! Per-IP limits on the signup and resend forms, so one client cannot flood
//! addresses with confirmation emails (the per-address limits sit in the
//! handlers, on the store), and on query previews, which cost CPU.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};

use crate::error::PageError;
use crate::i18n::Lang;
use crate::{AppState, Peer};

/// Signups one IP address may post per window.
pub const SIGNUPS_PER_IP: usize = 10;
/// Confirmation resends one IP address may ask for per window: fewer than
/// signups, since each asks for an email to an address typed by anyone.
pub const RESENDS_PER_IP: usize = 5;
/// Confirmation emails one address may be sent again once it already got
/// this many in the last day (signups included): enough for a lost email or
/// two, too few to flood an inbox.
pub const CONFIRMS_PER_ADDRESS_PER_DAY: u32 = 3;
/// Queries one IP address may try on the stories page per window (each
/// reads up to thousands of reports).
pub const SEARCHES_PER_IP: usize = 60;
/// The window, in minutes.
pub const WINDOW_MINUTES: i64 = 60;

/// Recent attempt times per client address, in memory (one `serve` process
/// owns the web side; a restart forgives, which is acceptable for a limit).
#[derive(Debug)]
pub struct IpLimiter {
    limit: usize,
    seen: Mutex<HashMap<IpAddr, Vec<DateTime<Utc>>>>,
}

impl Default for IpLimiter {
    /// The signup limit, [`SIGNUPS_PER_IP`] per window.
    fn default() -> IpLimiter {
        IpLimiter::new(SIGNUPS_PER_IP)
    }
}

impl IpLimiter {
    /// At most `limit` attempts per client address per [`WINDOW_MINUTES`].
    pub fn new(limit: usize) -> IpLimiter {
        IpLimiter {
            limit,
            seen: Mutex::default(),
        }
    }

    /// Records one attempt from `ip` at `now`; `false` when it is over the
    /// limit (the attempt is then not counted).
    pub fn allow(&self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let cutoff = now - TimeDelta::minutes(WINDOW_MINUTES);
        // Keep the map small: forget clients whose window has passed.
        if seen.len() > 10_000 {
            seen.retain(|_, times| times.iter().any(|t| *t > cutoff));
        }
        let times = seen.entry(ip).or_default();
        times.retain(|t| *t > cutoff);
        if times.len() >= self.limit {
            return false;
        }
        times.push(now);
        true
    }
}

/// Middleware on `POST /subscribe`: 429 past the per-IP limit. Requests
/// without a known peer (no connect info) are let through.
pub(crate) async fn signup_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    limit(&state.signup_limiter, &state, "signup", req, next).await
}

/// Middleware on `POST /resend`, as [`signup_limit`] with its own counts.
pub(crate) async fn resend_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    limit(&state.resend_limiter, &state, "resend", req, next).await
}

async fn limit(
    limiter: &IpLimiter,
    state: &AppState,
    what: &'static str,
    req: Request,
    next: Next,
) -> Response {
    let ip = req.extensions().get::<Peer>().map(|p| p.0.ip());
    if let Some(ip) = ip
        && !limiter.allow(ip, state.now())
    {
        tracing::warn!(%ip, what, "rate limit reached");
        let lang = Lang::from_accept_language(
            req.headers()
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        )
        .unwrap_or(Lang::Ar);
        return PageError {
            lang,
            status: StatusCode::TOO_MANY_REQUESTS,
            message: lang.t("err_too_many"),
        }
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn limit_per_ip_and_window() {
        let l = IpLimiter::default();
        let t = |m| Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + TimeDelta::minutes(m);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        for i in 0..SIGNUPS_PER_IP {
            assert!(l.allow(a, t(i as i64)));
        }
        assert!(!l.allow(a, t(20)));
        assert!(l.allow(b, t(20)), "another client is not affected");
        assert!(l.allow(a, t(61)), "the first attempt left the window");
    }
}
