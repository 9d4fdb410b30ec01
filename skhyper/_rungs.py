"""The rung schedule of successive halving, computed as scikit-learn does.

Every number here (``min_resources_``, ``max_resources_``, the iterations,
the resources of each rung, the subsamples, who survives a rung) follows
``sklearn.model_selection._search_successive_halving`` line by line, so
that for the same arguments and ``random_state`` a halving tuner evaluates
the same candidates with the same resources on the same samples.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor, log

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import resample
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._compat import _yields_constant_splits

# scikit-learn's 'smallest' number of samples: 2 per split (and class).
MAGIC_FACTOR = 2


class SubsampleSplitter:
    """The splits of ``base_cv``, each side subsampled to ``fraction``.

    As scikit-learn's ``_SubsampleMetaSplitter``: ``resample`` without
    replacement, seeded by ``random_state`` for every split.
    """

    def __init__(self, *, base_cv, fraction, subsample_test, random_state):
        self.base_cv = base_cv
        self.fraction = fraction
        self.subsample_test = subsample_test
        self.random_state = random_state

    def split(self, X, y, **kwargs):
        for train_idx, test_idx in self.base_cv.split(X, y, **kwargs):
            train_idx = resample(
                train_idx,
                replace=False,
                random_state=self.random_state,
                n_samples=int(self.fraction * len(train_idx)),
            )
            if self.subsample_test:
                test_idx = resample(
                    test_idx,
                    replace=False,
                    random_state=self.random_state,
                    n_samples=int(self.fraction * len(test_idx)),
                )
            yield train_idx, test_idx


def check_resources(tuner, X, y, cv, split_params, n_samples):
    """``(min_resources_, max_resources_)`` before the candidates are known.

    Raises scikit-learn's errors, with its wording, for folds that change
    between calls, an unknown resource, ``'exhaust'`` twice, ``'auto'`` with
    another resource than ``n_samples``, and min above max.
    """
    if not _yields_constant_splits(cv):
        raise ValueError(
            "The cv parameter must yield consistent folds across "
            "calls to split(). Set its random_state to an int, or set "
            "shuffle=False."
        )
    resource = tuner.resource
    if resource != "n_samples" and resource not in tuner.estimator.get_params():
        raise ValueError(
            f"Cannot use resource={resource} which is not supported "
            f"by estimator {tuner.estimator.__class__.__name__}"
        )
    if getattr(tuner, "n_candidates", None) == tuner.min_resources == "exhaust":
        raise ValueError(
            "n_candidates and min_resources cannot be both set to 'exhaust'."
        )
    min_resources = tuner.min_resources
    if min_resources in ("smallest", "exhaust"):
        if resource == "n_samples":
            n_splits = cv.get_n_splits(X, y, **split_params)
            min_resources = n_splits * MAGIC_FACTOR
            if is_classifier(tuner.estimator):
                y = validate_data(tuner, X="no_validation", y=y)
                check_classification_targets(y)
                min_resources *= np.unique(y).shape[0]
        else:
            min_resources = 1
    max_resources = tuner.max_resources
    if max_resources == "auto":
        if resource != "n_samples":
            raise ValueError(
                "resource can only be 'n_samples' when max_resources='auto'"
            )
        max_resources = n_samples
    if min_resources > max_resources:
        raise ValueError(
            f"min_resources_={min_resources} is greater "
            f"than max_resources_={max_resources}."
        )
    if min_resources == 0:
        raise ValueError(
            f"min_resources_={min_resources}: you might have passed an empty dataset X."
        )
    return min_resources, max_resources


def check_resource_not_searched(resource, candidate_params):
    if resource != "n_samples" and any(resource in c for c in candidate_params):
        raise ValueError(
            f"Cannot use parameter {resource} as the resource since "
            "it is part of the searched parameters."
        )


@dataclass(frozen=True)
class Schedule:
    """How many rungs, and the resources of each."""

    min_resources: int
    max_resources: int
    factor: float
    n_required_iterations: int
    n_possible_iterations: int
    n_iterations: int
    aggressive_elimination: bool

    def n_resources(self, itr):
        power = itr
        if self.aggressive_elimination:
            # replay the first rung while candidates are being eliminated
            power = max(
                0, itr - self.n_required_iterations + self.n_possible_iterations
            )
        n_resources = int(self.factor**power * self.min_resources)
        return min(n_resources, self.max_resources)

    def n_to_keep(self, n_candidates):
        return ceil(n_candidates / self.factor)


def make_schedule(
    n_candidates, min_resources, max_resources, factor, exhaust, aggressive
):
    """The :class:`Schedule` for ``n_candidates`` first-rung candidates."""
    n_required = 1 + floor(log(n_candidates, factor))
    if exhaust:
        # start as high as possible so that the last rung uses the most
        last_iteration = n_required - 1
        min_resources = max(min_resources, max_resources // factor**last_iteration)
    n_possible = 1 + floor(log(max_resources // min_resources, factor))
    n_iterations = n_required if aggressive else min(n_possible, n_required)
    return Schedule(
        min_resources=min_resources,
        max_resources=max_resources,
        factor=factor,
        n_required_iterations=n_required,
        n_possible_iterations=n_possible,
        n_iterations=n_iterations,
        aggressive_elimination=aggressive,
    )


def top_k(results, k, itr, metric="score"):
    """The ``k`` best candidates of rung ``itr``, worst first (NaN worst)."""
    iteration, mean_test_score, params = (
        np.asarray(a)
        for a in (results["iter"], results[f"mean_test_{metric}"], results["params"])
    )
    iter_indices = np.flatnonzero(iteration == itr)
    scores = mean_test_score[iter_indices]
    # argsort places NaNs last: roll them to the front so that the last k
    # are the highest scores.
    sorted_indices = np.roll(np.argsort(scores), np.count_nonzero(np.isnan(scores)))
    return np.array(params[iter_indices][sorted_indices[-k:]])


def best_of_rung(results, itr, metric="score"):
    """Index of the best candidate of rung ``itr`` (the first if all are NaN)."""
    indices = np.flatnonzero(results["iter"] == itr)
    scores = results[f"mean_test_{metric}"][indices]
    if np.isnan(scores).all():
        return indices[0]
    return indices[np.nanargmax(scores)]


@dataclass(frozen=True)
class Bracket:
    """One bracket of Hyperband: a successive halving run.

    ``s`` is the paper's bracket index (``s_max`` down to 0); rung ``i``
    evaluates ``n_candidates[i]`` candidates with ``n_resources[i]``.
    """

    s: int
    n_candidates: tuple
    n_resources: tuple


def hyperband_brackets(min_resources, max_resources, factor, n_available=None):
    """The brackets of Hyperband (Li et al., JMLR 2018), ``s_max`` first.

    With ``R = max_resources / min_resources`` and ``eta = factor``:
    ``s_max = floor(log_eta(R))``; bracket ``s`` starts ``n = ceil((s_max +
    1) / (s + 1) * eta**s)`` candidates, and its rung ``i`` (``0..s``) keeps
    ``floor(n * eta**-i)`` of them with ``max_resources * eta**(i - s)``
    (floored to an int), so that every bracket ends at ``max_resources``.
    Computed in exact fractions: no float rounding moves a bracket.

    ``n_available``, when not None, is the number of distinct candidates
    the space holds (a space of lists): a bracket asking for more starts
    with them all, and its rungs shrink from there (at least one each).
    """
    eta = Fraction(factor)
    ratio = Fraction(max_resources, min_resources)
    s_max = 0
    while eta ** (s_max + 1) <= ratio:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = ceil(Fraction(s_max + 1, s + 1) * eta**s)
        if n_available is not None and n > n_available:
            n = n_available
        sizes = tuple(max(1, floor(n / eta**i)) for i in range(s + 1))
        resources = tuple(
            max(min_resources, floor(max_resources / eta ** (s - i)))
            for i in range(s + 1)
        )
        brackets.append(Bracket(s, sizes, resources))
    return brackets
