"""Estimators that count their fits, to prove what was (not) fitted.

Counts live in a class attribute: use them with ``n_jobs=1`` (fits in this
process) or the threading backend.
"""

from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """LogisticRegression that records the parameters of every fit."""

    fits = []

    def __init__(self, C=1.0, max_iter=200):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(self.get_params())
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def decision_function(self, X):
        return self.model_.decision_function(X)


class CountingTransformer(TransformerMixin, BaseEstimator):
    """Scales by ``factor``; records every fit."""

    fits = []

    def __init__(self, factor=1.0):
        self.factor = factor

    def fit(self, X, y=None):
        type(self).fits.append(self.get_params())
        return self

    def transform(self, X):
        return X * self.factor


def reset_counts():
    CountingClassifier.fits.clear()
    CountingTransformer.fits.clear()
