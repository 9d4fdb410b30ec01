"""A RandomTuner space as Optuna distributions, and Optuna's values back.

:func:`compile_space` turns ``param_distributions`` (a dict or a list of
dicts, as :class:`~skhyper.RandomTuner` takes it) into a :class:`Space`
that asks an Optuna trial for one candidate. Each value of the space
becomes one Optuna parameter:

- a list, tuple, range or 1-D array: a categorical parameter over the
  *indices* of its values (any value works, estimators swapped into a
  pipeline included); the candidate gets the value itself;
- ``scipy.stats.uniform``: a float on its support;
- ``scipy.stats.loguniform`` (or ``reciprocal``): a float on its support,
  on a log scale;
- ``scipy.stats.randint``: an int on its support;
- any other distribution with a ``ppf`` (continuous or discrete, scipy's or
  not): its quantile, a float in [0, 1], mapped through ``ppf``; a
  discrete distribution's values are ints;
- an object with only ``rvs``: drawn by its ``rvs`` from a random state
  seeded by the tuner's seed and the trial number. The sampler does not
  model it (it cannot: nothing maps a number to its values).

A list of dicts is a conditional space: a categorical parameter
``"subspace"`` picks the dict (by index), then that dict's parameters are
asked, named ``"<index>:<name>"`` so that equal names in different dicts
stay different parameters. A single dict's parameters keep their names.

It asks trials through Optuna's public ``suggest_*`` methods and imports
nothing from Optuna, so spaces are checked (before any fit) without it.
"""

import numbers
from collections.abc import Mapping

import numpy as np
from scipy import stats

SUBSPACE = "subspace"
# Quantiles are kept this far from 0 and 1, where ppf is infinite for
# distributions with unbounded support.
EPS = 1e-12
# Relative tolerance telling a log-uniform loguniform (loc=0) from a
# shifted one, which is modelled through its quantile instead.
LOG_TOL = 1e-9


def _where(name, i, n_subspaces):
    return name if n_subspaces == 1 else f"{name}[{i}]"


def _is_sequence(value):
    return not hasattr(value, "rvs")


def _value_type(dist):
    """The type ``dist.rvs`` returns (np.float64, int...), for ``ppf`` values."""
    try:
        kind = type(dist.rvs(random_state=0))
    except Exception:
        return None
    return kind if issubclass(kind, numbers.Number) else None


class _Dimension:
    """One parameter of the space: how to ask a trial for it, and decode it."""

    def __init__(self, key, suggest=None, decode=None, unmodelled=None, by=None):
        self.key = key  # the estimator's parameter name
        self.suggest = suggest  # trial -> Optuna's value
        self.decode = decode  # Optuna's value -> the candidate's value
        self.unmodelled = unmodelled  # an object sampled by its rvs only
        self.by_value = by == "value"  # equal values (not Optuna's) are equal

    def value(self, trial, rng):
        """``(value, identity)``: equal identities are equal values."""
        if self.unmodelled is not None:
            return self.unmodelled.rvs(random_state=rng), object()
        raw = self.suggest(trial)
        value = self.decode(raw)
        return value, (value if self.by_value else raw)


def _dimension(key, name, value, label):
    """The :class:`_Dimension` for one value of the space (raise if unusable)."""
    if _is_sequence(value):
        values = list(value)
        indices = list(range(len(values)))
        return _Dimension(
            key,
            lambda trial: trial.suggest_categorical(name, indices),
            lambda i: values[i],
        )
    frozen = getattr(value, "dist", None)
    support = None
    if isinstance(frozen, stats.rv_continuous | stats.rv_discrete):
        try:
            support = tuple(float(b) for b in value.support())
        except Exception as exc:
            raise ValueError(
                f"{label}: cannot compute the support of {value!r}: {exc}"
            ) from exc
        if not all(np.isfinite(b) or abs(b) == np.inf for b in support):
            raise ValueError(
                f"{label}: the support of {value!r} is {support}: invalid "
                "arguments for this distribution"
            )
    kind = _value_type(value)
    if isinstance(frozen, type(stats.uniform)) and np.isfinite(support).all():
        low, high = support
        return _Dimension(
            key,
            lambda trial: trial.suggest_float(name, low, high),
            kind or np.float64,
        )
    if isinstance(frozen, type(stats.loguniform)) and 0 < support[0] < support[1]:
        low, high = support
        median = float(value.ppf(0.5))
        if np.isclose(median, np.sqrt(low * high), rtol=LOG_TOL, atol=0):
            return _Dimension(
                key,
                lambda trial: trial.suggest_float(name, low, high, log=True),
                kind or np.float64,
            )
    if isinstance(frozen, type(stats.randint)) and np.isfinite(support).all():
        low, high = (int(b) for b in support)
        return _Dimension(
            key, lambda trial: trial.suggest_int(name, low, high), kind or int
        )
    if callable(getattr(value, "ppf", None)):
        try:
            median = np.asarray(value.ppf(0.5))
        except Exception as exc:
            raise ValueError(
                f"{label}: {value!r} has a ppf, but ppf(0.5) raised {exc!r}"
            ) from exc
        if median.shape != () or not np.isfinite(median):
            raise ValueError(
                f"{label}: {value!r} has a ppf, but ppf(0.5) is {median!r}, not a "
                "finite number: BayesTuner models a distribution through its "
                "quantile (ppf)"
            )
        discrete = isinstance(frozen, stats.rv_discrete)
        cast = kind or (int if discrete else np.float64)

        def decode(u, value=value, cast=cast):
            # a discrete ppf returns the support's values, as floats
            return cast(np.asarray(value.ppf(min(max(u, EPS), 1 - EPS)))[()])

        return _Dimension(
            key,
            lambda trial: trial.suggest_float(name, 0.0, 1.0),
            decode,
            # many quantiles give one value of a discrete distribution
            by="value" if discrete else None,
        )
    return _Dimension(key, unmodelled=value)


class Space:
    """The compiled space: ``candidate(trial, rng)`` asks a trial for one
    candidate (a dict of parameter values, its keys sorted as
    ``ParameterSampler`` sorts them)."""

    def __init__(self, subspaces):
        self.subspaces = subspaces  # [[_Dimension]] per dict

    @property
    def is_conditional(self):
        return len(self.subspaces) > 1

    @property
    def has_unmodelled(self):
        return any(d.unmodelled is not None for sub in self.subspaces for d in sub)

    def candidate(self, trial, rng):
        """``(candidate, identity)``: candidates with equal identities are
        equal (the identity is hashable; Optuna's values, or the values of
        discrete distributions modelled through their quantile)."""
        i = 0
        if self.is_conditional:
            i = trial.suggest_categorical(SUBSPACE, list(range(len(self.subspaces))))
        candidate, identity = {}, [i]
        for dim in self.subspaces[i]:
            candidate[dim.key], part = dim.value(trial, rng)
            identity.append(part)
        return candidate, tuple(identity)


def compile_space(param_distributions, name="param_distributions"):
    """The :class:`Space` of a (validated) dict or list of dicts."""
    subgrids = (
        [param_distributions]
        if isinstance(param_distributions, Mapping)
        else list(param_distributions)
    )
    n = len(subgrids)
    subspaces = []
    for i, sub in enumerate(subgrids):
        where = _where(name, i, n)
        dims = []
        for key in sorted(sub):
            optuna_name = key if n == 1 else f"{i}:{key}"
            label = f"{where}[{key!r}]"
            dims.append(_dimension(key, optuna_name, sub[key], label))
        subspaces.append(dims)
    return Space(subspaces)
