//! The whole product through real processes: `ajil serve` and `ajil poll`, a
//! fixture HTTP server with Arabic and English feeds and noisy pages, and a
//! real SMTP server on loopback.

use std::collections::BTreeMap;
use std::time::Duration;

use ajil_testkit::{Received, SmtpServer};

use crate::support::{Ajil, Fixtures, free_port};

/// One feed entry of the fixture outlets.
struct Item {
    id: &'static str,
    title: &'static str,
    page: &'static str,
    published: &'static str,
}

fn rss(base: &str, title: &str, items: &[Item]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>{title}</title><link>{base}/</link><language>ar</language>"
    );
    for i in items {
        out += &format!(
            "<item><guid>{base}/{id}</guid><title>{t}</title><link>{base}/{id}</link>\
             <description>&lt;p&gt;{t}&lt;/p&gt;</description><pubDate>{p}</pubDate></item>",
            id = i.id,
            t = i.title,
            p = i.published
        );
    }
    out + "</channel></rss>"
}

fn atom(base: &str, items: &[Item]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>World Wire Daily</title><id>{base}/wire</id><updated>2026-11-29T12:00:00Z</updated>"
    );
    for i in items {
        out += &format!(
            "<entry><id>{base}/{id}</id><title>{t}</title><link rel=\"alternate\" href=\"{base}/{id}\"/>\
             <updated>{p}</updated><summary>{t}</summary></entry>",
            id = i.id,
            t = i.title,
            p = i.published
        );
    }
    out + "</feed>"
}

fn json_feed(base: &str, items: &[Item]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": format!("{base}/{}", i.id), "url": format!("{base}/{}", i.id),
                "title": i.title, "summary": i.title, "date_published": i.published,
            })
        })
        .collect();
    serde_json::json!({"version": "https://jsonfeed.org/version/1.1",
        "title": "الأنباء اليوم", "items": items})
    .to_string()
}

const LAVROV: Item = Item {
    id: "alkhabar/lavrov-istanbul",
    title: "لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول",
    page: "lavrov-original.html",
    published: "Sun, 29 Nov 2026 06:00:00 GMT",
};
const WEATHER: Item = Item {
    id: "alkhabar/heatwave",
    title: "موجة حر تضرب المنطقة",
    page: "weather.html",
    published: "Sun, 29 Nov 2026 06:10:00 GMT",
};
const IRAN: Item = Item {
    id: "wire/iran-deal",
    title: "Negotiators close in on Iran deal after overnight talks",
    page: "iran-deal.html",
    published: "2026-11-29T07:05:00Z",
};
const SPORT: Item = Item {
    id: "wire/iran-sport",
    title: "Iran deal for striker collapses at the last minute",
    page: "iran-sport.html",
    published: "2026-11-29T07:30:00Z",
};
const REPRINT: Item = Item {
    id: "anbaa/2026/11/29/lavrov",
    title: "لافروف: دبلوماسيون روس وأمريكيون يجتمعون في إسطنبول",
    page: "lavrov-reprint.html",
    published: "2026-11-29T06:20:00Z",
};
const TANKER: Item = Item {
    id: "wire/tanker",
    title: "Tanker seized in the Gulf of Oman, shipping agency says",
    page: "tanker.html",
    published: "2026-11-29T12:00:00Z",
};

fn publish(fx: &Fixtures, alkhabar: &[Item], wire: &[Item], anbaa: &[Item]) {
    let base = fx.base();
    for i in alkhabar.iter().chain(wire).chain(anbaa) {
        fx.put_page(&format!("/{}", i.id), i.page);
    }
    fx.put(
        "/alkhabar/rss.xml",
        "application/rss+xml",
        rss(&base, "شبكة الخبر", alkhabar),
    );
    fx.put("/wire/atom.xml", "application/atom+xml", atom(&base, wire));
    fx.put(
        "/anbaa/feed.json",
        "application/feed+json",
        json_feed(&base, anbaa),
    );
}

/// Messages per recipient.
fn by_recipient(msgs: &[Received]) -> BTreeMap<String, Vec<Received>> {
    let mut m: BTreeMap<String, Vec<Received>> = BTreeMap::new();
    for r in msgs {
        for to in &r.rcpt_to {
            m.entry(to.clone()).or_default().push(r.clone());
        }
    }
    m
}

fn wait_for(smtp: &SmtpServer, n: usize) -> Vec<Received> {
    tokio::task::block_in_place(|| smtp.wait_for(n, Duration::from_secs(60)))
}

/// A cookie-keeping browser for the signup forms.
struct Browser {
    client: reqwest::Client,
    cookies: Vec<String>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    fn keep_cookies(&mut self, resp: &reqwest::Response) {
        for v in resp.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            self.cookies.push(pair);
        }
    }

    async fn get(&mut self, url: &str) -> (u16, String) {
        let resp = self
            .client
            .get(url)
            .header("cookie", self.cookies.join("; "))
            .send()
            .await
            .unwrap();
        self.keep_cookies(&resp);
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> (u16, String) {
        let resp = self
            .client
            .post(url)
            .header("cookie", self.cookies.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&resp);
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }
}

/// The value of the hidden CSRF input of a page's form.
fn csrf_of(html: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf"\s+value="([^"]+)""#).unwrap();
    re.captures(html)
        .unwrap_or_else(|| panic!("no csrf field in page:\n{html}"))[1]
        .to_string()
}

/// The first link in a text part that contains `path`.
fn link_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in:\n{text}"))
        .trim_matches(|c| c == '<' || c == '>')
        .to_string()
}

async fn signup(web: &str, email: &str, query: &str, langs: &str, ui: &str) {
    let mut b = Browser::new();
    let (status, page) = b.get(&format!("{web}/?lang={ui}")).await;
    assert_eq!(status, 200);
    if ui == "ar" {
        assert!(
            page.contains("dir=\"rtl\""),
            "Arabic signup page is right-to-left"
        );
    }
    let csrf = csrf_of(&page);
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("email", email),
        ("query", query),
        ("mode", "realtime"),
        ("ui_lang", ui),
    ];
    if !langs.is_empty() {
        form.push(("langs", langs));
    }
    let (status, page) = b.post(&format!("{web}/subscribe"), &form).await;
    assert_eq!(status, 200, "signup failed: {page}");
}

async fn subscriptions(ajil: &Ajil) -> Vec<serde_json::Value> {
    let out = ajil.ok(&["subscriptions", "list", "--json"]).await;
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_to_one_email_per_story() {
    let fx = Fixtures::start().await;
    let smtp = SmtpServer::start();
    publish(&fx, &[LAVROV, WEATHER], &[IRAN, SPORT], &[]);

    let port = free_port();
    let web = format!("http://127.0.0.1:{port}");
    let ajil = Ajil::new(&[
        ("AJIL_LISTEN", format!("127.0.0.1:{port}")),
        ("AJIL_PUBLIC_URL", web.clone()),
        ("AJIL_SMTP_URL", smtp.url()),
        ("AJIL_FROM", "ajil <alerts@ajil.test>".into()),
        ("AJIL_POLL_INTERVAL", "3600".into()),
    ]);
    let mut serve = ajil.command(&["serve"]).spawn().unwrap();
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{web}/healthz")).send().await
            && r.status().is_success()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "ajil serve did not answer /healthz");

    // Two people sign up on the web; a third subscription is added by the
    // operator, already confirmed.
    signup(&web, "reader@example.org", "لافروف إسطنبول", "", "ar").await;
    signup(
        &web,
        "analyst@example.org",
        "\"Iran deal\" -sport",
        "en",
        "en",
    )
    .await;
    ajil.ok(&[
        "subscribe",
        "control@example.org",
        "\"Iran deal\" -sport",
        "--lang",
        "en",
        "--ui-lang",
        "en",
        "--confirmed",
    ])
    .await;

    // The confirmation emails arrive; opening the link does not confirm,
    // pressing the button (a POST) does.
    let confirmations = wait_for(&smtp, 2);
    assert_eq!(confirmations.len(), 2, "two confirmation emails");
    for c in &confirmations {
        let url = link_in(&c.text().unwrap(), "/confirm/");
        let mut b = Browser::new();
        let (status, page) = b.get(&url).await;
        assert_eq!(status, 200);
        let pending = subscriptions(&ajil)
            .await
            .iter()
            .filter(|s| s["status"] == "pending")
            .count();
        assert!(pending >= 1, "GET must not confirm");
        let form: Vec<(&str, String)> = match page.contains("name=\"csrf\"") {
            true => vec![("csrf", csrf_of(&page))],
            false => vec![],
        };
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, page) = b.post(&url, &form).await;
        assert_eq!(status, 200, "confirm POST failed: {page}");
    }
    let subs = subscriptions(&ajil).await;
    assert_eq!(subs.len(), 3);
    assert!(subs.iter().all(|s| s["status"] == "active"), "{subs:?}");
    smtp.clear();

    // Sources, then a poll: one alert per matching story per subscriber.
    let base = fx.base();
    ajil.ok(&[
        "sources",
        "add",
        &format!("{base}/alkhabar/rss.xml"),
        "--name",
        "شبكة الخبر",
    ])
    .await;
    ajil.ok(&[
        "sources",
        "add",
        &format!("{base}/wire/atom.xml"),
        "--name",
        "World Wire",
    ])
    .await;
    ajil.ok(&[
        "sources",
        "add",
        &format!("{base}/anbaa/feed.json"),
        "--name",
        "الأنباء اليوم",
    ])
    .await;
    ajil.ok(&["poll"]).await;
    let first = wait_for(&smtp, 3);
    let got = by_recipient(&first);
    assert_eq!(got.len(), 3, "every subscriber got mail: {:?}", got.keys());
    for (who, msgs) in &got {
        assert_eq!(msgs.len(), 1, "{who} got one alert");
    }
    let ar = &got["reader@example.org"][0];
    assert!(
        ar.subject().unwrap().contains("لافروف"),
        "{:?}",
        ar.subject()
    );
    let html = ar.html().expect("HTML part");
    let text = ar.text().expect("text part");
    assert!(
        html.contains("dir=\"rtl\""),
        "Arabic alert is right-to-left"
    );
    assert!(text.contains("شبكة الخبر"), "outlet named in the text part");
    assert!(ar.header("Message-ID").is_some());
    assert!(
        ar.header("List-Unsubscribe")
            .unwrap()
            .contains("/unsubscribe/")
    );
    assert_eq!(
        ar.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let en = &got["analyst@example.org"][0];
    assert!(
        en.subject().unwrap().contains("Iran deal"),
        "{:?}",
        en.subject()
    );
    assert!(!en.html().unwrap().contains("dir=\"rtl\""));

    // A reprint of the Lavrov story from another outlet joins the story: no
    // new alert. Polling again sends nothing new either.
    publish(&fx, &[LAVROV, WEATHER], &[IRAN, SPORT], &[REPRINT]);
    ajil.ok(&["poll"]).await;
    ajil.ok(&["poll"]).await;
    let stories: serde_json::Value =
        serde_json::from_str(&ajil.ok(&["stories", "--json", "--since", "30d"]).await).unwrap();
    let lavrov = stories
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"].as_str().unwrap_or("").contains("لافروف"))
        .expect("the Lavrov story");
    assert_eq!(
        lavrov["article_count"], 2,
        "the reprint joined the story: {lavrov}"
    );
    assert_eq!(lavrov["outlet_count"], 2);

    // One POST to the List-Unsubscribe URL stops the analyst's mail; the
    // control subscriber with the same query still hears of a new story.
    let unsub = en
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_string();
    let resp = client
        .post(&unsub)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "one-click unsubscribe: {}",
        resp.status()
    );
    publish(&fx, &[LAVROV, WEATHER], &[IRAN, SPORT, TANKER], &[REPRINT]);
    ajil.ok(&["poll"]).await;
    let all = wait_for(&smtp, 4);
    let got = by_recipient(&all);
    let stories = ajil.ok(&["stories", "--json", "--since", "30d"]).await;
    assert_eq!(
        got["control@example.org"].len(),
        2,
        "control got the new story; stories:\n{stories}"
    );
    assert_eq!(
        got["analyst@example.org"].len(),
        1,
        "nothing after unsubscribing"
    );
    assert_eq!(
        got["reader@example.org"].len(),
        1,
        "the reprint sent nothing"
    );
    assert_eq!(all.len(), 4, "no other mail");

    // Graceful shutdown on SIGTERM.
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
