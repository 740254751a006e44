//! Math-benchmark rule (the paths files `eval` reads): the last `\boxed{...}`
//! (nested braces balanced), else the text after the last "the answer is"
//! (case-insensitive) up to the end of the line, without a trailing period.

/// Extracts the answer from `text`, or `None`.
pub fn extract_answer(text: &str) -> Option<String> {
    boxed(text).or_else(|| answer_is(text))
}

pub(super) fn boxed(text: &str) -> Option<String> {
    let start = text.rfind("\\boxed")?;
    let rest = &text[start + "\\boxed".len()..];
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('{')?;
    let mut depth = 1usize;
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let ans = inner[..i].trim();
                    return (!ans.is_empty()).then(|| ans.to_string());
                }
            }
            _ => {}
        }
    }
    None
}

fn answer_is(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths for non-ASCII text; fall back to an
    // ASCII-only search in that case so indices stay valid.
    let (hay, needle) = if lower.len() == text.len() { (lower, "the answer is") } else { (text.to_string(), "The answer is") };
    let pos = hay.rfind(needle)?;
    let rest = &text[pos + needle.len()..];
    let rest = rest.trim_start_matches([':', ' ', '\t']);
    let line = rest.lines().next().unwrap_or("").trim();
    let line = line.trim_end_matches('.').trim();
    let line = line.trim_start_matches('$').trim_end_matches('$').trim();
    (!line.is_empty()).then(|| line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_with_nested_braces_wins() {
        assert_eq!(extract_answer("so \\boxed{\\frac{1}{2}} and").as_deref(), Some("\\frac{1}{2}"));
        assert_eq!(extract_answer("\\boxed{1} then \\boxed{ 7 }").as_deref(), Some("7"));
        assert_eq!(extract_answer("The answer is 42.").as_deref(), Some("42"));
        assert_eq!(extract_answer("... the answer is: $3/4$.\nDone").as_deref(), Some("3/4"));
        assert_eq!(extract_answer("no answer here"), None);
        assert_eq!(extract_answer("\\boxed{unclosed"), None);
    }
}
