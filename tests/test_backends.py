"""joblib backends other than loky give the same results."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhyper import GridTuner

from .utils import assert_same_work

X, y = load_iris(return_X_y=True)
GRID = {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}


@pytest.mark.parametrize("backend", ["multiprocessing", "threading"])
def test_backend_gives_the_same_result(backend):
    # joblib's multiprocessing backend (like Ray's, derived from it) refuses
    # return_as="generator_unordered"; the tuner falls back to a list.
    with joblib.parallel_config(backend=backend):
        other = GridTuner(SVC(), GRID, cv=3, n_jobs=2).fit(X, y)
    local = GridTuner(SVC(), GRID, cv=3, n_jobs=2).fit(X, y)
    for key in local.cv_results_:
        if not key.endswith("_time") and key != "params":
            np.testing.assert_array_equal(
                other.cv_results_[key], local.cv_results_[key]
            )
    assert_same_work(other, local)
