"""Successive halving: parity with scikit-learn's halving searches, survivors'
models continued from rung to rung (counted, never timed), resume, budget,
and invalid arguments before any fit."""

import inspect
import pickle
import time
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score
from sklearn.model_selection import (
    GroupKFold,
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    KFold,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from skhyper import HalvingGridTuner, HalvingRandomTuner
from skhyper._compat import HAS_CALLBACKS, InvalidParameterError
from skhyper._rungs import SubsampleSplitter
from skhyper.extend import register_warm_start

from .counting import CountingClassifier, reset_counts
from .test_estimator_checks import strict_parametrize_with_checks
from .utils import assert_search_equal

X, y = make_classification(n_samples=150, n_features=6, random_state=0)
Xr, yr = make_regression(n_samples=150, n_features=6, noise=5.0, random_state=0)
HALVING_ATTRS = (
    "n_resources_",
    "n_candidates_",
    "n_remaining_candidates_",
    "n_iterations_",
    "n_possible_iterations_",
    "n_required_iterations_",
    "min_resources_",
    "max_resources_",
)
OURS = {
    HalvingGridSearchCV: HalvingGridTuner,
    HalvingRandomSearchCV: HalvingRandomTuner,
}
FOREST = RandomForestClassifier(random_state=0, max_depth=3)
FOREST_GRID = {"max_depth": [2, 3, None], "min_samples_leaf": [1, 5, 20]}


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Tiny fits on a busy 2-core machine: one BLAS thread each (as joblib's
    workers have), or LogisticRegression spends 30x its time in handoffs."""
    with threadpool_limits(1):
        yield


def both(cls, estimator, space, X=X, y=y, fit_params=None, **kwargs):
    """Fit scikit-learn's halving search and ours alike; return (ours, theirs)."""
    fit_params = fit_params or {}
    theirs = cls(estimator, space, **kwargs).fit(X, y, **fit_params)
    ours = OURS[cls](estimator, space, **kwargs).fit(X, y, **fit_params)
    return ours, theirs


def assert_halving_equal(ours, theirs, X=None, y=None):
    assert_search_equal(ours, theirs, X, y)
    for name in HALVING_ATTRS:
        a, b = getattr(ours, name), getattr(theirs, name)
        assert a == b and type(a) is type(b), f"{name}: {a!r} != {b!r}"


def rung_fits(tuner):
    """(first rung's evaluations, later rungs' evaluations)."""
    n_splits = tuner.n_splits_
    return (
        tuner.n_candidates_[0] * n_splits,
        sum(tuner.n_candidates_[1:]) * n_splits,
    )


# -- parity ------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "forest n_estimators",
        "n_samples with failing fits",
        "list of dicts",
        "groups",
        "aggressive elimination",
        "min/max resources, factor 2.5",
        "smallest, max_resources below n_samples",
        "one rung",
        "regression",
    ],
)
def test_grid_parity(case):
    fit_params = {}
    Xc, yc = X, y
    if case == "forest n_estimators":
        est, space = FOREST, FOREST_GRID
        kw = dict(resource="n_estimators", max_resources=18, cv=3, random_state=0)
    elif case == "n_samples with failing fits":
        est = LogisticRegression()
        space = {"C": [-1.0, 0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}
        kw = dict(cv=3, random_state=0)
    elif case == "list of dicts":
        est = SVC()
        space = [
            {"kernel": ["linear"], "C": [0.1, 1]},
            {"kernel": ["rbf"], "C": [1, 10]},
        ]
        kw = dict(cv=3, random_state=1, factor=2)
    elif case == "groups":
        est, space = LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}
        kw = dict(cv=GroupKFold(3), random_state=0, factor=2)
        fit_params = {"groups": np.arange(150) % 7}
    elif case == "aggressive elimination":
        est, space = LogisticRegression(), {"C": list(np.logspace(-3, 3, 10))}
        kw = dict(cv=3, max_resources=60, random_state=0, aggressive_elimination=True)
    elif case == "min/max resources, factor 2.5":
        est, space = FOREST, {"max_depth": [1, 2, 3, 4, None]}
        kw = dict(
            resource="n_estimators",
            min_resources=2,
            max_resources=13,
            factor=2.5,
            cv=3,
        )
    elif case == "smallest, max_resources below n_samples":
        est, space = LogisticRegression(), {"C": list(np.logspace(-2, 2, 6))}
        kw = dict(cv=3, min_resources="smallest", max_resources=100, random_state=0)
    elif case == "one rung":
        est, space = LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}
        kw = dict(cv=3, min_resources=100, max_resources=100, random_state=0)
    else:
        est, space = RandomForestRegressor(random_state=0), FOREST_GRID
        kw = dict(
            resource="n_estimators",
            max_resources=9,
            cv=3,
            scoring="neg_mean_squared_error",
        )
        Xc, yc = Xr, yr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the failing fits' FitFailedWarning
        ours, theirs = both(
            HalvingGridSearchCV, est, space, Xc, yc, fit_params=fit_params, **kw
        )
    assert_halving_equal(ours, theirs, Xc, yc)


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(3)])
def test_subsamples_are_scikit_learns(random_state):
    from sklearn.model_selection._search_successive_halving import (
        _SubsampleMetaSplitter,
    )

    kw = dict(base_cv=KFold(4), fraction=0.37, subsample_test=True)
    ours = SubsampleSplitter(**kw, random_state=clone_state(random_state))
    theirs = _SubsampleMetaSplitter(**kw, random_state=clone_state(random_state))
    for _ in range(2):  # a RandomState goes on from one rung to the next
        for (a_train, a_test), (b_train, b_test) in zip(
            ours.split(X, y), theirs.split(X, y)
        ):
            np.testing.assert_array_equal(a_train, b_train)
            np.testing.assert_array_equal(a_test, b_test)


def clone_state(random_state):
    return pickle.loads(pickle.dumps(random_state))


def test_random_parity_with_distributions():
    space = {"learning_rate": loguniform(0.01, 1), "max_leaf_nodes": randint(4, 16)}
    hgb = HistGradientBoostingClassifier(random_state=0, early_stopping=False)
    ours, theirs = both(
        HalvingRandomSearchCV,
        hgb,
        space,
        n_candidates=6,
        resource="max_iter",
        max_resources=12,
        cv=3,
        random_state=0,
    )
    assert_halving_equal(ours, theirs, X, y)
    first, later = rung_fits(ours)
    assert ours.work_["warm_start_fits"] == later
    assert ours.work_["fits"] == first


def test_random_parity_n_samples_exhaust():
    space = {"C": loguniform(1e-3, 1e3), "fit_intercept": [True, False]}
    ours, theirs = both(
        HalvingRandomSearchCV, LogisticRegression(), space, cv=3, random_state=0
    )
    assert_halving_equal(ours, theirs, X, y)


def test_resource_as_a_pipeline_step_parameter():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", FOREST)])
    grid = {"clf__max_depth": [2, 3, None], "clf__min_samples_leaf": [1, 5, 20]}
    kw = dict(resource="clf__n_estimators", max_resources=9, cv=3, random_state=0)
    ours, theirs = both(HalvingGridSearchCV, pipe, grid, **kw)
    assert_halving_equal(ours, theirs, X, y)
    first, later = rung_fits(ours)
    assert ours.work_["warm_start_fits"] == later
    # the scaler is fitted once per fold and rung: the forests go on growing
    assert ours.work_["fits"] == first + 3 * ours.n_iterations_


def test_pipeline_with_n_samples_shares_steps():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"clf__C": [0.01, 0.1, 1.0, 10.0], "clf__fit_intercept": [True, False]}
    ours, theirs = both(HalvingGridSearchCV, pipe, grid, cv=3, random_state=0)
    assert_halving_equal(ours, theirs, X, y)
    n_evaluations = sum(ours.n_candidates_) * 3
    assert ours.work_["fits"] == n_evaluations + 3 * ours.n_iterations_
    assert ours.work_["plain_fits"] == 2 * n_evaluations


def test_multimetric_refit_names_the_metric_that_decides():
    kw = dict(resource="n_estimators", max_resources=9, cv=3)
    theirs = HalvingGridSearchCV(
        FOREST, FOREST_GRID, scoring="balanced_accuracy", **kw
    ).fit(X, y)
    scoring = {"acc": "accuracy", "bacc": "balanced_accuracy"}
    ours = HalvingGridTuner(FOREST, FOREST_GRID, scoring=scoring, refit="bacc", **kw)
    ours.fit(X, y)
    assert ours.n_candidates_ == theirs.n_candidates_
    assert list(ours.cv_results_["params"]) == list(theirs.cv_results_["params"])
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_bacc"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    assert "mean_test_acc" in ours.cv_results_
    with pytest.raises(ValueError, match="needs refit=<metric name>"):
        HalvingGridTuner(FOREST, FOREST_GRID, scoring=scoring, refit=False).fit(X, y)


def test_callable_refit_as_scikit_learn():
    def last(results):
        return len(results["params"]) - 1

    kw = dict(resource="n_estimators", max_resources=9, cv=3, refit=last)
    ours, theirs = both(HalvingGridSearchCV, FOREST, FOREST_GRID, **kw)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == theirs.best_score_


def test_parameters_and_defaults_as_scikit_learn():
    ours_extra = ["share", "share_memory", "max_time", "checkpoint"]
    for theirs_cls, ours_cls in OURS.items():
        theirs = inspect.signature(theirs_cls).parameters
        ours = inspect.signature(ours_cls).parameters
        assert list(ours) == list(theirs) + ours_extra
        for name, param in theirs.items():
            a, b = ours[name].default, param.default
            assert a == b or (a is b), name
    tuner = HalvingGridTuner(FOREST, FOREST_GRID, resource="n_estimators", factor=2)
    assert repr(clone(tuner)) == repr(tuner)


# What scikit-learn expects to fail for its searches, and for its halving
# searches (min_resources_ > 1 sample: "min_resources_=4 is greater than ...").
HALVING_EXPECTED_FAILURES = {
    "check_supervised_y_2d": "DataConversionWarning not caught",
    "check_requires_y_none": "Doesn't fail gracefully",
    "check_fit2d_1sample": "min_resources_ above 1 sample, as scikit-learn's",
}


@strict_parametrize_with_checks(
    [HalvingRandomTuner(Ridge(), {"alpha": [0.1, 1.0]}, cv=2, n_candidates=2)],
    lambda est: HALVING_EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- warm continuation ---------------------------------------------------------


class StumpForest(ClassifierMixin, BaseEstimator):
    """A bagged forest of small trees with an exact warm start; counts trees.

    Tree ``i`` is fitted on a bootstrap drawn from ``random_state + i``, so
    growing a forest from ``n`` to ``m`` trees gives the forest of ``m``.
    """

    built = []  # one entry per tree fitted, in this process

    def __init__(self, n_estimators=10, max_depth=1, warm_start=False, random_state=0):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.warm_start = warm_start
        self.random_state = random_state

    def fit(self, X, y):
        if not (self.warm_start and hasattr(self, "trees_")):
            self.trees_ = []
        for i in range(len(self.trees_), self.n_estimators):
            rows = np.random.RandomState(self.random_state + i).randint(
                0, len(X), len(X)
            )
            tree = DecisionTreeRegressor(max_depth=self.max_depth, random_state=0)
            self.trees_.append(tree.fit(X[rows], y[rows]))
            type(self).built.append(self.n_estimators)
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        votes = np.mean([tree.predict(X) for tree in self.trees_], axis=0)
        return (votes > 0.5).astype(int)


@pytest.fixture
def stump_forest():
    StumpForest.built.clear()
    with register_warm_start(StumpForest, "n_estimators"):
        yield StumpForest
    StumpForest.built.clear()


STUMP_GRID = {"max_depth": [1, 2, 3], "random_state": [0, 100, 200]}
STUMP_KW = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)


def test_survivors_grow_instead_of_being_refitted(stump_forest):
    theirs = HalvingGridSearchCV(StumpForest(), STUMP_GRID, **STUMP_KW).fit(X, y)
    refitted = len(StumpForest.built)
    StumpForest.built.clear()
    ours = HalvingGridTuner(StumpForest(), STUMP_GRID, **STUMP_KW).fit(X, y)
    assert_halving_equal(ours, theirs, X, y)
    assert ours.n_resources_ == [1, 3, 9] and ours.n_candidates_ == [9, 3, 1]
    # per fold: 9 forests of 1 tree, 3 grow 1 -> 3, 1 grows 3 -> 9; plus refit
    assert len(StumpForest.built) == 3 * (9 * 1 + 3 * 2 + 1 * 6) + 9
    assert refitted == 3 * (9 * 1 + 3 * 3 + 1 * 9) + 9
    assert ours.work_["fits"] == 9 * 3
    assert ours.work_["warm_start_fits"] == (3 + 1) * 3


def test_models_kept_within_share_memory(stump_forest):
    ours = HalvingGridTuner(StumpForest(), STUMP_GRID, share_memory=0, **STUMP_KW)
    ours.fit(X, y)
    assert ours.work_["warm_start_fits"] == 0  # nothing kept: refitted
    assert len(StumpForest.built) == 3 * (9 + 9 + 9) + 9
    theirs = HalvingGridSearchCV(StumpForest(), STUMP_GRID, **STUMP_KW).fit(X, y)
    assert_halving_equal(ours, theirs)


def test_no_continuation_without_fixed_randomness_upstream():
    pipe = Pipeline([("pca", PCA(n_components=3)), ("clf", FOREST)])
    grid = {"clf__max_depth": [2, None], "clf__min_samples_leaf": [1, 5, 20]}
    kw = dict(resource="clf__n_estimators", max_resources=6, cv=3)
    ours, theirs = both(HalvingGridSearchCV, pipe, grid, **kw)
    assert_halving_equal(ours, theirs)
    assert ours.work_["warm_start_fits"] == 0  # PCA(random_state=None)


def test_continuation_across_worker_processes():
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    theirs = HalvingGridSearchCV(FOREST, FOREST_GRID, **kw).fit(X, y)
    ours = HalvingGridTuner(FOREST, FOREST_GRID, n_jobs=2, **kw).fit(X, y)
    assert_halving_equal(ours, theirs)
    first, later = rung_fits(ours)
    assert ours.work_["fits"] == first
    assert ours.work_["warm_start_fits"] == later
    pickle.loads(pickle.dumps(ours)).predict(X)


# -- long searches ---------------------------------------------------------------

STOP_AT = {"calls": 0, "at": None}


def interrupting_accuracy(estimator, X, y):
    """Accuracy; raises KeyboardInterrupt at call number STOP_AT["at"]."""
    STOP_AT["calls"] += 1
    if STOP_AT["calls"] == STOP_AT["at"]:
        raise KeyboardInterrupt
    return accuracy_score(y, estimator.predict(X))


def test_checkpoint_resumes_without_refitting_any_rung(tmp_path):
    kw = dict(
        resource="n_estimators",
        max_resources=9,
        cv=3,
        return_train_score=False,
        checkpoint=tmp_path / "halving.db",
    )
    tuner = HalvingGridTuner(FOREST, FOREST_GRID, scoring=interrupting_accuracy, **kw)
    STOP_AT.update(calls=0, at=27 + 4)  # in the second rung's fourth fit
    with pytest.raises(KeyboardInterrupt):
        tuner.fit(X, y)
    assert len(tuner.cv_results_["params"]) == 9 + 1  # every split finished
    STOP_AT.update(calls=0, at=None)
    tuner.fit(X, y)
    assert tuner.work_["from_checkpoint"] == 27 + 3
    total = sum(tuner.n_candidates_) * 3
    assert tuner.work_["fits"] + tuner.work_["warm_start_fits"] == total - 30
    assert STOP_AT["calls"] == total - 30  # only the missing fits were scored
    del kw["checkpoint"]
    theirs = HalvingGridSearchCV(FOREST, FOREST_GRID, scoring="accuracy", **kw)
    theirs.fit(X, y)
    np.testing.assert_array_equal(
        tuner.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert tuner.best_params_ == theirs.best_params_


class SlowOnMoreData(ClassifierMixin, BaseEstimator):
    """A decision tree that sleeps ``delay`` s when fitted on > 40 samples."""

    def __init__(self, min_samples_leaf=1, delay=1.0):
        self.min_samples_leaf = min_samples_leaf
        self.delay = delay

    def fit(self, X, y):
        if len(X) > 40:
            time.sleep(self.delay)
        tree = DecisionTreeClassifier(min_samples_leaf=self.min_samples_leaf)
        self.model_ = tree.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_max_time_keeps_the_completed_rungs():
    grid = {"min_samples_leaf": list(range(1, 10))}
    tuner = HalvingGridTuner(
        SlowOnMoreData(),
        grid,
        cv=3,
        min_resources=30,
        random_state=0,
        max_time=2.0,
        refit=False,
    )
    with pytest.warns(UserWarning, match="1 of 2 rungs completed") as record:
        tuner.fit(X, y)
    message = str(record[-1].message)
    assert "best_* are from rung 1/2 (cv_results_['iter'] == 0)" in message
    assert tuner.n_resources_ == [30, 90] and tuner.n_iterations_ == 1
    assert np.sum(tuner.cv_results_["iter"] == 0) == 9
    assert tuner.cv_results_["iter"][tuner.best_index_] == 0


def test_verbose_says_which_rung(capsys):
    grid = {"C": [0.01, 0.1, 1.0, 10.0]}
    HalvingGridTuner(LogisticRegression(), grid, cv=3, factor=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    for line in ("n_iterations: 3", "iter: 2", "n_resources: 148"):
        assert line in out.splitlines()
    assert "[skhyper] rung 2/3: 6/6 fits (100%)" in out


@pytest.mark.skipif(not HAS_CALLBACKS, reason="sklearn.callback needs 1.9")
@pytest.mark.parametrize(
    "callback", ["RecordingCallback", "RecordingAutoPropagatedCallback"]
)
def test_callback_events_match_scikit_learn(callback):
    from .test_callbacks import _rename, hook_names

    utils = pytest.importorskip("sklearn.callback.tests._utils")
    grid = {"max_iter": [1, 2, 3, 4]}
    records = []
    for cls in (HalvingGridSearchCV, HalvingGridTuner):
        recorder = getattr(utils, callback)()
        search = cls(utils.MaxIterEstimator(), grid, cv=3, factor=2, scoring="r2")
        search.set_callbacks(recorder).fit(X, y)
        records.append(hook_names(recorder.record))
    theirs, ours = records
    assert _rename(ours, "HalvingGridTuner", "HalvingGridSearchCV") == theirs
    assert theirs[("on_fit_task_end", "halving-iteration", "HalvingGridSearchCV")] == 3


# -- invalid arguments -----------------------------------------------------------


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (HalvingGridSearchCV, dict(factor=0)),
        (HalvingGridSearchCV, dict(factor="3")),
        (HalvingGridSearchCV, dict(min_resources="most")),
        (HalvingGridSearchCV, dict(max_resources=0)),
        (HalvingGridSearchCV, dict(resource=3)),
        (HalvingGridSearchCV, dict(aggressive_elimination="yes")),
        (HalvingRandomSearchCV, dict(n_candidates=0)),
        (HalvingRandomSearchCV, dict(n_candidates="all")),
        (HalvingGridSearchCV, dict(resource="n_trees", max_resources=10)),
        (HalvingGridSearchCV, dict(resource="max_iter")),
        (HalvingGridSearchCV, dict(min_resources=200, max_resources=100)),
        (HalvingRandomSearchCV, dict(min_resources="exhaust")),
        (HalvingGridSearchCV, dict(resource="C", max_resources=10)),
        (HalvingGridSearchCV, dict(cv=KFold(3, shuffle=True))),
        (HalvingGridSearchCV, dict(scoring="acuracy")),
    ],
)
def test_invalid_arguments_raise_as_scikit_learn_before_any_fit(cls, kwargs):
    space = {"C": [0.1, 1.0]}
    reset_counts()
    with pytest.raises(Exception) as theirs:
        cls(CountingClassifier(), space, **kwargs).fit(X, y)
    with pytest.raises(Exception) as ours:
        OURS[cls](CountingClassifier(), space, **kwargs).fit(X, y)
    assert CountingClassifier.fits == []
    assert ours.type is theirs.type
    if kwargs.get("scoring") is None:  # ours also takes several metrics
        expected = str(theirs.value).replace(cls.__name__, OURS[cls].__name__)
        assert str(ours.value) == expected
    assert issubclass(ours.type, (ValueError, InvalidParameterError))
