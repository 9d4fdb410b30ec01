"""Reading a search's ``cv_results_``: which metric, its fold scores, a parameter.

The displays, the selection rules and :class:`~skhyper.BayesTuner`'s
objective read ``cv_results_`` alike. One rule picks the metric: a metric
named is checked to be there; with none named, the ``refit`` metric, else
``score``, else what ``fallback`` says (the readers differ only in that
last step).
"""

import numpy as np

FALLBACKS = ("only", "first", "raise")


def metric_names(cv_results):
    """The metrics of ``cv_results``: ``["score"]`` or the multimetric names."""
    return [k[len("mean_test_") :] for k in cv_results if k.startswith("mean_test_")]


def pick_metric(cv_results, metric=None, *, refit=None, fallback="only"):
    """The name of the metric to read from ``cv_results``.

    Parameters
    ----------
    cv_results : dict
        ``cv_results_`` of a search (its ``mean_test_<metric>`` keys are read).

    metric : str or None, default=None
        The metric asked for; it must be one of ``cv_results``.

    refit : object, default=None
        The search's ``refit``: when it is a metric name of ``cv_results``,
        that metric is taken if ``metric`` is None.

    fallback : {"only", "first", "raise"}, default="only"
        With ``metric`` None, no ``refit`` name and no ``score`` metric: the
        only metric if there is one (else a ValueError), the first metric,
        or a ValueError.

    Returns
    -------
    str
        The metric name (``mean_test_<name>`` is a key of ``cv_results``).
    """
    if fallback not in FALLBACKS:
        raise ValueError(f"fallback must be one of {FALLBACKS}, got {fallback!r}")
    metrics = metric_names(cv_results)
    if metric is not None:
        if metric not in metrics:
            raise ValueError(
                f"metric={metric!r} is not in cv_results_: its metrics are {metrics}"
            )
        return metric
    if isinstance(refit, str) and refit in metrics:
        return refit
    if "score" in metrics:
        return "score"
    if metrics and (fallback == "first" or (fallback == "only" and len(metrics) == 1)):
        return metrics[0]
    raise ValueError(
        f"cv_results_ holds several metrics {metrics}: pass metric= one of them, "
        "got None"
    )


def n_splits_of(cv_results, metric):
    """How many ``split{i}_test_{metric}`` keys ``cv_results`` has."""
    n = 0
    while f"split{n}_test_{metric}" in cv_results:
        n += 1
    return n


def split_scores(cv_results, metric, kind="test"):
    """Array of shape (n_candidates, n_splits) of the folds' ``kind`` scores."""
    n = n_splits_of(cv_results, metric)
    return np.column_stack(
        [np.asarray(cv_results[f"split{i}_{kind}_{metric}"], float) for i in range(n)]
    )


def param_names(cv_results):
    """The searched parameters, in ``cv_results_`` order."""
    return [k[len("param_") :] for k in cv_results if k.startswith("param_")]


def param_column(cv_results, name):
    """(values, present) of parameter ``name`` for every candidate.

    ``name`` may be given with or without its ``param_`` prefix. ``present``
    is False where a candidate has no value (a grid of a list of grids that
    does not set it).
    """
    key = name if name.startswith("param_") else f"param_{name}"
    if key not in cv_results:
        raise ValueError(
            f"{name!r} is not a searched parameter: cv_results_ has "
            f"{param_names(cv_results)}"
        )
    column = cv_results[key]
    present = ~np.ma.getmaskarray(column)
    values = [
        column.data[i] if np.ma.isMaskedArray(column) else column[i]
        for i in range(len(column))
    ]
    return values, present
