"""The examples in the docs that show numbers run, and show those numbers."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("page", ["sharing.md"])
def test_examples_in_docs(page):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, optionflags=flags, verbose=False
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page} failed"
