//! # pathconf-client
//!
//! Sampling reasoning paths from the inference servers people run — vLLM,
//! SGLang, llama.cpp's `llama-server`, hosted OpenAI-compatible APIs, and
//! `pathconf serve` — with a stopping rule deciding online when a question
//! has enough draws (`pathconf sample --endpoint`).
//!
//! - [`wire`]: the OpenAI-compatible request and response types (`f64`
//!   log-probabilities), shared with `pathconf serve`;
//! - [`choice`]: a response read into draws and checked;
//! - [`http`]: one endpoint, with timeouts and retries;
//! - [`request`]: what one draw asks;
//! - [`session`]: the online loop (scheduling, stream file, resume);
//! - [`run`]: one run from options to summary (the CLI's and Python's entry);
//! - [`summary`]: per question, the rule's and the methods' answers;
//! - [`server_info`]: what a server says of itself (log-probability kind,
//!   parallel slots).
//!
//! The core stays free of network code: this crate is the only one that
//! opens connections.
#![warn(missing_docs)]

pub mod choice;
pub mod http;
pub mod request;
pub mod run;
pub mod server_info;
pub mod session;
pub mod summary;
pub mod wire;
