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
    """scikit-learn (>= 1.9) callback hooks for one ``evaluate`` call.

    As in ``BaseSearchCV``: a "search" task whose subtasks are the
    (candidate, split) evaluations, with task id ``candidate * n_splits +
    split``. A strategy may give the task (``ctx``, e.g. a halving
    iteration): it then begins and ends it itself. When callbacks are in
    play (``active``), the evaluation contexts are made here, in the parent,
    and sent with the tasks: the worker calls their hooks around the fit and
    score, and propagates them into the fitted estimator, as
    ``_fit_and_score`` does. Evaluations the worker did not run (restored
    from the checkpoint, lost with a worker) have their hooks called here.
    """

    def __init__(self, root, owner, n_evaluations, active=False, ctx=None):
        self.owner, self.ctx, self.owned, self.contexts = owner, ctx, ctx is None, {}
        if root is not None and ctx is None:
            self.ctx = root.subcontext(
                task_name="search",
                max_subtasks=n_evaluations,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=owner)
        if self.ctx is not None and active:
            self.contexts = {
                i: self.ctx.subcontext(
                    task_name="candidate-split-evaluation", task_id=i
                )
                for i in range(n_evaluations)
            }

    def evaluated_here(self, task_id):
        """Hooks of an evaluation that no worker ran."""
        if self.ctx is None:
            return
        sub = self.contexts.get(task_id)
        if sub is None:
            sub = self.ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=task_id
            )
        sub.call_on_fit_task_begin(estimator=self.owner)
        sub.call_on_fit_task_end(estimator=self.owner)

    def end(self):
        if self.ctx is not None and self.owned:
            self.ctx.call_on_fit_task_end(estimator=self.owner)
        self.ctx = None


def cv_end_line(settings, parameters, split, n_splits, cand, n_candidates, result):
    """scikit-learn's ``[CV ...] END ...`` line (``verbose > 1``) for one result,
    and its ``START`` line before it when ``verbose > 9``."""
    verbose = settings.verbose
    progress = f" {split + 1}/{n_splits}" if verbose > 2 else ""
    if verbose > 9:
        progress += f"; {cand + 1}/{n_candidates}"
    msg = ", ".join(f"{k}={parameters[k]}" for k in sorted(parameters))
    lines = []
    if verbose > 9:
        start = f"[CV{progress}] START {msg}"
        lines.append(f"{start}{(80 - len(start)) * '.'}")
    end = f"[CV{progress}] END "
    msg += ";" if msg else ""
    if verbose > 2:
        msg += _scores_msg(
            result["test_scores"],
            result.get("train_scores"),
            settings.return_train_score,
        )
    total = result["fit_time"] + result["score_time"]
    msg += f" total time={short_format_time(total)}"
    lines.append(end + "." * (80 - len(end) - len(msg)) + msg)
    return "\n".join(lines)


class OrderedLines:
    """Prints each (candidate, split) result's line in scikit-learn's order
    (candidate by candidate, split by split), as soon as every earlier result
    has arrived, whatever order tasks finish in."""

    def __init__(self, n_total):
        self.lines = [None] * n_total
        self.next = 0

    def add(self, index, line):
        self.lines[index] = line
        while self.next < len(self.lines) and self.lines[self.next] is not None:
            if self.lines[self.next]:
                print(self.lines[self.next])
            self.lines[self.next] = ""
            self.next += 1

    def flush(self):
        """Print what is left (after a stop), still in order."""
        for i in range(self.next, len(self.lines)):
            if self.lines[i]:
                print(self.lines[i])
        self.next = len(self.lines)


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
