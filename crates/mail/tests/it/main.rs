//! Integration tests: composed messages delivered over real sockets to the
//! testkit SMTP server, and into an outbox directory.

mod outbox;
mod render;
mod smtp;

use ajil_mail::{AlertEmail, Composer, Message, OutletLink};
use chrono::{DateTime, TimeZone, Utc};

/// A fixed clock for every test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 30, 14, 5, 0).unwrap()
}

/// An Arabic breaking alert with message id `alert-<n>@ajil.example`.
pub fn alert_message(n: u32) -> Message {
    let email = AlertEmail {
        to: "reader@example.com".into(),
        lang: "ar".into(),
        story_title: "انفجار في ميناء <بيروت> & حريق".into(),
        story_lang: "ar".into(),
        query: "بيروت".into(),
        outlets: vec![OutletLink {
            name: "الجزيرة".into(),
            url: "https://www.aljazeera.net/news/1".into(),
            published: now(),
            reprint: false,
        }],
        story_url: None,
        unsubscribe_url: "https://ajil.example/unsubscribe/TOKEN".into(),
        manage_url: "https://ajil.example/manage/TOKEN".into(),
        message_id: format!("alert-{n}@ajil.example"),
        breaking: true,
        tz: None,
        lead: None,
    };
    Composer::new(None)
        .unwrap()
        .with_from("ajil <alerts@ajil.example>".parse().unwrap())
        .alert(&email, now())
        .unwrap()
}

/// The web server and the delivery loop share these across tasks.
#[test]
fn shared_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<ajil_mail::Composer>();
    assert_send_sync::<ajil_mail::Mailer>();
    assert_send_sync::<ajil_mail::Signer>();
    assert_send_sync::<ajil_mail::SendError>();
}
