//! Signup, confirmation, CSRF and validation.

use ajil_store::{SubscriberStatus, SubscriptionStatus};
use axum::http::StatusCode;

use crate::*;

/// GETs the form and returns (cookie, csrf token).
async fn form_session(app: &axum::Router) -> (String, String) {
    let page = get(app, "/?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    (cookie_of(&page), csrf_of(&page.body))
}

fn signup_body(csrf: &str, email: &str, query: &str) -> String {
    format!(
        "csrf={}&ui_lang=en&email={}&query={}&langs=ar&langs=en&langs=xx&mode=hourly&breaking_only=1",
        enc(csrf),
        enc(email),
        enc(query)
    )
}

#[tokio::test]
async fn signup_then_get_does_not_confirm_but_post_does() {
    let h = harness(None).await;
    let (cookie, csrf) = form_session(&h.app).await;
    let reply = post_form(
        &h.app,
        "/subscribe",
        Some(&cookie),
        &signup_body(&csrf, "Reader@Example.org", "زلزال OR earthquake"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Check your inbox"));

    let req = h
        .sent
        .0
        .lock()
        .unwrap()
        .pop()
        .expect("a confirmation was queued");
    assert_eq!(req.subscriber.email, "reader@example.org");
    assert_eq!(req.subscription.status, SubscriptionStatus::Pending);
    assert_eq!(
        req.subscription.langs,
        vec!["ar", "en"],
        "unknown language dropped"
    );
    assert_eq!(req.subscription.cadence, ajil_model::Cadence::Hourly);
    assert!(req.subscription.breaking_only);
    assert_eq!(req.lang, ajil_web::Lang::En);
    assert!(
        req.unsubscribe_url
            .starts_with("https://ajil.example/unsubscribe/")
    );
    let path = req
        .confirm_url
        .strip_prefix(PUBLIC_URL)
        .expect("link under the public URL")
        .to_string();
    assert!(path.starts_with("/confirm/"));

    // A link scanner's GET shows the button and changes nothing.
    let page = get(&h.app, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"method="post""#));
    assert!(page.body.contains("زلزال OR earthquake"));
    let sub = h.store.subscription(req.subscription.id).await.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Pending);

    let done = post_form(&h.app, &path, None, "").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("/manage/"));
    let sub = h.store.subscription(req.subscription.id).await.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(h.store.active_subscriptions().await.unwrap().len(), 1);
    // Pressing twice is fine.
    assert_eq!(
        post_form(&h.app, &path, None, "").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn known_and_new_addresses_get_the_same_page() {
    let h = harness(None).await;
    let (cookie, csrf) = form_session(&h.app).await;
    let body = signup_body(&csrf, "a@example.org", "غزة");
    let first = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
    let second = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, second.body);
    // Even a suspended address looks the same from outside, but gets no mail.
    let who = h
        .store
        .subscriber_by_email("a@example.org")
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE subscribers SET status = 'suspended' WHERE id = $1")
        .bind(who.id.0)
        .execute(h.store.pool())
        .await
        .unwrap();
    let third = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
    assert_eq!(third.body, first.body);
    assert_eq!(h.sent.0.lock().unwrap().len(), 2);
    assert_eq!(
        h.store.subscriber(who.id).await.unwrap().status,
        SubscriberStatus::Suspended
    );
}

#[tokio::test]
async fn confirmation_mails_per_address_are_capped() {
    let h = harness(None).await;
    let (cookie, csrf) = form_session(&h.app).await;
    for i in 0..8 {
        let body = signup_body(&csrf, "victim@example.org", &format!("topic{i}"));
        let r = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert_eq!(h.sent.0.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn csrf_is_required_for_signup() {
    let h = harness(None).await;
    let (cookie, csrf) = form_session(&h.app).await;
    let body = signup_body(&csrf, "a@example.org", "غزة");
    // No cookie: a cross-site form cannot send ours along with a valid token.
    let r = post_form(&h.app, "/subscribe", None, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The cookie with a made-up token.
    let forged = signup_body("AAAA", "a@example.org", "غزة");
    let r = post_form(&h.app, "/subscribe", Some(&cookie), &forged).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Reload the page"), "{}", r.body);
    // Another browser's cookie with this token.
    let (other_cookie, _) = form_session(&h.app).await;
    let r = post_form(&h.app, "/subscribe", Some(&other_cookie), &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(h.sent.0.lock().unwrap().is_empty());
    assert_eq!(
        h.store.subscriber_by_email("a@example.org").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn invalid_email_and_query_are_shown_with_positions() {
    let h = harness(None).await;
    let (cookie, csrf) = form_session(&h.app).await;
    let body = signup_body(&csrf, "not an address", "غزة AND (حرب");
    let r = post_form(&h.app, "/subscribe", Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("This email address is not valid."),
        "{}",
        r.body
    );
    // The unclosed parenthesis is the 9th character.
    assert!(
        r.body.contains("Problem in the topic at character 9"),
        "{}",
        r.body
    );
    // What was typed comes back, escaped, so nothing has to be retyped.
    assert!(r.body.contains("غزة AND (حرب"));
    assert!(r.body.contains(r#"value="not an address""#));
    assert_eq!(csrf_of(&r.body), csrf, "the same cookie keeps its token");

    let empty = signup_body(&csrf, "a@example.org", "   ");
    let r = post_form(&h.app, "/subscribe", Some(&cookie), &empty).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Type a topic to follow."));

    let bad_mode = format!(
        "csrf={}&email=a%40example.org&query=x&mode=weekly",
        enc(&csrf)
    );
    let r = post_form(&h.app, "/subscribe?lang=ar", Some(&cookie), &bad_mode).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("اختر متى نرسل."),
        "Arabic errors: {}",
        r.body
    );
    assert!(h.sent.0.lock().unwrap().is_empty());
    assert!(h.store.list_subscriptions().await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_and_misused_links_are_refused() {
    let h = harness(None).await;
    let r = get(&h.app, "/confirm/garbage?lang=en").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("incomplete or damaged"));
    // An unsubscribe token does not confirm anything.
    let token = h.signer.sign(ajil_mail::Purpose::Unsubscribe, 1, None);
    let r = post_form(&h.app, &format!("/confirm/{token}?lang=en"), None, "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("not valid for this page"));
    // An expired confirmation.
    let old = h.signer.sign(
        ajil_mail::Purpose::Confirm,
        1,
        Some(now() - chrono::Duration::hours(1)),
    );
    let r = get(&h.app, &format!("/confirm/{old}?lang=en")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("expired"));
    // A genuine token for a subscription that does not exist.
    let url =
        ajil_web::links::confirm_url(&h.signer, PUBLIC_URL, ajil_model::SubscriptionId(77), now());
    let r = get(&h.app, url.strip_prefix(PUBLIC_URL).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
