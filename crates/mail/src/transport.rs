//! Delivering composed messages: over SMTP, or into a local outbox directory.
//!
//! The SMTP backend is configured from one URL (see [`SmtpConfig::from_url`]);
//! the outbox backend writes each message as an `.eml` file, which is what a
//! fresh install uses before any mail server is configured, and what tests
//! read.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::Message;
use lettre::transport::smtp;

use crate::dkim::Dkim;
use crate::error::{ConfigError, SendError};
use crate::pool::{Failure, Pool};

/// Default time allowed for connecting and for each SMTP command; servers
/// answer in well under a second, and RFC 5321 4.5.3.2 timeouts are minutes,
/// so this only cuts off a hung connection.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of pooled SMTP connections; alerts go out in small bursts
/// and most providers throttle many parallel connections from one client.
const DEFAULT_POOL_SIZE: u32 = 4;

/// Reply codes that mean "your login is wrong" (RFC 4954 section 6). They are
/// 5xx, but they concern every message alike, so they count as temporary:
/// the messages stay queued until the operator fixes the credentials.
const AUTH_FAILURE_CODES: [u16; 4] = [530, 534, 535, 538];

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain text only: for a relay on the same host or in tests.
    None,
    /// STARTTLS if the server offers it, plain text otherwise (can be
    /// downgraded by an attacker on the path; prefer `Required`).
    Opportunistic,
    /// STARTTLS, refusing to continue without it. The default for `smtp://`.
    Required,
    /// TLS from the first byte (implicit TLS, usually port 465). The mode of
    /// `smtps://`.
    Wrapper,
}

impl TlsMode {
    /// The value of the URL's `tls=` parameter for this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::None => "none",
            TlsMode::Opportunistic => "opportunistic",
            TlsMode::Required => "required",
            TlsMode::Wrapper => "wrapper",
        }
    }
}

/// A password that never shows in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where and how to reach the SMTP server.
///
/// `Display` prints it back as a URL with the password replaced by `***`,
/// and `Debug` hides the password too, so the config can be logged.
///
/// ```
/// use ajil_mail::{SmtpConfig, TlsMode};
///
/// let c: SmtpConfig = "smtp://alerts%40example.com:s3cret@mail.example.com".parse().unwrap();
/// assert_eq!((c.port, c.tls), (587, TlsMode::Required));
/// assert_eq!(c.username.as_deref(), Some("alerts@example.com"));
/// assert_eq!(c.to_string(), "smtp://alerts%40example.com:***@mail.example.com:587?tls=required");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name or IP address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// How the connection is secured.
    pub tls: TlsMode,
    /// The login name, if the server wants one.
    pub username: Option<String>,
    /// The password for `username`.
    pub password: Option<Secret>,
    /// Limit for connecting, and for each whole message exchange on an open
    /// connection.
    pub timeout: Duration,
    /// Most connections kept open at once.
    pub pool_size: u32,
    /// The name to announce in `EHLO`; the machine's host name if unset.
    pub hello_name: Option<String>,
}

impl SmtpConfig {
    /// Reads an SMTP URL:
    ///
    /// - `smtp://[user[:password]@]host[:port]`: STARTTLS required, port 587;
    /// - `smtps://…`: implicit TLS, port 465;
    /// - query parameters: `tls=none|opportunistic|required|wrapper`
    ///   (`starttls` means `required`; with `none` the default port is 25),
    ///   `timeout=SECONDS`, `pool=N`, `helo=NAME`.
    ///
    /// User and password are percent-decoded (write `@` as `%40`).
    pub fn from_url(raw: &str) -> Result<SmtpConfig, ConfigError> {
        let url = url::Url::parse(raw.trim()).map_err(|e| ConfigError::Url {
            url: redact_raw(raw),
            reason: format!("{e}; expected smtp://user:password@host:port"),
        })?;
        let bad = |reason: String| ConfigError::Url {
            url: redact_url(&url),
            reason,
        };
        let implicit = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(bad(format!(
                    "unknown scheme {other:?}; use smtp:// or smtps://"
                )));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host; write smtp://host:port".into()))?
            // IPv6 literals come bracketed; the socket wants them bare.
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let mut tls = if implicit {
            TlsMode::Wrapper
        } else {
            TlsMode::Required
        };
        let mut timeout = DEFAULT_TIMEOUT;
        let mut pool_size = DEFAULT_POOL_SIZE;
        let mut hello_name = None;
        for (key, value) in url.query_pairs() {
            match &*key {
                "tls" => {
                    tls = match (&*value, implicit) {
                        ("wrapper" | "implicit" | "tls", _) => TlsMode::Wrapper,
                        (_, true) => {
                            return Err(bad(format!(
                                "smtps:// always uses implicit TLS, so tls={value} is contradictory; use smtp://…?tls={value}"
                            )));
                        }
                        ("none" | "off", false) => TlsMode::None,
                        ("opportunistic", false) => TlsMode::Opportunistic,
                        ("required" | "starttls", false) => TlsMode::Required,
                        _ => {
                            return Err(bad(format!(
                                "unknown tls={value}; use none, opportunistic, required or wrapper"
                            )));
                        }
                    }
                }
                "timeout" => {
                    let secs: u64 = value.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                        bad(format!(
                            "timeout={value} is not a positive number of seconds"
                        ))
                    })?;
                    timeout = Duration::from_secs(secs);
                }
                "pool" => {
                    pool_size = value
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| bad(format!("pool={value} is not a positive number")))?;
                }
                "helo" => hello_name = Some(value.into_owned()),
                other => {
                    return Err(bad(format!(
                        "unknown parameter {other:?}; known: tls, timeout, pool, helo"
                    )));
                }
            }
        }
        let port = url.port().unwrap_or(match tls {
            TlsMode::Wrapper => 465,
            TlsMode::None => 25,
            TlsMode::Opportunistic | TlsMode::Required => 587,
        });
        let decode = |s: &str, what: &str| {
            percent_decode(s)
                .ok_or_else(|| bad(format!("the {what} is not valid percent-encoded UTF-8")))
        };
        let username = match url.username() {
            "" => None,
            name => Some(decode(name, "user name")?),
        };
        let password = url
            .password()
            .map(|p| decode(p, "password").map(Secret))
            .transpose()?;
        if password.is_some() && username.is_none() {
            return Err(bad(
                "a password without a user name; write user:password@host".into(),
            ));
        }
        Ok(SmtpConfig {
            host,
            port,
            tls,
            username,
            password,
            timeout,
            pool_size,
            hello_name,
        })
    }
}

impl FromStr for SmtpConfig {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SmtpConfig::from_url(s)
    }
}

impl fmt::Display for SmtpConfig {
    /// The URL form, password replaced by `***`, non-default parameters kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls == TlsMode::Wrapper {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.username {
            write!(f, "{}", percent_encode_userinfo(user))?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "{}:{}", self.host, self.port)?;
        }
        if self.tls != TlsMode::Wrapper {
            write!(f, "?tls={}", self.tls.as_str())?;
        }
        let mut sep = if self.tls == TlsMode::Wrapper {
            '?'
        } else {
            '&'
        };
        let mut param = |f: &mut fmt::Formatter<'_>, text: String| {
            let r = write!(f, "{sep}{text}");
            sep = '&';
            r
        };
        if self.timeout != DEFAULT_TIMEOUT {
            param(f, format!("timeout={}", self.timeout.as_secs()))?;
        }
        if self.pool_size != DEFAULT_POOL_SIZE {
            param(f, format!("pool={}", self.pool_size))?;
        }
        if let Some(name) = &self.hello_name {
            param(f, format!("helo={name}"))?;
        }
        Ok(())
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

/// Which backend a [`Mailer`] uses, as read from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailerConfig {
    /// Send through an SMTP server.
    Smtp(SmtpConfig),
    /// Write `.eml` files into this directory.
    Outbox(PathBuf),
}

impl FromStr for MailerConfig {
    type Err = ConfigError;
    /// `smtp://…` or `smtps://…` (see [`SmtpConfig::from_url`]), or
    /// `file:///absolute/dir` for an outbox directory.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("file://") {
            if path.is_empty() {
                return Err(ConfigError::Url {
                    url: s.to_owned(),
                    reason: "no directory; write file:///var/lib/ajil/outbox".into(),
                });
            }
            return Ok(MailerConfig::Outbox(PathBuf::from(path)));
        }
        SmtpConfig::from_url(s).map(MailerConfig::Smtp)
    }
}

impl fmt::Display for MailerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailerConfig::Smtp(config) => config.fmt(f),
            MailerConfig::Outbox(dir) => write!(f, "file://{}", dir.display()),
        }
    }
}

/// A directory that receives each message as one `.eml` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// Uses `dir`, creating it (and its parents) if missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Outbox, ConfigError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|source| ConfigError::Outbox {
            path: dir.clone(),
            source,
        })?;
        Ok(Outbox { dir })
    }

    /// The directory written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `message` as `DIR/<UTC timestamp>-<message id>.eml` and returns
    /// the path. The file appears whole or not at all: it is written under a
    /// hidden temporary name, synced, then renamed.
    pub async fn write(&self, message: &Message) -> Result<PathBuf, SendError> {
        let id = message.headers().get_raw("Message-ID").unwrap_or("no-id");
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
        let name = format!("{stamp}-{}.eml", sanitize_file_part(id));
        let bytes = message.formatted();
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
            .await
            .map_err(|e| SendError::Temporary {
                code: None,
                reason: format!("outbox writer task failed: {e}"),
            })?
            .map_err(|e| SendError::Temporary {
                code: None,
                reason: format!("cannot write to outbox {}: {e}", self.dir.display()),
            })
    }
}

/// Sends messages through the configured backend, DKIM-signing each one
/// when a signer is set ([`Mailer::with_dkim`]).
///
/// Cloning is cheap and clones share the SMTP connection pool.
#[derive(Clone)]
pub struct Mailer {
    backend: Backend,
    dkim: Option<Arc<Dkim>>,
}

#[derive(Clone)]
enum Backend {
    Smtp {
        /// Connections shared by all clones of the mailer.
        pool: Arc<Pool>,
        config: SmtpConfig,
    },
    Outbox(Outbox),
}

impl Mailer {
    /// A mailer for `config`: the SMTP transport is set up (no connection is
    /// made until the first send) or the outbox directory is created.
    pub fn new(config: &MailerConfig) -> Result<Mailer, ConfigError> {
        match config {
            MailerConfig::Smtp(smtp) => Mailer::smtp(smtp),
            MailerConfig::Outbox(dir) => Mailer::outbox(dir.clone()),
        }
    }

    /// A mailer sending through an SMTP server, keeping up to
    /// `config.pool_size` connections open between messages (and using no
    /// more than that at once).
    ///
    /// Must be called inside a Tokio runtime, where its sends run.
    pub fn smtp(config: &SmtpConfig) -> Result<Mailer, ConfigError> {
        // Sends need the runtime's socket driver; failing here names the
        // mistake instead of panicking at the first send.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ConfigError::NoRuntime);
        }
        Ok(Mailer {
            backend: Backend::Smtp {
                pool: Arc::new(Pool::new(config)?),
                config: config.clone(),
            },
            dkim: None,
        })
    }

    /// A mailer writing into the outbox directory `dir`.
    pub fn outbox(dir: impl Into<PathBuf>) -> Result<Mailer, ConfigError> {
        Ok(Mailer {
            backend: Backend::Outbox(Outbox::new(dir)?),
            dkim: None,
        })
    }

    /// Signs every message with `dkim` just before it leaves (outbox files
    /// too, so they show what a server would receive).
    #[must_use]
    pub fn with_dkim(mut self, dkim: Dkim) -> Mailer {
        self.dkim = Some(Arc::new(dkim));
        self
    }

    /// The DKIM signer in use, if any.
    pub fn dkim(&self) -> Option<&Dkim> {
        self.dkim.as_deref()
    }

    /// Checks that mail can leave, sending nothing: for SMTP, one session up
    /// to a successful login, then `QUIT`; for the outbox, that a file can be
    /// written to its folder. Says what worked, or why not as a send would.
    pub async fn check(&self) -> Result<String, SendError> {
        match &self.backend {
            Backend::Smtp { pool, config } => {
                match tokio::time::timeout(config.timeout, pool.probe()).await {
                    Ok(Ok(encrypted)) => Ok(format!(
                        "{}:{} accepted a session{}{}",
                        config.host,
                        config.port,
                        if encrypted {
                            " over TLS"
                        } else {
                            " (not encrypted)"
                        },
                        match &config.username {
                            Some(user) => format!(", logged in as {user}"),
                            None => String::new(),
                        }
                    )),
                    Ok(Err(e)) => Err(classify(&e, config)),
                    Err(_elapsed) => Err(no_answer(config)),
                }
            }
            Backend::Outbox(outbox) => {
                let probe = outbox.dir.join(format!(".check-{}", std::process::id()));
                let written = tokio::fs::write(&probe, b"check").await;
                let _ = tokio::fs::remove_file(&probe).await;
                written.map_err(|e| SendError::Temporary {
                    code: None,
                    reason: format!("cannot write to {}: {e}", outbox.dir.display()),
                })?;
                Ok(format!("writes each email to {}", outbox.dir.display()))
            }
        }
    }

    /// Delivers one message to the recipients of its envelope (its `To`).
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let signed;
        let message = match &self.dkim {
            Some(dkim) => {
                // Signed at send time, so the signature's `t=` is the time
                // of this attempt and a retry a day later is not stale.
                let mut copy = message.clone();
                dkim.sign(&mut copy);
                signed = copy;
                &signed
            }
            None => message,
        };
        let id = message.headers().get_raw("Message-ID").unwrap_or("");
        match &self.backend {
            Backend::Smtp { pool, config } => {
                let bytes = message.formatted();
                // Waiting for a free connection is not part of the limit:
                // only a server that stops answering should time out.
                let _permit = pool.permit().await;
                // lettre bounds no reply with a timeout, so a server that
                // stops answering would hang the send forever without this
                // limit on the whole exchange (connect, EHLO, TLS, AUTH,
                // MAIL, RCPT, DATA). A connection cut off by it is dropped
                // with the future, never returned to the pool.
                let exchange = pool.send(message.envelope(), &bytes);
                match tokio::time::timeout(config.timeout, exchange).await {
                    Ok(Ok(response)) => {
                        tracing::debug!(
                            message_id = id,
                            reply = response.first_line().unwrap_or(""),
                            "sent over SMTP"
                        );
                        Ok(())
                    }
                    Ok(Err(e)) => Err(classify(&e, config)),
                    Err(_elapsed) => Err(no_answer(config)),
                }
            }
            Backend::Outbox(outbox) => {
                let path = outbox.write(message).await?;
                tracing::debug!(message_id = id, path = %path.display(), "written to outbox");
                Ok(())
            }
        }
    }
}

impl fmt::Display for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Backend::Smtp { config, .. } => config.fmt(f),
            Backend::Outbox(outbox) => write!(f, "file://{}", outbox.dir.display()),
        }
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Backend::Smtp { config, .. } => f
                .debug_tuple("Mailer::Smtp")
                .field(config)
                .field(&self.dkim)
                .finish(),
            Backend::Outbox(outbox) => f
                .debug_tuple("Mailer::Outbox")
                .field(&outbox.dir)
                .field(&self.dkim)
                .finish(),
        }
    }
}

/// Sorts a failed exchange into retry-later or give-up.
/// The server took longer than `config.timeout` over one exchange.
fn no_answer(config: &SmtpConfig) -> SendError {
    SendError::Temporary {
        code: None,
        reason: format!(
            "no answer from {}:{} within {} s",
            config.host,
            config.port,
            config.timeout.as_secs()
        ),
    }
}

fn classify(failure: &Failure, config: &SmtpConfig) -> SendError {
    let error = match failure {
        Failure::Smtp(e) => e,
        Failure::Connect(e) => {
            return SendError::Temporary {
                code: None,
                reason: format!("cannot connect to {}:{}: {e}", config.host, config.port),
            };
        }
        Failure::NoStartTls => {
            return SendError::Temporary {
                code: None,
                reason: format!(
                    "{}:{} does not offer STARTTLS, which tls=required asks for; enable TLS on the server or set tls=opportunistic",
                    config.host, config.port
                ),
            };
        }
    };
    classify_reply(error)
}

/// Sorts a lettre error by its reply code.
fn classify_reply(error: &smtp::Error) -> SendError {
    let code = error.status().map(u16::from);
    let reason = error.to_string();
    let auth_failure = code.is_some_and(|c| AUTH_FAILURE_CODES.contains(&c));
    // Everything that is not a 5xx reply (4xx, refused or dropped
    // connections, timeouts, TLS handshakes, unparsable replies) may pass.
    if error.is_permanent() && !auth_failure {
        SendError::Permanent { code, reason }
    } else {
        SendError::Temporary { code, reason }
    }
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    // A leading dot keeps readers that list `*.eml` away from half-written
    // files; rename within one directory is atomic on POSIX.
    let tmp = dir.join(format!(".{name}.tmp"));
    let target = dir.join(name);
    let mut file = std::fs::File::create(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &target)?;
    Ok(target)
}

/// Keeps letters, digits, `.`, `-`, `_` and `@`; everything else becomes `_`.
fn sanitize_file_part(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL with its password replaced, for error messages.
fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// Best-effort redaction of a string that did not even parse as a URL: hide
/// everything between the scheme (if any) and the last `@`.
fn redact_raw(raw: &str) -> String {
    let Some(at) = raw.rfind('@') else {
        return raw.to_owned();
    };
    let start = raw
        .find("://")
        .map(|i| i + 3)
        .filter(|&i| i <= at)
        .unwrap_or(0);
    format!("{}***{}", &raw[..start], &raw[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_url_defaults() {
        let c = SmtpConfig::from_url("smtp://mail.example.com").unwrap();
        assert_eq!((c.port, c.tls), (587, TlsMode::Required));
        assert_eq!((c.username, c.password), (None, None));
        assert_eq!(c.timeout, DEFAULT_TIMEOUT);
        let c = SmtpConfig::from_url("smtps://mail.example.com").unwrap();
        assert_eq!((c.port, c.tls), (465, TlsMode::Wrapper));
        let c = SmtpConfig::from_url("smtp://localhost?tls=none").unwrap();
        assert_eq!((c.port, c.tls), (25, TlsMode::None));
    }

    #[test]
    fn smtp_url_parameters() {
        let c = SmtpConfig::from_url(
            "smtp://u:p@h.example:2525?tls=opportunistic&timeout=5&pool=2&helo=ajil.example",
        )
        .unwrap();
        assert_eq!(c.port, 2525);
        assert_eq!(c.tls, TlsMode::Opportunistic);
        assert_eq!(c.timeout, Duration::from_secs(5));
        assert_eq!(c.pool_size, 2);
        assert_eq!(c.hello_name.as_deref(), Some("ajil.example"));
        assert_eq!(
            SmtpConfig::from_url("smtp://h?tls=starttls").unwrap().tls,
            TlsMode::Required
        );
        assert_eq!(
            SmtpConfig::from_url("smtp://h?tls=wrapper").unwrap().port,
            465
        );
    }

    #[test]
    fn smtp_url_decodes_credentials() {
        let c = SmtpConfig::from_url("smtp://a%40b.example:p%3Ass%20w@h").unwrap();
        assert_eq!(c.username.as_deref(), Some("a@b.example"));
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("p:ss w"));
    }

    #[test]
    fn smtp_url_errors_name_the_problem_and_hide_the_password() {
        for (url, needle) in [
            ("http://h", "unknown scheme"),
            ("smtp://u:pw@h?tls=maybe", "unknown tls=maybe"),
            ("smtps://u:pw@h?tls=none", "contradictory"),
            ("smtp://u:pw@h?timeout=0", "timeout=0"),
            ("smtp://u:pw@h?pool=x", "pool=x"),
            ("smtp://u:pw@h?colour=red", "unknown parameter"),
            ("smtp://:pw@h", "password without a user"),
            ("not a url u:pw@x", "expected smtp://"),
        ] {
            let err = SmtpConfig::from_url(url).unwrap_err().to_string();
            assert!(err.contains(needle), "{url}: {err}");
            assert!(!err.contains("pw"), "{url} leaks the password: {err}");
        }
    }

    #[tokio::test]
    async fn display_and_debug_redact_and_round_trip() {
        let raw = "smtp://me:hunter2@h.example:2525?tls=none&timeout=5&pool=2&helo=x.example";
        let c = SmtpConfig::from_url(raw).unwrap();
        let shown = c.to_string();
        assert_eq!(
            shown,
            "smtp://me:***@h.example:2525?tls=none&timeout=5&pool=2&helo=x.example"
        );
        assert!(!format!("{c:?}").contains("hunter2"));
        let mut again = SmtpConfig::from_url(&shown).unwrap();
        again.password = c.password.clone();
        assert_eq!(again, c);
        let s = SmtpConfig::from_url("smtps://h.example?timeout=9").unwrap();
        assert_eq!(s.to_string(), "smtps://h.example:465?timeout=9");
        let m = Mailer::smtp(&c).unwrap();
        assert!(!format!("{m} {m:?}").contains("hunter2"));
    }

    #[test]
    fn smtp_mailer_outside_a_runtime_is_an_error() {
        let c = SmtpConfig::from_url("smtp://h?tls=none").unwrap();
        assert!(matches!(Mailer::smtp(&c), Err(ConfigError::NoRuntime)));
    }

    #[test]
    fn mailer_config_picks_backend() {
        assert_eq!(
            "file:///tmp/outbox".parse::<MailerConfig>().unwrap(),
            MailerConfig::Outbox(PathBuf::from("/tmp/outbox"))
        );
        assert!(matches!(
            "smtp://h".parse::<MailerConfig>().unwrap(),
            MailerConfig::Smtp(_)
        ));
        assert!("file://".parse::<MailerConfig>().is_err());
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            sanitize_file_part("<alert-1@ajil.example>"),
            "alert-1@ajil.example"
        );
        assert_eq!(sanitize_file_part("<../../etc/x y>"), "_.._.._etc_x_y");
        assert_eq!(sanitize_file_part(""), "_");
    }
}
