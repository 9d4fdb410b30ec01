"""How a plan's leaves are cut into tasks.

Leaves are grouped below the steps that all of them share when those steps
are cheap to repeat (scalers and the like), so that there are enough tasks
to keep workers busy (a worker keeps such steps' outputs for the next tasks
of the same fold, see ``_store``); an expensive shared step keeps its fold's
leaves in one task so that it is fitted once per fold. When there are fewer
tasks than workers, the largest tasks are cut, repeating their shared steps.

Which steps are cheap is a list of classes (:data:`CHEAP_STEPS`), extended
with :func:`skhyper.extend.register_cheap_step`.
"""

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
    return type(est) in CHEAP_STEPS


def add_cheap_step(cls):
    """Declare ``cls`` cheap to repeat (see the module docstring)."""
    if not isinstance(cls, type):
        raise TypeError(
            f"register_cheap_step takes an estimator class, got {cls!r} "
            f"({type(cls).__name__})"
        )
    if cls not in CHEAP_STEPS:
        CHEAP_STEPS.append(cls)


def group_key(leaf, common, chain_of):
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


def common_prefix(leaves):
    paths = [leaf.path for leaf in leaves if leaf.pipeline]
    if not paths:
        return 0
    n = min(len(p) for p in paths) - 1  # the final step is never common work
    for i in range(n):
        if len({p[i].key for p in paths}) > 1:
            return i
    return n


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
