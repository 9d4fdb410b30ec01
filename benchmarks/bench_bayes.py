"""bayes: quality per budget of BayesTuner, RandomTuner and OptunaSearchCV.

Four problems, each searched with ``N_ITER`` candidates (cv=3, accuracy,
n_jobs=2, ``refit=False``) by

- **random**: ``RandomTuner(n_iter=N_ITER, random_state=seed)``;
- **bayes**: ``BayesTuner`` with its default sampler,
  ``TPESampler(seed=seed, multivariate=True, constant_liar=True)``;
- **optuna**: optuna-integration's ``OptunaSearchCV(n_trials=N_ITER)`` with
  a study on that same sampler, over the same space written as Optuna
  distributions (its ``n_jobs=2`` runs two trials at a time in threads,
  each with one BLAS thread, as joblib gives the tuners' two worker
  processes);

for each of ``SEEDS`` seeds, the three methods of a seed one after the
other in a rotated order (load from elsewhere on the machine hits all of
them alike). Recorded per run: the best mean CV accuracy among the first
``BUDGETS`` candidates (in the order each method evaluated them: one run
of ``N_ITER`` gives every budget), the wall time of ``fit``, and for the
skhyper tuners ``work_`` (distinct candidates, fits).

The problems:

- **gb**: ``GradientBoostingClassifier`` on a synthetic classification task
  (``make_classification``, 300 samples, 20 features, 6 informative):
  ``n_estimators``, ``learning_rate``, ``max_depth``, ``subsample``;
- **svc**: ``SVC`` (RBF) on 1000 of the digits: ``C`` and ``gamma``,
  log-uniform;
- **mlp**: the main job's pipeline and space (``python -m skhyper``:
  scaler, ``MLPClassifier(solver="sgd")``, hidden layers, learning rate,
  epochs, momentum), made small: 600 digits of its training part and 5 to
  30 epochs instead of 20 to 200;
- **pipe**: a pipeline with swapped steps on the digits: the scaler
  (standard, min-max, robust) and the reduction (PCA to 8, 16 or 32
  components, or none) are lists of estimators, then a logistic
  regression's ``C`` (for OptunaSearchCV, the steps are chosen by name:
  Optuna compares categorical choices by value).

Run: ``python benchmarks/bench_bayes.py [--quick] [--seeds N]
[--save results.json] [--load results.json] [--write docs/performance.md]``.
``--write`` replaces the part of the file between ``<!-- bayes:start -->``
and ``<!-- bayes:end -->`` with the machine and the tables.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import warnings
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits, make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

import skhyper
from skhyper import BayesTuner, RandomTuner
from skhyper.__main__ import DISTRIBUTIONS, make_model

METHODS = ("random", "bayes", "optuna")
N_ITER, BUDGETS, SEEDS = 50, (20, 50), 10
QUICK = dict(n_iter=10, budgets=(5, 10), seeds=2)
CV, N_JOBS = 3, 2
START, END = "<!-- bayes:start -->", "<!-- bayes:end -->"


SCALERS = {
    "standard": StandardScaler(),
    "minmax": MinMaxScaler(),
    "robust": RobustScaler(),
}
REDUCERS = {
    "pca8": PCA(n_components=8),
    "pca16": PCA(n_components=16),
    "pca32": PCA(n_components=32),
    "none": "passthrough",
}


class NamedStepsPipeline(Pipeline):
    """A Pipeline whose swapped steps can be set by name, for OptunaSearchCV
    only: Optuna compares categorical choices by value, and an estimator is
    equal only to itself (OptunaSearchCV's clones are not in the choices).
    The same pipelines are fitted. (skhyper's tuners get a plain Pipeline:
    they share the steps of a Pipeline, not of a subclass.)"""

    def set_params(self, **params):
        for key, names in (("scale", SCALERS), ("reduce", REDUCERS)):
            if isinstance(params.get(key), str) and params[key] in names:
                params[key] = names[params[key]]
        return super().set_params(**params)


def problems():
    """``{name: (estimator, scipy space, optuna space, X, y[, estimator for
    OptunaSearchCV])}``; Optuna's
    spaces list their parameters in sorted order, as BayesTuner asks them, so
    that a seed's first (random) trials are the same candidates in both."""
    import optuna.distributions as od

    X_gb, y_gb = make_classification(
        n_samples=300, n_features=20, n_informative=6, random_state=0
    )
    X_digits, y_digits = load_digits(return_X_y=True)
    X_main, _, y_main, _ = train_test_split(
        X_digits, y_digits, test_size=0.25, stratify=y_digits, random_state=0
    )
    hidden = DISTRIBUTIONS["mlp__hidden_layer_sizes"]
    steps = [
        ("scale", StandardScaler()),
        ("reduce", PCA()),
        ("clf", LogisticRegression(max_iter=500)),
    ]
    return {
        "gb": (
            GradientBoostingClassifier(random_state=0),
            {
                "n_estimators": randint(10, 120),
                "learning_rate": loguniform(1e-2, 1),
                "max_depth": randint(1, 5),
                "subsample": uniform(0.5, 0.5),
            },
            {
                "learning_rate": od.FloatDistribution(1e-2, 1, log=True),
                "max_depth": od.IntDistribution(1, 4),
                "n_estimators": od.IntDistribution(10, 119),
                "subsample": od.FloatDistribution(0.5, 1.0),
            },
            X_gb,
            y_gb,
        ),
        "svc": (
            SVC(),
            {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
            {
                "C": od.FloatDistribution(1e-2, 1e3, log=True),
                "gamma": od.FloatDistribution(1e-5, 1e-1, log=True),
            },
            X_digits[:1000],
            y_digits[:1000],
        ),
        "mlp": (
            make_model(),
            {**DISTRIBUTIONS, "mlp__max_iter": randint(5, 31)},
            {
                "mlp__hidden_layer_sizes": od.CategoricalDistribution(hidden),
                "mlp__learning_rate_init": od.FloatDistribution(1e-3, 0.2, log=True),
                "mlp__max_iter": od.IntDistribution(5, 30),
                "mlp__momentum": od.FloatDistribution(0.5, 0.95),
            },
            X_main[:600],
            y_main[:600],
        ),
        "pipe": (
            Pipeline(steps),
            {
                "scale": list(SCALERS.values()),
                "reduce": list(REDUCERS.values()),
                "clf__C": loguniform(1e-4, 1e2),
            },
            {
                "clf__C": od.FloatDistribution(1e-4, 1e2, log=True),
                "reduce": od.CategoricalDistribution(list(REDUCERS)),
                "scale": od.CategoricalDistribution(list(SCALERS)),
            },
            X_digits,
            y_digits,
            NamedStepsPipeline(steps),
        ),
    }


def sampler(seed):
    import optuna

    return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)


def run(method, problem, seed, n_iter):
    """One search: ``(scores in evaluation order, seconds, work_ or None)``."""
    estimator, space, optuna_space, X, y = problem[:5]
    common = dict(cv=CV, n_jobs=N_JOBS, scoring="accuracy", refit=False)
    if method == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="maximize", sampler=sampler(seed))
        search = OptunaSearchCV(
            problem[5] if len(problem) > 5 else estimator,
            optuna_space,
            n_trials=n_iter,
            study=study,
            **common,
        )
    elif method == "bayes":
        search = BayesTuner(
            estimator, space, n_iter=n_iter, random_state=seed, **common
        )
    else:
        search = RandomTuner(
            estimator, space, n_iter=n_iter, random_state=seed, **common
        )
    # One BLAS thread per thread of OptunaSearchCV, as joblib gives each of
    # the skhyper tuners' worker processes: 2 threads on 2 cores, not 4.
    limits = threadpool_limits(1) if method == "optuna" else nullcontext()
    with limits:
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
    if method == "optuna":
        trials = sorted(search.study_.trials, key=lambda t: t.number)
        scores = [np.nan if t.value is None else t.value for t in trials]
        work = None
    else:
        scores = list(search.cv_results_["mean_test_score"])
        work = dict(search.work_)
    return [float(s) for s in scores], seconds, work


def best_after(scores, budget):
    return float(np.nanmax(scores[:budget]))


def machine():
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    import optuna
    import optuna_integration

    return {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "versions": (
            f"Python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, "
            f"numpy {np.__version__}, optuna {optuna.__version__}, "
            f"optuna-integration {optuna_integration.__version__}, "
            f"skhyper {skhyper.__version__}"
        ),
    }


def measure(n_iter, seeds, only=None, save=None):
    """Every (problem, seed, method) run; prints one line per run (and saves
    the runs so far to ``save`` after each)."""
    data = {"n_iter": n_iter, "seeds": seeds, "runs": [], "load": {}}
    Parallel(n_jobs=N_JOBS)(delayed(abs)(i) for i in range(4))  # start workers
    for name, problem in problems().items():
        if only and name not in only:
            continue
        before = os.getloadavg()[0]
        for seed in range(seeds):
            order = METHODS[seed % 3 :] + METHODS[: seed % 3]
            for method in order:
                scores, seconds, work = run(method, problem, seed, n_iter)
                data["runs"].append(
                    dict(
                        problem=name,
                        seed=seed,
                        method=method,
                        scores=scores,
                        seconds=seconds,
                        work=work,
                    )
                )
                print(
                    f"{name:5s} seed {seed} {method:6s} {seconds:6.1f} s  best "
                    f"{max(scores):.4f}",
                    flush=True,
                )
                if save:
                    Path(save).write_text(json.dumps(data))
        data["load"][name] = (before, os.getloadavg()[0])
    return data


def _cell(values):
    return f"{statistics.mean(values):.4f} ({statistics.stdev(values):.4f})"


def tables(data, budgets):
    """Markdown: quality per (problem, budget), then times and work."""
    runs = data["runs"]
    names = list(dict.fromkeys(r["problem"] for r in runs))

    def of(name, method):
        out = [r for r in runs if r["problem"] == name and r["method"] == method]
        return sorted(out, key=lambda r: r["seed"])

    lines = [
        "| problem | budget | random | bayes | optuna | bayes - random: mean "
        "(wins/ties/losses) | bayes - optuna: mean (2 SE) | bayes >= random | "
        "bayes not worse than optuna |",
        "|---|--:|--:|--:|--:|--:|--:|:-:|:-:|",
    ]
    verdicts = []
    for name in names:
        for budget in budgets:
            best = {
                m: [best_after(r["scores"], budget) for r in of(name, m)]
                for m in METHODS
            }
            d_random = np.subtract(best["bayes"], best["random"])
            d_optuna = np.subtract(best["bayes"], best["optuna"])
            se = d_optuna.std(ddof=1) / np.sqrt(len(d_optuna))
            wins = (d_random > 0).sum(), (d_random == 0).sum(), (d_random < 0).sum()
            ge_random = d_random.mean() >= 0
            not_worse = d_optuna.mean() >= -2 * se
            verdicts.append((ge_random, not_worse))
            lines.append(
                f"| {name} | {budget} | {_cell(best['random'])} | "
                f"{_cell(best['bayes'])} | {_cell(best['optuna'])} | "
                f"{d_random.mean():+.4f} ({wins[0]}/{wins[1]}/{wins[2]}) | "
                f"{d_optuna.mean():+.4f} ({2 * se:.4f}) | "
                f"{'yes' if ge_random else 'no'} | {'yes' if not_worse else 'no'} |"
            )
    n_ge = sum(v[0] for v in verdicts)
    n_ok = sum(v[1] for v in verdicts)
    summary = (
        f"BayesTuner >= RandomTuner (mean best score) in {n_ge} of "
        f"{len(verdicts)} cells; not worse than OptunaSearchCV beyond noise "
        f"(mean difference >= -2 standard errors of the paired differences) in "
        f"{n_ok} of {len(verdicts)} cells."
    )
    time_lines = [
        "| problem | random s | bayes s | optuna s | bayes / optuna | bayes / random "
        "| bayes distinct of candidates | bayes fits / plain fits | "
        "random fits / plain fits |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in names:
        med = {m: statistics.median(r["seconds"] for r in of(name, m)) for m in METHODS}

        def total(m, key, name=name):
            return sum(r["work"][key] for r in of(name, m))

        time_lines.append(
            f"| {name} | {med['random']:.1f} | {med['bayes']:.1f} | "
            f"{med['optuna']:.1f} | {med['bayes'] / med['optuna']:.2f} | "
            f"{med['bayes'] / med['random']:.2f} | "
            f"{total('bayes', 'distinct_candidates')} / "
            f"{total('bayes', 'candidates')} | "
            f"{total('bayes', 'fits')} / {total('bayes', 'plain_fits')} | "
            f"{total('random', 'fits')} / {total('random', 'plain_fits')} |"
        )
    return "\n".join(lines), summary, "\n".join(time_lines)


def report(data, budgets):
    quality, summary, times = tables(data, budgets)
    info = data["machine"]
    load = "; ".join(
        f"{name} {a:.2f} / {b:.2f}" for name, (a, b) in data["load"].items()
    )
    return "\n".join(
        [
            f"- date: {info['date']}",
            f"- machine: {info['cores']} cores ({info['cpu']}), {info['platform']}",
            f"- {info['versions']}",
            f"- load average (1 min) before / after each problem: {load}",
            f"- run: `python benchmarks/bench_bayes.py --seeds {data['seeds']}`: "
            f"{data['seeds']} seeds x 3 methods x {data['n_iter']} candidates per "
            f"problem, cv={CV}, n_jobs={N_JOBS}, refit=False; "
            f"{data['minutes']:.1f} minutes in all",
            "",
            "Best mean CV accuracy after the first *budget* candidates: mean "
            "(standard deviation) over the seeds.",
            "",
            quality,
            "",
            summary,
            "",
            "Wall time of `fit` (median over the seeds) and the work done "
            "(summed over the seeds):",
            "",
            times,
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 10 candidates")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--only", nargs="*", help="problems to run")
    parser.add_argument("--save", help="write the runs to this JSON file")
    parser.add_argument("--load", help="make the tables from this JSON file")
    parser.add_argument("--write", help="put the tables into this markdown file")
    args = parser.parse_args(argv)
    n_iter, budgets, seeds = (
        (QUICK["n_iter"], QUICK["budgets"], QUICK["seeds"])
        if args.quick
        else (N_ITER, BUDGETS, SEEDS)
    )
    seeds = args.seeds or seeds
    if args.load:
        data = json.loads(Path(args.load).read_text())
    else:
        start = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # OptunaSearchCV's notes
            warnings.simplefilter("ignore", FutureWarning)  # optuna.terminator
            data = measure(n_iter, seeds, args.only, args.save)
        data["minutes"] = (time.time() - start) / 60
        data["machine"] = machine()
        if args.save:
            Path(args.save).write_text(json.dumps(data))
    text = report(data, budgets)
    print(text)
    if args.write:
        path = Path(args.write)
        page = path.read_text()
        head, rest = page.split(START, 1)
        _, tail = rest.split(END, 1)
        path.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
