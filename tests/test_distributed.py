"""A search on a Dask cluster gives the local run's result.

Runs only where ``distributed`` is installed (``pip install ".[test,dask]"``,
as ``.ci/run`` does). A ``LocalCluster`` of two worker processes on loopback
is started once for the module, reached through its scheduler address as an
existing cluster would be, and closed at the end.

"Identical" means: ``cv_results_`` equal key by key and exactly (same keys in
the same order, same dtypes, same splits so same scores to the last bit,
same ranks and parameters), the ``*_time`` keys aside, the same best_*
attributes and predictions, and ``work_`` equal. The local run and
scikit-learn's search are the references.
"""

import warnings

import joblib
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from scipy.stats import loguniform, randint  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from skhyper import GridTuner, RandomTuner  # noqa: E402

from .utils import assert_same_work, assert_search_equal  # noqa: E402


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


def on_dask(client, make_tuner, X, y):
    """Fit ``make_tuner()`` under the dask backend; check it ran on the workers."""
    tuner = make_tuner()
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            tuner.fit(X, y)
    workers = {task["worker"] for task in stream.data}
    assert workers, "no task ran on the Dask cluster"
    assert workers <= set(client.scheduler_info()["workers"])
    return tuner


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


def test_grid_tuner_on_dask_equals_local_and_sklearn(client, breast_cancer):
    X, y = breast_cancer

    def make():
        return GridTuner(pipeline(), GRID, cv=3, n_jobs=-1)

    remote = on_dask(client, make, X, y)
    local = make().fit(X, y)
    reference = GridSearchCV(pipeline(), GRID, cv=3).fit(X, y)

    # The refit ran in another process with its own BLAS threads: its
    # predictions may differ in the last bit, so delegated outputs are not
    # compared (presence is); every score of cv_results_ is, exactly.
    assert_search_equal(remote, local)
    assert_same_work(remote, local)
    assert_search_equal(remote, reference)


def test_random_tuner_on_dask_equals_local_and_sklearn(client, breast_cancer):
    X, y = breast_cancer
    space = {
        "scale": [StandardScaler(), "passthrough"],
        "pca__n_components": randint(2, 12),
        "clf": [SVC()],
        "clf__C": loguniform(1e-2, 1e2),
        "clf__gamma": loguniform(1e-4, 1e-1),
    }

    def make(cls=RandomTuner, **kwargs):
        return cls(pipeline(), space, n_iter=8, cv=3, random_state=0, **kwargs)

    remote = on_dask(client, lambda: make(n_jobs=2), X, y)
    local = make(n_jobs=2).fit(X, y)
    reference = make(RandomizedSearchCV).fit(X, y)

    # The refit ran in another process with its own BLAS threads: its
    # predictions may differ in the last bit, so delegated outputs are not
    # compared (presence is); every score of cv_results_ is, exactly.
    assert_search_equal(remote, local)
    assert_same_work(remote, local)
    assert_search_equal(remote, reference)


def _setenv(values):
    import os

    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_a_dask_worker_killed_mid_fit_is_retried(client, tmp_path, monkeypatch):
    # Last in this module: it kills a worker of the shared cluster (its
    # nanny starts a new one). Dask runs the lost task again on a worker;
    # the search equals scikit-learn's, and the checkpoint holds every fit.
    import os
    import sqlite3

    from sklearn.datasets import load_iris

    from .counting import LoggingClassifier

    X, y = load_iris(return_X_y=True)
    died = tmp_path / "died"
    env = {"SKHYPER_PARENT_PID": str(os.getpid()), "SKHYPER_DIE_ONCE": str(died)}
    monkeypatch.setenv("SKHYPER_PARENT_PID", env["SKHYPER_PARENT_PID"])
    client.run(_setenv, env)
    grid = {"C": [0.1, 13, 1.0]}  # C=13 kills the worker fitting it, once
    path = tmp_path / "search.db"
    try:
        with joblib.parallel_config(backend="dask"):
            tuner = GridTuner(LoggingClassifier(), grid, cv=2, n_jobs=-1)
            tuner.set_params(checkpoint=path).fit(X, y)
    finally:
        client.run(_setenv, dict.fromkeys(env))
    assert died.exists()
    reference = GridSearchCV(LoggingClassifier(), grid, cv=2).fit(X, y)
    assert_search_equal(tuner, reference)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone() == (6,)
    db.close()
    client.wait_for_workers(2, timeout=60)


def test_a_task_that_always_kills_its_dask_worker_does_not_end_the_search(
    client, tmp_path, monkeypatch
):
    # Dask gives up on it (or joblib's Dask backend drops its future): the
    # search retries it as for a lost loky worker and goes on. (Where only
    # one Dask worker is left, joblib runs a call in this process: the fit
    # may then succeed here.) A death is never journaled.
    import os
    import sqlite3

    from sklearn.datasets import load_iris

    from .counting import LoggingClassifier

    X, y = load_iris(return_X_y=True)
    monkeypatch.setenv("SKHYPER_PARENT_PID", str(os.getpid()))
    client.run(_setenv, {"SKHYPER_PARENT_PID": str(os.getpid())})
    grid = {"C": [0.1, 666]}  # C=666 kills any process but this one
    path = tmp_path / "search.db"
    try:
        with joblib.parallel_config(backend="dask"), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # FitFailedWarning
            tuner = GridTuner(LoggingClassifier(), grid, cv=2, n_jobs=-1)
            tuner.set_params(checkpoint=path).fit(X, y)
    finally:
        client.run(_setenv, {"SKHYPER_PARENT_PID": None})
    reference = GridSearchCV(LoggingClassifier(), {"C": [0.1]}, cv=2).fit(X, y)
    ours = tuner.cv_results_
    assert ours["split0_test_score"][0] == reference.cv_results_["split0_test_score"]
    failed = sum(np.isnan(ours[f"split{i}_test_score"][1]) for i in range(2))
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    db.close()
    assert rows == 4 - failed
    client.wait_for_workers(2, timeout=60)
