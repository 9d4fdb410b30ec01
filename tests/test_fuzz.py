"""Bad input, fuzzed: a drawn search either runs as scikit-learn's, or is
refused before any fit as scikit-learn refuses it.

Each example draws a search spec (grid or distributions, ``n_iter``, ``cv``,
``scoring``, ``refit``, ``error_score``, ``max_time``, ``checkpoint``) with
at most one bad part. The same spec is given to scikit-learn's search
(``max_time`` and ``checkpoint`` aside, which it has not) and to ours: when
scikit-learn's runs, ours must run and give the same ``cv_results_``; when
it raises, ours must raise the same type of exception before any fit (when
scikit-learn's did not fit either), with a message naming the bad value.
The two parameters of ours alone must, when bad, be refused before any fit
with scikit-learn's parameter-validation error or ``ValueError``.
"""

import uuid
import warnings

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.stats import uniform
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from skhyper import GridTuner, RandomTuner

from .conftest import tiny_classification_data
from .counting import CountingClassifier, reset_counts
from .utils import assert_cv_results_equal

GOOD = {
    "space": st.sampled_from(["dict", "list of dicts"]),
    "n_iter": st.integers(1, 3),
    "cv": st.sampled_from([2, 3]),
    "scoring": st.sampled_from([None, "accuracy", ("accuracy", "f1")]),
    "refit": st.sampled_from([True, False]),
    "error_score": st.sampled_from([np.nan, 0.0]),
    "max_time": st.sampled_from([None, 600]),
    "checkpoint": st.sampled_from([None, "file"]),
}
BAD = {
    "space": st.sampled_from(
        ["empty list", "scalar", "string", "bad distribution", "unknown name"]
    ),
    "n_iter": st.sampled_from([0, -1, 1.5, "3"]),
    "cv": st.sampled_from([1, 31, "five", 2.5]),
    "scoring": st.sampled_from(["no such scorer", 3, ("accuracy", "accuracy")]),
    "refit": st.sampled_from(["no such metric"]),
    "error_score": st.sampled_from(["bad", None]),
    "max_time": st.sampled_from([0, -1.0, "10", float("nan")]),
    "checkpoint": st.sampled_from(["directory", 3]),
}
OURS_ONLY = ("max_time", "checkpoint")


@st.composite
def specs(draw):
    kind = draw(st.sampled_from(["grid", "random"]))
    spec = {name: draw(strategy) for name, strategy in GOOD.items()}
    bad = draw(st.sampled_from([None, *BAD]))
    if bad == "n_iter" and kind == "grid":
        bad = None
    if bad is not None:
        spec[bad] = draw(BAD[bad])
    return kind, spec, bad


def _space(kind, space):
    values = [0.1, 1.0, 3.0]
    if kind == "random" and space != "scalar":
        values = uniform(0.1, 3.0) if space == "dict" else values
    grids = {
        "dict": {"C": values},
        "list of dicts": [{"C": [0.1, 1.0]}, {"C": [3.0], "max_iter": [50]}],
        "empty list": {"C": []},
        "scalar": {"C": 1.0},
        "string": {"C": "abc"},
        "bad distribution": {"C": object()},
        "unknown name": {"no_such_param": [1, 2]},
    }
    return grids[space]


def _kwargs(kind, spec, tmp_path):
    scoring = spec["scoring"]
    scoring = list(scoring) if isinstance(scoring, tuple) else scoring
    refit = spec["refit"]
    if isinstance(scoring, list) and refit is True:
        refit = "accuracy"
    kwargs = dict(
        cv=spec["cv"], scoring=scoring, refit=refit, error_score=spec["error_score"]
    )
    if kind == "random":
        kwargs.update(n_iter=spec["n_iter"], random_state=0)
    checkpoint = spec["checkpoint"]
    if checkpoint == "file":
        checkpoint = str(tmp_path / f"{uuid.uuid4().hex}.db")
    elif checkpoint == "directory":
        checkpoint = str(tmp_path)
    ours = dict(kwargs, max_time=spec["max_time"], checkpoint=checkpoint)
    return kwargs, ours


def _run(search, X, y):
    reset_counts()
    try:
        search.fit(X, y)
    except Exception as exc:  # noqa: BLE001 - what is raised is the point
        return exc, len(CountingClassifier.fits)
    return None, len(CountingClassifier.fits)


def _names(bad, spec, exc):
    """Whether the message names the bad value (or the parameter holding it)."""
    message = str(exc)
    value = spec[bad]
    words = {bad, str(value), repr(value), "param_grid", "param_distributions"}
    if bad == "space":
        words |= {"C", "no_such_param", "object", "abc", "1.0"}
    if bad == "scoring":
        words |= {"accuracy"}
    if bad == "cv":
        words |= {"n_splits"}
    return any(word in message for word in words)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(spec=specs())
def test_a_drawn_search_runs_as_scikit_learns_or_is_refused_alike(spec, tmp_path):
    kind, spec, bad = spec
    X, y = tiny_classification_data()
    space = _space(kind, spec["space"])
    theirs_kw, ours_kw = _kwargs(kind, spec, tmp_path)
    if kind == "grid":
        theirs = GridSearchCV(CountingClassifier(), space, **theirs_kw)
        ours = GridTuner(CountingClassifier(), space, **ours_kw)
    else:
        theirs = RandomizedSearchCV(CountingClassifier(), space, **theirs_kw)
        ours = RandomTuner(CountingClassifier(), space, **ours_kw)
    with warnings.catch_warnings():
        # failed fits, non-finite scores, max_time... (UserWarning subclasses)
        warnings.simplefilter("ignore", UserWarning)
        their_error, their_fits = _run(theirs, X, y)
        our_error, our_fits = _run(ours, X, y)
    outcome = "refused" if our_error is not None else "ran"
    event(f"{kind}, bad {bad}: {outcome}")
    if bad in OURS_ONLY:
        assert their_error is None
        assert isinstance(our_error, ValueError), (spec, our_error)
        assert our_fits == 0, (spec, our_error)
        assert _names(bad, spec, our_error), (spec, our_error)
        return
    if their_error is not None:
        assert isinstance(our_error, type(their_error)), (spec, their_error, our_error)
        if their_fits == 0:
            assert our_fits == 0, (spec, our_error)
        if bad is not None:
            assert _names(bad, spec, our_error), (spec, our_error)
        return
    assert our_error is None, (spec, our_error)
    assert_cv_results_equal(ours, theirs)
    if spec["refit"] is not False:
        assert ours.best_params_ == theirs.best_params_
