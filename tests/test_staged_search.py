"""Searches over the staged paths of third-party estimators equal scikit-learn's.

For XGBoost, LightGBM, CatBoost and skorch (each skipped where it is not
installed): ``GridTuner`` and ``GridSearchCV`` side by side give equal
``cv_results_``, every group of candidates that differ only in the path
parameter is trained once per fold (fits and rounds counted, never timed),
and a configuration the path refuses is fitted afresh, as scikit-learn does.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, HalvingGridTuner

from .utils import assert_cv_results_equal

X, y = make_classification(n_samples=300, n_features=8, random_state=0)
Xi, yi = load_iris(return_X_y=True)
ROUNDS = [5, 10, 20]
DEPTH = {"n_estimators": "max_depth", "iterations": "depth"}  # CatBoost: depth


def _both(estimator, grid, X, y, **kwargs):
    kwargs = dict(cv=3, return_train_score=True, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = GridTuner(estimator, grid, **kwargs).fit(X, y)
        theirs = GridSearchCV(estimator, grid, **kwargs).fit(X, y)
    assert_cv_results_equal(ours, theirs)
    assert ours.best_params_ == theirs.best_params_
    return ours


def _assert_trained_once(work, groups, values, folds=3):
    assert work["fits"] == groups * folds
    assert work["staged_fits"] == groups * folds * (len(values) - 1)
    assert work["iterations"] == groups * folds * max(values)
    assert work["plain_iterations"] == groups * folds * sum(values)


def _boosters():
    out = []
    try:
        from xgboost import XGBClassifier

        out.append(
            pytest.param(
                XGBClassifier(
                    subsample=0.7, colsample_bytree=0.8, n_jobs=1, random_state=0
                ),
                "n_estimators",
                {"booster": "dart"},
                id="xgboost",
            )
        )
    except ImportError:
        pass
    try:
        from lightgbm import LGBMClassifier

        out.append(
            pytest.param(
                LGBMClassifier(
                    bagging_fraction=0.7,
                    bagging_freq=1,
                    feature_fraction=0.8,
                    n_jobs=1,
                    random_state=0,
                    verbose=-1,
                ),
                "n_estimators",
                {"boosting_type": "dart"},
                id="lightgbm",
            )
        )
    except ImportError:
        pass
    try:
        from catboost import CatBoostClassifier

        out.append(
            pytest.param(
                CatBoostClassifier(
                    iterations=10,
                    learning_rate=0.1,
                    random_seed=0,
                    thread_count=1,
                    verbose=False,
                    allow_writing_files=False,
                ),
                "iterations",
                {"model_shrink_rate": 0.1},
                id="catboost",
            )
        )
    except ImportError:
        pass
    return out


BOOSTERS = _boosters()


@pytest.mark.skipif(not BOOSTERS, reason="no boosting library installed")
@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("booster, param, refused", BOOSTERS)
def test_booster_rounds_scored_from_one_run(booster, param, refused, n_jobs):
    grid = {param: ROUNDS, DEPTH[param]: [2, 4]}
    ours = _both(booster, grid, X, y, n_jobs=n_jobs)
    _assert_trained_once(ours.work_, groups=2, values=ROUNDS)


@pytest.mark.skipif(not BOOSTERS, reason="no boosting library installed")
@pytest.mark.parametrize("booster, param, refused", BOOSTERS)
def test_booster_path_refused_is_fitted_afresh(booster, param, refused):
    booster = clone(booster).set_params(**refused)
    ours = _both(booster, {param: ROUNDS}, X, y)
    assert ours.work_["staged_fits"] == 0
    assert ours.work_["fits"] == 3 * len(ROUNDS)


@pytest.mark.skipif(not BOOSTERS, reason="no boosting library installed")
@pytest.mark.parametrize("booster, param, refused", BOOSTERS)
def test_booster_below_a_shared_prefix_multiclass(booster, param, refused):
    pipe = make_pipeline(StandardScaler(), booster)
    name = pipe.steps[-1][0]
    grid = {f"{name}__{param}": [3, 8], f"{name}__{DEPTH[param]}": [2, 3]}
    ours = _both(pipe, grid, Xi, yi, scoring="neg_log_loss")
    assert ours.work_["staged_fits"] == 2 * 3


def test_skorch_epochs_scored_from_one_run():
    pytest.importorskip("skorch")
    import torch
    from skorch import NeuralNetClassifier

    from skhyper.skorch import SeedTorch

    from ._torch_modules import Module

    net = NeuralNetClassifier(
        Module,
        module__n_in=8,
        module__n_out=2,
        criterion=torch.nn.CrossEntropyLoss,
        callbacks=[SeedTorch(0)],
        batch_size=32,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    Xf, yf = X.astype(np.float32), y.astype(np.int64)
    epochs = [2, 4, 7]
    ours = _both(net, {"max_epochs": epochs, "lr": [0.05, 0.1]}, Xf, yf)
    _assert_trained_once(ours.work_, groups=2, values=epochs)
    # without SeedTorch, a fit's repeatability cannot be seen: fitted afresh
    unseeded = net.set_params(callbacks=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.manual_seed(0)
        alone = GridTuner(unseeded, {"max_epochs": epochs}, cv=3).fit(Xf, yf)
    assert alone.work_["staged_fits"] == 0


def test_halving_over_rounds_equals_scikit_learn():
    pytest.importorskip("lightgbm")
    from lightgbm import LGBMClassifier
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    est = LGBMClassifier(n_jobs=1, random_state=0, verbose=-1)
    grid = {"num_leaves": [3, 7, 15], "learning_rate": [0.05, 0.2]}
    kwargs = dict(
        resource="n_estimators", max_resources=40, min_resources=5, cv=3, factor=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = HalvingGridTuner(est, grid, **kwargs).fit(X, y)
        theirs = HalvingGridSearchCV(est, grid, **kwargs).fit(X, y)
    assert_cv_results_equal(ours, theirs)


def test_fit_params_a_path_cannot_honour_give_fresh_fits_counted():
    xgboost = pytest.importorskip("xgboost")
    est = xgboost.XGBClassifier(n_jobs=1, random_state=0)
    fit_params = {"eval_set": [(X[:50], y[:50])], "verbose": False}
    ours = _both(est, {"n_estimators": ROUNDS}, X, y, **{})  # staged without
    assert ours.work_["staged_fits"] == 6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = GridTuner(est, {"n_estimators": ROUNDS}, cv=3).fit(X, y, **fit_params)
        theirs = GridSearchCV(est, {"n_estimators": ROUNDS}, cv=3).fit(
            X, y, **fit_params
        )
    assert_cv_results_equal(ours, theirs)
    assert ours.work_["staged_fits"] == 0 and ours.work_["fits"] == 9
    assert ours.work_["iterations"] == ours.work_["plain_iterations"]


def test_catboost_parameters_not_set_are_searched_as_in_gridsearchcv():
    catboost = pytest.importorskip("catboost")
    est = catboost.CatBoostClassifier(
        learning_rate=0.1,
        random_seed=0,
        thread_count=1,
        verbose=False,
        allow_writing_files=False,
    )
    ours = _both(est, {"iterations": [3, 6], "depth": [2, 3]}, X, y)
    assert ours.work_["staged_fits"] == 2 * 3


@pytest.mark.skipif(not BOOSTERS, reason="no boosting library installed")
@pytest.mark.parametrize("booster, param, refused", BOOSTERS)
def test_check_staged_path_passes_on_every_booster(booster, param, refused):
    from skhyper.extend import check_staged_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_staged_path(clone(booster), param, [2, 5, 9], X, y)
