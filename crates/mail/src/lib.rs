//! Email for ajil: signed links, message composition and delivery.
//!
//! In: alerts, digests and confirmations as plain records ([`AlertEmail`],
//! [`DigestEmail`], [`ConfirmEmail`]). Out: complete MIME messages
//! ([`lettre::Message`]) that a [`Mailer`] delivers over SMTP or writes to a
//! local outbox directory. The alert stage decides *what* to send and when;
//! this crate only decides how it looks and how it leaves.
//!
//! - [`token`]: [`Signer`] makes and checks the tokens in confirm, manage and
//!   unsubscribe links, each bound to a [`Purpose`].
//! - [`compose`]: [`Composer`] renders text and HTML parts from overridable
//!   minijinja templates, right-to-left for Arabic, with `List-Unsubscribe`
//!   (RFC 8058 one-click) and `Auto-Submitted` headers.
//! - [`transport`]: [`Mailer`] sends, and reports failures as [`SendError`]
//!   `Temporary` (retry later) or `Permanent` (give up on this message).
//! - [`dkim`]: [`Dkim`] signs each message as it leaves the [`Mailer`]
//!   (RSA-SHA256 or Ed25519-SHA256, relaxed/relaxed); [`DkimKey`] reads and
//!   makes keys and gives the DNS record to publish.
//!
//! ```
//! use ajil_mail::{AlertEmail, Composer, OutletLink, Purpose, Signer};
//! use chrono::{TimeZone, Utc};
//!
//! let now = Utc.with_ymd_and_hms(2026, 4, 30, 14, 5, 0).unwrap();
//! let signer = Signer::new(b"a long random server secret");
//! let token = signer.sign(Purpose::Unsubscribe, 17, None);
//! let alert = AlertEmail {
//!     to: "reader@example.com".into(),
//!     lang: "ar".into(),
//!     story_title: "زلزال بقوة 5 درجات يضرب جنوب تركيا".into(),
//!     story_lang: "ar".into(),
//!     query: "زلزال".into(),
//!     outlets: vec![OutletLink {
//!         name: "الجزيرة".into(),
//!         url: "https://www.aljazeera.net/news/1".into(),
//!         published: now,
//!         reprint: false,
//!     }],
//!     story_url: None,
//!     unsubscribe_url: format!("https://ajil.example/unsubscribe/{token}"),
//!     manage_url: "https://ajil.example/manage/TOKEN".into(),
//!     message_id: "alert-1@ajil.example".into(),
//!     breaking: true,
//!     tz: Some("Europe/Istanbul".into()),
//!     lead: Some("<p>ضرب زلزال <b>جنوب</b> تركيا صباح اليوم.</p>".into()),
//! };
//! let message = Composer::new(None).unwrap().alert(&alert, now).unwrap();
//! let raw = String::from_utf8(ajil_mail::to_bytes(&message)).unwrap();
//! assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
//! assert!(raw.contains("Feedback-ID: alert:ajil:localhost"));
//! ```

pub mod compose;
pub mod dkim;
pub mod error;
mod pool;
pub mod token;
pub mod transport;

pub use compose::{
    AlertEmail, Composer, ConfirmEmail, DigestEmail, DigestStory, OutletLink, TEMPLATE_NAMES,
    to_bytes,
};
pub use dkim::{Dkim, DkimAlgorithm, DkimKey};
pub use error::{ComposeError, ConfigError, DkimError, SendError, TokenError};
pub use lettre::Message;
pub use lettre::message::Mailbox;
pub use token::{Purpose, Signer};
pub use transport::{Mailer, MailerConfig, Outbox, Secret, SmtpConfig, TlsMode};
