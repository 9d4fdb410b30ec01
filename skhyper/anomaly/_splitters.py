"""Cross-validation for novelty detection: outliers kept out of training."""

import numbers

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state, check_scalar, column_or_1d


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
        check_scalar(self.n_splits, "n_splits", numbers.Integral, min_val=2)
        if self.test_outliers not in ("split", "all"):
            raise ValueError(
                f"test_outliers must be 'split' or 'all', got {self.test_outliers!r}"
            )
        check_scalar(self.shuffle, "shuffle", (bool, np.bool_))
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
        int
            ``n_splits``.
        """
        return self.n_splits
