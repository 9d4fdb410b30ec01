"""The engine of one search: what ``evaluate`` does and what it keeps.

It plans the candidates it is given, skips what the checkpoint journal
already holds, runs the rest through the ``Runner``, journals and counts
results as they arrive, prints progress, and keeps the candidates whose
every split finished, so that a search stopped by its budget or by Ctrl-C
still has a ``cv_results_``. With ``keep``, it also keeps fitted final
models from one call to the next, to continue them (``_kept``).

With sharing on, it also remembers every finished (candidate, split) result
of the search in memory, so that a candidate equal by value to one an
earlier ``evaluate`` call of the same ``fit`` finished (a strategy asking in
rounds may propose it again) is not fitted again: its results are copied,
as for equal candidates within one call.
"""

import sqlite3
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import replace

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone

from .._compat import multimetric_scorers
from .._results import (
    format_results,
    insert_error_scores,
    warn_or_raise_about_fit_failures,
)
from .._scoring import is_multimetric
from ._cost import Costs
from ._journal import (
    Journal,
    candidate_digest,
    error_key,
    holds_error_score,
    search_digests,
    split_digest,
)
from ._kept import KeptModels
from ._keys import KeyTable, Unstable, canonical, persistent_key
from ._outcome import SearchOutcome, failures_of, history_of
from ._plan import build_plan
from ._progress import Callbacks, OrderedLines, Progress, cv_end_line, main_score
from ._report import Work
from ._run import Runner
from ._settings import Stop

# The warning of format_results that a deferred call leaves to report_failures.
NON_FINITE = "One or more of the .* scores are non-finite"


class Engine:
    """Evaluates candidates for one ``fit``; keeps every finished one.

    Parameters
    ----------
    estimator : estimator object
        The unfitted estimator that candidates configure.
    X, y : indexable
        The data, as given to ``fit``.
    cv : splitter
        The checked CV splitter (``check_cv``'s result).
    n_splits : int
        ``cv.get_n_splits(...)``.
    split_params : dict
        What ``cv.split`` is given (``groups``...).
    settings : Settings
        The tuner's parameters, resolved.
    owner : estimator
        The tuner: what callback hooks report as the estimator.
    callback_ctx : callback context or None
        The tuner's fit context (scikit-learn >= 1.9 callbacks).
    journal_scoring : object
        The tuner's ``scoring`` as given, part of the checkpoint's identity.
    check_candidates : callable or None
        Called with each batch of candidates before it is planned.

    Use it as a context manager: it closes the checkpoint on exit.
    """

    def __init__(
        self,
        estimator,
        X,
        y,
        *,
        cv,
        n_splits,
        split_params,
        settings,
        owner=None,
        callback_ctx=None,
        journal_scoring=None,
        check_candidates=None,
    ):
        self.X, self.y, self.cv = X, y, cv
        self.n_splits, self.split_params = n_splits, split_params
        self.settings, self.owner = settings, owner
        self.base = clone(estimator)
        self.callback_ctx = callback_ctx
        self.check_candidates = check_candidates
        self.n_workers = effective_n_jobs(settings.n_jobs)
        deadline = None
        if settings.max_time is not None:
            deadline = time.time() + budget(settings.max_time)
        self.runner = Runner(settings, deadline, caller=owner)
        self.params, self.out = [], []  # candidates whose every split finished
        self.test_sizes = []  # one per row of out: its split's test samples
        self.more = defaultdict(list)
        self.n_asked = 0
        self.started, self.n_results = time.time(), 0  # for history()
        self.history_rows = []  # one (elapsed, n_fits, from checkpoint) per params
        self.work = Work(splits=n_splits)  # work_, as its .as_dict()
        self.last_results = {}
        self.n_formatted = 0  # candidates last_results holds
        self.kept = KeptModels(settings.share_memory)
        # (class name, what, why) -> times a staged path or a kept model fell
        # back to fresh fits; one warning at the end of the search
        self.fallbacks = {}
        self.costs = Costs()  # measured as results arrive, for later tasks
        self.keys = KeyTable()  # step keys stay the same from call to call
        # (split digest, candidate digest) -> result, across evaluate calls.
        # Candidates are digested only once a later call needs them; every
        # call's candidates are kept, so that identity keys stay valid.
        self.memo = {} if settings.share else None
        self.calls = []  # [(split keys, candidate_params, out, cand keys)] per call
        self.n_digested = 0
        self.journal = self.key = None
        self.journal_off = None  # the checkpoint, once a write to it failed
        # Why the search is not journaled; the candidates that are not, and why.
        self.not_journaled = None
        self.unkeyed, self.unkeyed_alive = {}, []
        self.unshared = None  # why the first candidate with no sound key has none
        self.code_changed = []  # the user's modules edited since the last run
        if settings.checkpoint is not None:
            self.journal = Journal(settings.checkpoint)
            try:
                self.key, codeless, code = search_digests(
                    estimator,
                    X,
                    y,
                    settings.fit_params,
                    journal_scoring,
                    settings.return_train_score,
                )
                self.code_changed = self.journal.code_changed(codeless, code)
            except Unstable as exc:
                self.journal.close()
                self.journal, self.not_journaled = None, str(exc)
            except BaseException:
                self.journal.close()
                raise
        scorer = settings.scorer
        self.metric_names = None  # the shape of a result read back
        if not settings.callable_scoring:
            names = multimetric_scorers(scorer) if is_multimetric(scorer) else ()
            self.metric_names = tuple(names)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kept.clear()
        if self.fallbacks:
            (cls, what, why), times = next(iter(self.fallbacks.items()))
            more = len(self.fallbacks) - 1
            warnings.warn(
                f"The {what} of {cls} fell back to fresh fits ({times} times: "
                f"{why}); the results are exact, but the work was not "
                "shared"
                + (f" ({more} more such reasons)" if more else "")
                + ". work_['fallbacks'] counts them.",
                UserWarning,
            )
        checkpoint = self.settings.checkpoint
        journal = self.journal or self.journal_off
        if self.journal is not None:
            self.journal.close()
        if journal is not None:
            if journal.n_bad:
                warnings.warn(
                    f"checkpoint={checkpoint!r}: {journal.n_bad} rows of "
                    "this search failed their check (a wrong checksum or shape: "
                    "the file was damaged or edited) and were ignored; their "
                    "fits were run again.",
                    UserWarning,
                )
        if self.code_changed:
            names = ", ".join(self.code_changed)
            warnings.warn(
                f"checkpoint={checkpoint!r}: the source of {names} changed since "
                "this search last ran, so its rows were not reused and its fits "
                "ran again.",
                UserWarning,
            )
        if self.unshared is not None:
            warnings.warn(
                f"{self.work.unkeyed} candidates were fitted as distinct work, "
                "neither shared with other candidates nor journaled, because "
                f"they hold a value with no sound key: {self.unshared}",
                UserWarning,
            )
        if self.not_journaled is not None:
            warnings.warn(
                f"checkpoint={checkpoint!r} was not used: {self.not_journaled}, "
                "so its results could not be keyed for another run. The search "
                "ran as without a checkpoint.",
                UserWarning,
            )
        elif self.unkeyed and self.journal is not None:
            first = next(iter(self.unkeyed.values()))
            warnings.warn(
                f"checkpoint={checkpoint!r}: {len(self.unkeyed)} candidates were "
                f"not journaled (a rerun fits them again): {first}",
                UserWarning,
            )

    def _journal_rows(self, rows):
        """Write rows to the checkpoint; if that fails (disk full, permissions,
        a file removed), turn the checkpoint off for the rest of the search,
        with one warning: the results stay in memory and are returned."""
        try:
            self.journal.write(rows)
        except (sqlite3.Error, OSError) as exc:
            journal, self.journal = self.journal, None
            self.journal_off = journal
            try:
                journal.close()
            except (sqlite3.Error, OSError):
                pass
            warnings.warn(
                f"checkpoint={self.settings.checkpoint!r} could not be written "
                f"({type(exc).__name__}: {exc}); the checkpoint is off for the "
                "rest of this search. Every result is kept in memory and "
                "returned; the rows not written will be fitted again by a "
                "rerun.",
                UserWarning,
            )

    def _candidate_key(self, params):
        """The candidate's persistent digest, or None when it has none (then
        it is neither journaled nor recalled from an earlier call)."""
        try:
            return candidate_digest(params)
        except Unstable:
            pass
        if self.journal is not None:
            key = canonical(params, self.unkeyed_alive)
            if key not in self.unkeyed:
                self.unkeyed[key] = _why_unkeyed(params)
        return None

    # -- what a strategy sees --------------------------------------------------

    @property
    def stopped(self):
        """None while the search runs; a :class:`Stop` once it stopped early."""
        return self.runner.stopped

    def time_left(self):
        """Seconds left of ``max_time`` (inf without a budget, 0 once stopped)."""
        if self.runner.stopped is not None:
            return 0.0
        return self.runner.time_left()

    def results(self):
        """``cv_results_`` of the candidates that finished every split."""
        return format_results(
            self.params,
            self.n_splits,
            self.out,
            self.settings.return_train_score,
            self.more,
        )

    def history(self):
        """``history_``: when each candidate of ``results()`` finished, in its order.

        ``elapsed_time``: seconds from the start of the search to the arrival
        of the candidate's last split; ``n_fits``: (candidate, split) results
        the search had then, read from the checkpoint included;
        ``from_checkpoint``: whether every split was read from the checkpoint
        (those are stamped when read, at the start of their ``evaluate``).
        """
        return history_of(self.history_rows)

    def outcome(self):
        """The :class:`SearchOutcome` so far: what a tuner reads of the search.

        Available at any time, after a Ctrl-C or a deadline too; its
        ``cv_results`` is the one the last call returned while that call's
        candidates are all there are, else built anew.
        """
        if self.n_formatted == len(self.params):
            cv_results = self.last_results
        else:
            cv_results = self.results()
        return SearchOutcome(
            candidates=tuple(self.params),
            rows=tuple(self.out),
            test_sizes=tuple(self.test_sizes),
            n_splits=self.n_splits,
            history=self.history(),
            work=replace(self.work),
            failures=failures_of(self.out, self.n_splits),
            n_asked=self.n_asked,
            stopped=self.stopped,
            cv_results=cv_results,
        )

    def _recall(self):
        """The memo, with the results of every earlier call in it."""
        for split_keys, candidate_params, out, cand_keys in self.calls[
            self.n_digested :
        ]:
            n_splits = len(split_keys)
            for c, params in enumerate(candidate_params):
                rows = out[c * n_splits : (c + 1) * n_splits]
                if any(r is not None for r in rows):
                    cand_key = (
                        cand_keys[c] if cand_keys else self._candidate_key(params)
                    )
                    if cand_key is None:
                        continue
                    for s, result in enumerate(rows):
                        if result is not None:
                            self.memo[split_keys[s], cand_key] = result
        self.n_digested = len(self.calls)
        return self.memo

    def report_failures(self):
        """Warn about the failed fits and non-finite mean scores of every kept
        candidate; raise if all fits failed (what each call does for its own
        candidates, unless deferred)."""
        if self.out:
            warn_or_raise_about_fit_failures(self.out, self.settings.error_score)
            self.last_results = self.results()
            self.n_formatted = len(self.params)

    def evaluate(
        self,
        candidate_params,
        cv=None,
        more_results=None,
        *,
        keep=None,
        label=None,
        callback_ctx=None,
        defer_failures=False,
    ):
        """Evaluate candidates on every split; return ``cv_results_`` so far.

        See :class:`Evaluate` for ``keep``, ``label``, ``callback_ctx`` and
        ``defer_failures``. Failed fits are reported at the end of the call,
        as scikit-learn's ``evaluate_candidates`` does, unless
        ``defer_failures`` (a strategy asking for a few candidates at a time
        then calls :meth:`report_failures` once, at its end)."""
        settings, runner, n_splits = self.settings, self.runner, self.n_splits
        X, y = self.X, self.y
        candidate_params = list(candidate_params)
        if self.check_candidates is not None:
            self.check_candidates(candidate_params)
        n = len(candidate_params)
        splits = list((cv or self.cv).split(X, y, **self.split_params))
        if len(splits) != n_splits:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {n_splits} splits, got {len(splits)}"
            )
        if settings.verbose > 0:
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
            share=settings.share,
            fit_params=settings.fit_params,
            n_workers=self.n_workers,
            keep=keep,
            keys=self.keys,
        )
        out = [None] * (n * n_splits)
        split_keys = cand_keys = None
        n_leaves = plan.n_leaves
        self.unkeyed_alive.extend(plan.alive)  # self.keys interned their ids
        if plan.unkeyed:
            self.work.unkeyed += len(plan.unkeyed)
            if self.unshared is None:
                self.unshared = next(iter(plan.unkeyed.values()))
                if settings.verbose > 0:
                    print(f"Not shared (no sound key): {self.unshared}")

        def done(leaf, s):
            return all(out[c * n_splits + s] is not None for c in leaf.candidates)

        if self.memo is not None or self.journal is not None:
            split_keys = [split_digest(self.key, tr, te) for tr, te in splits]
        recall = self.memo is not None and bool(self.calls)
        if recall or self.journal is not None:
            cand_keys = [self._candidate_key(p) for p in candidate_params]
        # A row that holds error_score (a failure) is keyed with it too.
        error_keys = None
        if self.journal is not None:
            error_score = settings.error_score
            error_keys = [
                None if k is None else error_key(k, error_score) for k in cand_keys
            ]
        if recall:
            # Finished by an earlier call of this fit: neither fitted nor
            # counted as distinct again.
            memo = self._recall()
            for c in range(n):
                if cand_keys[c] is None:
                    continue
                for s in range(n_splits):
                    out[c * n_splits + s] = memo.get((split_keys[s], cand_keys[c]))
            before = _n_leaves_in(plan)
            plan = plan.without(done)
            n_leaves -= before - _n_leaves_in(plan)
        if self.journal is not None:
            found = self.journal.load(
                split_keys, settings.return_train_score, self.metric_names
            )
            for c in range(n):
                for s in range(n_splits):
                    if out[c * n_splits + s] is not None:
                        continue
                    result = _read_back(found, split_keys[s], cand_keys[c])
                    if result is None and error_keys[c] is not None:
                        result = _read_back(found, split_keys[s], error_keys[c], True)
                    if result is not None:
                        out[c * n_splits + s] = result
                        self.work.from_checkpoint += 1
            plan = plan.without(done)
        if keep is not None:
            plan = self.kept.attach(plan, candidate_params, keep, splits)
        if self.memo is not None:
            self.calls.append((split_keys, candidate_params, out, cand_keys))
        work = self.work
        work.candidates += n
        work.distinct_candidates += n_leaves
        work.plain_fits += plan.plain_fits
        work.plain_iterations += plan.plain_rounds
        arrived = [
            sum(out[c * n_splits + s] is not None for s in range(n_splits))
            for c in range(n)
        ]
        stamps = [None] * n  # history(): read from the checkpoint now, or on arrival
        for c in range(n):
            self.n_results += arrived[c]
            if arrived[c] == n_splits:
                stamps[c] = (time.time() - self.started, self.n_results, True)
        progress = lines = None
        if settings.verbose > 0:
            progress = Progress(n * n_splits, already=sum(arrived), label=label)
        if settings.verbose > 1:
            lines = OrderedLines(n * n_splits)
        callbacks = Callbacks(
            self.callback_ctx,
            self.owner,
            n * n_splits,
            active=settings.callbacks,
            ctx=callback_ctx,
        )
        for i, result in enumerate(out):
            if result is not None:  # from the checkpoint: no line, no fit
                callbacks.evaluated_here(i)
                if lines is not None:
                    lines.add(i, "")
        if callbacks.contexts:
            plan = plan.with_contexts(callbacks.contexts)

        def record(task, leaf_results, report):
            rows = []
            for cand, result in leaf_results:
                index = cand * n_splits + task.split
                out[index] = result
                arrived[cand] += 1
                self.n_results += 1
                if arrived[cand] == n_splits:
                    stamps[cand] = (time.time() - self.started, self.n_results, False)
                if not report.callbacks_reported:
                    callbacks.evaluated_here(index)
                if lines is not None:
                    line = cv_end_line(
                        settings,
                        candidate_params[cand],
                        task.split,
                        n_splits,
                        cand,
                        n,
                        result,
                    )
                    lines.add(index, line)
                # A lost worker's result is not journaled: a rerun retries it.
                journaled = self.journal is not None and not report.lost
                if journaled and cand_keys[cand] is not None:
                    keys = error_keys if holds_error_score(result) else cand_keys
                    rows.append((split_keys[task.split], keys[cand], result))
                if progress is not None:
                    mean = None
                    if arrived[cand] == n_splits:
                        rows_c = out[cand * n_splits : (cand + 1) * n_splits]
                        scores = [main_score(r, settings.metric) for r in rows_c]
                        mean = float(np.mean(scores))
                    progress.update(1, mean)
            if rows:
                self._journal_rows(rows)
            work.add(report)
            for reason, times in report.fallbacks:
                self.fallbacks[reason] = self.fallbacks.get(reason, 0) + times
            for cand, value, blob, spent in report.kept:
                params = candidate_params[cand]
                self.kept.put(params, keep, task.split, value, blob, spent)

        complete = []
        tasks_before = runner.n_tasks
        try:
            # Results read back (checkpoint, earlier calls) cost no budget:
            # a call with nothing left to fit neither runs nor stops.
            if not plan.tasks:
                pass
            elif runner.time_left() > 0:
                runner.run(plan, X, y, splits, record, self.costs)
            elif runner.stopped is None:
                runner.stopped = Stop.MAX_TIME
        finally:
            work.tasks += runner.n_tasks - tasks_before
            if lines is not None:
                lines.flush()
            callbacks.end()
            complete = [c for c in range(n) if arrived[c] == n_splits]
            rows = [out[c * n_splits + s] for c in complete for s in range(n_splits)]
            self.params.extend(candidate_params[c] for c in complete)
            self.history_rows.extend(stamps[c] for c in complete)
            self.out.extend(rows)
            self.test_sizes.extend(
                len(splits[s][1]) for c in complete for s in range(n_splits)
            )
            for key, values in (more_results or {}).items():
                self.more[key].extend(values[c] for c in complete)

        if rows and not defer_failures:
            warn_or_raise_about_fit_failures(rows, settings.error_score)
        if settings.callable_scoring and rows:
            # over every kept row: an earlier call may have had only failures
            insert_error_scores(self.out, settings.error_score)
        if self.params and defer_failures:
            with warnings.catch_warnings():  # said once, by report_failures
                warnings.filterwarnings("ignore", NON_FINITE, UserWarning)
                self.last_results = self.results()
        elif self.params:
            self.last_results = self.results()
        self.n_formatted = len(self.params)
        return self.last_results


def _read_back(found, split_key, candidate_key, failed=False):
    """The row of ``found`` at these keys, if it is of its kind: a row under
    a candidate's own key must not hold ``error_score``, one under its
    :func:`error_key` must."""
    result = found.get((split_key, candidate_key))
    if result is None or holds_error_score(result) != failed:
        return None
    return result


def budget(max_time):
    """``max_time`` as a Python float, at most what a timer can wait.

    A NumPy scalar would make the deadline one too (``time.time() +
    np.float32(20)`` is a float32, rounded by minutes); a budget beyond
    ``threading.TIMEOUT_MAX`` (about 292 years) is that long.
    """
    return min(float(max_time), threading.TIMEOUT_MAX)


def _why_unkeyed(params):
    """Which parameter of a candidate has no persistent key, and why."""
    for name, value in params.items():
        try:
            persistent_key(value)
        except Unstable as exc:
            return f"parameter {name!r}: {exc}"
    return "its parameters have no persistent key"


def _n_leaves_in(plan):
    return len({id(leaf) for task in plan.tasks for leaf in task.leaves})


class Evaluate:
    """What a search strategy is handed: call it to evaluate candidates.

    ``evaluate(candidate_params)`` evaluates every candidate on every CV
    split and returns ``cv_results_`` of all candidates evaluated so far, as
    scikit-learn's ``evaluate_candidates`` does (``cv=``, ``more_results=``
    and ``callback_ctx=`` as there). ``time_left()`` and ``stopped`` tell a
    strategy that asks in several rounds when to stop asking.

    Keyword-only options for strategies that ask in rounds:

    keep : str or None
        A candidate parameter that grows from one call to the next (a
        resource, e.g. ``"n_estimators"`` or ``"clf__n_estimators"``). Where
        it is the final estimator's warm-start path (``_warm``) and every
        step's ``random_state`` is fixed, the final models fitted by this
        call are kept (per candidate without ``keep``, and split; at most
        ``share_memory`` bytes), and a candidate asked again with a larger
        value continues its kept model instead of a fresh fit: same scores,
        counted in ``work_["warm_start_fits"]``. Only the previous call's
        models are kept.
    label : str or None
        Prefixes this call's progress lines (``verbose > 0``), e.g. a rung.
    callback_ctx : scikit-learn callback context or None
        The task this call's evaluations report to (scikit-learn >= 1.9);
        None makes a "search" task below the fit's.
    defer_failures : bool
        A strategy asking a few candidates at a time passes True (one round
        whose fits all failed is no reason to stop) and calls
        ``report_failures()`` at its end: one warning for the whole search,
        an error only if every fit failed.
    """

    __slots__ = ("_engine",)

    def __init__(self, engine):
        self._engine = engine

    def __call__(
        self,
        candidate_params,
        cv=None,
        more_results=None,
        *,
        keep=None,
        label=None,
        callback_ctx=None,
        defer_failures=False,
    ):
        return self._engine.evaluate(
            candidate_params,
            cv,
            more_results,
            keep=keep,
            label=label,
            callback_ctx=callback_ctx,
            defer_failures=defer_failures,
        )

    def report_failures(self):
        """Warn about failed fits of the whole search (raise if all failed)."""
        self._engine.report_failures()

    def time_left(self):
        """Seconds left of ``max_time`` (inf without a budget, 0 once stopped)."""
        return self._engine.time_left()

    @property
    def stopped(self):
        """None while the search runs; a :class:`Stop` once it stopped early."""
        return self._engine.stopped

    @property
    def callback_ctx(self):
        """The fit's scikit-learn callback context (None before 1.9)."""
        return self._engine.callback_ctx

    @property
    def n_workers(self):
        """How many workers evaluate in parallel."""
        return self._engine.n_workers
