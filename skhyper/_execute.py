"""Run a plan's tasks through scikit-learn's ``Parallel`` and stream results.

Results come back as tasks finish (``return_as="generator_unordered"``), so
the loop that consumes them, in the parent process, is the one place where
results are recorded. Any joblib backend works: loky (default), threading,
and Dask or Ray through ``joblib.parallel_config``.
"""

from sklearn.utils.parallel import Parallel, delayed

from ._fit import run_task


def execute(plan, X, y, splits, context, n_jobs, pre_dispatch):
    """Yield ``(task, [(candidate, result), ...], counts)`` as tasks finish."""
    context = dict(context, n_candidates=plan.n_candidates, n_splits=plan.n_splits)
    parallel = Parallel(
        n_jobs=n_jobs, pre_dispatch=pre_dispatch, return_as="generator_unordered"
    )
    tasks = {task.id: task for task in plan.tasks}
    jobs = (
        delayed(run_task)(task, X, y, *splits[task.split], context)
        for task in plan.tasks
    )
    for task_id, results, counts in parallel(jobs):
        yield tasks[task_id], results, counts
