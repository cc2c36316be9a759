//! The command line: help everywhere, clear errors, extract, sources.

use crate::support::{Ajil, shared_data};

#[tokio::test]
async fn every_command_has_help() {
    let ajil = Ajil::new(&[]);
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["poll", "--help"],
        vec!["sources", "--help"],
        vec!["sources", "add", "--help"],
        vec!["sources", "list", "--help"],
        vec!["sources", "remove", "--help"],
        vec!["sources", "edit", "--help"],
        vec!["sources", "pause", "--help"],
        vec!["sources", "resume", "--help"],
        vec!["sources", "import", "--help"],
        vec!["sources", "export", "--help"],
        vec!["subscribe", "--help"],
        vec!["subscriptions", "list", "--help"],
        vec!["subscriptions", "remove", "--help"],
        vec!["subscriptions", "breaking-only", "--help"],
        vec!["subscriptions", "erase", "--help"],
        vec!["extract", "--help"],
        vec!["stories", "--help"],
        vec!["replay", "--help"],
        vec!["dkim", "--help"],
        vec!["bounces", "--help"],
        vec!["store", "--help"],
        vec!["store", "copy", "--help"],
        vec!["store", "prune", "--help"],
        vec!["store", "backup", "--help"],
        vec!["check", "--help"],
    ] {
        let out = ajil.ok(&args).await;
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn subscribe_sets_time_zone_quiet_hours_cap_and_breaking_only() {
    let ajil = Ajil::new(&[]);
    ajil.ok(&[
        "subscribe",
        "a@example.org",
        "زلزال",
        "--confirmed",
        "--tz",
        "Asia/Riyadh",
        "--quiet-hours",
        "23:00-06:30",
        "--daily-cap",
        "12",
    ])
    .await;
    // A second subscription changes only what it names.
    ajil.ok(&[
        "subscribe",
        "a@example.org",
        "gaza",
        "--confirmed",
        "--daily-cap",
        "0",
    ])
    .await;
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["subscriptions", "list", "--json"]).await).unwrap();
    let subs = list.as_array().unwrap();
    assert_eq!(subs.len(), 2);
    for s in subs {
        assert_eq!(s["tz"], "Asia/Riyadh", "{s}");
        assert_eq!(s["quiet_hours"], "23:00-06:30", "{s}");
        assert_eq!(s["daily_cap"], serde_json::Value::Null, "{s}");
    }

    // --breaking-only is kept per subscription and shown by `subscriptions list`.
    let said = ajil
        .ok(&[
            "subscribe",
            "c@example.org",
            "السفارة القدس",
            "--confirmed",
            "--breaking-only",
        ])
        .await;
    assert!(said.contains("turns breaking"), "{said}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["subscriptions", "list", "--json"]).await).unwrap();
    let only: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["email"].as_str().unwrap(),
                s["breaking_only"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        only,
        [
            ("a@example.org", false),
            ("a@example.org", false),
            ("c@example.org", true)
        ]
    );
    let table = ajil.ok(&["subscriptions", "list"]).await;
    let line = table.lines().find(|l| l.contains("c@example.org")).unwrap();
    assert!(line.contains("breaking"), "{table}");
    // The operator switches it back, and a missing id is named.
    let id = list.as_array().unwrap()[2]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let said = ajil
        .ok(&["subscriptions", "breaking-only", &id, "off"])
        .await;
    assert!(said.contains("every new matching story"), "{said}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["subscriptions", "list", "--json"]).await).unwrap();
    assert_eq!(list[2]["breaking_only"], false);
    let r = ajil
        .run(&["subscriptions", "breaking-only", "999", "on"])
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no subscription #999"), "{}", r.stderr);
    let r = ajil
        .run(&["subscriptions", "breaking-only", &id, "maybe"])
        .await;
    assert_eq!(r.code, 2, "clap rejects the value: {}", r.stderr);

    let r = ajil
        .run(&[
            "subscribe",
            "b@example.org",
            "gaza",
            "--tz",
            "Asia/Atlantis",
        ])
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("IANA"), "{}", r.stderr);

    // An address that unsubscribed is not made to get alerts behind its back.
    {
        let store = ajil_store::Store::open(&ajil.data.path().join("ajil.db"))
            .await
            .unwrap();
        let a = store
            .upsert_subscriber("a@example.org", "ar", chrono::Utc::now())
            .await
            .unwrap();
        store
            .unsubscribe_subscriber(a.id, chrono::Utc::now())
            .await
            .unwrap();
    }
    let r = ajil
        .run(&["subscribe", "a@example.org", "gaza", "--confirmed"])
        .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("unsubscribed") && r.stderr.contains("leave out --confirmed"),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_exit_code() {
    let ajil = Ajil::new(&[]);
    let r = ajil.run(&["subscribe", "not-an-address", "غزة"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("not a valid email address"),
        "{}",
        r.stderr
    );

    let r = ajil
        .run(&["subscribe", "a@example.org", "\"Iran deal"])
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("query does not parse"), "{}", r.stderr);
    assert!(
        r.stderr.contains('^'),
        "the error points at the problem: {}",
        r.stderr
    );

    let r = ajil
        .run(&["subscribe", "a@example.org", "gaza", "--mode", "weekly"])
        .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("realtime, hourly or daily"),
        "{}",
        r.stderr
    );

    let r = ajil
        .run(&["sources", "add", "ftp://example.org/feed"])
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("http or https"), "{}", r.stderr);

    let r = ajil.run(&["sources", "remove", "99"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no source #99"), "{}", r.stderr);

    let r = ajil.run(&["extract", "/nonexistent/page.html"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);

    let r = ajil.run(&["stories", "--since", "3w"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("s, m, h or d"), "{}", r.stderr);
}

#[tokio::test]
async fn sources_round_trip_through_opml() {
    let ajil = Ajil::new(&[]);
    ajil.ok(&[
        "sources",
        "add",
        "https://example.org/ar/rss",
        "--name",
        "مثال",
        "--no-check",
    ])
    .await;
    let r = ajil
        .run(&["sources", "add", "https://example.org/ar/rss", "--no-check"])
        .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already a source"), "{}", r.stderr);
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "مثال");
    assert_eq!(list[0]["section"], serde_json::Value::Null);
    let out = ajil
        .ok(&[
            "sources",
            "add",
            "https://example.org/ar/sport/rss",
            "--section",
            "sport",
            "--no-check",
        ])
        .await;
    assert!(out.contains("section sport"), "{out}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list[1]["section"], "sport");
    let text = ajil.ok(&["sources", "list"]).await;
    assert!(
        text.contains("not fetched yet, section sport; next poll ") && text.contains(" UTC"),
        "{text}"
    );

    // Edited, paused, resumed.
    let out = ajil
        .ok(&[
            "sources",
            "edit",
            "2",
            "--name",
            "رياضة",
            "--interval",
            "600",
            "--section",
            "none",
        ])
        .await;
    assert!(
        out.contains("رياضة") && out.contains("every 600 s") && out.contains("no section"),
        "{out}"
    );
    // A feed that moved keeps its source.
    let out = ajil
        .ok(&[
            "sources",
            "edit",
            "2",
            "--url",
            "https://example.org/ar/sport/feed",
        ])
        .await;
    assert!(out.contains("(https://example.org/ar/sport/feed)"), "{out}");
    let r = ajil
        .run(&[
            "sources",
            "edit",
            "2",
            "--url",
            "https://example.org/ar/rss",
        ])
        .await;
    assert!(
        r.code != 0 && r.stderr.contains("already exists"),
        "{}",
        r.stderr
    );
    let r = ajil.run(&["sources", "edit", "2"]).await;
    assert!(
        r.code != 0 && r.stderr.contains("nothing to change"),
        "{}",
        r.stderr
    );
    let r = ajil.run(&["sources", "edit", "2", "--interval", "5"]).await;
    assert!(
        r.code != 0 && r.stderr.contains("too short"),
        "{}",
        r.stderr
    );
    let r = ajil.run(&["sources", "pause", "9"]).await;
    assert!(
        r.code != 0 && r.stderr.contains("no source #9"),
        "{}",
        r.stderr
    );
    let out = ajil.ok(&["sources", "pause", "2"]).await;
    assert!(out.contains("paused source #2"), "{out}");
    let text = ajil.ok(&["sources", "list"]).await;
    assert!(text.contains("PAUSED since "), "{text}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["sources", "list", "--json"]).await).unwrap();
    assert!(list[1]["paused_at"].is_string(), "{list}");
    assert!(list[0]["paused_at"].is_null(), "{list}");
    let out = ajil.ok(&["sources", "resume", "2"]).await;
    assert!(out.contains("due for a poll now"), "{out}");
    assert!(!ajil.ok(&["sources", "list"]).await.contains("PAUSED"));
    ajil.ok(&["sources", "remove", "2"]).await;

    ajil.ok(&[
        "sources",
        "add",
        "https://example.org/ar/sport.xml",
        "--section",
        "sport",
        "--no-check",
    ])
    .await;
    let opml = ajil.ok(&["sources", "export"]).await;
    assert!(opml.contains("https://example.org/ar/rss"));
    assert!(opml.contains(r#"category="sport""#), "{opml}");
    let other = Ajil::new(&[]);
    let file = other.data.path().join("feeds.opml");
    let opml = opml.replace(
        "</body>",
        "<outline text=\"Two\" xmlUrl=\"https://example.net/feed.xml\"/></body>",
    );
    std::fs::write(&file, opml).unwrap();
    let out = other
        .ok(&["sources", "import", file.to_str().unwrap()])
        .await;
    assert!(out.contains("imported 3 sources"), "{out}");
    let list: serde_json::Value =
        serde_json::from_str(&other.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(
        list[1]["section"], "sport",
        "the section came along: {list}"
    );
    other.ok(&["sources", "remove", "1"]).await;
    let list: serde_json::Value =
        serde_json::from_str(&other.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn replay_prints_a_json_summary() {
    let ajil = Ajil::new(&[]);
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("stream.jsonl");
    let out = dir.path().join("stories.jsonl");
    let text = "قتل عشرات الفلسطينيين برصاص الجيش الإسرائيلي على حدود قطاع غزة";
    let lines = [
        serde_json::json!({"id": 1, "url": "https://a.example/1", "source": "a",
            "title": "قتلى في غزة", "published": "2018-05-14T09:00:00Z", "text": text}),
        serde_json::json!({"id": 2, "url": "https://b.example/2", "source": "b",
            "title": "قتلى في غزة", "published": "yesterday", "text": text}),
        serde_json::json!({"id": 3, "url": "https://c.example/3", "source": "c",
            "title": "قتلى في غزة", "published": "2018-05-14T09:05:00Z", "text": text}),
    ];
    let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&stream, body.join("\n")).unwrap();
    let printed = ajil
        .ok(&[
            "replay",
            stream.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "ar",
            "--threads",
            "1",
            "--json",
        ])
        .await;
    let summary: serde_json::Value = serde_json::from_str(printed.trim()).unwrap();
    assert_eq!(summary["articles"], 2, "{summary}");
    assert_eq!(summary["skipped_lines"], 1, "{summary}");
    assert_eq!(summary["stories"], 1, "{summary}");
    assert_eq!(summary["in_file_order"], true, "{summary}");
    let stories = std::fs::read_to_string(&out).unwrap();
    let story: serde_json::Value = serde_json::from_str(stories.trim()).unwrap();
    assert_eq!(story["articles"], serde_json::json!([1, 3]));
}

#[tokio::test]
async fn extract_reads_the_republisher_sample() {
    let ajil = Ajil::new(&[]);
    let sample = shared_data().join("samples/seed-republisher.html");
    if !sample.exists() {
        eprintln!("skipped: {} not found", sample.display());
        return;
    }
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared_data().join("samples/seed-republisher.expected.json"))
            .unwrap(),
    )
    .unwrap();
    let out = ajil
        .ok(&["extract", "--jsonl", sample.to_str().unwrap()])
        .await;
    let got: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for field in ["title", "lang", "published", "canonical_url", "wire"] {
        assert_eq!(got[field], expected[field], "field {field}");
    }
    assert!(
        got["path"]
            .as_str()
            .unwrap()
            .ends_with("seed-republisher.html")
    );
    let text = got["text"].as_str().unwrap();
    for bad in expected["must_not_contain"].as_array().unwrap() {
        assert!(!text.contains(bad.as_str().unwrap()), "text contains {bad}");
    }
    assert!(text.contains("ساهم كتاب أسوشيتد برس"));
}

#[tokio::test]
async fn extract_reads_gzipped_benchmark_pages() {
    let ajil = Ajil::new(&[]);
    let dir = shared_data().join("extraction/scrapinghub/html");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not found", dir.display());
        return;
    };
    let mut pages: Vec<String> = entries
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".html.gz"))
        .collect();
    pages.sort();
    pages.truncate(5);
    let mut args = vec!["extract", "--jsonl"];
    args.extend(pages.iter().map(String::as_str));
    let out = ajil.ok(&args).await;
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for l in &lines {
        assert!(l["text"].as_str().unwrap().len() > 200, "{l}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_web_page_finds_its_feed_or_watches_its_links() {
    let fx = crate::support::Fixtures::start().await;
    let base = fx.base();
    fx.put(
        "/news",
        "text/html; charset=utf-8",
        "<html><head><title>News</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Top stories\" href=\"/news/rss.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/news/atom.xml\"></head>\
         <body><a href=\"/news/2026/12/01/talks-begin-in-cairo\">Ceasefire talks begin in Cairo</a></body></html>",
    );
    fx.put(
        "/ar/world",
        "text/html; charset=utf-8",
        "<html><body><a href=\"/ar/world/2026/12/01/talks\">محادثات وقف إطلاق النار تبدأ</a>\
         <a href=\"/ar/world/2026/12/01/quake\">زلزال يضرب الساحل الغربي</a></body></html>",
    );
    fx.put(
        "/empty",
        "text/html",
        "<html><body><p>Nothing here</p></body></html>",
    );
    fx.put(
        "/data.bin",
        "application/octet-stream",
        vec![0u8, 159, 146, 150],
    );
    let ajil = Ajil::new(&[]);

    let out = ajil.ok(&["sources", "add", &format!("{base}/news")]).await;
    assert!(
        out.contains(&format!(
            "advertises the feed \"Top stories\" {base}/news/rss.xml: adding the feed"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("also advertises {base}/news/atom.xml")),
        "{out}"
    );
    let out = ajil
        .ok(&[
            "sources",
            "add",
            &format!("{base}/news"),
            "--page",
            "--name",
            "page",
        ])
        .await;
    assert!(out.contains("added source #2 page"), "{out}");
    let out = ajil
        .ok(&["sources", "add", &format!("{base}/ar/world")])
        .await;
    assert!(out.contains("web page with 2 article links"), "{out}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["sources", "list", "--json"]).await).unwrap();
    let urls: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            format!("{base}/news/rss.xml"),
            format!("{base}/news"),
            format!("{base}/ar/world")
        ]
    );

    for (path, expected) in [
        ("/empty", "no article links or feeds"),
        ("/data.bin", "not a feed ajil can read"),
    ] {
        let r = ajil
            .run(&["sources", "add", &format!("{base}{path}")])
            .await;
        assert_eq!(r.code, 1, "{path}");
        assert!(
            r.stderr.contains(expected) && r.stderr.contains("--no-check"),
            "{path}: {}",
            r.stderr
        );
    }
    ajil.ok(&["sources", "add", &format!("{base}/empty"), "--no-check"])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_database_url_moves_the_store_to_the_server() {
    let scratch = ajil_store::testing::Scratch::create().await;
    let ajil = Ajil::new(&[("AJIL_DATABASE_URL", scratch.url().to_string())]);
    one_source_and_subscription(&ajil).await;
    // The rows are on the server, not in the data folder.
    assert!(!ajil.data.path().join("ajil.db").exists());
    let store = scratch.store().await;
    let sources = store.list_sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].name, "مثال");
    assert_eq!(store.active_subscriptions().await.unwrap().len(), 1);
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list[0]["url"], "https://example.org/ar/rss");

    // A server that is not there: a clear error naming the setting, no password.
    let closed = crate::support::free_port();
    let down = Ajil::new(&[(
        "AJIL_DATABASE_URL",
        format!("postgres://ajil:s3cret@127.0.0.1:{closed}/ajil"),
    )]);
    let r = down.run(&["sources", "list"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("AJIL_DATABASE_URL"), "{}", r.stderr);
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
    // Anything but PostgreSQL is refused up front.
    let bad = Ajil::new(&[("AJIL_DATABASE_URL", "mysql://127.0.0.1/ajil".to_string())]);
    let r = bad.run(&["sources", "list"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("must be a PostgreSQL URL"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_copy_moves_a_sqlite_store_to_postgres() {
    let ajil = Ajil::new(&[]);
    one_source_and_subscription(&ajil).await;
    let scratch = ajil_store::testing::Scratch::create().await;
    let out = ajil
        .ok(&["store", "copy", "--to", scratch.url(), "--json"])
        .await;
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(report["rows"].as_u64().unwrap() >= 3, "{report}");
    assert_eq!(report["tables"][0]["table"], "sources");
    assert_eq!(report["tables"][0]["rows"], 1);

    // The same data folder, now on the server.
    let mut moved = Ajil::new(&[("AJIL_DATABASE_URL", scratch.url().to_string())]);
    moved.env[0].1 = ajil.data.path().display().to_string();
    let list: serde_json::Value =
        serde_json::from_str(&moved.ok(&["sources", "list", "--json"]).await).unwrap();
    assert_eq!(list[0]["name"], "مثال");
    let subs: serde_json::Value =
        serde_json::from_str(&moved.ok(&["subscriptions", "list", "--json"]).await).unwrap();
    assert_eq!(subs.as_array().unwrap().len(), 1);

    // A second copy would mix two stores: refused, and nothing changes.
    let r = ajil.run(&["store", "copy", "--to", scratch.url()]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already holds"), "{}", r.stderr);
    // A server that is not there: the error hides the password.
    let closed = crate::support::free_port();
    let r = ajil
        .run(&[
            "store",
            "copy",
            "--to",
            &format!("postgres://ajil:s3cret@127.0.0.1:{closed}/ajil"),
        ])
        .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("cannot open postgres://ajil:***@127.0.0.1"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_what_works_and_what_to_fix() {
    let ajil = Ajil::new(&[]);
    let out = ajil.ok(&["check", "--json"]).await;
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    let status = |got: &serde_json::Value, check: &str| {
        got.as_array()
            .unwrap()
            .iter()
            .find(|o| o["check"] == check)
            .map(|o| o["status"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(status(&got, "store"), "ok", "{got}");
    assert_eq!(
        status(&got, "mail"),
        "warn",
        "the outbox sends nothing: {got}"
    );
    assert_eq!(status(&got, "public_url"), "warn");
    assert_eq!(status(&got, "sources"), "warn", "no sources yet");

    // A server that takes the session: mail is ok, and nothing was sent.
    let server = ajil_testkit::SmtpServer::start();
    let mut with_smtp = Ajil::new(&[("AJIL_SMTP_URL", server.url())]);
    with_smtp.env[0].1 = ajil.data.path().display().to_string();
    let got: serde_json::Value =
        serde_json::from_str(&with_smtp.ok(&["check", "--json"]).await).unwrap();
    assert_eq!(status(&got, "mail"), "ok", "{got}");
    assert_eq!(status(&got, "dkim"), "warn", "unsigned: {got}");
    assert!(server.messages().is_empty());

    // Nothing listens: the check fails and says where to look.
    let closed = crate::support::free_port();
    let mut dead = Ajil::new(&[(
        "AJIL_SMTP_URL",
        format!("smtp://127.0.0.1:{closed}?tls=none"),
    )]);
    dead.env[0].1 = ajil.data.path().display().to_string();
    let r = dead.run(&["check"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("FAIL  mail") && r.stdout.contains("check smtp_url"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("1 of"), "{}", r.stderr);
    let r = dead.run(&["check", "--offline"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[tokio::test]
async fn stories_filter_by_query_and_breaking() {
    let ajil = Ajil::new(&[]);
    one_source_and_subscription(&ajil).await;
    let now = chrono::Utc::now();
    {
        let store = ajil_store::Store::open(&ajil.data.path().join("ajil.db"))
            .await
            .unwrap();
        let source = store.list_sources().await.unwrap().remove(0);
        for (id, guid, title, breaking) in [
            (1, "quake", "زلزال بقوة 6 درجات يضرب جنوب تركيا", true),
            (2, "summit", "قمة ترامب وبوتين في هلسنكي", false),
        ] {
            let a = stored_article(source.id, guid, title, now);
            let aid = store.insert_article(&a).await.unwrap().unwrap();
            store
                .set_article_story(aid, ajil_model::StoryId(id), None)
                .await
                .unwrap();
            store
                .upsert_story(&ajil_store::StoryRow {
                    id: ajil_model::StoryId(id),
                    title: title.into(),
                    lang: "ar".into(),
                    first_seen: now,
                    last_seen: now,
                    article_count: 1,
                    outlet_count: 1,
                    independent_outlets: 1,
                    state: if breaking {
                        ajil_store::StoryState::Breaking
                    } else {
                        ajil_store::StoryState::New
                    },
                    breaking_at: breaking.then_some(now),
                })
                .await
                .unwrap();
        }
    }
    let ids = |out: &str| -> Vec<i64> {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&ajil.ok(&["stories", "--json"]).await).len(), 2);
    assert_eq!(
        ids(&ajil.ok(&["stories", "--query", "تركيا", "--json"]).await),
        [1]
    );
    assert_eq!(
        ids(&ajil
            .ok(&["stories", "-q", "هلسنكي OR بوتين", "--json"])
            .await),
        [2]
    );
    assert_eq!(
        ids(&ajil.ok(&["stories", "--breaking", "--json"]).await),
        [1]
    );
    let out = ajil
        .ok(&["stories", "--query", "هلسنكي", "--breaking"])
        .await;
    assert!(
        out.contains("no breaking story within 24h matches"),
        "{out}"
    );
    let r = ajil.run(&["stories", "--query", "\"Iran deal"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("query does not parse") && r.stderr.contains('^'),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn store_backup_writes_a_store_that_opens() {
    let ajil = Ajil::new(&[]);
    one_source_and_subscription(&ajil).await;
    let file = ajil.data.path().join("backup.db");
    let out = ajil
        .ok(&["store", "backup", file.to_str().unwrap(), "--json"])
        .await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(r["bytes"].as_u64().unwrap() > 0, "{r}");
    let copy = ajil_store::Store::open(&file).await.unwrap();
    assert_eq!(copy.list_sources().await.unwrap()[0].name, "مثال");
    assert_eq!(copy.active_subscriptions().await.unwrap().len(), 1);
    let r = ajil.run(&["store", "backup", file.to_str().unwrap()]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}

#[tokio::test]
async fn subscriptions_erase_deletes_an_address() {
    let ajil = Ajil::new(&[]);
    one_source_and_subscription(&ajil).await;
    let out = ajil
        .ok(&["subscriptions", "erase", "A@Example.org", "--json"])
        .await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["email"], "a@example.org");
    assert_eq!(r["erased"]["subscriptions"], 1, "{r}");
    let list: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["subscriptions", "list", "--json"]).await).unwrap();
    assert!(list.as_array().unwrap().is_empty(), "{list}");
    let r = ajil.run(&["subscriptions", "erase", "a@example.org"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no subscriber has the address"),
        "{}",
        r.stderr
    );
}

#[tokio::test]
async fn store_prune_drops_old_text_and_keeps_the_rows() {
    let ajil = Ajil::new(&[]);
    one_source_and_subscription(&ajil).await;
    let now = chrono::Utc::now();
    {
        let store = ajil_store::Store::open(&ajil.data.path().join("ajil.db"))
            .await
            .unwrap();
        let source = store.list_sources().await.unwrap().remove(0);
        for (guid, age_days) in [("old", 200), ("new", 1)] {
            let when = now - chrono::TimeDelta::days(age_days);
            let mut a = stored_article(source.id, guid, &format!("خبر {guid}"), when);
            a.summary = Some("ملخص".into());
            store.insert_article(&a).await.unwrap().unwrap();
        }
    }
    let out = ajil.ok(&["store", "prune", "--dry-run", "--json"]).await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (r["prunable"].as_u64(), r["pruned"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    assert_eq!(r["older_than_days"], 90);

    let out = ajil.ok(&["store", "prune", "--vacuum", "--json"]).await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["pruned"], 1, "{r}");
    assert_eq!(r["compacted"], true);
    assert_eq!(
        (r["articles"].as_u64(), r["articles_pruned"].as_u64()),
        (Some(2), Some(1))
    );
    let out = ajil.ok(&["store", "prune"]).await;
    assert!(out.contains("pruned 0 articles"), "{out}");
    assert!(out.contains("2 articles, 1 of them pruned"), "{out}");

    let r = ajil.run(&["store", "prune", "--older-than", "2"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("give at least 4 days"), "{}", r.stderr);
    let mut off = Ajil::new(&[("AJIL_RETENTION_DAYS", "0".to_string())]);
    off.env[0].1 = ajil.data.path().display().to_string();
    let r = off.run(&["store", "prune"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--older-than 90"), "{}", r.stderr);
    let out = off
        .ok(&["store", "prune", "--older-than", "30", "--json"])
        .await;
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["pruned"], 0, "{r}");
}

/// An Arabic article of `source` published and fetched `when`, for filling a
/// data folder's store directly.
fn stored_article(
    source: ajil_model::SourceId,
    guid: &str,
    title: &str,
    when: chrono::DateTime<chrono::Utc>,
) -> ajil_store::NewArticle {
    ajil_store::NewArticle {
        source_id: source,
        guid: guid.into(),
        url: format!("https://example.org/{guid}"),
        canonical_url: None,
        title: title.into(),
        text: format!("{title}. تفاصيل الخبر كما وردت."),
        summary: None,
        lang: "ar".into(),
        published: when,
        fetched_at: when,
        author: None,
        wire: None,
        section: None,
        content_hash: guid.len() as u64,
        analysis: "{}".into(),
    }
}

/// Adds the source "مثال" (unchecked) and a confirmed subscription.
async fn one_source_and_subscription(ajil: &Ajil) {
    ajil.ok(&[
        "sources",
        "add",
        "https://example.org/ar/rss",
        "--name",
        "مثال",
        "--no-check",
    ])
    .await;
    ajil.ok(&["subscribe", "a@example.org", "لافروف", "--confirmed"])
        .await;
}
