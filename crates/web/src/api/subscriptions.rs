//! `/api/subscriptions`.

use ajil_store::SubscriptionWithEmail;
use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::error::ApiError;

pub(super) async fn list(
    State(state): State<AppState>,
) -> Result<Json<Vec<SubscriptionWithEmail>>, ApiError> {
    Ok(Json(state.store.list_subscriptions().await?))
}
