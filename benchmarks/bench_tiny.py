"""tiny: thousands of fits that take a few milliseconds each.

DecisionTreeClassifier(random_state=0) on the breast cancer data over
max_depth (1 to 12) x min_samples_leaf {1, 2, 4, 8, 16} x criterion {gini,
entropy} x max_features {None, sqrt, 0.5, 0.25}: 480 candidates x 5 folds =
2,400 fits, each too short to be worth a task of its own.

Run: ``python benchmarks/bench_tiny.py [--quick] [--repeats N]``.
"""

from _harness import Workload, main
from sklearn.datasets import load_breast_cancer
from sklearn.tree import DecisionTreeClassifier


def workloads(quick):
    X, y = load_breast_cancer(return_X_y=True)
    grid = {
        "max_depth": list(range(1, 13)),
        "min_samples_leaf": [1, 2, 4, 8, 16],
        "criterion": ["gini", "entropy"],
        "max_features": [None, "sqrt", 0.5, 0.25],
    }
    tree = DecisionTreeClassifier(random_state=0)
    return [Workload("tiny (480 trees, breast_cancer)", tree, grid, X, y)]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
