"""A transformer that no library knows: for bench_custom_prefix.py.

It lives in a module (not in the script) so that joblib's loky workers and
dask's worker processes can import it when they unpickle a pipeline: they get
the benchmark's ``sys.path``, with ``benchmarks/`` on it.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class SlowFeatures(TransformerMixin, BaseEstimator):
    """RBF features on a k-means codebook, fitted with plain numpy.

    ``fit`` runs ``n_iter`` Lloyd iterations of k-means with ``n_centers``
    centres, started from rows drawn with ``random_state``; ``transform``
    gives ``exp(-gamma * squared distance)`` to each centre, with ``gamma``
    one over the mean squared distance seen in ``fit``. Deterministic for a
    fixed ``random_state``.
    """

    def __init__(self, n_centers=200, n_iter=30, random_state=0):
        self.n_centers = n_centers
        self.n_iter = n_iter
        self.random_state = random_state

    @staticmethod
    def _sq_dist(X, centers):
        d = (X * X).sum(1)[:, None] - 2 * X @ centers.T + (centers**2).sum(1)
        return np.maximum(d, 0)

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        rng = np.random.RandomState(self.random_state)
        n_centers = min(self.n_centers, len(X))  # e.g. the harness's warm-up
        centers = X[rng.choice(len(X), n_centers, replace=False)].copy()
        for _ in range(self.n_iter):
            labels = self._sq_dist(X, centers).argmin(1)
            counts = np.bincount(labels, minlength=n_centers)
            sums = np.zeros_like(centers)
            np.add.at(sums, labels, X)
            full = counts > 0  # an empty cluster keeps its centre
            centers[full] = sums[full] / counts[full, None]
        self.cluster_centers_ = centers
        self.gamma_ = 1.0 / self._sq_dist(X, centers).mean()
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.exp(-self.gamma_ * self._sq_dist(X, self.cluster_centers_))
