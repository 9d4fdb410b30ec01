"""Array utilities of the engine: equality by value, size, read-only sharing.

Outputs kept for reuse are frozen (read-only) so that a step writing into
its input cannot corrupt what the next candidate sees; :func:`writable`
retries a call on a writable copy when an estimator insists on writing.
"""

import numpy as np
import scipy.sparse as sp


def same(a, b):
    """Whether two inputs are equal by value (False when unsure)."""
    if a is b:
        return True
    try:
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            if a.shape != b.shape or a.dtype != b.dtype:
                return False
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        if sp.issparse(a) and sp.issparse(b):
            if a.format != b.format or a.shape != b.shape or a.dtype != b.dtype:
                return False
            return (a != b).nnz == 0
        if hasattr(a, "equals") and type(a) is type(b):  # pandas
            columns = getattr(a, "columns", None), getattr(b, "columns", None)
            if columns[0] is not None and not columns[0].equals(columns[1]):
                return False
            return bool(a.equals(b) and a.index.equals(b.index))
    except Exception:
        return False
    return False


def nbytes(data):
    """Bytes held by an array, sparse matrix or DataFrame (0 if unknown)."""
    if data is None:
        return 0
    if hasattr(data, "nbytes"):
        return int(data.nbytes)
    if hasattr(data, "data") and hasattr(data, "indices"):  # scipy.sparse
        return int(data.data.nbytes + data.indices.nbytes + data.indptr.nbytes)
    if hasattr(data, "memory_usage"):  # pandas
        return int(data.memory_usage(deep=False).sum())
    return 0


def _frozen(data):
    if isinstance(data, np.ndarray):
        return not data.flags.writeable
    return sp.issparse(data) and not getattr(data, "data", np.empty(0)).flags.writeable


def thaw(data):
    """A writable copy of frozen data; anything else as it is."""
    return data.copy() if _frozen(data) else data


def writable(call, X):
    """``call(X)``, called again on a writable copy of ``X`` if it failed
    because ``X`` is read-only (an estimator writing into its input without
    scikit-learn's ``force_writeable`` check, e.g. ``KMeans(copy_x=False)``)."""
    try:
        return call(X)
    except ValueError as exc:
        if "read-only" not in str(exc) or not _frozen(X):
            raise
    return call(thaw(X))


def shape_of(X):
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            return (len(X),)
        except TypeError:
            return None
    return tuple(shape)


def freeze(data):
    """Make an array (or a sparse matrix's arrays) read-only, in place.

    Shared outputs feed several steps; one that writes into its input must
    copy it first, as scikit-learn's estimators do with read-only data
    (``force_writeable``).
    """
    if isinstance(data, np.ndarray):
        data.flags.writeable = False
    elif sp.issparse(data):
        for name in ("data", "indices", "indptr", "row", "col", "offsets"):
            part = getattr(data, name, None)
            if isinstance(part, np.ndarray):
                part.flags.writeable = False
    return data
