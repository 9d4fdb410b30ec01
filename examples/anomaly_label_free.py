"""
Tuning outlier detectors without labels: Mass-Volume and Excess-Mass
====================================================================

Without labels there is nothing for ROC AUC to score, but a detector can
still be judged by the shape of its level sets (Goix, 2016): a good scoring
function packs a given mass of the data into a small volume (Mass-Volume,
lower is better; the scorer returns its negation) and has a large excess of
mass over the volume (Excess-Mass, higher is better). Both are estimated by
Monte Carlo over the data's bounding box and need no labels: the tuners are
fitted on ``X`` alone.

On the 2-D blobs data (three Gaussian blobs plus uniform noise) the fitted
detector is scored directly; on the 13-D wine data the scorers follow the
paper's protocol for more than 5 features, averaging refits on random
5-feature subsets. Labels are only used at the end, to show the ROC AUC of
the candidate each criterion chose against the best one in the grid.

Run it with ``python examples/anomaly_label_free.py``.
"""

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from skhyper import GridTuner
from skhyper.anomaly import (
    load_outlier_dataset,
    make_excess_mass_scorer,
    make_mass_volume_scorer,
    make_outlier_scorer,
)

label_free = {
    "mv": make_mass_volume_scorer(n_samples=20_000, n_draws=5),
    "em": make_excess_mass_scorer(n_samples=20_000, n_draws=5),
}
searches = {
    "LOF (novelty)": (
        make_pipeline(StandardScaler(), LocalOutlierFactor(novelty=True)),
        {"localoutlierfactor__n_neighbors": [2, 5, 10, 20, 40]},
    ),
    "OneClassSVM": (
        make_pipeline(StandardScaler(), OneClassSVM(nu=0.1)),
        {"oneclasssvm__gamma": [0.003, 0.03, 0.3, 3.0]},
    ),
    "IsolationForest": (
        IsolationForest(n_estimators=50, random_state=0),
        {"max_samples": [8, 32, 64], "max_features": [0.5, 1.0]},
    ),
}

for data_name in ("blobs", "wine"):
    X, y = load_outlier_dataset(data_name)
    # The folds are cut without labels; 2 folds leave the scorers more data.
    folds = list(StratifiedKFold(2, shuffle=True, random_state=0).split(X, y))
    print(f"\n{data_name}: {X.shape[0]} samples, {X.shape[1]} features")
    for name, (detector, grid) in searches.items():
        tuner = GridTuner(
            detector, grid, scoring=label_free, refit="mv", cv=folds, n_jobs=2
        )
        tuner.fit(X)  # no labels
        # For comparison only: the labelled ROC AUC of every candidate.
        labelled = GridTuner(
            detector, grid, scoring=make_outlier_scorer(), cv=folds, n_jobs=2
        ).fit(X, y)
        auc = labelled.cv_results_["mean_test_score"]
        by_mv = auc[np.argmax(tuner.cv_results_["mean_test_mv"])]
        by_em = auc[np.argmax(tuner.cv_results_["mean_test_em"])]
        print(
            f"  {name:<16} AUC of the choice by MV {by_mv:.3f}, by EM {by_em:.3f}; "
            f"best {auc.max():.3f}, median {np.median(auc):.3f}, worst {auc.min():.3f}"
        )
