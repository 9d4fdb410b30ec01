"""
GridTuner in place of GridSearchCV, around a pipeline
=====================================================

A support vector classifier on the handwritten digits, after scaling and a
PCA: the grid covers the number of principal components and the ``C`` and
``gamma`` of the SVC, addressed with scikit-learn's ``step__param`` names.
``GridTuner`` takes exactly the arguments ``GridSearchCV`` takes; here both
are run and their results compared: the best parameters, the best score and
every cross-validated score are the same. A heatmap shows the accuracy
over ``C`` and ``gamma``.

Run it with ``python examples/grid_pipeline.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import GridTuner
from skhyper.display import ParameterHeatmapDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

pipeline = Pipeline(
    [("scale", StandardScaler()), ("pca", PCA(random_state=0)), ("svc", SVC())]
)
param_grid = {
    "pca__n_components": [16, 32],
    "svc__C": [1, 10, 100],
    "svc__gamma": ["scale", 0.001, 0.01],
}

tuner = GridTuner(pipeline, param_grid, cv=5, n_jobs=-1)
tuner.fit(X_train, y_train)
print("GridTuner")
print("  best parameters:", tuner.best_params_)
print(f"  best cross-validated accuracy: {tuner.best_score_:.4f}")
print(f"  held-out accuracy: {tuner.score(X_test, y_test):.4f}")

# The same search with scikit-learn, same arguments.
search = GridSearchCV(pipeline, param_grid, cv=5, n_jobs=-1)
search.fit(X_train, y_train)
print("GridSearchCV")
print("  best parameters:", search.best_params_)
print(f"  best cross-validated accuracy: {search.best_score_:.4f}")
print(f"  held-out accuracy: {search.score(X_test, y_test):.4f}")

same = {
    "best_params_": tuner.best_params_ == search.best_params_,
    "best_score_": tuner.best_score_ == search.best_score_,
    "mean_test_score": np.array_equal(
        tuner.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    ),
    "rank_test_score": np.array_equal(
        tuner.cv_results_["rank_test_score"], search.cv_results_["rank_test_score"]
    ),
    "held-out predictions": np.array_equal(
        tuner.predict(X_test), search.predict(X_test)
    ),
}
for name, equal in same.items():
    print(f"Same {name} as GridSearchCV: {equal}")
if not all(same.values()):
    raise SystemExit("GridTuner and GridSearchCV disagree")

# %%
# The accuracy over ``C`` and ``gamma``
# -------------------------------------
# Each cell shows the best of the candidates with that ``C`` and ``gamma``
# (they differ by ``n_components``), as the title says.

ParameterHeatmapDisplay.from_estimator(tuner, "svc__C", "svc__gamma")
plt.show()
