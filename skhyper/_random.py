"""RandomTuner: search over sampled candidates, a drop-in for RandomizedSearchCV."""

import numbers
from itertools import islice

import numpy as np

from ._base import BaseTuner
from ._compat import Interval
from ._docstrings import fill_doc
from ._space import check_distributions, endless_candidates, sampled_candidates

# With n_iter=None, candidates are drawn in batches of this many per worker:
# enough to keep workers busy, few enough to stop close to max_time.
BATCH_PER_WORKER = 2

# Once max_time is spent, n_iter=None still reads back what the checkpoint
# holds: it draws twice as many candidates as the checkpoint holds beyond
# those already evaluated, plus this many (the holes a search cut short
# leaves in its last batch), and reads back those whose every split is
# journaled.
READ_AHEAD = 64


@fill_doc
class RandomTuner(BaseTuner):
    """Search over candidates sampled from lists and distributions.

    A drop-in replacement for
    :class:`sklearn.model_selection.RandomizedSearchCV`: the same parameters,
    the same candidates for the same ``random_state``, the same
    ``cv_results_`` and ``best_*`` attributes. A space made only of lists is
    sampled without replacement; a space with a distribution is sampled with
    replacement. The space is checked against the estimator's parameters
    before any fit runs.

    Parameters
    ----------
    %(estimator)s

    param_distributions : dict or list of dicts
        Parameter names mapped to distributions (objects with an
        ``rvs(random_state=...)`` method, such as frozen ``scipy.stats``
        distributions) or to non-empty lists, tuples, ranges or 1-D arrays
        sampled uniformly. With a list of dicts, a dict is drawn uniformly
        first, then a value for each of its parameters.

    n_iter : int or None, default=10
        Number of candidates sampled. None samples until ``max_time`` is
        spent, or until a space made only of lists is exhausted; with a
        ``checkpoint``, the candidates it would sample next that the
        checkpoint holds are still read back once the budget is spent (they
        cost no budget).

    %(scoring)s

    %(n_jobs)s

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling of candidates, as in ``RandomizedSearchCV``.

    %(error_score)s

    %(return_train_score)s

    %(share)s

    %(share_memory)s

    %(max_time)s

    %(checkpoint)s

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        Scores, times and parameters of every candidate, exactly as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`.

    %(attributes)s

    See Also
    --------
    GridTuner : Exhaustive search over a grid.
    sklearn.model_selection.RandomizedSearchCV : The scikit-learn search it
        replaces.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import RandomTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = RandomTuner(
    ...     SVC(),
    ...     {"C": loguniform(1e-2, 1e2), "kernel": ["linear", "rbf"]},
    ...     n_iter=5,
    ...     random_state=0,
    ... )
    >>> tuner.fit(X, y).best_params_
    {'C': np.float64(...), 'kernel': '...'}
    >>> RandomTuner(SVC(), {"C": "1.0"}).fit(X, y)
    Traceback (most recent call last):
    ...
    TypeError: param_distributions['C'] must be a non-empty list, ...
    """

    _parameter_constraints: dict = {
        **BaseTuner._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        share=True,
        share_memory=2**30,
        max_time=None,
        checkpoint=None,
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
            share=share,
            share_memory=share_memory,
            max_time=max_time,
            checkpoint=checkpoint,
        )

    def _check_search_space(self):
        check_distributions(
            self.param_distributions, self.estimator, self.n_iter, self.max_time
        )

    def _n_search_tasks(self):
        # n_iter=None asks in batches until the budget or the space runs out
        return None if self.n_iter is None else 1

    def _run_search(self, evaluate):
        if self.n_iter is None:
            # Sample in small batches until the budget or the space runs out.
            candidates = endless_candidates(self.param_distributions, self.random_state)
            # One batch whose fits all fail is no reason to stop: failures
            # are reported once, for the whole search, at its end.
            batch = BATCH_PER_WORKER * evaluate.n_workers
            results = {}
            while evaluate.time_left() > 0:
                params = list(islice(candidates, batch))
                if not params:
                    break
                results = evaluate(params, defer_failures=True)
            else:
                _read_ahead(evaluate, candidates, len(results.get("params", ())))
            evaluate.report_failures()
            return
        evaluate(
            sampled_candidates(self.param_distributions, self.n_iter, self.random_state)
        )


def _read_ahead(evaluate, candidates, n_evaluated):
    """With the budget spent, read back the journaled candidates among the
    next ones the sampler draws (rows read back cost no budget): of the next
    ``2 * (N - n_evaluated) + READ_AHEAD``, N the candidates the checkpoint
    holds rows for."""
    n = evaluate.n_journaled()
    if not n:
        return
    window = list(islice(candidates, 2 * max(n - n_evaluated, 0) + READ_AHEAD))
    known = evaluate.journaled(window)
    params = [p for p, k in zip(window, known) if k]
    if params:
        evaluate(params, defer_failures=True)
