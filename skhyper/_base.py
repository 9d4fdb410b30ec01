"""BaseTuner: the estimator API shared by every tuner.

A tuner supplies ``_check_search_space()`` and
``_run_search(evaluate_candidates)``; everything else (validation, CV
splitting, the engine, ``cv_results_``, refit, delegation) lives here.
"""

import numbers
import os
import time
import warnings
from abc import ABCMeta, abstractmethod
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


class BaseTuner(
    MetaEstimatorMixin, CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class of the tuners; not for direct use.

    Subclasses implement ``_check_search_space`` (validate the space against
    the estimator, before any fit) and ``_run_search``, which calls
    ``evaluate_candidates(list_of_param_dicts)`` one or more times; see
    :class:`skhyper._engine.Evaluate` for what else it offers.
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

    # -- hooks -------------------------------------------------------------

    @abstractmethod
    def _check_search_space(self):
        """Validate the candidate space; raise before any fit if it is bad."""

    def _check_params(self):
        validate_params(self)
        if isinstance(self.estimator, type):
            raise InvalidParameterError(
                f"The 'estimator' parameter of {type(self).__name__} must be an "
                f"estimator instance. Got {self.estimator!r} instead, a class: did "
                f"you mean {self.estimator.__name__}()?"
            )

    @abstractmethod
    def _run_search(self, evaluate_candidates):
        """Call ``evaluate_candidates(candidates)`` one or more times."""

    def _check_fit_inputs(self, X, y, cv, split_params):
        """Checks that need the data and the CV (before any fit); none here."""

    def _select_best_index(self, refit, refit_metric, results):
        """Index of the best candidate in ``results``."""
        return select_best_index(refit, refit_metric, results)

    def _max_time_message(self, search):
        """The warning when ``max_time`` stopped the search."""
        return (
            f"max_time={self.max_time}s was spent: {len(search.params)} of "
            f"{search.n_asked} candidates were evaluated on every split "
            "(the others were not, or only partly, and are left out)."
        )

    def _evaluates_once(self):
        """Whether ``_run_search`` calls ``evaluate_candidates`` exactly once
        (the callback context of ``fit`` is sized by it)."""
        return getattr(self, "n_iter", 1) is not None

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
        # Callbacks that see the candidates' fits see them as in scikit-learn:
        # each candidate fitted whole, nothing shared.
        callbacks, callbacks_reach_fits = search_callbacks(self)
        # Outlier detectors with labels: folds stratified on the outlier
        # indicator (every fold has outliers); anything else as scikit-learn.
        cv = default_cv(self.estimator, self.cv, y)
        cv_orig = check_cv(cv, y, classifier=_is_classifier(self.estimator))
        self._check_fit_inputs(X, y, cv_orig, split_params)
        self.n_splits_ = cv_orig.get_n_splits(X, y, **split_params)
        settings = Settings(
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
        root = None
        if HAS_CALLBACKS:
            one_call = self._evaluates_once()
            weight = params.get("sample_weight")
            hook = dict(
                estimator=self,
                X=X,
                y=y,
                metadata=None if weight is None else {"sample_weight": weight},
            )
            root = self._init_callback_context(
                max_subtasks=1 + (self.refit is not False) if one_call else None
            ).call_on_fit_task_begin(**hook)

        def check_candidates(candidate_params):
            check_threshold_grid(self.estimator, candidate_params, self.scoring)
            check_scorers_can_score(self.estimator, candidate_params, self.scoring)

        with Engine(
            self.estimator,
            X,
            y,
            cv=cv_orig,
            n_splits=self.n_splits_,
            split_params=split_params,
            settings=settings,
            owner=self,
            callback_ctx=root,
            journal_scoring=self.scoring,
            check_candidates=check_candidates,
        ) as search:
            try:
                self._run_search(Evaluate(search))
            except KeyboardInterrupt:
                # Keep every candidate that finished; no refit.
                if search.params:
                    self.cv_results_ = search.results()
                    self.history_ = search.history()
                    self.work_ = search.work
                raise
        if not search.params:
            raise ValueError(
                f"max_time={self.max_time} was spent before any candidate finished "
                "its splits; nothing to choose from. Give the search more time."
            )
        if search.stopped is Stop.MAX_TIME:
            warnings.warn(self._max_time_message(search), UserWarning)
        results = search.last_results
        # Set before the refit, so a Ctrl-C during the refit keeps them too.
        self.cv_results_ = results
        self.history_ = search.history()
        self.work_ = search.work

        first_test_score = search.out[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            check_refit_for_multimetric(self.refit, first_test_score)
            refit_metric = self.refit

        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]

        if self.refit:
            # Parameters are cloned too: they may be estimators.
            best = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            fit_params = routed["estimator"]["fit"]
            if root is not None:
                refit_ctx = root.subcontext(task_name="refit-with-best-params")
                with refit_ctx.propagate_callback_context(best):
                    refit_ctx.call_on_fit_task_begin(**hook)
                    self.refit_time_ = _timed_fit(best, X, y, fit_params)
                refit_ctx.call_on_fit_task_end(**hook)
            else:
                self.refit_time_ = _timed_fit(best, X, y, fit_params)
            # Only a fitted best estimator is exposed (not one cut by Ctrl-C).
            self.best_estimator_ = best
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_

        self.scorer_ = scorer_dict(scorer)
        if root is not None:
            root.call_on_fit_task_end(**hook)
        return self

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
