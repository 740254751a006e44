//! The one list of estimators: each one's name (as typed on the command line
//! and written in JSON and CSV), label (as printed in tables and figures),
//! and where the paper defines it. Everything that names an estimator goes
//! through [`EstimatorId`]; nothing matches on name strings.

use serde::Serialize;

/// An estimator pathconf knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EstimatorId {
    /// Self-consistency (majority vote).
    Sc,
    /// Perplexity: the most probable sampled path.
    Ppl,
    /// Perplexity consistency.
    Pc,
    /// Reasoning pruning with a fixed threshold τ, then PC.
    Rp,
    /// RPC: reasoning pruning with the Weibull-mixture rule, then PC.
    Rpc,
    /// CISC: a vote weighted by `softmax(c / T)` of each path's confidence.
    Cisc,
    /// DeepConf offline: top-η% paths by a trace confidence, score-weighted vote.
    DeepConf,
    /// Self-certainty Borda vote.
    #[serde(rename = "self-certainty-borda")]
    SelfCertaintyBorda,
}

/// What the registry records of an estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimatorInfo {
    /// The estimator.
    pub id: EstimatorId,
    /// Lower-case name: `sc`, `ppl`, `pc`, `rp`, `rpc`.
    pub name: &'static str,
    /// Printed label: `SC`, `PPL`, `PC`, `RP`, `RPC`.
    pub label: &'static str,
    /// `p̂(a)` in words.
    pub summary: &'static str,
    /// Where the paper states its error (or, for the field's aggregators,
    /// the paper that defines it).
    pub paper: &'static str,
    /// Defined on a path distribution (each path's probability is all it
    /// uses), so the exact theory and the Monte Carlo engine apply; the
    /// others need token-level signals only files (and the enumerated tiny
    /// transformer) carry.
    pub on_distribution: bool,
}

/// Every estimator, in [`EstimatorId`] order.
pub const REGISTRY: [EstimatorInfo; 8] = [
    EstimatorInfo {
        id: EstimatorId::Sc,
        name: "sc",
        label: "SC",
        summary: "share of sampled paths with the answer",
        paper: "Proposition 2",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::Ppl,
        name: "ppl",
        label: "PPL",
        summary: "probability of the most probable sampled path",
        paper: "Proposition 3",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::Pc,
        name: "pc",
        label: "PC",
        summary: "summed probability of the answer's distinct sampled paths",
        paper: "Theorem 4",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::Rp,
        name: "rp",
        label: "RP",
        summary: "PC over the sampled paths with probability at least τ",
        paper: "Section 4.2, Theorem 7",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::Rpc,
        name: "rpc",
        label: "RPC",
        summary: "PC over the paths the Weibull-mixture rule keeps",
        paper: "Section 4.2 (the reference implementation's rule)",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::Cisc,
        name: "cisc",
        label: "CISC",
        summary: "share of Σ softmax(c/T) over the answer's sampled paths, c = response probability",
        paper: "Taubenfeld et al., 2025 (CISC)",
        on_distribution: true,
    },
    EstimatorInfo {
        id: EstimatorId::DeepConf,
        name: "deepconf",
        label: "DeepConf",
        summary: "score-weighted vote over the paths in the top η% by a token-confidence trace score",
        paper: "Fu et al., 2025 (DeepConf, offline)",
        on_distribution: false,
    },
    EstimatorInfo {
        id: EstimatorId::SelfCertaintyBorda,
        name: "self-certainty-borda",
        label: "SelfCert-Borda",
        summary: "Borda vote, (N − r)^p votes for the path at self-certainty rank r",
        paper: "Kang et al., 2025 (self-certainty)",
        on_distribution: false,
    },
];

impl EstimatorId {
    /// Its registry entry.
    pub fn info(self) -> &'static EstimatorInfo {
        &REGISTRY[self as usize]
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Printed label.
    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// The estimator with this (case-insensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        REGISTRY.iter().find(|e| e.name.eq_ignore_ascii_case(name.trim()) || e.label.eq_ignore_ascii_case(name.trim())).map(|e| e.id)
    }

    /// The names, comma-separated (for messages).
    pub fn names() -> String {
        REGISTRY.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_order_matches_the_ids() {
        for (i, e) in REGISTRY.iter().enumerate() {
            assert_eq!(e.id as usize, i);
            assert_eq!(EstimatorId::from_name(e.name), Some(e.id));
            assert_eq!(EstimatorId::from_name(e.label), Some(e.id));
            assert_eq!(serde_json::to_string(&e.id).unwrap(), format!("\"{}\"", e.name));
        }
        assert_eq!(EstimatorId::from_name("nope"), None);
    }
}
