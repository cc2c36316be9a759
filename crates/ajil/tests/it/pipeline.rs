//! The pipeline driven in-process with a chosen clock: digests, SMTP outages
//! and permanent failures, failing sources, a restart, and a report of two
//! happenings confirming the story it does not join, and a report and its
//! translation in another script making one story and one alert.

use std::time::Duration;

use ajil::config::{Config, Secret};
use ajil::pipeline::Pipeline;
use ajil_model::Cadence;
use ajil_store::{NewSubscription, Store};
use ajil_testkit::SmtpServer;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::support::{Fixtures, subscribe, subscribe_in};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 0).unwrap()
}

/// An RSS feed whose items link to pages on the fixture server.
fn feed(fx: &Fixtures, items: &[(&str, &str, &str)]) {
    let base = fx.base();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title>",
    );
    for (path, title, page) in items {
        fx.put_page(&format!("/{path}"), page);
        xml += &format!(
            "<item><guid>{base}/{path}</guid><title>{title}</title><link>{base}/{path}</link>\
             <pubDate>Sun, 29 Nov 2026 07:05:00 GMT</pubDate></item>"
        );
    }
    fx.put("/feed.xml", "application/rss+xml", xml + "</channel></rss>");
}

async fn setup(smtp: Option<&SmtpServer>) -> (tempfile::TempDir, Config, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults(dir.path()).unwrap();
    config.smtp_url = smtp.map(|s| Secret::new(s.url()));
    let store = Store::open(&config.db_path()).await.unwrap();
    (dir, config, store)
}

/// The fixture feed with one item, the Iran deal report.
fn iran_feed(fx: &Fixtures) {
    feed(
        fx,
        &[(
            "iran",
            "Negotiators close in on Iran deal after overnight talks",
            "iran-deal.html",
        )],
    );
}

/// Adds the fixture server's `/feed.xml` as a source named `name`.
async fn add_feed(store: &Store, fx: &Fixtures, name: &str) {
    store
        .add_source(
            &format!("{}/feed.xml", fx.base()),
            name,
            Duration::from_secs(300),
            t0(),
        )
        .await
        .unwrap();
}

/// Adds the feeds `{base}/{name}.xml`, each named `name`, polled every five minutes.
async fn add_named_feeds(store: &Store, base: &str, names: &[&str]) {
    for name in names {
        store
            .add_source(
                &format!("{base}/{name}.xml"),
                name,
                Duration::from_secs(300),
                t0(),
            )
            .await
            .unwrap();
    }
}

/// Starts a pipeline (rebuilding the story index from the store) and runs one cycle at
/// `now`, which must take in one new article (`what`) into the one stored story,
/// now of two outlets, without sending another email.
async fn joins_the_stored_story(config: &Config, store: &Store, now: DateTime<Utc>, what: &str) {
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(now, true).await.unwrap();
    assert_eq!(r.new_articles, 1);
    assert_eq!(r.new_stories, 0, "{what} joins the stored story");
    assert_eq!(r.emails_sent, 0);
    assert_eq!(outbox_files(config).len(), 1);
    let stories = store
        .list_stories(t0() - TimeDelta::days(2), 10)
        .await
        .unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].outlet_count, 2);
}

fn outbox_files(config: &Config) -> Vec<String> {
    std::fs::read_dir(config.outbox_dir())
        .map(|d| {
            d.map(|e| e.unwrap().path().display().to_string())
                .filter(|p| p.ends_with(".eml"))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hourly_digest_collects_stories_into_one_email() {
    let fx = Fixtures::start().await;
    feed(
        &fx,
        &[
            (
                "iran",
                "Negotiators close in on Iran deal after overnight talks",
                "iran-deal.html",
            ),
            (
                "tanker",
                "Tanker seized in the Gulf of Oman, shipping agency says",
                "tanker.html",
            ),
        ],
    );
    let (_dir, config, store) = setup(None).await;
    subscribe(&store, "digest@example.org", "Iran", Cadence::Hourly, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();

    let r = p
        .run_cycle(t0() + TimeDelta::minutes(1), true)
        .await
        .unwrap();
    assert_eq!(r.new_articles, 2);
    assert!(r.alerts_queued >= 1, "{r:?}");
    assert_eq!(r.emails_sent, 0, "hourly: nothing before the hour is over");
    assert!(outbox_files(&config).is_empty());

    let r = p
        .run_cycle(t0() + TimeDelta::minutes(61), true)
        .await
        .unwrap();
    assert_eq!(r.emails_sent, 1, "{r:?}");
    let files = outbox_files(&config);
    assert_eq!(files.len(), 1, "one digest in the outbox folder");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // The next hour has nothing new: no empty digest.
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(125), true)
        .await
        .unwrap();
    assert_eq!(r.emails_sent, 0);
    assert_eq!(outbox_files(&config).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_outage_is_retried_and_nothing_is_lost() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let mut smtp = SmtpServer::start();
    let (_dir, config, store) = setup(Some(&smtp)).await;
    subscribe(
        &store,
        "a@example.org",
        "\"Iran deal\"",
        Cadence::Realtime,
        t0(),
    )
    .await;
    subscribe(&store, "b@example.org", "Iran", Cadence::Realtime, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    let p = Pipeline::new(config, store.clone()).await.unwrap();

    // The server is down: both alerts wait in the outbox.
    smtp.stop();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.alerts_queued, 2);
    assert_eq!(r.emails_sent, 0);
    assert_eq!(r.emails_failed, 2);
    let counts = store.email_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (2, 0, 0));
    let emails = store.list_emails(10).await.unwrap();
    assert!(
        emails
            .iter()
            .all(|e| e.last_error.is_some() && e.attempts == 1)
    );

    // It answers again, but with a temporary refusal.
    smtp.restart();
    smtp.set_reject(Some((451, "try again later".into())));
    let (sent, failed) = p.deliver_only(t0() + TimeDelta::minutes(2)).await.unwrap();
    assert_eq!((sent, failed), (0, 2));
    assert_eq!(store.email_counts().await.unwrap().pending, 2);

    // Back to normal: everything goes out once, nothing is lost.
    smtp.set_reject(None);
    let (sent, _) = p.deliver_only(t0() + TimeDelta::minutes(10)).await.unwrap();
    assert_eq!(sent, 2);
    let got = tokio::task::block_in_place(|| smtp.wait_for(2, Duration::from_secs(10)));
    assert_eq!(got.len(), 2);
    let (sent, _) = p.deliver_only(t0() + TimeDelta::minutes(60)).await.unwrap();
    assert_eq!(sent, 0, "nothing is sent twice");
    let counts = store.email_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_rejection_is_recorded_not_retried() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let smtp = SmtpServer::start();
    smtp.set_reject(Some((550, "no such user".into())));
    let (_dir, config, store) = setup(Some(&smtp)).await;
    subscribe(&store, "gone@example.org", "Iran", Cadence::Realtime, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    p.run_cycle(t0(), true).await.unwrap();
    let counts = store.email_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 0, 1));
    let e = &store.list_emails(1).await.unwrap()[0];
    assert!(e.last_error.as_deref().unwrap().contains("550"), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_sources_are_recorded_and_backed_off() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    fx.put(
        "/garbage.xml",
        "application/rss+xml",
        vec![0u8, 159, 146, 150, 7, 0, 1],
    );
    fx.put(
        "/page.html",
        "text/html",
        "<html><body><p>not a feed</p></body></html>",
    );
    let closed = crate::support::free_port();
    let (_dir, mut config, store) = setup(None).await;
    config.max_page_bytes = 4096;
    fx.put("/huge.xml", "application/rss+xml", vec![b' '; 10_000]);
    let base = fx.base();
    for (url, name) in [
        (format!("{base}/feed.xml"), "good"),
        (format!("{base}/missing.xml"), "missing"),
        (format!("{base}/garbage.xml"), "garbage"),
        (format!("{base}/page.html"), "html"),
        (format!("{base}/huge.xml"), "huge"),
        (format!("http://127.0.0.1:{closed}/feed.xml"), "down"),
    ] {
        store
            .add_source(&url, name, Duration::from_secs(300), t0())
            .await
            .unwrap();
    }
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.sources_polled, 6);
    assert_eq!(r.sources_failed, 5);
    assert_eq!(
        r.new_articles, 1,
        "the good source is processed all the same"
    );
    for s in store.list_sources().await.unwrap() {
        if s.name == "good" {
            assert!(s.last_error.is_none() && s.last_success_at.is_some());
            continue;
        }
        let err = s
            .last_error
            .clone()
            .unwrap_or_else(|| panic!("{} has no error", s.name));
        assert_eq!(s.consecutive_failures, 1, "{}", s.name);
        assert!(s.next_fetch_at > t0(), "{} is backed off", s.name);
        assert!(
            err.contains(&s.url) || err.contains("127.0.0.1"),
            "{}: {err}",
            s.name
        );
    }
    // A second failure backs off further.
    let before = store.list_sources().await.unwrap();
    p.run_cycle(t0() + TimeDelta::minutes(1), true)
        .await
        .unwrap();
    let after = store.list_sources().await.unwrap();
    for (b, a) in before.iter().zip(&after) {
        if b.name != "good" {
            assert_eq!(a.consecutive_failures, 2);
            assert!(a.next_fetch_at - (t0() + TimeDelta::minutes(1)) > b.next_fetch_at - t0());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_stories_and_sends_no_duplicate() {
    let fx = Fixtures::start().await;
    for postgres in [false, true] {
        a_restart_keeps_stories_on(&fx, postgres).await;
    }
}

/// [`setup`] with the store on a scratch PostgreSQL database.
async fn setup_postgres() -> (
    tempfile::TempDir,
    Config,
    Store,
    ajil_store::testing::Scratch,
) {
    let (dir, mut config, _) = setup(None).await;
    let scratch = ajil_store::testing::Scratch::create().await;
    config.database_url = Some(Secret::new(scratch.url()));
    let store = scratch.store().await;
    assert_eq!(store.backend(), ajil_store::Backend::Postgres);
    (dir, config, store, scratch)
}

async fn a_restart_keeps_stories_on(fx: &Fixtures, postgres: bool) {
    feed(
        fx,
        &[(
            "lavrov",
            "لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول",
            "lavrov-original.html",
        )],
    );
    let (_dir, config, store, _scratch) = if postgres {
        let (d, c, s, scratch) = setup_postgres().await;
        (d, c, s, Some(scratch))
    } else {
        let (d, c, s) = setup(None).await;
        (d, c, s, None)
    };
    subscribe(&store, "r@example.org", "لافروف", Cadence::Realtime, t0()).await;
    add_feed(&store, fx, "الخبر").await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!((r.new_articles, r.emails_sent), (1, 1));
    drop(p);

    // After a restart a second outlet's reprint arrives: it joins the story
    // rebuilt from the store, and no second alert goes out.
    let base = fx.base();
    fx.put_page("/reprint", "lavrov-reprint.html");
    fx.put(
        "/other.xml",
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>o</title><item><guid>r1</guid>\
             <title>لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول</title>\
             <link>{base}/reprint</link><pubDate>Sun, 29 Nov 2026 07:20:00 GMT</pubDate></item>\
             </channel></rss>"
        ),
    );
    store
        .add_source(
            &format!("{base}/other.xml"),
            "الأنباء",
            Duration::from_secs(300),
            t0(),
        )
        .await
        .unwrap();
    joins_the_stored_story(&config, &store, t0() + TimeDelta::minutes(5), "the reprint").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_show_the_article_lead_and_times_in_the_subscribers_zone() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let (_dir, config, store) = setup(None).await;
    subscribe(
        &store,
        "riyadh@example.org",
        "Iran",
        Cadence::Realtime,
        t0(),
    )
    .await;
    let s = store
        .subscriber_by_email("riyadh@example.org")
        .await
        .unwrap()
        .unwrap();
    store
        .set_subscriber_pacing(s.id, "Asia/Riyadh", None, None)
        .await
        .unwrap();
    add_feed(&store, &fx, "Wire").await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.emails_sent, 1, "{r:?}");

    let files = outbox_files(&config);
    let raw = std::fs::read(&files[0]).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let text = message.body_text(0).unwrap();
    // The lead is the article's opening, not its page furniture.
    assert!(
        text.contains("Negotiators said on Sunday they were close to an Iran deal"),
        "{text}"
    );
    assert!(!text.contains("All rights reserved"), "{text}");
    // Published 07:05 GMT is 10:05 in Riyadh (UTC+3).
    assert!(text.contains("10:05 UTC+3"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_stored_breaking_state() {
    let fx = Fixtures::start().await;
    feed(
        &fx,
        &[(
            "lavrov",
            "لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول",
            "lavrov-original.html",
        )],
    );
    let (_dir, config, store) = setup(None).await;
    add_feed(&store, &fx, "الخبر").await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.new_articles, 1);
    drop(p);

    // The story turned breaking on reports the articles alone do not show (support
    // from reports that joined other stories): the store holds that state.
    let since = t0() - TimeDelta::days(2);
    let mut row = store.list_stories(since, 10).await.unwrap().remove(0);
    assert_ne!(row.state, ajil_store::StoryState::Breaking);
    let at = t0() + TimeDelta::minutes(1);
    row.state = ajil_store::StoryState::Breaking;
    row.breaking_at = Some(at);
    store.upsert_story(&row).await.unwrap();

    // After a restart a reprint joins the story: its state stays as stored.
    let base = fx.base();
    fx.put_page("/reprint", "lavrov-reprint.html");
    fx.put(
        "/other.xml",
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>o</title><item><guid>r1</guid>\
             <title>لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول</title>\
             <link>{base}/reprint</link><pubDate>Sun, 29 Nov 2026 07:20:00 GMT</pubDate></item>\
             </channel></rss>"
        ),
    );
    store
        .add_source(
            &format!("{base}/other.xml"),
            "الأنباء",
            Duration::from_secs(300),
            t0(),
        )
        .await
        .unwrap();
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(5), true)
        .await
        .unwrap();
    assert_eq!((r.new_articles, r.new_stories), (1, 0));
    let stories = store.list_stories(since, 10).await.unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].outlet_count, 2);
    assert_eq!(stories[0].state, ajil_store::StoryState::Breaking);
    assert_eq!(stories[0].breaking_at, Some(at));
}

/// A plain news page with `title` and `paragraphs`.
fn page(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body><main><article><h1>{title}</h1>\
         <div class=\"entry-content\">{body}</div></article></main></body></html>"
    )
}

/// Adds source `name` whose feed holds one item, published at `published`
/// (RFC 2822), linking to a page with `title` and `paragraphs`.
async fn add_one_item_source(
    store: &Store,
    fx: &Fixtures,
    name: &str,
    published: &str,
    title: &str,
    paragraphs: &[&str],
) {
    add_one_item_source_in(store, fx, name, published, title, paragraphs, None).await;
}

/// [`add_one_item_source`] with the item in `category`.
async fn add_one_item_source_in(
    store: &Store,
    fx: &Fixtures,
    name: &str,
    published: &str,
    title: &str,
    paragraphs: &[&str],
    category: Option<&str>,
) -> ajil_store::Source {
    let category = category.map_or(String::new(), |c| format!("<category>{c}</category>"));
    let base = fx.base();
    fx.put(
        &format!("/{name}/page"),
        "text/html; charset=utf-8",
        page(title, paragraphs),
    );
    fx.put(
        &format!("/{name}/feed.xml"),
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>{name}</title><item><guid>{name}-1</guid>\
             <title>{title}</title><link>{base}/{name}/page</link>{category}\
             <pubDate>{published}</pubDate></item></channel></rss>"
        ),
    );
    store
        .add_source(
            &format!("{base}/{name}/feed.xml"),
            name,
            Duration::from_secs(3600),
            t0(),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_of_two_happenings_confirms_the_one_it_does_not_join() {
    let fx = Fixtures::start().await;
    let (_dir, config, store) = setup(None).await;
    let s = store
        .upsert_subscriber("b@example.org", "ar", t0())
        .await
        .unwrap();
    let sub = store
        .add_subscription(
            &NewSubscription {
                subscriber_id: s.id,
                query: "كوشنر".into(),
                langs: vec![],
                cadence: Cadence::Realtime,
                breaking_only: true,
                confirmed: true,
            },
            t0(),
        )
        .await
        .unwrap();
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let mut now = t0();
    let mut step = async |name: &str, published: &str, title: &str, paragraphs: &[&str]| {
        add_one_item_source(&store, &fx, name, published, title, paragraphs).await;
        now += TimeDelta::minutes(1);
        let r = p.run_cycle(now, true).await.unwrap();
        assert_eq!(r.new_articles, 1, "{name}");
    };
    // The embassy opening, told by three outlets hours apart: not breaking.
    step(
        "outlet-a",
        "Sun, 29 Nov 2026 01:00:00 GMT",
        "إيفانكا ترامب تتقدم الوفد الأمريكي لافتتاح السفارة في القدس",
        &[
            "وصلت إيفانكا ترامب وزوجها جاريد كوشنر إلى القدس على رأس الوفد الأمريكي الذي يحضر حفل افتتاح السفارة الأمريكية الجديدة.",
            "ويقام الحفل بعد ظهر الاثنين في مبنى القنصلية السابق في حي أرنونا، وقال السفير ديفيد فريدمان إن نقل السفارة من تل أبيب يفي بوعد الرئيس.",
        ],
    )
    .await;
    step(
        "outlet-b",
        "Sun, 29 Nov 2026 04:00:00 GMT",
        "واشنطن تدشن سفارتها في القدس بحضور إيفانكا ترامب وكوشنر",
        &[
            "تدشن الولايات المتحدة الاثنين سفارتها في القدس في حفل يحضره وفد أمريكي ترأسه إيفانكا ترامب وجاريد كوشنر.",
            "وأكد السفير فريدمان أن افتتاح السفارة في حي أرنونا تنفيذ لوعد ترامب بنقلها من تل أبيب.",
        ],
    )
    .await;
    step(
        "outlet-c",
        "Sun, 29 Nov 2026 07:00:00 GMT",
        "افتتاح السفارة الأمريكية رسميا في القدس",
        &[
            "افتتحت الولايات المتحدة رسميا سفارتها في القدس في حفل حضره كوشنر وإيفانكا ترامب والسفير فريدمان في حي أرنونا.",
            "وبث الحفل رسالة مسجلة من الرئيس ترامب قال فيها إن نقل السفارة من تل أبيب وعد تحقق.",
        ],
    )
    .await;
    // The killings at the Gaza border, then two reports leading with them that also
    // tell the opening.
    step(
        "outlet-d",
        "Sun, 29 Nov 2026 06:50:00 GMT",
        "مقتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود غزة",
        &[
            "قتل الجيش الإسرائيلي عشرات الفلسطينيين وأصاب أكثر من ألفين بالرصاص الحي خلال احتجاجات مسيرة العودة على السياج الحدودي شرق قطاع غزة.",
            "وقالت وزارة الصحة في غزة إن بين القتلى أطفالا ومسعفين.",
        ],
    )
    .await;
    step(
        "outlet-e",
        "Sun, 29 Nov 2026 07:05:00 GMT",
        "عشرات القتلى الفلسطينيين على حدود غزة مع افتتاح السفارة الأمريكية في القدس",
        &[
            "سقط عشرات القتلى الفلسطينيين وأكثر من ألفي جريح برصاص الجيش الإسرائيلي قرب السياج الحدودي لقطاع غزة في احتجاجات مسيرة العودة.",
            "وأفادت وزارة الصحة بأن بين القتلى أطفالا.",
            "وفي القدس افتتحت الولايات المتحدة سفارتها في حفل حضره كوشنر وإيفانكا ترامب.",
        ],
    )
    .await;
    step(
        "outlet-f",
        "Sun, 29 Nov 2026 07:10:00 GMT",
        "غزة تنزف: قتلى برصاص الجيش الإسرائيلي وافتتاح السفارة الأمريكية بالقدس",
        &[
            "أطلق الجنود الإسرائيليون الرصاص الحي على المحتجين الفلسطينيين عند حدود قطاع غزة فقتلوا العشرات في مسيرة العودة، بحسب وزارة الصحة في غزة.",
            "وجاء ذلك بينما حضر كوشنر وإيفانكا ترامب حفل افتتاح السفارة الأمريكية في القدس.",
        ],
    )
    .await;

    // Both are breaking once the third report arrives: the clashes on their own
    // reports, the opening on its own three outlets brought together in time by the
    // two reports that joined the clashes.
    let since = t0() - TimeDelta::days(2);
    let mut stories = Vec::new();
    for s in store.list_stories(since, 10).await.unwrap() {
        let outlets: Vec<String> = store
            .story_articles(s.id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.source_name)
            .collect();
        stories.push((outlets, s));
    }
    stories.sort_by(|a, b| a.0.cmp(&b.0));
    let [(opening_outlets, opening), (clash_outlets, clashes)] = &stories[..] else {
        panic!("two stories: {stories:?}");
    };
    assert_eq!(opening_outlets, &["outlet-a", "outlet-b", "outlet-c"]);
    assert_eq!(clash_outlets, &["outlet-d", "outlet-e", "outlet-f"]);
    let third = Some(t0() + TimeDelta::minutes(6));
    assert_eq!(clashes.state, ajil_store::StoryState::Breaking);
    assert_eq!(clashes.breaking_at, third);
    assert_eq!(opening.state, ajil_store::StoryState::Breaking);
    assert_eq!(opening.breaking_at, third);
    assert_eq!(opening.article_count, 3, "support adds no article");

    // The breaking-only subscription matched those reports: one alert for each story.
    let alerted: Vec<_> = store
        .alerts_of(sub.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.story_id)
        .collect();
    assert_eq!(alerted, [clashes.id, opening.id]);
    assert_eq!(outbox_files(&config).len(), 2);
}

/// Three outlets' own reports of the embassy opening, ten minutes apart:
/// (outlet, published, title, text).
fn embassy_reports() -> [(&'static str, &'static str, &'static str, &'static str); 3] {
    [
        (
            "outlet-a",
            "Sun, 29 Nov 2026 07:00:00 GMT",
            "إيفانكا ترامب تتقدم الوفد الأمريكي لافتتاح السفارة في القدس",
            "وصلت إيفانكا ترامب وزوجها جاريد كوشنر إلى القدس على رأس الوفد الأمريكي الذي يحضر حفل افتتاح السفارة الأمريكية الجديدة في حي أرنونا.",
        ),
        (
            "outlet-b",
            "Sun, 29 Nov 2026 07:10:00 GMT",
            "واشنطن تدشن سفارتها في القدس بحضور إيفانكا ترامب وكوشنر",
            "تدشن الولايات المتحدة الاثنين سفارتها في القدس في حفل يحضره وفد أمريكي ترأسه إيفانكا ترامب وجاريد كوشنر في حي أرنونا.",
        ),
        (
            "outlet-c",
            "Sun, 29 Nov 2026 07:20:00 GMT",
            "افتتاح السفارة الأمريكية رسميا في القدس",
            "افتتحت الولايات المتحدة رسميا سفارتها في القدس في حفل حضره كوشنر وإيفانكا ترامب والسفير فريدمان في حي أرنونا.",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_from_a_sport_section_never_make_a_story_breaking() {
    // (item category, the source's own section, breaking)
    let cases = [
        (Some("رياضة"), None, false),
        (Some("الشرق الأوسط"), None, true),
        (None, None, true),
        (None, Some("sport"), false),
        (Some("middleEast"), Some("Sports"), false),
    ];
    for (category, section, breaking) in cases {
        let fx = Fixtures::start().await;
        let (_dir, config, store) = setup(None).await;
        subscribe(&store, "r@example.org", "كوشنر", Cadence::Realtime, t0()).await;
        let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
        let reports = embassy_reports();
        for (i, (name, published, title, text)) in reports.into_iter().enumerate() {
            let source =
                add_one_item_source_in(&store, &fx, name, published, title, &[text], category)
                    .await;
            store.set_source_section(source.id, section).await.unwrap();
            let r = p
                .run_cycle(t0() + TimeDelta::minutes(i as i64 + 1), true)
                .await
                .unwrap();
            assert_eq!(r.new_articles, 1, "{name}");
        }
        let stories = store
            .list_stories(t0() - TimeDelta::days(2), 10)
            .await
            .unwrap();
        assert_eq!(stories.len(), 1, "{category:?} {section:?}: one story");
        assert_eq!(
            stories[0].independent_outlets, 3,
            "{category:?} {section:?}"
        );
        assert_eq!(
            stories[0].state == ajil_store::StoryState::Breaking,
            breaking,
            "{category:?} {section:?}"
        );
        // The first alert does not depend on the section; the one "turned breaking"
        // update does.
        let emails = if breaking { 2 } else { 1 };
        assert_eq!(
            outbox_files(&config).len(),
            emails,
            "{category:?} {section:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arabic_queries_find_names_not_words_that_stem_alike() {
    let fx = Fixtures::start().await;
    let (_dir, config, store) = setup(None).await;
    let at = "Sun, 29 Nov 2026 07:05:00 GMT";
    add_one_item_source(
        &store,
        &fx,
        "emirates",
        at,
        "الإمارات ترسل طائرة مساعدات طبية إلى السودان",
        &["أعلنت وزارة الخارجية الإماراتية إرسال طائرة تحمل أدوية ومعدات طبية إلى الخرطوم."],
    )
    .await;
    add_one_item_source(
        &store,
        &fx,
        "artist",
        at,
        "الفنان يقول إن الأمر يعود إلى امرأة التقاها في المهرجان",
        &["قال الفنان في مقابلة تلفزيونية إن الأمر كله بدأ حين التقى امرأة في مهرجان السينما."],
    )
    .await;
    add_one_item_source(
        &store,
        &fx,
        "border",
        at,
        "قتلى وجرحى بغزة في مواجهات على الحدود",
        &["سقط قتلى وجرحى بغزة اليوم خلال مواجهات مع الجيش على الحدود الشرقية للقطاع."],
    )
    .await;
    // Each query word once shared its key with the other article's words:
    // "الإمارات" with "الأمر" and "امرأة", "لبنان" with "الفنان".
    subscribe(
        &store,
        "uae@example.org",
        "الإمارات",
        Cadence::Realtime,
        t0(),
    )
    .await;
    subscribe(
        &store,
        "lebanon@example.org",
        "لبنان",
        Cadence::Realtime,
        t0(),
    )
    .await;
    // Written with a preposition in the article, bare in the query.
    subscribe(&store, "gaza@example.org", "غزة", Cadence::Realtime, t0()).await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.new_articles, 3, "{r:?}");
    assert_eq!(r.emails_sent, 2, "{r:?}");

    let mut to = Vec::new();
    for file in outbox_files(&config) {
        let raw = std::fs::read(&file).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let addr = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        let subject = message.subject().unwrap_or_default().to_string();
        to.push((addr.unwrap_or_default().to_string(), subject));
    }
    to.sort();
    assert_eq!(to.len(), 2, "{to:?}");
    assert_eq!(to[0].0, "gaza@example.org");
    assert!(to[0].1.contains("بغزة"), "{to:?}");
    assert_eq!(to[1].0, "uae@example.org");
    assert!(to[1].1.contains("الإمارات"), "{to:?}");
}

/// (source, published, title, paragraphs) of a report of the Helsinki summit.
type Report = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const HELSINKI_EN: Report = (
    "wire-en",
    "Sun, 29 Nov 2026 12:30:00 GMT",
    "Trump and Putin to meet in Helsinki on July 16",
    &[
        "US President Donald Trump and Russian President Vladimir Putin will hold a \
         summit in Helsinki, Finland, on July 16, the White House and the Kremlin said \
         on Thursday.",
        "The meeting will be the first formal summit between the two leaders. Trump said \
         he would raise Syria and Ukraine with Putin.",
    ],
);

const HELSINKI_AR: Report = (
    "news-ar",
    "Sun, 29 Nov 2026 12:55:00 GMT",
    "ترامب وبوتين يلتقيان في هلسنكي في 16 يوليو",
    &[
        "قال البيت الأبيض والكرملين يوم الخميس إن الرئيس الأمريكي دونالد ترامب والرئيس \
         الروسي فلاديمير بوتين سيعقدان قمة في هلسنكي عاصمة فنلندا في 16 يوليو.",
        "وسيكون اللقاء أول قمة رسمية بين الزعيمين. وقال ترامب إنه سيثير ملفي سوريا \
         وأوكرانيا مع بوتين.",
    ],
);

async fn add_helsinki_source(store: &Store, fx: &Fixtures, (name, published, title, text): Report) {
    add_one_item_source(store, fx, name, published, title, text).await;
}

/// What a test of the summit starts from: one subscriber and the English report,
/// through a first cycle.
struct Summit {
    fx: Fixtures,
    _dir: tempfile::TempDir,
    config: Config,
    store: Store,
    pipeline: Pipeline,
    first: ajil::pipeline::CycleReport,
}

/// A subscriber with interface language `ui_lang` and `query`, then the English
/// report of the summit, and one cycle at `t0()`.
async fn summit_in_english_for(ui_lang: &str, query: &str) -> Summit {
    let fx = Fixtures::start().await;
    let (dir, config, store) = setup(None).await;
    subscribe_in(
        &store,
        "b@example.org",
        ui_lang,
        query,
        Cadence::Realtime,
        t0(),
    )
    .await;
    add_helsinki_source(&store, &fx, HELSINKI_EN).await;
    let pipeline = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let first = pipeline.run_cycle(t0(), true).await.unwrap();
    Summit {
        fx,
        _dir: dir,
        config,
        store,
        pipeline,
        first,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_and_its_translation_are_one_story_and_one_alert() {
    let Summit {
        fx,
        _dir,
        config,
        store,
        pipeline,
        first: r,
    } = summit_in_english_for("en", "Helsinki OR هلسنكي").await;
    assert_eq!((r.new_articles, r.new_stories, r.emails_sent), (1, 1, 1));
    drop(pipeline);

    // After a restart (the story index rebuilt from the store) the Arabic
    // translation arrives: it joins the English report's story, and the
    // subscriber, whose query matches it too, hears of the story once.
    add_helsinki_source(&store, &fx, HELSINKI_AR).await;
    joins_the_stored_story(
        &config,
        &store,
        t0() + TimeDelta::minutes(30),
        "the translation",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arabic_reader_gets_the_arabic_headline_of_a_story_begun_in_english() {
    let Summit {
        fx,
        _dir,
        config,
        store,
        pipeline: p,
        first: r,
    } = summit_in_english_for("ar", "هلسنكي").await;
    assert_eq!(
        (r.new_stories, r.emails_sent),
        (1, 0),
        "the query is in Arabic"
    );

    // The Arabic report joins the English story and matches: the alert speaks
    // Arabic, headline and lead, though the story began in English.
    add_helsinki_source(&store, &fx, HELSINKI_AR).await;
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(30), true)
        .await
        .unwrap();
    assert_eq!((r.new_stories, r.emails_sent), (0, 1), "{r:?}");
    let files = outbox_files(&config);
    let raw = std::fs::read(&files[0]).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let subject = message.subject().unwrap();
    assert!(subject.ends_with(HELSINKI_AR.2), "{subject}");
    let text = message.body_text(0).unwrap();
    assert!(text.contains("سيعقدان قمة في هلسنكي"), "{text}");
    assert!(!text.contains("will hold a summit"), "{text}");
}

/// A report of the Surabaya police-headquarters bombing: (source, published, title,
/// paragraphs).
const SURABAYA: [Report; 4] = [
    (
        "skynews",
        "Sun, 29 Nov 2026 12:00:00 GMT",
        "انفجار انتحاري يستهدف مقر الشرطة في مدينة سورابايا الإندونيسية",
        &[
            "فجر انتحاريون على دراجات نارية قنبلة عند مدخل مقر الشرطة في مدينة سورابايا \
             ثاني أكبر مدن إندونيسيا صباح الاثنين.",
            "وقال المتحدث باسم الشرطة الوطنية إن الهجوم أدى إلى إصابة عشرة أشخاص على الأقل \
             بينهم أربعة من عناصر الشرطة.",
            "وأضاف أن المهاجمين كانوا من عائلة واحدة وأن طفلة نجت من الانفجار ونقلت إلى \
             المستشفى.",
            "ويأتي الهجوم بعد يوم واحد من تفجيرات استهدفت ثلاث كنائس في المدينة نفسها \
             وأسفرت عن مقتل ثلاثة عشر شخصا.",
            "وأعلن تنظيم داعش مسؤوليته عن تفجيرات الكنائس عبر وكالة أعماق التابعة له.",
            "وقال الرئيس الإندونيسي جوكو ويدودو إن الدولة لن تتراجع أمام الإرهاب وأمر \
             بملاحقة الشبكات المرتبطة بالمهاجمين.",
            "وانتشرت قوات الأمن بكثافة في محيط المباني الحكومية ودور العبادة في جاوة الشرقية.",
            "وتعد هذه الهجمات الأعنف في إندونيسيا منذ تفجيرات بالي عام 2002 التي قتل فيها \
             أكثر من مئتي شخص.",
            "وتشتبه السلطات في أن العائلات المنفذة تنتمي إلى جماعة أنصار الدولة المحلية \
             الموالية لداعش.",
            "ودعت الشرطة السكان إلى الهدوء وعدم تداول الصور ومقاطع الفيديو الخاصة بالهجوم.",
        ],
    ),
    (
        "alarabia",
        "Sun, 29 Nov 2026 12:10:00 GMT",
        "هجوم على مقر للشرطة في سورابايا بإندونيسيا بعد يوم من تفجير الكنائس",
        &[
            "استهدف هجوم انتحاري نفذته عائلة على دراجتين ناريتين مقر الشرطة في سورابايا \
             صباح الاثنين.",
            "وأصيب عشرة أشخاص على الأقل منهم أربعة شرطيين بحسب الشرطة الوطنية الإندونيسية.",
            "ونجت طفلة صغيرة من عائلة المهاجمين بعد أن ألقيت من الدراجة.",
            "ويأتي ذلك غداة تفجيرات ثلاث كنائس في سورابايا قتل فيها ثلاثة عشر شخصا وتبناها \
             تنظيم داعش.",
            "وتعهد الرئيس جوكو ويدودو بمواجهة الإرهاب واقتلاع جذوره.",
        ],
    ),
    // A reaction, before the third outlet: it shares too little to join at once.
    (
        "bbc",
        "Sun, 29 Nov 2026 12:15:00 GMT",
        "ماليزيا تدين الهجوم على شرطة سورابايا",
        &[
            "بعثت الحكومة الماليزية برقية تعزية إلى جاكرتا ووصفت الهجوم بأنه عمل جبان.",
            "وقالت وزارة الخارجية في كوالالمبور إنها تتابع التحقيقات وتقف مع الشعب \
             الإندونيسي.",
        ],
    ),
    (
        "france24",
        "Sun, 29 Nov 2026 12:25:00 GMT",
        "الرئيس الإندونيسي ويدودو يتعهد بالتصدي للإرهاب بعد هجوم سورابايا على الشرطة",
        &[
            "تعهد الرئيس الإندونيسي جوكو ويدودو الاثنين بتسريع قانون جديد لمكافحة الإرهاب \
             بعد أن فجرت عائلة من خمسة أفراد نفسها أمام مقر الشرطة في سورابايا.",
            "وأوضح قائد الشرطة تيتو كارنافيان أن الهجوم على مقر الشرطة أصاب عشرة أشخاص وأن \
             طفلة نجت.",
            "وكانت سورابايا قد شهدت الأحد تفجيرات على ثلاث كنائس تبناها تنظيم داعش.",
        ],
    ),
];

/// One cycle at `minutes` after [`t0`] by a pipeline made for it, as a new process
/// would run it: the story index is rebuilt from the store first.
async fn cycle_in_a_new_process(
    config: &Config,
    store: &Store,
    minutes: i64,
) -> ajil::pipeline::CycleReport {
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    p.run_cycle(t0() + TimeDelta::minutes(minutes), true)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_swept_in_as_the_story_breaks_stays_an_angle_after_a_restart() {
    let fx = Fixtures::start().await;
    let (_dir, config, store) = setup(None).await;
    let since = t0() - TimeDelta::days(2);
    let cycle = |minutes: i64| cycle_in_a_new_process(&config, &store, minutes);
    // Two outlets, then the reaction: a story of its own.
    for (name, published, title, text) in &SURABAYA[..2] {
        add_one_item_source(&store, &fx, name, published, title, text).await;
    }
    assert_eq!(cycle(0).await.new_stories, 1);
    let (name, published, title, text) = SURABAYA[2];
    add_one_item_source(&store, &fx, name, published, title, text).await;
    assert_eq!(cycle(1).await.new_stories, 1, "the reaction alone");
    assert_eq!(store.list_stories(since, 10).await.unwrap().len(), 2);

    // The third outlet makes the story breaking; the reaction joins it then.
    let (name, published, title, text) = SURABAYA[3];
    add_one_item_source(&store, &fx, name, published, title, text).await;
    let r = cycle(2).await;
    assert_eq!((r.new_articles, r.new_stories), (1, 0));
    let stories = store.list_stories(since, 10).await.unwrap();
    assert_eq!(stories.len(), 1, "{stories:?}");
    assert_eq!(stories[0].article_count, 4);
    assert_eq!(stories[0].independent_outlets, 4);
    assert_eq!(stories[0].state, ajil_store::StoryState::Breaking);
    assert_eq!(
        stories[0].title, SURABAYA[0].2,
        "the story that broke keeps its row"
    );
    let rows = store
        .index_articles(ajil_model::ArticleId(0), since, None, 10)
        .await
        .unwrap();
    let angles: Vec<bool> = rows.iter().map(|a| a.angle).collect();
    assert_eq!(
        angles,
        [false, false, true, false],
        "the reaction is an angle"
    );
    assert!(rows.iter().all(|a| a.story_id == Some(stories[0].id)));

    // After a restart the index is rebuilt with it (the story's core as before), and a
    // fourth outlet's report joins the stored story.
    add_one_item_source(
        &store,
        &fx,
        "cnn",
        "Sun, 29 Nov 2026 12:40:00 GMT",
        "الشرطة الإندونيسية: عائلة من خمسة أفراد نفذت هجوم سورابايا على مقر الشرطة",
        &[
            "قالت الشرطة الإندونيسية إن عائلة من خمسة أفراد على دراجتين ناريتين فجرت نفسها \
             عند مدخل مقر الشرطة في سورابايا صباح الاثنين.",
            "وأصيب عشرة أشخاص بينهم أربعة من عناصر الشرطة، ونجت طفلة من الانفجار.",
        ],
    )
    .await;
    let r = cycle(3).await;
    assert_eq!((r.new_articles, r.new_stories), (1, 0));
    let stories = store.list_stories(since, 10).await.unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].article_count, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_hours_after_the_story_broke_settles_into_it_across_restarts() {
    let fx = Fixtures::start().await;
    let (_dir, config, store) = setup(None).await;
    let since = t0() - TimeDelta::days(2);
    // A new process for every cycle: each rebuilds the story index from the store.
    let cycle = |minutes: i64| cycle_in_a_new_process(&config, &store, minutes);
    for (name, published, title, text) in [
        (
            "outlet-a",
            "Sun, 29 Nov 2026 08:00:00 GMT",
            "مقتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود غزة",
            "قتل الجيش الإسرائيلي عشرات الفلسطينيين وأصاب أكثر من ألفين بالرصاص الحي خلال احتجاجات مسيرة العودة على السياج الحدودي شرق قطاع غزة. وقالت وزارة الصحة في غزة إن بين القتلى أطفالا ومسعفين.",
        ),
        (
            "outlet-b",
            "Sun, 29 Nov 2026 08:12:00 GMT",
            "غزة.. عشرات القتلى والجرحى برصاص الجيش الإسرائيلي",
            "أعلنت وزارة الصحة في قطاع غزة سقوط عشرات القتلى وآلاف الجرحى برصاص الجيش الإسرائيلي قرب السياج الحدودي حيث تظاهر الفلسطينيون في مسيرة العودة.",
        ),
        (
            "outlet-c",
            "Sun, 29 Nov 2026 08:25:00 GMT",
            "يوم دام على حدود غزة: عشرات القتلى في احتجاجات مسيرة العودة",
            "سقط عشرات القتلى الفلسطينيين وأصيب المئات بنيران القناصة الإسرائيليين على حدود قطاع غزة، في أكثر الأيام دموية منذ حرب 2014، وفق وزارة الصحة.",
        ),
    ] {
        add_one_item_source(&store, &fx, name, published, title, &[text]).await;
    }
    assert_eq!(cycle(-270).await.new_stories, 1);
    let broke = store.list_stories(since, 10).await.unwrap();
    assert_eq!(broke[0].state, ajil_store::StoryState::Breaking);

    // Five hours later a reaction, in words of its own: a story of its own at first.
    add_one_item_source(
        &store,
        &fx,
        "outlet-d",
        "Sun, 29 Nov 2026 13:00:00 GMT",
        "الإمارات تدين التصعيد الإسرائيلي في غزة",
        &["أدانت دولة الإمارات بشدة استهداف المدنيين الفلسطينيين العزل في قطاع غزة، ودعت المجتمع الدولي إلى تحمل مسؤولياته لوقف التصعيد وحماية الشعب الفلسطيني، معربة عن تعازيها لأسر الضحايا."],
    )
    .await;
    assert_eq!(cycle(1).await.new_stories, 1, "the reaction alone");
    assert_eq!(store.list_stories(since, 10).await.unwrap().len(), 2);

    // Hours later, in another process, any new article settles it.
    add_one_item_source(
        &store,
        &fx,
        "outlet-e",
        "Sun, 29 Nov 2026 17:30:00 GMT",
        "أمطار غزيرة متوقعة على السواحل المغربية",
        &["توقعت الأرصاد الجوية المغربية هطول أمطار غزيرة على السواحل الشمالية خلال اليومين المقبلين مع انخفاض درجات الحرارة."],
    )
    .await;
    let r = cycle(271).await;
    assert_eq!((r.new_articles, r.new_stories), (1, 1));
    let stories = store.list_stories(since, 10).await.unwrap();
    assert_eq!(stories.len(), 2, "{stories:?}");
    let killings = stories.iter().find(|s| s.id == broke[0].id).unwrap();
    assert_eq!(killings.article_count, 4);
    assert_eq!(killings.independent_outlets, 4);
    assert_eq!(killings.title, broke[0].title, "the story keeps its row");
    let rows = store
        .index_articles(ajil_model::ArticleId(0), since, None, 10)
        .await
        .unwrap();
    let reaction = rows.iter().find(|a| a.source_name == "outlet-d").unwrap();
    assert!(reaction.angle);
    assert_eq!(reaction.story_id, Some(killings.id));
}

/// A section front with no feed: its headlines link to article pages.
fn section_page(fx: &Fixtures, headlines: &[(&str, &str)]) -> String {
    let base = fx.base();
    let links: String = headlines
        .iter()
        .map(|(path, title)| {
            format!("<h3><a href=\"{base}{path}?utm_source=home\">{title}</a></h3>")
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>العالم</title></head>\
         <body><nav><a href=\"/ar/world\">العالم</a> <a href=\"/ar/sport\">الرياضة</a></nav>\
         <main>{links}<a href=\"/ar/world/more\">المزيد من الأخبار</a></main>\
         <footer><a href=\"/ar/about-us\">من نحن وكيف نعمل</a></footer></body></html>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_news_page_without_a_feed_is_watched_for_new_article_links() {
    let fx = Fixtures::start().await;
    let talks = "/ar/world/2026/11/29/ceasefire-talks-begin-in-cairo";
    let quake = "/ar/world/2026/11/29/quake-shakes-the-coast";
    let port = "/ar/world/2026/11/29/port-reopens-after-storm";
    for (path, title, lead) in [
        (
            talks,
            "محادثات وقف إطلاق النار تبدأ في القاهرة",
            "بدأت في القاهرة اليوم محادثات وقف إطلاق النار بين الطرفين بوساطة مصرية وقطرية.",
        ),
        (
            quake,
            "زلزال بقوة ست درجات يضرب الساحل الغربي",
            "ضرب زلزال بقوة ست درجات الساحل الغربي صباح اليوم ولم ترد أنباء عن إصابات.",
        ),
        (
            port,
            "إعادة فتح الميناء بعد العاصفة",
            "أعادت السلطات فتح الميناء التجاري بعد يومين من الإغلاق بسبب العاصفة وقف إطلاق النار.",
        ),
    ] {
        let body = format!("{lead} وقالت مصادر مطلعة إن الجولة الأولى ستستمر يومين على الأقل.");
        fx.put(
            path,
            "text/html; charset=utf-8",
            page(title, &[&body, lead]),
        );
    }
    fx.put(
        "/ar/world",
        "text/html",
        section_page(
            &fx,
            &[
                (quake, "زلزال بقوة ست درجات يضرب الساحل الغربي"),
                (talks, "محادثات وقف إطلاق النار تبدأ في القاهرة"),
            ],
        ),
    );
    let (_dir, config, store) = setup(None).await;
    subscribe(
        &store,
        "reader@example.org",
        "\"وقف إطلاق النار\"",
        Cadence::Realtime,
        t0(),
    )
    .await;
    let source = store
        .add_source(
            &format!("{}/ar/world", fx.base()),
            "page",
            Duration::from_secs(60),
            t0(),
        )
        .await
        .unwrap();
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.sources_failed, 0);
    assert_eq!(r.new_articles, 2, "the two headlines, not the navigation");
    assert_eq!(r.emails_sent, 1, "the talks match, the quake does not");
    let sources = store.list_sources().await.unwrap();
    assert!(
        sources[0].last_error.is_none(),
        "{:?}",
        sources[0].last_error
    );
    // The HTML part, quoted-printable: soft breaks joined, `=3D` read back.
    let mail = std::fs::read_to_string(&outbox_files(&config)[0])
        .unwrap()
        .replace("=\r\n", "")
        .replace("=3D", "=");
    assert!(
        mail.contains(&format!("href=\"{}{talks}\"", fx.base())),
        "the article's own address: {mail}"
    );

    // Nothing new on the page: nothing new stored or sent.
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(2), true)
        .await
        .unwrap();
    assert_eq!((r.new_articles, r.emails_sent), (0, 0));

    // A new headline on top is fetched, extracted and matched.
    fx.put(
        "/ar/world",
        "text/html",
        section_page(
            &fx,
            &[
                (port, "إعادة فتح الميناء بعد العاصفة"),
                (quake, "زلزال بقوة ست درجات يضرب الساحل الغربي"),
                (talks, "محادثات وقف إطلاق النار تبدأ في القاهرة"),
            ],
        ),
    );
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(4), true)
        .await
        .unwrap();
    assert_eq!(r.new_articles, 1);
    assert_eq!(r.emails_sent, 1, "its body names the ceasefire");
    let stored = store
        .list_stories(t0() - TimeDelta::days(1), 10)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|s| s.title == "إعادة فتح الميناء بعد العاصفة"),
        "{stored:?}"
    );
    assert_eq!(source.name, "page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemap_indexes_and_pages_that_only_advertise_a_feed_are_followed() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    fx.put(
        "/a/page",
        "text/html; charset=utf-8",
        page(
            "Central bank raises rates by half a point",
            &["The central bank raised its main rate by half a point on Sunday, its third rise this year."],
        ),
    );
    fx.put(
        "/b/page",
        "text/html; charset=utf-8",
        page(
            "Floods close the northern highway",
            &["Floods closed the northern highway on Sunday after two days of heavy rain in the hills."],
        ),
    );
    fx.put(
        "/sitemap-index.xml",
        "application/xml",
        format!(
            "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
             <sitemap><loc>{base}/missing.xml</loc><lastmod>2026-11-01</lastmod></sitemap>\
             <sitemap><loc>{base}/news-sitemap.xml</loc><lastmod>2026-11-29T12:00Z</lastmod></sitemap>\
             </sitemapindex>"
        ),
    );
    fx.put(
        "/news-sitemap.xml",
        "application/xml",
        format!(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
             xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"><url><loc>{base}/a/page</loc>\
             <news:news><news:publication_date>2026-11-29T12:30:00Z</news:publication_date>\
             <news:title>Central bank raises rates by half a point</news:title></news:news></url></urlset>"
        ),
    );
    fx.put(
        "/blog",
        "text/html",
        "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/blog/feed\"></head>\
         <body><a href=\"/blog/archive\">Archive</a></body></html>",
    );
    fx.put(
        "/blog/feed",
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>b</title><item><guid>b-1</guid>\
             <title>Floods close the northern highway</title><link>{base}/b/page</link>\
             <pubDate>Sun, 29 Nov 2026 12:40:00 GMT</pubDate></item></channel></rss>"
        ),
    );
    fx.put(
        "/empty",
        "text/html",
        "<html><body><p>Nothing to follow here</p></body></html>",
    );
    let (_dir, config, store) = setup(None).await;
    for (path, name) in [
        ("/sitemap-index.xml", "index"),
        ("/blog", "blog"),
        ("/empty", "empty"),
    ] {
        store
            .add_source(
                &format!("{base}{path}"),
                name,
                Duration::from_secs(300),
                t0(),
            )
            .await
            .unwrap();
    }
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(
        r.new_articles, 2,
        "one through the sitemap index, one through the blog's feed"
    );
    assert_eq!(r.sources_failed, 1);
    for s in store.list_sources().await.unwrap() {
        match s.name.as_str() {
            "empty" => {
                let err = s.last_error.unwrap();
                assert!(
                    err.contains("no article links or feeds") && err.contains("RSS feed"),
                    "{err}"
                );
            }
            _ => assert!(s.last_error.is_none(), "{}: {:?}", s.name, s.last_error),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_site_s_pages_are_fetched_together_and_stored_in_feed_order() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    let mut items = String::new();
    for i in 0..8 {
        fx.put(
            &format!("/p{i}"),
            "text/html; charset=utf-8",
            page(
                &format!("Report number {i} from the northern province"),
                &["Officials in the northern province said on Sunday that roads had reopened."],
            ),
        );
        items += &format!(
            "<item><guid>g{i}</guid><title>Report number {i} from the northern province</title>\
             <link>{base}/p{i}</link><pubDate>Sun, 29 Nov 2026 07:{:02}:00 GMT</pubDate></item>",
            10 + i
        );
    }
    fx.put(
        "/feed.xml",
        "application/rss+xml",
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
    );
    let (_dir, config, store) = setup(None).await;
    add_feed(&store, &fx, "slow").await;
    fx.set_delay(Duration::from_millis(150));
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.new_articles, 8);
    assert!(
        fx.max_in_flight() > 1,
        "the pages were fetched one at a time"
    );
    assert!(fx.max_in_flight() <= 4, "at most four at once");
    // Stored (and clustered) in publication order, whatever order the pages came back in.
    let mut stored = store
        .articles_since(t0() - TimeDelta::days(1))
        .await
        .unwrap();
    stored.sort_by_key(|a| a.id.0);
    let titles: Vec<&str> = stored.iter().map(|a| a.title.as_str()).collect();
    let expected: Vec<String> = (0..8)
        .map(|i| format!("Report number {i} from the northern province"))
        .collect();
    assert_eq!(titles, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_are_fetched_together_and_a_hung_server_holds_up_only_itself() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    // The fixture server under two names: two hosts, to ajil.
    let other = base.replace("127.0.0.1", "localhost");
    let (_dir, mut config, store) = setup(None).await;
    config.fetch_timeout = Duration::from_secs(1);
    let text = crate::support::full_text();
    for i in 0..6 {
        fx.put(
            &format!("/f{i}.xml"),
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>f{i}</title><item><guid>g{i}</guid>\
                 <title>Outlet {i} reports on the northern province</title>\
                 <link>{base}/a{i}</link><description>{text}</description>\
                 <pubDate>Sun, 29 Nov 2026 07:1{i}:00 GMT</pubDate></item></channel></rss>"
            ),
        );
        let host = if i % 2 == 0 { &base } else { &other };
        store
            .add_source(
                &format!("{host}/f{i}.xml"),
                &format!("outlet{i}"),
                Duration::from_secs(300),
                t0(),
            )
            .await
            .unwrap();
    }
    // A server that takes the connection and never answers.
    let (hung_url, _hold) = crate::support::hung_server().await;
    store
        .add_source(&hung_url, "hung", Duration::from_secs(300), t0())
        .await
        .unwrap();
    fx.set_delay(Duration::from_millis(200));
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.sources_polled, 7);
    assert_eq!(r.sources_failed, 1);
    assert_eq!(r.new_articles, 6, "every answering source was read");
    assert_eq!(
        fx.max_in_flight(),
        2,
        "the two hosts fetched from together, each one source at a time"
    );
    for s in store.list_sources().await.unwrap() {
        if s.name == "hung" {
            let err = s.last_error.expect("the hung source's failure is recorded");
            assert_eq!(s.consecutive_failures, 1, "{err}");
        } else {
            assert!(s.last_error.is_none(), "{}: {:?}", s.name, s.last_error);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_go_out_before_a_hung_source_gives_up() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let smtp = SmtpServer::start();
    let (_dir, mut config, store) = setup(Some(&smtp)).await;
    config.fetch_timeout = Duration::from_secs(120);
    subscribe(&store, "a@example.org", "Iran", Cadence::Realtime, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    // A server that takes the connection and answers nothing until released.
    let (hung_url, release) = crate::support::hung_server().await;
    store
        .add_source(&hung_url, "hung", Duration::from_secs(300), t0())
        .await
        .unwrap();
    let p = std::sync::Arc::new(Pipeline::new(config, store.clone()).await.unwrap());
    let cycle = {
        let p = p.clone();
        tokio::spawn(async move { p.run_cycle(t0(), true).await })
    };
    // The alert arrives while the cycle still waits on the hung server.
    let got = tokio::task::block_in_place(|| smtp.wait_for(1, Duration::from_secs(30)));
    assert_eq!(got.len(), 1, "the alert waited for the whole cycle");
    assert!(!cycle.is_finished(), "the hung server was given up early");
    release.send(()).unwrap();
    let r = cycle.await.unwrap().unwrap();
    assert_eq!((r.sources_polled, r.sources_failed), (2, 1));
    assert_eq!((r.alerts_queued, r.emails_sent), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_asks_to_wait_is_left_alone_that_long() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    fx.put_status("/busy.xml", 503, &[("retry-after", "7200")]);
    fx.put_status("/limited.xml", 429, &[("retry-after", "30")]);
    let (_dir, config, store) = setup(None).await;
    add_named_feeds(&store, &base, &["busy", "limited"]).await;
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.sources_failed, 2);
    for s in store.list_sources().await.unwrap() {
        let err = s.last_error.clone().unwrap();
        let wait = s.next_fetch_at - t0();
        match s.name.as_str() {
            // Two hours, as asked, rather than the five minutes of a first failure.
            "busy" => {
                assert_eq!(wait, TimeDelta::hours(2), "{err}");
                assert!(err.contains("503") && err.contains("retry after"), "{err}");
            }
            // Asked for less than the usual wait: the usual wait.
            _ => assert_eq!(wait, TimeDelta::minutes(5), "{err}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_publishes_often_is_polled_sooner() {
    let fx = Fixtures::start().await;
    let base = fx.base();
    let text = crate::support::full_text();
    let rss = |count: usize, every_minutes: i64, prefix: &str| {
        let mut items = String::new();
        for i in 0..count {
            let at = t0() - TimeDelta::minutes(every_minutes * i as i64 + 1);
            items += &format!(
                "<item><guid>{prefix}{i}</guid><title>{prefix} report {i} on district {i}</title>\
                 <link>{base}/{prefix}/{i}</link><description>{text}</description>\
                 <pubDate>{}</pubDate></item>",
                at.to_rfc2822()
            );
        }
        format!("<rss version=\"2.0\"><channel><title>{prefix}</title>{items}</channel></rss>")
    };
    // 200 items in the last 20 hours (one every 6 minutes), and a quiet feed.
    fx.put("/busy.xml", "application/rss+xml", rss(200, 6, "busy"));
    fx.put("/quiet.xml", "application/rss+xml", rss(2, 300, "quiet"));
    let (_dir, config, store) = setup(None).await;
    add_named_feeds(&store, &base, &["busy", "quiet"]).await;
    let p = Pipeline::new(config, store.clone()).await.unwrap();
    let r = p.run_cycle(t0(), true).await.unwrap();
    assert_eq!(r.new_articles, 202);
    for s in store.list_sources().await.unwrap() {
        let wait = s.next_fetch_at - t0();
        match s.name.as_str() {
            // Half the average gap of 7.2 minutes (a day over 200 items).
            "busy" => assert_eq!(wait, TimeDelta::seconds(216)),
            _ => assert_eq!(wait, TimeDelta::minutes(5), "its own interval"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_source_no_longer_confirms_a_story() {
    let fx = Fixtures::start().await;
    let (_dir, config, store) = setup(None).await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let reports = embassy_reports();
    // A story of its own from an outlet removed later.
    let lone = add_one_item_source_in(
        &store,
        &fx,
        "outlet-z",
        "Sun, 29 Nov 2026 06:50:00 GMT",
        "منتخب المغرب يفوز على تونس في مباراة ودية",
        &["فاز منتخب المغرب على نظيره التونسي بهدفين دون رد في مباراة ودية أقيمت في الرباط مساء السبت."],
        None,
    )
    .await;
    p.run_cycle(t0(), false).await.unwrap();
    let mut ids = Vec::new();
    for (i, (name, published, title, text)) in reports.into_iter().enumerate() {
        let source =
            add_one_item_source_in(&store, &fx, name, published, title, &[text], None).await;
        ids.push(source.id);
        if i == 2 {
            // Outlet b is removed (as `ajil sources remove` does, from another
            // process) before c reports: two outlets confirm the story, not three.
            store.remove_source(ids[1]).await.unwrap();
            store.remove_source(lone.id).await.unwrap();
        }
        let r = p
            .run_cycle(t0() + TimeDelta::minutes(i as i64 + 1), false)
            .await
            .unwrap();
        assert_eq!(r.new_articles, 1, "{name}");
    }
    assert_eq!(p.story_window_articles(), 2, "b's article left the window");
    let stories = store
        .list_stories(t0() - TimeDelta::days(2), 10)
        .await
        .unwrap();
    assert_eq!(
        stories.len(),
        1,
        "the removed outlet's own story is not listed"
    );
    assert_eq!(stories[0].independent_outlets, 2);
    assert_ne!(stories[0].state, ajil_store::StoryState::Breaking);

    // With c removed too and nothing new, the stored story counts a alone.
    store.remove_source(ids[2]).await.unwrap();
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(10), true)
        .await
        .unwrap();
    assert_eq!(r.new_articles, 0);
    let stories = store
        .list_stories(t0() - TimeDelta::days(2), 10)
        .await
        .unwrap();
    assert_eq!(
        (stories[0].article_count, stories[0].independent_outlets),
        (1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pruned_article_is_not_brought_back_by_a_feed_that_still_lists_it() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let (_dir, config, store) = setup(None).await;
    assert_eq!(config.retention_days, Some(90));
    subscribe(&store, "r@example.org", "Iran", Cadence::Realtime, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    let r = cycle_in_a_new_process(&config, &store, 0).await;
    assert_eq!((r.new_articles, r.emails_sent), (1, 1), "{r:?}");

    // A hundred days on, the article gives up its text and analysis.
    let later = t0() + TimeDelta::days(100);
    let before = ajil::retention::cutoff(later, 90);
    assert_eq!(store.prunable_articles(before).await.unwrap(), 1);
    let pruned = ajil::retention::prune(&store, before, later, |_| {})
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let story = store
        .list_stories(t0() - TimeDelta::days(1), 10)
        .await
        .unwrap()
        .remove(0);
    let kept = store.story_articles(story.id).await.unwrap().remove(0);
    assert!(kept.text.is_empty() && kept.analysis.is_empty());
    assert!(
        kept.title.contains("Iran deal"),
        "the story keeps its report"
    );

    // The feed still lists the item: a restarted pipeline polls it and finds
    // nothing new, so no second story and no second alert.
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();
    let r = p.run_cycle(later, true).await.unwrap();
    assert_eq!(
        (
            r.new_articles,
            r.new_stories,
            r.alerts_queued,
            r.emails_sent
        ),
        (0, 0, 0, 0),
        "{r:?}"
    );
    assert_eq!(outbox_files(&config).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_whose_page_is_briefly_down_waits_for_it_and_is_never_lost() {
    let fx = Fixtures::start().await;
    iran_feed(&fx);
    let (_dir, config, store) = setup(None).await;
    subscribe(&store, "r@example.org", "Iran", Cadence::Realtime, t0()).await;
    add_feed(&store, &fx, "Wire").await;
    let p = Pipeline::new(config.clone(), store.clone()).await.unwrap();

    // The page answers 503: the item waits for the next poll, which comes in
    // a minute and reads the feed whole.
    fx.put_status("/iran", 503, &[]);
    let r = p.run_cycle(t0(), false).await.unwrap();
    assert_eq!((r.new_articles, r.emails_sent), (0, 0), "{r:?}");
    let source = store.list_sources().await.unwrap().remove(0);
    assert_eq!(source.next_fetch_at, t0() + TimeDelta::minutes(1));
    assert_eq!((source.etag, source.last_modified), (None, None));

    // A minute later the page is back: the article comes with its full text.
    fx.clear_status("/iran");
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(1), false)
        .await
        .unwrap();
    assert_eq!((r.new_articles, r.emails_sent), (1, 1), "{r:?}");
    let story = store
        .list_stories(t0() - TimeDelta::days(2), 10)
        .await
        .unwrap()
        .remove(0);
    let article = store.story_articles(story.id).await.unwrap().remove(0);
    assert!(
        article.text.len() > 500,
        "the page's text: {}",
        article.text
    );

    // A page that stays down: after three attempts the item is stored with
    // the feed's own text and alerts all the same.
    feed(
        &fx,
        &[(
            "tanker",
            "Tanker seized in the Gulf of Oman, Iran says",
            "tanker.html",
        )],
    );
    fx.put_status("/tanker", 503, &[]);
    let mut stored_at = None;
    for minutes in [5, 6, 8, 12] {
        let r = p
            .run_cycle(t0() + TimeDelta::minutes(minutes), true)
            .await
            .unwrap();
        if r.new_articles > 0 {
            stored_at = Some(minutes);
            assert_eq!(r.emails_sent, 1, "{r:?}");
            break;
        }
    }
    assert_eq!(stored_at, Some(8), "the third attempt stores it");

    // A page that is gone (404) is not waited for.
    feed(
        &fx,
        &[(
            "gone",
            "Iran oil minister resigns after talks collapse",
            "tanker.html",
        )],
    );
    fx.put_status("/gone", 404, &[]);
    let r = p
        .run_cycle(t0() + TimeDelta::minutes(20), false)
        .await
        .unwrap();
    assert_eq!(r.new_articles, 1, "{r:?}");
}
