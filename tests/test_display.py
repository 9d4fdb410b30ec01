"""skhyper.display: what is drawn is what cv_results_ says.

Each test reads the plotted data back from the axes (line data, collections,
image arrays, tick labels, titles) and compares it with numbers computed here
from cv_results_. Drawn with the Agg backend; skipped without matplotlib,
except the tests of what happens without it.
"""

import inspect
import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skhyper.display
from skhyper import GridTuner, RandomTuner
from skhyper.display import (
    HalvingRungsDisplay,
    ParallelCoordinatesDisplay,
    ParameterHeatmapDisplay,
    ParameterScoreDisplay,
    SearchHistoryDisplay,
)

X, y = load_iris(return_X_y=True)
PIPE = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
# Two grids: SVC over C and gamma, LogisticRegression over C (no gamma).
GRIDS = [
    {"clf": [SVC()], "clf__C": [0.01, 0.1, 1, 10, 100], "clf__gamma": [0.01, 0.1, 1]},
    {"clf": [LogisticRegression(solver="newton-cg")], "clf__C": [0.01, 0.1, 1, 10]},
]


@pytest.fixture(scope="module")
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="module")
def grid():
    return GridTuner(PIPE, GRIDS, cv=3, return_train_score=True).fit(X, y)


@pytest.fixture(scope="module")
def random():
    space = {
        "C": loguniform(1e-2, 1e3),
        "gamma": loguniform(1e-4, 1),
        "kernel": ["rbf", "sigmoid"],
    }
    return RandomTuner(SVC(), space, n_iter=20, cv=3, random_state=0).fit(X, y)


def candidates_with(results, name, value):
    column = results[f"param_{name}"]
    mask = np.ma.getmaskarray(column)
    return [i for i in range(len(column)) if not mask[i] and column[i] == value]


def title_of(display):
    """The title, unwrapped."""
    return " ".join(display.ax_.get_title().split())


def band_at(fill, x):
    """The y values of a fill_between polygon at x."""
    vertices = fill.get_paths()[0].vertices
    return np.unique(vertices[np.isclose(vertices[:, 0], x), 1])


# -- ParameterScoreDisplay ---------------------------------------------------------


def test_score_against_a_numeric_parameter_best_over_the_others(plt, grid):
    results = grid.cv_results_
    display = ParameterScoreDisplay.from_estimator(grid, "clf__C")
    values = [0.01, 0.1, 1, 10, 100]
    best = [
        max(
            candidates_with(results, "clf__C", v),
            key=lambda i: (results["mean_test_score"][i], -i),
        )
        for v in values
    ]
    test, train = display.lines_["test"], display.lines_["train"]
    np.testing.assert_allclose(test.get_xdata(), values)
    np.testing.assert_allclose(test.get_ydata(), results["mean_test_score"][best])
    np.testing.assert_allclose(train.get_ydata(), results["mean_train_score"][best])
    np.testing.assert_array_equal(display.candidates, best)
    for x, i in zip(values, best):
        mean, std = results["mean_test_score"][i], results["std_test_score"][i]
        np.testing.assert_allclose(
            band_at(display.fill_between_["test"], x), sorted([mean - std, mean + std])
        )
    assert display.ax_.get_xscale() == "log"  # 0.01 to 100: four decades
    assert display.ax_.get_xlabel() == "clf__C"
    assert title_of(display) == (
        "best candidate per value over the other parameters (clf, clf__gamma)"
    )
    assert display.figure_ is display.ax_.figure
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        "Test",
        "Train",
    ]


def test_score_against_a_parameter_mean_over_the_others(plt, grid):
    results = grid.cv_results_
    display = ParameterScoreDisplay.from_estimator(grid, "clf__C", aggregate="mean")
    for k, v in enumerate([0.01, 0.1, 1, 10, 100]):
        members = candidates_with(results, "clf__C", v)
        assert display.candidates[k] == len(members)
        assert display.lines_["test"].get_ydata()[k] == pytest.approx(
            results["mean_test_score"][members].mean()
        )
    assert title_of(display) == (
        "mean over the other parameters (clf, clf__gamma) per value"
    )


def test_linear_axis_when_values_span_less_than_two_decades(plt):
    tuner = GridTuner(SVC(), {"C": [1, 2, 5, 10, 50]}, cv=3).fit(X, y)
    display = ParameterScoreDisplay.from_estimator(tuner, "C")
    assert display.ax_.get_xscale() == "linear"
    assert title_of(display) == "one candidate per value"
    assert "train" not in display.lines_  # return_train_score=False


def test_estimators_swapped_by_the_grid_are_categories_named_by_class(plt, grid):
    results = grid.cv_results_
    display = ParameterScoreDisplay.from_estimator(grid, "clf")
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == ["SVC", "LogisticRegression"]
    expected = [
        np.max(results["mean_test_score"][:15]),
        np.max(results["mean_test_score"][15:]),
    ]
    np.testing.assert_allclose(display.lines_["test"].get_ydata(), expected)
    # Points with error bars (no line between categories), train beside test.
    assert display.lines_["test"].get_linestyle() == "None"
    np.testing.assert_allclose(display.lines_["test"].get_xdata(), [-0.08, 0.92])
    np.testing.assert_allclose(display.lines_["train"].get_xdata(), [0.08, 1.08])
    assert set(display.errorbar_) == {"test", "train"}


def test_strings_and_numbers_mixed_are_categories(plt):
    grid = {"gamma": [0.1, "scale", 0.01, "auto"]}
    tuner = GridTuner(SVC(), grid, cv=3).fit(X, y)
    display = ParameterScoreDisplay.from_estimator(tuner, "gamma")
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == ["scale", "auto", "0.01", "0.1"]  # words first, numbers sorted
    means = tuner.cv_results_["mean_test_score"]
    np.testing.assert_allclose(display.lines_["test"].get_ydata(), means[[1, 3, 2, 0]])


def test_random_search_draws_one_point_per_candidate(plt, random):
    results = random.cv_results_
    display = ParameterScoreDisplay.from_estimator(random, "C")
    order = np.argsort(np.asarray(results["param_C"], float))
    np.testing.assert_allclose(
        display.lines_["test"].get_xdata(), np.asarray(results["param_C"], float)[order]
    )
    np.testing.assert_allclose(
        display.lines_["test"].get_ydata(), results["mean_test_score"][order]
    )
    assert title_of(display) == (
        "one candidate per value; the other parameters (gamma, kernel) vary"
    )


def test_scikit_learn_results_are_shown_the_same(plt, grid):
    search = GridSearchCV(PIPE, GRIDS, cv=3, return_train_score=True).fit(X, y)
    ours = ParameterScoreDisplay.from_estimator(grid, "clf__C")
    theirs = ParameterScoreDisplay.from_cv_results(search.cv_results_, "clf__C")
    for key in ("test", "train"):
        np.testing.assert_array_equal(
            ours.lines_[key].get_ydata(), theirs.lines_[key].get_ydata()
        )


def test_plot_on_given_axes_and_multimetric(plt):
    tuner = GridTuner(
        SVC(),
        {"C": [0.1, 1, 10]},
        cv=3,
        scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
        refit="bal",
    ).fit(X, y)
    fig, ax = plt.subplots()
    display = ParameterScoreDisplay.from_estimator(tuner, "C", ax=ax)
    assert display.ax_ is ax and display.metric == "bal"
    np.testing.assert_allclose(
        display.lines_["test"].get_ydata(), tuner.cv_results_["mean_test_bal"]
    )
    with pytest.raises(ValueError, match=r"several metrics \['acc', 'bal'\]"):
        ParameterScoreDisplay.from_cv_results(tuner.cv_results_, "C")
    with pytest.raises(ValueError, match="metric='f1' is not in cv_results_"):
        ParameterScoreDisplay.from_estimator(tuner, "C", metric="f1")
    with pytest.raises(ValueError, match=r"'c' is not a searched parameter.*\['C'\]"):
        ParameterScoreDisplay.from_estimator(tuner, "c")
    with pytest.raises(ValueError, match="aggregate must be one of"):
        ParameterScoreDisplay.from_estimator(tuner, "C", aggregate="max")


# -- ParameterHeatmapDisplay -------------------------------------------------------


def test_heatmap_cells_hold_the_best_score_of_their_candidates(plt, grid):
    results = grid.cv_results_
    display = ParameterHeatmapDisplay.from_estimator(grid, "clf__C", "clf__gamma")
    image = display.im_.get_array()
    assert image.shape == (3, 5)
    for row, gamma in enumerate([0.01, 0.1, 1]):
        for col, c in enumerate([0.01, 0.1, 1, 10, 100]):
            members = set(candidates_with(results, "clf__C", c))
            members &= set(candidates_with(results, "clf__gamma", gamma))
            (i,) = members  # one SVC candidate per cell
            assert image[row, col] == results["mean_test_score"][i]
            text = display.text_[row, col].get_text()
            assert text == format(results["mean_test_score"][i], ".3g")
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == [
        "0.01",
        "0.1",
        "1",
        "10",
        "100",
    ]
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["0.01", "0.1", "1"]
    assert display.ax_.get_xlabel() == "clf__C"
    assert display.ax_.get_ylabel() == "clf__gamma"
    assert title_of(display) == (
        "best candidate per cell over the other parameters (clf)"
    )
    assert display.colorbar_.ax.get_ylabel() == "mean test score"


def test_heatmap_with_a_categorical_axis_and_empty_cells(plt, grid):
    results = grid.cv_results_
    display = ParameterHeatmapDisplay.from_estimator(grid, "clf", "clf__gamma")
    image = display.im_.get_array()
    # LogisticRegression has no gamma: its column is empty (masked).
    assert np.ma.getmaskarray(image)[:, 1].all()
    assert display.text_[0, 1] is None
    for row, gamma in enumerate([0.01, 0.1, 1]):
        members = candidates_with(results, "clf__gamma", gamma)
        assert image[row, 0] == np.max(results["mean_test_score"][members])
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == [
        "SVC",
        "LogisticRegression",
    ]


def test_heatmap_cuts_a_random_search_into_intervals(plt, random):
    results = random.cv_results_
    display = ParameterHeatmapDisplay.from_estimator(
        random, "C", "gamma", bins=4, aggregate="mean"
    )
    assert display.scores.shape == (4, 4)
    assert display.candidates.sum() == len(results["params"])  # each in one cell
    edges = np.geomspace(
        np.min(np.asarray(results["param_C"], float)),
        np.max(np.asarray(results["param_C"], float)),
        5,
    )
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(4)]
    assert title_of(display) == ("mean over the other parameters (kernel) per cell")


# -- SearchHistoryDisplay ----------------------------------------------------------


def test_history_best_so_far_against_time_and_fits(plt, random):
    results, history = random.cv_results_, random.history_
    order = np.argsort(history["n_fits"])
    scores = results["mean_test_score"][order]
    expected = np.maximum.accumulate(scores)
    by_time = SearchHistoryDisplay.from_estimator(random)
    np.testing.assert_array_equal(
        by_time.line_.get_xdata(), history["elapsed_time"][order]
    )
    np.testing.assert_array_equal(by_time.line_.get_ydata(), expected)
    assert by_time.line_.get_drawstyle() == "steps-post"
    np.testing.assert_array_equal(
        by_time.scatter_.get_offsets(),
        np.column_stack([history["elapsed_time"][order], scores]),
    )
    assert by_time.ax_.get_xlabel() == "elapsed time (s)"
    assert by_time.max_time_line_ is None and by_time.checkpoint_scatter_ is None
    by_fits = SearchHistoryDisplay.from_estimator(random, x="n_fits")
    np.testing.assert_array_equal(by_fits.line_.get_xdata(), history["n_fits"][order])
    assert by_fits.line_.get_ydata()[-1] == random.best_score_


def test_history_of_a_resumed_search_stopped_by_max_time(plt, tmp_path):
    db = str(tmp_path / "search.db")
    GridTuner(SVC(), {"C": [0.1, 1, 10]}, cv=3, checkpoint=db).fit(X, y)
    tuner = GridTuner(
        SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=3, checkpoint=db, max_time=60
    ).fit(X, y)
    display = SearchHistoryDisplay.from_estimator(tuner, x="n_fits")
    resumed = tuner.history_["from_checkpoint"]
    np.testing.assert_array_equal(resumed, [False, True, True, True, False])
    offsets = display.checkpoint_scatter_.get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], [3, 6, 9])
    np.testing.assert_array_equal(
        offsets[:, 1], tuner.cv_results_["mean_test_score"][1:4]
    )
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["candidates (2)", "read from the checkpoint (3)", "best so far"]
    by_time = SearchHistoryDisplay.from_estimator(tuner)
    np.testing.assert_array_equal(by_time.max_time_line_.get_xdata(), [60, 60])


def test_history_of_a_scikit_learn_search_against_fits_only(plt):
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10]}, cv=3).fit(X, y)
    display = SearchHistoryDisplay.from_cv_results(search.cv_results_, x="n_fits")
    np.testing.assert_array_equal(display.line_.get_xdata(), [3, 6, 9, 12])
    np.testing.assert_array_equal(
        display.line_.get_ydata(),
        np.maximum.accumulate(search.cv_results_["mean_test_score"]),
    )
    assert "cv_results_ order" in display.ax_.get_xlabel()
    with pytest.raises(ValueError, match="x='elapsed_time' needs a history"):
        SearchHistoryDisplay.from_cv_results(search.cv_results_)
    with pytest.raises(AttributeError, match="GridSearchCV has no history_"):
        SearchHistoryDisplay.from_estimator(search)


# -- ParallelCoordinatesDisplay ----------------------------------------------------


def test_parallel_coordinates_place_each_candidate_on_each_axis(plt, random):
    results = random.cv_results_
    display = ParallelCoordinatesDisplay.from_estimator(random)
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == [
        "C",
        "gamma",
        "kernel",
        "score",
    ]
    scores = results["mean_test_score"]
    order = np.argsort(scores, kind="stable")  # best drawn last, on top
    np.testing.assert_array_equal(display.candidates, order)
    np.testing.assert_array_equal(display.lines_.get_array(), scores[order])
    segments = display.lines_.get_segments()
    assert len(segments) == len(scores)
    log_c = np.log10(np.asarray(results["param_C"], float))
    kernel = np.asarray(results["param_kernel"])
    for segment, i in zip(segments, order):
        np.testing.assert_allclose(segment[:, 0], [0, 1, 2, 3])
        c, _, k, s = segment[:, 1]
        assert c == pytest.approx((log_c[i] - log_c.min()) / np.ptp(log_c))
        assert k == list(dict.fromkeys(kernel)).index(kernel[i])  # first seen first
        assert s == pytest.approx((scores[i] - scores.min()) / np.ptp(scores))
    texts = {t.get_text() for t in display.ax_.texts}
    assert {"rbf", "sigmoid"} <= texts


def test_parallel_coordinates_mark_parameters_not_set(plt, grid):
    display = ParallelCoordinatesDisplay.from_estimator(
        grid, params=["clf", "clf__gamma"]
    )
    is_lr = [
        type(grid.cv_results_["params"][i]["clf"]) is LogisticRegression
        for i in display.candidates
    ]
    gamma = np.array([segment[1, 1] for segment in display.lines_.get_segments()])
    np.testing.assert_array_equal(gamma[is_lr], -0.1)
    assert (gamma[~np.array(is_lr)] >= 0).all()
    assert "not set" in {t.get_text() for t in display.ax_.texts}


# -- HalvingRungsDisplay -----------------------------------------------------------


def test_halving_rungs_follow_each_candidate(plt):
    grid = {"C": [0.01, 0.1, 1, 10, 100], "gamma": [0.01, 0.1, 1]}
    search = HalvingGridSearchCV(SVC(), grid, cv=3, random_state=0, min_resources=20)
    search.fit(X, y)
    results = search.cv_results_
    display = HalvingRungsDisplay.from_estimator(search)
    segments = display.lines_.get_segments()
    assert len(segments) == 15  # one line per candidate of the first rung
    drawn = set()
    for segment, rows in zip(segments, display.rows):
        np.testing.assert_array_equal(segment[:, 0], results["iter"][rows])
        np.testing.assert_array_equal(segment[:, 1], results["mean_test_score"][rows])
        assert all(results["params"][r] == results["params"][rows[0]] for r in rows)
        drawn.update(rows.tolist())
    assert drawn == set(range(len(results["params"])))  # every row drawn once
    best_rows = display.rows[display.best]
    assert search.best_index_ in best_rows
    np.testing.assert_array_equal(
        display.best_line_.get_ydata(), results["mean_test_score"][best_rows]
    )
    rungs = np.unique(results["iter"])
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == [
        f"{results['n_resources'][results['iter'] == r][0]:g}\n"
        f"{(results['iter'] == r).sum()} cand."
        for r in rungs
    ]


def test_halving_display_needs_rungs(plt, grid):
    with pytest.raises(ValueError, match="not from a successive-halving search"):
        HalvingRungsDisplay.from_estimator(grid)


# -- without matplotlib ------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda r: ParameterScoreDisplay.from_cv_results(r, "C"),
        lambda r: ParameterHeatmapDisplay.from_cv_results(r, "C", "gamma"),
        lambda r: SearchHistoryDisplay.from_cv_results(r, x="n_fits"),
        lambda r: ParallelCoordinatesDisplay.from_cv_results(r),
        lambda r: HalvingRungsDisplay.from_cv_results(r),
    ],
)
def test_without_matplotlib_the_error_names_the_extra(make, monkeypatch):
    results = GridTuner(SVC(), {"C": [1, 10], "gamma": [0.1, 1]}, cv=2).fit(X, y)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "skhyper\[plot\]"'):
        make(results.cv_results_)


def test_importing_skhyper_display_does_not_import_matplotlib():
    code = "import sys, skhyper.display; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- docstrings --------------------------------------------------------------------

NUMPYDOC_IGNORED = {"GL01", "GL02", "SA01", "ES01", "EX01"}


def _public_objects():
    found = {}
    for module in ("skhyper.display", "skhyper.selection"):
        mod = sys.modules[module] if module in sys.modules else __import__(module)
        mod = sys.modules[module]
        for name in mod.__all__:
            obj = getattr(mod, name)
            found[f"{module}.{name}"] = obj
            if inspect.isclass(obj) and obj.__module__.startswith("skhyper"):
                for attr, value in vars(obj).items():
                    if not attr.startswith("_") and callable(
                        getattr(value, "__func__", value)
                    ):
                        found[f"{module}.{name}.{attr}"] = value
    return found


import skhyper.selection  # noqa: E402


@pytest.mark.parametrize("name", sorted(_public_objects()))
def test_public_docstrings_pass_numpydoc(name):
    validate = pytest.importorskip("numpydoc.validate").validate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        errors = validate(name)["errors"]
    assert [(code, msg) for code, msg in errors if code not in NUMPYDOC_IGNORED] == []


def test_display_names_are_public():
    assert skhyper.display.__all__ == sorted(skhyper.display.__all__)
