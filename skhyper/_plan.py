"""Turn candidates x CV splits into tasks for the engine.

A task is the unit sent to a worker: one CV split and the candidates
(leaves) evaluated on it. Tasks are ordered candidate-major, the folds of a
candidate next to each other, as scikit-learn dispatches them, so that a
search stopped early leaves whole candidates behind.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Leaf:
    """One (candidate, split) evaluation whose result fills ``slots``."""

    candidate: int
    params: dict


@dataclass(frozen=True)
class Task:
    """Work for one worker call: a split and the leaves evaluated on it."""

    id: int
    split: int
    leaves: tuple


@dataclass
class Plan:
    """The tasks of one ``evaluate_candidates`` call."""

    tasks: list
    n_candidates: int
    n_splits: int

    @property
    def n_fits(self):
        return sum(len(task.leaves) for task in self.tasks)


def build_plan(candidate_params, n_splits):
    """One task per (candidate, split), candidate-major."""
    tasks = []
    for cand, params in enumerate(candidate_params):
        for split in range(n_splits):
            tasks.append(Task(len(tasks), split, (Leaf(cand, params),)))
    return Plan(tasks, len(candidate_params), n_splits)
