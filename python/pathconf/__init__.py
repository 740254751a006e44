"""pathconf: executable, checkable theory of sampling-based test-time scaling.

The Rust library does the work (`pathconf._core`); this module gives it a
Python face. Every function returns what the matching CLI command prints
with ``--json``, the same fields and the same numbers:

>>> import pathconf
>>> paths = pathconf.load("data/smollm2_paths.jsonl")
>>> res = pathconf.evaluate(paths, methods=["sc", "pc", "rpc"], k=[1, 4, 16], repeats=10)
>>> res.to_pandas()[["method", "k", "accuracy_mean", "ece_max_mean"]]

* :func:`load`, :meth:`Paths.from_arrays` — sampled paths from a file (the
  paper's JSON columns, pathconf JSONL, OpenAI/vLLM JSONL) or from arrays;
* :func:`evaluate` — SC, PPL, PC, RP, RPC, CISC, DeepConf, self-certainty
  (``pathconf eval``), or a replay of stopping rules (``stop=[...]``);
* :func:`sample` — paths from an OpenAI-compatible server (vLLM, SGLang,
  llama.cpp, ``pathconf serve``) with a stopping rule applied online
  (``pathconf sample --endpoint``);
* :func:`theory`, :func:`simulate`, :func:`budget`, :func:`verify` — exact
  error terms, selection accuracy, Monte Carlo, stopping-rule costs and the
  audit of the paper's claims for a path distribution (a *spec*).

Each number says how it was obtained: ``method`` is ``exact``,
``enumeration`` or ``monte_carlo`` (with its interval) in theory reports;
evaluation results are measured on data (``accuracy_se`` across questions).

Calls release the GIL, honour Ctrl-C, and give the same results whatever
the number of threads. Bad input raises :class:`ValueError` (or
:class:`FileNotFoundError`) with the CLI's message, naming the file, the
record and the field.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

from . import _core

__version__: str = _core.__version__

__all__ = [
    "Paths",
    "Report",
    "EvalResult",
    "load",
    "evaluate",
    "plan",
    "PlanResult",
    "theory",
    "simulate",
    "budget",
    "verify",
    "sample",
    "SampleResult",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]
Spec = Union[PathLike, Dict[str, Any]]


def _rows(x: Any) -> Any:
    """Lists from NumPy arrays (and anything else with ``tolist``)."""
    return x.tolist() if hasattr(x, "tolist") else x


_ARRAYS = "<arrays>"


def _list(x: Any, where: str, field: str) -> list:
    """`x` as a list (from a NumPy array, a list or a tuple), or a ValueError
    naming `<arrays>`, the question and the field, as the file readers do."""
    x = _rows(x)
    if isinstance(x, (list, tuple)):
        return list(x)
    raise ValueError(f"{_ARRAYS}: {where}field `{field}`: expected a list or array, found {type(x).__name__} {x!r:.60}")


def _convert(v: Any, convert: Any, where: str, field: str, what: str) -> Any:
    try:
        return convert(v)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{_ARRAYS}: {where}field `{field}`: expected {what}, found {v!r:.60}") from None


def _integer(v: Any) -> int:
    if isinstance(v, float) and not v.is_integer():
        raise ValueError("not a whole number")
    k = int(v)
    if not 0 <= k < 2**64:
        raise ValueError("out of range")
    return k


def _table(x: Any, field: str, convert: Any, what: str) -> List[List[Any]]:
    """Per question, per path: `x[i][j]` converted, errors naming both."""
    out = []
    for i, row in enumerate(_list(x, "", field)):
        items = _list(row, f"question {i}, ", f"{field}[{i}]")
        out.append([_convert(v, convert, f"question {i}, ", f"{field}[{i}][{j}]", what) for j, v in enumerate(items)])
    return out


def _column(x: Any, field: str) -> List[str]:
    return [_convert(v, str, f"question {i}, ", f"{field}[{i}]", "a string") for i, v in enumerate(_list(x, "", field))]


def _float_rows(x: Any, field: str) -> Optional[List[List[float]]]:
    if x is None:
        return None
    return _table(x, field, float, "a number")


class Paths:
    """Sampled reasoning paths: questions, each with a ground truth and paths
    carrying an answer, log-probabilities and optional confidence signals.

    Build with :func:`load` or :meth:`from_arrays`. ``len(paths)`` is the
    number of questions; per-path fields come back as lists (ragged-safe) or,
    with :meth:`to_arrays`, as NumPy arrays when every question has as many
    paths.
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_core.Paths") -> None:
        self._native = native

    @classmethod
    def from_arrays(
        cls,
        predict: Any,
        mean_logprob: Any,
        truth: Sequence[Any],
        *,
        ids: Optional[Sequence[Any]] = None,
        n_tokens: Any = None,
        text: Any = None,
        self_certainty: Any = None,
        p_true: Any = None,
        token_confidence: Any = None,
    ) -> "Paths":
        """Paths from per-question rows (lists, or NumPy arrays of shape
        ``(questions, paths)`` when every question has as many paths), in the
        paper's column names: ``predict[i][j]`` is path ``j``'s answer to
        question ``i`` (numbers are turned into strings),
        ``mean_logprob[i][j]`` the path's mean token log-probability (None
        for answers-only paths: SC alone), ``truth[i]`` the ground truth. ``n_tokens`` gives the sequence
        log-probability too; ``text`` tells equal paths apart (PC and RPC
        merge paths with the same text); ``self_certainty``, ``p_true`` and
        ``token_confidence`` (per path, a list per token) feed the
        aggregators that need them. The checks are the file readers'
        (NaN or positive log-probabilities, ragged rows, empty questions),
        with ``<arrays>`` as the file name in messages.
        """
        confidences = None
        if token_confidence is not None:
            confidences = [
                [
                    [
                        _convert(c, float, f"question {i}, ", f"token_confidence[{i}][{j}][{t}]", "a number")
                        for t, c in enumerate(_list(path, f"question {i}, ", f"token_confidence[{i}][{j}]"))
                    ]
                    for j, path in enumerate(_list(q, f"question {i}, ", f"token_confidence[{i}]"))
                ]
                for i, q in enumerate(_list(token_confidence, "", "token_confidence"))
            ]
        native = _core.Paths.from_arrays(
            _table(predict, "predict", str, "an answer"),
            _column(truth, "truth"),
            mean_logprob=_float_rows(mean_logprob, "mean_logprob"),
            ids=None if ids is None else _column(ids, "ids"),
            n_tokens=None if n_tokens is None else _table(n_tokens, "n_tokens", _integer, "a whole number"),
            text=None if text is None else _table(text, "text", str, "a string"),
            self_certainty=_float_rows(self_certainty, "self_certainty"),
            p_true=_float_rows(p_true, "p_true"),
            token_confidence=confidences,
        )
        return cls(native)

    @property
    def file(self) -> str:
        """Where the paths came from (``<arrays>`` for :meth:`from_arrays`)."""
        return self._native.file

    @property
    def format(self) -> str:
        """The format read: ``rpc-json``, ``jsonl`` or ``openai``."""
        return self._native.format

    @property
    def ids(self) -> List[str]:
        """Question ids."""
        return self._native.ids

    @property
    def truth(self) -> List[str]:
        """Ground truths."""
        return self._native.truth

    @property
    def invalid_answers(self) -> int:
        """Paths without an extractable answer (``[invalid]``)."""
        return self._native.invalid_answers

    def answers(self) -> List[List[str]]:
        """Per question, each path's answer."""
        return self._native.answers()

    def text(self) -> List[List[str]]:
        """Per question, each path's text."""
        return self._native.text()

    def mean_logprob(self) -> List[List[Optional[float]]]:
        """Per question, each path's mean token log-probability (None: answers only)."""
        return self._native.mean_logprob()

    def sum_logprob(self) -> List[List[Optional[float]]]:
        """Per question, each path's sequence log-probability (None where absent)."""
        return self._native.sum_logprob()

    def self_certainty(self) -> List[List[Optional[float]]]:
        """Per question, each path's self-certainty (None where absent)."""
        return self._native.self_certainty()

    def p_true(self) -> List[List[Optional[float]]]:
        """Per question, each path's P(True) (None where absent)."""
        return self._native.p_true()

    def token_confidence(self) -> List[List[Optional[List[float]]]]:
        """Per question, each path's DeepConf token confidences (None where absent)."""
        return self._native.token_confidence()

    def paths_per_question(self) -> List[int]:
        """Number of paths of each question."""
        return [len(a) for a in self._native.answers()]

    def to_arrays(self) -> Dict[str, Any]:
        """NumPy arrays of shape ``(questions, paths)``: ``answers`` (str),
        ``mean_logprob`` (float, NaN where absent), ``truth`` and ``ids``
        (shape ``(questions,)``). Raises ValueError when questions have
        different numbers of paths (use the list accessors then)."""
        import numpy as np

        counts = set(self.paths_per_question())
        if len(counts) > 1:
            raise ValueError(f"{self.file}: questions have {min(counts)} to {max(counts)} paths; to_arrays needs as many for each (use the list accessors)")
        lp = [[np.nan if x is None else x for x in row] for row in self.mean_logprob()]
        return {
            "ids": np.array(self.ids, dtype=object),
            "truth": np.array(self.truth, dtype=object),
            "answers": np.array(self.answers(), dtype=object),
            "mean_logprob": np.array(lp, dtype=float),
        }

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return repr(self._native)


def load(path: PathLike, format: Optional[str] = None, answers: Optional[PathLike] = None) -> Paths:
    """Reads a paths file: the paper's JSON columns (``rpc-json``), pathconf
    JSONL (``jsonl``) or OpenAI/vLLM responses (``openai``); the format is
    detected when None. ``answers`` supplies ground truths by question id
    (JSONL ``{"id","answer"}``, ``{id: answer}`` or an array)."""
    return Paths(_core.Paths.load(os.fspath(path), format=format, answers=None if answers is None else os.fspath(answers)))


class Report:
    """A report: :attr:`json` is exactly what the CLI prints with ``--json``;
    :meth:`to_records` its rows (list of dicts), :meth:`to_pandas` the same
    as a DataFrame (nested fields flattened with ``_``, e.g.
    ``accuracy_mean``). Iterating, indexing and ``len`` work on the rows."""

    def __init__(self, json_value: Any, records: List[Dict[str, Any]], kind: str) -> None:
        self.json = json_value
        self._records = records
        self._kind = kind

    def to_records(self) -> List[Dict[str, Any]]:
        """The rows, as the CLI's JSON has them."""
        return self._records

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas, not a hard dependency)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas needs pandas: pip install pandas") from e
        return pd.json_normalize(self._records, sep="_")

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self._records)

    def __getitem__(self, i: int) -> Dict[str, Any]:
        return self._records[i]

    def __repr__(self) -> str:
        return f"<pathconf {self._kind} report: {len(self._records)} rows>"


class EvalResult(Report):
    """:func:`evaluate`'s result: one row per method and K (mean ± std over
    random subsets, measured on data), or per stopping rule."""

    def reliability(self, method: str, k: Optional[int] = None, which: str = "max") -> List[Dict[str, Any]]:
        """The reliability-diagram bins of ``method`` at ``k`` (None: all
        paths): ``which="max"`` bins the chosen answer's confidence,
        ``"avg"`` every answer's (the reference's two ECEs)."""
        for r in self._records:
            if r.get("method") == method and r.get("k") == k:
                return r[f"bins_{which}"]
        raise ValueError(f"no result for method {method!r} at k = {k!r}")

    @property
    def per_question(self) -> Optional[List[Dict[str, Any]]]:
        """Per-question outcomes (with ``per_question=True``)."""
        return self.json.get("per_question")

    @property
    def fewest_paths(self) -> List[Dict[str, Any]]:
        """The paper's Table 1: fewest paths each method needs to match SC's best accuracy."""
        return self.json.get("fewest_paths", [])


def evaluate(
    paths: Union[Paths, PathLike],
    methods: Optional[Sequence[str]] = None,
    k: Sequence[int] = (),
    repeats: int = 10,
    seed: int = 0,
    *,
    tau: Optional[float] = None,
    prob: str = "mean",
    equivalence: str = "math",
    cache: Optional[Union[PathLike, Dict[str, bool]]] = None,
    per_question: bool = False,
    stop: Sequence[str] = (),
    order: str = "random",
    invalid: Optional[str] = None,
) -> EvalResult:
    """Evaluates methods on sampled paths, as ``pathconf eval --json``.

    ``methods``: ``sc``, ``ppl``, ``pc``, ``rp`` (needs ``tau``), ``rpc``,
    ``cisc:T[:prob|ptrue]``, ``cisc-linear:T``, ``cisc-tie``,
    ``deepconf:SCORE:ETA[:W]``, ``self-certainty-borda[:P]`` (default
    sc, ppl, pc, rpc; SC alone on an answers-only file). ``k``: paths per
    question (empty: all), each over ``repeats`` random subsets drawn with
    ``seed``. ``prob``: ``mean`` (the reference) or ``sequence``.
    ``equivalence``: ``math`` or ``exact``; ``cache``: the reference's
    equality cache (a file or a dict ``{"a<##>b": bool}``). ``stop``:
    replay stopping rules instead (``fixed:N``, ``esc:W:L``,
    ``asc-beta:T[:MAX]``, ...), paths consumed in ``order`` (``random`` or
    ``file``). ``invalid``: how paths without an answer count, ``"vote"``
    (one answer group) or ``"drop"`` (a sample spent, no vote), for every
    method and rule; ``None`` follows each one's reference code (vote for
    SC, PPL, PC, RP, RPC, ESC, fixed and the PC rules; drop for CISC,
    DeepConf, self-certainty Borda and Adaptive-Consistency). Each result
    row says which it used (``"invalid"``).
    """
    if not isinstance(paths, Paths):
        paths = load(paths)
    cache_dict = cache if isinstance(cache, dict) else None
    cache_file = None if cache is None or isinstance(cache, dict) else os.fspath(cache)
    text = _core.evaluate(
        paths._native,
        methods=None if methods is None else list(methods),
        k=[int(x) for x in k],
        repeats=repeats,
        seed=seed,
        tau=tau,
        prob=prob,
        equivalence=equivalence,
        cache=cache_dict,
        cache_file=cache_file,
        per_question=per_question,
        stop=list(stop),
        order=order,
        invalid=invalid,
    )
    value = json.loads(text)
    return EvalResult(value, value["results"], "stopping" if stop else "eval")


class PlanResult(Report):
    """:func:`plan`'s result: one row per prediction (SC at each ``n``, SC as
    ``n → ∞`` with ``n`` None, each rule with ``n`` its cap), each with its
    interval, ``provenance`` (``"measured"`` or ``"predicted"``) and ``basis``
    (the same in words: ``"measured: pilot"`` or ``"predicted: …"``);
    :attr:`target` and :attr:`budget` the decisions asked for, :attr:`fitted`
    the model's parameters, :attr:`notes` what the reader should know."""

    def __init__(self, json_value: Any) -> None:
        super().__init__(json_value, json_value["rows"], "plan")
        self.target: Optional[Dict[str, Any]] = json_value["target"]
        self.budget: Optional[Dict[str, Any]] = json_value["budget"]
        self.fitted: Dict[str, Any] = json_value["fitted"]
        self.notes: List[str] = json_value["notes"]


def plan(
    paths: Union[Paths, PathLike],
    pilot: Optional[int] = None,
    n: Sequence[int] = (),
    *,
    methods: Optional[Sequence[str]] = None,
    prob: str = "mean",
    stop: Sequence[str] = (),
    equivalence: str = "math",
    cache: Optional[Union[PathLike, Dict[str, bool]]] = None,
    invalid: Optional[str] = None,
    model: str = "eb",
    draws: int = 400,
    seed: int = 0,
    level: float = 0.9,
    target: Optional[str] = None,
    budget_tokens: Optional[float] = None,
) -> PlanResult:
    """Predicts, from the first ``pilot`` paths of each question (all when
    None), SC's and each of ``methods``' accuracy at each ``n`` (default 1,
    2, 4, …, 64) and each ``stop`` rule's accuracy and mean samples — what
    ``evaluate(k=[n], order="file")`` and ``evaluate(stop=…, order="file")``
    will measure once every question has its paths — as ``pathconf plan
    --json``. ``model``: ``"eb"`` (empirical
    Bayes: a correct share with a prior fitted across questions, wrong
    answers from a fitted Pitman–Yor process) or ``"plug-in"``. ``draws``
    Monte Carlo draws, ``level`` the intervals' central probability.
    ``target`` (``limit:D``, ``sc:N``, ``abs:A``): the smallest ``n``
    reaching it; ``budget_tokens``: the best choice within that many tokens
    per question. ``methods``: as ``evaluate`` takes them (``"pc"``,
    ``"rpc"``, ``"cisc:0.5"``, ``"deepconf:mean:90"``, …; SC is always
    predicted), where the file has their signals; ``prob``: ``"mean"`` or
    ``"sequence"``, the path probability PPL/PC/RP/RPC read.
    """
    if not isinstance(paths, Paths):
        paths = load(paths)
    cache_dict = cache if isinstance(cache, dict) else None
    cache_file = None if cache is None or isinstance(cache, dict) else os.fspath(cache)
    text = _core.plan(
        paths._native,
        pilot=pilot,
        n=[int(x) for x in n],
        methods=None if methods is None else list(methods),
        prob=prob,
        stop=list(stop),
        equivalence=equivalence,
        cache=cache_dict,
        cache_file=cache_file,
        invalid=invalid,
        model=model,
        draws=draws,
        seed=seed,
        level=level,
        target=target,
        budget_tokens=budget_tokens,
    )
    return PlanResult(json.loads(text))


def _spec_args(spec: Spec, name: str = "spec") -> Dict[str, Any]:
    if isinstance(spec, dict):
        return {f"{name}_json": json.dumps(spec, allow_nan=False)}
    return {f"{name}_file": os.fspath(spec)}


def theory(
    spec: Optional[Spec] = None,
    n: Sequence[int] = (1, 2, 4, 8, 16, 32, 64),
    accuracy: bool = False,
    *,
    tau: Optional[float] = None,
    temperature: Optional[float] = None,
    target: Optional[str] = None,
    n_max: int = 1024,
    estimators: Sequence[str] = (),
    trials: int = 20_000,
    seed: int = 2025,
    population: Optional[Spec] = None,
    per_path: bool = False,
) -> Report:
    """Exact theory for a path distribution, as ``pathconf theory --json``.

    ``spec``: a spec file or a dict ``{"correct": "A", "answers": {"A":
    [0.2, 0.1], "B": [0.3], "C": [0.4]}, "tau": 0.15}`` (each answer's path
    probabilities). By default the rows are every estimator's exact error
    terms at each ``n`` (E[p̂], bias, estimation error, model error, cross
    term, reasoning error; the paper's formula where it has one); PPL's
    rows average each answer's paths (weights p_t/p_a, keys ``paths``,
    ``worst_path``, ``worst_reasoning_error``), and ``per_path=True`` adds
    a row for every path. With
    ``accuracy=True``: P(chosen answer correct) per estimator and ``n``,
    each row saying how it was obtained (``exact``, ``enumeration``,
    ``monte_carlo`` with a 95% interval); ``target`` (``limit:D``,
    ``sc:N``, ``abs:A``) adds the smallest ``n`` reaching it
    (``report.json["samples_needed"]``). ``temperature`` adds CISC.
    ``population`` (a file or dict, instead of ``spec``): weighted accuracy
    curves over questions.
    """
    args: Dict[str, Any] = dict(
        n=[int(x) for x in n],
        tau=tau,
        temperature=temperature,
        accuracy=accuracy,
        target=target,
        n_max=n_max,
        estimators=list(estimators),
        trials=trials,
        seed=seed,
        per_path=per_path,
    )
    if population is not None:
        if spec is not None:
            raise ValueError("give a spec or a population, not both")
        args.update(_spec_args(population, "population"))
    elif spec is None:
        raise ValueError("give a spec (a file name or a dict)")
    else:
        args.update(_spec_args(spec))
    value = json.loads(_core.theory(**args))
    if population is not None:
        return Report(value, value["rows"], "population")
    if isinstance(value, dict):
        records = value.get("accuracy") if accuracy else value.get("samples_needed")
        return Report(value, records or [], "accuracy" if accuracy else "samples needed")
    return Report(value, value, "theory")


def simulate(
    spec: Spec,
    n: Sequence[int] = (1, 2, 4, 8, 16, 32, 64),
    trials: int = 100_000,
    seed: int = 0,
    *,
    tau: Optional[float] = None,
    temperature: Optional[float] = None,
) -> Report:
    """Monte Carlo estimates of every error term next to its exact value, as
    ``pathconf simulate --json`` (each estimate with a 95% interval;
    ``seconds`` and ``paths_per_second`` are measured)."""
    value = json.loads(_core.simulate(n=[int(x) for x in n], trials=trials, seed=seed, tau=tau, temperature=temperature, **_spec_args(spec)))
    return Report(value, value["rows"], "simulate")


def budget(spec: Spec, rules: Sequence[str], trials: int = 200_000, seed: int = 2025) -> Report:
    """Expected samples and accuracy of stopping rules (``fixed:N``,
    ``esc:W:L``, ``asc-beta:T[:MAX]``, ``asc-dirichlet``, ``asc-majority``,
    ``asc-entropy``, ``pc-certify``, ``pc-gt``), as ``pathconf budget
    --json``; each row says whether it is ``exact`` or ``monte_carlo``."""
    if isinstance(rules, str):
        rules = [rules]
    value = json.loads(_core.budget(list(rules), trials=trials, seed=seed, **_spec_args(spec)))
    return Report(value, value, "budget")


def verify(quick: bool = True, trials: int = 100_000, seed: int = 20251015) -> Report:
    """The claim-by-claim audit of the paper's propositions and theorems
    against exhaustive enumeration and Monte Carlo, as ``pathconf verify
    --json`` (``quick``: the smaller grid)."""
    value = json.loads(_core.verify(quick=quick, trials=trials, seed=seed))
    return Report(value, value, "verify")


class SampleResult(Report):
    """:func:`sample`'s result: one row per question (the draws the rule
    read, overshoot, the rule's and each method's answer, tokens), as
    ``<out>.summary.jsonl`` has them; :attr:`paths` the draws (as
    :func:`load` reads the file), :attr:`report` the run's totals
    (measured: requests, tokens, seconds), :attr:`notes` what the run
    noted (a cap lowered, log-probabilities that do not mean what a rule
    reads)."""

    def __init__(self, json_value: Any) -> None:
        super().__init__(json_value, json_value["questions"], "sample")
        self.report: Dict[str, Any] = json_value["report"]
        self.notes: List[str] = json_value["notes"]
        self.rule: str = json_value["rule"]
        self.out: str = json_value["out"]
        self.summary: str = json_value["summary"]
        self.fixed: Optional[Dict[str, Any]] = json_value["fixed"]
        self.choices_per_request: int = json_value["choices_per_request"]
        self.paths: Paths = load(self.out)


def sample(
    endpoint: Union[str, Sequence[str]],
    model: str,
    questions: PathLike,
    n: int,
    out: PathLike,
    *,
    stop: Optional[str] = None,
    methods: Sequence[str] = (),
    api: str = "chat",
    prompt_template: Optional[str] = None,
    concurrency: Optional[int] = None,
    choices_per_request: int = 1,
    seed: int = 0,
    temperature: float = 1.0,
    top_p: float = 0.95,
    top_k: Optional[int] = None,
    min_p: Optional[float] = None,
    max_new_tokens: int = 256,
    top_logprobs: int = 20,
    logprob_kind: Optional[str] = None,
    api_key_env: str = "OPENAI_API_KEY",
    resume: bool = False,
    allow_missing_logprobs: bool = False,
    extract: str = "word-problem",
    invalid: Optional[str] = None,
    limit: Optional[int] = None,
) -> SampleResult:
    """Samples paths from an OpenAI-compatible server (or several serving the
    same model, given as a list: requests go to them in turn), as ``pathconf
    sample --endpoint``: at most ``n`` draws per question of the ``questions``
    JSONL (``{"id", "question", "answer"?}``), ``stop`` deciding online
    (any rule ``evaluate(stop=...)`` takes; default ``fixed:n``), each draw
    appended to ``out`` as it is decided on; ``methods`` answer each
    question from the rule's draws. ``resume=True`` continues a killed run.
    ``choices_per_request=K`` asks for up to K draws per request (``n``)
    when the server returns that many to a probe. With ground truths,
    :attr:`SampleResult.fixed` compares the rule with the fixed budgets the
    run's own draws measure (``measured_up_to``, ``fixed_accuracy``,
    ``equivalent``, ``equivalent_tokens``, ``rule_tokens``).
    Releases the GIL; Ctrl-C raises ``KeyboardInterrupt`` with the draws
    received so far written."""
    text = _core.sample(
        endpoint if isinstance(endpoint, str) else [str(e) for e in endpoint],
        model,
        os.fspath(questions),
        n,
        os.fspath(out),
        stop=stop,
        methods=list(methods),
        api=api,
        prompt_template=prompt_template,
        concurrency=concurrency,
        choices_per_request=choices_per_request,
        seed=seed,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        min_p=min_p,
        max_new_tokens=max_new_tokens,
        top_logprobs=top_logprobs,
        logprob_kind=logprob_kind,
        api_key_env=api_key_env,
        resume=resume,
        allow_missing_logprobs=allow_missing_logprobs,
        extract=extract,
        invalid=invalid,
        limit=limit,
    )
    return SampleResult(json.loads(text))
