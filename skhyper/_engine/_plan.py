"""Turn candidates x CV splits into a tree of work, and the tree into tasks.

Each candidate is configured once in the parent (``clone`` + ``set_params``,
no fit) and described as a *path*: the steps its fit goes through. For a
plain ``Pipeline`` the path is its steps; for anything else it is the whole
estimator. A step is identified by its upstream path and its own parameters
(compared by value, see :func:`._keys.canonical`), so:

- candidates with equal configurations become one *leaf*, fitted once per
  fold, whose result is copied to every candidate;
- candidates whose pipelines start with equal steps share those steps'
  fits within a task;
- leaves that differ only in a warm-start path parameter (see ``_warm``)
  form a *chain*, fitted in increasing order on one model; with ``keep``
  (see ``_kept``), a chain may start from a model kept by an earlier call;
- leaves that differ only in a staged path parameter (see ``_staged``: the
  epochs of a network, the rounds of a booster) form a *staged chain*,
  fitted once at its largest value, every value's model taken from that run;
- the branches of ``FeatureUnion``, ``ColumnTransformer`` and nested
  ``Pipeline`` steps are shared branch by branch in a task (see
  ``_branches``): leaves whose composite steps differ go to one task per
  fold, unless every branch is cheap.

The plan's *units* are one fold and one leaf (a whole chain; or, for leaves
whose composite steps may share branches, all of them); ``_schedule`` cuts
them into the tasks sent to workers as the search runs.
"""

from dataclasses import dataclass, field, replace

from sklearn import get_config
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from ._branches import count_fits, is_composite, is_passthrough
from ._kept import keeps
from ._keys import KeyTable, canonical, unkeyed_reason
from ._schedule import cut, group_key, is_cheap, prefix_keys, units
from ._staged import staged_path
from ._warm import warm_path_param


@dataclass(frozen=True, eq=False)
class Step:
    """A node of the work tree: a step and everything upstream of it."""

    key: int
    name: str
    estimator: object  # unfitted and configured; or 'passthrough' / None

    @property
    def is_passthrough(self):
        return is_passthrough(self.estimator)

    @property
    def is_cheap(self):
        return is_cheap(self.estimator)

    @property
    def has_branches(self):
        """A composite whose branches other leaves' steps may share."""
        return is_composite(self.estimator) and not self.is_cheap


@dataclass(eq=False)
class Leaf:
    """A distinct configuration: fitted once per fold for all its candidates."""

    path: tuple  # Steps; the last one is the final estimator
    candidates: list  # indices of the candidates with this configuration
    params: dict  # the parameters of the first of them
    estimator: object  # the whole configured estimator
    pipeline: bool  # whether ``path`` holds a Pipeline's steps
    warm: str | None = None  # the path parameter when in a chain
    chain: int | None = None  # chain id, shared by the leaves of one chain
    keep: bool = False  # whether its final model is kept for a later call
    staged: object = None  # the StagedPath of a staged chain (None: warm)
    rounds: int = 0  # its path parameter's value (epochs, rounds, trees)


@dataclass(frozen=True, eq=False)
class Task:
    """One worker call (or a plan's unit): a CV split and the leaves on it."""

    id: int
    split: int
    leaves: tuple
    contexts: dict | None = None  # candidate -> its callback context (1.9+)
    starts: dict = field(default_factory=dict)  # chain -> (pickled model, time)
    handover: tuple = ()  # files of prefix fits to start from (``_schedule``)
    hand_out: tuple = ()  # (split, step key, file) prefixes to hand over
    drop: tuple = ()  # store keys no later task reads, dropped at its end


@dataclass
class Plan:
    """Units of one ``evaluate_candidates`` call and what a plain search does."""

    tasks: list  # the units, in candidate order
    n_candidates: int
    n_splits: int
    n_leaves: int
    plain_fits: int  # step fits a plain search runs (per candidate and fold)
    plain_rounds: int = 0  # path iterations a plain search runs (``rounds``)
    # candidate -> why its estimator has no sound key (it is distinct work)
    unkeyed: dict = field(default_factory=dict)
    # what identity keys name: kept alive as long as the keys may be compared
    alive: list = field(default_factory=list)
    # leaves whose every split was known already (``done``): no task holds them
    dropped: list = field(default_factory=list)


def _shareable_pipeline(est, fit_params):
    """Whether ``est``'s fit can be split into its steps with equal results."""
    if type(est) is not Pipeline or get_config().get("enable_metadata_routing"):
        return False
    if est.verbose or getattr(est, "transform_input", None) is not None:
        return False
    names = {name for name, _ in est.steps}
    return (
        all("__" in key and key.split("__", 1)[0] in names for key in fit_params)
        and len(est.steps) > 0
    )


def _path(est, keys, fit_params, share, kept):
    if share and _shareable_pipeline(est, fit_params):
        pipeline_params = est.get_params(deep=False)
        del pipeline_params["steps"]
        key = keys("pipeline", canonical(pipeline_params, kept))
        steps = []
        for name, step in est.steps:
            key = keys(key, name, canonical(step, kept))
            steps.append(Step(key, name, step))
        return tuple(steps), True
    return (Step(keys("whole", canonical(est, kept)), "", est),), False


def path_of(final):
    """``(param, staged path or None)`` of a final estimator's warm-start or
    staged path; ``(None, None)`` where neither applies."""
    param = warm_path_param(final)
    if param is not None:
        return param, None
    staged = staged_path(final)
    if staged is None:
        return None, None
    return staged.param, staged


def _chain_key(leaf, param, staged, keys):
    """Leaves with equal chain keys differ only in their path parameter
    ``param`` (None: no chain)."""
    if param is None:
        return None
    final = leaf.path[-1].estimator
    key = canonical(final)
    if key[0] != "estimator":  # compared by identity: no chain
        return None
    kind, module, qualname, items = key
    rest = tuple(item for item in items if item[0] != param)
    upstream = leaf.path[-2].key if len(leaf.path) > 1 else None
    how = "warm" if staged is None else "staged"
    return keys("chain", how, upstream, module, qualname, rest)


def build_plan(
    candidate_params,
    base_estimator,
    n_splits,
    *,
    share,
    fit_params,
    n_workers,
    keep=None,
    keys=None,
    done=None,
    starts=None,
    contexts=None,
):
    """Build the units that evaluate every candidate on every split.

    ``keep`` names a candidate parameter whose leaves' final models are kept
    for later calls (see ``_kept``); such leaves are chains even alone.
    Then, in one pass over the units: ``done(leaf, split)`` says which
    leaves' results are known already (they are left out), ``starts(unit)``
    gives the kept models a unit's chains start from (``_kept``), and
    ``contexts`` the callback context of each evaluation (``candidate *
    n_splits + split``).
    """
    edits = done, starts, contexts
    keys = KeyTable() if keys is None else keys  # one per fit: keys of costs
    leaves, by_key, unkeyed, alive = [], {}, {}, []
    for cand, params in enumerate(candidate_params):
        est = clone(base_estimator).set_params(**clone(params, safe=False))
        kept = []  # what identity keys name; ``keys`` outlives this plan
        path, is_pipeline = _path(est, keys, fit_params, share, kept)
        alive.extend(kept)
        why = unkeyed_reason(kept)
        if why is not None and share:
            unkeyed[cand] = why
        leaf_key = path[-1].key if share else ("candidate", cand)
        leaf = by_key.get(leaf_key)
        if leaf is None:
            leaf = Leaf(path, [], params, est, is_pipeline)
            by_key[leaf_key] = leaf
            leaves.append(leaf)
        leaf.candidates.append(cand)
    plain_fits = n_splits * sum(
        count_fits(leaf.estimator) * len(leaf.candidates) for leaf in leaves
    )
    paths = {}  # leaf -> (param, staged path or None), looked up once
    for leaf in leaves:
        final = leaf.path[-1].estimator
        paths[id(leaf)] = param, _ = path_of(final)
        if param is not None:
            leaf.rounds = final.get_params(deep=False)[param]
    plain_rounds = n_splits * sum(leaf.rounds * len(leaf.candidates) for leaf in leaves)

    if not share:
        tasks = [
            Task(0, split, (leaf,)) for leaf in leaves for split in range(n_splits)
        ]
        return _plan(
            tasks,
            candidate_params,
            n_splits,
            leaves,
            (plain_fits, plain_rounds, {}, []),
            edits,
        )

    # Warm-start and staged chains: ordered by the path parameter, contiguous.
    chains, chain_keys = {}, {}
    for leaf in leaves:
        leaf.keep = keeps(leaf, keep)
        param, staged = paths[id(leaf)]
        key = chain_keys[id(leaf)] = _chain_key(leaf, param, staged, keys)
        if key is not None:
            chains.setdefault(key, []).append((leaf, param, staged))
    chain_of = {}
    ordered = []
    placed = set()
    for leaf in leaves:
        if id(leaf) in placed:
            continue
        key = chain_keys[id(leaf)]
        members = chains.get(key, []) if key is not None else []
        if len(members) > 1 or any(member.keep for member, _, _ in members):
            members.sort(key=lambda m: m[0].rounds)
            for member, param, staged in members:
                member.warm, member.chain, member.staged = param, key, staged
                chain_of[id(member)] = key
                placed.add(id(member))
                ordered.append(member)
        else:
            placed.add(id(leaf))
            ordered.append(leaf)

    groups = {}
    for leaf in ordered:
        groups.setdefault(group_key(leaf, chain_of), []).append(leaf)
    # Within a group, leaves below the same steps run one after the other, so
    # the memo of fitted steps holds what the next leaf needs.
    per_fold = [
        [leaf for unit in sorted(units(g), key=prefix_keys) for leaf in unit]
        for g in groups.values()
    ]
    if len(per_fold) * n_splits < n_workers:
        per_fold = cut(per_fold, -(-n_workers // n_splits))
    tasks = [
        Task(0, split, tuple(group)) for group in per_fold for split in range(n_splits)
    ]
    return _plan(
        tasks,
        candidate_params,
        n_splits,
        leaves,
        (plain_fits, plain_rounds, unkeyed, alive),
        edits,
    )


def _plan(tasks, candidate_params, n_splits, leaves, counts, edits):
    # Candidate-major order: the folds of a candidate are dispatched together.
    tasks.sort(
        key=lambda t: (min(c for leaf in t.leaves for c in leaf.candidates), t.split)
    )
    tasks = [Task(i, t.split, t.leaves) for i, t in enumerate(tasks)]
    tasks = _edited(tasks, n_splits, *edits)
    held = {id(leaf) for task in tasks for leaf in task.leaves}
    dropped = [leaf for leaf in leaves if id(leaf) not in held]
    n = len(candidate_params)
    return Plan(tasks, n, n_splits, len(leaves), *counts, dropped=dropped)


def _edited(tasks, n_splits, done, starts, contexts):
    """The units without the leaves ``done`` says are done, each with the
    kept models its chains ``starts`` from and its callback ``contexts``."""
    edited = []
    for task in tasks:
        if done is not None:
            leaves = tuple(leaf for leaf in task.leaves if not done(leaf, task.split))
            if not leaves:
                continue
            task = replace(task, leaves=leaves)
        found = starts(task) if starts is not None else None
        if found:
            task = replace(task, starts=found)
        if contexts:
            candidates = [c for leaf in task.leaves for c in leaf.candidates]
            split = task.split
            task = replace(
                task, contexts={c: contexts[c * n_splits + split] for c in candidates}
            )
        edited.append(task)
    return edited
