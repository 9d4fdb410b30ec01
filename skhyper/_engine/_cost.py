"""What the work of a search costs, measured while it runs.

Each finished task reports the seconds its worker spent on every step it
fitted (fit and transform of the train and test data) and on every leaf's
final step (fit and score). Those seconds predict the rest of the search:

- a step already measured on one fold costs about as much on the others
  (the same step, the same parameters, data of the same size);
- a leaf not measured yet costs about what the measured leaves with the same
  final estimator class cost (their mean), or, failing that, what all
  measured leaves cost.

Before any measurement, a step is cheap if its class is in the list of
steps known to be cheap (:data:`._schedule.CHEAP_STEPS`, the prior), and
otherwise unknown, which the scheduler treats as expensive; a leaf is
unknown, which the scheduler treats as worth a task of its own. One
``Costs`` lives as long as a ``fit``, so that a strategy asking in rounds
(successive halving, model-based search) plans its later rounds with what
the earlier ones measured.
"""

import threading
from collections import defaultdict

# A step that takes at most this long (fit and transform) is cheap to
# repeat in another task: spreading its leaves over the workers is worth
# more than fitting it once per fold.
CHEAP_STEP = 0.02  # seconds


class Costs:
    """Measured seconds of steps and leaves, and predictions from them.

    Thread-safe: tasks are cut in joblib's dispatching threads while results
    are recorded in the main thread.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._steps = {}  # step key -> [total seconds, count]
        self._leaves = defaultdict(lambda: [0.0, 0])  # final class -> [sum, n]
        self._all = [0.0, 0]  # every measured leaf

    def learn(self, steps=(), leaves=()):
        """Record ``(step key, seconds)`` and ``(final class, seconds)`` pairs."""
        with self._lock:
            for key, seconds in steps:
                entry = self._steps.setdefault(key, [0.0, 0])
                entry[0] += seconds
                entry[1] += 1
            for shape, seconds in leaves:
                entry = self._leaves[shape]
                entry[0] += seconds
                entry[1] += 1
                self._all[0] += seconds
                self._all[1] += 1

    def step(self, step):
        """Predicted seconds of ``step`` on a fold: measured, 0 for a step
        of the prior's cheap classes, None when unknown."""
        with self._lock:
            entry = self._steps.get(step.key)
        if entry is not None:
            return entry[0] / entry[1]
        if step.is_cheap:
            return 0.0
        return None

    def step_is_cheap(self, step):
        """Whether repeating ``step`` in another task costs little."""
        seconds = self.step(step)
        return seconds is not None and seconds <= CHEAP_STEP

    def leaf(self, leaf):
        """Predicted seconds of ``leaf``'s final step on a fold, or None."""
        with self._lock:
            total, n = self._leaves.get(shape_of(leaf), (0.0, 0))
            if n == 0:
                total, n = self._all
        return total / n if n else None

    def leaf_mean(self):
        """Mean seconds of every measured leaf, or None."""
        with self._lock:
            total, n = self._all
        return total / n if n else None


def shape_of(leaf):
    """What leaves are compared by to predict one's cost: the final class."""
    final = leaf.path[-1].estimator
    cls = type(final)
    return cls.__module__, cls.__qualname__
