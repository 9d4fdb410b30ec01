"""history_: when each candidate finished (elapsed seconds, fits done, resumed).

No assertion is on wall-clock time: only on counts, order and consistency
with cv_results_.
"""

import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skhyper import GridTuner, RandomTuner

from .counting import SleepyClassifier

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
GRID = {"C": [0.1, 1, 10], "gamma": [0.1, 1]}
KEYS = ["elapsed_time", "n_fits", "from_checkpoint"]


def check_history(tuner, n_splits):
    history = tuner.history_
    assert list(history) == KEYS
    n = len(tuner.cv_results_["params"])
    assert [len(v) for v in history.values()] == [n, n, n]
    assert history["elapsed_time"].dtype == np.float64
    assert history["n_fits"].dtype == np.int64
    assert history["from_checkpoint"].dtype == bool
    assert (history["elapsed_time"] >= 0).all()
    # Each candidate finishes at a distinct count of (candidate, split) results;
    # in finishing order, elapsed time never decreases.
    order = np.argsort(history["n_fits"])
    assert len(set(history["n_fits"])) == n
    assert (np.diff(history["elapsed_time"][order]) >= 0).all()
    assert history["n_fits"].min() >= n_splits
    return history


def test_history_counts_fits_and_keeps_cv_results_keys():
    tuner = GridTuner(SVC(), GRID, cv=3).fit(X, y)
    history = check_history(tuner, 3)
    assert not history["from_checkpoint"].any()
    # One candidate after another, in grid order.
    np.testing.assert_array_equal(history["n_fits"], 3 * np.arange(1, 7))
    reference = GridSearchCV(SVC(), GRID, cv=3).fit(X, y)
    assert list(tuner.cv_results_) == list(reference.cv_results_)


def test_history_of_a_resumed_search(tmp_path):
    db = str(tmp_path / "search.db")
    GridTuner(SVC(), {"C": [0.1, 1], "gamma": [0.1, 1]}, cv=3, checkpoint=db).fit(X, y)
    bigger = GridTuner(SVC(), GRID, cv=3, checkpoint=db).fit(X, y)
    history = check_history(bigger, 3)
    resumed = [p["C"] in (0.1, 1) for p in bigger.cv_results_["params"]]
    np.testing.assert_array_equal(history["from_checkpoint"], resumed)
    # Read first, in candidate order; then the two new candidates.
    np.testing.assert_array_equal(history["n_fits"][resumed], [3, 6, 9, 12])
    assert sorted(history["n_fits"][~np.array(resumed)]) == [15, 18]
    assert bigger.work_["from_checkpoint"] == 12


def test_history_over_several_evaluate_calls():
    # n_iter=None over a space of lists: batches of candidates until exhausted.
    tuner = RandomTuner(SVC(), GRID, n_iter=None, cv=2, random_state=0).fit(X, y)
    history = check_history(tuner, 2)
    assert history["n_fits"].max() == 6 * 2


def test_history_of_a_search_stopped_by_max_time():
    grid = {"C": list(np.logspace(-3, 3, 30)), "delay": [0.05]}
    tuner = GridTuner(SleepyClassifier(), grid, cv=2, max_time=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tuner.fit(X, y)
    n = len(tuner.cv_results_["params"])
    assert 0 < n < 30
    history = check_history(tuner, 2)
    np.testing.assert_array_equal(history["n_fits"], 2 * np.arange(1, n + 1))
