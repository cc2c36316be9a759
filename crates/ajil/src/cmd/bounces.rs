//! `ajil bounces import PATH`: reads returned mail (DSN bounces, RFC 3464, and
//! ARF complaints, RFC 5965) from a Maildir or an mbox file and applies the
//! bounce policy: hard bounces and repeated soft bounces suspend the address,
//! complaints unsubscribe it. Importing the same mailbox twice changes nothing.

use std::path::{Path, PathBuf};

use ajil_alert::bounce::parse_report;
use ajil_store::NewFeedback;
use anyhow::{Context, Result};
use chrono::Utc;
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
    let now = Utc::now();
    let mut report = ImportReport {
        messages: messages.len(),
        ..ImportReport::default()
    };
    for (name, raw) in &messages {
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
            let outcome = apply_feedback(&store, &feedback, now).await?;
            report.items.push(ImportItem {
                file: name.clone(),
                email: f.recipient.unwrap_or_else(|| "?".into()),
                kind: f.kind.as_str(),
                outcome,
            });
        }
    }
    store.close().await;
    if json {
        return print_json(&report);
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
