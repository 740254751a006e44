//! When are two answers the same?
//!
//! [`Equivalence::Math`] (default): answers are normalised — surrounding
//! `$`, `\text{..}`/`\mathrm{..}` wrappers, `\left`/`\right`, `\!`, spaces and
//! a trailing period removed; `\dfrac`/`\tfrac` read as `\frac`; thousands
//! separators (`1,000`) dropped; case folded — and then compared as exact
//! rationals when both parse as numbers (`0.5` = `1/2` = `\frac{1}{2}` = `.50`,
//! `-3` = `-3.0`), else as normalised strings. Exact rational comparison
//! keeps the relation transitive (unlike a floating tolerance).
//! [`Equivalence::Exact`] compares the raw strings.
//!
//! A reference cache file (`{"a<##>b": true, ...}`) overrides both for the
//! pairs it lists, looked up in either order.

use std::collections::HashMap;

/// Which answer equivalence to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Equivalence {
    /// Normalised strings plus exact numeric equality.
    #[default]
    Math,
    /// Raw string equality.
    Exact,
}

pathconf_core::named_option!(Equivalence, "equivalence", { Equivalence::Math => "math", Equivalence::Exact => "exact" });

/// A canonical key: equal keys ⇔ equivalent answers (without a cache).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnswerKey {
    /// A number `num/den` in lowest terms, `den > 0`.
    Rational(i128, i128),
    /// A normalised (or raw) string.
    Text(String),
}

/// An equivalence relation with an optional cache of pairwise verdicts.
///
/// ```
/// use pathconf_eval::eval::equivalence::AnswerEquality;
/// let e = AnswerEquality::default();
/// assert!(e.equal("0.5", "\\frac{1}{2}") && e.equal("1,000", "1000") && !e.equal("0.5", "0.51"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct AnswerEquality {
    /// The base relation.
    pub mode: Equivalence,
    /// Pairwise overrides keyed `"a<##>b"`.
    pub cache: HashMap<String, bool>,
}

impl AnswerEquality {
    /// The canonical key of an answer.
    pub fn key(&self, a: &str) -> AnswerKey {
        match self.mode {
            Equivalence::Exact => AnswerKey::Text(a.to_string()),
            Equivalence::Math => canonical(a),
        }
    }

    /// Whether `a` and `b` are the same answer (cache first, then the keys).
    pub fn equal(&self, a: &str, b: &str) -> bool {
        if !self.cache.is_empty() {
            if let Some(&v) = self.cache.get(&format!("{a}<##>{b}")).or_else(|| self.cache.get(&format!("{b}<##>{a}"))) {
                return v;
            }
        }
        a == b || self.key(a) == self.key(b)
    }
}

/// Normalises an answer and reads it as an exact rational when possible.
pub fn canonical(a: &str) -> AnswerKey {
    let s = normalise(a);
    match parse_rational(&s) {
        Some((n, d)) => AnswerKey::Rational(n, d),
        None => AnswerKey::Text(s),
    }
}

/// The normalised string form (see the module docs).
pub fn normalise(a: &str) -> String {
    // Wrappers, `$`, spaces and trailing periods are peeled off as slices;
    // the replacements below run only when there is something to replace.
    let mut s = a.trim();
    loop {
        let before = s.len();
        s = s.trim().trim_matches('$').trim();
        for w in ["\\text{", "\\textbf{", "\\mathrm{", "\\mathbf{", "\\boxed{"] {
            if let Some(inner) = s.strip_prefix(w).and_then(|rest| rest.strip_suffix('}')) {
                s = inner;
            }
        }
        s = s.trim_end_matches('.');
        if s.len() == before {
            break;
        }
    }
    let mut s = if s.contains('\\') {
        s.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", "").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    } else {
        s.to_string()
    };
    s.retain(|c| !c.is_whitespace());
    if s.contains(',') {
        s = drop_thousands_separators(&s);
    }
    if s.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        s = s.to_lowercase();
    }
    s
}

/// `1,000,000` → `1000000` when every group after a comma has three digits.
fn drop_thousands_separators(s: &str) -> String {
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", s),
    };
    let int_part = body.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int_part.split(',').collect();
    let ok = groups.len() > 1
        && !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3);
    if ok {
        format!("{sign}{}", body.replacen(',', "", groups.len() - 1))
    } else {
        s.to_string()
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn reduce(n: i128, d: i128) -> Option<(i128, i128)> {
    if d == 0 {
        return None;
    }
    let g = gcd(n, d).max(1);
    let (n, d) = (n / g, d / g);
    Some(if d < 0 { (-n, -d) } else { (n, d) })
}

/// Reads a decimal (`-12`, `0.5`, `.50`, `3.`) as an exact rational.
fn parse_decimal(s: &str) -> Option<(i128, i128)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (ip, fp) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if (ip.is_empty() && fp.is_empty()) || !ip.chars().chain(fp.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    if ip.len() + fp.len() > 30 {
        return None;
    }
    let digits = format!("{ip}{fp}");
    let n: i128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let d = 10i128.checked_pow(fp.len() as u32)?;
    reduce(if neg { -n } else { n }, d)
}

/// Reads a decimal, `a/b`, or `\frac{a}{b}` (with an optional leading `-`).
pub fn parse_rational(s: &str) -> Option<(i128, i128)> {
    if let Some(r) = parse_decimal(s) {
        return Some(r);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (a, b) = if let Some(rest) = body.strip_prefix("\\frac{") {
        let (a, rest) = rest.split_once("}{")?;
        (a, rest.strip_suffix('}')?)
    } else if let Some(rest) = body.strip_prefix("\\frac") {
        // \frac12
        let mut chars = rest.chars();
        let (a, b) = (chars.next()?, chars.next()?);
        if chars.next().is_some() {
            return None;
        }
        return reduce_pair(neg, &a.to_string(), &b.to_string());
    } else {
        body.split_once('/')?
    };
    reduce_pair(neg, a, b)
}

fn reduce_pair(neg: bool, a: &str, b: &str) -> Option<(i128, i128)> {
    let (an, ad) = parse_decimal(a)?;
    let (bn, bd) = parse_decimal(b)?;
    let n = an.checked_mul(bd)?;
    let d = ad.checked_mul(bn)?;
    reduce(if neg { -n } else { n }, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_forms_agree() {
        let e = AnswerEquality::default();
        for (a, b) in [
            ("0.5", "1/2"),
            ("1/2", "\\frac{1}{2}"),
            ("\\frac{1}{2}", ".50"),
            ("1,000", "1000"),
            ("$42$", "42"),
            ("\\text{7}", "7.0"),
            ("-\\dfrac{3}{4}", "-0.75"),
            ("3.", "3"),
            ("ABC", "abc"),
        ] {
            assert!(e.equal(a, b), "{a} = {b}");
        }
        for (a, b) in [("0.5", "0.51"), ("1,00", "100"), ("x", "y"), ("1/0", "0")] {
            assert!(!e.equal(a, b), "{a} != {b}");
        }
        let exact = AnswerEquality { mode: Equivalence::Exact, ..Default::default() };
        assert!(!exact.equal("0.5", "1/2"));
    }

    /// The first, allocation-per-step implementation of [`normalise`], kept
    /// as the oracle for the slice-based one.
    fn normalise_plain(a: &str) -> String {
        let mut s = a.trim().to_string();
        loop {
            let before = s.clone();
            s = s.trim().trim_matches('$').trim().to_string();
            for w in ["\\text{", "\\textbf{", "\\mathrm{", "\\mathbf{", "\\boxed{"] {
                if let Some(inner) = s.strip_prefix(w).and_then(|r| r.strip_suffix('}')) {
                    s = inner.to_string();
                }
            }
            s = s.trim_end_matches('.').to_string();
            if s == before {
                break;
            }
        }
        let mut s =
            s.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", "").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s.retain(|c| !c.is_whitespace());
        drop_thousands_separators(&s).to_lowercase()
    }

    proptest::proptest! {
        #[test]
        fn normalise_matches_the_plain_implementation(parts in proptest::collection::vec(proptest::sample::select(vec![
            "\\text{", "\\boxed{", "\\mathbf{", "}", "$", " ", ".", ",", "-", "1", "23", "000", "/", "\\left(", "\\right)",
            "\\!", "\\,", "\\dfrac", "\\tfrac", "{", "x", "É", "ß", "A", "\t", "İ",
        ]), 0..12)) {
            let a: String = parts.concat();
            proptest::prop_assert_eq!(normalise(&a), normalise_plain(&a), "input {:?}", a);
        }
    }

    #[test]
    fn cache_overrides_either_order() {
        let mut e = AnswerEquality::default();
        e.cache.insert("x<##>y".into(), true);
        e.cache.insert("1<##>1.0".into(), false);
        assert!(e.equal("y", "x"));
        assert!(!e.equal("1.0", "1"));
    }
}
