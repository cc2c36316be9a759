//! "Didn't get the email? Send it again": the newest pending subscription's
//! confirmation, limits per client and per address, and one answer for all.

use ajil_store::{NewSubscription, SubscriberStatus};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::*;

/// GETs the signup page (which carries the resend form) and returns
/// (cookie, csrf token).
async fn session(app: &axum::Router) -> (String, String) {
    let page = get(app, "/?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"action="/resend?lang=en""#));
    (cookie_of(&page), csrf_of(&page.body))
}

fn resend_request(cookie: &str, csrf: &str, email: &str, peer: &str) -> Request<Body> {
    let body = format!("csrf={}&ui_lang=en&email={}", enc(csrf), enc(email));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/resend")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    from_peer(req, peer)
}

/// A subscriber with pending subscriptions on `queries`, created in order a
/// minute apart, and nothing queued for them yet.
async fn pending(h: &Harness, email: &str, queries: &[&str]) -> Vec<ajil_model::SubscriptionId> {
    let s = h.store.upsert_subscriber(email, "ar", now()).await.unwrap();
    let mut ids = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let sub = h
            .store
            .add_subscription(
                &NewSubscription {
                    subscriber_id: s.id,
                    query: (*q).into(),
                    langs: vec![],
                    cadence: ajil_model::Cadence::Realtime,
                    breaking_only: false,
                    confirmed: false,
                },
                now() - chrono::TimeDelta::minutes(10 - i as i64),
            )
            .await
            .unwrap();
        ids.push(sub.id);
    }
    ids
}

#[tokio::test]
async fn resend_confirms_the_newest_pending_subscription() {
    let h = harness(None).await;
    let ids = pending(&h, "late@example.org", &["old topic", "new topic"]).await;
    let (cookie, csrf) = session(&h.app).await;
    let reply = send(
        &h.app,
        resend_request(&cookie, &csrf, " Late@Example.org ", "192.0.2.7:5000"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .body
            .contains("a new confirmation email is on its way")
    );

    let path = {
        let sent = h.sent.0.lock().unwrap();
        assert_eq!(sent.len(), 1);
        let req = &sent[0];
        assert_eq!(req.subscription.id, ids[1], "the newest pending one");
        assert_eq!(req.subscriber.email, "late@example.org");
        assert_eq!(req.lang, ajil_web::Lang::Ar, "the subscriber's language");
        req.confirm_url
            .strip_prefix(PUBLIC_URL)
            .unwrap()
            .to_string()
    };
    // The fresh link confirms it.
    let done = post_form(&h.app, &path, None, "").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let sub = h.store.subscription(ids[1]).await.unwrap();
    assert_eq!(sub.status, ajil_store::SubscriptionStatus::Active);
}

#[tokio::test]
async fn unknown_confirmed_and_known_addresses_get_the_same_page() {
    let h = harness(None).await;
    pending(&h, "known@example.org", &["topic"]).await;
    // Confirmed already: nothing pending to resend.
    let s = h
        .store
        .upsert_subscriber("done@example.org", "en", now())
        .await
        .unwrap();
    h.store
        .add_subscription(
            &NewSubscription {
                subscriber_id: s.id,
                query: "t".into(),
                langs: vec![],
                cadence: ajil_model::Cadence::Realtime,
                breaking_only: false,
                confirmed: true,
            },
            now(),
        )
        .await
        .unwrap();
    // Suspended (bounced): never mailed.
    pending(&h, "bounced@example.org", &["topic"]).await;
    let b = h
        .store
        .subscriber_by_email("bounced@example.org")
        .await
        .unwrap()
        .unwrap();
    h.store
        .suspend_subscriber(b.id, "hard bounce", now())
        .await
        .unwrap();
    assert_eq!(
        h.store.subscriber(b.id).await.unwrap().status,
        SubscriberStatus::Suspended
    );

    let (cookie, csrf) = session(&h.app).await;
    let mut bodies = Vec::new();
    for email in [
        "known@example.org",
        "nobody@example.org",
        "done@example.org",
        "bounced@example.org",
    ] {
        let r = send(
            &h.app,
            resend_request(&cookie, &csrf, email, "192.0.2.8:5000"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{email}");
        // The page echoes the typed address in the form; apart from it the
        // answers are byte for byte the same.
        bodies.push(r.body.replace(email, "ADDRESS"));
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "pages differ");
    let sent = h.sent.0.lock().unwrap();
    let to: Vec<_> = sent.iter().map(|r| r.subscriber.email.as_str()).collect();
    assert_eq!(to, ["known@example.org"]);
}

#[tokio::test]
async fn resends_per_address_are_capped_across_clients() {
    let h = harness(None).await;
    pending(&h, "victim@example.org", &["topic"]).await;
    let (cookie, csrf) = session(&h.app).await;
    for i in 0..6 {
        // A new client address each time: only the per-address limit applies.
        let peer = format!("198.51.100.{}:4000", i + 1);
        let r = send(
            &h.app,
            resend_request(&cookie, &csrf, "victim@example.org", &peer),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(
        h.sent.0.lock().unwrap().len(),
        ajil_web::limits::CONFIRMS_PER_ADDRESS_PER_DAY as usize
    );
}

#[tokio::test]
async fn resends_per_client_are_limited() {
    let h = harness(None).await;
    let (cookie, csrf) = session(&h.app).await;
    let mut statuses = Vec::new();
    for i in 0..(ajil_web::limits::RESENDS_PER_IP + 1) {
        let email = format!("someone{i}@example.org");
        let r = send(
            &h.app,
            resend_request(&cookie, &csrf, &email, "203.0.113.9:1234"),
        )
        .await;
        statuses.push(r.status);
    }
    let last = statuses.pop().unwrap();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Another client is not affected.
    let r = send(
        &h.app,
        resend_request(&cookie, &csrf, "x@example.org", "203.0.113.10:1234"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn resend_needs_csrf_and_a_valid_address() {
    let h = harness(None).await;
    pending(&h, "known@example.org", &["topic"]).await;
    let (cookie, csrf) = session(&h.app).await;
    let r = send(
        &h.app,
        resend_request(&cookie, "forged", "known@example.org", "192.0.2.9:1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &h.app,
        resend_request(&cookie, &csrf, "not an address", "192.0.2.9:1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains(r#"role="alert""#));
    assert!(h.sent.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_check_inbox_page_offers_the_resend_form_filled_in() {
    let h = harness(None).await;
    let (cookie, csrf) = session(&h.app).await;
    let body = format!(
        "csrf={}&ui_lang=en&email={}&query=quake&mode=realtime",
        enc(&csrf),
        enc("new@example.org")
    );
    let r = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"action="/resend?lang=en""#));
    assert!(r.body.contains(r#"value="new@example.org""#));
    assert_eq!(csrf_of(&r.body), csrf);
}
