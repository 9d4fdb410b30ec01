"""The main job (``python -m skhyper``) and the example scripts run end to end."""

import re
import runpy
from pathlib import Path

import pytest

from skhyper.__main__ import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEADER = "rank  mean acc  std acc  fit (s)  parameters"
ROW = re.compile(r"^ +(\d+) +(\d\.\d{4}) +(\d\.\d{4}) +(\d+\.\d{3})  \S")
EPOCHS = re.compile(r"^Epochs trained: ([\d,]+) \(scikit-learn's search: ([\d,]+)")
HELD_OUT = re.compile(r"^Held-out accuracy of the best model: (\d\.\d{4})$")


def test_main_quick(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # where the figure goes, if matplotlib is there
    assert main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()

    headers = [i for i, line in enumerate(lines) if line == HEADER]
    assert len(headers) == 2, "one leaderboard per tuner"
    for i in headers:
        assert "candidates x 3 folds" in lines[i - 1]
        rows = [ROW.match(line) for line in lines[i + 1 : i + 6]]
        assert all(rows), lines[i + 1 : i + 6]
        ranks = [int(row[1]) for row in rows]
        means = [float(row[2]) for row in rows]
        assert ranks[0] == 1
        assert ranks == sorted(ranks)
        assert means == sorted(means, reverse=True)
        assert lines[i + 6].startswith("Epochs trained: ")
        assert lines[i + 7].startswith("Best parameters: hidden_layer_sizes=")

    epochs = [m for m in map(EPOCHS.match, lines) if m]
    assert len(epochs) == 2, "one line of epochs per tuner"
    grid_ours, grid_plain = (int(x.replace(",", "")) for x in epochs[0].groups())
    # the quick grid's max_iter 10 and 20: one run of 20 epochs per group
    assert (grid_ours, grid_plain) == (480, 720)
    random_ours, random_plain = (int(x.replace(",", "")) for x in epochs[1].groups())
    assert random_ours <= random_plain

    scores = [float(m[1]) for m in map(HELD_OUT.match, lines) if m]
    assert len(scores) == 2
    assert all(0.8 < score <= 1 for score in scores)


# What each example must print (at least as many times as listed), beyond
# running to the end without an error.
EXAMPLE_OUTPUT = {
    "bayes_swapped_step.py": ["BayesTuner", "RandomTuner"]
    + ["  held-out accuracy:"] * 2,
    "grid_pipeline.py": ["best parameters:"] + ["as GridSearchCV: True"] * 5,
    "random_custom_scorer.py": ["best parameters:", "held-out F2:"],
    "anomaly_labelled.py": ["IsolationForest", "Novelty detection (NoveltySplit)"],
    "anomaly_label_free.py": ["blobs:", "wine:"] + ["AUC of the choice by MV"] * 6,
}


def test_every_example_is_run():
    from .test_gallery import GALLERY  # the gallery's own examples run there

    run = set(EXAMPLE_OUTPUT) | set(GALLERY)
    assert sorted(run) == sorted(p.name for p in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("name", sorted(EXAMPLE_OUTPUT))
def test_example_runs(name, capsys, tmp_path, monkeypatch):
    source = (EXAMPLES / name).read_text()
    if "matplotlib" in source:
        pytest.importorskip("matplotlib").use("Agg")  # the example draws
    if "BayesTuner" in source:
        pytest.importorskip("optuna")  # the bayes extra
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    for text in set(EXAMPLE_OUTPUT[name]):
        assert out.count(text) >= EXAMPLE_OUTPUT[name].count(text), (text, out)
