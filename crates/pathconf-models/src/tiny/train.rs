//! Training on the noisy [`Teacher`]: next-token cross-entropy on the path
//! tokens (the prompt is given, not predicted), AdamW with linear warm-up and
//! cosine decay. Every batch is fresh teacher data drawn from the caller's
//! RNG, so a seed fixes the run.

use super::config::ModelConfig;
use super::model::TinyModel;
use super::task::{Question, Teacher, PATH_LEN, PROMPT_LEN};
use crate::progress::Observer;
use candle_core::{Result, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Optimisation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// AdamW steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Final learning rate of the cosine decay.
    pub min_lr: f64,
    /// Linear warm-up steps.
    pub warmup: usize,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// Seed of the initialisation and the data.
    pub seed: u64,
    /// The data.
    pub teacher: Teacher,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self { steps: 2000, batch: 64, lr: 3e-3, min_lr: 1e-4, warmup: 100, weight_decay: 0.01, seed: 2025, teacher: Teacher::default() }
    }
}

impl TrainConfig {
    /// Learning rate at `step` (0-based).
    pub fn lr_at(&self, step: usize) -> f64 {
        if step < self.warmup {
            return self.lr * (step + 1) as f64 / self.warmup as f64;
        }
        let span = (self.steps - self.warmup).max(1) as f64;
        let progress = (step - self.warmup) as f64 / span;
        self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}

/// Mean training loss (nats per path token) at one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LossPoint {
    /// Step (1-based).
    pub step: usize,
    /// Cross-entropy of that step's batch.
    pub loss: f64,
    /// Learning rate used.
    pub lr: f64,
}

/// One batch of `(inputs [b, L−1], targets of the path positions [b·PATH_LEN])`.
pub fn batch(teacher: &Teacher, size: usize, rng: &mut impl Rng, device: &candle_core::Device) -> Result<(Tensor, Tensor)> {
    let len = PROMPT_LEN + PATH_LEN;
    let mut inputs = Vec::with_capacity(size * (len - 1));
    let mut targets = Vec::with_capacity(size * PATH_LEN);
    for _ in 0..size {
        let q = Question::random(rng);
        let mut seq = q.prompt().to_vec();
        seq.extend(teacher.path(&q, rng));
        inputs.extend_from_slice(&seq[..len - 1]);
        targets.extend_from_slice(&seq[PROMPT_LEN..]);
    }
    Ok((Tensor::from_vec(inputs, (size, len - 1), device)?, Tensor::from_vec(targets, size * PATH_LEN, device)?))
}

/// Cross-entropy of the path tokens given `(inputs, targets)`.
pub fn loss(model: &TinyModel, inputs: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let logits = model.forward(inputs)?;
    let b = logits.dim(0)?;
    let path_logits = logits.narrow(1, PROMPT_LEN - 1, PATH_LEN)?.reshape((b * PATH_LEN, model.config.vocab))?;
    candle_nn::loss::cross_entropy(&path_logits, targets)
}

/// Initialises a model from `rng` and trains it; returns it with the loss
/// curve. `observer` is told each step.
pub fn train(model_cfg: &ModelConfig, cfg: &TrainConfig, rng: &mut impl Rng, observer: &dyn Observer) -> Result<(TinyModel, Vec<LossPoint>)> {
    let model = TinyModel::init(model_cfg, rng)?;
    let params = ParamsAdamW { lr: cfg.lr, weight_decay: cfg.weight_decay, ..Default::default() };
    let mut opt = AdamW::new(model.vars(), params)?;
    let mut curve = Vec::with_capacity(cfg.steps);
    for step in 0..cfg.steps {
        let lr = cfg.lr_at(step);
        opt.set_learning_rate(lr);
        let (x, y) = batch(&cfg.teacher, cfg.batch, rng, model.device())?;
        let l = loss(&model, &x, &y)?;
        opt.backward_step(&l)?;
        curve.push(LossPoint { step: step + 1, loss: f64::from(l.to_scalar::<f32>()?), lr });
        observer.advance(1);
    }
    Ok((model, curve))
}
