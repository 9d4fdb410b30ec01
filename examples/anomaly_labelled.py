"""
Tuning outlier detectors with labels: GridTuner and RandomTuner
===============================================================

The breast cancer data as a one-class problem: 357 benign tumours are the
inliers, 21 malignant ones (drawn with a fixed seed) the outliers, ``y == 1``
marking them. Five detectors are tuned on a training part and judged on a
held-out part:

- ``IsolationForest`` and ``EllipticEnvelope`` with ``GridTuner``;
- ``OneClassSVM`` and ``LocalOutlierFactor(novelty=True)`` with
  ``RandomTuner`` (log-uniform ``gamma``, ``n_neighbors`` from a range);
- ``LocalOutlierFactor(novelty=False)``, which only has ``fit_predict``,
  through ``Transductive``: each test fold is scored by a LOF fitted on
  train + test.

Scoring is ``make_outlier_scorer``: ROC AUC and average precision on the
anomaly score (the right orientation, whatever the detector) and F1 on the
predicted labels, refitting on AUC. Folds are stratified on the outlier
indicator (``default_cv``, what the tuners use for detectors), so every test
fold holds outliers. A last search tunes a ``OneClassSVM`` for novelty
detection, with ``NoveltySplit`` keeping outliers out of the training folds.

Run it with ``python examples/anomaly_labelled.py``.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform, randint
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from skhyper import GridTuner, RandomTuner
from skhyper.anomaly import (
    NoveltySplit,
    Transductive,
    default_cv,
    load_outlier_dataset,
    make_outlier_scorer,
)

warnings.filterwarnings("ignore", message="The covariance matrix")  # MinCovDet

X, y = load_outlier_dataset("breast_cancer")
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scoring = {
    "auc": make_outlier_scorer("roc_auc"),
    "ap": make_outlier_scorer("average_precision"),
    "f1": make_outlier_scorer("f1"),
}


def scaled(detector):
    return make_pipeline(StandardScaler(), detector)


def short(params):
    """Parameters with floats to 3 significant digits, names without prefixes."""
    return {
        k.rsplit("__", 1)[-1]: float(f"{v:.3g}") if isinstance(v, float) else v
        for k, v in params.items()
    }


searches = {
    "IsolationForest": GridTuner(
        IsolationForest(n_estimators=100, random_state=0),
        {"max_samples": [32, 128, "auto"], "max_features": [0.5, 1.0]},
        scoring=scoring,
        refit="auc",
    ),
    "EllipticEnvelope": GridTuner(
        scaled(EllipticEnvelope(random_state=0)),
        {"ellipticenvelope__support_fraction": [0.6, 0.8, 1.0]},
        scoring=scoring,
        refit="auc",
    ),
    "OneClassSVM": RandomTuner(
        scaled(OneClassSVM()),
        {
            "oneclasssvm__gamma": loguniform(1e-4, 1e0),
            "oneclasssvm__nu": [0.05, 0.1, 0.3],
        },
        n_iter=12,
        scoring=scoring,
        refit="auc",
        random_state=0,
    ),
    "LOF (novelty=True)": RandomTuner(
        scaled(LocalOutlierFactor(novelty=True)),
        {"localoutlierfactor__n_neighbors": randint(3, 80)},
        n_iter=8,
        scoring=scoring,
        refit="auc",
        random_state=0,
    ),
    "LOF (novelty=False)": GridTuner(
        scaled(Transductive(LocalOutlierFactor())),
        {"transductive__estimator__n_neighbors": [5, 20, 50]},
        scoring=scoring,
        refit="auc",
    ),
}

auc = scoring["auc"]
cv_auc, test_auc = {}, {}
print(f"{'detector':<20} {'CV AUC':>7} {'CV AP':>6} {'CV F1':>6} {'test AUC':>9}  best")
for name, search in searches.items():
    # What the tuners do by default for a detector fitted with labels.
    search.set_params(cv=default_cv(search.estimator, None, y_train), n_jobs=2)
    search.fit(X_train, y_train)
    i = search.best_index_
    res = search.cv_results_
    cv_auc[name], test_auc[name] = res["mean_test_auc"][i], auc(search, X_test, y_test)
    print(
        f"{name:<20} {res['mean_test_auc'][i]:7.3f} {res['mean_test_ap'][i]:6.3f} "
        f"{res['mean_test_f1'][i]:6.3f} {test_auc[name]:9.3f}  "
        f"{short(search.best_params_)}"
    )

# Novelty detection: train on inliers only, test on held-out inliers + outliers.
novelty = GridTuner(
    scaled(OneClassSVM()),
    {"oneclasssvm__gamma": [1e-3, 1e-2, 1e-1], "oneclasssvm__nu": [0.01, 0.1]},
    scoring=scoring,
    refit="auc",
    cv=NoveltySplit(n_splits=5, random_state=0),
    n_jobs=2,
).fit(X_train, y_train)
inliers_only = novelty.best_estimator_.fit(X_train[y_train == 0])
print(
    f"\nNovelty detection (NoveltySplit): CV AUC {novelty.best_score_:.3f}, "
    f"test AUC {auc(inliers_only, X_test, y_test):.3f}, {short(novelty.best_params_)}"
)

# %%
# Cross-validated and held-out ROC AUC of each detector's choice
# --------------------------------------------------------------

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
names = list(cv_auc)
rows = np.arange(len(names))
ax.barh(rows - 0.2, [cv_auc[n] for n in names], height=0.4, label="CV AUC")
ax.barh(rows + 0.2, [test_auc[n] for n in names], height=0.4, label="held-out AUC")
ax.set_yticks(rows, names)
ax.invert_yaxis()  # first detector on top
ax.set_xlim(0.5, 1)
ax.set_xlabel("ROC AUC (outliers = malignant tumours)")
ax.legend(loc="lower left")
plt.show()
