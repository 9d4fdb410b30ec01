"""memory: peak memory when the folds' transformed data are large.

StandardScaler -> PCA(n_components=100, random_state=0) -> RidgeClassifier
(alpha in 4 values) on make_classification(200_000, 200, random_state=0)
(320 MB of float64; --quick: 50,000 rows), cv=5, at n_jobs=2 and at
n_jobs=8 (more workers than this 2-core machine has cores: fine for memory).
Each fold's scaled training data is 256 MB and its PCA output 128 MB; the
scaler and PCA are shared by the 4 candidates.

The measure is the peak memory column: summed RSS of this process and its
workers (pages of an array memory-mapped by joblib count in every process
that reads them). dask-ml is skipped (n/a); the bound divides by the cores,
not by n_jobs.

Run: ``python benchmarks/bench_memory.py [--quick] [--repeats N]``.
"""

import numpy as np
from _harness import Workload, main
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def workloads(quick):
    n_samples = 50_000 if quick else 200_000
    X, y = make_classification(n_samples, 200, random_state=0)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA(n_components=100, random_state=0)),
            ("ridge", RidgeClassifier()),
        ]
    )
    alphas = {"ridge__alpha": np.logspace(-2, 4, 4).tolist()}
    name = f"memory (scaler+PCA+Ridge, {n_samples // 1000}k x 200)"
    return [
        Workload(f"{name}, n_jobs={n}", pipe, alphas, X, y, n_jobs=n, skip=("dask-ml",))
        for n in (2, 8)
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
