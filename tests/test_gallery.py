"""The gallery's examples (examples/, built by sphinx-gallery) run and draw.

grid_pipeline.py and random_custom_scorer.py run in test_main.py; the
anomaly examples belong to the anomaly add-on.
"""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# example -> (modules it needs besides matplotlib, lines it must print)
GALLERY = {
    "sharing_work.py": ((), ["  same scores as GridSearchCV: True"] * 2),
    "long_searches.py": ((), []),
    "displays.py": ((), []),
    "choosing_the_best.py": ((), []),
    "hyperband_boosting.py": ((), []),
    "distributed_dask.py": (("distributed",), ["same scores as the local run: True"]),
}


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_gallery_example_runs_and_draws(name, capsys, monkeypatch, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    needs, expected = GALLERY[name]
    for module in needs:
        pytest.importorskip(module)
    monkeypatch.chdir(tmp_path)
    plt.close("all")
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    assert plt.get_fignums(), f"{name} drew no figure"
    plt.close("all")
    out = capsys.readouterr().out.splitlines()
    for line in expected:
        assert out.count(line) == expected.count(line), out


def test_every_example_has_a_gallery_title():
    # sphinx-gallery takes the title from the docstring's underlined first line.
    for path in sorted(EXAMPLES.glob("*.py")):
        lines = path.read_text().splitlines()
        assert lines[0] == '"""', path.name
        assert set(lines[2]) == {"="} and len(lines[2]) == len(lines[1]), path.name
