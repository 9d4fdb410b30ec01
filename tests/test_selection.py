"""skhyper.selection: the corrected t-test by hand, the 1-SE rule as
scikit-learn's gallery example computes it, the table and the refit callables."""

import math
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, LinearSVC

from skhyper import GridTuner
from skhyper.selection import (
    compare_to_best,
    corrected_ttest,
    simplest_not_worse,
    simplest_within_one_se,
)

# -- the corrected resampled t-test, by hand ----------------------------------------

A = [0.90, 0.85, 0.80, 0.95, 0.90]
B = [0.85, 0.80, 0.80, 0.90, 0.82]


def student_t4_cdf(t):
    """Student's t CDF for 4 degrees of freedom, in closed form."""
    u = t * t / 4
    return 0.5 + 3 / 8 * t / math.sqrt(1 + u) * (1 - u / (3 * (1 + u)))


def test_corrected_ttest_by_hand():
    # d = a - b = [0.05, 0.05, 0, 0.05, 0.08]: mean 0.046; squared deviations
    # 0.004², 0.004², 0.046², 0.004², 0.034² sum to 0.00332, so the sample
    # variance (k - 1 = 4) is 0.00083. Corrected by n_test / n_train = 20 / 80:
    # (1/5 + 1/4) * 0.00083 = 0.0003735.
    t = 0.046 / math.sqrt(0.0003735)
    assert t == pytest.approx(2.38019, abs=1e-5)
    p_greater = 1 - student_t4_cdf(t)
    result = corrected_ttest(A, B, n_train=80, n_test=20, alternative="greater")
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert result.pvalue == pytest.approx(p_greater, rel=1e-9)
    assert result.df == 4
    two_sided = corrected_ttest(A, B, n_train=80, n_test=20)
    assert two_sided.pvalue == pytest.approx(2 * p_greater, rel=1e-9)
    less = corrected_ttest(A, B, n_train=80, n_test=20, alternative="less")
    assert less.pvalue == pytest.approx(1 - p_greater, rel=1e-9)
    # The uncorrected paired t-test would be sqrt(0.45 / 0.2) = 1.5 times larger.
    plain = 0.046 / math.sqrt(0.00083 / 5)
    assert plain / result.statistic == pytest.approx(1.5)


def test_corrected_ttest_edge_cases():
    same = corrected_ttest(A, A, n_train=80, n_test=20, alternative="greater")
    assert (same.statistic, same.pvalue) == (0.0, 0.5)
    shifted = corrected_ttest(np.add(A, 0.01), A, n_train=80, n_test=20)
    assert shifted.statistic == np.inf and shifted.pvalue == 0.0
    with pytest.raises(ValueError, match="same length >= 2"):
        corrected_ttest([0.9], [0.8], n_train=8, n_test=2)
    with pytest.raises(ValueError, match="same length"):
        corrected_ttest(A, B[:4], n_train=8, n_test=2)
    with pytest.raises(ValueError, match="n_train must be an int >= 1, got 0"):
        corrected_ttest(A, B, n_train=0, n_test=2)
    with pytest.raises(ValueError, match="alternative must be one of"):
        corrected_ttest(A, B, n_train=8, n_test=2, alternative="larger")


# -- the 1-SE rule against scikit-learn's gallery example ----------------------------
# examples/model_selection/plot_grid_search_refit_callable.py, "Balance model
# complexity and cross-validated score": its two functions, as written there.


def lower_bound(cv_results):
    best_score_idx = np.argmax(cv_results["mean_test_score"])
    return (
        cv_results["mean_test_score"][best_score_idx]
        - cv_results["std_test_score"][best_score_idx]
    )


def best_low_complexity(cv_results):
    threshold = lower_bound(cv_results)
    candidate_idx = np.flatnonzero(cv_results["mean_test_score"] >= threshold)
    best_idx = candidate_idx[
        cv_results["param_reduce_dim__n_components"][candidate_idx].argmin()
    ]
    return best_idx


def test_one_standard_error_rule_as_scikit_learns_gallery_example():
    X, y = load_digits(return_X_y=True)
    pipe = Pipeline(
        [
            ("reduce_dim", PCA(random_state=42)),
            ("classify", LinearSVC(random_state=42, C=0.01)),
        ]
    )
    param_grid = {"reduce_dim__n_components": [6, 8, 10, 12, 14]}
    search = GridSearchCV(
        pipe,
        cv=10,
        n_jobs=1,
        param_grid=param_grid,
        scoring="accuracy",
        refit=best_low_complexity,
    ).fit(X, y)
    tuner = GridTuner(
        pipe,
        param_grid,
        cv=10,
        scoring="accuracy",
        refit=simplest_within_one_se("reduce_dim__n_components", spread="std"),
    ).fit(X, y)
    assert tuner.best_index_ == search.best_index_
    assert tuner.best_params_ == search.best_params_
    # Not the top score: the rule chose a simpler candidate.
    means = search.cv_results_["mean_test_score"]
    assert search.best_index_ < np.argmax(means)

    # The standard error (std / sqrt(K - 1)) gives a narrower band.
    refit = simplest_within_one_se("reduce_dim__n_components")
    best = np.argmax(means)
    se = tuner.cv_results_["std_test_score"][best] / 3  # sqrt(10 - 1)
    expected = np.flatnonzero(means >= means[best] - se).min()  # grid ascends
    assert refit(tuner.cv_results_) == expected


def test_one_standard_error_rule_simpler_higher_and_ties():
    results = {
        "param_alpha": np.ma.MaskedArray([0.1, 1.0, 10.0, 10.0, 100.0]),
        "params": [{"alpha": a} for a in (0.1, 1.0, 10.0, 10.0, 100.0)],
        "split0_test_score": np.array([0.90, 0.92, 0.90, 0.91, 0.70]),
        "split1_test_score": np.array([0.90, 0.92, 0.90, 0.91, 0.70]),
        "mean_test_score": np.array([0.90, 0.92, 0.90, 0.91, 0.70]),
        "std_test_score": np.array([0.0, 0.03, 0.0, 0.0, 0.0]),
    }
    # se = 0.03 / sqrt(1) = 0.03: 0.89 and up; higher alpha is simpler.
    # alpha=10 twice: the higher mean (index 3) wins the tie.
    assert simplest_within_one_se("alpha", simpler="higher")(results) == 3
    assert simplest_within_one_se("alpha", simpler="lower")(results) == 0


# -- the table and the significance refit ------------------------------------------

X, y = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def tuner():
    return GridTuner(SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=5).fit(X, y)


def test_compare_to_best_runs_the_test_for_every_candidate(tuner):
    results = tuner.cv_results_
    table = compare_to_best(results)
    best = tuner.best_index_
    assert table.index.name == "candidate"
    assert table.index[0] == best
    means = results["mean_test_score"]
    assert list(table.index) == sorted(range(5), key=lambda i: (-means[i], i != best))
    folds = np.column_stack([results[f"split{i}_test_score"] for i in range(5)])
    n = len(X)  # 5-fold: 120 train, 30 test
    for i in table.index:
        row = table.loc[i]
        assert row["params"] == results["params"][i]
        assert row["mean_difference"] == pytest.approx(means[best] - means[i])
        if i == best:
            assert (row["t"], row["p_value"]) == (0.0, 1.0)
            continue
        expected = corrected_ttest(
            folds[best],
            folds[i],
            n_train=n * 4 // 5,
            n_test=n // 5,
            alternative="greater",
        )
        assert row["t"] == pytest.approx(expected.statistic)
        assert row["p_value"] == pytest.approx(expected.pvalue)
    explicit = compare_to_best(results, n_train=120, n_test=30)
    np.testing.assert_allclose(explicit["p_value"], table["p_value"])


def test_compare_to_best_without_pandas(tuner, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    table = compare_to_best(tuner.cv_results_)
    assert isinstance(table, dict)
    assert list(table) == [
        "candidate",
        "params",
        "mean_test_score",
        "std_test_score",
        "mean_difference",
        "t",
        "p_value",
    ]
    assert table["candidate"][0] == tuner.best_index_


def test_simplest_not_worse_takes_the_simplest_candidate_the_test_keeps(tuner):
    table = compare_to_best(tuner.cv_results_)
    for alpha in (0.01, 0.05, 0.2):
        kept = table.index[table["p_value"] >= alpha]
        c_values = tuner.cv_results_["param_C"]
        expected = min(kept, key=lambda i: c_values[i])
        assert simplest_not_worse("C", alpha=alpha)(tuner.cv_results_) == expected
    refit = GridTuner(
        SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=5, refit=simplest_not_worse("C")
    ).fit(X, y)
    assert refit.best_params_ == {"C": 1}
    assert refit.best_params_ != tuner.best_params_


def test_refit_callables_check_their_arguments(tuner):
    with pytest.raises(ValueError, match="simpler must be one of"):
        simplest_within_one_se("C", simpler="smaller")
    with pytest.raises(ValueError, match="alpha must be a number in"):
        simplest_not_worse("C", alpha=5)
    with pytest.raises(ValueError, match="'c' is not a searched parameter"):
        simplest_within_one_se("c")(tuner.cv_results_)
    with pytest.raises(ValueError, match="give both n_train and n_test"):
        compare_to_best(tuner.cv_results_, n_train=100)
    with pytest.raises(ValueError, match="metric='f1' is not in cv_results"):
        compare_to_best(tuner.cv_results_, metric="f1")
