"""Share the branches of composite steps inside a task.

A ``FeatureUnion``, a ``ColumnTransformer`` or a nested ``Pipeline`` is
fitted by its own code (its stacking, weights, column selection, output
configuration stay scikit-learn's), but each of its branches is wrapped in a
:class:`Shared` proxy. A proxy is identified by what its branch sees (the
composite's input, the columns a ``ColumnTransformer`` selects from it, the
steps upstream in a nested pipeline) and by its own parameters. The first
proxy with an identity fits a clone of its branch and keeps the fit and its
output in the task's memo; every later proxy with that identity in the same
task reuses them. So two unions that differ in one branch fit the other
branches once per fold.

``transform`` outputs are reused too, when the input is equal by value to an
input already transformed by the same fitted branch (the test data of the
fold, scored once per composite).

A composite is opened only when its fit is plain: no fit parameters, no
``n_jobs`` (the proxies live in this process), a nested pipeline without
``memory``. Otherwise it is fitted whole, as before.
"""

import copy
import itertools

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils import get_tags

from .._compat import output_config, remainder_of, set_remainder
from ._arrays import freeze, nbytes, same, shape_of, writable
from ._keys import KeyTable, canonical

_ACTIVE = {}  # token -> _Branches of the running task, in this process
_TOKENS = itertools.count()


def is_passthrough(step):
    """A pipeline step that passes its input on: None or 'passthrough'."""
    return step is None or (isinstance(step, str) and step == "passthrough")


def _skipped(step):
    """A branch that fits nothing: passthrough, or a composite's 'drop'."""
    return is_passthrough(step) or (isinstance(step, str) and step == "drop")


def is_composite(est):
    return type(est) in (Pipeline, FeatureUnion, ColumnTransformer)


def children(est):
    """The branches of a composite (strings such as 'drop' included)."""
    if type(est) is Pipeline:
        return [step for _, step in est.steps]
    if type(est) is FeatureUnion:
        return [t for _, t in est.transformer_list]
    if type(est) is ColumnTransformer:
        return [t for _, t, cols in est.transformers if not _no_columns(cols)] + [
            est.remainder
        ]
    return []


def _no_columns(columns):
    if isinstance(columns, np.ndarray) and columns.dtype == bool:
        return not columns.any()
    try:
        return len(columns) == 0
    except TypeError:
        return False


def count_fits(est):
    """Estimator fits in one fit of ``est``: composites count their branches,
    proxies nothing (the memo counts the fits they make)."""
    if _skipped(est) or isinstance(est, Shared):
        return 0
    if is_composite(est):
        return sum(count_fits(child) for child in children(est))
    return 1


def _openable(est):
    if type(est) is Pipeline:
        return est.memory is None and getattr(est, "transform_input", None) is None
    if type(est) in (FeatureUnion, ColumnTransformer):
        return est.n_jobs in (None, 1)
    return False


class Branches:
    """The memo and fit counter that the proxies of one task share."""

    def __init__(self, memo, keys=None, scope=None):
        self.memo = memo  # may be shared with other tasks: keys are scoped
        self.scope = scope  # the split
        self.fits = 0
        self.keys = KeyTable() if keys is None else keys
        self.alive = []  # objects keyed by id: alive while their keys are used
        self.token = f"{id(self)}-{next(_TOKENS)}"

    def __enter__(self):
        _ACTIVE[self.token] = self
        return self

    def __exit__(self, *exc):
        _ACTIVE.pop(self.token, None)

    def intern(self, key):
        return self.keys(*key)

    def open(self, est, in_key, as_transformer):
        """``est`` with its branches (recursively) behind proxies.

        ``in_key`` identifies the data ``est`` is fitted on. A pipeline used
        as a transformer shares its last step too; one used as the final
        estimator keeps it as is.
        """
        if not is_composite(est) or not _openable(est):
            return est
        est = copy.copy(est)  # unfitted: a shallow copy with new branch lists
        if type(est) is Pipeline:
            steps, key = [], in_key
            last = len(est.steps) - 1
            for i, (name, step) in enumerate(est.steps):
                if not _skipped(step):
                    if i == last and not as_transformer:
                        step = self.open(step, key, False)
                    else:
                        step, key = self.branch(step, key), self.identity(step, key)
                steps.append((name, step))  # the next step sees ``key``'s output
            est.steps = steps
        elif type(est) is FeatureUnion:
            est.transformer_list = [
                (name, t if _skipped(t) else self.branch(t, in_key))
                for name, t in est.transformer_list
            ]
        else:
            transformers = []
            for name, t, columns in est.transformers:
                if not _skipped(t):
                    t = self.branch(t, ("columns", in_key, self.canonical(columns)))
                transformers.append((name, t, columns))
            est.transformers = transformers
            if not _skipped(est.remainder):
                selected = self.canonical([cols for _, _, cols in est.transformers])
                est.remainder = self.branch(est.remainder, ("rest", in_key, selected))
        return est

    def canonical(self, value):
        """``canonical(value)``; valid in this task only if it holds an id."""
        before = len(self.alive)
        key = canonical(value, keep=self.alive)
        if len(self.alive) > before:  # ids are reused once objects die
            return ("task", self.token, key)
        return key

    def identity(self, est, in_key):
        return ("fit", in_key, self.canonical(est))

    def branch(self, est, in_key):
        """A proxy for ``est`` fitted on the data identified by ``in_key``."""
        opened = self.open(est, in_key, True)
        return Shared(opened, self.intern(self.identity(est, in_key)), self.token)

    def fitted(self, kind, key, X, fit):
        """The memo's ``(fitted, output)`` for ``key``, made by ``fit`` once.

        The key stands for the data; its shape is checked as a safeguard.
        """
        entry = self.memo.get((self.scope, kind, key))
        if entry is None or entry["shape"] != shape_of(X):
            fitted, out = fit()
            out = freeze(out)
            entry = {"fitted": fitted, "out": out, "shape": shape_of(X)}
            entry["nbytes"] = nbytes(out)
            self.memo.put((self.scope, kind, key), entry)
        return entry["fitted"], entry["out"]

    def transformed(self, key, fitted, X):
        """``fitted.transform(X)``, reused for inputs equal by value."""
        entry = self.memo.get((self.scope, "transform", key))
        if entry is not None and entry["fitted"] is fitted:
            for seen, out in entry["seen"]:
                if same(seen, X):
                    return out
        out = freeze(writable(fitted.transform, X))
        if entry is None or entry["fitted"] is not fitted:
            entry = {"fitted": fitted, "seen": [], "nbytes": 0}
        entry["seen"] = entry["seen"][-1:] + [(X, out)]  # test and train data
        entry["nbytes"] = sum(nbytes(a) + nbytes(b) for a, b in entry["seen"])
        self.memo.put((self.scope, "transform", key), entry)
        return out


class Shared(BaseEstimator):
    """A branch of a composite step whose fit is shared within a task.

    It behaves as the branch it holds: ``fit``/``fit_transform`` return the
    memo's fit when a proxy with the same ``key`` fitted it already, and any
    other attribute (``get_feature_names_out``, ``classes_``...) comes from
    the fitted branch. Outside a task (``token`` unknown) it fits normally.
    """

    def __init__(self, estimator, key, token):
        self.estimator = estimator
        self.key = key
        self.token = token

    def __getattr__(self, name):
        if name.startswith("__") or name in ("estimator", "fitted_", "key", "token"):
            raise AttributeError(name)
        target = self.__dict__.get("fitted_", self.__dict__.get("estimator"))
        if target is None:
            raise AttributeError(name)
        return getattr(target, name)

    def __sklearn_tags__(self):
        return get_tags(self.estimator)

    def _memo_key(self):
        config = output_config(self.estimator)
        return (self.key, repr(config))

    def _fit(self, kind, X, y, params):
        branches = _ACTIVE.get(self.token)
        shared = branches is not None and not params

        def fit():
            est = clone(self.estimator)
            if shared:  # its own fit, or its branches' not behind proxies
                branches.fits += count_fits(est)
            if kind == "fit":
                return writable(lambda X: est.fit(X, y, **params), X), None
            return est, writable(lambda X: fit_transform(est, X, y, params), X)

        if shared:
            self.fitted_, out = branches.fitted(kind, self._memo_key(), X, fit)
        else:
            self.fitted_, out = fit()
        return out

    def fit(self, X, y=None, **params):
        self._fit("fit", X, y, params)
        return self

    def fit_transform(self, X, y=None, **params):
        return self._fit("fit_transform", X, y, params)

    def transform(self, X):
        branches = _ACTIVE.get(self.token)
        if branches is None:
            return self.fitted_.transform(X)
        return branches.transformed(self._memo_key(), self.fitted_, X)


def fit_transform(est, X, y, params):
    """Fit ``est`` and transform ``X`` as ``Pipeline`` does."""
    if hasattr(est, "fit_transform"):
        return est.fit_transform(X, y, **params)
    return est.fit(X, y, **params).transform(X)


def unwrap(est):
    """``est`` with every proxy replaced by the estimator it stands for.

    A fitted composite then holds what scikit-learn's own fit leaves in it:
    this is what a custom scorer gets.
    """
    if isinstance(est, Shared):
        return unwrap(est.__dict__.get("fitted_", est.estimator))
    if not is_composite(est):
        return est
    est = copy.copy(est)
    if type(est) is Pipeline:
        est.steps = [(name, unwrap(step)) for name, step in est.steps]
    elif type(est) is FeatureUnion:
        est.transformer_list = [(name, unwrap(t)) for name, t in est.transformer_list]
    else:
        for attr in ("transformers", "transformers_"):
            if attr in est.__dict__:
                value = [(n, unwrap(t), cols) for n, t, cols in est.__dict__[attr]]
                setattr(est, attr, value)
        est.remainder = unwrap(est.remainder)
        fitted_remainder = remainder_of(est)
        if fitted_remainder is not None:
            name, t, cols = fitted_remainder
            set_remainder(est, (name, unwrap(t), cols))
    return est
