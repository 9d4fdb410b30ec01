"""The main job's figure (``python -m skhyper``): what it draws, and without
matplotlib, a line saying why there is none."""

import sys

import numpy as np
import pytest

from skhyper import __main__ as job


@pytest.fixture(scope="module")
def tuners():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, train_size=300, stratify=y, random_state=0)
    grid = {**job.QUICK_GRID, "mlp__max_iter": [5]}
    space = {**job.QUICK_DISTRIBUTIONS, "mlp__max_iter": [5]}
    with pytest.warns(Warning):  # ConvergenceWarning: 5 epochs
        made = (
            job.GridTuner(job.make_model(), grid, cv=2).fit(X, y),
            job.RandomTuner(
                job.make_model(), space, n_iter=4, cv=2, random_state=0
            ).fit(X, y),
        )
    return made


def test_main_saves_one_figure_of_its_searches(tuners, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    saved = []
    monkeypatch.setattr(
        plt.Figure, "savefig", lambda fig, path, **kw: saved.append(fig)
    )
    path = tmp_path / "search.png"
    assert job.save_figure(*tuners, path) == path
    (fig,) = saved
    left, right = fig.axes[:2]
    grid, random = tuners
    # Left: the random search's accuracy against the learning rate, one point
    # per candidate, sorted by learning rate.
    rates = np.asarray(random.cv_results_["param_mlp__learning_rate_init"], float)
    order = np.argsort(rates)
    (test_line, *_) = left.lines
    np.testing.assert_allclose(test_line.get_xdata(), rates[order])
    np.testing.assert_allclose(
        test_line.get_ydata(), random.cv_results_["mean_test_score"][order]
    )
    assert left.get_xscale() == (
        "log" if rates.max() / rates.min() >= 100 else "linear"
    )
    # Right: both searches' best so far, ending at their best scores.
    best_lines = [line for line in right.lines if "best so far" in line.get_label()]
    assert [line.get_label() for line in best_lines] == [
        "GridTuner: best so far",
        "RandomTuner: best so far",
    ]
    assert best_lines[0].get_ydata()[-1] == grid.best_score_
    assert best_lines[1].get_ydata()[-1] == random.best_score_
    assert matplotlib.get_backend().lower() == "agg"


def test_main_prints_the_figure_path(tuners, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(job, "GridTuner", lambda *a, **k: tuners[0])
    monkeypatch.setattr(job, "RandomTuner", lambda *a, **k: tuners[1])
    monkeypatch.setattr(job, "run", lambda *a: None)
    path = tmp_path / "fig.png"
    assert job.main(["--quick", "--figure", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Figure of the searches: {path}"
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_main_without_matplotlib_says_so(tuners, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setattr(job, "GridTuner", lambda *a, **k: tuners[0])
    monkeypatch.setattr(job, "RandomTuner", lambda *a, **k: tuners[1])
    monkeypatch.setattr(job, "run", lambda *a: None)
    monkeypatch.chdir(tmp_path)
    assert job.main(["--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[-1]
        == 'No figure: matplotlib is not installed (pip install "skhyper[plot]")'
    )
    assert not (tmp_path / "skhyper_search.png").exists()
