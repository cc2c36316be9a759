//! Wires the web crate to the pipeline: the web asks for confirmation emails,
//! the pipeline's outbox queues them and the scheduler sends them.

use std::sync::Arc;

use ajil_web::{
    AppState, BoxFuture, ConfirmRequest, ConfirmSender, MetricsSource, PushReceiver, SourceCheck,
    SourceChecker, SourceKeeper,
};
use chrono::Utc;

use crate::config::Config;
use crate::pipeline::Pipeline;

struct OutboxConfirmations(Arc<Pipeline>);

impl ConfirmSender for OutboxConfirmations {
    fn queue_confirmation(&self, req: ConfirmRequest) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.0
                .delivery()
                .queue_confirmation(
                    req.subscription.id,
                    req.subscriber.id,
                    &req.subscriber.email,
                    req.lang.code(),
                    &req.subscription.query,
                    Utc::now(),
                )
                .await
                .map_err(|e| format!("{e:#}"))
        })
    }
}

/// Checks sources added through the API as `ajil sources add` does.
struct FetchingChecker(ajil_fetch::Fetcher);

impl SourceChecker for FetchingChecker {
    fn check(&self, url: String, keep_page: bool) -> BoxFuture<'_, Result<SourceCheck, String>> {
        Box::pin(async move {
            let url = url::Url::parse(&url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
            let found = crate::inspect::inspect(&self.0, &url, keep_page).await?;
            let kind = serde_json::to_value(found.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            Ok(SourceCheck {
                url: found.url,
                kind,
                note: found.note,
            })
        })
    }
}

/// The pipeline's counters and the store's gauges (see [`crate::telemetry`]).
struct PipelineMetrics(Arc<Pipeline>);

impl MetricsSource for PipelineMetrics {
    fn render(&self) -> BoxFuture<'_, Result<String, String>> {
        Box::pin(async move {
            crate::telemetry::render(&self.0)
                .await
                .map_err(|e| format!("{e:#}"))
        })
    }
}

/// Hands WebSub pushes to the pipeline, in the background: the hub gets its
/// answer at once, and the pipeline takes the feed under its cycle lock.
struct PipelinePushes(Arc<Pipeline>);

impl PushReceiver for PipelinePushes {
    fn receive(
        &self,
        source: ajil_model::SourceId,
        body: Vec<u8>,
        content_type: Option<String>,
    ) -> BoxFuture<'_, Result<(), String>> {
        let pipeline = self.0.clone();
        Box::pin(async move {
            tokio::spawn(async move {
                if let Err(e) = pipeline
                    .receive_push(source, &body, content_type.as_deref(), Utc::now())
                    .await
                {
                    tracing::warn!(source_id = %source, "WebSub push not taken: {e:#}");
                }
            });
            Ok(())
        })
    }
}

/// Source removals and changes go through the pipeline, which tells WebSub
/// hubs to stop pushing what is no longer watched.
struct PipelineSources(Arc<Pipeline>);

impl SourceKeeper for PipelineSources {
    fn remove(
        &self,
        id: ajil_model::SourceId,
    ) -> BoxFuture<'_, Result<(), ajil_store::StoreError>> {
        Box::pin(self.0.remove_source(id))
    }

    fn update(
        &self,
        id: ajil_model::SourceId,
        changes: ajil_store::SourceChanges,
        now: chrono::DateTime<Utc>,
    ) -> BoxFuture<'_, Result<ajil_store::Source, ajil_store::StoreError>> {
        Box::pin(async move { self.0.update_source(id, &changes, now).await })
    }
}

/// The web UI and API over the pipeline's store and link signer.
pub fn router(config: &Config, pipeline: Arc<Pipeline>) -> anyhow::Result<axum::Router> {
    let signer = Arc::new(ajil_mail::Signer::new(config.secret.expose().as_bytes()));
    let state = AppState::new(
        pipeline.store().clone(),
        signer,
        config.public_url.clone(),
        config.secret.expose().as_bytes(),
        Arc::new(OutboxConfirmations(pipeline.clone())),
    )
    .with_api_token(config.api_token.as_ref().map(|t| t.expose().to_string()))
    .with_source_checker(Arc::new(FetchingChecker(crate::inspect::checking_fetcher(
        config,
    )?)))
    .with_metrics(Arc::new(PipelineMetrics(pipeline.clone())))
    .with_push_receiver(Arc::new(PipelinePushes(pipeline.clone())))
    .with_source_keeper(Arc::new(PipelineSources(pipeline.clone())));
    Ok(ajil_web::router(state))
}
