"""Scoring ``fit_predict``-only detectors on new data, transductively."""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from .._detectors import is_pyod_like


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

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
        object
            The fitted wrapper (``self``).
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
        """Predict the labels of ``X`` from a fit on the training data and ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to label.

        Returns
        -------
        ndarray of shape (n_samples,)
            The wrapped detector's labels (scikit-learn: -1 outlier, 1 inlier).
        """
        return self._transduce(X, "predict")

    def score_samples(self, X):
        """Compute the normality scores of ``X`` (higher is more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        ndarray of shape (n_samples,)
            For ``LocalOutlierFactor``, ``negative_outlier_factor_`` of the
            rows of ``X`` in the fit on the training data and ``X``.
        """
        return self._transduce(X, "score_samples")

    def decision_function(self, X):
        """Compute the decision values of ``X``, transductively.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``score_samples(X) - offset_`` for scikit-learn detectors
            (negative for outliers); PyOD's ``decision_scores_`` (higher is
            more anomalous) for PyOD-style ones.
        """
        return self._transduce(X, "decision_function")
