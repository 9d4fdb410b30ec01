"""
Long searches: a time budget, then resume from a checkpoint
===========================================================

A search with ``max_time`` stops when its budget is spent and keeps every
candidate that finished. With ``checkpoint=``, every finished fit is also
written to a file, so running the same search again resumes it: what the
file holds is read back, not fitted again.

Here a ``RandomTuner(n_iter=None)`` samples an SVC's ``C`` and ``gamma``
on the digits data until a 1-second budget is spent, and is then run again
with the same checkpoint and a larger budget. ``history_`` records when
each candidate finished; :class:`~skhyper.display.SearchHistoryDisplay`
draws the best score so far, with the candidates read back from the
checkpoint marked.

Run it with ``python examples/long_searches.py``.
"""

import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from skhyper import RandomTuner
from skhyper.display import SearchHistoryDisplay

X, y = load_digits(return_X_y=True)
X, y = X[:600], y[:600]
space = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)}
checkpoint = Path(tempfile.mkdtemp()) / "search.db"


def search(max_time):
    tuner = RandomTuner(
        SVC(),
        space,
        n_iter=None,
        cv=3,
        max_time=max_time,
        checkpoint=checkpoint,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "max_time was spent"
        return tuner.fit(X, y)


first = search(max_time=1)
again = search(max_time=2)
for name, tuner in (("first run", first), ("resumed", again)):
    print(
        f"{name}: {len(tuner.cv_results_['params'])} candidates, "
        f"{tuner.work_['from_checkpoint']} fits read from the checkpoint, "
        f"best {tuner.best_score_:.4f}"
    )

# %%
# The best score so far, against fits done
# ----------------------------------------
# The candidates read back from the checkpoint come first (marked), and the
# resumed search goes on from there.

SearchHistoryDisplay.from_estimator(again, x="n_fits")
plt.show()

# %%
# Against seconds
# ---------------
# The first run stops at its budget (the dashed line). The resumed search
# starts with what the checkpoint held, stamped when read, at the start.

fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
SearchHistoryDisplay.from_estimator(first, ax=axes[0])
axes[0].set_title("First run, 1 s budget")
SearchHistoryDisplay.from_estimator(again, ax=axes[1])
axes[1].set_title("Resumed, 2 s budget")
plt.show()
