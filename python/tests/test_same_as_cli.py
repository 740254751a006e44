"""The Python API gives exactly the CLI's numbers: every report is compared,
field by field, with the `--json` output of the same command."""

import pathconf
from conftest import DATA


def test_eval_golden_fixture(cli, golden):
    py = pathconf.evaluate(pathconf.load(golden), k=[1, 4, 32], repeats=3, per_question=True)
    assert py.json == cli("eval", golden, "--json", "--k", "1,4,32", "--repeats", "3", "--per-question")
    assert [r["method"] for r in py][:4] == ["SC", "PPL", "PC", "RPC"]


def test_eval_path_argument_and_defaults(cli, golden):
    # A file name instead of loaded paths; default methods, K = all paths, 10 repeats.
    assert pathconf.evaluate(golden).json == cli("eval", golden, "--json")


def test_eval_committed_data_with_aggregators(cli):
    methods = ["sc", "ppl", "pc", "rpc", "cisc:0.05", "deepconf:mean:30", "self-certainty-borda:4"]
    py = pathconf.evaluate(pathconf.load(DATA), methods=methods, k=[4, 16], repeats=2, seed=7)
    assert py.json == cli("eval", DATA, "--json", "--methods", ",".join(methods), "--k", "4,16", "--repeats", "2", "--seed", "7")
    assert len(py) == 2 * len(methods)


def test_eval_options(cli):
    py = pathconf.evaluate(DATA, methods=["rp", "pc"], tau=0.1, prob="sequence", equivalence="exact", k=[8], repeats=2)
    assert py.json == cli("eval", DATA, "--json", "--methods", "rp,pc", "--tau", "0.1", "--prob", "sequence", "--equivalence", "exact", "--k", "8", "--repeats", "2")


def test_stopping_rules(cli, golden):
    rules = ["esc:4:16", "asc-beta:0.95:32", "fixed:8"]
    py = pathconf.evaluate(golden, stop=rules, repeats=3)
    args = ["eval", golden, "--json", "--repeats", "3"]
    for r in rules:
        args += ["--stop", r]
    assert py.json == cli(*args)
    assert pathconf.evaluate(golden, stop=["esc:4:16"], order="file").json == cli("eval", golden, "--json", "--stop", "esc:4:16", "--order", "file")


def test_invalid_answers_counted_and_handled_as_the_cli(cli):
    import json

    records = [json.loads(line) for line in open(DATA) if line.strip()]
    invalid = sum(p["answer"] == "[invalid]" for r in records for p in r["paths"])
    paths = pathconf.load(DATA)
    assert paths.invalid_answers == invalid > 0
    methods = ["sc", "cisc:0.1", "deepconf:mean:10", "self-certainty-borda"]
    py = pathconf.evaluate(paths, methods=methods, per_question=True)
    assert py.json == cli("eval", DATA, "--json", "--methods", ",".join(methods), "--per-question")
    assert py.json["invalid_answers"] == invalid
    assert [r["invalid"] for r in py] == ["vote", "drop", "drop", "drop"]
    for policy in ["vote", "drop"]:
        forced = pathconf.evaluate(paths, methods=methods, invalid=policy)
        assert forced.json == cli("eval", DATA, "--json", "--methods", ",".join(methods), "--invalid", policy)
        assert {r["invalid"] for r in forced} == {policy}
    rules = ["esc:5:40", "asc-beta:0.95:64"]
    stop = pathconf.evaluate(paths, stop=rules, order="file")
    assert [r["invalid"] for r in stop] == ["vote", "drop"]


def test_theory_terms_from_dict_and_file(cli, spec_dict, spec_file):
    expected = cli("theory", "--spec", spec_file, "--n", "0,1,2,5", "--json")
    assert pathconf.theory(spec_dict, n=[0, 1, 2, 5]).json == expected
    assert pathconf.theory(spec_file, n=[0, 1, 2, 5]).to_records() == expected
    per_path = cli("theory", "--spec", spec_file, "--n", "0,1,2,5", "--json", "--per-path")
    assert pathconf.theory(spec_dict, n=[0, 1, 2, 5], per_path=True).json == per_path
    assert len(per_path) > len(expected)


def test_theory_cisc_accuracy_target(cli, spec_file):
    assert pathconf.theory(spec_file, n=[1, 3], temperature=0.1).json == cli("theory", "--spec", spec_file, "--n", "1,3", "--temperature", "0.1", "--json")
    py = pathconf.theory(spec_file, n=[1, 2, 4, 8], accuracy=True, target="limit:0.01", estimators=["sc", "pc", "rpc"], trials=4000, seed=3)
    expected = cli("theory", "--spec", spec_file, "--n", "1,2,4,8", "--accuracy", "--target", "limit:0.01", "--estimators", "sc,pc,rpc", "--trials", "4000", "--seed", "3", "--json")
    assert py.json == expected
    assert py.to_records() == expected["accuracy"]
    assert {r["method"] for r in py} == {"exact", "enumeration", "monte_carlo"}


def test_theory_population(cli, tmp_path):
    mixture = {"mixture": {"alpha": 0.9, "p_easy": 0.85, "p_hard": 0.4}}
    f = tmp_path / "pop.json"
    f.write_text(__import__("json").dumps(mixture))
    py = pathconf.theory(population=mixture, n=[1, 3, 5, 9, 41])
    assert py.json == cli("theory", "--population", f, "--n", "1,3,5,9,41", "--json")
    # Chen et al.'s Theorem 1 predicts a rise then a fall for this mixture, and the exact curve does that.
    chen = py.json["chen_theorem1"]
    assert chen["prediction"]["shape"] == chen["observed_shape"] == "inverse_u"


def _without_timing(report):
    return {k: v for k, v in report.items() if k not in ("seconds", "paths_per_second")}


def test_simulate(cli, spec_dict, spec_file):
    py = pathconf.simulate(spec_dict, n=[1, 4], trials=5000, seed=11, temperature=0.2)
    expected = cli("simulate", "--spec", spec_file, "--n", "1,4", "--trials", "5000", "--seed", "11", "--temperature", "0.2", "--json")
    # Everything but the wall-clock fields, which are measured.
    assert _without_timing(py.json) == _without_timing(expected)


def test_budget(cli, spec_dict, spec_file):
    rules = ["fixed:5", "esc:4:16", "asc-beta:0.9:24", "pc-certify:16"]
    py = pathconf.budget(spec_dict, rules, trials=3000, seed=5)
    args = ["budget", "--spec", spec_file, "--trials", "3000", "--seed", "5", "--json"]
    for r in rules:
        args += ["--rule", r]
    assert py.json == cli(*args)
    assert {r["method"] for r in py} <= {"exact", "monte_carlo"}


def test_verify_quick(cli):
    py = pathconf.verify(quick=True)
    assert py.json == cli("verify", "--quick", "--json")
    assert "cisc_weighted" in {r["claim"] for r in py}


def test_plan_same_as_the_cli(cli):
    rules = ["esc:4:64", "asc-beta:0.95:64"]
    py = pathconf.plan(DATA, pilot=8, n=[8, 16, 64], stop=rules, draws=50, seed=3, target="limit:0.02", budget_tokens=400)
    args = ["plan", DATA, "--json", "--pilot", "8", "--n", "8,16,64", "--draws", "50", "--seed", "3", "--target", "limit:0.02", "--budget-tokens", "400"]
    for r in rules:
        args += ["--stop", r]
    assert py.json == cli(*args)
    assert [(r["method"], r["rule"], r["n"]) for r in py] == [("sc", None, 8), ("sc", None, 16), ("sc", None, 64), ("sc", None, None), (None, rules[0], 64), (None, rules[1], 64)]
    assert py[0]["basis"] == "measured: pilot" and py[1]["basis"].startswith("predicted: ")
    assert (py[0]["provenance"], py[1]["provenance"]) == ("measured", "predicted")
    assert py.target["n"] is not None and py.budget["tokens"] <= 400
    plug = pathconf.plan(pathconf.load(DATA), pilot=8, n=[64], model="plug-in", draws=20)
    assert plug.json == cli("plan", DATA, "--json", "--pilot", "8", "--n", "64", "--model", "plug-in", "--draws", "20")
    assert plug.fitted["model"] == "plug-in"


def test_plan_of_weighted_methods_same_as_the_cli(cli):
    py = pathconf.plan(DATA, pilot=8, n=[8, 32], methods=["pc", "cisc:0.5"], stop=["pc-gt:32"], draws=20, seed=1)
    assert py.json == cli("plan", DATA, "--json", "--pilot", "8", "--n", "8,32", "--methods", "pc,cisc:0.5", "--stop", "pc-gt:32", "--draws", "20", "--seed", "1")
    rows = {(r["method"], r["rule"], r["n"]): r for r in py}
    assert rows[("pc", None, 8)]["provenance"] == "measured" and rows[("cisc:0.5", None, 32)]["provenance"] == "predicted"
    assert rows[(None, "pc-gt:32", 32)]["expected_samples"] <= 32
