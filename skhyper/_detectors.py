"""What the core needs to know about outlier detectors.

The tuners treat detectors specially in two places: their default folds
are stratified on the outlier indicator (:func:`default_cv`), and a grid
that varies only a detector's threshold under a threshold-free scoring is
warned about (:func:`check_threshold_grid`). Both are public in
:mod:`skhyper.anomaly`; they live here so that the core never imports that
add-on (``import skhyper`` stays light).
"""

import numbers
import warnings

from sklearn.base import clone, is_outlier_detector
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import type_of_target

from ._compat import legacy_estimator_type
from ._engine import canonical, is_passthrough

# How deep final_estimator looks through pipelines and wrappers (a deeper
# nesting is no real estimator: a cycle).
MAX_NESTING = 100


def path_to_final(estimator):
    """Every object from ``estimator`` down to the detector at the end of
    pipelines, Transductive wrappers and fitted searches (both included)."""
    path = [estimator]
    for _ in range(MAX_NESTING):
        if isinstance(estimator, Pipeline):
            step = estimator.steps[-1][1]
            if is_passthrough(step):
                return path
            estimator = step
        elif is_transductive(estimator):
            estimator = getattr(estimator, "estimator_", estimator.estimator)
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        else:
            return path
        path.append(estimator)
    return path


def final_estimator(estimator):
    """The detector at the end of pipelines, Transductive and fitted searches."""
    return path_to_final(estimator)[-1]


def is_transductive(estimator):
    """Whether ``estimator`` is a :class:`skhyper.anomaly.Transductive`."""
    return getattr(type(estimator), "_skhyper_transductive", False) is True


def check_scorers_can_score(estimator, candidate_params, scoring):
    """Raise before any fit if a scorer cannot score some candidate.

    A scorer may define ``skhyper_check(estimator)``, raising ``TypeError``
    when it cannot score that (unfitted, configured) estimator: the outlier
    scorers of :mod:`skhyper.anomaly` do, for a detector with no method for
    new data (``LocalOutlierFactor(novelty=False)``). Every distinct
    candidate is configured and checked.
    """
    if callable(scoring):
        scorers = [scoring]
    elif isinstance(scoring, dict):
        scorers = [s for s in scoring.values() if callable(s)]
    else:
        return
    checks = [s.skhyper_check for s in scorers if hasattr(s, "skhyper_check")]
    if not checks:
        return
    seen = set()
    for params in candidate_params:
        key = canonical(params)
        if key in seen:
            continue
        seen.add(key)
        candidate = clone(estimator).set_params(**clone(params, safe=False))
        for check in checks:
            check(candidate)


def is_pyod_like(estimator):
    """PyOD's markers: fitted ``decision_scores_`` and ``threshold_``, or the class."""
    if hasattr(estimator, "decision_scores_") and hasattr(estimator, "threshold_"):
        return True
    cls = type(estimator)
    return cls.__module__.partition(".")[0] == "pyod" or hasattr(
        cls, "_process_decision_scores"
    )


def is_sklearn_detector(estimator):
    """scikit-learn's outlier tag, without failing on objects that have no tags."""
    try:
        if is_outlier_detector(estimator):
            return True
    except (AttributeError, TypeError):
        # scikit-learn >= 1.7 raises for objects without __sklearn_tags__.
        pass
    return legacy_estimator_type(estimator) == "outlier_detector"


def is_detector(estimator):
    """Whether ``estimator`` (fitted or not) is an outlier or novelty detector."""
    final = final_estimator(estimator)
    return (
        is_pyod_like(final)
        or is_sklearn_detector(final)
        or is_sklearn_detector(estimator)
    )


def default_cv(estimator, cv, y):
    """The cross-validation a tuner uses for ``estimator``, ``cv`` and ``y``.

    For an outlier or novelty detector (scikit-learn's outlier tag, or
    PyOD-like; pipelines ending in one count) fitted with labels, ``cv=None``
    and an int ``cv`` mean :class:`~sklearn.model_selection.StratifiedKFold`
    (5 splits, or ``cv``) on ``y``: every fold holds outliers in the dataset's
    proportion, so ranking metrics are defined on every test fold. (With
    binary ``y``, stratifying on ``y`` is stratifying on the outlier
    indicator, whichever label marks outliers.) Where scikit-learn's
    ``check_cv`` would give a plain ``KFold`` (no shuffling), folds may hold
    no outlier at all. Anything else (a splitter, an iterable of splits, a
    non-detector, no labels, non-class labels) is returned unchanged.

    Parameters
    ----------
    estimator : estimator object
        The estimator being tuned.

    cv : int, cross-validation generator, iterable or None
        The tuner's ``cv`` parameter.

    y : array-like of shape (n_samples,) or None
        The labels given to ``fit``.

    Returns
    -------
    int, cross-validation generator, iterable or None
        A ``StratifiedKFold`` for a detector with class labels and ``cv``
        None or an int; ``cv`` itself otherwise.

    Examples
    --------
    >>> from sklearn.ensemble import IsolationForest
    >>> from sklearn.svm import SVC
    >>> from skhyper.anomaly import default_cv
    >>> y = [0] * 18 + [1] * 6
    >>> default_cv(IsolationForest(), None, y)
    StratifiedKFold(n_splits=5, random_state=None, shuffle=False)
    >>> default_cv(IsolationForest(), 3, y)
    StratifiedKFold(n_splits=3, random_state=None, shuffle=False)
    >>> default_cv(IsolationForest(), None, None) is None
    True
    >>> default_cv(SVC(), 3, y)
    3
    """
    if y is None:
        return cv
    if not (
        cv is None or (isinstance(cv, numbers.Integral) and not isinstance(cv, bool))
    ):
        return cv
    if not is_detector(estimator):
        return cv
    if type_of_target(y) not in ("binary", "multiclass"):
        return cv
    return StratifiedKFold(5 if cv is None else int(cv))


# -- grid checks -----------------------------------------------------------------

#: Parameters that only move a detector's decision threshold.
THRESHOLD_PARAMS = frozenset({"contamination"})

#: scikit-learn scorer names that do not depend on predicted labels.
_SKLEARN_THRESHOLD_FREE = frozenset(
    {
        "roc_auc",
        "average_precision",
        "neg_log_loss",
        "neg_brier_score",
        "roc_auc_ovr",
        "roc_auc_ovo",
        "roc_auc_ovr_weighted",
        "roc_auc_ovo_weighted",
        "top_k_accuracy",
        "d2_log_loss_score",
        "d2_brier_score",
    }
)


def _threshold_free(scoring):
    if scoring is None:
        return False
    if isinstance(scoring, str):
        return scoring in _SKLEARN_THRESHOLD_FREE
    if isinstance(scoring, dict):
        return bool(scoring) and all(_threshold_free(s) for s in scoring.values())
    if isinstance(scoring, list | tuple | set | frozenset):
        return bool(scoring) and all(_threshold_free(s) for s in scoring)
    return getattr(scoring, "threshold_free", False) is True


def check_threshold_grid(estimator, candidate_params, scoring):
    """Warn when candidates vary a threshold the scoring cannot see.

    ``contamination`` (of ``IsolationForest``, ``LocalOutlierFactor``,
    ``EllipticEnvelope``, PyOD detectors; at any depth, such as
    ``det__contamination``) only sets where a detector cuts its scores into
    labels. A threshold-free scoring (``roc_auc``, ``average_precision``,
    Mass-Volume, Excess-Mass: every scorer with ``threshold_free`` True, and
    scikit-learn's ranking scorer names) does not look at labels, so
    candidates that differ only in ``contamination`` score the same. This
    function issues a ``UserWarning`` when ``estimator`` is a detector, every
    scorer in ``scoring`` is threshold-free, and a threshold parameter takes
    more than one value among ``candidate_params``.

    Parameters
    ----------
    estimator : estimator object
        The estimator being tuned.

    candidate_params : iterable of dict
        The candidates about to be evaluated.

    scoring : str, callable, list, tuple, dict or None
        The tuner's ``scoring``.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.ensemble import IsolationForest
    >>> from skhyper.anomaly import check_threshold_grid, make_outlier_scorer
    >>> candidates = [{"contamination": 0.05}, {"contamination": 0.1}]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_threshold_grid(IsolationForest(), candidates, "roc_auc")
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    The candidates differ only in 'contamination', ... every candidate scores ...
    >>> check_threshold_grid(IsolationForest(), candidates, make_outlier_scorer("f1"))
    """
    candidate_params = list(candidate_params)
    if len(candidate_params) < 2 or not _threshold_free(scoring):
        return
    if not is_detector(estimator):
        return
    names = sorted(
        {
            name
            for params in candidate_params
            for name in params
            if name.rsplit("__", 1)[-1] in THRESHOLD_PARAMS
        }
    )
    missing = object()
    varying = [
        name
        for name in names
        if len({canonical(p.get(name, missing)) for p in candidate_params}) > 1
    ]
    if not varying:
        return
    shown = ", ".join(repr(name) for name in varying)
    rest = {
        canonical({k: v for k, v in p.items() if k not in varying})
        for p in candidate_params
    }
    if len(rest) == 1:
        msg = (
            f"The candidates differ only in {shown}, which only sets the "
            "detector's decision threshold; under the threshold-free scoring "
            f"{scoring!r} every candidate scores the same, and the best is "
            "simply the first."
        )
    else:
        msg = (
            f"The candidates vary {shown}, which only sets the detector's "
            f"decision threshold; under the threshold-free scoring {scoring!r} "
            "candidates that differ only in it score the same (each costs its "
            "own fits)."
        )
    msg += (
        " Tune it with a threshold metric (make_outlier_scorer('f1'), "
        "'precision', 'recall', ...) or leave it out of the grid."
    )
    warnings.warn(msg, UserWarning, stacklevel=2)
