"""Warm-start paths: parameters whose values can be fitted in increasing order.

For an entry ``(class, parameter)``, fitting the values of ``parameter`` in
increasing order on one model with ``warm_start=True`` gives the same model
as a fresh fit at each value: each entry has a test against fresh fits
(``tests/test_warm.py``, with :func:`skhyper.extend.check_warm_start`). A
path is only used when ``random_state`` is an int (or the estimator has no
``random_state``) and ``warm_start`` is off in the candidate, and the class
is exactly the one listed (a subclass may change ``fit``). Users add entries
for their own estimators with :func:`skhyper.extend.register_warm_start`
(``_registry``); a user's staged path for the class (``_staged``) takes
precedence over a warm-start path.
"""

import inspect
import numbers

from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)

from ._registry import WarmPath, check_class, register, user_entry


def _no_gb_early_stopping(params):
    return params.get("n_iter_no_change") is None


def _no_hgb_early_stopping(params):
    return params.get("early_stopping") is False


def _no_bagging_oob(params):
    # BaggingClassifier refuses oob_score together with warm_start.
    return not params.get("oob_score")


# The built-in paths, each tested in tests/test_warm.py.
WARM_PATHS = {
    RandomForestClassifier: WarmPath("n_estimators"),
    RandomForestRegressor: WarmPath("n_estimators"),
    ExtraTreesClassifier: WarmPath("n_estimators"),
    ExtraTreesRegressor: WarmPath("n_estimators"),
    BaggingClassifier: WarmPath("n_estimators", _no_bagging_oob),
    BaggingRegressor: WarmPath("n_estimators", _no_bagging_oob),
    IsolationForest: WarmPath("n_estimators"),
    GradientBoostingClassifier: WarmPath("n_estimators", _no_gb_early_stopping),
    GradientBoostingRegressor: WarmPath("n_estimators", _no_gb_early_stopping),
    HistGradientBoostingClassifier: WarmPath("max_iter", _no_hgb_early_stopping),
    HistGradientBoostingRegressor: WarmPath("max_iter", _no_hgb_early_stopping),
}


def add_warm_path(cls, param, condition=None):
    """Declare ``param`` of ``cls`` a warm-start path (see the module docstring).

    ``condition(params)``, given the candidate's ``get_params(deep=False)``,
    says whether the path is exact for that configuration (e.g. no early
    stopping); None means always. Returns the ``Registration``.
    """
    check_class(cls, "register_warm_start")
    names = _init_params(cls)
    for name in (param, "warm_start"):
        if name not in names:
            raise ValueError(
                f"{cls.__name__} has no parameter {name!r}: a warm-start path needs "
                f"the path parameter and warm_start. Its parameters are {names!r}."
            )
    if condition is not None and not callable(condition):
        raise TypeError(
            f"condition must be None or a callable taking the parameters dict, "
            f"got {condition!r} ({type(condition).__name__})"
        )
    entry = WarmPath(param) if condition is None else WarmPath(param, condition)
    return register("warm", cls, entry)


def _init_params(cls):
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return sorted(name for name in signature.parameters if name != "self")


def warm_path_param(estimator):
    """The path parameter of ``estimator``, or None if no exact path applies."""
    cls = type(estimator)
    if user_entry("staged", cls) is not None:
        return None
    entry = user_entry("warm", cls) or WARM_PATHS.get(cls)
    if entry is None:
        return None
    param, condition = entry.param, entry.condition
    params = estimator.get_params(deep=False)
    if "random_state" in params and not fixed(params["random_state"]):
        return None
    if params.get("warm_start") or not condition(params):
        return None
    value = params.get(param)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return param


def fixed(random_state):
    """Whether ``random_state`` fixes the randomness: an int (not a bool)."""
    return isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    )
