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
    crate::support::put_news_site(&fx);
    fx.put(
        "/feed.xml",
        "application/rss+xml",
        "<rss version=\"2.0\"><channel><title>Wire</title><item><guid>1</guid>\
         <title>Talks begin</title></item></channel></rss>",
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

/// The value of the first sample of `metric` (name and labels as written).
fn sample(text: &str, metric: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(metric)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_the_pipeline_did() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    let text = crate::support::full_text();
    fx.put(
        "/feed.xml",
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><guid>m1</guid>\
             <title>Roads reopen in the northern province</title><link>{base}/m1</link>\
             <description>{text}</description>\
             <pubDate>Sun, 29 Nov 2026 12:50:00 GMT</pubDate></item></channel></rss>"
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(dir.path()).unwrap();
    let store = Store::open(&config.db_path()).await.unwrap();
    store
        .add_source(
            &format!("{base}/feed.xml"),
            "metrics",
            std::time::Duration::from_secs(300),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let pipeline = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let t = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 29, 13, 0, 0).unwrap();
    let r = pipeline.run_cycle(t, true).await.unwrap();
    assert_eq!(r.new_articles, 1);

    let api = serve(&config, store.clone()).await;
    let res = reqwest::get(format!("{api}/metrics")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let body = res.text().await.unwrap();
    // Counters are the process's (other tests in it count too): at least this cycle's.
    assert!(
        sample(&body, "ajil_articles_total").unwrap() >= 1.0,
        "{body}"
    );
    assert!(sample(&body, "ajil_cycles_total").unwrap() >= 1.0, "{body}");
    assert!(
        sample(&body, "ajil_source_fetches_total{outcome=\"fetched\"}").unwrap() >= 1.0,
        "{body}"
    );
    assert!(body.contains("# HELP ajil_article_delay_seconds"), "{body}");
    assert!(
        body.contains("ajil_cycle_seconds_bucket{le=\"0.5\"}"),
        "{body}"
    );
    // Gauges are read from this store at the scrape.
    assert_eq!(
        sample(&body, "ajil_sources{health=\"ok\"}"),
        Some(1.0),
        "{body}"
    );
    assert_eq!(
        sample(&body, "ajil_sources{health=\"failing\"}"),
        Some(0.0),
        "{body}"
    );
    assert_eq!(sample(&body, "ajil_sources_quiet"), Some(0.0), "{body}");
    assert_eq!(
        sample(&body, "ajil_outbox_emails{status=\"pending\"}"),
        Some(0.0),
        "{body}"
    );

    // With a token, the scraper must send it.
    config.api_token = Some(ajil::config::Secret::new("s3cret"));
    let api = serve(&config, store).await;
    let res = reqwest::get(format!("{api}/metrics")).await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = reqwest::Client::new()
        .get(format!("{api}/metrics"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

/// A form post with the CSRF cookie and token a page handed out.
async fn post_form(url: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    // The pages escape "/" in text; read them as a browser shows them.
    let html = r.text().await.unwrap().replace("&#x2f;", "/");
    (status, html)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_adds_and_removes_sources_from_the_browser() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    crate::support::put_news_site(&fx);
    let dir = tempfile::tempdir().unwrap();
    let config = Config::defaults(dir.path()).unwrap();
    let store = Store::open(&config.db_path()).await.unwrap();
    let site = serve(&config, store.clone()).await;
    let admin = format!("{site}/admin/sources?lang=en");

    let r = reqwest::get(&admin).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("Manage sources") && html.contains("No sources yet."));
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .unwrap()[1]
        .to_string();

    // A page that advertises a feed: the feed is added.
    let news = format!("{base}/news");
    let (status, html) = post_form(&admin, &cookie, &[("csrf", &csrf), ("url", &news)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Source added:") && html.contains(&format!("{base}/news/rss.xml")),
        "{html}"
    );
    // Nothing to follow: refused with the reason, the address kept in the form.
    let empty = format!("{base}/empty");
    let (status, html) = post_form(&admin, &cookie, &[("csrf", &csrf), ("url", &empty)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("no article links or feeds"), "{html}");
    assert!(html.contains(&format!("value=\"{empty}\"")), "{html}");
    // The same feed again, and an address that is not one.
    let (status, html) = post_form(&admin, &cookie, &[("csrf", &csrf), ("url", &news)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("already there"), "{html}");
    let (status, html) =
        post_form(&admin, &cookie, &[("csrf", &csrf), ("url", "news.example")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Not a full http(s) address"), "{html}");
    // Without the form token: refused, nothing added.
    let (status, _) = post_form(&admin, &cookie, &[("url", &empty)]).await;
    assert_eq!(status, 403);
    let sources = store.list_sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert!(
        !html.contains("Sign out"),
        "no token, nothing to sign out of"
    );

    // Paused and resumed.
    let pause = format!("{site}/admin/sources/{}/pause?lang=en", sources[0].id);
    let (status, html) = post_form(&pause, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Source paused")
            && html.contains("Paused since")
            && html.contains(">Resume<"),
        "{html}"
    );
    assert!(
        store
            .get_source(sources[0].id)
            .await
            .unwrap()
            .paused_at
            .is_some()
    );
    let public = reqwest::get(format!("{site}/sources?lang=en"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains("Paused since"), "{public}");
    let (status, _) = post_form(
        &pause.replace("/pause", "/explode"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post_form(&pause.replace("/pause", "/resume"), &cookie, &[]).await;
    assert_eq!(status, 403, "resuming needs the form token too");
    let (status, html) = post_form(
        &pause.replace("/pause", "/resume"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Source resumed") && html.contains(">Pause<"),
        "{html}"
    );
    assert!(
        store
            .get_source(sources[0].id)
            .await
            .unwrap()
            .paused_at
            .is_none()
    );

    // Edited: a moved address, a new name, a section and an interval.
    let edit = pause.replace("/pause", "/edit");
    let moved = format!("{base}/news/moved.xml");
    let fields = |url: &str, interval: &str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("url".to_string(), url.to_string()),
            ("name".to_string(), "Nouvelles".to_string()),
            ("section".to_string(), "sport".to_string()),
            ("interval".to_string(), interval.to_string()),
        ]
    };
    let f = fields(&moved, "600");
    let (status, html) = post_form(&edit, &cookie, &refs(&f)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Source saved: Nouvelles"), "{html}");
    let got = store.get_source(sources[0].id).await.unwrap();
    assert_eq!(
        (
            got.url.as_str(),
            got.name.as_str(),
            got.section.as_deref(),
            got.interval_secs
        ),
        (moved.as_str(), "Nouvelles", Some("sport"), 600)
    );
    let (status, html) = post_form(&edit, &cookie, &refs(&f)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Nothing changed."), "{html}");
    let f = fields(&moved, "5");
    let (status, html) = post_form(&edit, &cookie, &refs(&f)).await;
    assert_eq!(status, 422);
    assert!(html.contains("60 or more"), "{html}");
    let (status, _) = post_form(&edit, &cookie, &[("url", &moved)]).await;
    assert_eq!(status, 403, "editing needs the form token too");

    let remove = format!("{site}/admin/sources/{}/remove?lang=ar", sources[0].id);
    let (status, html) = post_form(&remove, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("dir=\"rtl\"") && html.contains("حُذف المصدر."),
        "{html}"
    );
    assert!(store.list_sources().await.unwrap().is_empty());
}

/// Form fields as `post_form` takes them.
fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect()
}
