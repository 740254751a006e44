//! How a pilot becomes futures: the empirical-Bayes model (a correct share
//! with a population prior, wrong answers from a fitted Pitman–Yor process)
//! or the naive plug-in (the pilot's frequencies taken as the truth).

use super::pilot::Pilot;
use super::share::{self, SharePrior};
use super::wrong::{self, WrongPrior};
use rand::Rng;

/// The model behind a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanModel {
    /// Empirical Bayes: `θ_q` from the g-model prior ([`share`]), the wrong
    /// answers from a process drawn from the fitted mixture ([`wrong`]),
    /// both refitted on a bootstrap of the questions for every draw.
    EmpiricalBayes,
    /// The pilot's answer frequencies as each question's distribution: no
    /// unseen answer, no uncertainty beyond the draws' own.
    PlugIn,
}

crate::named_option!(PlanModel, "model", { PlanModel::EmpiricalBayes => "eb", PlanModel::PlugIn => "plug-in" });

impl PlanModel {
    /// How its numbers are described in reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::EmpiricalBayes => "empirical-Bayes Pitman-Yor",
            Self::PlugIn => "plug-in",
        }
    }
}

/// The dataset-level parameters of the empirical-Bayes model.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyper {
    /// The prior of the correct answer's share.
    pub share: SharePrior,
    /// The population of wrong-answer processes.
    pub wrong: WrongPrior,
}

impl Hyper {
    /// Both parts fitted to `pilots`.
    pub fn fit<'a>(pilots: impl Iterator<Item = &'a Pilot> + Clone) -> Self {
        let obs: Vec<(usize, usize)> = pilots.clone().map(|p| (p.draws(), p.correct_count())).collect();
        let partitions: Vec<Vec<usize>> = pilots.map(Pilot::wrong_blocks).collect();
        Self { share: SharePrior::fit(&obs), wrong: WrongPrior::fit(&partitions) }
    }
}

/// A question's draws so far (its pilot, then simulated draws): labels and,
/// per label, correctness and invalidity. Labels past the pilot's are
/// answers the pilot did not see.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sequence {
    /// Labels in sampling order.
    pub answers: Vec<u32>,
    /// Per label: the correct answer.
    pub correct: Vec<bool>,
    /// Per label: no answer extracted.
    pub invalid: Vec<bool>,
}

impl Sequence {
    /// The pilot's draws.
    pub fn of(pilot: &Pilot) -> Self {
        Self { answers: pilot.answers().to_vec(), correct: pilot.correct().to_vec(), invalid: pilot.invalid().to_vec() }
    }

    fn new_label(&mut self, correct: bool) -> u32 {
        self.correct.push(correct);
        self.invalid.push(false);
        (self.correct.len() - 1) as u32
    }
}

/// One question's future under a model, ready to be drawn from.
#[derive(Debug, Clone)]
pub enum Future<'a> {
    /// Empirical Bayes: the posteriors of `θ` (a CDF on the share grid) and
    /// of the question's wrong-answer process (a CDF over the mixture's).
    Bayes {
        /// The pilot.
        pilot: &'a Pilot,
        /// [`SharePrior::posterior_cdf`] for this pilot.
        theta: &'a [f64],
        /// The mixture of wrong-answer processes.
        wrong: &'a WrongPrior,
        /// [`WrongPrior::posterior_cdf`] for this pilot's wrong blocks.
        process: &'a [f64],
    },
    /// The plug-in: draws resampled from the pilot's.
    PlugIn {
        /// The pilot.
        pilot: &'a Pilot,
    },
}

impl Future<'_> {
    /// The pilot followed by simulated draws up to `len` in all: under
    /// empirical Bayes, `θ` and a wrong-answer process are drawn once from
    /// their posteriors, then each draw is correct with probability `θ`,
    /// else the next wrong draw of the process's urn seeded with the pilot's
    /// wrong draws (new answers appear as new labels, the correct one too
    /// when the pilot lacked it).
    pub fn draw(&self, len: usize, rng: &mut impl Rng) -> Sequence {
        match *self {
            Future::Bayes { pilot, theta, wrong: mixture, process } => {
                let mut seq = Sequence::of(pilot);
                let t = share::sample(theta, rng);
                let wrong = wrong::sample(mixture, process, rng);
                let mut y = pilot.correct_label();
                let mut wrong_counts: Vec<usize> = pilot.counts().into_iter().zip(pilot.correct()).map(|(c, &ok)| if ok { 0 } else { c }).collect();
                let mut wrong_total: usize = wrong_counts.iter().sum();
                while seq.answers.len() < len {
                    let label = if rng.random::<f64>() < t {
                        *y.get_or_insert_with(|| {
                            wrong_counts.push(0);
                            seq.new_label(true)
                        })
                    } else {
                        let label = match wrong.next(&wrong_counts, wrong_total, rng) {
                            Some(j) => j as u32,
                            None => {
                                wrong_counts.push(0);
                                seq.new_label(false)
                            }
                        };
                        wrong_counts[label as usize] += 1;
                        wrong_total += 1;
                        label
                    };
                    seq.answers.push(label);
                }
                seq
            }
            Future::PlugIn { pilot } => {
                let mut seq = Sequence::of(pilot);
                let m = pilot.draws();
                while seq.answers.len() < len {
                    seq.answers.push(pilot.answers()[rng.random_range(0..m)]);
                }
                seq
            }
        }
    }

    /// One draw of SC's credit as `n → ∞` (`1` when the correct answer's
    /// share exceeds every voting wrong answer's, `1/t` for a `t`-way tie):
    /// under empirical Bayes from a posterior draw of the shares
    /// ([`super::pitman_yor::PitmanYor::draw_largest_share`]); under the plug-in from the
    /// pilot's frequencies. `drop_invalid`: invalid answers cast no vote.
    pub fn limit_credit(&self, drop_invalid: bool, rng: &mut impl Rng) -> f64 {
        match *self {
            Future::Bayes { pilot, theta, wrong: mixture, process } => {
                let t = share::sample(theta, rng);
                let wrong = wrong::sample(mixture, process, rng);
                if t <= 0.0 {
                    return 0.0;
                }
                if t >= 1.0 {
                    return 1.0;
                }
                let counts = pilot.counts();
                let (blocks, skip): (Vec<usize>, Vec<bool>) =
                    counts.iter().enumerate().filter(|&(l, &c)| c > 0 && !pilot.correct()[l]).map(|(l, &c)| (c, drop_invalid && pilot.invalid()[l])).unzip();
                let largest = (1.0 - t) * wrong.draw_largest_share(&blocks, &skip, t / (1.0 - t), rng);
                credit_against(t, largest, 1)
            }
            Future::PlugIn { pilot } => {
                let counts = pilot.counts();
                let y = pilot.correct_label().map_or(0, |y| counts[y as usize]);
                if y == 0 {
                    return 0.0;
                }
                let voting = |l: usize| !(pilot.correct()[l] || drop_invalid && pilot.invalid()[l]);
                let top = (0..counts.len()).filter(|&l| voting(l)).map(|l| counts[l]).max().unwrap_or(0);
                let tied = (0..counts.len()).filter(|&l| voting(l) && counts[l] == top).count();
                credit_against(y as f64, top as f64, tied)
            }
        }
    }
}

/// The plurality's credit for a correct share `mine` against the largest
/// rival share `top` held by `tied` rivals.
fn credit_against(mine: f64, top: f64, tied: usize) -> f64 {
    if mine > top {
        1.0
    } else if mine == top {
        1.0 / (tied + 1) as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::pitman_yor::PitmanYor;
    use super::*;
    use rand::SeedableRng;

    fn one(p: PitmanYor) -> WrongPrior {
        WrongPrior { processes: vec![p], weights: vec![1.0] }
    }

    fn pilot(answers: &[u32], correct: &[bool]) -> Pilot {
        Pilot::new(answers.to_vec(), correct.to_vec(), vec![false; correct.len()]).unwrap()
    }

    #[test]
    fn futures_keep_the_pilot_and_label_new_answers_apart() {
        let p = pilot(&[1, 1, 0], &[false, false]);
        let g = SharePrior::uniform();
        let cdf = g.posterior_cdf(3, 0);
        let w = one(PitmanYor { alpha: 5.0, discount: 0.5 });
        let f = Future::Bayes { pilot: &p, theta: &cdf, wrong: &w, process: &[1.0] };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..50 {
            let s = f.draw(40, &mut rng);
            assert_eq!(&s.answers[..3], &[1, 1, 0]);
            assert_eq!(s.answers.len(), 40);
            assert!(s.correct.iter().filter(|&&c| c).count() <= 1);
            assert!(s.answers.iter().all(|&a| (a as usize) < s.correct.len()));
        }
    }

    /// With `θ` known (a prior on one grid point) and a Dirichlet process,
    /// the share of correct future draws is `θ`, and SC's limit credit is the
    /// exact probability that `θ` beats the largest wrong share: for `θ = 0.6`
    /// it always does.
    #[test]
    fn a_known_share_is_drawn_at_its_rate() {
        let p = pilot(&[0, 1, 2, 3], &[true, false, false, false]);
        let g = SharePrior { weights: (0..=share::GRID).map(|j| if j == 60 { 1.0 } else { 0.0 }).collect() };
        let cdf = g.posterior_cdf(4, 1);
        let w = one(PitmanYor { alpha: 1.0, discount: 0.0 });
        let f = Future::Bayes { pilot: &p, theta: &cdf, wrong: &w, process: &[1.0] };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let s = f.draw(20_004, &mut rng);
        let share = s.answers[4..].iter().filter(|&&a| a == 0).count() as f64 / 20_000.0;
        // 5 s.d. of Bin(20000, 0.6)/20000 = 0.0173: false-failure rate < 1e-6.
        assert!((share - 0.6).abs() < 0.0173, "{share}");
        assert!((0..200).all(|_| f.limit_credit(false, &mut rng) == 1.0));
    }

    #[test]
    fn the_plug_in_limit_splits_ties_and_drops_invalid_answers() {
        let p = Pilot::new(vec![0, 0, 1, 1, 2, 2, 2], vec![true, false, false], vec![false, false, true]).unwrap();
        let f = Future::PlugIn { pilot: &p };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        assert_eq!(f.limit_credit(false, &mut rng), 0.0);
        assert_eq!(f.limit_credit(true, &mut rng), 0.5);
    }
}
