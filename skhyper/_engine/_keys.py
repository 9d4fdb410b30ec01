"""Value equality: canonical keys for the plan, the branch proxies and the journal.

Two candidates, steps or inputs are the same work when their canonical keys
are equal. :func:`canonical` makes the key; :class:`KeyTable` interns keys
as small ints so that the plan and the workers compare ints, not trees.
"""

import threading

import numpy as np
from sklearn.compose import make_column_selector

from .._compat import output_config


class KeyTable:
    """Interns tuples of hashable parts as small ints; threads may share it."""

    def __init__(self):
        self.ids = {}
        self.lock = threading.Lock()

    def __call__(self, *parts):
        with self.lock:
            return self.ids.setdefault(parts, len(self.ids))


def canonical(value, keep=None):
    """A hashable form of ``value`` under which equal values compare equal.

    Estimators compare by class and parameters (recursively), arrays by dtype,
    shape and content, containers element-wise; the type is part of the key
    (``1`` and ``1.0`` differ: ``max_features=1`` is not ``max_features=1.0``).
    Anything not recognised compares by identity, so it is never merged; an
    identity key is valid only while the object lives, so ``keep`` (a list)
    receives such objects when the caller cannot otherwise keep them alive.
    """

    def by_id(obj):
        if keep is not None:
            keep.append(obj)
        return ("id", id(obj))

    def rec(v):
        return canonical(v, keep)

    if hasattr(value, "get_params") and not isinstance(value, type):
        try:
            params = value.get_params(deep=False)
        except Exception:
            return by_id(value)
        cls = type(value)
        items = tuple(sorted((k, rec(v)) for k, v in params.items()))
        config = output_config(value)
        if config:  # set_output changes what a transformer returns
            items += (("(set_output)", rec(config)),)
        return ("estimator", cls.__module__, cls.__qualname__, items)
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ("array", "O", value.shape, tuple(rec(v) for v in value.flat))
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(rec(v) for v in value))
    if isinstance(value, dict):
        items = sorted(((repr(k), rec(v)) for k, v in value.items()))
        return ("dict", tuple(items))
    if isinstance(value, set | frozenset):  # skorch's _params_to_validate
        return (type(value).__name__, tuple(sorted(map(rec, value), key=repr)))
    if isinstance(value, slice):
        return ("slice", rec(value.start), rec(value.stop), rec(value.step))
    if isinstance(value, make_column_selector):
        parts = (value.pattern, value.dtype_include, value.dtype_exclude)
        return ("column selector", tuple(rec(p) for p in parts))
    cls = type(value)
    if cls.__module__.startswith("pandas") and cls.__name__.endswith("Index"):
        parts = (value.to_numpy(), str(value.dtype), value.name)
        return ("pandas", cls.__name__, tuple(rec(p) for p in parts))
    if isinstance(value, float) and value != value:  # NaN equals NaN here
        return (type(value).__qualname__, "nan")
    try:
        hash(value)
    except TypeError:
        return by_id(value)
    return (type(value).__qualname__, value)
