//! Fits made ahead of time and found again by their data.
//!
//! A fit is a function of the multiset of its values alone ([`super::fit`]
//! sorts them first), so a fit made for the same values — in any order —
//! is the fit: [`FitMemo::fit`] returns the stored result when the sorted
//! values are equal bit for bit, and fits afresh otherwise. The evaluator
//! uses it to start RPC's fits while the rest of a file is still being read
//! ([`crate::eval::prefit`]); what it reports does not depend on whether a
//! fit came from the memo.

use super::fit::{fit, FitError, FitResult};
use rayon::prelude::*;
use std::collections::HashMap;

/// Fits keyed by their sorted values' bits.
#[derive(Debug, Clone, Default)]
pub struct FitMemo {
    fits: HashMap<Vec<u64>, Result<FitResult, FitError>>,
}

fn key(values: &[f64]) -> Vec<u64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.iter().map(|v| v.to_bits()).collect()
}

impl FitMemo {
    /// Fits every sample (in parallel).
    pub fn make(samples: &[Vec<f64>]) -> Self {
        let fits = samples.par_iter().map(|q| (key(q), fit(q))).collect();
        Self { fits }
    }

    /// Number of stored fits.
    pub fn len(&self) -> usize {
        self.fits.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.fits.is_empty()
    }

    /// The stored fit of `values` (in any order), if there is one.
    pub fn stored(&self, values: &[f64]) -> Option<&Result<FitResult, FitError>> {
        if self.fits.is_empty() {
            return None;
        }
        self.fits.get(&key(values))
    }

    /// The fit of `values`: the stored one if the same values were fitted,
    /// else a new fit.
    pub fn fit(&self, values: &[f64]) -> Result<FitResult, FitError> {
        match self.stored(values) {
            Some(stored) => stored.clone(),
            None => fit(values),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_fits_are_found_in_any_order_and_others_are_fitted() {
        let a = vec![0.31, 0.45, 0.45, 0.52, 0.77, 0.81, 0.9, 0.93, 0.12];
        let b = vec![0.2, 0.25, 0.6, 0.61, 0.62, 0.95];
        let memo = FitMemo::make(&[a.clone(), vec![0.5]]);
        assert_eq!(memo.len(), 2);
        let mut shuffled = a.clone();
        shuffled.reverse();
        assert_eq!(memo.fit(&shuffled), fit(&a));
        assert_eq!(memo.fit(&[0.5]), Err(FitError::TooFewDistinct { distinct: 1 }));
        assert_eq!(memo.fit(&b), fit(&b));
        assert!(memo.stored(&b).is_none());
    }
}
