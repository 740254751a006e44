//! A path's own confidence signals, computed from what a sampler sees at
//! each token (the field's aggregators weight or filter votes by them; see
//! `../shared/FIELD.md` and [`crate::aggregate`]):
//!
//! - [`token`]: per token, the top-`k` log-probabilities, DeepConf's token
//!   confidence `C_t = −(1/k) Σ_{top-k} ln p` and self-certainty's
//!   `KL(U ‖ p_t)`;
//! - [`trace`]: DeepConf's per-path scores from the `C_t` (mean, tail,
//!   bottom-10% of window means, lowest window mean) for a window `W`.
//!
//! Pure arithmetic on slices: no file formats, no models.

pub mod token;
pub mod trace;

pub use token::{kl_from_uniform, token_confidence, top_k_into, DEEPCONF_TOP_K};
pub use trace::{TraceScore, DEFAULT_WINDOW};
