"""Labelled scoring of outlier detectors: make_outlier_scorer and its OutlierScorer."""

import numbers
import warnings

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    jaccard_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.utils import column_or_1d

from ._convention import (
    anomaly_scores,
    check_can_score,
    check_convention,
    detect_convention,
    predicted_outliers,
)


def precision_at_n(y_true, y_score):
    """Precision among the ``n`` highest scores, ``n`` the number of outliers.

    Ties at the ``n``-th score count by their expected value under a random
    order: the result does not depend on the order of the samples.
    """
    y_true = np.asarray(y_true).astype(bool)
    y_score = np.asarray(y_score, dtype=float)
    n = int(y_true.sum())
    if n == 0:
        raise ValueError("precision_at_n is undefined when y holds no outlier.")
    cut = np.sort(y_score)[::-1][n - 1]
    above, at = y_score > cut, y_score == cut
    slots = n - int(above.sum())
    hits = y_true[above].sum() + slots * y_true[at].sum() / at.sum()
    return float(hits / n)


#: Threshold-free metrics: computed on the continuous anomaly score.
RANKING = {
    "roc_auc": roc_auc_score,
    "average_precision": average_precision_score,
    "precision_at_n": precision_at_n,
}

#: Threshold metrics: computed on the predicted labels (outlier = positive).
THRESHOLD = {
    "f1": f1_score,
    "precision": precision_score,
    "recall": recall_score,
    "fbeta": fbeta_score,
    "jaccard": jaccard_score,
    "balanced_accuracy": balanced_accuracy_score,
    "accuracy": accuracy_score,
    "matthews_corrcoef": matthews_corrcoef,
}

_ZERO_DIVISION = {"f1", "precision", "recall", "fbeta", "jaccard"}
RESPONSES = ("score", "predict")

# How many of the labels of a y with too many an error message quotes.
SHOWN_LABELS = 10


def outlier_indicator(y, outlier_label, *, warn_majority=True):
    """Boolean array: which samples ``y`` marks as outliers.

    ``y`` holds two labels (``{0, 1}``, ``{-1, 1}``, or any other two), one of
    them ``outlier_label``; or only one of them (a fold without outliers, or
    without inliers).
    """
    y = column_or_1d(y, warn=True)
    labels = np.unique(y)
    if labels.size > 2:
        raise ValueError(
            "y must hold two labels, one for inliers and one for outliers (such "
            f"as {{0, 1}} or {{-1, 1}}); got {labels.size} labels: "
            f"{labels.tolist()[:SHOWN_LABELS]}"
        )
    if labels.size == 2 and outlier_label not in labels.tolist():
        raise ValueError(
            f"outlier_label={outlier_label!r} is not one of the labels in y, "
            f"{labels.tolist()}. Pass the label that marks outliers, e.g. "
            "outlier_label=-1 for scikit-learn's convention."
        )
    is_outlier = y == outlier_label
    if (
        warn_majority
        and labels.size == 2
        and set(labels.tolist()) == {-1, 1}
        and is_outlier.mean() > 0.5
    ):
        warnings.warn(
            f"outlier_label={outlier_label!r} marks {is_outlier.mean():.0%} of "
            "the samples as outliers; outliers are usually the minority. If y "
            "follows scikit-learn's convention (-1 for outliers, 1 for inliers), "
            f"pass outlier_label={-outlier_label!r}.",
            UserWarning,
        )
    return is_outlier


class OutlierScorer:
    """``scorer(estimator, X, y)`` for a detector; see ``make_outlier_scorer``."""

    def __init__(
        self, metric, outlier_label=1, convention="auto", response=None, kwargs=None
    ):
        if callable(metric):
            if response not in RESPONSES:
                raise ValueError(
                    "A callable metric needs response='score' (it is given the "
                    "continuous anomaly score) or response='predict' (the "
                    f"predicted outlier indicator); got response={response!r}"
                )
        elif isinstance(metric, str) and metric in RANKING | THRESHOLD:
            expected = "score" if metric in RANKING else "predict"
            if response not in (None, expected):
                raise ValueError(
                    f"metric={metric!r} is computed on response={expected!r}, got "
                    f"response={response!r}"
                )
            response = expected
        else:
            raise ValueError(
                f"metric must be one of {sorted(RANKING)} (ranking metrics, on the "
                f"anomaly score), {sorted(THRESHOLD)} (threshold metrics, on the "
                "predicted labels), or a callable metric(y_true, y_response) with "
                f"response=...; got {metric!r} ({type(metric).__name__})"
            )
        if isinstance(outlier_label, float) and not np.isfinite(outlier_label):
            raise ValueError(f"outlier_label must be a label, got {outlier_label!r}")
        if not isinstance(outlier_label, numbers.Number | str | np.generic):
            raise ValueError(
                "outlier_label must be a number, a bool or a string, got "
                f"{outlier_label!r} ({type(outlier_label).__name__})"
            )
        if metric == "fbeta" and "beta" not in (kwargs or {}):
            raise ValueError("metric='fbeta' needs beta=..., e.g. beta=2")
        self.metric = metric
        self.outlier_label = outlier_label
        self.convention = check_convention(convention)
        self.response = response
        self.kwargs = dict(kwargs or {})

    @property
    def threshold_free(self):
        """Whether the score ignores the detector's threshold (``contamination``)."""
        return self.response == "score"

    def _metric(self):
        if callable(self.metric):
            return self.metric, dict(self.kwargs)
        func = (RANKING | THRESHOLD)[self.metric]
        kwargs = dict(self.kwargs)
        if self.metric in _ZERO_DIVISION:
            kwargs.setdefault("zero_division", 0.0)
        return func, kwargs

    def skhyper_check(self, estimator):
        """Raise ``TypeError`` if this scorer cannot score ``estimator``'s
        predictions on new data (the tuners call it before any fit).

        Parameters
        ----------
        estimator : estimator object
            An unfitted, configured candidate.
        """
        check_can_score(estimator, self.convention, self.response)

    def __call__(self, estimator, X, y=None, sample_weight=None):
        if y is None:
            raise ValueError(
                f"{self!r} needs the labels y (which samples are outliers). "
                "Without labels, score with make_mass_volume_scorer() or "
                "make_excess_mass_scorer()."
            )
        y_true = outlier_indicator(y, self.outlier_label)
        convention = detect_convention(estimator, self.convention)
        func, kwargs = self._metric()
        if sample_weight is not None:
            if self.metric == "precision_at_n":
                raise ValueError("precision_at_n does not take sample_weight")
            kwargs["sample_weight"] = sample_weight
        if self.response == "score":
            if self.metric in RANKING and (y_true.all() or not y_true.any()):
                what = "no inlier" if y_true.all() else "no outlier"
                raise ValueError(
                    f"{self.metric} is undefined on data with {what} "
                    f"(outlier_label={self.outlier_label!r}). When tuning, let "
                    "every test fold hold outliers: stratify the folds on the "
                    "outlier indicator (skhyper.anomaly.default_cv, the tuners' "
                    "default for outlier detectors) or use NoveltySplit."
                )
            response = anomaly_scores(estimator, X, convention)
        else:
            response = predicted_outliers(estimator, X, convention).astype(int)
        return float(func(y_true.astype(int), response, **kwargs))

    def __repr__(self):
        metric = self.metric if isinstance(self.metric, str) else self.metric.__name__
        args = [repr(metric), f"outlier_label={self.outlier_label!r}"]
        if self.convention != "auto":
            args.append(f"convention={self.convention!r}")
        if callable(self.metric):
            args.append(f"response={self.response!r}")
        args += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"make_outlier_scorer({', '.join(args)})"


def make_outlier_scorer(
    metric="roc_auc", *, outlier_label=1, convention="auto", response=None, **kwargs
):
    """Make a scorer that scores an outlier detector against labels.

    Ranking metrics are computed on the detector's continuous anomaly score,
    oriented so that higher means more anomalous: ``-score_samples(X)`` (or
    ``-decision_function(X)``) for scikit-learn detectors,
    ``decision_function(X)`` for PyOD-style ones. Threshold metrics are
    computed on its predictions, outliers being the positive class:
    ``predict(X) == -1`` for scikit-learn detectors, ``predict(X) == 1`` for
    PyOD-style ones. The convention is recognised as described in
    :mod:`skhyper.anomaly`.

    The scorer is a plain picklable callable ``scorer(estimator, X, y)``, for
    ``scoring=`` alone or as a value of a multimetric dict.

    Parameters
    ----------
    metric : str or callable, default="roc_auc"
        Ranking metrics (threshold-free): ``"roc_auc"``,
        ``"average_precision"``, ``"precision_at_n"`` (precision among the
        ``n`` highest scores, ``n`` the number of outliers; ties counted by
        expectation). Threshold metrics: ``"f1"``, ``"precision"``,
        ``"recall"``, ``"fbeta"`` (pass ``beta=``), ``"jaccard"``,
        ``"balanced_accuracy"``, ``"accuracy"``, ``"matthews_corrcoef"``. Or a
        callable ``metric(y_true, y_response, **kwargs)`` with ``response``.

    outlier_label : int, bool or str, default=1
        The label that marks outliers in ``y``; the other label marks inliers.
        Use ``outlier_label=-1`` for labels in scikit-learn's convention.

    convention : {"auto", "sklearn", "pyod"}, default="auto"
        How the detector orients its outputs; ``"auto"`` recognises it.

    response : {"score", "predict"}, default=None
        For a callable ``metric`` only: whether it receives the anomaly score
        or the predicted outlier indicator (0/1).

    **kwargs
        Passed to the metric (``beta=2``, ``max_fpr=0.1``, ...). Precision,
        recall, F-scores and Jaccard default to ``zero_division=0.0``.

    Returns
    -------
    callable
        ``scorer(estimator, X, y, sample_weight=None)``, higher is better. It
        raises a ``ValueError`` when ``y`` is None, holds more than two
        labels, lacks ``outlier_label``, or (for ranking metrics) holds only
        one class. It has ``threshold_free`` (True for ranking metrics).

    See Also
    --------
    make_mass_volume_scorer : A label-free criterion.
    default_cv : The folds the tuners use for detectors.

    Examples
    --------
    >>> from sklearn.ensemble import IsolationForest
    >>> from skhyper import GridTuner
    >>> from skhyper.anomaly import (
    ...     default_cv, load_outlier_dataset, make_outlier_scorer)
    >>> X, y = load_outlier_dataset("wine")  # y == 1 marks outliers
    >>> auc = make_outlier_scorer("roc_auc")
    >>> detector = IsolationForest(random_state=0).fit(X)
    >>> round(auc(detector, X, y), 3)
    0.721
    >>> y_sklearn = 1 - 2 * y  # -1 marks outliers
    >>> round(make_outlier_scorer(outlier_label=-1)(detector, X, y_sklearn), 3)
    0.721
    >>> tuner = GridTuner(
    ...     IsolationForest(random_state=0),
    ...     {"max_features": [0.5, 1.0], "n_estimators": [50, 100]},
    ...     scoring={"auc": auc, "f1": make_outlier_scorer("f1")},
    ...     refit="auc",
    ...     cv=default_cv(IsolationForest(), 3, y),
    ... ).fit(X, y)
    >>> tuner.best_params_
    {'max_features': 1.0, 'n_estimators': 100}
    """
    return OutlierScorer(metric, outlier_label, convention, response, kwargs)
