use super::*;
use chrono::TimeZone;
use mail_parser::{MessageParser, PartType};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 30, 14, 5, 0).unwrap()
}

/// The raw message, its decoded subject, text part and HTML part.
struct Parsed {
    raw: String,
    subject: String,
    text: String,
    html: String,
}

fn parse(message: &Message) -> Parsed {
    let bytes = to_bytes(message);
    let parsed = MessageParser::default().parse(&bytes).expect("parsable");
    let text = parsed.parts.iter().find_map(|p| match &p.body {
        PartType::Text(t) => Some(t.to_string()),
        _ => None,
    });
    let html = parsed.parts.iter().find_map(|p| match &p.body {
        PartType::Html(h) => Some(h.to_string()),
        _ => None,
    });
    Parsed {
        raw: String::from_utf8(bytes.clone()).expect("utf-8 on the wire"),
        subject: parsed.subject().expect("subject").to_owned(),
        text: text.expect("text part"),
        html: html.expect("html part"),
    }
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next()?;
    head.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(": ")?;
        key.eq_ignore_ascii_case(name).then_some(value)
    })
}

fn alert(lang: &str, title: &str) -> AlertEmail {
    AlertEmail {
        to: "reader@example.com".into(),
        lang: lang.into(),
        story_title: title.into(),
        story_lang: "ar".into(),
        query: "زلزال".into(),
        outlets: vec![
            OutletLink {
                name: "الجزيرة".into(),
                url: "https://www.aljazeera.net/news/2026/4/30/quake?a=1&b=2".into(),
                published: now(),
                reprint: false,
            },
            OutletLink {
                name: "BBC عربي".into(),
                url: "https://www.bbc.com/arabic/articles/x".into(),
                published: now() - chrono::Duration::minutes(3),
                reprint: false,
            },
        ],
        story_url: Some("https://ajil.example/story/12".into()),
        unsubscribe_url: "https://ajil.example/unsubscribe/TOKEN_u".into(),
        manage_url: "https://ajil.example/manage/TOKEN_m".into(),
        message_id: "alert-12-3@ajil.example".into(),
        breaking: true,
        tz: None,
        lead: None,
    }
}

#[test]
fn arabic_alert_is_rtl_with_both_parts_and_headers() {
    let composer = Composer::new(None).unwrap();
    let title = "زلزال بقوة 6.1 يضرب جنوب تركيا";
    let m = parse(&composer.alert(&alert("ar", title), now()).unwrap());

    assert_eq!(m.subject, format!("عاجل: {title}"));
    assert!(
        m.html.contains(r#"<html lang="ar" dir="rtl">"#),
        "{}",
        m.html
    );
    assert!(m.html.contains(r#"<h1 dir="auto" lang="ar""#));
    assert!(m.html.contains(title));
    assert!(m.html.contains("عاجل"));
    assert!(m.html.contains("إلغاء الاشتراك"));
    // & in a feed URL is escaped inside the attribute.
    assert!(
        m.html
            .contains(r#"href="https://www.aljazeera.net/news/2026/4/30/quake?a=1&amp;b=2""#)
    );
    assert!(m.html.contains("30 أبريل 2026، 14:05 UTC"), "{}", m.html);
    assert!(m.html.contains("30 أبريل 2026، 14:02 UTC"));
    assert!(
        m.html
            .contains(r#"<time datetime="2026-04-30T14:05:00+00:00">"#)
    );
    assert!(m.text.contains(title));
    assert!(
        m.text
            .contains("https://www.aljazeera.net/news/2026/4/30/quake?a=1&b=2")
    );
    assert!(m.text.contains("https://ajil.example/unsubscribe/TOKEN_u"));
    assert!(!m.text.contains("{%"), "unrendered tag:\n{}", m.text);

    let raw = &m.raw;
    assert!(
        header(raw, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert_eq!(
        header(raw, "List-Unsubscribe"),
        Some("<https://ajil.example/unsubscribe/TOKEN_u>")
    );
    assert_eq!(
        header(raw, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(header(raw, "Auto-Submitted"), Some("auto-generated"));
    assert_eq!(header(raw, "Message-ID"), Some("<alert-12-3@ajil.example>"));
    assert_eq!(header(raw, "Date"), Some("Thu, 30 Apr 2026 14:05:00 +0000"));
    assert_eq!(header(raw, "From"), Some("ajil <ajil@localhost>"));
    assert_eq!(header(raw, "To"), Some("reader@example.com"));
    assert!(raw.contains("charset=utf-8"));
}

#[test]
fn reprints_are_marked_apart_from_confirmations() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("ar", "زلزال");
    email.outlets[1].reprint = true;
    let m = parse(&composer.alert(&email, now()).unwrap());
    // The first outlet confirms, the second only reprinted: marked in both parts.
    assert_eq!(m.html.matches("(إعادة نشر)").count(), 1, "{}", m.html);
    let reprint_line = m.text.lines().find(|l| l.contains("BBC")).unwrap();
    assert!(reprint_line.contains("(إعادة نشر)"), "{}", m.text);
    assert!(
        !m.text
            .lines()
            .any(|l| l.contains("الجزيرة") && l.contains("إعادة نشر"))
    );
    email.lang = "en".into();
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert_eq!(m.html.matches("(reprint)").count(), 1);
    assert_eq!(m.text.matches("(reprint)").count(), 1);
    // Nothing is marked when every outlet confirms.
    email.outlets[1].reprint = false;
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(!m.html.contains("(reprint)") && !m.text.contains("(reprint)"));
}

#[test]
fn english_subjects_and_direction() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("en", "Quake hits southern Turkey");
    email.story_lang = "en".into();
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert_eq!(m.subject, "Breaking: Quake hits southern Turkey");
    assert!(m.html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(m.html.contains("Unsubscribe"));
    email.breaking = false;
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert_eq!(m.subject, "Alert: Quake hits southern Turkey");
    assert!(!m.html.contains("Breaking"));
    assert!(!m.text.contains("BREAKING"));

    let mut email = alert("ar", "x");
    email.breaking = false;
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert_eq!(m.subject, "تنبيه: x");
}

#[test]
fn html_escapes_everything_from_outside() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("en", "<script>alert(1)</script> & \"quotes\"");
    email.query = "<b>q</b>".into();
    email.outlets[0].name = "<img src=x onerror=alert(1)>".into();
    email.outlets[1].url = "javascript:alert(1)".into();
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(!m.html.contains("<script>"), "{}", m.html);
    assert!(
        m.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        m.html
    );
    assert!(m.html.contains("&amp; &quot;quotes&quot;"));
    assert!(!m.html.contains("<b>q</b>"));
    assert!(!m.html.contains("<img"));
    assert!(!m.html.contains("javascript:"), "unsafe link kept");
    assert!(
        m.html.contains("BBC عربي"),
        "outlet without a safe link still named"
    );
    // The plain-text part shows the title as it is.
    assert!(m.text.contains("<script>alert(1)</script> & \"quotes\""));
}

#[test]
fn subject_is_one_clean_line_of_bounded_length() {
    assert_eq!(
        subject_line("Alert", "a\r\nBcc: x@y\t z"),
        "Alert: a Bcc: x@y z"
    );
    let long = subject_line("عاجل", &"ك".repeat(500));
    assert_eq!(long.chars().count(), MAX_SUBJECT_CHARS);
    assert!(long.ends_with('…'));

    let composer = Composer::new(None).unwrap();
    let m = composer
        .alert(&alert("en", "line one\r\nBcc: victim@example.com"), now())
        .unwrap();
    let raw = String::from_utf8(to_bytes(&m)).unwrap();
    assert!(header(&raw, "Bcc").is_none());
}

#[test]
fn digest_lists_stories_or_says_none() {
    let composer = Composer::new(None).unwrap();
    let mut email = DigestEmail {
        to: "Reader <reader@example.com>".into(),
        lang: "ar".into(),
        period_label: "30 أبريل 2026".into(),
        stories: vec![
            DigestStory {
                title: "عنوان أول".into(),
                lang: "ar".into(),
                outlets: alert("ar", "x").outlets,
            },
            DigestStory {
                title: "Second <story>".into(),
                lang: "en".into(),
                outlets: vec![],
            },
        ],
        unsubscribe_url: "https://ajil.example/unsubscribe/T".into(),
        manage_url: "https://ajil.example/manage/T".into(),
        message_id: "<digest-2026-04-30-7@ajil.example>".into(),
        tz: None,
    };
    let m = parse(&composer.digest(&email, now()).unwrap());
    assert_eq!(m.subject, "ملخص ajil: 30 أبريل 2026");
    assert!(m.html.contains(r#"dir="rtl""#));
    assert!(m.html.contains(r#"<h2 dir="auto" lang="en""#));
    assert!(m.html.contains("Second &lt;story&gt;"));
    assert!(m.text.contains("* عنوان أول"));
    assert!(m.text.contains("* Second <story>"));
    assert_eq!(
        header(&m.raw, "Message-ID"),
        Some("<digest-2026-04-30-7@ajil.example>")
    );
    assert!(header(&m.raw, "List-Unsubscribe").is_some());

    email.lang = "en".into();
    email.stories.clear();
    let m = parse(&composer.digest(&email, now()).unwrap());
    assert_eq!(m.subject, "ajil digest: 30 أبريل 2026");
    assert!(m.text.contains("No new stories"));
    assert!(m.html.contains("No new stories"));
}

#[test]
fn confirm_has_link_and_no_unsubscribe() {
    let composer = Composer::new(None).unwrap();
    let email = ConfirmEmail {
        to: "new@example.com".into(),
        lang: "en".into(),
        query: "earthquake".into(),
        confirm_url: "https://ajil.example/confirm/ABC".into(),
        message_id: "confirm-5@ajil.example".into(),
    };
    let m = parse(&composer.confirm(&email, now()).unwrap());
    assert_eq!(m.subject, "Confirm your ajil alert: earthquake");
    assert!(
        m.html
            .contains(r#"href="https://ajil.example/confirm/ABC""#)
    );
    assert!(m.text.contains("https://ajil.example/confirm/ABC"));
    assert!(header(&m.raw, "List-Unsubscribe").is_none());
    assert_eq!(header(&m.raw, "Auto-Submitted"), Some("auto-generated"));
}

#[test]
fn from_is_configurable() {
    let from: Mailbox = "عاجل <alerts@ajil.example>".parse().unwrap();
    let composer = Composer::new(None).unwrap().with_from(from.clone());
    assert_eq!(composer.from(), &from);
    let bytes = to_bytes(&composer.alert(&alert("ar", "t"), now()).unwrap());
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    let sender = parsed.from().and_then(|a| a.first()).unwrap();
    assert_eq!(sender.address(), Some("alerts@ajil.example"));
    assert_eq!(sender.name(), Some("عاجل"));
}

#[test]
fn bad_inputs_are_reported() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("en", "t");
    email.to = "not an address".into();
    assert!(matches!(
        composer.alert(&email, now()),
        Err(ComposeError::Address { .. })
    ));
    let mut email = alert("en", "t");
    email.message_id = "no at sign".into();
    let err = composer.alert(&email, now()).unwrap_err();
    assert!(err.to_string().contains("no at sign"), "{err}");
    let mut email = alert("en", "t");
    email.unsubscribe_url = "/relative".into();
    assert!(matches!(
        composer.alert(&email, now()),
        Err(ComposeError::Url {
            header: "List-Unsubscribe",
            ..
        })
    ));
}

#[test]
fn message_ids_are_normalised() {
    assert_eq!(message_id("a@b").unwrap(), "<a@b>");
    assert_eq!(message_id(" <a.1@b.example> ").unwrap(), "<a.1@b.example>");
    for bad in ["", "ab", "@b", "a@", "a@b@c", "a b@c", "a<@b"] {
        assert!(message_id(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn override_directory_replaces_only_present_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alert.txt"),
        "CUSTOM {{ story_title }} for {{ query }}\n",
    )
    .unwrap();
    let composer = Composer::new(Some(dir.path().to_owned())).unwrap();
    let m = parse(&composer.alert(&alert("ar", "عنوان"), now()).unwrap());
    // Line ends are CRLF on the wire.
    assert_eq!(m.text, "CUSTOM عنوان for زلزال\r\n");
    // The HTML part still comes from the default.
    assert!(m.html.contains(r#"dir="rtl""#));
}

#[test]
fn broken_override_fails_at_startup_and_names_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("digest.html"), "{% if %}").unwrap();
    let err = Composer::new(Some(dir.path().to_owned())).unwrap_err();
    assert!(err.to_string().contains("digest.html"), "{err}");

    // A misspelt variable is an error, not an empty string.
    std::fs::write(dir.path().join("digest.html"), "{{ storeis }}").unwrap();
    let composer = Composer::new(Some(dir.path().to_owned())).unwrap();
    let email = DigestEmail {
        to: "r@example.com".into(),
        lang: "en".into(),
        period_label: "today".into(),
        stories: vec![],
        unsubscribe_url: "https://a.example/u".into(),
        manage_url: "https://a.example/m".into(),
        message_id: "d@a.example".into(),
        tz: None,
    };
    let err = composer.digest(&email, now()).unwrap_err();
    assert!(matches!(err, ComposeError::Template { ref name, .. } if name == "digest.html"));
}

#[test]
fn override_templates_can_use_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("confirm.html"),
        r#"{% extends "layout.html" %}{% block content %}<p>OK {{ confirm_url }}</p>{% endblock %}"#,
    )
    .unwrap();
    let composer = Composer::new(Some(dir.path().to_owned())).unwrap();
    let email = ConfirmEmail {
        to: "new@example.com".into(),
        lang: "ar".into(),
        query: "q".into(),
        confirm_url: "https://ajil.example/confirm/X".into(),
        message_id: "c@ajil.example".into(),
    };
    let m = parse(&composer.confirm(&email, now()).unwrap());
    assert!(m.html.contains("<p>OK https://ajil.example/confirm/X</p>"));
    assert!(m.html.contains(r#"<html lang="ar" dir="rtl">"#));
}

#[test]
fn times_are_shown_in_the_subscribers_zone_and_language() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("ar", "t");
    email.tz = Some("Asia/Riyadh".into());
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(m.html.contains("30 أبريل 2026، 17:05 UTC+3"), "{}", m.html);
    assert!(m.text.contains("30 أبريل 2026، 17:05 UTC+3"), "{}", m.text);
    assert!(m.html.contains(r#"datetime="2026-04-30T17:05:00+03:00""#));

    email.lang = "en".into();
    email.tz = Some("Asia/Kolkata".into());
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(
        m.html.contains("30 April 2026, 19:35 UTC+5:30"),
        "{}",
        m.html
    );

    // Past midnight the date changes too; west of Greenwich is negative.
    email.tz = Some("America/New_York".into());
    email.outlets[0].published = Utc.with_ymd_and_hms(2026, 1, 1, 2, 0, 0).unwrap();
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(
        m.html.contains("31 December 2025, 21:00 UTC-5"),
        "{}",
        m.html
    );

    // An unknown zone falls back to UTC rather than failing the alert.
    email.tz = Some("Mars/Olympus".into());
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(m.html.contains("1 January 2026, 02:00 UTC"), "{}", m.html);

    let mut months = Vec::new();
    for month in 1..=12 {
        let when = Utc.with_ymd_and_hms(2026, month, 3, 9, 0, 0).unwrap();
        months.push(local_time(when.with_timezone(&Tz::UTC), true));
    }
    assert_eq!(months[0], "3 يناير 2026، 09:00 UTC");
    assert_eq!(months[11], "3 ديسمبر 2026، 09:00 UTC");
}

#[test]
fn digest_times_follow_the_zone() {
    let composer = Composer::new(None).unwrap();
    let email = DigestEmail {
        to: "r@example.com".into(),
        lang: "ar".into(),
        period_label: "اليوم".into(),
        stories: vec![DigestStory {
            title: "عنوان".into(),
            lang: "ar".into(),
            outlets: alert("ar", "x").outlets,
        }],
        unsubscribe_url: "https://a.example/u".into(),
        manage_url: "https://a.example/m".into(),
        message_id: "d@a.example".into(),
        tz: Some("Africa/Cairo".into()),
    };
    let m = parse(&composer.digest(&email, now()).unwrap());
    // Egypt keeps summer time again since 2023: UTC+3 at the end of April.
    assert!(m.html.contains("30 أبريل 2026، 17:05 UTC+3"), "{}", m.html);
}

#[test]
fn sender_reply_to_precedence_and_feedback_id() {
    let from: Mailbox = "ajil <alerts@ajil.example>".parse().unwrap();
    let composer = Composer::new(None)
        .unwrap()
        .with_from(from.clone())
        .with_reply_to(Some("Desk <desk@ajil.example>".parse().unwrap()))
        .with_sender(Some("bounces@mailer.ajil.example".parse().unwrap()));
    let m = parse(&composer.alert(&alert("ar", "t"), now()).unwrap());
    assert_eq!(header(&m.raw, "Reply-To"), Some("Desk <desk@ajil.example>"));
    assert_eq!(
        header(&m.raw, "Sender"),
        Some("bounces@mailer.ajil.example")
    );
    assert_eq!(header(&m.raw, "Precedence"), Some("bulk"));
    assert_eq!(
        header(&m.raw, "Feedback-ID"),
        Some("alert:ajil:ajil.example")
    );

    // The same address as From is not repeated as Sender; no Reply-To unless set.
    let composer = Composer::new(None)
        .unwrap()
        .with_from(from.clone())
        .with_sender(Some("Other name <alerts@ajil.example>".parse().unwrap()));
    let m = parse(&composer.alert(&alert("en", "t"), now()).unwrap());
    assert!(header(&m.raw, "Sender").is_none());
    assert!(header(&m.raw, "Reply-To").is_none());

    let confirm = ConfirmEmail {
        to: "new@example.com".into(),
        lang: "en".into(),
        query: "q".into(),
        confirm_url: "https://ajil.example/confirm/X".into(),
        message_id: "c@ajil.example".into(),
    };
    let m = parse(&composer.confirm(&confirm, now()).unwrap());
    assert!(
        header(&m.raw, "Precedence").is_none(),
        "a confirmation is not bulk"
    );
    assert_eq!(
        header(&m.raw, "Feedback-ID"),
        Some("confirm:ajil:ajil.example")
    );
}

#[test]
fn lead_is_sanitized_plain_text_and_short() {
    let composer = Composer::new(None).unwrap();
    let mut email = alert("ar", "t");
    email.lead = Some(
        "<p>ضرب زلزال <b>قوي</b> &amp; مفاجئ</p><script>steal()</script>\
         <img src=\"https://tracker.example/p.gif\"><style>p{}</style>\n\n  جنوب تركيا"
            .into(),
    );
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(
        m.html
            .contains(r#"<p dir="auto" lang="ar" style="margin:0 0 16px;color:#333;">ضرب زلزال قوي &amp; مفاجئ جنوب تركيا</p>"#),
        "{}",
        m.html
    );
    assert!(!m.html.contains("steal"));
    assert!(!m.html.contains("tracker.example"));
    assert!(
        m.text.contains("ضرب زلزال قوي & مفاجئ جنوب تركيا"),
        "{}",
        m.text
    );

    // Escaped markup in the feed stays text: it is not turned back into tags.
    assert_eq!(
        lead_text("&lt;script&gt;x&lt;/script&gt;").as_deref(),
        Some("<script>x</script>")
    );
    email.lead = Some("&lt;img src=x onerror=alert(1)&gt;".into());
    let m = parse(&composer.alert(&email, now()).unwrap());
    assert!(!m.html.contains("<img"), "{}", m.html);

    let long = "كلمة ".repeat(200);
    let lead = lead_text(&long).unwrap();
    assert!(lead.chars().count() <= MAX_LEAD_CHARS + 1);
    assert!(lead.ends_with("كلمة…"), "{lead}");
    let lead = lead_text(&"x".repeat(1000)).unwrap();
    assert_eq!(lead.chars().count(), MAX_LEAD_CHARS);
    assert_eq!(lead_text("<p> </p><script>only()</script>"), None);
}
