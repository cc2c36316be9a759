//! The alert crate's error types.

/// Why a pacing setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacingError {
    /// Not an IANA time zone name.
    #[error("time zone {0:?} is not known: use an IANA name such as Asia/Riyadh or UTC")]
    TimeZone(String),
    /// Not `HH:MM-HH:MM`.
    #[error("quiet hours {0:?} are not valid: use HH:MM-HH:MM, e.g. 23:00-07:00")]
    QuietHours(String),
    /// An hour outside 0–23.
    #[error("hour {0} is not valid: use 0 to 23")]
    Hour(u32),
}

/// Why a message could not be read as a bounce or a complaint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BounceError {
    /// The bytes are not a MIME message at all.
    #[error("not a parsable email message ({0} bytes)")]
    Unparsable(usize),
    /// A message, but neither a delivery status notification nor a
    /// feedback report.
    #[error("message {subject:?} is not a bounce (RFC 3464) or a complaint (RFC 5965)")]
    NotAReport {
        /// Its subject, to find it in the mailbox.
        subject: String,
    },
    /// A report that names no recipient and no original message.
    #[error("report {subject:?} names no recipient and no original Message-ID")]
    NoRecipient {
        /// Its subject.
        subject: String,
    },
}
