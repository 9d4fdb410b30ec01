"""A search on Ray (``ray.util.joblib``) gives the local run's result.

Runs only where ``ray`` is installed (it is not installed in CI). A local Ray
instance with 2 CPUs is started once for the module and shut down at the end.
Ray's joblib backend returns results as a list, not as they finish: the
tuner falls back to that, and the result is the same.
"""

import joblib
import numpy as np
import pytest

ray = pytest.importorskip("ray")

from ray.util.joblib import register_ray  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skhyper import GridTuner  # noqa: E402

from .utils import assert_same_work  # noqa: E402

X, y = load_breast_cancer(return_X_y=True)
X, y = X[::2], y[::2]

GRID = {"pca__n_components": [2, 5], "clf__C": [0.01, 1.0, 100.0]}


@pytest.fixture(scope="module")
def ray_local():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    register_ray()
    try:
        yield
    finally:
        ray.shutdown()


def pipeline():
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA()),
            ("clf", LogisticRegression(solver="newton-cholesky")),
        ]
    )


def assert_identical(ours, theirs):
    """cv_results_ equal key by key, exactly; times aside, params by repr."""
    a, b = ours.cv_results_, theirs.cv_results_
    assert list(a) == list(b)
    for key in b:
        if key.endswith("_time"):
            continue
        if key == "params" or key.startswith("param_"):
            assert [repr(v) for v in a[key]] == [repr(v) for v in b[key]], key
        else:
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key], b[key], err_msg=key, strict=True)
    assert ours.best_index_ == theirs.best_index_


def test_grid_tuner_on_ray_equals_local_and_sklearn(ray_local):
    def make():
        return GridTuner(pipeline(), GRID, cv=3, n_jobs=2)

    with joblib.parallel_config(backend="ray"):
        remote = make().fit(X, y)
    local = make().fit(X, y)
    reference = GridSearchCV(pipeline(), GRID, cv=3).fit(X, y)

    assert_identical(remote, local)
    assert_same_work(remote, local)
    assert_identical(remote, reference)
