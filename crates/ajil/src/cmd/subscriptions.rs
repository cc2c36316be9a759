//! `ajil subscriptions …`: list, remove, and switch breaking-only.

use ajil_model::SubscriptionId;
use anyhow::Result;

use crate::cli::SubscriptionsCommand;
use crate::cmd::{open_store, print_json};
use crate::config::Config;

/// Runs one `subscriptions` subcommand.
pub async fn run(config: Config, cmd: SubscriptionsCommand) -> Result<()> {
    let store = open_store(&config).await?;
    match cmd {
        SubscriptionsCommand::List { json } => {
            let subs = store.list_subscriptions().await?;
            if json {
                return print_json(&subs);
            }
            if subs.is_empty() {
                println!("no subscriptions yet: add one with `ajil subscribe EMAIL QUERY`");
            }
            for s in subs {
                let q = &s.subscription;
                let langs = if q.langs.is_empty() {
                    "all".to_string()
                } else {
                    q.langs.join(",")
                };
                println!(
                    "#{:<4} {:<28} {:<9} {:<8} {:<9} langs {:<6} {}",
                    q.id,
                    s.email,
                    q.status.as_str(),
                    q.cadence,
                    if q.breaking_only { "breaking" } else { "any" },
                    langs,
                    q.query
                );
            }
        }
        SubscriptionsCommand::Remove { id } => {
            store
                .remove_subscription(SubscriptionId(id))
                .await
                .map_err(|e| no_such(id, e))?;
            println!("removed subscription #{id}");
        }
        SubscriptionsCommand::BreakingOnly { id, state } => {
            let on = state == "on";
            let sub = store
                .subscription(SubscriptionId(id))
                .await
                .map_err(|e| no_such(id, e))?;
            if sub.status == ajil_store::SubscriptionStatus::Removed {
                anyhow::bail!("subscription #{id} was removed: add it again with `ajil subscribe`");
            }
            store.set_breaking_only(SubscriptionId(id), on).await?;
            if on {
                println!("subscription #{id} now alerts only when a matching story turns breaking");
            } else {
                println!("subscription #{id} now alerts on every new matching story");
            }
        }
        SubscriptionsCommand::Erase { email, json } => {
            let Some(who) = store.subscriber_by_email(&email).await? else {
                anyhow::bail!(
                    "no subscriber has the address {email:?}: see `ajil subscriptions list`"
                );
            };
            let erased = store.erase_subscriber(who.id).await?;
            if json {
                return print_json(&serde_json::json!({
                    "email": who.email,
                    "subscriber": who.id,
                    "erased": erased,
                }));
            }
            println!(
                "erased {}: {} subscriptions, {} alert records, {} emails and {} bounce or \
                 complaint reports deleted",
                who.email, erased.subscriptions, erased.alerts, erased.emails, erased.feedback
            );
        }
    }
    Ok(())
}

/// A store error about subscription `id`, worded for the command line.
fn no_such(id: i64, e: ajil_store::StoreError) -> anyhow::Error {
    match e {
        ajil_store::StoreError::NotFound { .. } => {
            anyhow::anyhow!("there is no subscription #{id}: see `ajil subscriptions list`")
        }
        e => anyhow::Error::new(e),
    }
}
