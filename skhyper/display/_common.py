"""What every display shares: matplotlib on demand, reading ``cv_results_``.

Nothing here imports matplotlib at import time: :func:`check_matplotlib` is
called when a display is made, and :func:`pyplot` when one is drawn.
"""

import numbers
import textwrap
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._cv_results import pick_metric

PLOT_EXTRA = "plot"
AGGREGATES = ("best", "mean")
# Positive values spanning this ratio or more are drawn on a log axis.
LOG_RATIO = 100.0
# Tick labels longer than this (with more than LONG_LABELS_MIN of them) are tilted.
LONG_LABEL = 8
LONG_LABELS_MIN = 3
# Titles are wrapped at this many characters, to fit over one axes.
TITLE_WIDTH = 60


def check_matplotlib(caller):
    """Raise an ImportError naming the extra if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib, an optional dependency of skhyper: "
            f'install it with pip install "skhyper[{PLOT_EXTRA}]" '
            "(or pip install matplotlib)."
        ) from exc


def pyplot():
    """``matplotlib.pyplot``, imported on first use."""
    import matplotlib.pyplot as plt

    return plt


def new_axes(ax):
    """``ax`` or a fresh one, and its figure."""
    if ax is None:
        # constrained: room for colour bars and two-line tick labels
        _, ax = pyplot().subplots(layout="constrained")
    return ax, ax.figure


def fitted_results(estimator):
    """``estimator.cv_results_``, checked to exist."""
    check_is_fitted(estimator, "cv_results_")
    return estimator.cv_results_


def results_and_metric(estimator, metric):
    """``estimator.cv_results_`` and the metric to show: ``metric``, else the
    estimator's ``refit`` metric, else ``score`` or the only one."""
    cv_results = fitted_results(estimator)
    return cv_results, pick_metric(
        cv_results, metric, refit=getattr(estimator, "refit", None)
    )


def check_cv_results(cv_results):
    """``cv_results`` must look like a search's ``cv_results_``."""
    if not isinstance(cv_results, dict) or "params" not in cv_results:
        raise TypeError(
            "cv_results must be the cv_results_ dict of a fitted search (with a "
            f"'params' key), got {type(cv_results).__name__}"
        )
    return cv_results


def is_number(value):
    """A real number (not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def value_key(value):
    """A hashable key: equal parameter values (by value) have equal keys."""
    if isinstance(value, BaseEstimator):
        params = value.get_params(deep=False)
        return ("estimator", type(value).__qualname__, repr(sorted(params.items())))
    if isinstance(value, bool | np.bool_):
        return ("bool", bool(value))
    if is_number(value):
        value = float(value)
        return ("nan",) if np.isnan(value) else ("number", value)
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return ("value", type(value).__name__, value)


def value_label(value):
    """A short tick label: class names for estimators, ``%g`` for numbers."""
    if isinstance(value, BaseEstimator):
        return type(value).__name__
    if is_number(value):
        return f"{float(value):g}"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return str(value)


def should_log(values):
    """Whether positive values span at least two decades."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    return bool(
        values.size and values.min() > 0 and values.max() / values.min() >= LOG_RATIO
    )


@dataclass
class ParamScale:
    """How one parameter's values map to an axis.

    Numeric parameters (every value a real number) keep their values, on a
    log axis when they are positive and span two decades or more.
    Others are categories in order of first appearance (numbers among them
    sorted, after the rest), labelled by :func:`value_label`.
    """

    name: str
    numeric: bool
    log: bool
    keys: list  # categorical: the category keys, in order
    labels: list  # categorical: their tick labels

    @classmethod
    def of(cls, name, values, present):
        shown = [v for v, p in zip(values, present) if p]
        if shown and all(is_number(v) for v in shown):
            return cls(name, True, should_log(shown), [], [])
        first = {}
        for v in shown:
            first.setdefault(value_key(v), v)
        others = [k for k, v in first.items() if not is_number(v)]
        numbers_ = sorted(
            (k for k, v in first.items() if is_number(v)), key=lambda k: k[-1]
        )
        keys = others + numbers_
        labels = [value_label(first[k]) for k in keys]
        # Two estimators of one class, or a string and a number alike: use repr.
        for i, label in enumerate(labels):
            if labels.count(label) > 1:
                v = first[keys[i]]
                labels[i] = repr(v) if not isinstance(v, str) else f"{v!r}"
        return cls(name, False, False, keys, labels)

    def position(self, value):
        """The value itself (numeric), or its category's index."""
        if self.numeric:
            return float(value)
        return float(self.keys.index(value_key(value)))


def groups_by(values, present, scale):
    """``{position: [candidate indices]}`` in increasing position."""
    groups = {}
    for i, (v, p) in enumerate(zip(values, present)):
        if p:
            groups.setdefault(scale.position(v), []).append(i)
    return dict(sorted(groups.items()))


def check_aggregate(aggregate):
    if aggregate not in AGGREGATES:
        raise ValueError(f"aggregate must be one of {AGGREGATES}, got {aggregate!r}")


def pick_best(indices, means):
    """Index (in ``indices``) of the best finite mean; None if none is finite."""
    finite = [i for i in indices if np.isfinite(means[i])]
    if not finite:
        return None
    return max(finite, key=lambda i: (means[i], -i))


def aggregate_statement(aggregate, others, per="value"):
    """What the plot shows for each value, in words."""
    if not others:
        return f"one candidate per {per}"
    names = ", ".join(others)
    if aggregate == "best":
        return f"best candidate per {per} over the other parameters ({names})"
    return f"mean over the other parameters ({names}) per {per}"


def tilt_if_long(labels):
    """Rotation and alignment for tick labels."""
    if len(labels) > LONG_LABELS_MIN and max(map(len, labels), default=0) > LONG_LABEL:
        return {"rotation": 30, "ha": "right"}
    return {}


def set_title(ax, title):
    """A small title, wrapped to fit over the axes."""
    ax.set_title(textwrap.fill(title, TITLE_WIDTH), fontsize="medium")
