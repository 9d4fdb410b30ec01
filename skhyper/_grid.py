"""GridTuner: exhaustive search over a grid, a drop-in for GridSearchCV."""

import numpy as np

from ._base import BaseTuner
from ._space import check_space, grid_candidates


class GridTuner(BaseTuner):
    """Exhaustive search over specified parameter values for an estimator.

    A drop-in replacement for :class:`sklearn.model_selection.GridSearchCV`:
    the same parameters, the same ``fit``, the same ``cv_results_``,
    ``best_*`` attributes and delegated methods, and the same numbers. In
    addition, the grid is checked against the estimator's parameters before
    any fit runs.

    Parameters
    ----------
    estimator : estimator object
        The object to tune. It implements ``fit`` and is scored by
        ``scoring`` or, if ``scoring`` is None, by its own ``score`` method.

    param_grid : dict or list of dicts
        Parameter names (``str``, ``step__param`` inside pipelines) mapped to
        non-empty lists, tuples, ranges or 1-D arrays of values; or a list of
        such dicts, each spanning its own grid.

    scoring : str, callable, list, tuple or dict, default=None
        How candidates are scored: a scorer name, a callable
        ``scorer(estimator, X, y)`` returning a number or a dict of numbers,
        a list or tuple of names, or a dict of name to scorer. None uses the
        estimator's ``score``.

    n_jobs : int, default=None
        Number of jobs to run in parallel, through
        :class:`sklearn.utils.parallel.Parallel` and any joblib backend.
        None means 1 unless in a :func:`joblib.parallel_config` context; -1
        means all processors.

    refit : bool, str, or callable, default=True
        Refit an estimator with the best parameters on the whole data. For
        multimetric scoring, a metric name, or a callable taking
        ``cv_results_`` and returning the best index.

    cv : int, cross-validation generator or an iterable, default=None
        None for 5-fold, an int for (Stratified)KFold, a splitter, or an
        iterable of (train, test) index arrays.

    verbose : int, default=0
        0: silent; >=1: the number of fits; >=2: time per fit; >=3: scores.

    pre_dispatch : int or str, default='2*n_jobs'
        Number of jobs dispatched ahead during parallel execution.

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
        :class:`~sklearn.model_selection.GridSearchCV`.

    best_estimator_ : estimator
        The estimator refitted on the whole data with ``best_params_``; only
        when ``refit`` is not False.

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
    RandomTuner : Search over sampled candidates.
    sklearn.model_selection.GridSearchCV : The scikit-learn search it replaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = GridTuner(SVC(), {"kernel": ["linear", "rbf"], "C": [1, 10]})
    >>> tuner.fit(X, y).best_params_
    {'C': 1, 'kernel': 'linear'}
    >>> print(f"{tuner.best_score_:.3f}")
    0.980
    >>> GridTuner(SVC(), {"C": [1, 10], "gama": [0.1]}).fit(X, y)
    Traceback (most recent call last):
    ...
    ValueError: param_grid: 'gama' is not a parameter of the estimator: ...
    """

    _parameter_constraints: dict = {
        **BaseTuner._parameter_constraints,
        "param_grid": [dict, list],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        share=True,
        share_memory=2**30,
        max_time=None,
        checkpoint=None,
    ):
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
        self.param_grid = param_grid

    def _check_search_space(self):
        check_space(self.param_grid, self.estimator, "param_grid", allow_rvs=False)

    def _run_search(self, evaluate_candidates):
        evaluate_candidates(grid_candidates(self.param_grid))
