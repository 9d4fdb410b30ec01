"""A search on a Dask cluster gives the local run's result.

Runs only where ``distributed`` is installed (``pip install ".[test,dask]"``,
as ``.ci/run`` does). A ``LocalCluster`` of two worker processes on loopback
is started once for the module, reached through its scheduler address as an
existing cluster would be, and closed at the end.

"Identical" means: ``cv_results_`` equal key by key and exactly (same keys in
the same order, same dtypes, same splits so same scores to the last bit,
same ranks; parameters compared by ``repr``), the ``*_time`` keys aside, and
``work_`` equal. The local run and scikit-learn's search are the references.
"""

import joblib
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from scipy.stats import loguniform, randint  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from skhyper import GridTuner, RandomTuner  # noqa: E402

from .utils import assert_same_work  # noqa: E402

X, y = load_breast_cancer(return_X_y=True)
X, y = X[::2], y[::2]  # 285 samples: enough to tell candidates apart, fast


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        # Connect by address, as to a scheduler started elsewhere.
        with distributed.Client(cluster.scheduler_address) as client:
            client.wait_for_workers(2, timeout=60)
            yield client


def on_dask(client, make_tuner):
    """Fit ``make_tuner()`` under the dask backend; check it ran on the workers."""
    tuner = make_tuner()
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            tuner.fit(X, y)
    workers = {task["worker"] for task in stream.data}
    assert workers, "no task ran on the Dask cluster"
    assert workers <= set(client.scheduler_info()["workers"])
    return tuner


def assert_identical(ours, theirs):
    """cv_results_ equal key by key, exactly; times aside, params by repr."""
    a, b = ours.cv_results_, theirs.cv_results_
    assert list(a) == list(b)
    for key in b:
        assert type(a[key]) is type(b[key]), key
        if key.endswith("_time"):
            assert a[key].shape == b[key].shape, key
        elif key == "params":
            assert [repr(p) for p in a[key]] == [repr(p) for p in b[key]]
        elif key.startswith("param_"):
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(
                np.ma.getmaskarray(a[key]), np.ma.getmaskarray(b[key]), err_msg=key
            )
            assert [repr(v) for v in a[key].data] == [repr(v) for v in b[key].data]
        else:
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key], b[key], err_msg=key, strict=True)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == theirs.best_score_
    assert repr(ours.best_params_) == repr(theirs.best_params_)


def pipeline():
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA()),
            # newton-cholesky: lbfgs emits a scipy DeprecationWarning with
            # scikit-learn 1.6 and recent scipy, which the test config makes
            # an error.
            ("clf", LogisticRegression(solver="newton-cholesky")),
        ]
    )


GRID = {"pca__n_components": [2, 5, 10], "clf__C": [0.01, 1.0, 100.0]}


def test_grid_tuner_on_dask_equals_local_and_sklearn(client):
    def make():
        return GridTuner(pipeline(), GRID, cv=3, n_jobs=-1)

    remote = on_dask(client, make)
    local = make().fit(X, y)
    reference = GridSearchCV(pipeline(), GRID, cv=3).fit(X, y)

    assert_identical(remote, local)
    assert_same_work(remote, local)
    assert_identical(remote, reference)
    np.testing.assert_array_equal(remote.predict(X), reference.predict(X))


def test_random_tuner_on_dask_equals_local_and_sklearn(client):
    space = {
        "scale": [StandardScaler(), "passthrough"],
        "pca__n_components": randint(2, 12),
        "clf": [SVC()],
        "clf__C": loguniform(1e-2, 1e2),
        "clf__gamma": loguniform(1e-4, 1e-1),
    }

    def make(cls=RandomTuner, **kwargs):
        return cls(pipeline(), space, n_iter=8, cv=3, random_state=0, **kwargs)

    remote = on_dask(client, lambda: make(n_jobs=2))
    local = make(n_jobs=2).fit(X, y)
    reference = make(RandomizedSearchCV).fit(X, y)

    assert_identical(remote, local)
    assert_same_work(remote, local)
    assert_identical(remote, reference)
    np.testing.assert_array_equal(remote.predict(X), reference.predict(X))
