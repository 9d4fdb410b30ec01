"""Assembly of ``cv_results_`` from finished fits, ranking and failure reports.

Each finished (candidate, split) fit is a dict with the keys ``test_scores``,
``fit_time``, ``score_time``, ``fit_error`` (a traceback string or None) and,
when asked, ``train_scores``. The output matches scikit-learn's searches key
by key, dtype by dtype.
"""

import numbers
import warnings
from collections import Counter, defaultdict

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning


def warn_or_raise_about_fit_failures(results, error_score):
    """Group failure tracebacks; raise if every fit failed, else warn."""
    fit_errors = [r["fit_error"] for r in results if r["fit_error"] is not None]
    if not fit_errors:
        return
    n_failed, n_fits = len(fit_errors), len(results)
    delimiter = "-" * 80 + "\n"
    summary = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in Counter(fit_errors).items()
    )
    if n_failed == n_fits:
        raise ValueError(
            f"\nAll the {n_fits} fits failed.\n"
            "It is very likely that your model is misconfigured.\n"
            "You can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{n_failed} fits failed out of a total of {n_fits}.\n"
        "The score on these train-test partitions for these parameters"
        f" will be set to {error_score}.\n"
        "If these failures are not expected, you can try to debug them "
        "by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
    )


def insert_error_scores(results, error_score):
    """Give failed fits a score dict once a callable scorer showed it returns dicts."""
    success = next((r["test_scores"] for r in results if r["fit_error"] is None), None)
    if isinstance(success, dict):
        for r in results:
            if r["fit_error"] is not None:
                r["test_scores"] = dict.fromkeys(success, error_score)
                if "train_scores" in r:
                    r["train_scores"] = dict.fromkeys(success, error_score)


def _by_metric(scores):
    """``{metric: list of scores}`` from a list of numbers or of dicts."""
    if isinstance(scores[0], dict):
        return {name: [s[name] for s in scores] for name in scores[0]}
    return {"score": scores}


def _masked_param_arrays(candidate_params):
    """One masked array per parameter name, masked where a candidate lacks it."""
    n_candidates = len(candidate_params)
    values = defaultdict(dict)
    for i, params in enumerate(candidate_params):
        for name, value in params.items():
            values[f"param_{name}"][i] = value
    for key, by_index in values.items():
        try:
            arr = np.array(list(by_index.values()))
        except ValueError:  # ragged sequences
            dtype = np.dtype(object)
        else:
            dtype = arr.dtype if arr.dtype.kind != "U" and arr.ndim == 1 else object
        masked = MaskedArray(np.empty(n_candidates, dtype=dtype), mask=True)
        for i, value in by_index.items():
            masked[i] = value
        yield key, masked


def rank(means):
    """Rank means, best first: ties share the lowest rank, NaN ranks last."""
    if np.isnan(means).all():
        return np.ones_like(means, dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return rankdata(-filled, method="min").astype(np.int32, copy=False)


def format_results(candidate_params, n_splits, out, return_train_score, more=None):
    """Build ``cv_results_`` from ``out``, candidate-major (all splits of 0, ...)."""
    n_candidates = len(candidate_params)
    results = {key: np.asarray(value) for key, value in (more or {}).items()}

    def store(key, values, splits=False, ranked=False):
        array = np.array(values, dtype=np.float64).reshape(n_candidates, n_splits)
        if splits:
            for i in range(n_splits):
                results[f"split{i}_{key}"] = array[:, i]
        means = np.average(array, axis=1)
        results[f"mean_{key}"] = means
        if key.startswith(("train_", "test_")) and np.any(~np.isfinite(means)):
            warnings.warn(
                f"One or more of the {key.split('_')[0]} scores are non-finite: "
                f"{means}",
                category=UserWarning,
            )
        results[f"std_{key}"] = np.sqrt(
            np.average((array - means[:, np.newaxis]) ** 2, axis=1)
        )
        if ranked:
            results[f"rank_{key}"] = rank(means)

    store("fit_time", [r["fit_time"] for r in out])
    store("score_time", [r["score_time"] for r in out])
    for key, masked in _masked_param_arrays(candidate_params):
        results[key] = masked
    results["params"] = candidate_params

    test = _by_metric([r["test_scores"] for r in out])
    train = _by_metric([r["train_scores"] for r in out]) if return_train_score else {}
    for name in test:
        store(f"test_{name}", test[name], splits=True, ranked=True)
        if return_train_score:
            store(f"train_{name}", train[name], splits=True)
    return results


def select_best_index(refit, refit_metric, results):
    """Index of the best candidate: by rank, or by a callable ``refit``."""
    if callable(refit):
        best = refit(results)
        if not isinstance(best, numbers.Integral):
            raise TypeError("best_index_ returned is not an integer")
        if best < 0 or best >= len(results["params"]):
            raise IndexError("best_index_ index out of range")
        return best
    return results[f"rank_test_{refit_metric}"].argmin()
