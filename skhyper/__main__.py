"""Tune a small neural network on the digits data: ``python -m skhyper``.

This is skhyper's main job: a real tuning run, end to end. It tunes the five
hyperparameters of an ``MLPClassifier`` that a practitioner usually tries
first: the number of hidden layers and of neurons per layer
(``hidden_layer_sizes``), the learning rate (``learning_rate_init``), the
number of epochs (``max_iter``) and the momentum of stochastic gradient
descent (``momentum``). The network follows a ``StandardScaler`` in a
pipeline. The data are the handwritten digits that ship with scikit-learn,
of which a stratified quarter is held out for the final check.

Two searches run, each with 3-fold cross-validation on the rest: a
``GridTuner`` over a modest grid, then a ``RandomTuner`` drawing from
``scipy.stats`` distributions. For each, the job prints a leaderboard of the
five best candidates (rank, mean and standard deviation of the
cross-validated accuracy, mean fit time, parameters), the best parameters,
and the accuracy of the refitted best model on the held-out data.

For each search it also prints the epochs its networks trained against the
epochs scikit-learn's search trains for the same candidates: candidates
that differ only in ``max_iter`` are trained once per fold, at the largest
value, and each smaller value's network is the snapshot of that run at the
end of its epoch (the same network, so the same scores, as a fresh fit).

Small numbers of epochs are part of the search, so scikit-learn's
``ConvergenceWarning`` is silenced; every other warning is shown.

Where matplotlib is installed (the ``plot`` extra), the job also saves one
figure of its searches, and prints its path: the random search's
cross-validated accuracy against the learning rate, and the best accuracy
so far of both searches against elapsed seconds.

Options: ``--quick`` searches a much smaller space (a few seconds, for
tests); ``--n-jobs N`` sets the number of parallel jobs (default -1: all
cores); ``--figure PATH`` where to save the figure (default
``skhyper_search.png``), ``--no-figure`` not to.
"""

import argparse
import os
import time
import warnings

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, RandomTuner

RANDOM_STATE = 0
CV = 3
TOP = 5

# The full run: 54 grid candidates and 50 random ones, 3 folds each.
GRID = {
    "mlp__hidden_layer_sizes": [(32,), (64,), (32, 32)],
    "mlp__learning_rate_init": [0.01, 0.03, 0.1],
    "mlp__max_iter": [50, 100, 200],
    "mlp__momentum": [0.5, 0.9],
}
DISTRIBUTIONS = {
    "mlp__hidden_layer_sizes": [(32,), (64,), (128,), (32, 32), (64, 32), (64, 64)],
    "mlp__learning_rate_init": loguniform(1e-3, 0.2),
    "mlp__max_iter": randint(20, 201),  # 20 to 200 epochs
    "mlp__momentum": uniform(0.5, 0.45),  # uniform on [0.5, 0.95]
}
N_ITER = 50

# --quick: 16 grid candidates and 6 random ones, few epochs.
QUICK_GRID = {
    "mlp__hidden_layer_sizes": [(32,), (32, 32)],
    "mlp__learning_rate_init": [0.01, 0.1],
    "mlp__max_iter": [10, 20],
    "mlp__momentum": [0.5, 0.9],
}
QUICK_DISTRIBUTIONS = {
    "mlp__hidden_layer_sizes": [(32,), (64,), (32, 32)],
    "mlp__learning_rate_init": loguniform(1e-3, 0.2),
    "mlp__max_iter": randint(10, 31),
    "mlp__momentum": uniform(0.5, 0.45),
}
QUICK_N_ITER = 6


def make_model():
    """The pipeline being tuned: scaling, then a network trained by SGD."""
    mlp = MLPClassifier(solver="sgd", random_state=RANDOM_STATE)
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def format_params(params):
    """``name=value`` pairs without the ``mlp__`` prefix, floats rounded."""
    parts = []
    for name, value in params.items():
        if isinstance(value, float):
            value = f"{value:.3g}"
        parts.append(f"{name.removeprefix('mlp__')}={value}")
    return " ".join(parts)


def print_leaderboard(results, top=TOP):
    """Print the ``top`` candidates of ``cv_results_``, best first."""
    ranks = results["rank_test_score"]
    print(f"{'rank':>4}  {'mean acc':>8}  {'std acc':>7}  {'fit (s)':>7}  parameters")
    for i in np.argsort(ranks, kind="stable")[:top]:
        print(
            f"{ranks[i]:>4}  {results['mean_test_score'][i]:>8.4f}"
            f"  {results['std_test_score'][i]:>7.4f}"
            f"  {results['mean_fit_time'][i]:>7.3f}"
            f"  {format_params(results['params'][i])}"
        )


def run(tuner, X_train, y_train, X_test, y_test):
    """Fit ``tuner`` and print its leaderboard, best parameters and test score."""
    start = time.perf_counter()
    tuner.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    n_candidates = len(tuner.cv_results_["params"])
    print(
        f"\n{type(tuner).__name__}: {n_candidates} candidates x "
        f"{tuner.n_splits_} folds, {elapsed:.1f} s"
    )
    print_leaderboard(tuner.cv_results_)
    print(epochs_line(tuner.work_))
    print(f"Best parameters: {format_params(tuner.best_params_)}")
    print(f"Held-out accuracy of the best model: {tuner.score(X_test, y_test):.4f}")


def epochs_line(work):
    """The epochs trained, against those scikit-learn's search trains."""
    ours, plain = work["iterations"], work["plain_iterations"]
    line = f"Epochs trained: {ours:,} (scikit-learn's search: {plain:,}"
    if ours and plain > ours:
        line += f", {plain / ours:.2f}x as many"
    line += ")"
    staged = work["staged_fits"]
    if staged:
        line += f"; {staged} networks taken from a longer run instead of trained"
    return line


def save_figure(grid_tuner, random_tuner, path):
    """Save the figure of both searches to ``path``; return it, or None without
    matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # a file, never a window
    import matplotlib.pyplot as plt

    from skhyper.display import ParameterScoreDisplay, SearchHistoryDisplay

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    ParameterScoreDisplay.from_estimator(
        random_tuner, "mlp__learning_rate_init", ax=left
    )
    left.set_title(f"RandomTuner\n{left.get_title()}", fontsize="medium")
    for tuner, color in ((grid_tuner, "tab:blue"), (random_tuner, "tab:orange")):
        display = SearchHistoryDisplay.from_estimator(tuner, ax=right)
        name = type(tuner).__name__
        display.line_.set(color=color, label=f"{name}: best so far")
        display.scatter_.set(color=color, alpha=0.35, label=f"{name}: candidates")
    right.legend(loc="lower right")
    right.set_title("Best cross-validated accuracy so far", fontsize="medium")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skhyper",
        description="Tune an MLPClassifier on the digits data with GridTuner "
        "and RandomTuner.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="search a much smaller space"
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="number of parallel jobs (default: -1, all cores)",
    )
    parser.add_argument(
        "--figure",
        default="skhyper_search.png",
        metavar="PATH",
        help="where to save the figure of the searches, if matplotlib is installed "
        "(default: skhyper_search.png)",
    )
    parser.add_argument(
        "--no-figure", action="store_true", help="do not save the figure"
    )
    args = parser.parse_args(argv)
    grid, distributions, n_iter = (
        (QUICK_GRID, QUICK_DISTRIBUTIONS, QUICK_N_ITER)
        if args.quick
        else (GRID, DISTRIBUTIONS, N_ITER)
    )

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=RANDOM_STATE
    )
    print(
        f"Digits: {len(X_train)} training and {len(X_test)} held-out samples, "
        f"{X.shape[1]} features, {len(np.unique(y))} classes"
    )
    tuners = [
        GridTuner(make_model(), grid, scoring="accuracy", cv=CV, n_jobs=args.n_jobs),
        RandomTuner(
            make_model(),
            distributions,
            n_iter=n_iter,
            scoring="accuracy",
            cv=CV,
            n_jobs=args.n_jobs,
            random_state=RANDOM_STATE,
        ),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        for tuner in tuners:
            run(tuner, X_train, y_train, X_test, y_test)
    if not args.no_figure:
        if save_figure(*tuners, args.figure) is None:
            print(
                '\nNo figure: matplotlib is not installed (pip install "skhyper[plot]")'
            )
        else:
            print(f"\nFigure of the searches: {os.path.abspath(args.figure)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
