"""Never the same work twice: each mechanism proven by counting fits, and
results equal to scikit-learn's search for each mechanism alone and combined."""

from collections import Counter

import numpy as np
import pytest
from scipy.stats import randint
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, RandomTuner

from .counting import CountingClassifier, CountingTransformer, reset_counts
from .utils import assert_search_equal


def counted(tuner, X, y, **fit_params):
    reset_counts()
    tuner.fit(X, y, **fit_params)
    return (
        [p for p in CountingTransformer.fits],
        [p for p in CountingClassifier.fits],
    )


def test_duplicate_candidates_fitted_once_per_fold(classification):
    X, y = classification
    space = {"C": randint(1, 4)}  # 3 distinct values, 12 draws
    tuner = RandomTuner(CountingClassifier(), space, n_iter=12, cv=3, random_state=0)
    _, fits = counted(tuner, X, y)
    distinct = {p["C"] for p in tuner.cv_results_["params"]}
    assert len(distinct) < 12
    assert len(fits) == len(distinct) * 3 + 1  # + the refit
    assert tuner.work_["distinct_candidates"] == len(distinct)
    assert tuner.work_["plain_fits"] == 12 * 3
    assert tuner.work_["fits"] == len(distinct) * 3
    reference = RandomizedSearchCV(
        CountingClassifier(), space, n_iter=12, cv=3, random_state=0
    ).fit(X, y)
    assert_search_equal(tuner, reference, X, y)


def test_equal_by_value_not_by_id(classification):
    X, y = classification
    grid = {
        "clf": [CountingClassifier(C=2.0), CountingClassifier(C=2.0)],
        "scale__factor": [np.float64(1.0), np.float64(1.0), 2.0],
    }
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    tuner = GridTuner(pipe, grid, cv=2)
    transformer_fits, clf_fits = counted(tuner, X, y)
    # factor 1.0 and 2.0: two distinct transformer fits per fold.
    assert len(transformer_fits) == 2 * 2 + 1
    assert len(clf_fits) == 2 * 2 + 1
    assert len(tuner.cv_results_["params"]) == 6
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=2).fit(X, y), X, y)


def test_pipeline_prefix_fitted_once_per_fold(classification):
    X, y = classification
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
    transformer_fits, clf_fits = counted(tuner, X, y)
    assert len(transformer_fits) == 2 * 3 + 1  # one per factor and fold
    assert len(clf_fits) == 12 * 3 + 1
    plain = 12 * 3 * 3
    assert tuner.work_["plain_fits"] == plain
    assert tuner.work_["fits"] == (2 + 4 + 12) * 3
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)


@pytest.mark.parametrize("return_train_score", [False, True])
def test_swapped_steps_and_passthrough(classification, return_train_score):
    X, y = classification
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
    transformer_fits, clf_fits = counted(tuner, X, y)
    assert len(transformer_fits) == 1 * 3 + 1  # candidates with 'scale' share it
    assert len(clf_fits) == 8 * 3 + 1
    reference = GridSearchCV(pipe, grid, cv=3, return_train_score=return_train_score)
    assert_search_equal(tuner, reference.fit(X, y), X, y)


def test_fit_params_reach_the_right_steps(classification):
    X, y = classification
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0]}
    weights = np.linspace(0.5, 2.0, len(y))
    tuner = GridTuner(pipe, grid, cv=3)
    counted(tuner, X, y, clf__sample_weight=weights)
    reference = GridSearchCV(pipe, grid, cv=3).fit(X, y, clf__sample_weight=weights)
    assert_search_equal(tuner, reference, X, y)


def test_opt_out_is_the_plain_search(classification):
    X, y = classification
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 1.0, 2.0], "clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=3, share=False)
    transformer_fits, clf_fits = counted(tuner, X, y)
    assert len(transformer_fits) == len(clf_fits) == 6 * 3 + 1
    assert tuner.work_["fits"] == tuner.work_["plain_fits"] == 6 * 3 * 2
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)


def test_memory_limit_recomputes_instead_of_failing(classification):
    X, y = classification
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0, 10.0]}
    tuner = GridTuner(pipe, grid, cv=3, share_memory=0)
    transformer_fits, _ = counted(tuner, X, y)
    assert len(transformer_fits) == 3 * 3 + 1  # nothing held, so recomputed
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)


def test_all_mechanisms_combined(classification):
    X, y = classification
    features = FeatureUnion([("pca", PCA(random_state=0)), ("kbest", SelectKBest())])
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("features", features),
            ("forest", RandomForestClassifier(random_state=0)),
        ]
    )
    space = {
        "features__pca__n_components": randint(2, 4),
        "features__kbest__k": [2, 3],
        "forest__n_estimators": [5, 10, 20],
        "forest__max_depth": [None, 3],
    }
    # 30 draws from 24 configurations: duplicates, shared scaler and
    # branches, warm-start paths over n_estimators
    tuner = RandomTuner(pipe, space, n_iter=30, cv=3, random_state=1, n_jobs=2)
    tuner.fit(X, y)
    reference = RandomizedSearchCV(pipe, space, n_iter=30, cv=3, random_state=1)
    assert_search_equal(tuner, reference.fit(X, y), X, y)
    work = tuner.work_
    assert work["distinct_candidates"] < work["candidates"] == 30
    assert work["warm_start_fits"] > 0
    # per fold, at most: 1 scaler, 2 PCA, 2 SelectKBest, and a forest fit per
    # (union, depth) path: 4 x 2
    assert work["fits"] <= 3 * (1 + 2 + 2 + 8)
    assert work["plain_fits"] == 30 * 3 * 4


def test_threading_backend_counts(classification, joblib_backend):
    X, y = classification
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 2.0], "clf__C": [0.1, 1.0, 10.0]}
    with joblib_backend("threading"):
        tuner = GridTuner(pipe, grid, cv=3, n_jobs=2)
        transformer_fits, clf_fits = counted(tuner, X, y)
    assert len(transformer_fits) == 2 * 3 + 1
    assert len(clf_fits) == 6 * 3 + 1
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)


@pytest.mark.parametrize(
    "step, fits",
    [
        (FeatureUnion([("pca", PCA(2)), ("kbest", SelectKBest(k=2))]), 2),
        (ColumnTransformer([("pca", PCA(2), [0, 1, 2])]), 1),
        (Pipeline([("scale", StandardScaler()), ("pca", PCA(3))]), 2),
    ],
    ids=["feature_union", "column_transformer", "nested_pipeline"],
)
def test_composite_steps_equal_sklearn(classification, step, fits):
    X, y = classification
    pipe = Pipeline([("features", step), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0, 10.0]}
    tuner = GridTuner(pipe, grid, cv=3)
    counted(tuner, X, y)
    # each branch of the composite once per fold, the classifier per candidate
    assert tuner.work_["fits"] == fits * 3 + 3 * 3
    assert tuner.work_["plain_fits"] == (fits + 1) * 3 * 3
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)


def assert_transformer_fits(pipe, grid, expected, X, y):
    """Fit counts by factor equal ``expected``; results equal GridSearchCV's."""
    tuner = GridTuner(pipe, grid, cv=3, refit=False)
    transformer_fits, clf_fits = counted(tuner, X, y)
    assert Counter(p["factor"] for p in transformer_fits) == expected
    reference = GridSearchCV(pipe, grid, cv=3, refit=False).fit(X, y)
    assert_search_equal(tuner, reference)
    return tuner, clf_fits


def test_feature_union_branches_shared(classification):
    X, y = classification
    union = FeatureUnion(
        [("a", CountingTransformer(1.0)), ("b", CountingTransformer(2.0))]
    )
    pipe = Pipeline([("union", union), ("clf", CountingClassifier())])
    grid = {"union__b__factor": [2.0, 3.0, 4.0], "clf__C": [0.1, 1.0]}
    # 'a' is the same in every union: once per fold, not once per union
    tuner, clf_fits = assert_transformer_fits(
        pipe, grid, {1.0: 3, 2.0: 3, 3.0: 3, 4.0: 3}, X, y
    )
    assert len(clf_fits) == 6 * 3
    assert tuner.work_["fits"] == 12 + 18
    assert tuner.work_["plain_fits"] == 6 * 3 * 3


def test_column_transformer_branches_shared(classification):
    X, y = classification
    columns = ColumnTransformer(
        [("a", CountingTransformer(1.0), [0, 1]), ("b", CountingTransformer(), [2])],
        remainder=CountingTransformer(5.0),
    )
    pipe = Pipeline([("columns", columns), ("clf", CountingClassifier())])
    grid = {"columns__b__factor": [2.0, 3.0], "clf__C": [0.1, 1.0]}
    assert_transformer_fits(pipe, grid, {1.0: 3, 5.0: 3, 2.0: 3, 3.0: 3}, X, y)


def test_equal_branches_on_equal_columns_shared_across_names(classification):
    X, y = classification
    columns = ColumnTransformer(
        [("a", StandardScaler(), [0, 1]), ("b", PCA(1), [0, 1])],
    )
    pipe = Pipeline([("columns", columns), ("clf", CountingClassifier())])
    grid = {"columns__b": [PCA(1), StandardScaler()], "clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=3).fit(X, y)
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)
    # per fold: one scaler on columns [0, 1], for 'a' and 'b' in every union
    # (the process keeps it for the fold's next task), and one PCA
    assert tuner.work_["fits"] == 3 * 2 + 4 * 3


def test_nested_pipeline_steps_shared(classification):
    X, y = classification
    inner = Pipeline(
        [("first", CountingTransformer(1.0)), ("second", CountingTransformer(2.0))]
    )
    pipe = Pipeline([("prep", inner), ("clf", CountingClassifier())])
    grid = {"prep__second__factor": [2.0, 3.0], "clf__C": [0.1, 1.0]}
    assert_transformer_fits(pipe, grid, {1.0: 3, 2.0: 3, 3.0: 3}, X, y)


def test_nested_pipeline_as_final_step_shared(classification):
    X, y = classification
    model = Pipeline(
        [("scale", CountingTransformer(1.0)), ("clf", CountingClassifier())]
    )
    pipe = Pipeline([("first", CountingTransformer(3.0)), ("model", model)])
    grid = {"model__scale__factor": [1.0, 2.0], "model__clf__C": [0.1, 1.0, 10.0]}
    _, clf_fits = assert_transformer_fits(pipe, grid, {3.0: 3, 1.0: 3, 2.0: 3}, X, y)
    assert len(clf_fits) == 6 * 3


def test_composite_that_cannot_be_opened_counts_its_fits(
    classification, joblib_backend
):
    X, y = classification
    inner = FeatureUnion([("b", CountingTransformer(2.0))], n_jobs=2)
    union = FeatureUnion([("a", CountingTransformer(1.0)), ("inner", inner)])
    pipe = Pipeline([("union", union), ("clf", CountingClassifier())])
    grid = {"union__a__factor": [1.0, 3.0], "clf__C": [0.1, 1.0]}
    # the union with n_jobs is not opened: fitted whole, once per fold
    with joblib_backend("threading"):  # its fits counted here
        tuner, _ = assert_transformer_fits(pipe, grid, {1.0: 3, 3.0: 3, 2.0: 3}, X, y)
    assert tuner.work_["fits"] == 3 * (2 + 1 + 4)
    assert tuner.work_["plain_fits"] == 4 * 3 * 3


def test_composite_swapped_by_the_grid(classification):
    X, y = classification
    a, b, c = (CountingTransformer(f) for f in (1.0, 2.0, 3.0))
    grid = {
        "union": [
            FeatureUnion([("a", a), ("b", b)]),
            FeatureUnion([("a", a), ("c", c)]),
            FeatureUnion([("x", a), ("y", FeatureUnion([("z", b)]))]),
        ],
        "clf__C": [0.1, 1.0],
    }
    pipe = Pipeline([("union", "passthrough"), ("clf", CountingClassifier())])
    # names do not matter, nor nesting: a branch is its input and parameters
    assert_transformer_fits(pipe, grid, {1.0: 3, 2.0: 3, 3.0: 3}, X, y)


def test_composites_nested_with_pandas_output(classification):
    pd = pytest.importorskip("pandas")
    X, y = classification
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    numeric = Pipeline([("scale", StandardScaler()), ("pca", PCA(2))])
    columns = ColumnTransformer(
        [
            ("num", numeric, ["f0", "f1", "f2", "f3"]),
            (
                "union",
                FeatureUnion([("k", SelectKBest(k=2)), ("p", PCA(1))]),
                ["f4", "f5", "f6"],
            ),
        ],
        remainder="passthrough",
        verbose_feature_names_out=True,
    ).set_output(transform="pandas")
    pipe = Pipeline([("columns", columns), ("clf", LogisticRegression())])
    grid = {
        "columns__num__pca__n_components": [1, 2],
        "columns__union__k__k": [1, 2],
        "columns__remainder": ["passthrough", "drop", StandardScaler()],
        "clf__C": [0.1, 1.0],
    }
    tuner = GridTuner(pipe, grid, cv=3, return_train_score=True).fit(frame, y)
    reference = GridSearchCV(pipe, grid, cv=3, return_train_score=True)
    assert_search_equal(tuner, reference.fit(frame, y), frame, y)
    assert tuner.work_["fits"] < tuner.work_["plain_fits"] / 2


def test_composite_with_n_jobs_fitted_whole(classification):
    X, y = classification
    union = FeatureUnion([("a", StandardScaler()), ("b", PCA(2))], n_jobs=2)
    pipe = Pipeline([("union", union), ("clf", CountingClassifier())])
    grid = {"union__b__n_components": [1, 2], "clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=3).fit(X, y)
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(X, y), X, y)
    assert tuner.work_["fits"] == 2 * 2 * 3 + 4 * 3  # each union whole


@pytest.mark.parametrize("share_memory", [0, 2**30])
def test_branches_with_custom_scorer_and_memory_bounds(classification, share_memory):
    X, y = classification

    def scorer(estimator, X_test, y_test):
        return float(np.mean(estimator.predict(X_test) == y_test))

    union = FeatureUnion([("a", PCA(2)), ("b", SelectKBest(k=2))])
    pipe = Pipeline([("union", union), ("clf", LogisticRegression())])
    grid = {"union__b__k": [1, 2, 3], "clf__C": [0.1, 1.0]}
    tuner = GridTuner(
        pipe,
        grid,
        cv=3,
        scoring=scorer,
        share_memory=share_memory,
        return_train_score=True,
    ).fit(X, y)
    reference = GridSearchCV(pipe, grid, cv=3, scoring=scorer, return_train_score=True)
    assert_search_equal(tuner, reference.fit(X, y), X, y)


def test_custom_callable_scorer_sees_the_pipeline(classification):
    X, y = classification
    seen = []

    def scorer(estimator, X_test, y_test):
        seen.append(type(estimator).__name__)
        return float(np.mean(estimator.predict(X_test) == y_test))

    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0]}
    tuner = GridTuner(pipe, grid, cv=2, scoring=scorer).fit(X, y)
    assert set(seen) == {"Pipeline"}
    reference = GridSearchCV(pipe, grid, cv=2, scoring=scorer).fit(X, y)
    assert_search_equal(tuner, reference, X, y)


# Regressions found in review: each equals GridSearchCV.


def test_step_writing_into_its_input_does_not_corrupt_shared_outputs(classification):
    X, y = classification
    inner = Pipeline([("pca", PCA(3)), ("scale", StandardScaler(copy=False))])
    grid = {"scale__with_mean": [True, False], "scale__with_std": [True, False]}
    for pipe, prefix in [
        (Pipeline([("pre", inner), ("clf", LogisticRegression())]), "pre__"),
        (Pipeline(inner.steps + [("clf", LogisticRegression())]), ""),
    ]:
        space = {prefix + key: values for key, values in grid.items()}
        kw = dict(cv=3, scoring="neg_log_loss")
        tuner = GridTuner(pipe, space, **kw).fit(X, y)
        assert_search_equal(tuner, GridSearchCV(pipe, space, **kw).fit(X, y), X, y)


def test_estimators_writing_into_read_only_input_get_a_copy(classification):
    from sklearn.cluster import KMeans

    X, y = classification

    kmeans = KMeans(n_init=1, random_state=0, copy_x=False)
    pipe = Pipeline([("scale", StandardScaler(copy=False)), ("km", kmeans)])
    pipe = Pipeline(pipe.steps + [("clf", LogisticRegression())])
    grid = {"km__n_clusters": [2, 3], "clf__C": [0.1, 1.0]}

    def scorer(estimator, X_test, y_test):  # the assembled pipeline path
        return float(np.mean(estimator.predict(X_test) == y_test))

    # (no train scores: scikit-learn computes them on the training data that
    # the copy=False steps overwrote during the fit; see docs/parity.md)
    # Each fit gets its own copy of X: the refit writes into its input.
    for scoring in (None, scorer):
        tuner = GridTuner(pipe, grid, cv=3, scoring=scoring).fit(X.copy(), y)
        reference = GridSearchCV(pipe, grid, cv=3, scoring=scoring)
        assert_search_equal(tuner, reference.fit(X.copy(), y), X, y)
    grid = {"n_clusters": [2, 3]}
    tuner = GridTuner(kmeans, grid, cv=3).fit(X.copy(), y)
    reference = GridSearchCV(kmeans, grid, cv=3).fit(X.copy(), y)
    assert_search_equal(tuner, reference, X, y)


def test_column_specs_without_hash_are_keyed_by_value(classification):
    pd = pytest.importorskip("pandas")
    X, y = classification
    frame = pd.DataFrame(X[:, :6], columns=list("abcdef"))
    model = Pipeline(
        [("columns", ColumnTransformer([])), ("clf", LogisticRegression())]
    )
    pipe = Pipeline(
        [("scale", StandardScaler().set_output(transform="pandas")), ("model", model)]
    )
    grid = {
        "model__columns__transformers": [
            [("pca", PCA(1), pd.Index(list(columns), dtype=object))]
            for columns in ["ab", "cd", "ef", "abc", "def", "ace", "ab"]
        ]
        + [[("pca", PCA(1), slice(0, 2))], [("pca", PCA(1), slice(2, 4))]],
        "model__clf__C": [0.1, 1.0],
    }
    tuner = GridTuner(pipe, grid, cv=3).fit(frame, y)
    assert_search_equal(tuner, GridSearchCV(pipe, grid, cv=3).fit(frame, y), frame, y)
    assert tuner.work_["distinct_candidates"] == 16  # the two "ab" merged


def test_custom_scorer_sees_what_scikit_learn_fits(classification):
    from sklearn.base import clone

    X, y = classification

    union = FeatureUnion([("pca", PCA(2)), ("kbest", SelectKBest(k=2))])
    pipe = Pipeline([("union", union), ("clf", LogisticRegression())])
    grid = {"union__pca__n_components": [1, 2], "clf__C": [0.1, 1.0]}

    def by_params(est, X, y):
        return est.score(X, y) + est.get_params()["union__pca__n_components"]

    def by_type(est, X, y):
        return float(isinstance(est.named_steps["union"].transformer_list[0][1], PCA))

    def by_refit(est, X, y):
        return clone(est).fit(X, y).score(X, y)

    for scorer in (by_params, by_type, by_refit):
        tuner = GridTuner(pipe, grid, cv=2, scoring=scorer).fit(X, y)
        reference = GridSearchCV(pipe, grid, cv=2, scoring=scorer).fit(X, y)
        assert_search_equal(tuner, reference, X, y)


def test_failing_transform_of_the_test_fold_is_a_scoring_failure():
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import OneHotEncoder

    frame = pd.DataFrame(
        {"c": ["a"] * 29 + ["rare"] + ["b"] * 30, "n": np.arange(60.0)}
    )
    target = np.array([0, 1] * 30)
    columns = ColumnTransformer(
        [("onehot", OneHotEncoder(), ["c"]), ("n", StandardScaler(), ["n"])]
    )
    pipe = Pipeline([("columns", columns), ("clf", LogisticRegression())])
    grid = {"clf__C": [0.1, 1.0]}
    kw = dict(cv=KFold(3), return_train_score=True, refit=False)
    with pytest.warns(UserWarning, match="Scoring failed"):
        tuner = GridTuner(pipe, grid, **kw).fit(frame, target)
    reference = GridSearchCV(pipe, grid, **kw).fit(frame, target)
    assert_search_equal(tuner, reference)
    with pytest.raises(ValueError, match="unknown categor"):
        GridTuner(pipe, grid, cv=KFold(3), error_score="raise").fit(frame, target)


def test_passthrough_branch_is_not_counted(classification):
    X, y = classification
    union = FeatureUnion([("a", CountingTransformer(1.0)), ("keep", "passthrough")])
    pipe = Pipeline([("union", union), ("clf", CountingClassifier())])
    grid = {"union__a__factor": [1.0, 2.0], "clf__C": [0.1, 1.0]}
    tuner, clf_fits = assert_transformer_fits(pipe, grid, {1.0: 3, 2.0: 3}, X, y)
    assert tuner.work_["fits"] == 6 + len(clf_fits) == 6 + 12
    assert tuner.work_["plain_fits"] == 4 * 3 * 2


def test_what_a_process_keeps_is_freed_after_fit(classification, joblib_backend):
    from skhyper._engine import _store

    X, y = classification

    pipe = Pipeline([("scale", StandardScaler()), ("clf", CountingClassifier())])
    grid = {"clf__C": [0.1, 1.0]}
    for n_jobs in (1, 2):
        with joblib_backend("threading"):
            GridTuner(pipe, grid, cv=3, n_jobs=n_jobs).fit(X, y)
        assert _store._STORE == {"plan": None}
