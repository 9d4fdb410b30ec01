"""Final models kept between ``evaluate`` calls, to continue them (warm start).

A strategy that evaluates the same candidates again with a larger value of a
warm-start path parameter (successive halving with ``resource=
"n_estimators"``: 30 trees, then 90) passes ``keep=<that parameter>`` to
``evaluate``. Then:

- a leaf whose ``keep`` parameter is its final estimator's warm-start path
  (``_warm``), or a staged path that resumes models of its configuration
  (``StagedPath.resume``: scikit-learn's MLPs without early stopping,
  XGBoost's and LightGBM's boosters without sampling), and whose upstream
  steps have fixed randomness, is a chain even alone, and its worker sends
  its final model back, pickled, with the results (the workers are
  separate processes: the parent is the only place every later task can
  reach). It is pickled with cloudpickle, as the
  workers' tasks are: a class or function from the user's ``__main__``,
  which a worker received by value, has no name there to be pickled by;
- the parent keeps those models, keyed by value: the candidate's parameters
  without ``keep`` (``_keys.canonical``) and the split, for the train
  indices they were fitted on, at most ``share_memory`` bytes (past it a
  model is not kept and is refitted when needed);
- the next call hands each task the kept models its chains start from: the
  worker continues such a model (``warm_start=True``, the larger value; or
  the staged path's ``resume``) instead of fitting a fresh one, which gives
  the same model (each registry entry is tested against fresh fits).

Only the previous call's models are kept: each call starts a new generation
(what the previous one kept is freed once that call ends).
"""

import pickle

import joblib
import numpy as np

try:  # what loky and Dask pickle tasks with (joblib >= 1.6 no longer vendors it)
    import cloudpickle
except ImportError:  # pragma: no cover
    try:
        from joblib.externals import cloudpickle
    except ImportError:  # neither: the workers then pickle by name too
        cloudpickle = pickle

from ._keys import canonical
from ._staged import staged_path
from ._warm import fixed, warm_path_param


def fixed_randomness(step):
    """Whether every ``random_state`` in ``step`` (deep) is an int.

    A model is only continued on the outputs of upstream steps that are
    fitted again to the same outputs; an unset ``random_state`` may not be.
    """
    get_params = getattr(step, "get_params", None)
    if get_params is None:  # 'passthrough', None
        return True
    try:
        params = get_params(deep=True)
    except Exception:
        return False
    return all(
        fixed(value)
        for name, value in params.items()
        if name == "random_state" or name.endswith("__random_state")
    )


def keeps(leaf, keep):
    """Whether ``leaf``'s final model is kept for a later call with ``keep``."""
    if keep is None:
        return False
    final = leaf.path[-1]
    param = warm_path_param(final.estimator)
    if param is None:  # a staged path that can resume a model
        staged = staged_path(final.estimator)
        if staged is None:
            return False
        try:
            params = final.estimator.get_params(deep=False)
        except Exception:
            return False
        if not staged.resumes(params):
            return False
        param = staged.param
    expected = f"{final.name}__{param}" if leaf.pipeline else param
    if keep != expected:
        return False
    return all(fixed_randomness(step.estimator) for step in leaf.path[:-1])


def value_key(params, keep, alive):
    """A candidate's key whatever its value of ``keep``: the canonical form
    of its other parameters (objects keyed by identity go to ``alive``)."""
    rest = {name: value for name, value in params.items() if name != keep}
    return canonical(rest, alive)


def path_value(leaf):
    """The value of ``leaf``'s warm-start path parameter."""
    return leaf.path[-1].estimator.get_params(deep=False)[leaf.warm]


def dump(model):
    """``model`` pickled, classes and functions of ``__main__`` by value."""
    return cloudpickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def dump_to(obj, path):
    """``joblib.dump(obj, path)`` (arrays that can be memory-mapped), or, for
    what it cannot pickle (a ``__main__`` class in a worker), cloudpickle's
    plain pickle, which ``joblib.load`` reads too."""
    try:
        joblib.dump(obj, path)
    except Exception:
        with open(path, "wb") as file:
            cloudpickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)


def load(blob):
    return pickle.loads(blob)


class KeptModels:
    """The parent's store of final models between calls, bounded in bytes."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._new_generation(None)

    def clear(self):
        self._new_generation(None)

    def _new_generation(self, trains):
        self.models = {}  # (value key, split) -> (value, blob, fit time so far)
        self.size = 0
        self.trains = trains  # train indices of each split
        self.alive = []  # objects keyed by id in the keys: kept alive

    def _key(self, params, keep, split):
        return value_key(params, keep, self.alive), split

    def starts(self, candidate_params, keep, splits):
        """A new generation begins; return ``starts(task)``: the kept models
        of the last one that the chains of a unit (a plan's task) start from,
        or None when nothing was kept. ``build_plan`` calls it."""
        # The old keys' objects stay alive (with ``starts``) while new keys
        # are looked up: an id in a key must not be reused by a new object.
        old, old_trains, old_alive = self.models, self.trains, self.alive
        self._new_generation([train for train, _ in splits])
        if not old:
            return None
        same = [
            old_trains is not None
            and s < len(old_trains)
            and np.array_equal(old_trains[s], train)
            for s, (train, _) in enumerate(splits)
        ]

        def starts(task):
            found, seen = {}, set()
            for leaf in task.leaves if same[task.split] else ():
                if not leaf.keep or leaf.chain in seen:
                    continue
                seen.add(leaf.chain)  # the first leaf of its chain in the task
                params = candidate_params[leaf.candidates[0]]
                entry = old.get(self._key(params, keep, task.split))
                if entry is not None and entry[0] < path_value(leaf):
                    found[leaf.chain] = entry[1:]
            return found

        starts.keeps_alive = old_alive
        return starts

    def get(self, params, keep, split):
        """``(value, blob, spent)`` kept in this generation, or None."""
        return self.models.get(self._key(params, keep, split))

    def get_splits(self, params, keep, n_splits):
        """``get`` for each split ``0 .. n_splits - 1`` (the key once)."""
        if not self.models:
            return [None] * n_splits
        key, _ = self._key(params, keep, None)
        return [self.models.get((key, s)) for s in range(n_splits)]

    def same_trains(self, trains):
        """Whether this generation's models were fitted on ``trains``."""
        return (
            self.trains is not None
            and len(self.trains) == len(trains)
            and all(np.array_equal(a, b) for a, b in zip(self.trains, trains))
        )

    def put(self, params, keep, split, value, blob, spent):
        """Keep a model (unless the bytes are spent); the largest value wins."""
        key = self._key(params, keep, split)
        old = self.models.get(key)
        if old is not None:
            if old[0] >= value:
                return
            self.size -= len(old[1])
            del self.models[key]
        if self.size + len(blob) > self.max_bytes:
            return
        self.models[key] = (value, blob, spent)
        self.size += len(blob)


class KeptPool:
    """Models of earlier generations of a flight's sources, which another
    source's rows may start from (``InFlight``: a bracket's first rung
    continues the models of the same candidates at a smaller resource,
    which the bracket before evaluated in its first rungs). Every value of
    a (candidate, split) is kept, at most ``max_bytes`` in all, for models
    fitted on one set of training indices."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self.models = {}  # (value key, split) -> {value: (value, blob, spent)}
        self.trains = None
        self.alive = []

    def add(self, kept):
        """Take the models of ``kept``'s generation, which is ending."""
        if not kept.models:
            return
        if self.trains is None:
            self.trains = kept.trains
        elif not kept.same_trains(self.trains):
            return
        self.alive.extend(kept.alive)  # identity keys stay valid
        for key, entry in kept.models.items():
            values = self.models.setdefault(key, {})
            if entry[0] in values or self.size + len(entry[1]) > self.max_bytes:
                continue
            values[entry[0]] = entry
            self.size += len(entry[1])

    def below(self, params, keep, n_splits, value):
        """For each split, the kept entry of the largest value below
        ``value`` (None where there is none)."""
        if not self.models:
            return [None] * n_splits
        key = value_key(params, keep, self.alive)
        found = []
        for s in range(n_splits):
            values = self.models.get((key, s), {})
            lower = [v for v in values if v < value]
            found.append(values[max(lower)] if lower else None)
        return found
