"""Staged and warm-start paths of classes and functions from ``__main__``.

A user's script defines its torch module, custom objective or estimator
class in ``__main__``. A worker process (loky, Dask) receives them by value
(cloudpickle), and its own ``__main__`` does not hold them, so anything that
pickles them by name there fails. Each test writes such a script to
``tmp_path``, runs it as ``__main__`` in a subprocess, and reads the JSON it
prints: for every backend, ``work_``'s counts and whether ``cv_results_``'s
test scores equal scikit-learn's search (run sequentially in the script).
The paths must save the same work on every backend as sequentially, with no
fallback reported.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import skhyper

# What every script shares: run the searches, compare, print JSON.
COMMON = """
import json
import sys
import warnings

import joblib
import numpy as np
from sklearn.datasets import make_classification

from skhyper import GridTuner

SCORES = ("mean_test_score", "std_test_score", "rank_test_score")


def same_scores(ours, theirs):
    keys = [k for k in theirs.cv_results_ if k.startswith("split")] + list(SCORES)
    return all(
        np.array_equal(ours.cv_results_[k], theirs.cv_results_[k]) for k in keys
    )


def run(make_tuner, reference, X, y, backends):
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theirs = reference().fit(X, y)
        for backend in backends:
            if backend.startswith("dask="):  # dask=<the scheduler's address>
                out["dask"] = on_dask(make_tuner, theirs, X, y, backend[5:])
                continue
            n_jobs = 1 if backend == "sequential" else 2
            name = "threading" if backend == "threading" else "loky"
            with joblib.parallel_config(backend=name):
                ours = make_tuner(n_jobs).fit(X, y)
            out[backend] = dict(ours.work_, same=same_scores(ours, theirs))
    out["fell_back"] = [str(w.message) for w in caught if "fell back" in str(w.message)]
    print(json.dumps(out))


def on_dask(make_tuner, theirs, X, y, address):
    import distributed

    with distributed.Client(address) as client:
        client.wait_for_workers(2, timeout=60)
        with distributed.get_task_stream(client) as stream:
            with joblib.parallel_config(backend="dask"):
                ours = make_tuner(2).fit(X, y)
        workers = {task["worker"] for task in stream.data}
    return dict(ours.work_, same=same_scores(ours, theirs), on_workers=len(workers))


X, y = make_classification(120, 6, n_informative=4, random_state=0)
"""

SKORCH = """
import torch
from skorch import NeuralNetClassifier
from sklearn.model_selection import GridSearchCV

from skhyper.skorch import SeedTorch


class Net(torch.nn.Module):  # __main__.Net: not importable in a worker
    def __init__(self, hidden=8):
        super().__init__()
        self.hidden = torch.nn.Linear(6, hidden)
        self.dropout = torch.nn.Dropout(0.2)
        self.out = torch.nn.Linear(hidden, 2)

    def forward(self, X):
        return self.out(self.dropout(torch.relu(self.hidden(X))))


if __name__ == "__main__":
    torch.set_num_threads(1)
    X, y = X.astype(np.float32), y.astype(np.int64)
    net = NeuralNetClassifier(
        Net,
        criterion=torch.nn.CrossEntropyLoss,
        callbacks=[SeedTorch(0)],
        batch_size=40,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    grid = {"max_epochs": [3, 6, 12], "module__hidden": [4, 8]}
    run(
        lambda n_jobs: GridTuner(net, grid, cv=3, n_jobs=n_jobs),
        lambda: GridSearchCV(net, grid, cv=3),
        X,
        y,
        sys.argv[1:],
    )
"""

MLP = """
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer


def squash(X):  # __main__.squash, in a shared prefix
    return np.tanh(X / 2)


if __name__ == "__main__":
    warnings.filterwarnings("ignore", module="sklearn.neural_network")
    pipe = make_pipeline(
        FunctionTransformer(squash),
        MLPClassifier(hidden_layer_sizes=(8,), random_state=0),
    )
    grid = {
        "mlpclassifier__max_iter": [5, 10, 20],
        "mlpclassifier__alpha": [1e-4, 1e-2],
    }
    run(
        lambda n_jobs: GridTuner(pipe, grid, cv=3, n_jobs=n_jobs),
        lambda: GridSearchCV(pipe, grid, cv=3),
        X,
        y,
        sys.argv[1:],
    )
"""

XGBOOST = """
from sklearn.model_selection import GridSearchCV
from xgboost import XGBClassifier


def logistic(y_true, margin):  # __main__.logistic: a custom objective
    p = 1 / (1 + np.exp(-margin))
    return p - y_true, p * (1 - p)


if __name__ == "__main__":
    est = XGBClassifier(objective=logistic, n_jobs=1, random_state=0, subsample=0.8)
    grid = {"n_estimators": [5, 10, 20], "max_depth": [2, 3]}
    run(
        lambda n_jobs: GridTuner(est, grid, cv=3, n_jobs=n_jobs),
        lambda: GridSearchCV(est, grid, cv=3),
        X,
        y,
        sys.argv[1:],
    )
"""

# Models kept between halving rungs: a forest class of the script's own,
# registered as a warm-start path, continued from one rung to the next.
HALVING = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV

from skhyper import HalvingGridTuner
from skhyper.extend import register_warm_start


class Forest(RandomForestClassifier):  # __main__.Forest
    pass


if __name__ == "__main__":
    register_warm_start(Forest, "n_estimators")
    est = Forest(random_state=0, n_jobs=1)
    grid = {"max_depth": [2, 3, 4], "max_features": [2, 3]}
    kwargs = dict(
        resource="n_estimators", min_resources=4, max_resources=16, factor=2, cv=3
    )
    run(
        lambda n_jobs: HalvingGridTuner(est, grid, n_jobs=n_jobs, **kwargs),
        lambda: HalvingGridSearchCV(est, grid, **kwargs),
        X,
        y,
        sys.argv[1:],
    )
"""

SCRIPTS = {"skorch": SKORCH, "mlp": MLP, "xgboost": XGBOOST, "halving": HALVING}
NEEDS = {"skorch": ("torch", "skorch"), "xgboost": ("xgboost",)}
# What each script's paths save, by the count that shows it
COUNT = {
    "skorch": "staged_fits",
    "mlp": "staged_fits",
    "xgboost": "staged_fits",
    "halving": "warm_start_fits",
}


def run_script(tmp_path, name, backends):
    for library in NEEDS.get(name, ()):
        pytest.importorskip(library)
    script = tmp_path / f"search_{name}.py"
    script.write_text(textwrap.dedent(COMMON) + textwrap.dedent(SCRIPTS[name]))
    # the child imports this skhyper (a worktree, say), not an installed one
    root = str(Path(skhyper.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, str(script), *backends],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_same_work(out, name, backends):
    count = COUNT[name]
    base = out["sequential"]
    assert base["same"], base
    assert base[count] > 0, base  # the path is used at all
    assert base["fallbacks"] == 0
    for backend in backends:
        work = out[backend]
        assert work["same"], (backend, work)
        assert work[count] == base[count], (backend, work, base)
        assert work["fallbacks"] == 0, (backend, work)
    assert out["fell_back"] == []


@pytest.fixture(scope="module")
def dask_cluster():
    """The scheduler address of a LocalCluster of 2 worker processes, started
    once for the scripts, closed at the end; None where Dask is missing."""
    try:
        import distributed
    except ImportError:
        yield None
        return
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("name", ["skorch", "mlp", "xgboost", "halving"])
def test_main_classes_share_work_in_worker_processes(tmp_path, name, dask_cluster):
    # One script run for every backend: the interpreter, its imports and
    # scikit-learn's reference search are paid once per script.
    backends = ["loky", "threading"]
    if name == "skorch":
        # torch's RNG is one per process: nets trained in two threads at once
        # draw from it in turn, so no search (scikit-learn's neither) repeats
        # their scores. Threads share the parent's __main__ anyway.
        backends = ["loky"]
    dask = [f"dask={dask_cluster}"] if dask_cluster else []
    out = run_script(tmp_path, name, ["sequential", *backends, *dask])
    check_same_work(out, name, backends + ["dask"] * bool(dask))
    if name == "skorch":  # 2 runs per fold, 2 values taken from each
        assert out["loky"]["staged_fits"] == 2 * 2 * 3
    if dask:
        assert out["dask"]["on_workers"] > 0


def test_a_fallback_is_counted_and_named_once():
    xgboost = pytest.importorskip("xgboost")
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.model_selection import GridSearchCV

    from skhyper import GridTuner

    X, y = make_classification(120, 6, random_state=0)
    est = xgboost.XGBClassifier(n_jobs=1, random_state=0)
    grid = {"n_estimators": [3, 6], "max_depth": [2, 3]}
    fit_params = {"eval_set": [(X[:30], y[:30])], "verbose": False}
    with pytest.warns(UserWarning, match="fell back") as record:
        ours = GridTuner(est, grid, cv=3).fit(X, y, **fit_params)
    [message] = [str(w.message) for w in record if "fell back" in str(w.message)]
    assert "XGBClassifier" in message and "eval_set" in message, message
    assert ours.work_["fallbacks"] == 2 * 3  # a chain per max_depth, per fold
    assert ours.work_["staged_fits"] == 0
    assert list(ours.work_)[-2:] == ["fallbacks", "unkeyed"]
    theirs = GridSearchCV(est, grid, cv=3).fit(X, y, **fit_params)
    assert np.array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


def test_a_handed_over_prefix_joblib_cannot_pickle_goes_by_cloudpickle(tmp_path):
    import joblib
    import numpy as np

    from skhyper._engine._kept import dump_to

    class Local:  # found by no name, as a __main__ class in a worker
        def __init__(self):
            self.offset = np.arange(3)

    where = str(tmp_path / "prefix")
    dump_to({"step": Local(), "X": np.ones((4, 2))}, where)
    entries = joblib.load(where, mmap_mode="r")
    assert type(entries["step"]).__name__ == "Local"
    assert np.array_equal(entries["step"].offset, np.arange(3))
    assert np.array_equal(entries["X"], np.ones((4, 2)))
