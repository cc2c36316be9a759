//! `ajil serve`: web UI + JSON API + scheduler + pipeline + mailer in one
//! process, stopped gracefully by SIGINT or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use tokio::sync::watch;
use tracing::{error, info};

use crate::cli::ServeArgs;
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
    let app = crate::web_glue::router(&config, pipeline.clone());
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
