//! What a server says of itself, where it says it: the kind of its
//! log-probabilities (`pathconf serve` in `/v1/models`) and its parallel
//! slots (llama.cpp's `/props`, `total_slots`).

use crate::http::{Endpoint, HttpError};
use crate::wire::ModelList;
use pathconf_eval::eval::formats::stream::LogprobKind;

/// Whether the server answers at all: `GET /v1/models` once. A refused or
/// timed-out connection is an error (the server is not there); any HTTP
/// answer, even an error status, means it is.
pub fn reachable(endpoint: &Endpoint) -> Result<Option<serde_json::Value>, HttpError> {
    match endpoint.get_once("/v1/models") {
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(HttpError::Status { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The log-probability kind a `/v1/models` answer gives for `model`, if any.
pub fn logprob_kind(models: &serde_json::Value, model: &str) -> Option<LogprobKind> {
    let models: ModelList = serde_json::from_value(models.clone()).ok()?;
    models.data.iter().find(|m| m.id == model).or(models.data.first())?.logprob_kind.as_deref()?.parse().ok()
}

/// The server's parallel slots (llama.cpp `/props` → `total_slots`), if it reports them.
pub fn parallel_slots(endpoint: &Endpoint) -> Option<usize> {
    let text = endpoint.get_once("/props").ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("total_slots").and_then(|s| s.as_u64()).map(|s| s as usize).filter(|&s| s > 0)
}
