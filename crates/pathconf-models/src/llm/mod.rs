//! Sampling reasoning paths from a pretrained llama-architecture LLM in GGUF
//! format (SmolLM2-135M-Instruct by default) with candle.
//!
//! - [`config`]: the model shape from GGUF metadata;
//! - [`tokenizer`]: byte-level BPE rebuilt from GGUF metadata, chat prompt;
//! - [`model`]: a batched llama forward pass with a shared-prefix KV cache;
//! - [`bench`]: the forward pass's throughput, as `llama-batched-bench` measures it;
//! - [`attention`]: causal attention over a slot-mapped key/value cache;
//! - [`linear`]: matrix products over weights stored in column blocks;
//! - [`quant`]: matrix products on the file's quantized weights;
//! - [`weights`]: the weight matrices and the choice of kernels;
//! - [`generate`]: sampling `n` paths per question with temperature / top-p;
//! - [`p_true`]: P(True), the model's rating of its own answer;
//! - [`questions`]: the arithmetic question generator.

pub mod attention;
pub mod bench;
pub mod config;
pub mod error;
pub mod generate;
pub mod linear;
pub mod model;
pub mod p_true;
pub mod quant;
pub mod questions;
pub mod tokenizer;
pub mod weights;

pub use config::LlamaConfig;
pub use error::{GgufError, LlmError};
pub use model::{Llama, LlamaCache};
pub use tokenizer::GgufTokenizer;
pub use weights::Kernels;

/// Where `scripts/fetch_smollm2.sh` caches the default model:
/// `$PATHCONF_MODELS` or `~/.cache/pathconf/models`, file
/// `SmolLM2-135M-Instruct.Q4_1.gguf`.
pub fn default_gguf() -> std::path::PathBuf {
    let base = std::env::var_os("PATHCONF_MODELS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/pathconf/models"));
    base.join("SmolLM2-135M-Instruct.Q4_1.gguf")
}

pub(crate) use crate::rows::with_f32;
