"""Bad input fails before any fit, with a message naming the bad value."""

import re

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    RandomizedSearchCV,
)
from sklearn.pipeline import Pipeline

from skhyper import GridTuner, RandomTuner

from .conftest import tiny_classification_data
from .counting import CountingClassifier, CountingTransformer, reset_counts
from .utils import assert_cv_results_equal


def pipe():
    return Pipeline(
        [
            ("scale", CountingTransformer()),
            ("reduce", PCA(2)),
            ("clf", CountingClassifier()),
        ]
    )


def _fits():
    return len(CountingClassifier.fits) + len(CountingTransformer.fits)


def assert_fails_before_fit(tuner, error, match):
    X, y = tiny_classification_data()  # 30 samples: KFold(50) is too many
    reset_counts()
    with pytest.raises(error, match=match):
        tuner.fit(X, y)
    assert _fits() == 0, "a fit ran before the bad input was reported"
    assert not hasattr(tuner, "cv_results_")


BAD_GRIDS = [
    ({"C": 1.0}, TypeError, r"'C' needs to be a list .*got 1.0 .*param_grid\['C'\]"),
    ({"C": []}, ValueError, r"non-empty sequence, got: \[\] \(param_grid\['C'\]"),
    ({"C": "1.0"}, TypeError, r"got '1.0' \(of type str\).*param_grid\['C'\]"),
    ({"C": np.ones((2, 2))}, ValueError, r"shape \(2, 2\) \(param_grid\['C'\]\)"),
    ({"C": uniform()}, TypeError, r"param_grid\['C'\].*use RandomTuner"),
    ({"Cc": [1.0]}, ValueError, r"'Cc' is not a parameter.*Did you mean 'C'"),
    ({1: [1.0]}, TypeError, r"keys must be parameter names \(str\), got 1"),
    ("C", ValueError, r"'param_grid' parameter of GridTuner must be .*Got 'C' inst"),
    ([], ValueError, r"param_grid must not be an empty list"),
    ([{"C": [1.0]}, 3], TypeError, r"not a dict \(3\) \(param_grid\[1\] must be"),
    ([{"C": [1.0]}, {"C": []}], ValueError, r"param_grid\[1\]\['C'\]"),
]


@pytest.mark.parametrize("grid, error, match", BAD_GRIDS)
def test_bad_grid_fails_before_fit(grid, error, match):
    assert_fails_before_fit(GridTuner(CountingClassifier(), grid), error, match)


def test_sklearn_fits_what_we_reject(tiny_classification):
    X, y = tiny_classification
    # Why check first: scikit-learn meets a bad name only when it sets the
    # parameters of the candidate that has it, after other candidates' fits.
    grid = {"reduce": [PCA(2), SelectKBest(k=2)], "reduce__n_components": [2]}
    reset_counts()
    with pytest.raises(ValueError, match="n_components"):
        GridSearchCV(pipe(), grid, cv=2).fit(X, y)
    assert _fits() > 0
    assert_fails_before_fit(GridTuner(pipe(), grid, cv=2), ValueError, "n_components")


BAD_PIPELINE_GRIDS = [
    ({"clf__CC": [1.0]}, r"'clf__CC' is not a parameter.*Did you mean 'clf__C'"),
    ({"clff__C": [1.0]}, r"'clff__C' is not a parameter.*no parameter 'clff'"),
    (
        {"reduce": [PCA(2), SelectKBest(k=2)], "reduce__n_components": [2]},
        r"'reduce__n_components'.*SelectKBest has no parameter 'n_components'",
    ),
    ({"reduce": ["passthrough"], "reduce__n_components": [2]}, r"passthrough"),
]


@pytest.mark.parametrize("grid, match", BAD_PIPELINE_GRIDS)
def test_bad_pipeline_grid_fails_before_fit(grid, match):
    assert_fails_before_fit(GridTuner(pipe(), grid, cv=2), ValueError, match)


def test_good_pipeline_grids_pass_validation(tiny_classification):
    X, y = tiny_classification
    grids = [
        {"reduce": [PCA(2), SelectKBest(k=2)]},
        {"reduce": [PCA(), "passthrough"], "clf__C": [0.1, 1.0]},
        [{"reduce": [PCA()], "reduce__n_components": [2, 3]}, {"scale__factor": [2.0]}],
        {"clf": [CountingClassifier(C=2.0)], "clf__max_iter": [50]},
    ]
    for grid in grids:
        # the checks before any fit let every candidate through: the search
        # runs them all, and gives scikit-learn's results
        ours = GridTuner(pipe(), grid, cv=2).fit(X, y).cv_results_
        theirs = GridSearchCV(pipe(), grid, cv=2).fit(X, y).cv_results_
        assert len(ours["params"]) == len(ParameterGrid(grid))
        assert np.isfinite(ours["mean_test_score"]).all(), grid
        assert_cv_results_equal(ours, theirs)


BAD_DISTRIBUTIONS = [
    ({"C": object()}, TypeError, r"not iterable or a distribution \(value=<object"),
    ({"C": "abc"}, TypeError, r"param_distributions\['C'\] must be .*'abc' \(str\)"),
    ({"C": {1.0, 2.0}}, TypeError, r"param_distributions\['C'\] must be .*\(set\)"),
    ({"C": []}, ValueError, r"non-empty sequence.*\(param_distributions\['C'\]"),
    ({"CC": uniform()}, ValueError, r"'CC' is not a parameter.*Did you mean 'C'"),
    (42, ValueError, r"'param_distributions' parameter .* Got 42 instead"),
]


@pytest.mark.parametrize("space, error, match", BAD_DISTRIBUTIONS)
def test_bad_distribution_fails_before_fit(space, error, match):
    assert_fails_before_fit(RandomTuner(CountingClassifier(), space), error, match)


@pytest.mark.parametrize("n_iter", [0, -3, 2.5, "10", None])
def test_bad_n_iter_fails_before_fit(n_iter):
    tuner = RandomTuner(CountingClassifier(), {"C": uniform()}, n_iter=n_iter)
    match = (
        "n_iter=None samples until"
        if n_iter is None
        else re.escape("'n_iter' parameter of RandomTuner must be an int in the range")
        + ".*"
        + re.escape(f"Got {n_iter!r} instead")
    )
    assert_fails_before_fit(tuner, ValueError, match)


@pytest.mark.parametrize(
    "cv, match",
    [
        (1, r"'cv' parameter .* Got 1 instead"),
        (0, r"'cv' parameter .* Got 0 instead"),
        (1.5, r"'cv' parameter .* Got 1.5 instead"),
        ("kfold", r"'cv' parameter .* Got 'kfold' instead"),
        (KFold(n_splits=50), r"n_splits=50 greater than the number of samples"),
        ([], r"No fits were performed"),
    ],
)
def test_bad_cv_fails_before_fit(cv, match):
    tuner = GridTuner(CountingClassifier(), {"C": [1.0]}, cv=cv)
    assert_fails_before_fit(tuner, ValueError, match)


@pytest.mark.parametrize(
    "scoring, refit, match",
    [
        ("acuracy", True, r"'acuracy'"),
        (42, True, r"'scoring' parameter .* Got 42 instead"),
        (["accuracy", "accuracy"], "accuracy", r"Duplicate"),
        ({}, True, r"empty"),
        (["accuracy", "f1"], True, r"refit must be set to a scorer key"),
        (["accuracy", "f1"], "roc", r"'roc' was passed"),
    ],
)
def test_bad_scoring_fails_before_fit(scoring, refit, match):
    tuner = GridTuner(CountingClassifier(), {"C": [1.0]}, scoring=scoring, refit=refit)
    assert_fails_before_fit(tuner, ValueError, match)


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_jobs", "2"),
        ("refit", 3),
        ("verbose", -1),
        ("pre_dispatch", 1.5),
        ("error_score", "ignore"),
        ("return_train_score", "yes"),
        ("share", "yes"),
        ("share_memory", -1),
        ("max_time", 0),
        ("max_time", "1h"),
        ("checkpoint", 3),
        ("estimator", CountingClassifier),
        ("estimator", "CountingClassifier"),
    ],
)
def test_bad_constructor_param_fails_before_fit(param, value):
    tuner = GridTuner(CountingClassifier(), {"C": [1.0]}).set_params(**{param: value})
    assert_fails_before_fit(
        tuner, ValueError, rf"'{param}' parameter .*{re.escape(repr(value))}"
    )


SKLEARN_REJECTS = [
    {"C": 1.0},
    {"C": "1.0"},
    {"C": []},
    {"C": np.ones((2, 2))},
    {"C": uniform()},
    [{"C": [1.0]}, 3],
]


@pytest.mark.parametrize("grid", SKLEARN_REJECTS)
def test_messages_start_with_sklearns_sentence(grid):
    # Code written against scikit-learn's errors keeps working: same type,
    # scikit-learn's sentence first, skhyper's hint after it.
    X, y = tiny_classification_data()
    with pytest.raises(Exception) as theirs:
        GridSearchCV(CountingClassifier(), grid).fit(X, y)
    reset_counts()
    with pytest.raises(type(theirs.value)) as ours:
        GridTuner(CountingClassifier(), grid).fit(X, y)
    assert str(ours.value).startswith(str(theirs.value)), (ours.value, theirs.value)
    assert _fits() == 0


def test_distribution_message_starts_with_sklearns_sentence():
    space = {"C": 1.0}
    X, y = tiny_classification_data()
    with pytest.raises(TypeError) as theirs:
        RandomizedSearchCV(CountingClassifier(), space).fit(X, y)
    with pytest.raises(TypeError) as ours:
        RandomTuner(CountingClassifier(), space).fit(X, y)
    assert str(ours.value).startswith(str(theirs.value).rstrip(".")), ours.value
