#!/usr/bin/env bash
# README's "Stopping online against a real server" measurements: llama.cpp's
# llama-server (scripts/build_llama_cpp.sh) serving SmolLM2-135M-Instruct
# (scripts/fetch_smollm2.sh) on loopback; the first 48 committed questions
# sampled as the committed paths were (temperature 0.6, top-p 0.95, no top-k
# or min-p truncation, at most 128 new tokens), at most 32 draws each:
# fixed:32, then ESC and Adaptive-Consistency online; then the replay of the
# same rules on the fixed:32 file and on the committed paths (what
# `eval --stop` predicts). Writes into ${1:-/tmp/pathconf-online}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/pathconf-online}"
mkdir -p "$out"
bin="$(bash scripts/build_llama_cpp.sh)"
bash scripts/fetch_smollm2.sh >/dev/null
gguf="${PATHCONF_MODELS:-$HOME/.cache/pathconf/models}/SmolLM2-135M-Instruct.Q4_1.gguf"
cargo build -q --release --bin pathconf
pc="${CARGO_TARGET_DIR:-target}/release/pathconf"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/llama-server" -m "$gguf" --host 127.0.0.1 --port "$port" --alias smollm2 -np 8 -c 16384 --threads "$(nproc)" --no-webui >"$out/llama-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.2
done
common=(--endpoint "http://127.0.0.1:$port" --model smollm2 --questions data/questions.jsonl --limit 48 --n 32
    --temperature 0.6 --top-p 0.95 --top-k 0 --min-p 0 --max-new-tokens 128 --seed 2025 --logprob-kind raw --concurrency 8 --methods sc --allow-missing-logprobs)
for rule in fixed:32 esc:4:32 asc-beta:0.95:32; do
    name=${rule//:/_}
    rm -f "$out/$name.jsonl" "$out/$name.summary.jsonl"
    echo "== sample --stop $rule"
    /usr/bin/time -f "wall %e s" "$pc" sample "${common[@]}" --stop "$rule" --out "$out/$name.jsonl" | tail -n 6
done
echo "== replay on the fixed:32 draws (file order): the fixed budget as accurate as each rule"
"$pc" eval "$out/fixed_32.jsonl" --stop esc:4:32 --stop asc-beta:0.95:32 --order file
head -n 48 data/smollm2_paths.jsonl >"$out/committed48.jsonl"
echo "== prediction from the committed paths (first 48 questions, 64 paths each; 20 random orders)"
"$pc" eval "$out/committed48.jsonl" --stop esc:4:32 --stop asc-beta:0.95:32 --stop fixed:32 --repeats 20
