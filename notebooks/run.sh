#!/usr/bin/env bash
# Installs the Rust Jupyter kernel (evcxr_jupyter from crates.io, jupyter and
# nbconvert from PyPI) if missing, then executes every notebook headless.
# Exits non-zero if any cell errors. evcxr's cache of compiled crates is on
# (`:cache`, in ~/.cache/evcxr): the first notebook compiles pathconf and its
# dependencies, the others (and later runs) reuse them. Notebooks whose kernel
# is Python (04-python) run in ~/.cache/pathconf/python-venv with the pathconf
# wheel built from this checkout (python/build.sh).
#
#   bash notebooks/run.sh            # check: execute into a temporary directory
#   bash notebooks/run.sh --inplace  # execute and save the outputs into the notebooks
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v evcxr_jupyter >/dev/null 2>&1; then
  echo "notebooks: installing evcxr_jupyter (a few minutes)" >&2
  cargo install --locked evcxr_jupyter >/dev/null
fi
if ! python3 -c "import nbconvert, jupyter_client, ipykernel" >/dev/null 2>&1; then
  echo "notebooks: installing jupyter and nbconvert" >&2
  python3 -m pip install -q jupyter nbconvert ipykernel >/dev/null 2>&1
fi
evcxr_jupyter --install >/dev/null 2>&1
# The kernel builds in evcxr's own directories, whatever target directory the
# caller's cargo uses.
# (The Python wheel does use the caller's target directory: it shares the build.)
pathconf_target="${CARGO_TARGET_DIR:-}"
unset CARGO_TARGET_DIR
EVCXR_CONFIG_DIR="$(mktemp -d)"
export EVCXR_CONFIG_DIR
trap 'rm -rf "$EVCXR_CONFIG_DIR"' EXIT
echo ":cache 4000" > "$EVCXR_CONFIG_DIR/init.evcxr"
mode=(--output-dir "$(mktemp -d)")
if [ "${1:-}" = "--inplace" ]; then mode=(--inplace); fi
log="$(mktemp)"
status=0
passed=0
failed=0
python_ready=""
for nb in 0*.ipynb; do
  start=$(date +%s)
  kernel="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["kernelspec"]["name"])' "$nb")"
  nbconvert=(python3 -m jupyter nbconvert)
  if [ "$kernel" = "python3" ]; then
    if [ -z "$python_ready" ]; then
      if [ -n "$pathconf_target" ]; then
        CARGO_TARGET_DIR="$pathconf_target" bash ../python/build.sh >/dev/null
      else
        bash ../python/build.sh >/dev/null
      fi
      python_ready=1
    fi
    # `python -m nbconvert`, not `python -m jupyter nbconvert`: the latter runs
    # whichever jupyter-nbconvert comes first on PATH.
    nbconvert=("$HOME/.cache/pathconf/python-venv/bin/python" -m nbconvert)
  fi
  if "${nbconvert[@]}" --to notebook --execute "${mode[@]}" \
      --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name="$kernel" "$nb" >/dev/null 2>"$log"; then
    echo "notebooks: $nb ok ($(( $(date +%s) - start )) s)"
    passed=$((passed + 1))
  else
    echo "notebooks: $nb FAILED" >&2
    # The failing cell and the kernel's message, without Python's traceback.
    sed -n '/An error occurred while executing the following cell/,$p' "$log" | head -80 >&2
    status=1
    failed=$((failed + 1))
  fi
done
rm -f "$log"
echo "notebooks: $passed passed, $failed failed"
exit $status
