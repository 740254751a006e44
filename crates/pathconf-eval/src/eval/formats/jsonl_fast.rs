//! A typed reading of one pathconf JSONL record, for speed: the line is
//! deserialised straight into the record type ([`super::record`]) with no
//! `Value` tree (issue #36: a tree per record cost half the reading time),
//! and the numeric arrays (`logprobs`,
//! `token_confidence`: most of a file's bytes) taken as raw JSON text,
//! checked by serde_json, and their numbers converted by `fast-float2` —
//! correctly rounded, as serde_json's `float_roundtrip` parse, so the same
//! bits (tested), several times faster (README, "Speed").
//!
//! It covers the records `pathconf sample` writes, and answers only when it
//! is sure: [`fast_question`] returns the question [`super::jsonl`]'s
//! general reader would return, or `None` — for anything else (a number as
//! an id or answer, `top_logprobs`, a duplicated key, any value the general
//! reader would refuse) — and the general reader then reads the line and
//! gives its answer or its error with field and message. The two are
//! compared on the committed records and on mutations of them (tests).

use super::record::{agrees, QuestionRecord};
use crate::eval::dataset::{check_logprob, PathSignals, RawPath, RawQuestion};
use crate::extract::math::extract_answer;
use crate::extract::INVALID;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A line as the record type, its number arrays unparsed. The type names
/// every field `sample` writes, each with the type a writer gives it, and
/// refuses any other: a field the general reader would take in another
/// shape (a number as an id), or ignore while refusing its value (an
/// unknown field holding `1e400`), sends the line to the general reader.
type Record<'a> = QuestionRecord<&'a RawValue, &'a RawValue>;

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Calls `each` on the numbers of the JSON array `raw` (valid JSON: serde_json
/// checked it), in order; `None` when an entry is not a number (a string, a
/// literal, a nested value: the general reader then says what is wrong) or
/// `each` refuses one. The number of entries otherwise.
fn numbers(raw: &RawValue, mut each: impl FnMut(f64) -> Option<()>) -> Option<usize> {
    let b = raw.get().as_bytes();
    let (mut i, mut n) = (0, 0);
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && is_ws(b[*i]) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    skip_ws(&mut i);
    if b.get(i) == Some(&b']') {
        return Some(0);
    }
    loop {
        skip_ws(&mut i);
        // A JSON value that starts with a digit or a minus sign is a number
        // (anything else — a string, a literal, a nested value — is not), and
        // the longest float there is exactly that number.
        if !b.get(i).is_some_and(|&c| c == b'-' || c.is_ascii_digit()) {
            return None;
        }
        let (x, used) = fast_float2::parse_partial::<f64, _>(&b[i..]).ok()?;
        i += used;
        each(x)?;
        n += 1;
        skip_ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return Some(n),
            _ => return None,
        }
    }
}

/// A `logprobs` array's sum (added in order, from 0) and length, when every
/// entry passes [`check_logprob`].
fn summed(raw: &RawValue) -> Option<(f64, usize)> {
    let mut sum = 0.0;
    let len = numbers(raw, |x| {
        check_logprob(x).ok()?;
        sum += x;
        Some(())
    })?;
    Some((sum, len))
}

/// Question `q` (id defaulting to `q`) from `line`, when the typed reading
/// is sure; `None` sends the line to the general reader.
pub fn fast_question(line: &str, q: usize, answers: Option<&HashMap<String, String>>) -> Option<RawQuestion> {
    let rec: Record = serde_json::from_str(line).ok()?;
    let id = rec.id.unwrap_or_else(|| q.to_string());
    let truth = match rec.answer {
        Some(t) => t,
        None => answers?.get(&id)?.clone(),
    };
    if rec.paths.is_empty() {
        return None;
    }
    let mut paths = Vec::with_capacity(rec.paths.len());
    for (j, p) in rec.paths.into_iter().enumerate() {
        if p.top_logprobs.is_some() || p.n_tokens == Some(0) {
            return None;
        }
        let logprobs = match p.logprobs {
            Some(raw) => Some(summed(raw)?),
            None => None,
        };
        let (mean, sum) = match (logprobs, p.mean_logprob, p.logprob_sum) {
            (Some((sum, len)), given_mean, given_sum) => {
                if len == 0 || p.n_tokens.is_some_and(|k| k != len as u64) {
                    return None;
                }
                let mean = sum / len as f64;
                if given_sum.is_some_and(|g| !agrees(g, sum)) || given_mean.is_some_and(|g| !agrees(g, mean)) {
                    return None;
                }
                (Some(mean), Some(sum))
            }
            (None, Some(mean), _) => {
                check_logprob(mean).ok()?;
                (Some(mean), p.n_tokens.map(|k| mean * k as f64))
            }
            (None, None, Some(sum)) => {
                check_logprob(sum).ok()?;
                (Some(sum / p.n_tokens? as f64), Some(sum))
            }
            (None, None, None) if p.n_tokens.is_some() => return None,
            (None, None, None) => (None, None),
        };
        let mut signals = PathSignals::default();
        if let Some(raw) = p.token_confidence {
            let mut c = Vec::new();
            let len = numbers(raw, |v| (v.is_finite() && v >= 0.0).then(|| c.push(v as f32)))?;
            if len == 0 || logprobs.is_some_and(|(_, l)| l != len) {
                return None;
            }
            signals.token_confidence = Some(c);
        }
        if let Some(v) = p.self_certainty {
            if !(v.is_finite() && v >= 0.0) {
                return None;
            }
            signals.self_certainty = Some(v);
        }
        if let Some(v) = p.p_true {
            if !(0.0..=1.0).contains(&v) {
                return None;
            }
            signals.p_true = Some(v);
        }
        let text = p.text.unwrap_or_else(|| format!("#path{j}"));
        let answer = p.answer.filter(|a| !a.is_empty()).or_else(|| extract_answer(&text)).unwrap_or_else(|| INVALID.to_string());
        let tokens = p.n_tokens.or(logprobs.map(|(_, l)| l as u64));
        paths.push(RawPath { text: text.into(), answer: answer.into(), mean_logprob: mean, sum_logprob: sum, signals, tokens });
    }
    Some(RawQuestion { id, truth, paths })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use serde_json::Value;

    fn general(line: &str, q: usize, answers: Option<&HashMap<String, String>>) -> Result<RawQuestion, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let id = super::super::jsonl::record_id(&v, q);
        super::super::jsonl::question_with_id(&v, q, id, std::path::Path::new("f.jsonl"), answers).map_err(|e| e.to_string())
    }

    /// Replacement values for a field, valid and not.
    const VALUES: [&str; 28] = [
        "null",
        "0",
        "-0.5",
        "1",
        "2.5",
        "-1e308",
        "1e400",
        "\"x\"",
        "\"\"",
        "[]",
        "[-0.1]",
        "[0.5]",
        "{}",
        "true",
        "[-0.1,-0.2,-0.3]",
        "12",
        "-1e-400",
        "[-1e-400, -0, -4.9e-324]",
        "[-1e400]",
        "[ -0.1 ,\t-2 ]",
        "[-0.1, \"x\"]",
        "[\"-0.5,-1\"]",
        "[-0.1, [1]]",
        "[-0.1, null]",
        "[3.5, 0.25]",
        "[-12345678901234567890123, -0.30000000000000004441]",
        "[1, 2, 3]",
        "[-2.2250738585072011e-308, -2.2250738585072014e-308]",
    ];
    const FIELDS: [&str; 16] = [
        "id",
        "answer",
        "text",
        "logprobs",
        "logprob_sum",
        "mean_logprob",
        "n_tokens",
        "token_confidence",
        "self_certainty",
        "p_true",
        "top_logprobs",
        "paths",
        "finished",
        "question",
        "prompt_tokens",
        "other",
    ];

    /// `fast-float2` and serde_json (`float_roundtrip`) give the same bits for
    /// every number JSON can spell: random doubles written shortest, with 17
    /// and with 25 significant digits, and random digit strings (halfway
    /// cases among them), 10⁵ of each.
    #[test]
    fn fast_float_rounds_as_serde_json_does() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let same = |s: &str| {
            let a: f64 = serde_json::from_str(s).unwrap();
            let b: f64 = fast_float2::parse(s).unwrap();
            assert_eq!(a.to_bits(), b.to_bits(), "{s}");
        };
        for _ in 0..100_000 {
            let x = f64::from_bits(rng.random::<u64>() & !(0x7ff << 52) | (rng.random_range(0..0x7ffu64) << 52));
            for s in [format!("{x}"), format!("{x:.16e}"), format!("{x:.24e}")] {
                same(&s);
            }
            let digits: String = (0..rng.random_range(1..40)).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
            same(&format!("-0.{digits}e{}", rng.random_range(-330..300)));
            same(&format!("{}{}{digits}", if rng.random_bool(0.5) { "-" } else { "" }, rng.random_range(1..10u8)));
            // no leading zero in JSON
        }
    }

    #[test]
    fn typed_reading_agrees_with_the_general_reader_or_stands_aside() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/smollm2_paths.jsonl")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let answers: HashMap<String, String> = [("q001".to_string(), "7".to_string()), ("3".to_string(), "5".to_string())].into();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(36);
        let (mut fast, mut aside) = (0, 0);
        let mut check = |line: &str, q: usize| {
            for answers in [None, Some(&answers)] {
                match fast_question(line, q, answers) {
                    Some(got) => {
                        assert_eq!(Ok(got), general(line, q, answers), "{line}");
                        fast += 1;
                    }
                    None => aside += 1,
                }
            }
        };
        for (q, line) in lines.iter().enumerate() {
            check(line, q);
        }
        // Mutations: a field (top level or in a path) set to another value,
        // dropped, or repeated.
        for _ in 0..4000 {
            let q = rng.random_range(0..lines.len());
            let mut v: Value = serde_json::from_str(lines[q]).unwrap();
            let field = FIELDS[rng.random_range(0..FIELDS.len())];
            let raw = VALUES[rng.random_range(0..VALUES.len())];
            let new: Option<Value> = serde_json::from_str(raw).ok(); // 1e400 only as text
            let in_path = rng.random_bool(0.7);
            let target = if in_path {
                let paths = v["paths"].as_array_mut().unwrap();
                let j = rng.random_range(0..paths.len());
                &mut paths[j]
            } else {
                &mut v
            };
            let obj = target.as_object_mut().unwrap();
            let mut line = match (rng.random_range(0..3), new) {
                (0, Some(new)) => {
                    obj.insert(field.to_string(), new);
                    serde_json::to_string(&v).unwrap()
                }
                (1, _) => {
                    obj.remove(field);
                    serde_json::to_string(&v).unwrap()
                }
                _ => serde_json::to_string(&v).unwrap().replacen("\"text\":", &format!("\"{field}\":{raw},\"text\":"), 1),
            };
            if rng.random_bool(0.1) {
                line = line.replacen("\"id\":\"q", "\"id\":\"r", 1);
            }
            check(&line, q);
        }
        assert!(fast > 2000 && aside > 1000, "both readings exercised: {fast} typed, {aside} general");
    }
}
