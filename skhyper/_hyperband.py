"""Hyperband: several successive halving runs (brackets), survivors continued.

A strategy over the engine like the others. Hyperband (Li et al., JMLR
2018) hedges successive halving's bet on how early a ranking settles: its
brackets go from many candidates at a small resource to a few at the full
resource. Each bracket is a source of batches for ``evaluate.many``: it
yields a rung's candidates and, sent that rung's complete results, picks
the next rung's survivors from them alone. The brackets run side by side
on the engine (a worker done with its part of one bracket's rung takes
work of another), and the rows are kept in (bracket, rung, candidate)
order, so the search is the same for any ``n_jobs`` and any order in which
tasks finish: the same as running the brackets one after another (the
reference the tests compare with, in ``tests/test_brackets.py``). When
the resource is a warm-start path of the estimator, survivors' models are
continued from the rung before (``evaluate(..., keep=resource)``), as in
the halving tuners.
"""

import numbers

import numpy as np
from sklearn.model_selection import ParameterGrid
from sklearn.utils import check_random_state

from ._base import BaseTuner
from ._compat import Interval, StrOptions, _num_samples
from ._docstrings import ATTRIBUTES, fill_doc
from ._halving import HALVING_PARAMETERS
from ._rungs import (
    SubsampleSplitter,
    check_resource_not_searched,
    check_resources,
    hyperband_brackets,
    top_k,
)
from ._space import check_space, is_all_lists, sampled_candidates

HYPERBAND_PARAMETERS = {
    **HALVING_PARAMETERS,
    "hyperband_factor": """factor : int or float, default=3
        Hyperband's ``eta``, above 1: a rung keeps the best ``1 / factor`` of
        its candidates and gives them ``factor`` times the resource; the
        brackets' first resources are ``max_resources / factor**s``.""",
    "hyperband_scoring": HALVING_PARAMETERS["halving_scoring"].replace(
        "halving searches", "searches"
    ),
    "hyperband_refit": """refit : bool, str or callable, default=True
        Refit an estimator with the best parameters at the full resource on
        the whole data. With several metrics, the name of the metric that
        picks the survivors and the best. A callable refits but does not
        change which candidate is best, as in the halving tuners.""",
    "hyperband_random_state": """random_state : int, RandomState instance or \
None, default=None
        Seeds the sampling of each bracket's candidates and, when
        ``resource='n_samples'``, the subsampling of the folds.""",
}

HYPERBAND_ATTRIBUTES = """n_resources_ : list of list of int
        The resources of the rungs of each bracket, in the order they run
        (``brackets_``): the schedule, whether or not ``max_time`` let it
        run to the end.

    n_candidates_ : list of list of int
        The number of candidates of the rungs of each bracket.

    n_brackets_ : int
        The number of brackets of the schedule: ``s_max + 1``, or
        ``brackets`` if fewer.

    brackets_ : list of int
        The paper's index ``s`` of each bracket, ``s_max`` first (the
        ``bracket`` column of ``cv_results_``).

    max_resources_ : int
        The resource of every bracket's last rung.

    min_resources_ : int
        The smallest resource a rung may have (``r_min``).

    cv_results_ : dict of numpy (masked) ndarrays
        Scores, times and parameters of every candidate in every rung of
        every bracket, with ``bracket`` (its ``s``), ``iter`` (the rung in
        its bracket) and ``n_resources``, as in the halving searches.

    """ + ATTRIBUTES.replace(
    "Mean cross-validated score of the best candidate.",
    "Mean cross-validated score of the best candidate at the full resource.",
).replace(
    "Index of the best candidate in ``cv_results_``.",
    "Index in ``cv_results_`` of the best candidate at the full resource (at\n"
    "        the largest resource reached if ``max_time`` stopped the search\n"
    "        before).",
)


@fill_doc(parameters=HYPERBAND_PARAMETERS, attributes=HYPERBAND_ATTRIBUTES)
class HyperbandTuner(BaseTuner):
    """Hyperband: successive halving in several brackets, survivors continued.

    Hyperband (Li et al., JMLR 2018) runs several successive halving runs,
    its *brackets*: from many candidates at a small resource to a few
    candidates at the full resource. Each bracket samples its own
    candidates; each of its rungs keeps the best ``1 / factor`` and gives
    them ``factor`` times the resource; every bracket ends at
    ``max_resources``, and the best candidate is chosen among the results
    at that resource. When the resource is a warm-start path of the
    estimator (``n_estimators`` of forests, bagging and gradient boosting,
    ``max_iter`` of histogram gradient boosting without early stopping,
    ``n_estimators`` of XGBoost and LightGBM without sampling, or
    ``max_iter`` of the MLPs without early stopping) and its
    ``random_state`` is fixed, a survivor's model in each fold is continued
    from the rung before rather than refitted, with the scores of fresh
    fits. The brackets run side by side: a worker done with its part
    of one bracket's rung takes work of another bracket rather than wait.
    Promotions depend only on a rung's complete results, so the result is
    the same for any ``n_jobs`` and any order in which fits finish.

    Parameters
    ----------
    %(estimator)s

    param_distributions : dict or list of dicts
        As for :class:`~sklearn.model_selection.RandomizedSearchCV`:
        parameter names mapped to distributions (objects with an
        ``rvs(random_state=...)`` method) or to non-empty lists sampled
        uniformly; or a list of such dicts. A space made only of lists is
        sampled without replacement within a bracket.

    %(resource)s

    %(max_resources)s

    min_resources : 'smallest' or int, default='smallest'
        The smallest resource of a rung (Hyperband's ``r_min``).
        'smallest' is ``2 * n_splits`` (times the number of classes for a
        classifier) with ``resource='n_samples'``, else 1.

    %(hyperband_factor)s

    brackets : int, default=None
        How many brackets run, the most aggressive first (``s = s_max,
        s_max - 1, ...``); None runs all ``s_max + 1``.

    %(hyperband_scoring)s

    %(n_jobs)s

    %(hyperband_refit)s

    %(halving_cv)s

    %(verbose)s

    %(hyperband_random_state)s

    %(error_score)s

    %(return_train_score)s

    %(share)s

    %(share_memory)s

    %(max_time)s

    %(checkpoint)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    HalvingRandomTuner : One successive halving run over sampled candidates.
    RandomTuner : Search over sampled candidates.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper import HyperbandTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = HyperbandTuner(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": [2, 3, None], "min_samples_split": [2, 5, 10, 20]},
    ...     resource="n_estimators",
    ...     max_resources=9,
    ...     cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> tuner.brackets_, tuner.n_resources_, tuner.n_candidates_
    ([2, 1, 0], [[1, 3, 9], [3, 9], [9]], [[9, 3, 1], [5, 1], [3]])
    >>> tuner.best_params_
    {'min_samples_split': 5, 'max_depth': None, 'n_estimators': 9}

    Of the 22 candidates of the rungs, 2 had been evaluated already, in an
    earlier bracket; in each of the 3 folds, 11 were fitted afresh and 9
    grew a forest fitted before: 4 survivors their rung's forest, 5
    candidates of a later bracket's first rung the smaller forest an
    earlier bracket had fitted for them:

    >>> tuner.work_["fits"], tuner.work_["warm_start_fits"]
    (33, 27)
    """

    _parameter_constraints: dict = {
        **BaseTuner._parameter_constraints,
        "param_distributions": [dict, list],
        "random_state": ["random_state"],
        "max_resources": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "min_resources": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"smallest"}),
        ],
        "resource": [str],
        "factor": [Interval(numbers.Real, 1, None, closed="neither")],
        "brackets": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }
    _parameter_constraints.pop("pre_dispatch")  # as the halving searches

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        resource="n_samples",
        max_resources="auto",
        min_resources="smallest",
        factor=3,
        brackets=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=5,
        verbose=0,
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        share=True,
        share_memory=2**30,
        max_time=None,
        checkpoint=None,
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            error_score=error_score,
            return_train_score=return_train_score,
            share=share,
            share_memory=share_memory,
            max_time=max_time,
            checkpoint=checkpoint,
        )
        self.param_distributions = param_distributions
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.factor = factor
        self.brackets = brackets
        self.random_state = random_state

    @property
    def _metric(self):
        """The metric that decides who survives a rung."""
        return self.refit if isinstance(self.refit, str) else "score"

    def _check_params(self):
        super()._check_params()
        if isinstance(self.scoring, list | tuple | dict) and not isinstance(
            self.refit, str
        ):
            raise ValueError(
                f"{type(self).__name__} with several metrics needs refit=<metric "
                "name>: the metric that decides which candidates survive each "
                f"rung; got refit={self.refit!r}."
            )

    def _check_search_space(self):
        check_space(
            self.param_distributions,
            self.estimator,
            "param_distributions",
            allow_rvs=True,
        )

    def _prepare_search(self, X, y, cv, split_params):
        # The resources, the brackets and every bracket's candidates: all
        # before any fit, so a bad resource or space raises first.
        n_samples = _num_samples(X)
        min_resources, self.max_resources_ = check_resources(
            self, X, y, cv, split_params, n_samples
        )
        self.min_resources_ = min_resources
        space = self.param_distributions
        n_available = len(ParameterGrid(space)) if is_all_lists(space) else None
        brackets = hyperband_brackets(
            min_resources, self.max_resources_, self.factor, n_available
        )
        if self.brackets is not None:
            brackets = brackets[: self.brackets]
        rng = check_random_state(self.random_state)
        candidates = [
            sampled_candidates(space, bracket.n_candidates[0], rng)
            for bracket in brackets
        ]
        for bracket_candidates in candidates:
            check_resource_not_searched(self.resource, bracket_candidates)
        self.n_brackets_ = len(brackets)
        self.brackets_ = [bracket.s for bracket in brackets]
        self.n_resources_ = [list(bracket.n_resources) for bracket in brackets]
        self.n_candidates_ = [list(bracket.n_candidates) for bracket in brackets]
        return {
            "brackets": brackets,
            "candidates": candidates,
            "cv": cv,
            "n_samples": n_samples,
        }

    def _n_search_tasks(self):
        # max_time may end the search before the last rung: not known ahead
        return None

    def _best_indices(self, results):
        """Indices of the rows ``best_*`` are chosen among: those at the
        largest resource reached (``max_resources_`` unless stopped)."""
        n_resources = np.asarray(results["n_resources"])
        return np.flatnonzero(n_resources == n_resources.max())

    def _choose_best(self, results, refit_metric):
        # The best at the full resource; ties go to the first row, as
        # best_of_rung breaks them in the halving tuners. A callable refit
        # does not change it, as there.
        indices = self._best_indices(results)
        scores = np.asarray(results[f"mean_test_{self._metric}"])[indices]
        index = indices[0] if np.isnan(scores).all() else indices[np.nanargmax(scores)]
        return index, results[f"mean_test_{self._metric}"][index]

    def _max_time_message(self, results, n_asked):
        done = self._n_rungs_done
        total = sum(len(sizes) for sizes in self.n_candidates_)
        top = int(np.max(results["n_resources"]))
        return (
            f"max_time={self.max_time}s was spent: {done} of {total} rungs "
            f"completed. best_* are from the results at n_resources={top} "
            f"(max_resources_={self.max_resources_})."
        )

    def _rung_cv(self, cv, n_resources, n_samples):
        if self.resource != "n_samples":
            return cv
        return SubsampleSplitter(
            base_cv=cv,
            fraction=n_resources / n_samples,
            subsample_test=True,
            random_state=self.random_state,
        )

    def _run_search(self, evaluate, *, brackets, candidates, cv, n_samples):
        """The rungs of every bracket: each bracket a source of batches."""
        if self.verbose:
            print(f"n_brackets: {len(brackets)}")
            print(f"min_resources_: {self.min_resources_}")
            print(f"max_resources_: {self.max_resources_}")
            print(f"factor: {self.factor}")
        self._n_rungs_done = 0
        # a rung's place in the schedule (brackets in order), for the
        # progress lines: the same whatever order the rungs run in
        firsts = np.cumsum([0] + [len(b.n_candidates) for b in brackets])
        total = int(firsts[-1])
        evaluate.many(
            [
                self._bracket(bracket, candidate_params, cv, n_samples, first, total)
                for bracket, candidate_params, first in zip(
                    brackets, candidates, firsts.tolist()
                )
            ]
        )

    def _bracket(self, bracket, candidate_params, cv, n_samples, first, total):
        """One bracket as a source for ``evaluate.many``: yields each rung's
        batch and is sent its complete results, from which alone it picks
        the next rung's candidates. ``first`` is the number of rungs of the
        brackets before it in the schedule, of ``total``."""
        metric, resource = self._metric, self.resource
        keep = None if resource == "n_samples" else resource
        n_rungs = len(bracket.n_candidates)
        for itr, n_resources in enumerate(bracket.n_resources):
            n_candidates = len(candidate_params)
            if self.verbose:
                print(
                    f"bracket: {bracket.s}, iter: {itr}, n_candidates: "
                    f"{n_candidates}, n_resources: {n_resources}"
                )
            if resource != "n_samples":
                candidate_params = [
                    {**c, resource: n_resources} for c in candidate_params
                ]
            results = yield {
                "candidate_params": candidate_params,
                "cv": self._rung_cv(cv, n_resources, n_samples),
                "more_results": {
                    "iter": [itr] * n_candidates,
                    "n_resources": [n_resources] * n_candidates,
                    "bracket": [bracket.s] * n_candidates,
                },
                "keep": keep,
                "label": (
                    f"bracket {bracket.s}, rung {itr + 1}/{n_rungs} "
                    f"({first + itr + 1}/{total})"
                ),
            }
            self._check_metric(results)
            self._n_rungs_done += 1
            if itr + 1 < n_rungs:
                rows = np.arange(n_candidates)
                k = bracket.n_candidates[itr + 1]
                candidate_params = _survivors(results, rows, k, metric)

    def _check_metric(self, results):
        if f"mean_test_{self._metric}" not in results:
            names = sorted(k[10:] for k in results if k.startswith("mean_test_"))
            raise ValueError(
                f"refit={self.refit!r} must name the metric that decides "
                f"which candidates survive; the scores are {names}"
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = False  # as scikit-learn's halving searches
        return tags


def _survivors(results, rows, k, metric):
    """The ``k`` best of ``rows`` of ``results``, as ``top_k`` picks them
    (the halving searches' order and ties)."""
    mask = np.zeros(len(results["params"]), dtype=int)
    mask[rows] = 1
    view = {
        "iter": mask,
        f"mean_test_{metric}": results[f"mean_test_{metric}"],
        "params": results["params"],
    }
    return [dict(c) for c in top_k(view, k, 1, metric)]


__all__ = ["HyperbandTuner"]
