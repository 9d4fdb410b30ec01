"""staged: epochs and boosting rounds scored from one run per fold.

- an ``adam`` MLPClassifier with ``early_stopping=True`` over ``max_iter`` in
  {25, 50, 100, 200} x ``hidden_layer_sizes`` in {(32,), (64,)} x ``alpha``
  in {1e-4, 1e-2}, after a StandardScaler, on the digits (cv=3);
- XGBClassifier (``subsample=0.8``, ``colsample_bytree=0.8``) and
  LGBMClassifier (``bagging_fraction=0.8``, ``bagging_freq=1``,
  ``feature_fraction=0.8``) over ``n_estimators`` in {50, 100, 200, 400} x
  ``max_depth`` in {3, 6} (``num_leaves`` 31), one thread each, on
  make_classification(4000, 20, random_state=0) (cv=3), and CatBoost's
  ``iterations`` x ``depth`` alike (``subsample=0.8``, ``rsm=0.8``), where
  the library is installed;
- a skorch NeuralNetClassifier (two layers, seeded) over ``max_epochs`` in
  {5, 10, 20} x ``lr`` in {0.05, 0.1} on the digits, where skorch is
  installed.

Each group of candidates differing only in that parameter is trained once
per fold, at its largest value; the bound times that run once per group
and fold, and scores it once per value.

Run: ``python benchmarks/bench_staged.py [--quick] [--repeats N]``.
"""

import importlib.util

from _harness import Workload, main
from sklearn.datasets import load_digits, make_classification
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def _has(name):
    return importlib.util.find_spec(name) is not None


def workloads(quick):
    X, y = load_digits(return_X_y=True)
    scale = 5 if quick else 1
    net = MLPClassifier(solver="adam", early_stopping=True, random_state=0)
    grid = {
        "mlpclassifier__max_iter": [n // scale for n in (25, 50, 100, 200)],
        "mlpclassifier__hidden_layer_sizes": [(32,), (64,)],
        "mlpclassifier__alpha": [1e-4, 1e-2],
    }
    out = [
        Workload(
            "staged (adam MLP, early stopping)",
            make_pipeline(StandardScaler(), net),
            grid,
            X,
            y,
            cv=3,
            staged="max_iter",
            skip=("dask-ml",),
        )
    ]
    Xb, yb = make_classification(1000 if quick else 4000, 20, random_state=0)
    rounds = {
        "n_estimators": [n // scale for n in (50, 100, 200, 400)],
        "max_depth": [3, 6],
    }
    if _has("xgboost"):
        from xgboost import XGBClassifier

        xgb = XGBClassifier(
            subsample=0.8, colsample_bytree=0.8, n_jobs=1, random_state=0
        )
        out.append(
            Workload(
                "staged (XGBoost, subsampled)",
                xgb,
                rounds,
                Xb,
                yb,
                cv=3,
                staged="n_estimators",
                skip=("dask-ml",),
            )
        )
    if _has("lightgbm"):
        from lightgbm import LGBMClassifier

        lgbm = LGBMClassifier(
            bagging_fraction=0.8,
            bagging_freq=1,
            feature_fraction=0.8,
            n_jobs=1,
            random_state=0,
            verbose=-1,
        )
        out.append(
            Workload(
                "staged (LightGBM, subsampled)",
                lgbm,
                rounds,
                Xb,
                yb,
                cv=3,
                staged="n_estimators",
                skip=("dask-ml",),
            )
        )
    if _has("catboost"):
        from catboost import CatBoostClassifier

        cat = CatBoostClassifier(
            learning_rate=0.1,
            subsample=0.8,
            rsm=0.8,
            thread_count=1,
            random_seed=0,
            verbose=False,
            allow_writing_files=False,
        )
        out.append(
            Workload(
                "staged (CatBoost, subsampled)",
                cat,
                {"iterations": rounds["n_estimators"], "depth": [3, 6]},
                Xb,
                yb,
                cv=3,
                staged="iterations",
                skip=("dask-ml",),
            )
        )
    if _has("skorch"):
        from _torch_net import skorch_net

        Xd = StandardScaler().fit_transform(X).astype("float32")
        epochs = {"max_epochs": [5, 10, 20] if not quick else [2, 4], "lr": [0.05, 0.1]}
        out.append(
            Workload(
                "staged (skorch network)",
                skorch_net(),
                epochs,
                Xd,
                y.astype("int64"),
                cv=3,
                staged="max_epochs",
                skip=("dask-ml",),
            )
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main(__doc__, workloads))
