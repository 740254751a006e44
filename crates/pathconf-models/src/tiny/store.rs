//! Where the tiny model comes from.
//!
//! - **The committed model** ([`committed`]): trained once with the default
//!   settings and committed in `crates/pathconf-models/weights/tiny/`
//!   (`model.safetensors`, `config.json`, `train.json`, `loss.csv`; 0.4 MB,
//!   compiled into the binary). The figures, `serve` and the `tiny`
//!   commands at default settings use it, so every machine enumerates and
//!   samples the same model: training is not bit-reproducible across CPUs
//!   (candle's matrix kernels are chosen by CPU feature), inference is
//!   ([`super::portable`]).
//! - **A trained model** ([`cached_or_trained`]): any other settings, or a
//!   retrain (`pathconf tiny train`, checked against the committed model by
//!   [`compare`]), trained deterministically from its seed and cached on
//!   disk; a directory whose `train.json` and `config.json` match the
//!   request is loaded instead of trained again.

use super::config::ModelConfig;
use super::error::TinyError;
use super::model::TinyModel;
use super::portable::PortableModel;
use super::train::{train, LossPoint, TrainConfig};
use crate::output::write_atomic;
use crate::progress::Observer;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Training settings file.
pub const TRAIN_FILE: &str = "train.json";
/// Loss curve file.
pub const LOSS_FILE: &str = "loss.csv";

/// The source files whose text determines the trained weights (the model,
/// its layers, the task, the training loop); with the lock file's entries
/// of the crates that compute them ([`NUMERIC_CRATES`]) they key the cache,
/// so a change to any of them retrains — and a dependency added elsewhere
/// in the workspace does not.
const TRAINING_SOURCES: [&str; 9] = [
    include_str!("attention.rs"),
    include_str!("block.rs"),
    include_str!("config.rs"),
    include_str!("embedding.rs"),
    include_str!("mlp.rs"),
    include_str!("model.rs"),
    include_str!("norm.rs"),
    include_str!("task.rs"),
    include_str!("train.rs"),
];

/// The crates whose versions decide the trained weights' bits: candle and
/// its matrix kernels, the random numbers, the half-precision and
/// safetensors code.
pub const NUMERIC_CRATES: [&str; 14] = [
    "candle-core",
    "candle-nn",
    "gemm",
    "gemm-common",
    "gemm-f16",
    "gemm-f32",
    "gemm-f64",
    "pulp",
    "half",
    "rand",
    "rand_core",
    "rand_chacha",
    "rand_distr",
    "safetensors",
];

/// The lock file's `[[package]]` entries of [`NUMERIC_CRATES`].
fn numeric_lock_entries() -> Vec<&'static str> {
    include_str!("../../../../Cargo.lock")
        .split("[[package]]")
        .filter(|block| block.lines().find_map(|l| l.strip_prefix("name = ")).is_some_and(|n| NUMERIC_CRATES.contains(&n.trim_matches('"'))))
        .collect()
}

/// A 16-hex-digit digest of the training sources and the numeric crates' lock entries.
pub fn training_code_key() -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    TRAINING_SOURCES.hash(&mut h);
    numeric_lock_entries().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Where trained models are cached: `$PATHCONF_CACHE/tiny`, else
/// `~/.cache/pathconf/tiny`, else `<crate>/target/pathconf-tiny` (no home).
pub fn cache_root() -> PathBuf {
    match (std::env::var_os("PATHCONF_CACHE"), std::env::var_os("HOME")) {
        (Some(dir), _) => PathBuf::from(dir).join("tiny"),
        (None, Some(home)) => PathBuf::from(home).join(".cache").join("pathconf").join("tiny"),
        (None, None) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target").join("pathconf-tiny"),
    }
}

/// The default cache directory for a training run:
/// `<cache root>/steps<S>-seed<K>-<training code key>`. Training is
/// deterministic for a seed, so a directory made by the same code and
/// settings holds the same model; outside the work tree, it survives fresh
/// clones (CI trains once per machine, not once per run).
pub fn default_dir(cfg: &TrainConfig) -> PathBuf {
    cache_root().join(format!("steps{}-seed{}-{}", cfg.steps, cfg.seed, training_code_key()))
}

/// A model with where it lives and whether it was trained just now.
#[derive(Debug)]
pub struct StoredModel {
    /// The model (candle: trainable).
    pub model: TinyModel,
    /// Its parameters for inference ([`PortableModel`]: what enumeration,
    /// sampling and serving use).
    pub portable: PortableModel,
    /// Its directory.
    pub dir: PathBuf,
    /// Trained in this call (false: loaded from the cache).
    pub trained: bool,
    /// The loss curve (read back from `loss.csv` when loaded).
    pub curve: Vec<LossPoint>,
}

impl StoredModel {
    /// The mean training loss over the last `k` steps (all of them if fewer).
    pub fn mean_loss_of_last(&self, k: usize) -> f64 {
        let c = &self.curve;
        c.iter().rev().take(k).map(|p| p.loss).sum::<f64>() / k.min(c.len()).max(1) as f64
    }
}

fn matches(dir: &Path, model_cfg: &ModelConfig, cfg: &TrainConfig) -> bool {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let train_ok = read(TRAIN_FILE).and_then(|t| serde_json::from_str::<TrainConfig>(&t).ok()).is_some_and(|t| &t == cfg);
    let model_ok = read(super::model::CONFIG_FILE).and_then(|t| serde_json::from_str::<ModelConfig>(&t).ok()).is_some_and(|m| &m == model_cfg);
    train_ok && model_ok && dir.join(super::model::WEIGHTS_FILE).exists() && dir.join(LOSS_FILE).exists()
}

/// Parses `loss.csv`.
pub fn read_curve(dir: &Path) -> Result<Vec<LossPoint>, TinyError> {
    let path = dir.join(LOSS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| TinyError::Io { path: path.clone(), source })?;
    parse_curve(&text, &path)
}

/// Parses the text of a `loss.csv` (`path` for errors).
fn parse_curve(text: &str, path: &Path) -> Result<Vec<LossPoint>, TinyError> {
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            let bad = || TinyError::Curve { path: path.to_path_buf(), line: i + 2 };
            if f.len() != 3 {
                return Err(bad());
            }
            Ok(LossPoint { step: f[0].parse().map_err(|_| bad())?, loss: f[1].parse().map_err(|_| bad())?, lr: f[2].parse().map_err(|_| bad())? })
        })
        .collect()
}

/// The loss curve as CSV text.
pub fn curve_csv(curve: &[LossPoint]) -> String {
    let mut s = String::from("step,loss,lr\n");
    for p in curve {
        s.push_str(&format!("{},{:?},{:?}\n", p.step, p.loss, p.lr));
    }
    s
}

/// Where the committed model lives in the source tree (named in errors and
/// reports; its files are compiled in).
pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("weights").join("tiny")
}

const COMMITTED_CONFIG: &str = include_str!("../../weights/tiny/config.json");
const COMMITTED_TRAIN: &str = include_str!("../../weights/tiny/train.json");
const COMMITTED_LOSS: &str = include_str!("../../weights/tiny/loss.csv");
const COMMITTED_WEIGHTS: &[u8] = include_bytes!("../../weights/tiny/model.safetensors");

/// The committed model's training settings.
pub fn committed_settings() -> Result<(ModelConfig, TrainConfig), TinyError> {
    let json = |f: &'static str| move |source| TinyError::Json { path: committed_dir().join(f), source };
    Ok((serde_json::from_str(COMMITTED_CONFIG).map_err(json(super::model::CONFIG_FILE))?, serde_json::from_str(COMMITTED_TRAIN).map_err(json(TRAIN_FILE))?))
}

/// The committed model (see the module docs).
pub fn committed() -> Result<StoredModel, TinyError> {
    let dir = committed_dir();
    let model = TinyModel::from_bytes(&dir, COMMITTED_CONFIG, COMMITTED_WEIGHTS)?;
    let curve = parse_curve(COMMITTED_LOSS, &dir.join(LOSS_FILE))?;
    Ok(StoredModel { portable: PortableModel::new(&model)?, model, dir, trained: false, curve })
}

/// The model for these settings: the committed one when they are its
/// settings and no directory is asked for, else [`cached_or_trained`].
pub fn ensure_model(dir: Option<&Path>, model_cfg: &ModelConfig, cfg: &TrainConfig, observer: &dyn Observer) -> Result<StoredModel, TinyError> {
    if dir.is_none() && committed_settings()? == (model_cfg.clone(), cfg.clone()) {
        return committed();
    }
    cached_or_trained(dir, model_cfg, cfg, observer)
}

/// Loads the model from `dir` (default [`default_dir`]) if it was trained
/// with these settings, else trains and saves it.
pub fn cached_or_trained(dir: Option<&Path>, model_cfg: &ModelConfig, cfg: &TrainConfig, observer: &dyn Observer) -> Result<StoredModel, TinyError> {
    let dir = dir.map_or_else(|| default_dir(cfg), Path::to_path_buf);
    if matches(&dir, model_cfg, cfg) {
        let model = TinyModel::load(&dir)?;
        return Ok(StoredModel { portable: PortableModel::new(&model)?, model, curve: read_curve(&dir)?, dir, trained: false });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let (model, curve) = train(model_cfg, cfg, &mut rng, observer)?;
    // Weights and config first, the train settings last: a crash in between
    // leaves a directory that does not match and is retrained.
    model.save(&dir)?;
    let (loss, train_file) = (dir.join(LOSS_FILE), dir.join(TRAIN_FILE));
    write_atomic(&loss, curve_csv(&curve).as_bytes()).map_err(|source| TinyError::Io { path: loss, source })?;
    let text = serde_json::to_string_pretty(cfg).map_err(|source| TinyError::Json { path: train_file.clone(), source })?;
    write_atomic(&train_file, text.as_bytes()).map_err(|source| TinyError::Io { path: train_file, source })?;
    Ok(StoredModel { portable: PortableModel::new(&model)?, model, dir, trained: true, curve })
}
