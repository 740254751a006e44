//! Word-problem rule (pathconf's SmolLM2 prompts ask for "The answer is
//! N."): the first number after the last "answer is" (case-insensitive),
//! else `\boxed{…}`, else the last number in the text.

/// The first number (digits with optional sign, commas and decimals) in
/// `text`, commas dropped; with `last`, the last one.
fn number(text: &str, last: bool) -> Option<String> {
    let b = text.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || ((b[j] == b',' || b[j] == b'.') && j + 1 < b.len() && b[j + 1].is_ascii_digit())) {
                j += 1;
            }
            found = Some(text[start..j].replace(',', ""));
            if !last {
                return found;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

/// The answer in `text`: the first number after the last "answer is"
/// (case-insensitive), else `\boxed{…}`, else the last number.
pub fn extract(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(n) = lower.rfind("answer is").and_then(|at| number(&text[at..], false)) {
        return Some(n);
    }
    if text.contains("\\boxed") {
        if let Some(a) = super::math::extract_answer(text) {
            return Some(a);
        }
    }
    number(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_falls_back_to_the_last_number() {
        assert_eq!(extract("so 3 + 4 = 7 apples").as_deref(), Some("7"));
        assert_eq!(extract("The answer is 12.").as_deref(), Some("12"));
        assert_eq!(extract("7 + 5 = 12, so the answer is 12, not 13.").as_deref(), Some("12"));
        assert_eq!(extract("so \\boxed{3/4} it is, 5").as_deref(), Some("3/4"));
        assert_eq!(extract("she has -1,250.5 left.").as_deref(), Some("-1250.5"));
        assert_eq!(extract("no digits"), None);
    }
}
