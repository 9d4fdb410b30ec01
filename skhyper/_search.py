"""One search in progress: what ``evaluate_candidates`` does and keeps.

It plans the candidates it is given, skips what the checkpoint journal
already holds, runs the rest through the ``Runner``, journals and counts
results as they arrive, prints progress, and keeps the candidates whose
every split finished, so that a search stopped by its budget or by Ctrl-C
still has a ``cv_results_``.
"""

import time
from collections import defaultdict

import numpy as np
from joblib import effective_n_jobs
from joblib.logger import short_format_time
from sklearn.base import clone

from ._journal import candidate_digest, search_digest, split_digest
from ._plan import build_plan
from ._results import (
    format_results,
    insert_error_scores,
    warn_or_raise_about_fit_failures,
)

WORK_KEYS = (
    "candidates",
    "distinct_candidates",
    "splits",
    "tasks",
    "plain_fits",
    "fits",
    "warm_start_fits",
    "from_checkpoint",
)


class Progress:
    """Periodic lines: fits done of total, elapsed, ETA, best score so far."""

    def __init__(self, total, already=0):
        self.total, self.done = total, already
        self.start = time.time()
        self.next_step = 1
        self.best = None

    def update(self, n, candidate_mean=None):
        self.done += n
        if candidate_mean is not None and np.isfinite(candidate_mean):
            self.best = (
                candidate_mean if self.best is None else max(self.best, candidate_mean)
            )
        step = int(10 * self.done / self.total) if self.total else 10
        if step < self.next_step:
            return
        self.next_step = step + 1
        elapsed = time.time() - self.start
        rate = elapsed / self.done if self.done else 0.0
        eta = rate * (self.total - self.done)
        best = "n/a" if self.best is None else f"{self.best:.4f}"
        percent = 100 * self.done / self.total
        print(
            f"[skhyper] {self.done}/{self.total} fits ({percent:.0f}%)"
            f", elapsed {short_format_time(elapsed)}, ETA {short_format_time(eta)}"
            f", best mean score so far {best}"
        )


def _main_score(result, metric):
    scores = result["test_scores"]
    if isinstance(scores, dict):
        return scores.get(metric, next(iter(scores.values())))
    return scores


class _Callbacks:
    """scikit-learn (>= 1.9) callback hooks for one evaluate_candidates call.

    As in ``BaseSearchCV``: a "search" task whose subtasks are the
    (candidate, split) evaluations, reported from the parent as they finish.
    """

    def __init__(self, root, tuner, n_evaluations):
        self.tuner, self.ctx = tuner, None
        if root is not None:
            self.ctx = root.subcontext(
                task_name="search",
                max_subtasks=n_evaluations,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=tuner)

    def evaluated(self, task_id):
        if self.ctx is not None:
            sub = self.ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=task_id
            )
            sub.call_on_fit_task_begin(estimator=self.tuner)
            sub.call_on_fit_task_end(estimator=self.tuner)

    def end(self):
        if self.ctx is not None:
            self.ctx.call_on_fit_task_end(estimator=self.tuner)
            self.ctx = None


class Search:
    """The state of one ``fit``: its engine settings and finished candidates."""

    def __init__(self, tuner, runner, X, y, scorer, routed, cv, journal):
        self.tuner, self.runner = tuner, runner
        self.X, self.y, self.cv, self.journal = X, y, cv, journal
        self.split_params = routed["splitter"]["split"]
        self.n_splits = tuner.n_splits_
        self.base = clone(tuner.estimator)
        self.context = {
            "scorer": scorer,
            "fit_params": routed["estimator"]["fit"],
            "score_params": routed["scorer"]["score"],
            "return_train_score": tuner.return_train_score,
            "error_score": tuner.error_score,
            "verbose": tuner.verbose,
            "share_memory": tuner.share_memory,
        }
        self.n_workers = effective_n_jobs(tuner.n_jobs)
        self.params, self.out = [], []  # candidates whose every split finished
        self.more = defaultdict(list)
        self.n_asked = 0
        self.work = dict.fromkeys(WORK_KEYS, 0)
        self.work["splits"] = self.n_splits
        self.last_results = {}
        self.callback_ctx = None  # scikit-learn >= 1.9 callbacks, set by fit
        self.metric = tuner.refit if isinstance(tuner.refit, str) else "score"
        self.key = None
        if journal is not None:
            self.key = search_digest(
                tuner.estimator,
                X,
                y,
                self.context["fit_params"],
                tuner.scoring,
                tuner.error_score,
                tuner.return_train_score,
            )

    @property
    def stopped(self):
        return self.runner.stopped

    def results(self):
        return format_results(
            self.params,
            self.n_splits,
            self.out,
            self.tuner.return_train_score,
            self.more,
        )

    def evaluate_candidates(self, candidate_params, cv=None, more_results=None):
        """Evaluate candidates on every split; return ``cv_results_`` so far."""
        tuner, runner, n_splits = self.tuner, self.runner, self.n_splits
        X, y = self.X, self.y
        candidate_params = list(candidate_params)
        n = len(candidate_params)
        splits = list((cv or self.cv).split(X, y, **self.split_params))
        if len(splits) != n_splits:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {n_splits} splits, got {len(splits)}"
            )
        if tuner.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n} candidates, "
                f"totalling {n * n_splits} fits"
            )
        if n * n_splits == 0:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        self.n_asked += n
        plan = build_plan(
            candidate_params,
            self.base,
            n_splits,
            share=tuner.share,
            fit_params=self.context["fit_params"],
            n_workers=self.n_workers,
        )
        out = [None] * (n * n_splits)
        split_keys = cand_keys = None
        if self.journal is not None:
            split_keys = [split_digest(self.key, tr, te) for tr, te in splits]
            cand_keys = [candidate_digest(p) for p in candidate_params]
            found = self.journal.load(split_keys)
            for c in range(n):
                for s in range(n_splits):
                    result = found.get((split_keys[s], cand_keys[c]))
                    if result is not None:
                        out[c * n_splits + s] = result
                        self.work["from_checkpoint"] += 1
            plan = plan.without(
                lambda leaf, s: all(
                    out[c * n_splits + s] is not None for c in leaf.candidates
                )
            )
        work = self.work
        work["candidates"] += n
        work["distinct_candidates"] += plan.n_leaves
        work["tasks"] += len(plan.tasks)
        work["plain_fits"] += plan.plain_fits
        arrived = [
            sum(out[c * n_splits + s] is not None for s in range(n_splits))
            for c in range(n)
        ]
        progress = None
        if tuner.verbose > 0:
            progress = Progress(n * n_splits, already=sum(arrived))
        callbacks = _Callbacks(self.callback_ctx, tuner, n * n_splits)
        for i, result in enumerate(out):
            if result is not None:
                callbacks.evaluated(i)

        def record(task, leaf_results, counts):
            rows = []
            for cand, result in leaf_results:
                out[cand * n_splits + task.split] = result
                arrived[cand] += 1
                callbacks.evaluated(cand * n_splits + task.split)
                if split_keys is not None:
                    rows.append((split_keys[task.split], cand_keys[cand], result))
                if progress is not None:
                    mean = None
                    if arrived[cand] == n_splits:
                        rows_c = out[cand * n_splits : (cand + 1) * n_splits]
                        mean = float(
                            np.mean([_main_score(r, self.metric) for r in rows_c])
                        )
                    progress.update(1, mean)
            if rows:
                self.journal.write(rows)
            work["fits"] += counts["fits"]
            work["warm_start_fits"] += counts["warm_fits"]

        complete = []
        try:
            if runner.time_left() > 0:
                runner.run(plan, X, y, splits, self.context, record)
            elif runner.stopped is None:
                runner.stopped = "max_time"
        finally:
            callbacks.end()
            complete = [c for c in range(n) if arrived[c] == n_splits]
            rows = [out[c * n_splits + s] for c in complete for s in range(n_splits)]
            self.params.extend(candidate_params[c] for c in complete)
            self.out.extend(rows)
            for key, values in (more_results or {}).items():
                self.more[key].extend(values[c] for c in complete)

        if rows:
            warn_or_raise_about_fit_failures(rows, tuner.error_score)
        if callable(tuner.scoring) and rows:
            insert_error_scores(rows, tuner.error_score)
        if self.params:
            self.last_results = self.results()
        return self.last_results
