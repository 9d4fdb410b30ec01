"""A key is sound or it is not a key (DESIGN.md, promise 2).

Each test puts in one grid, or changes between a run and its resume, a
value that changes what a fit or score computes without changing the
estimator's parameters (the fitted model in a ``FrozenEstimator``, a
metadata request, the user's code) and checks the scores against
scikit-learn's search.
"""

import importlib
import os
import sys
import time
import uuid
import warnings

import numpy as np
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import GridTuner

from .counting import CountingClassifier, reset_counts
from .utils import assert_cv_results_equal


def _pcas(X):
    """Two PCAs with equal parameters, fitted on different data."""
    return PCA(n_components=2).fit(X[::2] ** 2), PCA(n_components=2).fit(X[1::2])


def _pipe():
    return Pipeline([("pre", "passthrough"), ("clf", LogisticRegression())])


# -- the state that clone carries ------------------------------------------------


def test_two_frozen_estimators_in_one_grid_are_two_candidates(iris):
    X, y = iris
    a, b = _pcas(X)
    grid = {"pre": [FrozenEstimator(a), FrozenEstimator(b)]}
    reference = GridSearchCV(_pipe(), grid, cv=3).fit(X, y)
    scores = reference.cv_results_["mean_test_score"]
    assert scores[0] != scores[1]  # the two frozen models differ
    for share in (True, False):
        tuner = GridTuner(_pipe(), grid, cv=3, share=share).fit(X, y)
        assert_cv_results_equal(tuner, reference)
    assert tuner.work_["distinct_candidates"] == 2


def test_a_frozen_estimator_refitted_is_not_read_from_the_checkpoint(iris, tmp_path):
    X, y = iris
    path = tmp_path / "c.sqlite"
    pca = PCA(n_components=2).fit(X[::2] ** 2)
    grid = {"pre": [FrozenEstimator(pca)], "clf__C": [0.1, 1.0]}

    def run():
        tuner = GridTuner(_pipe(), grid, cv=3, checkpoint=path).fit(X, y)
        assert_cv_results_equal(tuner, GridSearchCV(_pipe(), grid, cv=3).fit(X, y))
        return tuner.work_["from_checkpoint"]

    assert (run(), run()) == (0, 6)  # nothing changed: every row reused
    before = GridSearchCV(_pipe(), grid, cv=3).fit(X, y).cv_results_
    pca.fit(X[1::2])  # the same object, refitted in place
    after = GridSearchCV(_pipe(), grid, cv=3).fit(X, y).cv_results_
    assert not np.array_equal(before["mean_test_score"], after["mean_test_score"])
    assert (run(), run()) == (0, 6)


class OwnClone(ClassifierMixin, BaseEstimator):
    """Its clone carries ``offset_``, which its parameters do not show."""

    def __init__(self, C=1.0):
        self.C = C

    def __sklearn_clone__(self):
        new = OwnClone(C=self.C)
        new.offset_ = getattr(self, "offset_", 0.0)
        return new

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C).fit(X + self.offset_, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X + self.offset_)


def test_an_estimator_with_its_own_clone_is_distinct_work_and_says_why(iris, tmp_path):
    X, y = iris
    a, b = OwnClone(), OwnClone()
    a.offset_, b.offset_ = 0.0, 100.0
    grid = {"clf": [a, b]}
    pipe = Pipeline([("clf", LogisticRegression())])
    reference = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    tuner = GridTuner(pipe, grid, cv=3, checkpoint=tmp_path / "c.sqlite")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.fit(X, y)
    assert_cv_results_equal(tuner, reference)
    assert tuner.work_["distinct_candidates"] == 2
    assert tuner.work_["unkeyed"] == 2
    said = [str(w.message) for w in caught if "__sklearn_clone__" in str(w.message)]
    assert len(said) == 2  # once for sharing, once for the checkpoint
    assert "distinct work" in said[0] and "not journaled" in said[1]


# -- metadata requests ----------------------------------------------------------


def _weighted(C=1.0, request=True):
    return LogisticRegression(C=C).set_fit_request(sample_weight=request)


def _weighted_pipe(clf):
    """A pipeline whose first step always takes the sample weights (scikit-
    learn refuses metadata that no step requests)."""
    scale = StandardScaler().set_fit_request(sample_weight=True)
    return Pipeline([("scale", scale), ("clf", clf)])


def _weights(y):
    return np.where(y == 1, 5.0, 1.0) * np.linspace(0.1, 2.0, len(y))


def test_metadata_requests_on_and_off_in_one_grid(iris):
    X, y = iris
    w = _weights(y)
    with sklearn.config_context(enable_metadata_routing=True):
        grid = {
            "clf": [_weighted(0.01, True), _weighted(0.01, False)],
            "clf__C": [0.01],
        }
        pipe = _weighted_pipe(LogisticRegression())
        scoring = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        reference = GridSearchCV(pipe, grid, cv=3, scoring=scoring)
        reference.fit(X, y, sample_weight=w)
        scores = reference.cv_results_["mean_test_score"]
        assert np.isfinite(scores).all() and scores[0] != scores[1]
        for share in (True, False):
            tuner = GridTuner(pipe, grid, cv=3, scoring=scoring, share=share)
            tuner.fit(X, y, sample_weight=w)
            assert_cv_results_equal(tuner, reference)
        assert tuner.work_["distinct_candidates"] == 2


def _accuracy(estimator, X, y):
    return accuracy_score(y, estimator.predict(X))


def test_a_metadata_request_changed_before_the_resume_refits(iris, tmp_path):
    X, y = iris
    w = _weights(y)
    path = tmp_path / "c.sqlite"
    with sklearn.config_context(enable_metadata_routing=True):
        results = []
        for request in (True, False, True):
            pipe = _weighted_pipe(_weighted(0.01, request))
            grid = {"clf__C": [0.01, 0.02]}
            tuner = GridTuner(pipe, grid, cv=3, scoring=_accuracy, checkpoint=path)
            tuner.fit(X, y, sample_weight=w)
            reference = GridSearchCV(pipe, grid, cv=3, scoring=_accuracy)
            assert_cv_results_equal(tuner, reference.fit(X, y, sample_weight=w))
            results.append(tuner.work_["from_checkpoint"])
            results.append(reference.cv_results_["mean_test_score"])
    assert results[0] == results[2] == 0 and results[4] == 6  # True again: reused
    assert np.isfinite(results[1]).all() and np.isfinite(results[3]).all()
    assert not np.array_equal(results[1], results[3])


def test_a_scorer_with_a_score_request_is_journaled(iris, tmp_path):
    X, y = iris
    w = _weights(y)
    path = tmp_path / "c.sqlite"
    grid = {"C": [0.01, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        estimator = CountingClassifier().set_fit_request(sample_weight=True)
        reference = GridSearchCV(estimator, grid, cv=3, scoring=scoring)
        reference.fit(X, y, sample_weight=w)
        for run in range(2):
            reset_counts()
            tuner = GridTuner(estimator, grid, cv=3, scoring=scoring, checkpoint=path)
            with warnings.catch_warnings():
                warnings.filterwarnings("error", "checkpoint", UserWarning)
                tuner.fit(X, y, sample_weight=w)
            assert_cv_results_equal(tuner, reference)
            assert tuner.work_["from_checkpoint"] == 6 * run
            assert len(CountingClassifier.fits) == 6 * (1 - run) + 1  # + refit
        # The same scorer with another request is another search.
        other = make_scorer(accuracy_score).set_score_request(sample_weight=False)
        tuner = GridTuner(estimator, grid, cv=3, scoring=other, checkpoint=path)
        tuner.fit(X, y, sample_weight=w)
        assert tuner.work_["from_checkpoint"] == 0
        reference = GridSearchCV(estimator, grid, cv=3, scoring=other)
        assert_cv_results_equal(tuner, reference.fit(X, y, sample_weight=w))


# -- the code --------------------------------------------------------------------

HELPERS = """
OFFSET = 0.0


def shift(X):
    return X + OFFSET
"""

MODULE = """
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from skhyper_keys_helpers import shift

SCALE = 1.0


def helper(X):
    return shift(X[:, :4]) * SCALE


class Base(ClassifierMixin, BaseEstimator):
    def prep(self, X):
        return helper(X)


class Mine(Base):
    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.model_ = LogisticRegression(C=self.C).fit(self.prep(X), y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(self.prep(X))
"""

EDITS = {
    "base class": ("MODULE", "return helper(X)", "return helper(X)[:, :1]"),
    "helper": ("MODULE", "X[:, :4]", "X[:, 1:2]"),
    "constant": ("MODULE", "SCALE = 1.0", "SCALE = 1e-4"),
    "imported module": ("HELPERS", "OFFSET = 0.0", "OFFSET = 1e4"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_editing_the_users_code_between_run_and_resume_refits(
    iris, tmp_path, monkeypatch, edit
):
    X, y = iris
    folder = tmp_path / "code"
    folder.mkdir()
    files = {"MODULE": folder / "skhyper_keys_mine.py"}
    files["HELPERS"] = folder / "skhyper_keys_helpers.py"
    files["MODULE"].write_text(MODULE)
    files["HELPERS"].write_text(HELPERS)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "c.sqlite"
    grid = {"C": [0.01, 1.0]}

    def run():
        importlib.invalidate_caches()
        helpers = importlib.import_module("skhyper_keys_helpers")
        importlib.reload(helpers)
        mine = importlib.reload(importlib.import_module("skhyper_keys_mine"))
        tuner = GridTuner(mine.Mine(), grid, cv=3, checkpoint=path).fit(X, y)
        reference = GridSearchCV(mine.Mine(), grid, cv=3).fit(X, y)
        assert_cv_results_equal(tuner, reference)
        return tuner.work_["from_checkpoint"], reference.cv_results_

    try:
        assert run()[0] == 0
        found, before = run()
        assert found == 6
        which, old, new = EDITS[edit]
        text = files[which].read_text()
        assert old in text
        files[which].write_text(text.replace(old, new))
        stat = os.stat(files[which])  # a new mtime even on a coarse clock
        os.utime(files[which], ns=(stat.st_atime_ns, time.time_ns() + 10**9))
        with pytest.warns(UserWarning, match=r"the source of .*skhyper_keys_") as w:
            found, after = run()
        assert found == 0
        said = [str(x.message) for x in w if "changed since" in str(x.message)]
        assert len(said) == 1, said  # one line says why the rows were refitted
        assert f"skhyper_keys_{'helpers' if which == 'HELPERS' else 'mine'}" in said[0]
        assert not np.array_equal(
            before["mean_test_score"], after["mean_test_score"]
        ), "the edit should change the scores"
        assert run()[0] == 6
    finally:
        sys.modules.pop("skhyper_keys_mine", None)
        sys.modules.pop("skhyper_keys_helpers", None)


# -- a property: sharing never changes a score ------------------------------------


def _catalogue(X):
    a, b = _pcas(X)
    pre = [
        lambda: FrozenEstimator(a),
        lambda: FrozenEstimator(b),
        lambda: PCA(n_components=2),
        lambda: StandardScaler().set_fit_request(sample_weight=False),
        lambda: (
            StandardScaler()
            .set_fit_request(sample_weight=False)
            .set_output(transform="pandas")
        ),
        lambda: StandardScaler().set_fit_request(sample_weight=True),
    ]
    clf = [
        lambda: _weighted(0.05, True).set_score_request(sample_weight=False),
        lambda: _weighted(0.05, False).set_score_request(sample_weight=False),
        lambda: _weighted(1.0, True).set_score_request(sample_weight=False),
    ]
    return pre, clf


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 2), st.booleans()),
        min_size=1,
        max_size=4,
    )
)
def test_sharing_equals_scikit_learn_over_a_catalogue(iris, picks):
    X, y = iris
    w = _weights(y)
    with sklearn.config_context(enable_metadata_routing=True):
        pre, clf = _catalogue(X)
        made = {}

        def make(kind, i, fresh):  # the same object again, or an equal new one
            if fresh or (kind, i) not in made:
                made[kind, i] = (pre if kind == "pre" else clf)[i]()
            return made[kind, i]

        grid = [
            {"pre": [make("pre", p, f)], "clf": [make("clf", c, f)]}
            for p, c, f in picks
        ]
        pipe = _weighted_pipe(LogisticRegression())
        pipe.steps.insert(1, ("pre", "passthrough"))
        scoring = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        reference = GridSearchCV(pipe, grid, cv=3, scoring=scoring)
        reference.fit(X, y, sample_weight=w)
        assert np.isfinite(reference.cv_results_["mean_test_score"]).all()
        for share in (True, False):
            tuner = GridTuner(pipe, grid, cv=3, scoring=scoring, share=share)
            tuner.fit(X, y, sample_weight=w)
            assert_cv_results_equal(tuner, reference)


# -- a property: an edit between a run and its resume never brings back a stale score


def _write(path, text):
    """Write ``text`` and move the file's mtime a second on, so that neither
    a ``.pyc`` nor a digest cached by mtime and size can be taken for it."""
    path.write_text(text)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, max(stat.st_mtime_ns, time.time_ns()) + 10**9))


_PROPERTY_EDITS = {**EDITS, "comment": None}
_COMMENTS = {
    "top": ("", "# a comment at the top\n"),
    "in a function": (
        "):\n    return",
        "):\n    # a comment in a function\n    return",
    ),
    "at the end": ("\n", "\n# a comment at the end\n"),
}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.sampled_from(list(_PROPERTY_EDITS)), min_size=1, max_size=2, unique=True
    ),
    comment=st.tuples(
        st.sampled_from(["MODULE", "HELPERS"]), st.sampled_from(list(_COMMENTS))
    ),
    grid_C=st.lists(
        st.sampled_from([0.01, 0.1, 1.0, 10.0]), min_size=1, max_size=2, unique=True
    ),
)
def test_an_edit_between_run_and_resume_never_brings_back_a_stale_score(
    iris, tmp_path, edits, comment, grid_C
):
    X, y = iris
    tag = uuid.uuid4().hex[:12]  # a module name of its own per example
    names = {"MODULE": f"skhyper_prop_{tag}", "HELPERS": f"skhyper_prop_{tag}_helpers"}
    folder = tmp_path / tag
    folder.mkdir()
    files = {which: folder / f"{name}.py" for which, name in names.items()}
    texts = {
        "MODULE": MODULE.replace("skhyper_keys_helpers", names["HELPERS"]),
        "HELPERS": HELPERS,
    }
    for which in files:
        _write(files[which], texts[which])
    path = folder / "c.sqlite"
    grid = {"C": grid_C}
    n_rows = 3 * len(grid_C)
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(folder))

    def load():  # the same name, imported afresh from the files as they are now
        for name in names.values():
            sys.modules.pop(name, None)
        importlib.invalidate_caches()
        return importlib.import_module(names["MODULE"])

    def run(module):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "changed since" lines
            tuner = GridTuner(module.Mine(), grid, cv=3, checkpoint=path).fit(X, y)
        return tuner.work_["from_checkpoint"], tuner

    try:
        found, _ = run(load())
        assert found == 0
        for edit in edits:
            which, old, new = _PROPERTY_EDITS[edit] or (
                comment[0],
                *_COMMENTS[comment[1]],
            )
            assert old in texts[which]
            texts[which] = texts[which].replace(old, new, 1)
        for which in {(_PROPERTY_EDITS[e] or comment)[0] for e in edits}:
            _write(files[which], texts[which])
        edited = load()
        assert files["MODULE"].read_text() == texts["MODULE"]
        found, tuner = run(edited)
        reference = GridSearchCV(edited.Mine(), grid, cv=3).fit(X, y)
        assert_cv_results_equal(tuner, reference)  # no stale score came back
        if edits != ["comment"]:
            assert found == 0, "code that computes something else was not refitted"
        found, tuner = run(edited)  # the checkpoint was live all along
        assert found == n_rows
        assert_cv_results_equal(tuner, reference)
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
        sys.path.remove(str(folder))
        for name in names.values():
            sys.modules.pop(name, None)


# -- known holes: the key reads the files as they are on disk ---------------------


def _user_code(folder, module_text, helpers_text):
    tag = uuid.uuid4().hex[:12]
    names = {"MODULE": f"skhyper_hole_{tag}", "HELPERS": f"skhyper_hole_{tag}_helpers"}
    files = {which: folder / f"{name}.py" for which, name in names.items()}
    _write(
        files["MODULE"], module_text.replace("skhyper_keys_helpers", names["HELPERS"])
    )
    _write(files["HELPERS"], helpers_text)
    return names, files


def _import_afresh(names):
    for name in names.values():
        sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(names["MODULE"])


def test_a_file_edited_after_its_import_does_not_key_the_old_code(
    iris, tmp_path, monkeypatch
):
    X, y = iris
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    names, files = _user_code(tmp_path, MODULE, HELPERS)
    path, grid = tmp_path / "c.sqlite", {"C": [0.01, 1.0]}
    try:
        old = _import_afresh(names)  # say, a notebook kernel that keeps it
        text = files["MODULE"].read_text()
        _write(files["MODULE"], text.replace("SCALE = 1.0", "SCALE = 1e-4"))
        GridTuner(old.Mine(), grid, cv=3, checkpoint=path).fit(X, y)  # old code
        new = _import_afresh(names)  # the kernel restarted, the search resumed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tuner = GridTuner(new.Mine(), grid, cv=3, checkpoint=path).fit(X, y)
        reference = GridSearchCV(new.Mine(), grid, cv=3).fit(X, y)
        stale = GridSearchCV(old.Mine(), grid, cv=3).fit(X, y)
        assert not np.array_equal(
            reference.cv_results_["mean_test_score"],
            stale.cv_results_["mean_test_score"],
        )
        assert_cv_results_equal(tuner, reference)
    finally:
        for name in names.values():
            sys.modules.pop(name, None)


def test_a_helper_imported_inside_a_method_is_in_the_key(iris, tmp_path, monkeypatch):
    X, y = iris
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    local = MODULE.replace("from skhyper_keys_helpers import shift\n", "").replace(
        "    return shift(X[:, :4]) * SCALE",
        "    from skhyper_keys_helpers import shift\n\n"
        "    return shift(X[:, :4]) * SCALE",
    )
    assert local.count("skhyper_keys_helpers") == 1
    names, files = _user_code(tmp_path, local, HELPERS)
    path, grid = tmp_path / "c.sqlite", {"C": [0.01, 1.0]}
    try:
        GridTuner(_import_afresh(names).Mine(), grid, cv=3, checkpoint=path).fit(X, y)
        _write(files["HELPERS"], HELPERS.replace("OFFSET = 0.0", "OFFSET = 1e4"))
        new = _import_afresh(names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tuner = GridTuner(new.Mine(), grid, cv=3, checkpoint=path).fit(X, y)
        assert_cv_results_equal(tuner, GridSearchCV(new.Mine(), grid, cv=3).fit(X, y))
    finally:
        for name in names.values():
            sys.modules.pop(name, None)
