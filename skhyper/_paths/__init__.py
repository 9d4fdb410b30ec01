"""Staged paths of third-party estimators (promise 2 of ``docs``' design).

A *staged path* for an epoch-like parameter fits one run per fold at the
largest value and takes the model of every smaller value from that run. Each
private module here is the adapter of one library and exposes::

    PATHS = {EstimatorClass: (param, condition, stages), ...}

``condition(params)``, given the candidate's ``get_params(deep=False)``, says
whether the path is exact for that configuration; ``stages(estimator, values,
X, y, fit_params)`` fits ``estimator`` (unfitted, configured with
``param = max(values)``) once and yields ``(value, model)`` in increasing
order, each ``model`` a fitted instance of the same class that predicts
bit-for-bit what a fresh fit at ``value`` predicts.

The adapters import their library at module top: load one only when its
library is already in ``sys.modules`` (this package's ``__init__`` imports
none of them). Each adapter's docstring states its conditions and the tests
(``tests/test_staged_thirdparty.py``) that established them.
"""

from sklearn.base import clone


def fresh_stages(estimator, param, values, X, y, fit_params):
    """Yield ``(value, fresh fit at value)``: the fallback for fit parameters
    that a staged run cannot honour (an ``eval_set`` that may stop early, a
    callback, ...), exact by construction and no cheaper than no path."""
    for value in values:
        model = clone(estimator).set_params(**{param: value})
        yield value, model.fit(X, y, **fit_params)
