"""Resumed networks: scikit-learn's MLPs continued by the epochs a rung adds.

A strategy that keeps models between calls (the halving and Hyperband
tuners with ``resource="max_iter"``) continues a survivor's network
(``mlp_resume`` in ``skhyper._paths._sklearn``) instead of training it again
from zero. For every configuration ``mlp_resumable`` accepts, the resumed
network is bit for bit the network a fresh fit gives: weights, loss curve,
optimizer state, RNG, predictions. It is resumed from a fresh fit with fewer
epochs and from a staged run's snapshot (which has not finished its last
epoch's bookkeeping). The searches give the scores of fresh fits
(``share=False``) and count the continued fits.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

from skhyper import HalvingRandomTuner, HyperbandTuner
from skhyper._paths._sklearn import mlp_resumable, mlp_resume, mlp_stages

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

Xd, yd = load_digits(return_X_y=True)
Xd = Xd[:600] / 16.0
yd = yd[:600]
Xr, yr = make_regression(400, 12, noise=5.0, random_state=0)
Xr = StandardScaler().fit_transform(Xr)
yr = yr / 100.0

CONFIGS = [
    {},
    {"solver": "sgd"},
    {"solver": "sgd", "learning_rate": "invscaling", "power_t": 0.3},
    {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False},
    {"shuffle": False},
    {"batch_size": 64, "alpha": 1.0, "activation": "tanh"},
    {"hidden_layer_sizes": (12, 7), "beta_1": 0.8, "learning_rate_init": 0.01},
]
# a fit that stops on its own test: before the kept network's epochs end,
# or after
STOPPING = {"tol": 0.05, "n_iter_no_change": 2}
ADAPTIVE = {
    "solver": "sgd",
    "learning_rate": "adaptive",
    "learning_rate_init": 0.2,
    "tol": 0.01,
    "n_iter_no_change": 1,
}
STEPS = [(1, 3), (3, 9), (4, 20)]


def _mlp(task, **config):
    cls = MLPRegressor if task == "regression" else MLPClassifier
    return cls(hidden_layer_sizes=(10,), random_state=3).set_params(**config)


def _data(task):
    return (Xr, yr) if task == "regression" else (Xd, yd)


def _assert_same_network(got, fresh, X):
    for a, b in zip(got.coefs_ + got.intercepts_, fresh.coefs_ + fresh.intercepts_):
        assert_array_equal(a, b)
    assert got.n_iter_ == fresh.n_iter_
    assert got.t_ == fresh.t_
    assert got.loss_curve_ == fresh.loss_curve_
    assert got.best_loss_ == fresh.best_loss_
    assert got._no_improvement_count == fresh._no_improvement_count
    assert got._optimizer.learning_rate == fresh._optimizer.learning_rate
    assert got.get_params() == fresh.get_params()
    state, fresh_state = got._random_state.get_state(), fresh._random_state.get_state()
    assert_array_equal(state[1], fresh_state[1])
    assert state[2:] == fresh_state[2:]
    assert set(vars(got)) == set(vars(fresh))  # no hook left on the instance
    assert_array_equal(got.predict(X), fresh.predict(X))
    # and it goes on as the fresh network does
    assert_array_equal(
        pickle.loads(pickle.dumps(got)).predict(X[:50]), fresh.predict(X[:50])
    )


def _check(estimator, X, y, start, total, fit_params=None):
    fit_params = fit_params or {}
    fresh = clone(estimator).set_params(max_iter=total).fit(X, y, **fit_params)
    kept = clone(estimator).set_params(max_iter=start).fit(X, y, **fit_params)
    # a staged run's snapshot at ``start``, taken before its last epoch's end
    snapshot = dict(mlp_stages(clone(estimator), [start, total + 1], X, y, fit_params))[
        start
    ]
    for model in (kept, snapshot):
        target = clone(estimator).set_params(max_iter=total)
        got = mlp_resume(target, copy.deepcopy(model), X, y, fit_params)
        assert got is not None
        _assert_same_network(got, fresh, X)
    return fresh


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("config", CONFIGS, ids=repr)
@pytest.mark.parametrize("start, total", STEPS)
def test_resumed_network_equals_fresh(task, config, start, total):
    estimator = _mlp(task, **config)
    assert mlp_resumable(estimator.get_params())
    X, y = _data(task)
    fresh = _check(estimator, X, y, start, total)
    assert fresh.n_iter_ == total  # no stop: every epoch continued


def _inputs(kind):
    if kind == "multilabel":
        from sklearn.datasets import make_multilabel_classification

        return make_multilabel_classification(300, 10, random_state=0)
    X = {
        "float32": Xd.astype(np.float32),
        "sparse": sp.csr_matrix(Xd),
        "list": Xd.tolist(),
    }[kind]
    return X, yd


@pytest.mark.parametrize("kind", ["float32", "sparse", "list", "multilabel"])
def test_other_inputs_are_resumed_exactly(kind):
    X, y = _inputs(kind)
    fresh = clone(_mlp("classification")).set_params(max_iter=9).fit(X, y)
    kept = clone(_mlp("classification")).set_params(max_iter=3).fit(X, y)
    target = clone(_mlp("classification")).set_params(max_iter=9)
    got = mlp_resume(target, kept, X, y, {})
    dense = np.asarray(X.toarray() if sp.issparse(X) else X)
    _assert_same_network(got, fresh, dense.astype(fresh.coefs_[0].dtype))


@pytest.mark.parametrize("start, total", [(2, 12), (6, 12)])
def test_a_network_that_stops_on_its_test_is_resumed_exactly(start, total):
    estimator = _mlp("classification", **STOPPING)
    fresh = _check(estimator, Xd, yd, start, total)
    assert fresh.n_iter_ < total  # the test stopped it (at 4 epochs)


@pytest.mark.parametrize("start", [10, 20, 21, 22, 25])
def test_the_adaptive_learning_rate_is_carried_over(start):
    estimator = _mlp("classification", **ADAPTIVE)
    fresh = _check(estimator, Xd, yd, start, 30)
    # the rate is lowered several times, at epochs on either side of start
    assert fresh._optimizer.learning_rate < ADAPTIVE["learning_rate_init"] / 25


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.7"),
    reason="MLP sample weights came in scikit-learn 1.7",
)
def test_sample_weights_are_resumed_exactly():
    weights = np.random.RandomState(0).uniform(0.2, 2.0, len(yd))
    _check(_mlp("classification"), Xd, yd, 3, 9, {"sample_weight": weights})


def test_the_convergence_warning_names_the_full_epochs():
    estimator = _mlp("classification")
    kept = clone(estimator).set_params(max_iter=2).fit(Xd, yd)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mlp_resume(clone(estimator).set_params(max_iter=7), kept, Xd, yd, {})
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert messages == [
        "Stochastic Optimizer: Maximum iterations (7) reached and the "
        "optimization hasn't converged yet."
    ]


@pytest.mark.parametrize(
    "config",
    [
        {"early_stopping": True},  # a kept network holds its best weights
        {"random_state": None},
        {"random_state": np.random.RandomState(0)},
        {"solver": "lbfgs"},
        {"warm_start": True},
    ],
    ids=["early_stopping", "random_state None", "RandomState", "lbfgs", "warm_start"],
)
def test_other_configurations_are_not_resumed(config):
    assert not mlp_resumable(_mlp("classification", **config).get_params())


def test_early_stopping_would_not_resume_exactly():
    # Why it is refused: the kept network's weights are its best epoch's,
    # not its last, so training on from them is another network.
    estimator = _mlp("classification", early_stopping=True, n_iter_no_change=50)
    fresh = clone(estimator).set_params(max_iter=9).fit(Xd, yd)
    kept = clone(estimator).set_params(max_iter=3).fit(Xd, yd)
    kept.set_params(warm_start=True, max_iter=6).fit(Xd, yd)
    assert not np.array_equal(kept.coefs_[0], fresh.coefs_[0])


def test_resume_declines_what_it_cannot_continue():
    estimator = _mlp("classification")
    kept = clone(estimator).set_params(max_iter=3).fit(Xd, yd)
    target = clone(estimator).set_params(max_iter=9)
    # fit parameters other than sample weights
    assert mlp_resume(target, copy.deepcopy(kept), Xd, yd, {"other": 1}) is None
    # as many epochs or more
    assert mlp_resume(clone(target).set_params(max_iter=3), kept, Xd, yd, {}) is None
    # other data: its shuffles do not bring the RNG where the network's is
    assert mlp_resume(target, copy.deepcopy(kept), Xd[:500], yd[:500], {}) is None
    # another seed than the one it was fitted with
    other = copy.deepcopy(kept).set_params(random_state=4)
    assert mlp_resume(target, other, Xd, yd, {}) is None


# -------------------------------------------------------------------- searches

PIPELINE = make_pipeline(
    StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
)
SPACE = {
    "mlpclassifier__alpha": [1e-4, 1e-2, 1.0],
    "mlpclassifier__learning_rate_init": [1e-3, 1e-2, 3e-2],
}


def _splits(search):
    r = search.cv_results_
    return np.array([r[f"split{i}_test_score"] for i in range(search.n_splits_)])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_hyperband_continues_networks_with_the_scores_of_fresh_fits(n_jobs):
    kw = dict(
        resource="mlpclassifier__max_iter",
        max_resources=9,
        cv=StratifiedKFold(3),
        random_state=0,
        n_jobs=n_jobs,
    )
    fresh = HyperbandTuner(PIPELINE, SPACE, share=False, **kw).fit(Xd, yd)
    tuner = HyperbandTuner(PIPELINE, SPACE, **kw).fit(Xd, yd)
    assert tuner.cv_results_["params"] == fresh.cv_results_["params"]
    assert_array_equal(_splits(tuner), _splits(fresh))
    assert tuner.best_params_ == fresh.best_params_
    r = tuner.cv_results_
    first = (r["bracket"] == r["bracket"][0]) & (r["iter"] == 0)
    assert 0 < tuner.work_["warm_start_fits"] <= int(np.sum(~first)) * 3
    assert tuner.work_["iterations"] < tuner.work_["plain_iterations"]
    assert tuner.work_["fallbacks"] == 0


@pytest.mark.filterwarnings("ignore:The total space of parameters")
def test_halving_continues_every_surviving_network():
    mlp = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)  # (no scaler to count)
    space = {name.split("__")[1]: values for name, values in SPACE.items()}
    kw = dict(resource="max_iter", max_resources=27, cv=StratifiedKFold(3))
    fresh = HalvingRandomTuner(mlp, space, share=False, random_state=0, **kw)
    fresh.fit(Xd, yd)
    tuner = HalvingRandomTuner(mlp, space, random_state=0, **kw).fit(Xd, yd)
    assert_array_equal(_splits(tuner), _splits(fresh))
    first = int(np.sum(tuner.cv_results_["iter"] == 0))
    later = len(tuner.cv_results_["iter"]) - first
    assert tuner.work_["fits"] == 3 * first
    assert tuner.work_["warm_start_fits"] == 3 * later
