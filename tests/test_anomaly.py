"""skhyper.anomaly: scorers, label-free criteria, splitters, Transductive, checks."""

import doctest
import importlib
import pickle
import pkgutil
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    auc,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    get_scorer,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import skhyper
import skhyper.anomaly
from skhyper import GridTuner, RandomTuner
from skhyper.anomaly import (
    NoveltySplit,
    Transductive,
    check_threshold_grid,
    default_cv,
    load_outlier_dataset,
    make_excess_mass_scorer,
    make_mass_volume_scorer,
    make_outlier_scorer,
)
from skhyper.anomaly._level_sets import (
    LevelSetScorer,
    _upper_envelope,
    excess_mass_area,
    mass_volume_area,
)
from skhyper.anomaly._scoring import precision_at_n

from . import extras

# -- fixtures ------------------------------------------------------------------


def _data(n_inliers=90, n_outliers=10, seed=0):
    """Inliers around 0, outliers further out, outliers last (y == 1)."""
    rng = np.random.RandomState(seed)
    inliers = rng.normal(size=(n_inliers, 2))
    outliers = rng.uniform(-6, 6, size=(n_outliers, 2))
    X = np.concatenate([inliers, outliers])
    y = np.r_[np.zeros(n_inliers, dtype=int), np.ones(n_outliers, dtype=int)]
    return X, y


X, Y = _data()


class FakePyOD:
    """A PyOD-style detector: a plain object, as PyOD's BaseDetector is.

    ``decision_function`` is higher for more anomalous samples, ``predict``
    gives 1 for outliers and 0 for inliers, and a fit leaves
    ``decision_scores_``, ``threshold_`` and ``labels_``.
    """

    def __init__(self, contamination=0.1, power=1.0):
        self.contamination = contamination
        self.power = power

    def get_params(self, deep=True):
        return {"contamination": self.contamination, "power": self.power}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        self.center_ = X.mean(axis=0)
        self.decision_scores_ = self.decision_function(X)
        self.threshold_ = np.percentile(
            self.decision_scores_, 100 * (1 - self.contamination)
        )
        self.labels_ = (self.decision_scores_ > self.threshold_).astype(int)
        return self

    def decision_function(self, X):
        d = np.linalg.norm(np.asarray(X, dtype=float) - self.center_, axis=1)
        return d**self.power

    def predict(self, X):
        return (self.decision_function(X) > self.threshold_).astype(int)

    def _process_decision_scores(self):
        """PyOD's BaseDetector has this; skhyper takes it as PyOD's mark."""


class FakePyODEstimator(FakePyOD, BaseEstimator):
    """The same, with scikit-learn's tags, so that it can be tuned on any sklearn.

    (scikit-learn >= 1.7 searches call ``get_tags`` on the estimator, which
    fails for a plain object.)
    """


def _sklearn_detectors():
    return [
        IsolationForest(n_estimators=30, random_state=0),
        OneClassSVM(gamma=0.3, nu=0.1),
        LocalOutlierFactor(n_neighbors=15, novelty=True),
        EllipticEnvelope(random_state=0),
        make_pipeline(StandardScaler(), OneClassSVM(gamma=0.5)),
    ]


DETECTORS = _sklearn_detectors() + [FakePyOD(), FakePyODEstimator()]
DETECTOR_IDS = [
    "IsolationForest",
    "OneClassSVM",
    "LOF-novelty",
    "EllipticEnvelope",
    "Pipeline-OCSVM",
    "FakePyOD",
    "FakePyODEstimator",
]


def _hand_anomaly_score(detector, X):
    if isinstance(detector, FakePyOD):
        return detector.decision_function(X)  # higher is more anomalous
    return -detector.score_samples(X)  # sklearn: higher is more normal


def _hand_predicted_outlier(detector, X):
    if isinstance(detector, FakePyOD):
        return (detector.predict(X) == 1).astype(int)
    return (detector.predict(X) == -1).astype(int)


# y encodings: (labels, outlier_label)
LABELINGS = {
    "01": (Y, 1),  # 1 marks outliers (most data sets)
    "sklearn": (np.where(Y == 1, -1, 1), -1),  # scikit-learn's convention
    "10": (1 - Y, 0),  # 0 marks outliers
    "strings": (np.where(Y == 1, "anomaly", "normal"), "anomaly"),
}

HAND = {
    "roc_auc": (roc_auc_score, "score", {}),
    "average_precision": (average_precision_score, "score", {}),
    "f1": (f1_score, "predict", {"zero_division": 0.0}),
    "precision": (precision_score, "predict", {"zero_division": 0.0}),
    "recall": (recall_score, "predict", {"zero_division": 0.0}),
    "balanced_accuracy": (balanced_accuracy_score, "predict", {}),
}


# -- make_outlier_scorer ---------------------------------------------------------


@pytest.mark.parametrize("detector", DETECTORS, ids=DETECTOR_IDS)
@pytest.mark.parametrize("labeling", list(LABELINGS))
def test_scorer_equals_hand_computation(detector, labeling):
    y, outlier_label = LABELINGS[labeling]
    X_train, X_test = X[::2], X[1::2]
    fitted = clone(detector).fit(X_train)
    truth = (Y[1::2] == 1).astype(int)
    for metric, (func, response, kwargs) in HAND.items():
        scorer = make_outlier_scorer(metric, outlier_label=outlier_label)
        if response == "score":
            expected = func(truth, _hand_anomaly_score(fitted, X_test))
        else:
            expected = func(truth, _hand_predicted_outlier(fitted, X_test), **kwargs)
        got = scorer(fitted, X_test, y[1::2])
        assert got == pytest.approx(expected, abs=1e-12), metric
    assert 0.8 < make_outlier_scorer()(fitted, X_test, Y[1::2] == 1) <= 1


def test_naive_roc_auc_scores_the_wrong_class():
    """What the scorer fixes: scoring='roc_auc' with y == 1 for outliers."""
    detector = IsolationForest(random_state=0).fit(X)
    naive = get_scorer("roc_auc")(detector, X, Y)
    ours = make_outlier_scorer("roc_auc")(detector, X, Y)
    assert ours > 0.9
    assert naive == pytest.approx(1 - ours)


def test_precision_at_n_by_hand():
    y = np.array([1, 0, 1, 0, 0, 1])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3])
    # n = 3 outliers; the top 3 scores (0.9, 0.8, 0.7) hold 2 outliers.
    assert precision_at_n(y, score) == pytest.approx(2 / 3)
    # Ties at the cut count by expectation: top 1 of {0.5 (outlier), 0.5 (inlier)}.
    assert precision_at_n([1, 0, 0], [0.5, 0.5, 0.1]) == pytest.approx(0.5)
    detector = IsolationForest(random_state=0).fit(X)
    got = make_outlier_scorer("precision_at_n")(detector, X, Y)
    assert got == pytest.approx(precision_at_n(Y, -detector.score_samples(X)))


def test_threshold_metric_uses_predictions_and_kwargs():
    detector = IsolationForest(contamination=0.1, random_state=0).fit(X)
    pred = (detector.predict(X) == -1).astype(int)
    scorer = make_outlier_scorer("fbeta", beta=2)
    assert scorer(detector, X, Y) == pytest.approx(fbeta_score(Y, pred, beta=2))
    assert "beta=2" in repr(scorer)


def test_callable_metric_needs_response():
    def top_gap(y_true, score):
        return float(score[y_true == 1].mean() - score[y_true == 0].mean())

    with pytest.raises(ValueError, match="response='score'"):
        make_outlier_scorer(top_gap)
    detector = IsolationForest(random_state=0).fit(X)
    scorer = make_outlier_scorer(top_gap, response="score")
    anomaly = -detector.score_samples(X)
    assert scorer(detector, X, Y) == pytest.approx(
        anomaly[Y == 1].mean() - anomaly[Y == 0].mean()
    )


def test_scorer_sample_weight():
    detector = IsolationForest(random_state=0).fit(X)
    w = np.linspace(0.5, 2, len(Y))
    got = make_outlier_scorer("roc_auc")(detector, X, Y, sample_weight=w)
    assert got == pytest.approx(
        roc_auc_score(Y, -detector.score_samples(X), sample_weight=w)
    )


@pytest.mark.parametrize(
    "y, label, match",
    [
        (None, 1, "needs the labels y"),
        (np.arange(len(Y)) % 3, 1, "two labels"),
        (Y, -1, "outlier_label=-1 is not one of the labels"),
        (np.zeros(len(Y), dtype=int), 1, "no outlier"),
        (np.ones(len(Y), dtype=int), 1, "no inlier"),
    ],
)
def test_scorer_bad_labels(y, label, match):
    detector = IsolationForest(random_state=0).fit(X)
    with pytest.raises(ValueError, match=match):
        make_outlier_scorer("roc_auc", outlier_label=label)(detector, X, y)


def test_scorer_bad_arguments():
    with pytest.raises(ValueError, match="metric must be one of"):
        make_outlier_scorer("auc")
    with pytest.raises(ValueError, match="convention must be one of"):
        make_outlier_scorer(convention="pyodd")
    with pytest.raises(ValueError, match="computed on response='score'"):
        make_outlier_scorer("roc_auc", response="predict")
    with pytest.raises(ValueError, match="needs beta"):
        make_outlier_scorer("fbeta")


def test_scorer_convention_rule_and_override():
    sk = IsolationForest(random_state=0).fit(X)
    with pytest.raises(ValueError, match="pass convention='sklearn'"):
        make_outlier_scorer("f1", convention="pyod")(sk, X, Y)
    # Forcing the other orientation of a ranking metric flips the AUC.
    forced = make_outlier_scorer("roc_auc", convention="pyod")(sk, X, Y)
    assert forced == pytest.approx(1 - make_outlier_scorer()(sk, X, Y))
    # Neither convention recognisable: a TypeError naming the way out.
    clf = LogisticRegression().fit(X, Y)
    with pytest.raises(TypeError, match="Pass convention='sklearn'"):
        make_outlier_scorer()(clf, X, Y)


def test_scorer_warns_when_minus_one_marks_the_majority():
    detector = IsolationForest(random_state=0).fit(X)
    y_sklearn = np.where(Y == 1, -1, 1)  # sklearn's convention, default label 1
    with pytest.warns(UserWarning, match="pass outlier_label=-1"):
        make_outlier_scorer()(detector, X, y_sklearn)


def test_fit_predict_only_detector_is_pointed_to_transductive():
    lof = LocalOutlierFactor().fit(X)
    with pytest.raises(TypeError, match="Transductive"):
        make_outlier_scorer()(lof, X, Y)
    with pytest.raises(TypeError, match="Transductive"):
        make_outlier_scorer("f1")(lof, X, Y)


def test_scorers_pickle_and_repr():
    scorers = [
        make_outlier_scorer("average_precision", outlier_label=-1),
        make_mass_volume_scorer(n_samples=1000),
        make_excess_mass_scorer(t_max=0.8),
    ]
    detector = IsolationForest(random_state=0).fit(X)
    for scorer in scorers:
        again = pickle.loads(pickle.dumps(scorer))
        assert repr(again) == repr(scorer)
    y_sklearn = np.where(Y == 1, -1, 1)
    assert pickle.loads(pickle.dumps(scorers[0]))(detector, X, y_sklearn) == (
        scorers[0](detector, X, y_sklearn)
    )
    assert repr(scorers[0]) == (
        "make_outlier_scorer('average_precision', outlier_label=-1)"
    )
    assert repr(scorers[1]) == "make_mass_volume_scorer(n_samples=1000)"
    assert repr(scorers[2]) == "make_excess_mass_scorer(t_max=0.8)"


def test_scorers_with_metadata_routing_and_cross_validate():
    from sklearn import config_context
    from sklearn.model_selection import cross_validate

    scoring = {"auc": make_outlier_scorer(), "mv": make_mass_volume_scorer()}
    cv = NoveltySplit(3, random_state=0)
    est = IsolationForest(n_estimators=10, random_state=0)
    with config_context(enable_metadata_routing=True):
        tuner = GridTuner(
            est, {"max_features": [0.5, 1.0]}, scoring=scoring, refit="auc", cv=cv
        ).fit(X, Y)
    ref = cross_validate(est.set_params(max_features=0.5), X, Y, cv=cv, scoring=scoring)
    assert tuner.cv_results_["mean_test_auc"][0] == pytest.approx(
        ref["test_auc"].mean()
    )
    assert tuner.cv_results_["mean_test_mv"][0] == pytest.approx(ref["test_mv"].mean())


def test_multimetric_in_tuner_and_sklearn_search_agree():
    scoring = {
        "auc": make_outlier_scorer("roc_auc"),
        "ap": make_outlier_scorer("average_precision"),
        "f1": make_outlier_scorer("f1"),
    }
    grid = {"n_estimators": [10, 30], "contamination": [0.05, 0.1]}
    cv = StratifiedKFold(3)
    est = IsolationForest(random_state=0)
    ours = GridTuner(est, grid, scoring=scoring, refit="auc", cv=cv, n_jobs=2)
    ours.fit(X, Y)
    ref = GridSearchCV(est, grid, scoring=scoring, refit="auc", cv=cv).fit(X, Y)
    for key in ("mean_test_auc", "mean_test_ap", "mean_test_f1", "rank_test_auc"):
        np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key])
    assert ours.best_params_ == ref.best_params_
    # contamination (rows) does not change a ranking score; it changes f1.
    assert ours.cv_results_["params"][1] == {"contamination": 0.05, "n_estimators": 30}
    auc_ = ours.cv_results_["mean_test_auc"].reshape(2, 2)
    np.testing.assert_allclose(auc_[0], auc_[1])
    f1 = ours.cv_results_["mean_test_f1"].reshape(2, 2)
    assert not np.allclose(f1[0], f1[1])


def test_pyod_style_detector_tuned():
    grid = {"power": [1.0, 2.0], "contamination": [0.05, 0.1, 0.2]}
    tuner = GridTuner(
        FakePyODEstimator(),
        grid,
        scoring={"auc": make_outlier_scorer(), "f1": make_outlier_scorer("f1")},
        refit="f1",
        cv=StratifiedKFold(3),
    ).fit(X, Y)
    # The distance to the mean ranks the same whatever the power.
    auc_ = tuner.cv_results_["mean_test_auc"]
    np.testing.assert_allclose(auc_, auc_[0])
    assert auc_[0] > 0.9
    assert tuner.best_params_["contamination"] == 0.1  # the true share of outliers
    assert set(np.unique(tuner.predict(X))) == {0, 1}


# -- default folds ---------------------------------------------------------------


def test_default_cv_stratifies_detectors_with_labels():
    cv = default_cv(IsolationForest(), None, Y)
    assert isinstance(cv, StratifiedKFold) and cv.n_splits == 5
    assert default_cv(IsolationForest(), 3, Y).n_splits == 3
    pipe = make_pipeline(StandardScaler(), LocalOutlierFactor(novelty=True))
    assert isinstance(default_cv(pipe, None, Y), StratifiedKFold)
    assert isinstance(
        default_cv(Transductive(LocalOutlierFactor()), 4, Y), StratifiedKFold
    )
    assert isinstance(default_cv(FakePyOD(), 4, Y), StratifiedKFold)
    # Unchanged: no labels, not a detector, a splitter, splits, continuous y.
    assert default_cv(IsolationForest(), None, None) is None
    assert default_cv(LogisticRegression(), 3, Y) == 3
    splitter = KFold(4)
    assert default_cv(IsolationForest(), splitter, Y) is splitter
    splits = [(np.arange(50), np.arange(50, 100))]
    assert default_cv(IsolationForest(), splits, Y) is splits
    assert default_cv(IsolationForest(), 3, np.linspace(0, 1, 100)) == 3
    assert default_cv(IsolationForest(), True, Y) is True


def test_stratified_default_folds_all_contain_outliers():
    # Outliers last: plain KFold (what check_cv gives a detector) leaves every
    # fold but the last without an outlier, and AUC undefined there.
    kfold_counts = [Y[test].sum() for _, test in KFold(5).split(X, Y)]
    assert kfold_counts == [0, 0, 0, 0, 10]
    cv = default_cv(IsolationForest(), None, Y)
    counts = [Y[test].sum() for _, test in cv.split(X, Y)]
    assert counts == [2, 2, 2, 2, 2]
    tuner = GridTuner(
        IsolationForest(random_state=0),
        {"n_estimators": [10, 20]},
        scoring=make_outlier_scorer(),
        cv=default_cv(IsolationForest(), None, Y),
    ).fit(X, Y)
    assert np.isfinite(tuner.cv_results_["split4_test_score"]).all()


@pytest.mark.parametrize("cv", [None, 4])
def test_tuner_default_folds_are_stratified_for_detectors(cv):
    tuner = GridTuner(
        IsolationForest(random_state=0),
        {"n_estimators": [10, 20]},
        scoring=make_outlier_scorer(),
        cv=cv,
    ).fit(X, Y)
    n = 5 if cv is None else cv
    assert tuner.n_splits_ == n
    scores = [tuner.cv_results_[f"split{i}_test_score"] for i in range(n)]
    assert np.isfinite(scores).all()
    ref = GridSearchCV(
        IsolationForest(random_state=0),
        {"n_estimators": [10, 20]},
        scoring=make_outlier_scorer(),
        cv=StratifiedKFold(n),
    ).fit(X, Y)
    np.testing.assert_allclose(
        tuner.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )


# -- NoveltySplit ----------------------------------------------------------------


@pytest.mark.parametrize("test_outliers", ["split", "all"])
def test_novelty_split_keeps_outliers_out_of_training(test_outliers):
    cv = NoveltySplit(4, test_outliers=test_outliers, random_state=0)
    splits = list(cv.split(X, Y))
    assert len(splits) == cv.get_n_splits() == 4
    tested_inliers, tested_outliers = [], []
    for train, test in splits:
        assert Y[train].sum() == 0
        assert not set(train) & set(test)
        assert set(train) | set(test[Y[test] == 0]) == set(np.flatnonzero(Y == 0))
        assert Y[test].sum() >= 2
        tested_inliers += list(test[Y[test] == 0])
        tested_outliers += list(test[Y[test] == 1])
    assert sorted(tested_inliers) == list(np.flatnonzero(Y == 0))  # each once
    if test_outliers == "split":
        assert sorted(tested_outliers) == list(np.flatnonzero(Y == 1))
    else:
        assert len(tested_outliers) == 4 * 10
    again = [t for _, t in cv.split(X, Y)]
    assert all(np.array_equal(a, b) for a, (_, b) in zip(again, splits))


def test_novelty_split_labels_and_errors():
    y = np.where(Y == 1, -1, 1)
    for train, _ in NoveltySplit(3, outlier_label=-1, shuffle=False).split(X, y):
        assert (y[train] == 1).all()
    with pytest.raises(ValueError, match="needs the labels"):
        next(NoveltySplit().split(X, None))
    with pytest.raises(ValueError, match="greater than the number of outliers"):
        next(NoveltySplit(11).split(X, Y))
    with pytest.raises(ValueError, match="holds no outlier"):
        next(NoveltySplit().split(X, np.zeros(len(Y))))
    with pytest.raises(ValueError, match="random_state has no effect"):
        next(NoveltySplit(shuffle=False, random_state=0).split(X, Y))
    with pytest.raises(ValueError, match="n_splits == 1, must be >= 2"):
        next(NoveltySplit(1).split(X, Y))
    with pytest.raises(TypeError, match="n_splits must be an instance of int"):
        next(NoveltySplit(2.0).split(X, Y))
    with pytest.raises(TypeError, match="shuffle must be an instance of"):
        next(NoveltySplit(shuffle=1).split(X, Y))
    assert "test_outliers='split'" in repr(NoveltySplit())


def test_novelty_split_in_tuner():
    cv = NoveltySplit(3, random_state=0)
    pipe = make_pipeline(StandardScaler(), OneClassSVM())
    grid = {"oneclasssvm__gamma": [0.1, 1.0], "oneclasssvm__nu": [0.05, 0.2]}
    tuner = GridTuner(pipe, grid, scoring=make_outlier_scorer(), cv=cv).fit(X, Y)
    ref = GridSearchCV(pipe, grid, scoring=make_outlier_scorer(), cv=cv).fit(X, Y)
    np.testing.assert_allclose(
        tuner.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )
    assert tuner.best_score_ > 0.9


# -- Transductive (LocalOutlierFactor with novelty=False) -------------------------


def test_transductive_values_are_those_of_the_union_fit():
    X_train, X_new = X[:70], X[70:]
    wrapped = Transductive(LocalOutlierFactor(n_neighbors=10)).fit(X_train)
    union = np.concatenate([X_train, X_new])
    lof = LocalOutlierFactor(n_neighbors=10)
    labels = lof.fit_predict(union)
    np.testing.assert_array_equal(wrapped.predict(X_new), labels[70:])
    nof = lof.negative_outlier_factor_
    np.testing.assert_allclose(wrapped.score_samples(X_new), nof[70:])
    np.testing.assert_allclose(wrapped.decision_function(X_new), nof[70:] - lof.offset_)
    # On the training data itself: the fit on that data, no duplicated rows.
    alone = LocalOutlierFactor(n_neighbors=10)
    np.testing.assert_array_equal(
        wrapped.fit_predict(X_train), alone.fit_predict(X_train)
    )
    np.testing.assert_allclose(
        wrapped.score_samples(X_train), alone.negative_outlier_factor_
    )


def test_transductive_is_a_proper_estimator():
    wrapped = Transductive(LocalOutlierFactor(n_neighbors=7))
    params = wrapped.get_params()
    assert params["estimator__n_neighbors"] == 7
    other = clone(wrapped).set_params(estimator__n_neighbors=3)
    assert other.estimator.n_neighbors == 3 and wrapped.estimator.n_neighbors == 7
    fitted = pickle.loads(pickle.dumps(wrapped.fit(X)))
    assert fitted.n_features_in_ == 2
    assert fitted.predict(X[:3]).shape == (3,)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(np.zeros((2, 3)))


@pytest.mark.parametrize("Tuner", [GridTuner, RandomTuner])
def test_lof_novelty_false_tuned_end_to_end(Tuner):
    wrapped = Transductive(LocalOutlierFactor())
    space = {"estimator__n_neighbors": [3, 10, 30]}
    extra = {"n_iter": 3, "random_state": 0} if Tuner is RandomTuner else {}
    cv = default_cv(wrapped, 3, Y)
    tuner = Tuner(
        wrapped,
        space,
        scoring={"auc": make_outlier_scorer(), "f1": make_outlier_scorer("f1")},
        refit="auc",
        cv=cv,
        return_train_score=True,
        **extra,
    ).fit(X, Y)
    results = tuner.cv_results_
    # Hand computation of each split: LOF(novelty=False) fitted on train + test.
    for i, params in enumerate(results["params"]):
        k = params["estimator__n_neighbors"]
        for s, (train, test) in enumerate(cv.split(X, Y)):
            lof = LocalOutlierFactor(n_neighbors=k)
            labels = lof.fit_predict(np.concatenate([X[train], X[test]]))
            n = len(train)
            expected = roc_auc_score(Y[test], -lof.negative_outlier_factor_[n:])
            assert results[f"split{s}_test_auc"][i] == pytest.approx(expected)
            f1 = f1_score(Y[test], labels[n:] == -1)
            assert results[f"split{s}_test_f1"][i] == pytest.approx(f1)
            train_lof = LocalOutlierFactor(n_neighbors=k).fit(X[train])
            assert results[f"split{s}_train_auc"][i] == pytest.approx(
                roc_auc_score(Y[train], -train_lof.negative_outlier_factor_)
            )
    best = results["params"][np.argmax(results["mean_test_auc"])]
    assert tuner.best_params_ == best
    assert tuner.best_score_ > 0.9
    assert tuner.predict(np.array([[0.0, 0.0], [5.5, 5.5]])).tolist() == [1, -1]


# -- contamination warning ---------------------------------------------------------


def _warnings(func, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func(*args)
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


CONTAMINATION_ONLY = [{"contamination": c} for c in (0.05, 0.1, 0.2)]


@pytest.mark.parametrize(
    "scoring",
    [
        "roc_auc",
        "average_precision",
        make_outlier_scorer(),
        make_outlier_scorer("precision_at_n"),
        make_mass_volume_scorer(),
        {"auc": make_outlier_scorer(), "em": make_excess_mass_scorer()},
        ["roc_auc", "average_precision"],
    ],
    ids=["roc_auc", "ap", "scorer", "p@n", "mv", "dict", "list"],
)
def test_contamination_only_grid_warns(scoring):
    messages = _warnings(
        check_threshold_grid, IsolationForest(), CONTAMINATION_ONLY, scoring
    )
    assert len(messages) == 1
    assert "differ only in 'contamination'" in messages[0]
    assert "every candidate scores the same" in messages[0]


def test_contamination_warning_cases():
    # Varied with other parameters: a different message.
    mixed = [
        {"n_estimators": n, "contamination": c} for n in (10, 20) for c in (0.1, 0.2)
    ]
    (message,) = _warnings(check_threshold_grid, IsolationForest(), mixed, "roc_auc")
    assert "vary 'contamination'" in message
    # Nested names, in a pipeline.
    pipe = make_pipeline(StandardScaler(), LocalOutlierFactor(novelty=True))
    nested = [{"localoutlierfactor__contamination": c} for c in (0.1, 0.2)]
    assert _warnings(check_threshold_grid, pipe, nested, make_outlier_scorer())
    wrapped = Transductive(LocalOutlierFactor())
    nested = [{"estimator__contamination": c} for c in (0.1, 0.2)]
    assert _warnings(check_threshold_grid, wrapped, nested, "roc_auc")
    # No warning: a threshold metric among the scorers, a fixed contamination,
    # a non-detector, an unknown callable, a single candidate.
    quiet = [
        (IsolationForest(), CONTAMINATION_ONLY, make_outlier_scorer("f1")),
        (
            IsolationForest(),
            CONTAMINATION_ONLY,
            {"auc": make_outlier_scorer(), "f1": make_outlier_scorer("f1")},
        ),
        (
            IsolationForest(),
            [{"contamination": 0.1, "n_estimators": n} for n in (5, 10)],
            "roc_auc",
        ),
        (LogisticRegression(), CONTAMINATION_ONLY, "roc_auc"),
        (IsolationForest(), CONTAMINATION_ONLY, lambda est, X, y: 0.0),
        (IsolationForest(), CONTAMINATION_ONLY[:1], "roc_auc"),
        (IsolationForest(), CONTAMINATION_ONLY, None),
    ]
    for args in quiet:
        assert _warnings(check_threshold_grid, *args) == [], args


def test_tuner_warns_about_contamination_only_grid():
    tuner = GridTuner(
        IsolationForest(n_estimators=10, random_state=0),
        {"contamination": [0.05, 0.1]},
        scoring=make_outlier_scorer(),
        cv=StratifiedKFold(3),
    )
    with pytest.warns(UserWarning, match="differ only in 'contamination'"):
        tuner.fit(X, Y)


# -- Mass-Volume and Excess-Mass ---------------------------------------------------


def goix_em(t, t_max, volume_support, s_unif, s_X, n_generated):
    """Goix's ``em`` (EMMV_benchmarks/em.py), verbatim but for print."""
    EM_t = np.zeros(t.shape[0])
    n_samples = s_X.shape[0]
    s_X_unique = np.unique(s_X)
    EM_t[0] = 1.0
    for u in s_X_unique:
        EM_t = np.maximum(
            EM_t,
            1.0 / n_samples * (s_X > u).sum()
            - t * (s_unif > u).sum() / n_generated * volume_support,
        )
    amax = np.argmax(EM_t <= t_max) + 1
    if amax == 1:
        amax = -1
    AUC = auc(t[:amax], EM_t[:amax])
    return AUC, EM_t, amax


def goix_mv(axis_alpha, volume_support, s_unif, s_X, n_generated):
    """Goix's ``mv`` (EMMV_benchmarks/em.py), verbatim."""
    n_samples = s_X.shape[0]
    s_X_argsort = s_X.argsort()
    mass = 0
    cpt = 0
    u = s_X[s_X_argsort[-1]]
    mv = np.zeros(axis_alpha.shape[0])
    for i in range(axis_alpha.shape[0]):
        while mass < axis_alpha[i]:
            cpt += 1
            u = s_X[s_X_argsort[-cpt]]
            mass = 1.0 / n_samples * cpt
        mv[i] = float((s_unif >= u).sum()) / n_generated * volume_support
    return auc(axis_alpha, mv), mv


def _goix_reference(detector, X_eval, seed, n_generated):
    """Goix's protocol (em_bench.py) for a detector fitted beforehand."""
    lim_inf, lim_sup = X_eval.min(axis=0), X_eval.max(axis=0)
    volume_support = (lim_sup - lim_inf).prod()
    t = np.arange(0, 100 / volume_support, 0.01 / volume_support)
    axis_alpha = np.arange(0.9, 0.999, 0.0001)
    unif = np.random.RandomState(seed).uniform(
        lim_inf, lim_sup, size=(n_generated, X_eval.shape[1])
    )
    s_X = detector.decision_function(X_eval)
    s_unif = detector.decision_function(unif)
    em = goix_em(t, 0.9, volume_support, s_unif, s_X, n_generated)[0]
    mv = goix_mv(axis_alpha, volume_support, s_unif, s_X, n_generated)[0]
    return em, mv


@pytest.mark.parametrize("ties", [False, True])
def test_em_mv_areas_equal_goix_reference(ties):
    rng = np.random.RandomState(1)
    s_X = rng.normal(size=120)
    s_unif = rng.normal(-1, 2, size=3000)
    if ties:
        s_X, s_unif = np.round(s_X, 1), np.round(s_unif, 1)
    for volume in (0.5, 3.0, 40.0):
        t = np.arange(0, 100 / volume, 0.01 / volume)
        alphas = np.arange(0.9, 0.999, 0.0001)
        em_ref = goix_em(t, 0.9, volume, s_unif, s_X, s_unif.size)[0]
        mv_ref = goix_mv(alphas, volume, s_unif, s_X, s_unif.size)[0]
        assert excess_mass_area(s_X, s_unif, volume) == pytest.approx(em_ref, 1e-9)
        assert mass_volume_area(s_X, s_unif, volume) == pytest.approx(mv_ref, 1e-12)


def test_em_when_t_max_is_never_reached_keeps_the_grid():
    # Every uniform point scores below the data: Leb(s > u) = 0, EM stays high.
    s_X = np.linspace(1, 2, 50)
    s_unif = np.zeros(100)
    t = np.arange(0, 100 / 2.0, 0.01 / 2.0)
    ref, _, amax = goix_em(t, 0.9, 2.0, s_unif, s_X, 100)
    assert amax == -1
    assert excess_mass_area(s_X, s_unif, 2.0) == pytest.approx(ref)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1, allow_nan=False), st.sampled_from([0.0, 0.5, 1.0, 2.5])
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_upper_envelope_equals_brute_force(lines):
    a = np.array([line[0] for line in lines])
    b = np.array([line[1] for line in lines]) + a  # slopes tied to intercepts
    t = np.linspace(0, 3, 301)
    brute = (a[:, None] - b[:, None] * t[None, :]).max(axis=0)
    np.testing.assert_allclose(_upper_envelope(a, b, t), brute, atol=1e-12)


@pytest.mark.parametrize(
    "detector",
    [
        OneClassSVM(gamma=0.5, nu=0.1),
        IsolationForest(n_estimators=20, random_state=0),
        LocalOutlierFactor(n_neighbors=10, novelty=True),
    ],
    ids=["OneClassSVM", "IsolationForest", "LOF"],
)
def test_scorers_follow_goix_protocol_in_low_dimension(detector):
    X_train, X_test = X[::2], X[1::2]
    fitted = clone(detector).fit(X_train)
    em_ref, mv_ref = _goix_reference(fitted, X_test, seed=3, n_generated=4000)
    mv = make_mass_volume_scorer(n_samples=4000, random_state=3)
    em = make_excess_mass_scorer(n_samples=4000, random_state=3)
    assert mv(fitted, X_test) == pytest.approx(-mv_ref, rel=1e-9)
    assert em(fitted, X_test, None) == pytest.approx(em_ref, rel=1e-9)
    both = LevelSetScorer(n_samples=4000, random_state=3)(fitted, X_test)
    assert both == {
        "mass_volume": mv(fitted, X_test),
        "excess_mass": em(fitted, X_test),
    }


def test_pyod_scores_are_negated_for_em_mv():
    fitted = FakePyOD().fit(X[::2])
    sk_like = make_mass_volume_scorer(n_samples=2000, convention="pyod")
    s_X = -fitted.decision_function(X[1::2])
    lo, hi = X[1::2].min(axis=0), X[1::2].max(axis=0)
    unif = np.random.RandomState(0).uniform(lo, hi, size=(2000, 2))
    s_unif = -fitted.decision_function(unif)
    expected = -mass_volume_area(s_X, s_unif, np.prod(hi - lo))
    assert sk_like(fitted, X[1::2]) == pytest.approx(expected)
    assert make_mass_volume_scorer(n_samples=2000)(fitted, X[1::2]) == expected


class RecordingDetector(OutlierMixin, BaseEstimator):
    """A Gaussian-ish detector that records the shape of every fit."""

    fits = []

    def __init__(self, scale=1.0):
        self.scale = scale

    def fit(self, X, y=None):
        X = np.asarray(X)
        RecordingDetector.fits.append(X.shape)
        self.center_ = X.mean(axis=0)
        self.n_features_in_ = X.shape[1]
        return self

    def score_samples(self, X):
        return -self.scale * np.linalg.norm(np.asarray(X) - self.center_, axis=1)

    def predict(self, X):
        return np.where(self.score_samples(X) < -2, -1, 1)


def test_high_dimension_refits_on_feature_subsets():
    rng = np.random.RandomState(0)
    X8 = rng.normal(size=(60, 8))
    X8[:, 3] = 1.0  # a constant feature is never drawn
    fitted = RecordingDetector().fit(X8)
    RecordingDetector.fits.clear()
    scorer = make_mass_volume_scorer(
        n_samples=500, max_features=3, n_draws=4, refit_size=0.4
    )
    value = scorer(fitted, X8)
    assert RecordingDetector.fits == [(24, 3)] * 4
    assert np.isfinite(value) and value < 0
    assert scorer(fitted, X8) == value  # seeded: the same draws each call
    again = make_mass_volume_scorer(
        n_samples=500, max_features=3, n_draws=4, refit_size=0.4, random_state=1
    )
    assert again(fitted, X8) != value
    # At most max_features features: no refit, the fitted detector is used.
    RecordingDetector.fits.clear()
    make_excess_mass_scorer(n_samples=500, max_features=8)(fitted, X8)
    assert RecordingDetector.fits == []


def test_level_set_scorer_errors():
    with pytest.raises(TypeError, match="Transductive"):
        make_mass_volume_scorer()(Transductive(LocalOutlierFactor()).fit(X), X)
    with pytest.raises(ValueError, match="refit_size == 1.5, must be < 1"):
        make_mass_volume_scorer(refit_size=1.5)
    with pytest.raises(ValueError, match="t_max == nan, must be > 0 and < 1"):
        make_excess_mass_scorer(t_max=float("nan"))
    with pytest.raises(ValueError, match="n_samples == 0, must be >= 1"):
        make_excess_mass_scorer(n_samples=0)
    with pytest.raises(TypeError, match="n_draws must be an instance of int, not str"):
        make_mass_volume_scorer(n_draws="3")
    with pytest.raises(ValueError, match="'seed' cannot be used to seed"):
        make_mass_volume_scorer(random_state="seed")
    with pytest.raises(ValueError, match="alpha_min must be below alpha_max"):
        make_mass_volume_scorer(alpha_min=0.99, alpha_max=0.95)
    with pytest.raises(ValueError, match="each part needs at least 2"):
        make_mass_volume_scorer(max_features=1)(RecordingDetector().fit(X), X[:3])
    with pytest.raises(ValueError, match="constant"):
        make_mass_volume_scorer()(RecordingDetector().fit(X), np.ones((5, 2)))


def test_label_free_tuning_without_labels():
    X_blobs, y_blobs = load_outlier_dataset("blobs")
    grid = {"n_neighbors": [2, 40]}
    tuner = GridTuner(
        LocalOutlierFactor(novelty=True),
        grid,
        scoring={
            "mv": make_mass_volume_scorer(n_samples=5000),
            "em": make_excess_mass_scorer(n_samples=5000),
        },
        refit="mv",
        cv=3,
    ).fit(X_blobs)  # no y
    # The smooth density beats the 2-neighbour one on both criteria, and on AUC.
    assert tuner.best_params_ == {"n_neighbors": 40}
    em = tuner.cv_results_["mean_test_em"]
    assert em[1] > em[0]
    auc_ = make_outlier_scorer()
    assert auc_(tuner.best_estimator_, X_blobs, y_blobs) > 0.9


# -- data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shape, n_outliers",
    [
        ("breast_cancer", (378, 30), 21),
        ("wine", (129, 13), 10),
        ("digits", (198, 64), 18),
        ("blobs", (330, 2), 30),
    ],
)
def test_load_outlier_dataset(name, shape, n_outliers):
    X_, y_ = load_outlier_dataset(name)
    assert X_.shape == shape and y_.shape == (shape[0],)
    assert set(np.unique(y_)) == {0, 1} and y_.sum() == n_outliers
    X2, y2 = load_outlier_dataset(name)
    np.testing.assert_array_equal(X_, X2)
    np.testing.assert_array_equal(y_, y2)
    assert y_[: shape[0] // 2].sum() not in (0, n_outliers)  # rows are shuffled


def test_load_outlier_dataset_bad_name():
    with pytest.raises(ValueError, match="name must be one of"):
        load_outlier_dataset("iris")
    with pytest.raises(ValueError, match="'0' cannot be used to seed"):
        load_outlier_dataset("wine", random_state="0")


# -- the public API --------------------------------------------------------------

# Every public docstring passes numpydoc's validator: tests/test_docstrings.py.


def test_public_examples_are_collected_once():
    # pytest --doctest-modules takes a docstring from the module that defines
    # its object, not from those that re-export it (skhyper.anomaly re-exports
    # all of its names): every public example must still run, and only once.
    finder = doctest.DocTestFinder()
    docstrings = []
    not_collected = {  # pytest skips these too
        "skhyper.__main__",
        *(path[:-3].replace("/", ".") for path in extras.collect_ignore()),
    }
    for info in pkgutil.walk_packages(skhyper.__path__, "skhyper."):
        if info.name not in not_collected:
            module = importlib.import_module(info.name)
            docstrings += [
                test.docstring for test in finder.find(module) if test.examples
            ]
    for name in skhyper.anomaly.__all__:
        doc = getattr(skhyper.anomaly, name).__doc__
        assert docstrings.count(doc) == 1, name


# -- refused before any fit: detectors the scorer cannot score -------------------


class _CountingLOF(LocalOutlierFactor):
    fits = []

    def fit(self, X, y=None):
        type(self).fits.append(len(X))
        return super().fit(X, y)


@pytest.mark.parametrize(
    "scoring",
    [
        make_outlier_scorer("roc_auc"),
        make_outlier_scorer("f1"),
        make_mass_volume_scorer(),
        {"auc": make_outlier_scorer("roc_auc"), "ap": "accuracy"},
    ],
    ids=["roc_auc", "f1", "mass_volume", "dict"],
)
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_detector_without_methods_for_new_data_is_refused_before_any_fit(
    scoring, in_pipeline
):
    detector = _CountingLOF(novelty=False)
    estimator = make_pipeline(StandardScaler(), detector) if in_pipeline else detector
    prefix = "_countinglof__" if in_pipeline else ""
    grid = {prefix + "n_neighbors": [5, 10]}
    _CountingLOF.fits.clear()
    refit = "auc" if isinstance(scoring, dict) else True
    with pytest.raises(TypeError, match=r"Transductive.*novelty=True"):
        GridTuner(estimator, grid, cv=3, scoring=scoring, refit=refit).fit(X, Y)
    assert _CountingLOF.fits == []


def test_novelty_true_in_the_grid_is_checked_per_candidate():
    grid = {"novelty": [True, False]}
    with pytest.raises(TypeError, match="novelty=True"):
        GridTuner(
            LocalOutlierFactor(), grid, cv=3, scoring=make_outlier_scorer("roc_auc")
        ).fit(X, Y)
    ok = GridTuner(
        LocalOutlierFactor(),
        {"novelty": [True], "n_neighbors": [5, 10]},
        cv=3,
        scoring=make_outlier_scorer("roc_auc"),
    ).fit(X, Y)
    assert np.isfinite(ok.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("make", [make_mass_volume_scorer, make_excess_mass_scorer])
def test_level_set_scorers_refuse_a_pipeline_ending_in_transductive(make):
    pipe = make_pipeline(StandardScaler(), Transductive(LocalOutlierFactor()))
    with pytest.raises(TypeError, match="Transductive detector"):
        make()(pipe.fit(X), X)
    with pytest.raises(TypeError, match="Transductive detector"):
        GridTuner(
            pipe, {"transductive__estimator__n_neighbors": [5, 10]}, scoring=make()
        ).fit(X)
