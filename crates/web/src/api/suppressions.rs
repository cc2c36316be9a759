//! `/api/subscribers` (listing, and erasing one) and `/api/suppressions`.

use ajil_model::SubscriberId;
use ajil_store::{Erased, FeedbackRow, Subscriber};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use crate::AppState;
use crate::error::ApiError;

/// Suppressed addresses and the bounces and complaints behind them.
#[derive(Debug, Serialize)]
pub(super) struct Suppressions {
    suppressed: Vec<Subscriber>,
    feedback: Vec<FeedbackRow>,
}

pub(super) async fn subscribers(
    State(state): State<AppState>,
) -> Result<Json<Vec<Subscriber>>, ApiError> {
    Ok(Json(state.store.list_subscribers().await?))
}

/// `DELETE /api/subscribers/{id}`: erases the subscriber and everything kept
/// about its address (see `ajil_store::Store::erase_subscriber`); answers what
/// was deleted.
pub(super) async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Erased>, ApiError> {
    let id: SubscriberId = super::parse_id("subscriber", &id)?;
    let erased = state.store.erase_subscriber(id).await?;
    tracing::info!(subscriber_id = %id, ?erased, "subscriber erased over the API");
    Ok(Json(erased))
}

pub(super) async fn suppressions(
    State(state): State<AppState>,
) -> Result<Json<Suppressions>, ApiError> {
    Ok(Json(Suppressions {
        suppressed: state.store.suppressed_subscribers().await?,
        feedback: state.store.list_feedback(500).await?,
    }))
}
