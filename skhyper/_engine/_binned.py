"""Histogram gradient boosting's training data, binned once per worker.

``HistGradientBoostingClassifier`` and ``...Regressor`` start every ``fit``
by binning their training data (quantiles of every feature, then each value
mapped to its bin), a warm start included. The bins depend only on the data,
the sample weights and the bin mapper's settings (``max_bins``, the
categorical features, the seed that subsamples more than 200,000 rows): the
same fold binned for another candidate, or for a survivor grown from its
rung, is the same work. On the small folds of a search it is half the cost
of a one-tree fit, so a halving or Hyperband schedule, which makes many
short fits, paid for it again and again.

:func:`binned_once` hooks the estimator's ``_bin_data`` for one ``fit``: the
first fit of a (data, weights, settings) bins as usual and the worker keeps
a copy of the fitted bin mapper and the binned data; a later fit that asks
for exactly those gets copies of them. The key is the content (a digest of
the array bytes, dtype and shape), never an object's identity, so a hit is
the result that binning would compute. Where anything is unusual (another
class, a subclass that overrides ``_bin_data``, ``verbose``, a scikit-learn
whose ``_bin_data`` is not the one checked) the fit bins as it always does.

``_bin_data(self, X, [sample_weight,] is_training_data)`` is private;
checked on scikit-learn 1.6.1 (no ``sample_weight``) and 1.9.1.
"""

import copy
import hashlib
import inspect
import threading
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

try:  # private: where it is not what was checked, nothing is hooked
    from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import (
        BaseHistGradientBoosting,
    )

    _BIN_DATA = BaseHistGradientBoosting._bin_data
    _PARAMS = tuple(inspect.signature(_BIN_DATA).parameters)
except (ImportError, AttributeError, TypeError, ValueError):
    _BIN_DATA, _PARAMS = None, ()

_CLASSES = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
_KNOWN = {
    ("self", "X", "is_training_data"),
    ("self", "X", "sample_weight", "is_training_data"),
}


class BinCache:
    """Least-recently-used ``key -> (fitted bin mapper, binned data)``,
    bounded in bytes; threads of a process share it, and one of them bins a
    key while the others that want it wait."""

    def __init__(self):
        self.items = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.pending = {}  # key -> Event, set when its binning ends
        self.hits = self.misses = 0

    def get(self, key):
        """The item kept for ``key``, or None: then this thread bins it, and
        calls :meth:`done` after; a thread that asks for a key another is
        binning waits for it instead of binning it again."""
        while True:
            with self.lock:
                item = self.items.get(key)
                if item is not None:
                    self.items.move_to_end(key)
                    self.hits += 1
                    return item
                busy = self.pending.get(key)
                if busy is None:
                    self.pending[key] = threading.Event()
                    self.misses += 1
                    return None
            busy.wait()  # then kept (a hit), or not (too large, or failed)

    def done(self, key):
        """This thread's binning of ``key`` ended, kept or not."""
        with self.lock:
            busy = self.pending.pop(key, None)
        if busy is not None:
            busy.set()

    def put(self, key, item, max_bytes):
        nbytes = item[1].nbytes
        with self.lock:
            if key in self.items or nbytes > max_bytes:
                return
            while self.items and self.size + nbytes > max_bytes:
                _, (_, old) = self.items.popitem(last=False)
                self.size -= old.nbytes
            self.items[key] = item
            self.size += nbytes

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0


CACHE = BinCache()


def _feed(digest, value):
    """Add ``value`` to ``digest``: arrays by dtype, shape and bytes; lists,
    tuples and dicts item by item; anything else by type and repr."""
    if isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        if value.dtype.hasobject:
            digest.update(repr(value.tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(value).data)
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(f"d{len(value)}".encode())
        for name in sorted(value):
            _feed(digest, name)
            _feed(digest, value[name])
    else:
        digest.update(f"{type(value).__qualname__}:{value!r};".encode())


def _key(mapper, X, sample_weight):
    """The digest of what binning computes from, or None if unsure."""
    if not isinstance(X, np.ndarray) or X.dtype.hasobject:
        return None
    params = mapper.get_params()
    params.pop("n_threads", None)  # how many threads, not what they compute
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, (type(mapper).__qualname__, params, X, sample_weight))
    return digest.digest()


def hooked(model):
    """Whether :func:`binned_once` would hook ``model``'s binning."""
    return (
        _BIN_DATA is not None
        and _PARAMS in _KNOWN
        and isinstance(model, _CLASSES)
        and getattr(type(model), "_bin_data", None) is _BIN_DATA
        and not getattr(model, "verbose", 0)
        and "_bin_data" not in vars(model)
    )


@contextmanager
def binned_once(model, max_bytes):
    """While ``model`` fits, its training data is binned once per worker (see
    the module's docstring); ``max_bytes`` bounds what the worker keeps (0:
    nothing, every fit bins)."""
    if max_bytes <= 0 or not hooked(model):
        yield
        return

    def bin_data(*args, **kwargs):
        arguments = dict(zip(_PARAMS[1:], args), **kwargs)
        if not arguments.get("is_training_data"):
            return _BIN_DATA(model, *args, **kwargs)
        mapper = model._bin_mapper
        key = _key(mapper, arguments["X"], arguments.get("sample_weight"))
        if key is None:
            return _BIN_DATA(model, *args, **kwargs)
        item = CACHE.get(key)
        if item is not None:
            fitted, binned = item
            model._bin_mapper = copy.deepcopy(fitted)
            return binned.copy(order="K")
        try:
            binned = _BIN_DATA(model, *args, **kwargs)
            kept = (copy.deepcopy(model._bin_mapper), binned.copy(order="K"))
            CACHE.put(key, kept, max_bytes)
        finally:
            CACHE.done(key)
        return binned

    model._bin_data = bin_data  # the instance's, not the class's
    try:
        yield
    finally:
        vars(model).pop("_bin_data", None)
