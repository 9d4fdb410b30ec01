"""mlp: the search of skhyper's main job (``python -m skhyper``).

Its estimator (StandardScaler -> MLPClassifier(solver="sgd")) and grid
(``GRID``, or ``QUICK_GRID`` with --quick), cv=3, on the same 75 % training
part of the digits. Candidates that differ only in ``max_iter`` (50, 100,
200) share one run per fold (the staged path of the MLPs); the bound times
that run once per group and fold, and scores it once per value.

Run: ``python benchmarks/bench_mlp.py [--quick] [--repeats N]``.
"""

from _harness import Workload, main
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skhyper.__main__ import CV, GRID, QUICK_GRID, RANDOM_STATE, make_model


def workloads(quick):
    X, y = load_digits(return_X_y=True)
    X, _, y, _ = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=RANDOM_STATE
    )
    grid = QUICK_GRID if quick else GRID
    return [
        Workload(
            "mlp (main job's grid)", make_model(), grid, X, y, cv=CV, staged="max_iter"
        )
    ]


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
