#!/usr/bin/env bash
# Proves the property suite bites (issue #32, item 6): seeds four known bugs,
# one at a time, into a scratch copy of the tree and runs the checks that
# should catch them — the core's unit tests, the property tests, the
# optimiser's tests and `verify`'s quick grid — printing which fail. Not in
# CI (each bug rebuilds the core: a few minutes each).
# Writes its scratch tree and build into ${1:-/tmp/pathconf-seeded}.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-/tmp/pathconf-seeded}"
rm -rf "$root/tree"
mkdir -p "$root"
git worktree prune
git worktree add -q --detach "$root/tree" HEAD
trap 'git worktree remove --force "$root/tree" >/dev/null 2>&1 || true' EXIT
export CARGO_TARGET_DIR="$root/target"
# name | file | sed expression (applied to the pristine file)
bugs=(
  "an off-by-one in the partition programme (the last sample count skipped)|crates/pathconf-core/src/stopping/symmetric.rs|s/    for n in 0..=max {/    for n in 0..max {/"
  "wrong tie credit (a tie counts as correct)|crates/pathconf-core/src/select.rs|s|let credit = if ties == 0 { 0.0 } else { correct as f64 / ties as f64 };|let credit = if correct == 0 { 0.0 } else { 1.0 };|"
  "the paper's α in place of the exact form (PC's missed mass with (1 − p_a/k)^n)|crates/pathconf-core/src/theory/pc.rs|s|g.iter().map(\|(q, c)\| c \* q \* miss(q, n)).sum()|g.iter().map(\|(q, c)\| c * q * miss(g.mass() / g.len() as f64, n)).sum()|"
  "a sign in the line search (sufficient decrease with the wrong sign)|crates/pathconf-core/src/optim/line_search.rs|s/let decrease_slope = p.ftol \* self.slope0;/let decrease_slope = -p.ftol * self.slope0;/"
)
for bug in "${bugs[@]}"; do
  IFS='|' read -r name file expr <<<"$bug"
  git -C "$root/tree" checkout -q -- .
  sed -i "$expr" "$root/tree/$file"
  if git -C "$root/tree" diff --quiet; then
    echo "!! $name: the seed did not apply (the code moved); fix the expression"; exit 1
  fi
  echo "== $name"
  ( cd "$root/tree" && cargo build -q --release --bin pathconf 2>/dev/null ) || { echo "   does not compile"; continue; }
  for t in "-p pathconf-core --lib" "-p pathconf-core --test properties" "--test optim" "-p pathconf-core --test accuracy" "-p pathconf-core --test stopping"; do
    # shellcheck disable=SC2086
    out=$(cd "$root/tree" && cargo test -q --release $t 2>&1 || true)
    failed=$(echo "$out" | grep -E '^    [a-z_:0-9]+$' | sed 's/^ *//' | tr '\n' ' ' || true)
    if [ -n "$failed" ]; then echo "   caught by cargo test $t: $failed"; else echo "   cargo test $t: passes"; fi
  done
  v=$(cd "$root/tree" && "$CARGO_TARGET_DIR/release/pathconf" verify --quick --trials 20000 2>/dev/null | grep -E 'FAILED|fails' | head -3 || true)
  [ -n "$v" ] && echo "   verify --quick: $v" || echo "   verify --quick: no failure"
done
