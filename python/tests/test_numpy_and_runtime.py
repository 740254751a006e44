"""NumPy round trip, the same numbers from arrays as from a file, results
independent of the number of threads, the GIL released, and Ctrl-C."""

import json
import os
import subprocess
import sys
import threading
import time
import _thread

import numpy as np
import pytest

import pathconf
from conftest import DATA, GOLDEN


def synthetic(seed=3, questions=40, paths=12):
    """Answers 0..4 with question-specific skew; mean log-probabilities in (−3, 0)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, size=questions)
    answers = np.where(rng.random((questions, paths)) < 0.45, truth[:, None], rng.integers(0, 5, size=(questions, paths)))
    mean_logprob = -3.0 * rng.random((questions, paths)) - 1e-3
    return answers, truth, mean_logprob


def test_numpy_round_trip():
    answers, truth, lp = synthetic()
    paths = pathconf.Paths.from_arrays(answers, lp, truth, ids=[f"q{i}" for i in range(len(truth))])
    back = paths.to_arrays()
    assert back["answers"].shape == answers.shape
    assert (back["answers"] == answers.astype(str)).all()
    assert (back["truth"] == truth.astype(str)).all()
    np.testing.assert_array_equal(back["mean_logprob"], lp)  # bit-exact: f64 all the way
    assert list(back["ids"]) == [f"q{i}" for i in range(len(truth))]
    assert paths.file == "<arrays>" and len(paths) == len(truth)


def test_signals_read_from_the_committed_data():
    """Every path of the committed SmolLM2 file carries P(True) and
    self-certainty; the accessors return the file's numbers, in order."""
    paths = pathconf.load(DATA)
    records = [json.loads(line) for line in DATA.read_text().splitlines()]
    assert paths.p_true() == [[p["p_true"] for p in r["paths"]] for r in records]
    assert paths.self_certainty() == [[p["self_certainty"] for p in r["paths"]] for r in records]
    flat = [x for row in paths.p_true() for x in row]
    assert len(flat) == 192 * 64 and all(0.0 < x < 1.0 for x in flat)


def test_arrays_evaluate_like_the_same_file(cli, tmp_path):
    answers, truth, lp = synthetic(seed=8)
    f = tmp_path / "paths.jsonl"
    with f.open("w") as out:
        for i, (row, t, lrow) in enumerate(zip(answers, truth, lp)):
            out.write(json.dumps({"id": str(i), "answer": str(t), "paths": [{"answer": str(a), "mean_logprob": float(x)} for a, x in zip(row, lrow)]}) + "\n")
    from_arrays = pathconf.evaluate(pathconf.Paths.from_arrays(answers, lp, truth), methods=["sc", "ppl", "pc", "rpc"], k=[3, 12], repeats=4)
    from_cli = cli("eval", f, "--json", "--methods", "sc,ppl,pc,rpc", "--k", "3,12", "--repeats", "4")
    # Only the file name differs.
    assert from_arrays.json.pop("file") == "<arrays>"
    from_cli.pop("file")
    assert from_arrays.json == from_cli


def test_answers_only_arrays_evaluate_sc():
    answers, truth, _ = synthetic(seed=1)
    res = pathconf.evaluate(pathconf.Paths.from_arrays(answers, None, truth), k=[5], repeats=3)
    assert [r["method"] for r in res] == ["SC"]


def test_to_pandas_flattens():
    pytest.importorskip("pandas")
    df = pathconf.evaluate(GOLDEN, methods=["sc", "pc"], k=[4], repeats=2).to_pandas()
    assert {"method", "k", "accuracy_mean", "accuracy_std", "accuracy_se", "ece_max_mean"} <= set(df.columns)
    assert len(df) == 2


RUN = """
import json, sys, pathconf
spec = {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}
e = pathconf.evaluate(sys.argv[1], methods=["sc", "rpc", "cisc:0.1"], k=[4], repeats=3).json
s = pathconf.simulate(spec, n=[3], trials=20000, seed=1).json
s.pop("seconds"); s.pop("paths_per_second")
print(json.dumps([e, s]))
"""


def test_results_do_not_depend_on_threads():
    outs = []
    for threads in ("1", "2", "5"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        outs.append(subprocess.run([sys.executable, "-c", RUN, str(GOLDEN)], env=env, capture_output=True, text=True, check=True).stdout)
    assert outs[0] == outs[1] == outs[2]


SPEC = {"correct": "A", "answers": {"A": [0.2, 0.1], "B": [0.3], "C": [0.4]}}


def test_gil_released_during_a_call():
    done = threading.Event()

    def work():
        pathconf.simulate(SPEC, n=[64], trials=6_000_000)  # seconds of work
        done.set()

    t = threading.Thread(target=work)
    t.start()
    time.sleep(0.3)
    # This thread ran while the call was still going: the call released the GIL.
    still_running = not done.is_set()
    t.join()
    assert still_running


def test_ctrl_c_interrupts_a_long_call():
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # Hours of work uninterrupted.
        pathconf.simulate(SPEC, n=[64], trials=10_000_000_000)
    # Interrupted within a minute (typically well under a second), not after the hours.
    assert time.monotonic() - start < 60
    # And the module still works after.
    assert len(pathconf.theory(SPEC, n=[1])) > 0
