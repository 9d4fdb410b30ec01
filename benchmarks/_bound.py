"""The unique-work lower bound of a search.

Every distinct piece of work a search must do is timed once, sequentially, in
this process, with BLAS limited to one thread (as in a joblib worker of a
2-job search on 2 cores):

- each distinct pipeline step (same step, same parameters, same steps
  upstream) is fitted on each fold's training data and transforms that fold's
  test data, once;
- each distinct final estimator is fitted once per fold and scored once per
  fold on the transformed test data;
- a warm-start chain (candidates that differ only in ``warm``, e.g.
  ``n_estimators``) is fitted once per fold along its path, in increasing
  order on one model with ``warm_start=True``, and scored at every value: each
  tree is fitted once, so this costs what the fit of the largest value costs;
- a staged group (candidates that differ only in ``staged``, e.g. the
  ``max_iter`` of a network or the ``n_estimators`` of a booster) is fitted
  once per fold, at its largest value, and scored once per value (each
  scoring timed on the model of the largest value: what scoring a snapshot
  costs, or a little more for a booster's first rounds).

The sum, divided by the number of workers, is what a perfect scheduler with no
overhead would take. It is independent of skhyper: steps are told apart by
their class and ``repr`` of their parameters.
"""

import time

from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits


def _key(step):
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return "passthrough"
    params = sorted(step.get_params(deep=True).items())
    return (type(step).__qualname__, repr(params))


def _path(estimator):
    """[(name, step)] of a plain Pipeline, else [("", estimator)]."""
    if type(estimator) is Pipeline:
        return list(estimator.steps)
    return [("", estimator)]


def _configure(estimator, candidates):
    return [clone(estimator).set_params(**clone(p, safe=False)) for p in candidates]


def plan(estimator, candidates, warm=None):  # warm: a warm or staged parameter
    """Distinct prefixes and final-step groups of ``candidates``.

    Returns ``(prefixes, finals)``: ``prefixes`` maps a prefix key to
    ``(parent key, step)``; ``finals`` maps ``(prefix key, final key without
    warm)`` to the final estimators to fit (one per distinct value of
    ``warm``, in increasing order, or a single one).
    """
    prefixes, finals = {}, {}
    for est in _configure(estimator, candidates):
        steps = _path(est)
        parent = None
        for name, step in steps[:-1]:
            key = (parent, name, _key(step))
            prefixes.setdefault(key, (parent, step))
            parent = key
        final = steps[-1][1]
        if warm is not None:
            value = final.get_params()[warm]
            rest = clone(final).set_params(**{warm: 0})
            group = finals.setdefault((parent, _key(rest)), {})
            group.setdefault(value, final)
        else:
            finals.setdefault((parent, _key(final)), {None: final})
    return prefixes, {
        key: [group[v] for v in sorted(group, key=lambda v: (v is None, v))]
        for key, group in finals.items()
    }


def _is_passthrough(step):
    return step is None or (isinstance(step, str) and step == "passthrough")


def unique_work(
    estimator, candidates, X, y, *, cv, scoring=None, warm=None, staged=None
):
    """Seconds of distinct work of a search, summed over folds (one thread).

    Returns ``(seconds, counts)`` with the number of distinct step fits and
    final fits (warm-path steps counted one by one, a staged group as one).
    """
    prefixes, finals = plan(estimator, candidates, warm or staged)
    cv = check_cv(cv, y, classifier=True)
    scorer = None
    total = 0.0
    counts = {"prefix_fits": 0, "final_fits": 0}
    with threadpool_limits(1):
        for train, test in cv.split(X, y):
            data = {None: (X[train], X[test])}
            y_train, y_test = y[train], y[test]
            for key, (parent, step) in prefixes.items():  # parents come first
                Xt, Xt_test = data[parent]
                if _is_passthrough(step):
                    data[key] = (Xt, Xt_test)
                    continue
                start = time.perf_counter()
                step = clone(step)
                out = step.fit_transform(Xt, y_train)
                out_test = step.transform(Xt_test)
                total += time.perf_counter() - start
                counts["prefix_fits"] += 1
                data[key] = (out, out_test)
            for (parent, _), chain in finals.items():
                Xt, Xt_test = data[parent]
                if scorer is None:
                    scorer = check_scoring(chain[0], scoring)
                start = time.perf_counter()
                if staged is not None:  # one run at the largest value
                    model = clone(chain[-1]).fit(Xt, y_train)
                    for _ in chain:
                        scorer(model, Xt_test, y_test)
                    counts["final_fits"] += 1
                    total += time.perf_counter() - start
                    continue
                model = clone(chain[0])
                for i, final in enumerate(chain):
                    if i:
                        value = final.get_params()[warm]
                        model.set_params(**{warm: value, "warm_start": True})
                    model.fit(Xt, y_train)
                    scorer(model, Xt_test, y_test)
                    counts["final_fits"] += 1
                total += time.perf_counter() - start
    return total, counts
