"""Scorer resolution and scoring of one fitted estimator."""

import numbers
import warnings
from contextlib import suppress
from traceback import format_exc

from sklearn.metrics import check_scoring, get_scorer_names

from ._compat import (
    InvalidParameterError,
    _MultimetricScorer,
    multimetric_scorers,
    scorer_accepts_sample_weight,
)


def check_scoring_param(scoring):
    """Raise if ``scoring`` is not of a kind a search accepts."""
    if scoring is None or callable(scoring) or isinstance(scoring, list | tuple | dict):
        return
    if isinstance(scoring, str):
        if scoring not in get_scorer_names():
            raise InvalidParameterError(
                f"The 'scoring' parameter must be a str among "
                f"sklearn.metrics.get_scorer_names(), a callable, a list, a tuple, "
                f"a dict or None; got {scoring!r}, which is not a known scorer name."
            )
        return
    raise InvalidParameterError(
        "The 'scoring' parameter must be a str among "
        "sklearn.metrics.get_scorer_names(), a callable, a list, a tuple, a dict "
        f"or None; got {scoring!r} ({type(scoring).__name__})."
    )


def check_refit_for_multimetric(refit, names):
    """Raise unless ``refit`` can pick a best candidate among metrics ``names``."""
    valid = isinstance(refit, str) and refit in names
    if refit is not False and not valid and not callable(refit):
        raise ValueError(
            "For multi-metric scoring, the parameter refit must be set to a "
            "scorer key or a callable to refit an estimator with the best "
            "parameter setting on the whole data and make the best_* "
            "attributes available for that metric. If this is not needed, "
            f"refit should be set to False explicitly. {refit!r} was "
            "passed."
        )


def resolve_scoring(estimator, scoring, refit, error_score):
    """Return ``(scorer, refit_metric)`` as scikit-learn's searches do.

    ``scorer`` is a single scorer callable, or a multimetric scorer whose
    per-name scorers :func:`scorer_dict` returns.
    """
    check_scoring_param(scoring)
    if callable(scoring):
        return scoring, "score"
    if scoring is None or isinstance(scoring, str):
        return check_scoring(estimator, scoring), "score"
    scorer = check_scoring(estimator, scoring, raise_exc=(error_score == "raise"))
    check_refit_for_multimetric(refit, multimetric_scorers(scorer))
    return scorer, refit


def is_multimetric(scorer):
    return isinstance(scorer, _MultimetricScorer)


def scorer_dict(scorer):
    """What ``scorer_`` holds: the name -> scorer dict, or the single scorer."""
    return multimetric_scorers(scorer) if is_multimetric(scorer) else scorer


def scorers_accept_sample_weight(scorer, owner):
    """Whether fit's ``sample_weight`` goes to the scorer; warn where it cannot."""
    if is_multimetric(scorer):
        accepted = []
        for name, one in multimetric_scorers(scorer).items():
            ok = scorer_accepts_sample_weight(one)
            accepted.append(ok)
            if not ok:
                warnings.warn(
                    f"The scoring {name}={one} does not support sample_weight, "
                    "which may lead to statistically incorrect results when "
                    f"fitting {owner} with sample_weight. "
                )
        return any(accepted)
    accept = scorer_accepts_sample_weight(scorer)
    if not accept:
        warnings.warn(
            f"The scoring {scorer} does not support sample_weight, "
            "which may lead to statistically incorrect results when "
            f"fitting {owner} with sample_weight. "
        )
    return accept


_FAILED = (
    "Scoring failed. The score on this train-test partition for "
    "these parameters will be set to {}. Details: \n{}"
)


def score(estimator, X, y, scorer, score_params, error_score, failures=None):
    """Score a fitted estimator: a number, or a dict of numbers (multimetric).

    Failures follow scikit-learn: raised when ``error_score='raise'``, else
    replaced by ``error_score`` with a ``UserWarning`` (and noted in the
    list ``failures``, when given: the scores then depend on ``error_score``).
    """
    failures = [] if failures is None else failures
    score_params = score_params or {}
    multimetric = is_multimetric(scorer)
    try:
        if y is None:
            scores = scorer(estimator, X, **score_params)
        else:
            scores = scorer(estimator, X, y, **score_params)
    except Exception:
        if multimetric or error_score == "raise":
            raise
        scores = error_score
        failures.append(True)
        warnings.warn(_FAILED.format(error_score, format_exc()), UserWarning)

    if multimetric:
        for name, value in list(scores.items()):
            if isinstance(value, str):
                scores[name] = error_score
                failures.append(True)
                warnings.warn(_FAILED.format(error_score, value), UserWarning)

    msg = "scoring must return a number, got %s (%s) instead. (scorer=%s)"
    if isinstance(scores, dict):
        for name, value in scores.items():
            value = _unwrap(value)
            if not isinstance(value, numbers.Number):
                raise ValueError(msg % (value, type(value), name))
            scores[name] = value
        return scores
    scores = _unwrap(scores)
    if not isinstance(scores, numbers.Number):
        raise ValueError(msg % (scores, type(scores), scorer))
    return scores


def _unwrap(value):
    if hasattr(value, "item"):
        with suppress(ValueError):
            value = value.item()
    return value
