"""The engine of one search: what ``evaluate`` does and what it keeps.

One ``evaluate`` call is a :class:`_Batch` taken through named steps
(:meth:`Engine.evaluate` lists them): start (the candidates checked, the
splits, their keys); recall what an earlier call of this ``fit`` finished;
read back what the checkpoint holds; stamp what is known; report progress;
plan once (``build_plan`` with the known results and the kept models
subtracted in the same pass); run through the ``Runner``, recording each
result as it arrives (journaled, counted, printed); keep every candidate
whose splits all finished, so that a search stopped by its budget or by
Ctrl-C still has a ``cv_results_``; finish (failures reported). With
``keep``, it also keeps fitted final models from one call to the next, to
continue them (``_kept``). What the tuner reads is :meth:`Engine.outcome`.

With sharing on, it also remembers every finished (candidate, split) result
of the search in memory, so that a candidate equal by value to one an
earlier ``evaluate`` call of the same ``fit`` finished (a strategy asking in
rounds may propose it again) is not fitted again: its results are copied,
as for equal candidates within one call.
"""

import threading
import time
import warnings
from collections import defaultdict
from dataclasses import replace
from functools import partial

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
from ._binned import CACHE as BINS
from ._checkpointed import Checkpointed
from ._cost import Costs
from ._journal import (
    error_key,
    holds_error_score,
    split_digest,
)
from ._kept import KeptModels
from ._keys import KeyTable
from ._many import InFlight
from ._outcome import SearchOutcome, failures_of, history_of
from ._plan import build_plan
from ._progress import Callbacks, OrderedLines, Progress, cv_end_line, main_score
from ._report import Work
from ._run import Runner
from ._settings import Stop

# The warning of format_results that a deferred call leaves to report_failures.
NON_FINITE = "One or more of the .* scores are non-finite"


class _Batch:
    """One ``evaluate`` call in flight: its candidates, splits and keys, its
    plan, and its results as they arrive.

    Everything one call changes while it runs is here, not on the engine:
    several batches may be in flight at once (the brackets of Hyperband).
    """

    def __init__(self, candidate_params, splits, keep):
        self.params, self.splits, self.keep = candidate_params, splits, keep
        self.n, self.n_splits = len(candidate_params), len(splits)
        self.out = [None] * (self.n * self.n_splits)  # candidate by candidate
        self.recalled = [False] * len(self.out)  # from an earlier call
        self.split_keys = self.cand_keys = self.error_keys = None
        self.arrived = [0] * self.n  # splits finished, per candidate
        self.stamps = [None] * self.n  # history(): when the last one arrived
        self.plan = self.progress = self.lines = self.callbacks = None
        self.rows = []  # the rows of the candidates kept at the end
        self.kept = None  # the KeptModels it continues from (None: the engine's)

    def done(self, leaf, split):
        """Whether every candidate of ``leaf`` has its result on ``split``."""
        n_splits = self.n_splits
        return all(self.out[c * n_splits + split] is not None for c in leaf.candidates)

    def recalled_whole(self, leaf):
        """Whether every result of ``leaf`` came from an earlier call."""
        return all(
            self.recalled[c * self.n_splits + s]
            for c in leaf.candidates
            for s in range(self.n_splits)
        )

    def candidate_rows(self, cand):
        return self.out[cand * self.n_splits : (cand + 1) * self.n_splits]


class Engine(Checkpointed):
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

    Use it as a context manager: it closes the checkpoint on exit. What a
    tuner reads of the search is :meth:`outcome`.
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
        self._X, self._y, self._cv = X, y, cv
        self._n_splits, self._split_params = n_splits, split_params
        self._settings, self._owner = settings, owner
        self._base = clone(estimator)
        self._callback_ctx = callback_ctx
        self._check_candidates = check_candidates
        self._n_workers = effective_n_jobs(settings.n_jobs)
        deadline = None
        if settings.max_time is not None:
            deadline = time.time() + budget(settings.max_time)
        self._runner = Runner(settings, deadline, caller=owner)
        self._params, self._out = [], []  # candidates whose every split finished
        self._test_sizes = []  # one per row of _out: its split's test samples
        self._more = defaultdict(list)
        self._n_asked = 0
        self._started, self._n_results = time.time(), 0  # for history()
        self._history_rows = []  # one (elapsed, n_fits, from checkpoint) per params
        self._work = Work(splits=n_splits)  # work_, as its .as_dict()
        self._last_results = {}
        self._n_formatted = 0  # candidates _last_results holds
        self._kept = KeptModels(settings.share_memory)
        # (class name, what, why) -> times a staged path or a kept model fell
        # back to fresh fits; one warning at the end of the search
        self._fallbacks = {}
        self._costs = Costs()  # measured as results arrive, for later tasks
        self._keys = KeyTable()  # step keys stay the same from call to call
        # (split digest, candidate digest) -> result, across evaluate calls.
        # Candidates are digested only once a later call needs them; every
        # call's candidates are kept, so that identity keys stay valid.
        self._memo = {} if settings.share else None
        self._calls, self._n_digested = [], 0  # [(split keys, params, out, cand keys)]
        self._unkeyed_alive = []
        self._unshared = None  # why the first candidate with no sound key has none
        self._open_checkpoint(estimator, X, y, journal_scoring)
        self._metric_names = _metric_names(settings)  # of a result read back

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._kept.clear()
        BINS.clear()  # what sequential or threaded runs binned, in this process
        if self._fallbacks:
            (cls, what, why), times = next(iter(self._fallbacks.items()))
            more = len(self._fallbacks) - 1
            warnings.warn(
                f"The {what} of {cls} fell back to fresh fits ({times} times: "
                f"{why}); the results are exact, but the work was not "
                "shared"
                + (f" ({more} more such reasons)" if more else "")
                + ". work_['fallbacks'] counts them.",
                UserWarning,
            )
        self._close_checkpoint()

    # -- what a strategy sees --------------------------------------------------

    @property
    def stopped(self):
        """None while the search runs; a :class:`Stop` once it stopped early."""
        return self._runner.stopped

    @property
    def callback_ctx(self):
        """The fit's scikit-learn callback context (None before 1.9)."""
        return self._callback_ctx

    @property
    def n_workers(self):
        """How many workers evaluate in parallel."""
        return self._n_workers

    def time_left(self):
        """Seconds left of ``max_time`` (inf without a budget, 0 once stopped)."""
        if self._runner.stopped is not None:
            return 0.0
        return self._runner.time_left()

    def results(self):
        """``cv_results_`` of the candidates that finished every split."""
        return format_results(
            self._params,
            self._n_splits,
            self._out,
            self._settings.return_train_score,
            self._more,
        )

    def history(self):
        """``history_``: when each candidate of ``results()`` finished, in its
        order (see :func:`._outcome.history_of`)."""
        return history_of(self._history_rows)

    def outcome(self):
        """The :class:`SearchOutcome` so far: what a tuner reads of the search.

        Available at any time, after a Ctrl-C or a deadline too; its
        ``cv_results`` is the one the last call returned while that call's
        candidates are all there are, else built anew.
        """
        if self._n_formatted == len(self._params):
            cv_results = self._last_results
        else:
            cv_results = self.results()
        return SearchOutcome(
            candidates=tuple(self._params),
            rows=tuple(self._out),
            test_sizes=tuple(self._test_sizes),
            n_splits=self._n_splits,
            history=self.history(),
            work=replace(self._work),
            failures=failures_of(self._out, self._n_splits),
            n_asked=self._n_asked,
            stopped=self.stopped,
            cv_results=cv_results,
        )

    def report_failures(self):
        """Warn about the failed fits and non-finite mean scores of every kept
        candidate; raise if all fits failed (what each call does for its own
        candidates, unless deferred)."""
        if self._out:
            warn_or_raise_about_fit_failures(self._out, self._settings.error_score)
            self._last_results = self.results()
            self._n_formatted = len(self._params)

    # -- one call, step by step --------------------------------------------------

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
        batch = self._start(candidate_params, cv, keep)
        self._recall(batch)
        self._read_checkpoint(batch)
        self._stamp_known(batch)
        self._report_progress(batch, label, callback_ctx)
        try:
            self._plan(batch)
            self._run(batch)
        finally:
            self._keep_finished(batch, more_results)
        return self._finish(batch, defer_failures)

    def evaluate_many(self, sources, *, defer_failures=False):
        """Evaluate the batches of several sources in flight at once; return
        ``cv_results_`` of everything kept so far (see :mod:`._many`)."""
        return InFlight(self, sources, defer_failures).run()

    def _start(self, candidate_params, cv, keep):
        """The batch of one call: its candidates checked, its splits, its keys."""
        candidate_params = list(candidate_params)
        if self._check_candidates is not None:
            self._check_candidates(candidate_params)
        n, n_splits = len(candidate_params), self._n_splits
        splits = list((cv or self._cv).split(self._X, self._y, **self._split_params))
        if len(splits) != n_splits:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {n_splits} splits, got {len(splits)}"
            )
        if self._settings.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n} candidates, "
                f"totalling {n * n_splits} fits"
            )
        if n * n_splits == 0:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        self._n_asked += n
        batch = _Batch(candidate_params, splits, keep)
        if self._memo is not None or self._journal is not None:
            batch.split_keys = [split_digest(self._key, tr, te) for tr, te in splits]
        if (self._memo is not None and self._calls) or self._journal is not None:
            batch.cand_keys = [self._candidate_key(p) for p in candidate_params]
        if self._journal is not None:
            # A row that holds error_score (a failure) is keyed with it too.
            error_score = self._settings.error_score
            batch.error_keys = [
                None if k is None else error_key(k, error_score)
                for k in batch.cand_keys
            ]
        return batch

    def _recall(self, batch, remember=True):
        """Copy what an earlier call of this fit finished: neither fitted nor
        counted as distinct again. Then remember this call's results (a
        batch in flight with others: once it is complete, :meth:`_remember`)."""
        if self._memo is not None and self._calls:
            memo = self._digested()
            n_splits = batch.n_splits
            for c, cand_key in enumerate(batch.cand_keys):
                if cand_key is None:
                    continue
                for s in range(n_splits):
                    if batch.out[c * n_splits + s] is not None:
                        continue  # copied already (a batch of a flight)
                    result = memo.get((batch.split_keys[s], cand_key))
                    batch.out[c * n_splits + s] = result
                    batch.recalled[c * n_splits + s] = result is not None
        if remember:
            self._remember(batch)

    def _remember(self, batch):
        """Let later calls recall this batch's results."""
        if self._memo is not None:
            call = (batch.split_keys, batch.params, batch.out, batch.cand_keys)
            self._calls.append(call)

    def _digested(self):
        """The memo, with the results of every earlier call in it."""
        for split_keys, candidate_params, out, cand_keys in self._calls[
            self._n_digested :
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
                            self._memo[split_keys[s], cand_key] = result
        self._n_digested = len(self._calls)
        return self._memo

    def _stamp_known(self, batch):
        """Count the results known before the run; stamp the candidates they
        finish (``history_``: read from the checkpoint, or an earlier call)."""
        for c in range(batch.n):
            batch.arrived[c] = sum(r is not None for r in batch.candidate_rows(c))
            self._n_results += batch.arrived[c]
            if batch.arrived[c] == batch.n_splits:
                elapsed = time.time() - self._started
                batch.stamps[c] = (elapsed, self._n_results, True)

    def _report_progress(self, batch, label, callback_ctx):
        """Progress lines and callback hooks; the known results reported."""
        settings, n_fits = self._settings, len(batch.out)
        if settings.verbose > 0:
            already = sum(batch.arrived)
            batch.progress = Progress(n_fits, already=already, label=label)
        if settings.verbose > 1:
            batch.lines = OrderedLines(n_fits)
        batch.callbacks = Callbacks(
            self._callback_ctx,
            self._owner,
            n_fits,
            active=settings.callbacks,
            ctx=callback_ctx,
        )
        for i, result in enumerate(batch.out):
            if result is not None:  # read back: no line, no fit
                batch.callbacks.evaluated_here(i)
                if batch.lines is not None:
                    batch.lines.add(i, "")

    def _plan(self, batch):
        """Plan the batch once: known results and kept models subtracted."""
        settings, work = self._settings, self._work
        starts, kept = None, batch.kept or self._kept
        if batch.keep is not None:
            starts = kept.starts(batch.params, batch.keep, batch.splits)
        plan = batch.plan = build_plan(
            batch.params,
            self._base,
            batch.n_splits,
            share=settings.share,
            fit_params=settings.fit_params,
            n_workers=self._n_workers,
            keep=batch.keep,
            keys=self._keys,
            done=batch.done,
            starts=starts,
            contexts=batch.callbacks.contexts,
        )
        self._unkeyed_alive.extend(plan.alive)  # self._keys interned their ids
        if plan.unkeyed:
            work.unkeyed += len(plan.unkeyed)
            if self._unshared is None:
                self._unshared = next(iter(plan.unkeyed.values()))
                if settings.verbose > 0:
                    print(f"Not shared (no sound key): {self._unshared}")
        recalled = sum(batch.recalled_whole(leaf) for leaf in plan.dropped)
        work.candidates += batch.n
        work.distinct_candidates += plan.n_leaves - recalled
        work.plain_fits += plan.plain_fits
        work.plain_iterations += plan.plain_rounds

    def _run(self, batch):
        """Run the plan's tasks, recording each result as it arrives."""
        runner, plan = self._runner, batch.plan
        tasks_before = runner.n_tasks
        try:
            # Results read back (checkpoint, earlier calls) cost no budget:
            # a call with nothing left to fit neither runs nor stops.
            if not plan.tasks:
                pass
            elif runner.time_left() > 0:
                record = partial(self._record, batch)
                runner.run(plan, self._X, self._y, batch.splits, record, self._costs)
            elif runner.stopped is None:
                runner.stopped = Stop.MAX_TIME
        finally:
            self._work.tasks += runner.n_tasks - tasks_before

    def _record(self, batch, task, leaf_results, report):
        """Record the results of one task (the runner's ``record``)."""
        rows = []
        for cand, result in leaf_results:
            if batch.out[cand * batch.n_splits + task.split] is not None:
                # Known already (recalled, read back, copied from a batch in
                # flight), fitted again only as part of its leaf: candidates
                # equal as estimators, unequal as dicts, share one leaf.
                continue
            self._record_result(batch, cand, task.split, result, report)
            # A lost worker's result is not journaled: a rerun retries it.
            journaled = self._journal is not None and not report.lost
            if journaled and batch.cand_keys[cand] is not None:
                keys = (
                    batch.error_keys if holds_error_score(result) else batch.cand_keys
                )
                rows.append((batch.split_keys[task.split], keys[cand], result))
        if rows:
            self._journal_rows(rows)
        self._work.add(report)
        for reason, times in report.fallbacks:
            self._fallbacks[reason] = self._fallbacks.get(reason, 0) + times
        for cand, value, blob, spent in report.kept:
            params = batch.params[cand]
            kept = batch.kept or self._kept
            kept.put(params, batch.keep, task.split, value, blob, spent)

    def _record_result(self, batch, cand, split, result, report):
        """Record one (candidate, split) result: stamp, hooks, lines, progress."""
        settings, n_splits = self._settings, batch.n_splits
        index = cand * n_splits + split
        batch.out[index] = result
        batch.arrived[cand] += 1
        self._n_results += 1
        finished = batch.arrived[cand] == n_splits
        if finished:
            elapsed = time.time() - self._started
            batch.stamps[cand] = (elapsed, self._n_results, False)
        if not report.callbacks_reported:
            batch.callbacks.evaluated_here(index)
        if batch.lines is not None:
            params = batch.params[cand]
            line = cv_end_line(settings, params, split, n_splits, cand, batch.n, result)
            batch.lines.add(index, line)
        if batch.progress is not None:
            mean = None
            if finished:
                rows = batch.candidate_rows(cand)
                mean = float(np.mean([main_score(r, settings.metric) for r in rows]))
            batch.progress.update(1, mean)

    def _keep_finished(self, batch, more_results):
        """Keep every candidate whose splits all finished (after a stop too)."""
        if batch.lines is not None:
            batch.lines.flush()
        batch.callbacks.end()
        complete = [c for c in range(batch.n) if batch.arrived[c] == batch.n_splits]
        batch.rows = [row for c in complete for row in batch.candidate_rows(c)]
        self._params.extend(batch.params[c] for c in complete)
        self._history_rows.extend(batch.stamps[c] for c in complete)
        self._out.extend(batch.rows)
        sizes = [len(test) for _, test in batch.splits]
        self._test_sizes.extend(sizes * len(complete))
        for key, values in (more_results or {}).items():
            self._more[key].extend(values[c] for c in complete)

    def _finish(self, batch, defer_failures):
        """Report failures; return ``cv_results_`` of every kept candidate."""
        settings, rows = self._settings, batch.rows
        if rows and not defer_failures:
            warn_or_raise_about_fit_failures(rows, settings.error_score)
        if settings.callable_scoring and rows:
            # over every kept row: an earlier call may have had only failures
            insert_error_scores(self._out, settings.error_score)
        if self._params and defer_failures:
            with warnings.catch_warnings():  # said once, by report_failures
                warnings.filterwarnings("ignore", NON_FINITE, UserWarning)
                self._last_results = self.results()
        elif self._params:
            self._last_results = self.results()
        self._n_formatted = len(self._params)
        return self._last_results


def budget(max_time):
    """``max_time`` as a Python float, at most what a timer can wait.

    A NumPy scalar would make the deadline one too (``time.time() +
    np.float32(20)`` is a float32, rounded by minutes); a budget beyond
    ``threading.TIMEOUT_MAX`` (about 292 years) is that long.
    """
    return min(float(max_time), threading.TIMEOUT_MAX)


def _metric_names(settings):
    """The metric names of a result (``()``: one metric; None: unknown, a
    callable scoring may return either)."""
    if settings.callable_scoring:
        return None
    scorer = settings.scorer
    return tuple(multimetric_scorers(scorer) if is_multimetric(scorer) else ())


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

    def many(self, sources, *, defer_failures=False):
        """Evaluate several sequences of batches side by side.

        Each source is a generator that yields the keyword arguments of one
        call (``candidate_params``, ``cv``, ``more_results``, ``keep``,
        ``label``) and is sent that batch's own ``cv_results_`` once all of
        it finished; it then yields its next batch or returns. Workers take
        tasks from every batch in flight; rows are kept in the order of
        (source, batch), so the result does not depend on the order in
        which tasks finish. Returns ``cv_results_`` of everything so far.
        """
        return self._engine.evaluate_many(sources, defer_failures=defer_failures)

    def report_failures(self):
        """Warn about failed fits of the whole search (raise if all failed)."""
        self._engine.report_failures()

    def time_left(self):
        """Seconds left of ``max_time`` (inf without a budget, 0 once stopped)."""
        return self._engine.time_left()

    def journaled(self, candidate_params, cv=None):
        """Which candidates the checkpoint holds every split of: a list of
        bools. Those cost no budget; a strategy whose ``max_time`` is spent
        still asks for them, and only them."""
        return self._engine.journaled(candidate_params, cv)

    def n_journaled(self, cv=None):
        """How many candidates the checkpoint holds rows for on these splits
        (of this search or another one on the same data): a bound on what
        a strategy whose budget is spent may look ahead for."""
        return self._engine.n_journaled(cv)

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
