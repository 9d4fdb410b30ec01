"""Built-in staged paths: one fit per fold, every smaller value's model from it.

A staged path of an estimator class is ``(param, condition, stages)``:
``stages(estimator, values, X, y, fit_params)`` fits ``estimator`` once, at
the largest of ``values``, and yields ``(value, model)`` in increasing
order, each ``model`` predicting exactly what a fresh fit with that value
predicts (see ``skhyper._engine._staged``). Two more items, optional,
``(resume, resumable)``, continue a kept model to a larger value where
``resumable(params)`` holds (``StagedPath.resume``: scikit-learn's MLPs
without early stopping, the boosters of XGBoost and LightGBM without
sampling). scikit-learn's networks are in
``_sklearn``; each third-party library has a module of its own, imported
only once an estimator of that library is met, so only when the library is
imported already: ``import skhyper`` imports none of them.
"""

import importlib

from sklearn.base import clone

from ._sklearn import PATHS as SKLEARN_PATHS

# top-level package of the estimator's module -> the adapter module here
ADAPTERS = {
    "xgboost": "._xgboost",
    "lightgbm": "._lightgbm",
    "catboost": "._catboost",
    "skorch": "._skorch",
}
_LOADED = {}


def builtin_path(cls):
    """The built-in ``(param, condition, stages)`` of exactly ``cls``, or None."""
    entry = SKLEARN_PATHS.get(cls)
    if entry is not None:
        return entry
    library = cls.__module__.partition(".")[0]
    adapter = ADAPTERS.get(library)
    if adapter is None:
        return None
    paths = _LOADED.get(library)
    if paths is None:
        # The class is in hand, so its library is imported: loading the
        # adapter imports nothing new.
        try:
            paths = importlib.import_module(adapter, __name__).PATHS
        except ImportError:  # an adapter for a version we do not support
            paths = {}
        _LOADED[library] = paths
    return paths.get(cls)


FRESH = "fresh"  # the third item of a stage that is a fit of its own


def fresh_stages(estimator, param, values, X, y, fit_params, reason):
    """Yield ``(value, fresh fit at value, FRESH, reason)``: the fallback for
    what a staged run cannot honour (an ``eval_set`` that may stop early, a
    net that cannot be copied, ...), exact by construction and no cheaper
    than no path; the engine counts each as a fit of its own, and reports
    the search's fallbacks (``work_["fallbacks"]``, one warning naming the
    class and ``reason``)."""
    for value in values:
        model = clone(estimator).set_params(**{param: value})
        yield value, model.fit(X, y, **fit_params), FRESH, reason


def unhonoured(fit_params, safe):
    """The reason a staged run falls back for ``fit_params`` outside ``safe``."""
    extra = sorted(set(fit_params) - safe)
    return f"fit parameters {extra} (a staged run cannot honour them)"
