"""What a task gives back, and the work of a search: ``TaskReport``, ``Work``.

A worker ends each task with a :class:`TaskReport` beside its (candidate,
result) pairs; the runner makes one for a task lost with its worker
(:meth:`TaskReport.lost_worker`). The parent reads it three times: the
scheduler learns the measured costs and the prefixes handed over
(``Scheduler.learn``), the engine adds its counters to the search's
:class:`Work` and keeps the final models the task pickled (``keep=``).

:class:`Work` is ``work_``: its fields are ``work_``'s keys, in order, and
a report's counters (:data:`COUNTED`) carry the same names.
"""

from dataclasses import asdict, dataclass

# The counters of a TaskReport, by their names in ``work_``.
COUNTED = ("fits", "warm_start_fits", "staged_fits", "iterations", "fallbacks")


@dataclass(frozen=True)
class TaskReport:
    """What one task did, beside its (candidate, result) pairs.

    Attributes
    ----------
    fits : int
        Estimator fits run (a warm-start step or a staged value is not one).
    warm_start_fits : int
        Final models continued along a warm-start path (``_warm``).
    staged_fits : int
        Values of a staged path taken from a longer run (``_staged``).
    iterations : int
        Path iterations trained (epochs, boosting rounds, trees).
    fallbacks : tuple
        ``((class name, what fell back, why), times)``: paths and kept models
        that fell back to fresh fits; ``work_["fallbacks"]`` sums the times.
    step_costs, leaf_costs : tuple
        ``(key, seconds)`` measured for ``_cost``: fitted steps and leaves.
    handed_over : tuple
        ``(split, step key, where)`` of each prefix the task handed over.
    kept : tuple
        ``(candidate, value, pickled model, fit time)`` of each final model
        kept for the next ``evaluate`` call (``_kept``).
    callbacks_reported : bool
        Whether the worker reported each evaluation to scikit-learn's
        callbacks itself (the parent reports the others).
    lost : bool
        The results stand for a worker that died: ``error_score``, never
        journaled, so that a rerun retries them.
    """

    fits: int = 0
    warm_start_fits: int = 0
    staged_fits: int = 0
    iterations: int = 0
    fallbacks: tuple = ()
    step_costs: tuple = ()
    leaf_costs: tuple = ()
    handed_over: tuple = ()
    kept: tuple = ()
    callbacks_reported: bool = False
    lost: bool = False

    @classmethod
    def lost_worker(cls):
        """The report of a task whose worker died: nothing fitted, measured
        or reported to callbacks, and its results are not to be journaled."""
        return cls(callbacks_reported=False, lost=True)


@dataclass
class Work:
    """The work of one search, summed as it is done: ``work_``.

    The engine counts candidates, splits, tasks, what a plain search would
    fit and what the checkpoint gave back; :meth:`add` adds each task's
    counters.
    """

    candidates: int = 0
    distinct_candidates: int = 0
    splits: int = 0
    tasks: int = 0
    plain_fits: int = 0
    fits: int = 0
    warm_start_fits: int = 0
    staged_fits: int = 0
    plain_iterations: int = 0
    iterations: int = 0
    from_checkpoint: int = 0
    fallbacks: int = 0
    unkeyed: int = 0

    def add(self, report):
        """Add the counters of a :class:`TaskReport`."""
        self.fits += report.fits
        self.warm_start_fits += report.warm_start_fits
        self.staged_fits += report.staged_fits
        self.iterations += report.iterations
        self.fallbacks += sum(times for _, times in report.fallbacks)

    def as_dict(self):
        """``work_``: a plain dict of the counts, in the order of the fields."""
        return asdict(self)
