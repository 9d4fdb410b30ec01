"""
BayesTuner on a conditional space: which classifier, then its parameters
========================================================================

On the breast cancer data, a pipeline scales the features and ends in one
of three classifiers, each with its own parameters: an RBF support vector
classifier (``C`` and ``gamma``), a logistic regression (``C``) or a
k-nearest-neighbours classifier (``n_neighbors`` and ``weights``). The
space is a list of dicts, one per classifier, as for ``RandomizedSearchCV``;
the scaler is swapped too (standard or min-max scaling).

``BayesTuner`` (Optuna's TPE sampler) and ``RandomTuner`` get the same
budget of 30 candidates. For each, the script prints the best score after
10, 20 and 30 candidates, the best parameters, how many candidates were
distinct and fitted, and the held-out accuracy of the refitted best model.
Both run with ``n_jobs=2``: BayesTuner proposes candidates in rounds of
two, one per worker, and its candidates depend on ``n_jobs`` (they are the
same at every run for a given ``n_jobs`` and ``random_state``).

Needs the ``bayes`` extra: ``pip install 'skhyper[bayes]'``. Run it with
``python examples/bayes_swapped_step.py``.
"""

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from skhyper import BayesTuner, RandomTuner

N_ITER = 30

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

pipeline = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
scalers = [StandardScaler(), MinMaxScaler()]
param_distributions = [
    {
        "scale": scalers,
        "clf": [SVC()],
        "clf__C": loguniform(1e-2, 1e3),
        "clf__gamma": loguniform(1e-5, 1e0),
    },
    {
        "scale": scalers,
        "clf": [LogisticRegression(max_iter=2000)],
        "clf__C": loguniform(1e-3, 1e2),
    },
    {
        "scale": scalers,
        "clf": [KNeighborsClassifier()],
        "clf__n_neighbors": randint(1, 40),
        "clf__weights": ["uniform", "distance"],
    },
]


def show(params):
    """Parameters as ``name=value``, floats to 4 significant digits."""
    return ", ".join(
        f"{name}={value:.4g}"
        if isinstance(value, float)
        else f"{name}={type(value).__name__ if hasattr(value, 'fit') else value}"
        for name, value in params.items()
    )


for tuner in [
    BayesTuner(
        pipeline, param_distributions, n_iter=N_ITER, cv=3, n_jobs=2, random_state=0
    ),
    RandomTuner(
        pipeline, param_distributions, n_iter=N_ITER, cv=3, n_jobs=2, random_state=0
    ),
]:
    tuner.fit(X_train, y_train)
    so_far = np.maximum.accumulate(tuner.cv_results_["mean_test_score"])
    print(type(tuner).__name__)
    print(
        "  best accuracy after 10, 20, 30 candidates:",
        ", ".join(f"{so_far[n - 1]:.4f}" for n in (10, 20, 30)),
    )
    print("  best parameters:", show(tuner.best_params_))
    work = tuner.work_
    print(
        f"  {work['candidates']} candidates, {work['distinct_candidates']} distinct; "
        f"{work['fits']} step fits of the {work['plain_fits']} a plain search runs"
    )
    print(f"  held-out accuracy: {tuner.score(X_test, y_test):.4f}")
