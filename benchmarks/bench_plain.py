"""plain: SVC on the (pre-scaled) breast cancer data, a 5 x 5 grid over C and
gamma. Every candidate is distinct and there is no pipeline: nothing to share,
so this measures skhyper's overhead over scikit-learn's search.

Run: ``python benchmarks/bench_plain.py [--quick] [--repeats N]``.
"""

import numpy as np
from _harness import Workload, main
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def workloads(quick):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    n = 3 if quick else 5
    grid = {
        "C": np.logspace(-2, 2, n).tolist(),
        "gamma": np.logspace(-3, 0, n).tolist(),
    }
    return [Workload("plain (SVC, breast_cancer)", SVC(), grid, X, y)]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
