"""duplicates: a random search that draws the same candidate many times.

RandomTuner(n_iter=60) over StandardScaler -> KNeighborsClassifier with
n_neighbors ~ randint(1, 10) and weights in {uniform, distance} on the digits,
random_state=0: at most 18 distinct candidates among the 60.

Run: ``python benchmarks/bench_duplicates.py [--quick] [--repeats N]``.
"""

from _harness import Workload, main
from scipy.stats import randint
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def workloads(quick):
    X, y = load_digits(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])
    space = {
        "knn__n_neighbors": randint(1, 10),
        "knn__weights": ["uniform", "distance"],
    }
    return [
        Workload(
            "duplicates (random, scaler+KNN)",
            pipe,
            space,
            X,
            y,
            n_iter=30 if quick else 60,
            random_state=0,
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
