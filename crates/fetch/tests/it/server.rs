//! Each test starts an axum server on 127.0.0.1 with a port the OS picks.

use std::convert::Infallible;
use std::io::Write;
use std::time::Duration;

use ajil_fetch::{FetchError, FetchOptions, FetchOutcome, Fetcher, Validators};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

const FEED: &str = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>";

async fn etag(headers: HeaderMap) -> Response {
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some("\"v1\"")
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, "\"v1\""),
            (header::LAST_MODIFIED, "Wed, 01 May 2024 10:00:00 GMT"),
            (
                header::CONTENT_TYPE,
                "application/rss+xml; charset=windows-1256",
            ),
        ],
        FEED,
    )
        .into_response()
}

async fn since(headers: HeaderMap) -> Response {
    match headers.get(header::IF_MODIFIED_SINCE) {
        Some(v) if v == "Wed, 01 May 2024 10:00:00 GMT" => StatusCode::NOT_MODIFIED.into_response(),
        _ => (
            [(header::LAST_MODIFIED, "Wed, 01 May 2024 10:00:00 GMT")],
            FEED,
        )
            .into_response(),
    }
}

async fn gzip(headers: HeaderMap) -> Response {
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    assert!(accepts, "client must offer gzip");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(FEED.repeat(100).as_bytes()).unwrap();
    let body = enc.finish().unwrap();
    (
        [
            (header::CONTENT_ENCODING, "gzip"),
            (header::CONTENT_TYPE, "text/xml"),
        ],
        body,
    )
        .into_response()
}

/// A body with no declared length that never ends: only a streaming cap stops it.
async fn endless() -> Response {
    let chunk = Bytes::from(vec![b'x'; 16 * 1024]);
    let stream = futures_util::stream::repeat_with(move || Ok::<_, Infallible>(chunk.clone()));
    Body::from_stream(stream).into_response()
}

/// A body whose declared length is over the cap.
async fn declared_big() -> Response {
    vec![b'y'; 256 * 1024].into_response()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    FEED
}

async fn server_error() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "120")],
        "down",
    )
        .into_response()
}

async fn serve() -> String {
    let app = Router::new()
        .route("/etag", get(etag))
        .route("/since", get(since))
        .route("/gzip", get(gzip))
        .route("/endless", get(endless))
        .route("/big", get(declared_big))
        .route("/slow", get(slow))
        .route("/503", get(server_error))
        .route("/500", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/429", get(|| async { StatusCode::TOO_MANY_REQUESTS }))
        .route("/404", get(|| async { StatusCode::NOT_FOUND }))
        .route("/410", get(|| async { StatusCode::GONE }))
        .route("/moved", get(|| async { Redirect::permanent("/etag") }))
        .route("/loop", get(|| async { Redirect::temporary("/loop") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions {
        max_bytes: 128 * 1024,
        timeout: Duration::from_secs(10),
        ..FetchOptions::default()
    })
    .unwrap()
}

fn fetched(outcome: FetchOutcome) -> ajil_fetch::Response {
    match outcome {
        FetchOutcome::Fetched(r) => r,
        FetchOutcome::NotModified => panic!("expected a body, got 304"),
    }
}

#[tokio::test]
async fn etag_then_not_modified() {
    let base = serve().await;
    let f = fetcher();
    let url = format!("{base}/etag");
    let first = fetched(f.fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(first.status, 200);
    assert_eq!(first.body, FEED.as_bytes());
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.last_modified.as_deref(),
        Some("Wed, 01 May 2024 10:00:00 GMT")
    );
    assert_eq!(first.charset.as_deref(), Some("windows-1256"));
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/rss+xml; charset=windows-1256")
    );
    assert_eq!(first.final_url, url);
    let again = f.fetch(&url, &first.validators()).await.unwrap();
    assert_eq!(again, FetchOutcome::NotModified);
}

#[tokio::test]
async fn last_modified_then_not_modified() {
    let base = serve().await;
    let f = fetcher();
    let url = format!("{base}/since");
    let first = fetched(f.fetch(&url, &Validators::default()).await.unwrap());
    assert_eq!(first.etag, None);
    assert_eq!(
        f.fetch(&url, &first.validators()).await.unwrap(),
        FetchOutcome::NotModified
    );
}

#[tokio::test]
async fn gzip_body_is_decoded() {
    let base = serve().await;
    let got = fetched(
        fetcher()
            .fetch(&format!("{base}/gzip"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(got.body, FEED.repeat(100).as_bytes());
}

#[tokio::test]
async fn endless_body_stops_at_the_cap() {
    let base = serve().await;
    let url = format!("{base}/endless");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    match &err {
        FetchError::TooLarge { url: u, limit } => {
            assert_eq!(u, &url);
            assert_eq!(*limit, 128 * 1024);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn declared_length_over_the_cap_is_refused() {
    let base = serve().await;
    let err = fetcher()
        .fetch(&format!("{base}/big"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn slow_server_times_out() {
    let base = serve().await;
    let f = Fetcher::new(FetchOptions {
        timeout: Duration::from_millis(300),
        ..FetchOptions::default()
    })
    .unwrap();
    let url = format!("{base}/slow");
    let err = f.fetch(&url, &Validators::default()).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&url));
}

#[tokio::test]
async fn server_errors_are_retryable_and_carry_retry_after() {
    let base = serve().await;
    let f = fetcher();
    let err = f
        .fetch(&format!("{base}/503"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    for path in ["/500", "/429"] {
        let err = f
            .fetch(&format!("{base}{path}"), &Validators::default())
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{path}: {err:?}");
        assert_eq!(err.retry_after(), None);
    }
}

#[tokio::test]
async fn missing_feeds_are_not_retryable() {
    let base = serve().await;
    for (path, code) in [("/404", 404), ("/410", 410)] {
        let url = format!("{base}{path}");
        let err = fetcher()
            .fetch(&url, &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::Status { status, .. } if status == code),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        assert_eq!(err.url(), Some(url.as_str()));
        assert!(err.to_string().contains("remove the source"), "{err}");
    }
}

#[tokio::test]
async fn redirects_are_followed_and_limited() {
    let base = serve().await;
    let f = fetcher();
    let got = fetched(
        f.fetch(&format!("{base}/moved"), &Validators::default())
            .await
            .unwrap(),
    );
    assert_eq!(got.final_url, format!("{base}/etag"));
    let err = f
        .fetch(&format!("{base}/loop"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn unreachable_port_is_a_connection_error() {
    // Take a free port from the OS, then close it so nothing listens there.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}/feed");
    let err = fetcher()
        .fetch(&url, &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&url), "{err}");
}
