"""How the work tree is cut into tasks."""

from sklearn.decomposition import PCA
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper._engine._plan import build_plan


def plan(estimator, grid, n_splits=5, n_workers=2, share=True):
    candidates = list(ParameterGrid(grid))
    return build_plan(
        candidates,
        estimator,
        n_splits,
        share=share,
        fit_params={},
        n_workers=n_workers,
    )


def test_plain_estimator_one_task_per_candidate_and_fold():
    p = plan(SVC(), {"C": [1, 10], "gamma": [0.1, 1]})
    assert len(p.tasks) == 4 * 5
    assert all(len(t.leaves) == 1 for t in p.tasks)


def test_cheap_shared_prefix_is_repeated_to_make_tasks():
    pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())])
    p = plan(pipe, {"pca__n_components": [8, 16, 32], "svc__C": [0.1, 1, 10, 100]})
    # one task per (PCA setting, fold): the scaler is repeated, PCA is not
    assert len(p.tasks) == 3 * 5
    assert all(len(t.leaves) == 4 for t in p.tasks)


def test_expensive_shared_prefix_keeps_the_fold_together():
    pipe = Pipeline([("kernel", Nystroem()), ("ridge", RidgeClassifier())])
    p = plan(pipe, {"ridge__alpha": [0.1, 1, 10, 100]})
    assert len(p.tasks) == 5
    assert all(len(t.leaves) == 4 for t in p.tasks)


def test_fewer_tasks_than_workers_are_cut():
    pipe = Pipeline([("kernel", Nystroem()), ("ridge", RidgeClassifier())])
    p = plan(pipe, {"ridge__alpha": [0.1, 1, 10, 100]}, n_splits=2, n_workers=4)
    assert len(p.tasks) >= 4
    assert sorted(len(t.leaves) for t in p.tasks) == [2, 2, 2, 2]


def test_tasks_are_candidate_major():
    p = plan(SVC(), {"C": [1, 10, 100]}, n_splits=3)
    order = [(t.leaves[0].candidates[0], t.split) for t in p.tasks]
    assert order == sorted(order)


def test_plain_plan_has_no_sharing():
    p = plan(SVC(), {"C": [1, 1, 10]}, share=False)
    assert p.n_leaves == 3 and len(p.tasks) == 15
    p = plan(SVC(), {"C": [1, 1, 10]})
    assert p.n_leaves == 2 and len(p.tasks) == 10
