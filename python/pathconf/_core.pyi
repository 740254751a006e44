"""Type stubs of the native module `pathconf._core` (Rust, PyO3).

Use the `pathconf` package's functions; these return JSON text that
`pathconf` parses into reports.
"""

from typing import Dict, List, Optional, Sequence, Union

__version__: str

class Paths:
    @staticmethod
    def load(path: str, format: Optional[str] = None, answers: Optional[str] = None) -> "Paths": ...
    @staticmethod
    def from_arrays(
        answers: Sequence[Sequence[str]],
        truth: Sequence[str],
        mean_logprob: Optional[Sequence[Sequence[float]]] = None,
        ids: Optional[Sequence[str]] = None,
        n_tokens: Optional[Sequence[Sequence[int]]] = None,
        text: Optional[Sequence[Sequence[str]]] = None,
        self_certainty: Optional[Sequence[Sequence[float]]] = None,
        p_true: Optional[Sequence[Sequence[float]]] = None,
        token_confidence: Optional[Sequence[Sequence[Sequence[float]]]] = None,
    ) -> "Paths": ...
    @property
    def file(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def ids(self) -> List[str]: ...
    @property
    def truth(self) -> List[str]: ...
    @property
    def invalid_answers(self) -> int: ...
    def answers(self) -> List[List[str]]: ...
    def text(self) -> List[List[str]]: ...
    def mean_logprob(self) -> List[List[Optional[float]]]: ...
    def sum_logprob(self) -> List[List[Optional[float]]]: ...
    def self_certainty(self) -> List[List[Optional[float]]]: ...
    def p_true(self) -> List[List[Optional[float]]]: ...
    def token_confidence(self) -> List[List[Optional[List[float]]]]: ...
    def __len__(self) -> int: ...

def plan(
    paths: Paths,
    pilot: Optional[int] = None,
    n: Sequence[int] = ...,
    methods: Optional[Sequence[str]] = None,
    prob: str = "mean",
    stop: Sequence[str] = ...,
    equivalence: str = "math",
    cache: Optional[Dict[str, bool]] = None,
    cache_file: Optional[str] = None,
    invalid: Optional[str] = None,
    model: str = "eb",
    draws: int = 400,
    seed: int = 0,
    level: float = 0.9,
    target: Optional[str] = None,
    budget_tokens: Optional[float] = None,
) -> str: ...

def evaluate(
    paths: Paths,
    methods: Optional[Sequence[str]] = None,
    k: Sequence[int] = ...,
    repeats: int = 10,
    seed: int = 0,
    tau: Optional[float] = None,
    prob: str = "mean",
    equivalence: str = "math",
    cache: Optional[Dict[str, bool]] = None,
    cache_file: Optional[str] = None,
    per_question: bool = False,
    stop: Sequence[str] = ...,
    order: str = "random",
    invalid: Optional[str] = None,
) -> str: ...
def theory(
    spec_file: Optional[str] = None,
    spec_json: Optional[str] = None,
    population_file: Optional[str] = None,
    population_json: Optional[str] = None,
    n: Sequence[int] = ...,
    tau: Optional[float] = None,
    temperature: Optional[float] = None,
    accuracy: bool = False,
    target: Optional[str] = None,
    n_max: int = 1024,
    estimators: Sequence[str] = ...,
    trials: int = 20000,
    seed: int = 2025,
    per_path: bool = False,
) -> str: ...
def simulate(
    spec_file: Optional[str] = None,
    spec_json: Optional[str] = None,
    n: Sequence[int] = ...,
    trials: int = 100000,
    seed: int = 0,
    tau: Optional[float] = None,
    temperature: Optional[float] = None,
) -> str: ...
def budget(rules: Sequence[str], spec_file: Optional[str] = None, spec_json: Optional[str] = None, trials: int = 200000, seed: int = 2025) -> str: ...
def verify(quick: bool = True, trials: int = 100000, seed: int = 20251015) -> str: ...
def sample(
    endpoint: Union[str, Sequence[str]],
    model: str,
    questions: str,
    n: int,
    out: str,
    stop: Optional[str] = None,
    methods: Sequence[str] = ...,
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
) -> str: ...
