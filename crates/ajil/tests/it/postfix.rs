//! Mail that reaches the inbox: Arabic and English alerts composed and
//! DKIM-signed by ajil, sent through a real Postfix on loopback into a
//! Maildir, then judged by independent tools: dkimpy verifies the
//! signatures, SpamAssassin (local rules only) scores each message.
//!
//! Needs root and Debian's postfix, spamassassin and a Python with dkimpy
//! (all installed by `.ci/run`). Skipped, with a message, when not root or
//! when `AJIL_SKIP_POSTFIX=1`.

use std::time::Duration;

use ajil_mail::{
    AlertEmail, Composer, Dkim, DkimAlgorithm, DkimKey, Mailer, OutletLink, SmtpConfig,
};
use ajil_testkit::check::{dkim_verify, spamassassin};
use ajil_testkit::postfix::{self, Postfix};
use chrono::Utc;

/// SpamAssassin's default threshold is 5; alerts must stay far below it.
const MAX_SCORE: f64 = 1.0;

pub(crate) fn skip_reason() -> Option<String> {
    if std::env::var("AJIL_SKIP_POSTFIX").as_deref() == Ok("1") {
        return Some("AJIL_SKIP_POSTFIX=1".into());
    }
    let uid = std::process::Command::new("id").arg("-u").output().ok()?;
    (String::from_utf8_lossy(&uid.stdout).trim() != "0")
        .then(|| "not running as root (a private Postfix instance needs root)".into())
}

pub(crate) fn alert(lang: &str, n: u32) -> AlertEmail {
    let now = Utc::now();
    let ar = lang == "ar";
    AlertEmail {
        to: format!("reader{n}@inbox.test"),
        lang: lang.into(),
        story_title: if ar {
            "زلزال بقوة 6.1 درجات يضرب جنوب تركيا ويشعر به سكان شمال سوريا".into()
        } else {
            "Magnitude 6.1 earthquake strikes southern Türkiye, felt in northern Syria".into()
        },
        story_lang: lang.into(),
        query: if ar { "زلزال تركيا" } else { "earthquake" }.into(),
        outlets: vec![
            OutletLink {
                name: if ar { "الجزيرة نت" } else { "Reuters" }.into(),
                url: "https://news.example.org/world/2026/quake-southern-turkiye".into(),
                published: now - chrono::Duration::minutes(4),
                reprint: false,
            },
            OutletLink {
                name: if ar { "بي بي سي عربي" } else { "BBC News" }.into(),
                url: "https://www.example.com/news/articles/quake".into(),
                published: now - chrono::Duration::minutes(2),
                reprint: false,
            },
        ],
        story_url: Some(format!("https://alerts.ajil.example/stories/{n}")),
        unsubscribe_url: format!("https://alerts.ajil.example/unsubscribe/tok{n}"),
        manage_url: format!("https://alerts.ajil.example/manage/tok{n}"),
        message_id: format!("alert-{n}-{}@ajil.example", now.timestamp_micros()),
        breaking: true,
        tz: Some(if ar { "Asia/Riyadh" } else { "Europe/London" }.into()),
        lead: Some(if ar {
            "<p>ضرب زلزال بقوة 6.1 درجات على مقياس ريختر ولاية <b>هطاي</b> جنوبي تركيا صباح اليوم، \
             وشعر به السكان في حلب وإدلب، دون أنباء فورية عن إصابات.</p>"
        } else {
            "<p>A magnitude 6.1 earthquake struck <b>Hatay</b> province in southern Türkiye on \
             Thursday morning and was felt in Aleppo and Idlib, with no immediate reports of casualties.</p>"
        }
        .into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_through_postfix_verify_and_score_low() {
    if let Some(why) = skip_reason() {
        eprintln!("SKIPPED alerts_through_postfix_verify_and_score_low: {why}");
        return;
    }
    if let Some(why) = postfix::unavailable() {
        panic!("{why}");
    }
    let server = tokio::task::spawn_blocking(|| Postfix::start("inbox.test"))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start postfix: {e}"));

    let rsa = DkimKey::generate(DkimAlgorithm::Rsa);
    let ed = DkimKey::generate(DkimAlgorithm::Ed25519);
    let composer = Composer::new(None)
        .unwrap()
        .with_from("ajil <alerts@ajil.example>".parse().unwrap())
        .with_reply_to(Some("ajil desk <desk@ajil.example>".parse().unwrap()));
    let smtp = SmtpConfig::from_url(&server.url()).unwrap();
    let signed_rsa = Mailer::smtp(&smtp)
        .unwrap()
        .with_dkim(Dkim::new("ajil.example", "rsa2026", &rsa).unwrap());
    let signed_ed = Mailer::smtp(&smtp)
        .unwrap()
        .with_dkim(Dkim::new("ajil.example", "ed2026", &ed).unwrap());

    let now = Utc::now();
    let cases = [
        ("ar", 1, &signed_rsa, "rsa2026", &rsa),
        ("en", 2, &signed_rsa, "rsa2026", &rsa),
        ("en", 3, &signed_ed, "ed2026", &ed),
    ];
    for (lang, n, mailer, _, _) in &cases {
        let message = composer.alert(&alert(lang, *n), now).unwrap();
        mailer
            .send(&message)
            .await
            .unwrap_or_else(|e| panic!("postfix refused the {lang} alert: {e}\n{}", server.log()));
    }
    let delivered = tokio::task::spawn_blocking(move || {
        let got = server.wait_for(3, Duration::from_secs(30));
        (got, server)
    })
    .await
    .unwrap();
    let messages = delivered.0.unwrap();
    assert_eq!(messages.len(), 3);

    for (lang, n, _, selector, key) in &cases {
        let to = format!("reader{n}@inbox.test");
        let raw = messages
            .iter()
            .find(|m| String::from_utf8_lossy(m).contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("no message for {to}"));
        let text = String::from_utf8_lossy(raw);
        // Postfix added its trace headers on top of ours; the signature
        // must survive that.
        assert!(text.starts_with("Return-Path:") || text.contains("\nReceived: from"));
        assert!(text.contains("Precedence: bulk"));
        assert!(text.contains("Feedback-ID: alert:ajil:ajil.example"));

        let dns_name = format!("{selector}._domainkey.ajil.example");
        let verdict = dkim_verify(raw, &dns_name, &key.dns_record())
            .unwrap_or_else(|e| panic!("DKIM of the {lang} alert #{n} does not verify: {e}"));
        assert!(verdict.contains("pass"), "{verdict}");
        // Written to the process's stderr directly, past the test harness's
        // capture, so that the verdicts and reports stand in the CI log.
        log_line(format!(
            "dkimpy, {lang} alert #{n} ({}): {}",
            key.algorithm(),
            verdict.trim()
        ));

        let report = spamassassin(raw).unwrap();
        log_line(format!(
            "SpamAssassin, {lang} alert #{n}: score {:.1}, penalties {:.1}\n{}",
            report.score,
            report.penalty(),
            report.report
        ));
        assert!(
            report.score < MAX_SCORE && report.penalty() < MAX_SCORE,
            "the {lang} alert scores {} (penalties {}):\n{}",
            report.score,
            report.penalty(),
            report.report
        );
    }
    drop(delivered.1);
}

/// Writes to stderr without going through `eprintln!`, which the test
/// harness captures for passing tests.
fn log_line(text: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
