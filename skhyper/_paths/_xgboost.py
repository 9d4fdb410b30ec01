"""Staged path of ``n_estimators`` for XGBoost's ``XGBClassifier`` and
``XGBRegressor``.

One fit at the largest ``n_estimators``; the model of ``k`` rounds is that
booster's first ``k`` layers (``booster[:k]``, XGBoost's public slicing),
loaded into a new estimator of the same class and parameters with the public
``load_model`` of the sliced booster's UBJSON bytes.

Exact (predict, predict_proba, score bit-for-bit against a fresh fit at ``k``,
and the same trees: ``get_dump`` equal), as established in
``tests/test_staged_thirdparty.py``, for binary and multi-class classification
and regression with the ``gbtree`` booster and ``tree_method`` ``hist``,
``approx`` or ``exact``, with row and column subsampling (``subsample``,
``colsample_bytree``/``bylevel``/``bynode``: XGBoost's RNG is seeded once per
fit and drawn round by round, so the first ``k`` rounds of a longer run are the
rounds of a run of ``k``), and with ``n_jobs=2`` (the histogram build is
reproducible run to run at a given thread count). ``random_state=None`` is
exact too: XGBoost's native seed then defaults to 0.

The path is refused (``condition`` is False) for:

- ``random_state`` (or ``seed``) that is not an int or None, e.g. a
  ``RandomState`` instance, which XGBoost draws a seed from at each fit;
- ``booster`` ``"dart"`` (dropout re-weights earlier trees, so round ``k`` of a
  longer run is not a run of ``k``) and ``"gblinear"`` (cannot be sliced);
- ``early_stopping_rounds`` set, or any ``callbacks``;
- a ``device`` other than the CPU (not tested), and extra keyword parameters
  outside a small set of aliases.

A callable ``objective`` (a custom objective function) is exact too: the
gradients of round ``k`` depend on the first ``k - 1`` rounds only.

Fit parameters other than ``sample_weight`` and ``verbose`` (``eval_set``,
``xgb_model``, ``base_margin``, ...) make :func:`stages` fall back to a fresh
fit per value, since ``condition`` does not see them.

:func:`resume` continues a kept booster with more rounds (the halving and
Hyperband tuners' survivors), where :func:`resumable` holds: no row or
column subsampling, since a continued fit seeds XGBoost's RNG afresh.
"""

import numbers

from sklearn.base import clone
from xgboost import XGBClassifier, XGBRegressor

from . import fresh_stages, unhonoured

# Fit parameters that leave the boosting rounds as a run of k makes them.
_SAFE_FIT_PARAMS = frozenset({"sample_weight", "verbose"})

# Keyword parameters (XGBoost passes unknown ones to its native learner) that
# are only aliases of ones that are exact.
_SAFE_KWARGS = frozenset({"seed", "eta", "lambda", "alpha", "min_split_loss"})

# load_model re-reads these hyperparameters from the booster's config; the
# model built for k gets back the values a fit leaves.
_RESET_BY_LOAD_MODEL = (
    "objective",
    "booster",
    "base_score",
    "feature_types",
    "enable_categorical",
)


def _is_seed(value):
    return value is None or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def condition(params):
    """Whether the staged path of ``n_estimators`` is exact for ``params``."""
    extra = set(params.get("kwargs") or ()) | (
        set(params) - set(XGBRegressor().get_params(deep=False))
    )
    return (
        _is_seed(params.get("random_state"))
        and _is_seed(params.get("seed"))
        and params.get("booster") in (None, "gbtree")
        and params.get("early_stopping_rounds") is None
        and not params.get("callbacks")
        and params.get("device") in (None, "cpu")
        and params.get("tree_method") in (None, "auto", "hist", "approx", "exact")
        and extra <= _SAFE_KWARGS
    )


def stages(estimator, values, X, y, fit_params):
    """Fit ``estimator`` once and yield ``(k, model of the first k rounds)``."""
    if set(fit_params) - _SAFE_FIT_PARAMS:
        reason = unhonoured(fit_params, _SAFE_FIT_PARAMS)
        yield from fresh_stages(
            estimator, "n_estimators", values, X, y, fit_params, reason
        )
        return
    full = clone(estimator).fit(X, y, **fit_params)
    booster = full.get_booster()
    fitted = full.get_params(deep=False)
    for k in values[:-1]:
        model = clone(estimator).set_params(n_estimators=k)
        model.load_model(bytearray(booster[:k].save_raw(raw_format="ubj")))
        for name in _RESET_BY_LOAD_MODEL:
            setattr(model, name, fitted[name])
        yield k, model
    yield values[-1], full


# Row and column subsampling: XGBoost seeds its RNG at each fit, so rounds
# added to a loaded booster draw other rows than the same rounds of one run.
_SAMPLING = ("subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode")


def resumable(params):
    """Whether a booster of ``params`` resumed with more rounds is exactly the
    booster of one fit: the staged path's conditions, no subsampling, one
    tree per round and the built-in objectives."""
    return (
        condition(params)
        and all(params.get(name) in (None, 1, 1.0) for name in _SAMPLING)
        and params.get("num_parallel_tree") in (None, 1)
        and not callable(params.get("objective"))
    )


def resume(estimator, model, X, y, fit_params):
    """``model`` (fitted with fewer rounds) given the rounds ``estimator``
    has on top: XGBoost's training continuation (``xgb_model=``), which
    builds the next rounds on the booster's predictions as one fit does.

    Exact where :func:`resumable` holds (predictions and ``get_dump``
    against fresh fits: ``tests/test_resume.py``); None for fit
    parameters a staged run does not honour."""
    if set(fit_params) - _SAFE_FIT_PARAMS:
        return None
    total = estimator.n_estimators  # (get_params is slow for boosters)
    done = model.get_booster().num_boosted_rounds()
    if not 0 < done < total:
        return None
    more = estimator  # a clone, unfitted, which resume may fit
    more.n_estimators = total - done
    more.fit(X, y, xgb_model=model.get_booster(), **fit_params)
    more.n_estimators = total
    return more


PATHS = {
    XGBClassifier: ("n_estimators", condition, stages, resume, resumable),
    XGBRegressor: ("n_estimators", condition, stages, resume, resumable),
}
