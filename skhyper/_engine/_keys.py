"""Value equality: canonical keys for the plan, the branch proxies and the journal.

Two candidates, steps or inputs are the same work when their canonical keys
are equal. :func:`canonical` makes the key; :class:`KeyTable` interns keys
as small ints so that the plan and the workers compare ints, not trees.

A key holds everything that can change what a fit, transform or score
computes: the class and parameters of an estimator, the state that
``clone`` carries (the fitted model inside a ``FrozenEstimator``, by
content), the metadata requests set on it (``set_fit_request``...), its
``set_output`` configuration and, in :func:`persistent_key`, the code. A
value that cannot be keyed soundly (an estimator whose own
``__sklearn_clone__`` carries state we cannot read, a request that is not
plain data, a cycle) is compared by identity, which makes it distinct work:
never merged with another, never journaled; :class:`Unkeyed` says why.
"""

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
import threading
import types

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import make_column_selector
from sklearn.frozen import FrozenEstimator

from .._compat import metadata_request_of, output_config, scorer_state
from ._code import imports_in, module_file, not_the_file


class KeyTable:
    """Interns tuples of hashable parts as small ints; threads may share it."""

    def __init__(self):
        self.ids = {}
        self.lock = threading.Lock()

    def __call__(self, *parts):
        with self.lock:
            return self.ids.setdefault(parts, len(self.ids))


class Unkeyed:
    """What ``canonical`` puts in ``keep`` for an object that it could have
    keyed by content but cannot soundly: the object (kept alive) and why."""

    def __init__(self, obj, reason):
        self.obj, self.reason = obj, reason


_BASE_CLONE = BaseEstimator.__sklearn_clone__


def _own_clone(cls):
    """Whether ``clone`` of a ``cls`` is not ``cls(**get_params())`` (plus
    the metadata requests): the class defines its own ``__sklearn_clone__``."""
    method = getattr(cls, "__sklearn_clone__", None)
    return method is not None and method is not _BASE_CLONE


def canonical(value, keep=None):
    """A hashable form of ``value`` under which equal values compare equal.

    Estimators compare by class and parameters (recursively), metadata
    requests and output configuration; a ``FrozenEstimator`` by the whole
    fitted state of what it wraps. Arrays compare by dtype, shape and
    content, containers element-wise; the type is part of the key (``1`` and
    ``1.0`` differ: ``max_features=1`` is not ``max_features=1.0``).
    Anything not recognised, or not keyable soundly, compares by identity, so
    it is never merged; an identity key is valid only while the object lives,
    so ``keep`` (a list) receives such objects (as :class:`Unkeyed` when
    there is a reason to give) when the caller cannot otherwise keep them
    alive.
    """
    return _key(value, keep, None)


def _key(value, keep, state):
    """``canonical``; ``state`` is None outside a fitted state, else the ids
    of the objects being keyed by their whole ``__dict__`` (for cycles)."""

    def by_id(obj, reason=None):
        if keep is not None:
            keep.append(obj if reason is None else Unkeyed(obj, reason))
        return ("id", id(obj))

    def rec(v):
        return _key(v, keep, state)

    if isinstance(value, type):
        pass
    elif state is not None and hasattr(value, "get_params"):
        return _state_key(value, keep, state, by_id)
    elif hasattr(value, "get_params"):
        cls = type(value)
        if isinstance(value, FrozenEstimator):
            return _state_key(value, keep, set(), by_id)
        if _own_clone(cls):
            return by_id(
                value,
                f"{_short_repr(value)} ({cls.__name__}) defines its own "
                "__sklearn_clone__, so clone may carry state that its "
                "parameters do not show",
            )
        try:
            params = value.get_params(deep=False)
        except Exception as exc:
            return by_id(value, f"{cls.__name__}.get_params failed ({exc!r})")
        items = tuple(sorted((k, rec(v)) for k, v in params.items()))
        config = output_config(value)
        if config:  # set_output changes what a transformer returns
            items += (("(set_output)", rec(config)),)
        try:
            request = metadata_request_of(value)
        except Exception as exc:
            return by_id(value, f"its metadata request cannot be read ({exc})")
        if request is not None:  # routed metadata changes what fit receives
            items += (("(metadata request)", rec(request)),)
        return ("estimator", cls.__module__, cls.__qualname__, items)
    scorer = scorer_state(value)
    if scorer is not None:  # by content, not by the (cyclic) pickle of it
        cls = type(value)
        try:
            request = metadata_request_of(value)
        except Exception as exc:
            return by_id(value, f"its metadata request cannot be read ({exc})")
        scorer.pop("_metadata_request", None)
        items = tuple(sorted((k, rec(v)) for k, v in scorer.items()))
        if request is not None:
            items += (("(metadata request)", rec(request)),)
        return ("scorer", cls.__module__, cls.__qualname__, items)
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
    if state is not None and isinstance(value, np.random.RandomState):
        return ("RandomState", rec(value.get_state(legacy=False)))
    try:
        hash(value)
    except TypeError:
        return by_id(value)
    return (type(value).__qualname__, value)


def _state_key(value, keep, state, by_id):
    """The key of an estimator by its whole ``__dict__``: the parameters and
    every fitted attribute, arrays by content, estimators inside likewise."""
    cls = type(value)
    if id(value) in state:
        return by_id(value, f"the fitted state of {cls.__name__} refers to itself")
    if _own_clone(cls) and not isinstance(value, FrozenEstimator):
        return by_id(
            value,
            f"{_short_repr(value)} ({cls.__name__}) defines its own "
            "__sklearn_clone__, so clone may carry state that its "
            "parameters do not show",
        )
    inner = state | {id(value)}
    items = []
    try:
        attrs = vars(value)
    except TypeError:
        return by_id(value, f"{cls.__name__} has no __dict__ to key its state by")
    for name, attr in attrs.items():
        if name == "_metadata_request":
            try:
                attr = metadata_request_of(value)
            except Exception as exc:
                return by_id(value, f"its metadata request cannot be read ({exc})")
        try:
            items.append((name, _key(attr, keep, inner)))
        except RecursionError:
            return by_id(value, f"the fitted state of {cls.__name__} is too deep")
    items = (("(state)", tuple(sorted(items))),)
    return ("estimator", cls.__module__, cls.__qualname__, items)


# -- keys that outlive the process (checkpoint rows, results across calls) ----


class Unstable(Exception):
    """A value has no key that means the same thing in another process."""


class _Sink:
    """A file-like object that feeds what is written to it into a hash."""

    def __init__(self, digest):
        self.write = digest.update


class _KeyPickler(pickle.Pickler):
    """Pickles a canonical key by content, noting the code it names.

    A function or class is pickled by name (its module and qualified name)
    and noted: see :func:`_note_code`. One that has no name to be found by
    (a lambda, a function or class defined inside a function) raises
    :class:`Unstable`.
    """

    def __init__(self, sink, packages, sources):
        super().__init__(sink, protocol=4)
        self.fast = True  # no memo: equal values pickle alike, shared or not
        self.packages, self.sources = packages, sources

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
        _note_code(obj, module, name, self.packages, self.sources)
        if module == "__main__":  # pickled by name; its source is noted
            return ("__main__", name)
        return None


_CODE = (
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
)


def _is_local(module):
    """Whether ``module`` is code of the user's own: not in the standard
    library and not in an installed distribution with a version."""
    top = module.partition(".")[0]
    if not top or top in sys.stdlib_module_names or top == "builtins":
        return False
    return top == "__main__" or package_version(top) is None


def _note_code(obj, module, qualname, packages, sources):
    """Note what a key's code depends on: the top-level package of ``obj``
    and of every class in its MRO (for their versions) and, for those from
    no versioned distribution (``__main__``, the user's own modules), the
    whole source of their modules and of the user's modules those import,
    so that editing a base class, a helper or a constant makes rows not
    match. Raises :class:`Unstable` for such code with no source file."""
    classes = obj.__mro__ if isinstance(obj, type) else (obj,)
    for cls in classes:
        mod = getattr(cls, "__module__", None) or module
        packages.add(mod.partition(".")[0])
        if _is_local(mod):
            _note_module(mod, cls, sources, set())


def _note_module(name, obj, sources, seen):
    if name in seen:
        return
    seen.add(name)
    module = sys.modules.get(name)
    path = module_file(name)
    digest = _file_digest(path) if isinstance(path, str) else None
    if digest is None:
        what = getattr(obj, "__qualname__", None) or repr(obj)
        raise Unstable(
            f"{name}.{what} comes from code with no source file (a notebook, "
            "a prompt, `python -c`), so another run cannot tell whether it "
            "is the same code"
        )
    if module is not None:
        why = not_the_file(module, path)
        if why is not None:
            raise Unstable(
                f"the module {name} was edited after it was imported ({why}): "
                "the code running is not its file's, so its scores cannot be "
                "keyed by the file (reload the module, or restart)"
            )
    sources.add((name, digest))
    # The user's modules this one reads from: imported modules, the modules
    # of the functions and classes it imported by name, and every module its
    # source imports anywhere (inside a function too, loaded or not yet).
    others = {}
    if module is not None:
        for value in list(vars(module).values()):
            if isinstance(value, types.ModuleType):
                others.setdefault(value.__name__, value)
            elif isinstance(value, type | types.FunctionType):
                other = getattr(value, "__module__", None)
                if isinstance(other, str):
                    others.setdefault(other, value)
    package = getattr(module, "__package__", None) or name.rpartition(".")[0]
    for other in imports_in(path, package):
        if other not in others and _is_local(other) and module_file(other):
            others[other] = other
    for other, value in others.items():
        if other not in seen and _is_local(other):
            _note_module(other, value, sources, seen)


_FILES = {}  # (path, mtime_ns, size) -> digest of the file's bytes
_FILES_LOCK = threading.Lock()


def _file_digest(path):
    """sha1 of a source file's bytes, cached by path, mtime and size; None
    when there is no such file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    cache_key = (path, stat.st_mtime_ns, stat.st_size)
    with _FILES_LOCK:
        digest = _FILES.get(cache_key)
    if digest is None:
        try:
            with open(path, "rb") as f:
                digest = hashlib.sha1(f.read()).hexdigest()
        except OSError:
            return None
        with _FILES_LOCK:
            _FILES[cache_key] = digest
    return digest


def _estimator_classes(key, found):
    """The (module, qualname) of every estimator or scorer in a canonical key."""
    if isinstance(key, tuple):
        if (
            len(key) == 4
            and key[0] in ("estimator", "scorer")
            and isinstance(key[1], str)
        ):
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


def _estimator_code(module, qualname, packages, sources):
    if "<locals>" in qualname:
        raise Unstable(
            f"the estimator class {module}.{qualname} is defined inside a "
            "function, so another run cannot tell whether it is the same"
        )
    obj = sys.modules.get(module)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if obj is None:
        raise Unstable(f"the class {module}.{qualname} cannot be found by name")
    _note_code(obj, module, qualname, packages, sources)


def persistent_key(value):
    """A digest of ``value`` that means the same in any process, or Unstable.

    Equal to another process's digest when the canonical keys are equal, the
    code they name is the same (by the versions of the packages it comes
    from; for the user's own code, by the source of its modules) and so are
    the versions of the packages that code comes from. Raises
    :class:`Unstable`, saying why, when ``value`` holds something compared
    by identity (it has no content key) or code that cannot be found by
    name or whose source cannot be read.
    """
    digest, sources = persistent_parts(value)
    return hashlib.sha1(repr((digest, sorted(sources))).encode()).hexdigest()


def persistent_parts(value):
    """``(digest, sources)``: :func:`persistent_key` in two parts, the
    digest of all but the user's code, and that code as a set of ``(module
    name, digest of its source file)``. Raises :class:`Unstable`."""
    alive = []
    key = canonical(value, alive)
    if alive:
        obj = alive[0]
        if isinstance(obj, Unkeyed):
            raise Unstable(obj.reason)
        raise Unstable(
            f"{_short_repr(obj)} ({type(obj).__name__}) has no content key "
            "(it can only be compared by identity)"
        )
    packages, sources = set(), set()
    digest = hashlib.sha1()
    try:
        _KeyPickler(_Sink(digest), packages, sources).dump(key)
    except Unstable:
        raise
    except Exception as exc:  # PicklingError, TypeError, RecursionError...
        raise Unstable(f"a value cannot be pickled by content ({exc})") from None
    for module, qualname in _estimator_classes(key, set()):
        _estimator_code(module, qualname, packages, sources)
    versions = sorted((p, package_version(p)) for p in packages)
    digest.update(repr(versions).encode())
    return digest.hexdigest(), frozenset(sources)


def unkeyed_reason(kept):
    """The first reason among what :func:`canonical` put in ``kept``."""
    for obj in kept:
        if isinstance(obj, Unkeyed):
            return obj.reason
    return None


def _short_repr(obj, limit=80):
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."
