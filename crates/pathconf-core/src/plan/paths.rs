//! A completed run's paths: for the methods and rules that weigh paths (PC,
//! RPC, CISC, DeepConf, `pc-*`), a future draw needs more than its answer —
//! the signals of a path, and whether it repeats a path already drawn.
//!
//! The model (DESIGN, "Plans from a pilot"):
//!
//! - **Donors.** A future draw of an answer the pilot saw copies the signals
//!   (probability, confidences, length) of one of that answer's pilot paths,
//!   drawn uniformly. An answer the pilot did not see copies one of the
//!   pilot's singletons — a path of an answer the pilot drew once, of the same
//!   correctness where there is one (the unseen resemble the rarely seen:
//!   Good's argument again) — else a path of the same correctness, else any:
//!   signals stay on the question's own scale, which is what the
//!   within-question weighting of PC, CISC and DeepConf reads.
//! - **Repeats.** Within an answer, paths follow a Pitman–Yor process
//!   (the urn of [`PitmanYor::next`]: a new path with probability
//!   `(α + d K)/(α + N)` after `N` draws of `K` paths, else path `j` with
//!   probability `(n_j − d)/(α + N)`), one `(α, d)` for the dataset, fitted
//!   by maximum likelihood on every (question, answer) pilot partition of
//!   draws into paths ([`PathProcess::fit`]). LLM paths that never repeat
//!   give the largest `α` of the grid (nearly every draw new); the tiny
//!   model's give a small one. The first draw of an answer is new.
//! - **Smoothing.** A new path's log-probability is its donor's plus a
//!   kernel step (`z` here, scaled by the reader to a bandwidth): the
//!   smoothed bootstrap (Silverman 1986, §6.4), since a new LLM path has a
//!   probability of its own, not a copy of one already drawn.
//! - **The plug-in** repeats a pilot path of the drawn answer: the pilot's
//!   paths are its truth.

use super::model::Sequence;
use super::pitman_yor::PitmanYor;
use rand::Rng;
use rand_distr::StandardNormal;

/// The pilot's paths of one question: per pilot draw, its identity (equal
/// identities: the same path) — dense, `0..distinct`.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotPaths {
    ids: Vec<u32>,
    distinct: u32,
}

impl PilotPaths {
    /// From each pilot draw's identity (any `u32`s; equal values, same path).
    pub fn new(ids: &[u32]) -> Self {
        let mut dense: std::collections::BTreeMap<u32, u32> = Default::default();
        let ids: Vec<u32> = ids
            .iter()
            .map(|&i| {
                let next = dense.len() as u32;
                *dense.entry(i).or_insert(next)
            })
            .collect();
        Self { distinct: dense.len() as u32, ids }
    }

    /// Per pilot draw, its (dense) identity.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Distinct paths among the pilot's draws.
    pub fn distinct(&self) -> u32 {
        self.distinct
    }
}

/// One draw of a completed run: the pilot draw whose signals it carries
/// (itself, for a pilot draw) and its path identity (pilot identities first,
/// then new paths numbered in order of appearance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathDraw {
    /// Index of the pilot draw it copies.
    pub donor: u32,
    /// Its path identity.
    pub id: u32,
    /// A standard normal draw for a new path (0 for the pilot's paths and
    /// repeats): the smoothed bootstrap's kernel step, which the reader of
    /// signals scales by its bandwidth.
    pub z: f64,
    /// A uniform draw in `[0, 1)` for a new path (0 otherwise): what the
    /// reader of signals picks a population donor with, where it uses one.
    pub u: f64,
}

/// How future draws get their paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathModel {
    /// Donors, and repeats by a Pitman–Yor process within each answer (the
    /// empirical-Bayes model's).
    Process(PitmanYor),
    /// Every future draw repeats a pilot path of its answer (the plug-in's).
    Repeat,
}

/// The grid [`PathProcess::fit`] searches: discounts 0, ¼, ½, ¾ and
/// strengths from 0.03 to 10⁴ (about every draw a new path).
fn grid() -> Vec<PitmanYor> {
    let mut out = Vec::new();
    for discount in [0.0, 0.25, 0.5, 0.75] {
        for alpha in [0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1e3, 1e4] {
            out.push(PitmanYor { alpha, discount });
        }
    }
    out
}

/// The process of paths within an answer.
pub struct PathProcess;

impl PathProcess {
    /// The maximum-likelihood process on [`grid`] for the partitions of each
    /// (question, answer)'s pilot draws into paths: `pilots[q]` the paths,
    /// `answers[q]` each pilot draw's answer label. Ties (no pilot answer
    /// drawn twice: nothing to fit) go to the largest strength.
    pub fn fit<'a>(pilots: impl Iterator<Item = (&'a PilotPaths, &'a [u32])>) -> PitmanYor {
        let mut partitions: Vec<Vec<usize>> = Vec::new();
        for (paths, answers) in pilots {
            let labels = answers.iter().map(|&a| a as usize + 1).max().unwrap_or(0);
            let mut counts: Vec<std::collections::BTreeMap<u32, usize>> = vec![Default::default(); labels];
            for (&id, &a) in paths.ids().iter().zip(answers) {
                *counts[a as usize].entry(id).or_insert(0) += 1;
            }
            partitions.extend(counts.into_iter().filter(|c| c.values().sum::<usize>() > 1).map(|c| c.into_values().collect()));
        }
        let score = |p: &PitmanYor| partitions.iter().map(|b| p.ln_partition(b)).sum::<f64>();
        let mut best = (f64::NEG_INFINITY, PitmanYor { alpha: 1e4, discount: 0.0 });
        for p in grid() {
            let s = score(&p);
            if s >= best.0 {
                best = (s, p);
            }
        }
        best.1
    }
}

/// The paths of `seq` (a pilot of `pilot.ids().len()` draws, then future
/// draws): the pilot's draws as they are, each future draw as `model` says.
///
/// # Panics
/// Under [`PathModel::Repeat`], if a future draw's answer has no pilot draw.
pub fn complete(seq: &Sequence, pilot: &PilotPaths, model: PathModel, rng: &mut impl Rng) -> Vec<PathDraw> {
    let m = pilot.ids.len();
    let labels = seq.correct.len();
    let mut out: Vec<PathDraw> = (0..m).map(|i| PathDraw { donor: i as u32, id: pilot.ids[i], z: 0.0, u: 0.0 }).collect();
    // Per label: its draws so far (positions in `out`).
    let mut by_label: Vec<Vec<u32>> = vec![Vec::new(); labels];
    for (i, &a) in seq.answers[..m].iter().enumerate() {
        by_label[a as usize].push(i as u32);
    }
    let mut next_id = pilot.distinct;
    let pilot_of: Vec<Vec<u32>> = by_label.clone();
    // Donor pools of labels the pilot lacks: the pilot's singletons (draws
    // of answers it drew once) of the same correctness, else any singleton,
    // else the draws of the same correctness, else all.
    let once: Vec<bool> = (0..m).map(|i| pilot_of[seq.answers[i] as usize].len() == 1).collect();
    let pool = |correct: bool| -> Vec<u32> {
        let of = |f: &dyn Fn(usize) -> bool| -> Vec<u32> { (0..m).filter(|&i| f(i)).map(|i| i as u32).collect() };
        let same = |i: usize| seq.correct[seq.answers[i] as usize] == correct;
        [of(&|i| once[i] && same(i)), of(&|i| once[i]), of(&same), of(&|_| true)].into_iter().find(|p| !p.is_empty()).expect("a pilot has a draw")
    };
    let pools = [pool(false), pool(true)];
    for (i, &a) in seq.answers.iter().enumerate().skip(m) {
        let l = a as usize;
        let draws = &by_label[l];
        let repeat = match model {
            PathModel::Repeat => {
                let own = &pilot_of[l];
                assert!(!own.is_empty(), "the plug-in draws only answers its pilot has");
                Some(own[rng.random_range(0..own.len())])
            }
            PathModel::Process(_) if draws.is_empty() => None,
            PathModel::Process(process) => {
                // The answer's paths so far, with their counts, in order of appearance.
                let mut paths: Vec<(u32, usize)> = Vec::new();
                for &j in draws {
                    let id = out[j as usize].id;
                    match paths.iter_mut().find(|(p, _)| *p == id) {
                        Some((_, c)) => *c += 1,
                        None => paths.push((id, 1)),
                    }
                }
                let counts: Vec<usize> = paths.iter().map(|p| p.1).collect();
                process.next(&counts, draws.len(), rng).map(|k| *draws.iter().find(|&&j| out[j as usize].id == paths[k].0).expect("a path of the answer"))
            }
        };
        let draw = match repeat {
            Some(j) => out[j as usize],
            None => {
                let donors = if pilot_of[l].is_empty() { &pools[seq.correct[l] as usize] } else { &pilot_of[l] };
                let donor = donors[rng.random_range(0..donors.len())];
                next_id += 1;
                PathDraw { donor, id: next_id - 1, z: rng.sample(StandardNormal), u: rng.random() }
            }
        };
        by_label[l].push(i as u32);
        out.push(draw);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn seq(answers: &[u32], correct: &[bool]) -> Sequence {
        Sequence { answers: answers.to_vec(), correct: correct.to_vec(), invalid: vec![false; correct.len()] }
    }

    #[test]
    fn identities_are_made_dense_in_order_of_appearance() {
        let p = PilotPaths::new(&[7, 3, 7, 9]);
        assert_eq!((p.ids(), p.distinct()), (&[0, 1, 0, 2][..], 3));
    }

    /// Under a process whose every draw is a new path, every future draw is
    /// new, copying a pilot path of its own answer, or — for an answer the
    /// pilot lacks — the pilot's wrong singleton (the wrong answer it drew
    /// once).
    #[test]
    fn paths_that_never_repeat_stay_new_and_copy_their_answer() {
        // Pilot: labels 0 (correct), 1, 1, 2; future: 0, 1, 3 (new wrong), 4 (new wrong), 3.
        let s = seq(&[0, 1, 1, 2, 0, 1, 3, 4, 3], &[true, false, false, false, false]);
        let pilot = PilotPaths::new(&[0, 1, 2, 3]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let all_new = PathModel::Process(PitmanYor { alpha: f64::INFINITY, discount: 0.0 });
        for _ in 0..200 {
            let d = complete(&s, &pilot, all_new, &mut rng);
            let pilot_draw = |i: u32| PathDraw { donor: i, id: i, z: 0.0, u: 0.0 };
            assert_eq!(&d[..4], &[pilot_draw(0), pilot_draw(1), pilot_draw(2), pilot_draw(3)]);
            assert_eq!(d[4..].iter().map(|p| p.id).collect::<Vec<_>>(), vec![4, 5, 6, 7, 8]);
            assert!(d[4..].iter().all(|p| p.z != 0.0 && p.u != 0.0));
            assert_eq!(d[4].donor, 0);
            assert!(d[5].donor == 1 || d[5].donor == 2);
            assert!(d[6..].iter().all(|p| p.donor == 3));
        }
        // Without a wrong singleton, any singleton (here the correct draw).
        let s = seq(&[0, 1, 1, 2], &[true, false, false]);
        let d = complete(&s, &PilotPaths::new(&[0, 1, 2]), all_new, &mut rng);
        assert_eq!(d[3].donor, 0);
    }

    /// An answer whose pilot drew one path four times, under a Dirichlet
    /// process of strength 1: its next draw is a new path with probability
    /// `1/(1 + 4) = 0.2`, else that path.
    #[test]
    fn repeats_follow_the_process_urn() {
        let s = seq(&[0, 0, 0, 0, 1, 0], &[true, false]);
        let pilot = PilotPaths::new(&[5, 5, 5, 5, 6]);
        let dp = PathModel::Process(PitmanYor { alpha: 1.0, discount: 0.0 });
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let trials = 40_000;
        let new = (0..trials).filter(|_| complete(&s, &pilot, dp, &mut rng)[5].id != 0).count();
        // Bin(40000, 0.2): s.d. 0.002; 5 s.d. → false-failure rate < 1e-6.
        assert!((new as f64 / trials as f64 - 0.2).abs() < 0.01, "{new}");
    }

    /// Pilots without a repeated path fit the largest strength (every draw
    /// new); pilots repeating one path per answer the smallest.
    #[test]
    fn the_process_is_fitted_to_the_pilots_repeats() {
        let answers: Vec<u32> = vec![0, 0, 1, 1, 0, 0];
        let distinct = PilotPaths::new(&[0, 1, 2, 3, 4, 5]);
        let repeated = PilotPaths::new(&[0, 0, 1, 1, 0, 0]);
        let fit = |p: &PilotPaths| PathProcess::fit((0..20).map(|_| (p, answers.as_slice())));
        assert_eq!(fit(&distinct).alpha, 1e4);
        assert_eq!(fit(&repeated), PitmanYor { alpha: 0.03, discount: 0.0 });
    }

    #[test]
    fn the_plug_in_repeats_pilot_paths_of_the_answer() {
        let s = seq(&[0, 1, 0, 1, 1, 0], &[true, false]);
        let pilot = PilotPaths::new(&[0, 1, 2, 3]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100 {
            let d = complete(&s, &pilot, PathModel::Repeat, &mut rng);
            assert!(d[4] == d[1] || d[4] == d[3]);
            assert!(d[5] == d[0] || d[5] == d[2]);
        }
    }
}
