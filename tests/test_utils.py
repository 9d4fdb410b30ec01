"""The comparison helper itself fails when the results differ."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from .utils import assert_cv_results_equal


@pytest.fixture(scope="module")
def results():
    """``cv_results_`` of a small multimetric search with train scores,
    and a masked parameter array (two sub-grids)."""
    from .conftest import classification_data

    X, y = classification_data()
    grid = [{"C": [0.1, 1.0]}, {"C": [10.0], "fit_intercept": [False]}]
    search = GridSearchCV(
        LogisticRegression(solver="newton-cholesky"),
        grid,
        cv=2,
        scoring=["accuracy", "f1"],
        refit="accuracy",
        return_train_score=True,
    ).fit(X, y)
    return search.cv_results_


def copy(results):
    return {key: value.copy() for key, value in results.items()}


def test_equal_results_pass(results):
    assert_cv_results_equal(copy(results), results)


def test_times_are_not_compared(results):
    other = copy(results)
    other["mean_fit_time"] = other["mean_fit_time"] + 1.0
    assert_cv_results_equal(other, results)


@pytest.mark.parametrize(
    "key", ["split1_test_accuracy", "mean_train_f1", "std_test_f1"]
)
def test_one_score_differs(results, key):
    other = copy(results)
    other[key][1] = np.nextafter(other[key][1], np.inf)  # one ulp: no tolerance
    with pytest.raises(AssertionError, match=key):
        assert_cv_results_equal(other, results)


def test_a_rank_differs(results):
    other = copy(results)
    other["rank_test_f1"][0] += 1
    with pytest.raises(AssertionError, match="rank_test_f1"):
        assert_cv_results_equal(other, results)


def test_key_order_and_missing_keys(results):
    other = copy(results)
    other["mean_fit_time"] = other.pop("mean_fit_time")
    with pytest.raises(AssertionError, match="keys differ"):
        assert_cv_results_equal(other, results)
    del other["mean_fit_time"]
    with pytest.raises(AssertionError, match="keys differ"):
        assert_cv_results_equal(other, results)


def test_dtype_differs(results):
    other = copy(results)
    other["mean_test_accuracy"] = other["mean_test_accuracy"].astype(np.float32)
    with pytest.raises(AssertionError, match="mean_test_accuracy"):
        assert_cv_results_equal(other, results)
    other = copy(results)
    other["rank_test_f1"] = other["rank_test_f1"].astype(np.int64)
    if other["rank_test_f1"].dtype == results["rank_test_f1"].dtype:
        other["rank_test_f1"] = other["rank_test_f1"].astype(np.int32)
    with pytest.raises(AssertionError, match="rank_test_f1"):
        assert_cv_results_equal(other, results)


def test_masked_param_array_differs(results):
    key = "param_fit_intercept"
    assert np.ma.getmaskarray(results[key]).any()  # the reference is masked
    other = copy(results)
    other[key] = np.ma.MaskedArray(other[key].data, mask=False)
    with pytest.raises(AssertionError, match=key):
        assert_cv_results_equal(other, results)
    other = copy(results)
    other[key] = np.asarray(other[key])  # not a masked array
    with pytest.raises(AssertionError, match=key):
        assert_cv_results_equal(other, results)


def test_params_differ(results):
    other = copy(results)
    other["params"] = [dict(p) for p in other["params"]]
    other["params"][0]["C"] = np.float64(other["params"][0]["C"])  # type too
    with pytest.raises(AssertionError, match=r"params\[0\]"):
        assert_cv_results_equal(other, results)


def test_keys_and_ignore(results):
    other = copy(results)
    other["mean_test_f1"][0] += 1.0
    # a subset of keys, or ignored keys, leave the difference out ...
    assert_cv_results_equal(other, results, keys=["mean_test_accuracy"])
    assert_cv_results_equal(other, results, ignore=["*_f1"])
    # ... and only it
    with pytest.raises(AssertionError, match="mean_test_f1"):
        assert_cv_results_equal(other, results, keys=["params", "mean_test_f1"])
    with pytest.raises(AssertionError, match="mean_test_f1"):
        assert_cv_results_equal(other, results, ignore=["*_accuracy"])
    with pytest.raises(AssertionError, match="not in the reference"):
        assert_cv_results_equal(other, results, keys=["mean_test_score"])


def test_searches_are_compared_by_their_cv_results(results):
    class Search:
        cv_results_ = results

    other = Search()
    other.cv_results_ = copy(results)
    assert_cv_results_equal(other, Search())
    other.cv_results_["mean_test_f1"][0] += 1.0
    with pytest.raises(AssertionError, match="mean_test_f1"):
        assert_cv_results_equal(other, Search())
