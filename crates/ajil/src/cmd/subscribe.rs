//! `ajil subscribe`: add a subscription from the command line.

use ajil_model::Cadence;
use ajil_store::NewSubscription;
use anyhow::{Result, bail};
use chrono::Utc;

use crate::cli::SubscribeArgs;
use crate::cmd::open_store;
use crate::config::Config;
use crate::pipeline::Pipeline;

/// Validates the address, query and options, then stores the subscription;
/// unless `--confirmed`, a confirmation email is sent first.
pub async fn run(config: Config, args: SubscribeArgs) -> Result<()> {
    let email = args.email.trim();
    if !email_address::EmailAddress::is_valid(email) {
        bail!("{email:?} is not a valid email address: use the form name@example.org");
    }
    if let Err(e) = ajil_query::Query::parse(&args.query) {
        bail!("the query does not parse:\n{}", e.pointed(&args.query));
    }
    let cadence: Cadence = args.mode.parse()?;
    let langs = parse_langs(args.lang.as_deref())?;
    let ui_lang = match args.ui_lang.as_str() {
        "ar" | "en" => args.ui_lang.clone(),
        other => bail!("--ui-lang {other:?} is not available: use ar or en"),
    };
    let store = open_store(&config).await?;
    let now = Utc::now();
    let subscriber = store.upsert_subscriber(email, &ui_lang, now).await?;
    let sub = store
        .add_subscription(
            &NewSubscription {
                subscriber_id: subscriber.id,
                query: args.query.clone(),
                langs,
                cadence,
                breaking_only: false,
                confirmed: args.confirmed,
            },
            now,
        )
        .await?;
    if args.confirmed {
        println!(
            "subscription #{} for {} is active: {}",
            sub.id, subscriber.email, sub.query
        );
        return Ok(());
    }
    let pipeline = Pipeline::new(config, store).await?;
    pipeline
        .delivery()
        .queue_confirmation(
            sub.id,
            subscriber.id,
            &subscriber.email,
            &ui_lang,
            &sub.query,
            now,
        )
        .await?;
    let (sent, _) = pipeline.deliver_only(Utc::now()).await?;
    if sent > 0 {
        println!(
            "subscription #{} is pending: a confirmation email went to {}",
            sub.id, subscriber.email
        );
    } else {
        println!(
            "subscription #{} is pending: the confirmation email to {} is queued and will be retried (see the log)",
            sub.id, subscriber.email
        );
    }
    Ok(())
}

/// `ar,en` → `["ar", "en"]`; each must look like a language code.
fn parse_langs(s: Option<&str>) -> Result<Vec<String>> {
    let Some(s) = s else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for l in s.split(',').map(str::trim).filter(|l| !l.is_empty()) {
        if !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_alphabetic()) {
            bail!("{l:?} is not a language code: use ISO codes like ar,en,fr");
        }
        out.push(l.to_ascii_lowercase());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(parse_langs(Some("ar, EN")).unwrap(), vec!["ar", "en"]);
        assert!(
            parse_langs(Some("arabic"))
                .unwrap_err()
                .to_string()
                .contains("ISO codes")
        );
        assert!(parse_langs(None).unwrap().is_empty());
    }
}
