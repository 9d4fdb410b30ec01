"""The work of a search: ``Work``.

:class:`Work` is ``work_``: its fields are ``work_``'s keys, in order.
"""

from dataclasses import asdict, dataclass


@dataclass
class Work:
    """The work of one search, summed as it is done: ``work_``.

    The engine counts candidates, splits, tasks, what a plain search would
    fit and what the checkpoint gave back, and adds each task's counts.
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

    def as_dict(self):
        """``work_``: a plain dict of the counts, in the order of the fields."""
        return asdict(self)
