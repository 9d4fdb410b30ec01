"""HyperbandTuner: the paper's bracket schedule, the same result for any
n_jobs, survivors continued with the scores of fresh fits, resume from a
checkpoint, and bad parameters refused before any fit."""

import inspect
import time
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.metrics import accuracy_score
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    KFold,
    StratifiedKFold,
    cross_validate,
)
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from skhyper import HyperbandTuner
from skhyper._compat import InvalidParameterError
from skhyper._rungs import hyperband_brackets

from .counting import CountingClassifier, reset_counts
from .test_brackets import assert_rows_of
from .test_estimator_checks import strict_parametrize_with_checks

X, y = make_classification(n_samples=150, n_features=6, random_state=0)


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(1):
        yield


# -- the schedule ------------------------------------------------------------

# Li et al. (JMLR 2018), Table 1: R=81, eta=3; (n_i, r_i) of each bracket.
PAPER_TABLE = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


def test_brackets_are_the_papers_table():
    brackets = hyperband_brackets(1, 81, 3)
    assert [b.s for b in brackets] == [4, 3, 2, 1, 0]
    for bracket in brackets:
        rungs = list(zip(bracket.n_candidates, bracket.n_resources))
        assert rungs == PAPER_TABLE[bracket.s]
    # every bracket ends at max_resources, also when R is not a power of eta
    for bracket in hyperband_brackets(1, 100, 3):
        assert bracket.n_resources[-1] == 100
    assert [b.n_resources for b in hyperband_brackets(5, 20, 2)] == [
        (5, 10, 20),
        (10, 20),
        (20,),
    ]


class Steps(ClassifierMixin, BaseEstimator):
    """A trivial classifier with a resource parameter and a searched one."""

    def __init__(self, n_steps=1, c=0.0):
        self.n_steps = n_steps
        self.c = c

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.threshold_ = np.median(X[:, 0]) + self.c / self.n_steps
        return self

    def predict(self, X):
        return self.classes_[(X[:, 0] > self.threshold_).astype(int)]


def test_the_search_runs_the_papers_schedule():
    tuner = HyperbandTuner(
        Steps(),
        {"c": loguniform(1e-3, 1e3)},
        resource="n_steps",
        max_resources=81,
        cv=2,
        random_state=0,
        refit=False,
    ).fit(X, y)
    assert tuner.n_brackets_ == 5 and tuner.brackets_ == [4, 3, 2, 1, 0]
    assert tuner.min_resources_ == 1 and tuner.max_resources_ == 81
    results = tuner.cv_results_
    params = np.asarray(results["params"], dtype=object)
    for k, s in enumerate(tuner.brackets_):
        sizes, resources = zip(*PAPER_TABLE[s])
        assert tuner.n_candidates_[k] == list(sizes)
        assert tuner.n_resources_[k] == list(resources)
        for i, (n_i, r_i) in enumerate(PAPER_TABLE[s]):
            rows = (results["bracket"] == s) & (results["iter"] == i)
            assert rows.sum() == n_i
            assert set(results["n_resources"][rows]) == {r_i}
            assert all(p["n_steps"] == r_i for p in params[rows])
    # best_* come from the full resource
    at_full = results["n_resources"] == 81
    assert results["n_resources"][tuner.best_index_] == 81
    assert tuner.best_score_ == np.nanmax(results["mean_test_score"][at_full])


def test_survivors_are_the_best_of_their_rung():
    tuner = HyperbandTuner(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 8), "min_samples_leaf": randint(1, 30)},
        min_resources=20,
        factor=2,
        cv=3,
        random_state=0,
    ).fit(X, y)
    results = tuner.cv_results_
    params = np.asarray(results["params"], dtype=object)
    # R = 150 / 20: s_max = 2, resources 150 / 2**k
    assert tuner.n_resources_ == [[37, 75, 150], [75, 150], [150]]
    for k, s in enumerate(tuner.brackets_):
        for i in range(s):
            here = (results["bracket"] == s) & (results["iter"] == i)
            after = (results["bracket"] == s) & (results["iter"] == i + 1)
            score = {
                str(p): m
                for p, m in zip(params[here], results["mean_test_score"][here])
            }
            kept = [str(p) for p in params[after]]
            assert len(kept) == tuner.n_candidates_[k][i + 1]
            assert set(kept) <= set(score)
            dropped = [m for p, m in score.items() if p not in kept]
            assert min(score[p] for p in kept) >= max(dropped, default=-np.inf)


def test_brackets_limits_the_brackets_most_aggressive_first():
    tuner = HyperbandTuner(
        Steps(),
        {"c": loguniform(1e-3, 1e3)},
        resource="n_steps",
        max_resources=27,
        brackets=2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert tuner.n_brackets_ == 2 and tuner.brackets_ == [3, 2]
    assert tuner.n_candidates_ == [[27, 9, 3, 1], [12, 4, 1]]
    assert set(tuner.cv_results_["bracket"]) == {3, 2}


def test_a_space_of_lists_is_sampled_without_replacement():
    space = {"c": [0.0, 1.0, 2.0, 3.0]}
    tuner = HyperbandTuner(
        Steps(), space, resource="n_steps", max_resources=9, cv=2, random_state=0
    ).fit(X, y)
    # 9 asked for in the first bracket, 4 exist: all of them, then 1, 1
    assert tuner.n_candidates_ == [[4, 1, 1], [4, 1], [3]]
    results = tuner.cv_results_
    params = np.asarray(results["params"], dtype=object)
    for s in tuner.brackets_:
        first = (results["bracket"] == s) & (results["iter"] == 0)
        cs = [p["c"] for p in params[first]]
        assert len(cs) == len(set(cs))


# -- determinism -----------------------------------------------------------------


def _comparable(tuner):
    results = tuner.cv_results_
    keys = [k for k in results if "time" not in k]
    return {k: [str(v) for v in results[k]] for k in keys}, tuner.best_index_


def test_same_result_for_any_n_jobs_and_backend():
    kw = dict(
        estimator=DecisionTreeClassifier(random_state=0),
        param_distributions={
            "max_depth": randint(1, 8),
            "min_samples_leaf": randint(1, 30),
        },
        factor=3,
        cv=3,
        random_state=0,
    )
    one = _comparable(HyperbandTuner(**kw, n_jobs=1).fit(X, y))
    two = _comparable(HyperbandTuner(**kw, n_jobs=2).fit(X, y))
    with parallel_config(backend="threading"):
        threads = _comparable(HyperbandTuner(**kw, n_jobs=2).fit(X, y))
    assert one == two == threads
    # another seed, another search
    other = _comparable(HyperbandTuner(**{**kw, "random_state": 1}).fit(X, y))
    assert other != one


# -- survivors continued -------------------------------------------------------

GB_SPACE = {"learning_rate": loguniform(0.01, 1.0), "max_depth": [1, 2, 3]}


def test_survivors_continue_with_the_scores_of_fresh_fits():
    cv = StratifiedKFold(3)
    tuner = HyperbandTuner(
        GradientBoostingClassifier(random_state=0),
        GB_SPACE,
        resource="n_estimators",
        max_resources=9,
        cv=cv,
        random_state=0,
        return_train_score=True,
    ).fit(X, y)
    assert tuner.n_candidates_ == [[9, 3, 1], [5, 1], [3]]
    # every survivor grew its boosters: none retrained from zero
    assert tuner.work_["fits"] == (9 + 5 + 3) * 3
    assert tuner.work_["warm_start_fits"] == (3 + 1 + 1) * 3
    assert tuner.work_["iterations"] < tuner.work_["plain_iterations"]
    results = tuner.cv_results_
    for index, params in enumerate(results["params"]):
        fresh = cross_validate(
            clone(GradientBoostingClassifier(random_state=0)).set_params(**params),
            X,
            y,
            cv=cv,
            return_train_score=True,
        )
        for s in range(3):
            assert results[f"split{s}_test_score"][index] == fresh["test_score"][s]
            assert results[f"split{s}_train_score"][index] == fresh["train_score"][s]


def test_a_staged_resource_continues_survivors_with_fresh_scores():
    """MLP epochs as the resource: each rung's survivors are trained on from
    the networks the rung before kept (``mlp_resume``), every row with a
    fresh fit's scores; with ``early_stopping`` (a kept network holds its best
    weights, not its last) each rung fits them from zero."""
    space = {"alpha": [1e-4, 1e-2, 1.0], "learning_rate_init": [1e-3, 1e-2]}
    cv = StratifiedKFold(3)
    for early_stopping, continued in ((False, True), (True, False)):
        mlp = MLPClassifier(
            hidden_layer_sizes=(8,), random_state=0, early_stopping=early_stopping
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tuner = HyperbandTuner(
                mlp, space, resource="max_iter", max_resources=9, cv=cv, random_state=0
            ).fit(X, y)
            results = tuner.cv_results_
            rows = len(results["params"])
            assert (tuner.work_["warm_start_fits"] > 0) is continued
            assert tuner.work_["staged_fits"] == 0
            work = tuner.work_["fits"] + tuner.work_["warm_start_fits"]
            assert work <= rows * 3  # rows shared by brackets: once
            assert sorted(set(results["n_resources"])) == [1, 3, 9]
            for index, params in enumerate(results["params"]):
                fresh = cross_validate(clone(mlp).set_params(**params), X, y, cv=cv)
                for s in range(3):
                    got = results[f"split{s}_test_score"][index]
                    assert got == fresh["test_score"][s]


def test_continuation_across_worker_processes():
    kw = dict(
        resource="n_estimators", max_resources=9, cv=3, random_state=0, refit=False
    )
    forest = RandomForestClassifier(random_state=0, max_depth=3)
    space = {"max_features": [1, 2, 3, 4], "min_samples_leaf": randint(1, 20)}
    one = HyperbandTuner(forest, space, **kw).fit(X, y)
    two = HyperbandTuner(forest, space, n_jobs=2, **kw).fit(X, y)
    assert _comparable(one) == _comparable(two)
    assert two.work_["warm_start_fits"] == one.work_["warm_start_fits"] > 0


LIST_SPACE = {"max_depth": [2, 3, None], "min_samples_split": [2, 5, 10, 20]}


def _expected_work(results, resource):
    """(fresh, continued): each row's candidate is fitted from zero unless
    a row before it (any bracket) evaluated it at a smaller resource, and
    not at all where one evaluated it at the same resource."""
    seen, fresh, continued = {}, 0, 0
    for params in results["params"]:
        key = tuple(sorted((k, repr(v)) for k, v in params.items() if k != resource))
        value, before = params[resource], seen.setdefault(key, set())
        if value not in before:
            if any(v < value for v in before):
                continued += 1
            else:
                fresh += 1
        before.add(value)
    return fresh, continued


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_first_rung_grows_the_models_of_an_earlier_bracket(n_jobs):
    """In a space of lists the brackets sample the same candidates: a later
    bracket's first-rung candidate that an earlier bracket fitted at a
    smaller resource grows that model (the flight's pool), with the
    scores of fresh fits."""
    kw = dict(
        resource="n_estimators", max_resources=9, cv=StratifiedKFold(3), random_state=0
    )
    forest = RandomForestClassifier(random_state=0)
    fresh = HyperbandTuner(forest, LIST_SPACE, share=False, **kw).fit(X, y)
    tuner = HyperbandTuner(forest, LIST_SPACE, n_jobs=n_jobs, **kw).fit(X, y)
    assert _comparable(tuner) == _comparable(fresh)
    n_fresh, n_continued = _expected_work(tuner.cv_results_, "n_estimators")
    survivors = int(np.sum(tuner.cv_results_["iter"] > 0))
    assert n_continued > survivors  # first-rung rows among them
    work = tuner.work_
    if n_jobs == 1:  # the brackets one after another: every model there
        assert work["fits"] == n_fresh * 3
        assert work["warm_start_fits"] == n_continued * 3
    else:  # which models have arrived depends on timing; none twice
        assert work["fits"] + work["warm_start_fits"] == (n_fresh + n_continued) * 3
        assert work["warm_start_fits"] > 0


def test_no_model_kept_past_share_memory_and_the_same_scores():
    kw = dict(
        resource="n_estimators", max_resources=9, cv=StratifiedKFold(3), random_state=0
    )
    forest = RandomForestClassifier(random_state=0)
    fresh = HyperbandTuner(forest, LIST_SPACE, share=False, **kw).fit(X, y)
    tuner = HyperbandTuner(forest, LIST_SPACE, share_memory=1, **kw).fit(X, y)
    assert _comparable(tuner) == _comparable(fresh)
    assert tuner.work_["warm_start_fits"] == 0


# -- long searches ---------------------------------------------------------------

STOP_AT = {"calls": 0, "at": None}


def interrupting_accuracy(estimator, X, y):
    """Accuracy; raises KeyboardInterrupt at call number STOP_AT["at"]."""
    STOP_AT["calls"] += 1
    if STOP_AT["calls"] == STOP_AT["at"]:
        raise KeyboardInterrupt
    return accuracy_score(y, estimator.predict(X))


def test_checkpoint_resumes_mid_bracket(tmp_path):
    kw = dict(
        resource="n_estimators", max_resources=9, cv=3, random_state=0, refit=False
    )
    forest = RandomForestClassifier(random_state=0, max_depth=3)
    space = {"max_features": [1, 2, 3], "min_samples_leaf": loguniform(1e-3, 0.2)}
    plain = HyperbandTuner(forest, space, scoring="accuracy", **kw).fit(X, y)
    tuner = HyperbandTuner(
        forest,
        space,
        scoring=interrupting_accuracy,
        checkpoint=tmp_path / "hyperband.db",
        **kw,
    )
    STOP_AT.update(calls=0, at=27 + 4)  # first bracket, second rung, fourth fit
    with pytest.raises(KeyboardInterrupt):
        tuner.fit(X, y)
    assert len(tuner.cv_results_["params"]) == 9 + 1  # every split finished
    STOP_AT.update(calls=0, at=None)
    tuner.fit(X, y)
    assert tuner.work_["from_checkpoint"] == 27 + 3
    done = plain.work_["fits"] + plain.work_["warm_start_fits"]
    assert STOP_AT["calls"] == done - 30  # only the missing fits were scored
    assert _comparable(tuner) == _comparable(plain)


class SlowOnMoreData(ClassifierMixin, BaseEstimator):
    """A decision tree that sleeps ``delay`` s when fitted on > 40 samples."""

    def __init__(self, min_samples_leaf=1, delay=1.0):
        self.min_samples_leaf = min_samples_leaf
        self.delay = delay

    def fit(self, X, y):
        if len(X) > 40:
            time.sleep(self.delay)
        tree = DecisionTreeClassifier(
            min_samples_leaf=self.min_samples_leaf, random_state=0
        )
        self.model_ = tree.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_max_time_keeps_the_completed_rungs():
    # R = 150 / 30: brackets s=1 (3 at 50, 1 at 150) and s=0 (2 at 150); the
    # rungs at 150 train on 100 samples, and sleep.
    tuner = HyperbandTuner(
        SlowOnMoreData(),
        {"min_samples_leaf": list(range(1, 10))},
        cv=3,
        min_resources=30,
        random_state=0,
        max_time=2.0,
        refit=False,
    )
    with pytest.warns(UserWarning, match="1 of 3 rungs completed"):
        tuner.fit(X, y)
    assert tuner.n_resources_ == [[50, 150], [150]]  # the schedule
    results = tuner.cv_results_
    assert set(results["n_resources"]) == {50}
    assert tuner.best_index_ == np.nanargmax(results["mean_test_score"])


@pytest.mark.parametrize(
    "backend, max_time", [("threading", 2.0), ("loky", 0.05), ("loky", 4.0)]
)
def test_max_time_on_two_workers_keeps_only_finished_rows(backend, max_time):
    # brackets s=2 (9 at 16, 3 at 50, 1 at 150), s=1 (5 at 50, 1 at 150) and
    # s=0 (3 at 150) side by side; the 15 fits at 150 sleep 1 s each, more
    # than 2 workers get done in 2 s: the budget is always spent. Where it
    # ends depends on the machine, so only the structure is asserted.
    space = {"min_samples_leaf": list(range(1, 30))}
    kw = dict(cv=3, random_state=0, refit=False)
    reference = HyperbandTuner(SlowOnMoreData(delay=0.0), space, **kw).fit(X, y)
    tuner = HyperbandTuner(
        SlowOnMoreData(delay=1.0), space, n_jobs=2, max_time=max_time, **kw
    )
    with (
        parallel_config(backend=backend),
        warnings.catch_warnings(record=True) as record,
    ):
        warnings.simplefilter("always")
        try:
            tuner.fit(X, y)
        except ValueError as error:  # nothing finished: a clear error
            assert "spent before any candidate finished its splits" in str(error)
            return
    assert (
        tuner.n_resources_
        == reference.n_resources_
        == [[16, 50, 150], [50, 150], [150]]
    )
    results, ref = tuner.cv_results_, reference.cv_results_
    assert 0 < len(results["params"]) < len(ref["params"])
    # only finished rows, each the reference's (bracket, rung, candidate) row
    # with its scores, in the reference's order
    assert_rows_of(results, ref)
    # best_* among the rows at the largest resource reached, said so
    top = int(np.max(results["n_resources"]))
    at_top = np.flatnonzero(results["n_resources"] == top)
    scores = results["mean_test_score"]
    assert tuner.best_index_ == at_top[np.argmax(scores[at_top])]
    assert tuner.best_score_ == scores[tuner.best_index_]
    (message,) = [str(w.message) for w in record if "rungs completed" in str(w.message)]
    assert f"best_* are from the results at n_resources={top}" in message


# -- parameters ------------------------------------------------------------------


def test_parameters_and_defaults():
    names = list(inspect.signature(HyperbandTuner).parameters)
    assert names == [
        "estimator",
        "param_distributions",
        "resource",
        "max_resources",
        "min_resources",
        "factor",
        "brackets",
        "scoring",
        "n_jobs",
        "refit",
        "cv",
        "verbose",
        "random_state",
        "error_score",
        "return_train_score",
        "share",
        "share_memory",
        "max_time",
        "checkpoint",
    ]
    theirs = inspect.signature(HalvingRandomSearchCV).parameters
    ours = inspect.signature(HyperbandTuner).parameters
    for name in set(ours) & set(theirs) - {"return_train_score"}:
        a, b = ours[name].default, theirs[name].default
        assert a == b or a is b, name
    assert ours["return_train_score"].default is False
    tuner = HyperbandTuner(
        Ridge(), {"alpha": [0.1, 1.0]}, resource="max_iter", brackets=2, factor=2
    )
    again = clone(tuner)
    assert repr(again) == repr(tuner)
    params = {k: repr(v) for k, v in tuner.get_params().items()}
    assert {k: repr(v) for k, v in again.get_params().items()} == params
    rebuilt = HyperbandTuner(**tuner.get_params(deep=False))
    assert {k: repr(v) for k, v in rebuilt.get_params().items()} == params


SHARED_WITH_HALVING = [
    dict(max_resources=0),
    dict(resource=3),
    dict(resource="n_trees", max_resources=10),
    dict(resource="max_iter"),
    dict(min_resources=200, max_resources=100),
    dict(resource="C", max_resources=10),
    dict(cv=KFold(3, shuffle=True)),
]


@pytest.mark.parametrize("kwargs", SHARED_WITH_HALVING)
def test_bad_parameters_refused_as_the_halving_searches_refuse_them(kwargs):
    space = {"C": [0.1, 1.0]}
    reset_counts()
    with pytest.raises(Exception) as theirs:
        HalvingRandomSearchCV(CountingClassifier(), space, **kwargs).fit(X, y)
    with pytest.raises(Exception) as ours:
        HyperbandTuner(CountingClassifier(), space, **kwargs).fit(X, y)
    assert CountingClassifier.fits == []
    assert ours.type is theirs.type
    expected = str(theirs.value).replace("HalvingRandomSearchCV", "HyperbandTuner")
    assert str(ours.value) == expected


@pytest.mark.parametrize(
    "kwargs, match",
    [
        # factor above 1 and no 'exhaust': narrower than the halving searches
        (
            dict(factor=1),
            r"'factor' parameter of HyperbandTuner must be .* \(1.0, inf\)",
        ),
        (dict(factor="3"), "'factor' parameter of HyperbandTuner must be"),
        (dict(min_resources="most"), r"among \{'smallest'\}. Got 'most'"),
        (dict(brackets=0), "'brackets' parameter of HyperbandTuner must be"),
        (dict(brackets=1.5), "'brackets' parameter of HyperbandTuner must be"),
        (dict(min_resources="exhaust"), "'min_resources' parameter of"),
        (dict(scoring="acuracy"), "'scoring' parameter of HyperbandTuner"),
        (dict(scoring=["accuracy", "f1"]), "needs refit=<metric name>"),
        (dict(param_distributions={"C": "1.0"}), r"param_distributions\['C'\]"),
        (dict(param_distributions={"D": [1, 2]}), "'D'"),
    ],
)
def test_bad_parameters_refused_before_any_fit(kwargs, match):
    kwargs = {"param_distributions": {"C": [0.1, 1.0]}, **kwargs}
    reset_counts()
    with pytest.raises((ValueError, TypeError, InvalidParameterError), match=match):
        HyperbandTuner(CountingClassifier(), **kwargs).fit(X, y)
    assert CountingClassifier.fits == []


HYPERBAND_EXPECTED_FAILURES = {
    "check_supervised_y_2d": "DataConversionWarning not caught",
    "check_requires_y_none": "Doesn't fail gracefully",
    "check_fit2d_1sample": "min_resources_ above 1 sample, as the halving searches",
}


@strict_parametrize_with_checks(
    [HyperbandTuner(Ridge(), {"alpha": [0.1, 1.0]}, cv=2, brackets=1)],
    lambda est: HYPERBAND_EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


class _Unpicklable(HyperbandTuner):
    """A tuner that cannot be pickled: its own fit must not need it to be."""

    def __reduce__(self):
        raise TypeError("this tuner is not to be pickled")

    def __reduce_ex__(self, protocol):
        return self.__reduce__()


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_tasks_sent_to_workers_do_not_carry_the_tuner(backend):
    # Every task used to carry the tuner to its worker (for callback hooks,
    # off here): pickled in loky's feeder thread while the fit in the main
    # thread was changing its attributes, it could fail ("dictionary changed
    # size during iteration"), and it carried whatever the tuner held.
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    est = GradientBoostingClassifier(random_state=0)
    grid = {"max_depth": [1, 2, 3], "learning_rate": [0.1, 0.5]}
    kw = dict(resource="n_estimators", max_resources=9, cv=3, random_state=0)
    with parallel_config(backend, n_jobs=2):
        tuner = _Unpicklable(est, grid, n_jobs=2, **kw).fit(X, y)
    reference = HyperbandTuner(est, grid, **kw).fit(X, y)
    assert tuner.cv_results_["params"] == reference.cv_results_["params"]
    np.testing.assert_array_equal(
        tuner.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
