"""hyperband: HyperbandTuner against the full grid and one halving run.

Four spaces, each a grid whose resource is a warm-start or staged path:

- GradientBoostingClassifier(random_state=0), resource ``n_estimators``, on
  make_classification(600, 20, n_informative=8, random_state=0);
- HistGradientBoostingClassifier(early_stopping=False, random_state=0),
  resource ``max_iter``, on make_classification(600, 20, n_informative=8,
  random_state=1);
- StandardScaler -> MLPClassifier(random_state=0), resource ``max_iter``
  (epochs), on the digits, with ``max_resources`` 27 and, as a fourth
  space, 81;

with cv=5 and n_jobs=2. On each, in one process:

- **grid**: GridSearchCV over the whole grid, every candidate at the full
  resource: the reference. Its ``cv_results_`` gives every candidate's
  full-resource score and rank;
- **halving**: scikit-learn's HalvingRandomSearchCV over the same grid (as
  lists: sampled without replacement) with ``factor=3`` and its defaults
  (``n_candidates="exhaust"``, ``min_resources="smallest"``: one run of
  ``max_resources`` candidates from 1 tree / iteration / epoch up), with
  random_state 0, 1 and 2;
- **hyperband**: HyperbandTuner over the same grid with ``factor=3``,
  ``max_resources`` as for halving, random_state 0, 1 and 2.

For each run: its time, and its choice's full-resource score looked up in
the grid's ``cv_results_`` (the choice's parameters with the resource at
``max_resources``), its rank among the grid's candidates, and whether it is
*good*: in the top tenth of the grid's candidates or within 0.005 of the
grid's best score. Targets (issue 32): on each space HyperbandTuner's choice
is good for at least two of the three seeds, and one HyperbandTuner run
(the median over seeds and repeats) takes at most a third of the grid's
time (the median over repeats).

Each repeat runs the grid once and every seed of both randomized searches
once, in a rotated order (the searches are deterministic: the choices are
those of every repeat). Searches run with ``refit=False``. The table is this
script's own (the harness's rows compare one scikit-learn search with one
skhyper search); run_all.py does not run it.

Run: ``python benchmarks/bench_hyperband.py [--quick] [--repeats N]
[--quiet-wait S] [--json FILE]``.
"""

import json
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
from _harness import Machine, parse_args, versions
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingRandomSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import HyperbandTuner

SEEDS = (0, 1, 2)
FACTOR = 3
TOLERANCE = 0.005  # "within 0.005 of the grid's best"


@dataclass
class Space:
    name: str
    estimator: object
    grid: dict
    resource: str
    max_resources: int
    X: np.ndarray
    y: np.ndarray
    cv: int = 5
    n_jobs: int = 2

    @property
    def n_grid(self):
        return math.prod(len(v) for v in self.grid.values())

    def common(self):
        return dict(cv=self.cv, n_jobs=self.n_jobs, refit=False)

    def make(self, method, seed=None):
        if method == "grid":
            full = clone(self.estimator).set_params(
                **{self.resource: self.max_resources}
            )
            return GridSearchCV(full, self.grid, **self.common())
        kw = dict(
            resource=self.resource,
            max_resources=self.max_resources,
            factor=FACTOR,
            random_state=seed,
            **self.common(),
        )
        if method == "halving":
            return HalvingRandomSearchCV(self.estimator, self.grid, **kw)
        return HyperbandTuner(self.estimator, self.grid, **kw)


def _key(params, resource):
    """A hashable key of a candidate's parameters, without the resource."""

    def norm(v):
        if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, str):
            return repr(v)
        if isinstance(v, (int, float, np.integer, np.floating)):
            return repr(float(v))
        return repr(v)

    return tuple(sorted((k, norm(v)) for k, v in params.items() if k != resource))


def spaces(quick):
    Xa, ya = make_classification(600, 20, n_informative=8, random_state=0)
    Xb, yb = make_classification(600, 20, n_informative=8, random_state=1)
    Xc, yc = load_digits(return_X_y=True)
    if quick:
        Xa, ya, Xb, yb, Xc, yc = (
            Xa[:300],
            ya[:300],
            Xb[:300],
            yb[:300],
            Xc[:400],
            yc[:400],
        )
    cv = 3 if quick else 5
    gb = Space(
        "gradient boosting (n_estimators)",
        GradientBoostingClassifier(random_state=0),
        {
            "learning_rate": [0.03, 0.1, 0.3, 1.0],
            "max_depth": [1, 2, 3],
            "min_samples_leaf": [1, 10, 40],
            "max_features": ["sqrt", None],
        },
        "n_estimators",
        9 if quick else 27,
        Xa,
        ya,
        cv=cv,
    )
    hgb = Space(
        "hist gradient boosting (max_iter)",
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": [0.01, 0.03, 0.1, 0.3],
            "max_leaf_nodes": [7, 15, 31],
            "l2_regularization": [0.0, 10.0],
            "min_samples_leaf": [5, 40],
            "max_features": [0.5, 1.0],
        },
        "max_iter",
        9 if quick else 81,
        Xb,
        yb,
        cv=cv,
    )
    mlp = Space(
        "MLP, digits (max_iter)",
        make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
        {
            "mlpclassifier__hidden_layer_sizes": [(16,), (32,), (64,)],
            "mlpclassifier__alpha": [1e-4, 1e-2, 1.0],
            "mlpclassifier__learning_rate_init": [1e-3, 3e-3, 1e-2, 3e-2],
            "mlpclassifier__activation": ["relu", "tanh"],
        },
        "mlpclassifier__max_iter",
        9 if quick else 27,
        Xc,
        yc,
        cv=cv,
    )
    # The same network trained to 81 epochs: at 27, no candidate converges
    # (every fit ends on max_iter), and the ranking of the grid at its "full"
    # resource is that of networks stopped early; at 81 most still do not
    # converge, but the grid's ranking is closer to that of trained networks.
    mlp81 = Space(
        "MLP, digits (max_iter to 81)",
        mlp.estimator,
        mlp.grid,
        mlp.resource,
        9 if quick else 81,
        Xc,
        yc,
        cv=cv,
    )
    return [gb, hgb, mlp, mlp81]


def run_space(space, repeats, machine):
    runs = [("grid", None)] + [(m, s) for m in ("halving", "hyperband") for s in SEEDS]
    times = {run: [] for run in runs}
    choice, foreign = {}, []
    # warm-up: start joblib's workers and import the estimator in them
    tiny = {k: v[:1] for k, v in space.grid.items()}
    GridSearchCV(space.estimator, tiny, cv=2, n_jobs=space.n_jobs).fit(
        space.X[:200], space.y[:200]
    )
    for r in range(repeats):
        order = runs[r % len(runs) :] + runs[: r % len(runs)]
        for method, seed in order:
            machine.wait_quiet()
            before = machine.snapshot()
            start = time.perf_counter()
            search = space.make(method, seed).fit(space.X, space.y)
            times[method, seed].append(time.perf_counter() - start)
            foreign.append(machine.foreign(before))
            if method == "grid":
                grid = search.cv_results_
            else:
                choice[method, seed] = dict(search.best_params_)
    index = {_key(p, space.resource): i for i, p in enumerate(grid["params"])}
    scores = np.asarray(grid["mean_test_score"], dtype=float)
    ranks = np.asarray(grid["rank_test_score"])
    best = float(np.nanmax(scores))
    rows = []
    for method, seed in runs:
        if method == "grid":
            i, at = int(np.nanargmax(scores)), space.max_resources
        else:
            params = choice[method, seed]
            i, at = index[_key(params, space.resource)], params.get(space.resource)
        rank = int(ranks[i])
        rows.append(
            {
                "method": method,
                "seed": seed,
                "times": times[method, seed],
                "median": statistics.median(times[method, seed]),
                "score": float(scores[i]),
                "rank": rank,
                "chosen_at": None if at is None else int(at),
                "good": bool(
                    rank <= space.n_grid / 10 or scores[i] >= best - TOLERANCE
                ),
                "params": {k: repr(v) for k, v in grid["params"][i].items()},
            }
        )
    grid_time = rows[0]["median"]
    hb = [x for row in rows if row["method"] == "hyperband" for x in row["times"]]
    hv = [x for row in rows if row["method"] == "halving" for x in row["times"]]
    good = sum(row["good"] for row in rows if row["method"] == "hyperband")
    measured = [f for f in foreign if f is not None]
    return {
        "name": space.name,
        "grid_size": space.n_grid,
        "max_resources": space.max_resources,
        "resource": space.resource,
        "n_samples": len(space.X),
        "cv": space.cv,
        "best": best,
        "rows": rows,
        "grid_median": grid_time,
        "hyperband_median": statistics.median(hb),
        "halving_median": statistics.median(hv),
        "hyperband_ratio": statistics.median(hb) / grid_time,
        "halving_ratio": statistics.median(hv) / grid_time,
        "hyperband_good": good,
        "target_good": good >= 2,
        "target_time": statistics.median(hb) <= grid_time / 3,
        "foreign_max": max(measured) if measured else None,
    }


def table(results):
    lines = [
        "| space | method | random_state | median s | / grid | full-resource "
        "CV score | rank of grid | good |",
        "|---|---|:-:|--:|--:|--:|--:|:-:|",
    ]
    for res in results:
        n = res["grid_size"]
        for row in res["rows"]:
            seed = "" if row["seed"] is None else str(row["seed"])
            ratio = row["median"] / res["grid_median"]
            label = {
                "grid": "GridSearchCV (all at full resource)",
                "halving": "HalvingRandomSearchCV",
                "hyperband": "HyperbandTuner",
            }[row["method"]]
            lines.append(
                f"| {res['name']} | {label} | {seed} | {row['median']:.2f} "
                f"| {ratio:.2f} | {row['score']:.4f} | {row['rank']} / {n} "
                f"| {'yes' if row['good'] else '**no**'} |"
            )
    lines += [
        "",
        "| space | grid: candidates x folds, max_resources | grid s "
        "| halving median s (/ grid) | hyperband median s (/ grid) "
        "| hyperband good | targets: good >= 2/3, time <= 1/3 |",
        "|---|---|--:|--:|--:|:-:|:-:|",
    ]
    for res in results:
        targets = " / ".join(
            "met" if res[k] else "**not met**" for k in ("target_good", "target_time")
        )
        lines.append(
            f"| {res['name']} | {res['grid_size']} x {res['cv']}, "
            f"{res['max_resources']} | {res['grid_median']:.2f} "
            f"| {res['halving_median']:.2f} ({res['halving_ratio']:.2f}) "
            f"| {res['hyperband_median']:.2f} ({res['hyperband_ratio']:.2f}) "
            f"| {res['hyperband_good']} / 3 | {targets} |"
        )
    lines.append("")
    for res in results:
        times = "; ".join(
            f"{row['method']}{'' if row['seed'] is None else row['seed']} "
            + ", ".join(f"{t:.2f}" for t in row["times"])
            for row in res["rows"]
        )
        lines.append(f"- {res['name']}: all times (s): {times}")
        lines.append(
            f"- {res['name']}: {res['n_samples']} samples; grid's best "
            f"{res['best']:.4f}; good = rank <= {res['grid_size'] / 10:g} "
            f"or score >= {res['best'] - TOLERANCE:.4f}"
        )
        off = [
            f"{row['method']} {row['seed']} at {row['chosen_at']}"
            for row in res["rows"]
            if row["chosen_at"] != res["max_resources"]
        ]
        if off:
            lines.append(
                f"- {res['name']}: chosen below max_resources: {', '.join(off)}"
            )
        if res["foreign_max"] is not None:
            lines.append(
                f"- {res['name']}: other processes used at most "
                f"{res['foreign_max']:.2f} cores during a run"
            )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(__doc__, argv)
    warnings.simplefilter("ignore")  # ConvergenceWarning of short MLPs, ...
    machine = Machine(args.busy if args.quiet_wait > 0 else 1e9, args.quiet_wait)
    print(
        " ".join(f"{k} {v}" for k, v in versions().items()),
        f"| repeats {args.repeats}",
        flush=True,
    )
    results = []
    for space in spaces(args.quick):
        start = time.perf_counter()
        results.append(run_space(space, args.repeats, machine))
        print(
            f"{space.name}: done in {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions(), "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
