//! The error types of ajil-mail, one per job: links, composition,
//! configuration and delivery.

use std::path::PathBuf;

/// Why a signed link was refused. Messages are shown to the person who
/// clicked the link, so each says what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The token is not one we could have made: cut short, mangled by a mail
    /// client, or made up.
    #[error(
        "this link is incomplete or damaged: copy the whole link from the email into your browser"
    )]
    Malformed,
    /// The token is well formed but its signature does not match: it was
    /// altered, is meant for another action, or was signed with an old key.
    #[error(
        "this link is not valid for this page: use the newest email from ajil, or sign up again"
    )]
    BadSignature,
    /// The token was genuine but its time is up.
    #[error("this link has expired: sign up again to get a new confirmation email")]
    Expired,
}

/// Why a message could not be composed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// An override template could not be read.
    #[error(
        "cannot read template {path}: {source}; fix its permissions or remove it to use the default"
    )]
    ReadTemplate {
        /// The template file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A template (default or override) failed to parse or render.
    #[error("template {name} failed: {source:#}; check its syntax and the variables it uses")]
    Template {
        /// The template's name, like `alert.html`.
        name: String,
        /// What minijinja reported.
        source: minijinja::Error,
    },
    /// An address (recipient or sender) does not parse as a mailbox.
    #[error("invalid email address {address:?}: {reason}")]
    Address {
        /// The address as given.
        address: String,
        /// What the parser said.
        reason: String,
    },
    /// A link that goes into a header is not an absolute http(s) URL.
    #[error(
        "invalid link {url:?} for the {header} header: it must be an absolute http or https URL"
    )]
    Url {
        /// The URL as given.
        url: String,
        /// The header it was meant for.
        header: &'static str,
    },
    /// A Message-ID is not of the form `left@right`.
    #[error("invalid message id {id:?}: use the form unique-part@your.domain, without spaces")]
    MessageId {
        /// The id as given.
        id: String,
    },
    /// lettre refused to assemble the message.
    #[error("cannot assemble the email: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Why a mail delivery configuration was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The SMTP URL does not parse or has an unsupported part.
    #[error("invalid mail URL {url}: {reason}")]
    Url {
        /// The URL with any password redacted.
        url: String,
        /// What is wrong and how to write it instead.
        reason: String,
    },
    /// TLS could not be set up for the host.
    #[error("cannot set up TLS for {host}: {reason}")]
    Tls {
        /// The SMTP host.
        host: String,
        /// lettre's explanation.
        reason: String,
    },
    /// An SMTP mailer was created outside a Tokio runtime.
    #[error("the SMTP mailer must be created inside a Tokio runtime; create it from async code")]
    NoRuntime,
    /// The outbox directory could not be created.
    #[error("cannot create outbox directory {path}: {source}; create it or choose another")]
    Outbox {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Why a message was not delivered, split by whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: a 4xx reply, a refused or broken connection, a
    /// timeout, a TLS failure, a failed login, a full disk.
    #[error("temporary delivery failure, will retry: {reason}")]
    Temporary {
        /// The SMTP reply code, when the server gave one.
        code: Option<u16>,
        /// The server's reply text or the local error.
        reason: String,
    },
    /// Retrying the same message cannot succeed: a 5xx reply for this
    /// message or recipient, or a message without a usable envelope.
    #[error("permanent delivery failure: {reason}")]
    Permanent {
        /// The SMTP reply code, when the server gave one.
        code: Option<u16>,
        /// The server's reply text or the local error.
        reason: String,
    },
}

impl SendError {
    /// Whether retrying is pointless (the message should be marked failed).
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent { .. })
    }

    /// The SMTP reply code, when the failure was a server reply.
    pub fn code(&self) -> Option<u16> {
        match self {
            SendError::Temporary { code, .. } | SendError::Permanent { code, .. } => *code,
        }
    }

    /// The server's reply text or the local error, without the prefix.
    pub fn reason(&self) -> &str {
        match self {
            SendError::Temporary { reason, .. } | SendError::Permanent { reason, .. } => reason,
        }
    }
}

/// Why a DKIM key or signer could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DkimError {
    /// The key file could not be read.
    #[error(
        "cannot read DKIM key {path}: {source}; check the path and its permissions, or make a key with `ajil dkim keygen`"
    )]
    ReadKey {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key is not a usable private key.
    #[error(
        "unusable DKIM key: {reason}; give an unencrypted RSA or Ed25519 private key in PEM, e.g. from `ajil dkim keygen`"
    )]
    Key {
        /// What is wrong with it (with the file name when read from one).
        reason: String,
    },
    /// The domain or selector is not a DNS name.
    #[error("invalid DKIM {what} {value:?}: use a DNS name of letters, digits, '-', '_' and dots")]
    Name {
        /// `domain` or `selector`.
        what: &'static str,
        /// The value as given.
        value: String,
    },
    /// An unknown signing algorithm was asked for.
    #[error("unknown DKIM algorithm {value:?}: use rsa or ed25519")]
    Algorithm {
        /// The value as given.
        value: String,
    },
}
