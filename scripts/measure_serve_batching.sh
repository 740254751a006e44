#!/usr/bin/env bash
# README's "pathconf serve: batching" measurement: `pathconf serve --model
# smollm2` at --max-batch 1 (one sequence per decoding step) and 8 (the
# requests in flight decoded together), and llama.cpp's llama-server
# (8 slots) as the anchor, in one run on this machine. Each serves the same
# job — the first 16 committed questions, fixed:8 draws each (temperature
# 0.6, top-p 0.95, at most 128 new tokens), 8 requests in flight — three
# times; printed: completion tokens/s, mean ± s.e. of the three runs.
# Writes into ${1:-/tmp/pathconf-serve-batching}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/pathconf-serve-batching}"
mkdir -p "$out"
bin="$(bash scripts/build_llama_cpp.sh)"
bash scripts/fetch_smollm2.sh >/dev/null
gguf="${PATHCONF_MODELS:-$HOME/.cache/pathconf/models}/SmolLM2-135M-Instruct.Q4_1.gguf"
cargo build -q --release --bin pathconf
cp "${CARGO_TARGET_DIR:-target}/release/pathconf" "$out/pathconf"
pc="$out/pathconf"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 600); do curl -sf "$1/v1/models" >/dev/null && return 0; sleep 0.2; done; return 1; }
measure() { # name url logprob-kind
    local rates=()
    for run in 1 2 3; do
        rm -f "$out/$1-$run.jsonl" "$out/$1-$run.summary.jsonl"
        line=$("$pc" sample --endpoint "$2" --model smollm2 --questions data/questions.jsonl --limit 16 --n 8 \
            --temperature 0.6 --top-p 0.95 --max-new-tokens 128 --seed 2025 --concurrency 8 --allow-missing-logprobs \
            --logprob-kind "$3" --out "$out/$1-$run.jsonl" 2>/dev/null | grep '^this run:')
        rates+=("$(echo "$line" | sed -E 's/.*= ([0-9.]+) completion tokens\/s.*/\1/')")
        echo "  $1 run $run: $line"
    done
    python3 - "$1" "${rates[@]}" <<'PY'
import statistics, sys
name, xs = sys.argv[1], [float(x) for x in sys.argv[2:]]
se = statistics.stdev(xs) / len(xs) ** 0.5
print(f"{name}: {statistics.mean(xs):.1f} ± {se:.1f} completion tokens/s (measured, mean ± s.e. of {len(xs)} runs)")
PY
}
for batch in 1 8; do
    port=$(free_port)
    "$pc" serve --model smollm2 --port "$port" --workers 8 --max-batch "$batch" >"$out/serve-$batch.log" 2>&1 &
    server=$!
    wait_for "http://127.0.0.1:$port"
    measure "pathconf-serve-max-batch-$batch" "http://127.0.0.1:$port" processed
    curl -s "http://127.0.0.1:$port/pathconf/stats"; echo
    kill $server; wait $server 2>/dev/null || true
done
port=$(free_port)
"$bin/llama-server" -m "$gguf" --host 127.0.0.1 --port "$port" --alias smollm2 -np 8 -c 16384 --threads "$(nproc)" --no-webui >"$out/llama-server.log" 2>&1 &
server=$!
wait_for "http://127.0.0.1:$port"
measure llama-server-np-8 "http://127.0.0.1:$port" raw
kill $server; wait $server 2>/dev/null || true
