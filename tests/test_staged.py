"""Staged paths: one fit per fold at the largest value, every value scored.

The built-in path of scikit-learn's MLPs (``max_iter``) gives, for each
value, the network a fresh fit gives (predictions bit for bit), in every
configuration where it is used, and is refused where it is not exact; a
search over it equals ``GridSearchCV`` and trains each group once per fold
(fits and epochs counted, never timed); the registry's user entries.
"""

import copy
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner, RandomTuner
from skhyper._engine._registry import isolated
from skhyper._engine._staged import StagedRun, staged_path
from skhyper._paths._sklearn import mlp_stages
from skhyper.extend import (
    check_staged_path,
    register_staged_path,
    register_warm_start,
    unregister,
)

from .utils import assert_cv_results_equal

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
Xr, yr = make_regression(n_samples=120, n_features=5, noise=3.0, random_state=0)
Xr = StandardScaler().fit_transform(Xr)
yr = (yr - yr.mean()) / yr.std()
VALUES = [1, 3, 8, 15, 30]

CONFIGS = [
    dict(solver="sgd"),
    dict(solver="sgd", momentum=0.5, nesterovs_momentum=False),
    dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.1),
    dict(solver="sgd", learning_rate="adaptive", tol=0.05, n_iter_no_change=2),
    dict(solver="adam"),
    dict(solver="adam", early_stopping=True),
    dict(solver="adam", early_stopping=True, n_iter_no_change=2, tol=0.05),
    dict(solver="sgd", early_stopping=True, learning_rate="adaptive"),
    dict(solver="adam", tol=0.2, n_iter_no_change=1),  # stops early by tol
    dict(solver="adam", batch_size=16, shuffle=False),
    dict(solver="sgd", alpha=1.0, batch_size=500),  # clipped batch
]


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", UserWarning)
    return ctx


def _fresh(est, value, X, y):
    return clone(est).set_params(max_iter=value).fit(X, y)


def _assert_same_network(staged, fresh, X):
    assert staged.get_params() == fresh.get_params()
    for method in ("predict", "predict_proba"):
        if hasattr(fresh, method):
            np.testing.assert_array_equal(
                getattr(staged, method)(X), getattr(fresh, method)(X)
            )
    assert staged.n_iter_ == fresh.n_iter_
    assert staged.loss_curve_ == fresh.loss_curve_
    assert staged.t_ == fresh.t_
    for a, b in zip(
        staged.coefs_ + staged.intercepts_, fresh.coefs_ + fresh.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    if fresh.early_stopping:
        assert staged.validation_scores_ == fresh.validation_scores_
        assert staged.best_validation_score_ == fresh.best_validation_score_
    else:
        assert staged.best_loss_ == fresh.best_loss_


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: "-".join(map(str, c.values()))
)
@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_mlp_stages_equal_fresh_fits(config, task):
    cls, data = (
        (MLPClassifier, (X, y)) if task == "classifier" else (MLPRegressor, (Xr, yr))
    )
    est = cls(hidden_layer_sizes=(6,), random_state=0, **config)
    train, test = data[0][::2], data[0][1::2]
    y_train = data[1][::2]
    ctx = _quiet()
    try:
        top = clone(est).set_params(max_iter=VALUES[-1])
        got = list(mlp_stages(top, VALUES, train, y_train, {}))
        assert [v for v, _ in got] == VALUES
        for value, model in got:
            _assert_same_network(model, _fresh(est, value, train, y_train), test)
    finally:
        ctx.__exit__(None, None, None)


def test_convergence_warnings_as_fresh_fits_give():
    est = MLPClassifier(hidden_layer_sizes=(4,), solver="sgd", random_state=0)
    top = clone(est).set_params(max_iter=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(mlp_stages(top, [2, 3, 5], X, y, {}))
    messages = sorted(
        str(w.message) for w in caught if w.category is ConvergenceWarning
    )
    expected = []
    for value in (2, 3, 5):
        with warnings.catch_warnings(record=True) as fresh:
            warnings.simplefilter("always")
            _fresh(est, value, X, y)
        expected += [str(w.message) for w in fresh if w.category is ConvergenceWarning]
    assert messages == sorted(expected) and len(messages) == 3


def test_early_stop_gives_the_stopped_network_to_larger_values():
    est = MLPClassifier(hidden_layer_sizes=(6,), random_state=0, tol=0.3)
    est.set_params(n_iter_no_change=1)
    stopped = _fresh(est, 200, X, y).n_iter_
    assert stopped < 50
    values = [stopped - 1, stopped, stopped + 5, 200]
    models = dict(mlp_stages(clone(est).set_params(max_iter=200), values, X, y, {}))
    for value in values:
        _assert_same_network(models[value], _fresh(est, value, X, y), X)
        assert models[value].max_iter == value


def test_non_finite_weights_fail_where_a_fresh_fit_fails():
    est = MLPRegressor(
        hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=5.0, random_state=0
    )
    values = [1, 2, 40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        top = clone(est).set_params(max_iter=40)
        run = StagedRun(staged_path(top), top, values, Xr, yr * 1e3, {})
        failed = 0
        for value in values:
            try:
                fresh = _fresh(est, value, Xr, yr * 1e3)
            except ValueError:
                failed += 1
                with pytest.raises(ValueError, match="non-finite"):
                    run.take(value)
            else:
                model, _ = run.take(value)
                np.testing.assert_array_equal(model.predict(Xr), fresh.predict(Xr))
    assert failed == 1  # the early values are finite, the last is not


def test_an_interrupted_run_is_no_fit(monkeypatch):
    """The network catches KeyboardInterrupt and returns early: not a fit."""
    original = MLPClassifier._update_no_improvement_count

    def interrupt(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.n_iter_ == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(MLPClassifier, "_update_no_improvement_count", interrupt)
    est = MLPClassifier(hidden_layer_sizes=(4,), random_state=0, max_iter=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            StagedRun(staged_path(est), est, [2, 5, 10], X, y, {})


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier(solver="lbfgs", random_state=0),
        MLPClassifier(random_state=None),
        MLPClassifier(random_state=np.random.RandomState(0)),
        MLPClassifier(random_state=0, warm_start=True),
        MLPRegressor(random_state=True),
        MLPClassifier(random_state=0, max_iter=10.0),
    ],
    ids=["lbfgs", "random-None", "RandomState", "warm_start", "bool-seed", "float"],
)
def test_path_refused_where_not_exact(est):
    assert staged_path(est) is None


def test_subclass_has_no_path():
    class MyNet(MLPClassifier):
        pass

    assert staged_path(MyNet(random_state=0)) is None
    assert staged_path(MLPClassifier(random_state=0)).param == "max_iter"


GRID = {
    "mlpclassifier__max_iter": [3, 10, 25],
    "mlpclassifier__solver": ["sgd", "adam"],
    "mlpclassifier__early_stopping": [False, True],
}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_search_equals_gridsearchcv_and_trains_each_group_once(n_jobs):
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    )
    kwargs = dict(cv=3, return_train_score=True, n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = GridTuner(pipe, GRID, **kwargs).fit(X, y)
        theirs = GridSearchCV(pipe, GRID, **kwargs).fit(X, y)
    assert_cv_results_equal(ours, theirs)
    assert ours.best_params_ == theirs.best_params_
    work = ours.work_
    groups = 4  # solver x early_stopping
    # one network per group and fold; the scaler once per fold and task
    assert work["staged_fits"] == groups * 3 * 2
    assert work["iterations"] == groups * 3 * 25  # the bound: the largest value
    assert work["plain_iterations"] == groups * 3 * (3 + 10 + 25)
    if n_jobs == 1:
        assert work["fits"] == groups * 3 + 3


def test_duplicates_and_unordered_values_in_a_random_search():
    est = MLPRegressor(hidden_layer_sizes=(4,), solver="adam", random_state=0)
    dist = {"max_iter": [20, 5, 5, 12, 20], "alpha": [1e-4, 1e-2]}
    kwargs = dict(n_iter=8, cv=3, random_state=0, scoring="r2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = RandomTuner(est, dist, **kwargs).fit(Xr, yr)
        theirs = RandomizedSearchCV(est, dist, **kwargs).fit(Xr, yr)
    assert_cv_results_equal(ours, theirs)
    assert ours.work_["staged_fits"] > 0


def test_failures_become_error_score_as_in_gridsearchcv():
    est = MLPRegressor(
        hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=5.0, random_state=0
    )
    grid = {"max_iter": [1, 2, 40]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = GridTuner(est, grid, cv=3, error_score=np.nan).fit(Xr, yr * 1e3)
        theirs = GridSearchCV(est, grid, cv=3, error_score=np.nan).fit(Xr, yr * 1e3)
    assert_cv_results_equal(ours, theirs)


def test_checkpoint_keeps_staged_results(tmp_path):
    est = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    path = tmp_path / "search.db"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = GridTuner(est, {"max_iter": [2, 6]}, cv=3, checkpoint=path).fit(X, y)
        more = {"max_iter": [2, 6, 12]}
        again = GridTuner(est, more, cv=3, checkpoint=path).fit(X, y)
        theirs = GridSearchCV(est, more, cv=3).fit(X, y)
    assert first.work_["staged_fits"] == 3
    assert again.work_["from_checkpoint"] == 6
    assert again.work_["fits"] == 3 and again.work_["staged_fits"] == 0
    assert_cv_results_equal(again, theirs)


def test_halving_over_max_iter_equals_scikit_learn():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    from skhyper import HalvingGridTuner

    est = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    grid = {"alpha": [1e-4, 1e-2, 1.0], "solver": ["sgd", "adam"]}
    kwargs = dict(resource="max_iter", max_resources=30, min_resources=5, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = HalvingGridTuner(est, grid, **kwargs).fit(X, y)
        theirs = HalvingGridSearchCV(est, grid, **kwargs).fit(X, y)
    assert_cv_results_equal(ours, theirs)


# -- users' staged paths and the registry --------------------------------------


class Descent(RegressorMixin, BaseEstimator):
    """Linear regression by ``n_steps`` steps of gradient descent."""

    def __init__(self, n_steps=10, rate=0.1, drift=0.0):
        self.n_steps, self.rate, self.drift = n_steps, rate, drift

    def fit(self, X, y, on_step=None, start=None):
        # start: a fitted Descent with fewer steps, to go on from
        self.coef_ = np.zeros(X.shape[1]) if start is None else start.coef_.copy()
        first = 1 if start is None else start.n_steps + 1
        for step in range(first, self.n_steps + 1):
            grad = X.T @ (X @ self.coef_ - y) / len(y)
            # drift: a schedule that depends on the total, so not a path
            rate = self.rate * (1 + self.drift * step / self.n_steps)
            self.coef_ = self.coef_ - rate * grad
            if on_step is not None:
                on_step(step, self)
        return self

    def predict(self, X):
        return X @ self.coef_


def descent_stages(estimator, values, X, y, fit_params):
    models = {}

    def on_step(step, model):
        if step in values:
            models[step] = copy.deepcopy(model).set_params(n_steps=step)

    estimator.fit(X, y, on_step=on_step, **fit_params)
    for value in values:
        yield value, models[value]


def test_user_path_checked_registered_and_undone():
    with isolated():
        assert staged_path(Descent()) is None
        with register_staged_path(Descent, "n_steps", descent_stages) as reg:
            assert staged_path(Descent()).param == "n_steps"
            check_staged_path(Descent(), "n_steps", [2, 7, 9], Xr, yr)
            tuner = GridTuner(Descent(), {"n_steps": [2, 7, 9]}, cv=3).fit(Xr, yr)
            assert tuner.work_["fits"] == 3 and tuner.work_["staged_fits"] == 6
        assert not reg.active and staged_path(Descent()) is None
        reg = register_staged_path(Descent, "n_steps", descent_stages)
        assert unregister(Descent) and staged_path(Descent()) is None
        reg.undo()  # nothing left to undo
        assert staged_path(Descent()) is None


def test_check_staged_path_catches_an_inexact_path():
    with isolated():
        register_staged_path(Descent, "n_steps", descent_stages)
        with pytest.raises(AssertionError, match="differs from a fresh fit"):
            check_staged_path(Descent(drift=1.0), "n_steps", [2, 7, 9], Xr, yr)


def test_condition_and_precedence():
    with isolated():
        register_staged_path(
            Descent, "n_steps", descent_stages, condition=lambda p: p["drift"] == 0
        )
        assert staged_path(Descent(drift=1.0)) is None
        assert staged_path(Descent()) is not None
        # a user's warm-start path of a class with a built-in staged path wins
        with register_warm_start(MLPClassifier, "max_iter"):
            assert staged_path(MLPClassifier(random_state=0)) is None
        assert staged_path(MLPClassifier(random_state=0)) is not None


def test_bad_registrations_are_refused():
    with pytest.raises(TypeError, match="estimator class"):
        register_staged_path(Descent(), "n_steps", descent_stages)
    with pytest.raises(ValueError, match="has no parameter 'steps'"):
        register_staged_path(Descent, "steps", descent_stages)
    with pytest.raises(TypeError, match="stages must be a callable"):
        register_staged_path(Descent, "n_steps", "descent")
    with pytest.raises(ValueError, match="No staged path applies"):
        check_staged_path(MLPClassifier(solver="lbfgs"), "max_iter", [1, 2], X, y)


# ------------------------------------------------- a user's path that resumes


def descent_resume(estimator, model, X, y, fit_params):
    return clone(estimator).fit(X, y, start=model, **fit_params)


def wrong_resume(estimator, model, X, y, fit_params):
    return clone(estimator).set_params(rate=estimator.rate * 1.5).fit(X, y)


def test_a_registered_resume_continues_survivors_in_halving_and_hyperband():
    from skhyper import HalvingGridTuner, HyperbandTuner

    X, y = make_regression(n_samples=90, n_features=4, noise=5, random_state=0)
    grid = {"rate": [0.01, 0.03, 0.1, 0.2, 0.3, 0.4]}
    kw = dict(resource="n_steps", max_resources=27, factor=3, cv=3)
    with isolated():
        register_staged_path(Descent, "n_steps", descent_stages, resume=descent_resume)
        check_staged_path(Descent(), "n_steps", [1, 3, 9, 27], X, y)
        tuners = {}
        for cls in (HalvingGridTuner, HyperbandTuner):
            extra = {"random_state": 0} if cls is HyperbandTuner else {}
            tuner = tuners[cls] = cls(Descent(), grid, **kw, **extra).fit(X, y)
            fresh = cls(Descent(), grid, share=False, **kw, **extra).fit(X, y)
            assert_cv_results_equal(tuner.cv_results_, fresh.cv_results_)
            assert tuner.work_["warm_start_fits"] > 0, cls
            assert fresh.work_["warm_start_fits"] == 0
        # halving continues every survivor, in every fold
        halving = tuners[HalvingGridTuner]
        later = int(np.sum(halving.cv_results_["iter"] > 0))
        assert halving.work_["warm_start_fits"] == 3 * later


def raising_resume(estimator, model, X, y, fit_params):
    raise RuntimeError("this resume fails")


@pytest.mark.parametrize(
    ("resume", "error", "match"),
    [
        (wrong_resume, AssertionError, "differs from a fresh fit"),
        (raising_resume, RuntimeError, "this resume fails"),
    ],
)
def test_check_staged_path_catches_a_bad_resume(resume, error, match):
    with isolated():
        register_staged_path(Descent, "n_steps", descent_stages, resume=resume)
        with pytest.raises(error, match=match):
            check_staged_path(Descent(), "n_steps", [2, 5], Xr, yr)
        # a configuration it does not resume is not checked
        register_staged_path(
            Descent,
            "n_steps",
            descent_stages,
            resume=resume,
            resumable=lambda params: params["rate"] > 1,
        )
        check_staged_path(Descent(), "n_steps", [2, 5], Xr, yr)


def test_register_staged_path_refuses_bad_resume_arguments():
    with isolated():
        with pytest.raises(TypeError, match="resume must be None or a callable"):
            register_staged_path(Descent, "n_steps", descent_stages, resume=3)
        with pytest.raises(ValueError, match="resumable is given without resume"):
            register_staged_path(
                Descent, "n_steps", descent_stages, resumable=lambda p: True
            )
