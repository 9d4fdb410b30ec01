"""The cost model and how the scheduler cuts tasks from given costs.

Counted, not timed: costs are given to ``Costs.learn`` as numbers, and the
tests check which tasks the scheduler builds from them.
"""

import os
from dataclasses import replace

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_info

from skhyper import GridTuner
from skhyper._engine._cost import CHEAP_STEP, Costs, shape_of
from skhyper._engine._plan import build_plan
from skhyper._engine._report import TaskReport
from skhyper._engine._run import Runner
from skhyper._engine._schedule import TASK_SECONDS, Scheduler
from skhyper._engine._settings import Settings, TaskContext
from skhyper._engine._store import release, store_for
from skhyper._engine._worker import run_task

from .utils import assert_cv_results_equal


def plan(estimator, grid, n_splits=5):
    return build_plan(
        list(ParameterGrid(grid)),
        estimator,
        n_splits,
        share=True,
        fit_params={},
        n_workers=2,
    )


def tasks(scheduler):
    return list(scheduler)


def n_leaves(task):
    return len(task.leaves)


def steps_of(p):
    """Every distinct step of a plan's prefixes."""
    return {s.key: s for t in p.tasks for leaf in t.leaves for s in leaf.path[:-1]}


def kernel_pipe():
    kernel = Nystroem(n_components=20, random_state=0)
    return Pipeline([("kernel", kernel), ("ridge", RidgeClassifier())])


ALPHAS = {"ridge__alpha": [0.01, 0.1, 1, 10, 100, 1000]}


# -- the cost model -------------------------------------------------------------


def test_costs_predict_a_measured_step_and_a_leaf_by_its_class():
    p = plan(kernel_pipe(), ALPHAS)
    costs = Costs()
    (kernel,) = steps_of(p).values()
    leaf = p.tasks[0].leaves[0]
    assert costs.step(kernel) is None  # not in the prior's list: unknown
    assert costs.leaf(leaf) is None and costs.leaf_mean() is None
    costs.learn(steps=[(kernel.key, 0.4), (kernel.key, 0.6)])
    assert costs.step(kernel) == pytest.approx(0.5)
    assert not costs.step_is_cheap(kernel)
    costs.learn(leaves=[(shape_of(leaf), 0.1), (("other", "Model"), 0.3)])
    assert costs.leaf(leaf) == pytest.approx(0.1)  # same final class
    assert costs.leaf_mean() == pytest.approx(0.2)
    other = plan(SVC(), {"C": [1]}).tasks[0].leaves[0]
    assert costs.leaf(other) == pytest.approx(0.2)  # no SVC measured: all


def test_prior_cheap_steps_and_measurement_overrides_them():
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    p = plan(pipe, {"svc__C": [1, 10]})
    (scale,) = steps_of(p).values()
    costs = Costs()
    assert costs.step(scale) == 0.0 and costs.step_is_cheap(scale)
    costs.learn(steps=[(scale.key, 10 * CHEAP_STEP)])  # slow on this data
    assert not costs.step_is_cheap(scale)


# -- tasks from costs -------------------------------------------------------------


def test_one_worker_tasks_are_units_below_prior_expensive_prefixes():
    pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())])
    p = plan(pipe, {"pca__n_components": [2, 4, 8], "svc__C": [0.1, 1, 10, 100]})
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=1))
    # PCA is not known to be cheap: one task per (PCA setting, fold)
    assert len(made) == 3 * 5
    assert all(n_leaves(t) == 4 for t in made)
    made = tasks(Scheduler(plan(SVC(), {"C": [1, 10]}).tasks, Costs(), 1))
    assert len(made) == 2 * 5  # nothing measured, nothing grouped


def test_unknown_prefix_is_held_together_per_fold_without_handover():
    p = plan(kernel_pipe(), ALPHAS)
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=2, handover=None))
    assert len(made) == 5
    assert sorted(t.split for t in made) == list(range(5))
    assert all(n_leaves(t) == 6 and not t.hand_out for t in made)


def test_expensive_prefix_is_split_with_a_handover(tmp_path):
    p = plan(kernel_pipe(), ALPHAS, n_splits=3)
    (kernel,) = steps_of(p).values()
    s = Scheduler(p.tasks, Costs(), n_workers=3, handover=str(tmp_path))
    first = s.next_task()
    assert first.split == 0 and n_leaves(first) == 2
    ((split, key, where),) = first.hand_out
    assert (split, key) == (0, kernel.key) and where.startswith(str(tmp_path))
    # the fold's other parts come after the units not sent yet: fold 1
    second = s.next_task()
    assert second.split == 1 and second.hand_out
    s.learn(first, TaskReport(handed_over=((0, kernel.key, where),)))
    for _ in range(2):  # fold 0's two other parts, starting from the file
        part = s.next_task()
        assert part.split == 0 and part.handover == ((0, kernel.key, where),)
        assert n_leaves(part) == 2 and not part.hand_out
    rest = tasks(s)
    # fold 2's first part, then the parts not known ready, whose workers
    # wait for the handover
    assert [t.split for t in rest] == [2, 1, 1, 2, 2]
    assert all(len(t.handover) == 1 for t in rest[1:])
    assert sum(n_leaves(t) for t in [first, second, *rest]) + 4 == 6 * 3


def test_only_the_last_groups_are_split(tmp_path):
    p = plan(kernel_pipe(), ALPHAS)  # 5 folds
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=2, handover=str(tmp_path)))
    # groups left: 5, 4, 3 are sent whole; the last 2 (< 1.5 per worker) in
    # two parts each
    assert [(t.split, n_leaves(t)) for t in made] == [
        (0, 6),
        (1, 6),
        (2, 6),
        (3, 3),
        (4, 3),
        (3, 3),
        (4, 3),
    ]


def test_parts_hold_enough_work_to_be_worth_a_handover(tmp_path):
    p = plan(kernel_pipe(), ALPHAS)
    costs = Costs()
    leaf = p.tasks[0].leaves[0]
    costs.learn(leaves=[(shape_of(leaf), 0.01)])  # 6 leaves: 0.06 s a fold
    made = tasks(Scheduler(p.tasks, costs, n_workers=4, handover=str(tmp_path)))
    assert len(made) == 5 and all(n_leaves(t) == 6 for t in made)
    costs.learn(leaves=[(shape_of(leaf), 0.5)] * 10)
    made = tasks(Scheduler(p.tasks, costs, n_workers=4, handover=str(tmp_path)))
    assert len(made) == 5 * 3  # 6 leaves in parts of 2


def test_threads_hand_over_through_the_shared_store():
    p = plan(kernel_pipe(), ALPHAS, n_splits=2)
    s = Scheduler(p.tasks, Costs(), n_workers=2, handover="store")
    first = s.next_task()
    ((split, key, where),) = first.hand_out
    assert where == "store"
    s.learn(first, TaskReport(handed_over=first.hand_out))
    part = s.next_task()
    assert part.split == 0 and part.handover == first.hand_out


def test_cheap_prefix_spreads_and_groups_small_units():
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    p = plan(pipe, {"svc__C": list(np.logspace(-3, 3, 40))})
    costs = Costs()
    leaf = p.tasks[0].leaves[0]
    costs.learn(leaves=[(shape_of(leaf), 0.005)])
    made = tasks(Scheduler(p.tasks, costs, n_workers=2))
    # 200 leaves of 5 ms: 1 s of work, 0.5 s a worker; tasks of at most
    # 0.25 * 0.5 s (the tail share), grouped within a fold
    assert sum(n_leaves(t) for t in made) == 200
    assert all(len({t.split}) == 1 for t in made)
    assert len(made) < 200 / 5
    target = TASK_SECONDS
    assert all(n_leaves(t) * 0.005 <= target + 0.005 for t in made)
    # groups shrink towards the end, so workers stay busy
    assert n_leaves(made[-1]) <= n_leaves(made[0])
    # candidate order is kept fold by fold
    for split in range(5):
        cands = [c for t in made if t.split == split for c in _cands(t)]
        assert cands == sorted(cands) == list(range(40))


def test_groups_are_small_beside_the_time_left():
    p = plan(SVC(), {"C": list(np.logspace(-3, 3, 40))})
    costs = Costs()
    costs.learn(leaves=[(shape_of(p.tasks[0].leaves[0]), 0.005)])
    made = tasks(Scheduler(p.tasks, costs, n_workers=2, time_left=lambda: 1.0))
    # 2 % of one second left: 20 ms, four leaves of 5 ms
    assert max(n_leaves(t) for t in made) == 4


def _cands(task):
    return [c for leaf in task.leaves for c in leaf.candidates]


def test_unknown_leaf_costs_make_a_task_each():
    p = plan(DecisionTreeClassifier(), {"max_depth": [1, 2, 3, 4]})
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=2))
    assert len(made) == 20 and all(n_leaves(t) == 1 for t in made)


def test_long_leaves_are_not_grouped():
    p = plan(DecisionTreeClassifier(), {"max_depth": [1, 2, 3, 4]})
    costs = Costs()
    costs.learn(leaves=[(shape_of(p.tasks[0].leaves[0]), 2 * TASK_SECONDS)])
    made = tasks(Scheduler(p.tasks, costs, n_workers=2))
    assert len(made) == 20


def test_measured_cheap_unknown_step_spreads_its_leaves():
    p = plan(kernel_pipe(), ALPHAS)
    (kernel,) = steps_of(p).values()
    costs = Costs()
    costs.learn(steps=[(kernel.key, CHEAP_STEP / 2)])
    made = tasks(Scheduler(p.tasks, costs, n_workers=2, handover=None))
    assert len(made) == 6 * 5  # leaf costs unknown: a task each


# -- a handover between two workers -------------------------------------------


def test_a_handed_over_prefix_is_not_fitted_again(tmp_path):
    X, y = make_classification(n_samples=120, random_state=0)
    p = plan(kernel_pipe(), {"ridge__alpha": [0.1, 1, 10, 100]}, n_splits=2)
    s = Scheduler(p.tasks, Costs(), n_workers=2, handover=str(tmp_path))
    first = s.next_task()
    train, test = next(KFold(2).split(X))
    settings = Settings(scorer=check_scoring(RidgeClassifier()))

    def context(plan_id):
        return TaskContext(settings, None, 4, 2, None, plan_id)

    _, out_a, report_a = run_task(first, X, y, train, test, context("a"))
    release("a")  # as if the next part ran in another process
    assert report_a.fits == 1 + 2  # the kernel and its part's leaves
    assert report_a.handed_over == tuple(first.hand_out)
    where = first.hand_out[0][2]
    assert os.path.exists(where)
    s.learn(first, report_a)
    part = s.next_task()  # ready before any other: it waited
    assert part.split == 0 and part.handover == first.hand_out
    _, out_b, report_b = run_task(part, X, y, train, test, context("b"))
    release("b")
    assert report_b.fits == 2  # the leaves only: the kernel was handed over
    # same scores as fitting the part's candidates from scratch
    part_alone = type(part)(0, 0, part.leaves)
    _, out_c, report_c = run_task(part_alone, X, y, train, test, context("c"))
    release("c")
    assert report_c.fits == 3
    assert [r["test_scores"] for _, r in out_b] == [r["test_scores"] for _, r in out_c]


# -- whole searches ----------------------------------------------------------------


class SlowFeatures(TransformerMixin, BaseEstimator):
    """A step of a class no list knows: random features, a real fit."""

    def __init__(self, n_components=20, random_state=0):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None):
        rng = np.random.RandomState(self.random_state)
        self.weights_ = rng.normal(size=(X.shape[1], self.n_components))
        return self

    def transform(self, X):
        return np.tanh(X @ self.weights_)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_search_with_an_unknown_prefix_equals_scikit_learns(backend):
    X, y = make_classification(n_samples=200, n_features=10, random_state=0)
    pipe = Pipeline([("features", SlowFeatures()), ("ridge", RidgeClassifier())])
    grid = {"ridge__alpha": [0.01, 0.1, 1, 10, 100, 1000]}
    with parallel_config(backend=backend, n_jobs=2):
        tuner = GridTuner(pipe, grid, cv=5, refit=False).fit(X, y)
    search = GridSearchCV(pipe, grid, cv=5, refit=False).fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, search.cv_results_)
    # each fold's prefix fitted once, or once more per part that did not
    # wait for its handover (at most one part per worker)
    assert 5 + 30 <= tuner.work_["fits"] <= 5 * 2 + 30


def test_share_memory_is_shared_among_worker_processes(monkeypatch):
    seen = {}

    def capture(self, scheduler, X, y, splits, context, record):
        seen[context.settings.n_jobs] = context.memory

    monkeypatch.setattr(Runner, "_run_plan", capture)
    X, y = make_classification(n_samples=40, random_state=0)
    p = plan(SVC(), {"C": [1]}, n_splits=2)
    splits = list(KFold(2).split(X))
    for n_jobs in (1, 2, 4):
        runner = Runner(Settings(scorer=None, share_memory=2**20, n_jobs=n_jobs))
        runner.run(p, X, y, splits, None, Costs())
    assert seen == {1: 2**20, 2: 2**19, 4: 2**18}
    with parallel_config(backend="threading"):
        runner = Runner(Settings(scorer=None, share_memory=2**20, n_jobs=4))
        runner.run(p, X, y, splits, None, Costs())
    assert seen[4] == 2**20  # threads share one store


def test_the_part_that_fits_the_prefix_holds_fewer_leaves(tmp_path):
    grid = {"ridge__alpha": list(np.logspace(-3, 3, 8))}
    p = plan(kernel_pipe(), grid, n_splits=2)
    (kernel,) = steps_of(p).values()
    costs = Costs()
    costs.learn(
        steps=[(kernel.key, 1.0)],
        leaves=[(shape_of(p.tasks[0].leaves[0]), 0.25)],
    )
    s = Scheduler(p.tasks, costs, n_workers=2, handover=str(tmp_path))
    first = s.next_task()
    # 1 s of prefix and 8 leaves of 0.25 s: 1.5 s a part, so the first part
    # holds 2 leaves and the other 6
    assert n_leaves(first) == 2
    assert [n_leaves(t) for key, t in s.waiting] == [6]


class ThreadCount(ClassifierMixin, BaseEstimator):
    """Scores the number of BLAS/OpenMP threads its worker may use."""

    def __init__(self, c=0):
        self.c = c

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return float(sum(pool["num_threads"] for pool in threadpool_info()))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_workers_threads_are_limited_as_for_scikit_learns_search(n_jobs):
    X, y = make_classification(n_samples=40, random_state=0)
    grid = {"c": [0, 1, 2]}
    tuner = GridTuner(ThreadCount(), grid, cv=2, n_jobs=n_jobs, refit=False)
    search = GridSearchCV(ThreadCount(), grid, cv=2, n_jobs=n_jobs, refit=False)
    tuner.fit(X, y)
    search.fit(X, y)
    assert_cv_results_equal(tuner.cv_results_, search.cv_results_)


def test_a_task_names_what_no_later_task_reads():
    pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())])
    p = plan(pipe, {"pca__n_components": [2, 4], "svc__C": [1, 10]}, n_splits=2)
    scale, pca2, pca4 = steps_of(p).values()
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=1))
    assert [(t.split, set(t.drop)) for t in made] == [
        (0, {(0, pca2.key)}),
        (1, {(1, pca2.key)}),
        (0, {(0, pca4.key), (0, scale.key), ("fold", 0)}),
        (1, {(1, pca4.key), (1, scale.key), ("fold", 1)}),
    ]


def test_split_parts_drop_nothing(tmp_path):
    p = plan(kernel_pipe(), ALPHAS, n_splits=2)
    made = tasks(Scheduler(p.tasks, Costs(), n_workers=2, handover=str(tmp_path)))
    assert len(made) == 4 and all(t.drop == () for t in made)


def test_dropped_entries_leave_the_store():
    X, y = make_classification(n_samples=60, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    p = plan(pipe, {"svc__C": [1, 10]}, n_splits=2)
    settings = Settings(scorer=check_scoring(SVC()))
    context = TaskContext(settings, None, 2, 2, None, "drop")
    train, test = next(KFold(2).split(X))
    (first, *_), last = p.tasks, p.tasks[2]
    try:
        run_task(first, X, y, train, test, context)
        memo, _ = store_for("drop", context.memory)
        assert len(memo.items) == 2  # the fold's split and its scaler
        drop = ((0, first.leaves[0].path[0].key), ("fold", 0))
        run_task(replace(last, drop=drop), X, y, train, test, context)
        assert len(memo.items) == 0 and memo.size == 0
    finally:
        release("drop")


def test_a_part_whose_handover_will_not_come_fits_the_prefix(tmp_path):
    X, y = make_classification(n_samples=120, random_state=0)
    p = plan(kernel_pipe(), {"ridge__alpha": [0.1, 1, 10, 100]}, n_splits=2)
    s = Scheduler(p.tasks, Costs(), n_workers=2, handover=str(tmp_path))
    first = s.next_task()
    s.next_task()  # fold 1
    part = s.next_task()  # fold 0's other part, waiting for the first's
    ((_, _, where),) = part.handover
    with open(where + ".failed", "w"):  # what a first part that failed says
        pass
    train, test = next(KFold(2).split(X))
    settings = Settings(scorer=check_scoring(RidgeClassifier()))
    context = TaskContext(settings, None, 4, 2, None, "failed")
    try:
        _, out, report = run_task(part, X, y, train, test, context)
    finally:
        release("failed")
    assert report.fits == 1 + 2 and len(out) == 2
    assert first.hand_out[0][2] == where
