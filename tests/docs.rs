//! README quotes generated results: they must be the ones `reproduce` wrote.

use std::path::Path;

/// The markdown table that starts with the line beginning `header` in `text`.
fn table<'a>(text: &'a str, header: &str) -> Vec<&'a str> {
    text.lines().skip_while(|l| !l.starts_with(header)).take_while(|l| l.starts_with('|')).collect()
}

/// The aggregators leaderboard in README.md is, row for row, the one in
/// `figures/summary.md` (regenerate both with `pathconf reproduce` and copy
/// the table when the data or the methods change).
#[test]
fn readme_leaderboard_is_the_generated_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let summary = std::fs::read_to_string(root.join("figures/summary.md")).unwrap();
    let header = "| family | chosen on the tuning half |";
    let generated = table(&summary, header);
    assert!(generated.len() >= 12, "summary.md has no leaderboard: {generated:?}");
    assert_eq!(table(&readme, header), generated, "README's leaderboard differs from figures/summary.md");
}

/// The validation table of `plan` in README.md is the one in
/// `figures/summary.md`.
#[test]
fn readme_plan_validation_is_the_generated_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let summary = std::fs::read_to_string(root.join("figures/summary.md")).unwrap();
    let header = "| source | model | methods and rules | quantity | cells |";
    let generated = table(&summary, header);
    assert!(generated.len() >= 26, "summary.md has no plan validation: {generated:?}");
    assert_eq!(table(&readme, header), generated, "README's plan validation differs from figures/summary.md");
}
