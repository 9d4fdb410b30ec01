"""What the engine hands a tuner: one frozen :class:`SearchOutcome`.

``Engine.outcome()`` takes it at any time (after the search, or after a
Ctrl-C or a deadline stopped it): the candidates that finished every split,
one row per (candidate, split), ``history_``, ``work_``, the failed fits, how
many candidates were asked, why the search stopped, and ``cv_results_``.
``BaseTuner`` sets its attributes from it and reads nothing else of the
engine.
"""

from dataclasses import dataclass

import numpy as np

# history_: for each finished candidate, when its last split arrived.
HISTORY_KEYS = ("elapsed_time", "n_fits", "from_checkpoint")


@dataclass(frozen=True)
class SearchOutcome:
    """The candidates a search finished, and what it took.

    Attributes
    ----------
    candidates : tuple of dict
        The parameters of each candidate whose every split finished, in the
        order they were asked (the order of ``cv_results_``).
    rows : tuple of dict
        One result per (candidate, split), candidate by candidate:
        ``test_scores`` (a number, or a dict of numbers for several
        metrics), ``fit_time``, ``score_time``, ``fit_error`` (a
        traceback, or None) and, when asked, ``train_scores``.
    test_sizes : tuple of int
        The number of test samples of each row's split, row by row.
    n_splits : int
        Splits per candidate.
    history : dict
        ``history_`` (:data:`HISTORY_KEYS`): for each candidate, when its
        last split arrived, and whether all its splits came from the
        checkpoint.
    work : Work
        ``work_``: what was asked, what was done and what was reused.
    failures : tuple
        ``(candidate index, split index, traceback)`` of each failed fit.
    n_asked : int
        Candidates asked for, finished or not, equal ones included.
    stopped : Stop or None
        Why the search stopped early, or None.
    cv_results : dict
        ``cv_results_`` of ``candidates``.
    """

    candidates: tuple
    rows: tuple
    test_sizes: tuple
    n_splits: int
    history: dict
    work: object
    failures: tuple
    n_asked: int
    stopped: object
    cv_results: dict

    @property
    def multimetric(self):
        """Whether a test score is a dict of metrics (``multimetric_``)."""
        return bool(self.rows) and isinstance(self.rows[0]["test_scores"], dict)


def failures_of(rows, n_splits):
    """``(candidate index, split index, traceback)`` of each failed row."""
    return tuple(
        (i // n_splits, i % n_splits, row["fit_error"])
        for i, row in enumerate(rows)
        if row["fit_error"] is not None
    )


def history_of(stamps):
    """``history_`` from one ``(elapsed, n_fits, from checkpoint)`` per candidate.

    ``elapsed_time``: seconds from the start of the search to the arrival of
    the candidate's last split; ``n_fits``: (candidate, split) results the
    search had then, read from the checkpoint included; ``from_checkpoint``:
    whether every split was read from the checkpoint (those are stamped when
    read, at the start of their ``evaluate``).
    """
    columns = list(zip(*stamps)) or [(), (), ()]
    dtypes = (np.float64, np.int64, bool)
    return {
        key: np.asarray(column, dtype=dtype)
        for key, column, dtype in zip(HISTORY_KEYS, columns, dtypes)
    }
