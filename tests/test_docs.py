"""Every ``>>>`` example in the docs pages runs and shows what it prints.

Each page in docs/ that has ``>>>`` examples runs as one doctest, top to
bottom, its examples sharing their names (a setup an example needs and the
page does not show sits in an HTML comment before it). A code fence ends an
example's expected output, as a blank line does.
"""

import doctest
import re
from pathlib import Path

import pytest

from skhyper._engine._registry import isolated

from .extras import EXTRAS, missing, reason

DOCS = Path(__file__).resolve().parent.parent / "docs"
PROMPT = re.compile(r"^\s*>>> ", re.MULTILINE)
PAGES = sorted(p.name for p in DOCS.glob("*.md") if PROMPT.search(p.read_text()))
FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
IMPORT = re.compile(r"^\s*>>> (?:import|from) (\w+)", re.MULTILINE)
# Pages whose examples need a library they do not import themselves.
PAGES_NEED = {"bayes.md": ("optuna",)}


def needs(page, text):
    """The optional libraries a page's examples need: imported, or listed."""
    imported = [m for m in IMPORT.findall(text) if m in EXTRAS]
    return (*PAGES_NEED.get(page, ()), *imported)


@pytest.fixture(autouse=True)
def undo_registrations():
    """The pages register warm-start paths and cheap steps for their own
    classes: forget them after the page, as a new process would."""
    with isolated():
        yield


def test_pages_with_examples_are_found():
    assert {"getting_started.md", "sharing.md"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_examples_in_docs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files an example writes stay out of the tree
    path = DOCS / page
    absent = missing(*needs(page, path.read_text()))
    if absent:
        pytest.skip(reason(absent[0]))
    text = FENCE.sub("", path.read_text())  # same line numbers
    test = doctest.DocTestParser().get_doctest(
        text, {"__name__": "__main__"}, page, str(path), 0
    )
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    runner = doctest.DocTestRunner(optionflags=flags)
    result = runner.run(test)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page} failed"
