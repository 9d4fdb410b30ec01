"""What the whole run needs: the optional libraries and the slow tests.

``pytest --doctest-modules`` collects every module under ``tests/`` and
``skhyper/``. A module that imports an optional library at its top (the
staged-path adapters, the tests' torch modules: ``tests/extras.py``'s
``NEEDS``) is not collected where that library is missing, and the doctests
of a module that needs one where it is used are skipped. Every skip for a
missing library names what installs it. The tests of ``SLOW`` are marked
``slow``: ``python -m pytest -m "not slow"`` leaves them out.
"""

import os
import re
import signal

# Two OpenMP runtimes in one process (torch's, and the one LightGBM and
# scikit-learn load) whose threads spin while they wait slow each other
# down: once a skorch test had imported torch, each LightGBM test took 2-4 s
# instead of 0.1 s. Waiting threads sleep instead. Read when a runtime loads,
# so set before any test module imports one; results do not depend on it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

from tests.extras import DOCTESTS_NEED, SLOW, collect_ignore, missing, reason

collect_ignore = collect_ignore()

_IMPORTORSKIP = re.compile(r"could not import '([^']+)'")


def pytest_collection_modifyitems(config, items):
    skips = {
        path: pytest.mark.skip(reason=reason(missing(*modules)[0]))
        for path, modules in DOCTESTS_NEED.items()
        if missing(*modules)
    }
    for item in items:
        for path, skip in skips.items():
            if item.nodeid.startswith(path):
                item.add_marker(skip)
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


def _name_what_installs(report):
    """``pytest.importorskip``'s reason, with what installs the module."""
    if report.skipped and isinstance(report.longrepr, tuple):
        path, line, text = report.longrepr
        match = _IMPORTORSKIP.search(text)
        if match and "needs " not in text:
            report.longrepr = (path, line, f"Skipped: {reason(match[1])}")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    return _name_what_installs((yield))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    return _name_what_installs((yield))


@pytest.fixture(autouse=True)
def _sigint_handler_restored():
    """Fail a test after which SIGINT's handler is not what it was: a search
    that leaves its own handler behind (an interrupt that landed while it
    was being set up) turns the next Ctrl-C into something else."""
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after is not before:
        signal.signal(signal.SIGINT, before)
        pytest.fail(f"SIGINT's handler was left as {after!r} (was {before!r})")
