"""What a task gives back (``TaskReport``) and how a search adds it up (``Work``).

``work_`` is ``Work.as_dict()``: the same keys, in order, and a task's
counters carry the same names. Counted, not timed.
"""

from dataclasses import fields

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, ParameterGrid
from sklearn.pipeline import Pipeline

from skhyper import GridTuner
from skhyper._engine._cost import Costs
from skhyper._engine._plan import build_plan
from skhyper._engine._report import COUNTED, TaskReport, Work
from skhyper._engine._run import Runner
from skhyper._engine._schedule import Scheduler
from skhyper._engine._settings import Settings, TaskContext
from skhyper._engine._store import release
from skhyper._engine._worker import run_task

from .counting import CountingClassifier, CountingTransformer, reset_counts


def _data():
    return make_classification(n_samples=80, random_state=0)


def _plan(estimator, grid, n_splits):
    return build_plan(
        list(ParameterGrid(grid)),
        estimator,
        n_splits,
        share=True,
        fit_params={},
        n_workers=1,
    )


# -- the names -------------------------------------------------------------------


def test_work_fields_are_the_keys_of_work_in_order():
    X, y = _data()
    tuner = GridTuner(LogisticRegression(), {"C": [0.1, 1]}, cv=3).fit(X, y)
    assert [f.name for f in fields(Work)] == list(tuner.work_)
    assert Work(splits=3).as_dict().keys() == tuner.work_.keys()


def test_a_task_reports_its_counters_by_the_names_of_work_():
    X, y = _data()
    work_ = GridTuner(LogisticRegression(), {"C": [1]}, cv=2).fit(X, y).work_
    report_fields = [f.name for f in fields(TaskReport)]
    # a subset of work_'s keys, in the same order, each a field of a report
    assert [key for key in work_ if key in COUNTED] == list(COUNTED)
    assert [name for name in report_fields if name in COUNTED] == list(COUNTED)
    # and every count a report carries is one of them
    assert {f.name for f in fields(TaskReport) if f.type is int} <= set(COUNTED)


# -- work counted across tasks ---------------------------------------------------


def test_work_adds_the_counters_of_every_report():
    work = Work(splits=2)
    staged = (("MLPClassifier", "staged path", "no snapshot"), 2)
    kept = (("Ridge", "kept model", "cannot be pickled"), 1)
    work.add(TaskReport(fits=3, warm_start_fits=1, iterations=30, fallbacks=(staged,)))
    work.add(TaskReport(fits=1, staged_fits=4, iterations=10, fallbacks=(kept,)))
    work.add(TaskReport.lost_worker())  # nothing fitted
    counted = {name: work.as_dict()[name] for name in COUNTED}
    assert counted == {
        "fits": 4,
        "warm_start_fits": 1,
        "staged_fits": 4,
        "iterations": 40,
        "fallbacks": 3,
    }
    assert work.splits == 2 and work.candidates == 0  # the engine counts those


def test_the_fits_of_every_task_are_counted_once():
    X, y = _data()
    reset_counts()
    pipe = Pipeline([("scale", CountingTransformer()), ("clf", CountingClassifier())])
    grid = {"scale__factor": [1.0, 2.0], "clf__C": [0.1, 1, 10]}
    tuner = GridTuner(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    n_refit = 2  # the best candidate's transformer and classifier
    actual = len(CountingTransformer.fits) + len(CountingClassifier.fits) - n_refit
    reset_counts()
    work = tuner.work_
    assert work["tasks"] >= 3  # at least a task per fold
    assert work["fits"] == actual == 3 * (2 + 6)  # each step once per fold
    assert work["plain_fits"] == 3 * 6 * 2


def test_a_warm_start_path_is_counted_in_its_iterations():
    X, y = _data()
    forest = RandomForestClassifier(max_depth=2, random_state=0)
    grid = {"n_estimators": [3, 5, 8]}
    work = GridTuner(forest, grid, cv=2, n_jobs=1).fit(X, y).work_
    assert work["fits"] == 2  # one forest per fold, grown
    assert work["warm_start_fits"] == 2 * 2
    assert work["iterations"] == 2 * 8
    assert work["plain_iterations"] == 2 * (3 + 5 + 8)


# -- costs learned ---------------------------------------------------------------


def test_the_scheduler_learns_the_costs_a_task_reports():
    X, y = _data()
    pipe = Pipeline(
        [
            ("kernel", Nystroem(n_components=10, random_state=0)),
            ("clf", RidgeClassifier()),
        ]
    )
    p = _plan(pipe, {"clf__alpha": [0.1, 1]}, n_splits=2)
    costs = Costs()
    scheduler = Scheduler(p.tasks, costs, n_workers=1, handover=None)
    task = scheduler.next_task()
    leaf = task.leaves[0]
    kernel = leaf.path[0]
    assert costs.step(kernel) is None and costs.leaf(leaf) is None
    train, test = list(KFold(2).split(X))[task.split]
    settings = Settings(scorer=check_scoring(RidgeClassifier()))
    context = TaskContext(settings, None, 2, 2, None, "report-costs")
    try:
        _, out, report = run_task(task, X, y, train, test, context)
    finally:
        release("report-costs")
    assert len(out) == 2 and report.fits == 1 + 2
    assert report.callbacks_reported and not report.lost
    scheduler.learn(task, report)
    assert costs.step(kernel) is not None
    assert costs.leaf(leaf) is not None


# -- a lost worker ---------------------------------------------------------------


def test_a_lost_workers_report():
    report = TaskReport.lost_worker()
    assert report.lost and not report.callbacks_reported
    assert all(getattr(report, name) in (0, ()) for name in COUNTED)
    assert report.kept == report.handed_over == ()


def test_the_runner_records_a_lost_task_as_failed_and_not_to_journal():
    X, y = _data()
    p = _plan(LogisticRegression(), {"C": [0.1, 1]}, n_splits=2)
    (task, *_) = p.tasks
    settings = Settings(scorer=check_scoring(LogisticRegression()))
    recorded = []

    def record(task, results, report):
        recorded.append((task, results, report))

    Runner(settings)._record_crash(task, RuntimeError("boom"), record)
    ((_, results, report),) = recorded
    assert report == TaskReport.lost_worker()
    candidates = [c for leaf in task.leaves for c in leaf.candidates]
    assert [c for c, _ in results] == candidates
    assert all(np.isnan(r["test_scores"]) for _, r in results)
    assert all("boom" in r["fit_error"] for _, r in results)
    costs = Costs()
    Scheduler(p.tasks, costs, n_workers=1).learn(task, report)
    assert costs.leaf_mean() is None  # a lost task measured nothing
    work = Work()
    work.add(report)
    assert work == Work()
