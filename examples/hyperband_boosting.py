"""
Hyperband for a boosting model
==============================

:class:`~skhyper.HyperbandTuner` runs Hyperband's brackets of successive
halving: from many candidates at a few boosting iterations to a few
candidates at all of them. A survivor's booster is continued from the rung
before (``max_iter`` of a histogram gradient boosting without early
stopping is a warm-start path), so it costs only the iterations it adds.

Here it tunes a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
beside :class:`~skhyper.GridTuner`, which gives every candidate of the grid
all the iterations, and :class:`~skhyper.HalvingRandomTuner`, one halving run
(Hyperband's most aggressive bracket alone). For each: its time, and the
full-resource cross-validated score of its choice, looked up in the grid's
results (every candidate's score at all the iterations), with its rank.

Run it with ``python examples/hyperband_boosting.py``.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier

from skhyper import GridTuner, HalvingRandomTuner, HyperbandTuner

X, y = make_classification(400, 20, n_informative=8, random_state=0)
booster = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
grid = {
    "learning_rate": [0.01, 0.03, 0.1, 0.3],
    "max_leaf_nodes": [7, 15, 31],
    "min_samples_leaf": [5, 40],
    "l2_regularization": [0.0, 10.0],
}
full = 27  # boosting iterations at the full resource
common = dict(cv=3, n_jobs=2, refit=False)
halving = dict(resource="max_iter", max_resources=full, factor=3, random_state=0)

searches = {
    "GridTuner": lambda: GridTuner(
        clone(booster).set_params(max_iter=full), grid, **common
    ),
    "HalvingRandomTuner": lambda: HalvingRandomTuner(
        booster, grid, **halving, **common
    ),
    "HyperbandTuner": lambda: HyperbandTuner(booster, grid, **halving, **common),
}
seconds, chosen = {}, {}
for name, make in searches.items():
    start = time.perf_counter()
    tuner = make().fit(X, y)
    seconds[name] = time.perf_counter() - start
    chosen[name] = {k: v for k, v in tuner.best_params_.items() if k != "max_iter"}
    if name == "GridTuner":
        reference = tuner.cv_results_

# %%
# Each choice at the full resource
# --------------------------------
# The grid's ``cv_results_`` has every candidate's score with all the
# iterations: the reference to score the other two choices.

scores = reference["mean_test_score"]
ranks = reference["rank_test_score"]
n = len(scores)
full_score, rank = {}, {}
for name, params in chosen.items():
    i = reference["params"].index(params)
    full_score[name], rank[name] = scores[i], ranks[i]
    print(
        f"{name:<19} {seconds[name]:5.2f} s  full-resource accuracy "
        f"{scores[i]:.4f}  rank {ranks[i]:>2} of {n}"
    )

# %%
# Time and score of each choice
# -----------------------------
# Here all three choose the grid's best candidate; HyperbandTuner hedges
# halving's bet on how early the ranking settles, for about twice a halving
# run's time, still a fraction of the grid's. The benchmark of
# ``benchmarks/bench_hyperband.py`` (in the documentation's Performance page)
# compares them on spaces where their choices differ.

names = list(searches)
fig, (ax_time, ax_score) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
ax_time.barh(names, [seconds[k] for k in names], color="C0")
ax_time.set_xlabel("search time (s)")
ax_time.invert_yaxis()
ax_score.barh(names, [full_score[k] for k in names], color="C1")
for i, k in enumerate(names):
    ax_score.annotate(
        f" rank {rank[k]} of {n}", (full_score[k], i), va="center", fontsize=9
    )
low = np.nanmin(scores)
ax_score.set_xlim(low - 0.01, np.nanmax(scores) + 0.03)
ax_score.set_xlabel(f"CV accuracy of the choice with {full} iterations")
fig.tight_layout()
plt.show()
