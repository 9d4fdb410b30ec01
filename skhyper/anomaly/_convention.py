"""How an outlier detector orients its outputs: scikit-learn's or PyOD's way.

Two conventions are in use:

- **scikit-learn** (``IsolationForest``, ``OneClassSVM``,
  ``LocalOutlierFactor``, ``EllipticEnvelope``, ...): ``score_samples`` and
  ``decision_function`` are *higher for more normal* samples, and ``predict``
  returns ``-1`` for outliers and ``1`` for inliers. Such a detector says so
  through its tags: ``get_tags(est).estimator_type == "outlier_detector"``
  (:func:`sklearn.base.is_outlier_detector`).
- **PyOD** (and libraries that copy it): ``decision_function`` is *higher for
  more anomalous* samples, and ``predict`` returns ``1`` for outliers and
  ``0`` for inliers. A fitted PyOD detector holds ``decision_scores_`` (the
  training scores) and ``threshold_``; its class comes from the ``pyod``
  package or defines PyOD's ``_process_decision_scores``.

The PyOD markers are checked first (a PyOD-style detector may also carry
scikit-learn's outlier tags); pipelines, :class:`~skhyper.anomaly.Transductive`
and fitted searches are looked through to the detector at their end.
"""

import numpy as np

from .._detectors import (
    final_estimator,
    is_pyod_like,
    is_sklearn_detector,
)

CONVENTIONS = ("auto", "sklearn", "pyod")


def check_convention(convention):
    if convention not in CONVENTIONS:
        raise ValueError(
            f"convention must be one of {CONVENTIONS}, got {convention!r} "
            f"({type(convention).__name__})"
        )
    return convention


def detect_convention(estimator, convention="auto"):
    """``"sklearn"`` or ``"pyod"``: how ``estimator``'s outputs are oriented."""
    if convention != "auto":
        return convention
    final = final_estimator(estimator)
    if is_pyod_like(final):
        return "pyod"
    if is_sklearn_detector(final) or is_sklearn_detector(estimator):
        return "sklearn"
    raise TypeError(
        f"Cannot tell how {type(final).__name__} orients its outputs: it is "
        "neither a scikit-learn outlier detector (get_tags(est).estimator_type "
        "== 'outlier_detector': higher score_samples means more normal, predict "
        "gives -1 for outliers) nor PyOD-like (decision_scores_ and threshold_ "
        "after fit: higher decision_function means more anomalous, predict gives "
        "1 for outliers). Pass convention='sklearn' or convention='pyod'."
    )


def _ravel(values, method, estimator):
    values = np.asarray(values, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"{type(estimator).__name__}.{method} returned an array of shape "
            f"{values.shape}; an outlier score must be one value per sample."
        )
    return values


def _no_method(estimator, what):
    name = type(final_estimator(estimator)).__name__
    return TypeError(
        f"{name} has no {what} for new data. A detector that only has "
        "fit_predict, such as LocalOutlierFactor(novelty=False), is scored "
        "through skhyper.anomaly.Transductive(detector) (or set novelty=True)."
    )


def score_methods(convention):
    """The methods that give continuous scores, in the order they are tried."""
    if convention == "pyod":
        return ("decision_function",)
    return ("score_samples", "decision_function")


def check_can_score(estimator, convention, response):
    """Raise ``TypeError`` (before any fit) if ``estimator`` has no method for
    new data that ``response`` ("score" or "predict") needs."""
    convention = detect_convention(estimator, convention)
    methods = score_methods(convention) if response == "score" else ("predict",)
    if not any(hasattr(estimator, m) for m in methods):
        raise _no_method(estimator, " or ".join(methods))


def anomaly_scores(estimator, X, convention):
    """Continuous scores of ``X``, higher for more anomalous samples."""
    if convention == "pyod":
        if not hasattr(estimator, "decision_function"):
            raise _no_method(estimator, "decision_function")
        return _ravel(estimator.decision_function(X), "decision_function", estimator)
    for method in ("score_samples", "decision_function"):
        if hasattr(estimator, method):
            values = _ravel(getattr(estimator, method)(X), method, estimator)
            return -values
    raise _no_method(estimator, "score_samples or decision_function")


def normality_scores(estimator, X, convention):
    """Continuous scores of ``X``, higher for more normal samples (Goix's ``s``)."""
    return -anomaly_scores(estimator, X, convention)


def predicted_outliers(estimator, X, convention):
    """Boolean array: which samples of ``X`` the detector predicts as outliers."""
    if not hasattr(estimator, "predict"):
        raise _no_method(estimator, "predict")
    pred = np.asarray(estimator.predict(X)).ravel()
    values = set(np.unique(pred).tolist())
    if convention == "sklearn":
        if not values <= {-1, 1}:
            raise ValueError(
                f"{type(final_estimator(estimator)).__name__}.predict returned "
                f"the labels {sorted(values)}; a scikit-learn detector returns -1 "
                "(outlier) and 1 (inlier). If it follows PyOD's convention (1 "
                "outlier, 0 inlier), pass convention='pyod'."
            )
        return pred == -1
    if not values <= {0, 1}:
        raise ValueError(
            f"{type(final_estimator(estimator)).__name__}.predict returned the "
            f"labels {sorted(values)}; a PyOD detector returns 1 (outlier) and 0 "
            "(inlier). If it follows scikit-learn's convention (-1 outlier, 1 "
            "inlier), pass convention='sklearn'."
        )
    return pred == 1
