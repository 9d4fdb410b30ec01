"""
Sharing work: each piece fitted once
====================================

A search is a tree of work, not a list of independent fits. Two searches
show what skhyper does once where a plain search does it again:

- a pipeline ``StandardScaler -> PCA -> SVC`` over the PCA's
  ``n_components`` and the SVC's ``C``: the scaler is fitted once per fold
  for every candidate, and each PCA once per fold for all the ``C`` values
  below it;
- a random forest over ``n_estimators``: the values are fitted in
  increasing order on one forest per fold (a warm-start path), each scored
  on the way.

``work_`` counts what was done. The scores stay those of scikit-learn's
search: each is compared with ``GridSearchCV`` on the same grid.

Run it with ``python examples/sharing_work.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import GridTuner

X, y = load_breast_cancer(return_X_y=True)

searches = {
    "scaler + PCA + SVC": (
        Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())]),
        {"pca__n_components": [2, 5, 10], "svc__C": [0.1, 1, 10, 100]},
    ),
    "random forest": (
        RandomForestClassifier(random_state=0),
        {"n_estimators": [10, 20, 40, 80], "max_depth": [3, None]},
    ),
}

work = {}
for name, (estimator, grid) in searches.items():
    tuner = GridTuner(estimator, grid, cv=3).fit(X, y)
    reference = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    same = np.array_equal(
        tuner.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    work[name] = tuner.work_
    print(f"{name}: {tuner.work_}")
    print(f"  same scores as GridSearchCV: {same}")

# %%
# What a plain search fits, and what skhyper fitted
# -------------------------------------------------
# ``plain_fits`` counts the step fits a plain search runs (one per pipeline
# step, candidate and fold); ``fits`` the fresh fits skhyper ran, and
# ``warm_start_fits`` those that continued a model on its warm-start path.

names = list(work)
x = np.arange(len(names))
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
plain = [work[n]["plain_fits"] for n in names]
fresh = [work[n]["fits"] for n in names]
warm = [work[n]["warm_start_fits"] for n in names]
ax.bar(x - 0.2, plain, width=0.4, color="0.7", label="a plain search: step fits")
ax.bar(x + 0.2, fresh, width=0.4, color="tab:blue", label="skhyper: fresh fits")
ax.bar(
    x + 0.2,
    warm,
    width=0.4,
    bottom=fresh,
    color="tab:green",
    label="skhyper: warm-start continuations",
)
for i in range(len(names)):
    ax.text(x[i] - 0.2, plain[i], str(plain[i]), ha="center", va="bottom")
    ax.text(
        x[i] + 0.2,
        fresh[i] + warm[i],
        str(fresh[i] + warm[i]),
        ha="center",
        va="bottom",
    )
ax.set_xticks(x, names)
ax.set_ylabel("fits (3 folds)")
ax.set_title("The same scores, with less work")
ax.legend()
plt.show()
