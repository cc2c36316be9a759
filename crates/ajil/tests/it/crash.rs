//! The outbox through crashes and outages: a burst of 5,000 alerts sent by a
//! real `ajil deliver` process that is killed with SIGKILL three times at
//! random points, and a ten-minute SMTP outage on a chosen clock.

use std::collections::HashMap;
use std::time::Duration;

use ajil::config::{Config, Secret};
use ajil::pipeline::Pipeline;
use ajil_model::{Cadence, StoryId};
use ajil_store::{EmailKind, NewEmail, NewSubscription, Store, StoryRow, StoryState};
use ajil_testkit::SmtpServer;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rand::Rng;

use crate::support::Ajil;

/// Subscribers × stories = alerts in the burst.
const SUBSCRIBERS: i64 = 100;
const STORIES: i64 = 50;
/// The send batch of the test: the most emails one kill may duplicate.
const BATCH: usize = 100;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 0).unwrap()
}

/// Writes `subscribers × stories` real-time alerts into the outbox through
/// the store API, as the pipeline would (alert row and email in one
/// transaction), all due at `now`.
async fn burst(
    store: &Store,
    now: DateTime<Utc>,
    domain: &str,
    subscribers: i64,
    stories: i64,
) -> usize {
    for s in 1..=stories {
        store
            .upsert_story(&StoryRow {
                id: StoryId(s),
                title: format!("Story number {s}"),
                lang: "en".into(),
                first_seen: now,
                last_seen: now,
                article_count: 1,
                outlet_count: 1,
                independent_outlets: 1,
                state: StoryState::New,
                breaking_at: None,
            })
            .await
            .unwrap();
    }
    let mut queued = 0;
    for i in 0..subscribers {
        let who = store
            .upsert_subscriber(&format!("reader{i}@example.org"), "en", now)
            .await
            .unwrap();
        let sub = store
            .add_subscription(
                &NewSubscription {
                    subscriber_id: who.id,
                    query: "story".into(),
                    langs: vec![],
                    cadence: Cadence::Realtime,
                    breaking_only: false,
                    confirmed: true,
                },
                now,
            )
            .await
            .unwrap();
        for s in 1..=stories {
            let payload = serde_json::json!({
                "type": "alert", "subscription_id": sub.id, "story_id": s,
                "lang": "en", "query": "story", "breaking": false,
            });
            let email = NewEmail {
                kind: EmailKind::Alert,
                subscriber_id: Some(who.id),
                recipient: who.email.clone(),
                message_id: ajil_alert::message_id(sub.id, StoryId(s), domain),
                subject: format!("Story number {s}"),
                payload: payload.to_string(),
            };
            if store
                .record_alert_email(sub.id, StoryId(s), &email, now)
                .await
                .unwrap()
                .is_some()
            {
                queued += 1;
            }
        }
    }
    queued
}

/// How often each Message-ID reached the server.
fn by_message_id(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for m in smtp.messages() {
        let id = m
            .header("Message-ID")
            .expect("every email has a Message-ID");
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_three_times_loses_nothing_and_duplicates_at_most_the_batch() {
    let smtp = SmtpServer::start();
    let ajil = Ajil::new(&[
        ("AJIL_SMTP_URL", smtp.url()),
        ("AJIL_SEND_BATCH", BATCH.to_string()),
        ("AJIL_SEND_CONCURRENCY", "25".into()),
        ("AJIL_PUBLIC_URL", "http://ajil.test".into()),
        ("AJIL_LOG", "warn".into()),
    ]);
    let started = std::time::Instant::now();
    // Due a minute ago, so the process's own clock finds them all due.
    let now = Utc::now() - TimeDelta::minutes(1);
    let total = {
        let store = Store::open(&ajil.data.path().join("ajil.db"))
            .await
            .unwrap();
        let n = burst(&store, now, "ajil.test", SUBSCRIBERS, STORIES).await;
        store.close().await;
        n
    };
    assert_eq!(total, (SUBSCRIBERS * STORIES) as usize);

    eprintln!("burst inserted after {:?}", started.elapsed());
    let seed: u64 = rand::thread_rng().r#gen();
    eprintln!("crash test seed {seed}");
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
    for kill in 0..3 {
        let before = smtp.messages().len();
        let target = before + rng.gen_range(1..=1200);
        let mut child = ajil.command(&["deliver"]).spawn().unwrap();
        // Kill once the server has accepted `target` messages in all: a
        // random point, counted, not timed.
        let got = tokio::task::block_in_place(|| smtp.wait_for(target, Duration::from_secs(60)));
        assert!(
            got.len() >= target,
            "kill {kill}: sender stalled at {}",
            got.len()
        );
        child.start_kill().unwrap();
        let status = child.wait().await.unwrap();
        eprintln!("kill {kill} at {} after {:?}", got.len(), started.elapsed());
        assert!(
            !status.success(),
            "kill {kill}: the process was killed, not done"
        );
    }
    let out = ajil.ok(&["deliver", "--json"]).await;
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["outbox"]["pending"], 0, "{out}");
    assert_eq!(summary["outbox"]["sent"], total, "{out}");
    assert_eq!(summary["outbox"]["failed"], 0, "{out}");

    let seen = by_message_id(&smtp);
    let received: usize = seen.values().sum();
    let duplicates = received - seen.len();
    eprintln!(
        "crash test: {total} alerts, {received} messages received, {} distinct, {duplicates} duplicates \
         (in-flight window {BATCH} per kill, 3 kills)",
        seen.len()
    );
    assert_eq!(seen.len(), total, "every alert arrived");
    assert!(
        duplicates <= 3 * BATCH,
        "{duplicates} duplicates: more than the in-flight window of 3 kills"
    );
    assert!(
        seen.values().all(|&n| n <= 4),
        "no email sent more than once per kill"
    );
    // A last run finds nothing to send.
    let again = ajil.ok(&["deliver", "--json"]).await;
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["sent"], 0);
    assert_eq!(smtp.messages().len(), received);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_minute_outage_then_everything_goes_out_once() {
    let mut smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(dir.path()).unwrap();
    config.smtp_url = Some(Secret::new(smtp.url()));
    config.public_url = "http://ajil.test".into();
    config.send_batch = 50;
    let store = Store::open(&config.db_path()).await.unwrap();
    let total = burst(&store, t0(), "ajil.test", 20, 10).await;
    let p = Pipeline::new(config, store.clone()).await.unwrap();

    // Down for ten minutes; the deliverer tries every 30 s of clock.
    smtp.stop();
    let mut t = t0();
    while t < t0() + TimeDelta::minutes(10) {
        loop {
            let (sent, failed) = p.deliver_only(t).await.unwrap();
            assert_eq!(sent, 0);
            if failed < 50 {
                break;
            }
        }
        t += TimeDelta::seconds(30);
    }
    let counts = store.email_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.failed),
        (total as i64, 0),
        "nothing given up"
    );
    let emails = store.list_emails(5000).await.unwrap();
    assert!(emails.iter().all(|e| e.attempts >= 1));
    // Jitter spreads the retries: they are not all due at the same instant.
    let distinct: std::collections::HashSet<_> = emails.iter().map(|e| e.next_attempt_at).collect();
    assert!(distinct.len() > 1, "retries are jittered");

    // Back: within the longest retry delay (16 min) everything goes out.
    smtp.restart();
    let back = t;
    while t <= back + TimeDelta::minutes(17) {
        while p.deliver_only(t).await.unwrap().0 >= 50 {}
        t += TimeDelta::seconds(30);
    }
    let counts = store.email_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.sent, counts.failed),
        (0, total as i64, 0)
    );
    let seen = by_message_id(&smtp);
    assert_eq!(seen.len(), total);
    assert!(
        seen.values().all(|&n| n == 1),
        "no duplicates without a crash"
    );
}
