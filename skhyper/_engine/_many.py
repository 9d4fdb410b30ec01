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
- each source continues kept models (``keep``) of its own previous batch
  only, in its own share of ``share_memory``;
- with one worker, the batch of the lowest (source, batch) with a task
  ready goes first: the sources run one after another, as in a loop.

What differs with the order is only work (a candidate equal to one of a
batch still in flight is fitted again rather than recalled) and times.
"""

import warnings

from .._results import (
    format_results,
    insert_error_scores,
    warn_or_raise_about_fit_failures,
)
from ._kept import KeptModels
from ._settings import Stop

# The warning of format_results about non-finite scores: said once, at the end.
NON_FINITE = "One or more of the .* scores are non-finite"


class InFlight:
    """One ``Engine.evaluate_many`` call: its sources and their batches."""

    def __init__(self, engine, sources, defer_failures=False):
        self.engine, self.defer_failures = engine, defer_failures
        self.sources = list(sources)
        n = max(1, len(self.sources))
        share = engine._settings.share_memory // n
        self.kept = [KeptModels(share) for _ in self.sources]
        self.flight = engine._runner.flight(engine._X, engine._y, engine._costs)
        self.batches = {}  # (source, step) -> (batch, more_results)
        self.completed = set()  # keys of the batches sent back to their source

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
        engine._recall(batch, remember=False)
        engine._read_checkpoint(batch)
        engine._stamp_known(batch)
        engine._report_progress(batch, label, None)
        self.batches[key] = (batch, more_results)  # kept at the end
        engine._plan(batch)
        runner = engine._runner
        if not batch.plan.tasks:
            return None
        if runner.stopped is not None or runner.time_left() <= 0:
            runner.stopped = runner.stopped or Stop.MAX_TIME
            return None
        record = _Record(engine, batch)
        return self.flight.plan(batch.plan, batch.splits, record)

    def _complete(self, key):
        """A batch ended: if every candidate finished, send its results to
        its source and put the source's next request in flight."""
        batch, more_results = self.batches[key]
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


class _Record:
    """The runner's ``record`` for one batch of a flight."""

    __slots__ = ("engine", "batch")

    def __init__(self, engine, batch):
        self.engine, self.batch = engine, batch

    def __call__(self, task, leaf_results, report):
        self.engine._record(self.batch, task, leaf_results, report)
