//! `pathconf reproduce --quick`: every file is produced, each CSV has the
//! expected columns and finite values, the exact curves agree with the Monte
//! Carlo points, and the CSV bytes do not depend on the thread count.

use pathconf::figures::{accuracy, convergence, degeneration, model_error, pruning};
use statrs::distribution::{ContinuousCDF, Normal};
use std::path::Path;
use std::process::Command;

fn reproduce(out: &Path, threads: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_pathconf"))
        .args(["--threads", threads, "reproduce", "--quick", "--out", out.to_str().unwrap(), "--seed", "11"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(str::to_string).collect();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

#[test]
fn reproduce_quick_writes_every_figure_with_sound_data() {
    let dir = tempfile::tempdir().unwrap();
    reproduce(dir.path(), "2");
    let expected: [(&str, &[&str]); 5] = [
        ("convergence", &convergence::COLUMNS),
        ("degeneration", &degeneration::COLUMNS),
        ("model_error", &model_error::COLUMNS),
        ("accuracy_vs_samples", &accuracy::COLUMNS),
        ("pruning_threshold", &pruning::COLUMNS),
    ];
    for (name, columns) in expected {
        for ext in ["png", "svg", "csv"] {
            let p = dir.path().join(format!("{name}.{ext}"));
            assert!(p.metadata().map(|m| m.len() > 1000).unwrap_or(false), "{} missing or tiny", p.display());
        }
        let (header, rows) = read_csv(&dir.path().join(format!("{name}.csv")));
        assert_eq!(header, columns.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "{name}: columns");
        assert!(!rows.is_empty(), "{name}: no rows");
        for r in &rows {
            assert_eq!(r.len(), header.len(), "{name}: ragged row {r:?}");
            for (c, v) in header.iter().zip(r) {
                // Text columns and empty cells (no paper formula, no exact RPC) aside, values are finite numbers.
                if v.is_empty() || ["estimator", "method", "kind", "panel"].contains(&c.as_str()) {
                    continue;
                }
                if c == "exact" && v == "NaN" {
                    continue; // RPC has no closed form
                }
                let x: f64 = v.parse().unwrap_or_else(|_| panic!("{name}.{c}: {v:?} is not a number"));
                assert!(x.is_finite(), "{name}.{c} = {v}");
            }
        }
    }
    assert!(std::fs::read_to_string(dir.path().join("summary.md")).unwrap().contains("## Convergence"));

    // Exact curves vs Monte Carlo points: z-tests, Bonferroni over all points
    // at a family-wise false-failure rate of 1e-3 (fixed seed: deterministic).
    let (header, rows) = read_csv(&dir.path().join("convergence.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let checked: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("exact")] != "NaN").collect();
    assert!(checked.len() >= 40);
    let z_crit = Normal::new(0.0, 1.0).unwrap().inverse_cdf(1.0 - 1e-3 / (2.0 * checked.len() as f64));
    for r in checked {
        let (exact, mean, se): (f64, f64, f64) = (r[col("exact")].parse().unwrap(), r[col("mc_mean")].parse().unwrap(), r[col("mc_std_error")].parse().unwrap());
        // floor: one unobserved extreme outcome among the 4,000 quick-mode trials
        let z = (exact - mean) / (se * se + (1.0f64 / 4000.0).powi(2)).sqrt();
        assert!(z.abs() <= z_crit, "convergence row {r:?}: z = {z:.2}");
    }
}

#[test]
fn figure_data_do_not_depend_on_the_thread_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    reproduce(a.path(), "1");
    reproduce(b.path(), "2");
    for name in ["convergence", "degeneration", "model_error", "accuracy_vs_samples", "pruning_threshold"] {
        let x = std::fs::read(a.path().join(format!("{name}.csv"))).unwrap();
        let y = std::fs::read(b.path().join(format!("{name}.csv"))).unwrap();
        assert!(x == y, "{name}.csv differs between 1 and 2 threads");
    }
}
