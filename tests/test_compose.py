"""The tuners inside scikit-learn's machinery: cross-validation of a tuner,
pipelines, cloning, pickling, parameters, tags, HTML repr, nesting, joblib
backends and metadata routing; each compared with the scikit-learn search.
"""

import pickle

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer, r2_score
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    RandomizedSearchCV,
    cross_val_predict,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils import get_tags

from skhyper import GridTuner, RandomTuner

from .conftest import diabetes_data
from .utils import (
    assert_cv_results_equal,
    assert_params_equal,
    assert_search_equal,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_DIAB, Y_DIAB = diabetes_data()


def logreg(**kwargs):
    # newton-cholesky: lbfgs emits a scipy DeprecationWarning with
    # scikit-learn 1.6 and recent scipy, which the test config makes an error.
    return LogisticRegression(solver="newton-cholesky", **kwargs)


def grid_args():
    return (SVC(), {"C": [0.1, 1.0, 10.0], "gamma": [0.1, 1.0]}), {"cv": 3}


def random_args():
    return (SVC(), {"C": loguniform(1e-2, 1e2), "gamma": [0.1, 1.0]}), {
        "cv": 3,
        "n_iter": 3,
        "random_state": 0,
    }


# (tuner class, scikit-learn class, factory of (args, kwargs))
PAIRS = [
    pytest.param(GridTuner, GridSearchCV, grid_args, id="grid"),
    pytest.param(RandomTuner, RandomizedSearchCV, random_args, id="random"),
]


def make_both(tuner_cls, search_cls, factory, **extra):
    """The tuner and the scikit-learn search with the same (fresh) arguments."""
    args_o, kwargs_o = factory()
    args_t, kwargs_t = factory()
    return (
        tuner_cls(*args_o, **kwargs_o, **extra),
        search_cls(*args_t, **kwargs_t, **extra),
    )


# --- model selection utilities around a tuner ------------------------------


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_cross_val_score(tuner_cls, search_cls, factory):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    np.testing.assert_array_equal(
        cross_val_score(ours, X_IRIS, Y_IRIS, cv=3),
        cross_val_score(theirs, X_IRIS, Y_IRIS, cv=3),
        strict=True,
    )


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_cross_validate_return_estimator(tuner_cls, search_cls, factory):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    kwargs = dict(cv=3, return_estimator=True, return_train_score=True)
    res_ours = cross_validate(ours, X_IRIS, Y_IRIS, **kwargs)
    res_theirs = cross_validate(theirs, X_IRIS, Y_IRIS, **kwargs)
    assert list(res_ours) == list(res_theirs)
    for key in ("test_score", "train_score"):
        np.testing.assert_array_equal(res_ours[key], res_theirs[key], strict=True)
    assert len(res_ours["estimator"]) == 3
    for est_ours, est_theirs in zip(res_ours["estimator"], res_theirs["estimator"]):
        assert type(est_ours) is tuner_cls
        assert_search_equal(est_ours, est_theirs, X_IRIS, Y_IRIS)


def test_cross_val_predict_proba():
    ours = GridTuner(logreg(), {"C": [0.1, 1.0]}, cv=3)
    theirs = GridSearchCV(logreg(), {"C": [0.1, 1.0]}, cv=3)
    kwargs = dict(cv=3, method="predict_proba")
    np.testing.assert_array_equal(
        cross_val_predict(ours, X_IRIS, Y_IRIS, **kwargs),
        cross_val_predict(theirs, X_IRIS, Y_IRIS, **kwargs),
        strict=True,
    )


# --- in a pipeline ----------------------------------------------------------


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_tuner_as_last_pipeline_step(tuner_cls, search_cls, factory):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    pipe_ours = Pipeline([("scale", StandardScaler()), ("search", ours)])
    pipe_theirs = Pipeline([("scale", StandardScaler()), ("search", theirs)])
    pipe_ours.fit(X_IRIS, Y_IRIS)
    pipe_theirs.fit(X_IRIS, Y_IRIS)
    assert pipe_ours.score(X_IRIS, Y_IRIS) == pipe_theirs.score(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(
        pipe_ours.predict(X_IRIS), pipe_theirs.predict(X_IRIS), strict=True
    )
    Xt = pipe_theirs[:-1].transform(X_IRIS)
    assert_search_equal(pipe_ours[-1], pipe_theirs[-1], Xt, Y_IRIS)


def test_tuner_as_middle_pipeline_step():
    """A tuner of a transformer, followed by a classifier."""
    grid = {"n_components": [1, 2, 3]}
    pipe_ours = Pipeline(
        [("search", GridTuner(PCA(), grid, cv=3)), ("clf", logreg())]
    ).fit(X_IRIS, Y_IRIS)
    pipe_theirs = Pipeline(
        [("search", GridSearchCV(PCA(), grid, cv=3)), ("clf", logreg())]
    ).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(
        pipe_ours.predict_proba(X_IRIS), pipe_theirs.predict_proba(X_IRIS), strict=True
    )
    assert_search_equal(pipe_ours[0], pipe_theirs[0], X_IRIS)


# --- nested -----------------------------------------------------------------


@pytest.mark.parametrize(
    "outer_cls,inner_cls",
    [(GridTuner, GridTuner), (GridTuner, GridSearchCV), (GridSearchCV, GridTuner)],
    ids=["tuner-in-tuner", "search-in-tuner", "tuner-in-search"],
)
def test_nested(outer_cls, inner_cls):
    def make(outer, inner):
        return outer(
            inner(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=2),
            {"estimator__gamma": [0.1, 1.0], "cv": [2, 3]},
            cv=3,
        )

    ours = make(outer_cls, inner_cls).fit(X_IRIS, Y_IRIS)
    theirs = make(GridSearchCV, GridSearchCV).fit(X_IRIS, Y_IRIS)
    assert_cv_results_equal(ours, theirs)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == theirs.best_score_
    assert ours.best_params_ == theirs.best_params_
    assert type(ours.best_estimator_) is inner_cls
    assert_search_equal(ours.best_estimator_, theirs.best_estimator_, X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(
        ours.predict(X_IRIS), theirs.predict(X_IRIS), strict=True
    )


def test_nested_tuner_in_tuner_equals_search_in_search():
    def make(cls):
        return cls(
            cls(logreg(), {"C": [0.1, 1.0]}, cv=2),
            {"estimator__fit_intercept": [True, False]},
            cv=3,
        )

    ours = make(GridTuner).fit(X_IRIS, Y_IRIS)
    theirs = make(GridSearchCV).fit(X_IRIS, Y_IRIS)
    # params hold no estimators here, so cv_results_ compare fully
    assert_cv_results_equal(ours.cv_results_, theirs.cv_results_)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == theirs.best_score_
    assert_params_equal(ours.best_params_, theirs.best_params_)
    assert_search_equal(ours.best_estimator_, theirs.best_estimator_, X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(
        ours.predict_proba(X_IRIS), theirs.predict_proba(X_IRIS), strict=True
    )


# --- clone, pickle, params ----------------------------------------------------


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_clone_gives_equal_params(tuner_cls, search_cls, factory):
    ours, _ = make_both(tuner_cls, search_cls, factory)
    cloned = clone(ours)
    assert type(cloned) is tuner_cls
    assert cloned is not ours
    assert_params_equal(cloned.get_params(deep=True), ours.get_params(deep=True))


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_clone_of_fitted_is_unfitted(tuner_cls, search_cls, factory):
    ours, _ = make_both(tuner_cls, search_cls, factory)
    ours.fit(X_IRIS, Y_IRIS)
    cloned = clone(ours)
    assert not hasattr(cloned, "cv_results_")
    assert not hasattr(cloned, "best_estimator_")
    assert_params_equal(cloned.get_params(deep=False), ours.get_params(deep=False))


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_pickle_round_trip(tuner_cls, search_cls, factory):
    ours, _ = make_both(tuner_cls, search_cls, factory)
    ours.fit(X_IRIS, Y_IRIS)
    loaded = pickle.loads(pickle.dumps(ours))
    assert type(loaded) is tuner_cls
    np.testing.assert_array_equal(
        loaded.predict(X_IRIS), ours.predict(X_IRIS), strict=True
    )
    assert_search_equal(loaded, ours, X_IRIS, Y_IRIS)


# Constructor parameters the tuners add on top of scikit-learn's. The promise
# is "same constructor", so this is empty: a deliberate extension must be
# named here (and its default must leave the results unchanged).
TUNER_ONLY_PARAMS = frozenset({"share", "share_memory", "max_time", "checkpoint"})


def _without_tuner_only(params):
    extra = set(params) - TUNER_ONLY_PARAMS
    return {key: value for key, value in params.items() if key in extra}


@pytest.mark.parametrize("deep", [True, False], ids=["deep", "shallow"])
@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_get_params_equal_sklearn(tuner_cls, search_cls, factory, deep):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    assert_params_equal(
        _without_tuner_only(ours.get_params(deep=deep)), theirs.get_params(deep=deep)
    )


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_default_params_equal_sklearn(tuner_cls, search_cls, factory):
    """Only the required arguments: every default is scikit-learn's."""
    ours = tuner_cls(SVC(), {"C": [1.0]})
    theirs = search_cls(SVC(), {"C": [1.0]})
    assert_params_equal(
        _without_tuner_only(ours.get_params(deep=True)), theirs.get_params(deep=True)
    )


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_set_params_nested(tuner_cls, search_cls, factory):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    assert ours.set_params(estimator__kernel="linear", cv=2) is ours
    theirs.set_params(estimator__kernel="linear", cv=2)
    assert ours.estimator.kernel == "linear"
    assert ours.cv == 2
    ours.fit(X_IRIS, Y_IRIS)
    theirs.fit(X_IRIS, Y_IRIS)
    assert ours.best_estimator_.kernel == "linear"
    assert ours.n_splits_ == 2
    assert_search_equal(ours, theirs, X_IRIS, Y_IRIS)


def test_set_params_invalid_raises_like_sklearn():
    errors = []
    for cls in (GridSearchCV, GridTuner):
        with pytest.raises(ValueError) as excinfo:
            cls(SVC(), {"C": [1.0]}).set_params(estimator__bogus=1)
        errors.append(excinfo.type)
    assert errors[0] is errors[1]


# --- repr, tags --------------------------------------------------------------


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_repr_html_mentions_best_estimator(tuner_cls, search_cls, factory):
    ours, theirs = make_both(tuner_cls, search_cls, factory)
    assert "estimator: SVC" in ours._repr_html_()
    ours.fit(X_IRIS, Y_IRIS)
    theirs.fit(X_IRIS, Y_IRIS)
    html = ours._repr_html_()
    assert "best_estimator_" in html
    assert "best_estimator_: SVC" in html
    assert "best_estimator_: SVC" in theirs._repr_html_()
    assert tuner_cls.__name__ in html


@pytest.mark.parametrize(
    "estimator",
    [
        SVC(),
        SVC(kernel="precomputed"),
        LinearSVC(),
        logreg(),
        Ridge(),
        PCA(),
        Pipeline([("scale", StandardScaler()), ("clf", SVC())]),
    ],
    ids=["svc", "svc-precomputed", "linearsvc", "logreg", "ridge", "pca", "pipeline"],
)
@pytest.mark.parametrize(
    "tuner_cls,search_cls",
    [(GridTuner, GridSearchCV), (RandomTuner, RandomizedSearchCV)],
)
def test_tags_equal_sklearn(estimator, tuner_cls, search_cls):
    ours = tuner_cls(clone(estimator), {})
    theirs = search_cls(clone(estimator), {})
    tags_ours, tags_theirs = get_tags(ours), get_tags(theirs)
    assert tags_ours.estimator_type == tags_theirs.estimator_type
    assert tags_ours.input_tags.pairwise == tags_theirs.input_tags.pairwise
    assert tags_ours.input_tags.sparse == tags_theirs.input_tags.sparse
    assert tags_ours == tags_theirs
    assert is_classifier(ours) == is_classifier(theirs)
    assert is_regressor(ours) == is_regressor(theirs)


# --- joblib backends ---------------------------------------------------------


@pytest.mark.parametrize("tuner_cls,search_cls,factory", PAIRS)
def test_threading_backend_same_results(tuner_cls, search_cls, factory, joblib_backend):
    ours_default, theirs = make_both(tuner_cls, search_cls, factory, n_jobs=2)
    ours_threads, _ = make_both(tuner_cls, search_cls, factory, n_jobs=2)
    ours_default.fit(X_IRIS, Y_IRIS)
    theirs.fit(X_IRIS, Y_IRIS)
    with joblib_backend("threading"):
        ours_threads.fit(X_IRIS, Y_IRIS)
    assert_search_equal(ours_threads, ours_default, X_IRIS, Y_IRIS)
    assert_search_equal(ours_threads, theirs, X_IRIS, Y_IRIS)


# --- metadata routing ----------------------------------------------------------


def _routed_ridge_pair(scoring_request=True):
    def make(cls):
        scorer = make_scorer(r2_score).set_score_request(sample_weight=scoring_request)
        return cls(
            Ridge().set_fit_request(sample_weight=True),
            {"alpha": [0.1, 1.0, 10.0]},
            scoring=scorer,
            cv=GroupKFold(3),
        )

    return make(GridTuner), make(GridSearchCV)


SW_DIAB = np.linspace(0.2, 3.0, len(Y_DIAB))
GROUPS_DIAB = np.arange(len(Y_DIAB)) % 6


@pytest.mark.parametrize(
    "scoring_request", [True, False], ids=["scorer-requests", "scorer-declines"]
)
def test_metadata_routing(scoring_request):
    with sklearn.config_context(enable_metadata_routing=True):
        ours, theirs = _routed_ridge_pair(scoring_request)
        fit_params = {"sample_weight": SW_DIAB, "groups": GROUPS_DIAB}
        theirs.fit(X_DIAB, Y_DIAB, **fit_params)
        ours.fit(X_DIAB, Y_DIAB, **fit_params)
        assert_search_equal(ours, theirs, X_DIAB, Y_DIAB)
        if scoring_request:
            # score() routes sample_weight to the scorer
            assert ours.score(X_DIAB, Y_DIAB, sample_weight=SW_DIAB) == theirs.score(
                X_DIAB, Y_DIAB, sample_weight=SW_DIAB
            )
        assert ours.get_metadata_routing().consumes(
            "fit", ["sample_weight", "groups"]
        ) == theirs.get_metadata_routing().consumes("fit", ["sample_weight", "groups"])


def test_metadata_routing_weights_matter():
    """Sanity: the routed sample_weight changes the scores (else the routing
    test above would prove little)."""
    with sklearn.config_context(enable_metadata_routing=True):
        ours, _ = _routed_ridge_pair()
        ours.fit(X_DIAB, Y_DIAB, sample_weight=SW_DIAB, groups=GROUPS_DIAB)
        plain = GridTuner(
            Ridge(), {"alpha": [0.1, 1.0, 10.0]}, scoring="r2", cv=GroupKFold(3)
        ).fit(X_DIAB, Y_DIAB, groups=GROUPS_DIAB)
    assert not np.array_equal(
        ours.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )


def test_metadata_routing_unrequested_raises_like_sklearn():
    """sample_weight passed but the estimator did not request it."""
    errors = []
    with sklearn.config_context(enable_metadata_routing=True):
        for cls in (GridSearchCV, GridTuner):
            search = cls(logreg(), {"C": [0.1, 1.0]}, cv=3)
            with pytest.raises(Exception) as excinfo:
                search.fit(X_IRIS, Y_IRIS, sample_weight=np.ones(len(Y_IRIS)))
            errors.append(excinfo.type)
    assert errors[0] is errors[1]
    assert issubclass(errors[0], ValueError)


def test_metadata_routing_multimetric():
    def make(cls):
        scoring = {
            "acc": make_scorer(accuracy_score).set_score_request(sample_weight=True),
            "f1": make_scorer(
                sklearn.metrics.f1_score, average="macro"
            ).set_score_request(sample_weight=False),
        }
        return cls(
            logreg().set_fit_request(sample_weight=True),
            {"C": [0.1, 1.0]},
            scoring=scoring,
            refit="acc",
            cv=3,
        )

    sw = np.linspace(0.5, 2.0, len(Y_IRIS))
    with sklearn.config_context(enable_metadata_routing=True):
        ours = make(GridTuner).fit(X_IRIS, Y_IRIS, sample_weight=sw)
        theirs = make(GridSearchCV).fit(X_IRIS, Y_IRIS, sample_weight=sw)
        assert_search_equal(ours, theirs, X_IRIS, Y_IRIS)
    assert_cv_results_equal(ours.cv_results_, theirs.cv_results_)
