//! Sampling reasoning paths from a pretrained llama-architecture LLM in GGUF
//! format (SmolLM2-135M-Instruct by default) with candle.
//!
//! - [`config`]: the model shape from GGUF metadata;
//! - [`tokenizer`]: byte-level BPE rebuilt from GGUF metadata, chat prompt;
//! - [`model`]: a batched llama forward pass with a shared-prefix KV cache;
//! - [`generate`]: sampling `n` paths per question with temperature / top-p.

pub mod attention;
pub mod config;
pub mod generate;
pub mod model;
pub mod questions;
pub mod tokenizer;

pub use config::LlamaConfig;
pub use model::{Llama, LlamaCache};
pub use tokenizer::GgufTokenizer;
