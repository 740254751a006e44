//! # pathconf-serve
//!
//! `pathconf serve`: pathconf's built-in models behind the OpenAI-compatible
//! API that `pathconf sample --endpoint` (and any OpenAI client) speaks —
//! `/v1/chat/completions`, `/v1/completions`, `/v1/models` — with `logprobs`,
//! `top_logprobs`, `n`, `seed` and `usage`. The log-probabilities returned
//! are *processed*: each token's probability of being drawn after
//! temperature and top-p ([`pathconf_core::generation::token_draw::processed_logprobs`]),
//! so a completion's sum is the log-probability of sampling it; every
//! choice and `/v1/models` say so (`"logprob_kind": "processed"`).
//!
//! - [`backend`]: a model that completes prompts (the tiny transformer, a GGUF llama such as SmolLM2);
//! - [`batch`]: continuous batching of the llama backend's decoding steps;
//! - [`handlers`]: requests checked and answered, errors in OpenAI's shape;
//! - [`server`]: the HTTP loop (loopback by default, port 0 picks one).
#![warn(missing_docs)]

pub mod backend;
pub mod batch;
pub mod handlers;
pub mod server;

pub use backend::{Backend, Completed, LlamaBackend, TinyBackend, Token};
pub use server::{nodelay_server, Running, ServeError};
