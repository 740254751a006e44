//! Questions files: JSONL `{"id", "question", "answer"?}` — what `pathconf
//! sample` (built-in model or `--endpoint`) samples paths for. The answer
//! (a string or a number) is the ground truth, when known.

use serde_json::Value;
use std::path::Path;

/// One question to sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Its id (unique in the file).
    pub id: String,
    /// Its text.
    pub question: String,
    /// Its ground truth, when the file gives it.
    pub answer: Option<String>,
}

/// Reads a questions file; errors name the file, line and field.
pub fn read_questions(text: &str, file: &Path) -> Result<Vec<Question>, String> {
    let mut out: Vec<Question> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at =
            |field: &str, what: &str| format!("{}: line {}: field `{field}`: {what} (expected {{\"id\", \"question\", \"answer\"?}})", file.display(), i + 1);
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("{}: line {}: {e} (expected {{\"id\", \"question\", \"answer\"?}})", file.display(), i + 1))?;
        let id = match v.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(at("id", "missing or empty")),
        };
        let question = match v.get("question") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(at("question", "missing or empty")),
        };
        let answer = match v.get("answer") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => return Err(at("answer", &format!("expected a string or a number, found {other}"))),
        };
        if !seen.insert(id.clone()) {
            return Err(at("id", &format!("{id:?} repeats an earlier question's id")));
        }
        out.push(Question { id, question, answer });
    }
    if out.is_empty() {
        return Err(format!("{}: no questions", file.display()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_optional_and_ids_unique() {
        let f = Path::new("q.jsonl");
        let qs = read_questions("{\"id\": \"a\", \"question\": \"1+1?\", \"answer\": 2}\n\n{\"id\": 7, \"question\": \"x\"}\n", f).unwrap();
        assert_eq!((qs[0].answer.as_deref(), qs[1].id.as_str(), qs[1].answer.as_deref()), (Some("2"), "7", None));
        let e = read_questions("{\"id\": \"a\", \"question\": \"x\"}\n{\"id\": \"a\", \"question\": \"y\"}\n", f).unwrap_err();
        assert!(e.contains("line 2") && e.contains("`id`") && e.contains("repeats"), "{e}");
        let e = read_questions("{\"id\": \"a\"}\n", f).unwrap_err();
        assert!(e.contains("line 1") && e.contains("`question`"), "{e}");
    }
}
