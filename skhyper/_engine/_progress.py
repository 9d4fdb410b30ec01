"""What a search reports while it runs: progress lines and callback hooks."""

import time

import numpy as np

from .._compat import short_format_time


class Progress:
    """Periodic lines: fits done of total, elapsed, ETA, best score so far."""

    def __init__(self, total, already=0, label=None):
        self.total, self.done = total, already
        self.prefix = f"[skhyper] {label}:" if label else "[skhyper]"
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
            f"{self.prefix} {self.done}/{self.total} fits ({percent:.0f}%)"
            f", elapsed {short_format_time(elapsed)}, ETA {short_format_time(eta)}"
            f", best mean score so far {best}"
        )


def main_score(result, metric):
    scores = result["test_scores"]
    if isinstance(scores, dict):
        return scores.get(metric, next(iter(scores.values())))
    return scores


class Callbacks:
    """scikit-learn (>= 1.9) callback hooks for one evaluate_candidates call.

    As in ``BaseSearchCV``: a "search" task whose subtasks are the
    (candidate, split) evaluations, reported from the parent as they finish.
    A strategy may give the task (``ctx``, e.g. a halving iteration): it
    then begins and ends it itself.
    """

    def __init__(self, root, tuner, n_evaluations, ctx=None):
        self.tuner, self.ctx, self.owned = tuner, ctx, ctx is None
        if root is not None and ctx is None:
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
        if self.ctx is not None and self.owned:
            self.ctx.call_on_fit_task_end(estimator=self.tuner)
            self.ctx = None
