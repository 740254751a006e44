//! Drawing one token from log-probabilities with temperature and top-p
//! (nucleus) truncation, shared by both samplers ([`crate::tiny`],
//! [`crate::llm`]).
//!
//! With weights `w_i = exp((ℓ_i − max ℓ) / T)`, the nucleus is the smallest
//! set of most probable tokens whose normalised weight reaches `top_p`; the
//! token is drawn from the nucleus renormalised. Only tokens with normalised
//! weight at least `(1 − top_p) / V` are sorted: the others have total weight
//! below `1 − top_p`, so the nucleus is always found among the sorted ones
//! (exact, and fast over a 49k-token vocabulary).

/// `ln softmax(logits)` of one row, in f64.
pub fn log_softmax_row(logits: &[f32]) -> Vec<f64> {
    let mut out = Vec::new();
    log_softmax_into(logits, &mut out);
    out
}

/// [`log_softmax_row`] written into `out` (resized, allocation reused);
/// returns `max_i out[i]`.
pub fn log_softmax_into(logits: &[f32], out: &mut Vec<f64>) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    let lse = max + sum.ln();
    out.clear();
    out.extend(logits.iter().map(|&l| (l as f64 - lse).min(0.0)));
    // `l ↦ min(l − lse, 0)` is monotone, so the largest logit gives the
    // largest log-probability (bit for bit the same value).
    (max - lse).min(0.0)
}

/// Index drawn from `logp` at `temperature` and `top_p` with `u ~ U[0, 1)`.
pub fn draw(logp: &[f64], temperature: f64, top_p: f64, u: f64) -> usize {
    let max = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    draw_with(logp, max, temperature, top_p, u, &mut Scratch::default())
}

/// Work space of [`draw_with`], reused from one call to the next.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    w: Vec<f64>,
    order: Vec<usize>,
}

/// [`draw`] with `max = max_i logp[i]` already known and its buffers in
/// `scratch` (same result, no allocation once the buffers have grown).
pub fn draw_with(logp: &[f64], max: f64, temperature: f64, top_p: f64, u: f64, scratch: &mut Scratch) -> usize {
    let Scratch { w, order } = scratch;
    w.clear();
    w.extend(logp.iter().map(|&l| ((l - max) / temperature).exp()));
    let total: f64 = w.iter().sum();
    if top_p >= 1.0 {
        let mut target = u * total;
        for (i, &x) in w.iter().enumerate() {
            if target < x {
                return i;
            }
            target -= x;
        }
        return w.iter().rposition(|&x| x > 0.0).unwrap_or(0);
    }
    let cut = nucleus_into(w, total, top_p, order);
    let nucleus = &order[..cut];
    let mass: f64 = nucleus.iter().map(|&i| w[i]).sum();
    let mut target = u * mass;
    for &i in nucleus {
        if target < w[i] {
            return i;
        }
        target -= w[i];
    }
    *nucleus.last().expect("non-empty nucleus")
}

/// The nucleus of weights `w` (summing to `total`) at `top_p < 1`: writes
/// the candidate tokens into `order`, most probable first (ties by index),
/// and returns how many of them form the nucleus. Only tokens with weight at
/// least `(1 − top_p) / V · total` are sorted (see the module docs).
fn nucleus_into(w: &[f64], total: f64, top_p: f64, order: &mut Vec<usize>) -> usize {
    let cutoff = (1.0 - top_p) / w.len() as f64 * total;
    order.clear();
    order.extend((0..w.len()).filter(|&i| w[i] >= cutoff));
    order.sort_by(|&i, &j| w[j].total_cmp(&w[i]).then(i.cmp(&j)));
    let mut kept = 0.0;
    for (r, &i) in order.iter().enumerate() {
        kept += w[i] / total;
        if kept >= top_p {
            return r + 1;
        }
    }
    order.len()
}

/// The distribution [`draw`] samples from at `temperature` and `top_p`:
/// the nucleus's tokens in the order [`draw`] walks them (most probable
/// first; `0..V` in index order when `top_p ≥ 1`), each with the natural log
/// of its probability of being drawn — the *processed* log-probability
/// (after temperature and truncation) that `pathconf serve` returns. Every
/// token outside the list has probability 0.
pub fn processed_logprobs(logp: &[f64], temperature: f64, top_p: f64) -> Vec<(usize, f64)> {
    let max = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logp.iter().map(|&l| ((l - max) / temperature).exp()).collect();
    let total: f64 = w.iter().sum();
    let members: Vec<usize> = if top_p >= 1.0 {
        (0..w.len()).filter(|&i| w[i] > 0.0).collect()
    } else {
        // The nucleus exactly as `draw_with` builds it.
        let mut order = Vec::new();
        let cut = nucleus_into(&w, total, top_p, &mut order);
        order.truncate(cut);
        order
    };
    let mass: f64 = members.iter().map(|&i| w[i]).sum();
    members.into_iter().map(|i| (i, (w[i] / mass).ln())).collect()
}

#[cfg(test)]
mod tests {
    use super::{draw, draw_with, log_softmax_into, log_softmax_row, processed_logprobs, Scratch};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn reused_buffers_give_the_same_draws_and_maximum() {
        // Rows of different lengths and spreads through one set of buffers:
        // the returned maximum is bit for bit the maximum of the row, and
        // every draw equals the allocating `draw`.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut logp, mut scratch) = (Vec::new(), Scratch::default());
        for row in 0..40 {
            let len = [3, 5000, 17, 1200][row % 4];
            let spread = [0.5, 8.0, 30.0][row % 3];
            let logits: Vec<f32> = (0..len).map(|_| rng.random_range(-spread..spread) as f32).collect();
            let max = log_softmax_into(&logits, &mut logp);
            assert_eq!(logp, log_softmax_row(&logits));
            assert_eq!(max.to_bits(), logp.iter().copied().fold(f64::NEG_INFINITY, f64::max).to_bits());
            for (temperature, top_p) in [(1.0, 0.95), (0.6, 0.95), (0.7, 1.0), (1.3, 0.5)] {
                let u: f64 = rng.random();
                assert_eq!(draw_with(&logp, max, temperature, top_p, u, &mut scratch), draw(&logp, temperature, top_p, u));
            }
        }
    }

    #[test]
    fn processed_logprobs_are_the_drawing_distribution() {
        // Inverting the listed distribution's CDF at u gives draw(u), for
        // every u on a fine grid; probabilities sum to 1.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for (temperature, top_p) in [(1.0, 1.0), (0.6, 0.95), (1.3, 0.5), (0.7, 1.0)] {
            let logits: Vec<f32> = (0..50).map(|_| rng.random_range(-4.0..4.0) as f32).collect();
            let lp = log_softmax_row(&logits);
            let dist = processed_logprobs(&lp, temperature, top_p);
            let total: f64 = dist.iter().map(|&(_, l)| l.exp()).sum();
            assert!((total - 1.0).abs() < 1e-12, "{total}");
            for k in 0..997 {
                let u = k as f64 / 997.0;
                let mut target = u;
                let mut got = dist.last().unwrap().0;
                for &(i, l) in &dist {
                    if target < l.exp() {
                        got = i;
                        break;
                    }
                    target -= l.exp();
                }
                // Near a boundary the two sums may round differently.
                let near = dist
                    .iter()
                    .scan(0.0, |c, &(_, l)| {
                        *c += l.exp();
                        Some(*c)
                    })
                    .any(|c| (c - u).abs() < 1e-9);
                assert!(near || got == draw(&lp, temperature, top_p, u), "T {temperature}, top-p {top_p}, u {u}");
            }
        }
    }

    #[test]
    fn top_p_keeps_the_smallest_nucleus() {
        let lp = [0.6f64.ln(), 0.3f64.ln(), 0.1f64.ln()];
        // top_p 0.5: only the first token can be drawn.
        assert!((0..10).all(|i| draw(&lp, 1.0, 0.5, i as f64 / 10.0) == 0));
        // top_p 0.85: tokens 0 and 1 (cumulative 0.6, 0.9) with mass 0.6 : 0.3.
        assert_eq!(draw(&lp, 1.0, 0.85, 0.66), 0);
        assert_eq!(draw(&lp, 1.0, 0.85, 0.67), 1);
        assert_eq!(draw(&lp, 1.0, 1.0, 0.95), 2);
        assert_eq!(draw(&lp, 1.0, 1.0, 0.55), 0);
        assert_eq!(draw(&lp, 1.0, 1.0, 0.65), 1);
    }

    #[test]
    fn nucleus_search_over_a_large_vocabulary_equals_a_full_sort() {
        // 1,000 tokens with a heavy tail: the pre-filter must not change the draw.
        let lp: Vec<f64> = (0..1000).map(|i| -(i as f64) * 0.02 - ((i * 7919) % 13) as f64 * 0.1).collect();
        let full = |u: f64, top_p: f64| {
            let max = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = lp.iter().map(|l| (l - max).exp()).collect();
            let total: f64 = w.iter().sum();
            let mut order: Vec<usize> = (0..w.len()).collect();
            order.sort_by(|&i, &j| w[j].total_cmp(&w[i]).then(i.cmp(&j)));
            let (mut kept, mut cut) = (0.0, order.len());
            for (r, &i) in order.iter().enumerate() {
                kept += w[i] / total;
                if kept >= top_p {
                    cut = r + 1;
                    break;
                }
            }
            let mass: f64 = order[..cut].iter().map(|&i| w[i]).sum();
            let mut t = u * mass;
            for &i in &order[..cut] {
                if t < w[i] {
                    return i;
                }
                t -= w[i];
            }
            order[cut - 1]
        };
        for k in 0..200 {
            let u = k as f64 / 200.0;
            for top_p in [0.5, 0.9, 0.95, 0.999] {
                assert_eq!(draw(&lp, 1.0, top_p, u), full(u, top_p), "u {u} top_p {top_p}");
            }
        }
    }
}
