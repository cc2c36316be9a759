//! ajil-web in-process (and once over a real socket) against an in-memory
//! store.

mod api;
mod pages;
mod resend;
mod signup;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ajil_mail::Signer;
use ajil_store::{EmailKind, NewEmail, Store};
use ajil_web::{AppState, BoxFuture, ConfirmRequest, ConfirmSender, router};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use tower::ServiceExt;

pub(crate) const PUBLIC_URL: &str = "https://ajil.example";
pub(crate) const SECRET: &[u8] = b"test link secret, 32 bytes long!";

/// Stores `article` as one of `story`'s.
pub(crate) async fn file(h: &Harness, article: ajil_store::NewArticle, story: ajil_model::StoryId) {
    let id = h.store.insert_article(&article).await.unwrap().unwrap();
    h.store.set_article_story(id, story, None).await.unwrap();
}

/// An article of news.example at `now()`, with guid and path `name`.
pub(crate) fn news(
    source_id: ajil_model::SourceId,
    name: &str,
    title: &str,
    lang: &str,
) -> ajil_store::NewArticle {
    ajil_store::NewArticle {
        source_id,
        guid: name.into(),
        url: format!("https://news.example/{name}"),
        canonical_url: None,
        title: title.into(),
        text: "نص".into(),
        summary: None,
        lang: lang.into(),
        published: now(),
        fetched_at: now(),
        author: None,
        wire: None,
        section: None,
        content_hash: u64::from(name.as_bytes()[0]),
        analysis: "{}".into(),
    }
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000, 0).unwrap()
}

/// Keeps every confirmation the web asked for and, like the binary, queues
/// an email row in the store (the per-address resend limit counts those).
#[derive(Default)]
pub(crate) struct Recorder(pub Mutex<Vec<ConfirmRequest>>, pub Option<Store>);

impl ConfirmSender for Recorder {
    fn queue_confirmation(&self, req: ConfirmRequest) -> BoxFuture<'_, Result<(), String>> {
        let email = NewEmail {
            kind: EmailKind::Confirm,
            subscriber_id: Some(req.subscriber.id),
            recipient: req.subscriber.email.clone(),
            message_id: format!(
                "confirm.{}.{}@ajil.example",
                req.subscription.id,
                self.0.lock().unwrap().len()
            ),
            subject: req.subscription.query.clone(),
            payload: "{}".into(),
        };
        self.0.lock().unwrap().push(req);
        let store = self.1.clone();
        Box::pin(async move {
            if let Some(store) = store {
                store
                    .enqueue_email(&email, now())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    }
}

pub(crate) struct Harness {
    pub(crate) app: Router,
    pub(crate) store: Store,
    pub(crate) sent: Arc<Recorder>,
    pub(crate) signer: Arc<Signer>,
}

pub(crate) async fn harness(api_token: Option<&str>) -> Harness {
    let store = Store::open_memory().await.unwrap();
    let sent = Arc::new(Recorder(Mutex::default(), Some(store.clone())));
    let signer = Arc::new(Signer::new(SECRET));
    let state = AppState::new(
        store.clone(),
        signer.clone(),
        PUBLIC_URL,
        b"csrf secret",
        sent.clone(),
    )
    .with_api_token(api_token.map(String::from))
    .with_clock(Arc::new(now));
    Harness {
        app: router(state),
        store,
        sent,
        signer,
    }
}

/// A response, read whole.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub(crate) async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    // minijinja escapes `/` in HTML; undo it so tests can look for URLs.
    let body = String::from_utf8(bytes.to_vec())
        .unwrap()
        .replace("&#x2f;", "/");
    Reply {
        status,
        headers,
        body,
    }
}

pub(crate) async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A form POST with an optional cookie.
pub(crate) async fn post_form(app: &Router, uri: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::from(body.to_string())).unwrap()).await
}

/// A request as if from `peer` (what `into_make_service_with_connect_info`
/// adds).
pub(crate) fn from_peer(mut req: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// The `name=value` part of the Set-Cookie header.
pub(crate) fn cookie_of(reply: &Reply) -> String {
    let set = reply
        .headers
        .get(header::SET_COOKIE)
        .expect("a Set-Cookie header")
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_string()
}

/// The value of the hidden `csrf` field in a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let start = html.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

/// Percent-encodes a form value.
pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
