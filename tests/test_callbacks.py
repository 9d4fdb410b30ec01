"""scikit-learn's callback API (>= 1.9) on the tuners, as on GridSearchCV.

The checks mirror scikit-learn's own callback tests of its searches
(``test_search_callbacks_*`` in ``model_selection/tests/test_search.py``):
hook counts with and without propagation to the candidates' estimators,
the fit metadata in the hooks, the search instance as the hooks' estimator,
and ``ScoringMonitor`` logs under the tuner's task tree; with one and two
worker processes.
"""

from collections import Counter

import numpy as np
import pytest
from scipy.stats import randint
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, RandomTuner
from skhyper._compat import HAS_CALLBACKS

pytestmark = pytest.mark.skipif(not HAS_CALLBACKS, reason="sklearn.callback: 1.9")

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
GRID = {"C": [0.1, 1.0, 10.0]}


def _utils():
    return pytest.importorskip("sklearn.callback.tests._utils")


def searches(estimator, scoring):
    """Pairs (ours, scikit-learn's) as in scikit-learn's callback tests."""
    return [
        (
            GridTuner(estimator(), {"max_iter": [1, 2, 3]}, cv=2, scoring=scoring),
            GridSearchCV(estimator(), {"max_iter": [1, 2, 3]}, cv=2, scoring=scoring),
        ),
        (
            RandomTuner(
                estimator(),
                {"max_iter": randint(1, 4)},
                cv=2,
                n_iter=3,
                scoring=scoring,
                random_state=42,
            ),
            RandomizedSearchCV(
                estimator(),
                {"max_iter": randint(1, 4)},
                cv=2,
                n_iter=3,
                scoring=scoring,
                random_state=42,
            ),
        ),
    ]


def hook_names(record):
    return Counter(
        (entry["name"], entry["context"].task_name, entry["context"].estimator_name)
        for entry in record
    )


def _fit_both(pair, n_jobs, refit, callback_classes):
    ours, theirs = pair
    out = []
    for search in (ours, theirs):
        callbacks = [cls() for cls in callback_classes]
        search.set_params(refit=refit, n_jobs=n_jobs).set_callbacks(*callbacks)
        search.fit(X, y)
        out.append(callbacks)
    return out


def _rename(counter, ours, theirs):
    """Our hooks with the tuner's class name replaced by scikit-learn's."""
    return Counter(
        {
            (name, task, theirs if estimator == ours else estimator): n
            for (name, task, estimator), n in counter.items()
        }
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("which", ["grid", "random"])
@pytest.mark.parametrize("estimator", ["NoCallbackEstimator", "MaxIterEstimator"])
def test_hook_calls_equal_scikit_learns(estimator, which, refit, n_jobs):
    utils = _utils()
    estimator = getattr(utils, estimator)
    scoring = "accuracy" if estimator is utils.NoCallbackEstimator else "r2"
    pair = searches(estimator, scoring)[which == "random"]
    classes = [utils.RecordingCallback, utils.RecordingAutoPropagatedCallback]
    ours, theirs = _fit_both(pair, n_jobs, refit, classes)
    names = type(pair[0]).__name__, type(pair[1]).__name__
    for our_callback, their_callback in zip(ours, theirs):
        assert _rename(hook_names(our_callback.record), *names) == hook_names(
            their_callback.record
        )
        for hook in ("setup", "teardown"):
            assert our_callback.count_hooks(hook) == 1


def test_hooks_receive_sample_weight_and_the_tuner():
    utils = _utils()
    callback = utils.RecordingCallback()
    tuner = GridTuner(
        utils.MaxIterEstimator(), {"max_iter": [1, 2, 3]}, cv=2, scoring="accuracy"
    ).set_callbacks(callback)
    sample_weight = np.random.RandomState(0).randint(0, 5, size=y.shape[0])
    tuner.fit(X, y, sample_weight=sample_weight)
    by_task = {}
    for entry in callback.record:
        assert entry["estimator"] is tuner
        if entry["name"] in ("on_fit_task_begin", "on_fit_task_end"):
            by_task.setdefault(entry["context"].task_name, []).append(entry)
    evaluations = by_task["candidate-split-evaluation"]
    assert len(evaluations) == 2 * 3 * 2
    for entry in evaluations:
        weights = entry["kwargs"]["metadata"]["sample_weight"]
        assert len(weights) == len(entry["kwargs"]["X"]) < len(X)
    for entry in by_task["refit-with-best-params"] + by_task["fit"]:
        np.testing.assert_array_equal(
            entry["kwargs"]["metadata"]["sample_weight"], sample_weight
        )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_scoring_monitor_logs_under_the_tuner(n_jobs):
    # scikit-learn's gallery example callbacks/plot_scoring_monitor.py, with
    # GridSearchCV renamed: the estimator's fits are subtasks of the search.
    from sklearn.callback import ScoringMonitor

    logs = []
    for cls in (GridSearchCV, GridTuner):
        monitor = ScoringMonitor(scoring=["accuracy"])
        est = LogisticRegression(max_iter=100).set_callbacks(monitor)
        cls(est, {"C": [0.1, 1.0]}, cv=2, n_jobs=n_jobs).fit(X, y)
        logs.append(monitor.get_logs(select="all"))
    theirs, ours = logs
    assert [log.estimator_name for log in ours] == ["GridTuner"]
    assert [log.estimator_name for log in theirs] == ["GridSearchCV"]

    def rows(log):
        return sorted(
            (row["task_id_path"], row["task_name"], row["accuracy"]) for row in log.data
        )

    assert rows(ours[0]) == rows(theirs[0])


def test_progress_bar_runs():
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    tuner = RandomTuner(LogisticRegression(), GRID, n_iter=2, cv=2, random_state=0)
    tuner.set_callbacks(ProgressBar()).fit(X, y)
    assert len(tuner.cv_results_["params"]) == 2


def test_callbacks_keep_pipelines_whole_and_results_equal():
    # With callbacks in play, a pipeline is fitted by its own fit, so that
    # the callbacks see scikit-learn's task tree (Pipeline reports its steps).
    utils = _utils()
    pipe = Pipeline([("scale", StandardScaler()), ("est", utils.MaxIterEstimator())])
    grid = {"est__max_iter": [1, 2]}
    records = []
    for cls in (GridSearchCV, GridTuner):
        callback = utils.RecordingAutoPropagatedCallback()
        search = cls(pipe, grid, cv=2, scoring="r2").set_callbacks(callback).fit(X, y)
        records.append(hook_names(callback.record))
    assert _rename(records[1], "GridTuner", "GridSearchCV") == records[0]
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"],
        GridSearchCV(pipe, grid, cv=2, scoring="r2")
        .fit(X, y)
        .cv_results_["mean_test_score"],
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sharing_stays_on_for_callbacks_that_see_only_the_tuner(n_jobs):
    # A callback that is not propagated sees the search's tasks only, which
    # sharing does not change: equal candidates are still fitted once.
    utils = _utils()
    grid = {"max_iter": [2, 2, 3]}
    records = []
    for cls in (GridSearchCV, GridTuner):
        callback = utils.RecordingCallback()
        search = cls(utils.MaxIterEstimator(), grid, cv=2, scoring="r2", n_jobs=n_jobs)
        search.set_callbacks(callback).fit(X, y)
        records.append(hook_names(callback.record))
    assert _rename(records[1], "GridTuner", "GridSearchCV") == records[0]
    assert search.work_["fits"] == 2 * 2


def test_callbacks_that_see_the_fits_turn_sharing_off():
    # Documented in docs/parity.md: a propagated callback (or one set on an
    # estimator of the search) sees every candidate's fit, as in scikit-learn.
    utils = _utils()
    grid = {"max_iter": [2, 2, 3]}
    callback = utils.RecordingAutoPropagatedCallback()
    tuner = GridTuner(utils.MaxIterEstimator(), grid, cv=2, scoring="r2")
    tuner.set_callbacks(callback).fit(X, y)
    assert tuner.work_["fits"] == tuner.work_["plain_fits"] == 3 * 2
