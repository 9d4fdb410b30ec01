"""Hyperband's brackets side by side on the engine (``evaluate.many``): the
same ``cv_results_`` as the brackets one after another, for any ``n_jobs``
and any order in which tasks finish; brackets overlap; survivors still
continued with the scores of fresh fits; an interrupted search keeps its
finished rungs."""

import threading
import time
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
from joblib import parallel_config
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from skhyper import HalvingRandomTuner, HyperbandTuner
from skhyper._hyperband import _survivors

from .test_in_flight import comparable

X, y = make_classification(n_samples=150, n_features=6, random_state=0)


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(1):
        yield


class InTurn(HyperbandTuner):
    """The reference: the brackets one after another, each rung one
    ``evaluate`` call, survivors picked from the rung's rows."""

    def _run_search(self, evaluate, *, brackets, candidates, cv, n_samples):
        metric, resource = self._metric, self.resource
        keep = None if resource == "n_samples" else resource
        self._n_rungs_done = 0
        for bracket, candidate_params in zip(brackets, candidates):
            n_rungs = len(bracket.n_candidates)
            for itr, n_resources in enumerate(bracket.n_resources):
                spent = evaluate.time_left() <= 0
                n_candidates = len(candidate_params)
                if resource != "n_samples":
                    candidate_params = [
                        {**c, resource: n_resources} for c in candidate_params
                    ]
                results = evaluate(
                    candidate_params,
                    self._rung_cv(cv, n_resources, n_samples),
                    more_results={
                        "iter": [itr] * n_candidates,
                        "n_resources": [n_resources] * n_candidates,
                        "bracket": [bracket.s] * n_candidates,
                    },
                    keep=keep,
                )
                if not results:
                    return  # stopped before any candidate finished
                in_rung = np.flatnonzero(
                    (results["bracket"] == bracket.s) & (results["iter"] == itr)
                )
                if (spent and not len(in_rung)) or len(in_rung) < n_candidates:
                    return  # the rung never started, or was stopped in
                self._n_rungs_done += 1
                if itr + 1 < n_rungs:
                    candidate_params = _survivors(
                        results, in_rung, bracket.n_candidates[itr + 1], metric
                    )


def assert_rows_of(results, ref, n_splits=3):
    """Each row of ``results`` is ``ref``'s row of that (bracket, rung,
    candidate), with its scores, in ``ref``'s order."""

    def key(r, i):
        return r["bracket"][i], r["iter"][i], repr(r["params"][i])

    ref_index = {key(ref, i): i for i in range(len(ref["params"]))}
    rows = [ref_index[key(results, i)] for i in range(len(results["params"]))]
    assert rows == sorted(rows)
    for i, j in enumerate(rows):
        for s in range(n_splits):
            assert results[f"split{s}_test_score"][i] == ref[f"split{s}_test_score"][j]


def in_turn(tuner):
    """The same search with its brackets one after another (the reference)."""
    return InTurn(**clone(tuner).get_params(deep=False))


# -- Hyperband's brackets side by side --------------------------------------------

TREE = dict(
    estimator=DecisionTreeClassifier(random_state=0),
    param_distributions={
        "max_depth": randint(1, 8),
        "min_samples_leaf": randint(1, 30),
    },
    factor=3,
    cv=3,
    random_state=0,
)


@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, None), (2, "threading")])
def test_side_by_side_equals_brackets_in_turn(n_jobs, backend):
    reference = in_turn(HyperbandTuner(**TREE, n_jobs=1)).fit(X, y)
    with parallel_config(backend=backend) if backend else parallel_config():
        tuner = HyperbandTuner(**TREE, n_jobs=n_jobs).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    assert tuner.best_index_ == reference.best_index_
    assert tuner.best_params_ == reference.best_params_
    if n_jobs == 1:  # one worker: the brackets run in turn, the same work
        assert tuner.work_["fits"] == reference.work_["fits"]


def test_warm_continuation_side_by_side_equals_fresh_fits():
    cv = StratifiedKFold(3)
    kw = dict(
        resource="n_estimators",
        max_resources=9,
        cv=cv,
        random_state=0,
        return_train_score=True,
    )
    space = {"learning_rate": loguniform(0.01, 1.0), "max_depth": [1, 2, 3]}
    gb = GradientBoostingClassifier(random_state=0)
    reference = in_turn(HyperbandTuner(gb, space, **kw)).fit(X, y)
    with parallel_config(backend="threading"):
        tuner = HyperbandTuner(gb, space, n_jobs=2, **kw).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    # every survivor grew its boosters: none retrained from zero
    assert tuner.work_["warm_start_fits"] == (3 + 1 + 1) * 3
    results = tuner.cv_results_
    for index in (0, 9, 12, len(results["params"]) - 1):
        params = results["params"][index]
        fresh = cross_validate(
            clone(gb).set_params(**params), X, y, cv=cv, return_train_score=True
        )
        for s in range(3):
            assert results[f"split{s}_test_score"][index] == fresh["test_score"][s]
            assert results[f"split{s}_train_score"][index] == fresh["train_score"][s]


class LoggingTree(ClassifierMixin, BaseEstimator):
    """A decision tree that logs the start and end of every fit."""

    log = []

    def __init__(self, depth=1, tag=0.0):
        self.depth = depth
        self.tag = tag

    def fit(self, X, y):
        self.log.append(("start", self.tag, self.depth, threading.get_ident()))
        self.model_ = DecisionTreeClassifier(max_depth=self.depth, random_state=0)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        self.log.append(("end", self.tag, self.depth, threading.get_ident()))
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_brackets_overlap_on_two_workers():
    kw = dict(
        resource="depth",
        max_resources=9,
        factor=3,
        brackets=2,  # s=2: 9, 3, 1 candidates; s=1: 5, 1
        cv=3,
        random_state=0,
        refit=False,
    )
    space = {"tag": loguniform(1e-3, 1.0)}  # a bracket's candidates are its own
    LoggingTree.log = []
    reference = in_turn(HyperbandTuner(LoggingTree(), space, **kw)).fit(X, y)
    in_turn_log = LoggingTree.log
    LoggingTree.log = []
    with parallel_config(backend="threading"):
        tuner = HyperbandTuner(LoggingTree(), space, n_jobs=2, **kw).fit(X, y)
    log = LoggingTree.log
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)

    results = tuner.cv_results_
    bracket_of = {p["tag"]: b for p, b in zip(results["params"], results["bracket"])}

    def order(log):
        first, last = bracket_of[log[0][1]], max(results["bracket"])
        a_last_end = max(
            i
            for i, (event, tag, depth, _) in enumerate(log)
            if event == "end" and bracket_of[tag] == first and depth == 9
        )
        b_first_start = min(
            i
            for i, (event, tag, _, _) in enumerate(log)
            if event == "start" and bracket_of[tag] != first
        )
        return first, last, b_first_start, a_last_end

    # in turn: bracket s=2 ends before bracket s=1 starts
    first, last, b_start, a_end = order(in_turn_log)
    assert first == last == 2 and a_end < b_start
    # side by side: a task of s=1 starts before s=2's last rung completes,
    # on both workers' threads
    first, _, b_start, a_end = order(log)
    assert first == 2 and b_start < a_end
    assert len({thread for *_, thread in log}) == 2


STOP_AT = {"calls": 0, "at": None}
LOCK = threading.Lock()


def interrupting_accuracy(estimator, X, y):
    with LOCK:
        STOP_AT["calls"] += 1
        stop = STOP_AT["calls"] == STOP_AT["at"]
    if stop:
        raise KeyboardInterrupt
    return accuracy_score(y, estimator.predict(X))


@pytest.mark.parametrize("at", [20, 35, 55])
def test_interrupted_side_by_side_keeps_finished_rungs_in_order(at):
    reference = in_turn(HyperbandTuner(**TREE, scoring="accuracy")).fit(X, y)
    tuner = HyperbandTuner(**TREE, scoring=interrupting_accuracy, n_jobs=2)
    STOP_AT.update(calls=0, at=at)
    try:
        with parallel_config(backend="threading"), pytest.raises(KeyboardInterrupt):
            tuner.fit(X, y)
    finally:
        STOP_AT.update(calls=0, at=None)
    results, ref = tuner.cv_results_, reference.cv_results_
    assert 0 < len(results["params"]) < len(ref["params"])
    assert_rows_of(results, ref)


def test_checkpoint_resumes_side_by_side(tmp_path):
    reference = in_turn(HyperbandTuner(**TREE, scoring="accuracy")).fit(X, y)
    kw = dict(TREE, scoring=interrupting_accuracy, n_jobs=2)
    tuner = HyperbandTuner(**kw, checkpoint=tmp_path / "brackets.db")
    STOP_AT.update(calls=0, at=40)
    try:
        with parallel_config(backend="threading"), pytest.raises(KeyboardInterrupt):
            tuner.fit(X, y)
    finally:
        STOP_AT.update(calls=0, at=None)
    n_kept = len(tuner.cv_results_["params"])
    assert 0 < n_kept < len(reference.cv_results_["params"])
    with parallel_config(backend="threading"):
        tuner.fit(X, y)
    assert tuner.work_["from_checkpoint"] >= 3 * n_kept
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)


@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, "threading")])
def test_verbose_names_bracket_and_rung(n_jobs, backend, capsys):
    # brackets s=2 (rungs 1/3..3/3), s=1 (1/2, 2/2), s=0 (1/1); a rung's
    # "(k/6)" is its place in that schedule, whatever order it ran in
    with parallel_config(backend=backend) if backend else parallel_config():
        tuner = HyperbandTuner(**TREE, n_jobs=n_jobs, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert [len(sizes) for sizes in tuner.n_candidates_] == [3, 2, 1]
    place = 0
    for s, sizes in zip(tuner.brackets_, tuner.n_candidates_):
        for i, n in enumerate(sizes):
            place += 1
            label = f"[skhyper] bracket {s}, rung {i + 1}/{len(sizes)} ({place}/6):"
            done = f"{label} {3 * n}/{3 * n} fits (100%)"
            assert sum(line.startswith(done) for line in out) == 1, (done, out)
    assert not [line for line in out if "rung" in line and "/6)" not in line]


def test_a_flight_dispatches_one_task_at_a_time(monkeypatch):
    """joblib's automatic batching is for one plan's fits; a flight sends
    each task (and each short IDLE wait) alone, so a worker never sleeps
    through several IDLE waits bundled with work while a rung's results
    made tasks ready (bench_hyperband's gradient boosting space: 3.85 s,
    0.67x of the grid's time, with batches of up to 16; 1.58 s, 0.28x, one
    at a time; medians of 3, idle machine)."""
    from skhyper._engine import _run

    sizes, make = [], _run._parallel

    def spy(n_jobs, pre_dispatch, batch_size="auto"):
        sizes.append(batch_size)
        return make(n_jobs, pre_dispatch, batch_size)

    monkeypatch.setattr(_run, "_parallel", spy)
    kw = dict(resource="n_estimators", max_resources=3, cv=2, refit=False)
    est = GradientBoostingClassifier(random_state=0)
    space = {"max_depth": [1, 2, 3]}
    with parallel_config(backend="threading"):
        HyperbandTuner(est, space, n_jobs=2, random_state=0, **kw).fit(X, y)
        assert sizes and set(sizes) == {1}
        sizes.clear()
        HalvingRandomTuner(est, space, n_jobs=2, random_state=0, **kw).fit(X, y)
    assert sizes and set(sizes) == {"auto"}  # one plan at a time: batches


class CountingTree(ClassifierMixin, BaseEstimator):
    """A decision tree that counts its fits by (parameters, resource, training
    data), and takes a moment per level so that rungs of several brackets
    are in flight together on two threads."""

    fits = {}
    lock = threading.Lock()

    def __init__(self, depth=1, leaf=1):
        self.depth = depth
        self.leaf = leaf

    def fit(self, X, y):
        key = (self.leaf, self.depth, hash(np.asarray(X).tobytes()))
        with self.lock:
            self.fits[key] = self.fits.get(key, 0) + 1
        time.sleep(0.005 * self.depth)
        self.model_ = DecisionTreeClassifier(
            max_depth=self.depth, min_samples_leaf=self.leaf, random_state=0
        ).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, "threading"), (2, "loky")])
def test_a_candidate_two_brackets_share_is_fitted_once(n_jobs, backend):
    """Every bracket holds the whole (small) space, so brackets evaluate the
    same candidates at the same resources; side by side, one bracket's fit
    is often still running when another asks for it: that one follows it
    (is given its result) instead of fitting it again."""
    space = {"leaf": [1, 3, 5, 10, 20, 40]}
    kw = dict(resource="depth", max_resources=9, cv=3, random_state=0, refit=False)
    CountingTree.fits = {}
    reference = in_turn(HyperbandTuner(CountingTree(), space, **kw)).fit(X, y)
    assert max(CountingTree.fits.values()) == 1  # in turn: recalled, not refitted
    once = len(CountingTree.fits)
    CountingTree.fits = {}
    with parallel_config(backend=backend) if backend else nullcontext():
        tuner = HyperbandTuner(CountingTree(), space, n_jobs=n_jobs, **kw).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    assert tuner.work_["fits"] == once
    if backend != "loky":  # worker processes count in their own copies
        assert max(CountingTree.fits.values()) == 1
        assert len(CountingTree.fits) == once
    rows = len(tuner.cv_results_["params"]) * 3
    assert once < rows  # the brackets did share candidates


def test_share_false_fits_every_row_side_by_side():
    space = {"leaf": [1, 3, 5, 10, 20, 40]}
    kw = dict(resource="depth", max_resources=9, cv=3, random_state=0, refit=False)
    CountingTree.fits = {}
    with parallel_config(backend="threading"):
        HyperbandTuner(CountingTree(), space, n_jobs=2, share=False, **kw).fit(X, y)
    assert max(CountingTree.fits.values()) > 1  # share=False: every row fitted


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_rows_copied_between_brackets_continue_exactly(backend):
    """Brackets that share candidates copy each other's rows and the models
    kept for them; a survivor grown from a copied model scores as a fresh
    fit, and no (candidate, resource, split) is fitted twice."""
    gb = GradientBoostingClassifier(random_state=0)
    space = {"max_depth": [1, 2, 3], "learning_rate": [0.1, 0.5]}
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    reference = in_turn(HyperbandTuner(gb, space, refit=False, **kw)).fit(X, y)
    with parallel_config(backend=backend):
        tuner = HyperbandTuner(gb, space, n_jobs=2, **kw).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    work, once = tuner.work_, reference.work_
    units = work["fits"] + work["warm_start_fits"]
    assert units == once["fits"] + once["warm_start_fits"]
    results = tuner.cv_results_
    rows = len(results["params"])
    assert units < rows * 3  # rows of several brackets were copied
    for index in range(rows):
        fresh = cross_validate(
            clone(gb).set_params(**results["params"][index]), X, y, cv=3
        )
        for s in range(3):
            assert results[f"split{s}_test_score"][index] == fresh["test_score"][s]


class CountingScaler(TransformerMixin, BaseEstimator):
    """A scaler that counts its fits by training data."""

    fits = {}
    lock = threading.Lock()

    def fit(self, X, y=None):
        key = hash(np.asarray(X).tobytes())
        with self.lock:
            self.fits[key] = self.fits.get(key, 0) + 1
        self.mean_ = np.asarray(X).mean(axis=0)
        return self

    def transform(self, X):
        return np.asarray(X) - self.mean_


@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, "threading"), (2, "loky")])
def test_a_prefix_is_fitted_once_per_fold_across_rungs_and_brackets(n_jobs, backend):
    """The plans of a flight share the workers' store, scoped by the split's
    content: a pipeline's prefix, the same for every candidate and rung, is
    fitted once per fold in the whole search (one plan at a time, it was
    fitted again in every rung), with the same results."""
    pipe = Pipeline([("scale", CountingScaler()), ("tree", CountingTree())])
    space = {"tree__leaf": [1, 3, 5, 10, 20, 40]}
    kw = dict(
        resource="tree__depth", max_resources=9, cv=3, random_state=0, refit=False
    )
    CountingScaler.fits = {}
    reference = in_turn(HyperbandTuner(pipe, space, **kw)).fit(X, y)
    n_trees = reference.work_["fits"] - sum(CountingScaler.fits.values())
    CountingScaler.fits = {}
    with parallel_config(backend=backend) if backend else nullcontext():
        tuner = HyperbandTuner(pipe, space, n_jobs=n_jobs, **kw).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    if backend == "loky":  # at most once per fold in each worker process
        assert tuner.work_["fits"] <= n_trees + 3 * n_jobs
    else:
        assert sorted(CountingScaler.fits.values()) == [1, 1, 1]  # 3 folds
        assert tuner.work_["fits"] == n_trees + 3


def test_a_prefix_on_the_rungs_subsamples_is_fitted_on_each():
    """resource='n_samples': each rung's folds are other data, so the shared
    store holds one prefix per (rung's) fold, never one for another."""
    pipe = Pipeline([("scale", CountingScaler()), ("tree", CountingTree())])
    space = {"tree__leaf": [1, 5, 20], "tree__depth": [1, 3]}
    kw = dict(max_resources=150, min_resources=30, cv=3, random_state=0)
    reference = in_turn(HyperbandTuner(pipe, space, refit=False, **kw)).fit(X, y)
    CountingScaler.fits = {}
    with parallel_config(backend="threading"):
        tuner = HyperbandTuner(pipe, space, n_jobs=2, **kw).fit(X, y)
    assert comparable(tuner.cv_results_) == comparable(reference.cv_results_)
    assert max(CountingScaler.fits.values()) == 1


@pytest.mark.parametrize("max_time", [0.4, 0.8])
def test_a_budget_spent_while_batches_follow_others_keeps_finished_rows(max_time):
    """Brackets that share every candidate, two threads, a budget spent
    mid-search: a batch that followed another's fit is kept only where all
    its rows arrived; every kept row is the full run's row, in its order."""
    space = {"leaf": [1, 3, 5, 10, 20, 40]}
    kw = dict(resource="depth", max_resources=9, cv=3, random_state=0, refit=False)
    reference = HyperbandTuner(CountingTree(), space, **kw).fit(X, y)
    slow = SlowCountingTree()
    with (
        parallel_config(backend="threading"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        tuner = HyperbandTuner(slow, space, n_jobs=2, max_time=max_time, **kw)
        try:
            tuner.fit(X, y)
        except ValueError as error:  # nothing finished: a clear error
            assert "spent before any candidate finished" in str(error)
            return
    results, ref = tuner.cv_results_, reference.cv_results_
    assert 0 < len(results["params"]) <= len(ref["params"])
    assert_rows_of(results, ref)


class SlowCountingTree(CountingTree):
    """CountingTree at 20 ms per level: a 9-level fit takes 0.18 s."""

    def fit(self, X, y):
        time.sleep(0.015 * self.depth)
        return super().fit(X, y)
