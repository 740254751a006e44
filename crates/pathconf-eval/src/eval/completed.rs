//! A plan's completed runs as files `eval` can read: the methods that weigh
//! paths (PC, RPC, CISC, DeepConf, …) and the rules that read path
//! probabilities (`pc-*`) replayed on them by the evaluator's own code, for
//! [`crate::plan::predict_with`].
//!
//! A completed run of question `q` is its pilot (the file's first `m` paths,
//! as read) followed by simulated draws ([`crate::plan::paths`]): each a copy
//! of a pilot path (its donor) — log-probabilities, token confidences,
//! self-certainty, P(True), length — carrying the drawn answer, with the
//! donor's text when it repeats a pilot path and a text of its own when it
//! is a new path (PC merges paths by text and probability). A new correct
//! answer is the question's truth; a new wrong answer is a text no answer
//! equals.

use super::dataset::{RawPath, RawQuestion};
use super::equivalence::AnswerEquality;
use super::methods::{run_methods, Method, Prepared, ProbMode};
use super::stopping::replay_rule;
use super::text::PathText;
use crate::invalid::InvalidPolicy;
use crate::plan::{PathDraw, PathReplay, Pilot, PilotPaths, Sequence};
use crate::stopping::{StopCache, StopRule};

/// The methods and path rules a plan replays on completed runs.
pub struct CompletedRuns<'a> {
    questions: &'a [RawQuestion],
    /// Per question: its pilot's paths, per pilot label an answer text, the
    /// mean of its pilot's mean log-probabilities and their kernel bandwidth.
    pilots: Vec<(PilotPaths, Vec<PathText>, f64, f64)>,
    /// Over every pilot, each correct path's mean log-probability less its
    /// question's pilot mean: how much more probable correct paths are.
    correct_offsets: Vec<f64>,
    methods: Vec<Method>,
    policies: Vec<InvalidPolicy>,
    sizes: Vec<usize>,
    rules: Vec<(StopRule, InvalidPolicy)>,
    equal: &'a AnswerEquality,
    prob: ProbMode,
    /// Per question, the methods' credits at sizes the pilot covers (`None`
    /// beyond it): computed once, they are the same in every completion.
    fixed: Vec<Vec<Option<f64>>>,
}

impl<'a> CompletedRuns<'a> {
    /// Replays `methods` (each under its policy) at each of `sizes`, and the
    /// path `rules`, on completions of `questions` whose pilots (the first
    /// `pilots[q].draws()` paths, grouped as [`Prepared`] groups them) are
    /// `pilots`.
    pub fn new(
        questions: &'a [RawQuestion],
        pilots: &[Pilot],
        methods: Vec<(Method, InvalidPolicy)>,
        sizes: Vec<usize>,
        rules: Vec<(StopRule, InvalidPolicy)>,
        equal: &'a AnswerEquality,
        prob: ProbMode,
    ) -> Self {
        let (methods, policies): (Vec<Method>, Vec<InvalidPolicy>) = methods.into_iter().unzip();
        let per_question: Vec<(PilotPaths, Vec<PathText>, f64, f64)> = questions
            .iter()
            .zip(pilots)
            .map(|(q, p)| {
                let drawn: Vec<usize> = (0..p.draws()).collect();
                let (ids, _) = Prepared::new(q, drawn, equal, ProbMode::Mean, InvalidPolicy::Vote).expect("mean-probability mode never fails").path_draws();
                let mut answers = vec![PathText::from(""); p.correct().len()];
                for (path, &label) in q.paths.iter().zip(p.answers()) {
                    answers[label as usize] = path.answer.clone();
                }
                let logp: Vec<f64> = q.paths[..p.draws()].iter().filter_map(|x| x.mean_logprob).collect();
                let mean = logp.iter().sum::<f64>() / logp.len().max(1) as f64;
                (PilotPaths::new(&ids), answers, mean, bandwidth(&logp))
            })
            .collect();
        let correct_offsets = questions
            .iter()
            .zip(pilots.iter().zip(&per_question))
            .flat_map(|(q, (p, (_, _, mean, _)))| {
                q.paths.iter().zip(p.answers()).filter(|&(_, &a)| p.correct()[a as usize]).filter_map(move |(x, _)| x.mean_logprob.map(|l| l - mean))
            })
            .collect();
        let fixed = questions
            .iter()
            .zip(&per_question)
            .map(|(q, (pp, _, _, _))| {
                let m = pp.ids().len();
                sizes
                    .iter()
                    .flat_map(|&n| {
                        if n <= m {
                            let out = run_methods(q, (0..n).collect(), &methods, &policies, equal, prob, None)
                                .expect("checked: the paths have what the methods read");
                            out.into_iter().map(|o| Some(o.credit)).collect()
                        } else {
                            vec![None; methods.len()]
                        }
                    })
                    .collect()
            })
            .collect();
        Self { questions, pilots: per_question, correct_offsets, methods, policies, sizes, rules, equal, prob, fixed }
    }

    /// Index of method `i` at size `j` among the values.
    pub fn method_value(&self, i: usize, j: usize) -> usize {
        j * self.methods.len() + i
    }

    /// Indices of rule `r`'s credit and samples among the values.
    pub fn rule_values(&self, r: usize) -> (usize, usize) {
        let base = self.methods.len() * self.sizes.len() + 2 * r;
        (base, base + 1)
    }

    /// Question `q`'s completed run as a question `eval` reads: its first
    /// `len` draws.
    pub fn question(&self, q: usize, seq: &Sequence, paths: &[PathDraw], len: usize) -> RawQuestion {
        let raw = &self.questions[q];
        let (pilot, answers, pilot_mean, h) = &self.pilots[q];
        let m = pilot.ids().len();
        let paths = (0..len)
            .map(|i| {
                if i < m {
                    return raw.paths[i].clone();
                }
                let d = paths[i];
                let donor = &raw.paths[d.donor as usize];
                let label = seq.answers[i] as usize;
                let answer = match answers.get(label) {
                    Some(a) => a.clone(),
                    None if seq.correct[label] => PathText::from(raw.truth.as_str()),
                    None => PathText::from(format!("\u{1}pathconf plan: an answer not yet seen ({label})")),
                };
                if d.id < pilot.distinct() {
                    return RawPath { answer, ..donor.clone() };
                }
                let text = PathText::from(format!("\u{1}pathconf plan: path {}", d.id));
                let mut path = RawPath { text, answer, ..donor.clone() };
                if let Some(mean) = donor.mean_logprob {
                    // A correct answer the pilot lacked: its paths are as much
                    // more probable than the question's as correct paths are
                    // elsewhere (a population draw); else the donor's own.
                    let centre = match answers.get(label) {
                        None if seq.correct[label] && !self.correct_offsets.is_empty() => {
                            pilot_mean + self.correct_offsets[((d.u * self.correct_offsets.len() as f64) as usize).min(self.correct_offsets.len() - 1)]
                        }
                        _ => mean,
                    };
                    let shifted = (centre + h * d.z).min(0.0);
                    path.mean_logprob = Some(shifted);
                    path.sum_logprob = donor.sum_logprob.map(|s| s + (shifted - mean) * donor.tokens.unwrap_or(1) as f64);
                }
                path
            })
            .collect();
        RawQuestion { id: raw.id.clone(), truth: raw.truth.clone(), paths }
    }
}

impl PathReplay for CompletedRuns<'_> {
    fn width(&self) -> usize {
        self.methods.len() * self.sizes.len() + 2 * self.rules.len()
    }

    fn run_length(&self) -> usize {
        self.sizes.iter().copied().chain(self.rules.iter().map(|(r, _)| r.max_samples())).max().unwrap_or(0)
    }

    fn pilot(&self, q: usize) -> &PilotPaths {
        &self.pilots[q].0
    }

    fn add(&self, q: usize, seq: &Sequence, paths: &[PathDraw], out: &mut [f64]) {
        let len = self.run_length();
        let question = self.question(q, seq, paths, len);
        for (j, &n) in self.sizes.iter().enumerate() {
            let at = self.method_value(0, j);
            let fixed = &self.fixed[q][at..at + self.methods.len()];
            if fixed.iter().all(Option::is_some) {
                out[at..at + self.methods.len()].iter_mut().zip(fixed).for_each(|(o, f)| *o += f.expect("checked"));
                continue;
            }
            let outcomes = run_methods(&question, (0..n).collect(), &self.methods, &self.policies, self.equal, self.prob, None)
                .expect("checked: the paths have what the methods read");
            out[at..at + self.methods.len()].iter_mut().zip(outcomes).for_each(|(o, x)| *o += x.credit);
        }
        for (r, (rule, policy)) in self.rules.iter().enumerate() {
            let drawn: Vec<usize> = (0..rule.max_samples()).collect();
            let stopped =
                replay_rule(&question, drawn, rule, *policy, self.equal, &mut StopCache::default()).expect("checked: the paths have what the rules read");
            let (c, s) = self.rule_values(r);
            out[c] += stopped.credit;
            out[s] += stopped.used as f64;
        }
    }
}

/// Silverman's (1986, eq. 3.31) rule-of-thumb bandwidth of a kernel density
/// estimate: `0.9 · min(sd, IQR/1.34) · n^(−1/5)`; 0 (no smoothing) with
/// fewer than two values or no spread.
pub fn bandwidth(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let iqr = crate::montecarlo::quantile(&sorted, 0.75) - crate::montecarlo::quantile(&sorted, 0.25);
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    0.9 * spread * (n as f64).powf(-0.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::dataset::PathSignals;
    use crate::plan::paths::PathDraw;

    fn path(text: &str, answer: &str, logp: f64) -> RawPath {
        RawPath {
            text: text.into(),
            answer: answer.into(),
            mean_logprob: Some(logp),
            sum_logprob: Some(4.0 * logp),
            signals: PathSignals::default(),
            tokens: Some(4),
        }
    }

    fn question(truth: &str, paths: Vec<RawPath>) -> RawQuestion {
        RawQuestion { id: "q".into(), truth: truth.into(), paths }
    }

    /// A completed run, read back by the evaluator, has the run's answers:
    /// the same partition of draws into answers, the same correct one; a
    /// repeat is the same path (text and probability), a new path is not;
    /// a new correct answer's paths sit the population's offset above the
    /// question's pilot mean.
    #[test]
    fn a_completed_run_reads_back_as_the_run() {
        // Question 0: pilot 1/2 (wrong), 1/2 again, 3 (wrong: "three"); truth 7.
        // Question 1: its one pilot path is correct, 0.5 above its pilot mean (itself): offset 0.
        let qs = vec![question("7", vec![path("a", "1/2", -1.0), path("a", "0.5", -1.0), path("b", "three", -2.0)]), question("4", vec![path("c", "4", -0.5)])];
        let equal = AnswerEquality::default();
        let pilots: Vec<Pilot> = qs.iter().map(|q| crate::api::plan::pilot(q, None, &equal)).collect();
        let runs = CompletedRuns::new(&qs, &pilots, vec![(Method::Pc, InvalidPolicy::Vote)], vec![3, 7], Vec::new(), &equal, ProbMode::Mean);
        let p = &pilots[0];
        assert_eq!(p.answers(), &[0, 0, 1]);
        // Future: a repeat of path "a", a new path of "three", a new wrong answer, the truth (new), the truth again.
        let seq = Sequence { answers: vec![0, 0, 1, 0, 1, 2, 3], correct: vec![false, false, false, true], invalid: vec![false; 4] };
        let d = |donor, id, z| PathDraw { donor, id, z, u: 0.3 };
        let draws = [d(0, 0, 0.0), d(1, 0, 0.0), d(2, 1, 0.0), d(0, 0, 0.0), d(2, 2, 0.0), d(2, 3, 0.0), d(0, 4, 0.0)];
        let rq = runs.question(0, &seq, &draws, 7);
        assert_eq!(rq.paths[3].text.as_str(), "a");
        assert_eq!(rq.paths[3].mean_logprob, Some(-1.0));
        assert_ne!(rq.paths[4].text.as_str(), "b");
        assert_eq!(rq.paths[4].answer.as_str(), "three");
        assert_eq!(rq.paths[6].answer.as_str(), "7");
        // Pilot mean of question 0 is −4/3; the one correct offset (question 1) is 0.
        assert!((rq.paths[6].mean_logprob.unwrap() + 4.0 / 3.0).abs() < 1e-12);
        // The sum moves with the mean: donor 0's −4 plus 4 tokens × (−4/3 − (−1)).
        assert!((rq.paths[6].sum_logprob.unwrap() - (-4.0 + 4.0 * (-4.0 / 3.0 + 1.0))).abs() < 1e-12);
        let prepared = Prepared::new(&rq, (0..7).collect(), &equal, ProbMode::Mean, InvalidPolicy::Vote).unwrap();
        let (groups, correct) = prepared.groups();
        let same = |a: &[u32], b: &[u32]| (0..a.len()).all(|i| (0..a.len()).all(|j| (a[i] == a[j]) == (b[i] == b[j])));
        assert!(same(groups, &seq.answers), "{groups:?}");
        assert_eq!(correct.iter().filter(|&&c| c).count(), 1);
        assert!(correct[groups[6] as usize]);
        // Identities: draws 0, 1 and 3 are one path; 4, 5 and 6 are new.
        let (ids, _) = prepared.path_draws();
        assert!(ids[0] == ids[1] && ids[1] == ids[3]);
        let mut fresh = ids[4..].to_vec();
        fresh.extend([ids[0], ids[2]]);
        fresh.sort_unstable();
        fresh.dedup();
        assert_eq!(fresh.len(), 5);
    }

    #[test]
    fn silvermans_bandwidth() {
        assert_eq!(bandwidth(&[1.0]), 0.0);
        assert_eq!(bandwidth(&[2.0, 2.0, 2.0]), 0.0);
        // sd of 1..=5 is √2.5; IQR (linear) 2/1.34 = 1.4925 < 1.5811.
        let h = bandwidth(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((h - 0.9 * (2.0 / 1.34) * 5f64.powf(-0.2)).abs() < 1e-12, "{h}");
    }
}
