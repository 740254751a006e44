#!/usr/bin/env bash
# README's "decode throughput" measurement: llama.cpp's llama-batched-bench
# and `pathconf bench decode` on the same SmolLM2-135M Q4_1 GGUF, in one run
# on this machine: batches 1, 4, 16, 64; a 50-token prompt per sequence
# (not shared: llama-batched-bench without -pps), 128 decoded tokens; all
# cores. pathconf's rows are the mean ± s.e. of three runs; llama.cpp's are
# one run each (its tool runs each batch once). Prints both tables and a
# side-by-side summary. Usage: scripts/bench_decode.sh [--kernels f32]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/measure_common.sh
threads=$(nproc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "llama.cpp (llama-batched-bench -t $threads):"
"$bin/llama-batched-bench" -m "$gguf" -c 12000 -b 2048 -ub 512 -npp 50 -ntg 128 -npl 1,4,16,64 -t "$threads" 2>/dev/null | tee "$out/llama.txt" | grep '^|'
echo
echo "pathconf (bench decode, $threads threads):"
"$pc" --threads "$threads" bench decode --batch 1,4,16,64 --prompt-tokens 50 --tokens 128 --repeats 3 --json "$@" > "$out/pathconf.json"
python3 - "$out/pathconf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for x in r["rows"]:
    print("  batch %2d: prompt %7.1f ± %5.1f, decode %6.1f ± %4.1f tokens/s" % (x["batch"], x["prompt_tokens_per_s"], x["prompt_tokens_per_s_se"] or 0, x["decode_tokens_per_s"], x["decode_tokens_per_s_se"] or 0))
print("  peak memory %.0f MB, weight matrices %.0f MB (%s kernels)" % (r["peak_rss_mb"], r["weights_mb"], r["kernels"]))
PY
echo
python3 - "$out/llama.txt" "$out/pathconf.json" <<'PY'
import json, sys
llama = {}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 8 and cells[2].isdigit():
        llama[int(cells[2])] = (float(cells[5]), float(cells[7]))
ours = json.load(open(sys.argv[2]))
print("side by side (measured, this machine; tokens/s):")
print(f"{'batch':>6}  {'prompt llama.cpp':>16}  {'prompt pathconf':>15}  {'ratio':>5}  {'decode llama.cpp':>16}  {'decode pathconf':>15}  {'ratio':>5}")
for r in ours["rows"]:
    b = r["batch"]
    lp, ld = llama.get(b, (float("nan"), float("nan")))
    print(f"{b:>6}  {lp:>16.1f}  {r['prompt_tokens_per_s']:>15.1f}  {r['prompt_tokens_per_s'] / lp:>5.2f}  {ld:>16.1f}  {r['decode_tokens_per_s']:>15.1f}  {r['decode_tokens_per_s'] / ld:>5.2f}")
PY
