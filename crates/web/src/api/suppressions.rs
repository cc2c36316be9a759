//! `/api/subscribers` and `/api/suppressions`.

use ajil_store::{FeedbackRow, Subscriber};
use axum::Json;
use axum::extract::State;
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

pub(super) async fn suppressions(
    State(state): State<AppState>,
) -> Result<Json<Suppressions>, ApiError> {
    Ok(Json(Suppressions {
        suppressed: state.store.suppressed_subscribers().await?,
        feedback: state.store.list_feedback(500).await?,
    }))
}
