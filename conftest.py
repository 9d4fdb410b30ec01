"""Doctests of modules that need an optional extra skip where it is missing.

``pytest --doctest-modules`` collects every docstring example in
``skhyper/``; those of the modules below need an extra (installed by CI), and
are skipped, not failed, in an environment without it.
"""

import importlib.util

import pytest

# module file (relative to the repository) -> (import name, extra)
NEEDS_EXTRA = {"skhyper/_bayes.py": ("optuna", "bayes")}


def pytest_collection_modifyitems(config, items):
    missing = {
        path: pytest.mark.skip(reason=f"needs the {extra} extra ({module})")
        for path, (module, extra) in NEEDS_EXTRA.items()
        if importlib.util.find_spec(module) is None
    }
    for item in items:
        for path, skip in missing.items():
            if item.nodeid.startswith(path):
                item.add_marker(skip)
