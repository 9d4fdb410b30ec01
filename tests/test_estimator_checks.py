"""scikit-learn's estimator checks on both tuners.

Only the checks that scikit-learn itself expects to fail for GridSearchCV and
RandomizedSearchCV are listed as expected failures.
"""

from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhyper import GridTuner, RandomTuner

# The same list scikit-learn keeps for its search classes.
SEARCH_EXPECTED_FAILURES = {
    "check_supervised_y_2d": "DataConversionWarning not caught",
    "check_requires_y_none": "Doesn't fail gracefully",
}


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


@parametrize_with_checks(
    list(_instances()), expected_failed_checks=lambda est: SEARCH_EXPECTED_FAILURES
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
