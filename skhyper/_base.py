"""BaseTuner: the estimator API shared by every tuner.

A tuner (a search strategy) supplies ``_check_search_space()`` and
``_run_search(evaluate)``, and may override the few other hooks of the
"what a strategy supplies" section (``_prepare_search``,
``_n_search_tasks``, ``_choose_best``, ``_max_time_message``); everything
else (validation, CV splitting, the engine, ``cv_results_``, refit,
delegation) lives here. ``docs/strategies.md`` shows how to write one.
"""

import numbers
import os
import time
import warnings
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from copy import deepcopy

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable

from ._compat import (
    FORWARD_SAMPLE_WEIGHT_TO_SCORER,
    HAS_CALLBACKS,
    ROUTER_OWNER_IS_OBJECT,
    CallbackSupportMixin,
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    _check_method_params,
    _raise_for_params,
    _VisualBlock,
    search_callbacks,
    validate_params,
    with_callbacks,
)
from ._detectors import check_scorers_can_score, check_threshold_grid, default_cv
from ._engine import Engine, Evaluate, Settings, Stop
from ._results import select_best_index
from ._scoring import (
    check_refit_for_multimetric,
    resolve_scoring,
    scorer_dict,
    scorers_accept_sample_weight,
)


def _check_refit(tuner, attr):
    if not tuner.refit:
        raise AttributeError(
            f"This {type(tuner).__name__} instance was initialized with "
            f"`refit=False`. {attr} is available only after refitting on the best "
            "parameters. You can refit an estimator manually using the "
            "`best_params_` attribute"
        )


def _estimator_has(attr):
    """``available_if`` check: delegate ``attr`` only if the estimator has it."""

    def check(self):
        _check_refit(self, attr)
        if hasattr(self, "best_estimator_"):
            getattr(self.best_estimator_, attr)  # AttributeError if absent
            return True
        getattr(self.estimator, attr)
        return True

    return check


def _delegated(name, returns):
    """A method calling ``name`` on ``best_estimator_``, present only if it has it."""

    def method(self, X):
        check_is_fitted(self)
        return getattr(self.best_estimator_, name)(X)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"""Call ``{name}`` on the estimator with the best parameters.

        Only available if ``refit=True`` and the estimator has ``{name}``.

        Parameters
        ----------
        X : indexable, length n_samples
            Must fulfil the input assumptions of the estimator.

        Returns
        -------
        {returns}
            ``best_estimator_.{name}(X)``.
        """
    return available_if(_estimator_has(name))(method)


def _is_classifier(estimator):
    # Estimators outside scikit-learn's API (e.g. PyOD detectors) may have no
    # tags, and get_tags raises on them from scikit-learn 1.7: not classifiers.
    try:
        return is_classifier(estimator)
    except Exception:
        return False


def _timed_fit(estimator, X, y, fit_params):
    start = time.time()
    if y is not None:
        estimator.fit(X, y, **fit_params)
    else:
        estimator.fit(X, **fit_params)
    return time.time() - start


class _FitTask:
    """The fit's task of scikit-learn's callbacks (>= 1.9); does nothing before.

    ``max_subtasks``: the tasks of the search (``_n_search_tasks``), or None;
    the refit, if any, is one more.
    """

    def __init__(self, tuner, X, y, params, n_search_tasks):
        self.ctx = self.hook = None
        if not HAS_CALLBACKS:
            return
        weight = params.get("sample_weight")
        self.hook = dict(
            estimator=tuner,
            X=X,
            y=y,
            metadata=None if weight is None else {"sample_weight": weight},
        )
        max_subtasks = None
        if n_search_tasks is not None:
            max_subtasks = n_search_tasks + (tuner.refit is not False)
        self.ctx = tuner._init_callback_context(
            max_subtasks=max_subtasks
        ).call_on_fit_task_begin(**self.hook)

    @contextmanager
    def refit(self, best):
        """The refit of ``best`` runs in the block, as a subtask of the fit's."""
        if self.ctx is None:
            yield
            return
        refit_ctx = self.ctx.subcontext(task_name="refit-with-best-params")
        with refit_ctx.propagate_callback_context(best):
            refit_ctx.call_on_fit_task_begin(**self.hook)
            yield
        refit_ctx.call_on_fit_task_end(**self.hook)

    def end(self):
        if self.ctx is not None:
            self.ctx.call_on_fit_task_end(**self.hook)


class BaseTuner(
    MetaEstimatorMixin, CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class of the tuners; not for direct use.

    Subclasses implement ``_check_search_space`` (validate the space against
    the estimator, before any fit) and ``_run_search``, which calls
    ``evaluate(list_of_param_dicts)`` one or more times; see
    :class:`skhyper._engine.Evaluate` for what else it offers, and
    ``docs/strategies.md``.
    """

    # As BaseSearchCV's, plus skhyper's own parameters; validated by
    # scikit-learn's machinery, with its wording and InvalidParameterError.
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "scoring": [
            StrOptions(set(get_scorer_names())),
            callable,
            list,
            tuple,
            dict,
            None,
        ],
        "n_jobs": [numbers.Integral, None],
        "refit": ["boolean", str, callable],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "pre_dispatch": [numbers.Integral, str],
        "error_score": [StrOptions({"raise"}), numbers.Real],
        "return_train_score": ["boolean"],
        "share": ["boolean"],
        "share_memory": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_time": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "checkpoint": [str, os.PathLike, None],
    }

    @abstractmethod
    def __init__(
        self,
        estimator,
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
        self.estimator = estimator
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.share = share
        self.share_memory = share_memory
        self.max_time = max_time
        self.checkpoint = checkpoint

    # -- what a strategy supplies -------------------------------------------
    # A strategy is a subclass with _check_search_space and _run_search; the
    # other hooks have defaults that fit a search asking once (GridTuner).
    # fit calls them in this order: _check_params, _check_search_space,
    # _prepare_search, _n_search_tasks, _run_search, then _choose_best (and
    # _max_time_message if max_time stopped the search).

    def _check_params(self):
        """Validate the constructor parameters; called first in ``fit``.

        Raises scikit-learn's ``InvalidParameterError`` for a value outside
        ``_parameter_constraints``. A strategy with checks of its own calls
        ``super()._check_params()`` first.
        """
        validate_params(self)
        if isinstance(self.estimator, type):
            raise InvalidParameterError(
                f"The 'estimator' parameter of {type(self).__name__} must be an "
                f"estimator instance. Got {self.estimator!r} instead, a class: did "
                f"you mean {self.estimator.__name__}()?"
            )

    @abstractmethod
    def _check_search_space(self):
        """Validate the candidate space against the estimator.

        Called in ``fit`` after the parameters and the scoring are checked,
        before the data is looked at and before any fit. Raises (with a
        message naming the bad value) if the space is bad; returns nothing.
        """

    def _prepare_search(self, X, y, cv, split_params):
        """What ``_run_search`` needs beyond ``evaluate``, computed before any fit.

        Called in ``fit`` once the data is indexable and the CV splitter
        checked (``cv``, with ``split_params`` the arguments of its
        ``split``), before the engine starts. Checks that need the data or
        the CV raise here. Returns a dict of keyword arguments for
        ``_run_search`` (empty by default): successive halving returns its
        first rung's candidates, its schedule, the CV and the number of
        samples. It may also set fitted attributes (``min_resources_``).
        """
        return {}

    def _n_search_tasks(self):
        """How many tasks the search adds below the fit's callback task.

        Called in ``fit`` before ``_run_search``, to size the fit's task of
        scikit-learn's callbacks (scikit-learn >= 1.9): each ``evaluate``
        call without ``callback_ctx=`` is one "search" task. Returns an int,
        or None when the number of calls is only known as the search runs.
        1 by default: a search asking once.
        """
        return 1

    @abstractmethod
    def _run_search(self, evaluate, **prepared):
        """Evaluate candidates: call ``evaluate(candidates)`` one or more times.

        Called in ``fit`` with the engine open. ``evaluate`` is a
        :class:`skhyper._engine.Evaluate`: it evaluates a list of candidate
        dicts on every split and returns ``cv_results_`` of every candidate
        evaluated so far; ``time_left()`` and ``stopped`` say when to stop
        asking (see ``docs/strategies.md``). ``prepared`` is what
        ``_prepare_search`` returned. Returns nothing: the results are the
        engine's, and ``fit`` reads them once it returns.
        """

    def _choose_best(self, results, refit_metric):
        """``(best_index, best_score)`` of the search's ``cv_results_``.

        Called in ``fit`` after ``_run_search``, unless ``refit`` is False
        with several metrics. ``refit_metric`` is the metric ``refit`` names
        (``"score"`` for one metric). ``best_score`` None leaves
        ``best_score_`` unset, as scikit-learn does for a callable ``refit``.
        """
        index = select_best_index(self.refit, refit_metric, results)
        if callable(self.refit):
            return index, None
        return index, results[f"mean_test_{refit_metric}"][index]

    def _max_time_message(self, results, n_asked):
        """The ``UserWarning`` of a search that ``max_time`` stopped.

        Called in ``fit`` after ``_run_search`` when the budget ran out, with
        the ``cv_results_`` of the candidates that finished every split and
        the number of candidates asked for.
        """
        return (
            f"max_time={self.max_time}s was spent: {len(results['params'])} of "
            f"{n_asked} candidates were evaluated on every split "
            "(the others were not, or only partly, and are left out)."
        )

    # -- routing -------------------------------------------------------------

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        owner = self if ROUTER_OWNER_IS_OBJECT else type(self).__name__
        scorer, _ = resolve_scoring(self.estimator, self.scoring, self.refit, "raise")
        return (
            MetadataRouter(owner=owner)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                scorer=scorer,
                method_mapping=MethodMapping()
                .add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def _route_fit_params(self, scorer, params):
        """``{"estimator": {"fit"}, "splitter": {"split"}, "scorer": {"score"}}``."""
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(self, "fit", **params)
            return {
                "estimator": {"fit": dict(routed["estimator"]["fit"])},
                "splitter": {"split": dict(routed["splitter"]["split"])},
                "scorer": {"score": dict(routed["scorer"]["score"])},
            }
        params = params.copy()
        groups = params.pop("groups", None)
        score_params = {}
        if (
            FORWARD_SAMPLE_WEIGHT_TO_SCORER
            and params.get("sample_weight") is not None
            and scorers_accept_sample_weight(scorer, self)
        ):
            score_params["sample_weight"] = params["sample_weight"]
        return {
            "estimator": {"fit": params},
            "splitter": {"split": {"groups": groups}},
            "scorer": {"score": score_params},
        }

    # -- fit -----------------------------------------------------------------

    @with_callbacks
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        Everything that can be checked without fitting (the constructor
        parameters, the candidate space against the estimator's parameters,
        the scoring and the CV splits) is checked first: a bad input raises
        before any fit starts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training vectors; for a precomputed kernel or distance matrix, of
            shape (n_samples, n_samples).

        y : array-like of shape (n_samples, n_output) or (n_samples,), default=None
            Target relative to X; None for unsupervised learning.

        **params : dict of str -> object
            Parameters passed to the ``fit`` method of the estimator, the
            scorer and the CV splitter. Array-likes of length ``n_samples``
            (``sample_weight``, ...) are split with ``X``; ``groups`` goes to
            the splitter.

        Returns
        -------
        self : object
            The fitted tuner.
        """
        self._check_params()
        scorer, refit_metric = resolve_scoring(
            self.estimator, self.scoring, self.refit, self.error_score
        )
        self._check_search_space()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = self._route_fit_params(scorer, params)
        split_params = routed["splitter"]["split"]
        settings = self._settings(scorer, routed)
        cv = self._check_cv(y)
        prepared = self._prepare_search(X, y, cv, split_params)
        self.n_splits_ = cv.get_n_splits(X, y, **split_params)
        # The search, then what it found.
        fit_task = _FitTask(self, X, y, params, self._n_search_tasks())
        outcome = self._search(X, y, cv, split_params, settings, fit_task, prepared)
        self._set_outcome(outcome, refit_metric)
        if self.refit:
            self._refit_best(X, y, routed["estimator"]["fit"], fit_task)
        self.scorer_ = scorer_dict(scorer)
        fit_task.end()
        return self

    # The steps of fit, in order.

    def _settings(self, scorer, routed):
        """The engine's :class:`Settings`: the parameters, resolved."""
        # Callbacks that see the candidates' fits see them as in scikit-learn:
        # each candidate fitted whole, nothing shared.
        callbacks, callbacks_reach_fits = search_callbacks(self)
        return Settings(
            scorer=scorer,
            fit_params=routed["estimator"]["fit"],
            score_params=routed["scorer"]["score"],
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            verbose=self.verbose,
            share=self.share and not callbacks_reach_fits,
            share_memory=self.share_memory,
            n_jobs=self.n_jobs,
            pre_dispatch=self.pre_dispatch,
            max_time=self.max_time,
            checkpoint=self.checkpoint,
            metric=self.refit if isinstance(self.refit, str) else "score",
            callable_scoring=callable(self.scoring),
            callbacks=callbacks,
        )

    def _check_cv(self, y):
        """The checked CV splitter."""
        # Outlier detectors with labels: folds stratified on the outlier
        # indicator (every fold has outliers); anything else as scikit-learn.
        cv = default_cv(self.estimator, self.cv, y)
        return check_cv(cv, y, classifier=_is_classifier(self.estimator))

    def _check_candidates(self, candidate_params):
        """What the engine checks of each batch of candidates before planning it."""
        check_threshold_grid(self.estimator, candidate_params, self.scoring)
        check_scorers_can_score(self.estimator, candidate_params, self.scoring)

    def _search(self, X, y, cv, split_params, settings, fit_task, prepared):
        """Run ``_run_search`` on an engine; return its :class:`SearchOutcome`."""
        with Engine(
            self.estimator,
            X,
            y,
            cv=cv,
            n_splits=self.n_splits_,
            split_params=split_params,
            settings=settings,
            owner=self,
            callback_ctx=fit_task.ctx,
            journal_scoring=self.scoring,
            check_candidates=self._check_candidates,
        ) as engine:
            try:
                self._run_search(Evaluate(engine), **prepared)
            except KeyboardInterrupt:
                # Keep every candidate that finished; no refit.
                outcome = engine.outcome()
                if outcome.candidates:
                    self._set_results(outcome)
                raise
            return engine.outcome()

    def _set_outcome(self, outcome, refit_metric):
        """Set every attribute the search gives from its outcome."""
        self._keep_results(outcome)
        self._set_best(outcome, refit_metric)

    def _set_results(self, outcome):
        self.cv_results_ = outcome.cv_results
        self.history_ = outcome.history
        self.work_ = outcome.work.as_dict()

    def _keep_results(self, outcome):
        """Set ``cv_results_``, ``history_`` and ``work_`` from the outcome."""
        if not outcome.candidates:
            raise ValueError(
                f"max_time={self.max_time} was spent before any candidate finished "
                "its splits; nothing to choose from. Give the search more time."
            )
        if outcome.stopped is Stop.MAX_TIME:
            message = self._max_time_message(outcome.cv_results, outcome.n_asked)
            warnings.warn(message, UserWarning)
        # Set before the refit, so a Ctrl-C during the refit keeps them too.
        self._set_results(outcome)

    def _set_best(self, outcome, refit_metric):
        """Set ``multimetric_`` and the ``best_*`` attributes."""
        results = outcome.cv_results
        first_test_score = outcome.rows[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            check_refit_for_multimetric(self.refit, first_test_score)
            refit_metric = self.refit
        if self.refit or not self.multimetric_:
            self.best_index_, best_score = self._choose_best(results, refit_metric)
            if best_score is not None:
                self.best_score_ = best_score
            self.best_params_ = results["params"][self.best_index_]

    def _refit_best(self, X, y, fit_params, fit_task):
        """Fit ``best_estimator_`` on the whole data; set ``refit_time_``."""
        # Parameters are cloned too: they may be estimators.
        best = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
        with fit_task.refit(best):
            self.refit_time_ = _timed_fit(best, X, y, fit_params)
        # Only a fitted best estimator is exposed (not one cut by Ctrl-C).
        self.best_estimator_ = best
        if hasattr(best, "feature_names_in_"):
            self.feature_names_in_ = best.feature_names_in_

    # -- delegation ----------------------------------------------------------

    def score(self, X, y=None, **params):
        """Return the score on the given data, if the estimator has been refit.

        This uses the score defined by ``scoring`` where provided, and the
        ``best_estimator_.score`` method otherwise.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        y : array-like of shape (n_samples, n_output) or (n_samples,), default=None
            Target relative to X; None for unsupervised learning.

        **params : dict
            Parameters passed to the scorer(s); only with metadata routing on.

        Returns
        -------
        score : float
            The score of ``best_estimator_`` on ``X``.
        """
        _check_refit(self, "score")
        check_is_fitted(self)
        _raise_for_params(params, self, "score")
        if get_config().get("enable_metadata_routing", False):
            score_params = process_routing(self, "score", **params)["scorer"]["score"]
        else:
            score_params = {}
        if self.scorer_ is None:
            raise ValueError(
                "No score function explicitly defined, "
                f"and the estimator doesn't provide one {self.best_estimator_}"
            )
        if isinstance(self.scorer_, dict):
            scorer = self.scorer_[self.refit] if self.multimetric_ else self.scorer_
            return scorer(self.best_estimator_, X, y, **score_params)
        result = self.scorer_(self.best_estimator_, X, y, **score_params)
        return result[self.refit] if self.multimetric_ else result

    score_samples = _delegated(
        "score_samples", "y_score : ndarray of shape (n_samples,)"
    )
    predict = _delegated("predict", "y_pred : ndarray of shape (n_samples,)")
    predict_proba = _delegated(
        "predict_proba", "y_pred : ndarray of shape (n_samples, n_classes)"
    )
    predict_log_proba = _delegated(
        "predict_log_proba", "y_pred : ndarray of shape (n_samples, n_classes)"
    )
    decision_function = _delegated(
        "decision_function",
        "y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)",
    )
    transform = _delegated(
        "transform", "Xt : {ndarray, sparse matrix} of shape (n_samples, n_features)"
    )
    inverse_transform = _delegated(
        "inverse_transform",
        "X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)",
    )

    @property
    def n_features_in_(self):
        """Number of features seen during ``fit``; only when ``refit=True``."""
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute."
            ) from exc
        return self.best_estimator_.n_features_in_

    @property
    def classes_(self):
        """Class labels; only when ``refit=True`` and the estimator is a classifier."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    # -- tags and display ----------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = deepcopy(sub.classifier_tags)
        tags.regressor_tags = deepcopy(sub.regressor_tags)
        tags.input_tags.pairwise = sub.input_tags.pairwise
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.array_api_support = sub.array_api_support
        return tags

    def _sk_visual_block_(self):
        if hasattr(self, "best_estimator_"):
            key, estimator = "best_estimator_", self.best_estimator_
        else:
            key, estimator = "estimator", self.estimator
        return _VisualBlock(
            "parallel",
            [estimator],
            names=[f"{key}: {estimator.__class__.__name__}"],
            name_details=[str(estimator)],
        )


__all__ = ["BaseTuner"]
