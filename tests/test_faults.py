"""Faults: a damaged checkpoint, processes killed, deadlines, values without keys.

Nothing wrong, nothing lost: a row that cannot be verified is refitted, never
trusted; a process killed at any point resumes to the results of a run that
was not, redoing no fit that had finished; a fit running at the deadline is
never scored. Fits are counted, not timed (time bounds, where a promise
states one, have margins that hold on a loaded machine).
"""

import json
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
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skhyper import GridTuner

from .counting import LoggingClassifier
from .utils import assert_cv_results_equal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRID = {"C": [0.001, 0.01, 0.1, 0.5]}


@pytest.fixture
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def fit_log(tmp_path, monkeypatch):
    """The file LoggingClassifier appends each fit to; ``fit_log()`` reads it."""
    log = tmp_path / "fits.log"
    log.write_text("")
    monkeypatch.setenv("SKHYPER_FIT_LOG", str(log))

    def read(clear=True):
        fits = log.read_text().split()
        if clear:
            log.write_text("")
        return fits

    return read


def _rows(path):
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT split, candidate, result, checksum FROM results")
        rows = rows.fetchall()
    db.close()
    return rows


def _run(path, X, y, **kwargs):
    return GridTuner(LoggingClassifier(), GRID, cv=3, checkpoint=path, **kwargs).fit(
        X, y
    )


# -- 1. a checkpoint that checks itself ----------------------------------------


def _edit_score(db):
    # The worst candidate's scores made the best: what an edit by hand does.
    rows = db.execute("SELECT * FROM results").fetchall()
    worst = min(rows, key=lambda row: json.loads(row[2])["test_scores"])[1]
    for split, cand, text, _ in rows:
        result = json.loads(text)
        if cand == worst:
            result["test_scores"] = 1.0
            db.execute(
                "UPDATE results SET result=? WHERE split=? AND candidate=?",
                (json.dumps(result), split, cand),
            )


def _malformed(db, make):
    # Rows whose checksum is right (skhyper's own) but whose shape is not.
    from skhyper._engine._journal import _checksum

    rows = db.execute("SELECT split, candidate, result FROM results").fetchall()
    for (split, cand, _text), new in zip(rows, make(rows)):
        db.execute(
            "UPDATE results SET result=?, checksum=? WHERE split=? AND candidate=?",
            (new, _checksum(split, cand, new), split, cand),
        )


DAMAGE = {
    "edited score": (_edit_score, None),
    "checksum removed": (lambda db: db.execute("UPDATE results SET checksum=NULL"), 12),
    "wrong checksum": (lambda db: db.execute("UPDATE results SET checksum='0'"), 12),
    "not json": (lambda db: _malformed(db, lambda rows: ["{"] * 3), 3),
    "a list": (lambda db: _malformed(db, lambda rows: ["[1, 2]"] * 2), 2),
    "a key missing": (
        lambda db: _malformed(db, lambda rows: ['{"test_scores": 1.0}']),
        1,
    ),
    "a string score": (
        lambda db: _malformed(
            db,
            lambda rows: [
                '{"fit_error": null, "test_scores": "1", "fit_time": 0.1, '
                '"score_time": 0.1}'
            ],
        ),
        1,
    ),
    "a negative time": (
        lambda db: _malformed(
            db,
            lambda rows: [
                '{"fit_error": null, "test_scores": 1.0, "fit_time": -1, '
                '"score_time": 0.1}'
            ],
        ),
        1,
    ),
    "a number": (lambda db: db.execute("UPDATE results SET result=1"), 12),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_rows_that_fail_their_check_are_refitted_with_one_warning(
    iris, tmp_path, fit_log, damage
):
    X, y = iris
    path = tmp_path / "search.db"
    first = _run(path, X, y)
    fit_log()
    do, n_bad = DAMAGE[damage]
    with sqlite3.connect(path) as db:
        do(db)
    db.close()
    if n_bad is None:  # the edited rows
        n_bad = sum(r[3] != _rows_checksum(r) for r in _rows(path))
    assert n_bad > 0
    with pytest.warns(UserWarning, match=f"{n_bad} rows of this search failed") as w:
        again = _run(path, X, y)
    assert sum("failed their check" in str(x.message) for x in w) == 1
    assert len(fit_log()) == n_bad + 1  # the rows ignored, and the refit
    assert again.work_["from_checkpoint"] == 12 - n_bad
    assert again.best_params_ == first.best_params_
    assert_cv_results_equal(again, first)
    # Refitted rows replaced the damaged ones: the next run reads them all.
    third = _run(path, X, y)
    assert third.work_["from_checkpoint"] == 12


def _rows_checksum(row):
    from skhyper._engine._journal import _checksum

    return _checksum(row[0], row[1], row[2])


def test_a_flipped_byte_in_the_file_is_caught(iris, tmp_path, fit_log):
    X, y = iris
    path = tmp_path / "search.db"
    first = _run(path, X, y)
    fit_log()
    data = bytearray(path.read_bytes())
    at = data.index(b'"test_scores": 0.') + len(b'"test_scores": 0.')
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="1 rows of this search failed their check"):
        again = _run(path, X, y)
    assert len(fit_log()) == 1 + 1
    assert_cv_results_equal(again, first)


SCHEMA_DAMAGE = {
    "trigger": "CREATE TRIGGER t AFTER INSERT ON results BEGIN "
    "UPDATE results SET result='{}'; END",
    "view": "CREATE VIEW v AS SELECT * FROM results",
    "table": "CREATE TABLE mine (x)",
    "index": "CREATE INDEX i ON results (result)",
    "column": "ALTER TABLE results ADD COLUMN extra TEXT",
    "format": "UPDATE skhyper_meta SET value='skhyper-journal-1'",
    "no format": "DELETE FROM skhyper_meta",
}


@pytest.mark.parametrize("damage", list(SCHEMA_DAMAGE))
def test_a_checkpoint_with_anything_added_is_refused_before_any_fit(
    iris, tmp_path, fit_log, damage
):
    X, y = iris
    path = tmp_path / "search.db"
    _run(path, X, y)
    with sqlite3.connect(path) as db:
        db.execute(SCHEMA_DAMAGE[damage])
    db.close()
    fit_log()
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"checkpoint=.*search\.db.*refusing"):
        _run(path, X, y)
    assert fit_log() == []
    assert path.read_bytes() == before


def test_a_checkpoint_of_the_first_format_is_refused(iris, tmp_path):
    X, y = iris
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # what skhyper 0.x wrote
        db.execute("CREATE TABLE skhyper_meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO skhyper_meta VALUES ('format', 'skhyper-journal-1')")
        db.execute(
            "CREATE TABLE results (split TEXT, candidate TEXT, result TEXT, "
            "PRIMARY KEY (split, candidate))"
        )
    db.close()
    with pytest.raises(ValueError, match="has format 'skhyper-journal-1', not"):
        _run(path, X, y)


@pytest.mark.parametrize("kind", ["directory", "empty", "memory"])
def test_a_checkpoint_that_is_not_a_file_path_is_refused(iris, tmp_path, fit_log, kind):
    X, y = iris
    path = {"directory": tmp_path, "empty": "", "memory": ":memory:"}[kind]
    message = "checkpoint must be a file path, got " + repr(path).replace("(", r"\(")
    with pytest.raises(ValueError, match=message.replace(")", r"\)")):
        _run(path, X, y)
    assert fit_log() == []


def test_a_checkpoint_in_a_missing_folder_is_refused(iris, tmp_path, fit_log):
    X, y = iris
    path = tmp_path / "no" / "such" / "folder" / "search.db"
    with pytest.raises(ValueError, match="search.db.*unable to open"):
        _run(path, X, y)
    assert fit_log() == []


def test_a_second_search_on_a_checkpoint_in_use_is_refused(iris, tmp_path, fit_log):
    from skhyper._engine._journal import Journal

    X, y = iris
    path = tmp_path / "search.db"
    journal = Journal(path)  # another search, running
    try:
        with pytest.raises(RuntimeError, match=r"search\.db.* in use by another"):
            _run(path, X, y)
        assert fit_log() == []
    finally:
        journal.close()
    assert _run(path, X, y).work_["fits"] == 12  # free again


@pytest.mark.parametrize("round", range(20))
def test_processes_creating_one_checkpoint_at_once_all_succeed(tmp_path, round):
    """Six processes create one checkpoint at once (CI once saw one of them
    fail: switching the new file to WAL met "database is locked" at once,
    SQLite's busy timeout does not cover it; about 1 round in 20 failed)."""
    from skhyper._engine._journal import Journal

    path = str(tmp_path / "new.db")
    go_read, go_write = os.pipe()
    children = []
    for i in range(6):
        pid = os.fork()
        if pid == 0:  # a child: wait for the start, create, write a row
            code = 1
            try:
                os.close(go_write)
                os.read(go_read, 1)  # returns when the parent closes its end
                journal = Journal(path, lock=False)
                journal.write([("split", str(i), {"n": 1})])
                journal.close()
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    os.close(go_read)
    os.close(go_write)  # all start now
    codes = [os.waitpid(pid, 0)[1] for pid in children]
    assert codes == [0] * 6
    journal = Journal(path)
    try:  # every row is there, and the schema is the one expected
        rows = journal.db.execute("SELECT candidate FROM results").fetchall()
        assert sorted(r[0] for r in rows) == [str(i) for i in range(6)]
    finally:
        journal.close()


def test_a_worker_death_is_not_journaled_so_a_resume_retries_it(
    iris, tmp_path, fit_log, worker_env
):
    X, y = iris
    worker_env(SKHYPER_PARENT_PID=os.getpid())
    path = tmp_path / "search.db"
    grid = {"C": [0.1, 666]}  # C=666 kills the worker process fitting it
    tuner = GridTuner(LoggingClassifier(), grid, cv=2, n_jobs=2, checkpoint=path)
    with pytest.warns(Warning, match="2 fits failed out of a total of 4"):
        tuner.fit(X, y)
    assert len(_rows(path)) == 2  # the deaths are not rows
    fit_log()
    # Resumed in this process (where C=666 lives): the deaths are retried.
    again = GridTuner(LoggingClassifier(), grid, cv=2, checkpoint=path).fit(X, y)
    assert again.work_["from_checkpoint"] == 2
    assert fit_log().count("666") >= 2
    reference = GridSearchCV(LoggingClassifier(), grid, cv=2).fit(X, y)
    assert_cv_results_equal(again, reference)


def _script(body):
    return textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        import numpy as np
        from sklearn.datasets import load_iris
        from skhyper import GridTuner
        X, y = load_iris(return_X_y=True)
        """
    ) + textwrap.dedent(body)


# -- 2. keys that cannot collide -------------------------------------------------


class NoKey:
    """Equal by value, but unhashable: only its identity could key it."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, NoKey) and other.value == self.value

    __hash__ = None

    def __repr__(self):
        return f"NoKey({self.value})"


class TagClassifier(LoggingClassifier):
    """LoggingClassifier with a parameter that does nothing."""

    def __init__(self, C=1.0, tag=None):
        super().__init__(C=C)
        self.tag = tag


def test_a_value_without_a_content_key_is_never_journaled(iris, tmp_path, fit_log):
    from skhyper._engine._keys import Unstable, persistent_key

    X, y = iris
    path = tmp_path / "search.db"
    grid = {"C": [0.1, 0.5], "tag": [None, NoKey(1)]}
    with pytest.raises(Unstable, match=r"NoKey\(1\) \(NoKey\) has no content key"):
        persistent_key(NoKey(1))
    for run in range(2):
        tuner = GridTuner(TagClassifier(), grid, cv=3, checkpoint=path)
        with pytest.warns(
            UserWarning, match=r"2 candidates were not journaled .*'tag'"
        ):
            tuner.fit(X, y)
        assert tuner.work_["from_checkpoint"] == 6 * run
    assert len(_rows(path)) == 6  # only the candidates with tag=None
    reference = GridSearchCV(TagClassifier(), grid, cv=3).fit(X, y)
    assert_cv_results_equal(tuner, reference)


def _twice(X):
    return X * 2


@pytest.mark.parametrize("where", ["estimator", "scoring"])
def test_a_lambda_in_the_estimator_or_scorer_runs_without_the_checkpoint(
    iris, tmp_path, where
):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = iris
    path = tmp_path / "search.db"
    pipe = make_pipeline(FunctionTransformer(_twice), LoggingClassifier())
    kwargs = {}
    if where == "estimator":
        pipe = make_pipeline(FunctionTransformer(lambda X: X * 2), LoggingClassifier())
    else:
        kwargs["scoring"] = lambda est, X, y: est.score(X, y)
    grid = {"loggingclassifier__C": [0.1, 0.5]}
    tuner = GridTuner(pipe, grid, cv=3, checkpoint=path, **kwargs)
    with pytest.warns(
        UserWarning, match=f"was not used: (the )?{where}: .*lambda"
    ) as w:
        tuner.fit(X, y)
    assert sum("was not used" in str(x.message) for x in w) == 1
    reference = GridSearchCV(pipe, grid, cv=3, **kwargs).fit(X, y)
    assert_cv_results_equal(tuner, reference)


def test_a_lambda_in_the_grid_runs_in_every_tuner(iris, tmp_path):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skhyper import HalvingGridTuner, RandomTuner

    X, y = iris
    pipe = Pipeline([("ft", FunctionTransformer()), ("clf", LoggingClassifier())])
    grid = {"ft__func": [lambda X: X * 2, None, _twice], "clf__C": [0.1, 0.5]}
    kw = dict(cv=3, factor=2, random_state=0)
    ours = HalvingGridTuner(pipe, grid, **kw).fit(X, y)
    reference = HalvingGridSearchCV(pipe, grid, **kw).fit(X, y)
    assert_cv_results_equal(ours, reference)
    tuner = RandomTuner(pipe, grid, n_iter=None, cv=3, random_state=0).fit(X, y)
    assert len(tuner.cv_results_["params"]) == 6
    path = tmp_path / "search.db"
    with pytest.warns(UserWarning, match=r"2 candidates were not journaled.*lambda"):
        RandomTuner(pipe, grid, n_iter=None, cv=3, checkpoint=path).fit(X, y)


def test_keys_hold_the_versions_of_the_estimators_library(iris, tmp_path, monkeypatch):
    from skhyper._engine import _keys

    X, y = iris
    path = tmp_path / "search.db"
    assert _run(path, X, y).work_["fits"] == 12
    assert _run(path, X, y).work_["from_checkpoint"] == 12
    # tests.counting, where LoggingClassifier lives, "upgraded":
    real = _keys.package_version
    monkeypatch.setattr(
        _keys, "package_version", lambda p: "2.0" if p == "tests" else real(p)
    )
    assert _run(path, X, y).work_["from_checkpoint"] == 0
    assert _keys.package_version("sklearn") == _keys.package_version("sklearn")
    assert real("sklearn") is not None and real("numpy") is not None


MAIN = """
import sys
sys.path.insert(0, {root!r})
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from skhyper import GridTuner


class Mine(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C * 1.0).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def my_score(estimator, X, y):
    return estimator.score(X, y) * 1.0


X, y = load_iris(return_X_y=True)
tuner = GridTuner(Mine(), {{"C": [0.1, 0.5]}}, cv=2, scoring=my_score,
                  checkpoint={path!r}).fit(X, y)
print(tuner.work_["from_checkpoint"])
"""


def test_a_class_or_scorer_of_main_is_keyed_by_its_source(tmp_path):
    script = tmp_path / "search.py"
    text = MAIN.format(root=ROOT, path=str(tmp_path / "search.db"))

    def run(text):
        script.write_text(text)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        return int(proc.stdout.split()[-1])

    assert run(text) == 0
    assert run(text) == 4
    assert run(text.replace("self.C * 1.0", "self.C * 2.0")) == 0
    assert run(text.replace("score(X, y) * 1.0", "score(X, y) * 0.5")) == 0


# -- 3. a deadline that never scores a cut-short fit -----------------------------


class Catching(ClassifierMixin, BaseEstimator):
    """Trains in ``STEPS`` sleeps of ``STEP`` seconds (class attributes: not
    parameters, so not part of a checkpoint's keys); a KeyboardInterrupt ends
    the training early, and fit returns the half-trained model, as
    MLPClassifier and skorch do. A half-trained model predicts its first
    class only (a poor score, so one kept would show in the results)."""

    STEPS, STEP = 4, 0.1

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        self.complete_ = False
        try:
            for _ in range(self.STEPS):
                time.sleep(self.STEP)
            self.complete_ = True
        except KeyboardInterrupt:
            log = os.environ.get("SKHYPER_FIT_LOG")
            if log:
                with open(log, "a") as f:
                    f.write("interrupted\n")
        return self

    def predict(self, X):
        if not self.complete_:
            return np.full(len(X), self.classes_[0])
        return self.model_.predict(X)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_fit_running_at_the_deadline_is_never_kept(
    iris, tmp_path, fit_log, n_jobs, monkeypatch
):
    X, y = iris
    path = tmp_path / "search.db"
    grid = {"C": [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]}
    tuner = GridTuner(Catching(), grid, cv=2, max_time=2.0, checkpoint=path)
    tuner.set_params(n_jobs=n_jobs)
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            tuner.fit(X, y)
        n_done = len(tuner.cv_results_["params"])
        assert any("max_time=2.0s was spent" in str(w.message) for w in record)
    except ValueError as exc:  # workers slower to start than max_time
        assert n_jobs == 2 and "before any candidate finished" in str(exc)
        n_done = 0
    if n_jobs == 1:  # in this process: the deadline interrupted a fit
        assert "interrupted" in fit_log()
        assert 0 < n_done < 6
    monkeypatch.setattr(Catching, "STEP", 0.0)
    if n_done:
        done = GridSearchCV(Catching(), {"C": grid["C"][:n_done]}, cv=2).fit(X, y)
        assert_cv_results_equal(tuner, done)
    # Nothing cut short was journaled: the resumed search is scikit-learn's.
    again = GridTuner(Catching(), grid, cv=2, checkpoint=path).fit(X, y)
    assert again.work_["from_checkpoint"] >= 2 * n_done
    reference = GridSearchCV(Catching(), grid, cv=2).fit(X, y)
    assert_cv_results_equal(again, reference)


def test_an_mlp_interrupted_by_the_deadline_is_not_kept(iris, tmp_path):
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    X, y = iris
    X = StandardScaler().fit_transform(X)
    path = tmp_path / "search.db"
    mlp = MLPClassifier(max_iter=3000, tol=0, random_state=0)
    # The first candidate fits in a moment, the second for far longer than
    # max_time: the deadline interrupts it, and MLPClassifier returns.
    grid = [
        {"hidden_layer_sizes": [(2,)], "max_iter": [20]},
        {"hidden_layer_sizes": [(300, 300)]},
    ]
    tuner = GridTuner(mlp, grid, cv=2, n_jobs=1, max_time=3.0, checkpoint=path)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    messages = [str(w.message) for w in record]
    assert any("Training interrupted by user" in m for m in messages), messages
    assert len(tuner.cv_results_["params"]) == 1
    assert len(_rows(path)) == 2  # the first candidate's splits, only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        reference = GridSearchCV(mlp, grid[:1], cv=2).fit(X, y)
    assert_cv_results_equal(tuner, reference)


DEADLINE = """
import signal, time, warnings
from tests.counting import SleepyClassifier
grid = {{"delay": [0.01, 60.0]}}
tuner = GridTuner(SleepyClassifier(), grid, cv=2, max_time={max_time}, n_jobs={n_jobs})
start = time.time()
n = 0
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuner.fit(X, y)
    n = len(tuner.cv_results_["params"])
except ValueError as exc:  # the workers were slower to start than max_time
    assert "before any candidate finished" in str(exc), exc
print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN, n, time.time() - start)
"""


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_deadline_stops_a_process_that_ignores_sigint(n_jobs):
    max_time = 3.0
    code = _script(DEADLINE.format(max_time=max_time, n_jobs=n_jobs))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    ignored, n, elapsed = proc.stdout.decode().split()
    assert ignored == "True"  # still ignored after the search
    assert int(n) in (0, 1) if n_jobs == 2 else int(n) == 1
    # A fit sleeps 60 s: stopped at the deadline, plus a margin for stopping
    # the workers on a loaded machine (documented: a few seconds).
    assert float(elapsed) < max_time + 15, elapsed


CTRL_C = """
import json, os, sqlite3, time
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class Catching(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0, steps=0):
        self.C, self.steps = C, steps

    def fit(self, X, y):
        open({marker!r}, "a").write("x")
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        self.complete_ = False
        try:
            if self.steps:  # the slow candidate's training has begun
                open({marker!r}, "a").write("s")
            for _ in range(self.steps):
                time.sleep(0.05)
            self.complete_ = True
        except KeyboardInterrupt:  # as MLPClassifier does
            open({marker!r}, "a").write("c")
        return self

    def predict(self, X):
        if not self.complete_:
            return np.full(len(X), self.classes_[0])
        return self.model_.predict(X)


grid = [{{"C": [0.1, 0.5], "steps": [0]}}, {{"C": [1.0], "steps": [400]}}]
tuner = GridTuner(Catching(), grid, cv=2, n_jobs=1, checkpoint={path!r})
try:
    tuner.fit(X, y)
    print("finished")
except KeyboardInterrupt:
    with sqlite3.connect({path!r}) as db:
        rows = [json.loads(r) for r, in db.execute("SELECT result FROM results")]
    print("interrupted", json.dumps([r["test_scores"] for r in rows]))
"""


def test_ctrl_c_caught_by_the_estimator_still_stops_and_keeps_no_cut_fit(tmp_path):
    marker, path = tmp_path / "fits", tmp_path / "search.db"
    code = _script(CTRL_C.format(marker=str(marker), path=str(path)))
    # A file, not `python -c`: a class of __main__ with no source file has no
    # key for a checkpoint, which would then not be used.
    script = tmp_path / "ctrl_c.py"
    script.write_text(code)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 60
    # Inside the slow candidate's training loop (20 s long), not before it
    # (its LogisticRegression fit, slow on a loaded machine, catches nothing).
    while time.time() < deadline:
        if marker.exists() and "s" in marker.read_text():
            break
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    words = out.decode().split(maxsplit=1)
    assert words and words[0] == "interrupted", (out, err.decode()[-3000:])
    assert "c" in marker.read_text()  # the estimator caught the Ctrl-C
    scores = json.loads(words[1])
    assert scores, err.decode()[-3000:]  # the finished fits were journaled
    assert all(score > 0.5 for score in scores), scores  # none half-trained


# -- 4. the main process killed at random points ---------------------------------

KILLS = """
import json, os, random, shutil, signal, sqlite3, sys, time
sys.path.insert(0, {root!r})
from sklearn.datasets import load_iris
from skhyper import GridTuner
from tests.counting import LoggingCentroid
from tests.utils import assert_cv_results_equal

folder, n_kills = {folder!r}, {n_kills}
X, y = load_iris(return_X_y=True)
grid = {{"shrink_threshold": [None, 0.01, 0.03, 0.1, 0.3, 1.0]}}
n_fits = 6 * 3


def search(path, log, n_jobs=1):
    os.environ["SKHYPER_FIT_LOG"] = log
    open(log, "w").close()
    tuner = GridTuner(LoggingCentroid(), grid, cv=3, n_jobs=n_jobs, checkpoint=path)
    return tuner.fit(X, y)


reference = search(os.path.join(folder, "reference.db"), os.path.join(folder, "r"))


def spawn(path, log, n_jobs):  # a search in a child process; its id
    pid = os.fork()
    if pid == 0:
        try:
            # Its own process group, and no pipe of ours: loky workers left
            # behind by a kill are killed with the group, and do not hold
            # the test's output open.
            os.setpgrp()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            search(path, log, n_jobs)
        finally:
            os._exit(0)
    return pid


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


took = {{}}
for n_jobs in (1, 2):  # how long a search takes in a fresh process, once warm
    start = time.time()
    pid = spawn(os.path.join(folder, f"timed{{n_jobs}}.db"), os.devnull, n_jobs)
    os.waitpid(pid, 0)
    took[n_jobs] = time.time() - start
    kill_group(pid)
rng = random.Random(0)
figures = []
for k in range(n_kills):
    path = os.path.join(folder, f"kill{{k}}.db")
    log = os.path.join(folder, f"kill{{k}}.log")
    open(log, "w").close()
    n_jobs = 2 if k % 5 == 4 else 1  # with loky workers, orphaned by the kill
    pid = spawn(path, log, n_jobs)
    time.sleep(rng.uniform(0.0, took[n_jobs]))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status)
    if not killed:  # it ended first (the machine is less loaded now): aim sooner
        took[n_jobs] /= 2
    rows = 0
    if os.path.exists(path) and os.path.getsize(path):
        # Read a copy (with its journal files): reading would roll back a
        # half-made file, which the resume must meet as the kill left it.
        probe = path + ".probe"
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                shutil.copyfile(path + suffix, probe + suffix)
        with sqlite3.connect(probe) as db:
            try:
                rows = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:  # killed while making its tables
                rows = 0
        db.close()
    before = len(open(log).read().split())
    resumed = search(path, log + ".resume")
    fits = len(open(log + ".resume").read().split()) - 1  # the refit aside
    assert resumed.work_["from_checkpoint"] == rows, (rows, resumed.work_)
    assert fits == n_fits - rows, (fits, rows)  # no journaled fit redone
    assert_cv_results_equal(resumed, reference)
    figures.append([killed, before, rows, fits, n_jobs])
    kill_group(pid)  # the orphaned workers, if any
print(json.dumps(figures))
"""


def test_a_search_killed_at_random_points_resumes_redoing_no_finished_fit(tmp_path):
    n_kills = 10
    code = KILLS.format(root=ROOT, folder=str(tmp_path), n_kills=n_kills)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    figures = json.loads(proc.stdout.decode().split("\n")[-2])
    assert len(figures) == n_kills
    n_killed = sum(killed for killed, *_ in figures)
    assert sum(f[-1] == 2 for f in figures) == 2  # 2 kills with 2 loky workers
    # Most kills land inside the search (some after it, when it was quick).
    assert n_killed >= n_kills // 2, figures
    # Redone on resume: only fits that had not been journaled (the task in
    # flight at the kill); none that had.
    for _, before, rows, fits, _ in figures:
        assert fits == 18 - rows and before >= rows, figures


HYPERBAND_KILL = """
import json, os, shutil, signal, sqlite3, sys, time
sys.path.insert(0, {root!r})
from sklearn.datasets import make_classification
from skhyper import HyperbandTuner
from tests.counting import LoggingTree
from tests.utils import assert_cv_results_equal

folder = {folder!r}
X, y = make_classification(n_samples=150, n_features=6, random_state=0)
space = {{"leaf": [1, 3, 5, 10, 20, 40]}}  # every bracket shares candidates
kw = dict(resource="depth", max_resources=9, cv=3, random_state=0, refit=False)


def search(path, log, n_jobs=1):
    os.environ["SKHYPER_FIT_LOG"] = log
    open(log, "w").close()
    tuner = HyperbandTuner(
        LoggingTree(delay=0.01), space, n_jobs=n_jobs, checkpoint=path, **kw
    )
    return tuner.fit(X, y)


def fits(log):
    return len(open(log).read().split("\\n")) - 1


def rows(path):  # read a copy: reading the file would roll back a half write
    probe = path + ".probe"
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            shutil.copyfile(path + suffix, probe + suffix)
    try:
        with sqlite3.connect(probe) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # no table yet
        return 0
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(probe + suffix):
                os.remove(probe + suffix)


reference = search(os.path.join(folder, "reference.db"), os.path.join(folder, "r"))
units = fits(os.path.join(folder, "r"))  # each (candidate, depth, fold) once
figures = []
for backend_jobs in (2, 1):
    path = os.path.join(folder, f"kill{{backend_jobs}}.db")
    log = os.path.join(folder, f"kill{{backend_jobs}}.log")
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgrp()  # loky workers die with the group
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            search(path, log, n_jobs=backend_jobs)
        finally:
            os._exit(0)
    start = time.time()
    while rows(path) < units // 3 and time.time() - start < 120:
        time.sleep(0.01)
    os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    journaled = rows(path)
    resumed = search(path, log + ".resume")
    assert_cv_results_equal(resumed, reference)
    redone = fits(log + ".resume")
    figures.append([os.WIFSIGNALED(status), units, journaled, redone])
print(json.dumps(figures))
"""


@pytest.mark.slow
def test_a_hyperband_search_killed_mid_bracket_resumes_redoing_no_journaled_fit(
    tmp_path,
):
    """Brackets side by side (two loky workers, then one), the whole process
    group killed once a third of the fits are journaled: the resumed search
    gives the uninterrupted one's results and fits exactly what the
    checkpoint did not hold (each journaled row is one (candidate, resource,
    fold), fitted once)."""
    code = HYPERBAND_KILL.format(root=ROOT, folder=str(tmp_path))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    figures = json.loads(proc.stdout.decode().split("\n")[-2])
    for killed, units, journaled, redone in figures:
        assert killed and 0 < journaled < units, figures  # killed mid-search
        assert redone == units - journaled, figures


MODULE = """
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import NearestCentroid


class Local(ClassifierMixin, BaseEstimator):
    def __init__(self, shrink_threshold=None):
        self.shrink_threshold = shrink_threshold

    def fit(self, X, y):
        self.model_ = NearestCentroid(shrink_threshold=self.shrink_threshold)
        self.model_.fit(X * 1.0, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X * 1.0)
"""


def test_a_class_of_a_module_without_a_version_is_keyed_by_its_source(
    iris, tmp_path, monkeypatch
):
    import importlib

    X, y = iris
    folder = tmp_path / "code"
    folder.mkdir()
    module = folder / "skhyper_local_estimator.py"
    module.write_text(MODULE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    import skhyper_local_estimator as local

    path = tmp_path / "search.db"
    grid = {"shrink_threshold": [None, 0.1]}

    def run():
        tuner = GridTuner(local.Local(), grid, cv=2, checkpoint=path)
        return tuner.fit(X, y).work_["from_checkpoint"]

    try:
        assert (run(), run()) == (0, 4)
        module.write_text(MODULE.replace("X * 1.0", "X * 2.0"))
        local = importlib.reload(local)
        assert (run(), run()) == (0, 4)
    finally:
        sys.modules.pop("skhyper_local_estimator", None)


LOCKED = """
import sys, time
from skhyper._engine._journal import Journal
journal = Journal(sys.argv[1])
print("locked", flush=True)
time.sleep(60)
"""


def test_a_checkpoint_locked_by_another_process_is_refused_until_it_dies(
    iris, tmp_path, fit_log
):
    X, y = iris
    path = tmp_path / "search.db"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKED, str(path)], env=env, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout.readline().split() == [b"locked"]
        with pytest.raises(RuntimeError, match="in use by another running search"):
            _run(path, X, y)
        assert fit_log() == []
    finally:
        proc.kill()  # SIGKILL: the OS releases its lock
        proc.wait()
    assert _run(path, X, y).work_["fits"] == 12
