"""Staged paths: one fit per fold at the largest value, every value scored.

For an epoch-like parameter (``max_iter`` of a network, ``max_epochs`` of
skorch, ``n_estimators`` of a booster), a fit with value k is the start of a
fit with a larger value: the network at the end of epoch k, the first k
rounds of the booster. Leaves that differ only in such a parameter form a
*staged chain* (``_plan``) on each fold: the worker fits the chain once, at
its largest value, takes every value's model from that one run
(:class:`StagedRun`) and scores each as its candidate.

A path is used only where a test shows it exact: the model taken for value
k predicts exactly what a fresh fit with value k predicts. The built-in
paths (``skhyper._paths``: scikit-learn's MLPs, and XGBoost, LightGBM,
CatBoost and skorch once their library is imported) each state their
conditions; users register their own with
:func:`skhyper.extend.register_staged_path` and prove them with
:func:`skhyper.extend.check_staged_path`. A user's entry for a class takes
precedence over the built-in ones, a user's warm-start path over a built-in
staged path.
"""

import inspect
import numbers
import time

from .._paths import FRESH, builtin_path
from ._registry import StagedPath, check_class, register, user_entry
from ._warm import fixed


def default_condition(params):
    """Fixed randomness (``random_state`` an int, where there is one) and no
    warm start: what a path that states no condition of its own needs."""
    if "random_state" in params and not fixed(params["random_state"]):
        return False
    return not params.get("warm_start")


def staged_path(estimator):
    """The :class:`StagedPath` that applies to ``estimator``, or None."""
    cls = type(estimator)
    entry = user_entry("staged", cls)
    if entry is None:
        if user_entry("warm", cls) is not None:
            return None
        builtin = builtin_path(cls)
        if builtin is None:
            return None
        entry = StagedPath(*builtin)
    try:
        params = estimator.get_params(deep=False)
    except Exception:
        return None
    value = params.get(entry.param)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    try:
        ok = entry.condition(params)
    except Exception:
        return None
    return entry if ok else None


def add_staged_path(cls, param, stages, condition=None, resume=None, resumable=None):
    """Register a staged path for exactly ``cls``; returns the registration."""
    check_class(cls, "register_staged_path")
    try:
        names = sorted(
            name
            for name in inspect.signature(cls.__init__).parameters
            if name != "self"
        )
    except (TypeError, ValueError):
        names = None
    if names is not None and param not in names:
        raise ValueError(
            f"{cls.__name__} has no parameter {param!r}: a staged path needs an "
            f"int-valued parameter of the estimator. Its parameters are {names!r}."
        )
    if not callable(stages):
        raise TypeError(
            "stages must be a callable (estimator, values, X, y, fit_params) -> "
            f"iterable of (value, model), got {stages!r} ({type(stages).__name__})"
        )
    if condition is not None and not callable(condition):
        raise TypeError(
            f"condition must be None or a callable taking the parameters dict, "
            f"got {condition!r} ({type(condition).__name__})"
        )
    for name, value in (("resume", resume), ("resumable", resumable)):
        if value is not None and not callable(value):
            raise TypeError(
                f"{name} must be None or a callable, got {value!r} "
                f"({type(value).__name__})"
            )
    if resumable is not None and resume is None:
        raise ValueError("resumable is given without resume: there is nothing to do")
    entry = StagedPath(param, condition or default_condition, stages, resume, resumable)
    return register("staged", cls, entry)


class StagedRun:
    """The models of one staged chain on one fold, from one fit.

    ``stages`` runs at once, to its end: a model it yields (or an exception
    in its place) is that value's fit (a third item ``FRESH`` says the
    model is a fit of its own, from a path's fallback, and a fourth why:
    ``fallback`` holds that reason); an exception it
    raises is the fit of every value it did not yield. A
    ``KeyboardInterrupt`` is not caught: an interrupted run is no fit.
    """

    def __init__(self, path, estimator, values, X, y, fit_params):
        self.param, self.top = path.param, max(values)
        self.models, self.error = {}, None
        self.fresh = set()  # values that a fallback of the path fitted alone
        self.fallback = None  # why, when it did
        start = time.time()
        try:
            for value, model, *how in path.stages(estimator, values, X, y, fit_params):
                self.models[value] = (model, time.time() - start)
                if how and how[0] == FRESH:
                    self.fresh.add(value)
                    if len(how) > 1:
                        self.fallback = str(how[1])
                    elif self.fallback is None:
                        self.fallback = "the path's stages fitted it afresh"
        except Exception as exc:
            self.error = exc
        self.seconds = time.time() - start
        self.cls = type(estimator).__name__
        # fits and path iterations that the run trained
        self.fits = len(self.fresh) or 1
        self.rounds = sum(self.fresh) or self.top

    def staged(self, value):
        """Whether ``value``'s model was taken from the run (no fit of its own)."""
        return value != self.top and value not in self.fresh

    def take(self, value):
        """``(model, seconds to reach it)`` of ``value``; raises what its fit
        raised."""
        found = self.models.pop(value, None)
        if found is None:
            if self.error is not None:
                raise self.error
            raise RuntimeError(
                f"The staged path of {self.cls} gave no model for "
                f"{self.param}={value!r}"
            )
        model, seconds = found
        if isinstance(model, BaseException):
            raise model
        return model, seconds
