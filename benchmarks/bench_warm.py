"""warm: forests and gradient boosting over their number of estimators.

- RandomForestClassifier(n_estimators in {50, 100, 200, 400}) x max_depth in
  {None, 8};
- GradientBoostingClassifier(n_estimators in {50, 100, 200, 300}) x
  learning_rate in {0.05, 0.1};

both with random_state=0 on make_classification(2000, 20, random_state=0).
skhyper fits each n_estimators path in increasing order on one model; the
bound times that path once per fold (each tree fitted once).

Run: ``python benchmarks/bench_warm.py [--quick] [--repeats N]``.
"""

from _harness import Workload, main
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier


def workloads(quick):
    X, y = make_classification(1000 if quick else 2000, 20, random_state=0)
    scale = 4 if quick else 1
    rf = {
        "n_estimators": [n // scale for n in (50, 100, 200, 400)],
        "max_depth": [None, 8],
    }
    gb = {
        "n_estimators": [n // scale for n in (50, 100, 200, 300)],
        "learning_rate": [0.05, 0.1],
    }
    return [
        Workload(
            "warm (RandomForest)",
            RandomForestClassifier(random_state=0),
            rf,
            X,
            y,
            warm="n_estimators",
        ),
        Workload(
            "warm (GradientBoosting)",
            GradientBoostingClassifier(random_state=0),
            gb,
            X,
            y,
            warm="n_estimators",
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
