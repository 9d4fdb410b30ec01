"""joblib backends other than loky give the same results."""

import pytest
from sklearn.svm import SVC

from skhyper import GridTuner

from .utils import assert_cv_results_equal, assert_same_work

GRID = {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}


@pytest.mark.parametrize("backend", ["multiprocessing", "threading"])
def test_backend_gives_the_same_result(backend, iris, joblib_backend):
    X, y = iris
    # joblib's multiprocessing backend (like Ray's, derived from it) refuses
    # return_as="generator_unordered"; the tuner falls back to a list.
    with joblib_backend(backend):
        other = GridTuner(SVC(), GRID, cv=3, n_jobs=2).fit(X, y)
    local = GridTuner(SVC(), GRID, cv=3, n_jobs=2).fit(X, y)
    assert_cv_results_equal(other, local)
    assert_same_work(other, local)
