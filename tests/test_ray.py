"""A search on Ray (``ray.util.joblib``) gives the local run's result.

Runs only where ``ray`` is installed (it is not installed in CI). A local Ray
instance with 2 CPUs is started once for the module and shut down at the end.
Ray's joblib backend returns results as a list, not as they finish: the
tuner falls back to that, and the result is the same.
"""

import pytest

ray = pytest.importorskip("ray")

from ray.util.joblib import register_ray  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skhyper import GridTuner  # noqa: E402

from .utils import assert_cv_results_equal, assert_same_work  # noqa: E402

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


def test_grid_tuner_on_ray_equals_local_and_sklearn(
    ray_local, breast_cancer, joblib_backend
):
    X, y = breast_cancer

    def make():
        return GridTuner(pipeline(), GRID, cv=3, n_jobs=2)

    with joblib_backend("ray"):
        remote = make().fit(X, y)
    local = make().fit(X, y)
    reference = GridSearchCV(pipeline(), GRID, cv=3).fit(X, y)

    assert_cv_results_equal(remote, local)
    assert remote.best_index_ == local.best_index_
    assert_same_work(remote, local)
    assert_cv_results_equal(remote, reference)
    assert remote.best_index_ == reference.best_index_
