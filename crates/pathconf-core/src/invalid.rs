//! Paths without an answer, and how each method's reference treats them.
//!
//! A path is *invalid* when no answer could be extracted from it: its answer
//! is [`crate::extract::INVALID`] (written by pathconf's readers and
//! samplers when extraction fails) or empty. The field's published code
//! disagrees on what such a path does:
//!
//! | method or rule | reference code | its convention | pathconf's default |
//! |---|---|---|---|
//! | SC, PPL, PC, RP, RPC | WNJXYK/RPC (`INVALID_ANS`) | an answer group that votes | [`InvalidPolicy::Vote`] |
//! | CISC | google-research `cisc/` (`majority_with_conf`) | dropped before the confidences are normalised | [`InvalidPolicy::Drop`] |
//! | DeepConf | facebookresearch/deepconf (`compute_all_voting_results`) | dropped before the percentile and the vote | [`InvalidPolicy::Drop`] |
//! | self-certainty Borda | backprop07/Self-Certainty (`voting_from_list.py`) | ranked with the others, casts no vote | [`InvalidPolicy::Drop`] |
//! | ESC (`esc:…`) | Yiwei98/ESC (`early_stop_*.py`) | a sentinel answer (−1000) that votes, windows included | [`InvalidPolicy::Vote`] |
//! | Adaptive-Consistency (`asc-…`) | Pranjal2041/AdaptiveConsistency (`eval_outputs.py`) | skipped by the rule, still counted as a generation | [`InvalidPolicy::Drop`] |
//! | `fixed:N` | plain SC (WNJXYK/RPC) | votes | [`InvalidPolicy::Vote`] |
//! | `pc-certify`, `pc-gt` | pathconf's own (no reference) | votes, as PC does | [`InvalidPolicy::Vote`] |
//!
//! Under [`InvalidPolicy::Drop`] an invalid draw still costs a sample (it was
//! generated) but casts no vote; a question whose paths are all invalid gets
//! no answer, counts as wrong, and enters the calibration metrics with
//! confidence 0 ([`crate::eval::metrics`]).

use serde::Serialize;

/// How a method or stopping rule treats invalid paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InvalidPolicy {
    /// Invalid paths form one answer group that votes like any other.
    Vote,
    /// Invalid paths cost a sample but cast no vote.
    Drop,
}

crate::named_option!(InvalidPolicy, "invalid", { InvalidPolicy::Vote => "vote", InvalidPolicy::Drop => "drop" });

/// Whether `answer` is the mark of a path without an answer
/// ([`crate::extract::INVALID`], or empty after trimming).
///
/// ```
/// use pathconf_core::invalid::is_invalid;
/// assert!(is_invalid("[invalid]") && is_invalid(" ") && !is_invalid("0"));
/// ```
pub fn is_invalid(answer: &str) -> bool {
    answer == crate::extract::INVALID || answer.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in [InvalidPolicy::Vote, InvalidPolicy::Drop] {
            assert_eq!(p.to_string().parse::<InvalidPolicy>(), Ok(p));
        }
        assert_eq!(" DROP ".parse::<InvalidPolicy>(), Ok(InvalidPolicy::Drop));
        assert_eq!("keep".parse::<InvalidPolicy>().unwrap_err().to_string(), "invalid \"keep\" is not one of vote, drop");
        assert_eq!(serde_json::to_string(&InvalidPolicy::Drop).unwrap(), "\"drop\"");
    }
}
