#!/usr/bin/env bash
# Mutation testing (issue #32, item 6): cargo-mutants over the theory,
# accuracy and stopping modules of pathconf-core, judged by pathconf-core's
# own tests (its unit tests and crates/pathconf-core/tests/, where every
# property of those modules lives), in round-robin shards so that any prefix
# of the shards is an even sample of the mutants. Not in CI: about 25 s per
# mutant on two cores, 2,285 mutants.
#
#   bash scripts/mutants.sh [FIRST_SHARD [LAST_SHARD [OUT_DIR]]]   (shards of 32; default all)
#
# Each shard writes OUT_DIR/shard-K/mutants.out (caught.txt, missed.txt,
# timeout.txt, unviable.txt, outcomes.json); a finished shard is skipped on a
# rerun. `bash scripts/mutants.sh summary [OUT_DIR]` totals them;
# `bash scripts/mutants.sh rerun LIST [OUT_DIR]` re-runs the mutants named in
# LIST (e.g. the survivors a new check was written for) on today's tree;
# `bash scripts/mutants.sh rest [OUT_DIR [SIZE]]` runs, in chunks, today's
# mutants that no run kept in data/mutants/ has tested (the shards ran on
# changing trees; see scripts/mutants_remaining.py).
# Needs cargo-mutants (`cargo install cargo-mutants`). MUTANTS_TIMEOUT (s,
# default 90) and MUTANTS_BUILD_TIMEOUT (s, default 300) raise the test and
# build timeouts when the machine is shared: a timeout is not a result.
set -euo pipefail
cd "$(dirname "$0")/.."
shards=32
# The scoped run every mode shares: the three modules, judged by pathconf-core's tests.
run_mutants() {
  cargo mutants -p pathconf-core \
    -f 'crates/pathconf-core/src/stopping/**' -f 'crates/pathconf-core/src/accuracy/**' -f 'crates/pathconf-core/src/theory/**' \
    --test-package pathconf-core --profile mutants \
    --cargo-test-arg=--lib --cargo-test-arg=--tests \
    --timeout "${MUTANTS_TIMEOUT:-90}" --build-timeout "${MUTANTS_BUILD_TIMEOUT:-300}" "$@"
}
if [ "${1:-}" = summary ]; then
  out="${2:-/tmp/pathconf-mutants}"
  for kind in caught missed timeout unviable; do
    printf '%-9s %s\n' "$kind" "$(cat "$out"/shard-*/mutants.out/$kind.txt 2>/dev/null | wc -l)"
  done
  echo "shards done: $(ls -d "$out"/shard-*/done 2>/dev/null | wc -l) of $shards"
  echo "missed:"; cat "$out"/shard-*/mutants.out/missed.txt 2>/dev/null | sort | sed 's/^/  /'
  exit 0
fi
# Run the mutants named in LIST (one cargo-mutants name a line, as in
# missed.txt) on today's tree into OUT: each line becomes an exact --re pattern.
run_named() {
  local list="$1" out="$2" args=()
  while IFS= read -r name; do
    [ -n "$name" ] && args+=(--re "^$(printf '%s' "$name" | sed 's/[][\\.*^$+?(){}|]/\\&/g')\$")
  done < "$list"
  rm -rf "$out"; mkdir -p "$out"
  run_mutants "${args[@]}" --output "$out" && rc=0 || rc=$?
  # 2: some mutants missed, 3: some timed out — results; anything else is a failure.
  case $rc in 0 | 2 | 3) git rev-parse HEAD > "$out/tree" ;; *) return "$rc" ;; esac
}
if [ "${1:-}" = rerun ]; then
  run_named "$2" "${3:-/tmp/pathconf-mutants/rerun}"
  exit 0
fi
if [ "${1:-}" = rest ]; then
  # The mutants of today's tree that no run kept in data/mutants/ (nor a
  # finished chunk in OUT) has tested — matched by the text they change, since
  # line numbers move between trees (scripts/mutants_remaining.py) — in chunks
  # of SIZE (default 71, a shard's size), each run into OUT/rest-TREE-K/.
  out="${2:-/tmp/pathconf-mutants}"; size="${3:-71}"
  mkdir -p "$out"
  tree=$(git rev-parse --short HEAD)
  if [ "$(cat "$out/rest.tree" 2>/dev/null)" != "$tree" ]; then
    finished=()
    for d in "$out"/rest-*/; do [ -f "$d/done" ] && finished+=("$d"); done
    run_mutants --list > "$out/today.txt"
    python3 scripts/mutants_remaining.py "$out/today.txt" "${finished[@]}" > "$out/rest.txt"
    rm -f "$out"/rest-chunk-*
    split -l "$size" -d -a 3 "$out/rest.txt" "$out/rest-chunk-"
    echo "$tree" > "$out/rest.tree"
  fi
  for chunk in "$out"/rest-chunk-*; do
    [ -f "$chunk" ] || continue
    dir="$out/rest-$tree-${chunk##*-}"
    [ -f "$dir/done" ] && continue
    run_named "$chunk" "$dir"
    touch "$dir/done"
  done
  exit 0
fi
first="${1:-0}"; last="${2:-$((shards - 1))}"; out="${3:-/tmp/pathconf-mutants}"
mkdir -p "$out"
for k in $(seq "$first" "$last"); do
  [ -f "$out/shard-$k/done" ] && continue
  rm -rf "$out/shard-$k"
  run_mutants --shard "$k/$shards" --sharding round-robin --output "$out/shard-$k" && rc=0 || rc=$?
  # 2: some mutants missed, 3: some timed out — results; anything else is a failure.
  case $rc in 0 | 2 | 3) git rev-parse HEAD > "$out/shard-$k/tree"; touch "$out/shard-$k/done" ;; *) echo "shard $k: cargo-mutants exited $rc" >&2; exit "$rc" ;; esac
done
