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
        self._unsent = lambda: False  # whether the scheduler has tasks left
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
        if self.deadline is not None:
            self._armed = True
            wait = min(max(0.0, self.time_left()), threading.TIMEOUT_MAX)
            timer = threading.Timer(wait, self._expire)
            timer.daemon = True
            timer.start()
        return (timer,)

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
            caller=self.caller,
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
        def learn(task, results, report):
            scheduler.learn(task, report)
            record(task, results, report)

        self._unsent = scheduler.has_more
        retry = []  # tasks lost with a worker once: sent again
        while not self.stopped:
            sent = []
            source = _sending(chain(retry, scheduler), sent)
            done, crash = self._run(source, X, y, splits, context, learn)
            if crash is None:
                return
            # Sent again, a part fits its prefix itself: the task that was to
            # hand it over may be the one that killed its worker.
            lost = [replace(t, handover=()) for t in sent if t.id not in done]
            if not retry:
                retry = lost
                continue
            # Lost twice: run each alone, to tell the culprit from bystanders;
            # then go on with the tasks not sent yet.
            retry = []
            for task in lost:
                if self.stopped:
                    return
                done, crash = self._run([task], X, y, splits, context, learn)
                if crash is not None and task.id not in done:
                    self._record_crash(task, crash, record)

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

    def _run(self, tasks, X, y, splits, context, record):
        """One ``Parallel`` call; returns (finished task ids, crash or None)."""
        done = set()
        timer = self._watchdog()
        try:
            try:
                return self._consume(tasks, X, y, splits, context, record, done)
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

    def _consume(self, tasks, X, y, splits, context, record, done):
        by_id = {}

        def jobs():
            for task in tasks:
                by_id[task.id] = task
                yield delayed(run_task)(task, X, y, *splits[task.split], context)

        parallel = _parallel(self.settings.n_jobs, self.settings.pre_dispatch)
        results = None
        try:
            # Inside the try: with return_as="list" every fit runs here.
            results = parallel(jobs())
            for task_id, leaf_results, report in results:
                done.add(task_id)
                with uninterrupted():  # recorded and journaled, or not at all
                    record(by_id[task_id], leaf_results, report)
                more = len(done) < len(by_id) or self._unsent()
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


def _parallel(n_jobs, pre_dispatch):
    """A ``Parallel`` that yields results as they finish, where the backend can.

    joblib's multiprocessing backend, and Ray's (``ray.util.joblib``), which
    derives from it, refuse ``return_as="generator_unordered"``: with them,
    results come back as one list when all the tasks are done.
    """
    streams = backend_streams_results()
    return_as = "generator_unordered" if streams else "list"
    return Parallel(n_jobs=n_jobs, pre_dispatch=pre_dispatch, return_as=return_as)


def _close(results):
    """Stop a generator from ``Parallel``: cancels what has not finished."""
    close = getattr(results, "close", None)
    if close is not None:
        with warnings.catch_warnings():
            # joblib warns that running tasks were cancelled: that is the point.
            warnings.filterwarnings("ignore", message=".*tasks which were still")
            close()
