"""prefix: pipelines whose first steps are shared by many candidates.

- StandardScaler -> PCA(n_components in {8, 16, 32}) -> SVC(C in {0.1, 1, 10,
  100}) on the digits: each PCA is shared by 4 candidates;
- Nystroem(n_components=1000) -> RidgeClassifier(alpha in 8 values) on
  make_classification(5000, 50): one expensive step shared by all 8.

Run: ``python benchmarks/bench_prefix.py [--quick] [--repeats N]``.
"""

import numpy as np
from _harness import Workload, main
from sklearn.datasets import load_digits, make_classification
from sklearn.decomposition import PCA
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def workloads(quick):
    X, y = load_digits(return_X_y=True)
    pca = Pipeline(
        [("scale", StandardScaler()), ("pca", PCA(random_state=0)), ("svc", SVC())]
    )
    grid = {
        "pca__n_components": [8, 16] if quick else [8, 16, 32],
        "svc__C": [0.1, 1, 10] if quick else [0.1, 1, 10, 100],
    }
    n_samples, n_components = (2000, 500) if quick else (5000, 1000)
    X2, y2 = make_classification(n_samples, 50, random_state=0)
    nys = Pipeline(
        [
            ("nystroem", Nystroem(n_components=n_components, random_state=0)),
            ("ridge", RidgeClassifier()),
        ]
    )
    alphas = {"ridge__alpha": np.logspace(-3, 4, 8).tolist()}
    return [
        Workload("prefix (scaler+PCA+SVC, digits)", pca, grid, X, y),
        Workload("expensive prefix (Nystroem+Ridge)", nys, alphas, X2, y2),
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
