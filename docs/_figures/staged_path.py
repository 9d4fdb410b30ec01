"""Draw docs/_figures/staged_path.png, the figure of docs/sharing.md's staged paths.

Run from the repository: ``python docs/_figures/staged_path.py``. The
accuracies are measured: one network of the main job's pipeline on one fold
of the digits data, trained once to 200 epochs with snapshots at 50 and 100,
and three fresh fits, which score the same.
"""

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skhyper._paths._sklearn import mlp_stages  # noqa: E402

VALUES = [50, 100, 200]
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
net = MLPClassifier((32,), solver="sgd", learning_rate_init=0.01, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    top = clone(net).set_params(max_iter=VALUES[-1])
    staged = {
        v: m.score(X_test, y_test)
        for v, m in mlp_stages(top, VALUES, X_train, y_train, {})
    }
    fresh = {
        v: clone(net).set_params(max_iter=v).fit(X_train, y_train).score(X_test, y_test)
        for v in VALUES
    }
assert staged == fresh, (staged, fresh)

fig, (left, right) = plt.subplots(
    1, 2, figsize=(11, 3.2), sharex=True, layout="constrained"
)
for i, value in enumerate(VALUES):
    left.barh(i, value, color="tab:gray", height=0.5)
    left.text(
        value + 3, i, f"max_iter={value}: accuracy {fresh[value]:.4f}", va="center"
    )
left.set_title(f"GridSearchCV: one run per value, {sum(VALUES)} epochs per fold")
right.barh(1, VALUES[-1], color="tab:blue", height=0.2)
for i, value in enumerate(VALUES):
    below = i % 2 == 1  # alternate, so that neighbouring labels do not touch
    right.plot([value], [1], "o", color="tab:orange", markersize=9, zorder=3)
    right.annotate(
        f"max_iter={value}\naccuracy {staged[value]:.4f}",
        (value, 0.9 if below else 1.1),
        xytext=(0, -8 if below else 8),
        va="top" if below else "bottom",
        fontsize=9,
        textcoords="offset points",
        ha="center",
    )
right.set_title(f"skhyper: one run, {VALUES[-1]} epochs per fold, each value scored")
for ax in (left, right):
    ax.set_yticks([])
    ax.set_xlim(0, 290)
    ax.set_xlabel("epochs trained")
    ax.spines[["top", "right", "left"]].set_visible(False)
right.set_ylim(0.2, 1.6)
right.text(
    0, 0.25, "snapshots at the end of epochs 50 and 100: the networks of fresh fits"
)
fig.savefig(Path(__file__).with_suffix(".png"), dpi=100)
