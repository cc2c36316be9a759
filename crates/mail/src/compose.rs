//! Turning alerts, digests and confirmations into complete email messages.
//!
//! Each message is `multipart/alternative` with a plain-text and an HTML part
//! rendered from minijinja templates. The defaults are compiled in; a file of
//! the same name in the template directory given to [`Composer::new`]
//! replaces one default (see [`TEMPLATE_NAMES`]). `.html` templates escape
//! every value; `.txt` templates do not.
//!
//! Variables every template sees: `lang` (the subscriber's UI language),
//! `ar` (true when `lang` is Arabic), `dir` (`"rtl"` or `"ltr"` for `lang`),
//! `subject`. Then per message:
//!
//! - `alert.*`: `story_title`, `story_lang`, `query`, `breaking`,
//!   `story_url` (or none), `lead` (a short plain-text opening of the
//!   article, or none), `manage_url`, `unsubscribe_url`, and `outlets`, a
//!   list of `{name, url, published, published_iso, reprint}` where `url` is
//!   none unless the feed gave an http(s) link, `published` is the time in the
//!   subscriber's zone and language (`30 April 2026, 17:05 UTC+3`,
//!   `30 أبريل 2026، 17:05 UTC+3`) and `reprint` is true for an outlet that
//!   only reprinted another's report (listed after those that confirmed);
//! - `digest.*`: `period_label`, `manage_url`, `unsubscribe_url`, and
//!   `stories`, a list of `{title, lang, outlets}`;
//! - `confirm.*`: `query`, `confirm_url`.
//!
//! The HTML templates extend `layout.html` (blocks `content` and `footer`).
//! Nothing loads remote images and nothing tracks opens or clicks.
//!
//! Headers: `From`, `Sender` (only when set and different from `From`),
//! `Reply-To` (when set), `To`, `Subject`, `Date`, `Message-ID`,
//! `Auto-Submitted: auto-generated`, `Feedback-ID: <kind>:ajil:<domain of
//! From>`, and on alerts and digests `Precedence: bulk` and the RFC 8058
//! `List-Unsubscribe` pair.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ajil_model::is_rtl;
use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value, context};
use serde::{Deserialize, Serialize};

use crate::error::ComposeError;

/// The templates a [`Composer`] uses, each overridable by a file of this
/// name in the template directory.
pub const TEMPLATE_NAMES: [&str; 7] = [
    "layout.html",
    "alert.html",
    "alert.txt",
    "digest.html",
    "digest.txt",
    "confirm.html",
    "confirm.txt",
];

/// The compiled-in templates, in the order of [`TEMPLATE_NAMES`].
const DEFAULTS: [&str; 7] = [
    include_str!("../templates/layout.html"),
    include_str!("../templates/alert.html"),
    include_str!("../templates/alert.txt"),
    include_str!("../templates/digest.html"),
    include_str!("../templates/digest.txt"),
    include_str!("../templates/confirm.html"),
    include_str!("../templates/confirm.txt"),
];

/// Longest subject we send, in characters; longer story titles are cut with
/// an ellipsis because mail clients truncate them anyway, and many servers
/// reject header lines past 998 bytes (RFC 5322 2.1.1).
const MAX_SUBJECT_CHARS: usize = 150;

/// Longest article lead shown in an alert, in characters: about two lines
/// on a phone, enough to tell what the story is without becoming a copy of
/// the article.
const MAX_LEAD_CHARS: usize = 280;

/// Month names for Arabic dates, in the forms used across Arab news sites
/// (Al Jazeera, Al Arabiya) rather than the Levantine Syriac names.
const ARABIC_MONTHS: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];

/// English month names.
const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One outlet's report of a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletLink {
    /// The outlet's display name (e.g. "الجزيرة", "Reuters").
    pub name: String,
    /// The article's address; shown as a link only if it is http(s).
    pub url: String,
    /// When the outlet published it.
    pub published: DateTime<Utc>,
    /// The outlet only reprinted another outlet's report (a copy): it carries the
    /// story but does not confirm it. Shown marked, after the confirmations.
    #[serde(default)]
    pub reprint: bool,
}

/// An alert about one story for one subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEmail {
    /// The recipient's address (`a@b` or `Name <a@b>`).
    pub to: String,
    /// The subscriber's UI language: `"ar"` or `"en"`; anything not
    /// Arabic gets the English wording.
    pub lang: String,
    /// The story's title, in its own language.
    pub story_title: String,
    /// The language of the story title (for `lang=` on the title element).
    pub story_lang: String,
    /// The subscriber's query that matched.
    pub query: String,
    /// The reports of the story, in the order to show them.
    pub outlets: Vec<OutletLink>,
    /// ajil's page for the story, when the web UI is public.
    pub story_url: Option<String>,
    /// The one-click unsubscribe link (also the `List-Unsubscribe` header).
    pub unsubscribe_url: String,
    /// The link to the subscriber's management page.
    pub manage_url: String,
    /// A stable id such as `alert-17@ajil.example` (angle brackets optional),
    /// so a resend after a crash is recognisable as the same message.
    pub message_id: String,
    /// Whether the story was judged breaking news (changes subject and banner).
    pub breaking: bool,
    /// The subscriber's time zone, an IANA name like `Asia/Riyadh`; times
    /// are shown in UTC when unset or unknown.
    #[serde(default)]
    pub tz: Option<String>,
    /// The opening of the article as the feed or extractor gave it (text or
    /// HTML); tags are stripped and it is cut to a short lead.
    #[serde(default)]
    pub lead: Option<String>,
}

/// One story in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestStory {
    /// The story's title, in its own language.
    pub title: String,
    /// The language of the title.
    pub lang: String,
    /// The reports of the story.
    pub outlets: Vec<OutletLink>,
}

/// A periodic digest of stories for one subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestEmail {
    /// The recipient's address.
    pub to: String,
    /// The subscriber's UI language: `"ar"` or `"en"`.
    pub lang: String,
    /// The period covered, already worded for `lang` (e.g. "30 April 2026").
    pub period_label: String,
    /// The stories, most important first; may be empty.
    pub stories: Vec<DigestStory>,
    /// The one-click unsubscribe link.
    pub unsubscribe_url: String,
    /// The link to the subscriber's management page.
    pub manage_url: String,
    /// A stable id for this digest, as in [`AlertEmail::message_id`].
    pub message_id: String,
    /// The subscriber's time zone, as in [`AlertEmail::tz`].
    #[serde(default)]
    pub tz: Option<String>,
}

/// The double opt-in email sent when someone subscribes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmEmail {
    /// The address to confirm.
    pub to: String,
    /// The UI language the form was filled in: `"ar"` or `"en"`.
    pub lang: String,
    /// The query being subscribed to.
    pub query: String,
    /// The signed confirmation link.
    pub confirm_url: String,
    /// A stable id for this message.
    pub message_id: String,
}

/// Renders the three kinds of email from templates and assembles them.
///
/// ```
/// use ajil_mail::{Composer, ConfirmEmail};
/// use chrono::Utc;
///
/// let composer = Composer::new(None).unwrap();
/// let message = composer.confirm(&ConfirmEmail {
///     to: "reader@example.com".into(),
///     lang: "ar".into(),
///     query: "غزة".into(),
///     confirm_url: "https://ajil.example/confirm/TOKEN".into(),
///     message_id: "confirm-1@ajil.example".into(),
/// }, Utc::now()).unwrap();
/// let raw = String::from_utf8(ajil_mail::to_bytes(&message)).unwrap();
/// assert!(raw.contains("Message-ID: <confirm-1@ajil.example>"));
/// assert!(raw.contains("Content-Type: multipart/alternative"));
/// ```
#[derive(Debug)]
pub struct Composer {
    env: Environment<'static>,
    from: Mailbox,
    sender: Option<Mailbox>,
    reply_to: Option<Mailbox>,
}

impl Composer {
    /// Loads the templates: each default is replaced by the file of the same
    /// name in `template_dir`, if there is one. Every template is parsed now,
    /// so a broken override fails at startup rather than at the first alert.
    ///
    /// The sender defaults to `ajil <ajil@localhost>`; set the real one with
    /// [`Composer::with_from`].
    pub fn new(template_dir: Option<PathBuf>) -> Result<Composer, ComposeError> {
        let mut env = Environment::new();
        // Catch misspelt variables in override templates instead of
        // silently rendering nothing.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Block tags on their own lines then leave no blank lines behind,
        // which matters for the plain-text parts.
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_formatter(html_formatter);
        for (name, default) in TEMPLATE_NAMES.into_iter().zip(DEFAULTS) {
            let source = match &template_dir {
                Some(dir) => read_override(&dir.join(name))?.unwrap_or_else(|| default.to_owned()),
                None => default.to_owned(),
            };
            env.add_template_owned(name, source)
                .map_err(|source| ComposeError::Template {
                    name: name.to_owned(),
                    source,
                })?;
        }
        Ok(Composer {
            env,
            from: Mailbox::new(
                Some("ajil".into()),
                "ajil@localhost".parse().expect("valid address"),
            ),
            sender: None,
            reply_to: None,
        })
    }

    /// Sets the `Sender` mailbox: the address that actually sends on behalf
    /// of `From` (RFC 5322 3.6.2). It is written only when its address
    /// differs from the `From` address.
    #[must_use]
    pub fn with_sender(mut self, sender: Option<Mailbox>) -> Composer {
        self.sender = sender;
        self
    }

    /// Sets the `Reply-To` mailbox, where replies to alerts should go (for
    /// instance a monitored support address instead of a no-reply sender).
    #[must_use]
    pub fn with_reply_to(mut self, reply_to: Option<Mailbox>) -> Composer {
        self.reply_to = reply_to;
        self
    }

    /// Sets the `From` mailbox of every message.
    #[must_use]
    pub fn with_from(mut self, from: Mailbox) -> Composer {
        self.from = from;
        self
    }

    /// The `From` mailbox in use.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Composes an alert, dated `now`.
    pub fn alert(&self, email: &AlertEmail, now: DateTime<Utc>) -> Result<Message, ComposeError> {
        let ar = is_arabic(&email.lang);
        let label = match (ar, email.breaking) {
            (true, true) => "عاجل",
            (true, false) => "تنبيه",
            (false, true) => "Breaking",
            (false, false) => "Alert",
        };
        let subject = subject_line(label, &email.story_title);
        let story_url = email
            .story_url
            .as_deref()
            .map(|url| checked_url(url, "story link"))
            .transpose()?;
        let zone = time_zone(email.tz.as_deref());
        let ctx = context! {
            ..base_context(&email.lang, &subject),
            ..context! {
                story_title => email.story_title,
                story_lang => email.story_lang,
                query => email.query,
                breaking => email.breaking,
                story_url => story_url,
                lead => email.lead.as_deref().and_then(lead_text),
                outlets => outlet_context(&email.outlets, zone, ar),
                manage_url => checked_url(&email.manage_url, "manage link")?,
                unsubscribe_url => checked_url(&email.unsubscribe_url, "List-Unsubscribe")?,
            }
        };
        let (text, html) = self.render("alert", &ctx)?;
        self.assemble(Parts {
            to: &email.to,
            subject,
            message_id: &email.message_id,
            now,
            text,
            html,
            unsubscribe_url: Some(&email.unsubscribe_url),
            kind: "alert",
        })
    }

    /// Composes a digest, dated `now`.
    pub fn digest(&self, email: &DigestEmail, now: DateTime<Utc>) -> Result<Message, ComposeError> {
        let label = if is_arabic(&email.lang) {
            "ملخص ajil"
        } else {
            "ajil digest"
        };
        let subject = subject_line(label, &email.period_label);
        let zone = time_zone(email.tz.as_deref());
        let ar = is_arabic(&email.lang);
        let stories: Vec<Value> = email
            .stories
            .iter()
            .map(|story| {
                context! {
                    title => story.title,
                    lang => story.lang,
                    outlets => outlet_context(&story.outlets, zone, ar),
                }
            })
            .collect();
        let ctx = context! {
            ..base_context(&email.lang, &subject),
            ..context! {
                period_label => email.period_label,
                stories => stories,
                manage_url => checked_url(&email.manage_url, "manage link")?,
                unsubscribe_url => checked_url(&email.unsubscribe_url, "List-Unsubscribe")?,
            }
        };
        let (text, html) = self.render("digest", &ctx)?;
        self.assemble(Parts {
            to: &email.to,
            subject,
            message_id: &email.message_id,
            now,
            text,
            html,
            unsubscribe_url: Some(&email.unsubscribe_url),
            kind: "digest",
        })
    }

    /// Composes a subscription confirmation, dated `now`. It carries no
    /// `List-Unsubscribe`: the recipient is not subscribed yet.
    pub fn confirm(
        &self,
        email: &ConfirmEmail,
        now: DateTime<Utc>,
    ) -> Result<Message, ComposeError> {
        let label = if is_arabic(&email.lang) {
            "أكِّد تنبيه ajil"
        } else {
            "Confirm your ajil alert"
        };
        let subject = subject_line(label, &email.query);
        let ctx = context! {
            ..base_context(&email.lang, &subject),
            ..context! {
                query => email.query,
                confirm_url => checked_url(&email.confirm_url, "confirmation link")?,
            }
        };
        let (text, html) = self.render("confirm", &ctx)?;
        self.assemble(Parts {
            to: &email.to,
            subject,
            message_id: &email.message_id,
            now,
            text,
            html,
            unsubscribe_url: None,
            kind: "confirm",
        })
    }

    /// Renders `<kind>.txt` and `<kind>.html`.
    fn render(&self, kind: &str, ctx: &Value) -> Result<(String, String), ComposeError> {
        let render = |name: String| {
            self.env
                .get_template(&name)
                .and_then(|t| t.render(ctx))
                .map_err(|source| ComposeError::Template { name, source })
        };
        let mut text = render(format!("{kind}.txt"))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok((text, render(format!("{kind}.html"))?))
    }

    fn assemble(&self, parts: Parts<'_>) -> Result<Message, ComposeError> {
        let to: Mailbox = parts
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| ComposeError::Address {
                address: parts.to.to_owned(),
                reason: e.to_string(),
            })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(parts.subject)
            .message_id(Some(message_id(parts.message_id)?))
            .date(SystemTime::from(parts.now))
            // RFC 3834: tells vacation responders and other robots not to
            // answer this message.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ))
            // Lets mailbox providers report complaints per kind of email in
            // their feedback loops (Gmail's Feedback-ID convention:
            // campaign:customer:type, most general last).
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Feedback-ID"),
                format!("{}:ajil:{}", parts.kind, self.from.email.domain()),
            ));
        if let Some(sender) = &self.sender
            && sender.email != self.from.email
        {
            builder = builder.sender(sender.clone());
        }
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        if parts.kind != "confirm" {
            // Alerts and digests go to many people alike: "bulk" keeps
            // auto-responders quiet and tells filters what kind of mail this
            // is (RFC 2076 3.9); a confirmation is a one-off and stays plain.
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Precedence"),
                "bulk".into(),
            ));
        }
        if let Some(url) = parts.unsubscribe_url {
            let url = checked_url(url, "List-Unsubscribe")?;
            // RFC 2369 and RFC 8058: mail clients show an unsubscribe button
            // that POSTs "List-Unsubscribe=One-Click" to this URL.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        // lettre picks the transfer encoding per part: 7bit for ASCII, else
        // quoted-printable or base64, whichever suits the text (base64 for
        // mostly Arabic text, a third the size of quoted-printable).
        let body = MultiPart::alternative_plain_html(parts.text, parts.html);
        Ok(builder.multipart(body)?)
    }
}

/// What every message needs besides its rendered parts.
struct Parts<'a> {
    to: &'a str,
    subject: String,
    message_id: &'a str,
    now: DateTime<Utc>,
    text: String,
    html: String,
    unsubscribe_url: Option<&'a str>,
    /// `alert`, `digest` or `confirm`, for the `Feedback-ID` header.
    kind: &'static str,
}

/// The message as it goes on the wire (CRLF line ends), e.g. to store it.
pub fn to_bytes(message: &Message) -> Vec<u8> {
    message.formatted()
}

/// Escapes strings in `.html` templates like minijinja does, except that `/`
/// stays as it is: escaping it only matters outside quoted attributes, and
/// `https:&#x2f;&#x2f;…` links look broken in raw source and some clients.
fn html_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => {
            let mut escaped = String::with_capacity(text.len() + 16);
            for c in text.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#x27;"),
                    _ => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write output")
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn is_arabic(lang: &str) -> bool {
    lang.split(['-', '_'])
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("ar"))
}

fn base_context(lang: &str, subject: &str) -> Value {
    context! {
        lang => lang,
        ar => is_arabic(lang),
        dir => if is_rtl(lang) { "rtl" } else { "ltr" },
        subject => subject,
    }
}

fn outlet_context(outlets: &[OutletLink], zone: Tz, ar: bool) -> Vec<Value> {
    outlets
        .iter()
        .map(|o| {
            let local = o.published.with_timezone(&zone);
            context! {
                name => o.name,
                url => web_url(&o.url),
                published => local_time(local, ar),
                published_iso => local.to_rfc3339(),
                reprint => o.reprint,
            }
        })
        .collect()
}

/// The zone named `name`, or UTC when there is none or it is unknown: an
/// alert in UTC is better than no alert.
fn time_zone(name: Option<&str>) -> Tz {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Tz::UTC,
        Some(name) => name.parse().unwrap_or_else(|_| {
            tracing::warn!(tz = name, "unknown time zone; showing times in UTC");
            Tz::UTC
        }),
    }
}

/// `30 April 2026, 17:05 UTC+3` or `30 أبريل 2026، 17:05 UTC+3`: day first
/// in both languages, the month by name so nobody misreads 4/5 as 5/4, and
/// the offset rather than a zone abbreviation, which many zones lack.
fn local_time(local: DateTime<Tz>, ar: bool) -> String {
    let month = usize::try_from(local.month0()).expect("month in 0..12");
    let (month, comma) = if ar {
        (ARABIC_MONTHS[month], "،")
    } else {
        (ENGLISH_MONTHS[month], ",")
    };
    let offset = local.offset().fix().local_minus_utc();
    let zone = match offset {
        0 => "UTC".to_owned(),
        _ => {
            let sign = if offset < 0 { '-' } else { '+' };
            let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
            if minutes == 0 {
                format!("UTC{sign}{hours}")
            } else {
                format!("UTC{sign}{hours}:{minutes:02}")
            }
        }
    };
    format!(
        "{} {month} {}{comma} {:02}:{:02} {zone}",
        local.day(),
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// A short plain-text lead from article text or HTML: every tag removed
/// (script and style with their content) by ammonia, entities decoded,
/// whitespace collapsed, cut at a word boundary near [`MAX_LEAD_CHARS`].
/// `None` when nothing readable is left. The templates escape it again, so
/// HTML in a feed can never reach the message as markup.
fn lead_text(raw: &str) -> Option<String> {
    let stripped = ammonia::Builder::empty().clean(raw).to_string();
    let decoded = htmlize::unescape(&stripped);
    let words: Vec<&str> = decoded
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let mut lead = String::new();
    for word in words {
        let used = lead.chars().count();
        if used > 0 && used + 1 + word.chars().count() > MAX_LEAD_CHARS {
            lead.push('…');
            return Some(lead);
        }
        if used > 0 {
            lead.push(' ');
        }
        if word.chars().count() > MAX_LEAD_CHARS {
            // One giant "word" (a URL, or text without spaces) is cut inside.
            lead.extend(word.chars().take(MAX_LEAD_CHARS - 1));
            lead.push('…');
            return Some(lead);
        }
        lead.push_str(word);
    }
    (!lead.is_empty()).then_some(lead)
}

/// `label: text` on one line, control characters turned into spaces (a
/// title with a line break must not start a new header), cut to
/// [`MAX_SUBJECT_CHARS`].
fn subject_line(label: &str, text: &str) -> String {
    let clean: String = text
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut subject = format!("{label}: {clean}");
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        subject = subject.chars().take(MAX_SUBJECT_CHARS - 1).collect();
        subject.push('…');
    }
    subject
}

/// The URL if it is absolute http(s), normalised; `None` otherwise, so a
/// `javascript:` link from a feed never becomes clickable.
fn web_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// Like [`web_url`] for our own links, where a bad one is a bug to report.
fn checked_url(url: &str, header: &'static str) -> Result<String, ComposeError> {
    web_url(url).ok_or_else(|| ComposeError::Url {
        url: url.to_owned(),
        header,
    })
}

/// `<id@host>` from `id@host` or `<id@host>`; RFC 5322 3.6.4 wants exactly
/// one `@`, no spaces and no angle brackets inside.
fn message_id(id: &str) -> Result<String, ComposeError> {
    let bare = id.trim().trim_start_matches('<').trim_end_matches('>');
    let valid = bare.matches('@').count() == 1
        && !bare.starts_with('@')
        && !bare.ends_with('@')
        && bare.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\' | '(' | ')' | ',')
        });
    if valid {
        Ok(format!("<{bare}>"))
    } else {
        Err(ComposeError::MessageId { id: id.to_owned() })
    }
}

/// Reads an override template; `None` if there is no such file.
fn read_override(path: &Path) -> Result<Option<String>, ComposeError> {
    match std::fs::read_to_string(path) {
        Ok(source) => Ok(Some(source)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ComposeError::ReadTemplate {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests;
