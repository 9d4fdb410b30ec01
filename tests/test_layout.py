"""The package's shape: the core does not load its add-ons; the engine is used
through its entrance only."""

import ast
import subprocess
import sys
from pathlib import Path


def test_import_skhyper_does_not_import_the_anomaly_addon():
    code = (
        "import sys, skhyper\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.svm import SVC\n"
        "X, y = load_iris(return_X_y=True)\n"
        "skhyper.GridTuner(SVC(), {'C': [1, 10]}, cv=3).fit(X, y)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('skhyper.anomaly'))\n"
        "print(loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_skhyper_is_light():
    code = "import sys, skhyper; print('sklearn.datasets' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- the engine's one entrance -----------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[1] / "skhyper"


def private_engine_imports(source, package):
    """The private engine modules that ``source`` imports, as dotted names.

    ``package`` is the dotted name of the package the module is in (for its
    relative imports).
    """
    here = package.split(".")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            modules = [module]
            if module == "skhyper._engine":  # from ._engine import _keys
                modules += [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [
            m
            for m in modules
            if m.split(".")[:2] == ["skhyper", "_engine"]
            and len(m.split(".")) > 2
            and m.split(".")[2].startswith("_")
        ]
    return found


def imports_of(name):
    """Private engine imports of ``skhyper/<name>``."""
    path = PACKAGE / name
    package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
    return private_engine_imports(path.read_text(), package)


def test_only_the_engine_entrance_is_imported():
    # Outside skhyper/_engine/, the engine is skhyper._engine (what its
    # __init__ exports), never one of its private modules.
    names = [
        str(p.relative_to(PACKAGE))
        for p in sorted(PACKAGE.rglob("*.py"))
        if (PACKAGE / "_engine") not in p.parents
    ]
    assert "_detectors.py" in names and "display/_common.py" in names
    offenders = {name: imports_of(name) for name in names}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_import_check_sees_every_spelling():
    source = (
        "import skhyper._engine._keys\n"
        "from skhyper._engine._plan import plan\n"
        "from .._engine._warm import add_warm_path\n"
        "from .._engine import _branches, Evaluate\n"
        "def f():\n"
        "    from skhyper._engine import _run\n"
        "from .._engine import Engine\n"
        "from ._engine import Engine\n"
        "from ._common import pyplot\n"
        "import skhyper._engine\n"
    )
    assert private_engine_imports(source, "skhyper.display") == [
        "skhyper._engine._keys",
        "skhyper._engine._plan",
        "skhyper._engine._warm",
        "skhyper._engine._branches",
        "skhyper._engine._run",
    ]


# -- short functions where the search is driven ----------------------------------

LONGEST = 50  # lines, docstring included


def long_functions(source, limit=LONGEST):
    """``(name, lines)`` of each function of ``source`` longer than ``limit``."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_the_engine_and_the_tuner_read_as_short_steps():
    # Engine.evaluate is a list of named steps, BaseTuner.fit too.
    found = {
        name: long_functions((PACKAGE / name).read_text())
        for name in ("_engine/_evaluate.py", "_base.py")
    }
    assert found == {"_engine/_evaluate.py": [], "_base.py": []}


def test_the_length_check_counts_nested_functions():
    body = "".join(f"            x{i} = {i}\n" for i in range(LONGEST))
    source = f"class A:\n    def f(self):\n        def g():\n{body}"
    source += "        return g\n"
    assert long_functions(source) == [("f", LONGEST + 3), ("g", LONGEST + 1)]
