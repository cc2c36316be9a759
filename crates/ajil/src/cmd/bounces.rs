//! `ajil bounces import PATH`: reads returned mail (DSN bounces, RFC 3464, and
//! ARF complaints, RFC 5965) from a Maildir or an mbox file and applies the
//! bounce policy: hard bounces and repeated soft bounces suspend the address,
//! complaints unsubscribe it. Importing the same mailbox twice changes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ajil_alert::bounce::parse_report;
use ajil_store::{NewFeedback, Store};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::Serialize;

use crate::cmd::{open_store, print_json};
use crate::config::Config;
use crate::pipeline::{FeedbackOutcome, apply_feedback};

/// What one import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Messages read from the mailbox.
    pub messages: usize,
    /// Messages that were not bounces or complaints (left alone).
    pub not_reports: usize,
    /// One line per recipient named in a report.
    pub items: Vec<ImportItem>,
}

/// One recipient of one report and what happened to it.
#[derive(Debug, Serialize)]
pub struct ImportItem {
    /// The mailbox file it came from.
    pub file: String,
    /// The address (or `?` when only the Message-ID named it).
    pub email: String,
    /// `hard_bounce`, `soft_bounce` or `complaint`.
    pub kind: &'static str,
    /// What was done.
    pub outcome: FeedbackOutcome,
}

/// Reads raw messages from a Maildir (a folder with `cur/` and `new/`) or an
/// mbox file, with a name for each.
pub fn read_mailbox(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    if path.is_dir() {
        let it = mail_parser::mailbox::maildir::MessageIterator::new(path).with_context(|| {
            format!(
                "{} is not a Maildir (it needs cur/ and new/ folders): pass a Maildir or an mbox file",
                path.display()
            )
        })?;
        for m in it {
            let m = m.with_context(|| format!("cannot read a message in {}", path.display()))?;
            let name = m
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, m.unwrap_contents()));
        }
        // Directory order is arbitrary; sorted names keep output stable.
        out.sort_by(|a, b| a.0.cmp(&b.0));
    } else {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open {}: check the path", path.display()))?;
        let it = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(file));
        for (i, m) in it.enumerate() {
            let m = m.with_context(|| format!("cannot read {} as mbox", path.display()))?;
            out.push((format!("message {}", i + 1), m.unwrap_contents()));
        }
    }
    Ok(out)
}

/// Imports every report in the mailbox at `path`.
pub async fn import(config: Config, path: PathBuf, json: bool) -> Result<()> {
    let messages = read_mailbox(&path)?;
    let store = open_store(&config).await?;
    let report = apply_messages(&store, &messages, Utc::now()).await?;
    store.close().await;
    print_report(&report, json)
}

/// Applies the bounce policy to each raw message (named for the report) and
/// says what happened; messages that are not reports are counted and left
/// alone. Shared by `import` and `poll`, so both treat mail alike.
pub async fn apply_messages(
    store: &Store,
    messages: &[(String, Vec<u8>)],
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let mut report = ImportReport {
        messages: messages.len(),
        ..ImportReport::default()
    };
    for (name, raw) in messages {
        let items = match parse_report(raw) {
            Ok(items) => items,
            Err(e) => {
                tracing::debug!(file = %name, "skipped: {e}");
                report.not_reports += 1;
                continue;
            }
        };
        let report_id = mail_parser::MessageParser::default()
            .parse_headers(raw)
            .and_then(|m| m.message_id().map(str::to_string))
            .unwrap_or_else(|| format!("{:016x}", fingerprint(raw)));
        for f in items {
            let feedback = NewFeedback {
                email: f.recipient.clone(),
                message_id: f.original_message_id.clone(),
                kind: f.kind.as_str().into(),
                status: f.status.clone(),
                diagnostic: f.diagnostic.clone(),
                origin: if f.kind == ajil_alert::bounce::FeedbackKind::Complaint {
                    "arf".into()
                } else {
                    "dsn".into()
                },
                dedup_key: Some(format!(
                    "{report_id}/{}",
                    f.recipient.as_deref().unwrap_or("")
                )),
            };
            let outcome = apply_feedback(store, &feedback, now).await?;
            report.items.push(ImportItem {
                file: name.clone(),
                email: f.recipient.unwrap_or_else(|| "?".into()),
                kind: f.kind.as_str(),
                outcome,
            });
        }
    }
    Ok(report)
}

fn print_report(report: &ImportReport, json: bool) -> Result<()> {
    if json {
        return print_json(report);
    }
    for i in &report.items {
        println!("{}\t{}\t{}\t{:?}", i.file, i.email, i.kind, i.outcome);
    }
    println!(
        "{} messages: {} reports ({} items), {} other messages skipped",
        report.messages,
        report.messages - report.not_reports,
        report.items.len(),
        report.not_reports
    );
    Ok(())
}

/// A stable fingerprint of a report without a Message-ID, so re-importing it
/// is still recognised (FNV-1a: small, fixed across builds).
fn fingerprint(raw: &[u8]) -> u64 {
    raw.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A bounce mailbox on an IMAP server: `imap://USER:PASS@HOST:PORT/MAILBOX`
/// (plain text: only for loopback or a trusted network) or `imaps://…`
/// (TLS, checked against the Mozilla roots). The port defaults to 143 or
/// 993 and the mailbox to `INBOX`; user and password may be
/// percent-encoded.
#[derive(Clone)]
pub struct ImapUrl {
    /// TLS from the first byte (`imaps`).
    pub tls: bool,
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Login name.
    pub user: String,
    /// Login password.
    pub password: String,
    /// The mailbox to read (`INBOX`).
    pub mailbox: String,
}

impl std::fmt::Debug for ImapUrl {
    // The password stays out of logs and error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "imaps" } else { "imap" };
        write!(
            f,
            "{scheme}://{}:***@{}:{}/{}",
            self.user, self.host, self.port, self.mailbox
        )
    }
}

impl ImapUrl {
    /// Parses an `imap://` or `imaps://` URL (see the type).
    pub fn parse(raw: &str) -> Result<ImapUrl> {
        let bad = |why: &str| {
            anyhow::anyhow!(
                "bad bounce mailbox URL ({why}): write imap://USER:PASS@HOST:PORT/MAILBOX or imaps://…"
            )
        };
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let tls = match url.scheme() {
            "imap" => false,
            "imaps" => true,
            other => return Err(bad(&format!("scheme {other:?} is not imap or imaps"))),
        };
        let host = url
            .host_str()
            .ok_or_else(|| bad("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let user = decode(url.username());
        if user.is_empty() {
            return Err(bad("no user name"));
        }
        let password = decode(url.password().ok_or_else(|| bad("no password"))?);
        let mailbox = decode(url.path().trim_start_matches('/'));
        Ok(ImapUrl {
            tls,
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user,
            password,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        })
    }
}

/// How long connecting and each IMAP exchange may take before a poll gives up.
const IMAP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// `ajil bounces poll`: one pass over the unseen messages of the mailbox at
/// `url`, else at the configured `bounce_url`.
pub async fn poll(config: Config, url: Option<String>, json: bool) -> Result<()> {
    let url = match url {
        Some(u) => ImapUrl::parse(&u)?,
        None => match &config.bounce_url {
            Some(u) => ImapUrl::parse(u.expose())?,
            None => anyhow::bail!(
                "no bounce mailbox: pass --url imap://USER:PASS@HOST/INBOX or set AJIL_BOUNCE_URL"
            ),
        },
    };
    let store = open_store(&config).await?;
    let report = poll_imap(&store, &url, Utc::now()).await;
    store.close().await;
    print_report(&report?, json)
}

/// Reads the unseen messages of the mailbox at `url`, applies the bounce
/// policy to them as `import` does, then marks them: reports are flagged
/// `\Seen` and `\Deleted` and expunged, other mail (a human reply) is only
/// flagged `\Seen` and stays for a person to read. Marks are set after the
/// store has the feedback, so a poll cut short re-reads the messages next
/// time and the dedup keys make that harmless.
pub async fn poll_imap(store: &Store, url: &ImapUrl, now: DateTime<Utc>) -> Result<ImportReport> {
    imap(Some(store), url, now).await
}

/// Logs in to the bounce mailbox and opens it, reading and changing nothing;
/// returns how many messages in it are unseen (waiting for the next poll).
pub async fn check_imap(url: &ImapUrl) -> Result<usize> {
    Ok(imap(None, url, Utc::now()).await?.messages)
}

/// One IMAP session: with a store, a poll ([`poll_imap`]); without, a check
/// ([`check_imap`]) that counts the unseen messages and goes.
async fn imap(store: Option<&Store>, url: &ImapUrl, now: DateTime<Utc>) -> Result<ImportReport> {
    let tcp = tokio::time::timeout(
        IMAP_TIMEOUT,
        tokio::net::TcpStream::connect((url.host.as_str(), url.port)),
    )
    .await
    .map_err(|_| anyhow::anyhow!("connecting to {url:?} timed out"))?
    .with_context(|| format!("cannot connect to {url:?}: check the host and port"))?;
    let work = async {
        if url.tls {
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let tls = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .context("TLS setup")?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(url.host.clone())
                .with_context(|| format!("{:?} is not a valid TLS server name", url.host))?;
            let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS handshake with {url:?} failed"))?;
            imap_session(async_imap::Client::new(stream), store, url, now).await
        } else {
            imap_session(async_imap::Client::new(tcp), store, url, now).await
        }
    };
    // One bound for the whole pass: a stalled server must not hang `serve`.
    tokio::time::timeout(IMAP_TIMEOUT * 5, work)
        .await
        .map_err(|_| anyhow::anyhow!("polling {url:?} timed out"))?
}

async fn imap_session<T>(
    mut client: async_imap::Client<T>,
    store: Option<&Store>,
    url: &ImapUrl,
    now: DateTime<Utc>,
) -> Result<ImportReport>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    client
        .read_response()
        .await
        .with_context(|| format!("reading the greeting of {url:?}"))?
        .with_context(|| format!("{url:?} closed the connection before its greeting"))?;
    let mut session = client
        .login(&url.user, &url.password)
        .await
        .map_err(|(e, _)| e)
        .with_context(|| format!("login to {url:?} failed: check the user name and password"))?;
    session
        .select(&url.mailbox)
        .await
        .with_context(|| format!("cannot open mailbox {:?} of {url:?}", url.mailbox))?;
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .await
        .context("IMAP search for unseen messages failed")?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let Some(store) = store else {
        session.logout().await.context("IMAP logout failed")?;
        return Ok(ImportReport {
            messages: uids.len(),
            not_reports: 0,
            items: Vec::new(),
        });
    };
    let mut fetched = Vec::new();
    if !uids.is_empty() {
        // PEEK: nothing is marked seen until the store has the feedback.
        let mut fetches = session
            .uid_fetch(uid_set(&uids), "(UID BODY.PEEK[])")
            .await
            .context("IMAP fetch failed")?;
        while let Some(f) = fetches.try_next().await.context("IMAP fetch failed")? {
            if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                fetched.push((uid, body.to_vec()));
            }
        }
    }
    fetched.sort_by_key(|m| m.0);
    let named: Vec<(String, Vec<u8>)> = fetched
        .iter()
        .map(|(uid, raw)| (format!("{} uid {uid}", url.mailbox), raw.clone()))
        .collect();
    let report = apply_messages(store, &named, now).await?;

    let done: Vec<u32> = fetched.iter().map(|m| m.0).collect();
    let reports: Vec<u32> = fetched
        .iter()
        .zip(&named)
        .filter(|(_, (name, _))| report.items.iter().any(|i| &i.file == name))
        .map(|((uid, _), _)| *uid)
        .collect();
    if !done.is_empty() {
        session
            .uid_store(uid_set(&done), "+FLAGS.SILENT (\\Seen)")
            .await
            .context("IMAP store of \\Seen failed")?
            .try_collect::<Vec<_>>()
            .await
            .context("IMAP store of \\Seen failed")?;
    }
    if !reports.is_empty() {
        session
            .uid_store(uid_set(&reports), "+FLAGS.SILENT (\\Deleted)")
            .await
            .context("IMAP store of \\Deleted failed")?
            .try_collect::<Vec<_>>()
            .await
            .context("IMAP store of \\Deleted failed")?;
        session
            .expunge()
            .await
            .context("IMAP expunge failed")?
            .try_collect::<Vec<_>>()
            .await
            .context("IMAP expunge failed")?;
    }
    session.logout().await.context("IMAP logout failed")?;
    Ok(report)
}

/// `1,2,7`: an IMAP UID set.
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls() {
        let u = ImapUrl::parse("imaps://bounces%40example.org:p%3Ass@mail.example.org/Bounces")
            .unwrap();
        assert!(u.tls);
        assert_eq!(
            (u.user.as_str(), u.password.as_str()),
            ("bounces@example.org", "p:ss")
        );
        assert_eq!((u.host.as_str(), u.port), ("mail.example.org", 993));
        assert_eq!(u.mailbox, "Bounces");
        assert!(!format!("{u:?}").contains("p:ss"));

        let u = ImapUrl::parse("imap://b:pw@127.0.0.1:1143").unwrap();
        assert!(!u.tls);
        assert_eq!((u.port, u.mailbox.as_str()), (1143, "INBOX"));
        assert_eq!(ImapUrl::parse("imap://b:pw@[::1]/").unwrap().host, "::1");

        for bad in [
            "pop3://b:pw@host/",
            "imap://host/",
            "imap://b@host/",
            "imap:/nohost",
        ] {
            let e = ImapUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains("imap://USER:PASS@HOST"), "{bad}: {e}");
        }
    }

    #[test]
    fn uid_sets() {
        assert_eq!(uid_set(&[1, 2, 7]), "1,2,7");
    }
}
