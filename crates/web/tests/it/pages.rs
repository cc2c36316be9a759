//! Manage, unsubscribe, browsing pages, languages and health.

use std::time::Duration;

use ajil_model::{Cadence, StoryId, SubscriberId, SubscriptionId};
use ajil_store::{NewSubscription, StoryRow, StoryState, SubscriberStatus, SubscriptionStatus};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::*;

async fn active(h: &Harness, email: &str, query: &str) -> (SubscriberId, SubscriptionId) {
    let who = h.store.upsert_subscriber(email, "ar", now()).await.unwrap();
    let sub = h
        .store
        .add_subscription(
            &NewSubscription {
                subscriber_id: who.id,
                query: query.into(),
                langs: vec![],
                cadence: Cadence::Realtime,
                breaking_only: false,
                confirmed: true,
            },
            now(),
        )
        .await
        .unwrap();
    (who.id, sub.id)
}

fn path(url: &str) -> &str {
    url.strip_prefix(PUBLIC_URL).unwrap()
}

#[tokio::test]
async fn one_click_unsubscribe_needs_no_form_token() {
    let h = harness(None).await;
    let (who, _) = active(&h, "a@example.org", "غزة").await;
    let url = ajil_web::links::unsubscribe_url(&h.signer, PUBLIC_URL, who);

    // GET only shows the button, in the subscriber's language.
    let page = get(&h.app, path(&url)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"dir="rtl""#));
    assert!(page.body.contains("a@example.org"));
    assert_eq!(h.store.active_subscriptions().await.unwrap().len(), 1);

    // What a mail provider sends (RFC 8058): no cookie, no CSRF field.
    let r = post_form(&h.app, path(&url), None, "List-Unsubscribe=One-Click").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(h.store.active_subscriptions().await.unwrap().is_empty());
    assert_eq!(
        h.store.subscriber(who).await.unwrap().status,
        SubscriberStatus::Unsubscribed
    );
    // Again: still fine.
    let r = post_form(&h.app, path(&url), None, "List-Unsubscribe=One-Click").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn manage_lists_and_removes_with_csrf() {
    let h = harness(None).await;
    let (who, first) = active(&h, "a@example.org", "غزة").await;
    let (_, second) = active(&h, "a@example.org", "لبنان").await;
    let (_, foreign) = active(&h, "b@example.org", "سوريا").await;
    let url = ajil_web::links::manage_url(&h.signer, PUBLIC_URL, who);
    let page = get(&h.app, &format!("{}?lang=en", path(&url))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("غزة") && page.body.contains("لبنان"));
    assert!(!page.body.contains("سوريا"));
    // Each query links to the recent stories it matches.
    let preview = format!("/stories?lang=en&amp;q={}", enc("غزة"));
    assert!(
        page.body.contains(&preview) && page.body.contains("Recent stories it matches"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"<html lang="en" dir="ltr">"#),
        "?lang wins over the subscriber's"
    );
    let cookie = cookie_of(&page);
    let csrf = csrf_of(&page.body);
    let remove = |id: SubscriptionId| format!("{}/remove/{id}?lang=en", path(&url));

    let r = post_form(&h.app, &remove(first), Some(&cookie), "csrf=wrong").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let body = format!("csrf={}", enc(&csrf));
    // Someone else's subscription is out of reach of this link.
    let r = post_form(&h.app, &remove(foreign), Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.store.subscription(foreign).await.unwrap().status,
        SubscriptionStatus::Active
    );

    let r = post_form(&h.app, &remove(first), Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.contains("removed=1"));
    assert_eq!(
        h.store.subscription(first).await.unwrap().status,
        SubscriptionStatus::Removed
    );
    let after = get(&h.app, &to).await;
    assert!(after.body.contains("The subscription was removed."));
    assert!(!after.body.contains("غزة"));
    assert_eq!(
        h.store.subscription(second).await.unwrap().status,
        SubscriptionStatus::Active
    );
}

#[tokio::test]
async fn manage_erases_the_address_only_when_asked_plainly() {
    let h = harness(None).await;
    let (who, _) = active(&h, "a@example.org", "غزة").await;
    let (other, _) = active(&h, "b@example.org", "سوريا").await;
    let url = ajil_web::links::manage_url(&h.signer, PUBLIC_URL, who);
    let page = get(&h.app, &format!("{}?lang=en", path(&url))).await;
    assert!(page.body.contains("Delete my address"), "{}", page.body);
    // First, everything kept about the address, as a download.
    h.store
        .record_match(
            h.store.subscriptions_of(who).await.unwrap()[0].id,
            StoryId(4),
            now(),
        )
        .await
        .unwrap();
    let data = get(&h.app, &format!("{}/data.json", path(&url))).await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(
        data.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    assert_eq!(json["subscriber"]["email"], "a@example.org");
    assert_eq!(json["subscriptions"][0]["query"], "غزة");
    assert_eq!(json["alerts"][0]["story"], 4, "{json}");
    assert!(
        !data.body.contains("b@example.org"),
        "only this subscriber's"
    );
    let cookie = cookie_of(&page);
    let csrf = csrf_of(&page.body);
    let erase = format!("{}/erase?lang=en", path(&url));

    let r = post_form(&h.app, &erase, Some(&cookie), "csrf=wrong&confirm=1").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without the box ticked nothing happens.
    let r = post_form(
        &h.app,
        &erase,
        Some(&cookie),
        &format!("csrf={}", enc(&csrf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(h.store.subscriber(who).await.is_ok());

    let body = format!("csrf={}&confirm=1", enc(&csrf));
    let r = post_form(&h.app, &erase, Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Your address is deleted"), "{}", r.body);
    assert!(
        h.store
            .subscriber_by_email("a@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(h.store.active_subscriptions().await.unwrap().len(), 1);
    assert!(h.store.subscriber(other).await.is_ok());
    // The link leads nowhere now, and posting again changes nothing.
    assert_eq!(get(&h.app, path(&url)).await.status, StatusCode::NOT_FOUND);
    let r = post_form(&h.app, &erase, Some(&cookie), &body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn manage_switches_a_subscription_to_breaking_only_and_back() {
    let h = harness(None).await;
    let (who, sub) = active(&h, "a@example.org", "غزة").await;
    let (_, foreign) = active(&h, "b@example.org", "سوريا").await;
    let url = ajil_web::links::manage_url(&h.signer, PUBLIC_URL, who);
    let page = get(&h.app, &format!("{}?lang=en", path(&url))).await;
    assert!(
        page.body.contains("Alert me only when it breaks"),
        "{}",
        page.body
    );
    let cookie = cookie_of(&page);
    let csrf = enc(&csrf_of(&page.body));
    let switch = |id: SubscriptionId| format!("{}/breaking/{id}?lang=en", path(&url));

    let r = post_form(
        &h.app,
        &switch(sub),
        Some(&cookie),
        "csrf=wrong&breaking_only=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let on = format!("csrf={csrf}&breaking_only=1");
    let r = post_form(&h.app, &switch(foreign), Some(&cookie), &on).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another subscriber's");
    assert!(!h.store.subscription(foreign).await.unwrap().breaking_only);
    let r = post_form(
        &h.app,
        &switch(sub),
        Some(&cookie),
        &format!("csrf={csrf}&breaking_only=yes"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Reload the page"), "{}", r.body);

    let r = post_form(&h.app, &switch(sub), Some(&cookie), &on).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(h.store.subscription(sub).await.unwrap().breaking_only);
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let after = get(&h.app, &to).await;
    assert!(
        after.body.contains("Breaking stories only"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Alert me on every new story"));

    let off = format!("csrf={csrf}&breaking_only=0");
    let r = post_form(&h.app, &switch(sub), Some(&cookie), &off).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!h.store.subscription(sub).await.unwrap().breaking_only);

    // A removed subscription is not switched back on.
    h.store.remove_subscription(sub).await.unwrap();
    let r = post_form(&h.app, &switch(sub), Some(&cookie), &on).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn manage_sets_time_zone_quiet_hours_and_daily_cap() {
    let h = harness(None).await;
    let (who, _) = active(&h, "a@example.org", "غزة").await;
    let url = ajil_web::links::manage_url(&h.signer, PUBLIC_URL, who);
    let page = get(&h.app, path(&url)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<option value="Asia/Riyadh">"#));
    assert!(
        page.body.contains(r#"name="tz" value="UTC""#),
        "the default"
    );
    let cookie = cookie_of(&page);
    let csrf = csrf_of(&page.body);
    let pacing = format!("{}/pacing", path(&url));
    let body = |tz: &str, start: &str, end: &str, cap: &str| {
        format!(
            "csrf={}&tz={}&quiet_start={start}&quiet_end={end}&daily_cap={cap}",
            enc(&csrf),
            enc(tz)
        )
    };

    // No CSRF token, no change.
    let r = post_form(&h.app, &pacing, Some(&cookie), "csrf=x&tz=Asia%2FRiyadh").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(h.store.subscriber(who).await.unwrap().tz, "UTC");

    // Bad values are shown back with what is wrong, and nothing is saved.
    let r = post_form(
        &h.app,
        &pacing,
        Some(&cookie),
        &body("Asia/Nowhere", "22", "", "0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Asia/Nowhere"), "{}", r.body);
    assert_eq!(r.body.matches("<li>").count(), 3, "{}", r.body);
    assert_eq!(h.store.subscriber(who).await.unwrap().tz, "UTC");

    let r = post_form(
        &h.app,
        &pacing,
        Some(&cookie),
        &body("Asia/Riyadh", "22", "07", "15"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let saved = h.store.subscriber(who).await.unwrap();
    assert_eq!(saved.tz, "Asia/Riyadh");
    assert_eq!(saved.quiet_hours.as_deref(), Some("22:00-07:00"));
    assert_eq!(saved.daily_cap, Some(15));
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let after = get(&h.app, &to).await;
    assert!(after.body.contains("حُفظت الإعدادات."), "Arabic subscriber");
    assert!(after.body.contains(r#"name="tz" value="Asia/Riyadh""#));
    assert!(after.body.contains(r#"<option value="22" selected>"#));
    assert!(after.body.contains(r#"<option value="07" selected>"#));
    assert!(after.body.contains(r#"name="daily_cap" value="15""#));

    // Clearing quiet hours and the cap.
    let r = post_form(
        &h.app,
        &pacing,
        Some(&cookie),
        &body("Africa/Cairo", "", "", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let saved = h.store.subscriber(who).await.unwrap();
    assert_eq!(
        (saved.tz.as_str(), saved.quiet_hours, saved.daily_cap),
        ("Africa/Cairo", None, None)
    );

    // Another subscriber's link does not reach this one.
    let (other, _) = active(&h, "b@example.org", "سوريا").await;
    let other_url = ajil_web::links::manage_url(&h.signer, PUBLIC_URL, other);
    let r = post_form(
        &h.app,
        &format!("{}/pacing", path(&other_url)),
        Some(&cookie),
        &body("Europe/London", "", "", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.store.subscriber(who).await.unwrap().tz, "Africa/Cairo");
    assert_eq!(h.store.subscriber(other).await.unwrap().tz, "Europe/London");
}

#[tokio::test]
async fn language_and_direction() {
    let h = harness(None).await;
    let ar = get(&h.app, "/").await;
    assert!(
        ar.body.contains(r#"<html lang="ar" dir="rtl">"#),
        "Arabic by default"
    );
    let en = send(
        &h.app,
        Request::get("/")
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#));
    let forced = send(
        &h.app,
        Request::get("/?lang=ar")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(forced.body.contains(r#"dir="rtl""#));
    assert!(forced.body.contains("اشترك في التنبيهات"));
    assert_eq!(ar.headers["x-frame-options"], "DENY");
    assert_eq!(ar.headers["referrer-policy"], "no-referrer");
    let missing = get(&h.app, "/no/such/page?lang=en").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("could not find"));
}

#[tokio::test]
async fn stories_and_sources_pages() {
    let h = harness(None).await;
    let src = h
        .store
        .add_source(
            "https://news.example/rss",
            "أخبار",
            Duration::from_secs(300),
            now(),
        )
        .await
        .unwrap();
    h.store
        .record_fetch_error(
            src.id,
            "http 503 from news.example",
            now(),
            now() + chrono::TimeDelta::hours(1),
        )
        .await
        .unwrap();
    file(&h, news(src.id, "a", "زلزال في الجنوب", "ar"), StoryId(3)).await;
    h.store
        .upsert_story(&StoryRow {
            id: StoryId(3),
            title: "زلزال <في> الجنوب".into(),
            lang: "ar".into(),
            first_seen: now(),
            last_seen: now(),
            article_count: 1,
            outlet_count: 1,
            independent_outlets: 1,
            state: StoryState::Breaking,
            breaking_at: Some(now()),
        })
        .await
        .unwrap();

    let list = get(&h.app, "/stories?lang=en").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("زلزال &lt;في&gt; الجنوب"),
        "{}",
        list.body
    );
    assert!(list.body.contains("breaking"));
    assert!(list.body.contains("2023-11-14 22:13 UTC"));
    let one = get(&h.app, "/stories/3?lang=en").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("https://news.example/a"));
    assert!(one.body.contains("أخبار"));
    assert_eq!(
        get(&h.app, "/stories/4").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&h.app, "/stories/x").await.status,
        StatusCode::NOT_FOUND
    );
    // Story 5, merged into 3 since (an alert may link to it), leads there.
    h.store
        .upsert_story(&StoryRow {
            id: StoryId(5),
            title: "هزة في الجنوب".into(),
            ..stored_story(&h, StoryId(3)).await
        })
        .await
        .unwrap();
    // Its one report was swept in as story 3 turned breaking: an angle.
    file(&h, news(src.id, "c", "هزة في الجنوب", "ar"), StoryId(5)).await;
    assert_eq!(h.store.mark_angles(StoryId(5)).await.unwrap(), 1);
    h.store.merge_stories(StoryId(5), StoryId(3)).await.unwrap();
    let moved = get(&h.app, "/stories/5?lang=en").await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.headers["location"], "/stories/3?lang=en");
    let one = get(&h.app, "/stories/3?lang=en").await;
    assert_eq!(one.body.matches("joined once the story broke").count(), 1);
    let one = get(&h.app, "/stories/3?lang=ar").await;
    assert!(
        one.body.contains("انضم بعد أن صار الخبر عاجلا"),
        "{}",
        one.body
    );
    // An English report joins the story: English pages show its headline,
    // Arabic pages the story's own.
    file(
        &h,
        news(src.id, "e", "Earthquake in the south", "en"),
        StoryId(3),
    )
    .await;
    for (lang, shown, hidden) in [
        ("en", "Earthquake in the south", "زلزال &lt;في&gt; الجنوب"),
        ("ar", "زلزال &lt;في&gt; الجنوب", "Earthquake in the south</"),
    ] {
        let list = get(&h.app, &format!("/stories?lang={lang}")).await;
        assert!(list.body.contains(shown), "{lang}: {}", list.body);
        assert!(!list.body.contains(hidden), "{lang}: {}", list.body);
        let one = get(&h.app, &format!("/stories/3?lang={lang}")).await;
        assert!(one.body.contains(shown), "{lang}: {}", one.body);
    }
    let sources = get(&h.app, "/sources?lang=en").await;
    assert!(!sources.body.contains("pushed by its WebSub hub"));
    h.store
        .websub_requested(
            src.id,
            "https://hub.example/",
            "https://news.example/rss",
            "https://ajil.example/websub/1",
            "k",
            now(),
        )
        .await
        .unwrap();
    h.store
        .websub_verified(
            src.id,
            "https://news.example/rss",
            now() + chrono::TimeDelta::days(5),
        )
        .await
        .unwrap();
    let sources = get(&h.app, "/sources?lang=en").await;
    assert!(
        sources.body.contains("new items pushed by its WebSub hub"),
        "{}",
        sources.body
    );
    assert!(sources.body.contains("http 503 from news.example"));
    assert!(sources.body.contains("never"));
    // When a backed-off source will be tried again.
    assert!(sources.body.contains("Next poll"), "{}", sources.body);
    assert!(
        sources.body.contains("2023-11-14 23:13 UTC"),
        "{}",
        sources.body
    );

    let health = get(&h.app, "/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    h.store.close().await;
    let health = get(&h.app, "/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// The stored row of story `id`.
async fn stored_story(h: &Harness, id: StoryId) -> StoryRow {
    h.store.get_story(id).await.unwrap().story
}

#[tokio::test]
async fn a_query_is_tried_on_recent_stories() {
    let h = harness(Some("tok")).await;
    let src = h
        .store
        .add_source(
            "https://news.example/rss",
            "أخبار",
            Duration::from_secs(300),
            now(),
        )
        .await
        .unwrap();
    let stories = [
        (
            1,
            "lavrov",
            "وصل لافروف إلى إسطنبول للقاء نظيره التركي",
            "ar",
            StoryState::Breaking,
        ),
        (
            2,
            "iran",
            "Negotiators close in on the Iran deal",
            "en",
            StoryState::Developing,
        ),
        (
            3,
            "sport",
            "Iran deal talk dominates the sport pages",
            "en",
            StoryState::New,
        ),
    ];
    for (id, name, title, lang, state) in stories {
        file(&h, news(src.id, name, title, lang), StoryId(id)).await;
        h.store
            .upsert_story(&StoryRow {
                id: StoryId(id),
                title: title.into(),
                lang: lang.into(),
                first_seen: now(),
                last_seen: now(),
                article_count: 1,
                outlet_count: 1,
                independent_outlets: 1,
                breaking_at: (state == StoryState::Breaking).then(now),
                state,
            })
            .await
            .unwrap();
    }
    let titles = |body: &str| -> Vec<i64> {
        (1..=3)
            .filter(|id| body.contains(&format!("href=\"/stories/{id}?")))
            .collect()
    };

    // An Arabic query meets the clitic-bearing spelling of a name.
    let page = get(&h.app, &format!("/stories?lang=en&q={}", enc("لافروف"))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(titles(&page.body), [1]);
    assert!(
        page.body.contains("would have alerted on") && page.body.contains("among 3 reports"),
        "{}",
        page.body
    );
    // Phrases and exclusions, as in a subscription.
    let page = get(
        &h.app,
        &format!("/stories?q={}", enc("\"Iran deal\" -sport")),
    )
    .await;
    assert_eq!(titles(&page.body), [2]);
    let page = get(&h.app, "/stories?lang=en&breaking=1").await;
    assert_eq!(titles(&page.body), [1]);
    let page = get(
        &h.app,
        &format!("/stories?lang=en&breaking=1&q={}", enc("Iran")),
    )
    .await;
    assert_eq!(titles(&page.body), Vec::<i64>::new());
    assert!(page.body.contains("No stories match."), "{}", page.body);
    // A query that does not parse says where.
    let bad = get(&h.app, &format!("/stories?lang=en&q={}", enc("غزة (حرب"))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("role=\"alert\""), "{}", bad.body);
    assert_eq!(titles(&bad.body), [1, 2, 3], "the list stays");

    // The JSON API filters the same way.
    let api = |uri: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, "Bearer tok")
            .body(Body::empty())
            .unwrap()
    };
    let r = send(&h.app, api(&format!("/api/stories?q={}", enc("Iran deal")))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let r = send(&h.app, api("/api/stories?breaking=true")).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = send(&h.app, api(&format!("/api/stories?q={}", enc("\"open")))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&h.app, api("/api/stories?breaking=maybe")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The same list as an Atom feed a reader can follow.
    let feed = get(&h.app, "/stories.atom?lang=en&breaking=1").await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let parsed: atom_syndication::Feed = feed.body.parse().expect("a valid Atom feed");
    assert_eq!(parsed.entries.len(), 1);
    let entry = &parsed.entries[0];
    assert_eq!(
        entry.title.value,
        "وصل لافروف إلى إسطنبول للقاء نظيره التركي"
    );
    assert_eq!(entry.id, format!("{PUBLIC_URL}/stories/1"));
    assert_eq!(
        entry.links[0].href,
        format!("{PUBLIC_URL}/stories/1?lang=en")
    );
    assert_eq!(entry.categories[0].term, "breaking");
    assert!(
        entry
            .summary
            .as_ref()
            .unwrap()
            .value
            .contains("Breaking since"),
        "{:?}",
        entry.summary
    );
    assert!(parsed.title.value.contains("Breaking stories only"));
    let feed = get(
        &h.app,
        &format!("/stories.atom?lang=en&q={}", enc("\"Iran deal\" -sport")),
    )
    .await;
    let parsed: atom_syndication::Feed = feed.body.parse().unwrap();
    let ids: Vec<&str> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [format!("{PUBLIC_URL}/stories/2")]);
    assert!(
        parsed
            .links
            .iter()
            .any(|l| l.rel == "self" && l.href.contains("q=%22Iran+deal%22+-sport")),
        "{:?}",
        parsed.links
    );
    let bad = get(&h.app, &format!("/stories.atom?q={}", enc("غزة (حرب"))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The page points readers at it.
    let page = get(&h.app, "/stories?lang=en&breaking=1").await;
    assert!(
        page.body.contains(r#"type="application/atom+xml""#)
            && page.body.contains("/stories.atom?lang=en&amp;breaking=1"),
        "{}",
        page.body
    );

    // One client may try only so many queries an hour; others still can.
    let try_from = |peer: &str| {
        from_peer(
            Request::get(format!("/stories?lang=en&q={}", enc("Iran")))
                .body(Body::empty())
                .unwrap(),
            peer,
        )
    };
    for _ in 0..ajil_web::limits::SEARCHES_PER_IP {
        assert_eq!(
            send(&h.app, try_from("192.0.2.7:5000")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        send(&h.app, try_from("192.0.2.7:5001")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send(&h.app, try_from("192.0.2.8:5000")).await.status,
        StatusCode::OK
    );
    let plain = from_peer(
        Request::get("/stories").body(Body::empty()).unwrap(),
        "192.0.2.7:5002",
    );
    assert_eq!(
        send(&h.app, plain).await.status,
        StatusCode::OK,
        "the list itself is not limited"
    );
}

#[tokio::test]
async fn a_story_page_names_the_outlets_that_confirmed_it_and_those_that_reprinted() {
    let h = harness(None).await;
    let mut ids = Vec::new();
    for (name, minute, copy) in [
        ("Wire", 0, false),
        ("Portal", 5, true),
        ("Daily", 10, false),
        ("Late", 30, false),
    ] {
        let src = h
            .store
            .add_source(
                &format!("https://{name}.example/rss"),
                name,
                Duration::from_secs(300),
                now(),
            )
            .await
            .unwrap();
        let mut a = news(src.id, name, "Earthquake in the south", "en");
        a.published = now() + chrono::TimeDelta::minutes(minute);
        let id = h.store.insert_article(&a).await.unwrap().unwrap();
        let copy_of = copy.then(|| ids[0]);
        h.store
            .set_article_story(id, StoryId(9), copy_of)
            .await
            .unwrap();
        ids.push(id);
    }
    h.store
        .upsert_story(&StoryRow {
            id: StoryId(9),
            title: "Earthquake in the south".into(),
            lang: "en".into(),
            first_seen: now(),
            last_seen: now() + chrono::TimeDelta::minutes(30),
            article_count: 4,
            outlet_count: 4,
            independent_outlets: 3,
            state: StoryState::Breaking,
            breaking_at: Some(now() + chrono::TimeDelta::minutes(10)),
        })
        .await
        .unwrap();
    let page = get(&h.app, "/stories/9?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let section = &body[body
        .find("Outlets that confirmed it")
        .expect("the outlets section")..];
    let section = &section[..section.find("<h2>Reports").unwrap()];
    let at = |name: &str| section.find(&format!("<li>{name} ·")).unwrap_or(usize::MAX);
    assert!(
        at("Wire") < at("Daily") && at("Daily") < at("Late"),
        "{section}"
    );
    assert_eq!(section.matches("before it broke").count(), 2, "{section}");
    assert!(!section.contains("<li>Portal"), "{section}");
    assert!(
        section.contains("Reprinted without a report of their own by: Portal"),
        "{section}"
    );
    let ar = get(&h.app, "/stories/9?lang=ar").await;
    assert!(ar.body.contains("قبل أن يصير عاجلا"), "{}", ar.body);
}

#[tokio::test]
async fn a_source_that_brings_nothing_new_for_days_is_marked_quiet() {
    let h = harness(Some("tok")).await;
    let quiet = h
        .store
        .add_source(
            "https://quiet.example/rss",
            "Quiet",
            Duration::from_secs(300),
            now() - chrono::TimeDelta::days(10),
        )
        .await
        .unwrap();
    let busy = h
        .store
        .add_source(
            "https://busy.example/rss",
            "Busy",
            Duration::from_secs(300),
            now() - chrono::TimeDelta::days(10),
        )
        .await
        .unwrap();
    for id in [quiet.id, busy.id] {
        h.store
            .record_fetch_ok(id, None, None, now(), now() + chrono::TimeDelta::minutes(5))
            .await
            .unwrap();
    }
    file(&h, news(busy.id, "b", "خبر جديد", "ar"), StoryId(1)).await;
    for path in ["/sources?lang=en", "/admin/sources?lang=en"] {
        let req = Request::get(path)
            .header(header::AUTHORIZATION, "Bearer tok")
            .body(Body::empty())
            .unwrap();
        let page = send(&h.app, req).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("Latest article"), "{}", page.body);
        assert_eq!(
            page.body.matches("its feed may have moved").count(),
            1,
            "{path}: {}",
            page.body
        );
        let quiet_row = &page.body[page.body.find("quiet.example").unwrap()..];
        let quiet_row = &quiet_row[..quiet_row.find("</tr>").unwrap()];
        assert!(quiet_row.contains("its feed may have moved"), "{quiet_row}");
    }
}
