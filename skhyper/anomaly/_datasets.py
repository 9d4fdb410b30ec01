"""Small outlier-detection data sets built from scikit-learn's bundled data."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_blobs
from sklearn.utils import check_random_state

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

    random_state : int, RandomState instance or None, default=0
        Seeds the outliers drawn, the generated data and the row order. Pass
        an int (the default) for the same data set at every call.

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
    rng = check_random_state(random_state)
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
