"""Fixtures shared by the test files, defined once.

Data fixtures hand each test its own copy of the arrays, so a test (or a
tuner) that writes into its input cannot change what the next test sees.
The plain functions beside them make the same data for code that is not a
test, such as the scripts that tests run in a child process.
"""

import functools

import joblib
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    make_classification,
)


@functools.cache
def _classification_data(n_samples, n_features):
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, random_state=0
    )
    X.flags.writeable = y.flags.writeable = False  # copies are handed out
    return X, y


def classification_data():
    """120 samples, 8 features, 2 classes: the data of most tests."""
    X, y = _classification_data(120, 8)
    return X.copy(), y.copy()


def tiny_classification_data():
    """30 samples, 4 features, 2 classes: for input rejected before any fit
    (so that ``cv=31`` or ``KFold(50)`` is more splits than samples)."""
    X, y = _classification_data(30, 4)
    return X.copy(), y.copy()


def breast_cancer_data():
    """Every other sample of breast cancer (285): candidates differ, fast."""
    X, y = load_breast_cancer(return_X_y=True)
    return X[::2].copy(), y[::2].copy()


def diabetes_data():
    """Every third sample of diabetes (148): a small regression problem."""
    X, y = load_diabetes(return_X_y=True)
    return X[::3].copy(), y[::3].copy()


@pytest.fixture
def classification():
    """``(X, y)`` of :func:`classification_data`."""
    return classification_data()


@pytest.fixture
def tiny_classification():
    """``(X, y)`` of :func:`tiny_classification_data`."""
    return tiny_classification_data()


@pytest.fixture
def iris():
    """``(X, y)`` of the iris data set (150 samples, 3 classes)."""
    return load_iris(return_X_y=True)


@pytest.fixture
def breast_cancer():
    """``(X, y)`` of :func:`breast_cancer_data`."""
    return breast_cancer_data()


@pytest.fixture
def joblib_backend():
    """``joblib_backend(name, **kwargs)``: a context in which joblib runs with
    the backend ``name`` (``joblib.parallel_config(backend=name, ...)``)."""

    def backend(name, **kwargs):
        return joblib.parallel_config(backend=name, **kwargs)

    return backend


@pytest.fixture(autouse=True, scope="session")
def one_thread_per_test_process():
    """BLAS and OpenMP use one thread in the test process.

    The data are tiny, and on a 2-core machine that other processes load, the
    threads of OpenMP (histogram gradient boosting, k-means) wait for each
    other: a 0.2 s test took 20 s. joblib's workers already get one thread
    each. Results do not depend on it: the references run alike.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _end_loky_workers():
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True, kill_workers=True)


@pytest.fixture
def worker_env(monkeypatch):
    """``worker_env(NAME=value, ...)``: environment variables that the worker
    processes of the test's searches read (tests/counting.py's switches).

    A loky worker has the environment of the moment it was started, and joblib
    reuses its workers across calls: a worker an earlier test started would
    not see a variable set now (so a test that asks a worker to die saw none
    die under pytest-xdist, where test order differs). The workers are ended
    when the variables are set and again after the test, so that no later test
    meets a worker holding them.
    """

    def setenv(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, str(value))
        _end_loky_workers()

    yield setenv
    _end_loky_workers()
