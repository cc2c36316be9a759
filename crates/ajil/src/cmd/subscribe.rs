//! `ajil subscribe`: add a subscription from the command line.

use ajil_model::Cadence;
use ajil_store::{NewSubscription, SubscriberStatus};
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
    let pacing = PacingArgs::check(&args)?;
    let store = open_store(&config).await?;
    let now = Utc::now();
    let subscriber = store.upsert_subscriber(email, &ui_lang, now).await?;
    match subscriber.status {
        SubscriberStatus::Suspended => bail!(
            "{} is suspended (its mail bounced): no email goes to it; see /admin/suppressions",
            subscriber.email
        ),
        SubscriberStatus::Unsubscribed if args.confirmed => bail!(
            "{} unsubscribed: leave out --confirmed to send a confirmation email, which makes it active again when its owner confirms",
            subscriber.email
        ),
        _ => {}
    }
    if !pacing.is_empty() {
        // Only what was given changes; the rest keeps its stored value.
        store
            .set_subscriber_pacing(
                subscriber.id,
                pacing.tz.as_deref().unwrap_or(&subscriber.tz),
                match &pacing.quiet_hours {
                    Some(q) => q.as_deref(),
                    None => subscriber.quiet_hours.as_deref(),
                },
                pacing.daily_cap.unwrap_or(subscriber.daily_cap),
            )
            .await?;
    }
    let sub = store
        .add_subscription(
            &NewSubscription {
                subscriber_id: subscriber.id,
                query: args.query.clone(),
                langs,
                cadence,
                breaking_only: args.breaking_only,
                confirmed: args.confirmed,
            },
            now,
        )
        .await?;
    if args.confirmed {
        println!(
            "subscription #{} for {} is active: {}{}",
            sub.id,
            subscriber.email,
            sub.query,
            if sub.breaking_only {
                " (alerts when a matching story turns breaking)"
            } else {
                ""
            }
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

/// The pacing options as given: `None` leaves a setting as stored, and
/// `Some(None)` clears it.
#[derive(Debug, Default, PartialEq)]
struct PacingArgs {
    tz: Option<String>,
    quiet_hours: Option<Option<String>>,
    daily_cap: Option<Option<i64>>,
}

impl PacingArgs {
    /// Validates `--tz`, `--quiet-hours` and `--daily-cap`.
    fn check(args: &SubscribeArgs) -> Result<PacingArgs> {
        let tz = args
            .tz
            .as_deref()
            .map(|name| {
                ajil_alert::pacing::parse_tz(name)
                    .map(|tz| tz.name().to_string())
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "--tz {name:?} is not a known time zone: use an IANA name such as Asia/Riyadh, Africa/Cairo or UTC"
                        )
                    })
            })
            .transpose()?;
        let quiet_hours = args
            .quiet_hours
            .as_deref()
            .map(|q| match q.trim() {
                "" | "none" => Ok(None),
                q => q
                    .parse::<ajil_alert::pacing::QuietHours>()
                    .map(|h| Some(h.to_string()))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "--quiet-hours {q:?} is not a time range: use HH:MM-HH:MM, e.g. 22:00-07:00, or none"
                        )
                    }),
            })
            .transpose()?;
        let daily_cap = args.daily_cap.map(|n| (n > 0).then_some(i64::from(n)));
        Ok(PacingArgs {
            tz,
            quiet_hours,
            daily_cap,
        })
    }

    fn is_empty(&self) -> bool {
        *self == PacingArgs::default()
    }
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

    fn args(tz: Option<&str>, quiet: Option<&str>, cap: Option<u32>) -> SubscribeArgs {
        SubscribeArgs {
            email: "a@example.org".into(),
            query: "q".into(),
            lang: None,
            mode: "realtime".into(),
            ui_lang: "ar".into(),
            confirmed: true,
            tz: tz.map(String::from),
            quiet_hours: quiet.map(String::from),
            daily_cap: cap,
            breaking_only: false,
        }
    }

    #[test]
    fn pacing_options() {
        assert!(
            PacingArgs::check(&args(None, None, None))
                .unwrap()
                .is_empty()
        );
        let p =
            PacingArgs::check(&args(Some(" Asia/Riyadh"), Some("22:00-07:00"), Some(5))).unwrap();
        assert_eq!(p.tz.as_deref(), Some("Asia/Riyadh"));
        assert_eq!(p.quiet_hours, Some(Some("22:00-07:00".into())));
        assert_eq!(p.daily_cap, Some(Some(5)));
        let cleared = PacingArgs::check(&args(None, Some("none"), Some(0))).unwrap();
        assert_eq!(
            (cleared.quiet_hours, cleared.daily_cap),
            (Some(None), Some(None))
        );
        let err = PacingArgs::check(&args(Some("Mars/Base"), None, None)).unwrap_err();
        assert!(err.to_string().contains("IANA"), "{err}");
        let err = PacingArgs::check(&args(None, Some("late"), None)).unwrap_err();
        assert!(err.to_string().contains("HH:MM-HH:MM"), "{err}");
    }

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
