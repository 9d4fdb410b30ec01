"""Property-based: malformed input always fails before any fit, cleanly.

Each example must raise ValueError or TypeError (never another exception,
never a hang) and no estimator may have been fitted.
"""

import signal
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import uniform
from sklearn.metrics import get_scorer_names

from skhyper import GridTuner, RandomTuner

from .conftest import tiny_classification_data
from .counting import CountingClassifier, reset_counts

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@contextmanager
def no_hang(seconds=20):
    def alarm(signum, frame):
        raise AssertionError(f"fit did not return within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fails_cleanly_before_fit(tuner):
    X, y = tiny_classification_data()  # 30 samples: cv=31 is too many splits
    reset_counts()
    with no_hang(), pytest.raises((ValueError, TypeError)) as info:
        tuner.fit(X, y)
    assert not CountingClassifier.fits, f"fitted before failing: {info.value!r}"
    assert str(info.value), "the error says nothing"


bad_values = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.booleans(),
    st.just([]),
    st.just(()),
    st.just(range(0)),
    st.just(np.zeros((2, 2))),
    st.just(np.array([])),
    st.sets(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
)
good_values = st.lists(st.floats(0.1, 10), min_size=1, max_size=3)
bad_names = st.one_of(
    st.text(max_size=8).filter(lambda s: s not in {"C", "max_iter"}),
    st.integers(),
    st.just("C__x"),
    st.just("max_iter__"),
)


@SETTINGS
@given(value=bad_values)
def test_grid_with_a_bad_value_list(value):
    fails_cleanly_before_fit(GridTuner(CountingClassifier(), {"C": value}, cv=2))


@SETTINGS
@given(value=bad_values.filter(lambda v: not hasattr(v, "rvs")))
def test_distribution_with_a_bad_value(value):
    tuner = RandomTuner(CountingClassifier(), {"C": value}, n_iter=2, cv=2)
    fails_cleanly_before_fit(tuner)


@SETTINGS
@given(name=bad_names, values=good_values, in_list=st.booleans())
def test_bad_parameter_name(name, values, in_list):
    grid = {"C": [1.0], name: values}
    space = [{"C": [2.0]}, grid] if in_list else grid
    fails_cleanly_before_fit(GridTuner(CountingClassifier(), space, cv=2))
    fails_cleanly_before_fit(RandomTuner(CountingClassifier(), space, n_iter=2, cv=2))


@SETTINGS
@given(
    space=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=4),
        st.just([]),
        st.lists(st.integers(), min_size=1, max_size=3),
        st.tuples(st.just({"C": [1.0]})),
    )
)
def test_bad_space_type(space):
    fails_cleanly_before_fit(GridTuner(CountingClassifier(), space, cv=2))
    fails_cleanly_before_fit(RandomTuner(CountingClassifier(), space, cv=2))


@SETTINGS
@given(
    n_iter=st.one_of(
        st.integers(max_value=0),
        st.floats(allow_nan=True),
        st.text(max_size=3),
        st.just(False),  # True is 1, as for RandomizedSearchCV
        st.none(),
    )
)
def test_bad_n_iter(n_iter):
    tuner = RandomTuner(CountingClassifier(), {"C": uniform()}, n_iter=n_iter, cv=2)
    fails_cleanly_before_fit(tuner)


@SETTINGS
@given(
    cv=st.one_of(
        st.integers(max_value=1),
        st.integers(min_value=31, max_value=10**6),
        st.floats(allow_nan=True),
        st.text(max_size=4),
        st.just([]),
        st.builds(object),
    )
)
def test_bad_cv(cv):
    fails_cleanly_before_fit(GridTuner(CountingClassifier(), {"C": [1.0]}, cv=cv))


names = sorted(get_scorer_names())


@SETTINGS
@given(
    scoring=st.one_of(
        st.text(max_size=10).filter(lambda s: s not in names),
        st.integers(),
        st.floats(),
        st.just([]),
        st.just({}),
        st.lists(st.sampled_from(["accuracy", "f1"]), min_size=2, max_size=3).filter(
            lambda s: len(set(s)) < len(s)
        ),
        st.lists(st.text(max_size=5).filter(lambda s: s not in names), min_size=1),
    ),
    refit=st.sampled_from([True, "accuracy"]),
)
def test_bad_scoring(scoring, refit):
    tuner = GridTuner(
        CountingClassifier(), {"C": [1.0]}, scoring=scoring, refit=refit, cv=2
    )
    fails_cleanly_before_fit(tuner)
