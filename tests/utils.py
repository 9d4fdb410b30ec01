"""Helpers comparing a skhyper tuner with the scikit-learn search it replaces.

The promise checked here: ``cv_results_`` equals scikit-learn's key by key
(same keys in the same order, same types and dtypes, masked ``param_*``
arrays with the same mask, scores equal to floating-point equality) except
for the ``*_time`` keys, whose values naturally differ; and the fitted
attributes and delegated methods behave the same.
"""

import fnmatch
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

#: Methods that ``BaseSearchCV`` delegates to ``best_estimator_``.
DELEGATED_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score",
    "score_samples",
    "transform",
    "inverse_transform",
)


def _is_time_key(key):
    return key.endswith("_time")


def _values_equal(a, b):
    """Whether two parameter values are the same for our purpose.

    Estimators are compared by type and ``repr`` (they are distinct objects
    after cloning); everything else by type and value, NaN equal to NaN.
    """
    if isinstance(a, BaseEstimator) or isinstance(b, BaseEstimator):
        return type(a) is type(b) and repr(a) == repr(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, np.random.RandomState):
        return all(
            _values_equal(x, z)
            for x, z in zip(a.get_state(legacy=False), b.get_state(legacy=False))
        )
    if all(hasattr(a, attr) for attr in ("dist", "args", "kwds")):
        # a frozen scipy.stats distribution (cloning deep-copies it)
        return (
            type(a.dist) is type(b.dist)
            and _values_equal(a.args, b.args)
            and _values_equal(a.kwds, b.kwds)
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(_values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_values_equal(x, z) for x, z in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(
            a, b, equal_nan=a.dtype.kind in "fc"
        )
    if isinstance(a, numbers.Number) and not isinstance(a, bool):
        if a != a and b != b:  # both NaN
            return True
    try:
        equal = a == b
        return bool(equal)
    except Exception:  # noqa: BLE001 - values with odd __eq__
        return repr(a) == repr(b)


def assert_params_equal(ours, theirs, what="params"):
    """Assert two parameter dicts have the same keys (in order) and values."""
    assert isinstance(ours, dict), f"{what}: expected a dict, got {type(ours)}"
    assert list(ours) == list(theirs), f"{what}: keys {list(ours)} != {list(theirs)}"
    for name in theirs:
        assert _values_equal(ours[name], theirs[name]), (
            f"{what}[{name!r}]: {ours[name]!r} ({type(ours[name]).__name__}) != "
            f"{theirs[name]!r} ({type(theirs[name]).__name__})"
        )


def _assert_param_array_equal(key, ours, theirs):
    assert isinstance(theirs, np.ma.MaskedArray)  # sanity check of the reference
    assert isinstance(ours, np.ma.MaskedArray), (
        f"{key}: expected a numpy masked array, got {type(ours)}"
    )
    assert ours.dtype == theirs.dtype, f"{key}: dtype {ours.dtype} != {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{key}: shape {ours.shape} != {theirs.shape}"
    our_mask = np.ma.getmaskarray(ours)
    their_mask = np.ma.getmaskarray(theirs)
    np.testing.assert_array_equal(our_mask, their_mask, err_msg=f"{key}: mask")
    our_data = np.asarray(ours.data)[~their_mask]
    their_data = np.asarray(theirs.data)[~their_mask]
    if theirs.dtype == object:
        for i, (a, b) in enumerate(zip(our_data, their_data)):
            assert _values_equal(a, b), (
                f"{key}: unmasked value #{i}: {a!r} ({type(a).__name__}) != "
                f"{b!r} ({type(b).__name__})"
            )
    else:
        np.testing.assert_array_equal(our_data, their_data, err_msg=key)


def _cv_results(x):
    return x.cv_results_ if hasattr(x, "cv_results_") else x


def assert_cv_results_equal(ours, theirs, *, keys=None, ignore=()):
    """Assert that ``cv_results_`` equals the reference's, key by key.

    The one comparison of ``cv_results_`` in the tests. Every compared key
    must have the same type; ``param_*`` masked arrays the same dtype, shape,
    mask and unmasked values; ``params`` the same dicts, values compared with
    ``_values_equal``; every other key the same dtype, shape and values, exactly
    (no tolerance). The ``*_time`` keys are compared by type, dtype and shape
    only: times differ from run to run.

    Parameters
    ----------
    ours, theirs : dict or fitted search
        The results, or a search whose ``cv_results_`` is taken.
    keys : iterable of str, default=None
        Compare only these keys, each of which must be in both. By default all
        keys are compared, and both must have the same keys in the same order.
    ignore : iterable of str, default=()
        ``fnmatch`` patterns of keys whose values are not compared (the keys
        must still be there, in the same order), e.g. keys that depend on what
        the reference search could not do alike.
    """
    ours, theirs = _cv_results(ours), _cv_results(theirs)
    assert isinstance(ours, dict), f"cv_results_ is a {type(ours)}, not a dict"
    if keys is None:
        assert list(ours) == list(theirs), (
            f"cv_results_ keys differ:\n ours:   {list(ours)}\n theirs: {list(theirs)}"
        )
        keys = list(theirs)
    else:
        keys = list(keys)
        assert keys, "keys: nothing to compare"
        for key in keys:
            assert key in theirs, f"{key!r} not in the reference cv_results_"
            assert key in ours, f"{key!r} missing from cv_results_"
    for key in keys:
        if any(fnmatch.fnmatchcase(key, pattern) for pattern in ignore):
            continue
        a, b = ours[key], theirs[key]
        assert type(a) is type(b), f"{key}: type {type(a)} != {type(b)}"
        if _is_time_key(key):
            assert a.shape == b.shape, f"{key}: shape {a.shape} != {b.shape}"
            assert a.dtype == b.dtype, f"{key}: dtype {a.dtype} != {b.dtype}"
        elif key.startswith("param_"):
            _assert_param_array_equal(key, a, b)
        elif key == "params":
            assert len(a) == len(b), f"params: {len(a)} candidates != {len(b)}"
            for i, (pa, pb) in enumerate(zip(a, b)):
                assert_params_equal(pa, pb, what=f"params[{i}]")
        else:
            assert a.dtype == b.dtype, f"{key}: dtype {a.dtype} != {b.dtype}"
            assert a.shape == b.shape, f"{key}: shape {a.shape} != {b.shape}"
            np.testing.assert_array_equal(a, b, err_msg=key, strict=True)


def _to_dense(x):
    return x.toarray() if sp.issparse(x) else x


def _assert_output_equal(name, a, b):
    assert type(a) is type(b), f"{name}: output type {type(a)} != {type(b)}"
    a, b = _to_dense(a), _to_dense(b)
    if isinstance(b, np.ndarray):
        assert a.dtype == b.dtype, f"{name}: dtype {a.dtype} != {b.dtype}"
        np.testing.assert_array_equal(a, b, err_msg=name, strict=True)
    else:
        assert _values_equal(a, b), f"{name}: {a!r} != {b!r}"


def assert_estimator_params_equal(ours, theirs, what="estimator"):
    """Assert two estimators are of the same type with the same parameters."""
    assert type(ours) is type(theirs), f"{what}: {type(ours)} != {type(theirs)}"
    assert_params_equal(
        ours.get_params(deep=False), theirs.get_params(deep=False), what=what
    )


def assert_delegation_equal(ours, theirs, X, y=None):
    """Every delegated method exists in ours iff it exists in theirs, and
    returns the same output on ``X``."""
    for name in DELEGATED_METHODS:
        has_theirs = hasattr(theirs, name)
        assert hasattr(ours, name) == has_theirs, (
            f"hasattr(tuner, {name!r}) != hasattr(search, {name!r}) ({has_theirs})"
        )
        if not has_theirs or X is None:
            continue
        if name == "inverse_transform":
            X_in = theirs.transform(X.copy() if hasattr(X, "copy") else X)
        else:
            X_in = X
        b, error_b = _call(theirs, name, X_in, y)
        a, error_a = _call(ours, name, X_in, y)
        if error_b is not None:
            # e.g. score() of a multimetric search refit with a callable
            # raises KeyError in scikit-learn: the tuner must fail alike.
            assert type(error_a) is type(error_b), (
                f"{name}: search raised {error_b!r}, tuner gave {error_a!r} / {a!r}"
            )
            continue
        assert error_a is None, f"{name}: tuner raised {error_a!r}"
        _assert_output_equal(name, a, b)


def _call(search, name, X, y):
    """Call a delegated method; return (output, None) or (None, exception).

    The method gets a copy of ``X``: a step with ``copy=False`` writes into
    its input, and each call must see the same data.
    """
    X = X.copy() if hasattr(X, "copy") else X
    args = (X, y) if name == "score" else (X,)
    try:
        with np.errstate(divide="ignore"):  # predict_log_proba of a tree: log(0)
            return getattr(search, name)(*args), None
    except Exception as exc:  # noqa: BLE001 - compared with the reference's
        return None, exc


def _assert_same_exact(name, a, b):
    assert type(a) is type(b), f"{name}: type {type(a)} != {type(b)}"
    if isinstance(b, float | np.floating) and np.isnan(b):
        assert np.isnan(a), f"{name}: {a!r} != {b!r}"
    else:
        assert a == b, f"{name}: {a!r} != {b!r}"


def assert_search_equal(ours, theirs, X=None, y=None):
    """Assert a fitted tuner matches the fitted scikit-learn search.

    Checks ``cv_results_``, ``best_index_``, ``best_score_`` (exact),
    ``best_params_``, ``multimetric_``, ``n_splits_``, ``scorer_``,
    ``best_estimator_`` and ``refit_time_`` presence, ``classes_``,
    ``n_features_in_``, ``feature_names_in_``; and, given ``X`` (and ``y``),
    the outputs of every delegated method.
    """
    assert_cv_results_equal(ours.cv_results_, theirs.cv_results_)

    for name in ("best_index_", "best_score_", "multimetric_", "n_splits_"):
        assert hasattr(ours, name) == hasattr(theirs, name), (
            f"hasattr(tuner, {name!r}) != {hasattr(theirs, name)}"
        )
        if hasattr(theirs, name):
            _assert_same_exact(name, getattr(ours, name), getattr(theirs, name))

    assert hasattr(ours, "best_params_") == hasattr(theirs, "best_params_")
    if hasattr(theirs, "best_params_"):
        assert_params_equal(ours.best_params_, theirs.best_params_, "best_params_")

    # scorer_: a single scorer, or a dict of scorers for multimetric
    assert type(ours.scorer_) is type(theirs.scorer_), (
        f"scorer_: {type(ours.scorer_)} != {type(theirs.scorer_)}"
    )
    if isinstance(theirs.scorer_, dict):
        assert list(ours.scorer_) == list(theirs.scorer_)
        for key in theirs.scorer_:
            assert type(ours.scorer_[key]) is type(theirs.scorer_[key]), key

    for name in ("best_estimator_", "refit_time_"):
        assert hasattr(ours, name) == hasattr(theirs, name), (
            f"hasattr(tuner, {name!r}) != {hasattr(theirs, name)}"
        )
    if hasattr(theirs, "best_estimator_"):
        assert_estimator_params_equal(
            ours.best_estimator_, theirs.best_estimator_, "best_estimator_"
        )
        assert isinstance(ours.refit_time_, float)
        assert ours.refit_time_ >= 0

    for name in ("classes_", "n_features_in_", "feature_names_in_"):
        assert hasattr(ours, name) == hasattr(theirs, name), (
            f"hasattr(tuner, {name!r}) != {hasattr(theirs, name)}"
        )
        if hasattr(theirs, name):
            _assert_output_equal(name, getattr(ours, name), getattr(theirs, name))

    assert_delegation_equal(ours, theirs, X, y)


def assert_same_work(ours, other):
    """Equal ``work_`` records, but for ``fits``, which depends on where the
    tasks ran (each worker process keeps the shared steps it fitted for its
    next tasks of the same fold, so fewer workers may mean fewer fits), and
    ``tasks``, which depends on how long the first fits took (the scheduler
    groups small ones)."""
    a, b = dict(ours.work_), dict(other.work_)
    fits = a.pop("fits"), b.pop("fits")
    tasks = a.pop("tasks"), b.pop("tasks")
    assert a == b
    assert 0 < min(tasks)
    assert 0 < min(fits) and max(fits) <= a["plain_fits"]
