"""Tuning outlier and novelty detectors.

scikit-learn's searches cannot tune a detector as they are: detectors have no
``score``; they predict ``-1`` for outliers while most data sets mark outliers
with ``1``, so ``scoring="roc_auc"`` scores the wrong class; plain ``KFold``
leaves folds without outliers; ``LocalOutlierFactor(novelty=False)`` has no
method for new data; and without labels there is nothing to score. This
module supplies what is missing:

- :func:`make_outlier_scorer`: labelled scorers with the right orientation,
  for scikit-learn and PyOD-style detectors, labels ``{0, 1}`` or ``{-1, 1}``;
- :func:`make_mass_volume_scorer`, :func:`make_excess_mass_scorer`: label-free
  criteria (Goix, 2016);
- :func:`default_cv` (folds stratified on the outlier indicator, the tuners'
  default for detectors) and :class:`NoveltySplit` (outliers kept out of the
  training folds);
- :class:`Transductive`: tunes ``fit_predict``-only detectors;
- :func:`check_threshold_grid`: warns when a grid varies only
  ``contamination`` under a threshold-free score;
- :func:`load_outlier_dataset`: small outlier data sets built from
  scikit-learn's bundled data.

How a detector's outputs are oriented is recognised by duck typing: a
detector whose class comes from the ``pyod`` package, or defines PyOD's
``_process_decision_scores``, or that holds ``decision_scores_`` and
``threshold_`` once fitted, follows PyOD's convention (higher
``decision_function`` is more anomalous, ``predict`` gives ``1`` for
outliers); otherwise a detector with scikit-learn's outlier tag
(``get_tags(est).estimator_type == "outlier_detector"``) follows
scikit-learn's (higher ``score_samples`` is more normal, ``predict`` gives
``-1`` for outliers). Pipelines, :class:`Transductive` and fitted searches are
looked through to their final detector. ``convention="sklearn"`` or
``"pyod"`` overrides the rule.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, clone
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_blobs
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import check_is_fitted, validate_data

from .._detectors import check_threshold_grid, default_cv, is_pyod_like
from ._level_sets import LevelSetScorer
from ._scoring import OutlierScorer

__all__ = [
    "NoveltySplit",
    "Transductive",
    "check_threshold_grid",
    "default_cv",
    "load_outlier_dataset",
    "make_excess_mass_scorer",
    "make_mass_volume_scorer",
    "make_outlier_scorer",
]


# -- labelled scoring ----------------------------------------------------------


def make_outlier_scorer(
    metric="roc_auc", *, outlier_label=1, convention="auto", response=None, **kwargs
):
    """Make a scorer that scores an outlier detector against labels.

    Ranking metrics are computed on the detector's continuous anomaly score,
    oriented so that higher means more anomalous: ``-score_samples(X)`` (or
    ``-decision_function(X)``) for scikit-learn detectors,
    ``decision_function(X)`` for PyOD-style ones. Threshold metrics are
    computed on its predictions, outliers being the positive class:
    ``predict(X) == -1`` for scikit-learn detectors, ``predict(X) == 1`` for
    PyOD-style ones. The convention is recognised as described in
    :mod:`skhyper.anomaly`.

    The scorer is a plain picklable callable ``scorer(estimator, X, y)``, for
    ``scoring=`` alone or as a value of a multimetric dict.

    Parameters
    ----------
    metric : str or callable, default="roc_auc"
        Ranking metrics (threshold-free): ``"roc_auc"``,
        ``"average_precision"``, ``"precision_at_n"`` (precision among the
        ``n`` highest scores, ``n`` the number of outliers; ties counted by
        expectation). Threshold metrics: ``"f1"``, ``"precision"``,
        ``"recall"``, ``"fbeta"`` (pass ``beta=``), ``"jaccard"``,
        ``"balanced_accuracy"``, ``"accuracy"``, ``"matthews_corrcoef"``. Or a
        callable ``metric(y_true, y_response, **kwargs)`` with ``response``.

    outlier_label : int, bool or str, default=1
        The label that marks outliers in ``y``; the other label marks inliers.
        Use ``outlier_label=-1`` for labels in scikit-learn's convention.

    convention : {"auto", "sklearn", "pyod"}, default="auto"
        How the detector orients its outputs; ``"auto"`` recognises it.

    response : {"score", "predict"}, default=None
        For a callable ``metric`` only: whether it receives the anomaly score
        or the predicted outlier indicator (0/1).

    **kwargs
        Passed to the metric (``beta=2``, ``max_fpr=0.1``, ...). Precision,
        recall, F-scores and Jaccard default to ``zero_division=0.0``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``, higher is better. It
        raises a ``ValueError`` when ``y`` is None, holds more than two
        labels, lacks ``outlier_label``, or (for ranking metrics) holds only
        one class. It has ``threshold_free`` (True for ranking metrics).

    See Also
    --------
    make_mass_volume_scorer : A label-free criterion.
    default_cv : The folds the tuners use for detectors.

    Examples
    --------
    >>> from sklearn.ensemble import IsolationForest
    >>> from skhyper import GridTuner
    >>> from skhyper.anomaly import (
    ...     default_cv, load_outlier_dataset, make_outlier_scorer)
    >>> X, y = load_outlier_dataset("wine")  # y == 1 marks outliers
    >>> auc = make_outlier_scorer("roc_auc")
    >>> detector = IsolationForest(random_state=0).fit(X)
    >>> round(auc(detector, X, y), 3)
    0.721
    >>> y_sklearn = 1 - 2 * y  # -1 marks outliers
    >>> round(make_outlier_scorer(outlier_label=-1)(detector, X, y_sklearn), 3)
    0.721
    >>> tuner = GridTuner(
    ...     IsolationForest(random_state=0),
    ...     {"max_features": [0.5, 1.0], "n_estimators": [50, 100]},
    ...     scoring={"auc": auc, "f1": make_outlier_scorer("f1")},
    ...     refit="auc",
    ...     cv=default_cv(IsolationForest(), 3, y),
    ... ).fit(X, y)
    >>> tuner.best_params_
    {'max_features': 1.0, 'n_estimators': 100}
    """
    return OutlierScorer(metric, outlier_label, convention, response, kwargs)


# -- label-free scoring --------------------------------------------------------

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
    scorer : callable
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


# -- splitting -----------------------------------------------------------------


class NoveltySplit(BaseCrossValidator):
    """Cross-validation for novelty detection: outliers never in training.

    Inliers are split into ``n_splits`` folds as by
    :class:`~sklearn.model_selection.KFold`. Split ``k`` trains on the
    inliers outside fold ``k`` (no outlier at all) and tests on inlier fold
    ``k`` plus outliers: by default (``test_outliers="split"``) the outliers
    are split into ``n_splits`` folds too and test fold ``k`` gets outlier
    fold ``k``, so every sample is tested once and test folds hold about the
    data's share of outliers; with ``test_outliers="all"`` every test fold
    gets every outlier (more outliers per fold when there are few; test
    folds then share them).

    Parameters
    ----------
    n_splits : int, default=5
        Number of splits, at least 2.

    outlier_label : int, bool or str, default=1
        The label of ``y`` that marks outliers.

    test_outliers : {"split", "all"}, default="split"
        Whether the outliers are divided among the test folds or all of them
        join every test fold.

    shuffle : bool, default=True
        Whether to shuffle inliers and outliers before cutting them into
        folds.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling; pass an int for folds that are the same at every
        call. Only with ``shuffle=True``.

    See Also
    --------
    default_cv : Folds stratified on the outlier indicator (outlier detection).

    Examples
    --------
    >>> import numpy as np
    >>> from skhyper.anomaly import NoveltySplit
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> cv = NoveltySplit(n_splits=2, random_state=0)
    >>> for train, test in cv.split(np.zeros((8, 1)), y):
    ...     print(train, test, y[train].sum(), y[test].sum())
    [0 3 4] [1 2 5 6] 0 1
    [1 2 5] [0 3 4 7] 0 1
    >>> cv.get_n_splits()
    2
    """

    def __init__(
        self,
        n_splits=5,
        *,
        outlier_label=1,
        test_outliers="split",
        shuffle=True,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.outlier_label = outlier_label
        self.test_outliers = test_outliers
        self.shuffle = shuffle
        self.random_state = random_state

    def _check(self):
        n = self.n_splits
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
            raise ValueError(
                f"n_splits must be an int >= 2, got {n!r} ({type(n).__name__})"
            )
        if self.test_outliers not in ("split", "all"):
            raise ValueError(
                f"test_outliers must be 'split' or 'all', got {self.test_outliers!r}"
            )
        if not isinstance(self.shuffle, bool | np.bool_):
            raise TypeError(f"shuffle must be True or False, got {self.shuffle!r}")
        if not self.shuffle and self.random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. "
                "Leave random_state at None or set shuffle=True."
            )

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test sets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Labels; ``outlier_label`` marks outliers. Required.

        groups : object
            Ignored, for compatibility.

        Yields
        ------
        train : ndarray
            Indices of the training set: inliers only.

        test : ndarray
            Indices of the test set: held-out inliers and outliers.
        """
        self._check()
        if y is None:
            raise ValueError(
                "NoveltySplit needs the labels y to keep outliers out of the "
                "training folds; got y=None."
            )
        y = column_or_1d(y)
        if X is not None and len(X) != len(y):
            raise ValueError(f"X and y have different lengths: {len(X)} and {len(y)}")
        is_outlier = y == self.outlier_label
        inliers, outliers = np.flatnonzero(~is_outlier), np.flatnonzero(is_outlier)
        k = self.n_splits
        if inliers.size < k:
            raise ValueError(
                f"n_splits={k} is greater than the number of inliers, {inliers.size}."
            )
        if outliers.size == 0:
            raise ValueError(
                f"y holds no outlier (no sample labelled outlier_label="
                f"{self.outlier_label!r}): the test folds would have nothing "
                "to detect."
            )
        if self.test_outliers == "split" and outliers.size < k:
            raise ValueError(
                f"n_splits={k} is greater than the number of outliers, "
                f"{outliers.size}: some test folds would hold none. Use fewer "
                "splits or test_outliers='all'."
            )
        rng = check_random_state(self.random_state)
        if self.shuffle:
            inliers = rng.permutation(inliers)
            outliers = rng.permutation(outliers)
        inlier_folds = np.array_split(inliers, k)
        outlier_folds = np.array_split(outliers, k)
        for i in range(k):
            train = np.concatenate([f for j, f in enumerate(inlier_folds) if j != i])
            held = outlier_folds[i] if self.test_outliers == "split" else outliers
            yield np.sort(train), np.sort(np.concatenate([inlier_folds[i], held]))

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for compatibility.

        Returns
        -------
        n_splits : int
            ``n_splits``.
        """
        return self.n_splits


# -- transductive detectors ------------------------------------------------------


def _values(template, fitted, Z, method, pyod):
    """The values of ``method`` for the rows of ``Z``, ``fitted`` being fit on ``Z``."""
    if pyod:
        if method == "decision_function" and hasattr(fitted, "decision_scores_"):
            return np.asarray(fitted.decision_scores_)
        if method == "predict" and hasattr(fitted, "labels_"):
            return np.asarray(fitted.labels_)
        return np.asarray(getattr(fitted, method)(Z))
    nof = getattr(fitted, "negative_outlier_factor_", None)
    if nof is not None:  # LocalOutlierFactor: values of its own training samples
        if method == "score_samples":
            return np.asarray(nof)
        decision = nof - fitted.offset_
        if method == "decision_function":
            return decision
        return np.where(decision < 0, -1, 1)
    if hasattr(fitted, method):
        return np.asarray(getattr(fitted, method)(Z))
    if method == "predict" and hasattr(template, "fit_predict"):
        return np.asarray(clone(template).fit_predict(Z))
    raise AttributeError(
        f"{type(fitted).__name__} has no {method} and no "
        "negative_outlier_factor_ to take it from."
    )


class Transductive(OutlierMixin, MetaEstimatorMixin, BaseEstimator):
    """Tune a detector that only has ``fit_predict``, transductively.

    ``LocalOutlierFactor(novelty=False)`` and other outlier detectors score
    only the data they are fitted on. To score new data ``X``,
    ``Transductive`` refits a clone of the detector on the training data and
    ``X`` together and returns the values of the rows of ``X``: labels from
    ``predict``, ``score_samples`` (for ``LocalOutlierFactor``, its
    ``negative_outlier_factor_``) and ``decision_function`` (minus
    ``offset_``). In a search, each test fold is thus scored as part of
    ``train + test``, the protocol of outlier detection (the data to judge is
    in the fit), and the threshold (``contamination``) applies to the union.
    Called on the training data itself, the methods return the values of the
    fit on that data (no duplicated rows).

    The outputs keep the wrapped detector's convention (scikit-learn's or
    PyOD's). Mass-Volume and Excess-Mass cannot score a ``Transductive``
    detector: its scores of new points depend on the points asked about.

    Parameters
    ----------
    estimator : estimator object
        The detector, e.g. ``LocalOutlierFactor()``. Its parameters are
        tuned as ``estimator__<name>``.

    Attributes
    ----------
    estimator_ : estimator object
        A clone of ``estimator`` fitted on the training data.

    X_fit_ : ndarray of shape (n_samples, n_features)
        The training data, kept for the refits.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    Examples
    --------
    >>> from sklearn.neighbors import LocalOutlierFactor
    >>> from skhyper import GridTuner
    >>> from skhyper.anomaly import (
    ...     Transductive, default_cv, load_outlier_dataset, make_outlier_scorer)
    >>> X, y = load_outlier_dataset("blobs")
    >>> lof = Transductive(LocalOutlierFactor())
    >>> tuner = GridTuner(
    ...     lof,
    ...     {"estimator__n_neighbors": [5, 20, 50]},
    ...     scoring=make_outlier_scorer("roc_auc"),
    ...     cv=default_cv(lof, 3, y),
    ... ).fit(X, y)
    >>> tuner.best_params_
    {'estimator__n_neighbors': 50}
    >>> round(float(tuner.best_score_), 3)
    0.918
    >>> tuner.predict([[0.0, 0.0], [3.0, 3.0]])  # refitted on X and these together
    array([-1,  1])
    """

    _skhyper_transductive = True

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y=None):
        """Keep the training data and fit a clone of the detector on it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The fitted wrapper.
        """
        X = validate_data(self, X)
        self.X_fit_ = X
        self.estimator_ = clone(self.estimator).fit(X)
        return self

    def _transduce(self, X, method):
        check_is_fitted(self, "X_fit_")
        X = validate_data(self, X, reset=False)
        pyod = is_pyod_like(self.estimator_)
        if X.shape == self.X_fit_.shape and np.array_equal(X, self.X_fit_):
            return _values(self.estimator, self.estimator_, X, method, pyod)
        Z = np.concatenate([self.X_fit_, X])
        fitted = clone(self.estimator).fit(Z)
        return _values(self.estimator, fitted, Z, method, pyod)[len(self.X_fit_) :]

    def predict(self, X):
        """Labels of ``X`` from a fit on the training data and ``X`` together.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The wrapped detector's labels (scikit-learn: -1 outlier, 1 inlier).
        """
        return self._transduce(X, "predict")

    def score_samples(self, X):
        """Normality scores of ``X`` (higher is more normal), transductively.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            For ``LocalOutlierFactor``, ``negative_outlier_factor_`` of the
            rows of ``X`` in the fit on the training data and ``X``.
        """
        return self._transduce(X, "score_samples")

    def decision_function(self, X):
        """Decision values of ``X``, transductively.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_`` for scikit-learn detectors
            (negative for outliers); PyOD's ``decision_scores_`` (higher is
            more anomalous) for PyOD-style ones.
        """
        return self._transduce(X, "decision_function")


# -- data ------------------------------------------------------------------------

DATASETS = ("breast_cancer", "wine", "digits", "blobs")


def load_outlier_dataset(name, *, random_state=0):
    """Load a small outlier-detection data set built from bundled data.

    Every data set is made from data that ships with scikit-learn (or is
    generated), so nothing is downloaded:

    ===============  =======  ========  ========  ==================================
    name             samples  outliers  features  made of
    ===============  =======  ========  ========  ==================================
    "breast_cancer"  378      21        30        the 357 benign tumours; 21 of the
                                                  212 malignant ones drawn at random
    "wine"           129      10        13        cultivars 1 and 2; 10 wines of
                                                  cultivar 0 drawn at random
    "digits"         198      18        64        every 9 (180); two drawn at
                                                  random of each other digit
    "blobs"          330      30        2         three Gaussian blobs of 100 (std
                                                  0.4, 0.8, 1.2); 30 points uniform
                                                  over [-7, 7]^2
    ===============  =======  ========  ========  ==================================

    Rows are shuffled. The draws use ``random_state``.

    Parameters
    ----------
    name : {"breast_cancer", "wine", "digits", "blobs"}
        Which data set.

    random_state : int, default=0
        Seeds the outliers drawn, the generated data and the row order.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features, unscaled.

    y : ndarray of shape (n_samples,)
        1 for outliers, 0 for inliers.

    Examples
    --------
    >>> from skhyper.anomaly import load_outlier_dataset
    >>> X, y = load_outlier_dataset("breast_cancer")
    >>> X.shape, int(y.sum())
    ((378, 30), 21)
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    rng = np.random.RandomState(random_state)
    if name == "blobs":
        inliers, _ = make_blobs(
            n_samples=300,
            centers=[[-3.0, -3.0], [3.0, 3.0], [3.0, -3.0]],
            cluster_std=[0.4, 0.8, 1.2],
            random_state=rng,
        )
        noise = rng.uniform(-7.0, 7.0, size=(30, 2))
        X = np.concatenate([inliers, noise])
        y = np.r_[np.zeros(300, dtype=int), np.ones(30, dtype=int)]
    else:
        if name == "breast_cancer":
            data, target = load_breast_cancer(return_X_y=True)
            inliers = np.flatnonzero(target == 1)  # benign
            outliers = rng.choice(np.flatnonzero(target == 0), 21, replace=False)
        elif name == "wine":
            data, target = load_wine(return_X_y=True)
            inliers = np.flatnonzero(target != 0)
            outliers = rng.choice(np.flatnonzero(target == 0), 10, replace=False)
        else:
            data, target = load_digits(return_X_y=True)
            inliers = np.flatnonzero(target == 9)
            outliers = np.concatenate(
                [
                    rng.choice(np.flatnonzero(target == digit), 2, replace=False)
                    for digit in range(9)
                ]
            )
        X = data[np.concatenate([inliers, np.sort(outliers)])]
        y = np.r_[np.zeros(inliers.size, dtype=int), np.ones(outliers.size, dtype=int)]
    order = rng.permutation(len(y))
    return X[order], y[order]


# Shown by help(): the metric names make_outlier_scorer accepts.
