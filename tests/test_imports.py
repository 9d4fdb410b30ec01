"""Every module imports on a machine without the optional libraries.

A new user's ``pip install ".[test]" && python -m pytest`` has none of the
optional libraries but the test extra's. ``--doctest-modules`` imports
every module under ``skhyper/`` and ``tests/``: one that imports an optional
library at its top fails the whole run there. This test hides them all (a
finder first on ``sys.meta_path`` refuses them, and ``find_spec`` finds
none) and imports every module in a child process, so such a module fails
here, on any machine, rather than on a bare one.
"""

import json
import subprocess
import sys
from pathlib import Path

from .extras import EXTRAS, NEEDS

ROOT = Path(__file__).resolve().parent.parent
# What the test command cannot run without: not hidden.
REQUIRED = {"hypothesis"}
HIDDEN = sorted(set(EXTRAS) - REQUIRED)

CHILD = """
import importlib, importlib.abc, importlib.util, json, sys

hidden = set(sys.argv[1].split(","))


def is_hidden(name):
    return name.partition(".")[0] in hidden


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if is_hidden(name):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Refuse())
find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: (
    None if is_hidden(name) else find_spec(name, *a)
)

import pytest

outcome = {}
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
        outcome[name] = "imported"
    except pytest.skip.Exception as exc:  # a test module that skips itself
        outcome[name] = f"skipped: {exc}"
    except BaseException as exc:
        outcome[name] = f"failed: {type(exc).__name__}: {exc}"
leaked = sorted({m.partition(".")[0] for m in sys.modules} & hidden)
print(json.dumps({"outcome": outcome, "leaked": leaked}))
"""


def _modules():
    """Every module under skhyper/ and tests/: file -> dotted name."""
    found = {}
    for package in ("skhyper", "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[relative.as_posix()] = ".".join(parts)
    return found


def test_every_module_imports_without_the_optional_libraries():
    modules = _modules()
    assert "skhyper/_engine/_keys.py" in modules and "tests/utils.py" in modules
    del modules["skhyper/__main__.py"]  # runs the demo (tests/test_main.py)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(HIDDEN), *modules.values()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.splitlines()[-1])
    outcome = report["outcome"]
    broken = {
        path: outcome[name]
        for path, name in modules.items()
        if path not in NEEDS and outcome[name].startswith("failed")
    }
    assert not broken, (
        "these modules import an optional library at their top; import it "
        "where it is used, or skip with pytest.importorskip, or list the "
        f"module in tests/extras.py's NEEDS: {broken}"
    )
    # A listed module does need its library (else the list is stale).
    stale = [path for path in NEEDS if outcome[modules[path]] == "imported"]
    assert not stale, f"remove from tests/extras.py's NEEDS: {stale}"
    # Importing skhyper itself loads none of them.
    assert report["leaked"] == []


def test_skips_name_what_installs_the_library():
    from .extras import reason

    assert reason("optuna") == (
        'needs the bayes extra (pip install "skhyper[bayes]"): optuna is not installed'
    )
    assert "pip install xgboost" in reason("xgboost")
    assert "torch and skorch" in reason("torch.nn")


def test_every_slow_entry_names_tests():
    """Each prefix of tests/extras.py's SLOW names a file, or a test in one
    (a renamed test must not silently lose its mark)."""
    import ast

    from .extras import SLOW

    for entry in SLOW:
        path, _, name = entry.partition("::")
        assert (ROOT / path).is_file(), entry
        if name:
            tree = ast.parse((ROOT / path).read_text())
            names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
            name = name.partition("[")[0]  # a parametrized case: its function
            assert any(n.startswith(name) for n in names), entry
