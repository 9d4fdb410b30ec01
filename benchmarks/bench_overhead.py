"""overhead: time per candidate as a search grows, on a near-free estimator.

DummyRegressor(strategy="constant") over ``constant`` in 100, 1,000 and
10,000 evenly spaced values (each a distinct candidate with its own score;
the fit costs the same whatever the value) on make_regression(300, 5,
random_state=0), cv=2, n_jobs=2. The fits cost almost nothing, so the time
is the search's own overhead: dispatch, bookkeeping, ``cv_results_``.

Besides the usual rows, the output has a table with, for each size, the
median time of the search divided by its number of candidates (ms per
candidate) for sklearn, skhyper, dask-ml and the bound, and skhyper/sklearn.
A flat row is an overhead linear in the number of candidates. dask-ml is
skipped at the largest size. ``--quick``: 100, 1,000 and 3,000 candidates.
``--sizes N [N ...]`` sets the sizes (e.g. to repeat the small ones).

scikit-learn 1.9's search may not stay linear here at ``n_jobs=2``: every
task carries a callback context whose parent holds the contexts of all the
search's tasks (about 80 bytes each), so each batch of tasks sent to a worker
pickles O(candidates x folds) bytes, and its time depends on joblib's batch
sizes and on the load: 3,000 candidates x 2 folds took 5.3 s on a quiet
machine and 59 s while a test suite ran on it (load average 3). Run it with
``--quiet-wait``.

Run: ``python benchmarks/bench_overhead.py [--quick] [--repeats N]
[--sizes N ...]``.
"""

import argparse
import sys
from functools import partial

import numpy as np
from _harness import Workload, main
from sklearn.datasets import make_regression
from sklearn.dummy import DummyRegressor

GROUP = "overhead (DummyRegressor, cv=2)"


def workloads(quick, sizes=None):
    X, y = make_regression(300, 5, noise=10, random_state=0)
    sizes = sizes or ((100, 1000, 3000) if quick else (100, 1000, 10000))
    spread = 3 * y.std()
    return [
        Workload(
            f"overhead ({n:,} constants, DummyRegressor)",
            DummyRegressor(strategy="constant"),
            {"constant": np.linspace(-spread, spread, n).tolist()},
            X,
            y,
            cv=2,
            skip=("dask-ml",) if n == max(sizes) else (),
            group=GROUP,
        )
        for n in sizes
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--sizes", type=int, nargs="+")
    own, argv = parser.parse_known_args(sys.argv[1:])
    raise SystemExit(main(__doc__, partial(workloads, sizes=own.sizes), argv))
