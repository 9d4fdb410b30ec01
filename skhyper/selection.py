"""An honest choice of the best candidate.

The candidate with the best mean score is often not much better than
several others: fold scores vary, and the winner of many close candidates
is partly chosen by noise. This module helps choose among them:

- :func:`simplest_within_one_se` and :func:`simplest_not_worse` make
  ``refit`` callables for the tuners (and scikit-learn's searches): among
  the candidates close enough to the best, take the simplest, by a
  parameter you name;
- :func:`corrected_ttest` is the corrected resampled t-test of Nadeau and
  Bengio (2003) for two candidates' fold scores;
- :func:`compare_to_best` tests every candidate against the best, in a
  table (a pandas DataFrame where pandas is installed).

Fold scores of one search are not independent: the training sets overlap.
The corrected t-test accounts for that by inflating the variance of the
score differences by ``n_test / n_train`` (Nadeau and Bengio, 2003;
Bouckaert and Frank, 2004), where the plain paired t-test would find
differences that are not there.
"""

import numbers
from collections import namedtuple

import numpy as np
from scipy import stats

from ._cv_results import n_splits_of, param_column, pick_metric, split_scores

__all__ = [
    "CorrectedTtestResult",
    "compare_to_best",
    "corrected_ttest",
    "simplest_not_worse",
    "simplest_within_one_se",
]

ALTERNATIVES = ("two-sided", "greater", "less")
SIMPLER = ("lower", "higher")

CorrectedTtestResult = namedtuple("CorrectedTtestResult", ["statistic", "pvalue", "df"])
CorrectedTtestResult.__doc__ = """The result of :func:`corrected_ttest`.

Parameters
----------
statistic : float
    The t statistic.

pvalue : float
    The p-value for the alternative asked.

df : int
    Degrees of freedom: the number of folds minus one.
"""


def _check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")


def corrected_ttest(scores_a, scores_b, *, n_train, n_test, alternative="two-sided"):
    """Corrected resampled t-test of two candidates' fold scores.

    The paired t-test on the differences ``d = scores_a - scores_b`` over
    the ``k`` folds, with the variance of the mean difference corrected
    for the overlap of training sets (Nadeau and Bengio, 2003)::

        t = mean(d) / sqrt((1 / k + n_test / n_train) * var(d, ddof=1))

    with ``k - 1`` degrees of freedom.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (n_folds,)
        The two candidates' scores on the same folds, in the same order
        (``split{i}_test_score`` of ``cv_results_``).

    n_train : int
        Number of training samples in a fold.

    n_test : int
        Number of test samples in a fold.

    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        What the p-value is for: that the mean scores differ, that ``a``'s
        is greater, or that it is less.

    Returns
    -------
    CorrectedTtestResult
        ``(statistic, pvalue, df)``. Equal fold scores give ``t = 0``;
        a constant non-zero difference gives an infinite ``t``.

    See Also
    --------
    compare_to_best : Every candidate of a search against the best.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the Generalization
       Error", Machine Learning, 52(3), 239-281, 2003.

    Examples
    --------
    >>> from skhyper.selection import corrected_ttest
    >>> a = [0.90, 0.85, 0.80, 0.95, 0.90]
    >>> b = [0.85, 0.80, 0.80, 0.90, 0.82]
    >>> result = corrected_ttest(a, b, n_train=80, n_test=20, alternative="greater")
    >>> print(f"t={result.statistic:.3f} p={result.pvalue:.4f} df={result.df}")
    t=2.380 p=0.0380 df=4
    """
    a = np.asarray(scores_a, dtype=float)
    b = np.asarray(scores_b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size < 2:
        raise ValueError(
            "scores_a and scores_b must be 1-D with the same length >= 2 (one "
            f"score per fold), got shapes {a.shape} and {b.shape}"
        )
    _check_positive_int(n_train, "n_train")
    _check_positive_int(n_test, "n_test")
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {ALTERNATIVES}, got {alternative!r}"
        )
    return _ttest(a - b, n_test / n_train, alternative)


def _ttest(differences, ratio, alternative):
    k = differences.shape[-1]
    mean = differences.mean(axis=-1)
    var = differences.var(axis=-1, ddof=1)
    std = np.sqrt((1 / k + ratio) * var)
    # Zero variance: t is 0 for equal scores, infinite for a constant difference.
    constant = np.where(mean == 0, 0.0, np.copysign(np.inf, mean))
    t = np.where(std > 0, mean / np.where(std > 0, std, 1), constant)
    t = np.where(np.isnan(mean), np.nan, t)
    df = k - 1
    if alternative == "greater":
        p = stats.t.sf(t, df)
    elif alternative == "less":
        p = stats.t.cdf(t, df)
    else:
        p = 2 * stats.t.sf(np.abs(t), df)
    if np.ndim(t) == 0:
        return CorrectedTtestResult(float(t), float(p), df)
    return CorrectedTtestResult(t, p, df)


def _fold_scores(cv_results, metric):
    n = n_splits_of(cv_results, metric)
    if n < 2:
        raise ValueError(
            f"cv_results has {n} split{{i}}_test_{metric} keys; the t-test needs "
            "two folds or more"
        )
    return split_scores(cv_results, metric)


def _ratio(n_train, n_test, n_splits):
    if n_train is None and n_test is None:
        # One K-fold: each test fold is 1/K of the data, the train set the rest.
        return 1 / (n_splits - 1)
    if n_train is None or n_test is None:
        raise ValueError(
            f"give both n_train and n_test, or neither; got n_train={n_train!r}, "
            f"n_test={n_test!r}"
        )
    _check_positive_int(n_train, "n_train")
    _check_positive_int(n_test, "n_test")
    return n_test / n_train


def _best(means):
    if not np.isfinite(means).any():
        raise ValueError("no candidate has a finite mean test score")
    return int(np.nanargmax(np.where(np.isfinite(means), means, np.nan)))


def _pvalues_against_best(cv_results, metric, n_train, n_test):
    """(best index, statistic, p-value that the best is greater) per candidate."""
    folds = _fold_scores(cv_results, metric)
    means = np.asarray(cv_results[f"mean_test_{metric}"], float)
    best = _best(means)
    ratio = _ratio(n_train, n_test, folds.shape[1])
    result = _ttest(folds[best] - folds, ratio, "greater")
    t, p = np.array(result.statistic, float), np.array(result.pvalue, float)
    t[best], p[best] = 0.0, 1.0  # the best against itself
    return best, t, p


def compare_to_best(cv_results, *, metric=None, n_train=None, n_test=None):
    """Every candidate against the best, by the corrected resampled t-test.

    For each candidate, the fold scores of the best candidate (highest mean
    test score) minus its own, and the one-sided :func:`corrected_ttest`
    that the best is better.

    Parameters
    ----------
    cv_results : dict
        ``cv_results_`` of a skhyper tuner or a scikit-learn search.

    metric : str, default=None
        With several metrics, which one (required then).

    n_train, n_test : int, default=None
        Training and test samples per fold. None for both assumes the
        splits are one K-fold (``n_test / n_train = 1 / (K - 1)``, what
        ``cv=K`` gives); give them for other splitters (shuffle splits,
        repeated K-fold).

    Returns
    -------
    pandas.DataFrame or dict of ndarrays
        One row per candidate, best first (by mean score), indexed by the
        candidate's index in ``cv_results_`` (``candidate``); columns
        ``params``, ``mean_test_<metric>``, ``std_test_<metric>``,
        ``mean_difference`` (the best's mean minus the candidate's), ``t``
        and ``p_value`` (that the best is better; 1 for the best itself).
        A dict of arrays with the same columns and ``candidate`` where pandas
        is not installed.

    See Also
    --------
    simplest_not_worse : A ``refit`` callable built on this test.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> from skhyper.selection import compare_to_best
    >>> X, y = load_iris(return_X_y=True)
    >>> tuner = GridTuner(SVC(), {"C": [0.01, 0.1, 1, 10]}, cv=5).fit(X, y)
    >>> table = compare_to_best(tuner.cv_results_)
    >>> table[["mean_test_score", "t", "p_value"]].round(3)
               mean_test_score      t  p_value
    candidate
    3                    0.980  0.000    1.000
    2                    0.967  1.089    0.169
    0                    0.927  2.667    0.028
    1                    0.920  2.449    0.035
    >>> bool(table.index[0] == tuner.best_index_)
    True
    """
    metric = pick_metric(cv_results, metric, fallback="raise")
    best, t, p = _pvalues_against_best(cv_results, metric, n_train, n_test)
    means = np.asarray(cv_results[f"mean_test_{metric}"], float)
    stds = np.asarray(cv_results[f"std_test_{metric}"], float)
    # Best first: by mean score, the best itself first among ties.
    order = np.lexsort(
        (np.arange(len(means)) != best, -np.nan_to_num(means, nan=-np.inf))
    )
    params = np.empty(len(means), dtype=object)
    params[:] = list(cv_results["params"])
    columns = {
        "params": params[order],
        f"mean_test_{metric}": means[order],
        f"std_test_{metric}": stds[order],
        "mean_difference": (means[best] - means)[order],
        "t": t[order],
        "p_value": p[order],
    }
    try:
        import pandas as pd
    except ImportError:
        return {"candidate": order, **columns}
    return pd.DataFrame(columns, index=pd.Index(order, name="candidate"))


def _check_simpler(param, simpler):
    if not isinstance(param, str):
        raise TypeError(f"param must be a parameter name (str), got {param!r}")
    if simpler not in SIMPLER:
        raise ValueError(f"simpler must be one of {SIMPLER}, got {simpler!r}")


def _simplest(cv_results, keep, param, simpler, means):
    """The simplest candidate in ``keep``; ties: best mean, then lowest index."""
    all_values, present = param_column(cv_results, param)
    unset = [int(i) for i in keep if not present[i]]
    if unset:
        raise ValueError(
            f"candidates {unset} are close to the best but do not set {param!r}: "
            "cannot tell which is simpler"
        )
    sign = 1 if simpler == "lower" else -1
    values = [all_values[i] for i in keep]
    try:
        order = sorted(
            range(len(keep)), key=lambda j: (sign * values[j], -means[keep[j]], keep[j])
        )
    except TypeError as exc:
        raise TypeError(
            f"the values of {param!r} must be numbers to say which is simpler, got "
            f"{values!r}"
        ) from exc
    return int(keep[order[0]])


def simplest_within_one_se(param, *, simpler="lower", metric=None, spread="se"):
    """A ``refit`` callable: the simplest candidate within one standard error.

    The "one standard error rule" (Hastie, Tibshirani and Friedman, 2009,
    section 7.10): among the candidates whose mean test score is at least
    the best mean minus one standard error of the best, choose the simplest,
    where ``param`` says what simpler means (fewer components, stronger
    regularisation...). Ties of simplicity go to the higher mean score.

    Parameters
    ----------
    param : str
        The parameter that measures complexity (``step__param`` in
        pipelines); every candidate within the band must set it, to a
        number.

    simpler : {"lower", "higher"}, default="lower"
        Whether lower values of ``param`` are simpler (``n_components``,
        ``max_depth``, ``C``) or higher ones (``alpha``, ``min_samples_leaf``).

    metric : str, default=None
        With several metrics, which one (required then).

    spread : {"se", "std"}, default="se"
        The width of the band: the standard error of the best candidate's
        mean over the ``K`` folds, ``std / sqrt(K - 1)`` with ``std`` the
        ``std_test_<metric>`` of ``cv_results_`` (that is, the sample
        standard deviation over ``sqrt(K)``); or that ``std`` itself, as in
        scikit-learn's example "Balance model complexity and
        cross-validated score", a wider band.

    Returns
    -------
    callable
        ``refit(cv_results) -> int``, the index of the chosen candidate; pass
        it as a tuner's ``refit``.

    See Also
    --------
    simplest_not_worse : The simplest candidate not significantly worse.

    References
    ----------
    .. [1] T. Hastie, R. Tibshirani and J. Friedman, "The Elements of
       Statistical Learning", 2nd ed., Springer, 2009, section 7.10.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.pipeline import make_pipeline
    >>> from skhyper import GridTuner
    >>> from skhyper.selection import simplest_within_one_se
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_pipeline(PCA(random_state=0), GaussianNB())
    >>> grid = {"pca__n_components": [5, 10, 15, 20, 30, 40]}
    >>> refit = simplest_within_one_se("pca__n_components")
    >>> tuner = GridTuner(pipe, grid, cv=5, refit=refit).fit(X, y)
    >>> tuner.cv_results_["mean_test_score"].round(3)
    array([0.824, 0.888, 0.896, 0.905, 0.906, 0.903])
    >>> tuner.best_params_  # 30 scores best; 15 is within one standard error
    {'pca__n_components': 15}
    """
    _check_simpler(param, simpler)
    if spread not in ("se", "std"):
        raise ValueError(f"spread must be 'se' or 'std', got {spread!r}")

    def refit(cv_results):
        name = pick_metric(cv_results, metric, fallback="raise")
        means = np.asarray(cv_results[f"mean_test_{name}"], float)
        stds = np.asarray(cv_results[f"std_test_{name}"], float)
        best = _best(means)
        width = stds[best]
        if spread == "se":
            k = _fold_scores(cv_results, name).shape[1]
            width = width / np.sqrt(k - 1)
        keep = np.flatnonzero(means >= means[best] - width)
        return _simplest(cv_results, keep, param, simpler, means)

    refit.__name__ = refit.__qualname__ = f"simplest_within_one_{spread}"
    return refit


def simplest_not_worse(
    param, *, simpler="lower", alpha=0.05, metric=None, n_train=None, n_test=None
):
    """A ``refit`` callable: the simplest candidate not significantly worse.

    Each candidate is tested against the best (highest mean test score) by
    the one-sided :func:`corrected_ttest` (that the best is better); among
    those for which the test does not reject at level ``alpha`` (the best
    included), the simplest is chosen, by ``param``. Ties of simplicity go
    to the higher mean score.

    Parameters
    ----------
    param : str
        The parameter that measures complexity (``step__param`` in
        pipelines).

    simpler : {"lower", "higher"}, default="lower"
        Whether lower or higher values of ``param`` are simpler.

    alpha : float, default=0.05
        The test's level: candidates with a p-value below it are
        significantly worse.

    metric : str, default=None
        With several metrics, which one (required then).

    n_train, n_test : int, default=None
        Training and test samples per fold; None for both assumes one
        K-fold (see :func:`compare_to_best`).

    Returns
    -------
    callable
        ``refit(cv_results) -> int``; pass it as a tuner's ``refit``.

    See Also
    --------
    simplest_within_one_se : The simplest candidate within one standard error.
    compare_to_best : The p-values this choice is made from.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import GridTuner
    >>> from skhyper.selection import simplest_not_worse
    >>> X, y = load_iris(return_X_y=True)
    >>> refit = simplest_not_worse("C", simpler="lower")
    >>> tuner = GridTuner(SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=5, refit=refit)
    >>> tuner.fit(X, y).best_params_
    {'C': 1}
    """
    _check_simpler(param, simpler)
    if not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")

    def refit(cv_results):
        name = pick_metric(cv_results, metric, fallback="raise")
        _, _, p = _pvalues_against_best(cv_results, name, n_train, n_test)
        means = np.asarray(cv_results[f"mean_test_{name}"], float)
        keep = np.flatnonzero(p >= alpha)
        return _simplest(cv_results, keep, param, simpler, means)

    refit.__name__ = refit.__qualname__ = "simplest_not_worse"
    return refit
