"""Teach skhyper about your own estimators.

skhyper shares work it knows to be exact. Two kinds of knowledge are
closed lists inside the engine, and these functions extend them:

- :func:`register_warm_start`: a parameter whose values can be fitted in
  increasing order on one model with ``warm_start=True`` (as
  ``n_estimators`` of a random forest), so a search over it grows one model
  per fold instead of fitting each value afresh;
- :func:`register_cheap_step`: a transformer cheap enough to be refitted
  in several tasks, so the candidates below it can run in parallel rather
  than wait in one task per fold.

:func:`check_warm_start` is the test that every built-in warm-start entry
passes: register a path only once it passes for your estimator.
Registrations hold for the process that runs ``fit`` (the plan is made
there), for every later search.
"""

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from ._engine._schedule import add_cheap_step
from ._engine._warm import add_warm_path, warm_path_param
from ._grid import GridTuner

__all__ = ["check_warm_start", "register_cheap_step", "register_warm_start"]


def register_warm_start(cls, param, condition=None):
    """Declare a warm-start path of an estimator class.

    Fitting the values of ``param`` in increasing order on one model with
    ``warm_start=True`` must give, at each value, the model a fresh fit
    gives; check it with :func:`check_warm_start` before registering. The
    path is used for exactly ``cls`` (not subclasses), when the candidate
    has ``warm_start`` off, ``random_state`` an int (or no ``random_state``
    parameter), an int value of ``param``, and ``condition`` holds.

    Parameters
    ----------
    cls : type
        The estimator class. Its constructor takes ``param`` and
        ``warm_start``.

    param : str
        The path parameter (an int-valued parameter such as
        ``n_estimators`` or ``max_iter``).

    condition : callable, default=None
        ``condition(params) -> bool``, given the candidate's
        ``get_params(deep=False)``: whether the path is exact for that
        configuration (e.g. ``lambda p: p["early_stopping"] is False``).
        None means always.

    Raises
    ------
    TypeError
        If ``cls`` is not a class or ``condition`` not a callable.
    ValueError
        If ``cls`` has no ``param`` or no ``warm_start`` parameter.

    See Also
    --------
    check_warm_start : Test that a path equals fresh fits.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper.extend import register_warm_start
    >>> class MyForest(RandomForestClassifier):
    ...     pass
    >>> register_warm_start(MyForest, "n_estimators")
    >>> register_warm_start(MyForest, "n_trees")
    Traceback (most recent call last):
    ...
    ValueError: MyForest has no parameter 'n_trees': ...
    """
    add_warm_path(cls, param, condition)


def register_cheap_step(cls):
    """Declare a transformer class cheap to repeat.

    Candidates of a pipeline that share an expensive first step (a kernel
    approximation, a PCA) are evaluated in one task per fold (or in parts
    that start from its handed-over outputs), so that step is fitted once
    per fold. Below a cheap step (a scaler, an encoder) they are spread
    over the tasks, and each worker refits the step when it does not hold
    it already: more parallelism for a little repeated work. The scheduler
    measures every step's cost as the search runs and decides by the
    measurement; this list is the prior it uses before a step of the class
    has been measured once (the first folds of a search). Declare a step
    cheap when one fit and transform costs about one pass over the data.
    The answer of the search does not change either way, only its speed.

    Parameters
    ----------
    cls : type
        The transformer class (exactly this class, not subclasses).

    Raises
    ------
    TypeError
        If ``cls`` is not a class.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator, TransformerMixin
    >>> from skhyper.extend import register_cheap_step
    >>> class Centre(TransformerMixin, BaseEstimator):
    ...     def fit(self, X, y=None):
    ...         self.mean_ = X.mean(axis=0)
    ...         return self
    ...
    ...     def transform(self, X):
    ...         return X - self.mean_
    >>> register_cheap_step(Centre)
    """
    add_cheap_step(cls)


def check_warm_start(estimator, param, values, X, y=None, *, cv=3, scoring=None):
    """Check that a registered warm-start path gives fresh fits' scores.

    Runs a :class:`~skhyper.GridTuner` over ``values`` of ``param`` (which
    grows one model per fold along the path) and a
    :class:`~sklearn.model_selection.GridSearchCV` (a fresh fit per value)
    side by side, and compares every score of their ``cv_results_``
    exactly, train scores included. This is the test every built-in path
    passes.

    Parameters
    ----------
    estimator : estimator object
        An instance of a registered class, configured as it will be searched
        (``random_state`` an int where it has one).

    param : str
        The registered path parameter.

    values : list of int
        At least two values, in any order.

    X : array-like of shape (n_samples, n_features)
        Data to fit on.

    y : array-like of shape (n_samples,), default=None
        Targets, if the estimator takes them.

    cv : int or CV splitter, default=3
        The cross-validation of both searches.

    scoring : str or callable, default=None
        How both searches score; None uses the estimator's ``score``.

    Raises
    ------
    ValueError
        If no path applies to ``estimator`` and ``param`` (not registered,
        ``random_state`` not an int, ``warm_start`` on, or its condition
        fails), or fewer than two values are given.
    AssertionError
        If the path was not followed or a score differs from a fresh fit's.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import ExtraTreesClassifier
    >>> from skhyper.extend import check_warm_start
    >>> X, y = make_classification(n_samples=60, random_state=0)
    >>> check_warm_start(
    ...     ExtraTreesClassifier(random_state=0), "n_estimators", [2, 5], X, y
    ... )
    """
    found = warm_path_param(estimator)
    if found != param:
        raise ValueError(
            f"No warm-start path applies to {param!r} of {estimator!r} (found "
            f"{found!r}): register the class with register_warm_start, give it an "
            "int random_state and warm_start=False."
        )
    values = list(values)
    if len(set(values)) < 2:
        raise ValueError(
            f"values must hold at least two different values, got {values!r}"
        )
    grid = {param: values}
    kwargs = dict(cv=cv, scoring=scoring, return_train_score=True)
    tuner = GridTuner(clone(estimator), grid, **kwargs).fit(X, y)
    reference = GridSearchCV(clone(estimator), grid, **kwargs).fit(X, y)
    if tuner.work_["warm_start_fits"] == 0:
        raise AssertionError(
            f"The warm-start path of {param!r} was not followed (work_={tuner.work_})."
        )
    for key, expected in reference.cv_results_.items():
        if key.endswith("_time") or key == "params":
            continue
        np.testing.assert_array_equal(
            np.asarray(tuner.cv_results_[key]),
            np.asarray(expected),
            err_msg=f"{key}: the warm-start path differs from fresh fits",
        )
