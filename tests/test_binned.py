"""Histogram gradient boosting bins a fold once per worker (_engine/_binned.py):
the same scores as scikit-learn's search, and binning counted, not timed."""

import pickle
import threading
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV

from skhyper import GridTuner, HalvingGridTuner
from skhyper._engine import _binned

from .utils import assert_cv_results_equal


@pytest.fixture
def binnings(monkeypatch):
    """The number of times training data was binned (``_BinMapper.fit``)
    since the test began; the worker's bins are forgotten first."""
    _binned.CACHE.clear()
    calls = []
    fit = _BinMapper.fit

    def counted(self, *args, **kwargs):
        calls.append(1)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(_BinMapper, "fit", counted)
    yield lambda: len(calls)
    _binned.CACHE.clear()


def _data(n=200):
    X, y = make_classification(n, 8, n_informative=5, random_state=0)
    X[:, 0] = np.round(np.abs(X[:, 0]) * 2)  # a small categorical feature
    return X, y


GRID = {"learning_rate": [0.05, 0.3], "max_leaf_nodes": [5, 15], "max_iter": [3, 8]}


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_each_fold_is_binned_once_and_scores_equal_sklearn(
    binnings, joblib_backend, early_stopping, n_jobs
):
    X, y = _data()
    est = HistGradientBoostingClassifier(
        early_stopping=early_stopping, categorical_features=[0], random_state=0
    )
    with joblib_backend("threading"):
        tuner = GridTuner(est, GRID, cv=3, refit=False, n_jobs=n_jobs).fit(X, y)
    ours = binnings()
    reference = GridSearchCV(est, GRID, cv=3, refit=False).fit(X, y)
    assert binnings() - ours == 8 * 3  # scikit-learn bins in every fit
    assert ours == 3  # one per fold (its training part)
    assert_cv_results_equal(tuner, reference)


def test_weighted_regression_bins_once_and_frees_its_bins(binnings):
    X, y = make_regression(150, 6, random_state=0)
    weights = np.random.RandomState(0).uniform(0.5, 2, len(y))
    est = HistGradientBoostingRegressor(random_state=0)
    grid = {"max_iter": [4, 9], "l2_regularization": [0.0, 1.0]}
    tuner = GridTuner(est, grid, cv=3, refit=False).fit(X, y, sample_weight=weights)
    reference = GridSearchCV(est, grid, cv=3, refit=False)
    reference.fit(X, y, sample_weight=weights)
    assert_cv_results_equal(tuner, reference)
    assert binnings() == 3 + 4 * 3
    # what this process binned is freed when fit returns, as the store is
    assert not _binned.CACHE.items


def test_a_halving_search_bins_each_rung_fold_once(binnings):
    X, y = _data(300)
    est = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    grid = {"learning_rate": [0.03, 0.1, 0.3], "max_leaf_nodes": [5, 15, 31]}
    kw = dict(resource="max_iter", max_resources=9, factor=3, cv=3, refit=False)
    tuner = HalvingGridTuner(est, grid, **kw).fit(X, y)
    reference = HalvingGridSearchCV(est, grid, **kw).fit(X, y)
    assert_cv_results_equal(tuner, reference)
    n_fits = sum(tuner.n_candidates_) * 3
    assert len(tuner.cv_results_["params"]) * 3 == n_fits
    ours = binnings() - n_fits  # the reference's
    assert ours == 3  # resources are iterations: every rung trains on the folds


def test_the_key_is_what_binning_computes_from():
    X, _ = _data()
    mapper = _BinMapper(n_bins=256, random_state=0, n_threads=1)
    key = _binned._key(mapper, X, None)
    threads = _BinMapper(n_bins=256, random_state=0, n_threads=4)
    assert _binned._key(threads, X, None) == key  # how, not what
    other = X.copy()
    other[5, 3] = np.nextafter(other[5, 3], np.inf)
    assert _binned._key(mapper, other, None) != key
    assert _binned._key(mapper, X.astype(np.float32), None) != key
    assert _binned._key(mapper, X, np.ones(len(X))) != key
    assert _binned._key(_BinMapper(n_bins=64, random_state=0), X, None) != key
    assert _binned._key(_BinMapper(n_bins=256, random_state=1), X, None) != key
    categorical = _BinMapper(n_bins=256, is_categorical=np.eye(8, dtype=bool)[0])
    assert _binned._key(categorical, X, None) != _binned._key(
        _BinMapper(n_bins=256), X, None
    )
    assert _binned._key(mapper, X.astype(object), None) is None


class OwnBinning(HistGradientBoostingClassifier):
    def _bin_data(self, *args, **kwargs):
        return super()._bin_data(*args, **kwargs)


def test_what_is_not_hooked_bins_as_always(binnings):
    X, y = _data()
    assert _binned.hooked(HistGradientBoostingClassifier())
    assert not _binned.hooked(OwnBinning())
    assert not _binned.hooked(HistGradientBoostingClassifier(verbose=1))
    grid = {"max_iter": [2, 3], "learning_rate": [0.1, 0.2]}
    GridTuner(OwnBinning(random_state=0), grid, cv=2, refit=False).fit(X, y)
    assert binnings() == 4 * 2
    # share_memory=0 keeps nothing: every fit bins
    est = HistGradientBoostingClassifier(random_state=0)
    GridTuner(est, grid, cv=2, refit=False, share_memory=0).fit(X, y)
    assert binnings() == 4 * 2 * 2


def test_a_fitted_model_carries_no_hook(binnings):
    X, y = _data()
    est = HistGradientBoostingClassifier(random_state=0)
    grid = {"max_iter": [2, 4]}
    tuner = GridTuner(est, grid, cv=2, return_train_score=True).fit(X, y)
    model = tuner.best_estimator_
    assert "_bin_data" not in vars(model)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    with _binned.binned_once(model, 2**20):
        assert "_bin_data" in vars(model)
    assert "_bin_data" not in vars(model)


def test_worker_processes_give_scikit_learns_scores(joblib_backend):
    X, y = _data()
    est = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    grid = {"learning_rate": [0.1, 0.3], "max_iter": [2, 5]}
    with joblib_backend("loky"):
        tuner = GridTuner(est, grid, cv=3, n_jobs=2).fit(X, y)
    reference = GridSearchCV(est, grid, cv=3).fit(X, y)
    assert_cv_results_equal(tuner, reference)


def test_threads_wanting_the_same_bins_bin_them_once(monkeypatch):
    """A thread that asks for bins another thread is computing waits for
    them (CI once saw 4 binnings for 3 folds under two threads)."""
    _binned.CACHE.clear()
    calls, fit = [], _BinMapper.fit

    def slow(self, *args, **kwargs):
        calls.append(1)
        time.sleep(0.3)  # both threads are inside the hook by then
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(_BinMapper, "fit", slow)
    X, y = _data()
    models = [
        HistGradientBoostingClassifier(max_iter=m, random_state=0) for m in (2, 3)
    ]

    def fit_one(model):
        with _binned.binned_once(model, 2**24):
            model.fit(X, y)

    threads = [threading.Thread(target=fit_one, args=(m,)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    for model in models:
        fresh = HistGradientBoostingClassifier(**model.get_params()).fit(X, y)
        np.testing.assert_array_equal(model.predict_proba(X), fresh.predict_proba(X))
    assert not _binned.CACHE.pending
    _binned.CACHE.clear()


def test_a_binning_that_fails_lets_the_next_thread_bin(monkeypatch):
    _binned.CACHE.clear()
    X, y = _data()
    model = HistGradientBoostingClassifier(max_iter=2, random_state=0)
    fit = _BinMapper.fit

    def broken(self, *args, **kwargs):
        raise MemoryError("no room for the bins")

    monkeypatch.setattr(_BinMapper, "fit", broken)
    with pytest.raises(MemoryError), _binned.binned_once(model, 2**24):
        model.fit(X, y)
    assert not _binned.CACHE.pending  # no one waits for it forever
    monkeypatch.setattr(_BinMapper, "fit", fit)
    with _binned.binned_once(model, 2**24):
        model.fit(X, y)
    assert len(_binned.CACHE.items) == 1
    _binned.CACHE.clear()
