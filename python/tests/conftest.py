"""Shared fixtures: the repository's files and the `pathconf` CLI the
Python API is compared with (PATHCONF_CLI, set by python/test.sh; else the
release binary in the cargo target directory)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden" / "fixture.json"
DATA = ROOT / "data" / "smollm2_paths.jsonl"


def _cli_path() -> pathlib.Path:
    if "PATHCONF_CLI" in os.environ:
        return pathlib.Path(os.environ["PATHCONF_CLI"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "pathconf"


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI: `cli(args)` → parsed --json output; `cli.fail(args)` →
    (exit code, stderr) of a run that must fail."""
    exe = _cli_path()
    if not exe.exists():
        pytest.fail(f"the pathconf CLI is needed to compare with: {exe} does not exist (build it with `cargo build --release` or set PATHCONF_CLI)")

    class Cli:
        def __call__(self, *args):
            out = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, check=True)
            return json.loads(out.stdout)

        def fail(self, *args):
            out = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
            assert out.returncode != 0, f"expected failure: {args}"
            return out.returncode, out.stderr

    return Cli()


@pytest.fixture(scope="session")
def golden():
    if not GOLDEN.exists():
        pytest.fail(f"golden fixture missing: {GOLDEN}")
    return GOLDEN


@pytest.fixture
def spec_dict():
    return {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}


@pytest.fixture
def spec_file(tmp_path, spec_dict):
    f = tmp_path / "spec.json"
    f.write_text(json.dumps(spec_dict))
    return f
