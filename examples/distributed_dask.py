"""
Running a search on Dask
========================

A tuner runs its fits through joblib, so wrapping ``fit`` in
``joblib.parallel_config(backend="dask")`` moves them to a Dask cluster.
The tuner, its arguments and its results stay the same.

Here the cluster is a small local one in this process (threads, no
network); a real cluster is reached the same way, by connecting a
``distributed.Client`` to its scheduler. The same search also runs on
joblib's default backend: the scores are the same, only the times differ.

Needs the ``dask`` extra (``pip install "skhyper[dask]"``). Run it with
``python examples/distributed_dask.py``.
"""

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner
from skhyper.display import SearchHistoryDisplay

X, y = load_breast_cancer(return_X_y=True)
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("pca", PCA()),
        ("clf", LogisticRegression(solver="newton-cholesky")),
    ]
)
grid = {"pca__n_components": [2, 5, 10, 20], "clf__C": [0.01, 0.1, 1, 10, 100]}

with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster,
    Client(cluster),
):
    with joblib.parallel_config(backend="dask"):
        on_dask = GridTuner(pipe, grid, cv=5).fit(X, y)
local = GridTuner(pipe, grid, cv=5, n_jobs=2).fit(X, y)

same = np.array_equal(
    on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
)
print("best parameters on Dask:", on_dask.best_params_)
print("same scores as the local run:", same)

# %%
# The two runs over time
# ----------------------

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for tuner, name, color in [
    (on_dask, "Dask", "tab:blue"),
    (local, "loky", "tab:orange"),
]:
    display = SearchHistoryDisplay.from_estimator(tuner, ax=ax)
    display.line_.set(color=color, label=f"{name}: best so far")
    display.scatter_.set(color=color, alpha=0.4, label=f"{name}: candidates")
ax.legend(loc="lower right")
plt.show()
