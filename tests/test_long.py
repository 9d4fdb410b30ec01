"""Long searches: time budget, Ctrl-C, checkpoint and resume, lost workers.

The budget test checks the stated bound on fit's duration (a promise of the
API, with a generous margin for process start-up), not speed.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skhyper import GridTuner, RandomTuner

from .counting import (
    CountingClassifier,
    LoggingClassifier,
    SleepyClassifier,
    reset_counts,
)
from .utils import assert_cv_results_equal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_max_time_is_honoured(classification, n_jobs):
    from sklearn.utils.parallel import Parallel, delayed

    X, y = classification
    # 4 s: on a 2-core machine loaded by 8 processes, no candidate finished
    # its 2 fits in 2 s with 2 workers.
    delay, max_time, n_candidates = 0.2, 4.0, 150
    grid = {"C": list(np.logspace(-3, 3, n_candidates)), "delay": [delay]}
    tuner = GridTuner(SleepyClassifier(), grid, cv=2, max_time=max_time, n_jobs=n_jobs)
    Parallel(n_jobs=n_jobs)(delayed(abs)(i) for i in range(4))  # start workers
    start = time.time()
    with pytest.warns(UserWarning, match=r"max_time=4.0s was spent: \d+ of 150"):
        tuner.fit(X, y)
    elapsed = time.time() - start
    # Bound: max_time, plus the longest single fit (here, the refit), plus a
    # margin for starting and stopping worker processes on a loaded machine.
    # Not a speed test: the 300 fits sleep 30 s with 2 workers, far above it.
    assert elapsed < max_time + delay + 6.0, elapsed
    n_done = len(tuner.cv_results_["params"])
    assert 0 < n_done < n_candidates
    for i in range(2):  # only candidates whose every split finished
        assert np.isfinite(tuner.cv_results_[f"split{i}_test_score"]).all()
    assert hasattr(tuner, "best_estimator_")
    # What finished equals scikit-learn on those same candidates (fitted
    # without the sleep: the scores do not depend on it).
    done_grid = [{"C": [p["C"]]} for p in tuner.cv_results_["params"]]
    reference = GridSearchCV(SleepyClassifier(delay=0.0), done_grid, cv=2).fit(X, y)
    scores = [key for key in reference.cv_results_ if "test_score" in key]
    assert_cv_results_equal(tuner, reference, keys=["param_C"] + scores)


def test_random_n_iter_none_samples_until_the_budget_is_spent(classification):
    from scipy.stats import loguniform

    X, y = classification
    # How many candidates finish in the budget depends on the machine's load
    # (on a loaded one, a single batch of 2 may not): that is counted by the
    # next test. This one checks that the search runs until the budget is
    # spent (a lower bound on time, which load only makes longer), and that
    # a warning, given when the budget cut candidates short, counts those
    # kept. (No warning when the last batch ended just after the deadline.)
    space = {"C": loguniform(1e-3, 1e3), "delay": [0.05]}
    max_time = 2.0
    tuner = RandomTuner(SleepyClassifier(), space, n_iter=None, max_time=max_time, cv=2)
    start = time.monotonic()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    assert time.monotonic() - start >= max_time
    n_done = len(tuner.cv_results_["params"])
    assert n_done >= 1
    spent = [str(w.message) for w in record if "was spent" in str(w.message)]
    assert all(f"max_time=2.0s was spent: {n_done} of " in m for m in spent), spent


def test_random_n_iter_none_asks_until_no_time_is_left(classification, monkeypatch):
    from scipy.stats import loguniform

    from skhyper._engine._evaluate import Engine

    X, y = classification
    # A clock by count: time is left for the first 3 questions only.
    asked = []

    def time_left(engine):
        asked.append(1)
        return 1.0 if len(asked) <= 3 else 0.0

    monkeypatch.setattr(Engine, "time_left", time_left)
    space = {"C": loguniform(1e-3, 1e3)}
    tuner = RandomTuner(CountingClassifier(), space, n_iter=None, max_time=600, cv=2)
    reset_counts()
    tuner.fit(X, y)
    # 3 batches of 2 candidates (one worker), 2 splits each, and the refit
    assert len(tuner.cv_results_["params"]) == 6
    assert len({p["C"] for p in tuner.cv_results_["params"]}) == 6
    assert len(CountingClassifier.fits) == 6 * 2 + 1


def test_random_n_iter_none_exhausts_a_finite_space(classification):
    X, y = classification
    space = {"C": [0.1, 1.0, 10.0], "delay": [0.0, 0.001]}
    tuner = RandomTuner(SleepyClassifier(), space, n_iter=None, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tuner.fit(X, y)
    params = tuner.cv_results_["params"]
    assert len(params) == 6 and len({repr(p) for p in params}) == 6


def test_verbose_progress_lines(classification, capsys):
    X, y = classification
    tuner = GridTuner(SleepyClassifier(delay=0.0), {"C": [0.1, 1, 10]}, cv=2, verbose=1)
    tuner.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Fitting 2 folds for each of 3 candidates, totalling 6 fits"
    progress = [line for line in lines if line.startswith("[skhyper]")]
    assert progress[-1].startswith("[skhyper] 6/6 fits (100%), elapsed")
    assert "ETA" in progress[-1] and "best mean score so far 0." in progress[-1]


def _script(body):
    return textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        import numpy as np
        from skhyper import GridTuner
        from tests.conftest import classification_data
        from tests.counting import LoggingClassifier, SleepyClassifier
        X, y = classification_data()
        """
    ) + textwrap.dedent(body)


GRID = {"C": [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]}


def test_checkpoint_survives_sigkill_and_resumes(classification, tmp_path):
    X, y = classification
    checkpoint = tmp_path / "search.sqlite"
    log = tmp_path / "fits.log"
    env = dict(os.environ, SKHYPER_FIT_LOG=str(log), SKHYPER_KILL_AFTER="7")
    cp = str(checkpoint)
    code = _script(
        f"""
        tuner = GridTuner(LoggingClassifier(), {GRID!r}, cv=3, checkpoint={cp!r})
        tuner.fit(X, y)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    fits_before = log.read_text().split()
    assert len(fits_before) == 7  # the 7th fit killed the search before scoring

    os.environ["SKHYPER_FIT_LOG"] = str(log)
    try:
        log.write_text("")
        tuner = GridTuner(LoggingClassifier(), GRID, cv=3, checkpoint=checkpoint)
        tuner.fit(X, y)
        resumed = log.read_text().split()
    finally:
        del os.environ["SKHYPER_FIT_LOG"]
    # 6 journaled fits are not redone: 18 - 6 CV fits, plus the refit.
    assert len(resumed) == 18 - 6 + 1
    assert tuner.work_["from_checkpoint"] == 6
    reference = GridSearchCV(LoggingClassifier(), GRID, cv=3).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)

    # A different dataset, cv or scoring never reuses a row.
    for change in [dict(cv=2), dict(scoring="f1")]:
        other = GridTuner(LoggingClassifier(), GRID, checkpoint=checkpoint, **change)
        other.fit(X, y)
        assert other.work_["from_checkpoint"] == 0
    other = GridTuner(LoggingClassifier(), GRID, cv=3, checkpoint=checkpoint)
    other.fit(X[:70], y[:70])
    assert other.work_["from_checkpoint"] == 0
    # The first search is still all there: several searches share one file.
    again = GridTuner(LoggingClassifier(), GRID, cv=3, checkpoint=checkpoint).fit(X, y)
    assert again.work_["from_checkpoint"] == 18 and again.work_["fits"] == 0
    assert_cv_results_equal(again.cv_results_, reference.cv_results_)


def test_checkpoint_keeps_failed_fits(classification, tmp_path):
    X, y = classification
    checkpoint = tmp_path / "c.sqlite"
    grid = {"C": [1.0, -1.0]}  # C=-1 fails in LogisticRegression
    first = GridTuner(LoggingClassifier(), grid, cv=2, checkpoint=checkpoint)
    with pytest.warns(Warning):
        first.fit(X, y)
    second = GridTuner(LoggingClassifier(), grid, cv=2, checkpoint=checkpoint)
    with pytest.warns(Warning, match="2 fits failed out of a total of 4"):
        second.fit(X, y)
    assert second.work_["from_checkpoint"] == 4
    assert_cv_results_equal(second.cv_results_, first.cv_results_)


@pytest.mark.parametrize("kind", ["text", "foreign_sqlite", "corrupt"])
def test_foreign_or_corrupt_checkpoint_is_refused_and_kept(
    classification, tmp_path, kind
):
    X, y = classification
    path = tmp_path / "file.db"
    if kind == "text":
        path.write_text("my precious notes\n")
    elif kind == "foreign_sqlite":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE users (name TEXT)")
        db.close()
    else:
        path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 500)
    before = path.read_bytes()
    tuner = GridTuner(LoggingClassifier(), GRID, cv=2, checkpoint=path)
    with pytest.raises(ValueError, match="checkpoint=.*file.db"):
        tuner.fit(X, y)
    assert path.read_bytes() == before


def test_sigint_returns_promptly_with_partial_results(tmp_path):
    marker = tmp_path / "started"
    code = _script(
        f"""
        import os, time
        class Marking(SleepyClassifier):
            def fit(self, X, y):
                open({str(marker)!r}, "a").write("x")
                return super().fit(X, y)
        grid = {{"C": list(np.logspace(-2, 2, 30)), "delay": [0.3]}}
        tuner = GridTuner(Marking(), grid, cv=2, n_jobs=2)
        try:
            tuner.fit(X, y)
        except KeyboardInterrupt:
            caught = time.time()
            started = len(open({str(marker)!r}).read())
            n = len(tuner.cv_results_["params"]) if hasattr(tuner, "cv_results_") else 0
            print("interrupted", n, hasattr(tuner, "best_estimator_"), caught,
                  started, flush=True)
        """
    )
    # The child must not inherit an ignored SIGINT: Python turns SIGINT into
    # KeyboardInterrupt only if its parent left it alone, and a library used
    # earlier in the test session may have set it to SIG_IGN in this process.
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if marker.exists() and len(marker.read_text()) >= 12:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    sent = time.time()
    out, err = proc.communicate(timeout=30)  # the process ends too
    words = out.decode().split()
    assert words and words[0] == "interrupted", err.decode()[-3000:]
    # fit raised promptly (the rest is the interpreter's exit): no waiting
    # for the other 40 fits, and no fit started after it
    assert float(words[3]) - sent < 5.0, float(words[3]) - sent
    assert len(marker.read_text()) == int(words[4]) < 60
    assert int(words[1]) >= 1 and words[2] == "False"  # partial, and no refit


def test_worker_killed_once_is_retried(classification, tmp_path, worker_env):
    X, y = classification
    worker_env(SKHYPER_DIE_ONCE=tmp_path / "died", SKHYPER_PARENT_PID=os.getpid())
    grid = {"C": [0.1, 1.0, 13, 100.0]}
    tuner = GridTuner(LoggingClassifier(), grid, cv=2, n_jobs=2).fit(X, y)
    assert (tmp_path / "died").exists()
    reference = GridSearchCV(LoggingClassifier(), grid, cv=2).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)


def test_worker_killed_always_is_recorded_as_failed(classification, worker_env):
    X, y = classification
    worker_env(SKHYPER_PARENT_PID=os.getpid())
    grid = {"C": [0.1, 666, 1.0]}
    tuner = GridTuner(LoggingClassifier(), grid, cv=2, n_jobs=2)
    with pytest.warns(Warning, match="2 fits failed out of a total of 6"):
        tuner.fit(X, y)
    results = tuner.cv_results_
    assert np.isnan(results["mean_test_score"][1])
    assert np.isfinite(results["mean_test_score"][[0, 2]]).all()
    assert tuner.best_params_["C"] != 666


def _crashing_parallel(monkeypatch, crashes):
    """Replace the runner's ``Parallel`` by one that runs tasks here, in
    order; the i-th call, for ``(n_taken, n_run)`` the i-th of ``crashes``,
    takes ``n_taken`` tasks, runs the first ``n_run`` and then fails as loky
    does when a worker dies. Returns the number of tasks each call took."""
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    from skhyper._engine import _run

    crashes, taken = list(crashes), []

    def parallel(n_jobs, pre_dispatch, batch_size="auto"):
        crash = crashes.pop(0) if crashes else None

        def call(jobs):
            jobs = iter(jobs)
            n_taken, n_run = crash or (None, None)
            batch = []
            for job in jobs:
                batch.append(job)
                if len(batch) == n_taken:
                    break
            taken.append(len(batch))
            for function, args, kwargs in batch[:n_run]:
                yield function(*args, **kwargs)
            if crash is not None:
                raise TerminatedWorkerError("a worker died (simulated)")

        return call

    monkeypatch.setattr(_run, "_parallel", parallel)
    return taken


def test_tasks_to_retry_that_a_second_crash_left_unsent_are_still_run(
    classification, monkeypatch
):
    # A worker dies with 3 tasks out, none finished: the 3 are retried; the
    # next call takes only 1 of them before a worker dies again. The 2 it
    # never took used to be dropped: their candidates were missing from
    # cv_results_, without a warning.
    from sklearn.linear_model import LogisticRegression

    X, y = classification
    grid = {"C": [0.01, 0.1, 1.0, 10.0]}
    taken = _crashing_parallel(monkeypatch, [(3, 0), (1, 0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing failed, nothing left out
        # (run here, not by scikit-learn's Parallel: its delayed warns)
        warnings.filterwarnings("ignore", ".*sklearn.utils.parallel.delayed")
        tuner = GridTuner(LogisticRegression(), grid, cv=3, share=False).fit(X, y)
    reference = GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, reference.cv_results_)
    # 12 tasks (4 candidates x 3 splits): 3 lost; 1 of them lost again, then
    # run alone; the 2 left of them with the 9 the flight had not given yet
    assert taken == [3, 1, 1, 2 + 9]


def test_ctrl_c_behind_a_lost_worker_is_still_ctrl_c():
    from skhyper._compat import TerminatedWorkerError
    from skhyper._engine._run import _interrupted

    def lost_while_aborting():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise TerminatedWorkerError("a worker died while aborting") from None

    try:
        lost_while_aborting()
    except TerminatedWorkerError as exc:
        assert _interrupted(exc)  # from None hides the cause, not the context
    assert not _interrupted(TerminatedWorkerError("a worker died"))


def test_an_interrupt_during_recording_waits_for_the_record():
    # The deadline's interrupt (or Ctrl-C) must not land between keeping a
    # result and journaling it: it is held until the record is done.
    import _thread

    from skhyper._engine._run import uninterrupted

    done = []
    with pytest.raises(KeyboardInterrupt):
        with uninterrupted():
            _thread.interrupt_main()
            for _ in range(1000):  # the interrupt would land here
                pass
            done.append("recorded")
    assert done == ["recorded"]


def test_n_iter_none_goes_on_after_a_batch_whose_fits_all_fail():
    # The first batch (2 candidates, one worker) fails entirely; the search
    # goes on and reports the failures once, at its end, as a warning.
    from sklearn.exceptions import FitFailedWarning
    from sklearn.linear_model import LogisticRegression

    from .conftest import tiny_classification_data

    X, y = tiny_classification_data()
    # random_state=0 draws C=-1 and C=-2 first: LogisticRegression refuses them
    space = {"C": [-1.0, -2.0, 0.5, 1.0]}
    tuner = RandomTuner(
        LogisticRegression(), space, n_iter=None, cv=2, n_jobs=1, random_state=0
    )
    with pytest.warns(FitFailedWarning, match="fits failed out of a total"):
        tuner.fit(X, y)
    assert len(tuner.cv_results_["params"]) == 4
