//! Self-certainty Borda voting (Kang et al., 2025, eq. 11): rank the `N`
//! paths by self-certainty, highest first; the path at rank `r` (`r = 0`
//! for the most self-certain, as in the authors' `voting_from_list.py`:
//! `votes = N − rank` over a 0-based rank) gets `(N − r)^p` votes, so the
//! most certain path gets `N^p` and the least certain one `1`. Ties in
//! self-certainty keep file order (Python's stable sort). `p = 0` is
//! majority voting; the paper's default is `p = 0.5`.

/// Votes per path (in path order) for self-certainties `s` and power `p`.
pub fn borda_votes(s: &[f64], p: f64) -> Vec<f64> {
    let n = s.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| s[j].total_cmp(&s[i]));
    let mut votes = vec![0.0; n];
    for (r, &i) in order.iter().enumerate() {
        votes[i] = ((n - r) as f64).powf(p);
    }
    votes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_from_the_top_with_stable_ties() {
        assert_eq!(borda_votes(&[0.2, 0.9, 0.5], 1.0), vec![1.0, 3.0, 2.0]);
        // Equal certainties: the earlier path ranks higher.
        assert_eq!(borda_votes(&[0.5, 0.5], 1.0), vec![2.0, 1.0]);
        assert_eq!(borda_votes(&[0.2, 0.9, 0.5], 0.0), vec![1.0; 3]);
        let v = borda_votes(&[0.2, 0.9, 0.5, 0.1], 0.5);
        assert!((v[1] - 2.0).abs() < 1e-15 && (v[3] - 1.0).abs() < 1e-15);
    }
}
