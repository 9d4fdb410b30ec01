"""Run a plan's tasks through scikit-learn's ``Parallel`` and stream results.

Results come back as tasks finish (``return_as="generator_unordered"``), so
the loop that consumes them, in the parent process, is the one place where
results are recorded. Any joblib backend works: loky (default), threading,
and Dask or Ray through ``joblib.parallel_config``.
"""

import time
from traceback import format_exc

from joblib.logger import short_format_time
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ._compat import _check_method_params, _safe_split, multimetric_scorers
from ._scoring import is_multimetric, score


def fit_and_score(estimator, X, y, *, train, test, parameters, context):
    """Fit ``estimator`` with ``parameters`` on ``train``, score on ``test``.

    The counterpart of scikit-learn's private ``_fit_and_score``: the same
    splitting of data and fit parameters, the same failure handling and the
    same verbose lines.
    """
    c = context
    verbose, error_score = c["verbose"], c["error_score"]
    scorer, return_train_score = c["scorer"], c["return_train_score"]
    split_idx, n_splits = c["split_progress"]
    progress = f" {split_idx + 1}/{n_splits}" if verbose > 2 else ""
    if verbose > 9:
        cand_idx, n_candidates = c["candidate_progress"]
        progress += f"; {cand_idx + 1}/{n_candidates}"
    params_msg = ", ".join(f"{k}={parameters[k]}" for k in sorted(parameters))
    if verbose > 9:
        start = f"[CV{progress}] START {params_msg}"
        print(f"{start}{(80 - len(start)) * '.'}")

    fit_params = _check_method_params(X, params=c["fit_params"], indices=train)
    score_params_train = _check_method_params(
        X, params=c["score_params"], indices=train
    )
    score_params_test = _check_method_params(X, params=c["score_params"], indices=test)
    # Parameters are cloned: they may be estimators (steps swapped by the grid).
    estimator = estimator.set_params(**clone(parameters, safe=False))

    start_time = time.time()
    X_train, y_train = _safe_split(estimator, X, y, train)
    X_test, y_test = _safe_split(estimator, X, y, test, train)
    result = {}
    train_scores = None
    try:
        if y_train is None:
            estimator.fit(X_train, **fit_params)
        else:
            estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        fit_time = time.time() - start_time
        score_time = 0.0
        if error_score == "raise":
            raise
        if is_multimetric(scorer):
            test_scores = dict.fromkeys(multimetric_scorers(scorer), error_score)
            train_scores = test_scores.copy()
        else:
            test_scores = train_scores = error_score
        result["fit_error"] = format_exc()
    else:
        result["fit_error"] = None
        fit_time = time.time() - start_time
        test_scores = score(
            estimator, X_test, y_test, scorer, score_params_test, error_score
        )
        score_time = time.time() - start_time - fit_time
        if return_train_score:
            train_scores = score(
                estimator, X_train, y_train, scorer, score_params_train, error_score
            )

    if verbose > 1:
        end = f"[CV{progress}] END "
        msg = params_msg + (";" if params_msg else "")
        if verbose > 2:
            msg += _scores_msg(test_scores, train_scores, return_train_score)
        msg += f" total time={short_format_time(score_time + fit_time)}"
        print(end + "." * (80 - len(end) - len(msg)) + msg)

    result["test_scores"] = test_scores
    if return_train_score:
        result["train_scores"] = train_scores
    result["fit_time"] = fit_time
    result["score_time"] = score_time
    return result


def _scores_msg(test_scores, train_scores, return_train_score):
    if isinstance(test_scores, dict):
        msg = ""
        for name in sorted(test_scores):
            msg += f" {name}: ("
            if return_train_score:
                msg += f"train={train_scores[name]:.3f}, "
            msg += f"test={test_scores[name]:.3f})"
        return msg
    if return_train_score:
        return f", score=(train={train_scores:.3f}, test={test_scores:.3f})"
    return f", score={test_scores:.3f}"


def run_task(task, base_estimator, X, y, train, test, context):
    """Evaluate every leaf of ``task``; return ``(task.id, [(candidate, result)])``."""
    n_candidates = context["n_candidates"]
    out = []
    for leaf in task.leaves:
        leaf_context = dict(
            context,
            split_progress=(task.split, context["n_splits"]),
            candidate_progress=(leaf.candidate, n_candidates),
        )
        result = fit_and_score(
            clone(base_estimator),
            X,
            y,
            train=train,
            test=test,
            parameters=leaf.params,
            context=leaf_context,
        )
        out.append((leaf.candidate, result))
    return task.id, out


def execute(plan, base_estimator, X, y, splits, context, n_jobs, pre_dispatch):
    """Yield ``(task, [(candidate, result), ...])`` as tasks finish."""
    context = dict(context, n_candidates=plan.n_candidates, n_splits=plan.n_splits)
    parallel = Parallel(
        n_jobs=n_jobs, pre_dispatch=pre_dispatch, return_as="generator_unordered"
    )
    tasks = {task.id: task for task in plan.tasks}
    jobs = (
        delayed(run_task)(task, base_estimator, X, y, *splits[task.split], context)
        for task in plan.tasks
    )
    for task_id, results in parallel(jobs):
        yield tasks[task_id], results
