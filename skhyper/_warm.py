"""Warm-start paths: parameters whose values can be fitted in increasing order.

For an entry ``(class, parameter)``, fitting the values of ``parameter`` in
increasing order on one model with ``warm_start=True`` gives the same model
as a fresh fit at each value: each entry has a test against fresh fits
(``tests/test_warm.py``). A path is only used when ``random_state`` is an int
and ``warm_start`` is off in the candidate, and the class is exactly the one
listed (a subclass may change ``fit``).
"""

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


def warm_path_param(estimator):
    """The path parameter of ``estimator``, or None if no exact path applies."""
    entry = WARM_PATHS.get(type(estimator))
    if entry is None:
        return None
    param, condition = entry
    params = estimator.get_params(deep=False)
    random_state = params.get("random_state")
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        return None
    if params.get("warm_start") or not condition(params):
        return None
    value = params.get(param)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return param
