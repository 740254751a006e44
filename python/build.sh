#!/usr/bin/env bash
# Builds the pathconf wheel (abi3, CPython ≥ 3.9) with `pip wheel ./python`
# (maturin, fetched from PyPI by pip's build isolation) and installs it into
# the tools environment ~/.cache/pathconf/python-venv (pytest, pandas,
# matplotlib, jupyter: what the tests and notebooks use), creating that
# environment the first time. Prints the wheel's path last.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
venv="$HOME/.cache/pathconf/python-venv"
if ! "$venv/bin/python" -c "import numpy, pandas, matplotlib, pytest, nbconvert, ipykernel" >/dev/null 2>&1; then
  echo "python: creating $venv (numpy, pandas, matplotlib, pytest, jupyter)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy pandas matplotlib pytest nbconvert ipykernel >&2
fi
# This environment's own "python3" kernel, first on its Jupyter path (a
# system-wide python3 kernel would run another interpreter, without pathconf).
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1
target="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}"
wheels="$target/wheels"
rm -rf "$wheels"
mkdir -p "$wheels"
CARGO_TARGET_DIR="$target" "$venv/bin/pip" wheel -q --no-deps -w "$wheels" . >&2
wheel="$(ls "$wheels"/pathconf-*.whl)"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel" >&2
echo "$wheel"
