//! `ajil check`: what is set up, what works, and what to fix before going live.
//! Each check is ok, a warning (works, but probably not as meant) or a failure
//! (something ajil needs does not work); failures make the exit status 1.

use anyhow::Result;
use serde::Serialize;

use crate::cmd::{open_store, print_json};
use crate::config::Config;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works as set up.
    Ok,
    /// Works, but probably not as meant for a live service.
    Warn,
    /// Does not work.
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// What was checked: `store`, `mail`, `sources`, …
    pub check: &'static str,
    /// How it came out.
    pub status: Status,
    /// What was found, and for a warning or failure what to do.
    pub detail: String,
}

fn outcome(check: &'static str, status: Status, detail: impl Into<String>) -> Outcome {
    Outcome {
        check,
        status,
        detail: detail.into(),
    }
}

/// Runs every check; with `network` false, the SMTP server is not contacted.
pub async fn checks(config: &Config, network: bool) -> Vec<Outcome> {
    let mut out = Vec::new();
    if crate::config::is_loopback_url(&config.public_url) {
        out.push(outcome(
            "public_url",
            Status::Warn,
            format!(
                "links in emails point to {}, which only this machine can open: set public_url \
                 to the address subscribers reach",
                config.public_url
            ),
        ));
    } else {
        out.push(outcome("public_url", Status::Ok, config.public_url.clone()));
    }

    let store = match open_store(config).await {
        Ok(store) => {
            let what = match store.backend() {
                ajil_store::Backend::Sqlite => {
                    let size = std::fs::metadata(config.db_path()).map_or(0, |m| m.len());
                    format!(
                        "SQLite {} ({:.1} MB)",
                        config.db_path().display(),
                        size as f64 / 1e6
                    )
                }
                ajil_store::Backend::Postgres => "PostgreSQL (database_url)".to_string(),
            };
            let retention = match config.retention_days {
                Some(days) => format!("text kept {days} days"),
                None => "text kept forever (retention_days = 0)".to_string(),
            };
            match store.retention_counts().await {
                Ok(c) => out.push(outcome(
                    "store",
                    Status::Ok,
                    format!(
                        "{what}: {} articles, {} pruned; {retention}",
                        c.articles, c.pruned
                    ),
                )),
                Err(e) => out.push(outcome("store", Status::Fail, format!("{what}: {e}"))),
            }
            Some(store)
        }
        Err(e) => {
            out.push(outcome("store", Status::Fail, format!("{e:#}")));
            None
        }
    };

    out.push(mail(config, network).await);
    if config.from.contains("@localhost") {
        out.push(outcome(
            "from",
            Status::Warn,
            format!(
                "mail is sent as {:?}: set `from` to an address of your own domain",
                config.from
            ),
        ));
    } else {
        out.push(outcome("from", Status::Ok, config.from.clone()));
    }
    match (config.dkim_signer(), &config.dkim) {
        (Ok(Some(_)), Some(d)) => out.push(outcome(
            "dkim",
            Status::Ok,
            format!(
                "signs as {}._domainkey.{}: that TXT record must hold the key \
                 (`ajil dkim keygen` printed it)",
                d.selector, d.domain
            ),
        )),
        (Err(e), _) => out.push(outcome("dkim", Status::Fail, format!("{e:#}"))),
        _ if config.smtp_url.is_some() => out.push(outcome(
            "dkim",
            Status::Warn,
            "mail goes out unsigned, which receivers often take for spam: make a key with \
             `ajil dkim keygen` and set dkim_key",
        )),
        _ => out.push(outcome(
            "dkim",
            Status::Ok,
            "off (mail goes to the outbox folder)",
        )),
    }
    match (&config.bounce_url, &config.smtp_url) {
        (Some(url), _) => out.push(bounces(url.expose(), config, network).await),
        (None, Some(_)) => out.push(outcome(
            "bounces",
            Status::Warn,
            "returned mail is not read, so dead addresses keep being mailed: set bounce_url, \
             or import with `ajil bounces import`",
        )),
        (None, None) => {}
    }

    if let Some(store) = store {
        out.extend(contents(&store).await);
    }
    out
}

/// The bounce mailbox: its URL reads, and (with `network`) ajil can log in
/// and open the mailbox.
async fn bounces(url: &str, config: &Config, network: bool) -> Outcome {
    let url = match crate::cmd::bounces::ImapUrl::parse(url) {
        Ok(u) => u,
        Err(e) => return outcome("bounces", Status::Fail, format!("{e:#}")),
    };
    let every = config.bounce_poll_interval.as_secs();
    if !network {
        return outcome(
            "bounces",
            Status::Ok,
            format!("{url:?} is read every {every} s (not contacted)"),
        );
    }
    match crate::cmd::bounces::check_imap(&url).await {
        Ok(unseen) => outcome(
            "bounces",
            Status::Ok,
            format!("{url:?} opens ({unseen} unseen messages); read every {every} s"),
        ),
        Err(e) => outcome(
            "bounces",
            Status::Fail,
            format!("{e:#}; check bounce_url (host, port, user, password, mailbox)"),
        ),
    }
}

/// The mail route: the SMTP server takes a session, or the outbox is writable.
async fn mail(config: &Config, network: bool) -> Outcome {
    let mailer = match &config.smtp_url {
        Some(url) => match ajil_mail::SmtpConfig::from_url(url.expose()) {
            Ok(smtp) => ajil_mail::Mailer::smtp(&smtp).map_err(|e| e.to_string()),
            Err(e) => Err(format!(
                "smtp_url is not valid ({e}): use smtp://user:pass@host:587"
            )),
        },
        None => ajil_mail::Mailer::outbox(config.outbox_dir()).map_err(|e| e.to_string()),
    };
    let mailer = match mailer {
        Ok(m) => m,
        Err(e) => return outcome("mail", Status::Fail, e),
    };
    if config.smtp_url.is_some() && !network {
        return outcome("mail", Status::Ok, format!("{mailer} (not contacted)"));
    }
    match mailer.check().await {
        Ok(said) if config.smtp_url.is_none() => outcome(
            "mail",
            Status::Warn,
            format!("{said}, nothing is sent: set smtp_url to deliver"),
        ),
        Ok(said) => outcome("mail", Status::Ok, said),
        Err(e) => outcome(
            "mail",
            Status::Fail,
            format!(
                "{mailer}: {}; check smtp_url (host, port, tls=, user and password)",
                e.reason()
            ),
        ),
    }
}

/// Sources and subscriptions: there are some, and the sources are well.
async fn contents(store: &ajil_store::Store) -> Vec<Outcome> {
    let mut out = Vec::new();
    match store.list_sources().await {
        Ok(sources) if sources.is_empty() => out.push(outcome(
            "sources",
            Status::Warn,
            "no sources yet: add one with `ajil sources add URL`",
        )),
        Ok(sources) => {
            let paused = sources.iter().filter(|s| s.paused_at.is_some()).count();
            let failing: Vec<_> = sources
                .iter()
                .filter(|s| s.paused_at.is_none() && s.consecutive_failures > 0)
                .collect();
            let now = chrono::Utc::now();
            let quiet: Vec<_> = sources.iter().filter(|s| s.is_quiet(now)).collect();
            let mut detail = format!("{} sources, {paused} paused", sources.len());
            if !quiet.is_empty() {
                let mut q = format!(
                    "{} answer but brought nothing new in {} days:",
                    quiet.len(),
                    ajil_store::QUIET_AFTER.num_days()
                );
                for s in quiet.iter().take(5) {
                    q += &format!(" #{} {};", s.id, s.name);
                }
                q += " check that their feeds still update (`ajil sources edit ID --url NEW` if one moved)";
                out.push(outcome("quiet sources", Status::Warn, q));
            }
            if failing.is_empty() {
                out.push(outcome("sources", Status::Ok, detail));
            } else {
                detail += &format!(", {} failing:", failing.len());
                for s in failing.iter().take(5) {
                    detail += &format!(
                        " #{} {} ({} in a row: {});",
                        s.id,
                        s.name,
                        s.consecutive_failures,
                        s.last_error.as_deref().unwrap_or("no message")
                    );
                }
                detail += " see `ajil sources list`";
                out.push(outcome("sources", Status::Warn, detail));
            }
        }
        Err(e) => out.push(outcome("sources", Status::Fail, e.to_string())),
    }
    match store.active_subscriptions().await {
        Ok(subs) if subs.is_empty() => out.push(outcome(
            "subscriptions",
            Status::Warn,
            "nobody is subscribed yet: the signup page is at public_url, or use `ajil subscribe`",
        )),
        Ok(subs) => out.push(outcome(
            "subscriptions",
            Status::Ok,
            format!("{} active", subs.len()),
        )),
        Err(e) => out.push(outcome("subscriptions", Status::Fail, e.to_string())),
    }
    out
}

/// `ajil check`: prints each outcome; fails when any check failed.
pub async fn run(config: Config, network: bool, json: bool) -> Result<()> {
    let outcomes = checks(&config, network).await;
    let failed = outcomes.iter().filter(|o| o.status == Status::Fail).count();
    if json {
        print_json(&outcomes)?;
    } else {
        for o in &outcomes {
            let mark = match o.status {
                Status::Ok => "ok  ",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            println!("{mark}  {:<14} {}", o.check, o.detail);
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} checks failed: see above", outcomes.len());
    }
    Ok(())
}
