//! Source changes that reach past the store: a source removed or paused is
//! also dropped at its WebSub hub, so the hub stops pushing what is no longer
//! watched. Shared by the CLI, the API and the operator pages.

use ajil_model::SourceId;
use ajil_store::{Source, SourceChanges, Store, StoreError, WebSub};
use chrono::{DateTime, Utc};
use tracing::{info, warn};

/// Removes a source (its articles go with it) and tells its WebSub hub, if
/// it had one, to stop pushing it.
pub async fn remove(
    store: &Store,
    fetcher: &ajil_fetch::Fetcher,
    public_url: &str,
    id: SourceId,
) -> Result<(), StoreError> {
    let push = store.websub_of(id).await?;
    store.remove_source(id).await?;
    info!(source_id = %id, "source removed");
    if let Some(push) = push {
        tell_hub_to_stop(fetcher, public_url, &push).await;
    }
    Ok(())
}

/// Changes a source (see [`SourceChanges`]) and returns it as it now is.
/// Pausing one also drops its WebSub subscription and tells the hub; a
/// resumed source is due for a poll at once, which subscribes again.
pub async fn update(
    store: &Store,
    fetcher: &ajil_fetch::Fetcher,
    public_url: &str,
    id: SourceId,
    changes: &SourceChanges,
    now: DateTime<Utc>,
) -> Result<Source, StoreError> {
    let source = store.update_source(id, changes, now).await?;
    info!(source_id = %id, paused = source.paused_at.is_some(), "source changed");
    // A paused source takes no pushes; a moved one is subscribed again at
    // its new address's hub, if it names one, when it is next polled.
    if (changes.paused == Some(true) || changes.url.is_some())
        && let Some(push) = store.websub_forget(id).await?
    {
        tell_hub_to_stop(fetcher, public_url, &push).await;
    }
    Ok(source)
}

/// Asks a hub to stop pushing a subscription this instance no longer keeps
/// (the store has forgotten it, so the hub's verification is confirmed). A
/// hub that cannot be reached is only logged: a push that still comes is
/// answered 410 Gone, which ends the subscription too.
async fn tell_hub_to_stop(fetcher: &ajil_fetch::Fetcher, public_url: &str, push: &WebSub) {
    let callback = push.callback.clone().unwrap_or_else(|| {
        format!(
            "{}/websub/{}",
            public_url.trim_end_matches('/'),
            push.source_id
        )
    });
    let asked = fetcher
        .post_form(
            &push.hub,
            &[
                ("hub.mode", "unsubscribe"),
                ("hub.topic", &push.topic),
                ("hub.callback", &callback),
            ],
        )
        .await;
    match asked {
        Ok(_) => {
            info!(source_id = %push.source_id, hub = %push.hub, "WebSub unsubscription asked for")
        }
        Err(e) => {
            warn!(source_id = %push.source_id, hub = %push.hub, "WebSub hub not told to stop: {e:#}")
        }
    }
}
