#!/usr/bin/env bash
# The Python package's tests: builds the wheel (python/build.sh), installs it
# into a fresh virtual environment and imports it there, then runs
# python/tests/ with pytest in that environment, comparing with the release
# CLI built by `cargo test --release` (or built here).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}"
CARGO_TARGET_DIR="$target" cargo build -q --release --bin pathconf --manifest-path ../Cargo.toml
wheel="$(bash build.sh | tail -n 1)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/pip" install -q "$wheel" pytest pandas
version="$(sed -n 's/^version = "\(.*\)"/\1/p' ../Cargo.toml | head -n 1)"
tests="$PWD/tests"
cd "$fresh" # import the installed package, not the source tree
"$fresh/venv/bin/python" - "$version" <<'PY'
import sys
import pathconf
assert pathconf.__version__ == sys.argv[1], (pathconf.__version__, sys.argv[1])
paths = pathconf.Paths.from_arrays([["1", "1", "2"]], [[-0.1, -0.2, -0.3]], ["1"])
print(f"python: {pathconf.__file__} (version {pathconf.__version__}) imports in a fresh environment; {paths}")
PY
PATHCONF_CLI="$target/release/pathconf" "$fresh/venv/bin/python" -m pytest -q -p no:cacheprovider "$tests"
