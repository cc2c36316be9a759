//! Returned mail: delivery status notifications (bounces, RFC 3464) and
//! abuse feedback reports (complaints, RFC 5965), read from raw message bytes,
//! and what they mean for the address.
//!
//! [`parse_report`] turns one message into [`Feedback`] items, one per
//! recipient the report names; [`action`] says whether the address is
//! suspended (a hard bounce, or [`SOFT_BOUNCE_LIMIT`] soft ones within
//! [`SOFT_BOUNCE_WINDOW_DAYS`] days) or unsubscribed (a complaint).
//!
//! ```
//! use ajil_alert::bounce::{parse_report, FeedbackKind};
//! let dsn = b"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n\
//! Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
//! --b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n\
//! --b\r\nContent-Type: message/delivery-status\r\n\r\n\
//! Reporting-MTA: dns; mx.example\r\n\r\n\
//! Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
//! --b--\r\n";
//! let f = parse_report(dsn).unwrap();
//! assert_eq!(f[0].kind, FeedbackKind::HardBounce);
//! assert_eq!(f[0].recipient.as_deref(), Some("gone@example.org"));
//! ```

use mail_parser::{MessageParser, MimeHeaders, PartType};
use serde::Serialize;

pub use crate::error::BounceError;

/// Soft bounces within the window after which an address is suspended.
pub const SOFT_BOUNCE_LIMIT: u32 = 3;
/// The window, in days, over which soft bounces are counted. Three failed
/// days in a week is a mailbox that is full or gone, not a passing hiccup.
pub const SOFT_BOUNCE_WINDOW_DAYS: i64 = 7;

/// What a report says about one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// Permanent failure (status 5.x.x): the address does not take mail.
    HardBounce,
    /// Temporary failure (status 4.x.x, or a "delayed" notice).
    SoftBounce,
    /// The recipient reported the message as spam.
    Complaint,
}

impl FeedbackKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::HardBounce => "hard_bounce",
            FeedbackKind::SoftBounce => "soft_bounce",
            FeedbackKind::Complaint => "complaint",
        }
    }
}

impl std::str::FromStr for FeedbackKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "hard_bounce" => Ok(FeedbackKind::HardBounce),
            "soft_bounce" => Ok(FeedbackKind::SoftBounce),
            "complaint" => Ok(FeedbackKind::Complaint),
            _ => Err(format!("unknown feedback kind {s:?}")),
        }
    }
}

/// One recipient's outcome in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    /// Bounce or complaint.
    pub kind: FeedbackKind,
    /// The address it concerns (`Final-Recipient`, else `Original-Recipient`,
    /// else the original message's `To`), lowercased; `None` when only the
    /// original Message-ID identifies it.
    pub recipient: Option<String>,
    /// The enhanced status code (`5.1.1`), when given.
    pub status: Option<String>,
    /// The remote server's words (`Diagnostic-Code`) or the feedback type.
    pub diagnostic: Option<String>,
    /// The `Message-ID` of the message that bounced, without angle brackets.
    pub original_message_id: Option<String>,
}

/// What to do with an address after a piece of feedback.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Keep mailing it.
    Keep,
    /// Stop mailing it until the operator (or a new confirmed signup) lifts it.
    Suspend,
    /// Treat it as an unsubscription.
    Unsubscribe,
}

/// The policy: a complaint unsubscribes; a hard bounce suspends; a soft
/// bounce suspends once `soft_in_window` (this one included) reaches
/// [`SOFT_BOUNCE_LIMIT`].
pub fn action(kind: FeedbackKind, soft_in_window: u32) -> Action {
    match kind {
        FeedbackKind::Complaint => Action::Unsubscribe,
        FeedbackKind::HardBounce => Action::Suspend,
        FeedbackKind::SoftBounce if soft_in_window >= SOFT_BOUNCE_LIMIT => Action::Suspend,
        FeedbackKind::SoftBounce => Action::Keep,
    }
}

/// Classifies an SMTP reply code given synchronously at send time (`550`
/// is a hard bounce, `452` a soft one).
pub fn kind_of_reply(code: u16) -> Option<FeedbackKind> {
    match code {
        500..=599 => Some(FeedbackKind::HardBounce),
        400..=499 => Some(FeedbackKind::SoftBounce),
        _ => None,
    }
}

/// Reads one message as a bounce or a complaint.
///
/// Delivery reports (`multipart/report; report-type=delivery-status`) give one
/// item per failed or delayed recipient; recipients reported as delivered or
/// relayed are left out, so a report may give none. A feedback report gives
/// one complaint. The returned original headers (`message/rfc822` or
/// `text/rfc822-headers`) supply the original Message-ID and, for complaints
/// whose report hides the address, the original `To`.
pub fn parse_report(raw: &[u8]) -> Result<Vec<Feedback>, BounceError> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(BounceError::Unparsable(raw.len()))?;
    let subject = msg.subject().unwrap_or("").to_string();
    let mut status_fields: Option<String> = None;
    let mut feedback_fields: Option<String> = None;
    let mut original_id: Option<String> = None;
    let mut original_to: Option<String> = None;
    for part in &msg.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let ctype = ct.ctype().to_ascii_lowercase();
        let sub = ct.subtype().unwrap_or("").to_ascii_lowercase();
        match (ctype.as_str(), sub.as_str()) {
            ("message", "delivery-status" | "global-delivery-status") => {
                status_fields = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "feedback-report") => {
                feedback_fields = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "rfc822" | "global") => {
                if let PartType::Message(inner) = &part.body {
                    original_id = original_id.or(inner.message_id().map(str::to_string));
                    original_to = original_to.or(inner
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .map(str::to_string));
                }
            }
            ("text" | "message", "rfc822-headers") => {
                let text = String::from_utf8_lossy(part.contents()).into_owned();
                let fields = fields(&text);
                original_id =
                    original_id.or(field(&fields, "message-id").map(|v| strip_angles(&v)));
                original_to = original_to.or(field(&fields, "to").map(bare_address));
            }
            _ => {}
        }
    }
    let original_id = original_id.map(|s| strip_angles(&s));
    let mut out = Vec::new();
    if let Some(text) = feedback_fields {
        let f = fields(&text);
        let recipient = field(&f, "original-rcpt-to")
            .or_else(|| field(&f, "removal-recipient"))
            .map(bare_address)
            .or(original_to.map(|a| a.to_lowercase()));
        if recipient.is_none() && original_id.is_none() {
            return Err(BounceError::NoRecipient { subject });
        }
        out.push(Feedback {
            kind: FeedbackKind::Complaint,
            recipient,
            status: None,
            diagnostic: field(&f, "feedback-type"),
            original_message_id: original_id,
        });
        return Ok(out);
    }
    let Some(text) = status_fields else {
        return Err(BounceError::NotAReport { subject });
    };
    // The first block holds per-message fields (no recipient, so skipped
    // below); each later block one recipient.
    for block in blocks(&text) {
        let f = fields(&block);
        let recipient = field(&f, "final-recipient")
            .or_else(|| field(&f, "original-recipient"))
            .map(|v| bare_address(after_type(&v)));
        let status = field(&f, "status").map(|s| first_word(&s));
        let diagnostic = field(&f, "diagnostic-code").map(|v| after_type(&v).to_string());
        let act = field(&f, "action").map(|a| a.to_ascii_lowercase());
        if recipient.is_none() && status.is_none() {
            continue;
        }
        let class = status
            .as_deref()
            .and_then(|s| s.chars().next())
            .or_else(|| diagnostic.as_deref().and_then(reply_class));
        let kind = match (act.as_deref(), class) {
            (Some("delivered" | "relayed" | "expanded"), _) => continue,
            (Some("delayed"), _) => FeedbackKind::SoftBounce,
            (_, Some('5')) => FeedbackKind::HardBounce,
            (_, Some('4')) => FeedbackKind::SoftBounce,
            (Some("failed"), _) => FeedbackKind::HardBounce,
            _ => continue,
        };
        out.push(Feedback {
            kind,
            recipient: recipient.or(original_to.clone().map(|a| a.to_lowercase())),
            status,
            diagnostic,
            original_message_id: original_id.clone(),
        });
    }
    Ok(out)
}

/// Splits a delivery-status body into its blank-line separated blocks.
fn blocks(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            if !out.last().is_some_and(String::is_empty) {
                out.push(String::new());
            }
        } else {
            let last = out.last_mut().expect("never empty");
            last.push_str(line);
            last.push('\n');
        }
    }
    out.retain(|b| !b.is_empty());
    out
}

/// Header-style fields of one block, unfolded, names lowercased.
fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.replace("\r\n", "\n").lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(n, v)| n == name && !v.is_empty())
        .map(|(_, v)| v.clone())
}

/// `rfc822; a@b` → `a@b` (the address-type or diagnostic-type prefix).
fn after_type(v: &str) -> &str {
    match v.split_once(';') {
        Some((_, rest)) => rest.trim(),
        None => v.trim(),
    }
}

/// `"Name" <A@B.org>` or `<a@b.org>` → `a@b.org`.
fn bare_address(v: impl AsRef<str>) -> String {
    let v = v.as_ref().trim();
    let inner = match (v.rfind('<'), v.rfind('>')) {
        (Some(a), Some(b)) if a < b => &v[a + 1..b],
        _ => v,
    };
    inner.trim().to_lowercase()
}

fn strip_angles(v: &str) -> String {
    v.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn first_word(v: &str) -> String {
    v.split_whitespace().next().unwrap_or("").to_string()
}

/// The class digit of an SMTP reply in a diagnostic (`550 5.1.1 …` → `5`).
fn reply_class(diag: &str) -> Option<char> {
    let c = diag.trim_start().chars().next()?;
    matches!(c, '4' | '5').then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dsn(blocks: &str, original: &str) -> Vec<u8> {
        format!(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n\
             To: alerts@ajil.example\r\nSubject: Undelivered Mail Returned to Sender\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
             --B\r\nContent-Type: message/delivery-status\r\n\r\n\
             Reporting-MTA: dns; mx.example\r\nArrival-Date: Sun, 1 Mar 2026 10:00:00 +0000\r\n\r\n\
             {blocks}\r\n\
             --B\r\nContent-Type: text/rfc822-headers\r\n\r\n{original}\r\n--B--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn hard_and_soft_recipients_of_one_report() {
        let raw = dsn(
            "Final-Recipient: rfc822; Gone@Example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address\r\n  rejected: User unknown\r\n\r\n\
             Final-Recipient: rfc822; full@example.org\r\nAction: delayed\r\nStatus: 4.2.2\r\n\r\n\
             Final-Recipient: rfc822; ok@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n",
            "From: ajil <alerts@ajil.example>\r\nTo: gone@example.org\r\nMessage-ID: <alert.3.9@ajil.example>\r\nSubject: x\r\n",
        );
        let f = parse_report(&raw).unwrap();
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].kind, FeedbackKind::HardBounce);
        assert_eq!(f[0].recipient.as_deref(), Some("gone@example.org"));
        assert_eq!(f[0].status.as_deref(), Some("5.1.1"));
        assert!(
            f[0].diagnostic.as_deref().unwrap().contains("User unknown"),
            "{f:?}"
        );
        assert_eq!(
            f[0].original_message_id.as_deref(),
            Some("alert.3.9@ajil.example")
        );
        assert_eq!(f[1].kind, FeedbackKind::SoftBounce);
        assert_eq!(f[1].recipient.as_deref(), Some("full@example.org"));
    }

    #[test]
    fn status_missing_falls_back_to_the_reply_code() {
        let raw = dsn(
            "Original-Recipient: rfc822;x@example.org\r\nAction: failed\r\n\
             Diagnostic-Code: smtp; 452 mailbox full\r\n",
            "Message-ID: <m@x>\r\n",
        );
        let f = parse_report(&raw).unwrap();
        assert_eq!(f[0].kind, FeedbackKind::SoftBounce);
        assert_eq!(f[0].recipient.as_deref(), Some("x@example.org"));
    }

    #[test]
    fn complaint_takes_the_original_to_when_the_report_hides_it() {
        let raw = b"From: feedback@isp.example\r\nSubject: Abuse report\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\r\n\r\n\
--F\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n\
--F\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: isp/1.0\r\nVersion: 1\r\n\r\n\
--F\r\nContent-Type: message/rfc822\r\n\r\nFrom: alerts@ajil.example\r\nTo: Someone <Spam@Example.org>\r\n\
Message-ID: <digest.4.1700000000@ajil.example>\r\nSubject: digest\r\n\r\nbody\r\n--F--\r\n";
        let f = parse_report(raw).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FeedbackKind::Complaint);
        assert_eq!(f[0].recipient.as_deref(), Some("spam@example.org"));
        assert_eq!(f[0].diagnostic.as_deref(), Some("abuse"));
        assert_eq!(
            f[0].original_message_id.as_deref(),
            Some("digest.4.1700000000@ajil.example")
        );
    }

    #[test]
    fn ordinary_mail_is_not_a_report() {
        let raw = b"From: a@example.org\r\nSubject: hello\r\n\r\nhi\r\n";
        assert!(matches!(
            parse_report(raw),
            Err(BounceError::NotAReport { subject }) if subject == "hello"
        ));
    }

    #[test]
    fn policy() {
        assert_eq!(action(FeedbackKind::Complaint, 0), Action::Unsubscribe);
        assert_eq!(action(FeedbackKind::HardBounce, 0), Action::Suspend);
        assert_eq!(action(FeedbackKind::SoftBounce, 2), Action::Keep);
        assert_eq!(action(FeedbackKind::SoftBounce, 3), Action::Suspend);
        assert_eq!(kind_of_reply(550), Some(FeedbackKind::HardBounce));
        assert_eq!(kind_of_reply(451), Some(FeedbackKind::SoftBounce));
        assert_eq!(kind_of_reply(250), None);
        assert_eq!("complaint".parse(), Ok(FeedbackKind::Complaint));
    }
}
