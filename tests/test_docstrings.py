"""Every public docstring passes numpydoc's validator.

The public names are those in ``__all__`` of ``skhyper``, ``skhyper.extend``
and ``skhyper.anomaly``, with the public methods and properties of the
classes among them (inherited ones included, as scikit-learn's own
``test_docstrings.py`` does), with the errors that scikit-learn ignores
there left out.
"""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = ["skhyper", "skhyper.extend", "skhyper.anomaly"]

# Never checked: GL01 and GL02 (blank lines around the summary), SA01 (no See
# Also section), ES01 (no extended summary), EX01 (no Examples section: the
# examples that exist run as doctests), and, as in scikit-learn, RT02 (the
# Returns section may name what it returns).
IGNORED = {"GL01", "GL02", "SA01", "ES01", "EX01", "RT02"}

# Names whose docstring is known to fail, with the reason. Strict: a name
# that passes must be taken off the list.
KNOWN_FAILURES = {}


def _public_names():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):  # e.g. __version__
                continue
            path = f"{module_name}.{name}"
            yield path, None
            if inspect.isclass(obj):
                for attr in sorted(dir(obj)):
                    if attr.startswith("_"):
                        continue
                    static = inspect.getattr_static(obj, attr)
                    if callable(getattr(obj, attr)) or isinstance(static, property):
                        yield f"{path}.{attr}", obj


def _errors(path, klass):
    """numpydoc's errors for ``path``, less those scikit-learn ignores."""
    result = numpydoc_validate.validate(path)
    attr = path.rsplit(".", 1)[1]
    is_property = klass is not None and isinstance(
        inspect.getattr_static(klass, attr), property
    )
    errors = []
    for code, message in result["errors"]:
        if code in IGNORED:
            continue
        if is_property and code in ("PR02", "GL08"):
            continue  # no signature to check a property against
        if code == "PR02" and _first_parameter_is_cls(path, klass, message):
            continue
        errors.append((code, message))
    return result, errors


def _first_parameter_is_cls(path, klass, message):
    """numpydoc drops a first parameter named ``cls`` from the signature (as
    for a classmethod), then reports its documentation as unknown: true of
    a function such as ``register_warm_start(cls, ...)``."""
    if klass is not None or message != "Unknown parameters {'cls'}":
        return False
    module_name, name = path.rsplit(".", 1)
    obj = getattr(importlib.import_module(module_name), name)
    parameters = list(inspect.signature(obj).parameters)
    return inspect.isfunction(obj) and parameters[:1] == ["cls"]


def _params():
    names = list(_public_names())
    listed = {path for path, _ in names}
    unknown = set(KNOWN_FAILURES) - listed
    assert not unknown, f"KNOWN_FAILURES names no public name: {sorted(unknown)}"
    for path, klass in names:
        marks = ()
        if path in KNOWN_FAILURES:
            marks = pytest.mark.xfail(reason=KNOWN_FAILURES[path], strict=True)
        yield pytest.param(path, klass, id=path, marks=marks)


@pytest.mark.parametrize("path, klass", list(_params()))
def test_docstring(path, klass):
    result, errors = _errors(path, klass)
    if errors:
        listed = "\n".join(f" - {code}: {message}" for code, message in errors)
        pytest.fail(f"{path}: numpydoc errors\n{listed}\n\n{result['docstring']}")


def test_public_names_are_found():
    paths = {path for path, _ in _public_names()}
    assert {"skhyper.GridTuner", "skhyper.RandomTuner.fit"} <= paths
    assert "skhyper.extend.check_warm_start" in paths
    assert "skhyper.GridTuner.classes_" in paths  # a property
    assert "skhyper.__version__" not in paths
