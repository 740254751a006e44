"""Seeded fuzzing of `Paths.from_arrays` (issue #36, item 1): NumPy arrays and
lists mutated — NaN, infinities, huge and tiny numbers, positive
log-probabilities, None, strings, nested and empty values in any entry; ragged
and empty rows; columns of the wrong length; scalars or 3-D arrays where rows
are expected; repeated ids. Every case must either build (and then evaluate)
or raise a ValueError naming `<arrays>`, the question and the field, as the
file readers name the file (evaluating with PC refuses answers-only arrays
that way too). PATHCONF_FUZZ_CASES sets the number of cases
(default 1,000; the long run: 100,000)."""

import math
import os
import random
import warnings

import numpy as np

import pathconf

CASES = int(os.environ.get("PATHCONF_FUZZ_CASES", "1000"))
VALUES = [math.nan, math.inf, -math.inf, 0.5, 1e308, -1e308, 5e-324, -5e-324, None, "x", "", [], {}, True, -0.0, 10**30, -3, 2.5, [[-0.1]]]


def valid(rng):
    q, k = rng.randint(1, 4), rng.randint(1, 5)
    answers = np.array([[rng.randint(0, 3) for _ in range(k)] for _ in range(q)])
    lp = -np.array([[rng.random() * 3 + 1e-3 for _ in range(k)] for _ in range(q)])
    args = {
        "predict": answers,
        "mean_logprob": lp,
        "truth": np.array([rng.randint(0, 3) for _ in range(q)]),
        "ids": [f"q{i}" for i in range(q)],
        "n_tokens": np.full((q, k), 7),
        "text": [[f"path {i} {j}" for j in range(k)] for i in range(q)],
        "self_certainty": np.full((q, k), 2.5),
        "p_true": np.full((q, k), 0.75),
        "token_confidence": [[[1.0 + t for t in range(7)] for _ in range(k)] for _ in range(q)],
    }
    return args


def mutate(args, rng):
    field = rng.choice(list(args))
    value = args[field]
    as_list = value.tolist() if hasattr(value, "tolist") else value
    kind = rng.randrange(8)
    is_list = isinstance(as_list, list) and len(as_list) > 0
    if kind <= 2 and is_list:
        # One entry replaced (at any depth).
        i = rng.randrange(len(as_list))
        if isinstance(as_list[i], list) and as_list[i] and rng.random() < 0.8:
            j = rng.randrange(len(as_list[i]))
            if isinstance(as_list[i][j], list) and as_list[i][j] and rng.random() < 0.7:
                as_list[i][j][rng.randrange(len(as_list[i][j]))] = rng.choice(VALUES)
            else:
                as_list[i][j] = rng.choice(VALUES)
        else:
            as_list[i] = rng.choice(VALUES)
    elif kind == 3 and is_list:
        # A row shortened or emptied (ragged), or the column shortened.
        i = rng.randrange(len(as_list))
        if isinstance(as_list[i], list) and rng.random() < 0.7:
            as_list[i] = as_list[i][: rng.randrange(len(as_list[i]) + 1)]
        else:
            del as_list[i]
    elif kind == 4:
        as_list = rng.choice([None, 3.0, "abc", [], np.zeros((2, 2, 2)), np.zeros(0), {"a": 1}])
    elif kind == 5 and field == "ids" and is_list and len(as_list) > 1:
        as_list[1] = as_list[0]
    elif kind == 6 and field in ("mean_logprob", "self_certainty", "p_true") and is_list:
        try:  # a ragged list, or one holding a dict, makes no float32 array: left as it is
            with np.errstate(over="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # float32 overflows to inf: a case like any other
                as_list = np.array(as_list, dtype=object) if rng.random() < 0.5 else np.array(as_list, dtype=np.float32)
        except (ValueError, TypeError):
            pass
    elif kind == 7 and field == "predict":
        # A question of 10^4 paths over 10^3 answers.
        args = {**args, "predict": [[j % 1000 for j in range(10_000)]], "mean_logprob": [[-1.0] * 10_000], "truth": [3]}
        for f in ("ids", "n_tokens", "text", "self_certainty", "p_true", "token_confidence"):
            args.pop(f, None)
        return args
    args[field] = as_list
    return args


def test_from_arrays_builds_or_names_arrays_question_and_field():
    rng = random.Random(20261206)
    built = refused = 0
    for case in range(CASES):
        args = valid(rng)
        for _ in range(rng.randint(1, 3)):
            args = mutate(args, rng)
        try:
            paths = pathconf.Paths.from_arrays(**args)
            # PC refuses answers-only arrays (mean_logprob None) the same way.
            res = pathconf.evaluate(paths, methods=["sc", "pc"])
        except ValueError as e:
            msg = str(e)
            assert msg.startswith("<arrays>"), f"case {case}: {msg}"
            # A field (in backticks) or a question is named.
            assert "`" in msg or "question" in msg, f"case {case}: {msg}"
            refused += 1
            continue
        built += 1
        assert len(res) == 2, f"case {case}"
    print(f"from_arrays: {CASES} cases, {built} built and evaluated, {refused} refused naming <arrays>")
    assert built > CASES // 50 and refused > CASES // 3
