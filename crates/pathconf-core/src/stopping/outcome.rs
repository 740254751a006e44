//! What a rule yields, shared by every part of the module: one run's
//! [`Stopped`] (replay, simulation, the online rules), a distribution's
//! [`ExactCost`] (every exact programme), and whether a draw votes at all
//! ([`is_silent`]).

/// A rule's exact cost and accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactCost {
    /// `E[samples used]`.
    pub expected_samples: f64,
    /// `P(answer correct)`, ties split.
    pub accuracy: f64,
}

/// Where a rule stopped and what it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    /// Samples consumed.
    pub used: usize,
    /// Accuracy credit: 1 or 0, or `1/#tied` for a plurality tie.
    pub credit: f64,
    /// The returned answer's share of the consumed samples.
    pub confidence: f64,
    /// `(share, correct)` of the answers the rule chose among (every sampled
    /// answer for a plurality; the window's answer alone for ESC), for the
    /// calibration metrics.
    pub rows: Vec<(f64, bool)>,
}

impl Stopped {
    /// No answer after `used` samples (every draw was silent): credit 0,
    /// confidence 0, no rows.
    pub fn no_answer(used: usize) -> Self {
        Self { used, credit: 0.0, confidence: 0.0, rows: Vec::new() }
    }
}

/// Whether a draw of `answer` casts no vote: its answer is marked in
/// `silent` (per answer; `None`: every draw votes).
pub fn is_silent(silent: Option<&[bool]>, answer: u32) -> bool {
    silent.is_some_and(|s| s[answer as usize])
}
