"""Value equality: canonical keys for the plan, the branch proxies and the journal.

Two candidates, steps or inputs are the same work when their canonical keys
are equal. :func:`canonical` makes the key; :class:`KeyTable` interns keys
as small ints so that the plan and the workers compare ints, not trees.
"""

import functools
import hashlib
import importlib.metadata
import inspect
import pickle
import sys
import threading
import types

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


# -- keys that outlive the process (checkpoint rows, results across calls) ----


class Unstable(Exception):
    """A value has no key that means the same thing in another process."""


class _Sink:
    """A file-like object that feeds what is written to it into a hash."""

    def __init__(self, digest):
        self.write = digest.update


class _KeyPickler(pickle.Pickler):
    """Pickles a canonical key by content, noting the code it names.

    A function or class is pickled by name (its module and qualified name),
    and its top-level package noted, for its version; one defined in
    ``__main__`` is pickled by its source where ``inspect`` finds it (a
    script's code changes between runs under the same name), and one from
    a module without a version (the user's own, not installed) has its
    source noted too. One that has
    no name to be found by (a lambda, a function or class defined inside a
    function) raises :class:`Unstable`.
    """

    def __init__(self, sink, packages, main):
        super().__init__(sink, protocol=4)
        self.fast = True  # no memo: equal values pickle alike, shared or not
        self.packages, self.main = packages, main

    def persistent_id(self, obj):
        if not isinstance(obj, _CODE):
            return None
        name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "")
        module = getattr(obj, "__module__", None) or ""
        if "<lambda>" in name or "<locals>" in name:
            raise Unstable(
                f"{obj!r} is a lambda or a local function or class, which "
                "cannot be pickled by name"
            )
        if module == "__main__":
            return ("__main__", name, _source(obj))
        _note_code(obj, module, name, self.packages, self.main)
        return None


_CODE = (
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
)


def _note_code(obj, module, qualname, packages, sources):
    """Note the package of code named by a key; the source too, when the
    package has no version (a module of the user's own, not installed), so
    that editing it makes its rows not match."""
    top = module.partition(".")[0]
    packages.add(top)
    local = top not in sys.stdlib_module_names and top != "builtins"
    if local and obj is not None and package_version(top) is None:
        sources.add((module, qualname, _source(obj)))


@functools.lru_cache(maxsize=1024)
def _source(obj):
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # defined at a prompt or in `python -c`
        return None


def _estimator_classes(key, found):
    """The (module, qualname) of every estimator in a canonical key."""
    if isinstance(key, tuple):
        if len(key) == 4 and key[0] == "estimator" and isinstance(key[1], str):
            found.add((key[1], key[2]))
        for part in key:
            _estimator_classes(part, found)
    return found


@functools.cache
def _distributions():
    return importlib.metadata.packages_distributions()


@functools.cache
def package_version(package):
    """The version of the top-level package ``package``: its ``__version__``
    (xgboost, lightgbm, torch... have one), else its distribution's, else
    None (a local module)."""
    version = getattr(sys.modules.get(package), "__version__", None)
    if isinstance(version, str):
        return version
    for dist in _distributions().get(package, ()):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _estimator_code(module, qualname, packages, main):
    if "<locals>" in qualname:
        raise Unstable(
            f"the estimator class {module}.{qualname} is defined inside a "
            "function, so another run cannot tell whether it is the same"
        )
    if module == "__main__":
        obj = sys.modules.get("__main__")
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        main.add(("__main__", qualname, None if obj is None else _source(obj)))
    else:
        obj = sys.modules.get(module)
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        _note_code(obj, module, qualname, packages, main)


def persistent_key(value):
    """A digest of ``value`` that means the same in any process, or Unstable.

    Equal to another process's digest when the canonical keys are equal, the
    code they name is the same (functions and classes by module and name,
    ``__main__``'s by source) and so are the versions of the packages that
    code comes from. Raises :class:`Unstable`, saying why, when ``value``
    holds something compared by identity (it has no content key) or code
    that cannot be found by name.
    """
    alive = []
    key = canonical(value, alive)
    if alive:
        obj = alive[0]
        raise Unstable(
            f"{_short_repr(obj)} ({type(obj).__name__}) has no content key "
            "(it can only be compared by identity)"
        )
    packages, main = set(), set()
    digest = hashlib.sha1()
    try:
        _KeyPickler(_Sink(digest), packages, main).dump(key)
    except Unstable:
        raise
    except Exception as exc:  # PicklingError, TypeError, RecursionError...
        raise Unstable(f"a value cannot be pickled by content ({exc})") from None
    for module, qualname in _estimator_classes(key, set()):
        _estimator_code(module, qualname, packages, main)
    versions = sorted((p, package_version(p)) for p in packages)
    digest.update(repr((versions, sorted(main, key=repr))).encode())
    return digest.hexdigest()


def _short_repr(obj, limit=80):
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."
