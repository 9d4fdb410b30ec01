"""Promise 3, nothing lost: budgets, checkpoint writes, reuse, foreign files.

Issue 28: a NumPy or very long ``max_time``, a checkpoint that cannot be
written, journaled rows and the budget, ``error_score`` and reuse, a
foreign SQLite file, a 0-d array in a grid. Reuse is proven by counting fits,
never by timing.
"""

import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.exceptions import FitFailedWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
)

from skhyper import GridTuner, HalvingGridTuner, HyperbandTuner, RandomTuner
from skhyper._engine import _journal
from skhyper._engine._journal import candidate_digest

from .counting import CountingClassifier, reset_counts
from .utils import assert_cv_results_equal

try:
    import resource
except ImportError:  # not POSIX
    resource = None

GRID = {"C": [0.01, 0.1, 1.0, 10.0]}


@pytest.fixture(autouse=True)
def _fresh_counts():
    reset_counts()
    yield
    reset_counts()


def _n_rows(path):
    with sqlite3.connect(path) as db:
        (n,) = db.execute("SELECT count(*) FROM results").fetchone()
    db.close()
    return n


# -- max_time: a Python float, held by a timer ----------------------------------


@pytest.mark.parametrize("max_time", [np.float32(1000), np.int64(1000), 1e10, 1e300])
def test_max_time_numpy_scalar_or_huge_runs_the_whole_search(
    classification, monkeypatch, max_time
):
    X, y = classification
    crashed = []  # exceptions of any thread (the deadline's timer)
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    tuner = GridTuner(CountingClassifier(), GRID, cv=3, max_time=max_time)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "max_time was spent"
        tuner.fit(X, y)
    assert crashed == []
    reference = GridSearchCV(CountingClassifier(), GRID, cv=3).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)
    assert tuner.best_params_ == reference.best_params_


# -- a 0-d array in a grid: scikit-learn's TypeError ------------------------------


def test_a_zero_dimensional_array_in_a_grid_is_a_type_error(classification):
    X, y = classification
    grid = {"C": np.array(1.0)}
    with pytest.raises(TypeError):
        GridSearchCV(CountingClassifier(), grid, cv=3).fit(X, y)
    with pytest.raises(TypeError, match=r"'C'.*array\(1\."):
        GridTuner(CountingClassifier(), grid, cv=3).fit(X, y)
    assert CountingClassifier.fits == []


# -- a foreign SQLite file is never written ------------------------------------


def _foreign(path, kind):
    db = sqlite3.connect(path)
    if kind == "no_tables":
        db.execute("PRAGMA user_version = 7")  # a database, with no table yet
    else:
        db.execute("CREATE TABLE users (name TEXT)")
        db.execute("INSERT INTO users VALUES ('ada')")
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", ["no_tables", "other_tables"])
def test_a_foreign_sqlite_file_is_refused_before_any_fit(
    classification, tmp_path, kind
):
    X, y = classification
    path = tmp_path / "app.db"
    _foreign(path, kind)
    before = path.read_bytes()
    assert before.startswith(b"SQLite format 3\x00")
    tuner = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path)
    with pytest.raises(ValueError, match=r"checkpoint=.*app\.db.*refusing"):
        tuner.fit(X, y)
    assert CountingClassifier.fits == []
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


@pytest.mark.parametrize("kind", ["absent", "empty"])
def test_a_new_or_empty_file_becomes_a_checkpoint(classification, tmp_path, kind):
    X, y = classification
    path = tmp_path / "new.db"
    if kind == "empty":
        path.write_bytes(b"")
    GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path).fit(X, y)
    assert _n_rows(path) == 4 * 3
    reset_counts()
    again = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path).fit(X, y)
    assert again.work_["from_checkpoint"] == 4 * 3
    assert len(CountingClassifier.fits) == 1  # the refit only


# -- a checkpoint write that fails ----------------------------------------------


def test_a_failing_checkpoint_write_turns_it_off_and_keeps_every_result(
    classification, tmp_path, monkeypatch
):
    X, y = classification
    path = tmp_path / "full.db"
    write = _journal.Journal.write
    calls = []

    def full_after_one(self, rows):
        calls.append(len(rows))
        if len(calls) > 1:
            raise sqlite3.OperationalError("database or disk is full")
        return write(self, rows)

    monkeypatch.setattr(_journal.Journal, "write", full_after_one)
    tuner = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert "full.db" in messages[0]
    assert "database or disk is full" in messages[0]
    assert len(calls) == 2  # off after the failed write: never tried again
    reference = GridSearchCV(CountingClassifier(), GRID, cv=3).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)
    # What was written before the failure is kept, and reused.
    n_written = calls[0]
    assert _n_rows(path) == n_written > 0
    monkeypatch.setattr(_journal.Journal, "write", write)
    reset_counts()
    again = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path).fit(X, y)
    assert again.work_["from_checkpoint"] == n_written
    assert len(CountingClassifier.fits) == 4 * 3 - n_written + 1  # + the refit
    assert_cv_results_equal(again.cv_results_, reference.cv_results_)


# -- journaled rows cost no budget ----------------------------------------------


def test_a_journaled_halving_search_resumes_every_rung_whatever_max_time(tmp_path):
    X, y = classification_150()
    grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]}
    kw = dict(cv=3, factor=2, min_resources=30, random_state=0)
    path = tmp_path / "halving.db"
    first = HalvingGridTuner(CountingClassifier(), grid, checkpoint=path, **kw)
    first.fit(X, y)
    n_fits = len(CountingClassifier.fits)
    assert first.n_iterations_ >= 3
    reset_counts()
    # The budget is spent before the first rung starts: every rung is read.
    again = HalvingGridTuner(
        CountingClassifier(), grid, checkpoint=path, max_time=1e-9, **kw
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing "was spent"
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    assert again.work_["from_checkpoint"] == n_fits - 1
    assert again.n_iterations_ == first.n_iterations_
    assert again.n_resources_ == first.n_resources_
    assert again.n_candidates_ == first.n_candidates_
    reference = HalvingGridSearchCV(CountingClassifier(), grid, **kw).fit(X, y)
    assert_cv_results_equal(
        again.cv_results_, reference.cv_results_, keys=["mean_test_score", "iter"]
    )
    assert again.best_params_ == reference.best_params_


def test_a_journaled_hyperband_search_resumes_every_bracket_whatever_max_time(
    tmp_path,
):
    X, y = classification_150()
    space = {"C": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 3.0, 0.3]}
    kw = dict(cv=3, factor=2, min_resources=30, random_state=0)
    path = tmp_path / "hyperband.db"
    first = HyperbandTuner(CountingClassifier(), space, checkpoint=path, **kw)
    first.fit(X, y)
    n_fits = len(CountingClassifier.fits)
    assert first.n_brackets_ >= 2
    reset_counts()
    # The budget is spent before the first rung starts: every rung of every
    # bracket is read back, and nothing warns that something was not done.
    again = HyperbandTuner(
        CountingClassifier(), space, checkpoint=path, max_time=1e-9, **kw
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    assert again.work_["from_checkpoint"] == n_fits - 1
    assert again.n_resources_ == first.n_resources_
    assert again.n_candidates_ == first.n_candidates_
    assert_cv_results_equal(
        again.cv_results_,
        first.cv_results_,
        keys=["mean_test_score", "iter", "bracket", "n_resources"],
    )
    assert again.best_params_ == first.best_params_


def test_a_journaled_grid_search_with_its_budget_spent_does_not_warn(
    classification, tmp_path
):
    X, y = classification
    path = tmp_path / "grid.db"
    GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path).fit(X, y)
    reset_counts()
    again = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path, max_time=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not "the others were not ... finished"
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    reference = GridSearchCV(CountingClassifier(), GRID, cv=3).fit(X, y)
    assert_cv_results_equal(again.cv_results_, reference.cv_results_)


def classification_150():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=150, n_features=6, random_state=0)


# -- error_score does not key a successful fit ------------------------------------


def test_successful_fits_are_reused_whatever_error_score(classification, tmp_path):
    X, y = classification
    path = tmp_path / "errors.db"
    grid = {"C": [0.1, 1.0, 10.0, -1.0]}  # C=-1 fails in LogisticRegression
    n_fits = 4 * 3

    def tuner(error_score):
        return GridTuner(
            CountingClassifier(), grid, cv=3, checkpoint=path, error_score=error_score
        )

    def reference(error_score):
        with pytest.warns(FitFailedWarning):
            return GridSearchCV(
                CountingClassifier(), grid, cv=3, error_score=error_score
            ).fit(X, y)

    with pytest.raises(ValueError):
        tuner("raise").fit(X, y)
    n_ok = _n_rows(path)  # the successful fits that finished before the raise
    assert n_ok > 0
    reset_counts()
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 12"):
        nan = tuner(np.nan).fit(X, y)
    assert nan.work_["from_checkpoint"] == n_ok
    assert len(CountingClassifier.fits) == n_fits - n_ok + 1  # + the refit
    assert_cv_results_equal(nan.cv_results_, reference(np.nan).cv_results_)

    # A failed fit's row holds error_score: another error_score refits it only.
    reset_counts()
    with pytest.warns(FitFailedWarning):
        zero = tuner(0.0).fit(X, y)
    refitted = [p["C"] for p in CountingClassifier.fits]
    assert sorted(refitted) == [-1.0] * 3 + [zero.best_params_["C"]]
    assert zero.work_["from_checkpoint"] == n_fits - 3
    assert_cv_results_equal(zero.cv_results_, reference(0.0).cv_results_)
    reset_counts()
    with pytest.warns(FitFailedWarning):
        tuner(0.0).fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    # And "raise" never takes a failed row for a result: it fits and raises.
    reset_counts()
    with pytest.raises(ValueError):
        tuner("raise").fit(X, y)
    assert [p["C"] for p in CountingClassifier.fits] == [-1.0]


def failing_for_c10(estimator, X, y):
    """Accuracy, except that scoring a model with C=10 fails."""
    if estimator.C == 10.0:
        raise RuntimeError("no score for C=10")
    return float(np.mean(estimator.predict(X) == y))


def test_a_failed_score_keys_its_row_with_error_score(classification, tmp_path):
    X, y = classification
    path = tmp_path / "scores.db"

    def fit(error_score, kind=GridTuner, **kw):
        search = kind(
            CountingClassifier(),
            GRID,
            cv=3,
            scoring=failing_for_c10,
            error_score=error_score,
            **kw,
        )
        with pytest.warns(UserWarning, match="Scoring failed"):
            return search.fit(X, y)

    fit(np.nan, checkpoint=path)
    reset_counts()
    zero = fit(0.0, checkpoint=path)  # only the rows holding error_score
    refitted = [p["C"] for p in CountingClassifier.fits]
    assert sorted(refitted) == sorted([10.0] * 3 + [zero.best_params_["C"]])
    reference = fit(0.0, GridSearchCV)
    assert_cv_results_equal(zero.cv_results_, reference.cv_results_)


# -- journaled rows cost no budget: sampled searches ------------------------------

SPACE = {"C": loguniform(1e-3, 1e2)}


def _random(**kw):
    return RandomTuner(CountingClassifier(), SPACE, cv=3, random_state=0, **kw)


def test_a_journaled_random_search_without_n_iter_reads_back_whatever_max_time(
    classification, tmp_path
):
    X, y = classification
    path = tmp_path / "random.db"
    _random(n_iter=12, checkpoint=path).fit(X, y)
    reset_counts()
    # n_iter=None draws the same candidates, in the same order; the budget
    # is spent before the first one: every journaled one is read back.
    again = _random(n_iter=None, max_time=1e-9, checkpoint=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing "was spent"
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    assert again.work_["from_checkpoint"] == 12 * 3
    reference = RandomizedSearchCV(
        CountingClassifier(), SPACE, n_iter=12, cv=3, random_state=0
    ).fit(X, y)
    assert_cv_results_equal(again.cv_results_, reference.cv_results_, ignore=["*"])
    for key in ("params", "mean_test_score", "split0_test_score", "rank_test_score"):
        assert_cv_results_equal(again.cv_results_, reference.cv_results_, keys=[key])
    assert again.best_params_ == reference.best_params_


def test_a_random_search_cut_short_reads_back_every_journaled_candidate(
    classification, tmp_path
):
    X, y = classification
    path = tmp_path / "holes.db"
    first = _random(n_iter=12, checkpoint=path).fit(X, y)
    # A hole: the third candidate's rows are gone (a fit cut short).
    hole = candidate_digest(first.cv_results_["params"][2])
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM results WHERE candidate = ?", (hole,))
    db.close()
    reset_counts()
    again = _random(n_iter=None, max_time=1e-9, checkpoint=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1
    expected = first.cv_results_["params"][:2] + first.cv_results_["params"][3:]
    assert again.cv_results_["params"] == expected
    kept = np.delete(first.cv_results_["mean_test_score"], 2)
    np.testing.assert_array_equal(again.cv_results_["mean_test_score"], kept)


def test_a_journaled_random_search_of_lists_reads_back_whatever_max_time(
    classification, tmp_path
):
    X, y = classification
    path = tmp_path / "lists.db"
    kw = dict(cv=3, random_state=0, n_iter=None)
    RandomTuner(CountingClassifier(), GRID, checkpoint=path, **kw).fit(X, y)
    reset_counts()
    again = RandomTuner(
        CountingClassifier(), GRID, checkpoint=path, max_time=1e-9, **kw
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1
    reference = RandomizedSearchCV(
        CountingClassifier(), GRID, n_iter=4, cv=3, random_state=0
    ).fit(X, y)
    assert_cv_results_equal(again.cv_results_, reference.cv_results_)


@pytest.mark.parametrize("n_iter", [12, None])
def test_a_journaled_bayes_search_is_told_every_journaled_trial_whatever_max_time(
    classification, tmp_path, n_iter
):
    pytest.importorskip("optuna")
    from skhyper import BayesTuner

    X, y = classification
    path = tmp_path / "bayes.db"

    def bayes(**kw):
        return BayesTuner(
            CountingClassifier(), SPACE, cv=3, random_state=0, checkpoint=path, **kw
        )

    first = bayes(n_iter=12).fit(X, y)  # rounds of 10 (random), 1 and 1
    reset_counts()
    again = bayes(n_iter=n_iter, max_time=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again.fit(X, y)
    assert len(CountingClassifier.fits) == 1  # the refit only
    assert again.work_["from_checkpoint"] == 12 * 3
    assert_cv_results_equal(again.cv_results_, first.cv_results_)
    assert again.best_params_ == first.best_params_


@pytest.mark.parametrize("n_iter", [12, None])
def test_a_bayes_search_with_a_hole_reads_back_the_rounds_before_it(
    classification, tmp_path, n_iter
):
    pytest.importorskip("optuna")
    from skhyper import BayesTuner

    X, y = classification
    path = tmp_path / "bayes_hole.db"

    def bayes(**kw):
        return BayesTuner(
            CountingClassifier(), SPACE, cv=3, random_state=0, checkpoint=path, **kw
        )

    first = bayes(n_iter=12).fit(X, y)  # rounds of 10 (random), 1 and 1
    hole = candidate_digest(first.cv_results_["params"][10])  # round 2
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM results WHERE candidate = ?", (hole,))
    db.close()
    reset_counts()
    again = bayes(n_iter=n_iter, max_time=1e-9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again.fit(X, y)
    messages = [str(w.message) for w in caught]
    if n_iter is None:  # no count to fall short of
        assert messages == []
    else:  # what a grid with the budget spent says
        assert len(messages) == 1 and "10 of 11 candidates" in messages[0]
    assert len(CountingClassifier.fits) == 1  # the refit only
    assert again.cv_results_["params"] == first.cv_results_["params"][:10]
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_score"],
        first.cv_results_["mean_test_score"][:10],
    )


# -- a checkpoint read that fails -------------------------------------------------


class _Broken:
    """A connection whose every statement fails, as a removed or damaged
    file's does."""

    def __init__(self, db):
        self._db = db

    def execute(self, *args):
        raise sqlite3.DatabaseError("database disk image is malformed")

    def close(self):
        self._db.close()


def test_a_failing_checkpoint_read_turns_it_off_and_fits_what_it_held(
    classification, tmp_path, monkeypatch
):
    X, y = classification
    path = tmp_path / "broken.db"
    kw = dict(cv=3, random_state=0, n_iter=None)  # batches of 2 candidates
    RandomTuner(CountingClassifier(), GRID, checkpoint=path, **kw).fit(X, y)
    load = _journal.Journal.load
    calls = []

    def broken_after_one(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            self.db = _Broken(self.db)
        return load(self, *args, **kwargs)

    monkeypatch.setattr(_journal.Journal, "load", broken_after_one)
    reset_counts()
    tuner = RandomTuner(CountingClassifier(), GRID, checkpoint=path, **kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert "broken.db" in messages[0] and "could not be read" in messages[0]
    assert "malformed" in messages[0]
    assert len(calls) == 2  # off after the failed read: never read again
    assert tuner.work_["from_checkpoint"] == 2 * 3  # the first batch
    assert len(CountingClassifier.fits) == 2 * 3 + 1  # the rest, and the refit
    reference = RandomizedSearchCV(
        CountingClassifier(), GRID, n_iter=4, cv=3, random_state=0
    ).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)


def test_a_damaged_checkpoint_is_refused_before_any_fit(classification, tmp_path):
    X, y = classification
    path = tmp_path / "damaged.db"
    GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path).fit(X, y)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # SQLite's header, then garbage
    path.write_bytes(bytes(data))
    reset_counts()
    tuner = GridTuner(CountingClassifier(), GRID, cv=3, checkpoint=path)
    with pytest.raises(ValueError, match=r"checkpoint=.*damaged\.db"):
        tuner.fit(X, y)
    assert CountingClassifier.fits == []


# -- a real write failure: a file size limit --------------------------------------

_FULL_DISK = """
import pickle, resource, signal, sys, warnings
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from skhyper import GridTuner

path, out = sys.argv[1], sys.argv[2]
X, y = make_classification(n_samples=120, n_features=8, random_state=0)
grid = {"C": [0.001 * 2**i for i in range(20)]}
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
# Writes past 40 kB fail (EFBIG: SQLite's "disk I/O error" or "database or
# disk is full") instead of killing the process.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, hard))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tuner = GridTuner(LogisticRegression(), grid, cv=3, checkpoint=path).fit(X, y)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
with open(out, "wb") as f:
    pickle.dump(([str(w.message) for w in caught], tuner.cv_results_), f)
"""


@pytest.mark.skipif(resource is None, reason="needs resource (POSIX)")
def test_a_checkpoint_past_a_file_size_limit_keeps_every_result(tmp_path):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    path, out = tmp_path / "limited.db", tmp_path / "out.pkl"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(path), str(out)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    with open(out, "rb") as f:
        messages, results = pickle.load(f)
    assert len(messages) == 1, messages
    assert "limited.db" in messages[0] and "could not be written" in messages[0]
    X, y = make_classification(n_samples=120, n_features=8, random_state=0)
    grid = {"C": [0.001 * 2**i for i in range(20)]}
    reference = GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    assert_cv_results_equal(results, reference.cv_results_)
    # What was written before the limit is a checkpoint a rerun reads back.
    n_written = _n_rows(path)
    assert 0 < n_written < 20 * 3
    again = GridTuner(LogisticRegression(), grid, cv=3, checkpoint=path).fit(X, y)
    assert again.work_["from_checkpoint"] == n_written
    assert_cv_results_equal(again.cv_results_, reference.cv_results_)
