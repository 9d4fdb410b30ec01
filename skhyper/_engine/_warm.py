"""Warm-start paths: parameters whose values can be fitted in increasing order.

For an entry ``(class, parameter)``, fitting the values of ``parameter`` in
increasing order on one model with ``warm_start=True`` gives the same model
as a fresh fit at each value: each entry has a test against fresh fits
(``tests/test_warm.py``, with :func:`skhyper.extend.check_warm_start`). A
path is only used when ``random_state`` is an int (or the estimator has no
``random_state``) and ``warm_start`` is off in the candidate, and the class
is exactly the one listed (a subclass may change ``fit``). Users add entries
for their own estimators with :func:`register_warm_start`.
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


def _no_gb_early_stopping(params):
    return params.get("n_iter_no_change") is None


def _no_hgb_early_stopping(params):
    return params.get("early_stopping") is False


def _always(params):
    return True


def _no_bagging_oob(params):
    # BaggingClassifier refuses oob_score together with warm_start.
    return not params.get("oob_score")


# The built-in paths, each tested in tests/test_warm.py; REGISTERED holds
# the users' (they take precedence).
WARM_PATHS = {
    RandomForestClassifier: ("n_estimators", _always),
    RandomForestRegressor: ("n_estimators", _always),
    ExtraTreesClassifier: ("n_estimators", _always),
    ExtraTreesRegressor: ("n_estimators", _always),
    BaggingClassifier: ("n_estimators", _no_bagging_oob),
    BaggingRegressor: ("n_estimators", _no_bagging_oob),
    IsolationForest: ("n_estimators", _always),
    GradientBoostingClassifier: ("n_estimators", _no_gb_early_stopping),
    GradientBoostingRegressor: ("n_estimators", _no_gb_early_stopping),
    HistGradientBoostingClassifier: ("max_iter", _no_hgb_early_stopping),
    HistGradientBoostingRegressor: ("max_iter", _no_hgb_early_stopping),
}


REGISTERED = {}


def add_warm_path(cls, param, condition=None):
    """Declare ``param`` of ``cls`` a warm-start path (see the module docstring).

    ``condition(params)``, given the candidate's ``get_params(deep=False)``,
    says whether the path is exact for that configuration (e.g. no early
    stopping); None means always.
    """
    if not isinstance(cls, type):
        raise TypeError(
            f"register_warm_start takes an estimator class, got {cls!r} "
            f"({type(cls).__name__})"
        )
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
    REGISTERED[cls] = (param, _always if condition is None else condition)


def _init_params(cls):
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return sorted(name for name in signature.parameters if name != "self")


def warm_path_param(estimator):
    """The path parameter of ``estimator``, or None if no exact path applies."""
    entry = REGISTERED.get(type(estimator)) or WARM_PATHS.get(type(estimator))
    if entry is None:
        return None
    param, condition = entry
    params = estimator.get_params(deep=False)
    if "random_state" in params and not _fixed(params["random_state"]):
        return None
    if params.get("warm_start") or not condition(params):
        return None
    value = params.get(param)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return param


def _fixed(random_state):
    return isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    )
