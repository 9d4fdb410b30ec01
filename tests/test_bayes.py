"""BayesTuner: Optuna's samplers behind RandomizedSearchCV's interface.

Tests that need Optuna skip without it (the ``bayes`` extra); the one that
checks the message for a missing Optuna simulates its absence.
"""

import doctest
import numbers
import os
import pickle
import runpy
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skhyper import BayesTuner
from skhyper._bayes import MISSING_OPTUNA, import_optuna
from skhyper._bayes_space import compile_space
from skhyper._compat import InvalidParameterError
from skhyper._cv_results import pick_metric

from .counting import CountingClassifier, LoggingClassifier, SleepyClassifier
from .utils import assert_cv_results_equal

ROOT = Path(__file__).resolve().parents[1]
X, y = make_classification(n_samples=80, n_features=5, random_state=0)
LOG_C = {"C": stats.loguniform(1e-3, 1e3)}


@pytest.fixture
def optuna():
    return pytest.importorskip("optuna")


# -- the optional extra ------------------------------------------------------------


def test_missing_optuna_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna fails
    # made without Optuna (no logic in __init__), cloned, but fit says it
    tuner = clone(BayesTuner(LogisticRegression(), LOG_C, n_iter=2))
    with pytest.raises(ImportError, match=r"pip install 'skhyper\[bayes\]'"):
        tuner.fit(X, y)
    assert not hasattr(tuner, "cv_results_")
    # a space of lists needs no sampler, but still the extra
    lists = BayesTuner(LogisticRegression(), {"C": [0.1, 1.0]})
    with pytest.raises(ImportError, match=r"skhyper\[bayes\]"):
        lists.fit(X, y)
    with pytest.raises(ImportError, match=r"optional extra of skhyper"):
        import_optuna()
    assert "skhyper[bayes]" in MISSING_OPTUNA


def test_import_skhyper_does_not_import_optuna():
    code = "import sys, skhyper; print(sys.modules.get('optuna') is not None)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- spaces ------------------------------------------------------------------------


class PpfOnly:
    """A distribution known only by ``rvs`` and ``ppf`` (no scipy behind it)."""

    def rvs(self, random_state=None):
        return self.ppf(np.random.default_rng(0).uniform())

    def ppf(self, q):
        return 10.0 + 5.0 * q**2


class RvsOnly:
    """An object RandomTuner samples with ``rvs`` alone."""

    def rvs(self, random_state=None):
        rng = np.random.RandomState() if random_state is None else random_state
        return float(rng.uniform(100, 200))


def _draw(optuna, space, n, seed=0):
    compiled = compile_space(space)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        candidate, _ = compiled.candidate(trial, np.random.RandomState(trial.number))
        out.append((candidate, trial.params))
        study.tell(trial, 0.0)
    return out


def test_distributions_are_mapped_and_sampled(optuna):
    space = {
        "a": stats.uniform(2, 3),
        "b": stats.loguniform(1e-3, 1e2),
        "c": stats.randint(3, 7),
        "d": stats.norm(5, 2),  # only through its quantile
        "e": stats.poisson(4),  # discrete, through its quantile
        "f": PpfOnly(),
        "g": RvsOnly(),
        "h": ["x", LogisticRegression(), None],
    }
    draws = _draw(optuna, space, 40)
    for candidate, params in draws:
        assert list(candidate) == sorted(space)
        assert 2 <= candidate["a"] <= 5 and params["a"] == candidate["a"]
        assert 1e-3 <= candidate["b"] <= 1e2 and params["b"] == candidate["b"]
        assert candidate["c"] in range(3, 7) and params["c"] == candidate["c"]
        assert isinstance(candidate["c"], numbers.Integral)
        assert candidate["d"] == stats.norm(5, 2).ppf(params["d"])
        assert candidate["e"] == stats.poisson(4).ppf(params["e"])
        assert isinstance(candidate["e"], numbers.Integral)
        assert candidate["f"] == 10.0 + 5.0 * params["f"] ** 2
        assert "g" not in params and 100 <= candidate["g"] <= 200
        assert candidate["h"] is space["h"][params["h"]]
    # the log scale: about half the draws below the geometric middle, 0.32
    below = sum(c["b"] < np.sqrt(1e-3 * 1e2) for c, _ in draws)
    assert 10 <= below <= 30


def test_conditional_space_asks_the_dict_then_its_parameters(optuna):
    space = [
        {"kernel": ["linear"], "C": stats.loguniform(1e-2, 1e2)},
        {"kernel": ["rbf"], "C": [1.0, 10.0], "gamma": stats.uniform(0.1, 1)},
    ]
    draws = _draw(optuna, space, 30)
    seen = set()
    for candidate, params in draws:
        which = params["subspace"]
        seen.add(which)
        assert list(candidate) == sorted(space[which])
        assert all(name.startswith(f"{which}:") for name in params if ":" in name)
        if which == 1:
            assert candidate["C"] in (1.0, 10.0) and 0.1 <= candidate["gamma"] <= 1.1
    assert seen == {0, 1}


def test_conditional_pipeline_space_end_to_end(optuna):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    space = [
        {"scale": [StandardScaler(), MinMaxScaler()], "clf__C": LOG_C["C"]},
        {
            "clf": [DecisionTreeClassifier(random_state=0)],
            "clf__max_depth": stats.randint(1, 4),
        },
    ]
    tuner = BayesTuner(pipe, space, n_iter=12, cv=2, random_state=0).fit(X, y)
    results = tuner.cv_results_
    in_tree = np.array(["clf" in p for p in results["params"]])
    assert 0 < in_tree.sum() < 12
    np.testing.assert_array_equal(results["param_clf__max_depth"].mask, ~in_tree)
    np.testing.assert_array_equal(results["param_clf__C"].mask, in_tree)
    assert set(tuner.best_params_) in ({"scale", "clf__C"}, {"clf", "clf__max_depth"})
    assert tuner.best_estimator_.score(X, y) > 0.8


def test_bad_spaces_fail_before_any_fit(optuna):
    CountingClassifier.fits.clear()
    bad = [
        ({"C": stats.loguniform(1, 0)}, ValueError, r"\['C'\]: the support"),
        ({"C": "1.0"}, TypeError, "must be a non-empty list"),
        ({"CC": [1.0]}, ValueError, "'CC' is not a parameter"),
        ({"C": []}, ValueError, "non-empty"),
    ]
    for space, error, match in bad:
        with pytest.raises(error, match=match):
            BayesTuner(CountingClassifier(), space, n_iter=3).fit(X, y)
    with pytest.raises(InvalidParameterError, match="did you mean TPESampler()"):
        BayesTuner(CountingClassifier(), LOG_C, sampler=optuna.samplers.TPESampler).fit(
            X, y
        )
    with pytest.raises(InvalidParameterError, match="'sampler' parameter"):
        BayesTuner(CountingClassifier(), LOG_C, sampler="tpe").fit(X, y)
    with pytest.raises(InvalidParameterError, match="set max_time"):
        BayesTuner(CountingClassifier(), LOG_C, n_iter=None).fit(X, y)
    assert CountingClassifier.fits == []


# -- searches ----------------------------------------------------------------------


def test_reproducible_for_a_fixed_seed_and_n_jobs(optuna):
    space = {
        "max_depth": stats.randint(1, 8),
        "ccp_alpha": stats.uniform(0, 0.05),
        "criterion": ["gini", "entropy"],
    }
    tree = DecisionTreeClassifier(random_state=0)

    def params(**kw):
        tuner = BayesTuner(tree, space, n_iter=14, cv=2, **kw)
        return [repr(p) for p in tuner.fit(X, y).cv_results_["params"]]

    assert params(random_state=0) == params(random_state=0)
    assert params(random_state=0) != params(random_state=1)
    with parallel_config(backend="threading"):
        assert params(random_state=0, n_jobs=2) == params(random_state=0, n_jobs=2)
    # a given sampler is copied, so every fit starts from its initial state
    sampler = optuna.samplers.TPESampler(seed=3, n_startup_trials=4)
    tuner = BayesTuner(tree, space, n_iter=8, cv=2, sampler=sampler)
    first = tuner.fit(X, y).cv_results_["params"]
    assert repr(tuner.fit(X, y).cv_results_["params"]) == repr(first)


def test_equal_candidates_are_not_refitted(optuna):
    # 4 distinct candidates, 10 asked: the sampler must propose some again
    space = {"C": [0.1, 1.0], "max_iter": stats.randint(100, 102)}
    CountingClassifier.fits.clear()
    tuner = BayesTuner(
        CountingClassifier(), space, n_iter=10, cv=3, random_state=0, refit=False
    ).fit(X, y)
    params = tuner.cv_results_["params"]
    distinct = {tuple(p.items()) for p in params}
    assert len(params) == 10 and len(distinct) == 4
    assert len(CountingClassifier.fits) == 4 * 3
    assert tuner.work_["candidates"] == 10
    assert tuner.work_["distinct_candidates"] == 4
    assert tuner.work_["fits"] == 4 * 3 and tuner.work_["plain_fits"] == 10 * 3
    # equal candidates, equal scores
    for p in distinct:
        rows = [i for i, q in enumerate(params) if tuple(q.items()) == p]
        scores = tuner.cv_results_["mean_test_score"][rows]
        assert (scores == scores[0]).all()


def test_pipeline_prefixes_are_shared(optuna):
    from .counting import CountingTransformer

    CountingTransformer.fits.clear()
    pipe = Pipeline([("t", CountingTransformer()), ("clf", LogisticRegression())])
    space = {"t__factor": [1.0, 2.0], "clf__C": LOG_C["C"]}
    with parallel_config(backend="threading"):
        tuner = BayesTuner(pipe, space, n_iter=6, cv=2, n_jobs=3, random_state=0)
        tuner.fit(X, y)
    # rounds of 3 candidates over 2 factors: some round shares a transformer
    assert tuner.work_["fits"] < tuner.work_["plain_fits"]


def test_cv_results_as_randomized_search_cv(optuna):
    space = {"C": LOG_C["C"], "fit_intercept": [True, False]}
    kw = dict(cv=3, scoring=["accuracy", "f1"], refit="f1", return_train_score=True)
    tuner = BayesTuner(LogisticRegression(), space, n_iter=8, random_state=0, **kw)
    tuner.fit(X, y)
    theirs = RandomizedSearchCV(
        LogisticRegression(), space, n_iter=8, random_state=0, **kw
    ).fit(X, y)
    ours = tuner.cv_results_
    assert list(ours) == list(theirs.cv_results_)
    for key, value in theirs.cv_results_.items():
        assert type(ours[key]) is type(value), key
        if key != "params":
            assert ours[key].dtype == value.dtype and ours[key].shape == value.shape
    # the numbers are those GridSearchCV gives for the same candidates
    grid = [{k: [v] for k, v in p.items()} for p in ours["params"]]
    reference = GridSearchCV(LogisticRegression(), grid, **kw).fit(X, y)
    assert_cv_results_equal(ours, reference.cv_results_)
    assert tuner.best_index_ == reference.best_index_
    assert tuner.best_score_ == reference.best_score_
    assert tuner.best_score_ == ours["mean_test_f1"].max()
    assert tuner.score(X, y) == reference.score(X, y)
    np.testing.assert_array_equal(tuner.predict(X), reference.predict(X))
    pickle.loads(pickle.dumps(tuner))
    clone(tuner)


def test_objective_is_the_refit_metric():
    # what BayesTuner tells the sampler: the refit metric, else the first one
    results = {"mean_test_acc": 0, "mean_test_f1": 1}
    assert pick_metric(results, refit="f1", fallback="first") == "f1"
    assert pick_metric(results, refit=False, fallback="first") == "acc"
    assert pick_metric({"mean_test_score": 0}, refit=True, fallback="first") == "score"


def test_failed_fits_are_told_as_failed(optuna):
    space = {"C": stats.uniform(-1, 2)}  # C <= 0 fails in LogisticRegression
    tuner = BayesTuner(LoggingClassifier(), space, n_iter=12, cv=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    # said once for the whole search, not once per round
    messages = [str(w.message) for w in caught]
    assert sum("fits failed out of a total of 24" in m for m in messages) == 1
    assert sum("test scores are non-finite" in m for m in messages) == 1
    scores = tuner.cv_results_["mean_test_score"]
    assert np.isnan(scores).any() and tuner.best_params_["C"] > 0
    # an error only if every fit of the search failed
    tuner = BayesTuner(LoggingClassifier(), {"C": stats.uniform(-2, 1)}, n_iter=3, cv=2)
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        tuner.fit(X, y)


def test_n_iter_none_runs_until_max_time(optuna):
    space = {"C": LOG_C["C"], "delay": [0.02]}
    tuner = BayesTuner(SleepyClassifier(), space, n_iter=None, max_time=1.0, cv=2)
    start = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    # It asks until the budget is spent (load only makes that later). The
    # warning comes only when the budget cut a round short, not when the last
    # round ended just after the deadline (as RandomTuner's n_iter=None).
    assert time.monotonic() - start >= 1.0
    n = len(tuner.cv_results_["params"])
    assert n >= 1 and hasattr(tuner, "best_estimator_")
    for w in caught:
        if "max_time=1.0s was spent" in str(w.message):
            assert str(w.message).startswith(f"max_time=1.0s was spent: {n} of")


def test_a_space_of_lists_smaller_than_n_iter_is_evaluated_whole(optuna):
    space = {"C": [0.1, 1.0, 10.0]}
    with pytest.warns(UserWarning, match="total space of parameters 3"):
        tuner = BayesTuner(LogisticRegression(), space, n_iter=5, cv=2).fit(X, y)
    assert sorted(p["C"] for p in tuner.cv_results_["params"]) == [0.1, 1.0, 10.0]


def test_verbose_prints_progress_per_round(optuna, capsys):
    BayesTuner(LogisticRegression(), LOG_C, n_iter=12, cv=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    # the default sampler's 10 random trials, then one candidate per round
    assert out.count("Fitting 2 folds for each of 10 candidates") == 1
    assert out.count("Fitting 2 folds for each of 1 candidates") == 2
    assert "[skhyper] 20/20 fits (100%)" in out
    assert "[skhyper] 2/2 fits (100%)" in out
    assert "Trial" not in out  # Optuna's own log lines are off during fit


def test_progress_bar_callback_runs_over_rounds(optuna):
    from skhyper._compat import HAS_CALLBACKS

    if not HAS_CALLBACKS:
        pytest.skip("sklearn.callback: scikit-learn >= 1.9")
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    tuner = BayesTuner(LogisticRegression(), LOG_C, n_iter=3, cv=2, random_state=0)
    tuner.set_callbacks(ProgressBar()).fit(X, y)
    assert len(tuner.cv_results_["params"]) == 3


# -- checkpoint: the sampler resumes -------------------------------------------


def test_resumed_search_asks_what_an_uninterrupted_one_asks(optuna, tmp_path):
    # 14 candidates, 2 folds: a first round of the sampler's 10 random trials,
    # then one candidate per round, each chosen from the scores told before.
    space = {"C": stats.loguniform(1e-3, 1e3)}
    kw = dict(n_iter=14, cv=2, random_state=0)
    reference = BayesTuner(LoggingClassifier(), space, **kw).fit(X, y)

    checkpoint, log = tmp_path / "search.db", tmp_path / "fits.log"
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from scipy import stats
        from sklearn.datasets import make_classification
        from skhyper import BayesTuner
        from tests.counting import LoggingClassifier
        X, y = make_classification(n_samples=80, n_features=5, random_state=0)
        space = {{"C": stats.loguniform(1e-3, 1e3)}}
        BayesTuner(LoggingClassifier(), space, n_iter=14, cv=2, random_state=0,
                   checkpoint={str(checkpoint)!r}).fit(X, y)
        """
    )
    # killed at the 24th fit: 10 + 1 candidates and one split of the 12th done
    env = dict(os.environ, SKHYPER_FIT_LOG=str(log), SKHYPER_KILL_AFTER="24")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert len(log.read_text().split()) == 24

    log.write_text("")
    os.environ["SKHYPER_FIT_LOG"] = str(log)
    try:
        resumed = BayesTuner(LoggingClassifier(), space, checkpoint=checkpoint, **kw)
        resumed.fit(X, y)
    finally:
        del os.environ["SKHYPER_FIT_LOG"]
    # 23 fits journaled are not redone: 28 - 23 CV fits, plus the refit
    assert len(log.read_text().split()) == 28 - 23 + 1
    assert resumed.work_["from_checkpoint"] == 23
    # the sampler, told the journaled scores again, asks what it asked before
    # the kill, then what the uninterrupted search asked
    assert [repr(p) for p in resumed.cv_results_["params"]] == [
        repr(p) for p in reference.cv_results_["params"]
    ]
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


# -- docs --------------------------------------------------------------------------


def test_docs_page_examples(optuna):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    page = ROOT / "docs" / "bayes.md"
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=flags, verbose=False
    )
    assert result.attempted > 0 and result.failed == 0


def test_example_script_runs(optuna, capsys):
    (script,) = (ROOT / "examples").glob("bayes_*.py")
    with warnings.catch_warnings():
        runpy.run_path(str(script), run_name="__main__")
    assert "best parameters:" in capsys.readouterr().out


def test_docstring_passes_numpydoc(optuna):
    validate = pytest.importorskip("numpydoc.validate").validate
    ignored = {"GL01", "GL02", "SA01", "ES01", "EX01"}
    errors = validate("skhyper.BayesTuner")["errors"]
    assert [(code, msg) for code, msg in errors if code not in ignored] == []
