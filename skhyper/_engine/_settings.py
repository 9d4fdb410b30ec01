"""The settings of one search, built once by the tuner's ``fit``.

:class:`Settings` is what the engine needs from the tuner (scoring, fit and
score parameters, error handling, sharing, parallelism, budget,
checkpoint); :class:`TaskContext` is what a worker needs to evaluate a task
of one plan: the settings plus the plan's size, deadline and id. Both are
frozen: nothing downstream changes them.
"""

import enum
from dataclasses import dataclass, field

import numpy as np

# SIGINTs (Ctrl-C) this process received while a search ran with a deadline
# (``_run.Runner`` counts them): a fit running in this process when one came
# may have caught the KeyboardInterrupt and returned a half-trained model;
# ``_worker`` then discards it.
SIGINTS = [0]


@dataclass(frozen=True)
class Settings:
    """How a search evaluates candidates (the tuner's parameters, resolved)."""

    scorer: object
    fit_params: dict = field(default_factory=dict)
    score_params: dict = field(default_factory=dict)
    error_score: object = np.nan
    return_train_score: bool = False
    verbose: int = 0
    share: bool = True
    share_memory: int = 2**30
    n_jobs: int | None = None
    pre_dispatch: int | str = "2*n_jobs"
    max_time: float | None = None
    checkpoint: object = None  # a path, or None
    metric: str = "score"  # the metric "best so far" reports
    callable_scoring: bool = False  # a user callable, which may return dicts
    callbacks: bool = False  # scikit-learn callbacks set anywhere in the search


@dataclass(frozen=True)
class TaskContext:
    """What every task of one plan is evaluated with, in any process."""

    settings: Settings
    caller: object  # the tuner: what callback hooks name as the estimator
    n_candidates: int
    n_splits: int
    deadline: float | None
    plan_id: str
    memory: int = 2**30  # bytes a worker's store may hold (its share)
    # Per split index, what a worker's store scopes its entries by: the
    # split's content digest when the plans of a flight share one store
    # (their splits may differ), else None (the split index, one plan).
    scopes: tuple | None = None


class Stop(enum.Enum):
    """Why a search stopped before evaluating everything it was asked."""

    MAX_TIME = "max_time"
    INTERRUPTED = "interrupted"
