//! A small transformer trained by pathconf with candle, whose exact path
//! distribution can be enumerated: the theory checked on a real neural model.
//!
//! - [`task`]: the three-digit addition task, its noisy teacher and checker;
//! - the model, one module per file: [`embedding`], [`attention`] (causal,
//!   with a KV cache), [`mlp`], [`norm`], [`block`], [`model`]; shape in [`config`];
//! - [`train`](mod@train): AdamW on teacher data, seeded;
//! - [`portable`]: inference (enumeration, sampling, serving) in fixed-order
//!   plain arithmetic, the same bits on every CPU;
//! - [`decode`]: sampling with temperature / top-p;
//! - [`enumerate`]: the exact path distribution by tree search;
//! - [`store`]: the committed model, and trained models cached on disk;
//! - [`compare`]: a retrained model against the committed one;
//! - [`error`]: what can go wrong ([`TinyError`]).
//!
//! Sampled paths are written in pathconf's JSONL by
//! [`crate::eval::formats::jsonl::QuestionRecord`].

pub mod attention;
pub mod block;
pub mod compare;
pub mod config;
pub mod decode;
pub mod embedding;
pub mod enumerate;
pub mod error;
pub mod mlp;
pub mod model;
pub mod norm;
pub mod portable;
pub mod store;
pub mod task;
pub mod train;

pub use config::ModelConfig;
pub use decode::sample_paths;
pub use enumerate::{enumerate_paths, Enumeration, ExactDistribution};
pub use error::TinyError;
pub use model::TinyModel;
pub use portable::PortableModel;
pub use task::{Question, Teacher};
pub use train::{train, TrainConfig};
