//! Decisions from a prediction: the smallest `n` at which SC's predicted
//! accuracy reaches a target (the `--target` syntax of `theory`), and the
//! choice — SC at some `n`, or a rule — with the best predicted accuracy
//! within a token budget per question.

use super::predict::{Band, Prediction};
use crate::accuracy::target::Target;
use serde::Serialize;

/// The smallest `n` reaching a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDecision {
    /// The target, as given.
    pub target: String,
    /// The accuracy (%) to reach: for `limit:D`, the predicted limit's mean
    /// less `100 D`; for `sc:N`, SC's predicted mean at `N`; for `abs:A`, `100 A`.
    pub goal: f64,
    /// The smallest `n ≤ n_max` whose predicted mean reaches `goal`.
    pub n: Option<usize>,
    /// SC's predicted accuracy at that `n`.
    pub accuracy: Option<Band>,
    /// Whether the predicted mean stays at or above `goal` up to `n_max`
    /// (within two Monte Carlo standard errors: the means at neighbouring
    /// `n` come from the same simulated runs, and a flat curve wobbles).
    pub stays_above: bool,
    /// The search limit.
    pub n_max: usize,
}

/// The smallest `n` whose predicted SC accuracy reaches `target`
/// (`sc:N` needs `N ≤ n_max`: `None` otherwise).
pub fn smallest_n(p: &Prediction, target: Target) -> Option<TargetDecision> {
    let goal = match target {
        Target::Limit { within } => p.sc_limit.mean - 100.0 * within,
        Target::Sc { n } => p.sc.get((n as usize).checked_sub(1)?)?.mean,
        Target::Absolute { accuracy } => 100.0 * accuracy,
    };
    let reached = |b: &Band| b.mean >= goal - 1e-9;
    let n = p.sc.iter().position(reached).map(|i| i + 1);
    Some(TargetDecision {
        target: target.to_string(),
        goal,
        n,
        accuracy: n.map(|n| p.sc[n - 1]),
        stays_above: n.is_some_and(|n| p.sc[n - 1..].iter().all(|b| b.mean + 2.0 * b.mc_se >= goal - 1e-9)),
        n_max: p.sc.len(),
    })
}

/// The best choice within a token budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetDecision {
    /// Tokens per question allowed.
    pub budget_tokens: f64,
    /// Completion tokens per path (the file's mean).
    pub tokens_per_path: f64,
    /// `"sc"` at `n`, or a rule.
    pub method: Option<String>,
    /// The rule, when a rule is best.
    pub rule: Option<String>,
    /// SC's `n`, or the rule's cap.
    pub n: Option<usize>,
    /// Predicted accuracy (%).
    pub accuracy: Option<Band>,
    /// Predicted tokens per question (mean samples × tokens per path).
    pub tokens: Option<f64>,
}

/// A choice besides SC at some `n`: another method at `n`, or a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The method, for a method at `n`.
    pub method: Option<String>,
    /// The rule.
    pub rule: Option<String>,
    /// The method's `n`, or the rule's cap.
    pub n: usize,
    /// Its predicted accuracy (%).
    pub accuracy: Band,
    /// Its predicted mean samples per question.
    pub samples: f64,
}

/// The choice — SC at any `n ≤ n_max`, or one of `others` — with the best
/// predicted mean accuracy whose predicted mean cost (samples ×
/// `tokens_per_path`) is within `budget` tokens per question; ties go to the
/// cheaper, then to the first.
pub fn best_within(p: &Prediction, others: &[Choice], tokens_per_path: f64, budget: f64) -> BudgetDecision {
    let mut best: Option<(f64, f64, BudgetDecision)> = None;
    let mut consider = |accuracy: Band, samples: f64, method: Option<String>, rule: Option<String>, n: usize| {
        let tokens = samples * tokens_per_path;
        if tokens > budget + 1e-9 {
            return;
        }
        let better = best.as_ref().is_none_or(|(a, t, _)| accuracy.mean > *a + 1e-12 || ((accuracy.mean - a).abs() <= 1e-12 && tokens < *t));
        if better {
            let d = BudgetDecision { budget_tokens: budget, tokens_per_path, method, rule, n: Some(n), accuracy: Some(accuracy), tokens: Some(tokens) };
            best = Some((accuracy.mean, tokens, d));
        }
    };
    for (i, b) in p.sc.iter().enumerate() {
        consider(*b, (i + 1) as f64, Some("sc".into()), None, i + 1);
    }
    for c in others {
        consider(c.accuracy, c.samples, c.method.clone(), c.rule.clone(), c.n);
    }
    best.map(|(_, _, d)| d).unwrap_or(BudgetDecision {
        budget_tokens: budget,
        tokens_per_path,
        method: None,
        rule: None,
        n: None,
        accuracy: None,
        tokens: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanModel;
    use crate::provenance::{Interval, Provenance};

    fn band(mean: f64) -> Band {
        Band { mean, interval: Interval::around(mean, 1.0), mc_se: 0.1, basis: Provenance::Predicted }
    }

    fn prediction() -> Prediction {
        Prediction {
            model: PlanModel::EmpiricalBayes,
            draws: 10,
            level: 0.9,
            sc: [40.0, 50.0, 55.0, 54.0, 58.0, 59.0].map(band).to_vec(),
            sc_limit: band(60.0),
            rules: vec![crate::plan::RulePrediction {
                rule: "esc:2:6".into(),
                invalid: crate::invalid::InvalidPolicy::Vote,
                accuracy: band(57.0),
                samples: band(3.0),
            }],
            paths: Vec::new(),
        }
    }

    fn rule_choice(p: &Prediction) -> Choice {
        let r = &p.rules[0];
        Choice { method: None, rule: Some(r.rule.clone()), n: 6, accuracy: r.accuracy, samples: r.samples.mean }
    }

    #[test]
    fn targets_pick_the_smallest_n_and_say_whether_it_holds() {
        let p = prediction();
        let d = smallest_n(&p, "abs:0.55".parse().unwrap()).unwrap();
        assert_eq!((d.n, d.stays_above), (Some(3), false));
        let d = smallest_n(&p, "limit:0.03".parse().unwrap()).unwrap();
        assert_eq!((d.goal, d.n, d.stays_above), (57.0, Some(5), true));
        let d = smallest_n(&p, "sc:2".parse().unwrap()).unwrap();
        assert_eq!(d.n, Some(2));
        assert!(smallest_n(&p, "sc:7".parse().unwrap()).is_none());
    }

    #[test]
    fn the_budget_buys_the_best_affordable_choice() {
        let p = prediction();
        // 10 tokens per path: 35 tokens afford SC at 3 (55%) or ESC (57%, 30 tokens).
        let others = [rule_choice(&p)];
        let d = best_within(&p, &others, 10.0, 35.0);
        assert_eq!((d.rule.as_deref(), d.tokens), (Some("esc:2:6"), Some(30.0)));
        let d = best_within(&p, &others, 10.0, 60.0);
        assert_eq!((d.method.as_deref(), d.n), (Some("sc"), Some(6)));
        assert_eq!(best_within(&p, &others, 10.0, 5.0).n, None);
        // A method that beats SC at the same n is bought instead.
        let pc = Choice { method: Some("pc".into()), rule: None, n: 4, accuracy: band(58.5), samples: 4.0 };
        let d = best_within(&p, &[rule_choice(&p), pc], 10.0, 45.0);
        assert_eq!((d.method.as_deref(), d.n, d.tokens), (Some("pc"), Some(4), Some(40.0)));
    }
}
