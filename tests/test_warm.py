"""Each warm-start registry entry equals fresh fits."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.metrics import make_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner
from skhyper._engine._warm import WARM_PATHS, warm_path_param

from .utils import assert_cv_results_equal

Xc, yc = make_classification(n_samples=150, n_features=6, random_state=0)
Xr, yr = make_regression(n_samples=150, n_features=6, noise=5.0, random_state=0)
auc = make_scorer(roc_auc_score, response_method="decision_function")
y_outlier = (np.arange(150) % 10 != 0).astype(int)  # 0 marks an outlier

CASES = [
    (RandomForestClassifier(random_state=0, max_depth=3), "n_estimators", None),
    (RandomForestRegressor(random_state=0, max_depth=3), "n_estimators", None),
    (RandomForestClassifier(random_state=0, oob_score=True), "n_estimators", None),
    (ExtraTreesClassifier(random_state=0), "n_estimators", None),
    (ExtraTreesRegressor(random_state=0), "n_estimators", None),
    (GradientBoostingClassifier(random_state=0, subsample=0.7), "n_estimators", None),
    (GradientBoostingRegressor(random_state=0, max_features=3), "n_estimators", None),
    (BaggingClassifier(random_state=0), "n_estimators", None),
    (BaggingRegressor(random_state=0, max_features=0.5), "n_estimators", None),
    (IsolationForest(random_state=0), "n_estimators", auc),
    (
        HistGradientBoostingClassifier(random_state=0, early_stopping=False),
        "max_iter",
        None,
    ),
    (
        HistGradientBoostingRegressor(random_state=0, early_stopping=False),
        "max_iter",
        None,
    ),
]


def test_every_registry_entry_is_tested():
    assert {type(est) for est, _, _ in CASES} == set(WARM_PATHS)


@pytest.mark.parametrize(
    "estimator, param, scoring", CASES, ids=[type(c[0]).__name__ for c in CASES]
)
def test_warm_path_equals_fresh_fits(estimator, param, scoring):
    assert warm_path_param(estimator) == param
    X, y = (Xr, yr) if "Regressor" in type(estimator).__name__ else (Xc, yc)
    if isinstance(estimator, IsolationForest):
        y = y_outlier
    grid = {param: [3, 12, 6, 20]}  # unordered on purpose
    tuner = GridTuner(estimator, grid, cv=3, scoring=scoring, return_train_score=True)
    tuner.fit(X, y)
    assert tuner.work_["warm_start_fits"] == 3 * 3
    assert tuner.work_["fits"] == 3
    reference = GridSearchCV(
        estimator, grid, cv=3, scoring=scoring, return_train_score=True
    ).fit(X, y)
    assert_cv_results_equal(tuner, reference)


def test_warm_path_as_pipeline_last_step():
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("gb", GradientBoostingClassifier(random_state=0)),
        ]
    )
    grid = {"gb__n_estimators": [5, 10, 15], "gb__learning_rate": [0.1, 0.3]}
    tuner = GridTuner(pipe, grid, cv=3).fit(Xc, yc)
    assert tuner.work_["warm_start_fits"] == 2 * 2 * 3
    reference = GridSearchCV(pipe, grid, cv=3).fit(Xc, yc)
    assert_cv_results_equal(tuner, reference)


@pytest.mark.parametrize(
    "estimator",
    [
        RandomForestClassifier(),  # random_state None: no exact path
        RandomForestClassifier(random_state=np.random.RandomState(0)),
        RandomForestClassifier(random_state=0, warm_start=True),
        GradientBoostingClassifier(random_state=0, n_iter_no_change=2),
        HistGradientBoostingClassifier(random_state=0),  # early_stopping='auto'
        BaggingClassifier(random_state=0, oob_score=True),
    ],
)
def test_no_path_where_it_would_not_be_exact(estimator):
    assert warm_path_param(estimator) is None


def test_subclass_gets_no_path():
    class MyForest(RandomForestClassifier):
        pass

    assert warm_path_param(MyForest(random_state=0)) is None
