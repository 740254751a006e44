//! The decoder-only transformer: embeddings, `n_layers` [`Block`]s, a final
//! layer norm and a linear head to next-token logits.
//!
//! Parameters live in a candle `VarMap` (so AdamW can train them) and are
//! initialised from a seeded RNG in sorted-name order — not by candle's own
//! (unseeded) initialisers — so a seed fixes the model. Saved as
//! `model.safetensors` + `config.json`; [`TinyModel::load`] restores the same
//! bits.

use super::block::Block;
use super::config::ModelConfig;
use super::embedding::Embeddings;
use super::error::TinyError;
use super::norm::LayerNorm;
use crate::output::write_atomic;
use candle_core::{DType, Device, Result, Tensor};
use candle_nn::{Linear, Module, VarBuilder, VarMap};
use rand::Rng;
use rand_distr::{Distribution, Normal};
use std::path::{Path, PathBuf};

/// File names inside a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The model shape file.
pub const CONFIG_FILE: &str = "config.json";

/// The model and its parameters.
pub struct TinyModel {
    /// Shape.
    pub config: ModelConfig,
    vars: VarMap,
    embed: Embeddings,
    blocks: Vec<Block>,
    ln_f: LayerNorm,
    head: Linear,
    device: Device,
}

impl std::fmt::Debug for TinyModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TinyModel").field("config", &self.config).finish_non_exhaustive()
    }
}

impl TinyModel {
    fn build(config: &ModelConfig) -> Result<Self> {
        let device = Device::Cpu;
        let vars = VarMap::new();
        let vb = VarBuilder::from_varmap(&vars, DType::F32, &device);
        let embed = Embeddings::new(config.vocab, config.max_len, config.d_model, vb.pp("embed"))?;
        let blocks =
            (0..config.n_layers).map(|i| Block::new(config.d_model, config.n_heads, config.d_ff, vb.pp(format!("block{i}")))).collect::<Result<Vec<_>>>()?;
        let ln_f = LayerNorm::new(config.d_model, 1e-5, vb.pp("ln_f"))?;
        let head = candle_nn::linear(config.d_model, config.vocab, vb.pp("head"))?;
        Ok(Self { config: config.clone(), vars, embed, blocks, ln_f, head, device })
    }

    /// A freshly initialised model: weights `N(0, 0.02²)` (output projections
    /// scaled by `1/√(2 L)`), biases 0, layer-norm gains 1.
    pub fn init(config: &ModelConfig, rng: &mut impl Rng) -> Result<Self> {
        assert!(config.d_model.is_multiple_of(config.n_heads), "d_model must be divisible by n_heads");
        let mut model = Self::build(config)?;
        let normal = Normal::new(0.0f32, 0.02).expect("valid sd");
        let resid = 1.0 / (2.0 * config.n_layers as f32).sqrt();
        let mut named: Vec<(String, candle_core::Var)> = model.vars.data().lock().expect("var map lock").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, var) in named {
            let shape = var.shape().clone();
            let n = shape.elem_count();
            let is_ln = name.contains("ln");
            let values: Vec<f32> = if name.ends_with(".bias") || name.ends_with(".beta") {
                vec![0.0; n]
            } else if is_ln {
                vec![1.0; n]
            } else {
                let scale = if name.contains("out.") || name.contains("down.") { resid } else { 1.0 };
                (0..n).map(|_| normal.sample(rng) * scale).collect()
            };
            var.set(&Tensor::from_vec(values, shape, &model.device)?)?;
        }
        model.device = Device::Cpu;
        Ok(model)
    }

    /// The trainable variables, sorted by name.
    pub fn vars(&self) -> Vec<candle_core::Var> {
        let data = self.vars.data().lock().expect("var map lock");
        let mut named: Vec<_> = data.iter().collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        named.into_iter().map(|(_, v)| v.clone()).collect()
    }

    /// Every parameter as `(name, flattened f32 values)`, sorted by name.
    pub fn parameters(&self) -> Result<Vec<(String, Vec<f32>)>> {
        let data = self.vars.data().lock().expect("var map lock");
        let mut out = data.iter().map(|(k, v)| Ok((k.clone(), v.as_tensor().flatten_all()?.to_vec1::<f32>()?))).collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The device (CPU).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Logits `[b, t, vocab]` for token ids `[b, t]` at positions `0..t`
    /// (training's forward pass; inference uses [`super::PortableModel`]).
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let t = ids.dim(1)?;
        if t > self.config.max_len {
            candle_core::bail!("sequence of {t} tokens exceeds max_len {}", self.config.max_len);
        }
        let mut h = self.embed.forward(ids)?;
        for block in &self.blocks {
            h = block.forward(&h)?;
        }
        self.head.forward(&self.ln_f.forward(&h)?)
    }

    /// Writes `config.json` and `model.safetensors` into `dir` (each via a
    /// temporary file and a rename).
    pub fn save(&self, dir: &Path) -> std::result::Result<(), TinyError> {
        let io = |path: PathBuf| move |source| TinyError::Io { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let tmp = tempfile::Builder::new().suffix(".safetensors").tempfile_in(dir).map_err(io(dir.to_path_buf()))?;
        let weights = dir.join(WEIGHTS_FILE);
        self.vars.save(tmp.path()).map_err(|source| TinyError::Weights { path: weights.clone(), source })?;
        tmp.persist(&weights).map_err(|e| TinyError::Io { path: weights.clone(), source: e.error })?;
        let cfg_path = dir.join(CONFIG_FILE);
        let text = serde_json::to_string_pretty(&self.config).map_err(|source| TinyError::Json { path: cfg_path.clone(), source })?;
        write_atomic(&cfg_path, text.as_bytes()).map_err(io(cfg_path.clone()))
    }

    /// A model from the text of its `config.json` and the bytes of its
    /// `model.safetensors` (`name` says where they came from in errors).
    pub fn from_bytes(name: &Path, config: &str, weights: &[u8]) -> std::result::Result<Self, TinyError> {
        let config: ModelConfig = serde_json::from_str(config).map_err(|source| TinyError::Json { path: name.join(CONFIG_FILE), source })?;
        let model = Self::build(&config)?;
        let path = name.join(WEIGHTS_FILE);
        let tensors = candle_core::safetensors::load_buffer(weights, &model.device).map_err(|source| TinyError::Weights { path: path.clone(), source })?;
        let vars = model.vars.data().lock().expect("var map lock");
        if tensors.len() != vars.len() {
            return Err(TinyError::Parameters(format!("{}: {} tensors, the model has {}", path.display(), tensors.len(), vars.len())));
        }
        for (name, var) in vars.iter() {
            let t = tensors.get(name).ok_or_else(|| TinyError::Parameters(format!("{}: no tensor {name}", path.display())))?;
            var.set(t).map_err(|source| TinyError::Weights { path: path.clone(), source })?;
        }
        drop(vars);
        Ok(model)
    }

    /// Loads a model saved by [`TinyModel::save`].
    pub fn load(dir: &Path) -> std::result::Result<Self, TinyError> {
        let cfg_path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&cfg_path).map_err(|source| TinyError::Io { path: cfg_path.clone(), source })?;
        let config: ModelConfig = serde_json::from_str(&text).map_err(|source| TinyError::Json { path: cfg_path.clone(), source })?;
        let mut model = Self::build(&config)?;
        let weights = dir.join(WEIGHTS_FILE);
        model.vars.load(&weights).map_err(|source| TinyError::Weights { path: weights.clone(), source })?;
        Ok(model)
    }
}

impl Module for TinyModel {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        TinyModel::forward(self, xs)
    }
}
