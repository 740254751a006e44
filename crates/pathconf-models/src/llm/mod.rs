//! Sampling reasoning paths from a pretrained llama-architecture LLM in GGUF
//! format (SmolLM2-135M-Instruct by default) with candle.
//!
//! - [`config`]: the model shape from GGUF metadata;
//! - [`tokenizer`]: byte-level BPE rebuilt from GGUF metadata, chat prompt;
//! - [`model`]: a batched llama forward pass with a shared-prefix KV cache;
//! - [`attention`]: causal attention over a slot-mapped key/value cache;
//! - [`linear`]: matrix products over weights stored in column blocks;
//! - [`generate`]: sampling `n` paths per question with temperature / top-p;
//! - [`p_true`]: P(True), the model's rating of its own answer;
//! - [`questions`]: the arithmetic question generator.

pub mod attention;
pub mod config;
pub mod error;
pub mod generate;
pub mod linear;
pub mod model;
pub mod p_true;
pub mod questions;
pub mod tokenizer;

use candle_core::{CpuStorage, Result, Storage, Tensor};

pub use config::LlamaConfig;
pub use error::{GgufError, LlmError};
pub use model::{Llama, LlamaCache};
pub use tokenizer::GgufTokenizer;

/// Where `scripts/fetch_smollm2.sh` caches the default model:
/// `$PATHCONF_MODELS` or `~/.cache/pathconf/models`, file
/// `SmolLM2-135M-Instruct.Q4_1.gguf`.
pub fn default_gguf() -> std::path::PathBuf {
    let base = std::env::var_os("PATHCONF_MODELS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/pathconf/models"));
    base.join("SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// Runs `f` on the contiguous f32 data of a CPU tensor.
pub(crate) fn with_f32<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("expected a contiguous tensor");
    };
    match &*storage {
        Storage::Cpu(CpuStorage::F32(v)) => Ok(f(&v[start..end])),
        _ => candle_core::bail!("expected an f32 CPU tensor"),
    }
}
