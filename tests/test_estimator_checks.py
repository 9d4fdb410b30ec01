"""scikit-learn's estimator checks on both tuners.

Expected failures are given per instance, with the reason, and are strict:
an expected failure that passes fails the run, so the list holds only checks
that really fail.
"""

import inspect

import pytest
from sklearn.base import is_regressor
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhyper import GridTuner, RandomTuner

# GridSearchCV and RandomizedSearchCV fail this check alike: a regressor such
# as Ridge takes a 2-d y as multi-output, so no DataConversionWarning is
# raised, while the search's tags (like scikit-learn's) do not declare
# multi_output. Classifiers pass it.
REGRESSOR_EXPECTED_FAILURES = {
    "check_supervised_y_2d": (
        "the regressor takes a 2-d y as multi-output without a "
        "DataConversionWarning; the search's tags, like GridSearchCV's, do not "
        "say multi_output"
    ),
}


def expected_failed_checks(tuner):
    if is_regressor(tuner.estimator):
        return REGRESSOR_EXPECTED_FAILURES
    return {}


def _instances():
    configs = [
        (Ridge(), "alpha"),
        (LogisticRegression(), "C"),
        (Pipeline([("pca", PCA()), ("ridge", Ridge())]), "ridge__alpha"),
        (
            Pipeline([("pca", PCA()), ("logisticregression", LogisticRegression())]),
            "logisticregression__C",
        ),
    ]
    for estimator, name in configs:
        values = {name: [0.1, 1.0]}
        yield GridTuner(estimator, values, cv=2, error_score="raise")
        yield RandomTuner(estimator, values, cv=2, error_score="raise", random_state=0)


def strict_parametrize_with_checks(estimators, expected_failed_checks):
    """``parametrize_with_checks`` whose expected failures are strict xfails.

    scikit-learn >= 1.8 takes ``xfail_strict``; on older versions the xfail
    marks it sets are replaced by strict ones.
    """
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters:
        return parametrize_with_checks(
            estimators,
            expected_failed_checks=expected_failed_checks,
            xfail_strict=True,
        )
    mark = parametrize_with_checks(
        estimators, expected_failed_checks=expected_failed_checks
    )
    params = []
    for param in mark.args[1]:  # a generator on scikit-learn 1.6
        if not hasattr(param, "marks"):  # a plain (estimator, check) tuple
            params.append(param)
            continue
        marks = [
            pytest.mark.xfail(**{**m.kwargs, "strict": True})
            if m.name == "xfail"
            else m
            for m in param.marks
        ]
        params.append(pytest.param(*param.values, marks=marks, id=param.id))
    return pytest.mark.parametrize(mark.args[0], params, **mark.kwargs)


@strict_parametrize_with_checks(list(_instances()), expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_expected_failures_are_strict():
    # an expected failure that passes must fail the run
    mark = strict_parametrize_with_checks(
        [GridTuner(Ridge(), {"alpha": [1.0]}, cv=2)],
        lambda tuner: {"check_get_params_invariance": "passes: must be strict"},
    )
    marks = [m for param in mark.args[1] for m in getattr(param, "marks", ())]
    xfails = [m for m in marks if m.name == "xfail"]
    assert xfails and all(m.kwargs.get("strict") for m in xfails)
