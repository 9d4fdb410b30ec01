"""anomaly: how far label-free tuning takes you.

For each data set of ``skhyper.anomaly.load_outlier_dataset`` and each
detector, a ``GridTuner`` scores every candidate of a grid on the same
stratified folds with three criteria at once: the labelled ROC AUC
(``make_outlier_scorer("roc_auc")``), and the label-free Mass-Volume and
Excess-Mass criteria (Goix, 2016), which never see the labels. The table
shows the cross-validated AUC of the candidate each label-free criterion
would choose, next to the AUC of the best candidate (what tuning with labels
finds), the median candidate (a guess from the grid) and the worst.

The setting is outlier detection: the training folds hold outliers too, as
they would without labels. Detectors are in a ``StandardScaler`` pipeline
(``EllipticEnvelope`` without). ``LocalOutlierFactor(novelty=False)`` is left
out: Mass-Volume and Excess-Mass need scores of new points (its
``novelty=True`` form stands for it).

Unlike the other benchmarks this one measures choices, not time; the time per
row is printed for scale.

Run: ``python benchmarks/bench_anomaly.py [--quick] [--n-jobs N]``.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import skhyper
from skhyper import GridTuner
from skhyper.anomaly import (
    load_outlier_dataset,
    make_excess_mass_scorer,
    make_mass_volume_scorer,
    make_outlier_scorer,
)


def all_criteria(**level_set):
    """The AUC and both label-free criteria, as a multimetric ``scoring``.

    Both criteria get the same ``level_set`` settings and int seed, so they
    draw the same uniform points and feature subsets on every fold.
    """
    return {
        "auc": make_outlier_scorer("roc_auc"),
        "mass_volume": make_mass_volume_scorer(**level_set),
        "excess_mass": make_excess_mass_scorer(**level_set),
    }


def detectors(quick):
    scaled = StandardScaler()
    if quick:
        return {
            "IsolationForest": (
                IsolationForest(n_estimators=50, random_state=0),
                {"max_samples": [16, 128], "max_features": [0.5, 1.0]},
            ),
            "OneClassSVM": (
                make_pipeline(scaled, OneClassSVM()),
                {"oneclasssvm__gamma": [0.01, 0.1, 1.0]},
            ),
            "LOF (novelty)": (
                make_pipeline(scaled, LocalOutlierFactor(novelty=True)),
                {"localoutlierfactor__n_neighbors": [3, 10, 40]},
            ),
        }
    return {
        "IsolationForest": (
            IsolationForest(n_estimators=50, random_state=0),
            {"max_samples": [8, 32, 128], "max_features": [0.3, 0.6, 1.0]},
        ),
        "OneClassSVM": (
            make_pipeline(scaled, OneClassSVM()),
            {
                "oneclasssvm__gamma": [0.003, 0.03, 0.3, 3.0],
                "oneclasssvm__nu": [0.05, 0.3],
            },
        ),
        "LOF (novelty)": (
            make_pipeline(scaled, LocalOutlierFactor(novelty=True)),
            {"localoutlierfactor__n_neighbors": [2, 5, 10, 20, 40, 80]},
        ),
        "EllipticEnvelope": (
            EllipticEnvelope(random_state=0),
            {"support_fraction": [0.5, 0.7, 0.9, 1.0]},
        ),
    }


def run(name, detector, grid, X, y, scorer, n_jobs):
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    start = time.perf_counter()
    tuner = GridTuner(detector, grid, scoring=scorer, refit=False, cv=cv, n_jobs=n_jobs)
    tuner.fit(X, y)
    elapsed = time.perf_counter() - start
    res = tuner.cv_results_
    auc = np.asarray(res["mean_test_auc"], dtype=float)
    mv = np.asarray(res["mean_test_mass_volume"], dtype=float)
    em = np.asarray(res["mean_test_excess_mass"], dtype=float)
    ok = np.isfinite(mv) & np.isfinite(em) & np.isfinite(auc)
    by_mv = auc[np.flatnonzero(ok)[np.argmax(mv[ok])]] if ok.any() else np.nan
    by_em = auc[np.flatnonzero(ok)[np.argmax(em[ok])]] if ok.any() else np.nan
    return {
        "candidates": len(auc),
        "best": np.nanmax(auc),
        "median": np.nanmedian(auc),
        "worst": np.nanmin(auc),
        "mv": by_mv,
        "em": by_em,
        "failed": int((~ok).sum()),
        "seconds": elapsed,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    # Refits on tiny subsets warn (n_neighbors > n_samples, singular
    # covariances); keep the table readable, here and in the workers.
    os.environ["PYTHONWARNINGS"] = "ignore"
    warnings.simplefilter("ignore")

    if args.quick:
        datasets = ("wine", "blobs")
        level_set = {"n_samples": 5_000, "n_draws": 3}
    else:
        datasets = ("breast_cancer", "wine", "digits", "blobs")
        level_set = {"n_samples": 20_000, "n_draws": 5}
    scorer = all_criteria(**level_set, random_state=0)
    print(
        f"skhyper {skhyper.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, n_jobs={args.n_jobs}"
    )
    print(
        f"3-fold stratified CV (shuffled, seed 0); Mass-Volume / Excess-Mass with "
        f"{level_set['n_samples']} uniform points, feature subsets of 5 with "
        f"{level_set['n_draws']} draws above 5 features"
    )
    print()
    header = (
        "| data set | detector | candidates | best AUC | median AUC | worst AUC "
        "| AUC chosen by MV | AUC chosen by EM | time (s) |"
    )
    print(header)
    print("|---" * 9 + "|")
    total = time.perf_counter()
    for data_name in datasets:
        X, y = load_outlier_dataset(data_name)
        for det_name, (detector, grid) in detectors(args.quick).items():
            r = run(det_name, detector, grid, X, y, scorer, args.n_jobs)
            note = f" ({r['failed']} failed)" if r["failed"] else ""
            print(
                f"| {data_name} ({X.shape[1]} features) | {det_name} "
                f"| {r['candidates']}{note} | {r['best']:.3f} | {r['median']:.3f} "
                f"| {r['worst']:.3f} | {r['mv']:.3f} | {r['em']:.3f} "
                f"| {r['seconds']:.0f} |",
                flush=True,
            )
    print(f"\ntotal {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
