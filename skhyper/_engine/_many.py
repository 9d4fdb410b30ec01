"""Several evaluations in flight: the entrance for a strategy that asks in
several independent sequences of batches (Hyperband's brackets).

A *source* is a generator: it yields a request (the arguments of one
``evaluate`` call, as a dict) and is sent that batch's own ``cv_results_``
once every candidate of the batch has finished every split; it then yields
its next request or returns. Every source's first batch is asked at once;
the runner takes tasks from every batch in flight (a :class:`~._run.Flight`),
so a worker that finishes its part of one batch takes work of another
instead of waiting for the batch to complete.

The answer does not depend on the order in which tasks finish:

- a source only ever sees complete batches of its own, so what it asks
  next depends on its own results only;
- the rows are kept in the order of (source, batch of the source), when
  the flight ends (also after Ctrl-C or the deadline): the order of a
  sequential run of the sources one after another;
- each source continues kept models (``keep``) of its own previous batch,
  in its own share of ``share_memory`` (a row it copied from another
  source comes with a copy of the model that source kept for it); a row
  its own batch did not keep a model for may start from the same
  candidate's model at a smaller resource that another source keeps, or
  kept in an earlier batch (``KeptPool``, a share of its own): a
  bracket's first rung grows the models the bracket before fitted in its
  first rungs. Each continued model is the model a fresh fit gives, so
  which ones have arrived when a batch is planned changes work only;
- with one worker, the batch of the lowest (source, batch) with a task
  ready goes first: the sources run one after another, as in a loop.

What differs with the order is only work and times. A (candidate, split)
equal to one that another batch of the flight has already fitted is copied from
it, as ``evaluate`` recalls an earlier call's (sharing on); one that another
batch is still fitting is not fitted again either: the batch *follows* it,
is planned without it and is given its result when it arrives, and counts
as complete only then. So a candidate that two brackets evaluate at the
same resource is fitted once whether they run in turn or side by side.
"""

import warnings

from .._results import (
    format_results,
    insert_error_scores,
    warn_or_raise_about_fit_failures,
)
from ._kept import KeptModels, KeptPool
from ._report import TaskReport
from ._settings import Stop

# The warning of format_results about non-finite scores: said once, at the end.
NON_FINITE = "One or more of the .* scores are non-finite"

# What a batch's rows hold while it is planned where it follows another
# batch's fit (the planner leaves them out, as results known already).
FOLLOWING = object()
COPIED = TaskReport()  # the report of a result copied to a follower


class InFlight:
    """One ``Engine.evaluate_many`` call: its sources and their batches."""

    def __init__(self, engine, sources, defer_failures=False):
        self.engine, self.defer_failures = engine, defer_failures
        self.sources = list(sources)
        # each source's store, and (sharing on, several sources) the pool of
        # earlier generations they borrow from: a share each
        n = max(1, len(self.sources))
        self.pooled = engine._memo is not None and n > 1
        share = engine._settings.share_memory // (n + 1 if self.pooled else n)
        self.kept = [KeptModels(share) for _ in self.sources]
        self.pool = KeptPool(share if self.pooled else 0)
        self.flight = engine._runner.flight(engine._X, engine._y, engine._costs)
        self.batches = {}  # (source, step) -> (batch, more_results)
        self.completed = set()  # keys of the batches sent back to their source
        # With sharing on: (split key, candidate key) -> the result a batch
        # of this flight recorded; -> [(batch key, candidate, split)] of the
        # batches following it while it is being fitted.
        self.results, self.followers = {}, {}
        self.waiting = {}  # batch key -> results it follows, not arrived yet
        self.ended = set()  # batches whose own tasks ended while waiting

    def run(self):
        """Run every source to its end (or the search's stop); return
        ``cv_results_`` of everything kept so far."""
        engine = self.engine
        runner = engine._runner
        before = runner.n_tasks
        try:
            for i, source in enumerate(self.sources):
                self._ask(i, 0, next(source, None))
            runner.run_flight(self.flight)
        finally:
            engine._work.tasks += runner.n_tasks - before
            self._keep_all()
            for kept in self.kept:
                kept.clear()
            self.pool = KeptPool(0)
        return self._finish()

    def _ask(self, i, step, request):
        """Put source ``i``'s request ``step`` in flight (None: it is done)."""
        if request is None:
            return
        key = (i, step)
        self.flight.add(
            key,
            lambda: self._open(key, request),
            on_done=lambda: self._complete(key),
        )

    def _open(self, key, request):
        """Start and plan the batch; what the flight runs of it, or None."""
        engine = self.engine
        request = dict(request)
        more_results = request.pop("more_results", None)
        label, cv = request.pop("label", None), request.pop("cv", None)
        batch = engine._start(request["candidate_params"], cv, request.get("keep"))
        batch.kept = self.kept[key[0]]
        shared = engine._memo is not None
        if shared and batch.cand_keys is None:
            batch.cand_keys = [engine._candidate_key(p) for p in batch.params]
        # what this flight fitted (with the models kept), then earlier calls'
        copied = self._copy_arrived(batch) if shared else []
        engine._recall(batch, remember=False)
        engine._read_checkpoint(batch)
        engine._stamp_known(batch)
        engine._report_progress(batch, label, None)
        self.batches[key] = (batch, more_results)  # kept at the end
        followed = self._follow(key, batch) if shared else []
        for index in followed:  # planned as known; they arrive with the others'
            batch.out[index] = FOLLOWING
        if self.pooled and batch.keep is not None:
            self._borrow_kept(key[0], batch)
            self.pool.add(batch.kept)  # its generation ends with this plan
        try:
            engine._plan(batch)  # a new generation of its kept models begins
        finally:
            for index in followed:
                batch.out[index] = None
        self._copy_kept(batch, copied)
        runner = engine._runner
        if not batch.plan.tasks:
            return None
        if runner.stopped is not None or runner.time_left() <= 0:
            runner.stopped = runner.stopped or Stop.MAX_TIME
            return None
        if shared:
            self._lead(batch)
        record = _Record(engine, batch, (self, key) if shared else None)
        scopes = batch.split_keys if shared else None  # one store, by split
        return self.flight.plan(batch.plan, batch.splits, record, scopes)

    # -- sharing between the batches in flight --------------------------------

    def _copy_arrived(self, batch):
        """Copy the results other batches of the flight recorded already;
        return ``(candidate, split, source)`` of each, to copy the model
        its source kept once this batch is planned."""
        copied = []
        for c, s, index, key in _keyed_rows(batch):
            found = self.results.get(key) if batch.out[index] is None else None
            if found is not None:
                batch.out[index], batch.recalled[index] = found[0], True
                copied.append((c, s, found[1]))
        return copied

    def _copy_kept(self, batch, copied):
        """For a batch that continues models (``keep``): the models kept for
        its copied rows, copied to its own store, so that a survivor among
        them grows from this rung rather than from zero."""
        if batch.keep is None:
            return
        for c, s, source in copied:
            entry = self.kept[source].get(batch.params[c], batch.keep, s)
            if entry is not None:
                batch.kept.put(batch.params[c], batch.keep, s, *entry)

    def _borrow_kept(self, source, batch):
        """Before ``batch`` is planned: the models other sources keep now
        that its rows to fit can start from, put in its own store: the same
        candidate at a smaller value of ``keep``, fitted on the same
        training indices (another bracket's rung: every candidate of a
        bracket's first rung is in the first rung of the bracket before,
        at a third of the resource), where its own store has none as large.

        A continued model is the model a fresh fit gives (each path is
        tested so), so which models have arrived when the batch is planned
        changes the work, never a result."""
        own, keep, n_splits = batch.kept, batch.keep, batch.n_splits
        trains = [train for train, _ in batch.splits]
        if own.trains is None and not own.models:
            own.trains = trains  # a source's first batch: nothing of its own
        if not own.same_trains(trains):
            return
        others = [
            kept
            for i, kept in enumerate(self.kept)
            if i != source and kept.models and kept.same_trains(trains)
        ]
        pool = (
            self.pool
            if self.pool.models and own.same_trains(self.pool.trains)
            else None
        )
        if not others and pool is None:
            return
        for c, params in enumerate(batch.params):
            value = params.get(keep)
            rows = range(c * n_splits, (c + 1) * n_splits)
            if value is None or all(batch.out[i] is not None for i in rows):
                continue
            found = [other.get_splits(params, keep, n_splits) for other in others]
            if pool is not None:
                found.append(pool.below(params, keep, n_splits, value))
            for s, index in enumerate(rows):
                if batch.out[index] is not None:
                    continue
                usable = [
                    entries[s]
                    for entries in found
                    if entries[s] is not None and entries[s][0] < value
                ]
                best = max(usable, key=lambda entry: entry[0], default=None)
                if best is not None:  # (put keeps the larger of it and its own)
                    own.put(params, keep, s, *best)

    def _follow(self, key, batch):
        """The rows of ``batch`` that another batch is fitting: ``batch``
        follows them (given their results as they arrive)."""
        followed = []
        for c, s, index, row_key in _keyed_rows(batch):
            waiting = self.followers.get(row_key)
            if batch.out[index] is None and waiting is not None:
                waiting.append((key, c, s))
                batch.recalled[index] = True  # not fitted by this batch
                followed.append(index)
        if followed:
            self.waiting[key] = len(followed)
        return followed

    def _lead(self, batch):
        """Let later batches follow the rows ``batch`` is about to fit."""
        for _, _, index, key in _keyed_rows(batch):
            if batch.out[index] is None and not batch.recalled[index]:
                self.followers.setdefault(key, [])

    def arrived(self, key, split, leaf_results, report):
        """A task of ``batch`` recorded ``leaf_results`` on ``split``: keep
        them for later batches, give them (and the models the task kept) to
        the batches following them."""
        batch, _ = self.batches[key]
        split_key, source = batch.split_keys[split], key[0]
        models = {cand: kept for cand, *kept in report.kept}
        for cand, result in leaf_results:
            cand_key = batch.cand_keys[cand]
            if cand_key is None:
                continue
            self.results[split_key, cand_key] = (result, source)
            for other, c, s in self.followers.pop((split_key, cand_key), ()):
                follower, _ = self.batches[other]
                # (its own task may have fitted it first, in a leaf shared
                # with a candidate it did not follow: then only counted)
                if follower.out[c * follower.n_splits + s] is None:
                    self.engine._record_result(follower, c, s, result, COPIED)
                    if cand in models and follower.keep == batch.keep:
                        follower.kept.put(
                            follower.params[c], follower.keep, s, *models[cand]
                        )
                self.waiting[other] -= 1
                if self.waiting[other] == 0 and other in self.ended:
                    self._complete(other)

    def _complete(self, key):
        """A batch ended: if every candidate finished, send its results to
        its source and put the source's next request in flight."""
        batch, more_results = self.batches[key]
        if self.waiting.get(key):
            self.ended.add(key)  # complete once what it follows arrives
            return
        if sum(batch.arrived) < len(batch.out):
            return  # stopped: the source asks nothing more
        engine, settings = self.engine, self.engine._settings
        engine._remember(batch)
        self.completed.add(key)
        if not self.defer_failures:
            warn_or_raise_about_fit_failures(batch.out, settings.error_score)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", NON_FINITE, UserWarning)
            results = format_results(
                batch.params,
                batch.n_splits,
                batch.out,
                settings.return_train_score,
                more_results or {},
            )
        i, step = key
        try:
            request = self.sources[i].send(results)
        except StopIteration:
            request = None
        self._ask(i, step + 1, request)

    def _keep_all(self):
        """Keep the finished candidates of every batch, in (source, step)
        order whatever the order they finished in."""
        engine = self.engine
        for key in sorted(self.batches):
            batch, more_results = self.batches[key]
            if key not in self.completed:
                engine._remember(batch)
            engine._keep_finished(batch, more_results)

    def _finish(self):
        engine, settings = self.engine, self.engine._settings
        rows = [
            row
            for key, (batch, _) in self.batches.items()
            if key not in self.completed
            for row in batch.rows
        ]
        if rows and not self.defer_failures:
            warn_or_raise_about_fit_failures(rows, settings.error_score)
        if settings.callable_scoring and engine._out:
            insert_error_scores(engine._out, settings.error_score)
        if engine._params:
            engine._last_results = engine.results()
        engine._n_formatted = len(engine._params)
        return engine._last_results


def _keyed_rows(batch):
    """``(candidate, split, index in out, (split key, candidate key))`` of
    every row of ``batch`` whose candidate has a key."""
    n_splits = batch.n_splits
    for c, cand_key in enumerate(batch.cand_keys):
        if cand_key is not None:
            for s in range(n_splits):
                yield c, s, c * n_splits + s, (batch.split_keys[s], cand_key)


class _Record:
    """The runner's ``record`` for one batch of a flight."""

    __slots__ = ("engine", "batch", "shared")

    def __init__(self, engine, batch, shared=None):
        self.engine, self.batch, self.shared = engine, batch, shared

    def __call__(self, task, leaf_results, report):
        self.engine._record(self.batch, task, leaf_results, report)
        if self.shared is not None:
            flight, key = self.shared
            flight.arrived(key, task.split, leaf_results, report)
