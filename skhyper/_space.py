"""Candidate spaces: validation, grid expansion and sampling.

Expansion and sampling use scikit-learn's public ``ParameterGrid`` and
``ParameterSampler`` so that the candidates, and their order, are exactly
those of ``GridSearchCV`` and ``RandomizedSearchCV``. What this module adds is
validation before any fit: every value list and every parameter name is
checked against the estimator, and errors name the bad entry.
"""

import difflib
import sys
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.model_selection import ParameterGrid, ParameterSampler

from ._compat import InvalidParameterError


def _as_subgrids(space, name):
    """A dict or a list of dicts, as a list of dicts (raises otherwise)."""
    if isinstance(space, Mapping):
        subgrids = [space]
        wrapped = True
    elif isinstance(space, list):
        subgrids = space
        wrapped = False
    else:
        raise InvalidParameterError(
            f"{name} must be a dict or a list of dicts, got {space!r} "
            f"({type(space).__name__})"
        )
    if not subgrids:
        raise ValueError(f"{name} must not be an empty list, got {space!r}")
    for i, sub in enumerate(subgrids):
        where = name if wrapped else f"{name}[{i}]"
        if not isinstance(sub, Mapping):
            raise TypeError(
                f"{where} must be a dict of parameter name to values, got {sub!r} "
                f"({type(sub).__name__})"
            )
        for key in sub:
            if not isinstance(key, str):
                raise TypeError(
                    f"{where} keys must be parameter names (str), got {key!r} "
                    f"({type(key).__name__})"
                )
    return [
        (name if wrapped else f"{name}[{i}]", sub) for i, sub in enumerate(subgrids)
    ]


def _check_values(where, key, value, allow_rvs):
    label = f"{where}[{key!r}]"
    if allow_rvs and hasattr(value, "rvs"):
        if not callable(value.rvs):
            raise TypeError(f"{label}.rvs must be callable, got {value.rvs!r}")
        return
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise ValueError(
            f"{label} must be a one-dimensional list or array, got an array of "
            f"shape {value.shape}"
        )
    if isinstance(value, str | bytes) or not isinstance(value, np.ndarray | Sequence):
        expected = (
            "a non-empty list, tuple, range or 1-D array, or a distribution with "
            "an rvs(random_state=...) method"
            if allow_rvs
            else "a non-empty list, tuple, range or 1-D array"
        )
        hint = ""
        if not allow_rvs and hasattr(value, "rvs"):
            hint = " (GridTuner takes lists of values; use RandomTuner to sample "
            hint += "from distributions)"
        elif not isinstance(value, str | bytes):
            hint = "; wrap a single value in a list: [value]"
        raise TypeError(
            f"{label} must be {expected}, got {value!r} ({type(value).__name__}){hint}"
        )
    if len(value) == 0:
        raise ValueError(f"{label} must be a non-empty list, got {value!r}")


def _params_of(obj):
    get_params = getattr(obj, "get_params", None)
    if get_params is None:
        return None
    try:
        return get_params(deep=True)
    except Exception:  # an object whose get_params needs more than we know
        return None


def _check_name(where, estimator, key, sub):
    """Raise ValueError unless ``set_params(key=...)`` can work on ``estimator``.

    A key below a parameter that the same dict swaps (``{"reduce": [PCA()],
    "reduce__n_components": [2]}``) is checked against every swapped-in value.
    """
    owners = [(estimator, "")]
    rest = key
    while True:
        head, sep, tail = rest.partition("__")
        next_owners = []
        for owner, path in owners:
            params = _params_of(owner)
            if params is None:  # cannot look inside: trust set_params
                continue
            if head not in params:
                local = sorted(k for k in params if "__" not in k)
                close = difflib.get_close_matches(head, list(params), n=1)
                hint = f" Did you mean {path + close[0]!r}?" if close else ""
                raise ValueError(
                    f"{where}: {key!r} is not a parameter of the estimator: "
                    f"{type(owner).__name__} has no parameter {head!r}.{hint} "
                    f"Valid parameters of {type(owner).__name__} are: {local!r}."
                )
            if sep:
                full = path + head
                swapped = sub.get(full)
                values = (
                    list(swapped)
                    if swapped is not None and not hasattr(swapped, "rvs")
                    else [params[head]]
                )
                next_owners += [(v, full + "__") for v in values]
        if not sep:
            return
        for owner, path in next_owners:
            if _params_of(owner) is None and not hasattr(owner, "set_params"):
                raise ValueError(
                    f"{where}: {key!r} sets a parameter of {path[:-2]!r}, which is "
                    f"{owner!r} in some candidates and has no parameters"
                )
        owners, rest = next_owners, tail


def check_space(space, estimator, name, allow_rvs):
    """Validate a grid or distribution space; return it as a list of dicts."""
    subgrids = _as_subgrids(space, name)
    for where, sub in subgrids:
        for key, value in sub.items():
            _check_values(where, key, value, allow_rvs)
        for key in sorted(sub):
            _check_name(where, estimator, key, sub)
    return [sub for _, sub in subgrids]


def check_n_iter(n_iter, space, max_time):
    """``n_iter=None`` needs a budget or a finite space (its type is checked by
    the tuner's ``_parameter_constraints``)."""
    if n_iter is None and max_time is None and not is_all_lists(space):
        raise InvalidParameterError(
            "n_iter=None samples until max_time is spent or a space of lists "
            "is exhausted; this space has distributions and max_time is None. "
            "Give n_iter an int >= 1, or set max_time."
        )


def is_all_lists(space):
    """Whether no value of the space is a distribution (so it is a finite grid)."""
    subgrids = [space] if isinstance(space, Mapping) else space
    return all(not hasattr(v, "rvs") for sub in subgrids for v in sub.values())


def grid_candidates(param_grid):
    """Every candidate of a grid, in ``GridSearchCV``'s order."""
    return list(ParameterGrid(param_grid))


def sampled_candidates(param_distributions, n_iter, random_state):
    """``n_iter`` candidates drawn as ``RandomizedSearchCV`` draws them."""
    return list(
        ParameterSampler(param_distributions, n_iter, random_state=random_state)
    )


def endless_candidates(param_distributions, random_state):
    """Candidates drawn one by one: a space of lists is exhausted, without
    replacement; one with distributions never ends."""
    if is_all_lists(param_distributions):
        n_iter = len(ParameterGrid(param_distributions))
    else:
        n_iter = sys.maxsize
    return iter(
        ParameterSampler(param_distributions, n_iter, random_state=random_state)
    )
