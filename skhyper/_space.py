"""Candidate spaces: validation, grid expansion and sampling.

Expansion and sampling use scikit-learn's public ``ParameterGrid`` and
``ParameterSampler`` so that the candidates, and their order, are exactly
those of ``GridSearchCV`` and ``RandomizedSearchCV``. What this module adds is
validation before any fit: every value list and every parameter name is
checked against the estimator, and errors name the bad entry.
"""

import difflib
import sys
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, ParameterSampler

from ._compat import InvalidParameterError


def _as_subgrids(space, name):
    """A dict or a list of dicts, as ``[(where, dict)]`` (raises otherwise).

    The type of ``space`` itself is checked by the tuner's
    ``_parameter_constraints``; the messages below for its entries start with
    scikit-learn's own sentence (``ParameterGrid`` / ``ParameterSampler``),
    so code written against scikit-learn's errors keeps working.
    """
    wrapped = isinstance(space, Mapping)
    subgrids = [space] if wrapped else list(space)
    if not subgrids:
        raise ValueError(f"{name} must not be an empty list, got {space!r}")
    what = "grid" if name == "param_grid" else "distribution"
    for i, sub in enumerate(subgrids):
        where = name if wrapped else f"{name}[{i}]"
        if not isinstance(sub, Mapping):
            raise TypeError(
                f"Parameter {what} is not a dict ({sub!r}) ({where} must be a dict "
                f"of parameter name to values, got {type(sub).__name__})"
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
    if isinstance(value, np.ndarray) and value.ndim == 0:
        # scikit-learn's ParameterGrid fails on len(): a TypeError
        raise TypeError(
            f"Parameter grid for parameter {key!r} needs to be a list or a numpy "
            f"array of one dimension, but got {value!r}, a 0-dimensional array. "
            f"({label}: wrap a single value in a list: [value].)"
        )
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise ValueError(
            f"Parameter array for {key!r} should be one-dimensional, got: "
            f"{value!r} with shape {value.shape} ({label})"
        )
    if isinstance(value, str | bytes) or not isinstance(value, np.ndarray | Sequence):
        if allow_rvs:
            expected = (
                f"{label} must be a non-empty list, tuple, range or 1-D array, or a "
                "distribution with an rvs(random_state=...) method"
            )
            if isinstance(value, str | bytes) or isinstance(value, Iterable):
                # scikit-learn takes it, then samples characters or fails
                raise TypeError(f"{expected}, got {value!r} ({type(value).__name__}).")
            raise TypeError(
                f"Parameter grid for parameter {key!r} is not iterable or a "
                f"distribution (value={value}). ({expected}; wrap a single value "
                "in a list: [value].)"
            )
        hint = "wrap a single value in a list: [value]"
        if hasattr(value, "rvs"):
            hint = "GridTuner takes lists of values; use RandomTuner to sample from "
            hint += "distributions"
        raise TypeError(
            f"Parameter grid for parameter {key!r} needs to be a list or a numpy "
            f"array, but got {value!r} (of type {type(value).__name__}) instead. "
            "Single values need to be wrapped in a list with one element. "
            f"({label}: {hint}.)"
        )
    if len(value) == 0:
        raise ValueError(
            f"Parameter grid for parameter {key!r} need to be a non-empty sequence, "
            f"got: {value!r} ({label} must hold at least one value)"
        )


def _params_of(obj):
    get_params = getattr(obj, "get_params", None)
    if get_params is None:
        return None
    try:
        return get_params(deep=True)
    except Exception:  # an object whose get_params needs more than we know
        return None


def _values(space_value):
    """Values to try ``set_params`` with: the list, or one draw."""
    if hasattr(space_value, "rvs"):
        try:
            return [space_value.rvs(random_state=0)]
        except Exception:  # sampling is checked when the search samples
            return []
    return list(space_value)


def _set_params_takes(ancestor, ancestor_path, owner, path, key, values):
    """Whether scikit-learn's way of setting ``key`` works below ``ancestor``.

    On a clone of ``ancestor``: set ``owner`` where it sits (it may be a value
    the grid swaps in), then ``key`` with every value. The test of last
    resort for estimators that route keys in their own ``set_params``
    (skorch's ``module__*``, scikeras's ``model__*``, minimal estimators that
    take any key): scikit-learn's search sets parameters this way, so what
    passes here is what it runs.
    """
    try:
        trial = clone(ancestor, safe=False)
        if path != ancestor_path:
            where = path[len(ancestor_path) : -2]
            trial.set_params(**{where: clone(owner, safe=False)})
        for value in values:
            trial.set_params(**{key[len(ancestor_path) :]: clone(value, safe=False)})
    except Exception:
        return False
    return True


def _check_name(where, estimator, key, sub):
    """Raise ValueError unless ``set_params(key=...)`` can work on ``estimator``.

    The key is walked down ``get_params``: each part must be a parameter of
    its owner. A key below a parameter that the same dict swaps
    (``{"reduce": [PCA()], "reduce__n_components": [2]}``) is checked against
    every swapped-in value. Where the walk finds no such parameter, the
    nearest owner with a ``set_params`` is asked on a clone (its own
    ``set_params`` may route the key, as skorch's does); only if it refuses
    is the key refused.
    """
    parts = key.split("__")
    swapped = any("__".join(parts[:i]) in sub for i in range(1, len(parts)))
    if not swapped and key in (_params_of(estimator) or {}):
        return  # listed by get_params(deep=True): set_params takes it
    # (owner, path to it, owners above it with their paths)
    owners = [(estimator, "", ())]
    rest = key
    while True:
        head, sep, tail = rest.partition("__")
        next_owners = []
        for owner, path, above in owners:
            params = _params_of(owner)
            if params is None:
                if not hasattr(owner, "set_params") and not _trusted(
                    above, owner, path, key, sub
                ):
                    raise ValueError(
                        f"{where}: {key!r} sets a parameter of {path[:-2]!r}, which "
                        f"is {owner!r} in some candidates and has no parameters"
                    )
                continue  # cannot look inside: trust its set_params
            if head not in params:
                if _trusted(above, owner, path, key, sub):
                    continue
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
                chain = above + ((owner, path),)
                next_owners += [(v, full + "__", chain) for v in values]
        if not sep:
            return
        owners, rest = next_owners, tail


def _trusted(chain, owner, path, key, sub):
    """Whether the nearest object with a ``set_params`` at or above ``owner``
    (``chain`` holds those above, outermost first) takes ``key``."""
    values = _values(sub[key])
    for ancestor, ancestor_path in reversed(chain + ((owner, path),)):
        if hasattr(ancestor, "set_params") and not isinstance(ancestor, type):
            return _set_params_takes(ancestor, ancestor_path, owner, path, key, values)
    return False


def check_space(space, estimator, name, allow_rvs):
    """Validate a grid or distribution space; return it as a list of dicts."""
    subgrids = _as_subgrids(space, name)
    for where, sub in subgrids:
        for key, value in sub.items():
            _check_values(where, key, value, allow_rvs)
        for key in sorted(sub):
            _check_name(where, estimator, key, sub)
    return [sub for _, sub in subgrids]


def check_distributions(param_distributions, estimator, n_iter, max_time):
    """What :class:`RandomTuner` and :class:`BayesTuner` check before any fit:
    ``n_iter`` against the space, then the space (distributions allowed)."""
    check_n_iter(n_iter, param_distributions, max_time)
    check_space(param_distributions, estimator, "param_distributions", allow_rvs=True)


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
