"""How candidates x splits become a plan's units of work."""

from sklearn.decomposition import PCA
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import FeatureUnion, Pipeline
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


def test_plain_estimator_one_unit_per_candidate_and_fold():
    p = plan(SVC(), {"C": [1, 10], "gamma": [0.1, 1]})
    assert len(p.tasks) == 4 * 5
    assert all(len(t.leaves) == 1 for t in p.tasks)


def test_pipeline_leaves_are_units_of_their_own():
    pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("svc", SVC())])
    p = plan(pipe, {"pca__n_components": [8, 16, 32], "svc__C": [0.1, 1, 10, 100]})
    assert len(p.tasks) == 12 * 5
    assert all(len(t.leaves) == 1 for t in p.tasks)


def test_leaves_that_may_share_branches_are_one_unit_per_fold():
    union = FeatureUnion([("pca", PCA(2)), ("scale", StandardScaler())])
    pipe = Pipeline([("union", union), ("svc", SVC())])
    p = plan(pipe, {"union__pca__n_components": [1, 2], "svc__C": [1, 10]})
    assert len(p.tasks) == 5
    assert all(len(t.leaves) == 4 for t in p.tasks)


def test_units_are_candidate_major():
    p = plan(SVC(), {"C": [1, 10, 100]}, n_splits=3)
    order = [(t.leaves[0].candidates[0], t.split) for t in p.tasks]
    assert order == sorted(order)


def test_plain_plan_has_no_sharing():
    p = plan(SVC(), {"C": [1, 1, 10]}, share=False)
    assert p.n_leaves == 3 and len(p.tasks) == 15
    p = plan(SVC(), {"C": [1, 1, 10]})
    assert p.n_leaves == 2 and len(p.tasks) == 10
