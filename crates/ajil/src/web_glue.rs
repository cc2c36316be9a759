//! Wires the web crate to the pipeline: the web asks for confirmation emails,
//! the pipeline's outbox queues them and the scheduler sends them.

use std::sync::Arc;

use ajil_web::{AppState, BoxFuture, ConfirmRequest, ConfirmSender};
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

/// The web UI and API over the pipeline's store and link signer.
pub fn router(config: &Config, pipeline: Arc<Pipeline>) -> axum::Router {
    let signer = Arc::new(ajil_mail::Signer::new(config.secret.expose().as_bytes()));
    let state = AppState::new(
        pipeline.store().clone(),
        signer,
        config.public_url.clone(),
        config.secret.expose().as_bytes(),
        Arc::new(OutboxConfirmations(pipeline.clone())),
    )
    .with_api_token(config.api_token.as_ref().map(|t| t.expose().to_string()));
    ajil_web::router(state)
}
