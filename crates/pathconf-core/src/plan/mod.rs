//! From a pilot to a plan (issue #35): predict SC's accuracy at budgets not
//! yet sampled, and every stopping rule's cost and accuracy (the methods
//! and rules that weigh paths through a [`PathReplay`] the evaluator gives),
//! from the first `m` draws of each question — with intervals that carry what
//! the pilot leaves unknown.
//!
//! | part | what | file |
//! |---|---|---|
//! | the pilot | a question's first draws as answer labels | [`pilot`] |
//! | discrete priors | histograms of observations, posteriors as CDFs, draws | [`discrete`] |
//! | the correct share | `θ_q ~ g`, `g` Efron's g-model fitted across questions; posterior per question | [`share`] |
//! | a question's wrong answers | a Pitman–Yor process (unbounded, or `K` distractors); its urn; its largest share | [`pitman_yor`] |
//! | the wrong answers' population | a mixture over a grid of processes, weights by EM across questions; posterior per question | [`wrong`] |
//! | the model | empirical Bayes, or the naive plug-in; a question's futures | [`model`] |
//! | paths | a future draw's signals (a donor pilot path) and whether it repeats a path (a Pitman–Yor process within each answer) | [`paths`] |
//! | predictions | bootstrap + posterior predictive draws, replayed as `eval` replays | [`predict`] |
//! | decisions | the smallest `n` for a target; the best choice within a token budget | [`decide`] |
//!
//! The model, its references and what was measured against replay are in
//! DESIGN.md ("Plans from a pilot").

pub mod decide;
pub mod discrete;
pub mod model;
pub mod paths;
pub mod pilot;
pub mod pitman_yor;
pub mod predict;
pub mod share;
pub mod wrong;

pub use model::{Hyper, PlanModel, Sequence};
pub use paths::{PathDraw, PilotPaths};
pub use pilot::{Pilot, PilotError};
pub use predict::{predict, predict_with, run_length, Band, PathReplay, PlanConfig, PlanError, Prediction, RulePrediction, Tally};
