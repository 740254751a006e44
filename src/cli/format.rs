//! Plain-text tables.

/// A number for a table: fixed for ordinary magnitudes, scientific for tiny ones.
pub fn num(x: f64) -> String {
    let x = if x == 0.0 { 0.0 } else { x }; // no "-0.000000"
    if x.is_nan() {
        "nan".into()
    } else if x != 0.0 && x.abs() < 1e-4 {
        format!("{x:.3e}")
    } else {
        format!("{x:.6}")
    }
}

/// Left-aligned columns separated by two spaces.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells.iter().enumerate().map(|(i, c)| format!("{c}{}", " ".repeat(w[i] - c.chars().count()))).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    out.push_str(&line(w.iter().map(|&n| "-".repeat(n)).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

/// The first three cells of a theory/simulate row: estimator, answer, path.
pub fn key_cells(estimator: &str, answer: &str, path: Option<usize>) -> Vec<String> {
    vec![estimator.to_string(), answer.to_string(), path.map(|p| p.to_string()).unwrap_or_else(|| "-".into())]
}
