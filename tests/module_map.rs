//! DESIGN.md's module map, enforced: every `crate::<module>` a module's code
//! names (outside its unit tests and comments) is listed in its row's "may
//! import" column. Between crates Cargo enforces the map already (a crate
//! cannot name a crate it does not depend on); this test catches an import
//! within a crate — or through a lower crate's module brought in by name —
//! that the map does not declare.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Row {
    krate: String,
    module: String,
    allowed: BTreeSet<String>,
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(|s| s.trim_end_matches('/').to_string()).collect()
}

fn rows(root: &Path) -> Vec<Row> {
    let design = std::fs::read_to_string(root.join("DESIGN.md")).unwrap();
    let map = &design[design.find("## Module map").expect("DESIGN.md has a module map")..];
    let map = &map[..map[3..].find("\n## ").map(|i| i + 3).unwrap_or(map.len())];
    // The library crates' rows (the Python crate names its imports by crate).
    map.lines()
        .filter(|l| ["core", "eval", "models", "figures"].iter().any(|c| l.starts_with(&format!("| `pathconf-{c}`"))))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            Row { krate: backticked(cells[0])[0].clone(), module: backticked(cells[1])[0].clone(), allowed: backticked(cells[3]).into_iter().collect() }
        })
        .collect()
}

/// The `.rs` files of a module (a file, or a folder of them).
fn files(dir: &Path) -> Vec<PathBuf> {
    if dir.with_extension("rs").is_file() {
        return vec![dir.with_extension("rs")];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Module names after `crate::` in code lines before the file's unit tests.
fn imports(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                None => vec![rest],
            };
            for n in names {
                let name: String = n.trim().chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_import_is_on_the_module_map() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rows = rows(root);
    assert!(rows.len() >= 25, "the map has {} module rows", rows.len());
    // An exported macro is named at its crate's root (`crate::named_option!`):
    // it counts as an import of the module that defines it.
    let mut macro_home = std::collections::BTreeMap::new();
    for row in &rows {
        for file in files(&root.join("crates").join(&row.krate).join("src").join(&row.module)) {
            for line in std::fs::read_to_string(&file).unwrap().lines() {
                if let Some(rest) = line.trim_start().strip_prefix("macro_rules! ") {
                    macro_home.insert(rest.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_').to_string(), row.module.clone());
                }
            }
        }
    }
    let mut undeclared = Vec::new();
    for row in &rows {
        let dir = root.join("crates").join(&row.krate).join("src").join(&row.module);
        for file in files(&dir) {
            for name in imports(&file) {
                let name = macro_home.get(&name).cloned().unwrap_or(name);
                if name != row.module && !row.allowed.contains(&name) {
                    undeclared.push(format!("{} imports `{name}` ({})", row.module, file.strip_prefix(root).unwrap().display()));
                }
            }
        }
    }
    assert!(undeclared.is_empty(), "imports missing from DESIGN.md's module map:\n{}", undeclared.join("\n"));
}

#[test]
fn every_module_of_the_library_crates_is_on_the_map() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mapped: BTreeSet<(String, String)> = rows(root).into_iter().map(|r| (r.krate, r.module)).collect();
    for krate in ["pathconf-core", "pathconf-eval", "pathconf-models", "pathconf-figures"] {
        let lib = std::fs::read_to_string(root.join("crates").join(krate).join("src/lib.rs")).unwrap();
        for line in lib.lines().filter_map(|l| l.strip_prefix("pub mod ")) {
            let module = line.trim_end_matches(';').to_string();
            assert!(mapped.contains(&(krate.to_string(), module.clone())), "{krate}::{module} is not on DESIGN.md's module map");
        }
    }
}
