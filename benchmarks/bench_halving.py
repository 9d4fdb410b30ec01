"""halving: successive halving against scikit-learn's halving searches.

- RandomForestClassifier(random_state=0) over max_depth x min_samples_leaf x
  max_features (27 candidates), resource="n_estimators", max_resources=243
  (rungs of 9, 27, 81, 243 trees): skhyper grows each survivor's forests
  from the previous rung instead of refitting them;
- HistGradientBoostingClassifier(early_stopping=False, random_state=0) over
  learning_rate x max_leaf_nodes (16 candidates), resource="max_iter",
  max_resources=243: survivors' boosting goes on from the previous rung;
- StandardScaler -> PCA(random_state=0) -> SVC over n_components x C on the
  digits with the default resource (n_samples): within a rung, a PCA is
  shared by the candidates that use it;
- where installed, XGBClassifier and LGBMClassifier (n_jobs=1,
  random_state=0, no sampling) over depth or leaves x learning_rate x
  min_child_* (18 candidates), resource="n_estimators", max_resources=243:
  skhyper resumes each survivor's booster with the rounds its rung adds
  (the bound: each candidate's booster fitted once per fold, at its last
  rung's rounds);

each with factor=3 and cv=5 on make_classification(2000, 20, random_state=0)
(the digits for the pipeline), n_jobs=2, against HalvingGridSearchCV with
the same arguments. "candidates" counts the evaluations of every rung. The
bound: with a warm-start resource, each candidate's chain across the rungs
fitted once per fold (each tree once); with n_samples, every rung's unique
work on its subsampled folds.

Then, for the forest: HalvingRandomTuner against RandomTuner over the same
27 sampled candidates (RandomTuner gives every one the 243 trees that
halving, with min_resources="exhaust", gives its last rung): time, and the
best candidate's mean CV score.

Run: ``python benchmarks/bench_halving.py [--quick] [--repeats N]``.
"""

import importlib.util
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

from _bound import unique_work
from _harness import Machine, Workload, main, parse_args
from scipy.stats import randint
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_digits, make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    check_cv,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import HalvingGridTuner, HalvingRandomTuner, RandomTuner
from skhyper._rungs import SubsampleSplitter


@dataclass
class HalvingWorkload(Workload):
    """A halving search: grid (``n_candidates=None``) or sampled."""

    resource: str = "n_samples"
    max_resources: object = "auto"
    factor: float = 3
    n_candidates: object = None
    _rungs: list | None = None

    def halving(self):
        kw = dict(
            resource=self.resource,
            max_resources=self.max_resources,
            factor=self.factor,
            random_state=self.rs,
            **self.common(),
        )
        if self.n_candidates is not None:
            kw["n_candidates"] = self.n_candidates
        return kw

    def sklearn(self):
        grid = self.n_candidates is None
        cls = HalvingGridSearchCV if grid else HalvingRandomSearchCV
        return cls(self.estimator, self.space, **self.halving())

    def skhyper(self):
        cls = HalvingGridTuner if self.n_candidates is None else HalvingRandomTuner
        return cls(self.estimator, self.space, **self.halving())

    def rungs(self):
        """[(n_resources, candidates)] of every rung (from one untimed run)."""
        if self._rungs is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                search = self.skhyper().fit(self.X, self.y)
            results = search.cv_results_
            self._rungs = [
                (n, [p for p, i in zip(results["params"], results["iter"]) if i == r])
                for r, n in enumerate(search.n_resources_)
            ]
        return self._rungs

    def candidates(self):
        return [p for _, params in self.rungs() for p in params]

    def bound(self, candidates):
        if self.resource != "n_samples":  # chains across the rungs
            return super().bound(candidates)
        total, counts = 0.0, {}
        cv = check_cv(self.cv, self.y, classifier=is_classifier(self.estimator))
        for n_resources, params in self.rungs():
            splits = SubsampleSplitter(
                base_cv=cv,
                fraction=n_resources / len(self.X),
                subsample_test=True,
                random_state=self.rs,
            ).split(self.X, self.y)
            seconds, c = unique_work(
                self.estimator,
                params,
                self.X,
                self.y,
                cv=list(splits),
                scoring=self.scoring,
            )
            total += seconds
            counts = {k: counts.get(k, 0) + v for k, v in c.items()}
        return total, counts


FOREST_GRID = {
    "max_depth": [4, 8, None],
    "min_samples_leaf": [1, 5, 20],
    "max_features": ["sqrt", 0.5, 1.0],
}


def workloads(quick):
    X, y = make_classification(600 if quick else 2000, 20, random_state=0)
    most = 27 if quick else 243
    forest = HalvingWorkload(
        "halving forest (n_estimators)",
        RandomForestClassifier(random_state=0),
        FOREST_GRID,
        X,
        y,
        resource="n_estimators",
        max_resources=most,
        warm="n_estimators",
    )
    hgb = HalvingWorkload(
        "halving HGB (max_iter)",
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": [0.01, 0.03, 0.1, 0.3],
            "max_leaf_nodes": [7, 15, 31, 63],
        },
        X,
        y,
        resource="max_iter",
        max_resources=most,
        warm="max_iter",
    )
    Xd, yd = load_digits(return_X_y=True)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("pca", PCA(random_state=0)), ("svc", SVC())]
    )
    grid = {
        "pca__n_components": [8, 16, 32] if quick else [8, 16, 24, 32],
        "svc__C": [0.1, 1, 10, 100],
    }
    pipeline = HalvingWorkload("halving pipeline (n_samples)", pipe, grid, Xd, yd)
    return [forest, hgb, pipeline] + boosters(X, y, most)


def _has(name):
    return importlib.util.find_spec(name) is not None


# (label, library, class, its own parameters, the grid)
BOOSTERS = (
    (
        "XGBoost",
        "xgboost",
        "XGBClassifier",
        {},
        {"max_depth": [2, 4, 6], "min_child_weight": [1, 5]},
    ),
    (
        "LightGBM",
        "lightgbm",
        "LGBMClassifier",
        {"verbose": -1},
        {"num_leaves": [7, 15, 31], "min_child_samples": [5, 20]},
    ),
)


def boosters(X, y, most):
    """XGBoost and LightGBM (where installed) without sampling: skhyper
    resumes each survivor's booster with the rounds its rung adds."""
    out = []
    for label, library, name, own, grid in BOOSTERS:
        if not _has(library):
            continue
        cls = getattr(importlib.import_module(library), name)
        out.append(
            HalvingWorkload(
                f"halving {label} (n_estimators)",
                cls(n_jobs=1, random_state=0, **own),
                {**grid, "learning_rate": [0.03, 0.1, 0.3]},
                X,
                y,
                resource="n_estimators",
                max_resources=most,
                staged="n_estimators",
            )
        )
    return out


def random_vs_halving(argv):
    """HalvingRandomTuner and RandomTuner over the same sampled forests."""
    args = parse_args(__doc__, argv)
    machine = Machine(args.busy if args.quiet_wait > 0 else 1e9, args.quiet_wait)
    X, y = make_classification(600 if args.quick else 2000, 20, random_state=0)
    most, n = (27, 9) if args.quick else (243, 27)
    space = {
        "max_depth": [4, 8, 16, None],
        "min_samples_leaf": randint(1, 30),
        "max_features": ["sqrt", 0.5, 1.0],
    }
    forest = RandomForestClassifier(random_state=0)
    kw = dict(cv=5, n_jobs=2, refit=False, random_state=0)
    methods = {
        "RandomTuner": lambda: RandomTuner(
            clone(forest).set_params(n_estimators=most), space, n_iter=n, **kw
        ),
        "HalvingRandomTuner": lambda: HalvingRandomTuner(
            forest,
            space,
            n_candidates=n,
            resource="n_estimators",
            min_resources="exhaust",  # the last rung gets all the trees
            max_resources=most,
            **kw,
        ),
    }
    times = {name: [] for name in methods}
    best = {}
    for r in range(args.repeats):
        for name in list(methods)[r % 2 :] + list(methods)[: r % 2]:
            machine.wait_quiet()
            start = time.perf_counter()
            search = methods[name]().fit(X, y)
            times[name].append(time.perf_counter() - start)
            best[name] = (search.best_params_, search.best_score_)
    print(
        f"\n{n} sampled forests (random_state=0), cv=5, n_jobs=2: "
        f"RandomTuner fits all with {most} trees; HalvingRandomTuner in rungs\n"
    )
    print("| method | median s | best mean CV score | best params |")
    print("|---|--:|--:|---|")
    for name in methods:
        params, score = best[name]
        shown = {k: v for k, v in sorted(params.items()) if k != "n_estimators"}
        print(
            f"| {name} | {statistics.median(times[name]):.2f} | {score:.4f} | {shown} |"
        )
    return 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    # dask-ml has no search with scikit-learn's halving semantics
    code = main(__doc__, workloads, argv + ["--dask-scheduler", "none"])
    raise SystemExit(code or random_vs_halving(argv))
