"""Doctests of modules that need an optional extra skip where it is missing.

``pytest --doctest-modules`` collects every docstring example in
``skhyper/``; those of the modules below need an extra (installed by CI), and
are skipped, not failed, in an environment without it.
"""

import importlib.util

import pytest

# module file (relative to the repository) -> (import name, extra)
NEEDS_EXTRA = {"skhyper/_bayes.py": ("optuna", "bayes")}

# The staged-path adapters import their library at module top (they are
# loaded only when it is imported): not collected where it is missing.
ADAPTERS = {
    "skhyper/_paths/_xgboost.py": "xgboost",
    "skhyper/_paths/_lightgbm.py": "lightgbm",
    "skhyper/_paths/_catboost.py": "catboost",
    "skhyper/_paths/_skorch.py": "skorch",
    "skhyper/skorch.py": "skorch",
}
collect_ignore = [
    path
    for path, module in ADAPTERS.items()
    if importlib.util.find_spec(module) is None
]


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
