"""Resumed boosters: XGBoost's and LightGBM's training continuation.

A strategy that keeps models between calls (the halving and Hyperband
tuners, ``keep=<resource>``) continues a survivor's booster with the rounds
the next rung adds (``resume`` of the staged path in ``skhyper._paths``)
instead of fitting it again from zero. For every configuration
``resumable`` accepts, the resumed model predicts bit for bit what a fresh
fit predicts, with the same trees; for each one it refuses because of
sampling, a test shows the difference. The searches give the scores of
fresh fits (``share=False``) and count the continued fits.
"""

import pickle
import warnings

import lightgbm
import numpy as np
import pytest
import xgboost
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification

from skhyper import HalvingRandomTuner, HyperbandTuner
from skhyper._paths import _lightgbm, _xgboost

from .test_staged_thirdparty import TASKS, _assert_predicts_the_same, _data, stable_id

XGB_RESUMABLE = [
    {},
    {"learning_rate": 0.5, "reg_lambda": 10, "min_child_weight": 3},
    {"n_jobs": 2, "max_bin": 32},
    {"tree_method": "approx"},
    {"tree_method": "exact", "gamma": 0.5},
    {"subsample": 1.0, "colsample_bytree": 1, "random_state": 4},
]
XGB_SAMPLING = [
    {"subsample": 0.7},
    {"colsample_bytree": 0.6},
    {"colsample_bylevel": 0.6},
    {"colsample_bynode": 0.6},
]
LGB_RESUMABLE = [
    {},
    {"learning_rate": 0.5, "reg_lambda": 10, "min_child_samples": 10},
    {"n_jobs": 2, "max_bin": 31},
    {"subsample": 0.5},  # no bagging without a bagging frequency
    {"bagging_fraction": 0.5, "bagging_freq": 0},
    {"colsample_bytree": 1.0, "extra_trees": False, "boosting_type": "gbdt"},
]
LGB_NOT_RESUMED = [
    {"subsample": 0.7, "subsample_freq": 1},
    {"bagging_fraction": 0.7, "bagging_freq": 2},
    {"colsample_bytree": 0.6},
    {"feature_fraction": 0.6},
    {"feature_fraction_bynode": 0.6},
    {"extra_trees": True},
    {"data_sample_strategy": "goss"},
    {"boosting_type": "goss"},
    # state carried from round to round: stochastic rounding of quantized
    # gradients (seeded afresh), the coupled penalty (charged once per
    # feature and fit)
    {"use_quantized_grad": True},
    {"cegb_penalty_feature_coupled": [5.0] * 8, "cegb_tradeoff": 1.0},
]


def _xgb(task, **config):
    cls = xgboost.XGBRegressor if task == "regression" else xgboost.XGBClassifier
    return cls(max_depth=3, **config)


def _lgb(task, **config):
    cls = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
    return cls(num_leaves=7, min_child_samples=5, verbose=-1).set_params(**config)


def _resumed_and_fresh(module, estimator, task, start, total, fit_params=None):
    X, X_test, y, y_test = _data(task)
    fit_params = fit_params or {}
    first = clone(estimator).set_params(n_estimators=start).fit(X, y, **fit_params)
    target = clone(estimator).set_params(n_estimators=total)
    resumed = module.resume(target, first, X, y, fit_params)
    fresh = clone(target).fit(X, y, **fit_params)
    return resumed, fresh, X_test, y_test


def _check(module, estimator, task, fit_params=None):
    assert module.resumable(estimator.get_params(deep=False))
    for start, total in [(1, 2), (3, 9), (4, 12), (9, 27)]:
        resumed, fresh, X_test, y_test = _resumed_and_fresh(
            module, estimator, task, start, total, fit_params
        )
        assert type(resumed) is type(fresh)
        assert resumed.get_params()["n_estimators"] == total
        _assert_predicts_the_same(resumed, fresh, X_test, y_test)
        copied = pickle.loads(pickle.dumps(resumed))
        _assert_predicts_the_same(copied, fresh, X_test, y_test)
        yield resumed, fresh, X_test


def _trees(booster):
    """LightGBM's model text without its parameters section."""
    return booster.model_to_string().partition("\nparameters:\n")[0]


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("config", XGB_RESUMABLE, ids=repr)
def test_xgboost_resumed_equals_fresh(task, config):
    for resumed, fresh, _ in _check(_xgboost, _xgb(task, **config), task):
        assert resumed.get_booster().get_dump() == fresh.get_booster().get_dump()
        assert resumed.get_booster().num_boosted_rounds() == fresh.n_estimators


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("config", LGB_RESUMABLE, ids=repr)
def test_lightgbm_resumed_equals_fresh(task, config):
    for resumed, fresh, X_test in _check(_lightgbm, _lgb(task, **config), task):
        assert _trees(resumed.booster_) == _trees(fresh.booster_)
        assert resumed.booster_.params == fresh.booster_.params
        assert resumed.n_iter_ == fresh.n_iter_
        assert_array_equal(
            resumed.predict(X_test, raw_score=True),
            fresh.predict(X_test, raw_score=True),
        )


@pytest.mark.parametrize("module", [_xgboost, _lightgbm], ids=["xgb", "lgb"])
def test_sample_weights_are_resumed_exactly(module):
    make = _xgb if module is _xgboost else _lgb
    weights = np.random.default_rng(0).uniform(0.2, 2, 140)
    list(_check(module, make("multiclass"), "binary", {"sample_weight": weights}))


@pytest.mark.parametrize("config", XGB_SAMPLING, ids=repr)
def test_xgboost_sampling_is_not_resumed(config):
    # Not exact: the resumed rounds draw other rows or columns.
    estimator = _xgb("binary", random_state=0, **config)
    assert _xgboost.condition(estimator.get_params(deep=False))  # staged: yes
    assert not _xgboost.resumable(estimator.get_params(deep=False))
    resumed, fresh, X_test, _ = _resumed_and_fresh(_xgboost, estimator, "binary", 3, 12)
    assert not np.array_equal(
        resumed.predict_proba(X_test), fresh.predict_proba(X_test)
    )


@pytest.mark.parametrize("config", LGB_NOT_RESUMED, ids=repr)
def test_lightgbm_sampling_and_carried_state_are_not_resumed(config):
    estimator = _lgb("binary", random_state=0, **config)
    assert _lightgbm.condition(estimator.get_params(deep=False))
    assert not _lightgbm.resumable(estimator.get_params(deep=False))
    resumed, fresh, X_test, _ = _resumed_and_fresh(
        _lightgbm, estimator, "binary", 3, 12
    )
    assert not np.array_equal(
        resumed.predict_proba(X_test), fresh.predict_proba(X_test)
    )


@pytest.mark.parametrize(
    ("library", "config"),
    [
        ("xgb", {"num_parallel_tree": 3}),
        ("xgb", {"booster": "dart"}),
        ("xgb", {"random_state": np.random.RandomState(0)}),
        ("lgb", {"boosting_type": "rf", "subsample": 0.5, "subsample_freq": 1}),
        ("lgb", {"boosting_type": "dart"}),
        ("lgb", {"linear_tree": True}),
        ("lgb", {"early_stopping_round": 3}),
        ("lgb", {"a_parameter_not_checked": 1}),
    ],
    ids=stable_id,
)
def test_other_configurations_are_not_resumed(library, config):
    module, make = (_xgboost, _xgb) if library == "xgb" else (_lightgbm, _lgb)
    params = make("binary").get_params(deep=False)
    assert not module.resumable({**params, **config})


def test_xgboost_custom_objective_is_not_resumed():
    params = _xgb("binary", objective=lambda y, p: (p - y, np.ones_like(p)))
    assert not _xgboost.resumable(params.get_params(deep=False))


@pytest.mark.parametrize("module", [_xgboost, _lightgbm], ids=["xgb", "lgb"])
def test_resume_declines_fit_parameters_it_cannot_honour(module):
    make = _xgb if module is _xgboost else _lgb
    X, X_test, y, y_test = _data("binary")
    first = make("binary", n_estimators=3).fit(X, y)
    fit_params = (
        {"eval_set": [(X_test, y_test)], "verbose": False}
        if module is _xgboost
        else {"eval_X": (X_test,), "eval_y": (y_test,)}
    )
    target = make("binary", n_estimators=9)
    assert module.resume(target, first, X, y, fit_params) is None
    # and a model with as many rounds or more is not resumed either
    assert module.resume(make("binary", n_estimators=3), first, X, y, {}) is None


# -------------------------------------------------------------------- searches

X, y = make_classification(300, 10, n_informative=5, random_state=0)
GRIDS = {
    "xgb": (
        lambda: xgboost.XGBClassifier(random_state=0, n_jobs=1),
        {"max_depth": [2, 3, 5], "learning_rate": [0.1, 0.3], "reg_lambda": [1, 10]},
    ),
    "lgb": (
        lambda: lightgbm.LGBMClassifier(random_state=0, n_jobs=1, verbose=-1),
        {"num_leaves": [4, 8, 16], "learning_rate": [0.1, 0.3], "reg_lambda": [0, 10]},
    ),
}


def _splits(search):
    r = search.cv_results_
    return np.array([r[f"split{i}_test_score"] for i in range(search.n_splits_)])


@pytest.mark.parametrize("library", sorted(GRIDS))
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_hyperband_resumes_survivors_with_the_scores_of_fresh_fits(library, n_jobs):
    make, grid = GRIDS[library]
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    fresh = HyperbandTuner(make(), grid, share=False, **kw).fit(X, y)
    tuner = HyperbandTuner(make(), grid, n_jobs=n_jobs, **kw)
    if n_jobs == 2:
        from joblib import parallel_backend

        with parallel_backend("threading", n_jobs=2):
            tuner.fit(X, y)
    else:
        tuner.fit(X, y)
    assert tuner.cv_results_["params"] == fresh.cv_results_["params"]
    assert_array_equal(_splits(tuner), _splits(fresh))
    assert tuner.best_params_ == fresh.best_params_
    # every row but those of the first bracket's first rung may be continued
    # (a survivor from its rung before, a first rung's candidate from an
    # earlier bracket's fit of it at a smaller resource), where it is not
    # copied from another bracket's fit of it
    r = tuner.cv_results_
    first = (r["bracket"] == r["bracket"][0]) & (r["iter"] == 0)
    assert tuner.work_["warm_start_fits"] > 0
    assert tuner.work_["warm_start_fits"] <= int(np.sum(~first)) * 3
    assert fresh.work_["warm_start_fits"] == 0
    assert tuner.work_["fits"] + tuner.work_["warm_start_fits"] < fresh.work_["fits"]


@pytest.mark.filterwarnings("ignore:The total space of parameters")
@pytest.mark.parametrize("library", sorted(GRIDS))
def test_halving_resumes_every_survivor(library):
    make, grid = GRIDS[library]
    kw = dict(resource="n_estimators", max_resources=27, factor=3, cv=3, random_state=0)
    fresh = HalvingRandomTuner(make(), grid, share=False, **kw).fit(X, y)
    tuner = HalvingRandomTuner(make(), grid, **kw).fit(X, y)
    assert_array_equal(_splits(tuner), _splits(fresh))
    first = int(np.sum(tuner.cv_results_["iter"] == 0))
    later = len(tuner.cv_results_["iter"]) - first
    # one fit from zero per first-rung candidate and fold; every survivor
    # continued, in every fold
    assert tuner.work_["fits"] == 3 * first
    assert tuner.work_["warm_start_fits"] == 3 * later
    assert tuner.work_["iterations"] < fresh.work_["iterations"]


@pytest.mark.filterwarnings("ignore:The total space of parameters")
def test_sampling_boosters_are_fitted_from_zero_in_a_search():
    estimator = xgboost.XGBClassifier(random_state=0, n_jobs=1, subsample=0.8)
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    grid = {"max_depth": [2, 3, 5], "learning_rate": [0.1, 0.3]}
    fresh = HalvingRandomTuner(estimator, grid, share=False, **kw).fit(X, y)
    tuner = HalvingRandomTuner(estimator, grid, **kw).fit(X, y)
    assert_array_equal(_splits(tuner), _splits(fresh))
    assert tuner.work_["warm_start_fits"] == 0


@pytest.mark.filterwarnings("ignore:The total space of parameters")
@pytest.mark.parametrize("library", sorted(GRIDS))
def test_fit_parameters_a_resume_cannot_honour_fit_plainly(library):
    # No continuation, and no fallback counted or warned about: each rung's
    # candidate is one fit, as it was before boosters were resumed.
    make, grid = GRIDS[library]
    fit_params = (
        {"base_margin": np.zeros(len(y))}
        if library == "xgb"
        else {"init_score": np.zeros(len(y))}
    )
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    fresh = HalvingRandomTuner(make(), grid, share=False, **kw).fit(X, y, **fit_params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", "The total space of parameters")
        tuner = HalvingRandomTuner(make(), grid, **kw).fit(X, y, **fit_params)
    assert_array_equal(_splits(tuner), _splits(fresh))
    assert tuner.work_["warm_start_fits"] == 0
    assert tuner.work_["fallbacks"] == 0
