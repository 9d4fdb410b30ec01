"""custom_prefix: an expensive first step whose class no library knows.

SlowFeatures (``benchmarks/_custom.py``: RBF features on a k-means codebook
fitted with numpy, 200 centres, 30 Lloyd iterations, random_state=0) ->
RidgeClassifier(alpha in 10 values) on make_classification(5000, 50,
random_state=0), cv=5: one step, shared by all 10 candidates, that costs
far more than their fits, and that skhyper cannot recognise by its class.

Run: ``python benchmarks/bench_custom_prefix.py [--quick] [--repeats N]``.
"""

import numpy as np
from _custom import SlowFeatures  # benchmarks/ is on sys.path
from _harness import Workload, main
from sklearn.datasets import make_classification
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import Pipeline


def workloads(quick):
    n_samples, n_centers = (2000, 100) if quick else (5000, 200)
    X, y = make_classification(n_samples, 50, random_state=0)
    pipe = Pipeline(
        [
            ("features", SlowFeatures(n_centers=n_centers, random_state=0)),
            ("ridge", RidgeClassifier()),
        ]
    )
    alphas = {"ridge__alpha": np.logspace(-3, 4, 10).tolist()}
    return [Workload("custom prefix (SlowFeatures+Ridge)", pipe, alphas, X, y)]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
