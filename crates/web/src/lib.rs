//! ajil's web face: the signup and subscription pages (Arabic and English)
//! and the operator's JSON API, as one axum [`Router`].
//!
//! In: an [`AppState`] holding the [`Store`], the link [`Signer`] and a
//! [`ConfirmSender`] through which the binary queues confirmation emails.
//! Out: [`router`], ready to serve. The crate does no I/O besides HTTP and
//! the store; it never sends mail itself.
//!
//! Pages (`?lang=ar|en` or `Accept-Language` picks the language, Arabic by
//! default; Arabic pages are `dir="rtl"`):
//!
//! | route | what |
//! | --- | --- |
//! | `GET /`, `POST /subscribe` | signup form; creates a pending subscription and asks for a confirmation email |
//! | `GET`/`POST /confirm/{token}` | shows a button; only the POST confirms (link scanners only GET) |
//! | `GET /manage/{token}`, `POST /manage/{token}/remove/{id}` | a subscriber's subscriptions, with remove buttons |
//! | `GET`/`POST /unsubscribe/{token}` | stop all mail; the POST is also the RFC 8058 one-click target |
//! | `GET /stories`, `/stories/{id}`, `/sources` | recent stories and source health |
//! | `GET /healthz` | `ok` when the database answers |
//! | `GET /admin/suppressions` | addresses suppressed by bounces or complaints, with the reason (API access rule) |
//! | `GET`/`POST /admin/sources`, `POST /admin/sources/{id}/remove` | add (checked first) and remove sources (API access rule) |
//! | `GET /admin/outbox` | the email outbox: counts, emails in trouble, the latest (API access rule) |
//! | `GET`/`POST /admin/login` | with a token set, signs a browser in to the `/admin/` pages (see `admin_auth`) |
//! | `GET /metrics` | Prometheus metrics (API access rule) |
//! | `GET`/`POST /websub/{source}` | WebSub: a hub verifies a subscription, then pushes the feed (signed) |
//!
//! The JSON API under `/api/` is described in [`api`]; its errors are
//! `{"error": …, "hint": …}` with a fitting status code.
//!
//! **Link tokens** come from [`links`]: `Confirm` tokens carry a subscription
//! id and expire after [`links::CONFIRM_TTL_DAYS`] days; `Manage` and
//! `Unsubscribe` tokens carry a subscriber id and do not expire, because they
//! sit in every alert email.
//!
//! **CSRF**: forms that change state on behalf of a browser session (signup,
//! removing a subscription) carry a signed double-submit token, see [`csrf`].
//! The confirm and unsubscribe buttons need none: the signed link itself is
//! the capability, and RFC 8058 one-click posts come from mail providers that
//! cannot know a form token.

mod admin_auth;
pub mod api;
mod csrf;
mod error;
mod forms;
mod i18n;
pub mod limits;
pub mod links;
mod query_check;
pub mod search;
mod templates;
mod ui;
mod websub;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use ajil_mail::Signer;
use ajil_store::{Store, Subscriber, Subscription};
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use chrono::{DateTime, Utc};

pub use i18n::Lang;

/// A boxed future, as [`ConfirmSender`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The clock the handlers read; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What the web asks the binary to mail after a signup.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmRequest {
    /// The address, as stored.
    pub subscriber: Subscriber,
    /// The pending subscription to confirm (new, or the newest pending one
    /// when the confirmation is sent again).
    pub subscription: Subscription,
    /// The language of the email: the signup page's, or on a resend the one
    /// stored for the subscriber.
    pub lang: Lang,
    /// The link that confirms it: `{public_url}/confirm/{token}`.
    pub confirm_url: String,
    /// The link that stops all mail to this address (for the footer and the
    /// `List-Unsubscribe` header).
    pub unsubscribe_url: String,
}

/// Queues confirmation emails; the binary implements it (typically by
/// rendering the email and calling `Store::enqueue_email`).
pub trait ConfirmSender: Send + Sync {
    /// Queues the confirmation email described by `req`. An `Err` is logged
    /// and the visitor sees a generic error page.
    fn queue_confirmation(&self, req: ConfirmRequest) -> BoxFuture<'_, Result<(), String>>;
}

/// What checking a new source's address found (see [`SourceChecker`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceCheck {
    /// The address to add: the one given, or the feed a web page advertises.
    pub url: String,
    /// What the address is: `feed`, `sitemap_index`, `page`, `advertised_feed`,
    /// or `unchecked` when the server could not be reached now.
    pub kind: String,
    /// One sentence for the person adding it.
    pub note: String,
}

/// Fetches a would-be source once to say what it is; the binary implements it
/// (the web crate does no fetching of its own).
pub trait SourceChecker: Send + Sync {
    /// Checks `url`; with `keep_page`, a web page that advertises a feed stays
    /// the source. An `Err` says why the address cannot be followed and what
    /// to give instead.
    fn check(&self, url: String, keep_page: bool) -> BoxFuture<'_, Result<SourceCheck, String>>;
}

/// Renders the service's metrics in the Prometheus text format; the binary
/// implements it (the counters live in the pipeline).
pub trait MetricsSource: Send + Sync {
    /// The whole exposition text, or why it could not be made.
    fn render(&self) -> BoxFuture<'_, Result<String, String>>;
}

/// Takes a feed a WebSub hub pushed for a source (its signature already
/// checked); the binary implements it by handing the feed to the pipeline.
pub trait PushReceiver: Send + Sync {
    /// Takes `body` for `source`; should return quickly (the hub waits).
    fn receive(
        &self,
        source: ajil_model::SourceId,
        body: Vec<u8>,
        content_type: Option<String>,
    ) -> BoxFuture<'_, Result<(), String>>;
}

/// Removes and changes sources for the API and the operator pages. The
/// binary implements it over the pipeline, which also tells a source's
/// WebSub hub to stop pushing it; without one, the store is changed alone.
pub trait SourceKeeper: Send + Sync {
    /// Removes a source and its articles.
    fn remove(&self, id: ajil_model::SourceId)
    -> BoxFuture<'_, Result<(), ajil_store::StoreError>>;
    /// Renames, re-times, re-sections, pauses or resumes a source.
    fn update(
        &self,
        id: ajil_model::SourceId,
        changes: ajil_store::SourceChanges,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, Result<ajil_store::Source, ajil_store::StoreError>>;
}

/// Everything the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Signs and checks the tokens in confirm, manage and unsubscribe links.
    pub signer: Arc<Signer>,
    /// The public base URL, without a trailing slash (e.g. `https://ajil.example`).
    pub public_url: String,
    /// Key for the CSRF tokens; any length, at least 32 random bytes advised.
    /// It may be the link secret: both MACs are domain-separated.
    pub csrf_secret: Arc<[u8]>,
    /// Queues confirmation emails.
    pub confirm_sender: Arc<dyn ConfirmSender>,
    /// Bearer token for `/api/`; when `None`, the API answers only to
    /// loopback peers (see [`api`]).
    pub api_token: Option<String>,
    /// Checks sources added through the API; when `None` they are added
    /// as given.
    pub source_checker: Option<Arc<dyn SourceChecker>>,
    /// Serves `GET /metrics` (behind the API's access rule); when `None`
    /// the route answers 404.
    pub metrics: Option<Arc<dyn MetricsSource>>,
    /// Takes WebSub pushes at `/websub/{source}`; when `None` they are
    /// answered 503.
    pub push_receiver: Option<Arc<dyn PushReceiver>>,
    /// Removes and changes sources; when `None`, the store is changed alone
    /// (see [`AppState::remove_source`]).
    pub source_keeper: Option<Arc<dyn SourceKeeper>>,
    /// The time source.
    pub clock: Clock,
    /// Per-IP limit on signups.
    pub signup_limiter: Arc<limits::IpLimiter>,
    /// Per-IP limit on confirmation resends.
    pub resend_limiter: Arc<limits::IpLimiter>,
    /// Per-IP limit on trying queries on the stories page.
    pub search_limiter: Arc<limits::IpLimiter>,
    /// Lets one query preview read reports at a time (each is CPU work).
    pub search_gate: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// A state with the system clock and no API token.
    pub fn new(
        store: Store,
        signer: Arc<Signer>,
        public_url: impl Into<String>,
        csrf_secret: &[u8],
        confirm_sender: Arc<dyn ConfirmSender>,
    ) -> AppState {
        AppState {
            source_keeper: None,
            store,
            signer,
            public_url: public_url.into().trim_end_matches('/').to_string(),
            csrf_secret: csrf_secret.into(),
            confirm_sender,
            api_token: None,
            source_checker: None,
            metrics: None,
            push_receiver: None,
            clock: Arc::new(Utc::now),
            signup_limiter: Arc::default(),
            resend_limiter: Arc::new(limits::IpLimiter::new(limits::RESENDS_PER_IP)),
            search_limiter: Arc::new(limits::IpLimiter::new(limits::SEARCHES_PER_IP)),
            search_gate: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Requires `Authorization: Bearer {token}` on the API (an empty token
    /// counts as none).
    #[must_use]
    pub fn with_api_token(mut self, token: Option<String>) -> AppState {
        self.api_token = token.filter(|t| !t.is_empty());
        self
    }

    /// Checks each source added through the API before it is stored.
    #[must_use]
    pub fn with_source_checker(mut self, checker: Arc<dyn SourceChecker>) -> AppState {
        self.source_checker = Some(checker);
        self
    }

    /// Serves the metrics `source` renders at `GET /metrics`.
    #[must_use]
    pub fn with_metrics(mut self, source: Arc<dyn MetricsSource>) -> AppState {
        self.metrics = Some(source);
        self
    }

    /// Hands feeds WebSub hubs push to `receiver`.
    #[must_use]
    pub fn with_push_receiver(mut self, receiver: Arc<dyn PushReceiver>) -> AppState {
        self.push_receiver = Some(receiver);
        self
    }

    /// Removes and changes sources through `keeper`.
    #[must_use]
    pub fn with_source_keeper(mut self, keeper: Arc<dyn SourceKeeper>) -> AppState {
        self.source_keeper = Some(keeper);
        self
    }

    /// Removes a source through the [`SourceKeeper`], or from the store alone.
    pub(crate) async fn remove_source(
        &self,
        id: ajil_model::SourceId,
    ) -> Result<(), ajil_store::StoreError> {
        match &self.source_keeper {
            Some(keeper) => keeper.remove(id).await,
            None => self.store.remove_source(id).await,
        }
    }

    /// Changes a source through the [`SourceKeeper`], or in the store alone.
    pub(crate) async fn update_source(
        &self,
        id: ajil_model::SourceId,
        changes: ajil_store::SourceChanges,
    ) -> Result<ajil_store::Source, ajil_store::StoreError> {
        let now = self.now();
        match &self.source_keeper {
            Some(keeper) => keeper.update(id, changes, now).await,
            None => self.store.update_source(id, &changes, now).await,
        }
    }

    /// Replaces the clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Whether cookies should be marked `Secure`.
    pub(crate) fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("public_url", &self.public_url)
            .field("api_token", &self.api_token.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// The whole site: pages, `/healthz` and `/api/`.
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()` so the
/// API can tell loopback peers when no API token is set; without that
/// information the token-less API refuses every request.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(ui::routes(state.clone()))
        .nest("/api", api::routes(state.clone()))
        .nest("/admin", api::admin_routes(state.clone()))
        .merge(api::metrics_routes(state.clone()))
        .route(
            "/websub/{source}",
            axum::routing::get(websub::verify)
                .post(websub::push)
                .layer(axum::extract::DefaultBodyLimit::max(websub::MAX_PUSH_BYTES)),
        )
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Headers every response gets: no framing (the one-button pages must not be
/// clickjacked), no referrer (page URLs hold link tokens), no sniffing.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    res
}

/// The peer address axum records when served with connect info.
pub(crate) type Peer = axum::extract::ConnectInfo<SocketAddr>;

/// Joins an error and its sources into one line, for logs.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}
