"""How a search adds up its work (``Work``).

``work_`` is ``Work.as_dict()``: the same keys, in order. Counted, not timed.
"""

from dataclasses import fields

from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from skhyper import GridTuner
from skhyper._engine._report import Work

from .counting import CountingClassifier, CountingTransformer, reset_counts


def _data():
    return make_classification(n_samples=80, random_state=0)


# -- the names -------------------------------------------------------------------


def test_work_fields_are_the_keys_of_work_in_order():
    X, y = _data()
    tuner = GridTuner(LogisticRegression(), {"C": [0.1, 1]}, cv=3).fit(X, y)
    assert [f.name for f in fields(Work)] == list(tuner.work_)
    assert Work(splits=3).as_dict().keys() == tuner.work_.keys()


# -- work counted across tasks ---------------------------------------------------


def test_the_fits_of_every_task_are_counted_once():
    X, y = _data()
    reset_counts()
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 2.0], "clf__C": [0.1, 1, 10]}
    tuner = GridTuner(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    n_refit = 2  # the best candidate's transformer and classifier
    actual = len(CountingTransformer.fits) + len(CountingClassifier.fits) - n_refit
    reset_counts()
    work = tuner.work_
    assert work["tasks"] >= 3  # at least a task per fold
    assert work["fits"] == actual == 3 * (2 + 6)  # each step once per fold
    assert work["plain_fits"] == 3 * 6 * 2


def test_a_warm_start_path_is_counted_in_its_iterations():
    X, y = _data()
    forest = RandomForestClassifier(max_depth=2, random_state=0)
    grid = {"n_estimators": [3, 5, 8]}
    work = GridTuner(forest, grid, cv=2, n_jobs=1).fit(X, y).work_
    assert work["fits"] == 2  # one forest per fold, grown
    assert work["warm_start_fits"] == 2 * 2
    assert work["iterations"] == 2 * 8
    assert work["plain_iterations"] == 2 * (3 + 5 + 8)
