"""Bad input raises with the CLI's message (file, record, field): each case
runs the CLI on the same input and compares its `error: ...` line."""

import json

import numpy as np
import pytest

import pathconf


def cli_message(cli, *args):
    code, stderr = cli.fail(*args)
    assert code == 2
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    return line[len("error: "):]


def test_missing_file(cli, tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError) as e:
        pathconf.load(missing)
    assert str(e.value) == cli_message(cli, "eval", missing)
    assert str(missing) in str(e.value)


def test_missing_spec_file(cli, tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(FileNotFoundError) as e:
        pathconf.theory(missing)
    assert str(e.value) == cli_message(cli, "theory", "--spec", missing)


@pytest.mark.parametrize(
    "line, words",
    [
        ('{"id": "q", "answer": "1", "paths": [{"text": "x", "mean_logprob": 0.5}]}', ["question 0", "paths[0].mean_logprob", "positive"]),
        ('{"id": "q", "answer": "1", "paths": []}', ["question 0", "`paths`", "no paths"]),
        ('{"id": "q", "answer": "1", "paths": [{"text": "x", "logprobs": [-0.1, "a"]}]}', ["paths[0].logprobs[1]"]),
        ('{"id": "q", "answer": "1", "paths": [{"text": "x", "logprobs": [-0.1, -0.2], "token_confidence": [1.0]}]}', ["paths[0].token_confidence", "ragged"]),
        ('{"id": "q", "answer": "1", "paths": [ {"text": ', ["malformed JSON", "line 1"]),
    ],
)
def test_malformed_paths_files(cli, tmp_path, line, words):
    f = tmp_path / "bad.jsonl"
    f.write_text(line + "\n")
    with pytest.raises(ValueError) as e:
        pathconf.load(f, format="jsonl")
    assert str(e.value) == cli_message(cli, "eval", f, "--format", "jsonl")
    assert str(f) in str(e.value)
    for w in words:
        assert w in str(e.value)


def test_ragged_rpc_json(cli, tmp_path):
    f = tmp_path / "cols.json"
    f.write_text(json.dumps({"predict": [["1", "2"]], "completion": [["a", "b"]], "mean_logprob": [[-0.1]], "answer": ["1"]}))
    with pytest.raises(ValueError) as e:
        pathconf.load(f)
    assert str(e.value) == cli_message(cli, "eval", f)
    assert "mean_logprob" in str(e.value)


def test_bad_methods_and_options(cli, golden):
    paths = pathconf.load(golden)
    for methods, cli_methods in [(["sc", "bogus"], "sc,bogus"), (["rp"], "rp"), (["cisc:-1"], "cisc:-1"), (["deepconf:mean:30"], "deepconf:mean:30")]:
        with pytest.raises(ValueError) as e:
            pathconf.evaluate(paths, methods=methods)
        assert str(e.value) == cli_message(cli, "eval", golden, "--methods", cli_methods)
    with pytest.raises(ValueError) as e:
        pathconf.evaluate(paths, methods=["rp"], tau=1.5)
    assert str(e.value) == cli_message(cli, "eval", golden, "--methods", "rp", "--tau", "1.5")
    with pytest.raises(ValueError, match="esc"):
        pathconf.evaluate(paths, stop=["esc:0:3"])
    with pytest.raises(ValueError, match="prob"):
        pathconf.evaluate(paths, prob="median")
    with pytest.raises(ValueError, match="is not one of vote, drop"):
        pathconf.evaluate(paths, invalid="keep")
    with pytest.raises(ValueError) as e:
        pathconf.evaluate(paths, methods=["sc"], stop=["esc:5:40"])
    assert str(e.value) == cli_message(cli, "eval", golden, "--methods", "sc", "--stop", "esc:5:40")


def test_bad_plan_options(cli, golden):
    paths = pathconf.load(golden)
    for kwargs, args in [
        ({"methods": ["bogus"]}, ["--methods", "bogus"]),
        ({"pilot": 0}, ["--pilot", "0"]),
        ({"methods": ["deepconf:mean:120"]}, ["--methods", "deepconf:mean:120"]),
        ({"budget_tokens": -5.0}, ["--budget-tokens=-5"]),
    ]:
        with pytest.raises(ValueError) as e:
            pathconf.plan(paths, **kwargs)
        assert str(e.value) == cli_message(cli, "plan", golden, *args)
    with pytest.raises(ValueError, match="is not one of eb, plug-in"):
        pathconf.plan(paths, model="bayes")
    with pytest.raises(ValueError, match="target"):
        pathconf.plan(paths, target="limit:2")


def test_bad_specs(cli, tmp_path):
    bad = {"correct": "A", "answers": {"A": [0.2], "B": [0.3]}}  # sums to 0.5
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad))
    with pytest.raises(ValueError) as e:
        pathconf.theory(f, n=[1])
    assert str(e.value) == cli_message(cli, "theory", "--spec", f, "--n", "1")
    assert "`answers`" in str(e.value)
    with pytest.raises(ValueError) as e:
        pathconf.theory(bad, n=[1])  # a dict: the same message, with <spec> as the file
    assert str(e.value) == cli_message(cli, "theory", "--spec", f, "--n", "1").replace(str(f), "<spec>")
    with pytest.raises(ValueError) as e:
        pathconf.theory({"correct": "A", "answers": {"A": [0.5], "B": [0.5]}}, n=[])
    assert "--n needs at least one sample size" in str(e.value)
    with pytest.raises(ValueError):
        pathconf.theory({"correct": "A", "answers": {"A": [float("nan"), 1.0]}}, n=[1])


def test_from_arrays_checks():
    with pytest.raises(ValueError, match=r"<arrays>: question 0, field `paths\[1\]\.mean_logprob`: log-probability is NaN"):
        pathconf.Paths.from_arrays([["1", "2"]], [[-0.1, np.nan]], ["1"])
    with pytest.raises(ValueError, match=r"<arrays>: question 0, field `paths\[0\]\.mean_logprob`: log-probability 0.3 is positive"):
        pathconf.Paths.from_arrays([["1", "2"]], [[0.3, -0.1]], ["1"])
    with pytest.raises(ValueError, match=r"question 1, field `mean_logprob`: 2 entries for 1 paths \(ragged\)"):
        pathconf.Paths.from_arrays([["1", "2"], ["3"]], [[-0.1, -0.2], [-0.2, -1.0]], ["1", "3"])
    with pytest.raises(ValueError, match=r"`truth` has 1 entries for 2 questions"):
        pathconf.Paths.from_arrays([["1"], ["2"]], None, ["1"])
    with pytest.raises(ValueError, match=r"question 1, field `paths`: the question has no paths"):
        pathconf.Paths.from_arrays([["1"], []], None, ["1", "2"])
    with pytest.raises(ValueError, match=r"no questions"):
        pathconf.Paths.from_arrays([], None, [])
