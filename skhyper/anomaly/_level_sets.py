"""Label-free criteria: Mass-Volume and Excess-Mass (Goix, 2016).

N. Goix, "How to Evaluate the Quality of Unsupervised Anomaly Detection
Algorithms?", ICML 2016 Workshop on Anomaly Detection (arXiv:1607.01152).
For a scoring function ``s`` (higher is more normal) and data ``X``:

- Mass-Volume curve, ``MV_s(alpha) = inf_u Leb(s >= u)`` subject to
  ``P(s(X) >= u) >= alpha``; criterion: its area over ``alpha`` in
  ``[0.9, 0.999]``, lower is better.
- Excess-Mass curve, ``EM_s(t) = sup_u P(s(X) >= u) - t Leb(s >= u)``;
  criterion: its area over ``t`` in ``[0, EM_s^{-1}(0.9)]``, higher is better.

``P`` is the empirical measure of the scored data and ``Leb`` is estimated by
Monte Carlo with points drawn uniformly over the data's bounding box. The
computations follow Goix's reference implementation (``em.py`` and
``em_bench*.py`` in his EMMV_benchmarks repository): the same grids, the same
strict and non-strict inequalities, the same trapezoidal areas. The excess-mass
curve is the upper envelope of one line per level ``u``; it is computed with a
convex-hull sweep instead of a loop over levels (the same values, to rounding).
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.metrics import auc
from sklearn.utils import check_random_state, check_scalar

from .._detectors import is_transductive, path_to_final
from ._convention import (
    check_can_score,
    check_convention,
    detect_convention,
    normality_scores,
)

CRITERIA = ("mass_volume", "excess_mass")

# Goix's grids (em.py, em_bench*.py). Mass-Volume: alpha in steps of 1e-4.
ALPHA_STEP = 1e-4
# Excess-Mass: t in [0, T_STOP / volume) in steps of T_STEP / volume, volume
# that of the bounding box (so the grid has T_STOP / T_STEP points).
T_STOP = 100
T_STEP = 0.01

# Fewest samples the criteria are computed on, and fewest in each part when
# the scored samples are split to refit the detector on a feature subset.
MIN_SAMPLES = 2


def _check_scores(s, what):
    s = np.asarray(s, dtype=float).ravel()
    if np.isnan(s).any():
        raise ValueError(f"The detector returned NaN scores for {what}.")
    return s


def mass_volume_area(s_X, s_unif, volume, alpha_min=0.9, alpha_max=0.999):
    """Area under the Mass-Volume curve over ``[alpha_min, alpha_max)``.

    ``s_X``: scores of the data (higher is more normal); ``s_unif``: scores of
    points drawn uniformly over a box of Lebesgue measure ``volume``. As
    Goix's ``mv``: for each ``alpha`` on a grid of step 1e-4, ``u`` is the
    ``k``-th largest data score with ``k`` the smallest count whose mass
    ``k / n`` reaches ``alpha``, and ``MV(alpha)`` is the volume fraction of
    ``{s >= u}``. Lower is better.
    """
    s_X, s_unif = _check_scores(s_X, "the data"), _check_scores(s_unif, "the box")
    n, n_unif = s_X.size, s_unif.size
    alphas = np.arange(alpha_min, alpha_max, ALPHA_STEP)
    desc = np.sort(s_X)[::-1]
    masses = 1.0 / n * np.arange(1, n + 1)
    k = np.minimum(np.searchsorted(masses, alphas, side="left"), n - 1)
    levels = desc[k]
    above = n_unif - np.searchsorted(np.sort(s_unif), levels, side="left")
    mv = above / n_unif * volume
    return float(auc(alphas, mv))


def _upper_envelope(a, b, t):
    """``max_i a_i - b_i t`` at each ``t``, by a convex-hull sweep over the lines."""
    order = np.lexsort((-a, -b))  # slope -b increasing; for equal slopes, max a
    a, b = a[order], b[order]
    first = np.ones(b.size, dtype=bool)
    first[1:] = b[1:] != b[:-1]
    c, m = a[first], -b[first]
    hull = []
    for i in range(c.size):
        while len(hull) >= 2:
            j, k = hull[-2], hull[-1]
            # Line k is never above both j and i: drop it.
            if (c[j] - c[i]) * (m[k] - m[j]) <= (c[j] - c[k]) * (m[i] - m[j]):
                hull.pop()
            else:
                break
        hull.append(i)
    c, m = c[hull], m[hull]
    breaks = (c[:-1] - c[1:]) / (m[1:] - m[:-1])
    idx = np.searchsorted(breaks, t, side="right")
    return c[idx] + m[idx] * t


def excess_mass_area(s_X, s_unif, volume, t_max=0.9):
    """Area under the Excess-Mass curve over ``[0, EM^{-1}(t_max)]``.

    As Goix's ``em``: ``t`` runs over ``[0, 100 / volume)`` with step
    ``0.01 / volume``; ``EM(t) = max_u P_n(s > u) - t Leb(s > u)`` over the
    distinct data scores ``u``, with ``EM(0) = 1``; the area runs up to the
    first ``t`` where ``EM(t) <= t_max`` (over the whole grid if it is never
    reached). Higher is better.
    """
    s_X, s_unif = _check_scores(s_X, "the data"), _check_scores(s_unif, "the box")
    n, n_unif = s_X.size, s_unif.size
    t = np.arange(0, T_STOP / volume, T_STEP / volume)
    levels = np.unique(s_X)
    mass = 1.0 / n * (n - np.searchsorted(np.sort(s_X), levels, side="right"))
    leb = (n_unif - np.searchsorted(np.sort(s_unif), levels, side="right")) / n_unif
    em = _upper_envelope(mass, leb * volume, t)
    em[0] = max(em[0], 1.0)
    amax = int(np.argmax(em <= t_max)) + 1
    if amax == 1:  # t_max never reached on the grid: Goix keeps the grid
        amax = -1
    return float(auc(t[:amax], em[:amax]))


def _like(X, values):
    """``values`` in the container type of ``X`` (a DataFrame keeps its columns)."""
    if hasattr(X, "columns") and hasattr(X, "iloc"):
        import pandas as pd  # X is a DataFrame, so pandas is there

        return pd.DataFrame(values, columns=X.columns)
    return values


def _as_array(X):
    if hasattr(X, "toarray"):
        raise TypeError("Mass-Volume and Excess-Mass need dense data, got sparse X")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    return X


def _check_fraction(value, name):
    """``value`` strictly between 0 and 1, in scikit-learn's words.

    ``check_scalar`` lets NaN through (every comparison with NaN is False),
    so NaN is refused here in the same wording.
    """
    check_scalar(
        value, name, numbers.Real, min_val=0, max_val=1, include_boundaries="neither"
    )
    if math.isnan(value):
        raise ValueError(f"{name} == {value}, must be > 0 and < 1.")


class LevelSetScorer:
    """Mass-Volume and/or Excess-Mass as a label-free ``scorer(estimator, X, y)``.

    See ``make_mass_volume_scorer`` for the protocol. With one criterion it
    returns a number (``-MV area`` or ``EM area``: higher is better); with
    both, a dict ``{"mass_volume": ..., "excess_mass": ...}``.
    """

    threshold_free = True

    def __init__(
        self,
        criteria=CRITERIA,
        *,
        n_samples=100_000,
        max_features=5,
        n_draws=10,
        refit_size=0.5,
        alpha_min=0.9,
        alpha_max=0.999,
        t_max=0.9,
        convention="auto",
        random_state=0,
    ):
        criteria = tuple(criteria)
        if not criteria or any(c not in CRITERIA for c in criteria):
            raise ValueError(f"criteria must be among {CRITERIA}, got {criteria!r}")
        check_scalar(n_samples, "n_samples", numbers.Integral, min_val=1)
        check_scalar(max_features, "max_features", numbers.Integral, min_val=1)
        check_scalar(n_draws, "n_draws", numbers.Integral, min_val=1)
        _check_fraction(refit_size, "refit_size")
        _check_fraction(alpha_min, "alpha_min")
        _check_fraction(alpha_max, "alpha_max")
        if not alpha_min < alpha_max:
            raise ValueError(
                f"alpha_min must be below alpha_max, got alpha_min={alpha_min!r} "
                f"and alpha_max={alpha_max!r}"
            )
        _check_fraction(t_max, "t_max")
        check_random_state(random_state)  # refuses what cannot seed a generator
        self.criteria = criteria
        self.n_samples = n_samples
        self.max_features = max_features
        self.n_draws = n_draws
        self.refit_size = refit_size
        self.alpha_min = alpha_min
        self.alpha_max = alpha_max
        self.t_max = t_max
        self.convention = check_convention(convention)
        self.random_state = random_state

    def skhyper_check(self, estimator):
        """Raise ``TypeError`` if this criterion cannot score ``estimator``
        (the tuners call it before any fit).

        Parameters
        ----------
        estimator : estimator object
            An unfitted, configured candidate.
        """
        self._check_not_transductive(estimator)
        check_can_score(estimator, self.convention, "score")

    def _check_not_transductive(self, estimator):
        # Anywhere on the way to the detector: a Pipeline ending in one too.
        if any(is_transductive(step) for step in path_to_final(estimator)):
            raise TypeError(
                "Mass-Volume and Excess-Mass need a scoring function defined on "
                "new points (they score a uniform sample of the bounding box); "
                "a Transductive detector's scores change with the points asked "
                "about. Tune LocalOutlierFactor with novelty=True instead."
            )

    def __call__(self, estimator, X, y=None):
        self._check_not_transductive(estimator)
        rng = check_random_state(self.random_state)
        Xa = _as_array(X)
        n, d = Xa.shape
        if d <= self.max_features:
            values = self._evaluate(estimator, X, Xa, rng)
        else:
            draws = [self._draw(estimator, Xa, rng) for _ in range(self.n_draws)]
            values = {c: float(np.mean([v[c] for v in draws])) for c in self.criteria}
        if len(self.criteria) == 1:
            return values[self.criteria[0]]
        return values

    def _evaluate(self, estimator, X, Xa, rng):
        """The criteria of a fitted detector on data ``X`` (``Xa`` as an array)."""
        if Xa.shape[0] < MIN_SAMPLES:
            raise ValueError(
                f"Mass-Volume and Excess-Mass need at least {MIN_SAMPLES} samples, got "
                f"{Xa.shape[0]}"
            )
        lo, hi = Xa.min(axis=0), Xa.max(axis=0)
        span = hi - lo
        if not (span > 0).any():
            raise ValueError("Every feature is constant on the scored data.")
        # A constant feature is held at its value: the box is flat along it,
        # and volumes are those of the other features.
        volume = float(np.prod(span[span > 0]))
        unif = rng.uniform(lo, hi, size=(self.n_samples, Xa.shape[1]))
        convention = detect_convention(estimator, self.convention)
        s_X = normality_scores(estimator, X, convention)
        s_unif = normality_scores(estimator, _like(X, unif), convention)
        values = {}
        if "mass_volume" in self.criteria:
            values["mass_volume"] = -mass_volume_area(
                s_X, s_unif, volume, self.alpha_min, self.alpha_max
            )
        if "excess_mass" in self.criteria:
            values["excess_mass"] = excess_mass_area(s_X, s_unif, volume, self.t_max)
        return values

    def _draw(self, estimator, Xa, rng):
        """One random feature subset: refit on part of ``Xa``, score the rest."""
        n = Xa.shape[0]
        n_fit = int(self.refit_size * n)
        if min(n_fit, n - n_fit) < MIN_SAMPLES:
            raise ValueError(
                f"With {Xa.shape[1]} features (more than max_features="
                f"{self.max_features}), the {n} scored samples are split "
                f"(refit_size={self.refit_size}) into {n_fit} to refit on and "
                f"{n - n_fit} to evaluate; each part needs at least {MIN_SAMPLES}."
            )
        perm = rng.permutation(n)
        fit_rows, eval_rows = perm[:n_fit], perm[n_fit:]
        X_eval = Xa[eval_rows]
        varying = np.flatnonzero(X_eval.max(axis=0) > X_eval.min(axis=0))
        if varying.size == 0:
            raise ValueError("Every feature is constant on the evaluated samples.")
        k = min(self.max_features, varying.size)
        features = np.sort(rng.choice(varying, size=k, replace=False))
        with warnings.catch_warnings():
            # The refit sees few samples: warnings such as "max_samples is
            # greater than the number of samples" are expected (documented).
            warnings.simplefilter("ignore", UserWarning)
            model = clone(estimator).fit(Xa[np.ix_(fit_rows, features)])
        X_eval = X_eval[:, features]
        return self._evaluate(model, X_eval, X_eval, rng)

    def __repr__(self):
        names = {
            ("mass_volume",): "make_mass_volume_scorer",
            ("excess_mass",): "make_excess_mass_scorer",
        }
        name = names.get(self.criteria, "LevelSetScorer")
        args = [] if name != "LevelSetScorer" else [f"criteria={self.criteria!r}"]
        defaults = LevelSetScorer()
        for key in (
            "n_samples",
            "max_features",
            "n_draws",
            "refit_size",
            "alpha_min",
            "alpha_max",
            "t_max",
            "convention",
            "random_state",
        ):
            value = getattr(self, key)
            if key == "t_max" and "excess_mass" not in self.criteria:
                continue
            if key.startswith("alpha") and "mass_volume" not in self.criteria:
                continue
            if value != getattr(defaults, key):
                args.append(f"{key}={value!r}")
        return f"{name}({', '.join(args)})"


# -- the public factories ------------------------------------------------------

_LEVEL_SET_DOC = """
    The scorer receives a fitted detector and the data it is scored on (in a
    search: the test fold), and no labels (``y`` is ignored). ``Leb`` is
    estimated by Monte Carlo: ``n_samples`` points drawn uniformly over the
    bounding box of the scored data, from a generator seeded by
    ``random_state`` afresh at each call, so that every candidate of a search
    meets the same points on the same fold. A constant feature is held at its
    value (the box is flat along it). Scores are the detector's normality
    scores (``score_samples``, or the negated PyOD ``decision_function``).

    With at most ``max_features`` features, the fitted detector is evaluated
    on the scored data, as in the paper. With more, the volumes cannot be
    estimated (the level sets fill a vanishing part of the box) and the paper
    averages over random feature subsets, refitting the detector on each. The
    scorer sees only the test fold, so for each of ``n_draws`` draws it splits
    the fold at random into ``refit_size`` of its samples, on which a clone of
    the detector (the candidate's parameters) is refitted on ``max_features``
    random non-constant features, and the rest, on which the criterion is
    computed; the draws are averaged. The refits see fewer samples than the
    training fold: parameters that scale with the sample size
    (``n_neighbors``, ``max_samples``) are judged at that size, so use few
    folds (e.g. ``cv=2``) to give the scorer more data. The estimator must
    accept any number of (numeric) features.

    Parameters
    ----------
    n_samples : int, default=100_000
        Number of uniform Monte Carlo points (Goix's ``n_generated``).

    max_features : int, default=5
        Above this number of features, the feature-subset protocol is used,
        with subsets of this size.

    n_draws : int, default=10
        Number of feature subsets averaged (Goix used 50).

    refit_size : float, default=0.5
        Fraction of the scored samples the feature-subset models are refitted
        on; the rest are evaluated.
    {extra}
    convention : {{"auto", "sklearn", "pyod"}}, default="auto"
        How the detector orients its scores; see :mod:`skhyper.anomaly`.

    random_state : int, RandomState instance or None, default=0
        Seeds the uniform points, the feature subsets and the row splits. An
        int (the default) gives every call the same draws: candidates are
        compared on equal terms. A RandomState or None gives each call its own.

    Returns
    -------
    callable
        ``scorer(estimator, X, y=None)`` returning a float, higher is better;
        ``threshold_free`` is True. Picklable. A ``TypeError`` for a
        :class:`Transductive` detector, whose scores of new points depend on
        the points asked about.
"""


def make_mass_volume_scorer(
    *,
    n_samples=100_000,
    max_features=5,
    n_draws=10,
    refit_size=0.5,
    alpha_min=0.9,
    alpha_max=0.999,
    convention="auto",
    random_state=0,
):
    return LevelSetScorer(
        ("mass_volume",),
        n_samples=n_samples,
        max_features=max_features,
        n_draws=n_draws,
        refit_size=refit_size,
        alpha_min=alpha_min,
        alpha_max=alpha_max,
        convention=convention,
        random_state=random_state,
    )


make_mass_volume_scorer.__doc__ = (
    """Make a label-free scorer: minus the area under the Mass-Volume curve.

    Goix (2016): for a scoring function ``s`` (higher is more normal), the
    Mass-Volume curve is ``MV(alpha) = inf_u Leb(s >= u)`` subject to
    ``P(s(X) >= u) >= alpha``, the smallest volume of a level set of ``s``
    holding a fraction ``alpha`` of the data. A good detector's level sets
    are small for their mass. The criterion is the area under ``MV`` over
    ``alpha`` in ``[alpha_min, alpha_max)`` (a grid of step 1e-4), lower is
    better; the scorer returns its negation, so that higher is better.
"""
    + _LEVEL_SET_DOC.format(
        extra="""
    alpha_min, alpha_max : float, default=0.9, 0.999
        The range of masses the area runs over, as in the paper.
"""
    )
    + """
    See Also
    --------
    make_excess_mass_scorer : The Excess-Mass criterion.

    References
    ----------
    N. Goix, "How to Evaluate the Quality of Unsupervised Anomaly Detection
    Algorithms?", ICML 2016 Workshop on Anomaly Detection, arXiv:1607.01152.

    Examples
    --------
    >>> from sklearn.neighbors import LocalOutlierFactor
    >>> from skhyper import GridTuner
    >>> from skhyper.anomaly import load_outlier_dataset, make_mass_volume_scorer
    >>> X, _ = load_outlier_dataset("blobs")  # no labels used below
    >>> mv = make_mass_volume_scorer(n_samples=20_000)
    >>> tuner = GridTuner(
    ...     LocalOutlierFactor(novelty=True),
    ...     {"n_neighbors": [5, 35]},
    ...     scoring=mv,
    ...     cv=3,
    ... ).fit(X)
    >>> tuner.best_params_
    {'n_neighbors': 35}
    >>> bool(tuner.best_score_ < 0)  # minus an area
    True
"""
)


def make_excess_mass_scorer(
    *,
    n_samples=100_000,
    max_features=5,
    n_draws=10,
    refit_size=0.5,
    t_max=0.9,
    convention="auto",
    random_state=0,
):
    return LevelSetScorer(
        ("excess_mass",),
        n_samples=n_samples,
        max_features=max_features,
        n_draws=n_draws,
        refit_size=refit_size,
        t_max=t_max,
        convention=convention,
        random_state=random_state,
    )


make_excess_mass_scorer.__doc__ = (
    """Make a label-free scorer: the area under the Excess-Mass curve.

    Goix (2016): for a scoring function ``s`` (higher is more normal), the
    Excess-Mass curve is ``EM(t) = sup_u P(s(X) >= u) - t Leb(s >= u)``. The
    criterion is its area over ``t`` in ``[0, EM^{-1}(t_max)]``, higher is
    better, computed as in Goix's reference code: ``t`` on a grid of step
    ``0.01 / volume`` up to ``100 / volume`` (``volume`` that of the bounding
    box), the levels ``u`` the distinct data scores, ``EM(0) = 1``, and the
    area up to the first ``t`` where ``EM(t) <= t_max`` (the whole grid if
    it is never reached). Its values scale with ``1 / volume``: compare
    candidates on the same folds, as a search does.
"""
    + _LEVEL_SET_DOC.format(
        extra="""
    t_max : float, default=0.9
        The area runs up to ``EM^{-1}(t_max)``, as in the paper.
"""
    )
    + """
    See Also
    --------
    make_mass_volume_scorer : The Mass-Volume criterion.

    References
    ----------
    N. Goix, "How to Evaluate the Quality of Unsupervised Anomaly Detection
    Algorithms?", ICML 2016 Workshop on Anomaly Detection, arXiv:1607.01152.

    Examples
    --------
    >>> from sklearn.neighbors import LocalOutlierFactor
    >>> from skhyper.anomaly import load_outlier_dataset, make_excess_mass_scorer
    >>> X, _ = load_outlier_dataset("blobs")
    >>> em = make_excess_mass_scorer(n_samples=20_000)
    >>> smooth = LocalOutlierFactor(n_neighbors=35, novelty=True).fit(X[:200])
    >>> rough = LocalOutlierFactor(n_neighbors=5, novelty=True).fit(X[:200])
    >>> bool(em(smooth, X[200:]) > em(rough, X[200:]))
    True
"""
)
