"""Successive halving: drop-ins for HalvingGridSearchCV and HalvingRandomSearchCV.

A strategy over the engine like the others: each rung is one ``evaluate``
call (the schedule is ``_rungs``), and the best ``1 / factor`` of a rung go
on to the next with ``factor`` times the resource. When the resource is a
warm-start path of the estimator (``n_estimators`` of a forest, ``max_iter``
of histogram gradient boosting without early stopping), the engine keeps
each rung's fitted models and continues the survivors' models (30 trees,
then 60 more) instead of refitting them: ``evaluate(..., keep=resource)``.
"""

import numbers
from abc import abstractmethod

import numpy as np

from ._base import BaseTuner
from ._compat import Interval, StrOptions, _num_samples
from ._docstrings import ATTRIBUTES, fill_doc
from ._rungs import (
    SubsampleSplitter,
    best_of_rung,
    check_resource_not_searched,
    check_resources,
    make_schedule,
    top_k,
)
from ._space import check_space, grid_candidates, sampled_candidates

HALVING_PARAMETERS = {
    "factor": """factor : int or float, default=3
        The proportion of candidates kept from one rung to the next, and
        the growth of the resource: ``factor=3`` keeps the best third and
        gives them three times the resource.""",
    "resource": """resource : 'n_samples' or str, default='n_samples'
        What grows from rung to rung: the number of training samples, or a
        parameter of the estimator taking positive integers (e.g.
        ``'n_estimators'``, ``'clf__max_iter'``), which then must not be
        searched and needs an int ``max_resources``. A warm-start path of
        the estimator (see :doc:`/sharing`), or the rounds of XGBoost and
        LightGBM without sampling, continue the survivors' models rather
        than refitting them.""",
    "max_resources": """max_resources : int, default='auto'
        The most resource a candidate may get in a rung; 'auto' is the
        number of samples, and only valid with ``resource='n_samples'``.""",
    "aggressive_elimination": """aggressive_elimination : bool, default=False
        When the resources run out before fewer than ``factor`` candidates
        remain, replay the first rung's resource as long as needed to
        eliminate candidates. False lets the last rung evaluate more than
        ``factor`` candidates.""",
    "halving_cv": """cv : int, cross-validation generator or an iterable, default=5
        An int for (Stratified)KFold, a splitter, or an iterable of (train,
        test) index arrays. The folds must be the same at every call of
        ``split`` (no shuffling, or an int ``random_state``).""",
    "halving_scoring": """scoring : str, callable, list, tuple or dict, default=None
        How candidates are scored, as for the other tuners; None uses the
        estimator's ``score``. With several metrics (beyond scikit-learn,
        whose halving searches take one), ``refit`` names the metric that
        decides who survives each rung.""",
    "halving_refit": """refit : bool, str or callable, default=True
        Refit an estimator with the best parameters of the last rung on the
        whole data. With several metrics, the name of the metric that picks
        the survivors and the best. As in scikit-learn's halving searches, a
        callable refits but does not change which candidate is best.""",
    "halving_return_train_score": """return_train_score : bool, default=True
        Whether ``cv_results_`` also holds training scores.""",
    "halving_random_state": """random_state : int, RandomState instance or None, \
default=None
        Seeds the subsampling of the folds when ``resource='n_samples'``
        (and, for :class:`HalvingRandomTuner`, the sampling of candidates),
        as in scikit-learn.""",
}

HALVING_ATTRIBUTES = """n_resources_ : list of int
        The resource of each rung.

    n_candidates_ : list of int
        The number of candidates evaluated in each rung.

    n_remaining_candidates_ : int
        The number of candidates left after the last rung,
        ``ceil(n_candidates_[-1] / factor)``.

    max_resources_ : int
        The most resource a candidate may get in a rung.

    min_resources_ : int
        The resource of the first rung.

    n_iterations_ : int
        The number of rungs run: ``n_required_iterations_`` with
        ``aggressive_elimination``, else the smaller of
        ``n_possible_iterations_`` and ``n_required_iterations_``; when
        ``max_time`` stopped the search, the rungs that completed.

    n_possible_iterations_ : int
        The number of rungs possible from ``min_resources_`` without
        exceeding ``max_resources_``.

    n_required_iterations_ : int
        The number of rungs needed to end with fewer than ``factor``
        candidates.

    cv_results_ : dict of numpy (masked) ndarrays
        Scores, times and parameters of every candidate in every rung, with
        ``iter`` (the rung) and ``n_resources``, exactly as in scikit-learn's
        halving searches.

    """ + ATTRIBUTES.replace(
    "Mean cross-validated score of the best candidate.",
    "Mean cross-validated score of the best candidate of the last rung.",
)


class BaseHalvingTuner(BaseTuner):
    """Successive halving over the engine; not for direct use."""

    _parameter_constraints: dict = {
        **BaseTuner._parameter_constraints,
        "random_state": ["random_state"],
        "max_resources": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "min_resources": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"exhaust", "smallest"}),
        ],
        "resource": [str],
        "factor": [Interval(numbers.Real, 0, None, closed="neither")],
        "aggressive_elimination": ["boolean"],
    }
    _parameter_constraints.pop("pre_dispatch")  # not a parameter, as in sklearn

    @abstractmethod
    def __init__(
        self,
        estimator,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=5,
        verbose=0,
        random_state=None,
        error_score=np.nan,
        return_train_score=True,
        max_resources="auto",
        min_resources="exhaust",
        resource="n_samples",
        factor=3,
        aggressive_elimination=False,
        share=True,
        share_memory=2**30,
        max_time=None,
        checkpoint=None,
    ):
        # pre_dispatch is left at BaseTuner's default, as scikit-learn's
        # halving searches leave BaseSearchCV's: not a parameter here.
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
        self.random_state = random_state
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.resource = resource
        self.factor = factor
        self.aggressive_elimination = aggressive_elimination

    @abstractmethod
    def _generate_candidate_params(self, min_resources, max_resources):
        """The first rung's candidates, for the rung resources of ``fit``."""

    @property
    def _metric(self):
        """The metric that decides who survives a rung."""
        return self.refit if isinstance(self.refit, str) else "score"

    @property
    def _best_rung(self):
        """The rung ``best_*`` come from: the last one that completed."""
        return max(self.n_iterations_ - 1, 0)

    @property
    def _n_planned(self):
        """The number of rungs of the schedule (``n_iterations_`` if none stops)."""
        if self.aggressive_elimination:
            return self.n_required_iterations_
        return min(self.n_possible_iterations_, self.n_required_iterations_)

    def _check_params(self):
        super()._check_params()
        scoring = self.scoring
        multimetric = isinstance(scoring, list | tuple | dict)
        if multimetric and not isinstance(self.refit, str):
            raise ValueError(
                f"{type(self).__name__} with several metrics needs refit=<metric "
                "name>: the metric that decides which candidates survive each "
                f"rung; got refit={self.refit!r}."
            )

    def _prepare_search(self, X, y, cv, split_params):
        # The resources, the first rung and the schedule: all before any fit.
        n_samples = _num_samples(X)
        min_resources, self.max_resources_ = check_resources(
            self, X, y, cv, split_params, n_samples
        )
        candidates = list(
            self._generate_candidate_params(min_resources, self.max_resources_)
        )
        check_resource_not_searched(self.resource, candidates)
        schedule = make_schedule(
            len(candidates),
            min_resources,
            self.max_resources_,
            self.factor,
            exhaust=self.min_resources == "exhaust",
            aggressive=self.aggressive_elimination,
        )
        self.min_resources_ = schedule.min_resources
        self.n_required_iterations_ = schedule.n_required_iterations
        self.n_possible_iterations_ = schedule.n_possible_iterations
        return {
            "candidates": candidates,
            "schedule": schedule,
            "cv": cv,
            "n_samples": n_samples,
        }

    def _choose_best(self, results, refit_metric):
        # The best of the last rung that completed (as scikit-learn: of the
        # last rung); a callable refit does not change it, as there, and
        # best_score_ is its score whatever refit is, as there too.
        index = best_of_rung(results, self._best_rung, self._metric)
        return index, results[f"mean_test_{self._metric}"][index]

    def _max_time_message(self, results, n_asked):
        started, done = len(self.n_resources_), self.n_iterations_
        total = self._n_planned
        text = f"max_time={self.max_time}s was spent: {done} of {total} rungs "
        text += "completed"
        if started > done:
            finished = int(np.sum(results["iter"] == started - 1))
            text += (
                f"; in rung {started}/{total}, {finished} of "
                f"{self.n_candidates_[-1]} candidates finished every split"
            )
        rung = self._best_rung
        return (
            f"{text}. best_* are from rung {rung + 1}/{total} "
            f"(cv_results_['iter'] == {rung})."
        )

    def _run_search(self, evaluate, *, candidates, schedule, cv, n_samples):
        """The rungs of ``schedule``, from ``candidates`` (what
        ``_prepare_search`` returned); sets the rung attributes."""
        candidate_params = candidates
        metric = self._metric
        n_iterations = schedule.n_iterations
        if self.verbose:
            print(f"n_iterations: {n_iterations}")
            print(f"n_required_iterations: {schedule.n_required_iterations}")
            print(f"n_possible_iterations: {schedule.n_possible_iterations}")
            print(f"min_resources_: {self.min_resources_}")
            print(f"max_resources_: {self.max_resources_}")
            print(f"aggressive_elimination: {self.aggressive_elimination}")
            print(f"factor: {self.factor}")

        self.n_resources_, self.n_candidates_ = [], []
        self.n_iterations_ = 0
        resource = self.resource
        keep = None if resource == "n_samples" else resource
        root = evaluate.callback_ctx
        search_ctx = None
        if root is not None:  # the task tree of scikit-learn's halving
            search_ctx = root.subcontext(
                task_name="search", max_subtasks=n_iterations
            ).call_on_fit_task_begin(estimator=self)
        for itr in range(n_iterations):
            # With the budget spent, a rung is still asked for: what the
            # checkpoint holds costs no budget (a resumed search reads every
            # rung it journaled); the engine fits nothing more.
            spent = evaluate.time_left() <= 0
            n_candidates = len(candidate_params)
            n_resources = schedule.n_resources(itr)
            self.n_resources_.append(n_resources)
            self.n_candidates_.append(n_candidates)
            if self.verbose:
                print("-" * 10)
                print(f"iter: {itr}")
                print(f"n_candidates: {n_candidates}")
                print(f"n_resources: {n_resources}")
            if resource == "n_samples":
                rung_cv = SubsampleSplitter(
                    base_cv=cv,
                    fraction=n_resources / n_samples,
                    subsample_test=True,
                    random_state=self.random_state,
                )
            else:
                candidate_params = [c.copy() for c in candidate_params]
                for candidate in candidate_params:
                    candidate[resource] = n_resources
                rung_cv = cv
            more_results = {
                "iter": [itr] * n_candidates,
                "n_resources": [n_resources] * n_candidates,
            }
            rung_ctx = None
            if search_ctx is not None:
                rung_ctx = search_ctx.subcontext(
                    task_name="halving-iteration",
                    max_subtasks=n_candidates * self.n_splits_,
                    sequential_subtasks=False,
                ).call_on_fit_task_begin(estimator=self)
            results = evaluate(
                candidate_params,
                rung_cv,
                more_results=more_results,
                keep=keep,
                label=f"rung {itr + 1}/{n_iterations}",
                callback_ctx=rung_ctx,
            )
            if rung_ctx is not None:
                rung_ctx.call_on_fit_task_end(estimator=self)
            in_rung = int(np.sum(results["iter"] == itr)) if results else 0
            if spent and not in_rung:  # nothing read back: the rung never started
                self.n_resources_.pop()
                self.n_candidates_.pop()
                break
            if not results:  # stopped before any candidate finished
                break
            if f"mean_test_{metric}" not in results:
                raise ValueError(
                    f"refit={self.refit!r} must name the metric that decides "
                    "which candidates survive; the scores are "
                    f"{sorted(k[10:] for k in results if k.startswith('mean_test_'))}"
                )
            if in_rung < n_candidates:
                break  # stopped in this rung: best_* from the last complete one
            self.n_iterations_ = itr + 1
            candidate_params = top_k(
                results, schedule.n_to_keep(n_candidates), itr, metric
            )
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.n_remaining_candidates_ = len(candidate_params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = False  # as scikit-learn's halving searches
        return tags


@fill_doc(parameters=HALVING_PARAMETERS, attributes=HALVING_ATTRIBUTES)
class HalvingGridTuner(BaseHalvingTuner):
    """Search over a grid with successive halving.

    A drop-in replacement for
    :class:`sklearn.model_selection.HalvingGridSearchCV` (no
    ``sklearn.experimental`` import needed): the same parameters, the same
    candidates and resources in every rung, the same subsamples, the same
    ``cv_results_`` and attributes. Every candidate is evaluated with a
    small resource; the best ``1 / factor`` go on with ``factor`` times the
    resource, until few remain. When the resource is a warm-start path of
    the estimator (``n_estimators`` of forests, bagging and gradient
    boosting, ``max_iter`` of histogram gradient boosting without early
    stopping, ``n_estimators`` of XGBoost and LightGBM without sampling,
    ``max_iter`` of the MLPs without early stopping) and
    its ``random_state`` is fixed, a survivor's model in each fold is
    continued from the previous rung rather than refitted, with the same
    scores.

    Parameters
    ----------
    %(estimator)s

    param_grid : dict or list of dicts
        Parameter names (``str``, ``step__param`` inside pipelines) mapped to
        non-empty lists of values; or a list of such dicts.

    %(factor)s

    %(resource)s

    %(max_resources)s

    min_resources : {'exhaust', 'smallest'} or int, default='exhaust'
        The resource of the first rung. 'smallest' is ``2 * n_splits`` (times
        the number of classes for a classifier) with ``resource='n_samples'``,
        else 1; 'exhaust' starts as high as lets the last rung use the most
        resource.

    %(aggressive_elimination)s

    %(halving_cv)s

    %(halving_scoring)s

    %(halving_refit)s

    %(error_score)s

    %(halving_return_train_score)s

    %(halving_random_state)s

    %(n_jobs)s

    %(verbose)s

    %(share)s

    %(share_memory)s

    %(max_time)s

    %(checkpoint)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    HalvingRandomTuner : Successive halving over sampled candidates.
    GridTuner : Exhaustive search over a grid.
    sklearn.model_selection.HalvingGridSearchCV : The scikit-learn search it
        replaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper import HalvingGridTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = HalvingGridTuner(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": [2, 3, None], "min_samples_split": [2, 10, 20]},
    ...     resource="n_estimators",
    ...     max_resources=18,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> tuner.n_resources_, tuner.n_candidates_
    ([2, 6, 18], [9, 3, 1])
    >>> tuner.best_params_
    {'max_depth': 3, 'min_samples_split': 2, 'n_estimators': 18}
    >>> tuner.work_["fits"], tuner.work_["warm_start_fits"]  # (3 + 1) x 5 continued
    (45, 20)
    """

    _parameter_constraints: dict = {
        **BaseHalvingTuner._parameter_constraints,
        "param_grid": [dict, list],
    }

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
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
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_resources=max_resources,
            min_resources=min_resources,
            resource=resource,
            factor=factor,
            aggressive_elimination=aggressive_elimination,
            share=share,
            share_memory=share_memory,
            max_time=max_time,
            checkpoint=checkpoint,
        )
        self.param_grid = param_grid

    def _check_search_space(self):
        check_space(self.param_grid, self.estimator, "param_grid", allow_rvs=False)

    def _generate_candidate_params(self, min_resources, max_resources):
        return grid_candidates(self.param_grid)


@fill_doc(parameters=HALVING_PARAMETERS, attributes=HALVING_ATTRIBUTES)
class HalvingRandomTuner(BaseHalvingTuner):
    """Search over sampled candidates with successive halving.

    A drop-in replacement for
    :class:`sklearn.model_selection.HalvingRandomSearchCV` (no
    ``sklearn.experimental`` import needed): the same parameters, the same
    candidates for the same ``random_state``, the same resources and
    subsamples in every rung, the same ``cv_results_`` and attributes.
    Survivors' models are continued from rung to rung when the resource is
    a warm-start path of the estimator, as for :class:`HalvingGridTuner`.

    Parameters
    ----------
    %(estimator)s

    param_distributions : dict or list of dicts
        Parameter names mapped to distributions (objects with an
        ``rvs(random_state=...)`` method) or to non-empty lists sampled
        uniformly; or a list of such dicts, one drawn first for each
        candidate.

    n_candidates : 'exhaust' or int, default='exhaust'
        The number of candidates of the first rung; 'exhaust' samples enough
        for the last rung to use the most resource (then ``min_resources``
        cannot be 'exhaust').

    %(factor)s

    %(resource)s

    %(max_resources)s

    min_resources : {'exhaust', 'smallest'} or int, default='smallest'
        The resource of the first rung. 'smallest' is ``2 * n_splits`` (times
        the number of classes for a classifier) with ``resource='n_samples'``,
        else 1; 'exhaust' starts as high as lets the last rung use the most
        resource.

    %(aggressive_elimination)s

    %(halving_cv)s

    %(halving_scoring)s

    %(halving_refit)s

    %(error_score)s

    %(halving_return_train_score)s

    %(halving_random_state)s

    %(n_jobs)s

    %(verbose)s

    %(share)s

    %(share_memory)s

    %(max_time)s

    %(checkpoint)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    HalvingGridTuner : Successive halving over a grid.
    RandomTuner : Search over sampled candidates.
    sklearn.model_selection.HalvingRandomSearchCV : The scikit-learn search it
        replaces.

    Examples
    --------
    >>> from scipy.stats import randint
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper import HalvingRandomTuner
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = HalvingRandomTuner(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": [2, 3, None], "min_samples_split": randint(2, 11)},
    ...     resource="n_estimators",
    ...     max_resources=9,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> tuner.n_resources_, tuner.n_candidates_
    ([1, 3, 9], [9, 3, 1])
    >>> sorted(tuner.best_params_)
    ['max_depth', 'min_samples_split', 'n_estimators']
    """

    _parameter_constraints: dict = {
        **BaseHalvingTuner._parameter_constraints,
        "param_distributions": [dict, list],
        "n_candidates": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"exhaust"}),
        ],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_candidates="exhaust",
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="smallest",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
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
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_resources=max_resources,
            min_resources=min_resources,
            resource=resource,
            factor=factor,
            aggressive_elimination=aggressive_elimination,
            share=share,
            share_memory=share_memory,
            max_time=max_time,
            checkpoint=checkpoint,
        )
        self.param_distributions = param_distributions
        self.n_candidates = n_candidates

    def _check_search_space(self):
        check_space(
            self.param_distributions,
            self.estimator,
            "param_distributions",
            allow_rvs=True,
        )

    def _generate_candidate_params(self, min_resources, max_resources):
        n_candidates = self.n_candidates
        if n_candidates == "exhaust":
            # enough for the last rung to use as much resource as possible
            n_candidates = max_resources // min_resources
        return sampled_candidates(
            self.param_distributions, n_candidates, self.random_state
        )


__all__ = ["HalvingGridTuner", "HalvingRandomTuner"]
