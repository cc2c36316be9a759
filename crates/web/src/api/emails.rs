//! `/api/emails`: the outbox at a glance.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;

/// How many recent emails the overview lists.
const RECENT: u32 = 50;

pub(super) async fn overview(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let counts = state.store.email_counts().await?;
    let recent = state.store.list_emails(RECENT).await?;
    Ok(Json(json!({ "counts": counts, "recent": recent })))
}
