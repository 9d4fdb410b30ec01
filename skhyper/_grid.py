"""GridTuner: exhaustive search over a grid, a drop-in for GridSearchCV."""

import numpy as np

from ._base import BaseTuner
from ._docstrings import fill_doc
from ._space import check_space, grid_candidates


@fill_doc
class GridTuner(BaseTuner):
    """Exhaustive search over specified parameter values for an estimator.

    A drop-in replacement for :class:`sklearn.model_selection.GridSearchCV`:
    the same parameters, the same ``fit``, the same ``cv_results_``,
    ``best_*`` attributes and delegated methods, and the same numbers. In
    addition, the grid is checked against the estimator's parameters before
    any fit runs.

    Parameters
    ----------
    %(estimator)s

    param_grid : dict or list of dicts
        Parameter names (``str``, ``step__param`` inside pipelines) mapped to
        non-empty lists, tuples, ranges or 1-D arrays of values; or a list of
        such dicts, each spanning its own grid.

    %(scoring)s

    %(n_jobs)s

    %(refit)s

    %(cv)s

    %(verbose)s

    %(pre_dispatch)s

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
        :class:`~sklearn.model_selection.GridSearchCV`.

    %(attributes)s

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

    def _run_search(self, evaluate):
        evaluate(grid_candidates(self.param_grid))
