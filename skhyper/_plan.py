"""Turn candidates x CV splits into a tree of work, and the tree into tasks.

Each candidate is configured once in the parent (``clone`` + ``set_params``,
no fit) and described as a *path*: the steps its fit goes through. For a
plain ``Pipeline`` the path is its steps; for anything else it is the whole
estimator. A step is identified by its upstream path and its own parameters
(compared by value, see :func:`skhyper._space.canonical`), so:

- candidates with equal configurations become one *leaf*, fitted once per
  fold, whose result is copied to every candidate;
- candidates whose pipelines start with equal steps share those steps'
  fits within a task;
- leaves that differ only in a warm-start path parameter (see ``_warm``)
  form a *chain*, fitted in increasing order on one model;
- the branches of ``FeatureUnion``, ``ColumnTransformer`` and nested
  ``Pipeline`` steps are shared branch by branch in a task (see
  ``_branches``): leaves whose composite steps differ go to one task per
  fold, unless every branch is cheap.

A task is one fold and a group of leaves. Leaves are grouped below the
steps that all of them share, when those steps are cheap to repeat
(scalers and the like), so that there are enough tasks to keep workers busy
(a worker keeps such steps' outputs for the next tasks of the same fold, see
``_fit``); an expensive shared step keeps its fold's leaves in one task so
that it is fitted once per fold. When there are fewer tasks than workers,
the largest tasks are cut, repeating their shared steps.
"""

from dataclasses import dataclass

from sklearn import get_config
from sklearn.base import clone
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
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

from ._branches import KeyTable, children, count_fits, is_composite
from ._space import canonical
from ._warm import warm_path_param

# Steps cheap enough (one pass over the data) to be repeated in several tasks
# rather than holding all of a fold's work in one task.
CHEAP_STEPS = (
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
)


@dataclass(frozen=True, eq=False)
class Step:
    """A node of the work tree: a step and everything upstream of it."""

    key: int
    name: str
    estimator: object  # unfitted and configured; or 'passthrough' / None

    @property
    def is_passthrough(self):
        return self.estimator is None or (
            isinstance(self.estimator, str) and self.estimator == "passthrough"
        )

    @property
    def is_cheap(self):
        return _cheap(self.estimator)

    @property
    def has_branches(self):
        """A composite whose branches other leaves' steps may share."""
        return is_composite(self.estimator) and not self.is_cheap


def _cheap(est):
    if est is None or isinstance(est, str):  # 'passthrough', 'drop'
        return True
    if is_composite(est):
        return all(_cheap(child) for child in children(est))
    return type(est) in CHEAP_STEPS


@dataclass(eq=False)
class Leaf:
    """A distinct configuration: fitted once per fold for all its candidates."""

    path: tuple  # Steps; the last one is the final estimator
    candidates: list  # indices of the candidates with this configuration
    params: dict  # the parameters of the first of them
    estimator: object  # the whole configured estimator
    pipeline: bool  # whether ``path`` holds a Pipeline's steps
    warm: str | None = None  # the warm-start parameter when in a chain
    chain: int | None = None  # chain id, shared by the leaves of one chain


@dataclass(frozen=True, eq=False)
class Task:
    """One worker call: a CV split and the leaves evaluated on it."""

    id: int
    split: int
    leaves: tuple


@dataclass
class Plan:
    """Tasks of one ``evaluate_candidates`` call and what a plain search does."""

    tasks: list
    n_candidates: int
    n_splits: int
    n_leaves: int
    plain_fits: int  # step fits a plain search runs (per candidate and fold)

    def without(self, is_done):
        """A plan without the leaves ``is_done(leaf, split)`` says are done."""
        tasks = []
        for task in self.tasks:
            leaves = tuple(
                leaf for leaf in task.leaves if not is_done(leaf, task.split)
            )
            if leaves:
                tasks.append(Task(task.id, task.split, leaves))
        return Plan(
            tasks, self.n_candidates, self.n_splits, self.n_leaves, self.plain_fits
        )


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


def _path(est, keys, fit_params, share):
    if share and _shareable_pipeline(est, fit_params):
        pipeline_params = est.get_params(deep=False)
        del pipeline_params["steps"]
        key = keys("pipeline", canonical(pipeline_params))
        steps = []
        for name, step in est.steps:
            key = keys(key, name, canonical(step))
            steps.append(Step(key, name, step))
        return tuple(steps), True
    return (Step(keys("whole", canonical(est)), "", est),), False


def _chain_key(leaf, keys):
    """Leaves with equal chain keys differ only in their warm-start parameter."""
    final = leaf.path[-1].estimator
    param = warm_path_param(final)
    if param is None:
        return None, None
    kind, module, qualname, items = canonical(final)
    rest = tuple(item for item in items if item[0] != param)
    upstream = leaf.path[-2].key if len(leaf.path) > 1 else None
    return keys("chain", upstream, module, qualname, rest), param


def _group_key(leaf, common, chain_of):
    """Which task of a fold ``leaf`` goes to (see the module docstring)."""
    if not leaf.pipeline:
        return ("leaf", chain_of.get(id(leaf), id(leaf)))
    for i, step in enumerate(leaf.path):
        if i < common:
            if step.is_cheap:
                continue
            return ("fold",)
        if i == len(leaf.path) - 1:
            if step.has_branches:  # a nested pipeline may share its steps
                return ("fold",)
            return ("leaf", chain_of.get(id(leaf), id(leaf)))
        if step.has_branches:  # composites that differ may share branches
            return ("fold",)
        return ("step", step.key)
    return ("fold",)


def _common_prefix(leaves):
    paths = [leaf.path for leaf in leaves if leaf.pipeline]
    if not paths:
        return 0
    n = min(len(p) for p in paths) - 1  # the final step is never common work
    for i in range(n):
        if len({p[i].key for p in paths}) > 1:
            return i
    return n


def _cut(groups, n_groups):
    """Cut the largest groups (keeping chains whole) into ``n_groups``."""
    groups = [list(g) for g in groups]
    while len(groups) < n_groups:
        candidates = [g for g in groups if len(_units(g)) > 1]
        if not candidates:
            break
        largest = max(candidates, key=len)
        units = _units(largest)
        half = len(units) // 2
        i = next(i for i, g in enumerate(groups) if g is largest)
        groups[i : i + 1] = [
            [leaf for unit in units[:half] for leaf in unit],
            [leaf for unit in units[half:] for leaf in unit],
        ]
    return groups


def _prefix_keys(unit):
    return tuple(step.key for step in unit[0].path[:-1])


def _units(leaves):
    """Leaves in runs that must stay together (a warm chain is one run)."""
    units = []
    for leaf in leaves:
        if units and leaf.chain is not None and units[-1][-1].chain == leaf.chain:
            units[-1].append(leaf)
        else:
            units.append([leaf])
    return units


def build_plan(
    candidate_params,
    base_estimator,
    n_splits,
    *,
    share,
    fit_params,
    n_workers,
):
    """Build the tasks that evaluate every candidate on every split."""
    keys = KeyTable()
    leaves, by_key = [], {}
    for cand, params in enumerate(candidate_params):
        est = clone(base_estimator).set_params(**clone(params, safe=False))
        path, is_pipeline = _path(est, keys, fit_params, share)
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

    if not share:
        tasks = [
            Task(0, split, (leaf,)) for leaf in leaves for split in range(n_splits)
        ]
        return _plan(tasks, candidate_params, n_splits, leaves, plain_fits)

    # Warm-start chains: ordered by the path parameter, kept contiguous.
    chains = {}
    for leaf in leaves:
        key, param = _chain_key(leaf, keys)
        if key is not None:
            chains.setdefault(key, []).append((leaf, param))
    chain_of = {}
    ordered = []
    placed = set()
    for leaf in leaves:
        if id(leaf) in placed:
            continue
        key, _ = _chain_key(leaf, keys)
        members = chains.get(key, []) if key is not None else []
        if len(members) > 1:
            members.sort(key=lambda m: m[0].path[-1].estimator.get_params()[m[1]])
            for member, param in members:
                member.warm, member.chain = param, key
                chain_of[id(member)] = key
                placed.add(id(member))
                ordered.append(member)
        else:
            placed.add(id(leaf))
            ordered.append(leaf)

    common = _common_prefix(ordered)
    groups = {}
    for leaf in ordered:
        groups.setdefault(_group_key(leaf, common, chain_of), []).append(leaf)
    # Within a group, leaves below the same steps run one after the other, so
    # the memo of fitted steps holds what the next leaf needs.
    per_fold = [
        [leaf for unit in sorted(_units(g), key=_prefix_keys) for leaf in unit]
        for g in groups.values()
    ]
    if len(per_fold) * n_splits < n_workers:
        per_fold = _cut(per_fold, -(-n_workers // n_splits))
    tasks = [
        Task(0, split, tuple(group)) for group in per_fold for split in range(n_splits)
    ]
    return _plan(tasks, candidate_params, n_splits, leaves, plain_fits)


def _plan(tasks, candidate_params, n_splits, leaves, plain_fits):
    # Candidate-major order: the folds of a candidate are dispatched together.
    tasks.sort(
        key=lambda t: (min(c for leaf in t.leaves for c in leaf.candidates), t.split)
    )
    tasks = [Task(i, t.split, t.leaves) for i, t in enumerate(tasks)]
    return Plan(tasks, len(candidate_params), n_splits, len(leaves), plain_fits)
