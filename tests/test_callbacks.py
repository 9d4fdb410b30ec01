"""scikit-learn's callback API (>= 1.9) on the tuners; a clear error before."""

from collections import Counter

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skhyper import GridTuner, RandomTuner
from skhyper._compat import HAS_CALLBACKS

GRID = {"C": [0.1, 1.0, 10.0]}


class Recorder:
    """A FitCallback that records (task name, event) pairs."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context):
        self.events.append(("end", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))


@pytest.mark.skipif(not HAS_CALLBACKS, reason="sklearn.callback needs 1.9")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_callback_events_match_gridsearchcv(classification, n_jobs):
    X, y = classification
    ours, theirs = Recorder(), Recorder()
    GridTuner(LogisticRegression(), GRID, cv=3, n_jobs=n_jobs).set_callbacks(ours).fit(
        X, y
    )
    GridSearchCV(LogisticRegression(), GRID, cv=3, n_jobs=1).set_callbacks(theirs).fit(
        X, y
    )
    assert Counter(ours.events) == Counter(theirs.events)
    assert ours.events[0] == ("setup", "fit") and ours.events[-1][0] == "teardown"
    assert Counter(ours.events)[("end", "candidate-split-evaluation")] == 9


@pytest.mark.skipif(not HAS_CALLBACKS, reason="sklearn.callback needs 1.9")
def test_progress_bar_runs(classification):
    X, y = classification
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    tuner = RandomTuner(LogisticRegression(), GRID, n_iter=2, cv=2, random_state=0)
    tuner.set_callbacks(ProgressBar()).fit(X, y)
    assert len(tuner.cv_results_["params"]) == 2


@pytest.mark.skipif(HAS_CALLBACKS, reason="callbacks exist from scikit-learn 1.9")
def test_set_callbacks_needs_sklearn_19():
    with pytest.raises(NotImplementedError, match="scikit-learn >= 1.9"):
        GridTuner(LogisticRegression(), GRID).set_callbacks(Recorder())
