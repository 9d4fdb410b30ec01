"""Never the same work twice: each mechanism proven by counting fits, and
results equal to scikit-learn's search for each mechanism alone and combined."""

import numpy as np
import pytest
from scipy.stats import randint
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, RandomTuner

from .counting import CountingClassifier, CountingTransformer, reset_counts

X, y = make_classification(n_samples=120, n_features=8, random_state=0)


def assert_same_results(ours, theirs):
    a, b = ours.cv_results_, theirs.cv_results_
    assert list(a) == list(b)
    for key in a:
        if key.endswith("_time") or key == "params":
            continue
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        assert a[key].dtype == b[key].dtype, key
    assert [repr(p) for p in a["params"]] == [repr(p) for p in b["params"]]
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_.keys() == theirs.best_params_.keys()
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def counted(tuner, **fit_params):
    reset_counts()
    tuner.fit(X, y, **fit_params)
    return (
        [p for p in CountingTransformer.fits],
        [p for p in CountingClassifier.fits],
    )


def test_duplicate_candidates_fitted_once_per_fold():
    space = {"C": randint(1, 4)}  # 3 distinct values, 12 draws
    tuner = RandomTuner(CountingClassifier(), space, n_iter=12, cv=3, random_state=0)
    _, fits = counted(tuner)
    distinct = {p["C"] for p in tuner.cv_results_["params"]}
    assert len(distinct) < 12
    assert len(fits) == len(distinct) * 3 + 1  # + the refit
    assert tuner.work_["distinct_candidates"] == len(distinct)
    assert tuner.work_["plain_fits"] == 12 * 3
    assert tuner.work_["fits"] == len(distinct) * 3
    reference = RandomizedSearchCV(
        CountingClassifier(), space, n_iter=12, cv=3, random_state=0
    ).fit(X, y)
    assert_same_results(tuner, reference)


def test_equal_by_value_not_by_id():
    grid = {
        "clf": [CountingClassifier(C=2.0), CountingClassifier(C=2.0)],
        "scale__factor": [np.float64(1.0), np.float64(1.0), 2.0],
    }
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    tuner = GridTuner(pipe, grid, cv=2)
    transformer_fits, clf_fits = counted(tuner)
    # factor 1.0 and 2.0: two distinct transformer fits per fold.
    assert len(transformer_fits) == 2 * 2 + 1
    assert len(clf_fits) == 2 * 2 + 1
    assert len(tuner.cv_results_["params"]) == 6
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=2).fit(X, y))


def test_pipeline_prefix_fitted_once_per_fold():
    pipe = Pipeline(
        [
            ("scale", CountingTransformer()),
            ("reduce", PCA(random_state=0)),
            ("clf", CountingClassifier()),
        ]
    )
    grid = {
        "scale__factor": [1.0, 3.0],
        "reduce__n_components": [2, 4],
        "clf__C": [0.1, 1.0, 10.0],
    }
    tuner = GridTuner(pipe, grid, cv=3)
    transformer_fits, clf_fits = counted(tuner)
    assert len(transformer_fits) == 2 * 3 + 1  # one per factor and fold
    assert len(clf_fits) == 12 * 3 + 1
    plain = 12 * 3 * 3
    assert tuner.work_["plain_fits"] == plain
    assert tuner.work_["fits"] == (2 + 4 + 12) * 3
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y))


@pytest.mark.parametrize("return_train_score", [False, True])
def test_swapped_steps_and_passthrough(return_train_score):
    pipe = Pipeline(
        [
            ("scale", CountingTransformer()),
            ("reduce", PCA(2)),
            ("clf", CountingClassifier()),
        ]
    )
    grid = [
        {"reduce": [PCA(3), SelectKBest(k=3), "passthrough"], "clf__C": [0.1, 1.0]},
        {"scale": ["passthrough"], "reduce__n_components": [2, 5]},
    ]
    tuner = GridTuner(pipe, grid, cv=3, return_train_score=return_train_score)
    transformer_fits, clf_fits = counted(tuner)
    assert len(transformer_fits) == 1 * 3 + 1  # candidates with 'scale' share it
    assert len(clf_fits) == 8 * 3 + 1
    reference = GridSearchCV(pipe, grid, cv=3, return_train_score=return_train_score)
    assert_same_results(tuner, reference.fit(X, y))


def test_fit_params_reach_the_right_steps():
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0]}
    weights = np.linspace(0.5, 2.0, len(y))
    tuner = GridTuner(pipe, grid, cv=3)
    counted(tuner, clf__sample_weight=weights)
    reference = GridSearchCV(pipe, grid, cv=3).fit(X, y, clf__sample_weight=weights)
    assert_same_results(tuner, reference)


def test_opt_out_is_the_plain_search():
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 1.0, 2.0], "clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=3, share=False)
    transformer_fits, clf_fits = counted(tuner)
    assert len(transformer_fits) == len(clf_fits) == 6 * 3 + 1
    assert tuner.work_["fits"] == tuner.work_["plain_fits"] == 6 * 3 * 2
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y))


def test_memory_limit_recomputes_instead_of_failing():
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0, 10.0]}
    tuner = GridTuner(pipe, grid, cv=3, share_memory=0)
    transformer_fits, _ = counted(tuner)
    assert len(transformer_fits) == 3 * 3 + 1  # nothing held, so recomputed
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y))


def test_all_mechanisms_combined():
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("reduce", PCA(random_state=0)),
            ("forest", RandomForestClassifier(random_state=0)),
        ]
    )
    space = {
        "reduce__n_components": [2, 4],
        "forest__n_estimators": [5, 10, 20],
        "forest__max_depth": [None, 3],
    }
    tuner = RandomTuner(pipe, space, n_iter=10, cv=3, random_state=1, n_jobs=2)
    tuner.fit(X, y)
    reference = RandomizedSearchCV(pipe, space, n_iter=10, cv=3, random_state=1)
    assert_same_results(tuner, reference.fit(X, y))
    work = tuner.work_
    assert work["warm_start_fits"] > 0
    assert work["fits"] + work["warm_start_fits"] < work["plain_fits"]


def test_threading_backend_counts():
    from joblib import parallel_config

    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 2.0], "clf__C": [0.1, 1.0, 10.0]}
    with parallel_config(backend="threading"):
        tuner = GridTuner(pipe, grid, cv=3, n_jobs=2)
        transformer_fits, clf_fits = counted(tuner)
    assert len(transformer_fits) == 2 * 3 + 1
    assert len(clf_fits) == 6 * 3 + 1
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y))


@pytest.mark.parametrize(
    "step",
    [
        FeatureUnion([("pca", PCA(2)), ("kbest", SelectKBest(k=2))]),
        ColumnTransformer([("scale", StandardScaler(), [0, 1, 2])], remainder="drop"),
        Pipeline([("scale", StandardScaler()), ("pca", PCA(3))]),
    ],
    ids=["feature_union", "column_transformer", "nested_pipeline"],
)
def test_composite_steps_equal_sklearn(step):
    pipe = Pipeline([("features", step), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0, 10.0]}
    tuner = GridTuner(pipe, grid, cv=3)
    counted(tuner)
    assert tuner.work_["fits"] == 3 + 3 * 3  # the composite step once per fold
    assert_same_results(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y))


def test_custom_callable_scorer_sees_the_pipeline():
    seen = []

    def scorer(estimator, X_test, y_test):
        seen.append(type(estimator).__name__)
        return float(np.mean(estimator.predict(X_test) == y_test))

    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=2, scoring=scorer).fit(X, y)
    assert set(seen) == {"Pipeline"}
    reference = GridSearchCV(pipe, grid, cv=2, scoring=scorer).fit(X, y)
    assert_same_results(tuner, reference)
