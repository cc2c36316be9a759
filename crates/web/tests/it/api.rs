//! The JSON API: shapes, errors and access.

use ajil_model::StoryId;
use ajil_store::{StoryRow, StoryState};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::*;

const TOKEN: &str = "s3cret-api-token";

fn api(method: Method, uri: &str, body: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

fn assert_error(reply: &Reply, status: StatusCode, needle: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let json = reply.json();
    let error = json["error"].as_str().expect("an error field");
    assert!(error.contains(needle), "{error:?} lacks {needle:?}");
    assert!(json["hint"].as_str().is_some_and(|h| !h.is_empty()));
}

#[tokio::test]
async fn sources_crud_and_errors() {
    let h = harness(Some(TOKEN)).await;
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "https://news.example/rss", "name": "أخبار"}"#),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    assert_eq!(created["url"], "https://news.example/rss");
    assert_eq!(created["name"], "أخبار");
    assert_eq!(created["interval_secs"], 300);
    assert_eq!(created["consecutive_failures"], 0);
    assert!(created["last_error"].is_null());
    let id = created["id"].as_i64().unwrap();

    let dup = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "https://news.example/rss"}"#),
        ),
    )
    .await;
    assert_error(&dup, StatusCode::CONFLICT, "already exists");

    let bad = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "ftp://x.example/"}"#),
        ),
    )
    .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "ftp://x.example/");
    let bad = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "https://x.example/", "interval_secs": 5}"#),
        ),
    )
    .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "interval_secs 5");
    let bad = send(&h.app, api(Method::POST, "/api/sources", Some("{not json"))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.json()["hint"]
            .as_str()
            .unwrap()
            .contains("interval_secs")
    );

    let unnamed = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "https://other.example/feed"}"#),
        ),
    )
    .await;
    assert_eq!(unnamed.json()["name"], "other.example");

    let list = send(&h.app, api(Method::GET, "/api/sources", None)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 2);

    // Changed field by field; what is left out stays.
    let uri = format!("/api/sources/{id}");
    let patch = |body: &str| api(Method::PATCH, &uri, Some(body));
    let r = send(
        &h.app,
        patch(r#"{"name": "Agence", "interval_secs": 900, "section": "sport"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = r.json();
    assert_eq!(
        (&got["name"], &got["interval_secs"], &got["section"]),
        (&"Agence".into(), &900.into(), &"sport".into())
    );
    assert!(got["paused_at"].is_null());
    let r = send(&h.app, patch(r#"{"paused": true}"#)).await;
    let got = r.json();
    assert!(got["paused_at"].is_string(), "{got}");
    assert_eq!(got["section"], "sport", "untouched fields stay");
    let r = send(&h.app, patch(r#"{"section": null, "paused": false}"#)).await;
    let got = r.json();
    assert!(
        got["section"].is_null() && got["paused_at"].is_null(),
        "{got}"
    );
    assert_error(
        &send(&h.app, patch(r#"{"name": " "}"#)).await,
        StatusCode::BAD_REQUEST,
        "source name",
    );
    let r = send(&h.app, patch(r#"{"url": "https://moved.example/rss"}"#)).await;
    assert_eq!(r.json()["url"], "https://moved.example/rss", "{}", r.body);
    assert_error(
        &send(&h.app, patch(r#"{"url": "gopher://x"}"#)).await,
        StatusCode::BAD_REQUEST,
        "source address",
    );
    assert_error(
        &send(&h.app, patch(r#"{"interval_secs": 10}"#)).await,
        StatusCode::BAD_REQUEST,
        "interval_secs 10",
    );
    assert_error(
        &send(&h.app, patch(r#"{"paused": "yes"}"#)).await,
        StatusCode::BAD_REQUEST,
        "paused",
    );
    assert_error(
        &send(
            &h.app,
            api(
                Method::PATCH,
                "/api/sources/999",
                Some(r#"{"paused": true}"#),
            ),
        )
        .await,
        StatusCode::NOT_FOUND,
        "source 999 not found",
    );
    // A section given when the source is added.
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/sources",
            Some(r#"{"url": "https://news.example/sport.xml", "section": "sport"}"#),
        ),
    )
    .await;
    assert_eq!(r.json()["section"], "sport", "{}", r.body);
    let sport = r.json()["id"].as_i64().unwrap();
    send(
        &h.app,
        api(Method::DELETE, &format!("/api/sources/{sport}"), None),
    )
    .await;

    let del = send(&h.app, api(Method::DELETE, &uri, None)).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let again = send(&h.app, api(Method::DELETE, &uri, None)).await;
    assert_error(
        &again,
        StatusCode::NOT_FOUND,
        &format!("source {id} not found"),
    );
    let junk = send(&h.app, api(Method::DELETE, "/api/sources/abc", None)).await;
    assert_error(&junk, StatusCode::BAD_REQUEST, "\"abc\"");
}

#[tokio::test]
async fn stories_subscriptions_and_emails() {
    let h = harness(Some(TOKEN)).await;
    for (id, minutes_ago) in [(1, 120), (2, 10)] {
        h.store
            .upsert_story(&StoryRow {
                id: StoryId(id),
                title: format!("story {id}"),
                lang: "en".into(),
                first_seen: now() - chrono::Duration::minutes(minutes_ago),
                last_seen: now() - chrono::Duration::minutes(minutes_ago),
                article_count: 2,
                outlet_count: 2,
                independent_outlets: 1,
                state: StoryState::Developing,
                breaking_at: None,
            })
            .await
            .unwrap();
    }
    let all = send(&h.app, api(Method::GET, "/api/stories", None)).await;
    assert_eq!(all.status, StatusCode::OK);
    let ids: Vec<_> = all
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 1], "newest first");
    assert_eq!(all.json()[0]["state"], "developing");

    let since = (now() - chrono::Duration::minutes(30)).to_rfc3339();
    let recent = send(
        &h.app,
        api(
            Method::GET,
            &format!("/api/stories?since={}&limit=5", enc(&since)),
            None,
        ),
    )
    .await;
    assert_eq!(recent.json().as_array().unwrap().len(), 1);
    let bad = send(
        &h.app,
        api(Method::GET, "/api/stories?since=yesterday", None),
    )
    .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "yesterday");
    let bad = send(&h.app, api(Method::GET, "/api/stories?limit=0", None)).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "limit");

    let one = send(&h.app, api(Method::GET, "/api/stories/2", None)).await;
    let json = one.json();
    assert_eq!(json["id"], 2);
    assert_eq!(json["articles"], serde_json::json!([]));
    assert_eq!(json["outlets"], serde_json::json!([]));
    let missing = send(&h.app, api(Method::GET, "/api/stories/9", None)).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "story 9");

    // An Arabic report in story 2: with `lang=ar` the story is titled by it.
    let src = h
        .store
        .add_source(
            "https://news.example/rss",
            "news",
            std::time::Duration::from_secs(300),
            now(),
        )
        .await
        .unwrap();
    file(&h, news(src.id, "q", "قمة في هلسنكي", "ar"), StoryId(2)).await;
    let titled = send(&h.app, api(Method::GET, "/api/stories?lang=ar", None)).await;
    assert_eq!(titled.json()[0]["title"], "قمة في هلسنكي");
    let one = send(&h.app, api(Method::GET, "/api/stories/2", None)).await;
    assert_eq!(one.json()["outlets"][0]["name"], "news", "{}", one.body);
    assert_eq!(one.json()["outlets"][0]["reprint"], false);
    assert_eq!(titled.json()[0]["lang"], "ar");
    assert_eq!(titled.json()[1]["title"], "story 1");
    let one = send(&h.app, api(Method::GET, "/api/stories/2?lang=ar", None)).await;
    assert_eq!(one.json()["title"], "قمة في هلسنكي");
    let one = send(&h.app, api(Method::GET, "/api/stories/2", None)).await;
    assert_eq!(one.json()["title"], "story 2");
    let bad = send(&h.app, api(Method::GET, "/api/stories?lang=Arabic", None)).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "lang");

    h.store
        .upsert_subscriber("a@example.org", "en", now())
        .await
        .unwrap();
    let subs = send(&h.app, api(Method::GET, "/api/subscriptions", None)).await;
    assert_eq!(subs.json(), serde_json::json!([]));

    let emails = send(&h.app, api(Method::GET, "/api/emails", None)).await;
    assert_eq!(emails.json()["counts"]["pending"], 0);

    let nowhere = send(&h.app, api(Method::GET, "/api/nowhere", None)).await;
    assert_error(&nowhere, StatusCode::NOT_FOUND, "no such API route");

    // Story 1 merged into story 2: a request for it is sent to story 2.
    h.store.merge_stories(StoryId(1), StoryId(2)).await.unwrap();
    let moved = send(&h.app, api(Method::GET, "/api/stories/1?lang=ar", None)).await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.headers["location"], "/api/stories/2?lang=ar");
}

#[tokio::test]
async fn token_is_required_when_set() {
    let h = harness(Some(TOKEN)).await;
    let r = get(&h.app, "/api/sources").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "API token");
    assert_eq!(r.headers[header::WWW_AUTHENTICATE], "Bearer");
    let wrong = Request::get("/api/sources")
        .header(header::AUTHORIZATION, "Bearer s3cret-api-tokeX")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&h.app, wrong).await.status, StatusCode::UNAUTHORIZED);
    // Loopback does not replace the token once one is set.
    let local = from_peer(
        Request::get("/api/sources").body(Body::empty()).unwrap(),
        "127.0.0.1:5000",
    );
    assert_eq!(send(&h.app, local).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_token_only_loopback_is_served() {
    let h = harness(None).await;
    let req = || Request::get("/api/sources").body(Body::empty()).unwrap();
    assert_eq!(
        send(&h.app, from_peer(req(), "127.0.0.1:4000"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&h.app, from_peer(req(), "[::1]:4000")).await.status,
        StatusCode::OK
    );
    let remote = send(&h.app, from_peer(req(), "203.0.113.9:4000")).await;
    assert_error(&remote, StatusCode::FORBIDDEN, "only on this machine");
    // Served without connect info: refuse rather than guess.
    assert_eq!(send(&h.app, req()).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn real_socket_serves_pages_and_local_api() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let h = harness(None).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = h.app.clone();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    for (path, want) in [("/healthz", "200 OK"), ("/api/sources", "200 OK")] {
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        conn.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        conn.read_to_string(&mut out).await.unwrap();
        assert!(
            out.starts_with(&format!("HTTP/1.1 {want}")),
            "{path}: {out}"
        );
    }
    server.abort();
}

#[tokio::test]
async fn suppressed_addresses_are_listed_with_their_reason() {
    let h = harness(Some(TOKEN)).await;
    let now = crate::now();
    let gone = h
        .store
        .upsert_subscriber("gone@example.org", "en", now)
        .await
        .unwrap();
    h.store
        .upsert_subscriber("ok@example.org", "en", now)
        .await
        .unwrap();
    h.store
        .suspend_subscriber(gone.id, "hard bounce (dsn): 5.1.1 user unknown", now)
        .await
        .unwrap();
    let r = send(&h.app, api(Method::GET, "/api/suppressions", None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let json = r.json();
    let list = json["suppressed"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["email"], "gone@example.org");
    assert_eq!(list[0]["status"], "suspended");
    assert!(
        list[0]["suppressed_reason"]
            .as_str()
            .unwrap()
            .contains("5.1.1")
    );
    let r = send(&h.app, api(Method::GET, "/api/subscribers", None)).await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert_eq!(r.json()[1]["tz"], "UTC");

    // The page shows it to the operator, and to no one else.
    let page = send(
        &h.app,
        api(Method::GET, "/admin/suppressions?lang=en", None),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("gone@example.org") && page.body.contains("user unknown"));
    assert!(!page.body.contains("ok@example.org"));
    let anonymous = get(&h.app, "/admin/suppressions").await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "to the sign-in page"
    );
}

#[tokio::test]
async fn the_operator_signs_in_to_the_pages_with_the_token() {
    let h = harness(Some(TOKEN)).await;
    // Sent to sign in, and back to the page asked for afterwards.
    let page = get(&h.app, "/admin/outbox?lang=en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let to = page.headers["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/admin/login?next=%2Fadmin%2Foutbox%3Flang%3Den");
    let form = get(&h.app, &format!("{to}&lang=en")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Operator sign-in") && form.body.contains("type=\"password\""));
    let csrf_cookie = cookie_of(&form);
    let csrf = csrf_of(&form.body);
    let next = enc("/admin/outbox?lang=en");

    let wrong = post_form(
        &h.app,
        "/admin/login?lang=en",
        Some(&csrf_cookie),
        &format!("csrf={csrf}&next={next}&token=guess"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("That is not the API token"));
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    // Without the form token, no sign-in either.
    let forged = post_form(
        &h.app,
        "/admin/login",
        Some(&csrf_cookie),
        &format!("token={TOKEN}"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let ok = post_form(
        &h.app,
        "/admin/login?lang=en",
        Some(&csrf_cookie),
        &format!("csrf={csrf}&next={next}&token={}", enc(TOKEN)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers["location"], "/admin/outbox?lang=en");
    let set = ok.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/admin"),
        "{set}"
    );
    let session = cookie_of(&ok);
    let with = |uri: &str, cookie: &str| {
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let outbox = send(&h.app, with("/admin/outbox?lang=en", &session)).await;
    assert_eq!(outbox.status, StatusCode::OK);
    assert!(outbox.body.contains("Outbox"));
    assert!(
        outbox.body.contains("action=\"/admin/logout\"") && outbox.body.contains("Sign out"),
        "{}",
        outbox.body
    );
    // The cookie opens the pages, not the JSON API.
    let api_call = send(&h.app, with("/api/sources", &session)).await;
    assert_eq!(api_call.status, StatusCode::UNAUTHORIZED);
    // A tampered cookie (a later expiry, a made-up value) opens nothing.
    let (expires, tag) = session.split_once('=').unwrap().1.split_once('.').unwrap();
    let later: i64 = expires.parse::<i64>().unwrap() + 3600;
    for bad in [
        format!("ajil_admin={later}.{tag}"),
        "ajil_admin=1.AAAA".to_string(),
    ] {
        let r = send(&h.app, with("/admin/outbox", &bad)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{bad}");
    }
    // Only pages under /admin/ are followed after signing in.
    let away = post_form(
        &h.app,
        "/admin/login",
        Some(&csrf_cookie),
        &format!(
            "csrf={csrf}&next={}&token={}",
            enc("https://evil.example/"),
            enc(TOKEN)
        ),
    )
    .await;
    assert_eq!(away.headers["location"], "/admin/sources");

    // Signing out clears the cookie.
    let out = send(
        &h.app,
        Request::post("/admin/logout")
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.headers["location"], "/admin/login");
    let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.starts_with("ajil_admin=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}

#[tokio::test]
async fn the_outbox_page_shows_emails_in_trouble() {
    let h = harness(Some(TOKEN)).await;
    let now = crate::now();
    let mut ids = Vec::new();
    for (to, subject) in [
        ("gone@example.org", "عاجل: زلزال في الجنوب"),
        ("later@example.org", "Breaking: talks resume"),
        ("fine@example.org", "Breaking: roads reopen"),
    ] {
        let id = h
            .store
            .enqueue_email(
                &ajil_store::NewEmail {
                    kind: ajil_store::EmailKind::Alert,
                    subscriber_id: None,
                    recipient: to.into(),
                    message_id: format!("<{to}>"),
                    subject: subject.into(),
                    payload: "{}".into(),
                },
                now,
            )
            .await
            .unwrap();
        ids.push(id);
    }
    h.store
        .mark_email_failed(ids[0], "550 5.1.1 no such user")
        .await
        .unwrap();
    h.store
        .mark_email_retry(
            ids[1],
            "421 4.7.0 try again later",
            now + chrono::TimeDelta::hours(1),
        )
        .await
        .unwrap();
    h.store.mark_email_sent(ids[2], now).await.unwrap();

    let page = send(&h.app, api(Method::GET, "/admin/outbox?lang=en", None)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let trouble =
        &body[body.find("Emails in trouble").unwrap()..body.find("Latest emails").unwrap()];
    assert!(trouble.contains("gone@example.org") && trouble.contains("550 5.1.1 no such user"));
    assert!(trouble.contains("later@example.org") && trouble.contains("try again later"));
    // The retry's next attempt, an hour on.
    assert!(trouble.contains("2023-11-14 23:13 UTC"), "{trouble}");
    assert!(
        !trouble.contains("fine@example.org"),
        "a sent email is no trouble"
    );
    assert!(
        body.contains("Failed: <strong class=\"bad\">1</strong>"),
        "{body}"
    );
    let recent = &body[body.find("Latest emails").unwrap()..];
    assert!(recent.contains("fine@example.org"));

    let ar = send(&h.app, api(Method::GET, "/admin/outbox?lang=ar", None)).await;
    assert!(ar.body.contains("dir=\"rtl\""));
    assert!(ar.body.contains("رسائل تعثّر إرسالها") && ar.body.contains("أخفقت"));
    assert!(ar.body.contains("عاجل: زلزال في الجنوب"));

    let anonymous = get(&h.app, "/admin/outbox").await;
    assert_eq!(
        anonymous.status,
        StatusCode::SEE_OTHER,
        "to the sign-in page"
    );
}

#[tokio::test]
async fn subscriptions_are_added_switched_and_removed() {
    let h = harness(Some(TOKEN)).await;
    // Confirmed at once: active, no email.
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/subscriptions",
            Some(r#"{"email": "Ops@Example.org", "query": "لافروف إسطنبول", "langs": ["ar", "EN"], "confirmed": true}"#),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sub = r.json();
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["langs"], serde_json::json!(["ar", "en"]));
    assert_eq!(sub["breaking_only"], false);
    assert!(h.sent.0.lock().unwrap().is_empty());
    let id = sub["id"].as_i64().unwrap();

    // Otherwise pending, with a confirmation email in the subscriber's language.
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/subscriptions",
            Some(r#"{"email": "new@example.org", "query": "\"Iran deal\" -sport", "cadence": "daily", "breaking_only": true, "ui_lang": "en"}"#),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["status"], "pending");
    assert_eq!(r.json()["cadence"], "daily");
    {
        let sent = h.sent.0.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].subscriber.email, "new@example.org");
        assert_eq!(sent[0].lang.code(), "en");
        assert!(sent[0].confirm_url.starts_with(PUBLIC_URL));
    }

    for (body, needle) in [
        (
            r#"{"email": "not-an-address", "query": "x"}"#,
            "not a valid email",
        ),
        (
            r#"{"email": "a@example.org", "query": "  "}"#,
            "query is empty",
        ),
        (
            r#"{"email": "a@example.org", "query": "\"open"}"#,
            "does not parse",
        ),
        (
            r#"{"email": "a@example.org", "query": "x", "cadence": "weekly"}"#,
            "weekly",
        ),
        (
            r#"{"email": "a@example.org", "query": "x", "langs": ["arabic"]}"#,
            "arabic",
        ),
        (
            r#"{"email": "a@example.org", "query": "x", "ui_lang": "fr"}"#,
            "fr",
        ),
        (r#"{"email": "a@example.org"}"#, "query"),
    ] {
        let r = send(&h.app, api(Method::POST, "/api/subscriptions", Some(body))).await;
        assert_error(&r, StatusCode::BAD_REQUEST, needle);
    }

    // Switched to breaking-only and back.
    let uri = format!("/api/subscriptions/{id}");
    let r = send(
        &h.app,
        api(Method::PATCH, &uri, Some(r#"{"breaking_only": true}"#)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["breaking_only"], true);
    let r = send(
        &h.app,
        api(
            Method::PATCH,
            "/api/subscriptions/999",
            Some(r#"{"breaking_only": true}"#),
        ),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "999");

    // Removed: gone from the matcher's list.
    let r = send(&h.app, api(Method::DELETE, &uri, None)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(
        h.store
            .active_subscriptions()
            .await
            .unwrap()
            .iter()
            .all(|s| s.subscription.id.0 != id)
    );
    let r = send(&h.app, api(Method::DELETE, "/api/subscriptions/999", None)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "999");

    // A suspended address gets nothing; an unsubscribed one only a confirmation.
    let ops = h
        .store
        .upsert_subscriber("ops@example.org", "ar", now())
        .await
        .unwrap();
    h.store.unsubscribe_subscriber(ops.id, now()).await.unwrap();
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/subscriptions",
            Some(r#"{"email": "ops@example.org", "query": "غزة", "confirmed": true}"#),
        ),
    )
    .await;
    assert_error(&r, StatusCode::CONFLICT, "unsubscribed");
    let r = send(
        &h.app,
        api(
            Method::POST,
            "/api/subscriptions",
            Some(r#"{"email": "ops@example.org", "query": "غزة"}"#),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(h.sent.0.lock().unwrap().len(), 2);
    let ops_sub = r.json()["id"].as_i64().unwrap();

    // The operator's page lists what is not removed, and removes one.
    let page = send(
        &h.app,
        api(Method::GET, "/admin/subscriptions?lang=en", None),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("new@example.org")
            && page.body.contains("ops@example.org")
            && page.body.contains("Breaking stories only")
            && page.body.contains("Daily digest")
            && page.body.contains("unsubscribed"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("لافروف"), "removed ones are left out");
    let cookie = cookie_of(&page);
    let csrf = csrf_of(&page.body);
    let remove = |body: String| {
        Request::post(format!("/admin/subscriptions/{ops_sub}/remove?lang=ar"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let forged = send(&h.app, remove(String::new())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = send(&h.app, remove(format!("csrf={csrf}"))).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("أُزيل الاشتراك:") && done.body.contains("dir=\"rtl\""),
        "{}",
        done.body
    );
    assert!(!done.body.contains("ops@example.org"), "{}", done.body);
    let anonymous = get(&h.app, "/admin/subscriptions").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn erasing_a_subscriber_over_the_api() {
    let h = harness(Some(TOKEN)).await;
    let who = h
        .store
        .upsert_subscriber("gone@example.org", "en", chrono::Utc::now())
        .await
        .unwrap();
    let uri = format!("/api/subscribers/{}", who.id);
    let r = send(&h.app, api(Method::DELETE, &uri, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["subscriptions"], 0);
    assert!(
        h.store
            .subscriber_by_email("gone@example.org")
            .await
            .unwrap()
            .is_none()
    );
    let again = send(&h.app, api(Method::DELETE, &uri, None)).await;
    assert_error(&again, StatusCode::NOT_FOUND, "not found");
    let junk = send(&h.app, api(Method::DELETE, "/api/subscribers/x", None)).await;
    assert_error(&junk, StatusCode::BAD_REQUEST, "\"x\"");
}
