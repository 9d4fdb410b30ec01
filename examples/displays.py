"""
Seeing the search: result displays
==================================

:mod:`skhyper.display` draws a search's ``cv_results_`` in scikit-learn's
display convention: ``XDisplay.from_estimator(search, ...)`` or
``XDisplay.from_cv_results(search.cv_results_, ...)`` (which also takes
the results of scikit-learn's own searches), each returning a display with
``ax_`` and ``figure_``.

A grid over a pipeline whose classifier is swapped by the grid (an SVC or
a logistic regression, by class name on the plots) and a random search
over three parameters, on the wine data.

Run it with ``python examples/displays.py``.
"""

import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_wine
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import GridTuner, RandomTuner
from skhyper.display import (
    HalvingRungsDisplay,
    ParallelCoordinatesDisplay,
    ParameterHeatmapDisplay,
    ParameterScoreDisplay,
    SearchHistoryDisplay,
)

X, y = load_wine(return_X_y=True)
pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
grid = [
    {
        "clf": [SVC()],
        "clf__C": [0.001, 0.01, 0.1, 1, 10, 100],
        "clf__gamma": [0.001, 0.01, 0.1, 1],
    },
    {"clf": [LogisticRegression(solver="newton-cg")], "clf__C": [0.001, 0.01, 0.1, 1]},
]
tuner = GridTuner(pipe, grid, cv=5, return_train_score=True).fit(X, y)

# %%
# The score against one parameter
# -------------------------------
# Mean and standard deviation over the folds, train and test. ``C`` spans
# five decades, so the axis is logarithmic; other parameters vary, and the
# title says how they are summed up (here, the best candidate at each value).
# The classifier swapped by the grid is a categorical parameter.

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
ParameterScoreDisplay.from_estimator(tuner, "clf__C", ax=axes[0])
ParameterScoreDisplay.from_estimator(tuner, "clf", ax=axes[1])
plt.show()

# %%
# Two parameters as a heatmap
# ---------------------------
# The logistic regression has no ``gamma``: its candidates do not fall in
# any cell here, and the title says how the others were summed up.

ParameterHeatmapDisplay.from_estimator(tuner, "clf__C", "clf__gamma")
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# A random search: every parameter at once
# ----------------------------------------
# One line per candidate across the parameters' axes (log-scaled where the
# values span decades), coloured by score.

space = {
    "C": loguniform(1e-3, 1e3),
    "gamma": loguniform(1e-4, 1e1),
    "kernel": ["rbf", "sigmoid"],
}
random = RandomTuner(
    Pipeline([("scale", StandardScaler()), ("svc", SVC())]).set_output(
        transform="default"
    ),
    {f"svc__{k}": v for k, v in space.items()},
    n_iter=40,
    cv=5,
    random_state=0,
).fit(X, y)
ParallelCoordinatesDisplay.from_estimator(random)
plt.show()

# %%
# The search over time
# --------------------
# The best score found so far, against seconds and against fits done.

fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
SearchHistoryDisplay.from_estimator(random, ax=axes[0])
SearchHistoryDisplay.from_estimator(random, x="n_fits", ax=axes[1])
plt.show()

# %%
# Successive halving, from scikit-learn's search
# ----------------------------------------------
# :class:`~skhyper.display.HalvingRungsDisplay` reads the ``iter`` and
# ``n_resources`` keys of a successive-halving search's ``cv_results_``:
# each candidate is a line through the rungs it reached.

halving = HalvingGridSearchCV(
    pipe,
    {"clf__C": [0.01, 0.1, 1, 10, 100], "clf__gamma": [0.001, 0.01, 0.1, 1]},
    cv=3,
    min_resources=30,
    random_state=0,
).fit(X, y)
HalvingRungsDisplay.from_estimator(halving)
plt.show()
