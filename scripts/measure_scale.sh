#!/usr/bin/env bash
# README's "Files larger than memory" measurements (issue #36): a paths JSONL
# of ${GB:-20} GB (the committed SmolLM2 records repeated, scripts/big_paths.py),
# read from the page cache by `cat` and by `pathconf eval` (default methods;
# `--stop`; `--per-question`), each run's wall time, MB/s and peak private
# memory (RssAnon, sampled every 50 ms from /proc: the mapped file's pages are
# the page cache's, not the process's). The file goes to ${1:-/tmp/pathconf-scale}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/pathconf-scale}"
gb="${GB:-20}"
mkdir -p "$out"
file="$out/paths_${gb}g.jsonl"
[ -f "$file" ] || python3 scripts/big_paths.py "$file" "$gb"
cargo build -q --release --bin pathconf
pc="${CARGO_TARGET_DIR:-target}/release/pathconf"
bytes=$(stat -c %s "$file")
# Runs a command; prints wall seconds, MB/s of the file and peak RssAnon.
measure() {
    local label="$1"; shift
    local start end peak=0 a
    start=$(date +%s.%N)
    "$@" >"$out/last.out" 2>"$out/last.err" &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        a=$(awk '/^RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
        sleep 0.05
    done
    wait "$pid"
    end=$(date +%s.%N)
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'| {sys.argv[5]} | {s:.1f} s | {int(sys.argv[3])/s/1e6:.0f} MB/s | {int(sys.argv[4])/1024:.0f} MB |')" "$start" "$end" "$bytes" "$peak" "$label"
}
cat "$file" >/dev/null # into the page cache
echo "file: $file, $((bytes / 1000000)) MB, $(nproc) cores"
echo "| run | wall | throughput | peak RssAnon |"
echo "|---|---|---|---|"
measure "cat FILE > /dev/null" cat "$file"
measure "eval --methods sc (1 thread)" env RAYON_NUM_THREADS=1 "$pc" eval "$file" --methods sc --json
measure "eval --methods sc" "$pc" eval "$file" --methods sc --json
measure "eval (sc, ppl, pc, rpc)" "$pc" eval "$file" --json
measure "eval --stop esc:5:40 --stop asc-beta:0.95:64 (10 orders)" "$pc" eval "$file" --stop esc:5:40 --stop asc-beta:0.95:64 --json
measure "eval --methods sc,pc --per-question" "$pc" eval "$file" --methods sc,pc --per-question --json
