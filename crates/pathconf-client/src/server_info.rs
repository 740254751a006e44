//! What a server says of itself, where it says it: the kind of its
//! log-probabilities (`pathconf serve` in `/v1/models`) and its parallel
//! slots (llama.cpp's `/props`, `total_slots`).

use crate::http::Endpoint;
use crate::wire::ModelList;
use pathconf_eval::eval::formats::stream::LogprobKind;

/// The log-probability kind `/v1/models` gives for `model`, if any.
pub fn logprob_kind(endpoint: &Endpoint, model: &str) -> Option<LogprobKind> {
    let text = endpoint.get("/v1/models").ok()?;
    let list: ModelList = serde_json::from_str(&text).ok()?;
    list.data.iter().find(|m| m.id == model).or(list.data.first())?.logprob_kind.as_deref()?.parse().ok()
}

/// The server's parallel slots (llama.cpp `/props` → `total_slots`), if it reports them.
pub fn parallel_slots(endpoint: &Endpoint) -> Option<usize> {
    let text = endpoint.get("/props").ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("total_slots").and_then(|s| s.as_u64()).map(|s| s as usize).filter(|&s| s > 0)
}
