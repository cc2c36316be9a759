//! WebSub end to end: a feed names a hub; a poll subscribes there; the hub
//! verifies the subscription at ajil's callback and then pushes the feed's
//! next version, signed, and the alert goes out without another poll.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ajil::config::{Config, Secret};
use ajil::pipeline::Pipeline;
use ajil_model::Cadence;
use ajil_store::Store;
use ajil_testkit::SmtpServer;
use axum::extract::State;
use hmac::{Hmac, Mac};

use crate::support::{Fixtures, subscribe};

/// What the test hub was asked: the callback, topic and secret of the last
/// subscription, whether the callback echoed the challenge, and how many
/// unsubscriptions the callback confirmed.
#[derive(Default)]
struct HubState {
    callback: String,
    topic: String,
    secret: String,
    verified: bool,
    unsubscribed: usize,
}

type Hub = Arc<Mutex<HubState>>;

/// A hub's subscription endpoint: takes the request (202), then verifies the
/// intent at the callback as the spec says, asynchronously.
async fn hub_subscribe(State(hub): State<Hub>, body: String) -> axum::http::StatusCode {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if get("hub.mode") == "unsubscribe" {
        let (callback, topic) = (get("hub.callback"), get("hub.topic"));
        tokio::spawn(async move {
            let url = url::Url::parse_with_params(
                &callback,
                [
                    ("hub.mode", "unsubscribe"),
                    ("hub.topic", topic.as_str()),
                    ("hub.challenge", "bye-42"),
                ],
            )
            .unwrap();
            let r = reqwest::get(url).await.unwrap();
            if r.status().as_u16() == 200 && r.text().await.unwrap() == "bye-42" {
                hub.lock().unwrap().unsubscribed += 1;
            }
        });
        return axum::http::StatusCode::ACCEPTED;
    }
    assert_eq!(get("hub.mode"), "subscribe");
    {
        let mut h = hub.lock().unwrap();
        h.callback = get("hub.callback");
        h.topic = get("hub.topic");
        h.secret = get("hub.secret");
    }
    tokio::spawn(async move {
        let (callback, topic) = {
            let h = hub.lock().unwrap();
            (h.callback.clone(), h.topic.clone())
        };
        let challenge = "c-1234567890";
        let url = url::Url::parse_with_params(
            &callback,
            [
                ("hub.mode", "subscribe"),
                ("hub.topic", topic.as_str()),
                ("hub.challenge", challenge),
                ("hub.lease_seconds", "3600"),
            ],
        )
        .unwrap();
        let r = reqwest::get(url).await.unwrap();
        let ok = r.status().as_u16() == 200 && r.text().await.unwrap() == challenge;
        hub.lock().unwrap().verified = ok;
    });
    axum::http::StatusCode::ACCEPTED
}

/// The feed, naming its hub and itself; each item's text is its title's
/// sentence repeated (long enough to stand as the article).
fn rss(hub: &str, topic: &str, items: &[(&str, &str)]) -> String {
    let mut xml = format!(
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>Wire</title>\
         <atom:link rel=\"hub\" href=\"{hub}\"/><atom:link rel=\"self\" href=\"{topic}\"/>"
    );
    for (guid, title) in items {
        let text = format!("{title}, officials said on Sunday. ").repeat(12);
        xml += &format!(
            "<item><guid>{guid}</guid><title>{title}</title><description>{text}</description></item>"
        );
    }
    xml + "</channel></rss>"
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac =
        <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

async fn push(callback: &str, body: &str, signature: &str) -> u16 {
    reqwest::Client::new()
        .post(callback)
        .header("content-type", "application/rss+xml")
        .header("x-hub-signature", signature)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_pushes_new_items_and_the_alert_goes_out_without_a_poll() {
    // The hub.
    let hub_state: Hub = Arc::default();
    let hub_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub_url = format!("http://{}/", hub_listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/", axum::routing::post(hub_subscribe))
        .with_state(hub_state.clone());
    tokio::spawn(async move { axum::serve(hub_listener, app).await.unwrap() });

    // The publisher's feed names the hub.
    let fx = Fixtures::start().await;
    let topic = format!("{}/feed.xml", fx.base());
    fx.put(
        "/feed.xml",
        "application/rss+xml",
        rss(
            &hub_url,
            &topic,
            &[("w1", "Floods close the northern highway")],
        ),
    );

    // ajil, reachable at its public URL.
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::defaults(dir.path()).unwrap();
    config.public_url = site.clone();
    config.websub = true;
    config.smtp_url = Some(Secret::new(smtp.url()));
    let store = Store::open(&config.db_path()).await.unwrap();
    let now = chrono::Utc::now();
    subscribe(
        &store,
        "a@example.org",
        "\"Iran deal\"",
        Cadence::Realtime,
        now,
    )
    .await;
    let source = store
        .add_source(&topic, "Wire", Duration::from_secs(300), now)
        .await
        .unwrap();
    let pipeline = Arc::new(Pipeline::new(config.clone(), store.clone()).await.unwrap());
    let app = ajil::web_glue::router(&config, pipeline.clone()).unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });

    // A poll reads the feed and subscribes at the hub, which verifies.
    let r = pipeline.run_cycle(now, true).await.unwrap();
    assert_eq!(r.new_articles, 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !hub_state.lock().unwrap().verified {
        assert!(
            std::time::Instant::now() < deadline,
            "the hub never verified the subscription"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (callback, secret) = {
        let h = hub_state.lock().unwrap();
        (h.callback.clone(), h.secret.clone())
    };
    assert_eq!(callback, format!("{site}/websub/{}", source.id));
    assert_eq!(hub_state.lock().unwrap().topic, topic);
    let sub = store.websub_of(source.id).await.unwrap().unwrap();
    assert!(sub.expires_at.is_some(), "the lease is recorded");
    let listed = tokio::process::Command::new(env!("CARGO_BIN_EXE_ajil"))
        .args(["sources", "list"])
        .env("AJIL_DATA", dir.path())
        .output()
        .await
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&format!("pushed by {hub_url} until ")),
        "{listed}"
    );
    assert!(secret.len() >= 32);
    // A second poll within the lease does not ask again.
    hub_state.lock().unwrap().verified = false;
    pipeline
        .run_cycle(now + chrono::TimeDelta::minutes(5), true)
        .await
        .unwrap();
    assert_eq!(
        store
            .websub_of(source.id)
            .await
            .unwrap()
            .unwrap()
            .requested_at,
        sub.requested_at
    );

    // Pushes: one forged, one signed.
    let forged = rss(
        &hub_url,
        &topic,
        &[("w9", "Forged: Iran deal collapses, markets crash")],
    );
    assert_eq!(push(&callback, &forged, &sign("wrong", &forged)).await, 202);
    let next = rss(
        &hub_url,
        &topic,
        &[
            ("w1", "Floods close the northern highway"),
            (
                "w2",
                "Negotiators close in on Iran deal after overnight talks",
            ),
        ],
    );
    assert_eq!(push(&callback, &next, &sign(&secret, &next)).await, 202);
    let got = tokio::task::block_in_place(|| smtp.wait_for(1, Duration::from_secs(30)));
    assert_eq!(got.len(), 1, "the pushed item was alerted without a poll");
    assert!(
        got[0]
            .subject()
            .unwrap()
            .contains("Iran deal after overnight talks"),
        "{:?}",
        got[0].subject()
    );
    let titles: Vec<String> = store
        .articles_since(now - chrono::TimeDelta::days(1))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Forged")),
        "{titles:?}"
    );
    assert_eq!(titles.len(), 2, "{titles:?}");

    // The callback refuses what it did not ask for.
    let wrong_topic = reqwest::get(format!(
        "{callback}?hub.mode=subscribe&hub.topic=http://other.example/&hub.challenge=x"
    ))
    .await
    .unwrap();
    assert_eq!(wrong_topic.status().as_u16(), 404);
    let unknown = push(&format!("{site}/websub/999"), &next, &sign(&secret, &next)).await;
    assert_eq!(unknown, 410);
    // Nor does it give up a subscription it keeps.
    let keep = reqwest::get(format!(
        "{callback}?hub.mode=unsubscribe&hub.topic={topic}&hub.challenge=x"
    ))
    .await
    .unwrap();
    assert_eq!(keep.status().as_u16(), 404);

    // Paused through the API: the hub is told to stop and the callback
    // confirms it; pushes are refused and polls leave the source out.
    let api = reqwest::Client::new();
    let paused = api
        .patch(format!("{site}/api/sources/{}", source.id))
        .header("content-type", "application/json")
        .body(r#"{"paused": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status().as_u16(), 200);
    let paused: serde_json::Value = serde_json::from_str(&paused.text().await.unwrap()).unwrap();
    assert!(paused["paused_at"].is_string(), "{paused}");
    wait_until(
        || hub_state.lock().unwrap().unsubscribed == 1,
        "unsubscribe on pause",
    )
    .await;
    assert_eq!(push(&callback, &next, &sign(&secret, &next)).await, 410);
    let later = now + chrono::TimeDelta::hours(2);
    let r = pipeline.run_cycle(later, true).await.unwrap();
    assert_eq!(r.sources_polled, 0, "a paused source is not polled");

    // Resumed: polled at once, and subscribed again.
    hub_state.lock().unwrap().verified = false;
    let resumed = api
        .patch(format!("{site}/api/sources/{}", source.id))
        .header("content-type", "application/json")
        .body(r#"{"paused": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status().as_u16(), 200);
    let r = pipeline.run_cycle(later, false).await.unwrap();
    assert_eq!(r.sources_polled, 1, "a resumed source is due at once");
    wait_until(
        || hub_state.lock().unwrap().verified,
        "subscription after resume",
    )
    .await;

    // Removed with the CLI: the hub is told to stop again.
    let removed = tokio::process::Command::new(env!("CARGO_BIN_EXE_ajil"))
        .args(["sources", "remove", &source.id.to_string()])
        .env("AJIL_DATA", dir.path())
        .output()
        .await
        .unwrap();
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    wait_until(
        || hub_state.lock().unwrap().unsubscribed == 2,
        "unsubscribe on removal",
    )
    .await;
}

async fn wait_until(done: impl Fn() -> bool, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
