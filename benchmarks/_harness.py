"""Run scikit-learn's search, skhyper's tuner, dask-ml's search and the
unique-work bound side by side on a workload, and print a table.

Everything runs in one process, interleaved: each repeat runs every method
once, in a rotated order, so that load from elsewhere on the machine hits all
of them alike. Times are wall-clock medians over the repeats. Searches run
with ``refit=False``: the refit is one fit of the best candidate, the same
for all three libraries, and the bound does not count it.

Peak memory is the largest resident set size (RSS) of this process and all
its descendants (joblib's loky workers, dask's worker processes), summed,
sampled every 10 ms by a background thread while a method runs (RSS of
shared libraries counts once per process, alike for every method). It needs
``psutil``; without it the column says n/a.

A workload may skip dask-ml or the bound (``Workload.skip``, e.g. where they
would take too long): its cells then say n/a, with a footnote. Workloads of
one ``group`` (e.g. the same search at 100, 1,000 and 10,000 candidates) are
also shown in a small table of time per candidate (``scaling_table``).
"""

import argparse
import gc
import json
import os
import statistics
import sys
import threading
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field

import joblib
import numpy as np
import sklearn
from _bound import unique_work  # the scripts run with benchmarks/ on sys.path
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
)
from threadpoolctl import threadpool_limits

import skhyper
from skhyper import GridTuner, RandomTuner

try:
    import psutil
except ImportError:
    psutil = None

METHODS = ("sklearn", "skhyper", "dask-ml", "bound")


@dataclass
class Workload:
    """A search: estimator, space (a grid, or distributions with ``n_iter``)."""

    name: str
    estimator: object
    space: dict
    X: np.ndarray
    y: np.ndarray
    n_iter: int | None = None  # None: a grid search
    random_state: int | None = 0
    cv: int = 5
    n_jobs: int = 2
    scoring: str | None = None
    warm: str | None = None  # warm-start path parameter, for the bound
    staged: str | None = None  # staged path parameter, for the bound
    note: str = ""
    skip: tuple = ()  # methods not run for this workload: "dask-ml", "bound"
    group: str | None = None  # shown in the time-per-candidate table too
    results: dict = field(default_factory=dict)

    def candidates(self):
        if self.n_iter is None:
            return list(ParameterGrid(self.space))
        return list(ParameterSampler(self.space, self.n_iter, random_state=self.rs))

    @property
    def rs(self):
        return self.random_state

    @property
    def workers(self):
        """Workers the bound divides by: ``n_jobs``, at most one per core."""
        return min(joblib.effective_n_jobs(self.n_jobs), os.cpu_count() or 1)

    def bound(self, candidates):
        """``(seconds, counts)`` of the unique work of the search (one thread)."""
        return unique_work(
            self.estimator,
            candidates,
            self.X,
            self.y,
            cv=self.cv,
            scoring=self.scoring,
            warm=self.warm,
            staged=self.staged,
        )

    def common(self):
        return dict(cv=self.cv, n_jobs=self.n_jobs, scoring=self.scoring, refit=False)

    def sklearn(self):
        if self.n_iter is None:
            return GridSearchCV(self.estimator, self.space, **self.common())
        return RandomizedSearchCV(
            self.estimator,
            self.space,
            n_iter=self.n_iter,
            random_state=self.rs,
            **self.common(),
        )

    def skhyper(self):
        if self.n_iter is None:
            return GridTuner(self.estimator, self.space, **self.common())
        return RandomTuner(
            self.estimator,
            self.space,
            n_iter=self.n_iter,
            random_state=self.rs,
            **self.common(),
        )

    def dask(self, scheduler):
        from dask_ml.model_selection import GridSearchCV as DaskGrid
        from dask_ml.model_selection import RandomizedSearchCV as DaskRandom

        kw = self.common()
        kw["scheduler"] = scheduler
        if self.n_iter is None:
            return DaskGrid(self.estimator, self.space, **kw)
        return DaskRandom(
            self.estimator,
            self.space,
            n_iter=self.n_iter,
            random_state=self.rs,
            **kw,
        )


class PeakRSS:
    """Peak summed RSS of this process tree while the block runs, in bytes."""

    def __init__(self, interval=0.01):
        self.interval = interval
        self.peak = self.idle = None

    def __enter__(self):
        if psutil is None:
            return self
        self.root = psutil.Process()
        self.stop = threading.Event()
        self.peak = 0
        self.idle = self._total(self._procs())
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _procs(self):
        try:
            return [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return [self.root]

    @staticmethod
    def _total(procs):
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self):
        procs, refreshed = self._procs(), time.monotonic()
        while True:
            self.peak = max(self.peak, self._total(procs))
            if self.stop.wait(self.interval):
                return
            if time.monotonic() - refreshed > 0.2:  # new workers
                procs, refreshed = self._procs(), time.monotonic()

    def __exit__(self, *exc):
        if psutil is not None:
            self.stop.set()
            self.thread.join()


def _dask_client(kind, n_jobs):
    """A scheduler for dask-ml: dask-ml's default (threads) or processes."""
    if kind == "threads":
        return "threads"
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_jobs, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster)


def _dask_limits(scheduler):
    """One BLAS thread per dask thread, as joblib gives each loky worker.

    dask's threaded scheduler runs n_jobs threads in this process, each
    calling a BLAS that starts a thread per core: on 2 cores OpenBLAS then
    oversubscribes (5x slower on the Nystroem workload here).
    """
    return threadpool_limits(1) if scheduler == "threads" else nullcontext()


def _dask_available():
    try:
        import dask_ml  # noqa: F401
    except Exception as exc:
        return f"dask-ml not importable: {type(exc).__name__}: {exc}"
    return None


def _same(a, b):
    """best_params_ equal and every mean_test_score exactly equal."""
    scores_a = np.asarray(a.cv_results_["mean_test_score"], dtype=float)
    scores_b = np.asarray(b.cv_results_["mean_test_score"], dtype=float)
    return bool(
        a.best_params_ == b.best_params_
        and scores_a.shape == scores_b.shape
        and np.array_equal(scores_a, scores_b, equal_nan=True)
    )


def _warm_up(workload, dask_scheduler):
    """Start joblib's workers and import the estimator's modules in them."""
    cands = workload.candidates()
    tiny = [{k: [v] for k, v in c.items()} for c in (cands[0], cands[-1])]
    X, y = workload.X[:300], workload.y[:300]
    kw = dict(cv=2, n_jobs=workload.n_jobs, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. n_components > n_samples
        GridSearchCV(workload.estimator, tiny, **kw).fit(X, y)
        GridTuner(workload.estimator, tiny, **kw).fit(X, y)
        if dask_scheduler is not None:
            from dask_ml.model_selection import GridSearchCV as DaskGrid

            with _dask_limits(dask_scheduler):
                search = DaskGrid(workload.estimator, tiny, **kw)
                search.set_params(scheduler=dask_scheduler).fit(X, y)


class Machine:
    """CPU used by other processes: a shared machine makes timings noisy.

    ``foreign()`` around a block gives the cores that processes outside this
    process tree kept busy during it, on average (from /proc/stat and
    psutil). ``wait_quiet`` waits until they use less than ``threshold``.
    """

    def __init__(self, threshold, max_wait):
        self.threshold, self.max_wait = threshold, max_wait
        self.tick = os.sysconf("SC_CLK_TCK")

    def busy(self):
        """Seconds of CPU used by the whole system since boot, or None."""
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return (sum(fields[:8]) - idle) / self.tick

    def ours(self):
        """Seconds of CPU used by this process and its live descendants."""
        if psutil is None:
            return None
        root = psutil.Process()
        total = 0.0
        for proc in [root] + root.children(recursive=True):
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def snapshot(self):
        return time.perf_counter(), self.busy(), self.ours()

    def foreign(self, before):
        """Cores used by other processes since ``before`` (a snapshot)."""
        now = self.snapshot()
        if None in before or None in now or now[0] <= before[0]:
            return None
        other = (now[1] - before[1]) - (now[2] - before[2])
        return max(other, 0.0) / (now[0] - before[0])

    def wait_quiet(self):
        """Wait up to ``max_wait`` s until others use < ``threshold`` cores."""
        if self.max_wait <= 0:
            return None
        deadline = time.monotonic() + self.max_wait
        while True:
            before = self.snapshot()
            time.sleep(1.0)
            load = self.foreign(before)
            if load is None or load < self.threshold:
                return load
            if time.monotonic() > deadline:
                return load
            time.sleep(4.0)


def run_workload(workload, repeats, dask_scheduler, machine):
    """Time every method ``repeats`` times, interleaved; fill ``results``.

    Before each timed run the harness waits (``machine.max_wait`` at most)
    for the other processes on the machine to go quiet; a run during which
    they used more than ``machine.threshold`` cores is done again, twice at
    most, and the least disturbed attempt is kept.
    """
    times = {m: [] for m in METHODS}
    peaks = {m: [] for m in METHODS}
    foreign = {m: [] for m in METHODS}
    same, work, counts = [], None, None
    dask_reason = _dask_available() if dask_scheduler is not None else "not run"
    if "dask-ml" in workload.skip:
        dask_reason = "skipped for this workload"
    scheduler = None
    if dask_reason is None:
        try:
            scheduler = _dask_client(dask_scheduler, workload.n_jobs)
        except Exception as exc:
            dask_reason = f"{type(exc).__name__}: {exc}"
    _warm_up(workload, scheduler if dask_reason is None else None)
    candidates = workload.candidates()
    retried = 0

    def once(method):
        """(seconds, fitted search or bound counts, peak or None)."""
        gc.collect()
        if method == "bound":  # one thread, not disturbed by memory sampling
            seconds, c = workload.bound(candidates)
            return seconds / workload.workers, c, None
        start = time.perf_counter()
        with PeakRSS() as peak:
            if method == "sklearn":
                out = workload.sklearn().fit(workload.X, workload.y)
            elif method == "skhyper":
                out = workload.skhyper().fit(workload.X, workload.y)
            else:
                search = workload.dask(scheduler)
                with _dask_limits(scheduler):
                    out = search.fit(workload.X, workload.y)
        elapsed = time.perf_counter() - start
        mem = None if peak.peak is None else (peak.peak, peak.peak - peak.idle)
        return elapsed, out, mem

    for r in range(repeats):
        order = METHODS[r % len(METHODS) :] + METHODS[: r % len(METHODS)]
        fitted = {}
        for method in order:
            if method == "dask-ml" and dask_reason is not None:
                continue
            if method in workload.skip:
                continue
            attempts = []
            for attempt in range(3):
                machine.wait_quiet()
                before = machine.snapshot()
                try:
                    result = once(method)
                except Exception as exc:
                    if method != "dask-ml":
                        raise
                    dask_reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    break
                load = machine.foreign(before)
                attempts.append((load or 0.0, attempt, result))
                if load is None or load < machine.threshold:
                    break
                retried += 1
            if not attempts:
                continue
            load, _, (seconds, out, mem) = min(attempts, key=lambda a: a[:2])
            times[method].append(seconds)
            foreign[method].append(load)
            if method == "bound":
                counts = out
            else:
                fitted[method] = out
            if mem is not None:
                peaks[method].append(mem)
        same.append(_same(fitted["sklearn"], fitted["skhyper"]))
        work = fitted["skhyper"].work_
        del fitted
    if dask_reason is None and dask_scheduler != "threads":
        scheduler.close()

    med = {m: statistics.median(t) if t else None for m, t in times.items()}
    peak = {
        m: [max(x[i] for x in p) / 2**20 for i in (0, 1)] if p else None
        for m, p in peaks.items()
    }
    all_foreign = [x for f in foreign.values() for x in f]
    workload.results = {
        "name": workload.name,
        "candidates": len(candidates),
        "distinct": work["distinct_candidates"],
        "splits": work["splits"],
        "repeats": repeats,
        "times": times,
        "median": med,
        "peak_mib": peak,
        "same_best": all(same),
        "work": work,
        "bound_counts": counts,
        "dask_reason": dask_reason,
        "note": workload.note,
        "skip": list(workload.skip),
        "group": workload.group,
        "foreign_cores": foreign,
        "foreign_max": max(all_foreign) if all_foreign else None,
        "retried": retried,
    }
    return workload.results


def _fmt(x, spec=".2f"):
    return "n/a" if x is None else format(x, spec)


def _mib(peak):
    return "n/a" if peak is None else f"{peak[0]:.0f} (+{peak[1]:.0f})"


def _ratio(a, b):
    return None if a is None or b is None else a / b


HEADER = (
    "| workload | candidates (distinct) x folds | sklearn s | skhyper s "
    "| dask-ml s | bound s | skhyper/sklearn | skhyper/bound | skhyper/dask-ml "
    "| peak MiB (+ above idle) sklearn / skhyper / dask-ml | same best |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|"
)


def row(res):
    m, p = res["median"], res["peak_mib"]
    dask = _fmt(m["dask-ml"]) if res["dask_reason"] is None else "n/a"
    cells = [
        res["name"],
        f"{res['candidates']} ({res['distinct']}) x {res['splits']}",
        _fmt(m["sklearn"]),
        _fmt(m["skhyper"]),
        dask,
        _fmt(m["bound"]),
        _fmt(_ratio(m["skhyper"], m["sklearn"])),
        _fmt(_ratio(m["skhyper"], m["bound"])),
        _fmt(_ratio(m["skhyper"], m["dask-ml"])),
        " / ".join(_mib(p[k]) for k in ("sklearn", "skhyper", "dask-ml")),
        "yes" if res["same_best"] else "**NO**",
    ]
    return "| " + " | ".join(cells) + " |"


def footnotes(results):
    lines = []
    for res in results:
        if res["dask_reason"] is not None:
            lines.append(f"- {res['name']}: dask-ml n/a: {res['dask_reason']}")
        if "bound" in res.get("skip", ()):
            lines.append(f"- {res['name']}: bound n/a: skipped for this workload")
        if res["note"]:
            lines.append(f"- {res['name']}: {res['note']}")
        work = ", ".join(f"{k}={v}" for k, v in res["work"].items())
        lines.append(f"- {res['name']}: skhyper work_: {work}")
        times = "; ".join(
            f"{m} " + ", ".join(f"{t:.2f}" for t in ts)
            for m, ts in res["times"].items()
            if ts
        )
        lines.append(f"- {res['name']}: all times (s): {times}")
        if res.get("foreign_max") is not None:
            lines.append(
                f"- {res['name']}: other processes used at most "
                f"{res['foreign_max']:.2f} cores during a kept run "
                f"({res['retried']} runs redone)"
            )
    return "\n".join(lines)


def _per_candidate(res, method):
    t = res["median"][method]
    return None if t is None else 1e3 * t / res["candidates"]


def scaling_table(results):
    """Milliseconds per candidate of each ``group``, sizes as columns ("" if none).

    Per candidate: the median time of the whole search (all folds) divided by
    its number of candidates. Rows of methods not run at any size are left out.
    """
    groups = {}
    for res in results:
        if res.get("group"):
            groups.setdefault(res["group"], []).append(res)
    blocks = []
    for group, members in groups.items():
        members.sort(key=lambda res: res["candidates"])
        sizes = " | ".join(f"{res['candidates']:,}" for res in members)
        lines = [f"| {group}: ms per candidate | {sizes} |"]
        lines.append("|---|" + "--:|" * len(members))
        for method in METHODS:
            cells = [_per_candidate(res, method) for res in members]
            if any(c is not None for c in cells):
                lines.append(f"| {method} | " + " | ".join(map(_fmt, cells)) + " |")
        ratios = [
            _ratio(r["median"]["skhyper"], r["median"]["sklearn"]) for r in members
        ]
        lines.append("| skhyper/sklearn | " + " | ".join(map(_fmt, ratios)) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def versions():
    out = {
        "python": sys.version.split()[0],
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "skhyper": skhyper.__version__,
    }
    try:
        import dask
        import dask_ml

        out["dask-ml"] = dask_ml.__version__
        out["dask"] = dask.__version__
    except Exception:
        out["dask-ml"] = "not installed"
    return out


def parse_args(description, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="1 repeat, smaller grids and data"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dask-scheduler",
        choices=["threads", "processes", "none"],
        default="threads",
        help="dask-ml's default threaded scheduler with n_jobs threads "
        "(default), a dask.distributed LocalCluster of n_jobs single-threaded "
        "worker processes, or skip dask-ml",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0.0,
        help="before each timed run, wait up to this many seconds for other "
        "processes to use less than --busy cores (default 0: no wait)",
    )
    parser.add_argument(
        "--busy",
        type=float,
        default=0.25,
        help="cores other processes may use during a kept run; a run past it "
        "is redone (twice at most) when --quiet-wait > 0",
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    return args


def main(description, make_workloads, argv=None):
    """Entry point of a bench_*.py script: ``make_workloads(quick)``."""
    args = parse_args(description, argv)
    scheduler = None if args.dask_scheduler == "none" else args.dask_scheduler
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        " ".join(f"{k} {v}" for k, v in versions().items()),
        f"| repeats {args.repeats} | dask-ml scheduler {args.dask_scheduler}",
        flush=True,
    )
    results = []
    for workload in make_workloads(args.quick):
        start = time.perf_counter()
        machine = Machine(args.busy if args.quiet_wait > 0 else 1e9, args.quiet_wait)
        res = run_workload(workload, args.repeats, scheduler, machine)
        res["dask_scheduler"] = args.dask_scheduler
        results.append(res)
        print(
            f"{workload.name}: done in {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    print(HEADER)
    for res in results:
        print(row(res))
    scaling = scaling_table(results)
    if scaling:
        print("\n" + scaling + "\n")
    print(footnotes(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions(), "results": results}, f, indent=1)
    return 0
