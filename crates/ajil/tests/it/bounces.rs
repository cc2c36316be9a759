//! `ajil bounces import` on hand-written Postfix, Gmail, Outlook and Exim
//! bounces and an ARF complaint, from a Maildir and an mbox file.

use ajil_model::Cadence;
use ajil_store::{EmailKind, NewEmail, NewSubscription, Store, SubscriberStatus};
use chrono::Utc;

use crate::support::{Ajil, data_dir};

const ADDRESSES: [&str; 7] = [
    "gone@example.org",
    "nouser@example.org",
    "renamed@example.org",
    "full@example.org",
    "once@example.org",
    "spam@example.org",
    "ok@example.org",
];

async fn status_of(store: &Store, email: &str) -> (SubscriberStatus, Option<String>) {
    let s = store.subscriber_by_email(email).await.unwrap().unwrap();
    (s.status, s.suppressed_reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_suspend_and_unsubscribe_the_right_addresses() {
    let ajil = Ajil::new(&[]);
    let db = ajil.data.path().join("ajil.db");
    let now = Utc::now();
    {
        let store = Store::open(&db).await.unwrap();
        for email in ADDRESSES {
            let who = store.upsert_subscriber(email, "en", now).await.unwrap();
            store
                .add_subscription(
                    &NewSubscription {
                        subscriber_id: who.id,
                        query: "x".into(),
                        langs: vec![],
                        cadence: Cadence::Realtime,
                        breaking_only: false,
                        confirmed: true,
                    },
                    now,
                )
                .await
                .unwrap();
        }
        // The digest the forwarding host bounced: only its Message-ID tells
        // whose it was.
        let renamed = store
            .subscriber_by_email("renamed@example.org")
            .await
            .unwrap()
            .unwrap();
        store
            .enqueue_email(
                &NewEmail {
                    kind: EmailKind::Digest,
                    subscriber_id: Some(renamed.id),
                    recipient: renamed.email.clone(),
                    message_id: "digest.3.1740800000@ajil.test".into(),
                    subject: "x".into(),
                    payload: "{}".into(),
                },
                now,
            )
            .await
            .unwrap();
        store.close().await;
    }
    let bounces = data_dir().join("bounces");
    let maildir = bounces.join("maildir").display().to_string();
    let mbox = bounces.join("mbox").display().to_string();
    let out = ajil.ok(&["bounces", "import", &maildir, "--json"]).await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["messages"], 4, "{out}");
    assert_eq!(r["not_reports"], 0, "{out}");
    let out = ajil.ok(&["bounces", "import", &mbox, "--json"]).await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["messages"], 5, "{out}");
    assert_eq!(r["not_reports"], 1, "the auto-reply is skipped: {out}");

    let store = Store::open(&db).await.unwrap();
    for email in [
        "gone@example.org",
        "nouser@example.org",
        "renamed@example.org",
    ] {
        let (status, reason) = status_of(&store, email).await;
        assert_eq!(status, SubscriberStatus::Suspended, "{email}");
        assert!(reason.unwrap().starts_with("hard bounce"), "{email}");
    }
    let (status, reason) = status_of(&store, "full@example.org").await;
    assert_eq!(status, SubscriberStatus::Suspended, "three soft bounces");
    assert!(reason.unwrap().contains("3 soft bounces"));
    let (status, reason) = status_of(&store, "spam@example.org").await;
    assert_eq!(status, SubscriberStatus::Unsubscribed);
    assert!(reason.unwrap().contains("complaint"));
    for email in ["once@example.org", "ok@example.org"] {
        assert_eq!(
            status_of(&store, email).await,
            (SubscriberStatus::Active, None),
            "{email}"
        );
    }
    let reason_gone = status_of(&store, "gone@example.org").await.1.unwrap();
    assert!(reason_gone.contains("5.1.1"), "{reason_gone}");
    assert_eq!(store.suppressed_subscribers().await.unwrap().len(), 5);
    assert_eq!(store.active_subscriptions().await.unwrap().len(), 2);
    let feedback = store.list_feedback(100).await.unwrap().len();
    store.close().await;

    // Importing the same mail again changes nothing: once@ does not reach
    // three soft bounces by repetition.
    let out = ajil.ok(&["bounces", "import", &mbox, "--json"]).await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcome"] == "duplicate"),
        "{out}"
    );
    ajil.ok(&["bounces", "import", &mbox]).await;
    ajil.ok(&["bounces", "import", &maildir]).await;
    let store = Store::open(&db).await.unwrap();
    assert_eq!(store.list_feedback(100).await.unwrap().len(), feedback);
    assert_eq!(
        status_of(&store, "once@example.org").await.0,
        SubscriberStatus::Active
    );

    let missing = ajil.run(&["bounces", "import", "/nonexistent/box"]).await;
    assert_ne!(missing.code, 0);
    assert!(
        missing.stderr.contains("check the path"),
        "{}",
        missing.stderr
    );
}
