"""Run a plan's tasks through scikit-learn's ``Parallel`` and stream results.

Results come back as tasks finish (``return_as="generator_unordered"``) into
one loop in the parent process, the only place where results are recorded.
That loop also enforces the time budget, turns Ctrl-C into a prompt stop,
and survives workers that die: their unfinished tasks are retried once on
fresh workers; tasks that die again are run alone, and one that kills its
worker even then is recorded as failed (and not journaled: a resume
retries it). Any joblib backend works: loky (default), threading, and Dask
or Ray through ``joblib.parallel_config``.

The deadline: in the main thread, the run installs its own SIGINT handler,
and a timer sends a real SIGINT to the main thread at the deadline, which
ends a blocking wait or sleep and raises KeyboardInterrupt there whatever
SIGINT's handler was (ignored, in a background job). Worker processes are
stopped with the aborted ``Parallel`` call; a fit in this process that
caught the interrupt is discarded by the worker (``_worker``), which keeps
no leaf that ended after the deadline, nor one during which a Ctrl-C came.
"""

import copy
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain

from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

from .._compat import backend_kind, backend_streams_results, lost_worker_errors
from ._report import TaskReport
from ._schedule import Scheduler
from ._settings import SIGINTS, Stop, TaskContext
from ._store import release
from ._worker import failed_result, run_task

# After the deadline's interrupt fired, how long to wait for it to land in
# the main thread (it may be pending when the search ends at the deadline).
# The interrupt is a real SIGINT sent to the main thread, so it also ends a
# blocking system call (a sleep, a wait on a worker); it lands at once.
INTERRUPT_WAIT = 1.0  # seconds
INTERRUPT_POLL = 0.005  # seconds

# /dev/shm is used for handover files only when it has this much free space.
SHM_MIN = 2 * 2**30  # bytes

WORKER_DIED = (
    "The worker process running this fit died ({}); it was retried on a fresh "
    "worker and died again. This is usually a crash in compiled code "
    "(segmentation fault) or the system killing the process (out of memory)."
)


class Runner:
    """The parent loop of one search.

    Parameters
    ----------
    settings : Settings
        ``n_jobs`` and ``pre_dispatch`` are as for ``Parallel``.
    deadline : float or None
        ``time.time()`` after which no new fit starts.
    caller : estimator or None
        The tuner, named as the estimator in callback hooks run by workers.
    """

    def __init__(self, settings, deadline=None, caller=None):
        self.settings, self.caller = settings, caller
        self.deadline = deadline
        self.stopped = None  # a Stop once stopped
        self.n_tasks = 0  # tasks sent to workers
        self._lock = threading.Lock()
        self._armed = self._expired = self._landed = False
        self._previous = None  # SIGINT's handler before the watchdog's

    def _expire(self):
        # At the deadline, interrupt the parent wherever it waits, so running
        # fits are cancelled now rather than when they end.
        with self._lock:
            if self._armed:
                self._expired = True
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    def _on_sigint(self, signum, frame):
        """SIGINT's handler while a run is in progress (main thread).

        The deadline's own SIGINT raises KeyboardInterrupt, whatever the
        handler was (also when SIGINT is ignored, as in a background job);
        any other SIGINT is counted (``SIGINTS``: a fit in this process that
        caught it is then discarded) and handled as before.
        """
        if self._expired:
            self._landed = True
            raise KeyboardInterrupt
        previous = self._previous
        if previous == signal.SIG_IGN:
            return None
        SIGINTS[0] += 1
        if callable(previous):
            return previous(signum, frame)
        raise KeyboardInterrupt  # SIG_DFL or a handler not set from Python

    def _watchdog(self):
        """In the main thread, SIGINT's handler for the run, and a timer
        interrupting the main thread at the deadline. Elsewhere (no signals),
        None: the loop stops when the first result after the deadline comes."""
        if threading.current_thread() is not threading.main_thread():
            return None
        self._expired = self._landed = False
        timer = None
        self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        if self.deadline is not None and self.time_left() > 0:
            # A deadline passed already arms nothing: what is journaled is
            # still read (it costs no budget), no task is sent (the plans'
            # openers check the time), and the loop stops at a first result.
            self._armed = True
            wait = min(self.time_left(), threading.TIMEOUT_MAX)
            timer = threading.Timer(wait, self._expire)
            timer.daemon = True
        return (timer,)  # started by _run, where its interrupt is caught

    def _disarm(self, watch):
        """Stop the timer; absorb its interrupt if it fired and is still pending;
        give SIGINT its handler back."""
        if watch is None:
            return
        (timer,) = watch
        try:
            try:
                with self._lock:
                    self._armed = False
                if timer is not None:
                    timer.cancel()
                if self._expired and not self._landed:
                    # the pending interrupt lands here
                    for _ in range(int(INTERRUPT_WAIT / INTERRUPT_POLL)):
                        time.sleep(INTERRUPT_POLL)
            except KeyboardInterrupt:
                if not self._expired:
                    raise
        finally:
            signal.signal(signal.SIGINT, self._previous)
        if self._expired:
            self.stopped = self.stopped or Stop.MAX_TIME

    def time_left(self):
        if self.deadline is None:
            return float("inf")
        return self.deadline - time.time()

    def run(self, plan, X, y, splits, record, costs):
        """Evaluate ``plan``, calling ``record(task, results, report)`` as
        tasks end (``report``: their ``TaskReport``); ``costs`` (a ``Costs``)
        learns from them. ``n_tasks`` counts the tasks sent."""
        kind = backend_kind(self.settings.n_jobs)
        n_workers = (
            1 if kind == "sequential" else effective_n_jobs(self.settings.n_jobs)
        )
        # share_memory bounds the whole search: each worker process's store
        # holds its share of it; threads share one store.
        memory = self.settings.share_memory
        if kind in ("processes", "remote"):
            memory //= n_workers
        context = TaskContext(
            self.settings,
            caller=caller_sent(self.caller, self.settings, kind),
            n_candidates=plan.n_candidates,
            n_splits=plan.n_splits,
            deadline=self.deadline,
            plan_id=uuid.uuid4().hex,
            memory=memory,
        )
        folder = None
        handover = {"threads": "store", "processes": None}.get(kind)
        if kind == "processes":
            folder = handover = tempfile.mkdtemp(prefix="skhyper-", dir=_shm())
        scheduler = Scheduler(plan.tasks, costs, n_workers, handover, self.time_left)
        try:
            self._run_plan(scheduler, X, y, splits, context, record)
        finally:
            self.n_tasks += scheduler.sent
            release(context.plan_id)  # what sequential or threaded runs kept
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def _run_plan(self, scheduler, X, y, splits, context, record):
        flight = Flight(X, y, streams=backend_streams_results())
        flight.add((0,), lambda: (scheduler, splits, context, record))
        self._run_flight(flight)

    def flight(self, X, y, costs):
        """A :class:`Flight` for several plans at once (no handover between
        the tasks of a plan: workers take tasks of every plan in turn)."""
        kind = backend_kind(self.settings.n_jobs)
        streams = kind != "sequential" and backend_streams_results()
        flight = Flight(X, y, streams=streams)
        flight.runner, flight.costs = self, costs
        # One task per dispatch: joblib's automatic batching (up to 16 short
        # fits, and the IDLE waits among them, measured) would pick a
        # bracket's next tasks long before a worker is free, and put a worker
        # to sleep through a batch of IDLE waits while a rung's results made
        # work ready.
        flight.batch_size = 1
        return flight

    def run_flight(self, flight):
        """Run every plan ``flight`` holds or is given while it runs, until
        none has work left (or the search stops)."""
        try:
            self._run_flight(flight)
        finally:
            for entry in flight.entries:
                if entry.scheduler is not None:
                    self.n_tasks += entry.scheduler.sent
                    release(entry.context.plan_id)

    def _run_flight(self, flight):
        retry = []  # (entry, task) lost with a worker once: sent again
        while not self.stopped:
            sent = []
            source = _sending(chain(retry, flight), sent)
            done, crash = self._run(source, flight)
            if flight.error is not None:
                if self.stopped is Stop.MAX_TIME and isinstance(
                    flight.error, KeyboardInterrupt
                ):
                    # the deadline's interrupt landed while the flight
                    # opened a batch or closed one (in the dispatching
                    # thread): a stop at the deadline, not a Ctrl-C
                    return
                raise flight.error
            if crash is None:
                if flight.has_more():  # given while results came as a list
                    retry = []  # sent, and recorded
                    continue
                return
            # Sent again, a part fits its prefix itself: the task that was to
            # hand it over may be the one that killed its worker.
            lost = [
                (entry, replace(t, handover=()))
                for entry, t in (item for item in sent if item is not IDLE)
                if (entry.key, t.id) not in done
            ]
            # Tasks to retry that this call never took (it crashed first):
            # not lost again, still to send. The flight gives them no more.
            taken = {id(item) for item in sent}
            unsent = [item for item in retry if id(item) not in taken]
            if not retry:
                retry = lost
                continue
            # Lost twice: run each alone, to tell the culprit from bystanders;
            # then go on with the tasks not sent yet.
            retry = unsent
            for entry, task in lost:
                if self.stopped:
                    return
                done, crash = self._run([(entry, task)], flight)
                if crash is not None and (entry.key, task.id) not in done:
                    with flight.lock:
                        self._record_crash(task, crash, entry.record)
                        flight.recorded(entry)

    def _record_crash(self, task, crash, record):
        if self.settings.error_score == "raise":
            raise crash
        message = WORKER_DIED.format(crash)
        results = [
            (cand, failed_result(self.settings, message))
            for leaf in task.leaves
            for cand in leaf.candidates
        ]
        with uninterrupted():
            record(task, results, TaskReport.lost_worker())

    def _run(self, items, flight):
        """One ``Parallel`` call; returns (finished task keys, crash or None)."""
        done = set()
        timer = self._watchdog()
        try:
            try:
                if timer is not None and timer[0] is not None:
                    # A deadline already passed fires at once: its interrupt
                    # must land in here, not while the watchdog is set up.
                    timer[0].start()
                return self._consume(items, flight, done)
            except Exception as exc:
                # joblib may replace a Ctrl-C by the error it met while
                # aborting (a worker lost on the way out): it is still Ctrl-C.
                if _interrupted(exc):
                    raise KeyboardInterrupt from exc
                raise
        except KeyboardInterrupt:
            if self._expired:
                self.stopped = Stop.MAX_TIME
                return done, None
            self.stopped = Stop.INTERRUPTED
            raise
        finally:
            self._disarm(timer)

    def _consume(self, items, flight, done):
        by_key = {}
        X, y = flight.X, flight.y

        def jobs():
            for item in items:
                if item is IDLE:
                    yield delayed(_idle)()
                    continue
                entry, task = item
                by_key[entry.key, task.id] = item
                train, test = entry.splits[task.split]
                yield delayed(_tagged)(
                    entry.key, run_task, task, X, y, train, test, entry.context
                )

        parallel = _parallel(
            self.settings.n_jobs, self.settings.pre_dispatch, flight.batch_size
        )
        results = None
        try:
            # Inside the try: with return_as="list" every fit runs here.
            results = parallel(jobs())
            for tagged in results:
                if tagged is not None:
                    key, (task_id, leaf_results, report) = tagged
                    done.add((key, task_id))
                    entry, task = by_key[key, task_id]
                    with uninterrupted(), flight.lock:
                        # recorded and journaled, or not at all
                        entry.learn(task, leaf_results, report)
                        flight.recorded(entry)
                more = len(done) < len(by_key) or flight.busy()
                if self.time_left() <= 0 and more:
                    self.stopped = Stop.MAX_TIME
                    break
        except lost_worker_errors() as exc:
            if _interrupted(exc):
                raise
            return done, exc
        finally:
            _close(results)
        return done, None


def caller_sent(caller, settings, kind):
    """The tuner as the workers' callback hooks name it (``TaskContext``).

    None without callbacks: nothing else in a worker needs the tuner, and a
    task pickled for another process would carry it (and whatever it holds:
    the results of an earlier fit), while this process's fit may be changing
    its attributes: pickling a dict that changes size fails. With callbacks,
    workers in other processes get a shallow copy taken here, which the fit
    going on does not change; threads get the tuner itself."""
    if caller is None or not settings.callbacks:
        return None
    if kind in ("processes", "remote"):
        return copy.copy(caller)
    return caller


# What a flight sends a worker when no plan has a task ready but tasks are
# running whose results may bring more (a bracket's next rung): a short
# wait, after which the worker asks again.
IDLE = object()
IDLE_SECONDS = 0.02


def _idle():
    time.sleep(IDLE_SECONDS)


def _tagged(key, run, *args):
    """``run(*args)`` with the key of its plan in the flight."""
    return key, run(*args)


class _Entry:
    """One plan in a flight: its tasks, splits and ``record``."""

    def __init__(self, key, opener):
        self.key, self.opener = key, opener
        self.scheduler = self.splits = self.context = self.record = None
        self.pending = 0  # tasks sent and not recorded yet
        self.closed = False  # every task sent and recorded, or never to be

    def learn(self, task, results, report):
        self.scheduler.learn(task, report)
        self.record(task, results, report)


class Flight:
    """The plans a runner takes tasks from at once, each ``add``-ed with a
    key (the lowest key with a task ready goes first) and an opener: called
    when the flight first needs a task of it, it returns ``(scheduler,
    splits, context, record)``, or None when the plan has nothing to run.
    ``on_done`` is called once every task of the plan is recorded; it may
    ``add`` more plans. Everything a flight calls runs under its lock, the
    recording of results too: one at a time, in any thread.
    """

    def __init__(self, X, y, streams=True):
        self.X, self.y, self.streams = X, y, streams
        self.batch_size = "auto"  # joblib's, for one plan
        self.store_id = uuid.uuid4().hex  # the store its scoped plans share
        self.lock = threading.RLock()
        self.entries = []  # ordered by key
        self.runner = self.costs = self.error = None
        self._on_done = {}

    def add(self, key, opener, on_done=None):
        with self.lock:
            entry = _Entry(key, opener)
            self.entries.append(entry)
            self.entries.sort(key=lambda e: e.key)
            self._on_done[key] = on_done

    def plan(self, plan, splits, record, scopes=None):
        """What an opener returns for ``plan`` (a runner's flight).

        With ``scopes`` (a digest of each split's content), the plan's tasks
        share the workers' store with every other plan of the flight given
        scopes: a prefix one rung fitted on a fold is there for the next
        rung's tasks on that fold, whichever plan a worker ran before."""
        runner = self.runner
        kind = backend_kind(runner.settings.n_jobs)
        context = TaskContext(
            runner.settings,
            caller=caller_sent(runner.caller, runner.settings, kind),
            n_candidates=plan.n_candidates,
            n_splits=plan.n_splits,
            deadline=runner.deadline,
            plan_id=self.store_id if scopes is not None else uuid.uuid4().hex,
            memory=runner.settings.share_memory,
            scopes=None if scopes is None else tuple(scopes),
        )
        n_workers = effective_n_jobs(runner.settings.n_jobs)
        if kind in ("processes", "remote"):
            context = replace(context, memory=context.memory // n_workers)
        scheduler = Scheduler(plan.tasks, self.costs, n_workers, None, runner.time_left)
        return scheduler, splits, context, record

    def _open(self, entry):
        opened = entry.opener()
        if opened is None:
            entry.closed = True
            self._done(entry)
        else:
            entry.scheduler, entry.splits, entry.context, entry.record = opened

    def _done(self, entry):
        on_done = self._on_done.pop(entry.key, None)
        if on_done is not None:
            on_done()

    def next_item(self):
        """``(entry, task)``, :data:`IDLE`, or None: nothing left to send
        (or an opener failed: ``error``, raised by the runner)."""
        if self.error is not None:
            return None
        try:
            return self._next_item()
        except BaseException as exc:  # in a dispatching thread, maybe
            self.error = exc
            return None

    def _next_item(self):
        with self.lock:
            n_entries = -1
            while n_entries != len(self.entries):  # until none was added
                n_entries = len(self.entries)
                item = self._first_ready()
                if item is not None:
                    return item
            # a task running may bring a plan more: wait for it, not for
            # the end of this Parallel call (unless results come as a list)
            waiting = any(e.pending and self._on_done.get(e.key) for e in self.entries)
            if self.streams and waiting:
                return IDLE
            return None

    def _first_ready(self):
        """The first task of the lowest entry with one ready (opening the
        entries on the way, closing those done: their ``on_done`` may add
        entries)."""
        for entry in list(self.entries):
            if entry.closed:
                continue
            if entry.scheduler is None:
                self._open(entry)
                if entry.closed:
                    continue
            task = entry.scheduler.next_task()
            if task is not None:
                entry.pending += 1
                return entry, task
            if entry.pending == 0:  # a plan with no task at all
                entry.closed = True
                self._done(entry)
        return None

    def __iter__(self):
        while True:
            item = self.next_item()
            if item is None:
                return
            yield item

    def recorded(self, entry):
        """A task of ``entry`` is recorded: call ``on_done`` if it was the
        last one."""
        entry.pending -= 1
        if entry.pending == 0 and not entry.scheduler.has_more():
            entry.closed = True
            self._done(entry)

    def has_more(self):
        """Whether a plan has a task to send (or is not opened yet)."""
        with self.lock:
            return any(
                not e.closed and (e.scheduler is None or e.scheduler.has_more())
                for e in self.entries
            )

    def busy(self):
        """Whether tasks are left to send or to record."""
        with self.lock:
            return self.has_more() or any(e.pending for e in self.entries)


def _sending(tasks, sent):
    """``tasks``, each noted in ``sent`` as it is taken."""
    for task in tasks:
        sent.append(task)
        yield task


def _shm():
    """Where handover files go: shared memory when the system has enough of
    it (joblib's rule for its memory-mapped arguments), else the temp dir."""
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize >= SHM_MIN and os.access(shm, os.W_OK):
        return shm
    return None


@contextmanager
def uninterrupted():
    """Hold a Ctrl-C (or the deadline's interrupt) until the block is done.

    Recording a result updates the search's state and writes the checkpoint;
    an interrupt between the two would keep a result that the checkpoint
    lacks. In the main thread, SIGINT's handler is swapped for one that
    notes it for the block's length; the interrupt is raised when it ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            if callable(previous):
                previous(signal.SIGINT, held[0])
            elif previous == signal.SIG_DFL:
                raise KeyboardInterrupt


def _interrupted(exc):
    """Whether ``exc`` was raised while handling a ``KeyboardInterrupt``."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _parallel(n_jobs, pre_dispatch, batch_size="auto"):
    """A ``Parallel`` that yields results as they finish, where the backend can.

    joblib's multiprocessing backend, and Ray's (``ray.util.joblib``), which
    derives from it, refuse ``return_as="generator_unordered"``: with them,
    results come back as one list when all the tasks are done.
    """
    streams = backend_streams_results()
    return_as = "generator_unordered" if streams else "list"
    return Parallel(
        n_jobs=n_jobs,
        pre_dispatch=pre_dispatch,
        batch_size=batch_size,
        return_as=return_as,
    )


def _close(results):
    """Stop a generator from ``Parallel``: cancels what has not finished."""
    close = getattr(results, "close", None)
    if close is not None:
        with warnings.catch_warnings():
            # joblib warns that running tasks were cancelled: that is the point.
            warnings.filterwarnings("ignore", message=".*tasks which were still")
            close()
