//! `ajil serve`: web UI + JSON API + scheduler + pipeline + mailer in one
//! process, stopped gracefully by SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use ajil_store::Store;
use anyhow::{Context, Result};
use chrono::Utc;
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::cli::ServeArgs;
use crate::cmd::bounces::{ImapUrl, poll_imap};
use crate::cmd::open_store;
use crate::config::Config;
use crate::pipeline::Pipeline;

/// How often the scheduler looks for due sources and due email.
const TICK: Duration = Duration::from_secs(2);

/// Runs until a shutdown signal, then finishes the current cycle and exits.
pub async fn run(mut config: Config, args: ServeArgs) -> Result<()> {
    if let Some(listen) = args.listen {
        config.listen = listen.parse().with_context(|| {
            format!("--listen {listen:?} is not valid: use HOST:PORT, e.g. 127.0.0.1:8080")
        })?;
    }
    let store = open_store(&config).await?;
    let pipeline = Arc::new(Pipeline::new(config.clone(), store.clone()).await?);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another program using it? choose another with --listen",
                config.listen
            )
        })?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = tokio::spawn(scheduler(pipeline.clone(), stop_rx.clone()));
    let bounce_poller = match &config.bounce_url {
        Some(url) => Some(tokio::spawn(bounce_poller(
            ImapUrl::parse(url.expose())?,
            store.clone(),
            config.bounce_poll_interval,
            stop_rx.clone(),
        ))),
        None => None,
    };
    let pruner = config
        .retention_days
        .map(|days| tokio::spawn(pruner(store.clone(), days, stop_rx.clone())));
    let app = crate::web_glue::router(&config, pipeline.clone())?;
    info!(
        "ajil is serving on http://{} (data in {}, mail to {})",
        config.listen,
        config.data_dir.display(),
        if config.smtp_url.is_some() {
            "SMTP".to_string()
        } else {
            config.outbox_dir().display().to_string()
        }
    );
    let mut rx = stop_rx.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = rx.wait_for(|stop| *stop).await;
    });
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        info!("shutting down: finishing the current cycle");
        let _ = stop_tx.send(true);
    });
    server.await.context("web server failed")?;
    signals.abort();
    if let Err(e) = scheduler.await {
        error!("scheduler task ended abnormally: {e}");
    }
    if let Some(pruner) = pruner
        && let Err(e) = pruner.await
    {
        error!("pruner task ended abnormally: {e}");
    }
    if let Some(poller) = bounce_poller
        && let Err(e) = poller.await
    {
        error!("bounce mailbox poller ended abnormally: {e}");
    }
    store.close().await;
    info!("stopped");
    Ok(())
}

async fn scheduler(pipeline: Arc<Pipeline>, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = pipeline.run_cycle(Utc::now(), false).await {
            error!("cycle failed: {e:#}");
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => {}
        }
    }
}

/// How often `serve` prunes articles past `retention_days`.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Prunes articles older than `days` a minute after start-up (once the story
/// index is rebuilt) and then every hour, until shutdown. A failed run is
/// logged and the next one goes on where it stopped.
async fn pruner(store: Store, days: u32, mut stop: watch::Receiver<bool>) {
    let mut wait = Duration::from_secs(60);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        wait = PRUNE_EVERY;
        let now = Utc::now();
        match crate::retention::prune(&store, crate::retention::cutoff(now, days), now, |_| {})
            .await
        {
            Ok(0) => {}
            Ok(n) => info!(
                "pruned {n} articles older than {days} days (text and analysis dropped; titles, \
                 links and stories kept)"
            ),
            Err(e) => warn!("{e:#}"),
        }
    }
}

/// Reads the bounce mailbox every `interval` until shutdown. A failed poll
/// is logged and tried again next time (the mail server may be down for a
/// while); a poll under way is finished, not cut, at shutdown.
async fn bounce_poller(
    url: ImapUrl,
    store: Store,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    info!("polling the bounce mailbox {url:?} every {interval:?}");
    loop {
        if *stop.borrow() {
            return;
        }
        match poll_imap(&store, &url, Utc::now()).await {
            Ok(r) if r.messages > 0 => info!(
                "bounce mailbox: {} messages, {} report items, {} other messages kept",
                r.messages,
                r.items.len(),
                r.not_reports
            ),
            Ok(_) => {}
            Err(e) => warn!("bounce mailbox poll failed (trying again later): {e:#}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
