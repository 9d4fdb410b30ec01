"""How a plan's units of work are cut into tasks, as the search runs.

A plan (``_plan``) hands over *units*: one fold and one leaf (or one
warm-start chain, or the leaves whose composite steps may share branches).
:class:`Scheduler` turns them into the tasks sent to workers, one task at a
time as joblib asks for the next (so tasks cut later use what earlier tasks
measured, see ``_cost``):

- **Hold an expensive prefix together.** When a unit's path starts with a
  shared step that is not cheap to repeat (measured above ``CHEAP_STEP``;
  before any measurement, any class not in :data:`CHEAP_STEPS`), every unit
  of that fold below that step goes into one task, so that the step is
  fitted once per fold.
- **Split below it, at the end.** With several workers, such a group among
  the last ones (fewer than ``SPLIT_BELOW`` per worker) is cut into parts,
  so that the last round is short: the first part fits the prefix and its
  share of the leaves, and hands the prefix's fitted steps and outputs over
  as soon as they are fitted (a file that workers memory-map, or, with
  threads, the shared store); the other parts are sent after the units not
  sent yet (first those whose handover is known to be there), and their
  workers wait for the handover and start from it.
- **Group small units.** Units below cheap (or no) shared steps go to tasks
  of their own when their cost is unknown, and are grouped, fold by fold in
  candidate order, into tasks of about ``TASK_SECONDS`` once measured: a
  task of 5 ms costs more to dispatch than to run. Groups stay small enough
  that every worker has tasks until the end.

A task also names what no later task reads (the store keys of its fold's
shared steps, and the fold's split once its last unit is sent): its worker
drops them from its store when the task ends, so that memory holds only
what is still needed.

Tasks follow the candidate order (all folds of the first candidates, then
the next), so a ``max_time`` stop leaves few candidates with only some folds
done (a group holds at most ``BUDGET_SHARE`` of the time left). With one worker,
nothing is measured: tasks are the units, grouped below expensive prefixes
(every task runs in the one process, whose store keeps everything).

Which steps are cheap before measurement is a list of classes
(:data:`CHEAP_STEPS`), extended with
:func:`skhyper.extend.register_cheap_step` (``_registry``).
"""

import os
import threading
from collections import Counter
from dataclasses import replace

from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

from ._branches import children, is_composite
from ._registry import check_class, register, user_entry

# Steps cheap enough (one pass over the data) to be repeated in several tasks
# rather than holding all of a fold's work in one task.
CHEAP_STEPS = [
    StandardScaler,
    MinMaxScaler,
    MaxAbsScaler,
    RobustScaler,
    Normalizer,
    FunctionTransformer,
    SimpleImputer,
    VarianceThreshold,
    OneHotEncoder,
    OrdinalEncoder,
]


def is_cheap(est):
    if est is None or isinstance(est, str):  # 'passthrough', 'drop', a typo
        return True  # fits nothing (or fails at once)
    if is_composite(est):
        return all(is_cheap(child) for child in children(est))
    return type(est) in CHEAP_STEPS or user_entry("cheap", type(est)) is not None


def add_cheap_step(cls):
    """Declare ``cls`` cheap to repeat (see the module docstring); returns the
    ``Registration``."""
    check_class(cls, "register_cheap_step")
    return register("cheap", cls, True)


def group_key(leaf, chain_of):
    """Which unit of a fold ``leaf`` goes to: its own (or its chain's), or the
    fold's, for leaves whose composite steps may share branches."""
    if leaf.pipeline and any(step.has_branches for step in leaf.path):
        return ("fold",)
    return ("leaf", chain_of.get(id(leaf), id(leaf)))


def cut(groups, n_groups):
    """Cut the largest groups (keeping chains whole) into ``n_groups``."""
    groups = [list(g) for g in groups]
    while len(groups) < n_groups:
        candidates = [g for g in groups if len(units(g)) > 1]
        if not candidates:
            break
        largest = max(candidates, key=len)
        parts = units(largest)
        half = len(parts) // 2
        i = next(i for i, g in enumerate(groups) if g is largest)
        groups[i : i + 1] = [
            [leaf for unit in parts[:half] for leaf in unit],
            [leaf for unit in parts[half:] for leaf in unit],
        ]
    return groups


def prefix_keys(unit):
    return tuple(step.key for step in unit[0].path[:-1])


def units(leaves):
    """Leaves in runs that must stay together (a warm chain is one run)."""
    units = []
    for leaf in leaves:
        if units and leaf.chain is not None and units[-1][-1].chain == leaf.chain:
            units[-1].append(leaf)
        else:
            units.append([leaf])
    return units


# A task's predicted length when small units are grouped: long enough that
# sending it to a worker and back (about a millisecond or two with loky)
# costs little beside it, short enough that results still stream.
TASK_SECONDS = 0.1
# Grouping stops at this share of the work left per worker, so that every
# worker still has tasks at the end of the search.
TAIL_SHARE = 0.25
# With a time budget, a group holds at most this share of the time left, so
# that a stop at the deadline leaves few candidates with only some folds done
# (those are not kept, unless journaled by a checkpoint).
BUDGET_SHARE = 0.02
# Held groups are split only among the last ones, fewer than this many per
# worker: earlier ones keep the workers busy whole, without a handover.
SPLIT_BELOW = 1.5
# A part cut below an expensive prefix must hold at least this much
# predicted work (seconds of its leaves) to be worth a handover.
HANDOVER_SECONDS = 0.05


def merge(parts, task_id):
    """One task of the units ``parts`` (all of one fold)."""
    leaves, contexts, starts = [], {}, {}
    for unit in sorted(parts, key=lambda u: prefix_keys(u.leaves)):
        leaves.extend(unit.leaves)
        contexts.update(unit.contexts or {})
        starts.update(unit.starts)
    first = parts[0]
    return replace(
        first,
        id=task_id,
        leaves=tuple(leaves),
        contexts=contexts or first.contexts,
        starts=starts,
    )


def shared_prefix(unit):
    """The steps that every leaf of ``unit`` fits before its final step."""
    paths = [leaf.path for leaf in unit.leaves]
    if not all(leaf.pipeline for leaf in unit.leaves):
        return ()
    n = min(len(p) for p in paths) - 1
    prefix = []
    for i in range(n):
        if len({p[i].key for p in paths}) > 1:
            break
        prefix.append(paths[0][i])
    return tuple(prefix)


class Scheduler:
    """Cuts a plan's units into tasks, one ``next_task()`` at a time.

    Parameters
    ----------
    units : list of Task
        The plan's units, in candidate order.
    costs : Costs
        Measured costs (updated by ``learn`` as results arrive).
    n_workers : int
        How many tasks run at once.
    handover : str or None
        ``"store"`` when workers share one process (threads), a directory
        for handover files when they are processes on this machine, None
        when nothing is handed over (one worker, or remote workers).
    time_left : callable or None
        Seconds left of the time budget (``inf`` without one).
    """

    def __init__(self, units, costs, n_workers, handover=None, time_left=None):
        self.units = list(units)
        self.costs, self.n_workers, self.handover = costs, n_workers, handover
        self.time_left = time_left or (lambda: float("inf"))
        self.lock = threading.RLock()
        self.taken = [False] * len(self.units)
        self.n_left = len(self.units)
        self.next = 0  # first unit of the candidate order maybe not taken
        self.by_fold = {}  # split -> unit indices in order
        self.below = {}  # (split, step key) -> unit indices whose path has it
        self.prefix = []  # unit index -> its shared prefix steps
        self.uses = []  # unit index -> the store keys its leaves read
        self.need = Counter()  # store key -> units not sent yet that read it
        for i, unit in enumerate(self.units):
            self.by_fold.setdefault(unit.split, []).append(i)
            prefix = shared_prefix(unit)
            self.prefix.append(prefix)
            for step in prefix:
                self.below.setdefault((unit.split, step.key), []).append(i)
            uses = {("fold", unit.split)} | {
                (unit.split, step.key)
                for leaf in unit.leaves
                for step in leaf.path[:-1]
            }
            self.uses.append(uses)
            self.need.update(uses)
        self.fold_next = dict.fromkeys(self.by_fold, 0)
        self.waiting = []  # [((split, step key, where), part)] sent last
        self.handed = {}  # (split, step key) -> where: known to be handed over
        self.sent = 0  # tasks made so far

    # -- what the runner calls -------------------------------------------------

    def __iter__(self):
        while True:
            task = self.next_task()
            if task is None:
                return
            yield task

    def next_task(self):
        """The next task to send, or None when every unit has been sent."""
        with self.lock:
            for i, (ref, task) in enumerate(self.waiting):
                if ref[:2] in self.handed:  # its prefix is ready: start from it
                    del self.waiting[i]
                    return self._issue(task, handover=(ref,), part=True)
            i = self._first()
            if i is None:
                if self.waiting:  # nothing else to do: wait for the prefix
                    ref, task = self.waiting.pop(0)
                    return self._issue(task, handover=(ref,), part=True)
                return None
            anchor = self._anchor(i)
            if anchor is not None:
                return self._hold(i, anchor)
            return self._group(i)

    def has_more(self):
        """Whether tasks are left to send."""
        with self.lock:
            return bool(self.waiting) or self._first() is not None

    def learn(self, task, report):
        """Record what a finished task measured and handed over (its
        ``TaskReport``)."""
        self.costs.learn(report.step_costs, report.leaf_costs)
        with self.lock:
            for split, key, where in report.handed_over:
                self.handed[split, key] = where

    # -- how tasks are cut -----------------------------------------------------

    def _first(self):
        while self.next < len(self.units) and self.taken[self.next]:
            self.next += 1
        return self.next if self.next < len(self.units) else None

    def _take(self, i):
        self.taken[i] = True
        self.n_left -= 1
        self.need.subtract(self.uses[i])

    def _issue(self, task, handover=(), hand_out=(), part=False):
        task_id = self.sent
        self.sent += 1
        drop = ()
        if not part:  # the parts of a split group share what they read
            uses = set().union(
                *(self._uses_of(leaf, task.split) for leaf in task.leaves)
            )
            drop = tuple(key for key in uses if self.need[key] == 0)
        return replace(
            task,
            id=task_id,
            handover=handover,
            hand_out=hand_out,
            drop=drop,
        )

    @staticmethod
    def _uses_of(leaf, split):
        return {("fold", split)} | {(split, step.key) for step in leaf.path[:-1]}

    def _anchor(self, i):
        """The first step of unit ``i``'s shared prefix not cheap to repeat."""
        for step in self.prefix[i]:
            if self.n_workers == 1:
                if not step.is_cheap:
                    return step
            elif not self.costs.step_is_cheap(step):
                return step
        return None

    def _hold(self, i, anchor):
        """Every unit of the fold below ``anchor``: one task, or parts."""
        split = self.units[i].split
        members = [j for j in self.below[split, anchor.key] if not self.taken[j]]
        for j in members:
            self._take(j)
        units = [self.units[j] for j in members]
        steps = self.prefix[i][: self.prefix[i].index(anchor) + 1]
        parts = self._parts(units, steps)
        if len(parts) == 1:
            return self._issue(merge(units, 0))
        if self.handover == "store":  # threads: the shared store holds it
            where = "store"
        else:
            where = os.path.join(self.handover, f"prefix-{split}-{anchor.key}.joblib")
        ref = (split, anchor.key, where)
        for part in parts[1:]:
            self.waiting.append((ref, merge(part, 0)))
        return self._issue(merge(parts[0], 0), hand_out=(ref,), part=True)

    def _parts(self, units, steps):
        """``units`` cut into up to ``n_workers`` parts worth a handover; the
        first part, which fits ``steps``, holds less when their cost is known."""
        groups_left = 1 + self.n_left / len(units)  # about, of this size
        if (
            self.handover is None
            or self.n_workers == 1
            or len(units) < 2
            or groups_left >= SPLIT_BELOW * self.n_workers
            or any(is_composite(step.estimator) for step in steps)
        ):
            return [units]
        costs = [self._unit_seconds(u) for u in units]
        n = min(self.n_workers, len(units))
        if None in costs:  # not measured yet: equal parts
            size = -(-len(units) // n)
            return [units[k : k + size] for k in range(0, len(units), size)]
        n = min(n, max(1, int(sum(costs) / HANDOVER_SECONDS)))
        if n == 1:
            return [units]
        prefix = sum(self.costs.step(step) or 0.0 for step in steps)
        share = (prefix + sum(costs)) / n  # each part's work, the prefix counted
        parts, part, seconds = [], [], prefix
        for unit, cost in zip(units, costs):
            if part and seconds + cost / 2 > share and len(parts) < n - 1:
                parts.append(part)
                part, seconds = [], 0.0
            part.append(unit)
            seconds += cost
        parts.append(part)
        return parts

    def _group(self, i):
        """Unit ``i`` and the next units of its fold, up to ``TASK_SECONDS``."""
        self._take(i)
        parts = [self.units[i]]
        seconds = self._unit_seconds(parts[0])
        if seconds is None or self.n_workers == 1:
            return self._issue(parts[0])
        target = min(
            TASK_SECONDS,
            self._work_left() * TAIL_SHARE / self.n_workers,
            self.time_left() * BUDGET_SHARE,
        )
        split = parts[0].split
        fold = self.by_fold[split]
        k = self.fold_next[split]
        while seconds < target:
            while k < len(fold) and self.taken[fold[k]]:
                k += 1
            if k == len(fold) or self._anchor(fold[k]) is not None:
                break
            more = self._unit_seconds(self.units[fold[k]])
            if more is None:
                break
            self._take(fold[k])
            parts.append(self.units[fold[k]])
            seconds += more
        self.fold_next[split] = k
        return self._issue(merge(parts, 0))

    def _unit_seconds(self, unit):
        """Predicted seconds of a unit's final steps (None if unknown)."""
        total = 0.0
        for leaf in unit.leaves:
            seconds = self.costs.leaf(leaf)
            if seconds is None:
                return None
            total += seconds
        return total

    def _work_left(self):
        mean = self.costs.leaf_mean()
        return (mean or 0.0) * self.n_left
