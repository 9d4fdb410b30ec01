"""
RandomTuner with scipy distributions, a custom scorer and several metrics
=========================================================================

On the breast cancer data, missing a malignant tumour costs more than a false
alarm, so the model is chosen by the F2 score of the malignant class (label
0): F-beta with ``beta=2`` weighs recall twice as much as precision. The
scorer is built with ``make_scorer``, as for any scikit-learn search.

The pipeline scales the features, keeps the ``k`` best of them (an integer
drawn from ``randint``) and fits an RBF support vector classifier whose ``C``
and ``gamma`` are drawn from ``loguniform`` distributions.

The first search optimises F2 alone. The second records F2, accuracy and
ROC AUC for every candidate (multimetric scoring) and refits the best
candidate by the metric named in ``refit``. A parallel-coordinates plot
shows every candidate across the three parameters and its F2 score.

Run it with ``python examples/random_custom_scorer.py``.
"""

import matplotlib.pyplot as plt
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.metrics import fbeta_score, make_scorer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import RandomTuner
from skhyper.display import ParallelCoordinatesDisplay

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

pipeline = Pipeline(
    [
        ("scale", StandardScaler()),
        ("select", SelectKBest(f_classif)),
        ("svc", SVC()),
    ]
)
param_distributions = {
    "select__k": randint(5, 31),  # 5 to 30 of the 30 features
    "svc__C": loguniform(1e-2, 1e3),
    "svc__gamma": loguniform(1e-4, 1e0),
}
f2 = make_scorer(fbeta_score, beta=2, pos_label=0)


def show(params):
    """Parameters as ``name=value``, floats to 4 significant digits."""
    return ", ".join(
        f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}"
        for name, value in params.items()
    )


# One metric: the custom scorer.
tuner = RandomTuner(
    pipeline,
    param_distributions,
    n_iter=40,
    scoring=f2,
    cv=5,
    n_jobs=-1,
    random_state=0,
)
tuner.fit(X_train, y_train)
print("Scored by F2 of the malignant class")
print("  best parameters:", show(tuner.best_params_))
print(f"  best cross-validated F2: {tuner.best_score_:.4f}")
print(f"  held-out F2: {tuner.score(X_test, y_test):.4f}")

# Several metrics, refit by the one named "f2".
scoring = {"f2": f2, "accuracy": "accuracy", "roc_auc": "roc_auc"}
tuner = RandomTuner(
    pipeline,
    param_distributions,
    n_iter=40,
    scoring=scoring,
    refit="f2",
    cv=5,
    n_jobs=-1,
    random_state=0,
)
tuner.fit(X_train, y_train)
best = tuner.best_index_
print("Scored by F2, accuracy and ROC AUC, refit by F2")
print("  best parameters:", show(tuner.best_params_))
for name in scoring:
    mean = tuner.cv_results_[f"mean_test_{name}"][best]
    std = tuner.cv_results_[f"std_test_{name}"][best]
    print(f"  cross-validated {name}: {mean:.4f} (+/- {std:.4f})")
# With several metrics, score() uses the refit metric.
print(f"  held-out F2: {tuner.score(X_test, y_test):.4f}")

# %%
# Every candidate across its parameters
# -------------------------------------
# One line per candidate, coloured by its cross-validated F2 (the refit
# metric); ``C`` and ``gamma`` span decades, so their axes are logarithmic.

ParallelCoordinatesDisplay.from_estimator(tuner)
plt.show()
