//! Integration tests of ajil-store against real SQLite files.

use std::time::Duration;

use ajil_model::{Cadence, StoryId};
use ajil_store::{EmailKind, NewEmail, NewSubscription, Store};
use chrono::{DateTime, TimeZone, Utc};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

#[tokio::test]
async fn reopened_file_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that does not exist yet: open creates it.
    let path = dir.path().join("nested").join("ajil.db");
    let source = {
        let store = Store::open(&path).await.unwrap();
        let src = store
            .add_source(
                "https://example.org/rss",
                "مثال",
                Duration::from_secs(120),
                t(0),
            )
            .await
            .unwrap();
        let who = store
            .upsert_subscriber("a@example.org", "ar", t(0))
            .await
            .unwrap();
        let sub = store
            .add_subscription(
                &NewSubscription {
                    subscriber_id: who.id,
                    query: "زلزال".into(),
                    langs: vec!["ar".into()],
                    cadence: Cadence::Realtime,
                    breaking_only: false,
                    confirmed: true,
                },
                t(0),
            )
            .await
            .unwrap();
        let email = NewEmail {
            kind: EmailKind::Alert,
            subscriber_id: Some(who.id),
            recipient: who.email.clone(),
            message_id: "<1@example.org>".into(),
            subject: "زلزال".into(),
            payload: "{}".into(),
        };
        assert!(
            store
                .record_alert_email(sub.id, StoryId(1), &email, t(1))
                .await
                .unwrap()
                .is_some()
        );
        store.close().await;
        src
    };

    // Opening again runs the migrations a second time: a no-op.
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.list_sources().await.unwrap(), vec![source]);
    assert_eq!(store.active_subscriptions().await.unwrap().len(), 1);
    assert_eq!(store.email_counts().await.unwrap().pending, 1);
    let sub = store.active_subscriptions().await.unwrap()[0]
        .subscription
        .id;
    let email = NewEmail {
        kind: EmailKind::Alert,
        subscriber_id: None,
        recipient: "a@example.org".into(),
        message_id: "<2@example.org>".into(),
        subject: "again".into(),
        payload: "{}".into(),
    };
    // The promise survives a restart: no second email for story 1.
    assert_eq!(
        store
            .record_alert_email(sub, StoryId(1), &email, t(2))
            .await
            .unwrap(),
        None
    );
    store.ping().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
}

#[tokio::test]
async fn two_handles_on_one_file_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ajil.db");
    let a = Store::open(&path).await.unwrap();
    let b = Store::open(&path).await.unwrap();
    a.add_source(
        "https://example.org/rss",
        "A",
        Duration::from_secs(60),
        t(0),
    )
    .await
    .unwrap();
    assert_eq!(b.list_sources().await.unwrap().len(), 1);
}
