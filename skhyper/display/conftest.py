"""The displays' docstring examples run with matplotlib's Agg backend, or skip."""

import pytest


@pytest.fixture(autouse=True)
def _agg_backend_or_skip():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
