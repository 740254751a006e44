#!/usr/bin/env bash
# README's "pathconf serve against llama-server" measurement: the same
# SmolLM2-135M Q4_1 GGUF behind `pathconf serve --model smollm2` (quantized
# kernels) and llama.cpp's llama-server, one after the other on this
# machine, at 1, 8 and 32 concurrent requests. Each request is one chat
# completion of a committed question (temperature 0.6, top-p 0.95, exactly
# 128 new tokens — `ignore_eos`, which both servers take, so both do the same
# work — a seed per request, log-probabilities on); a level sends
# max(16, 2 × concurrency) requests with that many in flight. Printed per
# server and level: completion tokens/s over the level's wall time, and the
# p50 / p95 request latency (measured, this machine; one run).
# Writes logs into ${1:-/tmp/pathconf-serve-latency}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/pathconf-serve-latency}"
mkdir -p "$out"
source scripts/measure_common.sh
load() { # name url
    python3 - "$1" "$2" <<'PY'
import concurrent.futures, json, sys, time, urllib.request
name, url = sys.argv[1], sys.argv[2]
questions = [json.loads(l) for l in open("data/questions.jsonl")]
def request(i):
    q = questions[i % len(questions)]["question"]
    body = {"model": "smollm2", "messages": [{"role": "user", "content": f'{q} Give the answer as "The answer is N."'}],
            "temperature": 0.6, "top_p": 0.95, "max_tokens": 128, "ignore_eos": True, "seed": i, "logprobs": True}
    req = urllib.request.Request(url + "/v1/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        reply = json.load(r)
    return time.perf_counter() - start, reply["usage"]["completion_tokens"]
for c in (1, 8, 32):
    n = max(16, 2 * c)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=c) as pool:
        done = list(pool.map(request, range(n)))
    wall = time.perf_counter() - start
    lat = sorted(t for t, _ in done)
    pct = lambda p: lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))]
    tokens = sum(k for _, k in done)
    print(f"{name:>16}  concurrency {c:>2}: {n:>2} requests, {tokens:>5} completion tokens in {wall:6.1f} s = {tokens / wall:6.1f} tokens/s; latency p50 {pct(0.5):5.2f} s, p95 {pct(0.95):5.2f} s (measured)", flush=True)
PY
}
port=$(free_port)
"$pc" serve --model smollm2 --port "$port" --workers 32 --max-batch 32 >"$out/pathconf-serve.log" 2>&1 &
server=$!
wait_for "http://127.0.0.1:$port"
load "pathconf serve" "http://127.0.0.1:$port"
kill $server; wait $server 2>/dev/null || true
port=$(free_port)
"$bin/llama-server" -m "$gguf" --host 127.0.0.1 --port "$port" --alias smollm2 -np 32 -c 16384 --threads "$(nproc)" --no-webui >"$out/llama-server.log" 2>&1 &
server=$!
wait_for "http://127.0.0.1:$port"
load "llama-server" "http://127.0.0.1:$port"
kill $server; wait $server 2>/dev/null || true
