"""Side-by-side parity: GridTuner vs GridSearchCV, RandomTuner vs RandomizedSearchCV.

Every case builds the estimator, search space and data afresh for each side
(so a tuner that mutated its inputs could not affect the reference), fits the
scikit-learn search and the skhyper tuner with the same arguments, and checks
with ``assert_search_equal`` that ``cv_results_``, the best_* attributes and
the delegated methods agree, and that the same kinds of warnings are emitted.
"""

import re
import warnings
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import expon, loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
)
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skhyper import GridTuner, RandomTuner

from .conftest import diabetes_data
from .utils import assert_estimator_params_equal, assert_search_equal

# ---------------------------------------------------------------------------
# Data (small on purpose)
# ---------------------------------------------------------------------------

_IRIS = load_iris()
X_IRIS, Y_IRIS = _IRIS.data, _IRIS.target
_CANCER = load_breast_cancer()
X_CANCER = StandardScaler().fit_transform(_CANCER.data[::4])
Y_CANCER = _CANCER.target[::4]
X_DIAB, Y_DIAB = diabetes_data()
# first 100 iris rows: a binary problem, KFold/StratifiedKFold(3) give train
# sets of 66, 67 and 67 samples.
X_BIN, Y_BIN = X_IRIS[:100], Y_IRIS[:100]


def logreg(**kwargs):
    # newton-cholesky: lbfgs emits a scipy DeprecationWarning with
    # scikit-learn 1.6 and recent scipy, which the test config makes an error.
    return LogisticRegression(solver="newton-cholesky", **kwargs)


# ---------------------------------------------------------------------------
# Module-level helpers (module level so that they pickle for n_jobs=2)
# ---------------------------------------------------------------------------


class FitError(Exception):
    """The exception FailingClassifier raises."""


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Nearest-centroid classifier that fails on purpose.

    fail: "never"; "fit" (always in fit); "fit-odd" (in fit when the training
    set has an odd number of samples, i.e. on some splits only); "predict"
    (in predict, so scoring fails).
    """

    def __init__(self, fail="never", shrink=1.0):
        self.fail = fail
        self.shrink = shrink

    def fit(self, X, y):
        X = np.asarray(X)
        if self.fail == "fit" or (self.fail == "fit-odd" and len(X) % 2 == 1):
            raise FitError(f"failing on purpose with {len(X)} samples")
        self.classes_ = np.unique(y)
        self.centroids_ = np.array([X[y == c].mean(axis=0) for c in self.classes_])
        self.centroids_ *= self.shrink
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        if self.fail == "predict":
            raise FitError("failing on purpose in predict")
        X = np.asarray(X)
        dist = ((X[:, None, :] - self.centroids_[None, :, :]) ** 2).sum(axis=2)
        return self.classes_[dist.argmin(axis=1)]


def dict_scorer(estimator, X, y):
    """A callable scorer returning several metrics at once."""
    pred = estimator.predict(X)
    return {
        "acc": accuracy_score(y, pred),
        "f1": f1_score(y, pred, average="macro"),
    }


def accuracy_no_sample_weight(estimator, X, y):
    """A callable scorer that does not accept sample_weight."""
    return accuracy_score(y, estimator.predict(X))


def refit_last_best_acc(cv_results):
    """refit callable: the last candidate among those ranked first."""
    return int(np.flatnonzero(cv_results["rank_test_acc"] == 1)[-1])


def refit_last_best(cv_results):
    return int(np.flatnonzero(cv_results["rank_test_score"] == 1)[-1])


# ---------------------------------------------------------------------------
# Cases: each returns a fresh dict with estimator, space, kwargs, X, y,
# fit_params.
# ---------------------------------------------------------------------------


def case(estimator, space, X, y=None, fit_params=None, **kwargs):
    kwargs.setdefault("cv", 3)
    return dict(
        estimator=estimator,
        space=space,
        kwargs=kwargs,
        X=X,
        y=y,
        fit_params=fit_params or {},
    )


GROUPS = np.arange(len(Y_IRIS)) % 6
SAMPLE_WEIGHT_IRIS = np.linspace(0.5, 2.0, len(Y_IRIS))
SAMPLE_WEIGHT_DIAB = np.linspace(0.2, 3.0, len(Y_DIAB))
IRIS_KERNEL = rbf_kernel(X_IRIS, gamma=0.5)
IRIS_COLUMNS = [n.replace(" (cm)", "") for n in _IRIS.feature_names]


def iris_frame():
    """Iris as a DataFrame and a Series (skips without pandas)."""
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X_IRIS, columns=IRIS_COLUMNS), pd.Series(Y_IRIS, name="species")


GRID_CASES = {
    "logreg-iris": lambda: case(logreg(), {"C": [0.01, 0.1, 1.0]}, X_IRIS, Y_IRIS),
    "svc-cancer-gamma-str-and-float": lambda: case(
        SVC(), {"C": [0.1, 10], "gamma": ["scale", 0.01]}, X_CANCER, Y_CANCER
    ),
    "ridge-diabetes": lambda: case(
        Ridge(), {"alpha": [0.1, 1.0, 10.0]}, X_DIAB, Y_DIAB
    ),
    "ridge-int-and-float-values": lambda: case(
        Ridge(), {"alpha": [1, 2.5, 10]}, X_DIAB, Y_DIAB
    ),
    "tree-none-and-int-values": lambda: case(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [None, 1, 2]},
        X_IRIS,
        Y_IRIS,
    ),
    "string-labels": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        np.array(["setosa", "versicolor", "virginica"])[Y_IRIS],
    ),
    "pipeline-step-params": lambda: case(
        Pipeline([("scaler", StandardScaler()), ("clf", logreg())]),
        {"scaler__with_mean": [True, False], "clf__C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
    ),
    "pipeline-swap-step-and-passthrough": lambda: case(
        Pipeline([("scaler", StandardScaler()), ("reduce", PCA(5)), ("clf", logreg())]),
        {"reduce": [PCA(5), SelectKBest(k=5), "passthrough"], "clf__C": [0.1, 1.0]},
        X_CANCER,
        Y_CANCER,
    ),
    "list-of-dicts-svc-linear-vs-rbf": lambda: case(
        SVC(),
        [
            {"kernel": ["linear"], "C": [0.1, 1.0]},
            {"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1.0]},
        ],
        X_IRIS,
        Y_IRIS,
    ),
    "multimetric-list-refit-name": lambda: case(
        logreg(),
        {"C": [0.01, 0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        scoring=["accuracy", "f1_macro"],
        refit="f1_macro",
    ),
    "multimetric-dict-make_scorer": lambda: case(
        logreg(),
        {"C": [0.01, 0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        scoring={
            "acc": "accuracy",
            "bal": make_scorer(balanced_accuracy_score),
            "nll": "neg_log_loss",
        },
        refit="bal",
    ),
    "multimetric-refit-callable": lambda: case(
        logreg(),
        {"C": [0.1, 1.0, 10.0]},
        X_IRIS,
        Y_IRIS,
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit=refit_last_best_acc,
    ),
    "single-metric-refit-callable": lambda: case(
        SVC(), {"C": [0.1, 1.0, 10.0]}, X_IRIS, Y_IRIS, refit=refit_last_best
    ),
    "refit-false": lambda: case(
        logreg(), {"C": [0.1, 1.0]}, X_IRIS, Y_IRIS, refit=False
    ),
    "multimetric-refit-false": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        scoring=["accuracy", "f1_macro"],
        refit=False,
    ),
    "return-train-score": lambda: case(
        Ridge(), {"alpha": [0.1, 10.0]}, X_DIAB, Y_DIAB, return_train_score=True
    ),
    "return-train-score-multimetric": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        scoring={"acc": "accuracy", "f1": "f1_macro"},
        refit="acc",
        return_train_score=True,
    ),
    "groups-groupkfold": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        fit_params={"groups": GROUPS},
        cv=GroupKFold(3),
    ),
    "sample-weight-ridge": lambda: case(
        Ridge(),
        {"alpha": [0.1, 10.0]},
        X_DIAB,
        Y_DIAB,
        fit_params={"sample_weight": SAMPLE_WEIGHT_DIAB},
    ),
    "sample-weight-logreg-accuracy": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        fit_params={"sample_weight": SAMPLE_WEIGHT_IRIS},
        scoring="accuracy",
    ),
    "sample-weight-scorer-without-sample-weight": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        fit_params={"sample_weight": SAMPLE_WEIGHT_IRIS},
        scoring=accuracy_no_sample_weight,
    ),
    "sparse-ridge": lambda: case(
        Ridge(), {"alpha": [0.1, 1.0]}, sp.csr_matrix(X_DIAB), Y_DIAB
    ),
    "sparse-linearsvc": lambda: case(
        LinearSVC(), {"C": [0.1, 1.0]}, sp.csr_matrix(X_IRIS), Y_IRIS
    ),
    "precomputed-kernel": lambda: case(
        SVC(kernel="precomputed"), {"C": [0.1, 1.0, 10.0]}, IRIS_KERNEL, Y_IRIS
    ),
    "callable-scorer-returning-dict": lambda: case(
        logreg(), {"C": [0.01, 1.0]}, X_IRIS, Y_IRIS, scoring=dict_scorer, refit="f1"
    ),
    "cv-int-regressor": lambda: case(
        Ridge(), {"alpha": [0.1, 1.0]}, X_DIAB, Y_DIAB, cv=4
    ),
    "cv-kfold-shuffle": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        cv=KFold(3, shuffle=True, random_state=0),
    ),
    "cv-stratified": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        cv=StratifiedKFold(3, shuffle=True, random_state=1),
    ),
    "cv-list-of-index-tuples": lambda: case(
        logreg(),
        {"C": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        cv=list(KFold(3, shuffle=True, random_state=2).split(X_IRIS)),
    ),
    "pandas-dataframe-series": lambda: case(logreg(), {"C": [0.1, 1.0]}, *iris_frame()),
    "unsupervised-pca": lambda: case(PCA(), {"n_components": [1, 2, 3]}, X_IRIS),
    "failing-fits-in-grid": lambda: case(
        FailingClassifier(),
        {"fail": ["never", "fit", "fit-odd"], "shrink": [1.0, 0.5]},
        X_BIN,
        Y_BIN,
        error_score=0.0,
    ),
}

# A subset also run with n_jobs=2 (worker processes).
N_JOBS_2_CASES = [
    "logreg-iris",
    "pipeline-swap-step-and-passthrough",
    "multimetric-dict-make_scorer",
    "groups-groupkfold",
    "sample-weight-ridge",
    "precomputed-kernel",
    "callable-scorer-returning-dict",
    "failing-fits-in-grid",
]

RANDOM_CASES = {
    "svc-loguniform-expon": lambda rs: case(
        SVC(),
        {"C": loguniform(1e-2, 1e2), "gamma": expon(scale=0.1)},
        X_IRIS,
        Y_IRIS,
        n_iter=4,
        random_state=rs,
    ),
    "ridge-uniform": lambda rs: case(
        Ridge(), {"alpha": uniform(0.1, 10)}, X_DIAB, Y_DIAB, n_iter=3, random_state=rs
    ),
    "pipeline-randint-and-list": lambda rs: case(
        Pipeline([("kbest", SelectKBest()), ("clf", logreg())]),
        {"kbest__k": randint(1, 5), "clf__C": [0.1, 1.0, 10.0]},
        X_IRIS,
        Y_IRIS,
        n_iter=4,
        random_state=rs,
    ),
    "list-of-dicts-with-distributions": lambda rs: case(
        SVC(),
        [
            {"kernel": ["linear"], "C": loguniform(1e-2, 1e1)},
            {"kernel": ["rbf"], "gamma": expon(scale=0.5)},
        ],
        X_IRIS,
        Y_IRIS,
        n_iter=4,
        random_state=rs,
    ),
    "all-lists-n_iter-below-grid-size": lambda rs: case(
        SVC(),
        {"C": [0.1, 1.0, 10.0], "gamma": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        n_iter=4,
        random_state=rs,
    ),
    "all-lists-n_iter-above-grid-size": lambda rs: case(
        SVC(),
        {"C": [0.1, 1.0, 10.0], "gamma": [0.1, 1.0]},
        X_IRIS,
        Y_IRIS,
        n_iter=10,
        random_state=rs,
    ),
    "all-lists-list-of-dicts": lambda rs: case(
        SVC(),
        [
            {"kernel": ["linear"], "C": [0.1, 1.0]},
            {"kernel": ["rbf"], "gamma": [0.1, 1.0], "C": [1.0]},
        ],
        X_IRIS,
        Y_IRIS,
        n_iter=3,
        random_state=rs,
    ),
    "multimetric-and-train-score": lambda rs: case(
        logreg(),
        {"C": loguniform(1e-2, 1e1)},
        X_IRIS,
        Y_IRIS,
        n_iter=3,
        random_state=rs,
        scoring=["accuracy", "f1_macro"],
        refit="accuracy",
        return_train_score=True,
    ),
}

RANDOM_STATES = {
    "random_state=0": lambda: 0,
    "random_state=RandomState(0)": lambda: np.random.RandomState(0),
}


# ---------------------------------------------------------------------------
# Running both sides
# ---------------------------------------------------------------------------


def _fit_recording(search, X, y, fit_params):
    """Fit and return the warnings emitted (FutureWarning and
    DeprecationWarning stay errors)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        search.fit(X, y, **fit_params)
    return record


_FULL_MESSAGE_PREFIXES = ("One or more of the", "The total space of parameters")


def warning_summary(record, in_process=True):
    """What we compare about warnings: the FitFailedWarning counts, the
    search-level messages in full, and (when all fits run in this process) the
    set of categories of every other warning."""
    summary = set()
    for w in record:
        msg = str(w.message)
        if issubclass(w.category, FitFailedWarning):
            match = re.search(r"\d+ fits failed out of a total of \d+", msg)
            summary.add(("FitFailedWarning", match.group(0) if match else msg))
        elif msg.startswith(_FULL_MESSAGE_PREFIXES):
            summary.add((w.category.__name__, msg))
        elif in_process:
            summary.add((w.category.__name__,))
    return summary


def build(search_cls, spec, n_jobs=None):
    kwargs = dict(spec["kwargs"])
    if n_jobs is not None:
        kwargs["n_jobs"] = n_jobs
    return search_cls(spec["estimator"], spec["space"], **kwargs)


def run_parity(search_cls, tuner_cls, make_spec, n_jobs=None, expect_error=None):
    """Fit both on fresh copies of the case; compare; return both.

    With ``expect_error``, scikit-learn's search is known to raise that
    exception type for this case: the tuner must raise the same type.
    """
    spec_theirs, spec_ours = make_spec(), make_spec()
    theirs = build(search_cls, spec_theirs, n_jobs)
    ours = build(tuner_cls, spec_ours, n_jobs)
    fit_theirs = (spec_theirs["X"], spec_theirs["y"], spec_theirs["fit_params"])
    fit_ours = (spec_ours["X"], spec_ours["y"], spec_ours["fit_params"])
    if expect_error is not None:
        with pytest.raises(expect_error) as their_error:
            _fit_recording(theirs, *fit_theirs)
        with pytest.raises(Exception) as our_error:
            _fit_recording(ours, *fit_ours)
        assert our_error.type is their_error.type, our_error.value
        return None
    rec_theirs = _fit_recording(theirs, *fit_theirs)
    rec_ours = _fit_recording(ours, *fit_ours)
    in_process = n_jobs in (None, 1)
    assert warning_summary(rec_ours, in_process) == warning_summary(
        rec_theirs, in_process
    )
    assert_search_equal(ours, theirs, spec_theirs["X"], spec_theirs["y"])
    return ours, theirs, rec_ours, rec_theirs


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", list(GRID_CASES))
def test_grid_parity(case_id):
    run_parity(GridSearchCV, GridTuner, GRID_CASES[case_id])


@pytest.mark.parametrize("case_id", N_JOBS_2_CASES)
def test_grid_parity_n_jobs_2(case_id):
    run_parity(GridSearchCV, GridTuner, GRID_CASES[case_id], n_jobs=2)


@pytest.mark.parametrize("case_id", ["logreg-iris", "ridge-diabetes"])
def test_grid_parity_n_jobs_1(case_id):
    run_parity(GridSearchCV, GridTuner, GRID_CASES[case_id], n_jobs=1)


@pytest.mark.parametrize("rs_id", list(RANDOM_STATES))
@pytest.mark.parametrize("case_id", list(RANDOM_CASES))
def test_random_parity(case_id, rs_id):
    def make_spec():
        return RANDOM_CASES[case_id](RANDOM_STATES[rs_id]())

    run_parity(RandomizedSearchCV, RandomTuner, make_spec)


@pytest.mark.parametrize("case_id", list(GRID_CASES))
def test_random_parity_on_grid_cases(case_id):
    """The grid cases as all-lists random spaces (sampled without
    replacement), n_iter=3."""

    def make_spec():
        spec = GRID_CASES[case_id]()
        spec["kwargs"].update(n_iter=3, random_state=0)
        return spec

    run_parity(RandomizedSearchCV, RandomTuner, make_spec)


@pytest.mark.parametrize(
    "case_id", ["svc-loguniform-expon", "pipeline-randint-and-list"]
)
def test_random_parity_n_jobs_2(case_id):
    def make_spec():
        return RANDOM_CASES[case_id](0)

    run_parity(RandomizedSearchCV, RandomTuner, make_spec, n_jobs=2)


def test_random_n_iter_above_grid_size_warns():
    ours, theirs, rec_ours, rec_theirs = run_parity(
        RandomizedSearchCV,
        RandomTuner,
        lambda: RANDOM_CASES["all-lists-n_iter-above-grid-size"](0),
    )
    for record in (rec_ours, rec_theirs):
        msgs = [str(w.message) for w in record if w.category is UserWarning]
        assert any(m.startswith("The total space of parameters 6") for m in msgs)
    assert len(ours.cv_results_["params"]) == 6


def test_random_state_instance_is_consumed_like_sklearn():
    """Two fits with the same RandomState object sample different candidates,
    exactly as RandomizedSearchCV does."""
    rs_theirs, rs_ours = np.random.RandomState(0), np.random.RandomState(0)
    space = {"C": loguniform(1e-2, 1e2)}
    theirs = RandomizedSearchCV(SVC(), space, n_iter=2, cv=3, random_state=rs_theirs)
    ours = RandomTuner(SVC(), space, n_iter=2, cv=3, random_state=rs_ours)
    for _ in range(2):
        theirs.fit(X_IRIS, Y_IRIS)
        ours.fit(X_IRIS, Y_IRIS)
        assert_search_equal(ours, theirs, X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(rs_ours.get_state()[1], rs_theirs.get_state()[1])


# --- failing fits ----------------------------------------------------------

FAILING_SPACES = {
    "some-candidates-fail-in-fit": {"fail": ["never", "fit"], "shrink": [1.0, 0.5]},
    "some-splits-fail-in-fit": {"fail": ["never", "fit-odd"]},
    "scoring-fails": {"fail": ["never", "predict"]},
}


@pytest.mark.parametrize(
    "error_score", [np.nan, 0.0, -1], ids=["error_score=nan", "0.0", "-1"]
)
@pytest.mark.parametrize("space_id", list(FAILING_SPACES))
@pytest.mark.parametrize(
    "scoring",
    [None, ["accuracy", "balanced_accuracy"], dict_scorer],
    ids=["single-metric", "multimetric", "callable-dict"],
)
def test_failing_fits_error_score(space_id, error_score, scoring):
    refit = "accuracy" if isinstance(scoring, list) else True
    refit = "acc" if scoring is dict_scorer else refit

    def make_spec():
        return case(
            FailingClassifier(),
            FAILING_SPACES[space_id],
            X_BIN,
            Y_BIN,
            error_score=error_score,
            scoring=scoring,
            refit=refit,
            return_train_score=True,
        )

    if scoring is dict_scorer and space_id == "scoring-fails":
        # scikit-learn stores the scalar error_score where a dict is expected
        # and fails aggregating the scores: the tuner must fail alike.
        run_parity(GridSearchCV, GridTuner, make_spec, expect_error=TypeError)
        return
    ours, theirs, rec_ours, rec_theirs = run_parity(GridSearchCV, GridTuner, make_spec)
    fit_failed = Counter(w.category for w in rec_theirs)[FitFailedWarning]
    assert Counter(w.category for w in rec_ours)[FitFailedWarning] == fit_failed
    assert fit_failed == (0 if space_id == "scoring-fails" else 1)


def test_failing_fits_random_tuner():
    def make_spec():
        return case(
            FailingClassifier(),
            {"fail": ["never", "fit", "fit-odd"], "shrink": uniform(0.5, 1.0)},
            X_BIN,
            Y_BIN,
            n_iter=5,
            random_state=0,
        )

    run_parity(RandomizedSearchCV, RandomTuner, make_spec)


@pytest.mark.parametrize(
    "space",
    [{"fail": ["never", "fit"]}, {"fail": ["never", "predict"]}],
    ids=["fails-in-fit", "fails-in-scoring"],
)
def test_error_score_raise(space):
    errors = []
    for cls in (GridSearchCV, GridTuner):
        search = cls(FailingClassifier(), space, cv=3, error_score="raise")
        with pytest.raises(Exception) as excinfo:
            search.fit(X_BIN, Y_BIN)
        errors.append(excinfo.type)
    assert errors[0] is FitError
    assert errors[1] is errors[0]


@pytest.mark.parametrize(
    "search_cls,tuner_cls,kwargs",
    [
        (GridSearchCV, GridTuner, {}),
        (RandomizedSearchCV, RandomTuner, {"n_iter": 2, "random_state": 0}),
    ],
    ids=["grid", "random"],
)
def test_all_fits_failing_raises(search_cls, tuner_cls, kwargs):
    space = {"fail": ["fit"], "shrink": [1.0, 2.0]}
    for cls in (search_cls, tuner_cls):
        search = cls(FailingClassifier(), space, cv=3, **kwargs)
        with pytest.raises(ValueError, match="All the .* fits failed"):
            search.fit(X_BIN, Y_BIN)


def test_error_score_invalid_string():
    errors = []
    for cls in (GridSearchCV, GridTuner):
        search = cls(logreg(), {"C": [1.0]}, cv=3, error_score="bogus")
        with pytest.raises(Exception) as excinfo:
            search.fit(X_IRIS, Y_IRIS)
        errors.append(excinfo.type)
    assert errors[1] is errors[0]


# --- attributes and delegation ---------------------------------------------


@pytest.mark.parametrize(
    "case_id",
    [
        "logreg-iris",
        "ridge-diabetes",
        "unsupervised-pca",
        "refit-false",
        "pipeline-swap-step-and-passthrough",
        "pandas-dataframe-series",
    ],
)
def test_attributes_and_delegated_methods(case_id):
    ours, theirs, _, _ = run_parity(GridSearchCV, GridTuner, GRID_CASES[case_id])
    spec = GRID_CASES[case_id]()
    for name in ("predict", "transform", "score", "score_samples"):
        # present on ours exactly when present on theirs (also in run_parity)
        assert hasattr(ours, name) == hasattr(theirs, name)
    if theirs.refit:
        assert isinstance(ours.refit_time_, float)
        assert ours.n_features_in_ == theirs.n_features_in_
        assert_estimator_params_equal(ours.best_estimator_, theirs.best_estimator_)
    else:
        for name in ("predict", "transform", "best_estimator_", "refit_time_"):
            assert not hasattr(ours, name)
        for search in (ours, theirs):
            with pytest.raises(AttributeError):
                search.predict(spec["X"])
            # score is a plain method: present, but raises AttributeError
            assert hasattr(search, "score")
            with pytest.raises(AttributeError, match="refit=False"):
                search.score(spec["X"], spec["y"])
    if case_id == "pandas-dataframe-series":
        np.testing.assert_array_equal(ours.feature_names_in_, IRIS_COLUMNS)


def test_refit_false_method_availability():
    """With refit=False the delegated methods are absent, except score, which
    is always defined and raises AttributeError when called."""
    for cls in (GridSearchCV, GridTuner):
        search = cls(logreg(), {"C": [1.0]}, cv=3, refit=False).fit(X_IRIS, Y_IRIS)
        for name in ("predict", "predict_proba", "predict_log_proba"):
            assert not hasattr(search, name), (cls.__name__, name)
        for name in ("decision_function", "transform", "inverse_transform"):
            assert not hasattr(search, name), (cls.__name__, name)
        assert hasattr(search, "score")
        with pytest.raises(AttributeError, match="refit=False"):
            search.score(X_IRIS, Y_IRIS)


# --- verbose ---------------------------------------------------------------

_TIME = re.compile(r" total time=\s*[0-9.]+(s|min)$")
_DOTS = re.compile(r"END \.+")


# Prefixes of lines the tuners may print on top of scikit-learn's. The promise
# is the same output, so this is empty: a deliberate extension (e.g. progress
# lines) must be named here.
TUNER_ONLY_LINE_PREFIXES = ("[skhyper]",)


def _normalize_verbose(out):
    lines = []
    for line in out.splitlines():
        if TUNER_ONLY_LINE_PREFIXES and line.startswith(TUNER_ONLY_LINE_PREFIXES):
            continue
        line = _TIME.sub("", line.rstrip())
        line = _DOTS.sub("END ", line)
        lines.append(line)
    return Counter(lines)


@pytest.mark.parametrize("verbose", [1, 2, 3])
@pytest.mark.parametrize(
    "search_cls,tuner_cls,kwargs",
    [
        (GridSearchCV, GridTuner, {"scoring": None}),
        (
            GridSearchCV,
            GridTuner,
            {
                "scoring": ["accuracy", "f1_macro"],
                "refit": "accuracy",
                "return_train_score": True,
            },
        ),
        (RandomizedSearchCV, RandomTuner, {"n_iter": 2, "random_state": 0}),
    ],
    ids=["grid", "grid-multimetric-train", "random"],
)
def test_verbose_output(capsys, verbose, search_cls, tuner_cls, kwargs):
    outputs = []
    for cls in (search_cls, tuner_cls):
        search = cls(
            logreg(), {"C": [0.1, 1.0]}, cv=3, verbose=verbose, n_jobs=1, **kwargs
        )
        capsys.readouterr()
        search.fit(X_IRIS, Y_IRIS)
        outputs.append(capsys.readouterr().out)
    theirs, ours = (_normalize_verbose(o) for o in outputs)
    assert theirs  # sanity: sklearn prints something at verbose >= 1
    assert ours == theirs


def _ordered_cv_lines(out):
    return [
        _DOTS.sub("END ", _TIME.sub("", line.rstrip()))
        for line in out.splitlines()
        if line.startswith("[CV")
    ]


@pytest.mark.parametrize("verbose", [3, 10])
def test_verbose_lines_in_sklearns_order_when_a_fold_is_one_task(capsys, verbose):
    # A shared expensive step (PCA) makes each fold one task holding every
    # candidate: lines still come candidate by candidate, split by split.
    from sklearn.decomposition import PCA

    pipe = Pipeline([("reduce", PCA(n_components=2)), ("clf", logreg())])
    grid = {"clf__C": [0.1, 1.0, 10.0]}
    outputs = []
    for cls in (GridSearchCV, GridTuner):
        capsys.readouterr()
        cls(pipe, grid, cv=3, verbose=verbose, n_jobs=1).fit(X_IRIS, Y_IRIS)
        outputs.append(_ordered_cv_lines(capsys.readouterr().out))
    theirs, ours = outputs
    assert len(theirs) == (18 if verbose > 9 else 9)
    assert ours == theirs
