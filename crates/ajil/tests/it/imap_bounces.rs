//! `ajil bounces poll` against a real IMAP server: a private Dovecot on
//! loopback serving a Maildir with the hand-written bounce samples of
//! `tests/data/bounces/` and an ordinary auto-reply. One poll must apply
//! every report, delete the reports from the mailbox and keep the
//! auto-reply marked seen; a second poll finds nothing new. `ajil serve`
//! with `AJIL_BOUNCE_URL` does the same on its own, and `imaps://` refuses a
//! server whose certificate nobody trusted issued.
//!
//! Needs root and Debian's dovecot-imapd (installed by `.ci/run`). Skipped,
//! with a message, when not root or when `AJIL_SKIP_POSTFIX=1` (the switch
//! for all tests that run private mail servers).

use std::path::Path;
use std::time::{Duration, Instant};

use ajil_model::Cadence;
use ajil_store::{NewSubscription, Store, SubscriberStatus};
use ajil_testkit::dovecot::{self, Dovecot};
use chrono::Utc;

use crate::postfix::skip_reason;
use crate::support::{Ajil, data_dir, free_port};

const ADDRESSES: [&str; 6] = [
    "gone@example.org",
    "nouser@example.org",
    "full@example.org",
    "once@example.org",
    "spam@example.org",
    "ok@example.org",
];

/// The Maildir samples and the mbox's messages, as raw bytes.
fn samples() -> Vec<Vec<u8>> {
    let dir = data_dir().join("bounces");
    let mut files: Vec<_> = ["maildir/new", "maildir/cur"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let mbox = std::fs::File::open(dir.join("mbox")).unwrap();
    for m in mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(mbox)) {
        out.push(m.unwrap().unwrap_contents());
    }
    out
}

fn mailbox_files(server: &Dovecot) -> Vec<String> {
    let mut names: Vec<String> = ["new", "cur"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(server.maildir().join(sub)).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn add_subscribers(db: &Path) {
    let now = Utc::now();
    let store = Store::open(db).await.unwrap();
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
    store.close().await;
}

async fn start_dovecot() -> Dovecot {
    let samples = samples();
    assert_eq!(samples.len(), 9);
    tokio::task::spawn_blocking(move || Dovecot::start(&samples))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start dovecot: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_applies_reports_and_cleans_the_mailbox() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED poll_applies_reports_and_cleans_the_mailbox: {why}");
        return;
    }
    if let Some(why) = dovecot::unavailable() {
        panic!("{why}");
    }
    let server = start_dovecot().await;
    let ajil = Ajil::new(&[]);
    let db = ajil.data.path().join("ajil.db");
    add_subscribers(&db).await;

    let wrong = server.url().replace("s3cret", "wrong");
    let denied = ajil.run(&["bounces", "poll", "--url", &wrong]).await;
    assert_ne!(denied.code, 0);
    assert!(
        denied.stderr.contains("check the user name and password"),
        "{}",
        denied.stderr
    );
    assert!(
        !denied.stderr.contains("wrong"),
        "the password leaks: {}",
        denied.stderr
    );

    let url = server.url();
    // `ajil check` logs in and opens the mailbox, reading nothing.
    for (given, status, says) in [
        (&url, "ok", "opens (9 unseen messages)"),
        (&wrong, "fail", "check the user name and password"),
    ] {
        let mut checking = Ajil::new(&[("AJIL_BOUNCE_URL", given.clone())]);
        checking.env[0].1 = ajil.data.path().display().to_string();
        let r = checking.run(&["check", "--json"]).await;
        let got: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let bounces = got
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["check"] == "bounces")
            .unwrap()
            .clone();
        assert_eq!(bounces["status"], status, "{bounces}");
        let detail = bounces["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{detail}");
        assert!(
            !detail.contains("s3cret") && !detail.contains("wrong"),
            "{detail}"
        );
    }
    let out = ajil.ok(&["bounces", "poll", "--url", &url, "--json"]).await;
    println!("{out}");
    let r: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{e}: {out}\ndovecot log:\n{}", server.log()));
    assert_eq!(r["messages"], 9, "{out}");
    assert_eq!(r["not_reports"], 1, "the auto-reply is no report: {out}");

    let store = Store::open(&db).await.unwrap();
    let status = |email: &'static str| {
        let store = &store;
        async move {
            store
                .subscriber_by_email(email)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    for email in ["gone@example.org", "nouser@example.org", "full@example.org"] {
        assert_eq!(status(email).await, SubscriberStatus::Suspended, "{email}");
    }
    assert_eq!(
        status("spam@example.org").await,
        SubscriberStatus::Unsubscribed
    );
    for email in ["once@example.org", "ok@example.org"] {
        assert_eq!(status(email).await, SubscriberStatus::Active, "{email}");
    }
    store.close().await;

    // Only the auto-reply is left, flagged seen (`S` in its Maildir name).
    let left = mailbox_files(&server);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with(",S"), "{left:?}");

    // Nothing unseen remains: the AJIL_BOUNCE_URL form reads no message.
    let again = ajil
        .command(&["bounces", "poll", "--json"])
        .env("AJIL_BOUNCE_URL", &url)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["messages"], 0, "{stdout}");
    assert_eq!(mailbox_files(&server), left);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_polls_the_bounce_mailbox() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED serve_polls_the_bounce_mailbox: {why}");
        return;
    }
    if let Some(why) = dovecot::unavailable() {
        panic!("{why}");
    }
    let server = start_dovecot().await;
    let ajil = Ajil::new(&[
        ("AJIL_LISTEN", format!("127.0.0.1:{}", free_port())),
        ("AJIL_POLL_INTERVAL", "3600".into()),
        ("AJIL_BOUNCE_URL", server.url()),
        ("AJIL_BOUNCE_POLL_INTERVAL", "1".into()),
    ]);
    let db = ajil.data.path().join("ajil.db");
    add_subscribers(&db).await;
    let mut serve = ajil.command(&["serve"]).spawn().unwrap();

    // Done when only the auto-reply is left in the mailbox.
    let deadline = Instant::now() + Duration::from_secs(60);
    while mailbox_files(&server).len() > 1 {
        assert!(
            Instant::now() < deadline,
            "serve did not poll the mailbox; dovecot log:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let store = Store::open(&db).await.unwrap();
    let gone = store
        .subscriber_by_email("gone@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.status, SubscriberStatus::Suspended);
    let spam = store
        .subscriber_by_email("spam@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(spam.status, SubscriberStatus::Unsubscribed);
    let ok = store
        .subscriber_by_email("ok@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ok.status, SubscriberStatus::Active);
    store.close().await;

    let pid = serve.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), serve.wait())
        .await
        .expect("serve stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "serve exits cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imaps_refuses_an_untrusted_certificate() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED imaps_refuses_an_untrusted_certificate: {why}");
        return;
    }
    if let Some(why) = dovecot::unavailable() {
        panic!("{why}");
    }
    let samples = samples();
    let server = tokio::task::spawn_blocking(move || Dovecot::start_tls(&samples))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start dovecot: {e}"));
    let ajil = Ajil::new(&[]);
    let url = server.url();
    assert!(url.starts_with("imaps://"));
    // A self-signed certificate is no proof of the server's identity: the
    // password must not be sent, and the mailbox stays as it was.
    let refused = ajil.run(&["bounces", "poll", "--url", &url]).await;
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("TLS handshake") && refused.stderr.contains("UnknownIssuer"),
        "{}",
        refused.stderr
    );
    assert_eq!(mailbox_files(&server).len(), 9);
    assert!(
        !server.log().contains("Login: user=<bounces>"),
        "logged in despite the certificate:\n{}",
        server.log()
    );
}
