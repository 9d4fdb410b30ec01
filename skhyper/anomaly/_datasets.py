"""Small outlier-detection data sets built from scikit-learn's bundled data."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_blobs
from sklearn.utils import check_random_state

DATASETS = ("breast_cancer", "wine", "digits", "blobs")

# The recipes of load_outlier_dataset's table. Outliers drawn from the other
# classes: malignant tumours (breast_cancer), wines of cultivar 0 (wine), and
# so many of each digit 0-8 among the 9s (digits).
N_MALIGNANT = 21
N_CULTIVAR_0 = 10
N_PER_OTHER_DIGIT = 2
INLIER_DIGIT = 9
# blobs: BLOB_SIZE points around each centre, N_NOISE outliers uniform over
# [-NOISE_HALF_WIDTH, NOISE_HALF_WIDTH]^2.
BLOB_CENTERS = [[-3.0, -3.0], [3.0, 3.0], [3.0, -3.0]]
BLOB_STDS = [0.4, 0.8, 1.2]
BLOB_SIZE = 100
N_NOISE = 30
NOISE_HALF_WIDTH = 7.0


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
            n_samples=BLOB_SIZE * len(BLOB_CENTERS),
            centers=BLOB_CENTERS,
            cluster_std=BLOB_STDS,
            random_state=rng,
        )
        noise = rng.uniform(
            -NOISE_HALF_WIDTH, NOISE_HALF_WIDTH, size=(N_NOISE, inliers.shape[1])
        )
        X = np.concatenate([inliers, noise])
        y = np.r_[np.zeros(len(inliers), dtype=int), np.ones(N_NOISE, dtype=int)]
    else:
        if name == "breast_cancer":
            data, target = load_breast_cancer(return_X_y=True)
            inliers = np.flatnonzero(target == 1)  # benign
            outliers = rng.choice(
                np.flatnonzero(target == 0), N_MALIGNANT, replace=False
            )
        elif name == "wine":
            data, target = load_wine(return_X_y=True)
            inliers = np.flatnonzero(target != 0)
            outliers = rng.choice(
                np.flatnonzero(target == 0), N_CULTIVAR_0, replace=False
            )
        else:
            data, target = load_digits(return_X_y=True)
            inliers = np.flatnonzero(target == INLIER_DIGIT)
            outliers = np.concatenate(
                [
                    rng.choice(
                        np.flatnonzero(target == digit),
                        N_PER_OTHER_DIGIT,
                        replace=False,
                    )
                    for digit in range(INLIER_DIGIT)
                ]
            )
        X = data[np.concatenate([inliers, np.sort(outliers)])]
        y = np.r_[np.zeros(inliers.size, dtype=int), np.ones(outliers.size, dtype=int)]
    order = rng.permutation(len(y))
    return X[order], y[order]
