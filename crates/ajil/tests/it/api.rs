//! The JSON API as `ajil serve` wires it: sources added over HTTP are checked
//! against the real site first, as `ajil sources add` checks them.

use std::sync::Arc;

use ajil::config::Config;
use ajil::pipeline::Pipeline;
use ajil_store::Store;
use serde_json::{Value, json};

use crate::support::Fixtures;

/// Serves the wired router on a free loopback port; returns its base URL.
async fn serve(config: &Config, store: Store) -> String {
    let pipeline = Arc::new(Pipeline::new(config.clone(), store).await.unwrap());
    let app = ajil::web_glue::router(config, pipeline).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    base
}

async fn post(api: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{api}/api/sources"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_added_over_the_api_are_checked_first() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    fx.put(
        "/news",
        "text/html; charset=utf-8",
        "<html><head><title>News</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Top stories\" href=\"/news/rss.xml\">\
         </head><body><p>Latest</p></body></html>",
    );
    fx.put(
        "/feed.xml",
        "application/rss+xml",
        "<rss version=\"2.0\"><channel><title>Wire</title><item><guid>1</guid>\
         <title>Talks begin</title></item></channel></rss>",
    );
    fx.put(
        "/empty",
        "text/html",
        "<html><body><p>Nothing to follow here</p></body></html>",
    );
    let dir = tempfile::tempdir().unwrap();
    let config = Config::defaults(dir.path()).unwrap();
    let store = Store::open(&config.db_path()).await.unwrap();
    let api = serve(&config, store.clone()).await;

    let (status, body) = post(&api, json!({"url": format!("{base}/feed.xml")})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["check"]["kind"], "feed", "{body}");
    assert!(
        body["check"]["note"]
            .as_str()
            .unwrap()
            .contains("feed \"Wire\" with 1 items"),
        "{body}"
    );

    // A page that advertises a feed: the feed is added, unless the page is wanted.
    let (status, body) = post(&api, json!({"url": format!("{base}/news")})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["url"], format!("{base}/news/rss.xml"), "{body}");
    assert_eq!(body["check"]["kind"], "advertised_feed", "{body}");
    let (status, body) = post(
        &api,
        json!({"url": format!("{base}/news"), "page": true, "name": "front page"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["url"], format!("{base}/news"), "{body}");

    // Nothing to follow: refused with what to do, unless the check is skipped.
    let (status, body) = post(&api, json!({"url": format!("{base}/empty")})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no article links or feeds"),
        "{body}"
    );
    assert!(
        body["hint"].as_str().unwrap().contains("\"check\": false"),
        "{body}"
    );
    let (status, body) = post(
        &api,
        json!({"url": format!("{base}/empty"), "check": false}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("check").is_none(), "{body}");

    // A server that is down now: added as given, and the answer says so.
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (status, body) = post(&api, json!({"url": format!("http://{down}/rss")})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["check"]["kind"], "unchecked", "{body}");

    let urls: Vec<String> = store
        .list_sources()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.url)
        .collect();
    assert_eq!(
        urls,
        [
            format!("{base}/feed.xml"),
            format!("{base}/news/rss.xml"),
            format!("{base}/news"),
            format!("{base}/empty"),
            format!("http://{down}/rss"),
        ]
    );
}
