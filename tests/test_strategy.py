"""A search strategy is ``_check_search_space`` and ``_run_search(evaluate)``
plus a few named hooks of the base: called in order, handing values to each
other, storing nothing on the tuner but its parameters and fitted attributes.
(docs/strategies.md runs a complete strategy against GridSearchCV.)"""

import warnings

import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.svm import SVC

from skhyper import (
    BayesTuner,
    GridTuner,
    HalvingGridTuner,
    HalvingRandomTuner,
    RandomTuner,
)
from skhyper._compat import HAS_CALLBACKS

X, y = make_classification(n_samples=120, n_features=5, random_state=0)


def _tuners():
    grid = {"C": [0.1, 1, 10]}
    return [
        GridTuner(SVC(), grid, cv=3),
        RandomTuner(SVC(), {"C": loguniform(0.1, 10)}, n_iter=3, cv=3, random_state=0),
        RandomTuner(SVC(), grid, n_iter=None, cv=3, random_state=0),
        HalvingGridTuner(SVC(), grid, cv=3),
        HalvingRandomTuner(SVC(), grid, cv=3, random_state=0),
    ]


@pytest.mark.parametrize("tuner", _tuners(), ids=lambda t: type(t).__name__)
def test_fit_leaves_only_parameters_and_fitted_attributes(tuner):
    # Nothing a hook computed for a later one is left on the tuner.
    params = set(tuner.get_params(deep=False))
    if isinstance(tuner, HalvingGridTuner | HalvingRandomTuner):
        # BaseTuner's default, not a parameter: as scikit-learn's halving
        # searches hold BaseSearchCV's
        theirs = HalvingGridSearchCV(SVC(), {"C": [1]})
        assert theirs.pre_dispatch == tuner.pre_dispatch == "2*n_jobs"
        params.add("pre_dispatch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # small space, few samples
        tuner.fit(X, y)
    left = {name for name in vars(tuner) if name not in params}
    assert {name for name in left if not name.endswith("_")} == set()
    assert {"cv_results_", "best_index_", "best_score_", "best_params_"} <= left


def test_bayes_tuner_leaves_only_parameters_and_fitted_attributes():
    pytest.importorskip("optuna")
    tuner = BayesTuner(SVC(), {"C": loguniform(0.1, 10)}, n_iter=3, cv=3)
    params = set(tuner.get_params(deep=False))
    tuner.fit(X, y)
    assert {n for n in vars(tuner) if n not in params and not n.endswith("_")} == set()


def test_search_tasks_are_known_only_for_one_call():
    grid = {"C": [1, 10]}
    assert GridTuner(SVC(), grid)._n_search_tasks() == 1
    assert RandomTuner(SVC(), grid, n_iter=2)._n_search_tasks() == 1
    assert RandomTuner(SVC(), grid, n_iter=None)._n_search_tasks() is None
    assert BayesTuner(SVC(), grid)._n_search_tasks() is None
    # the rungs report under one "search" task of their own
    assert HalvingGridTuner(SVC(), grid)._n_search_tasks() == 1


class RecordingTuner(GridTuner):
    """A GridTuner that records its hooks, and asks its grid in two calls."""

    calls = []

    def _check_search_space(self):
        type(self).calls.append("_check_search_space")
        super()._check_search_space()

    def _prepare_search(self, X, y, cv, split_params):
        type(self).calls.append("_prepare_search")
        assert cv.get_n_splits(X, y, **split_params) == 3
        return {"first": [{"C": 0.1}], "rest": [{"C": 1}, {"C": 10}]}

    def _n_search_tasks(self):
        type(self).calls.append("_n_search_tasks")
        return 2

    def _run_search(self, evaluate, *, first, rest):
        type(self).calls.append("_run_search")
        assert len(evaluate(first)["params"]) == 1
        assert len(evaluate(rest)["params"]) == 3

    def _choose_best(self, results, refit_metric):
        type(self).calls.append("_choose_best")
        assert refit_metric == "score"
        return 0, -1.0


def test_hooks_are_called_in_order_and_hand_over_what_they_return():
    RecordingTuner.calls = []
    tuner = RecordingTuner(SVC(), {"C": [0.1, 1, 10]}, cv=3).fit(X, y)
    assert RecordingTuner.calls == [
        "_check_search_space",
        "_prepare_search",
        "_n_search_tasks",
        "_run_search",
        "_choose_best",
    ]
    assert tuner.cv_results_["params"] == [{"C": 0.1}, {"C": 1}, {"C": 10}]
    assert tuner.best_index_ == 0 and tuner.best_score_ == -1.0
    assert tuner.best_params_ == {"C": 0.1}


def test_a_bad_space_fails_before_prepare_search():
    RecordingTuner.calls = []
    with pytest.raises(ValueError, match="'gama' is not a parameter"):
        RecordingTuner(SVC(), {"gama": [1]}).fit(X, y)
    assert RecordingTuner.calls == ["_check_search_space"]


@pytest.mark.skipif(not HAS_CALLBACKS, reason="scikit-learn < 1.9: no callbacks")
def test_search_tasks_size_the_fit_task():
    seen = {}

    class Sized(RecordingTuner):
        def _init_callback_context(self, **kwargs):
            seen.update(kwargs)
            return super()._init_callback_context(**kwargs)

    Sized(SVC(), {"C": [0.1, 1, 10]}, cv=3).fit(X, y)
    assert seen == {"max_subtasks": 3}  # 2 search tasks and the refit
    Sized(SVC(), {"C": [0.1, 1, 10]}, cv=3, refit=False).fit(X, y)
    assert seen == {"max_subtasks": 2}
