//! The tokenizer, rebuilt from a GGUF file's metadata with the `tokenizers`
//! crate: byte-level BPE over `tokenizer.ggml.tokens` / `.merges`, control
//! tokens (`token_type` 3) as special added tokens, and the pre-tokenizer
//! named by `tokenizer.ggml.pre`:
//!
//! | `pre` | pre-tokenizer |
//! |---|---|
//! | `smollm` | digits split one by one, then GPT-2 byte-level regex |
//! | `llama-bpe`, `llama3` | the Llama-3 regex (numbers in runs of ≤ 3), then byte-level |
//! | other / absent (`gpt2`, …) | GPT-2 byte-level regex |
//!
//! The pieces are assembled as a `tokenizer.json` document and parsed by
//! `tokenizers`, so the configuration is the one Hugging Face ships.

use super::error::GgufError;
use candle_core::quantized::gguf_file::Content;
use serde_json::{json, Value};
use tokenizers::Tokenizer;

/// The Llama-3 pre-tokenizer pattern.
const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A tokenizer with the ids the sampler needs.
pub struct GgufTokenizer {
    /// The Hugging Face tokenizer.
    pub inner: Tokenizer,
    /// End-of-sequence id (`tokenizer.ggml.eos_token_id`).
    pub eos: u32,
    /// Further ids that end a turn (e.g. `<|im_end|>`, `<|eot_id|>`).
    pub stop: Vec<u32>,
    /// The chat template text (Jinja), if any.
    pub chat_template: Option<String>,
}

impl std::fmt::Debug for GgufTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufTokenizer").field("eos", &self.eos).field("stop", &self.stop).finish_non_exhaustive()
    }
}

impl GgufTokenizer {
    /// Builds the tokenizer from the metadata of `ct`.
    pub fn from_gguf(ct: &Content) -> Result<Self, GgufError> {
        let md = &ct.metadata;
        let model = md.get("tokenizer.ggml.model").and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        if model != "gpt2" {
            return Err(GgufError::Unsupported { key: "tokenizer.ggml.model", found: model, supported: "byte-level BPE (\"gpt2\")" });
        }
        let strings = |k: &str| -> Result<Vec<String>, GgufError> {
            md.get(k)
                .ok_or_else(|| GgufError::MissingKey { key: k.into() })?
                .to_vec()
                .map_err(|_| GgufError::BadValue { key: k.into(), expected: "an array" })?
                .iter()
                .map(|v| v.to_string().cloned().map_err(|_| GgufError::BadValue { key: k.into(), expected: "an array of strings" }))
                .collect()
        };
        let tokens = strings("tokenizer.ggml.tokens")?;
        let merges = strings("tokenizer.ggml.merges")?;
        let types: Vec<i32> = match md.get("tokenizer.ggml.token_type").and_then(|v| v.to_vec().ok()) {
            Some(v) => v.iter().map(|x| x.to_i32().unwrap_or(1)).collect(),
            None => vec![1; tokens.len()],
        };
        let id = |k: &str| md.get(k).and_then(|v| v.to_u32().ok());
        let eos = id("tokenizer.ggml.eos_token_id").ok_or_else(|| GgufError::MissingKey { key: "tokenizer.ggml.eos_token_id".into() })?;
        let pre = md.get("tokenizer.ggml.pre").and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        let byte_level = |use_regex: bool| json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": use_regex});
        let pre_tokenizer = match pre.as_str() {
            "smollm" => json!({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}, byte_level(true)]}),
            "llama-bpe" | "llama3" => json!({"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": false},
                byte_level(false)]}),
            _ => byte_level(true),
        };
        let vocab: serde_json::Map<String, Value> = tokens.iter().enumerate().map(|(i, t)| (t.clone(), json!(i))).collect();
        let added: Vec<Value> = tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| types.get(*i) == Some(&3) || types.get(*i) == Some(&4))
            .map(|(i, t)| json!({"id": i, "content": t, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}))
            .collect();
        let doc = json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": null,
            "pre_tokenizer": pre_tokenizer,
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                      "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocab, "merges": merges},
        });
        let inner: Tokenizer = doc.to_string().parse().map_err(|e| GgufError::Tokenizer { message: format!("building the tokenizer: {e}") })?;
        let stop: Vec<u32> = ["<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>"]
            .iter()
            .filter_map(|s| tokens.iter().position(|t| t == s).map(|i| i as u32))
            .filter(|&i| i != eos)
            .collect();
        let chat_template = md.get("tokenizer.chat_template").and_then(|v| v.to_string().ok()).cloned();
        Ok(Self { inner, eos, stop, chat_template })
    }

    /// Token ids of `text` (special tokens in the text are recognised).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, GgufError> {
        Ok(self.inner.encode(text, false).map_err(|e| GgufError::Tokenizer { message: e.to_string() })?.get_ids().to_vec())
    }

    /// Text of `ids` (special tokens dropped).
    pub fn decode(&self, ids: &[u32]) -> Result<String, GgufError> {
        self.inner.decode(ids, true).map_err(|e| GgufError::Tokenizer { message: e.to_string() })
    }

    /// Whether `id` ends a generation.
    pub fn is_stop(&self, id: u32) -> bool {
        id == self.eos || self.stop.contains(&id)
    }

    /// The prompt for one user message, in the model's chat format: ChatML
    /// (`<|im_start|>`; SmolLM2's default system line when its template has
    /// one) or Llama-3 headers; plain text when there is no template.
    pub fn chat_prompt(&self, user: &str) -> String {
        let t = self.chat_template.as_deref().unwrap_or("");
        if t.contains("<|im_start|>") {
            let system = if t.contains("You are a helpful AI assistant named SmolLM") {
                "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            } else {
                ""
            };
            format!("{system}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
        } else if t.contains("<|start_header_id|>") {
            format!("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        } else {
            user.to_string()
        }
    }

    /// A follow-up user message after the assistant's turn, in the same chat
    /// format, ending where the assistant's reply begins. `closed`: the turn
    /// already ended with its stop token (else the end-of-turn marker is
    /// added first).
    pub fn follow_up(&self, user: &str, closed: bool) -> String {
        let t = self.chat_template.as_deref().unwrap_or("");
        if t.contains("<|im_start|>") {
            let end = if closed { "" } else { "<|im_end|>" };
            format!("{end}\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
        } else if t.contains("<|start_header_id|>") {
            let end = if closed { "" } else { "<|eot_id|>" };
            format!("{end}<|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        } else {
            format!("\n\n{user}\n")
        }
    }
}
