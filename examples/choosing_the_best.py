"""
Choosing the best honestly
==========================

The candidate with the best mean score is often barely better than
several others: fold scores vary, and the winner among close candidates is
partly chosen by noise. :mod:`skhyper.selection` helps choose a simpler
one that is not worse:

- :func:`~skhyper.selection.simplest_within_one_se`, a ``refit`` callable:
  the simplest candidate whose mean score is within one standard error of
  the best (the "one standard error rule");
- :func:`~skhyper.selection.compare_to_best`: every candidate against the
  best by the corrected resampled t-test of Nadeau and Bengio, which
  accounts for the overlap of the training folds;
- :func:`~skhyper.selection.simplest_not_worse`, a ``refit`` callable: the
  simplest candidate that test does not find significantly worse.

A PCA followed by a Gaussian naive Bayes classifier on the digits: fewer
components make a simpler model.

Run it with ``python examples/choosing_the_best.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline

from skhyper import GridTuner
from skhyper.display import ParameterScoreDisplay
from skhyper.selection import (
    compare_to_best,
    simplest_not_worse,
    simplest_within_one_se,
)

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(PCA(random_state=0), GaussianNB())
grid = {"pca__n_components": [5, 10, 15, 20, 25, 30, 40, 50]}

# One search, refitting the candidate the 1-SE rule chooses.
tuner = GridTuner(
    pipe, grid, cv=10, refit=simplest_within_one_se("pca__n_components")
).fit(X, y)
results = tuner.cv_results_

# The rules are plain functions of cv_results_: the other choices, from the
# same results, without searching again.
chosen = {
    "best mean score": int(results["rank_test_score"].argmin()),
    "one standard error rule": tuner.best_index_,
    "not significantly worse": simplest_not_worse("pca__n_components")(results),
}
n_components = np.asarray(results["param_pca__n_components"], float)
means = results["mean_test_score"]
for name, i in chosen.items():
    print(
        f"{name:<24} n_components={int(n_components[i]):>2}"
        f"  mean accuracy {means[i]:.4f}"
    )

# %%
# Every candidate against the best
# --------------------------------
# ``p_value`` is the one-sided p-value that the best is better. With 10
# folds, the correction multiplies the variance of the score differences
# by ``1/10 + 1/9`` instead of ``1/10``.

table = compare_to_best(results)
print(table.drop(columns="params").round(4))

# %%
# The three choices on the score curve
# ------------------------------------

best = chosen["best mean score"]
se = results["std_test_score"][best] / np.sqrt(10 - 1)
display = ParameterScoreDisplay.from_estimator(tuner, "pca__n_components")
ax = display.ax_
ax.axhline(means[best] - se, color="0.5", linestyle="--", label="best − 1 SE")
for (label, i), marker in zip(chosen.items(), ["*", "D", "s"]):
    ax.plot(n_components[i], means[i], marker, markersize=12, label=label)
ax.legend(loc="lower right")
plt.show()
