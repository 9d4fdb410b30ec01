"""The examples in the docs that show numbers run, and show those numbers."""

import doctest
from pathlib import Path

import pytest

from skhyper._engine._schedule import CHEAP_STEPS
from skhyper._engine._warm import WARM_PATHS

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(autouse=True)
def undo_registrations():
    """The pages register warm-start paths and cheap steps for their own
    classes: forget them after the page, as a new process would."""
    warm, cheap = dict(WARM_PATHS), list(CHEAP_STEPS)
    yield
    WARM_PATHS.clear()
    WARM_PATHS.update(warm)
    CHEAP_STEPS[:] = cheap


@pytest.mark.parametrize("page", ["sharing.md", "halving.md"])
def test_examples_in_docs(page):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, optionflags=flags, verbose=False
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page} failed"
