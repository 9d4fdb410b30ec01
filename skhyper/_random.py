"""RandomTuner: search over sampled candidates, a drop-in for RandomizedSearchCV."""

import numbers
from itertools import islice

import numpy as np

from ._base import BaseTuner
from ._compat import Interval
from ._space import check_n_iter, check_space, endless_candidates, sampled_candidates


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
    estimator : estimator object
        The object to tune. It implements ``fit`` and is scored by
        ``scoring`` or, if ``scoring`` is None, by its own ``score`` method.

    param_distributions : dict or list of dicts
        Parameter names mapped to distributions (objects with an
        ``rvs(random_state=...)`` method, such as frozen ``scipy.stats``
        distributions) or to non-empty lists, tuples, ranges or 1-D arrays
        sampled uniformly. With a list of dicts, a dict is drawn uniformly
        first, then a value for each of its parameters.

    n_iter : int or None, default=10
        Number of candidates sampled. None samples until ``max_time`` is
        spent, or until a space made only of lists is exhausted.

    scoring : str, callable, list, tuple or dict, default=None
        How candidates are scored; see :class:`GridTuner`.

    n_jobs : int, default=None
        Number of jobs to run in parallel; see :class:`GridTuner`.

    refit : bool, str, or callable, default=True
        Refit the best candidate on the whole data; see :class:`GridTuner`.

    cv : int, cross-validation generator or an iterable, default=None
        The cross-validation splitting; see :class:`GridTuner`.

    verbose : int, default=0
        0: silent; >=1: the number of fits; >=2: time per fit; >=3: scores.

    pre_dispatch : int or str, default='2*n_jobs'
        Number of jobs dispatched ahead during parallel execution.

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling of candidates, as in ``RandomizedSearchCV``.

    error_score : 'raise' or numeric, default=np.nan
        The score of a failed fit; 'raise' raises the error instead.

    return_train_score : bool, default=False
        Whether ``cv_results_`` also holds training scores.

    share : bool, default=True
        Never do the same work twice: candidates with equal parameters are
        fitted once per fold, pipeline steps shared by several candidates are
        fitted once per fold and their outputs reused, and warm-start paths
        (e.g. ``n_estimators`` of forests) are fitted in increasing order on
        one model. Scores are those of the plain search. False runs the plain
        search: one fresh clone per candidate and fold, as scikit-learn does.

    share_memory : int, default=2**30
        Bytes of transformed data a worker may hold for reuse by later
        candidates (1 GiB). Past it, the least recently used outputs are
        dropped and recomputed when needed again.

    max_time : float, default=None
        A wall-clock budget in seconds. Once spent, no new fit starts and
        ``fit`` returns (within ``max_time`` plus the longest single fit) with
        the candidates that finished every split, the best of them refitted,
        and a ``UserWarning`` saying how many were evaluated.

    checkpoint : str or path-like, default=None
        An SQLite file journaling every finished (candidate, split) result as
        it arrives. Fitting again with the same checkpoint, estimator, data,
        CV splits and scoring skips every journaled fit, so an interrupted or
        crashed search resumes where it stopped. Several searches may share a
        file; a file that is not a skhyper checkpoint is never written to.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        Scores, times and parameters of every candidate, exactly as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`.

    best_estimator_ : estimator
        The estimator refitted on the whole data with ``best_params_``.

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in ``cv_results_``.

    scorer_ : callable or dict
        The scorer, or dict of scorers, used for the search.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds taken to refit the best estimator.

    multimetric_ : bool
        Whether several metrics were scored.

    classes_ : ndarray of shape (n_classes,)
        Class labels of the best estimator (classifiers only).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    work_ : dict
        What the search did: ``candidates``, ``distinct_candidates``,
        ``splits``, ``tasks``, ``plain_fits`` (step fits a plain search runs:
        one per pipeline step, candidate and fold), ``fits`` (fresh step fits
        done) and ``warm_start_fits`` (fits continuing a warm-start path).

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
        check_n_iter(self.n_iter, self.param_distributions, self.max_time)
        check_space(
            self.param_distributions,
            self.estimator,
            "param_distributions",
            allow_rvs=True,
        )

    def _run_search(self, evaluate_candidates):
        if self.n_iter is None:
            # Sample in small batches until the budget or the space runs out.
            candidates = endless_candidates(self.param_distributions, self.random_state)
            batch = 2 * evaluate_candidates.n_workers
            while evaluate_candidates.time_left() > 0:
                params = list(islice(candidates, batch))
                if not params:
                    break
                evaluate_candidates(params)
            return
        evaluate_candidates(
            sampled_candidates(self.param_distributions, self.n_iter, self.random_state)
        )
