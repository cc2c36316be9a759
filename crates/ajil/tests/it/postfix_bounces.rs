//! Bounces written by Postfix itself, not by hand: alerts sent through a
//! real Postfix on loopback to a mailbox that does not exist (`5.1.1`) and to
//! one that is full (`4.2.2`, returned after one attempt), whose DSNs Postfix
//! delivers to the sender's mailbox; `ajil bounces import` on that Maildir
//! must suspend the first address only.
//!
//! Needs root and Debian's postfix (installed by `.ci/run`). Skipped, with a
//! message, when not root or when `AJIL_SKIP_POSTFIX=1`.

use std::time::Duration;

use ajil_mail::{Composer, Mailer, SmtpConfig};
use ajil_model::Cadence;
use ajil_store::{NewSubscription, Store, SubscriberStatus};
use ajil_testkit::postfix::{self, Failure, Postfix};
use chrono::Utc;

use crate::postfix::{alert, skip_reason};
use crate::support::Ajil;

const GONE: &str = "gone@inbox.test";
const FULL: &str = "full@inbox.test";
const READER: &str = "reader@inbox.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_dsns_suspend_the_hard_bounced_address() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED postfix_dsns_suspend_the_hard_bounced_address: {why}");
        return;
    }
    if let Some(why) = postfix::unavailable() {
        panic!("{why}");
    }
    let failures = [
        Failure::new(GONE, "5.1.1 mailbox unavailable"),
        Failure::new(FULL, "4.2.2 mailbox full"),
    ];
    let server = tokio::task::spawn_blocking(move || Postfix::start_with("inbox.test", &failures))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start postfix: {e}"));

    // The sender is in the test domain, so Postfix's bounces to it land in
    // the Maildir beside the one alert that is delivered.
    let composer = Composer::new(None)
        .unwrap()
        .with_from("ajil <alerts@inbox.test>".parse().unwrap());
    let mailer = Mailer::smtp(&SmtpConfig::from_url(&server.url()).unwrap()).unwrap();
    let now = Utc::now();
    let mut sent_ids = Vec::new();
    for (n, to) in [GONE, FULL, READER].into_iter().enumerate() {
        let mut email = alert("en", n as u32);
        email.to = to.into();
        sent_ids.push((to, email.message_id.clone()));
        let message = composer.alert(&email, now).unwrap();
        // Accepted at SMTP time: the failures come later, as DSNs.
        mailer
            .send(&message)
            .await
            .unwrap_or_else(|e| panic!("postfix refused the alert to {to}: {e}\n{}", server.log()));
    }
    let (delivered, server) =
        tokio::task::spawn_blocking(move || (server.wait_for(3, Duration::from_secs(15)), server))
            .await
            .unwrap();
    let delivered = delivered.unwrap();
    let dsns: Vec<String> = delivered
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .filter(|m| m.contains("report-type=delivery-status"))
        .collect();
    assert_eq!(dsns.len(), 2, "two DSNs expected; log:\n{}", server.log());
    for dsn in &dsns {
        // Postfix's own report, sent to the envelope sender.
        assert!(dsn.contains("MAILER-DAEMON"), "{dsn}");
        assert!(dsn.contains("Reporting-MTA: dns; mx.inbox.test"), "{dsn}");
    }

    let ajil = Ajil::new(&[]);
    let db = ajil.data.path().join("ajil.db");
    {
        let store = Store::open(&db).await.unwrap();
        for email in [GONE, FULL, READER] {
            let who = store.upsert_subscriber(email, "en", now).await.unwrap();
            store
                .add_subscription(
                    &NewSubscription {
                        subscriber_id: who.id,
                        query: "earthquake".into(),
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
        store.close().await;
    }
    let maildir = server.maildir().display().to_string();
    let out = ajil.ok(&["bounces", "import", &maildir, "--json"]).await;
    println!("{out}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["messages"], 3, "{out}");
    assert_eq!(
        r["not_reports"], 1,
        "the delivered alert is no report: {out}"
    );
    let items = r["items"].as_array().unwrap();
    let kind_of = |email: &str| {
        items
            .iter()
            .find(|i| i["email"] == email)
            .map(|i| i["kind"].as_str().unwrap().to_string())
    };
    assert_eq!(kind_of(GONE).as_deref(), Some("hard_bounce"), "{out}");
    assert_eq!(kind_of(FULL).as_deref(), Some("soft_bounce"), "{out}");
    assert_eq!(kind_of(READER), None, "{out}");

    let store = Store::open(&db).await.unwrap();
    let gone = store.subscriber_by_email(GONE).await.unwrap().unwrap();
    assert_eq!(gone.status, SubscriberStatus::Suspended);
    let reason = gone.suppressed_reason.unwrap();
    assert!(
        reason.starts_with("hard bounce") && reason.contains("5.1.1"),
        "{reason}"
    );
    for email in [FULL, READER] {
        let s = store.subscriber_by_email(email).await.unwrap().unwrap();
        assert_eq!(s.status, SubscriberStatus::Active, "{email}");
        assert_eq!(s.suppressed_reason, None, "{email}");
    }
    // Each DSN names the alert it returns (Postfix quotes the original
    // headers), with Postfix's status code and diagnostic.
    let feedback = store.list_feedback(10).await.unwrap();
    assert_eq!(feedback.len(), 2, "{feedback:?}");
    for (email, kind, status, words) in [
        (GONE, "hard_bounce", "5.1.1", "mailbox unavailable"),
        (FULL, "soft_bounce", "4.2.2", "mailbox full"),
    ] {
        let row = feedback.iter().find(|f| f.email == email).unwrap();
        let sent = &sent_ids.iter().find(|(to, _)| *to == email).unwrap().1;
        assert_eq!(row.kind, kind, "{row:?}");
        assert_eq!(row.status.as_deref(), Some(status), "{row:?}");
        assert!(
            row.diagnostic.as_deref().unwrap_or("").contains(words),
            "{row:?}"
        );
        assert_eq!(row.message_id.as_deref(), Some(sent.as_str()), "{row:?}");
        assert_eq!(row.origin, "dsn");
    }
    store.close().await;
    drop(server);
}
